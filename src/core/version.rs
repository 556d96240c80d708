//! Versions: a value tagged with where it came from, and the rules for which
//! versions survive when several meet.
//!
//! Every version carries three kinds of history so that the cluster can
//! switch clock modes (see [`ClockMode`]) at run time:
//! - `clock`: in vector mode the version's vector clock; in dotted mode the
//!   causal context its writer had seen (its own dot excluded);
//! - `dot`: in dotted mode, the event (node, counter) that created it;
//! - `stamp`: when it was written and by which node, for last-write-wins.

use std::fmt;
use std::sync::Arc;

use smallvec::SmallVec;

use super::clock::VClock;
use super::ids::{Names, NodeId};

/// How versions are told apart and which survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClockMode {
    /// Vector clocks with server ids (Dynamo, the seed notes): a version
    /// descends from another when its clock does. Two writes through the same
    /// coordinator from the same context cannot be told apart: the later one
    /// overwrites the earlier.
    Vector,
    /// Dotted version vectors (Riak 2.0): each version carries the event that
    /// made it (its dot) and the context its writer had seen. A version is
    /// obsolete only when another's context covers its dot, so concurrent
    /// writes through one coordinator stay siblings.
    Dotted,
    /// Last write wins (Cassandra): one version per key, the latest timestamp.
    Lww,
    /// A planted defect for testing the chaos checker: vector clocks whose
    /// compare looks only at the sum of the counters, so a concurrent
    /// version can be thrown away. Not reachable from presets or commands.
    #[doc(hidden)]
    BrokenVector,
}

impl ClockMode {
    pub fn parse(text: &str) -> Result<ClockMode, String> {
        match text {
            "vector" => Ok(ClockMode::Vector),
            "dotted" => Ok(ClockMode::Dotted),
            "lww" => Ok(ClockMode::Lww),
            other => Err(format!("unknown clocks {other:?}; use vector, dotted or lww")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ClockMode::Vector => "vector",
            ClockMode::Dotted => "dotted",
            ClockMode::Lww => "lww",
            ClockMode::BrokenVector => "broken-vector",
        }
    }
}

/// A key of the store. Keys are short, and one of up to 24 bytes is kept
/// inline: copying it into a message, a trace event or another node's
/// table is a plain copy of 24 bytes, with no allocation and no reference
/// count that the node threads would pass back and forth. (A longer key
/// is allocated on each copy.)
pub type Key = compact_str::CompactString;

/// A stored value. Shared, so copying a value into a message or a trace
/// event costs a reference count, not an allocation.
pub type Value = Arc<str>;

/// The versions one replica holds for one key: usually one, several when
/// concurrent writes left siblings.
pub type Siblings = SmallVec<[Version; 1]>;

/// The event that created a version in dotted mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dot {
    pub node: NodeId,
    pub counter: u32,
}

/// When a version was written (virtual microseconds) and by whom; later
/// stamps win under last-write-wins, the node breaking ties. A node never
/// gives two versions the same microsecond (see `Node::next_stamp`), so
/// distinct versions never tie and every replica keeps the same winner.
///
/// The writer's seen counter is kept as a flag and a number rather than as
/// an `Option<u32>`: 16 bytes in all where the option would make 24, and
/// every stored version and every message that carries one has a stamp.
/// The derived order is the option's (unknown first), since an unknown
/// counter is always stored as 0.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub micros: u64,
    pub node: NodeId,
    seen_known: bool,
    seen: u32,
}

impl Stamp {
    /// `seen_own`: see [`Stamp::seen_own`].
    pub fn new(micros: u64, node: NodeId, seen_own: Option<u32>) -> Stamp {
        Stamp {
            micros,
            node,
            seen_known: seen_own.is_some(),
            seen: seen_own.unwrap_or(0),
        }
    }

    /// In vector mode, the writer's own entry in the context the client
    /// wrote with: with the clock, it gives back that context, so that any
    /// replica can tell a version this one replaced without its writer
    /// having seen it. `None` when unknown.
    pub fn seen_own(&self) -> Option<u32> {
        self.seen_known.then_some(self.seen)
    }
}

impl fmt::Debug for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stamp")
            .field("micros", &self.micros)
            .field("node", &self.node)
            .field("seen_own", &self.seen_own())
            .finish()
    }
}

/// One value with its causal history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    pub value: Value,
    pub clock: VClock,
    pub dot: Option<Dot>,
    pub stamp: Stamp,
}

impl Version {
    /// A vector-clock version (no dot, no stamp).
    pub fn new(value: impl Into<Value>, clock: VClock) -> Self {
        Version {
            value: value.into(),
            clock,
            dot: None,
            stamp: Stamp::default(),
        }
    }

