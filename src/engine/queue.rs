//! The event queue: everything scheduled on the virtual clock, in the order
//! it must happen.
//!
//! Events are ordered by time and, within one instant, by the order they
//! were scheduled. Because the engine schedules in a canonical order, the
//! queue's order is the same on every run.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::core::time::Time;

struct Entry<E> {
    at: Time,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed, so that the max-heap pops the earliest event first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// A min-queue of events by (time, scheduling order).
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, at: Time, event: E) {
        self.seq += 1;
        self.heap.push(Entry {
            at,
            seq: self.seq,
            event,
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
        self.heap.pop().map(|e| (e.at, e.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Keeps only the events `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) {
        self.heap.retain(|e| keep(&e.event));
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
