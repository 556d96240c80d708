//! The event queue: everything scheduled on the virtual clock, in the order
//! it must happen.
//!
//! Events are ordered by time and, within one instant, by the order they
//! were scheduled. Because the engine schedules in a canonical order, the
//! queue's order is the same on every run.
//!
//! Most events are timers with a fixed delay (a request's timeout, a
//! client's attempt deadline): scheduled as time goes on, they are already
//! in order among themselves. Those wait in a FIFO lane per delay instead of
//! the heap, so that tens of thousands of pending timeouts cost nothing to
//! keep in order. Messages, due a few milliseconds ahead, wait in a
//! [`Calendar`] of millisecond buckets; the heap keeps only what falls
//! outside both. Pops merge the three by (time, scheduling order), so the
//! order is exactly the one a single heap would give.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use super::calendar::Calendar;
use crate::core::time::{Dur, Time};

/// The most distinct delays given a lane of their own; others use the heap.
const MAX_LANES: usize = 8;

/// Events scheduled with one fixed delay, in scheduling order.
struct Lane<E> {
    delay: Dur,
    events: VecDeque<(Time, u64, E)>,
}

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
    calendar: Calendar,
    heap: BinaryHeap<Entry>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    lanes: Vec<Lane<E>>,
    /// The earliest lane front, kept between pops: (time, seq, lane).
    /// `None` inside means every lane is empty; an outer `None`, unknown.
    lane_min: std::cell::Cell<Option<Option<(Time, u64, usize)>>>,
    len: usize,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            calendar: Calendar::default(),
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            lanes: Vec::new(),
            lane_min: std::cell::Cell::new(Some(None)),
            len: 0,
            seq: 0,
        }
    }
}

/// Where the earliest event waits.
#[derive(Clone, Copy)]
enum Source {
    Calendar,
    Heap,
    Lane(usize),
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `now + delay`. Events of one delay scheduled in
    /// time order share a FIFO lane; the order they pop in is the same as
    /// [`EventQueue::push`] would give.
    pub fn push_after(&mut self, now: Time, delay: Dur, event: E) {
        let at = now + delay;
        let matching = self.lanes.iter().position(|l| l.delay == delay);
        // An empty lane is free for another delay (one-off delays, such as
        // a jittered first tick, must not keep a lane from the busy ones).
        let lane = match matching.or_else(|| self.lanes.iter().position(|l| l.events.is_empty())) {
            Some(i) => {
                self.lanes[i].delay = delay;
                Some(i)
            }
            None if self.lanes.len() < MAX_LANES => {
                self.lanes.push(Lane {
                    delay,
                    events: VecDeque::new(),
                });
                Some(self.lanes.len() - 1)
            }
            None => None,
        };
        if let Some(i) = lane
            && self.lanes[i].events.back().is_none_or(|(last, _, _)| *last <= at)
        {
            self.seq += 1;
            self.len += 1;
            if self.lanes[i].events.is_empty() {
                self.lane_min.set(None);
            }
            self.lanes[i].events.push_back((at, self.seq, event));
            return;
        }
        self.push(at, event);
    }

    pub fn push(&mut self, at: Time, event: E) {
        self.seq += 1;
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
        if !self.calendar.push(at, self.seq, slot) {
            self.heap.push(Entry {
                at,
                seq: self.seq,
                slot,
            });
        }
    }

    /// Where the earliest event is, and its (time, scheduling order).
    fn earliest(&self) -> Option<(Source, Time, u64)> {
        let mut best = self.calendar.front().map(|(at, seq)| (Source::Calendar, at, seq));
        if let Some(e) = self.heap.peek()
            && best.is_none_or(|(_, bt, bs)| (e.at, e.seq) < (bt, bs))
        {
            best = Some((Source::Heap, e.at, e.seq));
        }
        if let Some((at, seq, i)) = self.lane_min()
            && best.is_none_or(|(_, bt, bs)| (at, seq) < (bt, bs))
        {
            best = Some((Source::Lane(i), at, seq));
        }
        best
    }

    /// The earliest of the lanes' fronts, recomputed only after it changed.
    fn lane_min(&self) -> Option<(Time, u64, usize)> {
        if let Some(known) = self.lane_min.get() {
            return known;
        }
        let mut best: Option<(Time, u64, usize)> = None;
        for (i, lane) in self.lanes.iter().enumerate() {
            if let Some(&(at, seq, _)) = lane.events.front()
                && best.is_none_or(|(bt, bs, _)| (at, seq) < (bt, bs))
            {
                best = Some((at, seq, i));
            }
        }
        self.lane_min.set(Some(best));
        best
    }

    /// The time of the earliest event.
    pub fn peek_time(&self) -> Option<Time> {
        self.earliest().map(|(_, at, _)| at)
    }

    /// Removes the earliest event if it happens at or before `limit`.
    pub fn pop_until(&mut self, limit: Time) -> Option<(Time, E)> {
        let (source, at, _) = self.earliest()?;
        if at > limit {
            return None;
        }
        self.len -= 1;
        match source {
            Source::Lane(i) => {
                self.lane_min.set(None);
                self.lanes[i].events.pop_front().map(|(at, _, e)| (at, e))
            }
            Source::Calendar => {
                let (at, slot) = self.calendar.pop()?;
                Some((at, self.take_slot(slot)))
            }
            Source::Heap => {
                let entry = self.heap.pop()?;
                Some((entry.at, self.take_slot(entry.slot)))
            }
        }
    }

    fn take_slot(&mut self, slot: u32) -> E {
        let event = self.slab[slot as usize].take().expect("a queued slot holds its event");
        self.free.push(slot);
        event
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

    /// The lanes and the heap together pop exactly in (time, scheduling
    /// order), checked against a plain sorted list.
    #[test]
    fn lanes_and_heap_keep_time_then_scheduling_order() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut queue: EventQueue<u32> = EventQueue::default();
        let mut model: Vec<(Time, u32)> = Vec::new();
        let mut now = Time(0);
        let (mut got, mut want) = (Vec::new(), Vec::new());
        let mut pop_until = |queue: &mut EventQueue<u32>, model: &mut Vec<(Time, u32)>, limit: Time| {
            while let Some(e) = queue.pop_until(limit) {
                got.push(e);
            }
            // The model: the earliest time first, then the earliest scheduled.
            model.sort_by_key(|&(at, i)| (at, i));
            let due = model.iter().take_while(|(at, _)| *at <= limit).count();
            want.extend(model.drain(..due));
            assert_eq!(queue.len(), model.len());
            assert_eq!(queue.peek_time(), model.first().map(|(at, _)| *at));
        };
        for i in 0..30_000u32 {
            now += Dur(rng.random_range(0..40));
            // Near and far (the heap) and fixed delays (lanes): twelve
            // delays, more than there are lanes.
            let (delay, fixed) = match rng.random_range(0..3) {
                0 => (Dur(rng.random_range(0..20_000)), false),
                1 => (Dur(rng.random_range(0..100_000)), false),
                _ => (Dur(rng.random_range(0..12u64) * 5_000), true),
            };
            if fixed {
                queue.push_after(now, delay, i);
            } else {
                queue.push(now + delay, i);
            }
            model.push((now + delay, i));
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
