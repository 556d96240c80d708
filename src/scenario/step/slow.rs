//! `slow`: messages to and from a node take longer (0 restores it).

use serde::de::{self, MapAccess};

use super::info::StepInfo;
use super::kind::StepKind;
use super::nodes::{node_word, node_yaml, resolve};
use super::words::{Word, exact};
use super::yaml;
use crate::core::time::Dur;
use crate::engine::Engine;
use crate::scenario::expect::DurSpec;
use crate::scenario::limits::MAX_WAIT;
use crate::scenario::noderef::NodeRef;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::seeded::{Seed, parse_struct};

pub(super) const INFO: StepInfo = StepInfo {
    name: "slow",
    usage: "slow NODE DURATION",
    help: "add latency to a node's messages (0ms restores)",
    words,
};

parse_struct! {
    struct SlowWire, "slow: {node, by}" {
        node: NodeRef,
        by: DurSpec,
    }
}

fn new(node: NodeRef, by: Dur) -> Result<StepKind, String> {
    if by > MAX_WAIT {
        return Err(format!("slow: {by} is too long; at most {MAX_WAIT}"));
    }
    Ok(StepKind::Slow { node, by })
}

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    let [node, by] = rest else {
        return Err(format!("usage: {}", INFO.usage));
    };
    new(cx.node(&node.text)?, Dur::parse(&by.text)?)
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    let s: SlowWire = map.next_value_seed(Seed::new(cx))?;
    new(s.node, s.by.0).map_err(de::Error::custom)
}

pub(super) fn to_words(node: &NodeRef, by: Dur) -> String {
    format!("slow {} {}", node_word(node), exact(by))
}

pub(super) fn to_yaml(node: &NodeRef, by: Dur) -> String {
    yaml::map(&[("node", node_yaml(node)), ("by", yaml::dur(by))])
}

pub(super) fn start(node: &NodeRef, by: Dur, engine: &mut Engine) -> Result<(), String> {
    let id = resolve(engine, node)?;
    engine.slow(id, by)
}
