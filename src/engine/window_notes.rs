//! The events the engine acts on, held until their window ends and then
//! handed back in canonical order.
//!
//! With the trace off, the engine carries out a window's effects source by
//! source (the clients', then each node's batch in node order, as soon as
//! it is back), so that the first batches go out while later ones are still
//! being worked on. A few events change the engine's own state (an
//! overwrite it records once, a view change, a node that left), and what
//! it does with them must not depend on which batch came back first. They
//! wait here, tagged with their time, their source's rank and stream and a
//! running number, and come back sorted by that key: the order a merged,
//! canonical pass would have met them in.

use crate::core::time::Time;
use crate::core::trace::Event;

/// An event's place in the canonical order: (time, rank, stream, running number).
type Key = (Time, u32, u8, u32);

/// Holds the events the engine acts on during one window.
#[derive(Default)]
pub(super) struct WindowNotes {
    open: bool,
    /// Rank and stream of the source whose effects are carried out now.
    source: (u32, u8),
    held: Vec<(Key, Event)>,
}

impl WindowNotes {
    /// Starts holding a window's events.
    pub fn open(&mut self) {
        debug_assert!(self.held.is_empty());
        self.open = true;
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The events that follow come from the source of this rank and stream
    /// (0 for what the engine decided at delivery, 1 for what the source did).
    pub fn set_source(&mut self, rank: u32, stream: u8) {
        self.source = (rank, stream);
    }

    /// Holds an event until the window ends.
    pub fn defer(&mut self, at: Time, event: Event) {
        let (rank, stream) = self.source;
        let key = (at, rank, stream, self.held.len() as u32);
        self.held.push((key, event));
    }

    /// Ends the window: its events, in canonical order.
    pub fn close(&mut self) -> Vec<(Time, Event)> {
        self.open = false;
        // Running numbers are unique, so an unstable sort gives the one order.
        self.held.sort_unstable_by_key(|(key, _)| *key);
        self.held.drain(..).map(|((at, ..), event)| (at, event)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::NodeId;

    fn event(n: u16) -> Event {
        Event::NodeLeft { node: NodeId(n) }
    }

    #[test]
    fn events_come_back_by_time_then_source_then_the_order_each_source_raised_them() {
        let mut notes = WindowNotes::default();
        notes.open();
        // Source 2 is carried out before source 1, as batches may be.
        notes.set_source(2, 1);
        notes.defer(Time(5), event(20));
        notes.defer(Time(7), event(21));
        notes.defer(Time(7), event(22));
        notes.set_source(1, 1);
        notes.defer(Time(7), event(10));
        notes.defer(Time(3), event(11));
        notes.set_source(1, 0);
        notes.defer(Time(7), event(12));
        let got: Vec<(u64, u16)> = notes
            .close()
            .into_iter()
            .map(|(at, e)| match e {
                Event::NodeLeft { node } => (at.micros(), node.0),
                _ => unreachable!(),
            })
            .collect();
        assert!(!notes.is_open());
        assert_eq!(got, vec![(3, 11), (5, 20), (7, 12), (7, 10), (7, 21), (7, 22)]);
    }
}
