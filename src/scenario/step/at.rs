//! `at`: let virtual time pass until an instant (since the start).

use serde::de::{self, MapAccess};

use super::info::StepInfo;
use super::kind::StepKind;
use super::words::{Word, exact};
use super::yaml;
use crate::core::time::{Dur, Time};
use crate::engine::Engine;
use crate::scenario::expect::DurSpec;
use crate::scenario::limits::MAX_RUN;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::step_run::StepRun;

pub(super) const INFO: StepInfo = StepInfo {
    name: "at",
    usage: "at DURATION",
    help: "wait until this long after the start",
    words,
};

fn new(d: Dur) -> Result<StepKind, String> {
    if d > MAX_RUN {
        return Err(format!("at {d} is too late; a scenario runs at most {MAX_RUN}"));
    }
    Ok(StepKind::At(d))
}

fn words(rest: &[Word], _: &mut ParseContext) -> Result<StepKind, String> {
    match rest {
        [d] => new(Dur::parse(&d.text)?),
        _ => Err(format!("at needs one duration; usage: {}", INFO.usage)),
    }
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, _: &mut ParseContext) -> Result<StepKind, A::Error> {
    new(map.next_value::<DurSpec>()?.0).map_err(de::Error::custom)
}

pub(super) fn to_words(d: Dur) -> String {
    format!("at {}", exact(d))
}

pub(super) fn to_yaml(d: Dur) -> String {
    yaml::dur(d)
}

pub(super) fn start(d: Dur, engine: &mut Engine, run: &mut StepRun) -> Result<(), String> {
    let at = Time(d.micros());
    if at < engine.now() {
        return Err(format!("at {d}: the clock already reads {}", engine.now()));
    }
    run.wait_until_at_least(at);
    Ok(())
}
