//! `partition`: the listed groups cannot reach each other.

use serde::de::{self, MapAccess};

use super::info::StepInfo;
use super::kind::StepKind;
use super::nodes::{node_word, node_yaml, resolve};
use super::words::Word;
use super::yaml;
use crate::core::ids::NodeId;
use crate::engine::Engine;
use crate::scenario::noderef::NodeRef;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::seeded::Seed;

pub(super) const INFO: StepInfo = StepInfo {
    name: "partition",
    usage: "partition A,B | C,D",
    help: "split the cluster: A,B | C,D",
    words,
};

fn check(groups: Vec<Vec<NodeRef>>) -> Result<StepKind, String> {
    if groups.len() < 2 {
        return Err("partition: needs at least two groups, like [[s1, s2], [s3]]".into());
    }
    let mut seen = std::collections::BTreeSet::new();
    for g in &groups {
        if g.is_empty() {
            return Err("partition: a group is empty".into());
        }
        for n in g {
            if !seen.insert(n) {
                return Err(format!("partition: {n} is in two groups"));
            }
        }
    }
    Ok(StepKind::Partition(groups))
}

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    let text: Vec<&str> = rest.iter().map(|w| w.text.as_str()).collect();
    let text = text.join(" ");
    let mut groups = Vec::new();
    for g in text.split('|') {
        let mut group = Vec::new();
        for n in g.split([',', ' ']).filter(|n| !n.trim().is_empty()) {
            group.push(cx.node(n.trim())?);
        }
        groups.push(group);
    }
    check(groups)
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    let groups: Vec<Vec<NodeRef>> = map.next_value_seed(Seed::new(cx))?;
    check(groups).map_err(de::Error::custom)
}

pub(super) fn to_words(groups: &[Vec<NodeRef>]) -> String {
    let groups: Vec<String> = groups
        .iter()
        .map(|g| g.iter().map(node_word).collect::<Vec<_>>().join(","))
        .collect();
    format!("partition {}", groups.join(" | "))
}

pub(super) fn to_yaml(groups: &[Vec<NodeRef>]) -> String {
    yaml::seq(groups.iter().map(|g| yaml::seq(g.iter().map(node_yaml))))
}

pub(super) fn label(groups: &[Vec<NodeRef>]) -> String {
    let groups: Vec<String> = groups
        .iter()
        .map(|g| g.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(","))
        .collect();
    format!("partition {}", groups.join(" | "))
}

pub(super) fn start(groups: &[Vec<NodeRef>], engine: &mut Engine) -> Result<(), String> {
    let mut resolved: Vec<Vec<NodeId>> = Vec::new();
    for g in groups {
        let mut ids = Vec::new();
        for n in g {
            let id = resolve(engine, n)?;
            if resolved.iter().flatten().chain(ids.iter()).any(|x| *x == id) {
                return Err(format!(
                    "partition: {n} is {}, which is already in another group",
                    engine.names().node(id)
                ));
            }
            ids.push(id);
        }
        resolved.push(ids);
    }
    engine.partition(resolved)
}
