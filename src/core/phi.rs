//! Phi accrual failure detection (Hayashibara et al., "The φ accrual failure
//! detector", 2004), computed as Cassandra computes it.
//!
//! An observer keeps, per node, the gaps between the moments it saw that
//! node's heartbeat rise: the last [`WINDOW`] of them. Modelling the gaps as
//! exponentially distributed with the window's mean, the chance that a gap
//! lasts longer than the current silence `t` is `e^(-t/mean)`, and
//!
//! ```text
//! phi = -log10(P(gap > t)) = t / mean × log10(e)
//! ```
//!
//! A threshold of 8 then suspects a node silent for 18.4 mean gaps. As in
//! Cassandra, a window starts with one gap of twice the gossip interval (a
//! new window errs toward patience), and gaps longer than that are not
//! recorded (an outage would otherwise teach the detector to wait longer
//! after each one).
//!
//! Everything is integer milliseconds but the quotient `t / mean`, one
//! division and one multiplication of exact inputs: the same on every
//! platform.

use super::time::Dur;

/// How many gaps a window keeps.
pub const WINDOW: usize = 100;

/// The last [`WINDOW`] gaps between one node's heartbeat rises, in whole
/// milliseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArrivalWindow {
    gaps: Vec<u32>,
    /// Where the next gap goes once the window is full.
    next: usize,
    sum: u64,
}

fn millis(d: Dur) -> u32 {
    (d.micros() / 1000).min(u32::MAX as u64) as u32
}

impl ArrivalWindow {
    /// A window holding one gap of `initial`.
    pub fn new(initial: Dur) -> ArrivalWindow {
        let mut gaps = Vec::with_capacity(WINDOW);
        let first = millis(initial);
        gaps.push(first);
        ArrivalWindow {
            gaps,
            next: 0,
            sum: first as u64,
        }
    }

    /// Records one gap, unless it is longer than `longest`.
    pub fn record(&mut self, gap: Dur, longest: Dur) {
        if gap > longest {
            return;
        }
        let ms = millis(gap);
        if self.gaps.len() < WINDOW {
            self.gaps.push(ms);
        } else {
            self.sum -= self.gaps[self.next] as u64;
            self.gaps[self.next] = ms;
            self.next = (self.next + 1) % WINDOW;
        }
        self.sum += ms as u64;
    }

    /// How many gaps it holds.
    pub fn len(&self) -> usize {
        self.gaps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gaps.is_empty()
    }

    /// The mean gap in milliseconds (at least 1).
    pub fn mean_ms(&self) -> f64 {
        (self.sum as f64 / self.gaps.len().max(1) as f64).max(1.0)
    }

    /// Phi after `silence` without a rise.
    pub fn phi(&self, silence: Dur) -> f64 {
        let t = silence.micros() as f64 / 1000.0;
        t / self.mean_ms() * std::f64::consts::LOG10_E
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi_grows_with_silence_in_units_of_the_mean_gap() {
        let mut w = ArrivalWindow::new(Dur::from_secs(2));
        for _ in 0..WINDOW {
            w.record(Dur::from_millis(500), Dur::from_secs(2));
        }
        // The initial gap has been pushed out: the mean is 500 ms.
        assert_eq!(w.len(), WINDOW);
        assert_eq!(w.mean_ms(), 500.0);
        assert_eq!(w.phi(Dur::ZERO), 0.0);
        // -log10(e^-1) after one mean gap.
        assert!((w.phi(Dur::from_millis(500)) - std::f64::consts::LOG10_E).abs() < 1e-12);
        // Threshold 8 is crossed after 8 / log10(e) = 18.4 mean gaps.
        assert!(w.phi(Dur::from_millis(9_200)) < 8.0);
        assert!(w.phi(Dur::from_millis(9_250)) > 8.0);
    }

    #[test]
    fn a_new_window_is_patient_and_long_gaps_are_not_learnt() {
        let mut w = ArrivalWindow::new(Dur::from_secs(2));
        assert_eq!(w.mean_ms(), 2000.0);
        w.record(Dur::from_secs(30), Dur::from_secs(2));
        assert_eq!((w.len(), w.mean_ms()), (1, 2000.0), "an outage is not a gap");
        w.record(Dur::from_secs(1), Dur::from_secs(2));
        assert_eq!((w.len(), w.mean_ms()), (2, 1500.0));
    }

    #[test]
    fn the_window_keeps_only_the_latest_gaps() {
        let mut w = ArrivalWindow::new(Dur::from_millis(100));
        for i in 0..(3 * WINDOW) as u64 {
            w.record(Dur::from_millis(i), Dur::from_secs(60));
        }
        let latest: u64 = (2 * WINDOW as u64..3 * WINDOW as u64).sum();
        assert_eq!(w.len(), WINDOW);
        assert_eq!(w.mean_ms(), latest as f64 / WINDOW as f64);
    }
}
