//! A node's durable storage: for each key, the versions it holds.
//!
//! Storing a version follows one rule (the contract): every stored
//! version whose clock the new one descends from is removed, a new version
//! that is already covered by a stored one changes nothing, and concurrent
//! versions stay side by side as siblings. A concurrent version is never
//! dropped.
//!
//! While Merkle trees are kept up to date, each key also keeps the hash of
//! its versions (see [`entry_hash`](super::merkle::entry_hash)), so that a
//! write can update its tree without rehashing what was there before. While
//! they are not (anti-entropy off), a write skips the hashing and the hash
//! is worked out when asked for.

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::merkle::entry_hash;
use super::version::{ClockMode, Key, Siblings, Version};

/// What storing one version did.
#[derive(Debug, Default)]
pub struct StoreOutcome {
    /// The new version was kept (it was not already covered).
    pub stored: bool,
    /// Stored versions it made obsolete.
    pub removed: SmallVec<[Version; 1]>,
    /// When it was not kept: the stored version that already supersedes it.
    pub superseded_by: Option<Version>,
    /// How many versions the key holds now.
    pub siblings: usize,
    /// The key's entry hash before and after (0 for absent, and both 0
    /// when the store does not keep hashes).
    pub old_hash: u64,
    pub new_hash: u64,
}

/// A key's versions and their hash.
#[derive(Clone, Debug, Default)]
struct Entry {
    versions: Siblings,
    /// The entry hash, or 0 when it was not worked out at the last write
    /// (an entry's hash is never 0).
    hash: u64,
}

impl Entry {
    fn hash(&self, key: &str) -> u64 {
        if self.hash != 0 {
            self.hash
        } else {
            entry_hash(key, &self.versions)
        }
    }
}

/// Key → versions, with a running count of keys that hold siblings.
#[derive(Clone, Debug)]
pub struct Store {
    map: FxHashMap<Key, Entry>,
    keys_with_siblings: usize,
    /// Whether writes work out the entry hash and report it.
    keep_hashes: bool,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            map: FxHashMap::default(),
            keys_with_siblings: 0,
            keep_hashes: true,
        }
    }
}

impl Store {
    pub fn new() -> Self {
        Store::default()
    }

    /// The versions stored for `key` (empty when none).
    pub fn versions(&self, key: &str) -> &[Version] {
        self.map.get(key).map_or(&[], |e| e.versions.as_slice())
    }

    /// Whether writes work out entry hashes (see the module doc). Hashes
    /// asked for are right either way.
    pub fn keep_hashes(&mut self, on: bool) {
        self.keep_hashes = on;
    }

    /// The entry hash of `key` (0 when absent).
    pub fn hash_of(&self, key: &str) -> u64 {
        self.map.get(key).map_or(0, |e| e.hash(key))
    }

