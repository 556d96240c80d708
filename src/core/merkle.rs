//! Merkle trees over key ranges: compare two replicas of a range by hashes,
//! descending only where they differ.
//!
//! A tree of depth d has 2^d leaves. A key goes to the leaf picked by a hash
//! of its ring position; a leaf's hash is the XOR of its keys' entry hashes
//! (so a write updates it in O(1) without looking at the other keys), and an
//! inner node hashes its two children. A write updates its leaf at once and
//! marks the leaf's path stale; the first read after writes rehashes each
//! stale inner node once. Once so many leaves are stale that walking their
//! paths would cost more than rehashing every inner node, the tree stops
//! listing them and the next read rehashes the whole array, bottom up. So a
//! burst of writes between two comparisons costs one XOR each (anti-entropy
//! switched off is one long burst), and a read costs at most one pass over
//! the tree. An empty
//! subtree hashes to 0, so trees with the same keys and versions have the
//! same root whatever happened before.
//!
//! A big cluster has many small ranges: 128 nodes with 64 tokens each and a
//! million keys give about 120 keys a range, for 1,024 leaves at the default
//! depth. A full array there costs 16 KiB a range, more than the keys'
//! versions. So a tree starts sparse, as the list of its non-empty leaves,
//! and works out an inner hash when asked (from the leaves under it); it
//! becomes the array once a quarter of its leaves are filled, where the list
//! would cost half the array.

use std::cell::RefCell;
use std::hash::Hasher;

use super::hash::{StableHasher, combine, mix64};
use super::version::Version;

/// The deepest tree allowed (2^16 leaves: 1 MiB per range).
pub const MAX_DEPTH: u8 = 16;

/// The hash of one key with all its versions, in the store's canonical
/// order: any difference in a value or a clock shows.
pub fn entry_hash(key: &str, versions: &[Version]) -> u64 {
    if versions.is_empty() {
        return 0;
    }
    let mut h = StableHasher::new();
    h.write(key.as_bytes());
    h.write_u8(0xff);
    for v in versions {
        h.write(v.value.as_bytes());
        h.write_u8(0xfe);
        for (node, counter) in v.clock.iter() {
            h.write_u16(node.0);
            h.write_u32(counter);
        }
        for (node, counter) in v.clock.extra_dots() {
            h.write_u8(0xfb);
            h.write_u16(node.0);
            h.write_u32(counter);
        }
        if let Some(d) = v.dot {
            h.write_u8(0xfc);
            h.write_u16(d.node.0);
            h.write_u32(d.counter);
        }
        h.write_u64(v.stamp.micros);
        h.write_u16(v.stamp.node.0);
        h.write_u8(0xfd);
    }
    // Never 0: 0 means "nothing here".
    h.finish() | 1
}

/// The leaf a key at ring position `position` falls into.
pub fn leaf_of(position: u64, depth: u8) -> u32 {
    if depth == 0 {
        return 0;
    }
    (mix64(position ^ 0x6d65_726b_6c65_0001) >> (64 - depth as u32)) as u32
}

fn combine_children(left: u64, right: u64) -> u64 {
    if left == 0 && right == 0 {
        0
    } else {
        combine(left, right)
    }
}

/// One range's tree: sparse while few of its leaves are filled, then a
/// complete binary tree in an array, where the node at `level`, `index`
/// sits at `2^level - 1 + index`. Inner hashes of the array are brought up
/// to date on read (see the module doc), hence the cell.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    depth: u8,
    inner: RefCell<Repr>,
}

/// How a tree holds its hashes (see the module doc).
#[derive(Clone, Debug)]
enum Repr {
    /// The non-empty leaves as (leaf, hash), in leaf order; inner hashes
    /// are computed when asked.
    Sparse(Vec<(u32, u64)>),
    Dense(Lazy),
}

