//! What a cluster is made of before it starts: node names, their tokens and
//! the settings.

use crate::core::config::{MAX_NODES, MAX_VNODES, Partitioning, Settings};
use crate::core::ids::{Names, NodeId};
use crate::core::ring::Ring;

/// One node to start.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeSpec {
    pub name: String,
    /// Explicit ring positions; `None` derives `vnodes` tokens from the name.
    pub tokens: Option<Vec<u64>>,
}

/// A cluster to start.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterSpec {
    pub nodes: Vec<NodeSpec>,
    /// Tokens per node when a node has no explicit tokens.
    pub vnodes: usize,
    /// Where nodes without explicit tokens place theirs: hashes of their
    /// names (random) or equal partitions.
    pub partitioning: Partitioning,
    pub settings: Settings,
    /// Nodes a node that knows no one gossips to; empty means the first node.
    pub seeds: Vec<String>,
}

impl ClusterSpec {
    /// `count` nodes named n1, n2, ...
    pub fn numbered(count: usize, vnodes: usize, settings: Settings) -> ClusterSpec {
        ClusterSpec::named((1..=count).map(|i| format!("n{i}")), vnodes, settings)
    }

    /// Nodes with these names.
    pub fn named(names: impl IntoIterator<Item = String>, vnodes: usize, settings: Settings) -> ClusterSpec {
        ClusterSpec {
            nodes: names.into_iter().map(|name| NodeSpec { name, tokens: None }).collect(),
            vnodes,
            partitioning: Partitioning::Random,
            settings,
            seeds: Vec::new(),
        }
    }

    /// Checks the shape of the cluster and builds its name table and ring.
    pub fn build(&self) -> Result<(Names, Ring), String> {
        if self.nodes.is_empty() {
            return Err("a cluster needs at least one node".into());
        }
        if self.nodes.len() > MAX_NODES {
            return Err(format!("{} nodes is too many; at most {MAX_NODES}", self.nodes.len()));
        }
        if self.vnodes == 0 || self.vnodes > MAX_VNODES {
            return Err(format!(
                "vnodes is {}; it must be between 1 and {MAX_VNODES}",
                self.vnodes
            ));
        }
        let mut names = Names::default();
        let mut assignments = Vec::new();
        let equal = match self.partitioning {
            Partitioning::Random => Vec::new(),
            Partitioning::Equal => Ring::equal_tokens(self.nodes.len(), self.vnodes),
        };
        for (i, spec) in self.nodes.iter().enumerate() {
            check_name(&spec.name)?;
            if names.node_id(&spec.name).is_some() {
                return Err(format!("node name {:?} appears twice; names must be unique", spec.name));
            }
            let id = names.add_node(&spec.name);
            let tokens = match &spec.tokens {
                Some(t) if t.is_empty() => return Err(format!("node {} has an empty token list", spec.name)),
                Some(t) if t.len() > MAX_VNODES => {
                    return Err(format!(
                        "node {} has {} tokens; at most {MAX_VNODES}",
                        spec.name,
                        t.len()
                    ));
                }
                Some(t) => t.clone(),
                None => match equal.get(i) {
                    Some(t) => t.clone(),
                    None => Ring::default_tokens(&spec.name, self.vnodes),
                },
            };
            assignments.push((id, tokens));
        }
        for seed in &self.seeds {
            if names.node_id(seed).is_none() {
                return Err(format!("seed {seed:?} is not a node of the cluster"));
            }
        }
        Ok((names, Ring::new(assignments)))
    }

    /// The seed nodes' ids (the first node when none is named).
    pub fn seed_ids(&self, names: &Names) -> Vec<NodeId> {
        let ids: Vec<NodeId> = self.seeds.iter().filter_map(|s| names.node_id(s)).collect();
        if ids.is_empty() { vec![NodeId(0)] } else { ids }
    }
}

/// Node names are short words: letters, digits, `-` and `_`, starting with a letter.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "node name {name:?} is not allowed; use up to 32 letters, digits, - or _, starting with a letter"
        ))
    }
}
