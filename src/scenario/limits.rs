//! The limits a preset (and a step typed on the command line) is held to,
//! so that `ringside check` accepts only presets that run in bounded memory
//! and time. The [`super::plan::Plan`] counts a preset's steps against the
//! totals while it loads; each step checks its own bounds as it parses.

use crate::core::time::Dur;

/// The most steps (counting those inside `concurrently`) a preset may have.
pub const MAX_STEPS: usize = 10_000;
/// The most ring tokens a cluster may have: the sum of every node's tokens,
/// joined nodes included (1,024 nodes of 64, or 16 nodes of 4,096).
pub const MAX_TOKENS: usize = 65_536;
/// The most operations a preset's steps may issue: every key of every
/// `fill` and `scan`, and every `put` and `get`.
pub const MAX_OPERATIONS: u64 = 1_000_000;
/// The most bytes a preset's fills may write: the sum over fills of keys
/// times the value's length (each replica hashes what it stores).
pub const MAX_FILL_BYTES: u64 = 256 << 20;
/// The longest a preset may run in virtual time, with up to
/// [`SMALL_CLUSTER`] nodes.
pub const MAX_TIME: Dur = Dur::from_secs(24 * 3600);
/// Up to this many nodes, a preset may run [`MAX_TIME`]. A larger cluster
/// costs more per virtual second (every node gossips its list of every
/// node), so it may run `MAX_TIME * SMALL_CLUSTER² / nodes²`.
pub const SMALL_CLUSTER: u64 = 10;

/// The longest single wait (or slowdown) a step may ask for.
pub const MAX_WAIT: Dur = Dur::from_secs(3600);
/// The latest instant an `at:` step may name.
pub const MAX_RUN: Dur = Dur::from_secs(24 * 3600);
/// The most keys one fill or scan may touch.
pub const MAX_BULK: usize = 100_000;
