//! Pacing: how much virtual time each frame covers.
//!
//! The engine has no clock of its own; the playground moves it by
//! `speed × real time elapsed` every frame. Speed is virtual seconds per real
//! second. The default, 0.05, turns 20 real milliseconds into one virtual
//! millisecond: slow enough to follow every message across the ring.

use std::time::Duration;

use crate::core::time::Dur;
use crate::scenario::command::SPEED_RANGE;

/// The speeds `+` and `-` step through.
pub const SPEEDS: &[f64] = &[0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];

/// About 1 virtual ms per 20 real ms.
pub const DEFAULT_SPEED: f64 = 0.05;

/// The playback speed, paused or not, and the fraction of a virtual
/// microsecond carried from frame to frame (so 0.01x still moves).
#[derive(Clone, Debug, PartialEq)]
pub struct Pacer {
    speed: f64,
    paused: bool,
    carry: f64,
    lagging: bool,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer::new(DEFAULT_SPEED)
    }
}

/// Keeps a speed inside [`SPEED_RANGE`]; anything not finite becomes the default.
pub fn clamp_speed(speed: f64) -> f64 {
    if speed.is_finite() {
        speed.clamp(SPEED_RANGE.0, SPEED_RANGE.1)
    } else {
        DEFAULT_SPEED
    }
}

impl Pacer {
    pub fn new(speed: f64) -> Pacer {
        Pacer {
            speed: clamp_speed(speed),
            paused: false,
            carry: 0.0,
            lagging: false,
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// True when the last frame could not do all of its engine work in its
    /// budget, so virtual time fell behind the chosen speed.
    pub fn is_lagging(&self) -> bool {
        self.lagging
    }

    pub fn set_lagging(&mut self, lagging: bool) {
        self.lagging = lagging;
    }

    pub fn set_speed(&mut self, speed: f64) {
        self.speed = clamp_speed(speed);
    }

    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
        self.carry = 0.0;
    }

    pub fn toggle_pause(&mut self) {
        self.set_paused(!self.paused);
    }

    /// The next speed up the ladder.
    pub fn faster(&mut self) {
        if let Some(&s) = SPEEDS.iter().find(|&&s| s > self.speed * 1.0001) {
            self.speed = s;
        }
    }

    /// The next speed down the ladder.
    pub fn slower(&mut self) {
        if let Some(&s) = SPEEDS.iter().rev().find(|&&s| s < self.speed / 1.0001) {
            self.speed = s;
        }
    }

    /// The virtual time a frame that took `real` should cover.
    pub fn advance(&mut self, real: Duration) -> Dur {
        if self.paused {
            self.carry = 0.0;
            return Dur::ZERO;
        }
        let micros = self.speed * real.as_secs_f64() * 1e6 + self.carry;
        let whole = micros.floor();
        self.carry = micros - whole;
        Dur(whole as u64)
    }

    /// Forgets the fraction owed (after a lagging frame: the debt is dropped,
    /// not chased).
    pub fn forgive(&mut self) {
        self.carry = 0.0;
    }

    /// The speed as the status bar shows it: `0.05x`, `2x`.
    pub fn label(&self) -> String {
        format_speed(self.speed)
    }
}

/// `0.05x`, `1x`, `100x`.
pub fn format_speed(speed: f64) -> String {
    let text = format!("{speed:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}x")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_speed_is_one_virtual_ms_per_twenty_real_ms() {
        let mut p = Pacer::default();
        assert_eq!(p.advance(Duration::from_millis(20)), Dur::from_millis(1));
        assert_eq!(p.label(), "0.05x");
    }

    #[test]
    fn slow_speeds_carry_fractions_between_frames() {
        let mut p = Pacer::new(0.01);
        // 0.01x of 33.3ms is 333.3us: the thirds add up over three frames.
        let frame = Duration::from_micros(33_333);
        let total: u64 = (0..3).map(|_| p.advance(frame).micros()).sum();
        assert!((999..=1000).contains(&total), "{total}");
    }

    #[test]
    fn paused_covers_no_time() {
        let mut p = Pacer::default();
        p.toggle_pause();
        assert!(p.is_paused());
        assert_eq!(p.advance(Duration::from_secs(1)), Dur::ZERO);
        p.toggle_pause();
        assert_eq!(p.advance(Duration::from_secs(1)), Dur::from_millis(50));
    }

    #[test]
    fn faster_and_slower_walk_the_ladder_and_stop_at_the_ends() {
        let mut p = Pacer::default();
        p.faster();
        assert_eq!(p.speed(), 0.1);
        p.slower();
        p.slower();
        p.slower();
        assert_eq!(p.speed(), 0.01);
        p.slower();
        assert_eq!(p.speed(), 0.01);
        p.set_speed(3.0);
        p.faster();
        assert_eq!(p.speed(), 5.0);
        p.set_speed(1e9);
        assert_eq!(p.speed(), 100.0);
        p.faster();
        assert_eq!(p.speed(), 100.0);
        p.set_speed(f64::NAN);
        assert_eq!(p.speed(), DEFAULT_SPEED);
    }

    #[test]
    fn speeds_print_short() {
        assert_eq!(format_speed(100.0), "100x");
        assert_eq!(format_speed(0.5), "0.5x");
        assert_eq!(format_speed(2.0), "2x");
    }
}
