//! [`Forest`]: the Merkle trees of the ranges a node replicates, and
//! [`MerkleTop`], the top of one of them as the playground shows it.
//! Anti-entropy (`anti_entropy.rs`) keeps them up to date and compares them.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::core::merkle::{MerkleTree, leaf_of};
use crate::core::ring::Ring;
use crate::core::store::Store;

/// The top of one node's Merkle tree for one range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleTop {
    /// (start, end] of the range.
    pub range: (u64, u64),
    pub depth: u8,
    /// Hashes level by level from the root (0 is an empty subtree).
    pub rows: Vec<Vec<u64>>,
}

/// The trees of the ranges a node replicates.
#[derive(Clone, Debug, Default)]
pub struct Forest {
    pub(super) depth: u8,
    /// Replicated ranges: end → start.
    pub(super) ranges: BTreeMap<u64, u64>,
    /// One tree per range end. In a cell: a read may rebuild them.
    pub(super) trees: RefCell<FxHashMap<u64, MerkleTree>>,
    /// Writes went by without reaching the trees: rebuild before reading.
    pub(super) behind: Cell<bool>,
    /// The last range a session was started for.
    pub(super) cursor: Option<u64>,
}

impl Forest {
    /// Rebuilds every tree from the store's entry hashes.
    pub(super) fn build_trees(&self, store: &Store, ring: &Ring) {
        let mut trees: FxHashMap<u64, MerkleTree> = FxHashMap::default();
        for (key, hash) in store.hashes() {
            let pos = Ring::position(key);
            if let Some((_, end)) = self.range_of(ring, pos) {
                trees
                    .entry(end)
                    .or_insert_with(|| MerkleTree::new(self.depth))
                    .toggle(leaf_of(pos, self.depth), hash);
            }
        }
        *self.trees.borrow_mut() = trees;
        self.behind.set(false);
    }

    /// The (start, end] range replicated here that holds `position`.
    pub(super) fn range_of(&self, ring: &Ring, position: u64) -> Option<(u64, u64)> {
        if ring.is_empty() {
            return None;
        }
        let end = ring.tokens()[ring.owner_index(position)].pos;
        self.ranges.get(&end).map(|&start| (start, end))
    }

    pub(super) fn tree_hash(&self, end: u64, level: u8, index: u32) -> u64 {
        debug_assert!(!self.behind.get(), "read through Node::forest");
        self.trees.borrow().get(&end).map_or(0, |t| t.get(level, index))
    }

    pub fn root(&self, end: u64) -> u64 {
        self.tree_hash(end, 0, 0)
    }
}
