//! ringside: a Dynamo-style key-value cluster that runs inside one process,
//! on a simulated network you can watch, break and repair.
//!
//! Layers, each depending only on those before it:
//! - [`core`]: the pure protocol (ring, clocks, storage, node and client state machines);
//! - [`engine`]: node tasks, the simulated network and virtual time;
//! - [`scenario`]: presets, the step vocabulary and the headless runner;
//! - [`history`] and [`export`]: what a run's trace shows, read from the
//!   trace alone (the version graph of a key; ShiViz, Mermaid and SVG
//!   space-time diagrams);
//! - [`tui`]: the live playground.

pub mod bench;
pub mod chaos;
pub mod cli;
pub mod core;
pub mod engine;
pub mod export;
pub mod history;
pub mod scenario;
pub mod tui;
