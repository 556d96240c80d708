//! Closed-loop load: clients that issue their next operation the instant
//! their last one finishes.
//!
//! A benchmark or a soak run keeps a fixed number of operations in flight.
//! Driving that from outside the engine means stopping after every window
//! to collect results and submit follow-ups, serial work the node tasks
//! wait for. Here the engine asks the load for each client's next operation
//! while it handles the answer, inside the window, at the answer's instant;
//! the order stays canonical, so runs stay deterministic.

use crate::core::client::{OpKind, OpReport};
use crate::core::time::{Dur, Time};
use crate::core::version::Key;

use super::Engine;

/// Given a finished operation, the same client's next one, if any.
type NextOp = Box<dyn FnMut(&OpReport) -> Option<(Key, OpKind)> + Send>;

/// The load the engine is driving.
pub(super) struct ClosedLoop {
    pub(super) next: NextOp,
    /// Operations started under the load and not yet finished.
    pub(super) in_flight: usize,
}

impl Engine {
    /// Starts driving a closed-loop load. From now until
    /// [`Engine::stop_closed_loop`], every operation that finishes is handed
    /// to `next` (and not kept for [`Engine::take_finished`]); what `next`
    /// returns starts at once from the same client. Operations submitted
    /// meanwhile count as the load's.
    pub fn start_closed_loop(&mut self, next: impl FnMut(&OpReport) -> Option<(Key, OpKind)> + Send + 'static) {
        self.closed_loop = Some(ClosedLoop {
            next: Box::new(next),
            in_flight: 0,
        });
    }

    /// Stops the load; finished operations are kept for
    /// [`Engine::take_finished`] again.
    pub fn stop_closed_loop(&mut self) {
        self.closed_loop = None;
    }

    /// The load's operations in flight (0 when no load runs).
    pub fn closed_loop_in_flight(&self) -> usize {
        self.closed_loop.as_ref().map_or(0, |l| l.in_flight)
    }

    /// Runs whole windows until `until`, or until the load has nothing in
    /// flight. Returns what is still in flight.
    pub async fn run_closed_loop(&mut self, until: Time) -> usize {
        while self.closed_loop_in_flight() > 0 && self.run_window(until).await {}
        if self.closed_loop_in_flight() > 0 && until > self.now {
            self.now = until;
        }
        self.closed_loop_in_flight()
    }

    /// Runs the load until nothing of it is in flight, calling `look`
    /// every [`LOOK_EVERY`] of virtual time (to drain the trace, say), then
    /// stops it. Fails if a node's state machine panicked, or if the engine
    /// runs out of events with operations still in flight.
    pub async fn finish_closed_loop(&mut self, mut look: impl FnMut(&mut Engine)) -> Result<(), String> {
        let outcome = loop {
            let in_flight = self.run_closed_loop(self.now + LOOK_EVERY).await;
            if let Some(e) = self.failure() {
                break Err(e.to_string());
            }
            look(self);
            if in_flight == 0 {
                break Ok(());
            }
            if self.queue.peek_time().is_none() {
                break Err(format!("the engine stopped with {in_flight} operations in flight"));
            }
        };
        self.stop_closed_loop();
        outcome
    }

    /// Hands a finished operation to the load; starts what it asks for at
    /// `at`. Returns the report back when no load runs.
    pub(super) fn offer_to_load(&mut self, at: Time, report: OpReport) -> Option<OpReport> {
        let Some(load) = self.closed_loop.as_mut() else {
            return Some(report);
        };
        load.in_flight = load.in_flight.saturating_sub(1);
        if let Some((key, kind)) = (load.next)(&report) {
            load.in_flight += 1;
            self.start_op(at, report.client, key, kind, None);
        }
        None
    }
}

/// How long a closed loop may run between two looks from its driver (to
/// drain the trace, say), in virtual time: short enough that the events
/// waiting in the trace buffer stay in a core's cache (a few thousand),
/// long enough that the look costs nothing.
const LOOK_EVERY: Dur = Dur::from_millis(2);
