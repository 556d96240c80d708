//! What every lab experiment takes from the command line.

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
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions {
            trials: None,
            seed: 1,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

impl LabOptions {
    /// The trials per point: the user's, or `default`.
    pub fn trials_or(&self, default: u64) -> u64 {
        self.trials.unwrap_or(default).max(1)
    }
}
