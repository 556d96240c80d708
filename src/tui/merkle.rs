//! The Merkle pane's model: for the selected key's range, the top levels of
//! each replica's tree, and the anti-entropy sessions seen on each range,
//! level by level, from the trace.
//!
//! Trees live inside the nodes, so they are asked for only when the
//! selection changes or the trace says a replica's tree for the range
//! changed (a store of a key in the range, a ring change, a crash or a
//! restart), and only while the pane is shown. Sessions are followed from
//! `MerkleLevel` and `AntiEntropy` events alone, so a descent is drawn as it
//! happens, level by level.

use std::time::Duration;

use rustc_hash::FxHashMap;

use crate::core::ids::NodeId;
use crate::core::message::SyncStats;
use crate::core::node::MerkleTop;
use crate::core::ring::{Ring, TokenRange};
use crate::core::time::{Dur, Time};
use crate::core::trace::{ClusterChange, Event};
use crate::core::version::Key;
use crate::engine::Engine;

use super::mirror::{Mirror, RefreshContext};
use super::throttle::Throttle;
use super::view::DetailView;

/// Trees are asked for at most this often (real time) while frames run.
const TREES_EVERY: Duration = Duration::from_millis(100);
/// Replicas whose trees the Merkle pane shows at most.
const TREES_CAP: usize = 8;

/// Tree levels the pane shows at most (4 levels: 15 tree nodes).
pub const LEVELS: u8 = 4;
/// Ranges whose last session is remembered; past it the memory starts over.
const RANGES_CAP: usize = 4_096;
/// Levels one session records at most (deeper trees are not allowed).
const STEPS_CAP: usize = 64;

/// One replica's tree for the range.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaTree {
    pub node: NodeId,
    pub alive: bool,
    /// `None` when the node does not replicate the range as it sees the ring.
    pub top: Option<MerkleTop>,
}

/// One level of a session's descent: the tree nodes compared and those
/// that differed (indices within the level).
#[derive(Clone, Debug, PartialEq)]
pub struct LevelStep {
    pub level: u8,
    pub compared: u32,
    pub differing: Vec<u32>,
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SessionEnd {
    pub stats: SyncStats,
    pub duration: Dur,
    /// The replicas saw the range differently: nothing was compared.
    pub skipped: bool,
}

/// One anti-entropy session on a range, as far as the trace told it.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionTrace {
    pub initiator: NodeId,
    pub peer: NodeId,
    /// The initiator's session number (0 when only its end was seen).
    pub session: u64,
    pub range: (u64, u64),
    pub started: Time,
    pub steps: Vec<LevelStep>,
    pub end: Option<SessionEnd>,
    /// When the trace last heard of it (a sequence number): of several
    /// sessions on one range, the pane shows the latest.
    pub touched: u64,
}

impl SessionTrace {
    /// The indices the session found differing at `level`, if it got there.
    pub fn differing_at(&self, level: u8) -> Option<&[u32]> {
        self.steps
            .iter()
            .find(|s| s.level == level)
            .map(|s| s.differing.as_slice())
    }

    /// The deepest level reached so far.
    pub fn level(&self) -> Option<u8> {
        self.steps.iter().map(|s| s.level).max()
    }

    /// Hashes compared so far.
    pub fn compared(&self) -> u32 {
        self.steps.iter().map(|s| s.compared).sum()
    }
}

/// The selected key's range, its replicas' trees, and the sessions seen.
#[derive(Clone, Debug, Default)]
pub struct MerkleModel {
    key: Option<Key>,
    /// The range holding the key, on the cluster's ring.
    range: Option<(u64, u64)>,
    trees: Vec<ReplicaTree>,
    dirty: bool,
    throttle: Throttle,
    /// The last session of each initiator on each range, by range: two
    /// replicas may each run one on the same range at once.
    sessions: FxHashMap<(u64, u64), Vec<SessionTrace>>,
    /// Events about sessions seen so far.
    clock: u64,
    /// The last session on each range that repaired keys, and how many
    /// sessions have ended there since (they found the range equal, or
    /// repaired nothing): a repair stays on screen after the checks that
    /// follow it.
    repairs: FxHashMap<(u64, u64), (SessionTrace, u32)>,
    /// The range of the last session seen anywhere.
    latest: Option<(u64, u64)>,
}

/// The (start, end] range of `ring` that holds `position`.
pub fn range_holding(ring: &Ring, position: u64) -> Option<(u64, u64)> {
    if ring.is_empty() {
        return None;
    }
    let r = ring.range_of(ring.owner_index(position));
    Some((r.start, r.end))
}

