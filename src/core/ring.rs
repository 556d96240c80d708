//! The consistent-hashing ring: where keys live.
//!
//! Every node owns a few tokens (virtual nodes) on a ring of 2^64 positions.
//! A key is hashed to a position; walking clockwise from there, the first N
//! *distinct* nodes met form its preference list. Because tokens are hashes
//! of the node's name, every run and machine builds the same ring.

use std::sync::Arc;

use smallvec::SmallVec;

use super::hash::hash64;
use super::ids::NodeId;
use super::ring_views::RingViews;

/// One virtual node: a position on the ring owned by a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Token {
    pub pos: u64,
    pub node: NodeId,
}

/// A range of the ring: the positions after `start` up to and including `end`.
/// It belongs to the token at `end`. When the ring has one token, the range is
/// the whole ring (`start == end`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenRange {
    pub start: u64,
    pub end: u64,
}

impl TokenRange {
    pub fn contains(&self, pos: u64) -> bool {
        if self.start < self.end {
            pos > self.start && pos <= self.end
        } else {
            pos > self.start || pos <= self.end
        }
    }

    /// The fraction of the ring this range covers.
    pub fn fraction(&self) -> f64 {
        let len = self.end.wrapping_sub(self.start);
        if len == 0 { 1.0 } else { len as f64 / 2f64.powi(64) }
    }
}

/// A preference list or a longer walk: small enough to live on the stack.
pub type NodeList = SmallVec<[NodeId; 8]>;

/// The tokens of every member, sorted by position.
#[derive(Clone, Debug, Default)]
pub struct Ring {
    tokens: Vec<Token>,
    members: Vec<NodeId>,
    /// The preference list of every token for one N, worked out the first
    /// time it is asked for: every request needs one, and a ring never
    /// changes once built.
    lists: std::sync::OnceLock<(usize, Vec<NodeList>)>,
    /// Each member's token positions, worked out the first time they are
    /// asked for and shared: every node of a fresh cluster starts its
    /// membership list from them, so a cluster holds them once, not once
    /// per node.
    shared: std::sync::OnceLock<Vec<(NodeId, Arc<[u64]>)>>,
    /// The ring views of the cluster this ring belongs to, so that equal
    /// rings its nodes rebuild are held once ([`Ring::adopt`]).
    views: Arc<RingViews<Ring>>,
}

impl PartialEq for Ring {
    fn eq(&self, other: &Self) -> bool {
        self.tokens == other.tokens && self.members == other.members
    }
}

impl Eq for Ring {}

impl Ring {
    /// Builds a ring from each member's tokens. Two nodes may pick the same
    /// position; the lower node id then comes first.
    pub fn new(assignments: impl IntoIterator<Item = (NodeId, Vec<u64>)>) -> Ring {
        let mut tokens = Vec::new();
        let mut members = Vec::new();
        for (node, positions) in assignments {
            members.push(node);
            tokens.extend(positions.into_iter().map(|pos| Token { pos, node }));
        }
        tokens.sort_unstable();
        tokens.dedup();
        members.sort_unstable();
        members.dedup();
        Ring {
            tokens,
            members,
            lists: std::sync::OnceLock::new(),
            shared: std::sync::OnceLock::new(),
            views: Arc::default(),
        }
    }

    /// `next`, a ring rebuilt by a node of this ring's cluster, as the one
    /// allocation every node of the cluster that built an equal ring shares
    /// (see [`RingViews`]).
    pub fn adopt(&self, next: Ring) -> Arc<Ring> {
        let next = Ring {
            views: self.views.clone(),
            ..next
        };
        self.views.intern(next)
    }

    /// The tokens a node named `name` gets by default: hashes of `name#0`,
    /// `name#1`, ... so the same name always lands in the same places.
    pub fn default_tokens(name: &str, vnodes: usize) -> Vec<u64> {
        (0..vnodes).map(|i| hash64(format!("{name}#{i}").as_bytes())).collect()
    }

