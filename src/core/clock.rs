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

/// The largest counter a preset or a command may write in a context: half
/// the counter's range, so that whatever a context claims, a node has 2^31
/// counters left above it (the core refuses a put whose counter would pass
/// `u32::MAX` instead of saturating or wrapping).
pub const MAX_CONTEXT_COUNTER: u32 = (1 << 31) - 1;

/// One entry of a clock: `counter` of `node`, or with `extra` the single
/// event `node:counter` (see [`VClock`]). Eight bytes, as a plain pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Entry {
    /// Sorts after every plain entry.
    extra: bool,
    node: NodeId,
    counter: u32,
}

/// A vector clock: counters per node, kept sorted by node id with no zero
/// entries. `{n1:3}` covers the events n1:1, n1:2 and n1:3.
///
/// A clock may also cover single events beyond its counters, its *extra
/// dots*: `{n1:1}+n1:3` covers n1:1 and n1:3 but not n1:2. Vector clocks
/// never have any; in dotted mode they let a context say exactly what its
/// client saw (as the dot cloud of Riak's dotted version vectors): the
/// reply to a put carries the put's context plus its new dot, and when
/// the dot does not follow the context's counter (another client's write
/// came between), folding it in would claim the write between. An extra
/// dot is folded into the counter as soon as the gap before it is covered,
/// so a clock is never longer than it must be, and two clocks covering the
/// same events are equal.
#[derive(Default, PartialEq, Eq, Hash)]
pub struct VClock {
    /// Three entries inline (32 bytes in all): a key's writers are its
    /// coordinators, nearly always among its N = 3 replicas. A clock with
    /// more entries moves to the heap. Plain entries first, by node; then
    /// extra dots, by node and counter, each above its node's counter + 1.
    entries: SmallVec<[Entry; 3]>,
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

impl fmt::Debug for VClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (n, c) in self.iter() {
            list.entry(&(n.0, c));
        }
        for (n, c) in self.extra_dots() {
            list.entry(&format_args!("+{}:{c}", n.0));
        }
        list.finish()
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

    /// True when the clock covers no event.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many nodes have a counter (extra dots not counted).
    pub fn len(&self) -> usize {
        self.plain_len()
    }

    fn plain_len(&self) -> usize {
        match self.entries.last() {
            Some(e) if e.extra => self.entries.partition_point(|e| !e.extra),
            _ => self.entries.len(),
        }
    }

    fn has_extras(&self) -> bool {
        self.entries.last().is_some_and(|e| e.extra)
    }

    fn find(&self, node: NodeId) -> Result<usize, usize> {
        self.entries.binary_search_by(|e| (e.extra, e.node).cmp(&(false, node)))
    }

    /// The counter of `node` (0 when absent): every event of `node` up to
    /// it is covered. Extra dots of `node` are above it (see [`VClock::top`]).
    pub fn get(&self, node: NodeId) -> u32 {
        match self.find(node) {
            Ok(i) => self.entries[i].counter,
            Err(_) => 0,
        }
    }

    /// The highest event of `node` the clock covers, extra dots included.
    pub fn top(&self, node: NodeId) -> u32 {
        let extra = self.extras_of(node).last().map_or(0, |e| e.counter);
        extra.max(self.get(node))
    }

    /// True when the clock covers the event `node:counter`.
    pub fn contains(&self, node: NodeId, counter: u32) -> bool {
        counter <= self.get(node)
            || (self.has_extras()
                && self
                    .entries
                    .binary_search(&Entry {
                        extra: true,
                        node,
                        counter,
                    })
                    .is_ok())
    }

    /// The extra dots of `node`, in counter order.
    fn extras_of(&self, node: NodeId) -> &[Entry] {
        if !self.has_extras() {
            return &[];
        }
        let lo = self.entries.partition_point(|e| (e.extra, e.node) < (true, node));
        let hi = self.entries.partition_point(|e| (e.extra, e.node) <= (true, node));
        &self.entries[lo..hi]
    }

