//! Vector clocks: the causal history of a version as (node, counter) pairs.
//!
//! Dynamo tags every version with the clock of the coordinator that wrote it.
//! Comparing two clocks tells whether one version descends from the other
//! (the older can be thrown away) or whether they are concurrent (both must be
//! kept as siblings until a client reconciles them).

use std::cmp::Ordering;
use std::fmt;

use smallvec::SmallVec;

use super::ids::{Names, NodeId};

/// How two clocks relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Causality {
    /// The same history.
    Equal,
    /// The left clock happened before the right one (the right one descends from it).
    Before,
    /// The left clock descends from the right one.
    After,
    /// Neither descends from the other: concurrent writes.
    Concurrent,
}

/// A vector clock: counters per node, kept sorted by node id with no zero entries.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct VClock {
    /// Three entries inline (32 bytes in all): a key's writers are its
    /// coordinators, nearly always among its N = 3 replicas. A clock with
    /// more entries moves to the heap.
    entries: SmallVec<[(NodeId, u32); 3]>,
}

impl Clone for VClock {
    /// One copy of the entries (they are plain data), where SmallVec's own
    /// clone would push them one by one: clocks are cloned on every write.
    fn clone(&self) -> Self {
        VClock {
            entries: SmallVec::from_slice(&self.entries),
        }
    }
}

impl VClock {
    pub fn new() -> Self {
        VClock::default()
    }

    /// Builds a clock from (node, counter) pairs in any order; zero counters are dropped
    /// and a node named twice keeps its highest counter.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (NodeId, u32)>) -> Self {
        let mut clock = VClock::new();
        for (node, counter) in pairs {
            if counter > clock.get(node) {
                clock.set(node, counter);
            }
        }
        clock
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The counter of `node` (0 when absent).
    pub fn get(&self, node: NodeId) -> u32 {
        match self.entries.binary_search_by_key(&node, |e| e.0) {
            Ok(i) => self.entries[i].1,
            Err(_) => 0,
        }
    }

    /// Sets the counter of `node`; 0 removes the entry.
    pub fn set(&mut self, node: NodeId, counter: u32) {
        match self.entries.binary_search_by_key(&node, |e| e.0) {
            Ok(i) if counter == 0 => {
                self.entries.remove(i);
            }
            Ok(i) => self.entries[i].1 = counter,
            Err(_) if counter == 0 => {}
            Err(i) => self.entries.insert(i, (node, counter)),
        }
    }

    /// Entries in node order.
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, u32)> + '_ {
        self.entries.iter().copied()
    }

    /// Compares two clocks entry by entry.
    pub fn compare(&self, other: &VClock) -> Causality {
        let (mut less, mut greater) = (false, false);
        let (mut i, mut j) = (0, 0);
        let (a, b) = (&self.entries, &other.entries);
        while i < a.len() || j < b.len() {
            let order = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.0.cmp(&y.0),
                (Some(_), None) => Ordering::Less,
                (None, _) => Ordering::Greater,
            };
            match order {
                // Only self has this node: self is ahead on it.
                Ordering::Less => {
                    greater = true;
                    i += 1;
                }
                // Only other has this node.
                Ordering::Greater => {
                    less = true;
                    j += 1;
                }
                Ordering::Equal => {
                    match a[i].1.cmp(&b[j].1) {
                        Ordering::Less => less = true,
                        Ordering::Greater => greater = true,
                        Ordering::Equal => {}
                    }
                    i += 1;
                    j += 1;
                }
            }
            if less && greater {
                return Causality::Concurrent;
            }
        }
        match (less, greater) {
            (false, false) => Causality::Equal,
            (true, false) => Causality::Before,
            (false, true) => Causality::After,
            (true, true) => Causality::Concurrent,
        }
    }

    /// True when this clock has seen everything `other` has (after or equal).
    pub fn descends(&self, other: &VClock) -> bool {
        matches!(self.compare(other), Causality::After | Causality::Equal)
    }

    /// True when this clock has seen strictly more than `other`.
    pub fn dominates(&self, other: &VClock) -> bool {
        self.compare(other) == Causality::After
    }

    /// The entry-wise maximum of both clocks: the smallest clock that descends from both.
    pub fn merge(&self, other: &VClock) -> VClock {
        let mut out = self.clone();
        out.merge_in(other);
        out
    }

    /// Merges `other` into this clock in place.
    pub fn merge_in(&mut self, other: &VClock) {
        for &(node, counter) in &other.entries {
            if counter > self.get(node) {
                self.set(node, counter);
            }
        }
    }

    /// Shows the clock as `{s1:2, s2:1}` with node names.
    pub fn display<'a>(&'a self, names: &'a Names) -> ClockDisplay<'a> {
        ClockDisplay { clock: self, names }
    }
}