    /// Dynamo's strategy 3: the ring cut into `count` × `vnodes` equal
    /// partitions, partition k starting at k × 2^64 / Q, dealt to the nodes
    /// in turn (partition k to node k mod `count`), so that consecutive
    /// partitions belong to different nodes. Returns each node's positions,
    /// in node order.
    pub fn equal_tokens(count: usize, vnodes: usize) -> Vec<Vec<u64>> {
        let q = (count * vnodes) as u128;
        (0..count)
            .map(|i| {
                (0..vnodes)
                    .map(|j| (((i + j * count) as u128) << 64).checked_div(q).unwrap_or(0) as u64)
                    .collect()
            })
            .collect()
    }

    /// The tokens a node joining a ring of equal partitions takes: `vnodes`
    /// times, the midpoint of the largest range left (the earliest first
    /// among equals), which halves it; so the newcomer enters the largest
    /// ranges, and every range stays a whole partition or a half of one.
    pub fn split_largest(&self, vnodes: usize) -> Vec<u64> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        // (length, Reverse(start)): the largest first, then the earliest.
        // A lone token's range is the whole ring: 2^64 positions.
        let mut heap: BinaryHeap<(u128, Reverse<u64>)> = (0..self.tokens.len())
            .map(|i| {
                let r = self.range_of(i);
                let len = r.end.wrapping_sub(r.start);
                (if len == 0 { 1u128 << 64 } else { len as u128 }, Reverse(r.start))
            })
            .collect();
        if heap.is_empty() {
            heap.push((1u128 << 64, Reverse(0)));
        }
        let mut out = Vec::with_capacity(vnodes);
        while out.len() < vnodes {
            let Some((len, Reverse(start))) = heap.pop() else { break };
            if len < 2 {
                break;
            }
            let half = len / 2;
            let mid = start.wrapping_add(half as u64);
            out.push(mid);
            heap.push((half, Reverse(start)));
            heap.push((len - half, Reverse(mid)));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The position of a key on the ring.
    pub fn position(key: &str) -> u64 {
        hash64(key.as_bytes())
    }

    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// Member nodes in id order.
    pub fn members(&self) -> &[NodeId] {
        &self.members
    }

    pub fn contains(&self, node: NodeId) -> bool {
        self.members.binary_search(&node).is_ok()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Index of the token that owns `pos`: the first at or after it, wrapping.
    pub fn owner_index(&self, pos: u64) -> usize {
        let i = self.tokens.partition_point(|t| t.pos < pos);
        if i == self.tokens.len() { 0 } else { i }
    }

    /// The range owned by the token at `index`.
    pub fn range_of(&self, index: usize) -> TokenRange {
        let end = self.tokens[index].pos;
        let prev = if index == 0 { self.tokens.len() - 1 } else { index - 1 };
        TokenRange {
            start: self.tokens[prev].pos,
            end,
        }
    }

    /// Distinct nodes clockwise from `pos`: the preference list and, past N,
    /// the fallbacks that sloppy quorum uses.
    pub fn walk(&self, pos: u64) -> Walk<'_> {
        Walk {
            ring: self,
            start: self.owner_index(pos),
            step: 0,
            seen: NodeList::new(),
        }
    }

    /// The first `n` distinct nodes clockwise from the key's position.
    pub fn preference_list(&self, key: &str, n: usize) -> NodeList {
        let pos = Ring::position(key);
        if self.tokens.is_empty() {
            return NodeList::new();
        }
        let (cached_n, lists) = self.lists.get_or_init(|| {
            let lists = (0..self.tokens.len())
                .map(|i| self.walk(self.tokens[i].pos).take(n).collect())
                .collect();
            (n, lists)
        });
        if *cached_n == n {
            return NodeList::from_slice(&lists[self.owner_index(pos)]);
        }
        self.walk(pos).take(n).collect()
    }

    /// The `i`-th distinct node (from 1) clockwise from the key, as `KEY#I` names it.
    pub fn nth(&self, key: &str, i: usize) -> Option<NodeId> {
        if i == 0 {
            return None;
        }
        self.walk(Ring::position(key)).nth(i - 1)
    }

    /// The positions of a node's tokens.
    pub fn tokens_of(&self, node: NodeId) -> Vec<u64> {
        self.tokens.iter().filter(|t| t.node == node).map(|t| t.pos).collect()
    }

    /// The ranges for which `node` is the first owner (its primary ranges).
    pub fn ranges_of(&self, node: NodeId) -> Vec<TokenRange> {
        (0..self.tokens.len())
            .filter(|&i| self.tokens[i].node == node)
            .map(|i| self.range_of(i))
            .collect()
    }

    /// The fraction of the ring for which `node` is the first owner.
    pub fn share(&self, node: NodeId) -> f64 {
        if self.members == [node] {
            return 1.0;
        }
        self.ranges_of(node).iter().map(TokenRange::fraction).sum()
    }

    /// This ring with `node` added (or its tokens replaced).
    pub fn with_node(&self, node: NodeId, positions: Vec<u64>) -> Ring {
        let mut assignments = self.assignments();
        assignments.retain(|(n, _)| *n != node);
        assignments.push((node, positions));
        Ring {
            views: self.views.clone(),
            ..Ring::new(assignments)
        }
    }

    /// This ring without `node`.
    pub fn without_node(&self, node: NodeId) -> Ring {
        let mut assignments = self.assignments();
        assignments.retain(|(n, _)| *n != node);
        Ring {
            views: self.views.clone(),
            ..Ring::new(assignments)
        }
    }

    /// Each member with its token positions (one pass over the tokens).
    pub fn assignments(&self) -> Vec<(NodeId, Vec<u64>)> {
        let mut out: Vec<(NodeId, Vec<u64>)> = self.members.iter().map(|&n| (n, Vec::new())).collect();
        for t in &self.tokens {
            if let Ok(i) = self.members.binary_search(&t.node) {
                out[i].1.push(t.pos);
            }
        }
        out
    }

    /// [`Ring::assignments`], worked out once per ring and shared by
    /// everyone who asks.
    pub fn shared_assignments(&self) -> &[(NodeId, Arc<[u64]>)] {
        self.shared
            .get_or_init(|| self.assignments().into_iter().map(|(n, t)| (n, Arc::from(t))).collect())
    }
}

/// Iterator over distinct nodes clockwise from a position.
pub struct Walk<'a> {
    ring: &'a Ring,
    start: usize,
    step: usize,
    seen: NodeList,
}