    /// Sets the counter of `node`; 0 removes the entry. Extra dots of
    /// `node` it now covers are dropped, and those that follow it folded in.
    pub fn set(&mut self, node: NodeId, counter: u32) {
        match self.find(node) {
            Ok(i) if counter == 0 => {
                self.entries.remove(i);
            }
            Ok(i) => self.entries[i].counter = counter,
            Err(_) if counter == 0 => {}
            Err(i) => self.entries.insert(
                i,
                Entry {
                    extra: false,
                    node,
                    counter,
                },
            ),
        }
        if self.has_extras() {
            self.fold_extras(node);
        }
    }

    /// Covers the single event `node:counter` too: it raises the counter
    /// when it follows it, and is kept as an extra dot otherwise.
    pub fn add_dot(&mut self, node: NodeId, counter: u32) {
        let have = self.get(node);
        if counter <= have || self.contains(node, counter) {
            return;
        }
        if counter == have + 1 {
            self.set(node, counter);
            return;
        }
        let e = Entry {
            extra: true,
            node,
            counter,
        };
        let i = self.entries.binary_search(&e).unwrap_or_else(|i| i);
        self.entries.insert(i, e);
    }

    /// Drops the extra dots of `node` its counter covers and folds in those
    /// that follow it without a gap.
    fn fold_extras(&mut self, node: NodeId) {
        let mut have = self.get(node);
        let before = have;
        self.entries.retain(|e| {
            if !e.extra || e.node != node || e.counter > have.saturating_add(1) {
                return true;
            }
            have = have.max(e.counter);
            false
        });
        if have != before {
            // Not through `set`: the folded dots are gone already.
            match self.find(node) {
                Ok(i) => self.entries[i].counter = have,
                Err(i) => self.entries.insert(
                    i,
                    Entry {
                        extra: false,
                        node,
                        counter: have,
                    },
                ),
            }
        }
    }

