//! Playing a scenario's steps against an engine, one after another.
//!
//! The director does not move time itself: it starts a step (a [`StepRun`])
//! and says what it waits for. The headless runner then runs the engine as
//! fast as it can; the TUI runs it at the chosen speed. When the step is
//! done, the director checks its expectations and counts them.
//!
//! An `at:` step is the one exception to "one after another": it starts the
//! step after it at its instant whether or not the steps before it are done.
//! A step still running when the director reaches an `at:` goes on in the
//! background and is checked when it is done. An `at:` is not announced in
//! the trace, and step numbers count the other steps only, so that a saved
//! session (`tui` records one as `at:` + step pairs) reads as the actions
//! the user took. A run ends when its last step is done: steps still running
//! in the background then are not waited for.

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

/// Plays a scenario's steps in order. Cloned with the engine's
/// checkpoint, it carries on from there too.
#[derive(Clone, Debug)]
pub struct Director {
    steps: Arc<Vec<Step>>,
    next: usize,
    running: Option<(usize, StepRun)>,
    /// Steps an `at:` left running, in the order they started.
    background: Vec<(usize, StepRun)>,
    /// `at:` steps started so far (step numbers do not count them).
    ats: usize,
    /// The index of each numbered step (every step but `at:`), by number.
    numbered: Vec<usize>,
    pub passed: usize,
    pub failed: usize,
    /// The steps (by index) a check of failed, in the order they ended.
    failed_steps: Vec<usize>,
}

impl Director {
    pub fn new(scenario: &Scenario) -> Director {
        Director::with_steps(scenario.steps.clone())
    }

    /// A director over these steps (a live session starts with none and
    /// [`Director::push`]es them as they are taken).
    pub fn with_steps(steps: Vec<Step>) -> Director {
        Director {
            steps: Arc::new(steps),
            next: 0,
            running: None,
            background: Vec::new(),
            ats: 0,
            numbered: Vec::new(),
            passed: 0,
            failed: 0,
            failed_steps: Vec::new(),
        }
    }

    /// Appends a step after the last one.
    pub fn push(&mut self, step: Step) {
        Arc::make_mut(&mut self.steps).push(step);
    }

    /// True while step `index` has started and is not done.
    pub fn is_active(&self, index: usize) -> bool {
        self.running.as_ref().is_some_and(|r| r.0 == index) || self.background.iter().any(|r| r.0 == index)
    }

    /// The step the trace numbers `number` (from 0; `at:` steps are not numbered).
    pub fn numbered(&self, number: usize) -> Option<&Step> {
        self.numbered.get(number).and_then(|i| self.steps.get(*i))
    }

    /// The run of step `index`, while it is in progress.
    pub fn run_of(&self, index: usize) -> Option<&StepRun> {
        self.background
            .iter()
            .chain(self.running.as_ref())
            .find(|r| r.0 == index)
            .map(|r| &r.1)
    }

    /// How many steps are in progress, in front and in the background.
    pub fn in_progress_count(&self) -> usize {
        self.background.len() + usize::from(self.running.is_some())
    }

    /// True when no step runs, in front or in the background.
    pub fn is_idle(&self) -> bool {
        self.running.is_none() && self.background.is_empty()
    }

    /// Every step in progress, in the order they started.
    fn in_progress(&self) -> impl Iterator<Item = &StepRun> {
        self.background.iter().chain(self.running.as_ref()).map(|(_, run)| run)
    }

    /// The operations of every step in progress that have not answered.
    pub fn unfinished_ops(&self, engine: &Engine) -> Vec<OpId> {
        self.in_progress()
            .flat_map(StepRun::ops)
            .filter(|op| engine.report(*op).is_none())
            .collect()
    }

    /// The earliest instant after `now` that a step in progress waits for.
    pub fn deadline(&self, now: Time) -> Option<Time> {
        self.in_progress().map(StepRun::wait_until).filter(|t| *t > now).min()
    }

