//! `wait`: let virtual time pass.

use serde::de::{self, MapAccess};

use super::info::StepInfo;
use super::kind::StepKind;
use super::words::{Word, exact};
use super::yaml;
use crate::core::time::Dur;
use crate::engine::Engine;
use crate::scenario::expect::DurSpec;
use crate::scenario::limits::MAX_WAIT;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::step_run::StepRun;

pub(super) const INFO: StepInfo = StepInfo {
    name: "wait",
    usage: "wait DURATION",
    help: "fast-forward virtual time",
    words,
};

fn new(d: Dur) -> Result<StepKind, String> {
    if d > MAX_WAIT {
        return Err(format!("wait {d} is too long; at most {MAX_WAIT}"));
    }
    Ok(StepKind::Wait(d))
}

fn words(rest: &[Word], _: &mut ParseContext) -> Result<StepKind, String> {
    match rest {
        [d] => new(Dur::parse(&d.text)?),
        _ => Err(format!("wait needs one duration; usage: {}", INFO.usage)),
    }
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, _: &mut ParseContext) -> Result<StepKind, A::Error> {
    new(map.next_value::<DurSpec>()?.0).map_err(de::Error::custom)
}

pub(super) fn to_words(d: Dur) -> String {
    format!("wait {}", exact(d))
}

pub(super) fn to_yaml(d: Dur) -> String {
    yaml::dur(d)
}

pub(super) fn start(d: Dur, engine: &mut Engine, run: &mut StepRun) -> Result<(), String> {
    run.wait_until_at_least(engine.now() + d);
    Ok(())
}
