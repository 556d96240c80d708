//! Naming nodes in scenarios: `s1`, or `cart#2` for "the second distinct
//! node clockwise from cart's position".
//!
//! `KEY#I` lets a preset talk about roles (the coordinator of a key, its
//! replicas, the first node past them) without knowing where the hash puts
//! the key. A reference is checked, where it stands in the file, against the
//! [`super::parse_context::ParseContext`] that the parser is handed.

use std::fmt;

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

impl NodeRef {
    /// Parses `name` or `KEY#I` (the syntax only;
    /// [`super::parse_context::ParseContext::node`] also checks that the
    /// node can exist).
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

    /// The name it gives, when it names a node (not `KEY#I`).
    pub fn name(&self) -> Option<&str> {
        match self {
            NodeRef::Name(n) => Some(n),
            NodeRef::Nth { .. } => None,
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

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeRef::Name(n) => f.write_str(n),
            NodeRef::Nth { key, index } => write!(f, "{key}#{index}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