fn contains(range: (u64, u64), position: u64) -> bool {
    TokenRange {
        start: range.0,
        end: range.1,
    }
    .contains(position)
}

impl MerkleModel {
    pub fn clear(&mut self) {
        *self = MerkleModel::default();
    }

    pub fn key(&self) -> Option<&Key> {
        self.key.as_ref()
    }

    pub fn range(&self) -> Option<(u64, u64)> {
        self.range
    }

    pub fn trees(&self) -> &[ReplicaTree] {
        &self.trees
    }

    /// Follows the selected key; returns true when it is new (the trees
    /// must be asked for).
    fn follow(&mut self, key: Option<&Key>, ring: &Ring) -> bool {
        let range = key.and_then(|k| range_holding(ring, Ring::position(k)));
        if self.key.as_ref() != key || self.range != range {
            self.key = key.cloned();
            self.range = range;
            self.trees.clear();
            self.dirty = true;
        }
        self.dirty && self.key.is_some()
    }

    /// Takes the engine's answer: each replica's tree, in preference order.
    fn set_trees(&mut self, trees: Vec<ReplicaTree>) {
        self.trees = trees;
        self.dirty = false;
    }

    /// Notes activity on `range`; returns its sequence number.
    fn tick(&mut self, range: (u64, u64)) -> u64 {
        if self.sessions.len() >= RANGES_CAP && !self.sessions.contains_key(&range) {
            self.sessions.clear();
            self.repairs.clear();
        }
        self.latest = Some(range);
        self.clock += 1;
        self.clock
    }

    fn newest(&self, range: (u64, u64)) -> Option<&SessionTrace> {
        self.sessions.get(&range)?.iter().max_by_key(|t| t.touched)
    }

    /// True when the trees must be asked for again.
    fn wants_refresh(&self) -> bool {
        self.dirty && self.key.is_some()
    }

    /// The session the pane shows for its range: one still running, else
    /// the last that repaired keys, else the last to end.
    pub fn session(&self) -> Option<&SessionTrace> {
        let range = self.range?;
        let newest = self.newest(range);
        if newest.is_some_and(|s| s.end.is_none()) {
            return newest;
        }
        self.repairs.get(&range).map(|(s, _)| s).or(newest)
    }

    /// The session ended last on the shown range, and how many have ended
    /// there since its last repair, when the pane shows that repair instead.
    pub fn since_repair(&self) -> Option<(&SessionTrace, u32)> {
        let range = self.range?;
        let (repair, since) = self.repairs.get(&range)?;
        let newest = self.newest(range)?;
        (*since > 0 && newest.end.is_some() && newest.touched != repair.touched).then_some((newest, *since))
    }

    /// The session seen last, on any range.
    pub fn latest(&self) -> Option<&SessionTrace> {
        self.latest.and_then(|r| self.newest(r))
    }

    /// The two trees to draw side by side (indices into [`Self::trees`]):
    /// the last session's two replicas, else the first replica beside the
    /// first whose tree differs from it, else the first two.
    pub fn pair(&self) -> Option<(usize, Option<usize>)> {
        pick_pair(&self.trees, self.session())
    }
}

