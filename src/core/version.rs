//! Versions: a value tagged with the clock that says where it came from, and
//! the rules for which versions survive when several meet.

use std::fmt;
use std::sync::Arc;

use smallvec::SmallVec;

use super::clock::{Causality, VClock};
use super::ids::Names;

/// A key of the store. Shared, so copying a key into a message or a trace
/// event costs a reference count, not an allocation.
pub type Key = Arc<str>;

/// A stored value. Shared like [`Key`].
pub type Value = Arc<str>;

/// The versions one replica holds for one key: usually one, several when
/// concurrent writes left siblings.
pub type Siblings = SmallVec<[Version; 1]>;

/// One value with its causal history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    pub value: Value,
    pub clock: VClock,
}

impl Version {
    pub fn new(value: impl Into<Value>, clock: VClock) -> Self {
        Version {
            value: value.into(),
            clock,
        }
    }

    /// True when this version makes `other` obsolete: its clock descends from
    /// (dominates or equals) the other's.
    pub fn supersedes(&self, other: &Version) -> bool {
        self.clock.descends(&other.clock)
    }

    /// Shows the version as `CART {s1:2, s2:1}`.
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
        write!(f, "{} {}", self.version.value, self.version.clock.display(self.names))
    }
}

/// The frontier of a set of versions: every version that no other version
/// descends from, each clock once, in a canonical order (by clock entries,
/// then value). This is what a get returns and what read repair writes back.
pub fn reconcile<'a>(versions: impl IntoIterator<Item = &'a Version>) -> Vec<Version> {
    let mut out = Siblings::new();
    for v in versions {
        absorb(&mut out, v);
    }
    let mut out = out.into_vec();
    sort_canonically(&mut out);
    out
}

/// Adds `v` to a frontier in place: drops it when a held version descends
/// from it, otherwise removes what it descends from and keeps it.
/// Returns true when the frontier changed.
pub fn absorb(frontier: &mut Siblings, v: &Version) -> bool {
    if frontier.iter().any(|h| h.supersedes(v)) {
        return false;
    }
    frontier.retain(|h| !v.supersedes(h));
    frontier.push(v.clone());
    true
}

/// True when `held` already contains everything in `wanted`: merging
/// `wanted` into it would change nothing.
pub fn covers(held: &[Version], wanted: &[Version]) -> bool {
    wanted.iter().all(|w| held.iter().any(|h| h.supersedes(w)))
}

/// Sorts versions so that equal sets print and compare the same way.
pub fn sort_canonically(versions: &mut [Version]) {
    versions.sort_by(|a, b| a.clock.iter().cmp(b.clock.iter()).then_with(|| a.value.cmp(&b.value)));
}

/// The merge of every clock: the context a client sends back to resolve them.
pub fn merged_clock<'a>(versions: impl IntoIterator<Item = &'a Version>) -> VClock {
    let mut clock = VClock::new();
    for v in versions {
        clock.merge_in(&v.clock);
    }
    clock
}

/// True when two versions are concurrent (siblings of each other).
pub fn concurrent(a: &Version, b: &Version) -> bool {
    a.clock.compare(&b.clock) == Causality::Concurrent
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::NodeId;

    fn v(value: &str, pairs: &[(u16, u32)]) -> Version {
        Version::new(value, VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c))))
    }

    #[test]
    fn reconcile_keeps_only_the_frontier() {
        let car = v("CAR", &[(0, 1)]);
        let cart = v("CART", &[(0, 2)]);
        let carm = v("CARM", &[(0, 2), (1, 1)]);
        let carr = v("CARR", &[(0, 2), (2, 1)]);
        let got = reconcile([&car, &cart, &carm, &carr, &carm]);
        assert_eq!(got, vec![carm.clone(), carr.clone()]);
        assert_eq!(
            merged_clock(&got),
            VClock::from_pairs([(NodeId(0), 2), (NodeId(1), 1), (NodeId(2), 1)])
        );
        assert!(concurrent(&carm, &carr));
    }

    #[test]
    fn covers_means_nothing_to_add() {
        let cart = v("CART", &[(0, 2)]);
        let carm = v("CARM", &[(0, 2), (1, 1)]);
        let carr = v("CARR", &[(0, 2), (2, 1)]);
        assert!(covers(&[carm.clone(), carr.clone()], std::slice::from_ref(&cart)));
        assert!(!covers(std::slice::from_ref(&cart), std::slice::from_ref(&carm)));
        assert!(!covers(std::slice::from_ref(&carm), &[carm.clone(), carr.clone()]));
        assert!(covers(&[], &[]));
    }

    #[test]
    fn absorb_reports_change() {
        let mut f: Siblings = smallvec::smallvec![v("CART", &[(0, 2)])];
        assert!(!absorb(&mut f, &v("CAR", &[(0, 1)])));
        assert!(absorb(&mut f, &v("CARM", &[(0, 2), (1, 1)])));
        assert_eq!(f.len(), 1);
        assert!(absorb(&mut f, &v("CARR", &[(0, 2), (2, 1)])));
        assert_eq!(f.len(), 2);
    }
}
