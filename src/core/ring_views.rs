//! The ring views of one cluster, each held once: when a join or leave
//! changes the ring, every node rebuilds its view from its membership list,
//! and a node whose rebuilt ring equals one another node already holds
//! adopts that one ([`crate::core::ring::Ring::adopt`]). A thousand nodes of
//! 64 tokens then hold one ring of 64,000 tokens and its preference lists
//! between them, not one each.
//!
//! The set belongs to the rings themselves (every ring derived from a
//! cluster's starting ring carries a handle to the same set), not to a
//! global: two engines in one process share nothing. It keeps weak
//! references only, so a ring no node holds any more is freed. Sharing
//! changes no behaviour: a node adopts only a ring equal to the one it built.

//!
//! It is generic over what it holds so that it knows nothing of the ring's
//! insides (and the ring's file and this one do not import each other).

use std::sync::{Arc, Mutex, Weak};

/// The distinct rings the nodes of one cluster hold (weakly).
pub struct RingViews<Ring> {
    rings: Mutex<Vec<Weak<Ring>>>,
}

impl<Ring> Default for RingViews<Ring> {
    fn default() -> Self {
        RingViews {
            rings: Mutex::new(Vec::new()),
        }
    }
}

impl<Ring> std::fmt::Debug for RingViews<Ring> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RingViews")
    }
}

impl<Ring: PartialEq> RingViews<Ring> {
    /// The held ring equal to `ring`, or `ring` itself, now held.
    pub fn intern(&self, ring: Ring) -> Arc<Ring> {
        let mut rings = self.rings.lock().unwrap_or_else(|e| e.into_inner());
        rings.retain(|w| w.strong_count() > 0);
        if let Some(same) = rings.iter().filter_map(Weak::upgrade).find(|r| **r == ring) {
            return same;
        }
        let ring = Arc::new(ring);
        rings.push(Arc::downgrade(&ring));
        ring
    }

    /// How many distinct rings are held.
    pub fn len(&self) -> usize {
        let rings = self.rings.lock().unwrap_or_else(|e| e.into_inner());
        rings.iter().filter(|w| w.strong_count() > 0).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
