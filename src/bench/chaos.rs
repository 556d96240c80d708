//! The chaos section: how many seeds of the default chaos run (what
//! `ringside chaos` runs with no options: five nodes, 200 operations by
//! four clients on four carts, faults on) the machine checks per second,
//! one seed per core at a time.
//!
//! The seed range is fixed, so that every run does the same work and the
//! figure can be tracked over time; it is sized to take about fifteen
//! seconds on a two-core machine. A failing seed is a figure like the
//! others (its replay is written to a temporary directory), not an error:
//! the section measures speed, and `ringside chaos` is what judges.

use std::path::PathBuf;
use std::time::Instant;

use crate::chaos::{ChaosConfig, ChaosOptions, default_jobs};

/// Seeds the section runs: 1 to this.
pub const SEEDS: u64 = 8_000;

/// The section's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct ChaosFigures {
    pub seeds: usize,
    pub passed: usize,
    pub failed: usize,
    /// Up to ten failing seeds, lowest first.
    pub failing: Vec<u64>,
    pub jobs: usize,
    pub seconds: f64,
    pub ops: usize,
    pub faults: usize,
}

impl ChaosFigures {
    pub fn seeds_per_sec(&self) -> f64 {
        self.seeds as f64 / self.seconds
    }
}

/// The options of the default chaos run over seeds `1..=seeds` on `jobs`
/// threads, writing replays of failing seeds under `out`.
pub fn options(seeds: u64, jobs: usize, out: PathBuf) -> ChaosOptions {
    ChaosOptions {
        config: ChaosConfig::default(),
        first: 1,
        last: seeds,
        jobs,
        out,
        always_write: false,
    }
}

/// Runs seeds `1..=seeds` of the default chaos run on every core.
pub fn measure(seeds: u64) -> ChaosFigures {
    measure_on(seeds, default_jobs())
}

/// Runs seeds `1..=seeds` of the default chaos run, `jobs` at a time.
pub fn measure_on(seeds: u64, jobs: usize) -> ChaosFigures {
    let out = std::env::temp_dir().join(format!("ringside-bench-chaos-{}", std::process::id()));
    let opts = options(seeds, jobs, out);
    // Lines about failing seeds go nowhere: the figures count them.
    let mut sink = std::io::sink();
    let start = Instant::now();
    let report = crate::chaos::run(&opts, &mut sink);
    let seconds = start.elapsed().as_secs_f64();
    ChaosFigures {
        seeds: report.seeds,
        passed: report.passed,
        failed: report.failed(),
        failing: report.failing.iter().take(10).map(|o| o.verdict.seed).collect(),
        jobs: opts.jobs,
        seconds,
        ops: report.ops,
        faults: report.faults,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_seeds_are_all_run_and_counted() {
        let f = measure_on(4, 2);
        assert_eq!(f.seeds, 4);
        assert_eq!(f.passed + f.failed, 4);
        assert_eq!(f.failing.len(), f.failed);
        assert_eq!(f.jobs, 2);
        assert_eq!(f.ops, 4 * crate::chaos::DEFAULT_OPS);
    }

    #[test]
    fn the_default_run_is_what_the_command_line_runs_with_no_options() {
        let o = options(10, 3, PathBuf::from("x"));
        assert_eq!((o.first, o.last, o.jobs), (1, 10, 3));
        assert_eq!(o.config.spec.nodes.len(), 5);
        assert_eq!(o.config.spec.vnodes, 8);
        assert!(o.config.faults);
        assert_eq!(o.config.spec.settings, crate::core::config::Settings::default());
    }
}
