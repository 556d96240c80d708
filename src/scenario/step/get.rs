//! `get`: a client reads a key.

use serde::de::{self, MapAccess};

use super::client::{DEFAULT_CLIENT, client_name};
use super::info::StepInfo;
use super::kind::{GetStep, StepKind};
use super::nodes::{node_word, node_yaml, resolve};
use super::quorum::{check_live_quorum, quorum, typed_quorum};
use super::words::{Word, op_options, quote};
use super::yaml;
use crate::core::client::OpKind;
use crate::engine::Engine;
use crate::scenario::expect::Expect;
use crate::scenario::noderef::NodeRef;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::seeded::{Seed, parse_struct};
use crate::scenario::step_run::StepRun;
use crate::scenario::text::{Text, check_key};

pub(super) const INFO: StepInfo = StepInfo {
    name: "get",
    usage: "get KEY [via NODE] [as CLIENT] [r=N] [pr=N]",
    help: "a client reads a key; siblings show in the inspector (nowait: go on at once)",
    words,
};

parse_struct! {
    struct GetWire, "a get: {key, ...}" {
        key: Text,
        client: Option<Text> = None,
        via: Option<NodeRef> = None,
        r: Option<usize> = None,
        pr: Option<usize> = None,
        nowait: bool = false,
    }
}

impl GetStep {
    /// Checks what a get step asks for, however it was written.
    fn check(self) -> Result<StepKind, String> {
        check_key(&self.key)?;
        Ok(StepKind::Get(GetStep {
            client: client_name(Some(self.client))?,
            r: quorum("r", self.r)?,
            pr: quorum("pr", self.pr)?,
            ..self
        }))
    }
}

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    let [key, opts @ ..] = rest else {
        return Err(format!("usage: {}", INFO.usage));
    };
    let o = op_options(opts, "r", INFO.usage, |_| Ok(false))?;
    GetStep {
        key: key.text.clone(),
        client: o.client.unwrap_or_else(|| DEFAULT_CLIENT.to_string()),
        via: o.via.map(|v| cx.node(&v)).transpose()?,
        r: typed_quorum("r", o.quorum)?,
        pr: typed_quorum("pr", o.primary)?,
        nowait: o.nowait,
    }
    .check()
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    let g: GetWire = map.next_value_seed(Seed::new(cx))?;
    GetStep {
        key: g.key.0,
        client: g.client.map_or_else(|| DEFAULT_CLIENT.to_string(), |t| t.0),
        via: g.via,
        r: g.r,
        pr: g.pr,
        nowait: g.nowait,
    }
    .check()
    .map_err(de::Error::custom)
}

pub(super) fn to_words(g: &GetStep) -> String {
    let mut out = format!("get {}", quote(&g.key));
    if let Some(v) = &g.via {
        out.push_str(&format!(" via {}", node_word(v)));
    }
    if g.client != DEFAULT_CLIENT {
        out.push_str(&format!(" as {}", quote(&g.client)));
    }
    if let Some(r) = g.r {
        out.push_str(&format!(" r={r}"));
    }
    if let Some(pr) = g.pr {
        out.push_str(&format!(" pr={pr}"));
    }
    if g.nowait {
        out.push_str(" nowait");
    }
    out
}

pub(super) fn to_yaml(g: &GetStep) -> String {
    let mut f = vec![("key", yaml::text(&g.key))];
    if g.client != DEFAULT_CLIENT {
        f.push(("client", yaml::text(&g.client)));
    }
    if let Some(v) = &g.via {
        f.push(("via", node_yaml(v)));
    }
    if let Some(r) = g.r {
        f.push(("r", r.to_string()));
    }
    if let Some(pr) = g.pr {
        f.push(("pr", pr.to_string()));
    }
    if g.nowait {
        f.push(("nowait", "true".into()));
    }
    yaml::map(&f)
}

pub(super) fn label(g: &GetStep) -> String {
    let mut out = format!("get {}", g.key);
    if let Some(v) = &g.via {
        out.push_str(&format!(" via {v}"));
    }
    if g.client != DEFAULT_CLIENT {
        out.push_str(&format!(" as {}", g.client));
    }
    if let Some(r) = g.r {
        out.push_str(&format!(" r={r}"));
    }
    if let Some(pr) = g.pr {
        out.push_str(&format!(" pr={pr}"));
    }
    if g.nowait {
        out.push_str(" nowait");
    }
    out
}

pub(super) fn start(
    g: &GetStep,
    expect: Option<&Expect>,
    engine: &mut Engine,
    run: &mut StepRun,
) -> Result<(), String> {
    let via = g.via.as_ref().map(|v| resolve(engine, v)).transpose()?;
    check_live_quorum("r", g.r, engine)?;
    check_live_quorum("pr", g.pr, engine)?;
    let client = engine.client(&g.client);
    let op = engine.submit(
        client,
        crate::core::version::Key::from(g.key.as_str()),
        OpKind::Get { r: g.r, pr: g.pr },
        via,
    );
    run.submitted_op(op);
    if !g.nowait {
        run.await_op(op, expect.cloned());
    }
    Ok(())
}
