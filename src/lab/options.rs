//! What every lab experiment takes from the command line, and the handle
//! that stops a run early (the playground's `:lab` view when it is closed).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Options shared by every experiment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabOptions {
    /// Trials per point; `None` means the experiment's own default.
    pub trials: Option<u64>,
    /// The seed every trial's seed is derived from: same seed, same figures.
    pub seed: u64,
    /// Worker threads (defaults to the machine's cores). The figures do not
    /// depend on it.
    pub jobs: usize,
    /// Raised to ask a running experiment to stop: it finishes no further
    /// point and returns an error. Not part of what the options mean (every
    /// handle compares equal).
    pub stop: StopHandle,
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions {
            trials: None,
            seed: 1,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            stop: StopHandle::default(),
        }
    }
}

impl LabOptions {
    /// The trials per point: the user's, or `default`.
    pub fn trials_or(&self, default: u64) -> u64 {
        self.trials.unwrap_or(default).max(1)
    }
}

/// A flag shared between whoever runs an experiment and whoever may want
/// it to stop.
#[derive(Clone, Debug, Default)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    /// Asks the experiment to stop.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether it was asked to stop.
    pub fn stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl PartialEq for StopHandle {
    fn eq(&self, _: &StopHandle) -> bool {
        true
    }
}

impl Eq for StopHandle {}
