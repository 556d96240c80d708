//! What an experiment is: its name, its sentence, its chart's x axis, and
//! the function that runs it, sending points as they are measured.

use super::options::LabOptions;
use super::point::{Outcome, Point};

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
