//! `kill`: crash-stop a node.

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
    name: "kill",
    usage: "kill NODE",
    help: "crash-stop a node (NODE or KEY#I, e.g. cart#1)",
    words,
};

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    one_node(rest, cx, INFO.usage).map(StepKind::Kill)
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    Ok(StepKind::Kill(map.next_value_seed(Seed::new(cx))?))
}

pub(super) fn to_words(n: &NodeRef) -> String {
    format!("kill {}", node_word(n))
}

pub(super) fn to_yaml(n: &NodeRef) -> String {
    node_yaml(n)
}

pub(super) async fn start(n: &NodeRef, engine: &mut Engine) -> Result<(), String> {
    let node = resolve(engine, n)?;
    engine.kill(node).await
}
