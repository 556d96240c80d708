//! The checker's own comparisons of clocks, dots and stamps, written apart
//! from the code under test ([`crate::core::clock`], `Version::supersedes`)
//! so that a defect there cannot hide itself from the checker.
//!
//! A clock is read only through its lists of `(node, counter)` entries and
//! extra dots: an entry `n: c` covers the events `n:1 ..= n:c`, an extra dot
//! `n:c` that one event alone (a dotted context that saw `n:3` but not
//! `n:2`). [`History::of`] is the one place that reads them.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::clock::VClock;
use crate::core::ids::NodeId;
use crate::core::version::{ClockMode, Version};

/// A causal history as the checker sees it: per node, every event up to a
/// counter, and single events beyond it. Kept normal (an event that follows
/// a counter is folded into it), so equal histories compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    counters: BTreeMap<NodeId, u32>,
    extra: BTreeSet<(NodeId, u32)>,
}

impl History {
    /// The history a clock claims.
    pub fn of(clock: &VClock) -> History {
        let mut h = History::default();
        for (n, c) in clock.iter() {
            h.add(n, c);
        }
        for (n, c) in clock.extra_dots() {
            h.add_event(n, c);
        }
        h
    }

    /// A version's whole history: its clock, and its dot (that one event)
    /// when it has one.
    pub fn of_version(v: &Version) -> History {
        let mut h = History::of(&v.clock);
        if let Some(d) = v.dot {
            h.add_event(d.node, d.counter);
        }
        h
    }

    /// Covers `node`'s events up to `counter` too.
    pub fn add(&mut self, node: NodeId, counter: u32) {
        if counter > self.get(node) {
            self.counters.insert(node, counter);
            self.normalise(node);
        }
    }

    /// Covers the single event `node:counter` too.
    pub fn add_event(&mut self, node: NodeId, counter: u32) {
        if counter > self.get(node) {
            self.extra.insert((node, counter));
            self.normalise(node);
        }
    }

    /// Folds the extra events of `node` that follow its counter into it and
    /// drops those below it.
    fn normalise(&mut self, node: NodeId) {
        let mut top = self.get(node);
        let mine: Vec<u32> = self.extra.range((node, 0)..=(node, u32::MAX)).map(|e| e.1).collect();
        for c in mine {
            if c <= top + 1 {
                self.extra.remove(&(node, c));
                top = top.max(c);
            }
        }
        if top > 0 {
            self.counters.insert(node, top);
        }
    }

    /// Forgets every event of `node`.
    pub fn remove(&mut self, node: NodeId) {
        self.counters.remove(&node);
        self.extra.retain(|e| e.0 != node);
    }

    /// The counter of `node`: every event of `node` up to it is covered.
    pub fn get(&self, node: NodeId) -> u32 {
        self.counters.get(&node).copied().unwrap_or(0)
    }

    /// The highest event of `node` covered, single events included (0: none).
    pub fn top(&self, node: NodeId) -> u32 {
        let extra = self
            .extra
            .range((node, 0)..=(node, u32::MAX))
            .next_back()
            .map_or(0, |e| e.1);
        extra.max(self.get(node))
    }

    /// Each node it covers an event of, with the highest such event.
    pub fn events(&self) -> impl Iterator<Item = (NodeId, u32)> + '_ {
        let nodes: BTreeSet<NodeId> = self
            .counters
            .keys()
            .copied()
            .chain(self.extra.iter().map(|e| e.0))
            .collect();
        nodes.into_iter().map(|n| (n, self.top(n)))
    }

    /// True when the event `node:counter` is covered.
    pub fn contains(&self, node: NodeId, counter: u32) -> bool {
        counter <= self.get(node) || self.extra.contains(&(node, counter))
    }

    /// True when this history holds every event of `other`.
    pub fn covers(&self, other: &History) -> bool {
        other.counters.iter().all(|(n, c)| self.get(*n) >= *c) && other.extra.iter().all(|&(n, c)| self.contains(n, c))
    }

    /// True when this history holds every event of `other` and more.
    pub fn strictly_covers(&self, other: &History) -> bool {
        self.covers(other) && self != other
    }
}

/// True when `a` makes `b` obsolete, by the rules the README states for
/// each mode: a vector clock that descends the other's; a dotted version
/// whose context (or dot) holds the other's dot; under last-write-wins the
/// later stamp (see [`lww_wins`]).
pub fn supersedes(a: &Version, b: &Version, mode: ClockMode) -> bool {
    match mode {
        ClockMode::Lww => !lww_wins(b, a),
        ClockMode::Dotted => match b.dot {
            Some(d) => a.dot == Some(d) || History::of(&a.clock).contains(d.node, d.counter),
            None => History::of_version(a).covers(&History::of(&b.clock)),
        },
        ClockMode::Vector | ClockMode::BrokenVector => History::of_version(a).covers(&History::of_version(b)),
    }
}

/// True when `a` beats `b` under last-write-wins as the README states it:
/// the later write (virtual microseconds), the higher node id breaking a
/// tie. Versions equal on both are not ordered here: any further
/// tie-breaker is the code's, and the convergence check holds it to
/// choosing the same winner on every replica.
pub fn lww_wins(a: &Version, b: &Version) -> bool {
    (a.stamp.micros, a.stamp.node) > (b.stamp.micros, b.stamp.node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::version::{Dot, Stamp};

    fn clock(pairs: &[(u16, u32)]) -> VClock {
        VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c)))
    }

    fn v(pairs: &[(u16, u32)]) -> Version {
        Version::new("x", clock(pairs))
    }

    fn dotted(context: &[(u16, u32)], dot: (u16, u32)) -> Version {
        Version {
            dot: Some(Dot {
                node: NodeId(dot.0),
                counter: dot.1,
            }),
            ..v(context)
        }
    }

    #[test]
    fn vector_histories_compare_entry_by_entry() {
        let (a, b, c) = (v(&[(0, 2), (1, 1)]), v(&[(0, 1)]), v(&[(1, 2)]));
        let m = ClockMode::Vector;
        assert!(supersedes(&a, &b, m) && !supersedes(&b, &a, m));
        assert!(!supersedes(&a, &c, m) && !supersedes(&c, &a, m), "concurrent");
        assert!(supersedes(&a, &a, m), "equal histories");
        let h = History::of(&clock(&[(0, 2), (1, 1)]));
        assert!(h.strictly_covers(&History::of(&clock(&[(0, 2)]))));
        assert!(!h.strictly_covers(&h.clone()));
    }

    #[test]
    fn a_dotted_version_is_obsolete_only_when_its_dot_is_held() {
        let m = ClockMode::Dotted;
        // Two writes through n0 from the context {n0:1}: dots n0:2 and n0:3.
        let milk = dotted(&[(0, 1)], (0, 2));
        let eggs = dotted(&[(0, 1)], (0, 3));
        assert!(!supersedes(&eggs, &milk, m) && !supersedes(&milk, &eggs, m));
        let both = dotted(&[(0, 3)], (0, 4));
        assert!(supersedes(&both, &milk, m) && supersedes(&both, &eggs, m));
    }

    #[test]
    fn last_write_wins_orders_by_time_then_node() {
        let at = |micros, node| Version {
            stamp: Stamp::new(micros, NodeId(node), None),
            ..v(&[(node, 1)])
        };
        assert!(lww_wins(&at(20, 0), &at(10, 5)));
        assert!(lww_wins(&at(20, 2), &at(20, 1)));
        assert!(!lww_wins(&at(20, 1), &at(20, 1)));
        assert!(supersedes(&at(20, 1), &at(20, 1), ClockMode::Lww), "a tie is not a win");
    }
}
