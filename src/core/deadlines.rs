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

use std::collections::{BTreeMap, BTreeSet};

use super::outbox::Outbox;
use super::time::{Dur, Time};

#[derive(Debug)]
pub struct Deadlines<T> {
    /// (instant, order set) → the timer to fire then.
    due: BTreeMap<(Time, u64), T>,
    set: u64,
    /// Wake-ups asked for and not yet received.
    wakes: BTreeSet<Time>,
    /// The timer that asks for a wake-up.
    wake: T,
    /// Between a wake-up and the following [`Deadlines::rearm`]: deadlines
    /// set meanwhile wait for `rearm` to ask for their wake-up.
    waking: bool,
}

impl<T: Copy> Deadlines<T> {
    /// Deadlines that ask for `wake` to be woken.
    pub fn new(wake: T) -> Self {
        Deadlines {
            due: BTreeMap::new(),
            set: 0,
            wakes: BTreeSet::new(),
            wake,
            waking: false,
        }
    }

    /// Fires `timer` at `now + after`, asking for a wake-up then unless one
    /// comes earlier.
    pub fn set(&mut self, now: Time, after: Dur, timer: T, out: &mut Outbox<T>) {
        let at = now + after;
        self.set += 1;
        self.due.insert((at, self.set), timer);
        if !self.waking {
            self.wake_by(now, at, out);
        }
    }

    /// A wake-up arrived at `now`: the next deadline that is due, if any.
    /// Once none is left, the caller must call [`Deadlines::rearm`].
    pub fn pop_due(&mut self, now: Time) -> Option<T> {
        self.wakes.remove(&now);
        self.waking = true;
        let (&(at, _), _) = self.due.first_key_value()?;
        if at > now {
            return None;
        }
        self.due.pop_first().map(|(_, timer)| timer)
    }

    /// After a wake-up: forgets the earliest deadlines while `matters` says
    /// they no longer do (their request finished), and makes sure a
    /// wake-up comes by the first that does.
    pub fn rearm(&mut self, now: Time, matters: impl Fn(&T) -> bool, out: &mut Outbox<T>) {
        self.waking = false;
        while let Some((&(at, _), timer)) = self.due.first_key_value() {
            if matters(timer) {
                self.wake_by(now, at, out);
                return;
            }
            self.due.pop_first();
        }
    }

    fn wake_by(&mut self, now: Time, at: Time, out: &mut Outbox<T>) {
        if self.wakes.first().is_none_or(|&w| w > at) {
            self.wakes.insert(at);
            out.timer(at - now, self.wake);
        }
    }

    /// Deadlines waiting (those that no longer matter included).
    pub fn len(&self) -> usize {
        self.due.len()
    }

    pub fn is_empty(&self) -> bool {
        self.due.is_empty()
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
