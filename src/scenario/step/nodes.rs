//! The nodes a step names: read from the command line, written back to
//! words and YAML, and resolved on the live cluster when the step starts.

use super::words::{self, Word};
use super::yaml;
use crate::engine::Engine;
use crate::scenario::noderef::NodeRef;
use crate::scenario::parse_context::ParseContext;

/// The one node a command names.
pub(super) fn one_node(rest: &[Word], cx: &ParseContext, usage: &str) -> Result<NodeRef, String> {
    match rest {
        [n] => cx.node(&n.text),
        _ => Err(format!(
            "{} needs one node; usage: {usage}",
            usage.split(' ').next().unwrap_or("")
        )),
    }
}

/// A node reference as a command line writes it.
pub(super) fn node_word(n: &NodeRef) -> String {
    words::quote(&n.to_string())
}

/// A node reference as YAML writes it.
pub(super) fn node_yaml(n: &NodeRef) -> String {
    yaml::text(&n.to_string())
}

/// Resolves a node reference on the live cluster.
pub(super) fn resolve(engine: &Engine, node: &NodeRef) -> Result<crate::core::ids::NodeId, String> {
    node.resolve(engine.names(), engine.ring())
}
