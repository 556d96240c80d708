//! The history view's model: the version graph of every key the trace
//! has shown (see [`crate::history`], the builder `ringside history` uses),
//! fed event by event, with the versions the replicas and stand-ins hold
//! now for the key the inspector has selected.
//!
//! Bounded: at most [`KEYS_CAP`] keys and [`VERSIONS_CAP`] versions a key
//! (the graph's ancestry grows with the square of its versions); a history
//! that reaches the cap stops there and says so.

use rustc_hash::FxHashMap;

use crate::core::trace::{Event, TraceEvent};
use crate::core::version::Key;
use crate::history::History;

use super::hint_book::HintBook;
use super::inspector::{Inspector, KEYS_CAP};
use super::mirror::Mirror;

/// Versions kept a key.
pub const VERSIONS_CAP: usize = 200;

/// Every key's version history.
#[derive(Clone, Debug, Default)]
pub struct HistoryModel {
    histories: FxHashMap<Key, KeyHistory>,
}

/// One key's history, and whether it reached [`VERSIONS_CAP`].
#[derive(Clone, Debug)]
pub struct KeyHistory {
    pub graph: History,
    pub full: bool,
}

/// The key an event that the history builder reads is about.
fn key_of(event: &Event) -> Option<&Key> {
    match event {
        Event::Stored { key, .. }
        | Event::HintStored { key, .. }
        | Event::Overwritten { key, .. }
        | Event::Shadowed { key, .. }
        | Event::OpFinished { key, .. } => Some(key),
        _ => None,
    }
}

impl HistoryModel {
    /// The history of `key`, if the trace showed any version of it.
    pub fn of(&self, key: &str) -> Option<&KeyHistory> {
        self.histories.get(key).filter(|h| !h.graph.versions.is_empty())
    }

    /// Records who holds `key`'s versions now: the replicas as the
    /// inspector last saw them, and the stand-ins' hints.
    pub fn hold(&mut self, key: &Key, inspector: &Inspector, hints: &HintBook) {
        let Some(h) = self.histories.get_mut(key) else {
            return;
        };
        let replicas = inspector
            .rows()
            .iter()
            .flat_map(|r| r.versions.iter().map(move |v| (r.node, false, v.clone())));
        let kept = hints
            .for_key(key)
            .flat_map(|(node, hint)| hint.versions.iter().map(move |v| (node, true, v.clone())));
        h.graph.set_holders(replicas.chain(kept));
    }
}

impl Mirror for HistoryModel {
    fn observe_traced(&mut self, ev: &TraceEvent) {
        let Some(key) = key_of(&ev.event) else {
            return;
        };
        if !self.histories.contains_key(key) {
            if self.histories.len() >= KEYS_CAP {
                return;
            }
            self.histories.insert(
                key.clone(),
                KeyHistory {
                    graph: History::new(key.clone()),
                    full: false,
                },
            );
        }
        let h = self.histories.get_mut(key).expect("inserted above");
        if h.graph.versions.len() >= VERSIONS_CAP {
            h.full = true;
            return;
        }
        h.graph.observe(ev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::VClock;
    use crate::core::ids::NodeId;
    use crate::core::time::Time;
    use crate::core::trace::StoreCause;
    use crate::core::version::{Stamp, Version};

    fn stored(key: &str, n: u32) -> TraceEvent {
        let mut version = Version::new("x", VClock::from_pairs([(NodeId(0), n)]));
        // Its client had seen the one before.
        version.stamp = Stamp::new(0, NodeId(0), Some(n - 1));
        TraceEvent {
            at: Time(n as u64),
            event: Event::Stored {
                node: NodeId(0),
                key: Key::from(key),
                version: Box::new(version),
                siblings: 1,
                cause: StoreCause::Write,
            },
        }
    }

    #[test]
    fn each_key_has_its_own_graph_built_as_ringside_history_builds_it() {
        let mut m = HistoryModel::default();
        let trace = [stored("cart", 1), stored("other", 1), stored("cart", 2)];
        for ev in &trace {
            m.observe_traced(ev);
        }
        let cart = &m.of("cart").unwrap().graph;
        let built = History::from_trace("cart", &trace);
        assert_eq!(cart.versions, built.versions);
        assert_eq!(cart.versions[1].parents, vec![0]);
        assert_eq!(m.of("other").unwrap().graph.versions.len(), 1);
        assert!(m.of("none").is_none());
    }

    #[test]
    fn a_history_stops_at_the_cap_and_says_so() {
        let mut m = HistoryModel::default();
        for n in 1..=VERSIONS_CAP as u32 + 10 {
            m.observe_traced(&stored("cart", n));
        }
        let h = m.of("cart").unwrap();
        assert_eq!(h.graph.versions.len(), VERSIONS_CAP);
        assert!(h.full);
    }
}