    /// Finishes the steps that are done, leaves the running one in the
    /// background when an `at:` comes next, and starts every step that may
    /// start now. Never moves time. Returns how many steps finished.
    pub async fn pump(&mut self, engine: &mut Engine) -> usize {
        let mut finished = 0;
        loop {
            let mut i = 0;
            while i < self.background.len() {
                if self.background[i].1.is_done(engine) {
                    let (index, run) = self.background.remove(i);
                    let checks = run.finish(engine).await;
                    self.count(index, &checks);
                    finished += 1;
                } else {
                    i += 1;
                }
            }
            if let Some((_, run)) = &self.running {
                if run.is_done(engine) {
                    self.finish(engine).await;
                    finished += 1;
                    continue;
                }
                if !matches!(self.steps.get(self.next).map(|s| &s.kind), Some(StepKind::At(_))) {
                    return finished;
                }
                let run = self.running.take().expect("a step runs");
                self.background.push(run);
            }
            if self.start_next(engine).await.is_none() {
                return finished;
            }
        }
    }

    fn count(&mut self, index: usize, checks: &[CheckResult]) {
        if checks.iter().any(|c| !c.passed) {
            self.failed_steps.push(index);
        }
        for c in checks {
            if c.passed {
                self.passed += 1;
            } else {
                self.failed += 1;
            }
        }
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// True when a check of step `index` failed (once it has ended).
    pub fn step_failed(&self, index: usize) -> bool {
        self.failed_steps.contains(&index)
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
        // Step numbers pass over `at:` steps, which are not announced.
        let number = index - self.ats;
        if matches!(step.kind, StepKind::At(_)) {
            self.ats += 1;
        } else {
            self.numbered.push(index);
        }
        // A caption speaks for itself, an `at:` only marks time; other
        // steps are announced.
        if !matches!(step.kind, StepKind::Say(_) | StepKind::At(_)) {
            engine.annotate(Event::Step {
                index: number,
                text: step.kind.to_string(),
            });
        }
        match step.start(engine).await {
            Ok(run) => self.running = Some((index, run)),
            Err(error) => {
                self.failed += 1;
                self.failed_steps.push(index);
                engine.annotate(Event::Expectation {
                    text: format!("step {} runs", number + 1),
                    passed: false,
                    detail: error,
                });
            }
        }
        Some(index)
    }

    /// What the running step waits for: its operations and an instant.
    pub fn waiting_for(&self) -> (Vec<OpId>, Time) {
        match &self.running {
            Some((_, run)) => (run.ops(), run.wait_until()),
            None => (Vec::new(), Time::ZERO),
        }
    }

    /// Checks the running step's expectations and ends it.
    pub async fn finish(&mut self, engine: &mut Engine) -> Option<StepResult> {
        let (index, run) = self.running.take()?;
        let checks = run.finish(engine).await;
        self.count(index, &checks);
        Some(StepResult { index, checks })
    }

    /// Runs every remaining step as fast as possible (the headless mode).
    /// `after_step` sees the engine after each step.
    /// Without `at:` steps this is one step after another: start it, run
    /// until its operations have answered, then to the end of its wait.
    pub async fn run_to_end(&mut self, engine: &mut Engine, mut after_step: impl FnMut(&mut Engine)) {
        loop {
            if self.pump(engine).await > 0 {
                after_step(engine);
            }
            if self.is_finished() {
                return;
            }
            let ops = self.unfinished_ops(engine);
            let deadline = self.deadline(engine.now());
            if self.background.is_empty() && !ops.is_empty() {
                engine.run_until_done(&ops, Time(u64::MAX)).await;
            } else if !ops.is_empty() {
                engine.run_until_any(&ops, deadline.unwrap_or(Time(u64::MAX))).await;
            } else if let Some(t) = deadline {
                engine.run_until(t).await;
            } else {
                // Nothing to wait for yet not done: cannot happen, but a
                // run must end.
                return;
            }
        }
    }
}
