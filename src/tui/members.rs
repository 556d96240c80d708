//! Gossip membership as the playground sees it: what every node believes
//! about every other (the membership matrix), the ring each node's view
//! makes (the nodes table's view column), and how far a ring change has
//! spread (the ring marks a joining or leaving node's tokens until every
//! live view agrees).
//!
//! Opinions and ring views change only through the trace: a `Liveness`
//! event updates its cell at once and a `ViewChanged` event its row's ring.
//! Heartbeat ages live inside the nodes, so whole rows are asked for (one
//! engine query per node) when an event says the row changed, and every
//! [`PERIOD`] of real time otherwise, and only while the matrix is shown.

use std::time::Duration;

use crate::core::ids::NodeId;
use crate::core::membership::{Liveness, MemberStatus};
use crate::core::ring::Ring;
use crate::core::time::{Dur, Time};
use crate::core::trace::{ClusterChange, Event};
use crate::engine::MembershipView;

use super::throttle::Throttle;
use crate::engine::Engine;

use super::mirror::{Mirror, RefreshContext};
use super::view::DetailView;

/// How often, in real time, the shown matrix asks every live node again.
pub const PERIOD: Duration = Duration::from_millis(250);
/// How often at most, in real time, rows an event changed are asked for
/// (their cells already changed with the event; the query adds the ages).
pub const CHANGED_PERIOD: Duration = Duration::from_millis(100);

/// What one observer believes about one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberCell {
    pub liveness: Liveness,
    pub status: MemberStatus,
    /// How long since its heartbeat last rose in the observer's view, when
    /// the observer was last asked.
    pub age: Option<Dur>,
    pub generation: u32,
}

impl MemberCell {
    fn up() -> MemberCell {
        MemberCell {
            liveness: Liveness::Up,
            status: MemberStatus::Normal,
            age: None,
            generation: 0,
        }
    }
}

/// One observer's beliefs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObserverRow {
    /// The members of the ring its view makes, sorted.
    pub members: Vec<NodeId>,
    /// What it believes about each node it knows, by node index.
    pub cells: Vec<Option<MemberCell>>,
    /// The virtual time it was last asked, if ever.
    pub asked: Option<Time>,
}

impl ObserverRow {
    fn cell_mut(&mut self, node: NodeId) -> &mut MemberCell {
        if self.cells.len() <= node.index() {
            self.cells.resize(node.index() + 1, None);
        }
        self.cells[node.index()].get_or_insert_with(MemberCell::up)
    }

    pub fn cell(&self, node: NodeId) -> Option<&MemberCell> {
        self.cells.get(node.index()).and_then(Option::as_ref)
    }

    pub fn has(&self, node: NodeId) -> bool {
        self.members.binary_search(&node).is_ok()
    }
}

/// How the live nodes judge one node: how many see it up, suspect, down.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Opinions {
    pub up: usize,
    pub suspect: usize,
    pub down: usize,
}

/// How far a node's place on the ring has spread: `have` of the `of` live
/// nodes' views list it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spread {
    pub have: usize,
    pub of: usize,
}

/// Every observer's row, the rows to ask for again, and the tokens of
/// nodes that left the cluster's ring but not yet every view.
#[derive(Clone, Debug, Default)]
pub struct Members {
    rows: Vec<ObserverRow>,
    dirty: Vec<bool>,
    /// The periodic refresh of every row, and the refresh of changed rows.
    full: Throttle,
    changed: Throttle,
    /// The ring's assignments as last seen, to notice who leaves it.
    known: Vec<(NodeId, Vec<u64>)>,
    /// Nodes off the cluster's ring that some live view still lists.
    departing: Vec<(NodeId, Vec<u64>)>,
}

