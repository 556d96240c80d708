//! The event queue: everything scheduled on the virtual clock, in the order
//! it must happen.
//!
//! Events are ordered by time and, within one instant, by a tie key the
//! engine gives each: the scheduling source's rank and that source's own
//! count (see `Engine::tie`). The order of one instant thus never depends
//! on the order pushes happen in, which may follow the order node batches
//! come back in, and the queue's order is the same on every run.
//!
//! Nearly everything is due within a second: messages a few milliseconds
//! ahead, request and attempt timeouts some hundreds. Those wait in a
//! [`Calendar`] of millisecond buckets; the binary heap keeps only what falls
//! outside its band (gossip, handoff and anti-entropy ticks, latency
//! spikes). Pops merge the two by (time, tie key), so the order is exactly
//! the one a single heap would give.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::calendar::Calendar;
use crate::core::time::{Dur, Time};

/// What the heap orders: small, so that sifting moves 24 bytes, not a
/// whole message. The event itself waits in a slab.
#[derive(Clone, PartialEq, Eq)]
struct Entry {
    at: Time,
    tie: u64,
    slot: u32,
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// Reversed, so that the max-heap pops the earliest event first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.tie).cmp(&(self.at, self.tie))
    }
}

/// A min-queue of events by (time, tie key).
#[derive(Clone)]
pub struct EventQueue<E> {
    calendar: Calendar,
    heap: BinaryHeap<Entry>,
    /// Every queued event, by the slot the calendar or the heap names.
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    len: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            calendar: Calendar::default(),
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `now + delay`.
    pub fn push_after(&mut self, now: Time, delay: Dur, tie: u64, event: E) {
        self.push(now + delay, tie, event);
    }

    /// Schedules `event` at `at`; of the events of one instant, the one
    /// with the smallest `tie` comes first. Ties must differ.
    pub fn push(&mut self, at: Time, tie: u64, event: E) {
        self.len += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(event);
                slot
            }
            None => {
                self.slab.push(Some(event));
                (self.slab.len() - 1) as u32
            }
        };
        if !self.calendar.push(at, tie, slot) {
            self.heap.push(Entry { at, tie, slot });
        }
    }

    /// The earliest event's (time, tie key), and whether it waits in the heap.
    fn earliest(&self) -> Option<(Time, u64, bool)> {
        let calendar = self.calendar.front();
        let heap = self.heap.peek().map(|e| (e.at, e.tie));
        match (calendar, heap) {
            (Some(c), Some(h)) if h < c => Some((h.0, h.1, true)),
            (Some(c), _) => Some((c.0, c.1, false)),
            (None, Some(h)) => Some((h.0, h.1, true)),
            (None, None) => None,
        }
    }

    /// The time of the earliest event.
    pub fn peek_time(&self) -> Option<Time> {
        self.earliest().map(|(at, _, _)| at)
    }

    /// The earliest event's time and tie key.
    #[cfg(test)]
    pub fn peek(&self) -> Option<(Time, u64)> {
        self.earliest().map(|(at, tie, _)| (at, tie))
    }

    /// Removes the earliest event if it happens at or before `limit`;
    /// returns it with its time and tie key.
    pub fn pop_until(&mut self, limit: Time) -> Option<(Time, u64, E)> {
        let (at, tie, in_heap) = self.earliest()?;
        if at > limit {
            return None;
        }
        self.len -= 1;
        let slot = if in_heap {
            self.heap.pop()?.slot
        } else {
            self.calendar.pop()?.2
        };
        let event = self.slab[slot as usize].take().expect("a queued slot holds its event");
        self.free.push(slot);
        Some((at, tie, event))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_tie_key() {
        let mut q = EventQueue::default();
        q.push(Time(20), 1, "late");
        q.push(Time(10), 3, "second at 10");
        q.push(Time(10), 2, "first at 10");
        q.push(Time(5), 4, "earliest");
        assert_eq!(q.peek_time(), Some(Time(5)));
        let mut order = vec![];
        while let Some((_, _, e)) = q.pop_until(Time(15)) {
            order.push(e);
        }
        assert_eq!(order, vec!["earliest", "first at 10", "second at 10"]);
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop_until(Time(19)), None);
        assert_eq!(q.pop_until(Time(20)), Some((Time(20), 1, "late")));
    }

    /// The calendar and the heap together pop exactly in (time, tie key),
    /// checked against a plain sorted list.
    #[test]
    fn calendar_and_heap_keep_time_then_tie_order() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut queue: EventQueue<u32> = EventQueue::default();
        let mut model: Vec<(Time, u64, u32)> = Vec::new();
        let mut now = Time(0);
        let (mut got, mut want) = (Vec::new(), Vec::new());
        let mut pop_until = |queue: &mut EventQueue<u32>, model: &mut Vec<(Time, u64, u32)>, limit: Time| {
            while let Some(e) = queue.pop_until(limit) {
                got.push(e);
            }
            // The model: the earliest time first, then the smallest tie.
            model.sort_by_key(|&(at, tie, _)| (at, tie));
            let due = model.iter().take_while(|(at, _, _)| *at <= limit).count();
            want.extend(model.drain(..due));
            assert_eq!(queue.len(), model.len());
            assert_eq!(queue.peek(), model.first().map(|&(at, tie, _)| (at, tie)));
        };
        for i in 0..30_000u32 {
            now += Dur(rng.random_range(0..40));
            // Near (the calendar's band is about a second), far (the heap),
            // and a few fixed delays on both sides of the band's edge, and
            // many at the same instants.
            let (delay, fixed) = match rng.random_range(0..4) {
                0 => (Dur(rng.random_range(0..20_000)), false),
                1 => (Dur(rng.random_range(0..4) * 1_000), false),
                2 => (Dur(rng.random_range(0..3_000_000)), false),
                _ => (Dur(rng.random_range(0..12u64) * 100_000), true),
            };
            // Ties in no particular order, as sources give them (distinct:
            // mix64 is a bijection).
            let tie = crate::core::hash::mix64(i as u64);
            if fixed {
                queue.push_after(now, delay, tie, i);
            } else {
                queue.push(now + delay, tie, i);
            }
            model.push((now + delay, tie, i));
            if rng.random_bool(0.3) {
                let limit = now + Dur(rng.random_range(0..2_000));
                pop_until(&mut queue, &mut model, limit);
                now = now.max(limit.min(queue.peek_time().unwrap_or(limit)));
            }
        }
        pop_until(&mut queue, &mut model, Time(u64::MAX));
        assert_eq!(got, want);
        assert!(queue.is_empty());
    }
}