    /// The whole causal history: the clock with the dot added, as a
    /// counter when it follows the clock's counter, else as an extra dot
    /// (see [`VClock`]), so that it never covers an event between the two.
    pub fn full_clock(&self) -> VClock {
        let mut c = self.clock.clone();
        if let Some(d) = self.dot {
            c.add_dot(d.node, d.counter);
        }
        c
    }

    /// True when this version makes `other` obsolete under `mode`.
    pub fn supersedes(&self, other: &Version, mode: ClockMode) -> bool {
        match mode {
            ClockMode::Lww => self.stamp >= other.stamp,
            ClockMode::Dotted => match other.dot {
                // Obsolete once its dot is in this version's history.
                Some(d) => self.dot == Some(d) || self.clock.contains(d.node, d.counter),
                None => self.full_clock().descends(&other.clock),
            },
            ClockMode::Vector => match (self.dot, other.dot) {
                (None, None) => self.clock.descends(&other.clock),
                _ => self.full_clock().descends(&other.full_clock()),
            },
            ClockMode::BrokenVector => {
                let total = |c: &VClock| c.iter().map(|(_, n)| n as u64).sum::<u64>();
                total(&self.full_clock()) >= total(&other.full_clock())
            }
        }
    }

    /// The context its writer had seen, when known: in dotted mode the
    /// clock itself, in vector mode the clock with the writer's entry put
    /// back to what the writer's client had seen.
    pub fn writer_context(&self) -> Option<VClock> {
        if self.dot.is_some() {
            return Some(self.clock.clone());
        }
        let seen = self.stamp.seen_own()?;
        let mut context = self.clock.clone();
        context.set(self.stamp.node, seen);
        Some(context)
    }

    /// True when this version, replacing `lost`, discards a write its
    /// writer never saw: `lost` is in its history but not in the context
    /// the writer had (`context`, or the one the version records).
    pub fn overwrites_unseen(&self, lost: &Version, context: Option<&VClock>, mode: ClockMode) -> bool {
        // The same write met again replaces nothing.
        let same = match (self.dot, lost.dot) {
            (Some(a), Some(b)) => a == b,
            _ => self.full_clock() == lost.full_clock() && self.value == lost.value,
        };
        if same {
            return false;
        }
        let recorded;
        let context = match context {
            Some(c) => c,
            None => match self.writer_context() {
                Some(c) => {
                    recorded = c;
                    &recorded
                }
                None => return false,
            },
        };
        let seen = match (mode, lost.dot) {
            (ClockMode::Dotted, Some(d)) => context.contains(d.node, d.counter),
            _ => context.descends(&lost.full_clock()),
        };
        // Under (broken) vector clocks only a true descendant counts: a
        // version dropped by a faulty compare is a bug, not an overwrite.
        let descends = match mode {
            ClockMode::Vector | ClockMode::BrokenVector => self.full_clock().descends(&lost.full_clock()),
            ClockMode::Dotted | ClockMode::Lww => true,
        };
        descends && !seen
    }

    /// Shows the version: `CART {s1:2}`; in dotted mode `CART {s1:1}+s1:3`.
    pub fn display<'a>(&'a self, names: &'a Names) -> VersionDisplay<'a> {
        VersionDisplay { version: self, names }
    }
}

/// [`Version`] shown with node names.
pub struct VersionDisplay<'a> {
    version: &'a Version,
    names: &'a Names,
}

impl fmt::Display for VersionDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.version;
        write!(f, "{} {}", v.value, v.clock.display(self.names))?;
        if let Some(d) = v.dot {
            write!(f, "+{}:{}", self.names.node(d.node), d.counter)?;
        }
        Ok(())
    }
}

/// The frontier of a set of versions under `mode`: every version no other
/// supersedes, each once, in a canonical order. This is what a get returns
/// and what read repair writes back.
pub fn reconcile<'a>(versions: impl IntoIterator<Item = &'a Version>, mode: ClockMode) -> Vec<Version> {
    let mut out = Siblings::new();
    for v in versions {
        absorb(&mut out, v, mode);
    }
    let mut out = out.into_vec();
    sort_canonically(&mut out);
    out
}

/// Adds `v` to a frontier in place: drops it when a held version supersedes
/// it, otherwise removes what it supersedes and keeps it. Returns true when
/// the frontier changed.
pub fn absorb(frontier: &mut Siblings, v: &Version, mode: ClockMode) -> bool {
    if frontier.iter().any(|h| h.supersedes(v, mode)) {
        return false;
    }
    frontier.retain(|h| !v.supersedes(h, mode));
    frontier.push(v.clone());
    true
}

