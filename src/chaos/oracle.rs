//! The checker's own comparisons of clocks, dots and stamps, written apart
//! from the code under test ([`crate::core::clock`], `Version::supersedes`)
//! so that a defect there cannot hide itself from the checker.
//!
//! A clock is read only through its list of `(node, counter)` entries, and
//! every entry `n: c` is taken to cover the events `n:1 ..= n:c`. If clocks
//! ever carry single events beyond their counters (dotted contexts with
//! gaps), [`History::of`] is the one place that must learn to read them.

use std::collections::BTreeMap;

use crate::core::clock::VClock;
use crate::core::config::ClockMode;
use crate::core::ids::NodeId;
use crate::core::version::Version;

/// A causal history as the checker sees it: the highest counter covered per
/// node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History(BTreeMap<NodeId, u32>);

impl History {
    /// The history a clock claims.
    pub fn of(clock: &VClock) -> History {
        let mut h = History::default();
        for (n, c) in clock.iter() {
            h.add(n, c);
        }
        h
    }

    /// A version's whole history: its clock, and its dot when it has one.
    pub fn of_version(v: &Version) -> History {
        let mut h = History::of(&v.clock);
        if let Some(d) = v.dot {
            h.add(d.node, d.counter);
        }
        h
    }

    /// Covers `node`'s events up to `counter` too.
    pub fn add(&mut self, node: NodeId, counter: u32) {
        if counter > 0 {
            let e = self.0.entry(node).or_insert(0);
            *e = (*e).max(counter);
        }
    }

    /// Forgets every event of `node`.
    pub fn remove(&mut self, node: NodeId) {
        self.0.remove(&node);
    }

    /// The highest counter of `node` covered (0: none).
    pub fn get(&self, node: NodeId) -> u32 {
        self.0.get(&node).copied().unwrap_or(0)
    }

    /// True when this history holds every event of `other`.
    pub fn covers(&self, other: &History) -> bool {
        other.0.iter().all(|(n, c)| self.get(*n) >= *c)
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
            Some(d) => a.dot == Some(d) || History::of(&a.clock).get(d.node) >= d.counter,
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