impl Members {
    /// Every node of the initial cluster knows every member, all up.
    pub fn new(ring: &Ring, nodes: usize) -> Members {
        let mut members: Vec<NodeId> = ring.members().to_vec();
        members.sort_unstable();
        let rows = (0..nodes)
            .map(|_| {
                let mut row = ObserverRow {
                    members: members.clone(),
                    ..ObserverRow::default()
                };
                for &m in &members {
                    row.cell_mut(m);
                }
                row
            })
            .collect();
        Members {
            rows,
            dirty: vec![true; nodes],
            full: Throttle::default(),
            changed: Throttle::default(),
            known: ring.assignments(),
            departing: Vec::new(),
        }
    }

    fn row_mut(&mut self, node: NodeId) -> &mut ObserverRow {
        let n = node.index() + 1;
        if self.rows.len() < n {
            self.rows.resize_with(n, ObserverRow::default);
            self.dirty.resize(n, false);
        }
        self.dirty[node.index()] = true;
        &mut self.rows[node.index()]
    }

    pub fn row(&self, observer: NodeId) -> Option<&ObserverRow> {
        self.rows.get(observer.index())
    }

    /// What `observer` believes about `node`.
    pub fn cell(&self, observer: NodeId, node: NodeId) -> Option<&MemberCell> {
        self.row(observer).and_then(|r| r.cell(node))
    }

    /// The cluster's ring changed: a node that came off it is remembered
    /// (with its tokens) while views still list it.
    pub(crate) fn ring_changed(&mut self, ring: &Ring) {
        let now = ring.assignments();
        for (node, tokens) in std::mem::take(&mut self.known) {
            if !ring.contains(node) && !self.departing.iter().any(|(d, _)| *d == node) {
                self.departing.push((node, tokens));
            }
        }
        self.departing.retain(|(d, _)| !ring.contains(*d));
        self.known = now;
    }

    /// Forgets departing nodes no live view lists any more.
    pub(crate) fn settle_departures(&mut self, live: impl Fn(NodeId) -> bool) {
        let rows = &self.rows;
        self.departing.retain(|(d, _)| {
            rows.iter()
                .enumerate()
                .any(|(i, r)| NodeId(i as u16) != *d && live(NodeId(i as u16)) && r.has(*d))
        });
    }

    /// Nodes off the cluster's ring that some live view still lists.
    pub fn departing(&self) -> &[(NodeId, Vec<u64>)] {
        &self.departing
    }

    /// The rows to ask the engine for now. `askable` says which nodes can
    /// answer (live ones: a dead node's beliefs are frozen on its disk).
    /// Every askable row once per [`PERIOD`] (or when `force`d), otherwise
    /// only rows an event changed, at most once per [`CHANGED_PERIOD`].
    fn rows_to_ask(&mut self, real_now: Duration, force: bool, askable: impl Fn(NodeId) -> bool) -> Vec<NodeId> {
        let full = self.full.ready(real_now, PERIOD, force);
        // A full refresh restarts the changed rows' clock too.
        if !self.changed.ready(real_now, CHANGED_PERIOD, full) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, dirty) in self.dirty.iter_mut().enumerate() {
            let node = NodeId(i as u16);
            if (full || *dirty) && askable(node) {
                out.push(node);
            }
            *dirty = false;
        }
        out
    }

    /// Takes the engine's answer for `observer`, asked at `at`.
    fn apply(&mut self, observer: NodeId, view: &MembershipView, at: Time) {
        let row = self.row_mut(observer);
        row.members = view.ring.members().to_vec();
        row.members.sort_unstable();
        row.cells.clear();
        for e in &view.entries {
            *row.cell_mut(e.node) = MemberCell {
                liveness: e.liveness,
                status: e.status,
                age: Some(e.heartbeat_age),
                generation: e.generation,
            };
        }
        row.asked = Some(at);
        self.dirty[observer.index()] = false;
    }

    /// How the live nodes other than `node` see it.
    pub fn opinions(&self, node: NodeId, live: impl Fn(NodeId) -> bool) -> Opinions {
        let mut o = Opinions::default();
        for (i, row) in self.rows.iter().enumerate() {
            let observer = NodeId(i as u16);
            if observer == node || !live(observer) {
                continue;
            }
            match row.cell(node).map(|c| c.liveness) {
                Some(Liveness::Up) => o.up += 1,
                Some(Liveness::Suspect) => o.suspect += 1,
                Some(Liveness::Down) => o.down += 1,
                None => {}
            }
        }
        o
    }

    /// How many live views list `node` on their ring, of how many live nodes.
    pub fn spread(&self, node: NodeId, live: impl Fn(NodeId) -> bool) -> Spread {
        let mut s = Spread { have: 0, of: 0 };
        for (i, row) in self.rows.iter().enumerate() {
            if live(NodeId(i as u16)) {
                s.of += 1;
                s.have += row.has(node) as usize;
            }
        }
        s
    }

    /// How many members `observer`'s ring has.
    pub fn view_size(&self, observer: NodeId) -> usize {
        self.row(observer).map_or(0, |r| r.members.len())
    }
}

