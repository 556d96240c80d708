//! Naming nodes in scenarios: `s1`, or `cart#2` for "the second distinct
//! node clockwise from cart's position".
//!
//! `KEY#I` lets a preset talk about roles (the coordinator of a key, its
//! replicas, the first node past them) without knowing where the hash puts
//! the key. A reference is checked, where it stands in the file, against the
//! [`ParseContext`] that the parser is handed: the cluster's node names (and
//! those its steps join), and, while a preset loads, the [`Plan`] of what
//! each step will find.

use std::fmt;

use serde::Deserializer;

use super::plan::Plan;
use super::seeded::Parse;
use crate::core::ids::{Names, NodeId};
use crate::core::ring::Ring;

/// A reference to a node, resolved against the ring when the step runs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeRef {
    Name(String),
    /// The `index`-th (from 1) distinct node clockwise from `key`.
    Nth {
        key: String,
        index: usize,
    },
}

/// What a preset or command may name: the cluster's nodes (and those its
/// steps join), and how many nodes there can be for `KEY#I`. While a preset
/// loads it also carries the [`Plan`] its steps are checked against; the
/// playground's command line parses without one and is checked against the
/// live cluster when the step runs.
#[derive(Clone, Debug, Default)]
pub struct ParseContext {
    pub nodes: Vec<String>,
    pub max_nodes: usize,
    pub plan: Option<Plan>,
}

impl ParseContext {
    /// A context naming `nodes`, with `max_nodes` for `KEY#I`, and no plan.
    pub fn new(nodes: Vec<String>, max_nodes: usize) -> ParseContext {
        ParseContext {
            nodes,
            max_nodes,
            plan: None,
        }
    }

    /// Parses `text` as a node reference and checks it against this context.
    pub fn node(&self, text: &str) -> Result<NodeRef, String> {
        let parsed = NodeRef::parse(text)?;
        parsed.check(self)?;
        Ok(parsed)
    }

    /// Registers a node that a step creates (a join), so later steps may name it.
    pub fn register(&mut self, name: &str) {
        if !self.knows(name) {
            self.nodes.push(name.to_string());
            self.max_nodes = self.max_nodes.max(self.nodes.len());
        }
    }

    /// True when this context knows a node named `name`.
    pub fn knows(&self, name: &str) -> bool {
        self.nodes.iter().any(|n| n == name)
    }

    /// Runs `f` on the plan, if a preset is being loaded.
    pub fn plan(&mut self, f: impl FnOnce(&mut Plan) -> Result<(), String>) -> Result<(), String> {
        self.plan.as_mut().map_or(Ok(()), f)
    }
}

impl NodeRef {
    /// Parses `name` or `KEY#I` (the syntax only; [`ParseContext::node`]
    /// also checks that the node can exist).
    pub fn parse(text: &str) -> Result<NodeRef, String> {
        let text = text.trim();
        let parsed = match text.rsplit_once('#') {
            Some((key, index)) => {
                if key.is_empty() {
                    return Err(format!("{text:?} has no key before '#'; write it like cart#1"));
                }
                let index: usize = index.parse().map_err(|_| {
                    format!("{text:?}: after '#' comes a position from 1, like cart#1 for the key's first replica")
                })?;
                if index == 0 {
                    return Err(format!(
                        "{text:?}: positions count from 1 (cart#1 is the key's first replica)"
                    ));
                }
                NodeRef::Nth {
                    key: key.to_string(),
                    index,
                }
            }
            None => NodeRef::Name(text.to_string()),
        };
        Ok(parsed)
    }

    /// Checks the reference against the nodes a scenario can have.
    pub fn check(&self, ctx: &ParseContext) -> Result<(), String> {
        match self {
            NodeRef::Name(name) if !ctx.nodes.iter().any(|n| n == name) => Err(format!(
                "unknown node {name:?}; the nodes are {}, or KEY#I for the I-th node from a key",
                list_names(&ctx.nodes)
            )),
            NodeRef::Nth { key, index } if *index > ctx.max_nodes => Err(format!(
                "{key}#{index} is beyond the cluster: it has {} nodes, so I runs from 1 to {}",
                ctx.max_nodes, ctx.max_nodes
            )),
            _ => Ok(()),
        }
    }

    /// The node this reference names now.
    pub fn resolve(&self, names: &Names, ring: &Ring) -> Result<NodeId, String> {
        match self {
            NodeRef::Name(name) => names.node_id(name).ok_or_else(|| format!("unknown node {name:?}")),
            NodeRef::Nth { key, index } => ring
                .nth(key, *index)
                .ok_or_else(|| format!("{key}#{index}: the ring has only {} nodes", ring.members().len())),
        }
    }
}

fn list_names(names: &[String]) -> String {
    if names.len() > 8 {
        format!("{}, ..., {}", names[..3].join(", "), names[names.len() - 1])
    } else {
        names.join(", ")
    }
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeRef::Name(n) => f.write_str(n),
            NodeRef::Nth { key, index } => write!(f, "{key}#{index}"),
        }
    }
}

impl Parse for NodeRef {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        let text = <super::text::Text as serde::Deserialize>::deserialize(d)?;
        cx.node(&text.0).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ParseContext {
        ParseContext::new(vec!["s1".into(), "s2".into(), "s3".into()], 3)
    }

    #[test]
    fn parses_names_and_positions() {
        assert_eq!(NodeRef::parse("s1"), Ok(NodeRef::Name("s1".into())));
        assert_eq!(
            NodeRef::parse("cart#2"),
            Ok(NodeRef::Nth {
                key: "cart".into(),
                index: 2
            })
        );
        assert_eq!(
            NodeRef::parse("a#b#1"),
            Ok(NodeRef::Nth {
                key: "a#b".into(),
                index: 1
            })
        );
        assert!(NodeRef::parse("cart#0").unwrap_err().contains("count from 1"));
        assert!(NodeRef::parse("cart#x").unwrap_err().contains("position from 1"));
        assert!(NodeRef::parse("#1").unwrap_err().contains("no key"));
    }

    #[test]
    fn context_catches_unknown_names_and_positions_past_the_ring() {
        let mut cx = ctx();
        assert!(
            cx.node("s9")
                .unwrap_err()
                .contains("unknown node \"s9\"; the nodes are s1, s2, s3")
        );
        assert!(cx.node("cart#4").unwrap_err().contains("I runs from 1 to 3"));
        assert!(cx.node("cart#3").is_ok());
        cx.register("s4");
        assert!(cx.node("s4").is_ok());
        assert!(cx.node("cart#4").is_ok());
        assert!(NodeRef::parse("s9").is_ok(), "the syntax alone knows no nodes");
    }
}
