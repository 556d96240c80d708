//! The one rate limiter of the playground's engine queries: something that
//! may happen at most once per period of real time (the app's clock, which
//! frames move), unless forced. A leaf: it knows nothing of the models that
//! use it.

use std::time::Duration;

/// Lets something happen at most once per period of real time.
#[derive(Clone, Copy, Debug, Default)]
pub struct Throttle {
    last: Option<Duration>,
}

impl Throttle {
    /// True (and the clock restarts) when `period` has passed since the
    /// last time, or when `force`d.
    pub fn ready(&mut self, now: Duration, period: Duration, force: bool) -> bool {
        let ready = force || self.last.is_none_or(|t| now.saturating_sub(t) >= period);
        if ready {
            self.last = Some(now);
        }
        ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_lets_through_once_per_period_unless_forced() {
        let mut t = Throttle::default();
        let ms = Duration::from_millis;
        assert!(t.ready(ms(0), ms(100), false), "the first time");
        assert!(!t.ready(ms(50), ms(100), false));
        assert!(t.ready(ms(60), ms(100), true), "forced");
        assert!(!t.ready(ms(150), ms(100), false), "the period restarts when forced");
        assert!(t.ready(ms(160), ms(100), false));
    }
}