/// True when `held` already contains everything in `wanted`: merging
/// `wanted` into it would change nothing.
pub fn covers(held: &[Version], wanted: &[Version], mode: ClockMode) -> bool {
    wanted.iter().all(|w| held.iter().any(|h| h.supersedes(w, mode)))
}

/// Sorts versions so that equal sets print, compare and hash the same way.
pub fn sort_canonically(versions: &mut [Version]) {
    versions.sort_by(|a, b| {
        a.clock
            .canonical_cmp(&b.clock)
            .then_with(|| a.dot.cmp(&b.dot))
            .then_with(|| a.stamp.cmp(&b.stamp))
            .then_with(|| a.value.cmp(&b.value))
    });
}

/// The merge of every version's whole history: the context a client sends
/// back to resolve them. It covers exactly the events of their histories:
/// a dot that does not follow the merged counter stays an extra dot.
pub fn merged_clock<'a>(versions: impl IntoIterator<Item = &'a Version>) -> VClock {
    let mut clock = VClock::new();
    for v in versions {
        clock.merge_in(&v.clock);
        if let Some(d) = v.dot {
            clock.add_dot(d.node, d.counter);
        }
    }
    clock
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(value: &str, pairs: &[(u16, u32)]) -> Version {
        Version::new(value, VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c))))
    }

    fn dotted(value: &str, context: &[(u16, u32)], dot: (u16, u32)) -> Version {
        Version {
            dot: Some(Dot {
                node: NodeId(dot.0),
                counter: dot.1,
            }),
            ..v(value, context)
        }
    }

    const V: ClockMode = ClockMode::Vector;

    #[test]
    fn reconcile_keeps_only_the_frontier() {
        let car = v("CAR", &[(0, 1)]);
        let cart = v("CART", &[(0, 2)]);
        let carm = v("CARM", &[(0, 2), (1, 1)]);
        let carr = v("CARR", &[(0, 2), (2, 1)]);
        let got = reconcile([&car, &cart, &carm, &carr, &carm], V);
        assert_eq!(got, vec![carm.clone(), carr.clone()]);
        assert_eq!(
            merged_clock(&got),
            VClock::from_pairs([(NodeId(0), 2), (NodeId(1), 1), (NodeId(2), 1)])
        );
    }

    #[test]
    fn covers_means_nothing_to_add() {
        let cart = v("CART", &[(0, 2)]);
        let carm = v("CARM", &[(0, 2), (1, 1)]);
        let carr = v("CARR", &[(0, 2), (2, 1)]);
        assert!(covers(&[carm.clone(), carr.clone()], std::slice::from_ref(&cart), V));
        assert!(!covers(std::slice::from_ref(&cart), std::slice::from_ref(&carm), V));
        assert!(!covers(std::slice::from_ref(&carm), &[carm.clone(), carr.clone()], V));
        assert!(covers(&[], &[], V));
    }

    #[test]
    fn absorb_reports_change() {
        let mut f: Siblings = smallvec::smallvec![v("CART", &[(0, 2)])];
        assert!(!absorb(&mut f, &v("CAR", &[(0, 1)]), V));
        assert!(absorb(&mut f, &v("CARM", &[(0, 2), (1, 1)]), V));
        assert_eq!(f.len(), 1);
        assert!(absorb(&mut f, &v("CARR", &[(0, 2), (2, 1)]), V));
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn same_coordinator_same_context_vector_overwrites_dotted_keeps_both() {
        // Two clients read {s1:1} and write through s1: the counters 2 and 3.
        let milk_v = v("milk", &[(0, 2)]);
        let eggs_v = v("eggs", &[(0, 3)]);
        assert!(eggs_v.supersedes(&milk_v, ClockMode::Vector), "vector clocks lose milk");
        let milk_d = dotted("milk", &[(0, 1)], (0, 2));
        let eggs_d = dotted("eggs", &[(0, 1)], (0, 3));
        let d = ClockMode::Dotted;
        assert!(
            !eggs_d.supersedes(&milk_d, d),
            "eggs' context {{s1:1}} does not hold dot s1:2"
        );
        assert!(!milk_d.supersedes(&eggs_d, d));
        assert_eq!(reconcile([&milk_d, &eggs_d], d).len(), 2);
        // A put that saw both (its context is the merge) resolves them.
        let both = merged_clock([&milk_d, &eggs_d]);
        assert_eq!(both, VClock::from_pairs([(NodeId(0), 3)]));
        let resolved = Version {
            dot: Some(Dot {
                node: NodeId(0),
                counter: 4,
            }),
            ..Version::new("milk,eggs", both)
        };
        assert!(resolved.supersedes(&milk_d, d) && resolved.supersedes(&eggs_d, d));
    }

    #[test]
    fn a_version_knows_which_replaced_writes_its_writer_never_saw() {
        // s1 wrote {s1:3} for a client that had seen {s1:1}.
        let by = Version {
            stamp: Stamp::new(5, NodeId(0), Some(1)),
            ..v("CARM", &[(0, 3)])
        };
        assert_eq!(by.writer_context(), Some(VClock::from_pairs([(NodeId(0), 1)])));
        assert!(
            by.overwrites_unseen(&v("CART", &[(0, 2)]), None, V),
            "s1:2 was never seen"
        );
        assert!(!by.overwrites_unseen(&v("CAR", &[(0, 1)]), None, V), "s1:1 was seen");
        assert!(!by.overwrites_unseen(&by, None, V), "the same write again");
        assert!(
            !by.overwrites_unseen(&v("X", &[(0, 1), (1, 4)]), None, ClockMode::BrokenVector),
            "a version a faulty compare dropped is not in this one's history"
        );
        let unknown = v("CARM", &[(0, 3)]);
        assert!(
            !unknown.overwrites_unseen(&v("CART", &[(0, 2)]), None, V),
            "no recorded context, no claim"
        );
        // Dotted versions replace only what their context holds.
        let d = ClockMode::Dotted;
        let milk = dotted("milk", &[(0, 1)], (0, 2));
        let resolved = dotted("milk,eggs", &[(0, 2)], (0, 3));
        assert!(resolved.supersedes(&milk, d));
        assert!(!resolved.overwrites_unseen(&milk, None, d));
    }

    #[test]
    fn a_stamp_keeps_any_seen_counter_and_orders_as_its_option_would() {
        let n = NodeId(3);
        for seen in [None, Some(0), Some(1), Some(u32::MAX)] {
            assert_eq!(Stamp::new(7, n, seen).seen_own(), seen);
        }
        let order: Vec<Stamp> = [None, Some(0), Some(5), Some(u32::MAX)]
            .into_iter()
            .map(|seen| Stamp::new(7, n, seen))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        assert!(Stamp::new(6, NodeId(9), Some(9)) < Stamp::new(7, n, None), "time first");
        assert_eq!(std::mem::size_of::<Stamp>(), 16);
    }

    #[test]
    fn extra_dots_cost_no_space() {
        // A clock with extra dots keeps them among its entries: versions and
        // messages are as large as before clocks could carry them.
        assert_eq!(std::mem::size_of::<VClock>(), 32);
        assert_eq!(std::mem::size_of::<Version>(), 80);
        assert_eq!(std::mem::size_of::<crate::core::message::Message>(), 160);
    }

    #[test]
    fn a_dotted_history_covers_its_dot_exactly() {
        // Context {s1:1}, dot s1:3: another write (s1:2) came between.
        let c = dotted("C", &[(0, 1)], (0, 3));
        let full = c.full_clock();
        assert!(full.contains(NodeId(0), 3) && !full.contains(NodeId(0), 2));
        let b = dotted("B", &[], (0, 2));
        let d = Version {
            dot: Some(Dot {
                node: NodeId(0),
                counter: 4,
            }),
            ..Version::new("D", full.clone())
        };
        let m = ClockMode::Dotted;
        assert!(d.supersedes(&c, m), "D's writer saw C");
        assert!(!d.supersedes(&b, m), "but not B");
        assert_eq!(reconcile([&b, &c, &d], m), vec![b.clone(), d.clone()]);
        // A read of B and D covers everything up to s1:4.
        assert_eq!(merged_clock([&b, &d]), VClock::from_pairs([(NodeId(0), 4)]));
    }

    #[test]
    fn last_write_wins_keeps_one_version() {
        let at = |value: &str, micros: u64, node: u16| Version {
            stamp: Stamp::new(micros, NodeId(node), None),
            ..v(value, &[(node, 1)])
        };
        let early = at("a", 10, 0);
        let late = at("b", 20, 1);
        let tie = at("c", 20, 2);
        let l = ClockMode::Lww;
        assert!(late.supersedes(&early, l) && !early.supersedes(&late, l));
        assert!(tie.supersedes(&late, l), "the node id breaks a tie");
        assert_eq!(reconcile([&early, &late, &tie], l), vec![tie]);
    }

    #[test]
    fn display_shows_the_dot() {
        let names = Names::new(["s1", "s2"]);
        assert_eq!(
            dotted("x", &[(0, 1)], (1, 4)).display(&names).to_string(),
            "x {s1:1}+s2:4"
        );
        assert_eq!(v("x", &[(0, 1)]).display(&names).to_string(), "x {s1:1}");
    }
}