/// [`VClock`] shown with node names, entries in node order.
pub struct ClockDisplay<'a> {
    clock: &'a VClock,
    names: &'a Names,
}

impl fmt::Display for ClockDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (node, counter)) in self.clock.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}:{}", self.names.node(node), counter)?;
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn clock(pairs: &[(u16, u32)]) -> VClock {
        VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c)))
    }

    /// The Dynamo paper's Figure 3, with Sx, Sy, Sz as nodes 0, 1, 2.
    #[test]
    fn dynamo_figure_3() {
        let d1 = clock(&[(0, 1)]);
        let d2 = clock(&[(0, 2)]);
        let d3 = clock(&[(0, 2), (1, 1)]);
        let d4 = clock(&[(0, 2), (2, 1)]);
        assert_eq!(d2.compare(&d1), Causality::After);
        assert_eq!(d3.compare(&d2), Causality::After);
        assert_eq!(d4.compare(&d2), Causality::After);
        assert_eq!(d3.compare(&d4), Causality::Concurrent);
        let merged = d3.merge(&d4);
        assert_eq!(merged, clock(&[(0, 2), (1, 1), (2, 1)]));
        let mut d5 = merged.clone();
        d5.set(NodeId(0), 3);
        assert_eq!(d5, clock(&[(0, 3), (1, 1), (2, 1)]));
        assert!(d5.dominates(&d3));
        assert!(d5.dominates(&d4));
        let names = Names::new(["Sx", "Sy", "Sz"]);
        assert_eq!(d5.display(&names).to_string(), "{Sx:3, Sy:1, Sz:1}");
    }

    #[test]
    fn empty_clock_is_before_everything() {
        assert_eq!(VClock::new().compare(&VClock::new()), Causality::Equal);
        assert_eq!(VClock::new().compare(&clock(&[(3, 1)])), Causality::Before);
        assert_eq!(clock(&[(3, 1)]).compare(&VClock::new()), Causality::After);
    }

    #[test]
    fn set_keeps_entries_sorted_and_drops_zeroes() {
        let mut c = VClock::new();
        c.set(NodeId(5), 1);
        c.set(NodeId(1), 2);
        c.set(NodeId(3), 1);
        assert_eq!(c.iter().map(|e| e.0.0).collect::<Vec<_>>(), vec![1, 3, 5]);
        c.set(NodeId(3), 0);
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(NodeId(3)), 0);
    }

    fn arb_clock() -> impl Strategy<Value = VClock> {
        proptest::collection::vec((0u16..6, 0u32..4), 0..6)
            .prop_map(|pairs| VClock::from_pairs(pairs.into_iter().map(|(n, c)| (NodeId(n), c))))
    }

    fn flip(c: Causality) -> Causality {
        match c {
            Causality::Before => Causality::After,
            Causality::After => Causality::Before,
            other => other,
        }
    }

    proptest! {
        #[test]
        fn compare_is_antisymmetric(a in arb_clock(), b in arb_clock()) {
            prop_assert_eq!(a.compare(&b), flip(b.compare(&a)));
            prop_assert_eq!(a.compare(&b) == Causality::Equal, a == b);
        }

        #[test]
        fn merge_is_commutative(a in arb_clock(), b in arb_clock()) {
            prop_assert_eq!(a.merge(&b), b.merge(&a));
        }

        #[test]
        fn merge_is_associative(a in arb_clock(), b in arb_clock(), c in arb_clock()) {
            prop_assert_eq!(a.merge(&b).merge(&c), a.merge(&b.merge(&c)));
        }

        #[test]
        fn merge_is_idempotent(a in arb_clock()) {
            prop_assert_eq!(a.merge(&a), a.clone());
        }

        #[test]
        fn merge_descends_from_both(a in arb_clock(), b in arb_clock()) {
            let m = a.merge(&b);
            prop_assert!(m.descends(&a));
            prop_assert!(m.descends(&b));
            // ... and is the least such clock: every entry comes from a or b.
            for (node, counter) in m.iter() {
                prop_assert_eq!(counter, a.get(node).max(b.get(node)));
            }
        }

        #[test]
        fn compare_agrees_with_entries(a in arb_clock(), b in arb_clock()) {
            let le = (0..6).all(|n| a.get(NodeId(n)) <= b.get(NodeId(n)));
            let ge = (0..6).all(|n| a.get(NodeId(n)) >= b.get(NodeId(n)));
            let expected = match (le, ge) {
                (true, true) => Causality::Equal,
                (true, false) => Causality::Before,
                (false, true) => Causality::After,
                (false, false) => Causality::Concurrent,
            };
            prop_assert_eq!(a.compare(&b), expected);
        }
    }
}