    /// Counters in node order (extra dots not included: see [`VClock::extra_dots`]).
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, u32)> + '_ {
        self.entries[..self.plain_len()].iter().map(|e| (e.node, e.counter))
    }

    /// The extra dots, by node and counter.
    pub fn extra_dots(&self) -> impl Iterator<Item = (NodeId, u32)> + '_ {
        self.entries[self.plain_len()..].iter().map(|e| (e.node, e.counter))
    }

    /// A total order on clocks (counters first, then extra dots), for
    /// sorting versions canonically. Not causality: see [`VClock::compare`].
    pub fn canonical_cmp(&self, other: &VClock) -> Ordering {
        self.iter()
            .cmp(other.iter())
            .then_with(|| self.extra_dots().cmp(other.extra_dots()))
    }

    /// Compares two clocks by the events they cover.
    pub fn compare(&self, other: &VClock) -> Causality {
        if self.has_extras() || other.has_extras() {
            return match (self.covers(other), other.covers(self)) {
                (true, true) => Causality::Equal,
                (false, true) => Causality::Before,
                (true, false) => Causality::After,
                (false, false) => Causality::Concurrent,
            };
        }
        let (mut less, mut greater) = (false, false);
        let (mut i, mut j) = (0, 0);
        let (a, b) = (&self.entries, &other.entries);
        while i < a.len() || j < b.len() {
            let order = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.node.cmp(&y.node),
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
                    match a[i].counter.cmp(&b[j].counter) {
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

    /// True when every event `other` covers is covered here. A counter
    /// needs a counter at least as high: an extra dot is never the event
    /// right after its node's counter, so it cannot fill the gap.
    fn covers(&self, other: &VClock) -> bool {
        other.entries.iter().all(|e| {
            if e.extra {
                self.contains(e.node, e.counter)
            } else {
                self.get(e.node) >= e.counter
            }
        })
    }

    /// True when this clock has seen everything `other` has (after or equal).
    pub fn descends(&self, other: &VClock) -> bool {
        matches!(self.compare(other), Causality::After | Causality::Equal)
    }

    /// True when this clock has seen strictly more than `other`.
    pub fn dominates(&self, other: &VClock) -> bool {
        self.compare(other) == Causality::After
    }

    /// The smallest clock that descends from both: every event either covers.
    pub fn merge(&self, other: &VClock) -> VClock {
        let mut out = self.clone();
        out.merge_in(other);
        out
    }

    /// Merges `other` into this clock in place.
    pub fn merge_in(&mut self, other: &VClock) {
        for e in &other.entries {
            if e.extra {
                self.add_dot(e.node, e.counter);
            } else if e.counter > self.get(e.node) {
                self.set(e.node, e.counter);
            }
        }
    }

    /// Shows the clock as `{s1:2, s2:1}` with node names, extra dots after
    /// it: `{s1:1}+s1:3`.
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
        f.write_str("}")?;
        for (node, counter) in self.clock.extra_dots() {
            write!(f, "+{}:{}", self.names.node(node), counter)?;
        }
        Ok(())
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

    /// A set of events of three nodes, counters 1 to 6, with gaps.
    fn arb_events() -> impl Strategy<Value = std::collections::BTreeSet<(u16, u32)>> {
        proptest::collection::btree_set((0u16..3, 1u32..7), 0..10)
    }

    fn clock_of(events: &std::collections::BTreeSet<(u16, u32)>, reversed: bool) -> VClock {
        let mut c = VClock::new();
        let mut list: Vec<_> = events.iter().copied().collect();
        if reversed {
            list.reverse();
        }
        for (n, k) in list {
            c.add_dot(NodeId(n), k);
        }
        c
    }

    #[test]
    fn extra_dots_cover_single_events_and_fold_once_the_gap_closes() {
        let (n1, n2) = (NodeId(1), NodeId(2));
        let mut c = clock(&[(1, 1)]);
        c.add_dot(n1, 3);
        assert!(c.contains(n1, 1) && !c.contains(n1, 2) && c.contains(n1, 3));
        assert_eq!((c.get(n1), c.top(n1), c.len()), (1, 3, 1));
        assert!(!c.descends(&clock(&[(1, 2)])), "n1:2 is not covered");
        assert!(c.descends(&clock(&[(1, 1)])));
        assert_eq!(c.compare(&clock(&[(1, 3)])), Causality::Before);
        let names = Names::new(["s0", "s1", "s2"]);
        assert_eq!(c.display(&names).to_string(), "{s1:1}+s1:3");
        c.add_dot(n2, 2);
        assert_eq!(c.display(&names).to_string(), "{s1:1}+s1:3+s2:2");
        // n1:2 closes the gap: the clock is the plain {s1:3} again.
        c.add_dot(n1, 2);
        assert_eq!(c.display(&names).to_string(), "{s1:3}+s2:2");
        c.set(n2, 1);
        assert_eq!(c, clock(&[(1, 3), (2, 2)]));
        assert_eq!(c.extra_dots().count(), 0);
    }

    proptest! {
        #[test]
        fn a_clock_covers_exactly_its_events(a in arb_events(), b in arb_events()) {
            let (ca, cb) = (clock_of(&a, false), clock_of(&b, false));
            prop_assert_eq!(&ca, &clock_of(&a, true), "the same events, the same clock");
            for n in 0..3u16 {
                for k in 1..8u32 {
                    prop_assert_eq!(ca.contains(NodeId(n), k), a.contains(&(n, k)));
                }
            }
            // Compare is inclusion of the covered events, merge their union.
            let covered = |c: &VClock| -> std::collections::BTreeSet<(u16, u32)> {
                (0..3u16).flat_map(|n| (1..8u32).map(move |k| (n, k))).filter(|&(n, k)| c.contains(NodeId(n), k)).collect()
            };
            let (ea, eb) = (covered(&ca), covered(&cb));
            let expected = match (ea.is_subset(&eb), eb.is_subset(&ea)) {
                (true, true) => Causality::Equal,
                (true, false) => Causality::Before,
                (false, true) => Causality::After,
                (false, false) => Causality::Concurrent,
            };
            prop_assert_eq!(ca.compare(&cb), expected);
            let merged = ca.merge(&cb);
            prop_assert_eq!(covered(&merged), ea.union(&eb).copied().collect());
            prop_assert_eq!(merged, clock_of(&a.union(&b).copied().collect(), true));
        }

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
