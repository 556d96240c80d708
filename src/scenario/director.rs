//! Playing a scenario's steps against an engine, one after another.
//!
//! The director does not move time itself: it starts a step (a [`StepRun`])
//! and says what it waits for. The headless runner then runs the engine as
//! fast as it can; the TUI runs it at the chosen speed. When the step is
//! done, the director checks its expectations and counts them.

use std::sync::Arc;

use crate::core::ids::OpId;
use crate::core::time::Time;
use crate::core::trace::Event;
use crate::engine::Engine;

use super::check::CheckResult;
use super::load::Scenario;
use super::step::{Step, StepKind};
use super::step_run::StepRun;

/// What a finished step produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepResult {
    pub index: usize,
    pub checks: Vec<CheckResult>,
}

/// Plays a scenario's steps in order.
#[derive(Debug)]
pub struct Director {
    steps: Arc<Vec<Step>>,
    next: usize,
    running: Option<(usize, StepRun)>,
    pub passed: usize,
    pub failed: usize,
}

impl Director {
    pub fn new(scenario: &Scenario) -> Director {
        Director {
            steps: Arc::new(scenario.steps.clone()),
            next: 0,
            running: None,
            passed: 0,
            failed: 0,
        }
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The index of the next step to start.
    pub fn next_index(&self) -> usize {
        self.next
    }

    /// The step in progress.
    pub fn current(&self) -> Option<usize> {
        self.running.as_ref().map(|r| r.0)
    }

    /// True once every step has run.
    pub fn is_finished(&self) -> bool {
        self.running.is_none() && self.next >= self.steps.len()
    }

    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Starts the next step. Returns its index, or `None` when the scenario
    /// is over or a step is still running. A step that cannot run (say, it
    /// kills a node that is already dead) counts as a failure.
    pub async fn start_next(&mut self, engine: &mut Engine) -> Option<usize> {
        if self.running.is_some() || self.next >= self.steps.len() {
            return None;
        }
        let index = self.next;
        self.next += 1;
        let steps = self.steps.clone();
        let step = &steps[index];
        // A caption speaks for itself; other steps are announced.
        if !matches!(step.kind, StepKind::Say(_)) {
            engine.annotate(Event::Step {
                index,
                text: step.kind.to_string(),
            });
        }
        match step.start(engine).await {
            Ok(run) => self.running = Some((index, run)),
            Err(error) => {
                self.failed += 1;
                engine.annotate(Event::Expectation {
                    text: format!("step {} runs", index + 1),
                    passed: false,
                    detail: error,
                });
            }
        }
        Some(index)
    }

    /// Passes over the next step without running it, saying why in the
    /// trace: the playground's tour, when the user already did the step
    /// (see `tui::tour`). Returns its index, or `None` as
    /// [`Director::start_next`] does.
    pub fn skip_next(&mut self, engine: &mut Engine, why: &str) -> Option<usize> {
        if self.running.is_some() || self.next >= self.steps.len() {
            return None;
        }
        let index = self.next;
        self.next += 1;
        engine.annotate(Event::Step {
            index,
            text: format!("{} (already done: {why})", self.steps[index].kind),
        });
        Some(index)
    }

    /// What the running step waits for: its operations and an instant.
    pub fn waiting_for(&self) -> (Vec<OpId>, Time) {
        match &self.running {
            Some((_, run)) => (run.ops(), run.wait_until()),
            None => (Vec::new(), Time::ZERO),
        }
    }

    /// True when the running step (if any) is done.
    pub fn step_done(&self, engine: &Engine) -> bool {
        self.running.as_ref().is_none_or(|(_, run)| run.is_done(engine))
    }

    /// Checks the running step's expectations and ends it.
    pub async fn finish(&mut self, engine: &mut Engine) -> Option<StepResult> {
        let (index, run) = self.running.take()?;
        let checks = run.finish(engine).await;
        for c in &checks {
            if c.passed {
                self.passed += 1;
            } else {
                self.failed += 1;
            }
        }
        Some(StepResult { index, checks })
    }

    /// Runs every remaining step as fast as possible (the headless mode).
    /// `after_step` sees the engine after each step.
    pub async fn run_to_end(&mut self, engine: &mut Engine, mut after_step: impl FnMut(&mut Engine)) {
        while self.start_next(engine).await.is_some() {
            let (ops, until) = self.waiting_for();
            if !ops.is_empty() {
                engine.run_until_done(&ops, Time(u64::MAX)).await;
            }
            if until > engine.now() {
                engine.run_until(until).await;
            }
            self.finish(engine).await;
            after_step(engine);
        }
    }
}
