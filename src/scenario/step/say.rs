//! `say`: show a caption.

use serde::de::MapAccess;

use super::info::StepInfo;
use super::kind::StepKind;
use super::words::{Word, quote};
use super::yaml;
use crate::core::trace::Event;
use crate::engine::Engine;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::text::Text;

pub(super) const INFO: StepInfo = StepInfo {
    name: "say",
    usage: "say TEXT",
    help: "add a caption",
    words,
};

fn words(rest: &[Word], _: &mut ParseContext) -> Result<StepKind, String> {
    if rest.is_empty() {
        return Err(format!("usage: {}", INFO.usage));
    }
    let text: Vec<&str> = rest.iter().map(|w| w.text.as_str()).collect();
    Ok(StepKind::Say(text.join(" ")))
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, _: &mut ParseContext) -> Result<StepKind, A::Error> {
    Ok(StepKind::Say(map.next_value::<Text>()?.0))
}

pub(super) fn to_words(text: &str) -> String {
    format!("say {}", quote(text))
}

pub(super) fn to_yaml(text: &str) -> String {
    yaml::text(text)
}

pub(super) fn label(text: &str) -> String {
    format!("say {text}")
}

pub(super) fn start(text: &str, engine: &mut Engine) -> Result<(), String> {
    engine.annotate(Event::Caption(text.to_string()));
    Ok(())
}
