//! Asking the engine for what the panes draw: the selected key's replicas,
//! the hints nodes keep, the membership matrix and the Merkle trees. Each
//! model says what changed since it last asked (from the trace), so a frame
//! asks nothing when nothing changed; the queries that could run every
//! frame on a busy cluster are also throttled in real time, and the
//! matrix and the trees are asked for only while their pane is shown.

use std::time::Duration;

use crate::core::ids::NodeId;

use super::app::App;
use super::merkle::{LEVELS, ReplicaTree};
use super::throttle::Throttle;
use super::view::DetailView;

/// Hints are asked for at most this often (real time) while frames run.
const HINTS_EVERY: Duration = Duration::from_millis(100);
/// Trees are asked for at most this often (real time) while frames run.
const TREES_EVERY: Duration = Duration::from_millis(100);
/// Replicas whose trees the Merkle pane shows at most.
const TREES_CAP: usize = 8;

/// The throttles of the queries that may be asked for often.
#[derive(Clone, Copy, Debug, Default)]
pub struct Throttles {
    pub hints: Throttle,
    pub trees: Throttle,
}

impl App {
    /// Asks the engine for whatever the panes draw that the trace says
    /// changed. `force` ignores the real-time throttles: after a key press,
    /// a command, or a run on virtual time alone (the tests), the screen
    /// shows the state of that instant.
    pub(crate) async fn refresh_models(&mut self, force: bool) {
        self.refresh_inspector().await;
        self.refresh_hints(force).await;
        match self.view {
            DetailView::Inspector => {}
            DetailView::Membership => self.refresh_membership(force).await,
            DetailView::Merkle => self.refresh_trees(force).await,
        }
    }

    async fn refresh_inspector(&mut self) {
        if let Some(key) = self.inspector.wants_refresh().cloned() {
            let mut view = self.engine.key_view(&key).await;
            // A node that left holds nothing the cluster can read.
            view.retain(|r| !self.engine.status(r.node).left);
            let replicas = self.engine.settings().replicas;
            let mode = self.engine.settings().clocks;
            self.inspector.set_view(&key, view, self.engine.ring(), replicas, mode);
        }
    }

    async fn refresh_hints(&mut self, force: bool) {
        let engine = &self.engine;
        let stale = self
            .hints
            .stale(engine.names().node_count(), |n| engine.status(n).stats.hints);
        if stale.is_empty() || !self.throttles.hints.ready(self.real_now, HINTS_EVERY, force) {
            return;
        }
        for node in stale {
            let held = self.engine.hints(node).await;
            self.hints.set(node, held);
        }
    }

    async fn refresh_membership(&mut self, force: bool) {
        let engine = &self.engine;
        let ask = self.members.to_ask(self.real_now, force, |n| engine.is_alive(n));
        for node in ask {
            let view = self.engine.membership(node).await;
            let now = self.engine.now();
            self.members.apply(node, &view, now);
        }
    }

    async fn refresh_trees(&mut self, force: bool) {
        let selected = self.inspector.selected().cloned();
        let changed = self.merkle.follow(selected.as_ref(), self.engine.ring());
        let Some(key) = selected else { return };
        if !(changed || self.merkle.wants_refresh()) || !self.throttles.trees.ready(self.real_now, TREES_EVERY, force) {
            return;
        }
        let replicas: Vec<NodeId> = self
            .engine
            .ring()
            .preference_list(&key, self.engine.settings().replicas)
            .iter()
            .copied()
            .take(TREES_CAP)
            .collect();
        let mut trees = Vec::with_capacity(replicas.len());
        for node in replicas {
            let top = self.engine.merkle_top(node, &key, LEVELS).await;
            trees.push(ReplicaTree {
                node,
                alive: self.engine.is_alive(node),
                top,
            });
        }
        self.merkle.set_trees(trees);
    }
}
