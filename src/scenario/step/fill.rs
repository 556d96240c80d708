//! `fill`: put one value under many keys at once; done when all have answered.

use serde::de::{self, MapAccess};

use super::bulk;
use super::client::DEFAULT_CLIENT;
use super::info::StepInfo;
use super::kind::{BulkStep, StepKind};
use super::words::Word;
use crate::engine::Engine;
use crate::scenario::expect::Expect;
use crate::scenario::noderef::NodeRef;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::seeded::{Seed, parse_struct};
use crate::scenario::step_run::StepRun;
use crate::scenario::text::Text;

pub(super) const INFO: StepInfo = StepInfo {
    name: "fill",
    usage: "fill PREFIX COUNT VALUE [via NODE] [w=N]",
    help: "put PREFIX0..PREFIX{COUNT-1} = VALUE at once (also start=N, as CLIENT)",
    words,
};

parse_struct! {
    struct FillWire, "a fill: {keys, prefix, value, ...}" {
        keys: usize,
        prefix: Text,
        start: usize = 0,
        value: Text,
        client: Option<Text> = None,
        via: Option<NodeRef> = None,
        w: Option<usize> = None,
    }
}

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    let b = bulk::from_words(rest, cx, "w", true, INFO.usage)?;
    Ok(StepKind::Fill(b))
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    let w: FillWire = map.next_value_seed(Seed::new(cx))?;
    let b = BulkStep {
        keys: w.keys,
        prefix: w.prefix.0,
        start: w.start,
        value: Some(w.value.0),
        client: w.client.map_or_else(|| DEFAULT_CLIENT.to_string(), |t| t.0),
        via: w.via,
        quorum: w.w,
    };
    check(b).map_err(de::Error::custom)
}

/// A fill writes a value.
fn check(b: BulkStep) -> Result<StepKind, String> {
    let b = b.check("w")?;
    if b.value.as_deref().is_none_or(str::is_empty) {
        return Err("a fill needs a non-empty value".into());
    }
    Ok(bulk::kind(true, b))
}

pub(super) fn to_words(b: &BulkStep) -> String {
    bulk::to_words("fill", "w", b)
}

pub(super) fn to_yaml(b: &BulkStep) -> String {
    bulk::to_yaml("w", b)
}

pub(super) fn start(
    b: &BulkStep,
    expect: Option<&Expect>,
    engine: &mut Engine,
    run: &mut StepRun,
) -> Result<(), String> {
    bulk::start(b, true, expect, engine, run)
}
