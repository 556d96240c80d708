//! `leave`: a node hands its ranges to their new owners, then stops for good.

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
    name: "leave",
    usage: "leave NODE",
    help: "a node hands its ranges on and leaves for good",
    words,
};

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    one_node(rest, cx, INFO.usage).map(StepKind::Leave)
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    Ok(StepKind::Leave(map.next_value_seed(Seed::new(cx))?))
}

pub(super) fn to_words(n: &NodeRef) -> String {
    format!("leave {}", node_word(n))
}

pub(super) fn to_yaml(n: &NodeRef) -> String {
    node_yaml(n)
}

pub(super) fn start(n: &NodeRef, engine: &mut Engine) -> Result<(), String> {
    let node = resolve(engine, n)?;
    engine.leave(node)
}
