//! The quorums a step asks for (w, pw, r, pr and a bulk step's quorum):
//! checked when the step is read, and again against the live cluster's N
//! when it starts.

use super::words;
use crate::engine::Engine;

/// A quorum a step asks for: at least 1, at most any cluster's nodes.
pub(super) fn quorum(name: &str, q: Option<usize>) -> Result<Option<usize>, String> {
    match q {
        Some(0) => Err(format!("{name} must be at least 1")),
        Some(q) if q > crate::core::config::MAX_NODES => Err(format!("{name}={q} is more than any cluster has nodes")),
        other => Ok(other),
    }
}

/// A quorum typed on the command line.
pub(super) fn typed_quorum(name: &str, text: Option<String>) -> Result<Option<usize>, String> {
    quorum(name, text.map(|t| words::number(name, &t)).transpose()?)
}

/// Refuses a quorum above the live cluster's N.
pub(super) fn check_live_quorum(name: &str, q: Option<usize>, engine: &Engine) -> Result<(), String> {
    match q {
        Some(q) if q > engine.settings().replicas => Err(format!(
            "{name}={q} is more than N={}; a quorum must be between 1 and N",
            engine.settings().replicas
        )),
        _ => Ok(()),
    }
}
