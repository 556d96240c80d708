//! Running a scenario's steps against an engine, one at a time.
//!
//! The director does not move time itself: it starts a step (applies a
//! fault, submits an operation, sets a wait) and says what the step waits
//! for. The headless runner then runs the engine as fast as it can; the TUI
//! runs it at the chosen speed. When the step is done, the director checks
//! its expectations and records them in the trace.

use std::sync::Arc;

use crate::core::client::OpKind;
use crate::core::ids::{NodeId, OpId};
use crate::core::time::Time;
use crate::core::trace::Event;
use crate::engine::Engine;

use super::check::{CheckResult, check, resolve_clock};
use super::expect::Expect;
use super::load::Scenario;
use super::step::{Action, Step};

/// A step in progress.
#[derive(Debug)]
struct Running {
    index: usize,
    /// Operations started by the step (several under `concurrently`), with
    /// the expectations that belong to each.
    parts: Vec<Part>,
    /// Expectations of the step itself when it is not an operation.
    expect: Option<Expect>,
    wait_until: Time,
}

#[derive(Debug)]
struct Part {
    op: Option<OpId>,
    expect: Option<Expect>,
}

/// What a finished step produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepResult {
    pub index: usize,
    pub checks: Vec<CheckResult>,
    /// Why the step could not run, if it could not.
    pub error: Option<String>,
}

