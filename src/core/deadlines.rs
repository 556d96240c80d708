//! Deadlines an actor keeps itself, behind one wake-up timer.
//!
//! Every request a node coordinates sets two deadlines (when a silent
//! replica counts as down, and when the request gives up), and every client
//! operation one (when to try the next node); nearly every request finishes
//! long before them. Handing each deadline to the engine's clock would cost
//! a queue entry, a delivery and a no-op per deadline, in the engine's
//! serial part. Instead the actor keeps its deadlines in order and asks for
//! a wake-up timer only at the earliest deadline that still matters.
//! Deadlines fire at exactly the instant they would as timers of their own,
//! in the order they were set.

use std::collections::VecDeque;

use smallvec::SmallVec;

use super::outbox::Outbox;
use super::time::{Dur, Time};

/// Deadlines set with one delay: since an actor's clock only moves
/// forward, each such queue is in order by itself, and setting or firing a
/// deadline is a push or a pop at an end (no tree, and no allocation once
/// the queue has grown to its working size).
#[derive(Clone, Debug)]
struct Lane<T> {
    after: Dur,
    /// (instant, order set, timer), earliest first.
    due: VecDeque<(Time, u64, T)>,
}

#[derive(Clone, Debug)]
pub struct Deadlines<T> {
    /// One lane per delay in use: a handful at most (a node's hint delay
    /// and request timeout, a client's attempt wait).
    lanes: SmallVec<[Lane<T>; 2]>,
    set: u64,
    /// Wake-ups asked for and not yet received, earliest first.
    wakes: SmallVec<[Time; 4]>,
    /// The timer that asks for a wake-up.
    wake: T,
    /// Between a wake-up and the following [`Deadlines::rearm`]: deadlines
    /// set meanwhile wait for `rearm` to ask for their wake-up.
    waking: bool,
}

/// Lanes kept once empty, for delays that come back.
const IDLE_LANES: usize = 4;

impl<T: Copy> Deadlines<T> {
    /// Deadlines that ask for `wake` to be woken.
    pub fn new(wake: T) -> Self {
        Deadlines {
            lanes: SmallVec::new(),
            set: 0,
            wakes: SmallVec::new(),
            wake,
            waking: false,
        }
    }

    /// Fires `timer` at `now + after`, asking for a wake-up then unless one
    /// comes earlier. `now` is expected never to go back from one call to
    /// the next (each lane then only grows at its end).
    pub fn set(&mut self, now: Time, after: Dur, timer: T, out: &mut Outbox<T>) {
        let at = now + after;
        self.set += 1;
        let lane = match self.lanes.iter().position(|l| l.after == after) {
            Some(i) => i,
            None => {
                // A new delay (the settings changed): forget a drained lane.
                if self.lanes.len() >= IDLE_LANES
                    && let Some(idle) = self.lanes.iter().position(|l| l.due.is_empty())
                {
                    self.lanes.swap_remove(idle);
                }
                self.lanes.push(Lane {
                    after,
                    due: VecDeque::new(),
                });
                self.lanes.len() - 1
            }
        };
        let due = &mut self.lanes[lane].due;
        if due.back().is_none_or(|&(last, _, _)| last <= at) {
            due.push_back((at, self.set, timer));
        } else {
            // Only if the clock went back, which an actor's never does:
            // keep the lane in order anyway.
            let place = due.partition_point(|&(t, _, _)| t <= at);
            due.insert(place, (at, self.set, timer));
        }
        if !self.waking {
            self.wake_by(now, at, out);
        }
    }

