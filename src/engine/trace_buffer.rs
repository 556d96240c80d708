//! The engine's trace buffer: events wait here until the runner or the UI
//! takes them. It is bounded, so a run nobody reads cannot eat the memory:
//! past the cap the oldest events are discarded and counted.

use std::collections::VecDeque;

use crate::core::time::Time;
use crate::core::trace::{Event, TraceEvent};

pub struct TraceBuffer {
    events: VecDeque<TraceEvent>,
    cap: usize,
    discarded: u64,
}

impl TraceBuffer {
    pub fn new(cap: usize) -> TraceBuffer {
        TraceBuffer {
            events: VecDeque::new(),
            cap: cap.max(1),
            discarded: 0,
        }
    }

    pub fn push(&mut self, at: Time, event: Event) {
        if self.events.len() == self.cap {
            self.events.pop_front();
            self.discarded += 1;
        }
        self.events.push_back(TraceEvent { at, event });
    }

    /// Moves every waiting event into `out`.
    pub fn drain_into(&mut self, out: &mut Vec<TraceEvent>) {
        out.extend(self.events.drain(..));
    }

    /// Events discarded because nobody took them in time.
    pub fn discarded(&self) -> u64 {
        self.discarded
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn set_cap(&mut self, cap: usize) {
        self.cap = cap.max(1);
        while self.events.len() > self.cap {
            self.events.pop_front();
            self.discarded += 1;
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
        assert_eq!(buf.discarded(), 3);
        let mut out = vec![];
        buf.drain_into(&mut out);
        assert_eq!(out.iter().map(|e| e.at.0).collect::<Vec<_>>(), vec![3, 4]);
        assert!(buf.is_empty());
    }
}