/// Plays a scenario's steps in order.
#[derive(Debug)]
pub struct Director {
    steps: Arc<Vec<Step>>,
    next: usize,
    running: Option<Running>,
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
        self.running.as_ref().map(|r| r.index)
    }

    /// True once every step has run.
    pub fn is_finished(&self) -> bool {
        self.running.is_none() && self.next >= self.steps.len()
    }

    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Starts the next step. Returns its index, or `None` when the scenario
    /// is over or a step is still running.
    pub async fn start_next(&mut self, engine: &mut Engine) -> Option<usize> {
        if self.running.is_some() || self.next >= self.steps.len() {
            return None;
        }
        let index = self.next;
        self.next += 1;
        let steps = self.steps.clone();
        let step = &steps[index];
        // A caption speaks for itself; other steps are announced.
        if !matches!(step.action, Action::Say(_)) {
            engine.annotate(Event::Step {
                index,
                text: step.action.to_string(),
            });
        }
        let mut running = Running {
            index,
            parts: Vec::new(),
            expect: None,
            wait_until: engine.now(),
        };
        match start(step, engine, &mut running).await {
            Ok(()) => {
                if !step.action.is_op() {
                    running.expect = step.expect.clone();
                }
                self.running = Some(running);
            }
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

    /// What the running step waits for: its operations and an instant.
    pub fn waiting_for(&self) -> (Vec<OpId>, Time) {
        match &self.running {
            Some(r) => (r.parts.iter().filter_map(|p| p.op).collect(), r.wait_until),
            None => (Vec::new(), Time::ZERO),
        }
    }

    /// True when the running step's operations have finished and its wait is over.
    pub fn step_done(&self, engine: &Engine) -> bool {
        match &self.running {
            None => true,
            Some(r) => {
                engine.now() >= r.wait_until
                    && r.parts
                        .iter()
                        .filter_map(|p| p.op)
                        .all(|op| engine.report(op).is_some())
            }
        }
    }

    /// Checks the running step's expectations and ends it.
    pub async fn finish(&mut self, engine: &mut Engine) -> Option<StepResult> {
        let running = self.running.take()?;
        let mut checks = Vec::new();
        for part in &running.parts {
            if let Some(expect) = &part.expect {
                let report = part.op.and_then(|op| engine.report(op).cloned());
                checks.extend(check(expect, report.as_ref(), engine).await);
            }
        }
        if let Some(expect) = &running.expect {
            checks.extend(check(expect, None, engine).await);
        }
        for c in &checks {
            if c.passed {
                self.passed += 1;
            } else {
                self.failed += 1;
            }
            engine.annotate(Event::Expectation {
                text: c.text.clone(),
                passed: c.passed,
                detail: c.detail.clone(),
            });
        }
        Some(StepResult {
            index: running.index,
            checks,
            error: None,
        })
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

/// Applies a step's action; operations are submitted, not awaited.
fn start<'a>(
    step: &'a Step,
    engine: &'a mut Engine,
    running: &'a mut Running,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + 'a>> {
    Box::pin(async move {
        let resolve = |engine: &Engine, node: &super::noderef::NodeRef| node.resolve(engine.names(), engine.ring());
        match &step.action {
            Action::Say(text) => engine.annotate(Event::Caption(text.clone())),
            Action::Put(p) => {
                let via = p.via.as_ref().map(|v| resolve(engine, v)).transpose()?;
                check_quorum("w", p.w, engine)?;
                let context = p.context.as_ref().map(|c| resolve_clock(c, engine)).transpose()?;
                let client = engine.client(&p.client);
                let kind = OpKind::Put {
                    value: Arc::from(p.value.as_str()),
                    w: p.w,
                    context,
                };
                let op = engine.submit(client, Arc::from(p.key.as_str()), kind, via);
                running.parts.push(Part {
                    op: Some(op),
                    expect: step.expect.clone(),
                });
            }
            Action::Get(g) => {
                let via = g.via.as_ref().map(|v| resolve(engine, v)).transpose()?;
                check_quorum("r", g.r, engine)?;
                let client = engine.client(&g.client);
                let op = engine.submit(client, Arc::from(g.key.as_str()), OpKind::Get { r: g.r }, via);
                running.parts.push(Part {
                    op: Some(op),
                    expect: step.expect.clone(),
                });
            }
            Action::Wait(d) => running.wait_until = running.wait_until.max(engine.now() + *d),
            Action::Kill(n) => {
                let node = resolve(engine, n)?;
                engine.kill(node).await?;
            }
            Action::Revive(n) => {
                let node = resolve(engine, n)?;
                engine.revive(node).await?;
            }
            Action::Partition(groups) => {
                let mut resolved: Vec<Vec<NodeId>> = Vec::new();
                for g in groups {
                    let mut ids = Vec::new();
                    for n in g {
                        let id = resolve(engine, n)?;
                        if resolved.iter().flatten().chain(ids.iter()).any(|x| *x == id) {
                            return Err(format!(
                                "partition: {n} is {}, which is already in another group",
                                engine.names().node(id)
                            ));
                        }
                        ids.push(id);
                    }
                    resolved.push(ids);
                }
                engine.partition(resolved)?;
            }
            Action::Cut { from, to } => {
                let (a, b) = (resolve(engine, from)?, resolve(engine, to)?);
                if a == b {
                    return Err(format!("cut: {from} and {to} are the same node"));
                }
                engine.cut(a, b)?;
            }
            Action::Heal => engine.heal(),
            Action::Slow { node, by } => {
                let id = resolve(engine, node)?;
                engine.slow(id, *by)?;
            }
            Action::Set(patch) => {
                let settings = patch.apply(engine.settings());
                engine.set_settings(settings, patch.describe())?;
            }
            Action::Concurrently(steps) => {
                for inner in steps {
                    let mut sub = Running {
                        index: running.index,
                        parts: Vec::new(),
                        expect: None,
                        wait_until: running.wait_until,
                    };
                    start(inner, engine, &mut sub).await?;
                    running.wait_until = running.wait_until.max(sub.wait_until);
                    running.parts.extend(sub.parts);
                    if !inner.action.is_op() && inner.expect.is_some() {
                        running.parts.push(Part {
                            op: None,
                            expect: inner.expect.clone(),
                        });
                    }
                }
            }
            Action::Check => {}
        }
        Ok(())
    })
}

fn check_quorum(name: &str, q: Option<usize>, engine: &Engine) -> Result<(), String> {
    match q {
        Some(q) if q > engine.settings().replicas => Err(format!(
            "{name}={q} is more than N={}; a quorum must be between 1 and N",
            engine.settings().replicas
        )),
        _ => Ok(()),
    }
}
