//! How good the failure detector is: how often a fault-free cluster
//! suspects a node that is running (false suspicions), and how long after a
//! crash every live node sees the crashed node down (detection time).
//!
//! Both are counted from the trace's liveness events, in virtual time: the
//! figures are the same on every machine. The measurements are the lab's
//! (`lab::detector`, `ringside lab detector`); this section runs them on
//! the default settings at two cluster sizes.

use crate::core::config::Settings;
use crate::core::time::Dur;

pub use crate::lab::detector::{Flicker, detection_time, false_suspicions, settings_for};
pub use crate::lab::theory::detector::stated_bound;

/// The figures for one cluster size and one detector.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectorFigure {
    pub nodes: usize,
    pub detector: String,
    pub seeds: u64,
    /// Virtual length of each fault-free run.
    pub length: Dur,
    /// Seeds whose fault-free run had no suspicion at all.
    pub quiet_seeds: u64,
    pub suspicions: u64,
    pub downs: u64,
    /// Detection times, sorted; a seed that did not detect within the limit
    /// is left out and counted in `missed`.
    pub detection: Vec<Dur>,
    pub missed: u64,
}

impl DetectorFigure {
    pub fn detection_max(&self) -> Dur {
        self.detection.last().copied().unwrap_or_default()
    }

    pub fn detection_mean(&self) -> Dur {
        let n = self.detection.len().max(1) as u64;
        Dur(self.detection.iter().map(|d| d.micros()).sum::<u64>() / n)
    }
}

/// Measures one cluster size: `quiet_seeds` fault-free runs of `length`,
/// and `crash_seeds` crashes.
pub async fn measure(
    nodes: usize,
    settings: &Settings,
    quiet_seeds: u64,
    length: Dur,
    crash_seeds: u64,
) -> Result<DetectorFigure, String> {
    let mut fig = DetectorFigure {
        nodes,
        detector: settings.detector_description(),
        seeds: quiet_seeds,
        length,
        quiet_seeds: 0,
        suspicions: 0,
        downs: 0,
        detection: Vec::new(),
        missed: 0,
    };
    for seed in 1..=quiet_seeds {
        let f = false_suspicions(nodes, settings, seed, length).await?;
        fig.quiet_seeds += (f.suspicions + f.downs == 0) as u64;
        fig.suspicions += f.suspicions;
        fig.downs += f.downs;
    }
    for seed in 1..=crash_seeds {
        match detection_time(nodes, settings, seed, Dur::from_secs(30), Dur::from_secs(120)).await? {
            Some(d) => fig.detection.push(d),
            None => fig.missed += 1,
        }
    }
    fig.detection.sort();
    Ok(fig)
}
