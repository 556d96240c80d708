//! Closed-loop load: clients that issue their next operation the instant
//! their last one finishes.
//!
//! The benchmarks keep a fixed number of operations in flight. Driving that
//! from outside the engine would mean stopping after every window to
//! collect results and submit follow-ups, serial work the node tasks wait
//! for. Instead the load is the engine's follow-up (see
//! [`Engine::set_follow_up`]): the engine asks it for each client's next
//! operation while it handles the answer, inside the window, at the
//! answer's instant; the order stays canonical, so runs stay deterministic.

use crate::core::client::{OpKind, OpReport};
use crate::core::time::Dur;
use crate::core::version::Key;
use crate::engine::Engine;

/// How long a closed loop runs between two looks from its driver (to
/// drain the trace, say), in virtual time: short enough that the events
/// waiting in the trace buffer stay in a core's cache (a few thousand),
/// long enough that the look costs nothing.
pub const LOOK_EVERY: Dur = Dur::from_millis(2);

/// Starts driving a closed-loop load: from now until [`finish`], every
/// operation that finishes is handed to `next` (and not kept for
/// [`Engine::take_finished`]); what `next` returns starts at once from the
/// same client.
pub fn start(engine: &mut Engine, next: impl FnMut(&OpReport) -> Option<(Key, OpKind)> + Send + 'static) {
    engine.set_follow_up(Some(Box::new(next)));
}

/// Runs the load until nothing is in flight, calling `look` every
/// [`LOOK_EVERY`] of virtual time, then stops it. Fails if a node's state
/// machine panicked, or if the engine runs out of events with operations
/// still in flight.
pub async fn finish(engine: &mut Engine, mut look: impl FnMut(&mut Engine)) -> Result<(), String> {
    let outcome = loop {
        engine.run_for(LOOK_EVERY).await;
        if let Some(e) = engine.failure() {
            break Err(e.to_string());
        }
        look(engine);
        let in_flight = engine.ops_in_flight();
        if in_flight == 0 {
            break Ok(());
        }
        if engine.next_event_time().is_none() {
            break Err(format!("the engine stopped with {in_flight} operations in flight"));
        }
    };
    engine.set_follow_up(None);
    outcome
}
