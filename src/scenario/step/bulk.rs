//! What `fill` and `scan` share: many keys at once, `PREFIX{start}` ..
//! `PREFIX{start + keys - 1}`, and their options on the command line.

use std::sync::Arc;

use super::client::{DEFAULT_CLIENT, client_name};
use super::kind::{BulkStep, StepKind};
use super::nodes::{node_word, node_yaml, resolve};
use super::quorum::{check_live_quorum, typed_quorum};
use super::words::{Word, op_options, quote};
use super::yaml;
use crate::core::client::OpKind;
use crate::engine::Engine;
use crate::scenario::expect::Expect;
use crate::scenario::limits::MAX_BULK;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::step_run::StepRun;
use crate::scenario::text::check_key;

impl BulkStep {
    /// The keys, in order.
    pub fn key_names(&self) -> impl Iterator<Item = String> + '_ {
        (self.start..self.start + self.keys).map(|i| format!("{}{i}", self.prefix))
    }

    fn describe(&self) -> String {
        format!(
            "{}{}..{}{}",
            self.prefix,
            self.start,
            self.prefix,
            self.start + self.keys - 1
        )
    }

    /// Checks the keys and the client, however the step was written.
    pub(super) fn check(self, quorum_name: &str) -> Result<BulkStep, String> {
        if self.keys == 0 || self.keys > MAX_BULK {
            return Err(format!(
                "keys is {}; a fill or scan touches 1 to {MAX_BULK} keys",
                self.keys
            ));
        }
        check_key(&format!("{}{}", self.prefix, self.start + self.keys))?;
        Ok(BulkStep {
            client: client_name(Some(self.client))?,
            quorum: super::quorum::quorum(quorum_name, self.quorum)?,
            ..self
        })
    }
}

/// The label a fill or scan carries in the trace: `fill item0..item49 = v1`.
pub(super) fn label(verb: &str, b: &BulkStep) -> String {
    let mut out = format!("{verb} {}", b.describe());
    match (&b.value, verb) {
        (Some(v), "fill") => out.push_str(&format!(" = {v}")),
        (Some(v), _) => out.push_str(&format!(" for {v}")),
        _ => {}
    }
    if let Some(v) = &b.via {
        out.push_str(&format!(" via {v}"));
    }
    out
}

/// `PREFIX COUNT [VALUE] [start=N] [via NODE] [as CLIENT] [w=N|r=N]`.
pub(super) fn from_words(
    rest: &[Word],
    cx: &ParseContext,
    quorum: &str,
    value_required: bool,
    usage: &str,
) -> Result<BulkStep, String> {
    let [prefix, count, opts @ ..] = rest else {
        return Err(format!("usage: {usage}"));
    };
    let keys: usize = count
        .text
        .parse()
        .map_err(|_| format!("{:?} is not a count of keys; usage: {usage}", count.text))?;
    let (value, opts) = match opts.split_first() {
        Some((v, more)) if v.quoted || !is_option(v) => (Some(v.text.clone()), more),
        _ if value_required => return Err(format!("usage: {usage}")),
        _ => (None, opts),
    };
    let mut start = 0;
    let o = op_options(opts, quorum, usage, |w| match w.assigned("start") {
        Some(n) => {
            start = super::words::number("start", n)?;
            Ok(true)
        }
        None => Ok(false),
    })?;
    if o.nowait || o.primary.is_some() {
        return Err(format!("usage: {usage}"));
    }
    BulkStep {
        keys,
        prefix: prefix.text.clone(),
        start,
        value,
        client: o.client.unwrap_or_else(|| DEFAULT_CLIENT.to_string()),
        via: o.via.map(|v| cx.node(&v)).transpose()?,
        quorum: typed_quorum(quorum, o.quorum)?,
    }
    .check(quorum)
}

/// True for an unquoted word that reads as an option.
fn is_option(w: &Word) -> bool {
    w.is("via") || w.is("as") || w.is("nowait") || (!w.quoted && w.text.contains('='))
}

pub(super) fn to_words(verb: &str, quorum: &str, b: &BulkStep) -> String {
    let mut out = format!("{verb} {} {}", quote(&b.prefix), b.keys);
    if let Some(v) = &b.value {
        out.push_str(&format!(" {}", quote(v)));
    }
    if b.start != 0 {
        out.push_str(&format!(" start={}", b.start));
    }
    if let Some(v) = &b.via {
        out.push_str(&format!(" via {}", node_word(v)));
    }
    if b.client != DEFAULT_CLIENT {
        out.push_str(&format!(" as {}", quote(&b.client)));
    }
    if let Some(q) = b.quorum {
        out.push_str(&format!(" {quorum}={q}"));
    }
    out
}

pub(super) fn to_yaml(quorum: &str, b: &BulkStep) -> String {
    let mut f = vec![("keys", b.keys.to_string()), ("prefix", yaml::text(&b.prefix))];
    if b.start != 0 {
        f.push(("start", b.start.to_string()));
    }
    if let Some(v) = &b.value {
        f.push(("value", yaml::text(v)));
    }
    if b.client != DEFAULT_CLIENT {
        f.push(("client", yaml::text(&b.client)));
    }
    if let Some(v) = &b.via {
        f.push(("via", node_yaml(v)));
    }
    if let Some(q) = b.quorum {
        f.push((quorum, q.to_string()));
    }
    yaml::map(&f)
}

/// Submits one operation per key and checks them together when they are done.
pub(super) fn start(
    b: &BulkStep,
    is_put: bool,
    expect: Option<&Expect>,
    engine: &mut Engine,
    run: &mut StepRun,
) -> Result<(), String> {
    check_live_quorum(if is_put { "w" } else { "r" }, b.quorum, engine)?;
    let via = b.via.as_ref().map(|v| resolve(engine, v)).transpose()?;
    let client = engine.client(&b.client);
    let mut ops = Vec::with_capacity(b.keys);
    // One allocation serves every key: a 1 MB value over
    // 100,000 keys is 1 MB, not 100 GB.
    let value: crate::core::version::Value = Arc::from(b.value.as_deref().unwrap_or_default());
    for key in b.key_names() {
        let kind = if is_put {
            OpKind::Put {
                value: value.clone(),
                w: b.quorum,
                pw: None,
                context: None,
            }
        } else {
            OpKind::Get { r: b.quorum, pr: None }
        };
        ops.push(engine.submit(client, crate::core::version::Key::from(key.as_str()), kind, via));
    }
    let verb = if is_put { "fill" } else { "scan" };
    run.add_bulk(
        format!("{verb} {}", b.describe()),
        ops,
        if is_put { None } else { b.value.clone() },
        expect.and_then(|e| e.ok),
    );
    Ok(())
}

/// Reads `StepKind` from a checked bulk step.
pub(super) fn kind(is_put: bool, b: BulkStep) -> StepKind {
    if is_put { StepKind::Fill(b) } else { StepKind::Scan(b) }
}
