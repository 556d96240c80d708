//! What theory says of the two failure detectors (README, "The
//! failure-detection rule").
//!
//! - The silence before an observer suspects: `suspect_after` for the
//!   heartbeat rule; for phi, the silence at which `phi = t / mean ×
//!   log10(e)` reaches the threshold, `threshold × ln 10 × mean gap`.
//! - The stated bound on detection: the detector's own delay, then
//!   `(2 + ⌈log3 n⌉)` gossip rounds for the suspicions to meet, where the
//!   phi detector's delay takes the longest mean gap a window can hold
//!   (twice the gossip interval).
//! - Phi's false suspicions from its own model: gaps exponential with the
//!   window's mean, so a running node's silence passes the threshold with
//!   probability `10^-threshold` per gap; an observer sees `3600 s / mean
//!   gap` gaps an hour for each of its `n - 1` peers:
//!   `(n - 1) × 3600 / mean × 10^-threshold` suspicions per node-hour.
//!   The heartbeat rule has no distribution model: no prediction.

use crate::core::config::{FailureDetector, Settings};
use crate::core::time::Dur;

/// ⌈log3 n⌉: push-pull gossip rounds for news to reach n nodes.
pub fn log3_ceil(n: usize) -> u64 {
    let mut rounds = 0;
    let mut reach = 1usize;
    while reach < n {
        reach = reach.saturating_mul(3);
        rounds += 1;
    }
    rounds
}

/// The silence, in seconds, at which phi crosses `threshold` when the mean
/// gap between heartbeat rises is `mean_gap` seconds.
pub fn phi_silence(threshold: f64, mean_gap: f64) -> f64 {
    threshold * std::f64::consts::LN_10 * mean_gap
}

/// The silence, in seconds, after which the detector of `settings`
/// suspects a node whose heartbeat rose every gossip interval.
pub fn silence(settings: &Settings) -> f64 {
    match settings.failure_detector {
        FailureDetector::Heartbeat => settings.suspect_after.as_secs_f64(),
        FailureDetector::Phi => phi_silence(settings.phi_threshold, settings.gossip_interval.as_secs_f64()),
    }
}

/// The time within which README promises every live node sees a crashed
/// node down (see the module's doc).
pub fn stated_bound(settings: &Settings, nodes: usize) -> Dur {
    let round = settings.gossip_interval.micros();
    let spread = (2 + log3_ceil(nodes)) * round;
    let own = match settings.failure_detector {
        FailureDetector::Heartbeat => settings.suspect_after.micros(),
        FailureDetector::Phi => (settings.phi_threshold * std::f64::consts::LN_10 * 2.0 * round as f64).ceil() as u64,
    };
    Dur(own + spread)
}

/// Phi's false suspicions per node-hour under its exponential model, for
/// `nodes` nodes whose heartbeats rise every `mean_gap` seconds.
pub fn phi_false_suspicions_per_node_hour(threshold: f64, nodes: usize, mean_gap: f64) -> f64 {
    nodes.saturating_sub(1) as f64 * 3600.0 / mean_gap * 10f64.powf(-threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!([1, 3, 4, 9, 10, 64].map(log3_ceil), [0, 1, 2, 2, 3, 4]);
        // Threshold 8 is crossed after 8 / log10(e) = 18.42 mean gaps.
        assert!((phi_silence(8.0, 1.0) - 18.420_68).abs() < 1e-4);
        // README's bounds for 5 nodes with the defaults: 8 s and 40.8 s.
        let heartbeat = Settings::default();
        assert_eq!(stated_bound(&heartbeat, 5), Dur::from_secs(8));
        assert_eq!(silence(&heartbeat), 4.0);
        let phi = Settings {
            failure_detector: FailureDetector::Phi,
            ..Settings::default()
        };
        assert!((stated_bound(&phi, 5).as_secs_f64() - 40.84).abs() < 0.01);
        // Threshold 1 suspects each of 4 peers once in 10 gaps of 1 s.
        assert!((phi_false_suspicions_per_node_hour(1.0, 5, 1.0) - 1440.0).abs() < 1e-9);
        assert!((phi_false_suspicions_per_node_hour(8.0, 5, 1.0) - 1.44e-4).abs() < 1e-15);
        assert_eq!(phi_false_suspicions_per_node_hour(3.0, 1, 1.0), 0.0);
    }
}
