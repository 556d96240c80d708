//! `ringside lab`: experiments that measure a trade-off on the real engine
//! and print it beside what theory predicts.
//!
//! # Layout
//!
//! - `point`: one measured point ([`Point`]), the shape every experiment
//!   prints as JSON or CSV alike, and what an experiment hands back
//!   ([`Outcome`]).
//! - `options`: what every experiment takes (trials, seed, jobs).
//! - `parallel`: trials on every core, seeded by (seed, point, trial) so
//!   that the figures do not depend on the job count; `stats`: the spreads.
//! - `table`, `output`, `chart`: a run as a table, as JSON or CSV lines, as
//!   an SVG chart.
//! - `theory/`: the predictions, computed with no engine at all (closed forms
//!   and model Monte Carlo), one file per experiment.
//! - One file per experiment (`balance`, `staleness`, `quorum`, `gossip`,
//!   `merkle`, `detector`), each measuring on the same engine as everywhere
//!   else, and [`EXPERIMENTS`], the table every list of experiments is read
//!   from.
//!
//! Dependencies: the lab reads `core` and drives `engine`; `bench`, `tui`
//! and `cli` read the lab.

pub mod balance;
pub mod chart;
pub mod options;
pub mod output;
pub mod parallel;
pub mod point;
pub mod quorum;
pub mod staleness;
pub mod stats;
pub mod table;
pub mod theory;

pub use options::LabOptions;
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
        name: "balance",
        about: "how evenly 10 nodes share the ring with random tokens or equal partitions, 1 to 256 tokens each, \
                and how much moves to a node that joins (against H_n and 1/(n+1))",
        x: "vnodes",
        log_x: true,
        run: balance::run,
    },
    Experiment {
        name: "staleness",
        about: "how often a get started t ms after a put's ack returns it, N=3 and every R, W in 1..3 \
                (against the WARS model and the closed form C(N-W,R)/C(N,R))",
        x: "t_ms",
        log_x: false,
        run: staleness::run,
    },
    Experiment {
        name: "quorum",
        about: "the share of puts and gets that succeed with f of 5 nodes dead, strict against sloppy quorum \
                (against the hypergeometric and live-node counts)",
        x: "f",
        log_x: false,
        run: quorum::run,
    },
];

/// The experiment called `name`, if there is one.
pub fn experiment(name: &str) -> Option<&'static Experiment> {
    EXPERIMENTS.iter().find(|e| e.name == name)
}
