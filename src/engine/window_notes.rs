//! What a window's sources raise while the engine carries out their
//! effects, put back in canonical order when the window closes.
//!
//! The engine carries out a window's effects source by source: the
//! clients' and the drops noted at delivery first, then each node's batch
//! the moment it is back, so that the first batches go out while later ones
//! are still worked on. Two things must still come out in the canonical
//! order (time, then the source's rank and stream, then the order the
//! source raised them), whichever batch came back first:
//!
//! - trace events, which readers expect in time order;
//! - the few events the engine acts on (an overwrite it records once, a
//!   view change, a node that left): what it does with them must not depend
//!   on which batch came back first.
//!
//! Each is tagged with its time, its source's rank and stream and a running
//! number. Trace events wait in one list per source, each already in that
//! order, and are merged when the window closes; the events to act on wait
//! apart and come back sorted, each with its key, so that what acting on
//! one traces takes its place.

use crate::core::time::Time;
use crate::core::trace::Event;

use super::trace_buffer::TraceBuffer;

/// An event's place in the canonical order: (time, rank, stream, running number).
pub(super) type Key = (Time, u32, u8, u32);

/// Holds what one window's sources raise.
#[derive(Default)]
pub(super) struct WindowNotes {
    open: bool,
    /// Rank and stream of the source whose effects are carried out now.
    source: (u32, u8),
    /// The last running number given.
    count: u32,
    /// The key the next traced event takes instead, when set.
    pinned: Option<Key>,
    /// Trace events, one list per source in the order sources were carried
    /// out; `used` lists are in use this window (the rest keep their memory).
    lists: Vec<Vec<(Key, Event)>>,
    used: usize,
    /// Every traced event's key and list, to be merged on close.
    order: Vec<(Key, u32)>,
    /// Events for the engine to act on.
    deferred: Vec<(Key, Event)>,
}

impl WindowNotes {
    /// Starts a window.
    pub fn open(&mut self) {
        debug_assert!(self.used == 0 && self.deferred.is_empty());
        self.open = true;
        self.count = 0;
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The events that follow come from the source of this rank and stream
    /// (0 for what the engine decided at delivery, 1 for what the source
    /// did). A new list starts when `new_list` is set: events within one
    /// list must come in key order.
    pub fn set_source(&mut self, rank: u32, stream: u8, new_list: bool) {
        self.source = (rank, stream);
        if new_list || self.used == 0 {
            if self.lists.len() == self.used {
                self.lists.push(Vec::new());
            }
            self.used += 1;
        }
    }

    fn next_key(&mut self, at: Time) -> Key {
        if let Some(key) = self.pinned.take() {
            return key;
        }
        self.count += 1;
        (at, self.source.0, self.source.1, self.count)
    }

    /// Traces `event` at its place.
    pub fn trace(&mut self, at: Time, event: Event) {
        let key = self.next_key(at);
        let list = self.used - 1;
        self.order.push((key, list as u32));
        self.lists[list].push((key, event));
    }

    /// Holds an event for the engine to act on when the window closes.
    pub fn defer(&mut self, at: Time, event: Event) {
        let key = self.next_key(at);
        self.deferred.push((key, event));
    }

    /// The events to act on, in canonical order. Before acting on one, call
    /// [`WindowNotes::act_as`] with its key.
    pub fn take_deferred(&mut self) -> Vec<(Key, Event)> {
        // Running numbers are unique, so an unstable sort gives the one order.
        self.deferred.sort_unstable_by_key(|(key, _)| *key);
        let deferred = std::mem::take(&mut self.deferred);
        if !deferred.is_empty() {
            // What acting traces goes to a list of its own, in key order.
            self.set_source(0, 0, true);
        }
        deferred
    }

    /// The next event traced takes `key`.
    pub fn act_as(&mut self, key: Key) {
        self.pinned = Some(key);
    }

    /// Ends the window: its trace events go to `trace` in canonical order.
    pub fn close_into(&mut self, trace: &mut TraceBuffer) {
        debug_assert!(self.deferred.is_empty(), "deferred events are acted on first");
        self.open = false;
        self.pinned = None;
        // Each list is in key order, so the keys are a few sorted runs one
        // after another: the stable sort merges the runs.
        self.order.sort();
        let mut lists: Vec<std::vec::Drain<'_, (Key, Event)>> =
            self.lists[..self.used].iter_mut().map(|l| l.drain(..)).collect();
        for &((at, ..), list) in &self.order {
            let (_, event) = lists[list as usize].next().expect("a key per event");
            trace.push(at, event);
        }
        drop(lists);
        self.order.clear();
        self.used = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::NodeId;

    fn event(n: u16) -> Event {
        Event::NodeLeft { node: NodeId(n) }
    }

    fn closed(notes: &mut WindowNotes) -> Vec<(u64, u16)> {
        let mut trace = TraceBuffer::new(100);
        notes.close_into(&mut trace);
        let mut out = Vec::new();
        trace.drain_into(&mut out);
        out.iter()
            .map(|e| match e.event {
                Event::NodeLeft { node } => (e.at.micros(), node.0),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn events_come_out_by_time_then_source_then_the_order_each_source_raised_them() {
        let mut notes = WindowNotes::default();
        notes.open();
        // Drops at delivery (stream 0) and a client (rank 9), sorted.
        notes.set_source(1, 0, true);
        notes.trace(Time(7), event(12));
        notes.set_source(9, 1, false);
        notes.trace(Time(8), event(90));
        // Source 2 is carried out before source 1, as batches may be.
        notes.set_source(2, 1, true);
        notes.trace(Time(5), event(20));
        notes.defer(Time(7), event(23));
        notes.trace(Time(7), event(21));
        notes.trace(Time(7), event(22));
        notes.set_source(1, 1, true);
        notes.trace(Time(3), event(11));
        notes.defer(Time(7), event(13));
        notes.trace(Time(7), event(10));
        let deferred = notes.take_deferred();
        assert_eq!(
            deferred.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>(),
            vec![event(13), event(23)],
            "deferred events come back in canonical order"
        );
        // Acting on each traces it at its place.
        for (key, event) in deferred {
            notes.act_as(key);
            notes.trace(key.0, event);
        }
        assert_eq!(
            closed(&mut notes),
            vec![
                (3, 11),
                (5, 20),
                (7, 12),
                (7, 13),
                (7, 10),
                (7, 23),
                (7, 21),
                (7, 22),
                (8, 90)
            ]
        );
        assert!(!notes.is_open());
        // The next window starts clean, reusing the lists.
        notes.open();
        notes.set_source(4, 1, true);
        notes.trace(Time(9), event(40));
        assert_eq!(closed(&mut notes), vec![(9, 40)]);
    }
}
