//! `heal`: remove every partition and cut.

use serde::de::{self, MapAccess};

use super::info::StepInfo;
use super::kind::StepKind;
use super::words::Word;
use crate::engine::Engine;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::text::Text;

pub(super) const INFO: StepInfo = StepInfo {
    name: "heal",
    usage: "heal",
    help: "remove every partition and cut",
    words,
};

fn words(rest: &[Word], _: &mut ParseContext) -> Result<StepKind, String> {
    match rest {
        [] => Ok(StepKind::Heal),
        [w] if w.text == "all" => Ok(StepKind::Heal),
        _ => Err(format!("usage: {}", INFO.usage)),
    }
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, _: &mut ParseContext) -> Result<StepKind, A::Error> {
    let t: Text = map.next_value()?;
    if t.0 != "all" {
        return Err(de::Error::custom(format!(
            "heal: {:?} is not understood; write `heal: all`",
            t.0
        )));
    }
    Ok(StepKind::Heal)
}

pub(super) fn to_words() -> String {
    "heal".to_string()
}

pub(super) fn to_yaml() -> String {
    "all".to_string()
}

pub(super) fn start(engine: &mut Engine) -> Result<(), String> {
    engine.heal();
    Ok(())
}
