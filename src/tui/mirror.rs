//! The one trait of the playground's mirrors of state that lives inside the
//! nodes (the key inspector, the hint book, the membership matrix, the
//! Merkle trees, the transfer counts, the version histories): `Mirror::observe` takes in a trace
//! event and marks what it changed, `Mirror::refresh` asks the engine for
//! what is marked. Each mirror keeps its own staleness, and those whose
//! queries could run every frame their own
//! [`Throttle`](super::throttle::Throttle). A leaf: the mirrors and
//! [`Models`](super::models::Models) import it, it imports none of them.

use std::time::Duration;

use crate::core::trace::{Event, TraceEvent};
use crate::core::version::Key;
use crate::engine::Engine;

use super::view::DetailView;

/// When and for what a mirror refreshes.
#[derive(Clone, Debug)]
pub struct RefreshContext {
    /// Real time as the app has seen it pass (the throttles' clock).
    pub real_now: Duration,
    /// Ignore the real-time throttles: after a key press, a command, or a
    /// run on virtual time alone (the tests), the screen shows the state of
    /// that instant.
    pub force: bool,
    /// The detail pane shown: a mirror only it draws is asked for only
    /// while it is shown.
    pub view: DetailView,
    /// The key the inspector has selected, after its own refresh.
    pub key: Option<Key>,
}

/// A model of state that lives inside the nodes, kept from the trace and
/// refreshed from the engine.
pub(crate) trait Mirror {
    /// Takes in one trace event: updates what the event says, and marks
    /// what must be asked for again. (The event alone: most mirrors do not
    /// need the instant it happened at; those that do implement
    /// [`Mirror::observe_traced`] instead.)
    fn observe(&mut self, _event: &Event) {}

    /// Takes in one trace event with its instant (the version history
    /// dates each version). By default, [`Mirror::observe`].
    fn observe_traced(&mut self, ev: &TraceEvent) {
        self.observe(&ev.event);
    }

    /// Asks the engine for what is marked stale, within the mirror's
    /// throttle. Mirrors that the trace alone keeps do nothing.
    async fn refresh(&mut self, _engine: &mut Engine, _context: &RefreshContext) {}
}
