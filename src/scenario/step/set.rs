//! `set`: change settings (the settings themselves are listed once, in
//! [`crate::scenario::settings_patch`]).

use serde::de::MapAccess;

use super::info::StepInfo;
use super::kind::StepKind;
use super::words::{Word, quote};
use super::yaml;
use crate::engine::Engine;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::settings_patch::SettingsPatch;

pub(super) const INFO: StepInfo = StepInfo {
    name: "set",
    usage: "set KEY=VALUE ...",
    help: "change a setting: replicas, read_quorum, write_quorum, ...",
    words,
};

fn words(rest: &[Word], _: &mut ParseContext) -> Result<StepKind, String> {
    if rest.is_empty() {
        return Err(format!("usage: {}", INFO.usage));
    }
    let mut pairs = Vec::new();
    for w in rest {
        if !w.text.contains('=') {
            return Err(format!("set: {:?} is not KEY=VALUE; usage: {}", w.text, INFO.usage));
        }
        pairs.push(w.text.clone());
    }
    SettingsPatch::from_assignments(&pairs).map(StepKind::Set)
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, _: &mut ParseContext) -> Result<StepKind, A::Error> {
    Ok(StepKind::Set(map.next_value()?))
}

pub(super) fn to_words(p: &SettingsPatch) -> String {
    let parts: Vec<String> = p
        .assignments()
        .into_iter()
        .map(|(k, v)| quote(&format!("{k}={v}")))
        .collect();
    format!("set {}", parts.join(" "))
}

pub(super) fn to_yaml(p: &SettingsPatch) -> String {
    let fields: Vec<(&str, String)> = p
        .assignments()
        .into_iter()
        .map(|(k, v)| (k, yaml::scalar(&v)))
        .collect();
    yaml::map(&fields)
}

pub(super) fn start(p: &SettingsPatch, engine: &mut Engine) -> Result<(), String> {
    let settings = p.apply(engine.settings());
    engine.set_settings(settings, p.describe())?;
    Ok(())
}