/// The hash of the subtree of height `height` whose first leaf is `first`;
/// `leaves` are the sparse leaves inside it.
fn sparse_subtree(leaves: &[(u32, u64)], height: u8, first: u64) -> u64 {
    match leaves {
        [] => 0,
        [(_, h)] if height == 0 => *h,
        _ => {
            let mid = first + (1u64 << (height - 1));
            let split = leaves.partition_point(|&(l, _)| (l as u64) < mid);
            combine_children(
                sparse_subtree(&leaves[..split], height - 1, first),
                sparse_subtree(&leaves[split..], height - 1, mid),
            )
        }
    }
}

/// The hash at array position `i` of a tree of `depth` with these sparse leaves.
fn sparse_get(leaves: &[(u32, u64)], depth: u8, i: usize) -> u64 {
    if i >= (1usize << (depth + 1)) - 1 {
        return 0;
    }
    let level = (i + 1).ilog2() as u8;
    let height = depth - level;
    let first = ((i + 1 - (1usize << level)) as u64) << height;
    let end = first + (1u64 << height);
    let a = leaves.partition_point(|&(l, _)| (l as u64) < first);
    let b = leaves.partition_point(|&(l, _)| (l as u64) < end);
    sparse_subtree(&leaves[a..b], height, first)
}

#[derive(Clone, Debug)]
struct Lazy {
    nodes: Box<[u64]>,
    /// Leaves written since the inner hashes were last brought up to date...
    stale: Vec<u32>,
    /// ...or, when there were too many to list, every inner hash is stale.
    all_stale: bool,
}

impl Lazy {
    /// The most stale leaves listed before the whole tree counts as stale:
    /// past this, rehashing their paths (each sorted level by level) costs
    /// more than one pass over the whole array.
    fn stale_limit(depth: u8) -> usize {
        (1usize << depth) / 8
    }

    /// Notes that `leaf` changed.
    fn mark(&mut self, depth: u8, leaf: u32) {
        if depth == 0 || self.all_stale {
            return;
        }
        if self.stale.len() >= Lazy::stale_limit(depth) {
            self.stale.clear();
            self.all_stale = true;
        } else {
            self.stale.push(leaf);
        }
    }

    /// Brings every inner hash up to date: the stale leaves' paths, each
    /// inner node once, level by level, or the whole array when all is stale.
    fn refresh(&mut self, depth: u8) {
        if self.all_stale {
            self.all_stale = false;
            self.rehash_all(depth);
            return;
        }
        if self.stale.is_empty() {
            return;
        }
        let mut level: Vec<usize> = self
            .stale
            .drain(..)
            .map(|leaf| (1usize << depth) - 1 + leaf as usize)
            .collect();
        while level.first().is_some_and(|&i| i > 0) {
            for i in level.iter_mut() {
                *i = (*i - 1) / 2;
            }
            level.sort_unstable();
            level.dedup();
            for &parent in &level {
                self.nodes[parent] = combine_children(self.nodes[2 * parent + 1], self.nodes[2 * parent + 2]);
            }
        }
    }

    /// Rehashes every inner node from the leaves up.
    fn rehash_all(&mut self, depth: u8) {
        self.stale.clear();
        for parent in (0..(1usize << depth) - 1).rev() {
            self.nodes[parent] = combine_children(self.nodes[2 * parent + 1], self.nodes[2 * parent + 2]);
        }
    }
}

impl PartialEq for MerkleTree {
    /// Inner hashes follow from the leaves: equal leaves, equal trees.
    fn eq(&self, other: &Self) -> bool {
        self.depth == other.depth && self.leaves() == other.leaves()
    }
}

impl Eq for MerkleTree {}

impl MerkleTree {
    pub fn new(depth: u8) -> MerkleTree {
        MerkleTree {
            depth: depth.min(MAX_DEPTH),
            inner: RefCell::new(Repr::Sparse(Vec::new())),
        }
    }

    fn empty_array(depth: u8) -> Lazy {
        Lazy {
            nodes: vec![0u64; (1usize << (depth + 1)) - 1].into_boxed_slice(),
            stale: Vec::new(),
            all_stale: false,
        }
    }

