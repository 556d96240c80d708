//! `revive`: restart a dead node on its disk.

use serde::de::MapAccess;

use super::info::StepInfo;
use super::kind::StepKind;
use super::nodes::{node_word, node_yaml, one_node, resolve};
use super::words::Word;
use crate::engine::Engine;
use crate::scenario::noderef::NodeRef;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::seeded::Seed;

pub(super) const INFO: StepInfo = StepInfo {
    name: "revive",
    usage: "revive NODE",
    help: "restart a dead node on its disk",
    words,
};

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    one_node(rest, cx, INFO.usage).map(StepKind::Revive)
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    Ok(StepKind::Revive(map.next_value_seed(Seed::new(cx))?))
}

pub(super) fn to_words(n: &NodeRef) -> String {
    format!("revive {}", node_word(n))
}

pub(super) fn to_yaml(n: &NodeRef) -> String {
    node_yaml(n)
}

pub(super) async fn start(n: &NodeRef, engine: &mut Engine) -> Result<(), String> {
    let node = resolve(engine, n)?;
    engine.revive(node).await
}
