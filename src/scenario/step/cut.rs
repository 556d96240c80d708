//! `cut`: one direction of one link stops carrying messages.

use serde::de::{self, MapAccess};

use super::info::StepInfo;
use super::kind::StepKind;
use super::nodes::{node_word, node_yaml, resolve};
use super::words::Word;
use super::yaml;
use crate::engine::Engine;
use crate::scenario::noderef::NodeRef;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::seeded::{Seed, parse_struct};

pub(super) const INFO: StepInfo = StepInfo {
    name: "cut",
    usage: "cut A>B",
    help: "cut one direction of one link",
    words,
};

parse_struct! {
    struct CutWire, "a cut: {from, to}" {
        from: NodeRef,
        to: NodeRef,
    }
}

fn new(from: NodeRef, to: NodeRef) -> Result<StepKind, String> {
    if from == to {
        return Err(format!("cut: from and to are both {from}"));
    }
    Ok(StepKind::Cut { from, to })
}

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    let text: String = rest.iter().map(|w| w.text.as_str()).collect();
    let Some((from, to)) = text.split_once('>') else {
        return Err(format!("usage: {}", INFO.usage));
    };
    new(cx.node(from.trim())?, cx.node(to.trim())?)
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    let c: CutWire = map.next_value_seed(Seed::new(cx))?;
    new(c.from, c.to).map_err(de::Error::custom)
}

pub(super) fn to_words(from: &NodeRef, to: &NodeRef) -> String {
    format!("cut {}>{}", node_word(from), node_word(to))
}

pub(super) fn to_yaml(from: &NodeRef, to: &NodeRef) -> String {
    yaml::map(&[("from", node_yaml(from)), ("to", node_yaml(to))])
}

pub(super) fn start(from: &NodeRef, to: &NodeRef, engine: &mut Engine) -> Result<(), String> {
    let (a, b) = (resolve(engine, from)?, resolve(engine, to)?);
    if a == b {
        return Err(format!("cut: {from} and {to} are the same node"));
    }
    engine.cut(a, b)
}
