//! The event queue: everything scheduled on the virtual clock, in the order
//! it must happen.
//!
//! Events are ordered by time and, within one instant, by the order they
//! were scheduled. Because the engine schedules in a canonical order, the
//! queue's order is the same on every run.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::core::time::Time;

/// What the heap orders: small, so that sifting moves 24 bytes, not a
/// whole message. The event itself waits in a slab.
#[derive(PartialEq, Eq)]
struct Entry {
    at: Time,
    seq: u64,
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
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// A min-queue of events by (time, scheduling order).
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, at: Time, event: E) {
        self.seq += 1;
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
        self.heap.push(Entry {
            at,
            seq: self.seq,
            slot,
        });
    }

    /// The time of the earliest event.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|e| e.at)
    }

    /// Removes the earliest event if it happens at or before `limit`.
    pub fn pop_until(&mut self, limit: Time) -> Option<(Time, E)> {
        if self.heap.peek()?.at > limit {
            return None;
        }
        let entry = self.heap.pop()?;
        let event = self.slab[entry.slot as usize]
            .take()
            .expect("a queued slot holds its event");
        self.free.push(entry.slot);
        Some((entry.at, event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_scheduling_order() {
        let mut q = EventQueue::default();
        q.push(Time(20), "late");
        q.push(Time(10), "first at 10");
        q.push(Time(10), "second at 10");
        q.push(Time(5), "earliest");
        assert_eq!(q.peek_time(), Some(Time(5)));
        let mut order = vec![];
        while let Some((_, e)) = q.pop_until(Time(15)) {
            order.push(e);
        }
        assert_eq!(order, vec!["earliest", "first at 10", "second at 10"]);
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop_until(Time(19)), None);
        assert_eq!(q.pop_until(Time(20)), Some((Time(20), "late")));
    }
}
