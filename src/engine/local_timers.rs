//! Timers that fall due inside the window that set them, fired in place.
//!
//! The engine moves time in windows no longer than its lookahead, so that
//! nothing scheduled inside a window can be due inside it. Messages keep
//! to that (every latency is at least the lookahead), but timers need not:
//! a deadline's wake-up is re-armed for the next deadline, which may be a
//! microsecond on; a node that boots spreads its first gossip, handoff and
//! anti-entropy ticks with a jitter that may be as short. Such a timer is
//! set after the window's inputs were taken from the queue; queued, it
//! would run in the next window, after inputs of later instants its actor
//! has already handled, so where the windows fall (the pacing) would decide
//! what the actor sees first.
//!
//! Instead the actor fires it itself, in the place the queue would have
//! given it had time moved one instant at a time. Events of one instant
//! come in tie-key order: (source rank, source's count; see `Engine::tie`).
//! A timer an actor set itself carries the actor's rank and a count above
//! that of every event queued before the window (counts only grow, and the
//! engine carries out the window's effects after the queued ones were
//! scheduled); an event of the actor's own rank due at that instant was
//! scheduled before the window, since a message takes at least the
//! lookahead. So the timer comes after the instant's events of a lower or
//! equal rank and before those of a higher rank, and the actor's own such
//! timers keep the order they were set in. The engine, carrying out the
//! effect later, only takes the timer's count and does not queue it.

use crate::core::time::Time;

/// Bits of a tie key that hold the source's count; the rank is above them.
pub(super) const COUNT_BITS: u32 = 36;

/// The rank of the source that scheduled an event, from its tie key.
pub(super) fn rank_of(tie: u64) -> u32 {
    (tie >> COUNT_BITS) as u32
}

/// The timers set inside the current window that fall due inside it, in
/// firing order. `T` is what firing one needs.
#[derive(Debug)]
pub(super) struct LocalTimers<T> {
    /// (instant, setter's rank, order set, payload), in firing order.
    due: Vec<(Time, u32, u32, T)>,
    set: u32,
}

impl<T> Default for LocalTimers<T> {
    fn default() -> Self {
        LocalTimers {
            due: Vec::new(),
            set: 0,
        }
    }
}

impl<T> LocalTimers<T> {
    /// Adds a timer due at `at`, set by the source of rank `rank`.
    pub fn push(&mut self, at: Time, rank: u32, payload: T) {
        self.set += 1;
        let key = (at, rank, self.set);
        let place = self.due.partition_point(|&(t, r, s, _)| (t, r, s) < key);
        self.due.insert(place, (at, rank, self.set, payload));
    }

    /// Takes the first timer if it is due by `end` and comes before the
    /// queued event `next` (its time and tie key), if there is one.
    pub fn pop_before(&mut self, next: Option<(Time, u64)>, end: Time) -> Option<(Time, T)> {
        let &(at, rank, _, _) = self.due.first()?;
        if at > end || next.is_some_and(|(t, tie)| (t, rank_of(tie)) <= (at, rank)) {
            return None;
        }
        let (at, _, _, payload) = self.due.remove(0);
        Some((at, payload))
    }

    /// Forgets every timer left (the window ended before they fell due).
    pub fn clear(&mut self) {
        self.due.clear();
        self.set = 0;
    }

    pub fn is_empty(&self) -> bool {
        self.due.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tie(rank: u32, count: u64) -> u64 {
        ((rank as u64) << COUNT_BITS) | count
    }

    #[test]
    fn a_timer_comes_after_its_instants_events_of_lower_or_equal_rank_only() {
        let mut local = LocalTimers::default();
        local.push(Time(10), 3, "b");
        local.push(Time(10), 3, "c");
        local.push(Time(7), 3, "a");
        let end = Time(20);
        assert_eq!(
            local.pop_before(Some((Time(6), tie(9, 1))), end),
            None,
            "an earlier event first"
        );
        assert_eq!(local.pop_before(Some((Time(8), tie(0, 1))), end), Some((Time(7), "a")));
        assert_eq!(
            local.pop_before(Some((Time(10), tie(2, 50))), end),
            None,
            "a lower rank at the same instant first"
        );
        assert_eq!(
            local.pop_before(Some((Time(10), tie(3, 1 << 30))), end),
            None,
            "the same rank: queued before the window, so first"
        );
        assert_eq!(
            local.pop_before(Some((Time(10), tie(4, 1))), end),
            Some((Time(10), "b")),
            "a higher rank at the same instant after"
        );
        assert_eq!(local.pop_before(None, Time(9)), None, "past the window's end");
        assert_eq!(local.pop_before(None, end), Some((Time(10), "c")), "in the order set");
        assert!(local.is_empty());
    }

    #[test]
    fn timers_of_several_setters_fire_by_time_then_rank() {
        let mut local = LocalTimers::default();
        local.push(Time(5), 8, 'x');
        local.push(Time(5), 2, 'y');
        local.push(Time(4), 9, 'z');
        let order: Vec<char> = std::iter::from_fn(|| local.pop_before(None, Time(5)).map(|(_, p)| p)).collect();
        assert_eq!(order, vec!['z', 'y', 'x']);
    }
}
