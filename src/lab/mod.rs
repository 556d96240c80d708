//! `ringside lab`: experiments that measure a trade-off on the real engine
//! and print it beside what theory predicts.
//!
//! # Layout
//!
//! - `point`: one measured point ([`Point`]), the shape every experiment
//!   prints as JSON or CSV alike, and what an experiment hands back
//!   ([`Outcome`]).
//! - `options`: what every experiment takes (trials, seed, jobs).
//! - `theory/`: the predictions, computed with no engine at all (closed forms
//!   and model Monte Carlo), one file per experiment.
//! - One file per experiment (`balance`, `staleness`, `quorum`, `gossip`,
//!   `merkle`, `detector`), each measuring on the same engine as everywhere
//!   else, and [`EXPERIMENTS`], the table every list of experiments is read
//!   from.
//!
//! Dependencies: the lab reads `core` and drives `engine`; `bench`, `tui`
//! and `cli` read the lab.

pub mod detector;
pub mod gossip;
pub mod merkle;
pub mod options;
pub mod point;
pub mod sample_spread;
pub mod theory;
pub mod trial_pool;

pub use options::{LabOptions, StopHandle};
pub use point::{Outcome, Params, Point};

/// Where an experiment sends each point as soon as it is measured, so that a
/// view can draw the points as they arrive.
pub type PointSink<'a> = &'a mut (dyn FnMut(&Point) + Send);

/// One experiment of the lab.
pub struct Experiment {
    /// Its name on the command line: `ringside lab balance`.
    pub name: &'static str,
    /// One sentence: what it measures, for `ringside lab` alone.
    pub about: &'static str,
    /// The parameter drawn along a chart's x axis (a key of [`Point::params`]).
    pub x: &'static str,
    /// Whether that axis is better read on a log scale.
    pub log_x: bool,
    /// Runs it, sending every point to the sink as it is measured and
    /// returning them all with the experiment's notes.
    pub run: fn(&LabOptions, PointSink<'_>) -> anyhow::Result<Outcome>,
}

/// Every experiment, in the order `ringside lab` lists them.
pub const EXPERIMENTS: &[Experiment] = &[
    Experiment {
        name: "gossip",
        about: "rounds for a join to reach every node of 16 to 1,024, with 1, 2 or 3 gossip peers a round, beside push-pull theory",
        x: "nodes",
        log_x: true,
        run: gossip::run,
    },
    Experiment {
        name: "merkle",
        about: "hashes compared and keys exchanged by one anti-entropy session against the differing keys and the tree depth, beside the 2d+1 bound",
        x: "differing",
        log_x: true,
        run: merkle::run,
    },
    Experiment {
        name: "detector",
        about: "heartbeat and phi accrual detectors: time to see a crash down against false suspicions per node-hour",
        x: "silence_s",
        log_x: false,
        run: detector::run,
    },
];

/// The experiment called `name`, if there is one.
pub fn experiment(name: &str) -> Option<&'static Experiment> {
    EXPERIMENTS.iter().find(|e| e.name == name)
}
