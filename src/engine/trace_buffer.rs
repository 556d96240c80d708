//! The engine's trace buffer: events wait here until the runner or the UI
//! takes them. It is bounded, so a run nobody reads cannot eat the memory:
//! past the cap the oldest events are discarded.

use crate::core::time::Time;
use crate::core::trace::{Event, TraceEvent};

/// A reader that sees every traced event the moment it is recorded, in
/// trace order, whoever drains the buffer and whenever (the metrics are
/// one: see [`super::Engine::set_trace_tap`]).
pub trait TraceTap: Send + std::any::Any {
    fn see(&mut self, event: &TraceEvent);
    /// A copy, for a checkpoint of the engine (see [`super::checkpoint`]):
    /// a run resumed from it must read on from where the tap was.
    fn clone_tap(&self) -> Box<dyn TraceTap>;
}

impl Clone for TraceBuffer {
    fn clone(&self) -> Self {
        TraceBuffer {
            events: self.events.clone(),
            cap: self.cap,
            tap: self.tap.as_ref().map(|t| t.clone_tap()),
        }
    }
}

pub struct TraceBuffer {
    /// Oldest first.
    events: Vec<TraceEvent>,
    cap: usize,
    tap: Option<Box<dyn TraceTap>>,
}

impl TraceBuffer {
    pub fn new(cap: usize) -> TraceBuffer {
        TraceBuffer {
            events: Vec::new(),
            cap: cap.max(1),
            tap: None,
        }
    }

    /// Adds an event. When the buffer is full, the older half goes at once
    /// (so that a buffer nobody drains costs one move per event, not one
    /// per event held).
    pub fn push(&mut self, at: Time, event: Event) {
        if self.events.len() >= self.cap {
            let gone = (self.cap / 2).max(1);
            self.events.drain(..gone);
        }
        self.events.push(TraceEvent { at, event });
        if let Some(tap) = self.tap.as_mut() {
            tap.see(self.events.last().expect("just pushed"));
        }
    }

    pub fn set_tap(&mut self, tap: Option<Box<dyn TraceTap>>) {
        self.tap = tap;
    }

    pub fn tap(&self) -> Option<&dyn TraceTap> {
        self.tap.as_deref()
    }

    pub fn tap_mut(&mut self) -> Option<&mut dyn TraceTap> {
        self.tap.as_deref_mut()
    }

    /// Moves every waiting event into `out`. When `out` is empty (a reader
    /// that drains into the same buffer each time, having emptied it) the
    /// two buffers are swapped rather than the events moved one by one.
    pub fn drain_into(&mut self, out: &mut Vec<TraceEvent>) {
        if out.is_empty() {
            std::mem::swap(&mut self.events, out);
        } else {
            out.append(&mut self.events);
        }
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn set_cap(&mut self, cap: usize) {
        self.cap = cap.max(1);
        if self.events.len() > self.cap {
            let gone = self.events.len() - self.cap;
            self.events.drain(..gone);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_events_within_the_cap() {
        let mut buf = TraceBuffer::new(2);
        for i in 0..5 {
            buf.push(Time(i), Event::Caption(format!("e{i}")));
        }
        let mut out = vec![];
        buf.drain_into(&mut out);
        assert_eq!(out.iter().map(|e| e.at.0).collect::<Vec<_>>(), vec![3, 4]);
        assert!(buf.is_empty());
    }

    #[test]
    fn a_full_buffer_keeps_the_newest_half() {
        let mut buf = TraceBuffer::new(10);
        for i in 0..25 {
            buf.push(Time(i), Event::Caption(format!("e{i}")));
        }
        let mut out = vec![];
        buf.drain_into(&mut out);
        let kept: Vec<u64> = out.iter().map(|e| e.at.0).collect();
        assert_eq!(kept, (15..25).collect::<Vec<_>>(), "the newest, in order");
        // Draining into a buffer that holds events appends after them.
        buf.push(Time(30), Event::Caption("late".into()));
        buf.drain_into(&mut out);
        assert_eq!(out.last().map(|e| e.at.0), Some(30));
        assert_eq!(out.len(), 11);
        assert!(buf.is_empty());
    }
}
