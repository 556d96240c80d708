//! The staleness oracle: judges a get against the history of acknowledged
//! writes the metrics keep, never by asking the nodes.
//!
//! A get is fresh when one of the versions it returned is the latest write
//! of its key acknowledged before the get started, or descends from it.
//! Otherwise it is stale, and it is as far behind as the acknowledged
//! writes it missed (none of its versions is or descends from them): how
//! many, and how long the oldest of them had been acknowledged when the get
//! started. The history keeps the last [`WRITES_KEPT`] acknowledged writes
//! of up to [`KEYS_KEPT`] keys (a key past that is not judged), so memory
//! stays bounded however long a run is.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::core::clock::VClock;
use crate::core::time::{Dur, Time};
use crate::core::version::{Key, Version};

/// Acknowledged writes kept per key.
pub const WRITES_KEPT: usize = 32;
/// Keys whose history is kept.
pub const KEYS_KEPT: usize = 100_000;

/// How a get was judged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    /// No write of the key was acknowledged before the get started (or the
    /// key is past the history's bound): nothing to judge against.
    Unjudged,
    Fresh,
    Stale {
        /// Acknowledged writes the get missed.
        versions: usize,
        /// How long the oldest missed write had been acknowledged.
        behind: Dur,
    },
}

/// The acknowledged writes of every key.
#[derive(Clone, Debug, Default)]
pub struct WriteHistory {
    keys: FxHashMap<Key, VecDeque<(Time, VClock)>>,
}

impl WriteHistory {
    /// A put of `key` was acknowledged at `at` with this clock.
    pub fn acknowledged(&mut self, key: &Key, at: Time, clock: &VClock) {
        if !self.keys.contains_key(key) && self.keys.len() >= KEYS_KEPT {
            return;
        }
        let writes = self.keys.entry(key.clone()).or_default();
        if writes.len() >= WRITES_KEPT {
            writes.pop_front();
        }
        writes.push_back((at, clock.clone()));
    }

    /// Judges a get of `key` that started at `started` and returned `versions`.
    pub fn judge(&self, key: &Key, started: Time, versions: &[Version]) -> Verdict {
        let Some(writes) = self.keys.get(key) else {
            return Verdict::Unjudged;
        };
        let before: Vec<&(Time, VClock)> = writes.iter().filter(|(at, _)| *at < started).collect();
        let Some((_, latest)) = before.last() else {
            return Verdict::Unjudged;
        };
        let covers = |clock: &VClock| versions.iter().any(|v| v.clock.descends(clock));
        if covers(latest) {
            return Verdict::Fresh;
        }
        let missed: Vec<&&(Time, VClock)> = before.iter().filter(|(_, c)| !covers(c)).collect();
        let oldest = missed.first().map_or(started, |(at, _)| *at);
        Verdict::Stale {
            versions: missed.len(),
            behind: started - oldest,
        }
    }
}
