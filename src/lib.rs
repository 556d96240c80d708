//! ringside: a Dynamo-style key-value cluster that runs inside one process,
//! on a simulated network you can watch, break and repair.
//!
//! # Layout
//!
//! Dependencies point one way: `core` ← `engine` ← `scenario` / `chaos` /
//! `history` / `export` / `lab` ← `tui` / `bench` / `cli`. No file imports another
//! that imports it back (`tests/import_cycles.rs` checks), a parent `mod.rs`
//! and its children included: what the children of a directory share lives
//! in a leaf file of its own, which they import directly, and the `mod.rs`
//! holds module declarations, re-exports and what no child needs.
//!
//! - [`core`]: the pure protocol, plain Rust with no tokio, clock or I/O.
//!   Every input is a `handle_*` with the virtual time, every output an effect
//!   as data ([`core::outbox`]). `ring` and `ring_views` (consistent hashing
//!   and the rings nodes share), `clock`, `dots` and `version` (vector clocks,
//!   dotted versions, siblings, how versions are told apart), `store`,
//!   `hints`, `merkle` (a replica's data), `membership`, `phi` and
//!   `deadlines` (gossip and failure detection), `message` (what nodes and
//!   clients send), `client` (the client state machine), `node/` (the node
//!   state machine: one file per duty: routing, coordinating a put or get,
//!   storing, replica answers, hinted handoff, transfers on join and leave,
//!   anti-entropy, gossip; and what they share: `machine` (the `Node` and
//!   its `handle_*` entry points), `timer`, `disk`, `pending` (work under
//!   way), `forest` (its Merkle trees)), `notice` (what the engine must act on), `trace`
//!   (the one event type every reader reads) and `config`.
//! - [`engine`]: runs the core: one tokio task per node (`node_task`), the
//!   simulated network where every fault a message meets is decided
//!   (`network`), virtual time (`calendar`, `queue`, `local_timers`), the
//!   cluster's lifecycle (`cluster`, `run`, with `scheduled` what waits on
//!   the clock and `scratch` a window's buffers) and the trace buffer. The same
//!   engine serves the playground, the runner, chaos, benchmarks and tests.
//! - [`scenario`]: presets and the one step vocabulary. `step/` holds one file
//!   per action (its words, its YAML, its help line and how it starts on an
//!   engine), what they share (`kind`: the `Step` and `StepKind` types;
//!   `info`, `client`, `quorum`, `nodes`) and the table every list of
//!   actions is read from; `load`,
//!   `plan` and `limits` read and bound a preset; `expect` and `check` are
//!   its self-checks; `director` and `step_run` play steps; `headless` runs a
//!   preset without a screen; `session` records a playground session as a
//!   preset; `command` is the playground's command line.
//! - [`chaos`]: seeded random workloads and faults, drawn as steps (`driver`),
//!   what each seed did (`record`, `made`) and the checker that judges it
//!   (`checks`, `history`, `oracle`); failing seeds become replays (`replay`).
//! - [`history`]: the version graph of a key, read from a trace.
//! - [`export`]: ShiViz, Mermaid and SVG space-time diagrams of a trace.
//! - [`tui`]: the playground. `app` holds the session; `models` and the
//!   mirrors beside it keep what the panes draw; `ui/` draws, each pane
//!   taking only the model it draws; `input`, `keymap` and `commands` turn
//!   keys and command lines into actions; `playback`, `tour` and
//!   `time_travel` play the scenario, follow the user and rewind.
//! - [`lab`]: `ringside lab`, experiments measured on the engine beside what
//!   theory predicts (`theory/`), one file per experiment.
//! - [`bench`]: `ringside bench`, the figures behind the README's targets,
//!   and the closed-loop workload that drives the engine through its one hook.
//! - [`cli`]: the command line of the one binary.

pub mod bench;
pub mod chaos;
pub mod cli;
pub mod core;
pub mod engine;
pub mod export;
pub mod history;
pub mod lab;
pub mod metrics;
pub mod scenario;
pub mod tui;