    /// The lane whose head is the earliest deadline, and that deadline.
    fn earliest(&self) -> Option<(usize, Time)> {
        self.lanes
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.due.front().map(|&(at, set, _)| ((at, set), i)))
            .min()
            .map(|((at, _), i)| (i, at))
    }

    /// A wake-up arrived at `now`: the next deadline that is due, if any.
    /// Once none is left, the caller must call [`Deadlines::rearm`].
    pub fn pop_due(&mut self, now: Time) -> Option<T> {
        self.wakes.retain(|w| *w != now);
        self.waking = true;
        let (lane, at) = self.earliest()?;
        if at > now {
            return None;
        }
        self.lanes[lane].due.pop_front().map(|(_, _, timer)| timer)
    }

    /// After a wake-up: forgets the earliest deadlines while `matters` says
    /// they no longer do (their request finished), and makes sure a
    /// wake-up comes by the first that does.
    pub fn rearm(&mut self, now: Time, matters: impl Fn(&T) -> bool, out: &mut Outbox<T>) {
        self.waking = false;
        while let Some((lane, at)) = self.earliest() {
            let (_, _, timer) = self.lanes[lane].due[0];
            if matters(&timer) {
                self.wake_by(now, at, out);
                return;
            }
            self.lanes[lane].due.pop_front();
        }
    }

    fn wake_by(&mut self, now: Time, at: Time, out: &mut Outbox<T>) {
        if self.wakes.first().is_none_or(|&w| w > at) {
            self.wakes.insert(0, at);
            out.timer(at - now, self.wake);
        }
    }

    /// Deadlines waiting (those that no longer matter included).
    pub fn len(&self) -> usize {
        self.lanes.iter().map(|l| l.due.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::outbox::Effect;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum T {
        Wake,
        Fire(u32),
    }

    fn wakes(out: &mut Outbox<T>) -> Vec<Dur> {
        out.drain()
            .map(|e| match e {
                Effect::Timer { after, timer: T::Wake } => after,
                other => panic!("unexpected effect {other:?}"),
            })
            .collect()
    }

    #[test]
    fn one_wake_up_stands_for_later_deadlines() {
        let mut d = Deadlines::new(T::Wake);
        let mut out = Outbox::new(false);
        d.set(Time(0), Dur(100), T::Fire(1), &mut out);
        d.set(Time(10), Dur(100), T::Fire(2), &mut out);
        assert_eq!(
            wakes(&mut out),
            vec![Dur(100)],
            "the second deadline waits behind the first wake-up"
        );
        // An earlier deadline needs a wake-up of its own.
        d.set(Time(20), Dur(30), T::Fire(3), &mut out);
        assert_eq!(wakes(&mut out), vec![Dur(30)]);
        assert_eq!(d.pop_due(Time(50)), Some(T::Fire(3)));
        assert_eq!(d.pop_due(Time(50)), None);
        // The wake-up at 100 is still coming: nothing more to ask.
        d.rearm(Time(50), |_| true, &mut out);
        assert!(wakes(&mut out).is_empty());
        assert_eq!(d.pop_due(Time(100)), Some(T::Fire(1)));
        assert_eq!(d.pop_due(Time(100)), None);
        d.rearm(Time(100), |_| true, &mut out);
        assert_eq!(wakes(&mut out), vec![Dur(10)], "on to the deadline at 110");
        assert_eq!(d.pop_due(Time(110)), Some(T::Fire(2)));
        assert!(d.is_empty());
    }

    #[test]
    fn deadlines_that_no_longer_matter_ask_for_no_wake_up() {
        let mut d = Deadlines::new(T::Wake);
        let mut out = Outbox::new(false);
        for (i, at) in [(1, 100), (2, 200), (3, 300)] {
            d.set(Time(0), Dur(at), T::Fire(i), &mut out);
        }
        assert_eq!(wakes(&mut out), vec![Dur(100)]);
        assert_eq!(d.pop_due(Time(100)), Some(T::Fire(1)));
        // Request 2 finished: the next wake-up is for request 3.
        d.rearm(Time(100), |t| *t != T::Fire(2), &mut out);
        assert_eq!(wakes(&mut out), vec![Dur(200)]);
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn a_lane_stays_in_order_even_if_the_clock_goes_back() {
        let mut d = Deadlines::new(T::Wake);
        let mut out = Outbox::new(false);
        d.set(Time(100), Dur(50), T::Fire(1), &mut out);
        d.set(Time(10), Dur(50), T::Fire(2), &mut out);
        assert_eq!(
            wakes(&mut out),
            vec![Dur(50), Dur(50)],
            "a wake-up at 150, then one at 60"
        );
        assert_eq!(d.pop_due(Time(60)), Some(T::Fire(2)));
        assert_eq!(d.pop_due(Time(60)), None);
        assert_eq!(d.pop_due(Time(150)), Some(T::Fire(1)));
    }

    #[test]
    fn deadlines_at_one_instant_fire_in_the_order_they_were_set() {
        let mut d = Deadlines::new(T::Wake);
        let mut out = Outbox::new(false);
        d.set(Time(0), Dur(50), T::Fire(9), &mut out);
        d.set(Time(20), Dur(30), T::Fire(4), &mut out);
        d.set(Time(30), Dur(20), T::Fire(1), &mut out);
        let fired: Vec<_> = std::iter::from_fn(|| d.pop_due(Time(50))).collect();
        assert_eq!(fired, vec![T::Fire(9), T::Fire(4), T::Fire(1)]);
    }
}
