//! One measured point of an experiment, in the one shape every experiment
//! prints (`--json`: one object per line; `--csv`: the same columns):
//!
//! `{"experiment": "balance", "series": "random tokens", "params": {"nodes": 10, "vnodes": 1},
//!   "metric": "max_share_ratio", "measured": 2.95, "low": 2.81, "high": 3.09,
//!   "predicted": 2.929, "trials": 400}`

use serde::Serialize;
use serde::ser::SerializeMap;

/// The parameters of a point, in the order the experiment gives them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(pub Vec<(&'static str, f64)>);

impl Params {
    /// The value of parameter `name`, if the point has it.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    /// Adds a parameter (builder style).
    pub fn with(mut self, name: &'static str, value: f64) -> Self {
        self.0.push((name, value));
        self
    }
}

impl Serialize for Params {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            // Whole numbers print as integers: `"nodes": 10`, not `10.0`.
            if value.fract() == 0.0 && value.abs() < 9.0e15 {
                map.serialize_entry(name, &(*value as i64))?;
            } else {
                map.serialize_entry(name, value)?;
            }
        }
        map.end()
    }
}

/// One measured value beside its prediction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    pub experiment: &'static str,
    /// The line of a chart this point belongs to ("random tokens", "R=1 W=1").
    pub series: String,
    pub params: Params,
    /// What was measured, as a column name ("max_share_ratio").
    pub metric: &'static str,
    pub measured: f64,
    /// The low and high ends of the measured value's spread: its
    /// confidence interval at the lab's one level (`sample_spread::CONFIDENCE`).
    pub low: f64,
    pub high: f64,
    /// What theory predicts; `None` (JSON null) where it gives nothing.
    pub predicted: Option<f64>,
    /// How many trials the point rests on.
    pub trials: u64,
}

impl Point {
    /// Whether the prediction lies outside the measured spread.
    pub fn disagrees(&self) -> bool {
        self.predicted.is_some_and(|p| p < self.low || p > self.high)
    }
}

/// What an experiment hands back: its points and what a reader must know
/// to read them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub points: Vec<Point>,
    /// The formula or model behind the predictions, named.
    pub theory: Vec<String>,
    /// Footnotes: how the spread is computed, and why measured and predicted
    /// differ where they differ for a known reason.
    pub notes: Vec<String>,
}
