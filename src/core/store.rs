//! A node's durable storage: for each key, the versions it holds.
//!
//! Storing a version follows one rule (the contract): every stored
//! version whose clock the new one descends from is removed, a new version
//! that is already covered by a stored one changes nothing, and concurrent
//! versions stay side by side as siblings. A concurrent version is never
//! dropped.

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::version::{Key, Siblings, Version};

/// What storing one version did.
#[derive(Debug, Default)]
pub struct StoreOutcome {
    /// The new version was kept (it was not already covered).
    pub stored: bool,
    /// Stored versions it made obsolete.
    pub removed: SmallVec<[Version; 1]>,
    /// How many versions the key holds now.
    pub siblings: usize,
}

/// Key → versions, with a running count of keys that hold siblings.
#[derive(Clone, Debug, Default)]
pub struct Store {
    map: FxHashMap<Key, Siblings>,
    keys_with_siblings: usize,
}

impl Store {
    pub fn new() -> Self {
        Store::default()
    }

    /// The versions stored for `key` (empty when none).
    pub fn versions(&self, key: &str) -> &[Version] {
        self.map.get(key).map_or(&[], |s| s.as_slice())
    }

    /// Stores one version by the superseding rule.
    pub fn put(&mut self, key: &Key, version: Version) -> StoreOutcome {
        let held = match self.map.get_mut(&**key) {
            Some(held) => held,
            None => {
                self.map.insert(key.clone(), smallvec::smallvec![version]);
                return StoreOutcome {
                    stored: true,
                    removed: SmallVec::new(),
                    siblings: 1,
                };
            }
        };
        let before = held.len();
        if held.iter().any(|h| h.supersedes(&version)) {
            return StoreOutcome {
                stored: false,
                removed: SmallVec::new(),
                siblings: before,
            };
        }
        let mut removed = SmallVec::new();
        let mut i = 0;
        while i < held.len() {
            if version.supersedes(&held[i]) {
                removed.push(held.swap_remove(i));
            } else {
                i += 1;
            }
        }
        held.push(version);
        // Keep a canonical order so that equal replicas print alike.
        crate::core::version::sort_canonically(held);
        let after = held.len();
        self.count_siblings(before, after);
        StoreOutcome {
            stored: true,
            removed,
            siblings: after,
        }
    }

    /// Stores several versions (a repair or a transfer). Returns true when
    /// anything changed.
    pub fn merge(&mut self, key: &Key, versions: &[Version]) -> bool {
        let mut changed = false;
        for v in versions {
            changed |= self.put(key, v.clone()).stored;
        }
        changed
    }

    /// Removes a key entirely (after a range moved away).
    pub fn remove(&mut self, key: &str) -> Option<Siblings> {
        let held = self.map.remove(key)?;
        self.count_siblings(held.len(), 0);
        Some(held)
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
        self.map.iter()
    }

    /// Every key and its versions, sorted by key.
    pub fn sorted(&self) -> Vec<(&Key, &Siblings)> {
        let mut all: Vec<_> = self.map.iter().collect();
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

    fn v(value: &str, pairs: &[(u16, u32)]) -> Version {
        Version::new(value, VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c))))
    }

    #[test]
    fn newer_version_replaces_older() {
        let mut store = Store::new();
        let key: Key = "cart".into();
        assert!(store.put(&key, v("CAR", &[(0, 1)])).stored);
        let out = store.put(&key, v("CART", &[(0, 2)]));
        assert!(out.stored);
        assert_eq!(out.removed.len(), 1);
        assert_eq!(store.versions("cart"), &[v("CART", &[(0, 2)])]);
    }

    #[test]
    fn older_or_equal_version_changes_nothing() {
        let mut store = Store::new();
        let key: Key = "cart".into();
        store.put(&key, v("CART", &[(0, 2)]));
        assert!(!store.put(&key, v("CAR", &[(0, 1)])).stored);
        assert!(!store.put(&key, v("CART", &[(0, 2)])).stored);
        assert_eq!(store.versions("cart").len(), 1);
    }

    #[test]
    fn concurrent_versions_become_siblings_and_a_merge_resolves_them() {
        let mut store = Store::new();
        let key: Key = "cart".into();
        store.put(&key, v("CART", &[(0, 2)]));
        store.put(&key, v("CARM", &[(0, 2), (1, 1)]));
        let out = store.put(&key, v("CARR", &[(0, 2), (2, 1)]));
        assert_eq!(out.siblings, 2);
        assert!(out.removed.is_empty(), "a concurrent version is never dropped");
        assert_eq!(store.keys_with_siblings(), 1);
        let out = store.put(&key, v("CARMR", &[(0, 3), (1, 1), (2, 1)]));
        assert_eq!(out.removed.len(), 2);
        assert_eq!(store.keys_with_siblings(), 0);
        assert_eq!(store.versions("cart"), &[v("CARMR", &[(0, 3), (1, 1), (2, 1)])]);
    }

    #[test]
    fn remove_updates_the_sibling_count() {
        let mut store = Store::new();
        let key: Key = "k".into();
        store.put(&key, v("a", &[(0, 1)]));
        store.put(&key, v("b", &[(1, 1)]));
        assert_eq!(store.keys_with_siblings(), 1);
        assert_eq!(store.remove("k").map(|s| s.len()), Some(2));
        assert_eq!(store.keys_with_siblings(), 0);
        assert!(store.is_empty());
    }
}
