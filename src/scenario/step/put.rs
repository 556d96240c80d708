//! `put`: a client writes a key.

use std::sync::Arc;

use serde::de::{self, MapAccess};

use super::client::{DEFAULT_CLIENT, client_name};
use super::info::StepInfo;
use super::kind::{PutStep, StepKind};
use super::nodes::{node_word, node_yaml, resolve};
use super::quorum::{check_live_quorum, quorum, typed_quorum};
use super::words::{Word, op_options, quote};
use super::yaml;
use crate::core::client::OpKind;
use crate::engine::Engine;
use crate::scenario::check::resolve_clock;
use crate::scenario::expect::{ClockSpec, ContextSpec, Expect};
use crate::scenario::noderef::NodeRef;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::seeded::{Seed, parse_struct};
use crate::scenario::step_run::StepRun;
use crate::scenario::text::{Text, check_key};

pub(super) const INFO: StepInfo = StepInfo {
    name: "put",
    usage: "put KEY VALUE [via NODE] [as CLIENT] [w=N] [pw=N]",
    help: "a client writes a key (as: the client, default `client`; also context={s1:2} and nowait)",
    words,
};

parse_struct! {
    struct PutWire, "a put: {key, value, ...}" {
        key: Text,
        value: Text,
        client: Option<Text> = None,
        via: Option<NodeRef> = None,
        w: Option<usize> = None,
        pw: Option<usize> = None,
        context: Option<ContextSpec> = None,
        nowait: bool = false,
    }
}

impl PutStep {
    /// Checks what a put step asks for, however it was written.
    fn check(self) -> Result<StepKind, String> {
        check_key(&self.key)?;
        if self.value.is_empty() {
            return Err("a put needs a non-empty value".into());
        }
        Ok(StepKind::Put(PutStep {
            client: client_name(Some(self.client))?,
            w: quorum("w", self.w)?,
            pw: quorum("pw", self.pw)?,
            ..self
        }))
    }
}

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    let [key, value, opts @ ..] = rest else {
        return Err(format!("usage: {}", INFO.usage));
    };
    let mut context = None;
    let o = op_options(opts, "w", INFO.usage, |w| match w.assigned("context") {
        Some(text) => {
            context = Some(clock_words(text, cx)?);
            Ok(true)
        }
        None => Ok(false),
    })?;
    PutStep {
        key: key.text.clone(),
        value: value.text.clone(),
        client: o.client.unwrap_or_else(|| DEFAULT_CLIENT.to_string()),
        via: o.via.map(|v| cx.node(&v)).transpose()?,
        w: typed_quorum("w", o.quorum)?,
        pw: typed_quorum("pw", o.primary)?,
        context,
        nowait: o.nowait,
    }
    .check()
}

/// A context typed as `{s1:2,s2:1,+s1:4}` (`+` marks an extra dot).
fn clock_words(text: &str, cx: &ParseContext) -> Result<ClockSpec, String> {
    let bad = || format!("context={text} is not a clock; write it like context={{s1:2,s2:1}}");
    let inner = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .ok_or_else(bad)?;
    let mut spec = ClockSpec::default();
    for part in inner.split(',').filter(|p| !p.is_empty()) {
        let (node, counter) = part.rsplit_once(':').ok_or_else(bad)?;
        let counter: u32 = counter.parse().map_err(|_| bad())?;
        if counter > crate::core::clock::MAX_CONTEXT_COUNTER {
            return Err(format!(
                "counter {counter} for {node} is too large; a context counter is at most {}",
                crate::core::clock::MAX_CONTEXT_COUNTER
            ));
        }
        match node.strip_prefix('+') {
            Some(n) => spec.1.push((cx.node(n)?, counter)),
            None => spec.0.push((cx.node(node)?, counter)),
        }
    }
    Ok(spec)
}

/// A context as the command line writes it.
pub(super) fn clock_to_words(c: &ClockSpec) -> String {
    let parts: Vec<String> =
        c.0.iter()
            .map(|(n, k)| format!("{n}:{k}"))
            .chain(c.1.iter().map(|(n, k)| format!("+{n}:{k}")))
            .collect();
    format!("{{{}}}", parts.join(","))
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    let w: PutWire = map.next_value_seed(Seed::new(cx))?;
    PutStep {
        key: w.key.0,
        value: w.value.0,
        client: w.client.map_or_else(|| DEFAULT_CLIENT.to_string(), |t| t.0),
        via: w.via,
        w: w.w,
        pw: w.pw,
        context: w.context.map(|c| c.0),
        nowait: w.nowait,
    }
    .check()
    .map_err(de::Error::custom)
}

pub(super) fn to_words(p: &PutStep) -> String {
    let mut out = format!("put {} {}", quote(&p.key), quote(&p.value));
    if let Some(v) = &p.via {
        out.push_str(&format!(" via {}", node_word(v)));
    }
    if p.client != DEFAULT_CLIENT {
        out.push_str(&format!(" as {}", quote(&p.client)));
    }
    if let Some(w) = p.w {
        out.push_str(&format!(" w={w}"));
    }
    if let Some(pw) = p.pw {
        out.push_str(&format!(" pw={pw}"));
    }
    if let Some(c) = &p.context {
        out.push_str(&format!(" context={}", clock_to_words(c)));
    }
    if p.nowait {
        out.push_str(" nowait");
    }
    out
}

pub(super) fn to_yaml(p: &PutStep) -> String {
    let mut f = vec![("key", yaml::text(&p.key)), ("value", yaml::text(&p.value))];
    if p.client != DEFAULT_CLIENT {
        f.push(("client", yaml::text(&p.client)));
    }
    if let Some(v) = &p.via {
        f.push(("via", node_yaml(v)));
    }
    if let Some(w) = p.w {
        f.push(("w", w.to_string()));
    }
    if let Some(pw) = p.pw {
        f.push(("pw", pw.to_string()));
    }
    if let Some(c) = &p.context {
        f.push(("context", c.to_yaml()));
    }
    if p.nowait {
        f.push(("nowait", "true".into()));
    }
    yaml::map(&f)
}

pub(super) fn label(p: &PutStep) -> String {
    let mut out = format!("put {} {}", p.key, p.value);
    if let Some(v) = &p.via {
        out.push_str(&format!(" via {v}"));
    }
    if p.client != DEFAULT_CLIENT {
        out.push_str(&format!(" as {}", p.client));
    }
    if let Some(w) = p.w {
        out.push_str(&format!(" w={w}"));
    }
    if let Some(pw) = p.pw {
        out.push_str(&format!(" pw={pw}"));
    }
    if let Some(c) = &p.context {
        out.push_str(&format!(" context={c}"));
    }
    if p.nowait {
        out.push_str(" nowait");
    }
    out
}

pub(super) fn start(
    p: &PutStep,
    expect: Option<&Expect>,
    engine: &mut Engine,
    run: &mut StepRun,
) -> Result<(), String> {
    let via = p.via.as_ref().map(|v| resolve(engine, v)).transpose()?;
    check_live_quorum("w", p.w, engine)?;
    check_live_quorum("pw", p.pw, engine)?;
    let context = p.context.as_ref().map(|c| resolve_clock(c, engine)).transpose()?;
    let client = engine.client(&p.client);
    let kind = OpKind::Put {
        value: Arc::from(p.value.as_str()),
        w: p.w,
        pw: p.pw,
        context,
    };
    let op = engine.submit(client, crate::core::version::Key::from(p.key.as_str()), kind, via);
    run.submitted_op(op);
    if !p.nowait {
        run.await_op(op, expect.cloned());
    }
    Ok(())
}
