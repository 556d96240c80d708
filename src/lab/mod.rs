//! `ringside lab`: experiments that measure a trade-off on the real engine
//! and print it beside what theory predicts.
//!
//! # Layout
//!
//! - `point`: one measured point ([`Point`]), the shape every experiment
//!   prints as JSON or CSV alike, and what an experiment hands back
//!   ([`Outcome`]).
//! - `options`: what every experiment takes (trials, seed, jobs).
//! - `trial_pool`: every experiment's trials on every core, seeded by
//!   (seed, point, trial) so that the figures do not depend on the job
//!   count; points stream out as they complete and a run stops on request.
//!   `sample_spread`: the spreads, every one a confidence interval at one
//!   level.
//! - `table`, `output`, `chart`: a run as a table, as JSON or CSV lines, as
//!   an SVG chart.
//! - `theory/`: the predictions, computed with no engine at all (closed forms
//!   and model Monte Carlo), one file per experiment.
//! - One file per experiment (`balance`, `staleness`, `quorum`, `gossip`,
//!   `merkle`, `detector`), each measuring on the same engine as everywhere
//!   else; `experiment` says what one is, and `experiments` holds
//!   [`EXPERIMENTS`], the table every list of experiments is read from.
//!
//! Children import their siblings (`super::point::Point`), never this
//! file's re-exports, so that no file imports one that imports it back.
//!
//! Dependencies: the lab reads `core` and drives `engine`; `bench`, `tui`
//! and `cli` read the lab.

pub mod balance;
pub mod chart;
pub mod detector;
pub mod experiment;
pub mod experiments;
pub mod gossip;
pub mod merkle;
pub mod options;
pub mod output;
pub mod point;
pub mod quorum;
pub mod sample_spread;
pub mod staleness;
pub mod table;
pub mod theory;
pub mod trial_pool;

pub use experiment::{Experiment, PointSink};
pub use experiments::{EXPERIMENTS, experiment};
pub use options::{LabOptions, StopHandle};
pub use point::{Outcome, Params, Point};
