//! Dotted-mode bookkeeping: the counters a node draws its dots from, and the
//! context a reader hands its client.
//!
//! A context is a version vector with extra dots (see [`VClock`]):
//! `{n2:25}` claims that its holder has seen every dot of n2 for the key up
//! to 25, `{n2:22}+n2:24` that it saw those up to 22 and 24, not 23. That
//! claim is only true when a node's dots for a key have no gaps a reader
//! could miss. So each node numbers its dots per key, 1, 2, 3…, and never
//! forgets the last number (not even for a key it handed away and later
//! owns again), and a dot `n:c` joins a context's counter only once `n:c-1`
//! is covered; until then it is an extra dot. Both a read's context and a
//! put's reply (the put's context plus its new dot) are built that way, so
//! the client's next put keeps every write it never saw as a sibling
//! instead of silently discarding it.

use rustc_hash::FxHashMap;

use super::clock::VClock;
use super::version::{ClockMode, Key, Version, merged_clock};

/// The last dot a node issued for each key it ever coordinated a write of
/// in dotted mode. Part of the node's disk.
#[derive(Clone, Debug, Default)]
pub struct DotCounters {
    last: FxHashMap<Key, u32>,
}

impl DotCounters {
    /// The next dot for `key`: one past both the last one issued here and
    /// `known`, the highest of this node's counters seen in the key's
    /// versions or the writer's context. `None`, with nothing issued, when
    /// that would pass `u32::MAX`: a wrapped dot would look like one every
    /// context covers, and the write would be thrown away.
    pub fn next(&mut self, key: &Key, known: u32) -> Option<u32> {
        let last = self.last.entry(key.clone()).or_insert(0);
        *last = (*last).max(known).checked_add(1)?;
        Some(*last)
    }

    /// [`DotCounters::next`] as it was before issue 18: wraps to 0 at the
    /// top. Only for [`crate::core::config::PlantedDefect::SaturatingCounter`].
    #[doc(hidden)]
    pub fn next_wrapping(&mut self, key: &Key, known: u32) -> u32 {
        let last = self.last.entry(key.clone()).or_insert(0);
        *last = (*last).max(known).wrapping_add(1);
        *last
    }

    /// The last dot issued for `key`, 0 when none.
    pub fn last(&self, key: &str) -> u32 {
        self.last.get(key).copied().unwrap_or(0)
    }
}

/// The context a read gives its client for `versions`: the events of
/// their whole histories, exactly ([`merged_clock`]). A dot whose
/// predecessor is not covered stays an extra dot of the context rather than
/// being folded into its counter, which would claim the write between.
pub fn client_context<'a>(versions: impl IntoIterator<Item = &'a Version>, _mode: ClockMode) -> VClock {
    merged_clock(versions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::NodeId;
    use crate::core::version::Dot;

    fn dotted(value: &str, context: &[(u16, u32)], dot: (u16, u32)) -> Version {
        Version {
            dot: Some(Dot {
                node: NodeId(dot.0),
                counter: dot.1,
            }),
            ..Version::new(value, VClock::from_pairs(context.iter().map(|&(n, c)| (NodeId(n), c))))
        }
    }

    fn vc(pairs: &[(u16, u32)]) -> VClock {
        VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c)))
    }

    #[test]
    fn counters_run_per_key_without_gaps_and_never_go_back() {
        let mut dots = DotCounters::default();
        let (a, b): (Key, Key) = ("a".into(), "b".into());
        assert_eq!(dots.next(&a, 0), Some(1));
        assert_eq!(dots.next(&b, 0), Some(1), "another key starts its own run");
        assert_eq!(dots.next(&a, 0), Some(2));
        assert_eq!(dots.next(&a, 7), Some(8), "a counter seen elsewhere is passed");
        assert_eq!(dots.next(&a, 0), Some(9), "even when the key's versions are gone");
        assert_eq!(dots.last("a"), 9);
        assert_eq!(dots.last("c"), 0);
        assert_eq!(
            dots.next(&b, u32::MAX - 1),
            Some(u32::MAX),
            "the last counter is usable"
        );
        assert_eq!(dots.next(&b, 0), None, "past it nothing is issued");
        assert_eq!(dots.last("b"), u32::MAX);
    }

    #[test]
    fn a_dot_folds_only_after_the_one_before_it() {
        let d = ClockMode::Dotted;
        // n2:23 unseen: seeing n2:22 and n2:24 must not claim n2:23.
        let v22 = dotted("x", &[(1, 8)], (2, 22));
        let v24 = dotted("y", &[(2, 21)], (2, 24));
        let ctx = client_context([&v22, &v24], d);
        let mut expected = vc(&[(1, 8), (2, 22)]);
        expected.add_dot(NodeId(2), 24);
        assert_eq!(ctx, expected);
        assert!(!ctx.contains(NodeId(2), 23));
        // With n2:23 seen, the chain folds whatever order it came in.
        let v23 = dotted("z", &[(2, 21)], (2, 23));
        let ctx = client_context([&v24, &v23, &v22], d);
        assert_eq!(ctx, vc(&[(1, 8), (2, 24)]));
        // A context that covers the gap lets the dot fold.
        let w = dotted("w", &[(2, 23)], (3, 1));
        assert_eq!(client_context([&v24, &w], d), vc(&[(2, 24), (3, 1)]));
    }

    #[test]
    fn other_modes_merge_whole_clocks() {
        let v = Version::new("CART", vc(&[(0, 2), (1, 5)]));
        assert_eq!(client_context([&v], ClockMode::Vector), vc(&[(0, 2), (1, 5)]));
    }
}
