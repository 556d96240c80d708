//! The key inspector's model: the keys seen so far, the selected one, its
//! replicas as the engine last reported them, and the last get or put on
//! each key. The replicas are asked for only when the selection changes or
//! the trace says something changed for the key, never every frame.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::core::clock::VClock;
use crate::core::ids::{ClientId, NodeId, OpId};
use crate::core::message::Outcome;
use crate::core::ring::Ring;
use crate::core::time::{Dur, Time};
use crate::core::trace::{ClusterChange, Event};
use crate::core::version::{ClockMode, Key, Value, Version, covers, reconcile};
use crate::engine::ReplicaView;

use super::resolve::union_of_items;
use crate::engine::Engine;

use super::mirror::{Mirror, RefreshContext};

/// Keys remembered (for the inspector's list and completion).
pub const KEYS_CAP: usize = 1_000;

/// A finished get or put, as the inspector shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct LastOp {
    pub op: OpId,
    pub client: ClientId,
    pub put: bool,
    /// The value a put wrote.
    pub value: Option<Value>,
    /// The context a put carried.
    pub context: Option<VClock>,
    pub coordinator: Option<NodeId>,
    pub outcome: Outcome,
    pub replicas: SmallVec<[NodeId; 4]>,
    pub latency: Dur,
    pub at: Time,
}

impl LastOp {
    /// The siblings a get returned, when there are several.
    pub fn siblings(&self) -> Option<&[Version]> {
        match &self.outcome {
            Outcome::Get { versions, failure, .. } if versions.len() > 1 && failure.is_none() => Some(versions),
            _ => None,
        }
    }
}

/// One replica's row in the inspector.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaRow {
    pub node: NodeId,
    pub alive: bool,
    /// Its place in the key's preference list (from 1), if it is in it.
    pub rank: Option<usize>,
    pub versions: Vec<Version>,
    /// How its versions stand against the other replicas'.
    pub standing: Standing,
}

/// How one replica's versions of a key stand against every replica's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// It holds every version no other supersedes (or a successor of each).
    Current,
    /// It lacks versions, but none it holds is superseded: what it has is
    /// concurrent with what it lacks (both sides of a partition).
    Concurrent,
    /// Another replica holds a version that supersedes one it holds.
    Stale,
    /// It holds nothing while another replica holds the key.
    Missing,
}

impl Standing {
    /// Judges `held` against the reconciled versions of every replica.
    pub fn of(held: &[Version], frontier: &[Version], mode: ClockMode) -> Standing {
        if covers(held, frontier, mode) {
            Standing::Current
        } else if held.is_empty() {
            Standing::Missing
        } else if held
            .iter()
            .any(|h| frontier.iter().any(|f| f.supersedes(h, mode) && !h.supersedes(f, mode)))
        {
            Standing::Stale
        } else {
            Standing::Concurrent
        }
    }

    /// The inspector's word for it; nothing when current.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Standing::Current => None,
            Standing::Concurrent => Some("concurrent"),
            Standing::Stale => Some("stale"),
            Standing::Missing => Some("missing"),
        }
    }
}

/// How the selected key's siblings can be resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    pub key: Key,
    /// The client whose get returned the siblings: its put carries the get's context.
    pub client: ClientId,
    pub values: Vec<Value>,
    /// The union of the siblings' items.
    pub merged: String,
}

#[derive(Clone, Debug, Default)]
pub struct Inspector {
    keys: BTreeSet<Key>,
    last: FxHashMap<Key, LastOp>,
    selected: Option<Key>,
    rows: Vec<ReplicaRow>,
    dirty: bool,
}

impl Inspector {
    pub fn clear(&mut self) {
        *self = Inspector::default();
    }

