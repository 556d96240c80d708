//! The near future of the event queue, in buckets of about a millisecond.
//!
//! Nearly every message arrives a few milliseconds after it is sent, and
//! nearly every timeout fires some hundreds of milliseconds after it is set,
//! so the queue's busiest part is a band about a second wide just ahead of
//! the clock. A binary heap pays a dozen scattered comparisons to push
//! and pop each of them. Here an event is appended to the bucket of its
//! time (no ordering at all), and a bucket is sorted once, by time and tie
//! key, when the clock reaches it: a calendar queue. Events beyond the
//! band (or, after the clock moved on, behind it) are refused and the
//! caller keeps them in its heap, so every push is accepted somewhere and
//! the order stays exact.

use crate::core::time::Time;

/// log2 of a bucket's width in microseconds.
const SHIFT: u32 = 10;
/// Buckets in the band (a power of two): 1,024 of 1.024 ms, so that
/// request timeouts (half a second by default) fit as well as messages.
const COUNT: u64 = 1024;

/// One bucket: events in the order they were pushed, sorted only once it
/// is the front bucket; `next` is how many of them have been popped.
#[derive(Clone, Default)]
struct Bucket {
    items: Vec<(Time, u64, u32)>,
    next: usize,
}

/// Events (time, tie key, payload index) of the coming band.
///
/// Invariant: when not empty, the front bucket (number `base`) has events
/// left and they are sorted by (time, tie key).
#[derive(Clone)]
pub(super) struct Calendar {
    buckets: Vec<Bucket>,
    base: u64,
    len: usize,
    /// Scratch for sorting a bucket: a count per microsecond of its width,
    /// and the sorted events.
    counts: Vec<u32>,
    sorted: Vec<(Time, u64, u32)>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            buckets: (0..COUNT).map(|_| Bucket::default()).collect(),
            base: 0,
            len: 0,
            counts: vec![0; 1 << SHIFT],
            sorted: Vec::new(),
        }
    }
}

fn bucket_of(at: Time) -> u64 {
    at.micros() >> SHIFT
}

impl Calendar {
    /// Takes the event when its time falls in the band; returns false (and
    /// keeps nothing) otherwise. Events of one instant pop in the order of
    /// their `tie` keys, which must differ.
    pub fn push(&mut self, at: Time, tie: u64, slot: u32) -> bool {
        let b = bucket_of(at);
        if self.len == 0 {
            self.base = b;
        }
        if b < self.base || b >= self.base + COUNT {
            return false;
        }
        let bucket = &mut self.buckets[(b % COUNT) as usize];
        if b == self.base {
            // The front bucket stays sorted: insert in (time, tie) order.
            let pos = bucket.next + bucket.items[bucket.next..].partition_point(|&(t, k, _)| (t, k) < (at, tie));
            bucket.items.insert(pos, (at, tie, slot));
        } else {
            bucket.items.push((at, tie, slot));
        }
        self.len += 1;
        true
    }

    /// The earliest event's (time, tie key).
    pub fn front(&self) -> Option<(Time, u64)> {
        if self.len == 0 {
            return None;
        }
        let bucket = &self.buckets[(self.base % COUNT) as usize];
        bucket.items.get(bucket.next).map(|&(at, tie, _)| (at, tie))
    }

    /// Removes the earliest event and returns its time, tie key and payload index.
    pub fn pop(&mut self) -> Option<(Time, u64, u32)> {
        if self.len == 0 {
            return None;
        }
        let bucket = &mut self.buckets[(self.base % COUNT) as usize];
        let (at, tie, slot) = bucket.items[bucket.next];
        bucket.next += 1;
        self.len -= 1;
        if bucket.next == bucket.items.len() {
            bucket.items.clear();
            bucket.next = 0;
            self.advance();
        }
        Some((at, tie, slot))
    }

    /// Moves the front to the next bucket holding events and sorts it.
    fn advance(&mut self) {
        if self.len == 0 {
            return;
        }
        loop {
            self.base += 1;
            let bucket = &mut self.buckets[(self.base % COUNT) as usize];
            if !bucket.items.is_empty() {
                sort_bucket(&mut bucket.items, &mut self.counts, &mut self.sorted);
                return;
            }
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }
}

/// Sorts one bucket's events by (time, tie key): a counting sort on the
/// microsecond within the bucket, then the few events that share an
/// instant are put in tie order.
fn sort_bucket(items: &mut Vec<(Time, u64, u32)>, counts: &mut [u32], sorted: &mut Vec<(Time, u64, u32)>) {
    let mask = (1u64 << SHIFT) - 1;
    let offset = |at: Time| (at.micros() & mask) as usize;
    counts.fill(0);
    for &(at, _, _) in items.iter() {
        counts[offset(at)] += 1;
    }
    let mut start = 0;
    for c in counts.iter_mut() {
        let n = *c;
        *c = start;
        start += n;
    }
    sorted.clear();
    sorted.resize(items.len(), (Time(0), 0, 0));
    for &item in items.iter() {
        let place = &mut counts[offset(item.0)];
        sorted[*place as usize] = item;
        *place += 1;
    }
    for group in sorted.chunk_by_mut(|a, b| a.0 == b.0) {
        if group.len() > 1 {
            group.sort_unstable_by_key(|&(_, tie, _)| tie);
        }
    }
    std::mem::swap(items, sorted);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_band_ahead_of_its_first_event_and_refuses_the_rest() {
        let mut c = Calendar::default();
        assert!(c.push(Time(5_000), 1, 10), "the first push sets the band: bucket 4");
        assert!(!c.push(Time(2_100), 2, 11), "bucket 2 is behind the front");
        assert!(!c.push(Time(2_000_000), 3, 12), "two seconds ahead is beyond the band");
        assert!(c.push(Time(9_000), 4, 13));
        assert!(c.push(Time(5_000), 5, 14), "same instant, a larger tie: pops later");
        assert!(c.push(Time(4_500), 6, 15), "into the front bucket, ahead of 5000");
        assert!(c.push(Time(8_000), 7, 16));
        assert!(c.push(Time(5_000), 0, 18), "same instant, a smaller tie: pops first");
        assert!(
            c.push(Time(8_000), 2, 19),
            "a smaller tie pops first in a later bucket too"
        );
        assert_eq!(c.len(), 7);
        assert_eq!(c.front(), Some((Time(4_500), 6)));
        let popped: Vec<_> = std::iter::from_fn(|| c.pop()).collect();
        assert_eq!(
            popped,
            vec![
                (Time(4_500), 6, 15),
                (Time(5_000), 0, 18),
                (Time(5_000), 1, 10),
                (Time(5_000), 5, 14),
                (Time(8_000), 2, 19),
                (Time(8_000), 7, 16),
                (Time(9_000), 4, 13)
            ]
        );
        assert_eq!(c.front(), None);
        assert!(
            c.push(Time(2_100), 8, 17),
            "empty again: the band moves to the next push"
        );
        assert_eq!(c.pop(), Some((Time(2_100), 8, 17)));
    }
}