    /// The non-empty leaves as (leaf, hash), in leaf order.
    fn leaves(&self) -> Vec<(u32, u64)> {
        match &*self.inner.borrow() {
            Repr::Sparse(leaves) => leaves.clone(),
            Repr::Dense(lazy) => {
                let base = (1usize << self.depth) - 1;
                (0u32..)
                    .zip(&lazy.nodes[base..])
                    .filter(|(_, h)| **h != 0)
                    .map(|(l, h)| (l, *h))
                    .collect()
            }
        }
    }

    /// A tree built from scratch from (leaf, entry hash) pairs, as an array.
    pub fn build(depth: u8, entries: impl IntoIterator<Item = (u32, u64)>) -> MerkleTree {
        let t = MerkleTree::new(depth);
        {
            let mut repr = t.inner.borrow_mut();
            *repr = Repr::Dense(MerkleTree::empty_array(t.depth));
            let Repr::Dense(lazy) = &mut *repr else {
                unreachable!("just set")
            };
            let base = (1usize << t.depth) - 1;
            for (leaf, h) in entries {
                lazy.nodes[base + leaf as usize] ^= h;
            }
            lazy.rehash_all(t.depth);
        }
        t
    }

    pub fn depth(&self) -> u8 {
        self.depth
    }

    pub fn root(&self) -> u64 {
        self.get(0, 0)
    }

    /// The hash at `level` (0 is the root, `depth` the leaves), `index`.
    pub fn get(&self, level: u8, index: u32) -> u64 {
        let i = (1usize << level) - 1 + index as usize;
        match &mut *self.inner.borrow_mut() {
            Repr::Sparse(leaves) => sparse_get(leaves, self.depth, i),
            Repr::Dense(lazy) => {
                lazy.refresh(self.depth);
                lazy.nodes.get(i).copied().unwrap_or(0)
            }
        }
    }

    /// An entry hash joins or leaves `leaf` (XOR both in and out).
    pub fn toggle(&mut self, leaf: u32, entry: u64) {
        self.update(leaf, 0, entry);
    }

