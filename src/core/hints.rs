//! Hinted handoff's storage: versions a node keeps for someone else.
//!
//! When a replica is down, sloppy quorum hands its copy to the next healthy
//! node on the ring together with a hint naming the intended owner. The
//! stand-in keeps such versions apart from its own replicas, survives a
//! restart with them (they are on its disk) and hands them back when the
//! owner answers again. A hint is deleted only when the owner acknowledged
//! it, and then only the versions the owner acknowledged.

use std::collections::BTreeMap;

use super::ids::NodeId;
use super::version::{ClockMode, Key, Siblings, Version, absorb};

/// What keeping one hinted version did.
#[derive(Debug, Default)]
pub struct HintOutcome {
    /// The version was kept (no hinted version already covered it).
    pub stored: bool,
    /// Hinted versions it made obsolete.
    pub removed: Siblings,
    /// When it was not kept: the hinted version that covers it.
    pub superseded_by: Option<Version>,
}

/// Hinted versions by (owner, key), in a deterministic order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HintStore {
    map: BTreeMap<(NodeId, Key), Siblings>,
}

impl HintStore {
    pub fn new() -> Self {
        HintStore::default()
    }

    /// Keeps `version` for `owner`, by the same superseding rule as the
    /// store, and says what that did: like a replica's store, a stand-in's
    /// can drop a version that a later write's clock covers.
    pub fn add(&mut self, owner: NodeId, key: &Key, version: &Version, mode: ClockMode) -> HintOutcome {
        let held = self.map.entry((owner, key.clone())).or_default();
        if let Some(by) = held.iter().find(|h| h.supersedes(version, mode)) {
            return HintOutcome {
                stored: false,
                removed: Siblings::new(),
                superseded_by: Some(by.clone()),
            };
        }
        let removed = held.iter().filter(|h| version.supersedes(h, mode)).cloned().collect();
        let stored = absorb(held, version, mode);
        HintOutcome {
            stored,
            removed,
            superseded_by: None,
        }
    }

    /// How many (owner, key) hints are held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// How many keys are held for `owner`.
    pub fn count_for(&self, owner: NodeId) -> usize {
        self.map
            .range((owner, Key::from(""))..)
            .take_while(|((o, _), _)| *o == owner)
            .count()
    }

    /// The owners hints are held for, in node order, with their counts.
    pub fn owners(&self) -> Vec<(NodeId, usize)> {
        let mut out: Vec<(NodeId, usize)> = Vec::new();
        for (owner, _) in self.map.keys() {
            match out.last_mut() {
                Some((o, n)) if o == owner => *n += 1,
                _ => out.push((*owner, 1)),
            }
        }
        out
    }

    /// Up to `max` hinted keys for `owner`, with their versions.
    pub fn batch_for(&self, owner: NodeId, max: usize) -> Vec<(Key, Vec<Version>)> {
        self.map
            .range((owner, Key::from(""))..)
            .take_while(|((o, _), _)| *o == owner)
            .take(max)
            .map(|((_, k), v)| (k.clone(), v.to_vec()))
            .collect()
    }

    /// Every hinted version of `key`, whoever it is for (a stand-in answers
    /// reads with them so that sloppy reads see sloppy writes).
    pub fn versions_of(&self, key: &str) -> Vec<(NodeId, Version)> {
        self.map
            .iter()
            .filter(|((_, k), _)| &**k == key)
            .flat_map(|((o, _), vs)| vs.iter().map(move |v| (*o, v.clone())))
            .collect()
    }

    /// The owner acknowledged `acked` for `key`: forgets every hinted
    /// version of it that an acknowledged version supersedes. Returns true
    /// when the hint for (owner, key) is gone.
    pub fn acknowledge(&mut self, owner: NodeId, key: &Key, acked: &[Version], mode: ClockMode) -> bool {
        let slot = (owner, key.clone());
        let Some(held) = self.map.get_mut(&slot) else {
            return false;
        };
        held.retain(|h| !acked.iter().any(|a| a.supersedes(h, mode)));
        if held.is_empty() {
            self.map.remove(&slot);
            true
        } else {
            false
        }
    }

    /// Every hint, for inspection.
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, &Key, &Siblings)> {
        self.map.iter().map(|((o, k), v)| (*o, k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::VClock;

    const V: ClockMode = ClockMode::Vector;

    fn v(value: &str, pairs: &[(u16, u32)]) -> Version {
        Version::new(value, VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c))))
    }

    #[test]
    fn hints_are_kept_per_owner_and_key() {
        let mut h = HintStore::new();
        let (a, b) = (NodeId(0), NodeId(1));
        let cart: Key = "cart".into();
        let book: Key = "book".into();
        assert!(h.add(a, &cart, &v("CAR", &[(2, 1)]), V).stored);
        assert!(h.add(a, &book, &v("B", &[(2, 1)]), V).stored);
        assert!(h.add(b, &cart, &v("CAR", &[(2, 1)]), V).stored);
        assert!(
            !h.add(a, &cart, &v("CAR", &[(2, 1)]), V).stored,
            "the same version twice is one hint"
        );
        assert_eq!(h.len(), 3);
        assert_eq!(h.count_for(a), 2);
        assert_eq!(h.owners(), vec![(a, 2), (b, 1)]);
        assert_eq!(h.batch_for(a, 1).len(), 1);
        assert_eq!(h.versions_of("cart").len(), 2);
    }

    #[test]
    fn adding_says_what_it_replaced_or_what_covers_it() {
        let mut h = HintStore::new();
        let a = NodeId(0);
        let cart: Key = "cart".into();
        h.add(a, &cart, &v("CAR", &[(2, 1)]), V);
        let o = h.add(a, &cart, &v("CART", &[(2, 2)]), V);
        assert!(o.stored);
        assert_eq!(o.removed.iter().map(|r| &*r.value).collect::<Vec<_>>(), ["CAR"]);
        let o = h.add(a, &cart, &v("CAR", &[(2, 1)]), V);
        assert!(!o.stored && o.removed.is_empty());
        assert_eq!(o.superseded_by.map(|b| b.value.to_string()), Some("CART".to_string()));
    }

    #[test]
    fn only_acknowledged_versions_are_forgotten() {
        let mut h = HintStore::new();
        let a = NodeId(0);
        let cart: Key = "cart".into();
        h.add(a, &cart, &v("CAR", &[(2, 1)]), V);
        // A newer hint arrives while the first is being handed off.
        h.add(a, &cart, &v("CART", &[(2, 2)]), V);
        assert_eq!(h.len(), 1);
        assert!(
            !h.acknowledge(a, &cart, &[v("CAR", &[(2, 1)])], V),
            "CART was not acknowledged"
        );
        assert_eq!(h.versions_of("cart").len(), 1);
        assert!(h.acknowledge(a, &cart, &[v("CART", &[(2, 2)])], V));
        assert!(h.is_empty());
        assert!(!h.acknowledge(a, &cart, &[], V), "nothing left to forget");
    }

    #[test]
    fn concurrent_hints_stay_side_by_side() {
        let mut h = HintStore::new();
        let a = NodeId(0);
        let cart: Key = "cart".into();
        h.add(a, &cart, &v("X", &[(1, 1)]), V);
        h.add(a, &cart, &v("Y", &[(2, 1)]), V);
        assert_eq!(h.versions_of("cart").len(), 2);
        assert!(!h.acknowledge(a, &cart, &[v("X", &[(1, 1)])], V));
        assert_eq!(h.versions_of("cart")[0].1.value.as_ref(), "Y");
    }
}