impl Iterator for Walk<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let tokens = &self.ring.tokens;
        if self.seen.len() == self.ring.members.len() {
            return None;
        }
        while self.step < tokens.len() {
            let node = tokens[(self.start + self.step) % tokens.len()].node;
            self.step += 1;
            if !self.seen.contains(&node) {
                self.seen.push(node);
                return Some(node);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ring_of(count: u16, vnodes: usize) -> Ring {
        Ring::new((0..count).map(|i| (NodeId(i), Ring::default_tokens(&format!("n{}", i + 1), vnodes))))
    }

    #[test]
    fn preference_list_walks_clockwise_over_distinct_nodes() {
        // Hand-placed tokens: a at 10 and 40, b at 20, c at 30.
        let (a, b, c) = (NodeId(0), NodeId(1), NodeId(2));
        let ring = Ring::new([(a, vec![10, 40]), (b, vec![20]), (c, vec![30])]);
        let walk = |pos| ring.walk(pos).collect::<Vec<_>>();
        assert_eq!(walk(15), vec![b, c, a]);
        assert_eq!(walk(35), vec![a, b, c], "a's second token comes first, then wrap");
        assert_eq!(walk(41), vec![a, b, c], "past the last token wraps to the first");
        assert_eq!(walk(20), vec![b, c, a], "a position equal to a token belongs to it");
    }

    #[test]
    fn arcs_and_shares_cover_the_ring() {
        let ring = ring_of(5, 8);
        let total: f64 = ring.members().iter().map(|&n| ring.share(n)).sum();
        assert!((total - 1.0).abs() < 1e-9, "shares sum to {total}");
        for (i, t) in ring.tokens().iter().enumerate() {
            let arc = ring.range_of(i);
            assert!(arc.contains(t.pos));
            assert!(!arc.contains(arc.start));
            assert_eq!(ring.owner_index(t.pos), i);
        }
    }

    #[test]
    fn single_token_owns_everything() {
        let ring = Ring::new([(NodeId(0), vec![100])]);
        assert!(ring.range_of(0).contains(5));
        assert!(ring.range_of(0).contains(u64::MAX));
        assert_eq!(ring.share(NodeId(0)), 1.0);
    }

    #[test]
    fn nth_names_the_walk_from_one() {
        let ring = ring_of(5, 8);
        let list = ring.preference_list("cart", 5);
        for (i, node) in list.iter().enumerate() {
            assert_eq!(ring.nth("cart", i + 1), Some(*node));
        }
        assert_eq!(ring.nth("cart", 0), None);
        assert_eq!(ring.nth("cart", 6), None);
    }

    #[test]
    fn equal_partitions_are_dealt_in_turn() {
        let tokens = Ring::equal_tokens(3, 2);
        let sixth = |k: u128| ((k << 64) / 6) as u64;
        assert_eq!(
            tokens,
            vec![vec![0, sixth(3)], vec![sixth(1), sixth(4)], vec![sixth(2), sixth(5)]]
        );
        let ring = Ring::new(tokens.into_iter().enumerate().map(|(i, t)| (NodeId(i as u16), t)));
        for &m in ring.members() {
            assert!((ring.share(m) - 1.0 / 3.0).abs() < 1e-12);
        }
        // Consecutive partitions belong to different nodes: a preference list of 3 covers all.
        assert_eq!(ring.preference_list("cart", 3).len(), 3);
    }

    #[test]
    fn a_joiner_on_equal_partitions_halves_the_largest_ranges() {
        let ring = Ring::new(
            Ring::equal_tokens(2, 2)
                .into_iter()
                .enumerate()
                .map(|(i, t)| (NodeId(i as u16), t)),
        );
        let quarter = 1u64 << 62;
        assert_eq!(ring.split_largest(2), vec![quarter / 2, quarter + quarter / 2]);
        // After the first four halvings every range is an eighth; the fifth halves the first again.
        assert_eq!(ring.split_largest(5)[0], quarter / 4);
        let lone = Ring::new([(NodeId(0), vec![10])]);
        assert_eq!(lone.split_largest(1), vec![10 + (1 << 63)]);
    }

    proptest! {
        #[test]
        fn preference_lists_have_n_distinct_nodes(count in 1u16..12, vnodes in 1usize..16, key in "[a-z]{1,8}", n in 1usize..6) {
            let ring = ring_of(count, vnodes);
            let list = ring.preference_list(&key, n);
            prop_assert_eq!(list.len(), n.min(count as usize));
            let mut sorted = list.to_vec();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), list.len());
        }

        #[test]
        fn adding_a_node_moves_only_keys_into_its_ranges(count in 2u16..10, vnodes in 1usize..12, keys in proptest::collection::vec("[a-z0-9]{1,10}", 1..60)) {
            let before = ring_of(count, vnodes);
            let newcomer = NodeId(count);
            let after = before.with_node(newcomer, Ring::default_tokens("joiner", vnodes));
            for key in &keys {
                let old = before.nth(key, 1).unwrap();
                let new = after.nth(key, 1).unwrap();
                if old != new {
                    prop_assert_eq!(new, newcomer, "key {} moved from {:?} to {:?}", key, old, new);
                }
                // The newcomer can only push nodes back in the list, never reorder the rest.
                let old_list: Vec<_> = before.walk(Ring::position(key)).collect();
                let new_list: Vec<_> = after.walk(Ring::position(key)).filter(|&n| n != newcomer).collect();
                prop_assert_eq!(old_list, new_list);
            }
        }
    }
}