impl Mirror for MerkleModel {
    /// Takes in a trace event: follows sessions, and marks the trees stale
    /// when a replica's tree for the shown range may have changed.
    fn observe(&mut self, event: &Event) {
        match event {
            Event::Stored { node, key, .. } => {
                if let Some(range) = self.range
                    && self.trees.iter().any(|t| t.node == *node)
                    && contains(range, Ring::position(key))
                {
                    self.dirty = true;
                }
            }
            Event::ViewChanged { .. }
            | Event::ClusterChange(
                ClusterChange::Kill(_)
                | ClusterChange::Revive(_)
                | ClusterChange::Join(_)
                | ClusterChange::Leave(_)
                | ClusterChange::Set(_),
            ) => self.dirty = true,
            Event::MerkleLevel {
                node,
                peer,
                initiator,
                session,
                range,
                level,
                compared,
                differing,
            } => {
                let other = if node == initiator { *peer } else { *node };
                let touched = self.tick(*range);
                let traces = self.sessions.entry(*range).or_default();
                let fresh = SessionTrace {
                    initiator: *initiator,
                    peer: other,
                    session: *session,
                    range: *range,
                    started: Time::ZERO,
                    steps: Vec::new(),
                    end: None,
                    touched,
                };
                let trace = match traces.iter().position(|t| t.initiator == *initiator) {
                    Some(i) => {
                        let t = &mut traces[i];
                        if t.session != *session || (*level == 0 && !t.steps.is_empty()) {
                            *t = fresh;
                        }
                        t
                    }
                    None => {
                        traces.push(fresh);
                        traces.last_mut().expect("just pushed")
                    }
                };
                trace.touched = touched;
                if trace.steps.len() < STEPS_CAP {
                    trace.steps.push(LevelStep {
                        level: *level,
                        compared: *compared,
                        differing: differing.clone(),
                    });
                }
            }
            Event::AntiEntropy {
                initiator,
                peer,
                range,
                stats,
                duration,
                skipped,
            } => {
                let touched = self.tick(*range);
                let end = SessionEnd {
                    stats: *stats,
                    duration: *duration,
                    skipped: *skipped,
                };
                let traces = self.sessions.entry(*range).or_default();
                let ended = match traces
                    .iter_mut()
                    .find(|t| t.initiator == *initiator && t.peer == *peer && t.end.is_none())
                {
                    Some(t) => {
                        t.started = stats.started;
                        t.end = Some(end);
                        t.touched = touched;
                        t.clone()
                    }
                    None => {
                        traces.retain(|t| t.initiator != *initiator);
                        let t = SessionTrace {
                            initiator: *initiator,
                            peer: *peer,
                            session: 0,
                            range: *range,
                            started: stats.started,
                            steps: Vec::new(),
                            end: Some(end),
                            touched,
                        };
                        traces.push(t.clone());
                        t
                    }
                };
                if stats.keys > 0 {
                    self.repairs.insert(*range, (ended, 0));
                } else if let Some((_, since)) = self.repairs.get_mut(range) {
                    *since += 1;
                }
            }
            _ => {}
        }
    }

    /// Follows the inspector's key and asks for its replicas' trees when
    /// the key or the trace changed them, at most once per [`TREES_EVERY`]
    /// unless forced, and only while the pane is shown.
    async fn refresh(&mut self, engine: &mut Engine, context: &RefreshContext) {
        if context.view != DetailView::Merkle {
            return;
        }
        let changed = self.follow(context.key.as_ref(), engine.ring());
        let Some(key) = &context.key else { return };
        if !(changed || self.wants_refresh()) || !self.throttle.ready(context.real_now, TREES_EVERY, context.force) {
            return;
        }
        let replicas: Vec<NodeId> = engine
            .ring()
            .preference_list(key, engine.settings().replicas)
            .iter()
            .copied()
            .take(TREES_CAP)
            .collect();
        let mut trees = Vec::with_capacity(replicas.len());
        for node in replicas {
            let top = engine.merkle_top(node, key, LEVELS).await;
            trees.push(ReplicaTree {
                node,
                alive: engine.is_alive(node),
                top,
            });
        }
        self.set_trees(trees);
    }
}

/// See [`MerkleModel::pair`].
pub fn pick_pair(trees: &[ReplicaTree], session: Option<&SessionTrace>) -> Option<(usize, Option<usize>)> {
    if trees.is_empty() {
        return None;
    }
    let at = |n: NodeId| trees.iter().position(|t| t.node == n);
    if let Some(s) = session
        && let (Some(a), Some(b)) = (at(s.initiator), at(s.peer))
    {
        return Some((a, Some(b)));
    }
    let root = |t: &ReplicaTree| t.top.as_ref().and_then(|m| m.rows.first()?.first().copied());
    let first = root(&trees[0]);
    let other = (1..trees.len())
        .find(|&i| root(&trees[i]) != first)
        .or((trees.len() > 1).then_some(1));
    Some((0, other))
}

/// How a tree node compares between the two trees drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellState {
    /// Both hashes are 0: no key below.
    Empty,
    Equal,
    Differs,
}