    /// Stores one version by the superseding rule of `mode`.
    pub fn put(&mut self, key: &Key, version: Version, mode: ClockMode) -> StoreOutcome {
        // One probe of the table whether the key is new or not.
        let entry = match self.map.entry(key.clone()) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let versions: Siblings = smallvec::smallvec![version];
                let hash = if self.keep_hashes {
                    entry_hash(key, &versions)
                } else {
                    0
                };
                slot.insert(Entry { versions, hash });
                return StoreOutcome {
                    stored: true,
                    removed: SmallVec::new(),
                    superseded_by: None,
                    siblings: 1,
                    old_hash: 0,
                    new_hash: hash,
                };
            }
        };
        let before = entry.versions.len();
        if let Some(h) = entry.versions.iter().find(|h| h.supersedes(&version, mode)) {
            return StoreOutcome {
                stored: false,
                removed: SmallVec::new(),
                superseded_by: Some(h.clone()),
                siblings: before,
                old_hash: 0,
                new_hash: 0,
            };
        }
        let old_hash = if self.keep_hashes { entry.hash(key) } else { 0 };
        let held = &mut entry.versions;
        let mut removed = SmallVec::new();
        let mut i = 0;
        while i < held.len() {
            if version.supersedes(&held[i], mode) {
                removed.push(held.swap_remove(i));
            } else {
                i += 1;
            }
        }
        held.push(version);
        // Keep a canonical order so that equal replicas print and hash alike.
        crate::core::version::sort_canonically(held);
        let after = held.len();
        entry.hash = if self.keep_hashes {
            entry_hash(key, &entry.versions)
        } else {
            0
        };
        let new_hash = entry.hash;
        self.count_siblings(before, after);
        StoreOutcome {
            stored: true,
            removed,
            superseded_by: None,
            siblings: after,
            old_hash,
            new_hash,
        }
    }

    /// Stores several versions (a repair or a transfer). Returns true when
    /// anything changed.
    pub fn merge(&mut self, key: &Key, versions: &[Version], mode: ClockMode) -> bool {
        let mut changed = false;
        for v in versions {
            changed |= self.put(key, v.clone(), mode).stored;
        }
        changed
    }

    /// Removes a key entirely (after a range moved away). Returns its
    /// versions and entry hash.
    pub fn remove(&mut self, key: &str) -> Option<(Siblings, u64)> {
        let entry = self.map.remove(key)?;
        self.count_siblings(entry.versions.len(), 0);
        let hash = entry.hash(key);
        Some((entry.versions, hash))
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// How many keys hold more than one version.
    pub fn keys_with_siblings(&self) -> usize {
        self.keys_with_siblings
    }

    /// Every key and its versions, in no particular order: callers that show
    /// or compare the result must sort it (see [`Store::sorted`]).
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Siblings)> {
        self.map.iter().map(|(k, e)| (k, &e.versions))
    }

    /// Every key with its entry hash, in no particular order.
    pub fn hashes(&self) -> impl Iterator<Item = (&Key, u64)> {
        self.map.iter().map(|(k, e)| (k, e.hash(k)))
    }

    /// Every key and its versions, sorted by key.
    pub fn sorted(&self) -> Vec<(&Key, &Siblings)> {
        let mut all: Vec<_> = self.iter().collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all
    }

    fn count_siblings(&mut self, before: usize, after: usize) {
        match (before > 1, after > 1) {
            (false, true) => self.keys_with_siblings += 1,
            (true, false) => self.keys_with_siblings -= 1,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::VClock;
    use crate::core::ids::NodeId;

    const V: ClockMode = ClockMode::Vector;

    fn v(value: &str, pairs: &[(u16, u32)]) -> Version {
        Version::new(value, VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c))))
    }

    #[test]
    fn newer_version_replaces_older() {
        let mut store = Store::new();
        let key: Key = "cart".into();
        assert!(store.put(&key, v("CAR", &[(0, 1)]), V).stored);
        let out = store.put(&key, v("CART", &[(0, 2)]), V);
        assert!(out.stored);
        assert_eq!(out.removed.len(), 1);
        assert_eq!(store.versions("cart"), &[v("CART", &[(0, 2)])]);
    }

    #[test]
    fn the_entry_hash_follows_the_versions() {
        let mut a = Store::new();
        let mut b = Store::new();
        let key: Key = "cart".into();
        let first = a.put(&key, v("CAR", &[(0, 1)]), V);
        assert_eq!((first.old_hash, first.new_hash), (0, a.hash_of("cart")));
        a.put(&key, v("CART", &[(0, 2)]), V);
        // The same final versions reached another way hash the same.
        b.put(&key, v("CART", &[(0, 2)]), V);
        assert_eq!(a.hash_of("cart"), b.hash_of("cart"));
        let stale = a.put(&key, v("CAR", &[(0, 1)]), V);
        assert_eq!(stale.old_hash, stale.new_hash, "an obsolete version changes nothing");
    }

    #[test]
    fn a_store_that_skips_hashing_still_answers_with_the_right_hashes() {
        let mut kept = Store::new();
        let mut skipped = Store::new();
        skipped.keep_hashes(false);
        let key: Key = "cart".into();
        for s in [&mut kept, &mut skipped] {
            s.put(&key, v("CAR", &[(0, 1)]), V);
            s.put(&key, v("CARM", &[(0, 1), (1, 1)]), V);
        }
        let out = skipped.put(&key, v("CARR", &[(0, 1), (2, 1)]), V);
        assert_eq!((out.old_hash, out.new_hash), (0, 0), "nothing is hashed on the write");
        kept.put(&key, v("CARR", &[(0, 1), (2, 1)]), V);
        assert_ne!(kept.hash_of("cart"), 0);
        assert_eq!(skipped.hash_of("cart"), kept.hash_of("cart"));
        assert_eq!(skipped.hashes().collect::<Vec<_>>(), kept.hashes().collect::<Vec<_>>());
        // Hashing again: the first write reports the hash it started from.
        skipped.keep_hashes(true);
        let before = kept.hash_of("cart");
        let out = skipped.put(&key, v("CART", &[(0, 2), (1, 1), (2, 1)]), V);
        kept.put(&key, v("CART", &[(0, 2), (1, 1), (2, 1)]), V);
        assert_eq!((out.old_hash, out.new_hash), (before, kept.hash_of("cart")));
        assert_eq!(skipped.remove("cart").map(|(_, h)| h), Some(kept.hash_of("cart")));
    }

    #[test]
    fn older_or_equal_version_changes_nothing() {
        let mut store = Store::new();
        let key: Key = "cart".into();
        store.put(&key, v("CART", &[(0, 2)]), V);
        assert!(!store.put(&key, v("CAR", &[(0, 1)]), V).stored);
        assert!(!store.put(&key, v("CART", &[(0, 2)]), V).stored);
        assert_eq!(store.versions("cart").len(), 1);
    }

    #[test]
    fn concurrent_versions_become_siblings_and_a_merge_resolves_them() {
        let mut store = Store::new();
        let key: Key = "cart".into();
        store.put(&key, v("CART", &[(0, 2)]), V);
        store.put(&key, v("CARM", &[(0, 2), (1, 1)]), V);
        let out = store.put(&key, v("CARR", &[(0, 2), (2, 1)]), V);
        assert_eq!(out.siblings, 2);
        assert!(out.removed.is_empty(), "a concurrent version is never dropped");
        assert_eq!(store.keys_with_siblings(), 1);
        let out = store.put(&key, v("CARMR", &[(0, 3), (1, 1), (2, 1)]), V);
        assert_eq!(out.removed.len(), 2);
        assert_eq!(store.keys_with_siblings(), 0);
        assert_eq!(store.versions("cart"), &[v("CARMR", &[(0, 3), (1, 1), (2, 1)])]);
    }

    #[test]
    fn remove_updates_the_sibling_count() {
        let mut store = Store::new();
        let key: Key = "k".into();
        store.put(&key, v("a", &[(0, 1)]), V);
        store.put(&key, v("b", &[(1, 1)]), V);
        assert_eq!(store.keys_with_siblings(), 1);
        let hash = store.hash_of("k");
        assert_ne!(hash, 0);
        assert_eq!(store.remove("k").map(|(s, h)| (s.len(), h)), Some((2, hash)));
        assert_eq!(store.hash_of("k"), 0);
        assert_eq!(store.keys_with_siblings(), 0);
        assert!(store.is_empty());
    }
}