    /// Replaces `old` by `new` in `leaf` (either may be 0 for "absent").
    pub fn update(&mut self, leaf: u32, old: u64, new: u64) {
        if old == new {
            return;
        }
        let repr = self.inner.get_mut();
        if let Repr::Sparse(leaves) = repr {
            match leaves.binary_search_by_key(&leaf, |&(l, _)| l) {
                Ok(p) => {
                    leaves[p].1 ^= old ^ new;
                    if leaves[p].1 == 0 {
                        leaves.remove(p);
                    }
                }
                Err(p) => leaves.insert(p, (leaf, old ^ new)),
            }
            if leaves.len() <= (1usize << self.depth) / 4 {
                return;
            }
            // A quarter full: the array costs no more than the list now.
            let mut lazy = MerkleTree::empty_array(self.depth);
            let base = (1usize << self.depth) - 1;
            for &(l, h) in leaves.iter() {
                lazy.nodes[base + l as usize] = h;
            }
            lazy.all_stale = true;
            *repr = Repr::Dense(lazy);
            return;
        }
        let Repr::Dense(lazy) = repr else {
            unreachable!("handled above")
        };
        let i = (1usize << self.depth) - 1 + leaf as usize;
        lazy.nodes[i] ^= old ^ new;
        lazy.mark(self.depth, leaf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::VClock;
    use crate::core::ids::NodeId;
    use proptest::prelude::*;

    fn v(value: &str, n: u16, c: u32) -> Version {
        Version::new(value, VClock::from_pairs([(NodeId(n), c)]))
    }

    #[test]
    fn entry_hash_sees_every_difference() {
        let a = entry_hash("k", &[v("x", 0, 1)]);
        assert_ne!(a, entry_hash("k", &[v("y", 0, 1)]), "value");
        assert_ne!(a, entry_hash("k", &[v("x", 0, 2)]), "clock");
        assert_ne!(a, entry_hash("j", &[v("x", 0, 1)]), "key");
        assert_ne!(a, entry_hash("k", &[v("x", 0, 1), v("y", 1, 1)]), "a sibling");
        assert_eq!(entry_hash("k", &[]), 0);
        assert_ne!(a, 0);
    }

    #[test]
    fn empty_trees_agree_and_a_change_shows_at_the_root() {
        let mut a = MerkleTree::new(4);
        let b = MerkleTree::new(4);
        assert_eq!(a.root(), 0);
        assert_eq!(a, b);
        a.toggle(3, 77);
        assert_ne!(a.root(), b.root());
        a.toggle(3, 77);
        assert_eq!(a, b, "toggling twice undoes");
    }

    #[test]
    fn a_tree_stays_a_list_until_a_quarter_of_its_leaves_are_filled() {
        let mut t = MerkleTree::new(4);
        for leaf in 0..4 {
            t.toggle(leaf, 10 + leaf as u64);
        }
        assert!(matches!(&*t.inner.borrow(), Repr::Sparse(l) if l.len() == 4));
        let sparse_root = t.root();
        t.toggle(3, 13);
        t.toggle(3, 13);
        assert!(
            matches!(&*t.inner.borrow(), Repr::Sparse(l) if l.len() == 4),
            "an emptied leaf leaves the list"
        );
        t.toggle(9, 99);
        assert!(matches!(&*t.inner.borrow(), Repr::Dense(_)));
        t.toggle(9, 99);
        assert_eq!(t.root(), sparse_root);
        assert_eq!(t, MerkleTree::build(4, (0..4).map(|l| (l, 10 + l as u64))));
    }

    #[test]
    fn leaves_spread_keys() {
        let mut counts = [0usize; 16];
        for i in 0..1600u64 {
            counts[leaf_of(mix64(i), 4) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (60..=140).contains(&c)), "{counts:?}");
    }

    proptest! {
        #[test]
        fn incremental_updates_give_the_root_of_a_tree_built_from_scratch(
            depth in 0u8..8,
            ops in proptest::collection::vec((0u64..64, 1u64..1_000_000), 0..80),
        ) {
            // Key i holds entry hash h; a later op on the same key replaces it.
            let mut tree = MerkleTree::new(depth);
            let mut current: std::collections::BTreeMap<u64, u64> = Default::default();
            for (key, h) in ops {
                let leaf = leaf_of(mix64(key), depth);
                let old = current.insert(key, h).unwrap_or(0);
                tree.update(leaf, old, h);
            }
            let scratch = MerkleTree::build(depth, current.iter().map(|(k, h)| (leaf_of(mix64(*k), depth), *h)));
            // Sparse or not, every hash is the array's.
            for level in 0..=depth {
                for index in 0..1u32 << level {
                    prop_assert_eq!(tree.get(level, index), scratch.get(level, index), "level {} index {}", level, index);
                }
            }
            prop_assert_eq!(tree.get(depth + 1, 0), 0);
            prop_assert_eq!(tree, scratch);
        }

        /// Reads between bursts of writes of every length: short bursts
        /// rehash the listed paths, long ones the whole array, and a read
        /// always sees the hashes of a tree built from scratch.
        #[test]
        fn reads_between_bursts_of_writes_see_the_tree_built_from_scratch(
            depth in 1u8..7,
            ops in proptest::collection::vec((0u64..300, 1u64..1_000_000, proptest::bool::weighted(0.05)), 0..400),
        ) {
            let mut tree = MerkleTree::new(depth);
            let mut current: std::collections::BTreeMap<u64, u64> = Default::default();
            for (key, h, read) in ops {
                let leaf = leaf_of(mix64(key), depth);
                let old = current.insert(key, h).unwrap_or(0);
                tree.update(leaf, old, h);
                if read {
                    let scratch = MerkleTree::build(depth, current.iter().map(|(k, h)| (leaf_of(mix64(*k), depth), *h)));
                    prop_assert_eq!(tree.root(), scratch.root());
                    let index = (h % (1 << (depth - 1))) as u32;
                    prop_assert_eq!(tree.get(depth - 1, index), scratch.get(depth - 1, index));
                }
            }
        }
    }
}
