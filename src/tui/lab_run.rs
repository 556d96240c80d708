//! A lab experiment running behind the playground (`:lab EXPERIMENT`): it
//! runs on a thread of its own and sends each point as it is measured; the
//! playground picks them up every frame ([`LabRun::poll`]) and keeps
//! playing meanwhile. Closing the view, opening another experiment or
//! leaving the playground raises the run's stop flag (on drop): the
//! experiment finishes no further point, and nothing waits for it.

use std::sync::mpsc::{self, Receiver, TryRecvError};

use crate::lab::{Experiment, LabOptions, Outcome, Point, StopHandle};

enum Message {
    Point(Point),
    Done(Result<Outcome, String>),
}

/// An experiment's run as the `:lab` view shows it.
pub struct LabRun {
    pub experiment: &'static Experiment,
    /// The points measured so far, in the order they came.
    pub points: Vec<Point>,
    /// The theory, notes and verdict, once the run is over.
    pub outcome: Option<Result<Outcome, String>>,
    /// The metric drawn (an index into [`LabRun::metrics`]).
    pub metric: usize,
    rx: Option<Receiver<Message>>,
    stop: StopHandle,
}

impl LabRun {
    /// Starts `experiment` on a thread of its own.
    pub fn start(experiment: &'static Experiment, opts: LabOptions) -> Result<LabRun, String> {
        let (tx, rx) = mpsc::channel();
        let stop = opts.stop.clone();
        std::thread::Builder::new()
            .name(format!("lab {}", experiment.name))
            .spawn(move || {
                let points = tx.clone();
                let mut sink = move |p: &Point| {
                    let _ = points.send(Message::Point(p.clone()));
                };
                let result = (experiment.run)(&opts, &mut sink).map_err(|e| e.to_string());
                let _ = tx.send(Message::Done(result));
            })
            .map_err(|e| format!("cannot start the experiment: {e}"))?;
        Ok(LabRun {
            experiment,
            points: Vec::new(),
            outcome: None,
            metric: 0,
            rx: Some(rx),
            stop,
        })
    }

    /// A run already over, with these points and outcome (for tests and
    /// for showing figures measured elsewhere).
    pub fn finished(experiment: &'static Experiment, points: Vec<Point>, outcome: Result<Outcome, String>) -> LabRun {
        LabRun {
            experiment,
            points,
            outcome: Some(outcome),
            metric: 0,
            rx: None,
            stop: StopHandle::default(),
        }
    }

    /// Takes the points that have arrived; true when anything changed.
    pub fn poll(&mut self) -> bool {
        let Some(rx) = &self.rx else { return false };
        let mut changed = false;
        loop {
            match rx.try_recv() {
                Ok(Message::Point(p)) => {
                    self.points.push(p);
                    changed = true;
                }
                Ok(Message::Done(result)) => {
                    self.outcome = Some(result);
                    self.rx = None;
                    return true;
                }
                Err(TryRecvError::Empty) => return changed,
                Err(TryRecvError::Disconnected) => {
                    self.outcome
                        .get_or_insert_with(|| Err("the experiment stopped without a word".into()));
                    self.rx = None;
                    return true;
                }
            }
        }
    }

    /// Whether the run is over.
    pub fn is_over(&self) -> bool {
        self.outcome.is_some()
    }

    /// The metrics measured so far, in the order they first came.
    pub fn metrics(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for p in &self.points {
            if !out.contains(&p.metric) {
                out.push(p.metric);
            }
        }
        out
    }

    /// The metric drawn, if any point has come.
    pub fn shown_metric(&self) -> Option<&'static str> {
        let metrics = self.metrics();
        metrics.get(self.metric.min(metrics.len().saturating_sub(1))).copied()
    }

    /// Draws the next (`forward`) or previous metric.
    pub fn cycle_metric(&mut self, forward: bool) {
        let n = self.metrics().len().max(1);
        self.metric = if forward {
            (self.metric + 1) % n
        } else {
            (self.metric + n - 1) % n
        };
    }
}

impl Drop for LabRun {
    fn drop(&mut self) {
        self.stop.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick(opts: &LabOptions, sink: crate::lab::PointSink<'_>) -> anyhow::Result<Outcome> {
        let mut out = Outcome::default();
        for i in 0..3 {
            if opts.stop.stopped() {
                anyhow::bail!("stopped");
            }
            let p = Point {
                experiment: "quick",
                series: "s".into(),
                params: crate::lab::Params::default().with("x", i as f64),
                metric: if i == 2 { "other" } else { "m" },
                measured: i as f64,
                low: 0.0,
                high: 3.0,
                predicted: None,
                trials: 1,
            };
            sink(&p);
            out.points.push(p);
        }
        Ok(out)
    }

    static QUICK: Experiment = Experiment {
        name: "quick",
        about: "three points",
        x: "x",
        log_x: false,
        run: quick,
    };

    #[test]
    fn points_arrive_and_the_run_ends() {
        let mut run = LabRun::start(&QUICK, LabOptions::default()).unwrap();
        while !run.is_over() {
            run.poll();
            std::thread::yield_now();
        }
        assert_eq!(run.points.len(), 3);
        assert!(matches!(run.outcome, Some(Ok(_))));
        assert_eq!(run.metrics(), vec!["m", "other"]);
        assert_eq!(run.shown_metric(), Some("m"));
        run.cycle_metric(true);
        assert_eq!(run.shown_metric(), Some("other"));
        run.cycle_metric(true);
        assert_eq!(run.shown_metric(), Some("m"));
        run.cycle_metric(false);
        assert_eq!(run.shown_metric(), Some("other"));
    }

    #[test]
    fn dropping_a_run_raises_its_stop_flag() {
        let opts = LabOptions::default();
        let stop = opts.stop.clone();
        let run = LabRun::finished(&QUICK, Vec::new(), Ok(Outcome::default()));
        drop(run);
        assert!(!stop.stopped(), "a finished run has a flag of its own");
        let run = LabRun::start(&QUICK, opts).unwrap();
        drop(run);
        assert!(stop.stopped());
    }
}
