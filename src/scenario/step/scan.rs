//! `scan`: get many keys at once (and check each holds a value); done when
//! all have answered.

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
    name: "scan",
    usage: "scan PREFIX COUNT [VALUE] [via NODE] [r=N]",
    help: "get PREFIX0..PREFIX{COUNT-1} at once (VALUE: check each; also start=N, as CLIENT)",
    words,
};

parse_struct! {
    struct ScanWire, "a scan: {keys, prefix, ...}" {
        keys: usize,
        prefix: Text,
        start: usize = 0,
        value: Option<Text> = None,
        client: Option<Text> = None,
        via: Option<NodeRef> = None,
        r: Option<usize> = None,
    }
}

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    let b = bulk::from_words(rest, cx, "r", false, INFO.usage)?;
    Ok(StepKind::Scan(b))
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    let r: ScanWire = map.next_value_seed(Seed::new(cx))?;
    let b = BulkStep {
        keys: r.keys,
        prefix: r.prefix.0,
        start: r.start,
        value: r.value.map(|t| t.0),
        client: r.client.map_or_else(|| DEFAULT_CLIENT.to_string(), |t| t.0),
        via: r.via,
        quorum: r.r,
    };
    Ok(bulk::kind(false, b.check("r").map_err(de::Error::custom)?))
}

pub(super) fn to_words(b: &BulkStep) -> String {
    bulk::to_words("scan", "r", b)
}

pub(super) fn to_yaml(b: &BulkStep) -> String {
    bulk::to_yaml("r", b)
}

pub(super) fn start(
    b: &BulkStep,
    expect: Option<&Expect>,
    engine: &mut Engine,
    run: &mut StepRun,
) -> Result<(), String> {
    bulk::start(b, false, expect, engine, run)
}