    pub fn selected(&self) -> Option<&Key> {
        self.selected.as_ref()
    }

    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.keys.iter()
    }

    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    pub fn rows(&self) -> &[ReplicaRow] {
        &self.rows
    }

    pub fn last_op(&self) -> Option<&LastOp> {
        self.selected.as_ref().and_then(|k| self.last.get(k))
    }

    /// Remembers a key (up to [`KEYS_CAP`]).
    pub fn know(&mut self, key: &Key) {
        if self.keys.len() < KEYS_CAP || self.keys.contains(key) {
            self.keys.insert(key.clone());
        }
    }

    pub fn select(&mut self, key: Key) {
        self.know(&key);
        if self.selected.as_ref() != Some(&key) {
            self.selected = Some(key);
            self.rows.clear();
            self.dirty = true;
        }
    }

    /// Selects the key `delta` places away in the sorted list.
    pub fn select_by(&mut self, delta: isize) {
        if self.keys.is_empty() {
            return;
        }
        let keys: Vec<&Key> = self.keys.iter().collect();
        let at = self
            .selected
            .as_ref()
            .and_then(|s| keys.iter().position(|k| *k == s))
            .map_or(0, |i| (i as isize + delta).clamp(0, keys.len() as isize - 1) as usize);
        let key = keys[at].clone();
        self.select(key);
    }

    /// The key whose replicas must be asked for again, if any.
    pub(crate) fn wants_refresh(&self) -> Option<&Key> {
        self.selected.as_ref().filter(|_| self.dirty)
    }

    /// Takes the engine's answer for the selected key.
    fn set_view(&mut self, key: &Key, view: Vec<ReplicaView>, ring: &Ring, replicas: usize, mode: ClockMode) {
        if self.selected.as_ref() != Some(key) {
            return;
        }
        self.dirty = false;
        let prefs = ring.preference_list(key, replicas);
        let frontier = reconcile(view.iter().flat_map(|r| r.versions.iter()), mode);
        let mut rows: Vec<ReplicaRow> = Vec::new();
        for (i, &node) in prefs.iter().enumerate() {
            if let Some(r) = view.iter().find(|r| r.node == node) {
                rows.push(row(r, Some(i + 1), &frontier, mode));
            }
        }
        for r in &view {
            if !prefs.contains(&r.node) && !r.versions.is_empty() {
                rows.push(row(r, None, &frontier, mode));
            }
        }
        self.rows = rows;
    }

    /// Records a finished operation.
    pub fn record(&mut self, key: &Key, op: LastOp) {
        self.know(key);
        if self.keys.contains(key) {
            self.last.insert(key.clone(), op);
        }
    }

    /// The resolution on offer: the last operation on the selected key was
    /// a get that returned siblings.
    pub fn resolution(&self) -> Option<Resolution> {
        let key = self.selected.as_ref()?;
        let last = self.last.get(key)?;
        let siblings = last.siblings()?;
        let values: Vec<Value> = siblings.iter().map(|v| v.value.clone()).collect();
        Some(Resolution {
            key: key.clone(),
            client: last.client,
            merged: union_of_items(values.iter().map(|v| &**v)),
            values,
        })
    }
}

impl Mirror for Inspector {
    /// Takes in a trace event: notes keys, selects the key of a new
    /// operation, and marks the view stale when the key changed.
    fn observe(&mut self, event: &Event) {
        match event {
            Event::OpStarted { key, .. } => self.select(key.clone()),
            Event::Stored { key, .. } => {
                self.know(key);
                if self.selected.as_ref() == Some(key) {
                    self.dirty = true;
                }
            }
            Event::ClusterChange(ClusterChange::Kill(_) | ClusterChange::Revive(_)) => self.dirty = true,
            _ => {}
        }
    }

    /// Asks for the selected key's replicas when the selection or the
    /// trace changed them (never throttled: it is one query).
    async fn refresh(&mut self, engine: &mut Engine, _context: &RefreshContext) {
        if let Some(key) = self.wants_refresh().cloned() {
            let mut view = engine.key_view(&key).await;
            // A node that left holds nothing the cluster can read.
            view.retain(|r| !engine.status(r.node).left);
            let replicas = engine.settings().replicas;
            let mode = engine.settings().clocks;
            self.set_view(&key, view, engine.ring(), replicas, mode);
        }
    }
}