/// Whether tree node `index` of `level` differs between `a` and `b`.
pub fn compare(a: Option<&MerkleTop>, b: Option<&MerkleTop>, level: u8, index: usize) -> CellState {
    let hash = |t: Option<&MerkleTop>| {
        t.and_then(|t| t.rows.get(level as usize))
            .and_then(|r| r.get(index))
            .copied()
    };
    match (hash(a), hash(b)) {
        (Some(x), Some(y)) if x == y && x == 0 => CellState::Empty,
        (Some(x), Some(y)) if x == y => CellState::Equal,
        (Some(_), Some(_)) => CellState::Differs,
        (Some(0) | None, None) | (None, Some(0)) => CellState::Empty,
        // Only one tree: nothing to compare it with.
        _ => CellState::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(rows: Vec<Vec<u64>>) -> MerkleTop {
        MerkleTop {
            range: (0, 100),
            depth: 10,
            rows,
        }
    }

    fn tree(node: u16, rows: Vec<Vec<u64>>) -> ReplicaTree {
        ReplicaTree {
            node: NodeId(node),
            alive: true,
            top: Some(top(rows)),
        }
    }

    fn level(initiator: u16, node: u16, peer: u16, session: u64, level: u8, differing: Vec<u32>) -> Event {
        Event::MerkleLevel {
            node: NodeId(node),
            peer: NodeId(peer),
            initiator: NodeId(initiator),
            session,
            range: (0, 100),
            level,
            compared: 1 << level.min(1),
            differing,
        }
    }

    #[test]
    fn cells_differ_where_the_hashes_do() {
        let a = top(vec![vec![7], vec![3, 4], vec![1, 2, 0, 4]]);
        let b = top(vec![vec![8], vec![3, 5], vec![1, 2, 0, 9]]);
        assert_eq!(compare(Some(&a), Some(&b), 0, 0), CellState::Differs);
        assert_eq!(compare(Some(&a), Some(&b), 1, 0), CellState::Equal);
        assert_eq!(compare(Some(&a), Some(&b), 1, 1), CellState::Differs);
        assert_eq!(compare(Some(&a), Some(&b), 2, 2), CellState::Empty);
        assert_eq!(compare(Some(&a), Some(&b), 2, 3), CellState::Differs);
        assert_eq!(
            compare(Some(&a), Some(&b), 3, 0),
            CellState::Empty,
            "beyond the rows drawn"
        );
        assert_eq!(
            compare(Some(&a), None, 1, 1),
            CellState::Equal,
            "one tree alone differs from nothing"
        );
        let empty = top(vec![vec![0], vec![0, 0]]);
        assert_eq!(
            compare(Some(&a), Some(&empty), 0, 0),
            CellState::Differs,
            "a replica that has nothing"
        );
    }

    #[test]
    fn the_pair_follows_the_session_else_the_first_difference() {
        let same = vec![vec![7]];
        let other = vec![vec![9]];
        let trees = vec![tree(0, same.clone()), tree(1, same.clone()), tree(2, other)];
        assert_eq!(pick_pair(&trees, None), Some((0, Some(2))));
        let equal = vec![tree(0, same.clone()), tree(1, same.clone())];
        assert_eq!(pick_pair(&equal, None), Some((0, Some(1))));
        assert_eq!(pick_pair(&equal[..1], None), Some((0, None)));
        assert_eq!(pick_pair(&[], None), None);
        let mut m = MerkleModel::default();
        m.observe(&level(1, 2, 1, 4, 0, vec![0]));
        let s = m.newest((0, 100)).cloned().unwrap();
        assert_eq!((s.initiator, s.peer), (NodeId(1), NodeId(2)));
        assert_eq!(pick_pair(&trees, Some(&s)), Some((1, Some(2))));
    }

    #[test]
    fn a_session_is_followed_level_by_level_to_its_end() {
        let ring = Ring::new([(NodeId(0), vec![100]), (NodeId(1), vec![1 << 63])]);
        let mut m = MerkleModel::default();
        let key: Key = Key::from("cart");
        assert!(m.follow(Some(&key), &ring));
        let range = m.range().unwrap();
        let at = |range, level, differing| Event::MerkleLevel {
            node: NodeId(1),
            peer: NodeId(0),
            initiator: NodeId(0),
            session: 3,
            range,
            level,
            compared: 2,
            differing,
        };
        m.observe(&at(range, 0, vec![0]));
        m.observe(&at(range, 1, vec![1]));
        m.observe(&at((1, 2), 0, vec![]));
        let s = m.session().unwrap();
        assert_eq!(s.level(), Some(1));
        assert_eq!(s.differing_at(1), Some(&[1][..]));
        assert_eq!(s.differing_at(2), None);
        assert_eq!(s.compared(), 4);
        assert_eq!(m.latest().unwrap().range, (1, 2), "the latest session anywhere");
        m.observe(&Event::AntiEntropy {
            initiator: NodeId(0),
            peer: NodeId(1),
            range,
            stats: SyncStats {
                started: Time(10),
                levels: 10,
                compared: 21,
                digests: 2,
                keys: 1,
            },
            duration: Dur::from_millis(40),
            skipped: false,
        });
        let s = m.session().unwrap();
        assert_eq!(s.end.unwrap().stats.keys, 1);
        assert_eq!(s.steps.len(), 2, "the steps stay for the picture");
        m.observe(&at(range, 0, vec![]));
        assert_eq!(
            m.session().unwrap().steps.len(),
            1,
            "a new session on the range starts over"
        );
        assert!(m.session().unwrap().end.is_none());
    }

    #[test]
    fn stores_in_the_range_on_a_shown_replica_make_the_trees_stale() {
        let ring = Ring::new([(NodeId(0), vec![1 << 62]), (NodeId(1), vec![3 << 62])]);
        let mut m = MerkleModel::default();
        let key: Key = Key::from("cart");
        m.follow(Some(&key), &ring);
        m.set_trees(vec![tree(0, vec![vec![1]]), tree(1, vec![vec![1]])]);
        assert!(!m.wants_refresh());
        assert!(!m.follow(Some(&key), &ring), "the same key: nothing to ask");
        let stored = |node: u16, key: &str| Event::Stored {
            node: NodeId(node),
            key: Key::from(key),
            version: Box::new(crate::core::version::Version::new(
                "x",
                crate::core::clock::VClock::default(),
            )),
            siblings: 1,
            cause: crate::core::trace::StoreCause::AntiEntropy,
        };
        let range = m.range().unwrap();
        let outside = (0..1000)
            .map(|i| format!("k{i}"))
            .find(|k| !contains(range, Ring::position(k)))
            .unwrap();
        m.observe(&stored(0, &outside));
        assert!(!m.wants_refresh(), "a key of another range");
        m.observe(&stored(5, "cart"));
        assert!(!m.wants_refresh(), "a node not shown");
        m.observe(&stored(1, "cart"));
        assert!(m.wants_refresh());
    }

    #[test]
    fn two_sessions_on_one_range_do_not_mix() {
        let mut m = MerkleModel::default();
        let range = (0, 100);
        let at = |initiator: u16, peer: u16, level: u8| Event::MerkleLevel {
            node: NodeId(peer),
            peer: NodeId(initiator),
            initiator: NodeId(initiator),
            session: 7,
            range,
            level,
            compared: 1,
            differing: vec![0],
        };
        m.observe(&at(2, 0, 0));
        m.observe(&at(0, 1, 0));
        m.observe(&at(2, 0, 1));
        m.observe(&Event::AntiEntropy {
            initiator: NodeId(2),
            peer: NodeId(0),
            range,
            stats: SyncStats::default(),
            duration: Dur::from_millis(10),
            skipped: false,
        });
        let newest = m.newest(range).unwrap();
        assert_eq!(newest.initiator, NodeId(2), "the one heard of last");
        assert_eq!(newest.steps.len(), 2, "its levels kept despite the other session");
        assert!(newest.end.is_some());
        assert_eq!(m.sessions[&range].len(), 2);
    }

    #[test]
    fn a_repair_stays_shown_after_the_sessions_that_find_the_range_equal() {
        let mut m = MerkleModel::default();
        let ring = Ring::new([(NodeId(0), vec![100]), (NodeId(1), vec![1 << 63])]);
        let key: Key = Key::from("cart");
        m.follow(Some(&key), &ring);
        let range = m.range().unwrap();
        let end = |initiator: u16, peer: u16, keys: u32| Event::AntiEntropy {
            initiator: NodeId(initiator),
            peer: NodeId(peer),
            range,
            stats: SyncStats {
                keys,
                ..SyncStats::default()
            },
            duration: Dur::from_millis(10),
            skipped: false,
        };
        let level0 = |initiator: u16, peer: u16| Event::MerkleLevel {
            node: NodeId(peer),
            peer: NodeId(initiator),
            initiator: NodeId(initiator),
            session: 9,
            range,
            level: 0,
            compared: 1,
            differing: vec![],
        };
        m.observe(&end(0, 1, 3));
        assert!(m.since_repair().is_none());
        m.observe(&level0(1, 0));
        assert_eq!(m.session().unwrap().initiator, NodeId(1), "a running session is shown");
        m.observe(&end(1, 0, 0));
        let shown = m.session().unwrap();
        assert_eq!(
            (shown.initiator, shown.end.unwrap().stats.keys),
            (NodeId(0), 3),
            "the repair"
        );
        let (latest, since) = m.since_repair().unwrap();
        assert_eq!((latest.initiator, since), (NodeId(1), 1));
    }
}
