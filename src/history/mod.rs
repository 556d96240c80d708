//! The version history of a key: every version ever written, how each
//! descends from the others, and what became of it (`ringside history`).
//!
//! Built from a run's trace alone (see [`graph`]); [`render`] prints it.

pub mod graph;
pub mod render;

pub use graph::{History, HistoryVersion, Holder, Mark};