fn row(r: &ReplicaView, rank: Option<usize>, frontier: &[Version], mode: ClockMode) -> ReplicaRow {
    ReplicaRow {
        node: r.node,
        alive: r.alive,
        rank,
        versions: r.versions.clone(),
        standing: Standing::of(&r.versions, frontier, mode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Key {
        Key::from(k)
    }

    fn v(value: &str, pairs: &[(u16, u32)]) -> Version {
        Version::new(value, VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c))))
    }

    fn ring() -> Ring {
        Ring::new([
            (NodeId(0), vec![1 << 62]),
            (NodeId(1), vec![2 << 62]),
            (NodeId(2), vec![3 << 62]),
            (NodeId(3), vec![0]),
        ])
    }

    fn get_op(versions: Vec<Version>) -> LastOp {
        LastOp {
            op: OpId(1),
            client: ClientId(2),
            put: false,
            value: None,
            context: None,
            coordinator: Some(NodeId(0)),
            outcome: Outcome::Get {
                context: crate::core::version::merged_clock(&versions),
                versions,
                failure: None,
            },
            replicas: SmallVec::new(),
            latency: Dur(1),
            at: Time(1),
        }
    }

    #[test]
    fn an_operation_selects_its_key_and_stores_mark_it_stale() {
        let mut i = Inspector::default();
        assert!(i.wants_refresh().is_none());
        i.observe(&Event::OpStarted {
            op: OpId(1),
            client: ClientId(0),
            key: key("cart"),
            value: None,
            via: None,
        });
        assert_eq!(i.wants_refresh().map(|k| &**k), Some("cart"));
        i.set_view(&key("cart"), Vec::new(), &ring(), 3, ClockMode::Vector);
        assert!(i.wants_refresh().is_none());
        i.observe(&Event::Stored {
            node: NodeId(1),
            key: key("other"),
            version: Box::new(v("x", &[(1, 1)])),
            siblings: 1,
            cause: crate::core::trace::StoreCause::Write,
        });
        assert!(i.wants_refresh().is_none(), "another key does not matter");
        assert_eq!(i.key_count(), 2);
        i.observe(&Event::Stored {
            node: NodeId(1),
            key: key("cart"),
            version: Box::new(v("x", &[(1, 1)])),
            siblings: 1,
            cause: crate::core::trace::StoreCause::Write,
        });
        assert!(i.wants_refresh().is_some());
    }

    #[test]
    fn rows_follow_the_preference_list_and_mark_stale_replicas() {
        let mut i = Inspector::default();
        let k = key("cart");
        i.select(k.clone());
        let r = ring();
        let prefs = r.preference_list("cart", 3);
        let carm = v("CARM", &[(0, 2), (1, 1)]);
        let carr = v("CARR", &[(0, 2), (2, 1)]);
        let cart = v("CART", &[(0, 2)]);
        let view: Vec<ReplicaView> = (0..4u16)
            .map(|n| ReplicaView {
                node: NodeId(n),
                alive: n != 0,
                versions: match n {
                    0 => vec![cart.clone()],
                    1 => vec![carm.clone()],
                    2 => vec![carr.clone()],
                    _ => vec![carm.clone(), carr.clone()],
                },
            })
            .collect();
        i.set_view(&k, view, &r, 3, ClockMode::Vector);
        let rows = i.rows();
        assert_eq!(rows.iter().take(3).map(|r| r.node).collect::<Vec<_>>(), prefs.to_vec());
        assert_eq!(rows.len(), 4, "a node outside the list that holds the key is shown too");
        assert_eq!(rows[3].rank, None);
        let by = |n: u16| rows.iter().find(|r| r.node == NodeId(n)).unwrap();
        assert_eq!(by(0).standing, Standing::Stale, "CART is superseded by CARM and CARR");
        assert!(!by(0).alive);
        assert_eq!(
            by(1).standing,
            Standing::Concurrent,
            "it lacks CARR, concurrent with its CARM"
        );
        assert_eq!(by(2).standing, Standing::Concurrent);
        assert_eq!(by(3).standing, Standing::Current, "it holds both siblings");
        assert_eq!(
            Standing::of(&[], std::slice::from_ref(&carm), ClockMode::Vector),
            Standing::Missing
        );
        assert_eq!(
            Standing::of(&[cart.clone(), carr.clone()], &[carm, carr], ClockMode::Vector),
            Standing::Stale,
            "one of its versions is superseded"
        );
    }

    #[test]
    fn a_get_with_siblings_offers_a_resolution_by_its_client() {
        let mut i = Inspector::default();
        let k = key("cart");
        i.select(k.clone());
        assert!(i.resolution().is_none());
        i.record(
            &k,
            get_op(vec![v("CARM", &[(0, 2), (1, 1)]), v("CARR", &[(0, 2), (2, 1)])]),
        );
        let r = i.resolution().unwrap();
        assert_eq!(r.client, ClientId(2));
        assert_eq!(r.merged, "CARMR");
        assert_eq!(r.values.len(), 2);
        i.record(&k, get_op(vec![v("CARMR", &[(0, 3), (1, 1), (2, 1)])]));
        assert!(i.resolution().is_none(), "one value: nothing to resolve");
    }

    #[test]
    fn arrows_walk_the_sorted_keys() {
        let mut i = Inspector::default();
        i.select_by(1);
        assert!(i.selected().is_none());
        for k in ["b", "a", "c"] {
            i.know(&key(k));
        }
        i.select_by(1);
        assert_eq!(i.selected().map(|k| &**k), Some("a"));
        i.select_by(1);
        i.select_by(5);
        assert_eq!(i.selected().map(|k| &**k), Some("c"));
        i.select_by(-1);
        assert_eq!(i.selected().map(|k| &**k), Some("b"));
    }

    #[test]
    fn keys_are_capped() {
        let mut i = Inspector::default();
        for n in 0..KEYS_CAP + 5 {
            i.know(&key(&format!("k{n}")));
        }
        assert_eq!(i.key_count(), KEYS_CAP);
    }
}