impl Mirror for Members {
    /// Takes in a trace event.
    fn observe(&mut self, event: &Event) {
        match event {
            Event::Liveness { observer, node, to, .. } => self.row_mut(*observer).cell_mut(*node).liveness = *to,
            Event::ViewChanged { node, members } => {
                let row = self.row_mut(*node);
                row.members = members.clone();
                row.members.sort_unstable();
                for &m in members {
                    row.cell_mut(m);
                }
            }
            Event::ClusterChange(ClusterChange::Join(node)) => {
                let row = self.row_mut(*node);
                *row = ObserverRow {
                    members: vec![*node],
                    ..ObserverRow::default()
                };
                row.cell_mut(*node);
            }
            Event::ClusterChange(ClusterChange::Revive(node)) => {
                self.row_mut(*node);
            }
            _ => {}
        }
    }

    /// Asks for the rows [`Members::rows_to_ask`] picks, live nodes only, and
    /// only while the matrix is shown.
    async fn refresh(&mut self, engine: &mut Engine, context: &RefreshContext) {
        if context.view != DetailView::Membership {
            return;
        }
        let ask = self.rows_to_ask(context.real_now, context.force, |n| engine.is_alive(n));
        for node in ask {
            let view = engine.membership(node).await;
            let now = engine.now();
            self.apply(node, &view, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::MemberView;
    use std::sync::Arc;

    fn ring(n: u16) -> Ring {
        Ring::new((0..n).map(|i| (NodeId(i), vec![(i as u64 + 1) << 40])))
    }

    fn liveness(observer: u16, node: u16, to: Liveness) -> Event {
        Event::Liveness {
            observer: NodeId(observer),
            node: NodeId(node),
            from: Liveness::Up,
            to,
        }
    }

    fn all(_: NodeId) -> bool {
        true
    }

    #[test]
    fn liveness_events_fill_the_matrix_at_once() {
        let mut m = Members::new(&ring(4), 4);
        assert_eq!(m.cell(NodeId(0), NodeId(1)).unwrap().liveness, Liveness::Up);
        m.observe(&liveness(0, 1, Liveness::Suspect));
        m.observe(&liveness(2, 1, Liveness::Down));
        m.observe(&liveness(3, 1, Liveness::Down));
        assert_eq!(m.cell(NodeId(0), NodeId(1)).unwrap().liveness, Liveness::Suspect);
        assert_eq!(
            m.opinions(NodeId(1), all),
            Opinions {
                up: 0,
                suspect: 1,
                down: 2
            }
        );
        assert_eq!(
            m.opinions(NodeId(1), |n| n != NodeId(3)),
            Opinions {
                up: 0,
                suspect: 1,
                down: 1
            },
            "a dead observer's opinion does not count"
        );
    }

    #[test]
    fn rows_are_asked_for_when_changed_and_all_of_them_periodically() {
        let mut m = Members::new(&ring(3), 3);
        let t = Duration::from_millis;
        assert_eq!(m.rows_to_ask(t(0), false, all).len(), 3, "the first time: every row");
        assert!(m.rows_to_ask(t(10), false, all).is_empty(), "nothing changed");
        m.observe(&liveness(2, 0, Liveness::Suspect));
        assert!(
            m.rows_to_ask(t(20), false, all).is_empty(),
            "changed rows wait a little"
        );
        assert_eq!(m.rows_to_ask(t(110), false, all), vec![NodeId(2)]);
        m.observe(&liveness(1, 0, Liveness::Suspect));
        assert_eq!(m.rows_to_ask(t(215), false, all), vec![NodeId(1)]);
        assert_eq!(
            m.rows_to_ask(t(300), false, |n| n != NodeId(1)),
            vec![NodeId(0), NodeId(2)]
        );
        assert_eq!(m.rows_to_ask(t(310), true, all).len(), 3, "forced");
    }

    #[test]
    fn an_answer_replaces_the_row() {
        let mut m = Members::new(&ring(3), 3);
        let view = MembershipView {
            ring: Arc::new(ring(2)),
            entries: vec![MemberView {
                node: NodeId(1),
                status: MemberStatus::Normal,
                liveness: Liveness::Down,
                generation: 2,
                heartbeat: 40,
                heartbeat_age: Dur::from_millis(4200),
                suspecters: vec![NodeId(0), NodeId(2)],
            }],
        };
        m.apply(NodeId(0), &view, Time(5));
        let c = m.cell(NodeId(0), NodeId(1)).unwrap();
        assert_eq!(
            (c.liveness, c.age, c.generation),
            (Liveness::Down, Some(Dur::from_millis(4200)), 2)
        );
        assert!(m.cell(NodeId(0), NodeId(2)).is_none(), "it no longer knows n3");
        assert_eq!(m.view_size(NodeId(0)), 2);
        assert_eq!(m.row(NodeId(0)).unwrap().asked, Some(Time(5)));
    }

    #[test]
    fn a_join_spreads_view_by_view() {
        let mut m = Members::new(&ring(3), 3);
        m.observe(&Event::ClusterChange(ClusterChange::Join(NodeId(3))));
        assert_eq!(m.view_size(NodeId(3)), 1, "a joiner knows only itself");
        assert_eq!(m.spread(NodeId(3), all), Spread { have: 1, of: 4 });
        let members: Vec<NodeId> = (0..4).map(NodeId).collect();
        for n in [0, 3] {
            m.observe(&Event::ViewChanged {
                node: NodeId(n),
                members: members.clone(),
            });
        }
        assert_eq!(m.spread(NodeId(3), all), Spread { have: 2, of: 4 });
        assert_eq!(m.cell(NodeId(0), NodeId(3)).unwrap().liveness, Liveness::Up);
        assert_eq!(m.view_size(NodeId(0)), 4);
    }

    #[test]
    fn a_leaver_is_remembered_until_no_live_view_lists_it() {
        let full = ring(4);
        let mut m = Members::new(&full, 4);
        let without = full.without_node(NodeId(2));
        m.ring_changed(&without);
        assert_eq!(m.departing().len(), 1);
        assert_eq!(m.departing()[0].0, NodeId(2));
        assert_eq!(m.departing()[0].1, full.tokens_of(NodeId(2)));
        let members = without.members().to_vec();
        for n in [0, 1] {
            m.observe(&Event::ViewChanged {
                node: NodeId(n),
                members: members.clone(),
            });
        }
        m.settle_departures(|n| n != NodeId(2));
        assert_eq!(m.departing().len(), 1, "n4 still lists it");
        m.observe(&Event::ViewChanged {
            node: NodeId(3),
            members,
        });
        m.settle_departures(|n| n != NodeId(2));
        assert!(m.departing().is_empty());
    }
}
