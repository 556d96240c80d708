//! One step in progress: its operations, its wait, its expectations.
//!
//! The director runs a scenario's steps through this, one after another; the
//! playground also starts steps from its command line, several at once if the
//! user likes.

use std::sync::Arc;

use crate::core::client::OpKind;
use crate::core::ids::{NodeId, OpId};
use crate::core::time::Time;
use crate::core::trace::Event;
use crate::engine::Engine;

use super::check::{CheckResult, check, resolve_clock};
use super::expect::Expect;
use super::noderef::NodeRef;
use super::step::{Action, Step};

/// An operation a step started, with the expectations about its result.
#[derive(Clone, Debug)]
struct Part {
    op: Option<OpId>,
    expect: Option<Expect>,
}

/// A fill or scan in progress: many operations, checked together.
#[derive(Clone, Debug)]
struct Bulk {
    label: String,
    ops: Vec<OpId>,
    /// A scan's expected value.
    value: Option<String>,
    is_put: bool,
    ok: Option<bool>,
}

/// A started step. Faults are applied and operations submitted when it
/// starts; it is done when its operations have answered and its wait is over.
#[derive(Clone, Debug)]
pub struct StepRun {
    parts: Vec<Part>,
    bulks: Vec<Bulk>,
    /// Expectations of the step itself when it is not an operation.
    expect: Option<Expect>,
    wait_until: Time,
}

impl StepRun {
    /// Starts `step` now. On error nothing of a failed step has been applied
    /// except what came before the failing part of a `concurrently`.
    pub async fn start(step: &Step, engine: &mut Engine) -> Result<StepRun, String> {
        let mut run = StepRun {
            parts: Vec::new(),
            bulks: Vec::new(),
            expect: None,
            wait_until: engine.now(),
        };
        start(step, engine, &mut run).await?;
        if !step.action.is_op() && !step.action.is_bulk() {
            run.expect = step.expect.clone();
        }
        Ok(run)
    }

    /// The operations the step waits for.
    pub fn ops(&self) -> Vec<OpId> {
        self.parts
            .iter()
            .filter_map(|p| p.op)
            .chain(self.bulks.iter().flat_map(|b| b.ops.iter().copied()))
            .collect()
    }

    /// The instant the step's wait ends.
    pub fn wait_until(&self) -> Time {
        self.wait_until
    }

    /// True when its operations (fills' and scans' included) have answered
    /// and its wait is over.
    pub fn is_done(&self, engine: &Engine) -> bool {
        engine.now() >= self.wait_until && self.ops().into_iter().all(|op| engine.report(op).is_some())
    }

    /// Checks the step's expectations, records each in the trace and returns them.
    pub async fn finish(self, engine: &mut Engine) -> Vec<CheckResult> {
        let mut checks = Vec::new();
        for part in &self.parts {
            if let Some(expect) = &part.expect {
                let report = part.op.and_then(|op| engine.report(op).cloned());
                checks.extend(check(expect, report.as_ref(), engine).await);
            }
        }
        for bulk in &self.bulks {
            checks.extend(check_bulk(bulk, engine));
        }
        if let Some(expect) = &self.expect {
            checks.extend(check(expect, None, engine).await);
        }
        for c in &checks {
            engine.annotate(Event::Expectation {
                text: c.text.clone(),
                passed: c.passed,
                detail: c.detail.clone(),
            });
        }
        checks
    }
}

/// The results of a fill or scan, checked together.
fn check_bulk(bulk: &Bulk, engine: &Engine) -> Vec<CheckResult> {
    let reports: Vec<_> = bulk.ops.iter().filter_map(|op| engine.report(*op)).collect();
    let total = bulk.ops.len();
    let succeeded = reports.iter().filter(|r| r.outcome.is_ok()).count();
    let mut out = Vec::new();
    if let Some(ok) = bulk.ok {
        let passed = if ok { succeeded == total } else { succeeded == 0 };
        out.push(CheckResult {
            text: format!("{}: ok = {ok}", bulk.label),
            passed,
            detail: format!("{succeeded} of {total} succeeded"),
        });
    }
    if let Some(want) = &bulk.value {
        let mut wrong: Vec<String> = Vec::new();
        for r in &reports {
            let values: Vec<&str> = match &r.outcome {
                crate::core::message::Outcome::Get { versions, .. } => versions.iter().map(|v| &*v.value).collect(),
                _ => Vec::new(),
            };
            if values != [want.as_str()] {
                wrong.push(format!("{} gave [{}]", r.key, values.join(", ")));
            }
        }
        let right = total - wrong.len();
        let mut detail = format!("{right} of {total} returned {want}");
        if let Some(first) = wrong.first() {
            detail.push_str(&format!("; {first}"));
        }
        out.push(CheckResult {
            text: format!("{} returns {want}", bulk.label),
            passed: wrong.is_empty() && reports.len() == total,
            detail,
        });
    }
    let _ = bulk.is_put;
    out
}

fn resolve(engine: &Engine, node: &NodeRef) -> Result<NodeId, String> {
    node.resolve(engine.names(), engine.ring())
}

/// Applies a step's action; operations are submitted, not awaited.
fn start<'a>(
    step: &'a Step,
    engine: &'a mut Engine,
    run: &'a mut StepRun,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + 'a>> {
    Box::pin(async move {
        match &step.action {
            Action::Say(text) => engine.annotate(Event::Caption(text.clone())),
            Action::Put(p) => {
                let via = p.via.as_ref().map(|v| resolve(engine, v)).transpose()?;
                check_quorum("w", p.w, engine)?;
                check_quorum("pw", p.pw, engine)?;
                let context = p.context.as_ref().map(|c| resolve_clock(c, engine)).transpose()?;
                let client = engine.client(&p.client);
                let kind = OpKind::Put {
                    value: Arc::from(p.value.as_str()),
                    w: p.w,
                    pw: p.pw,
                    context,
                };
                let op = engine.submit(client, crate::core::version::Key::from(p.key.as_str()), kind, via);
                if !p.nowait {
                    run.parts.push(Part {
                        op: Some(op),
                        expect: step.expect.clone(),
                    });
                }
            }
            Action::Get(g) => {
                let via = g.via.as_ref().map(|v| resolve(engine, v)).transpose()?;
                check_quorum("r", g.r, engine)?;
                check_quorum("pr", g.pr, engine)?;
                let client = engine.client(&g.client);
                let op = engine.submit(
                    client,
                    crate::core::version::Key::from(g.key.as_str()),
                    OpKind::Get { r: g.r, pr: g.pr },
                    via,
                );
                if !g.nowait {
                    run.parts.push(Part {
                        op: Some(op),
                        expect: step.expect.clone(),
                    });
                }
            }
            Action::Wait(d) => run.wait_until = run.wait_until.max(engine.now() + *d),
            Action::At(d) => {
                let at = Time(d.micros());
                if at < engine.now() {
                    return Err(format!("at {d}: the clock already reads {}", engine.now()));
                }
                run.wait_until = run.wait_until.max(at);
            }
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
            Action::Join { node, tokens } => {
                engine.join(node, tokens.clone())?;
            }
            Action::Leave(n) => {
                let node = resolve(engine, n)?;
                engine.leave(node)?;
            }
            Action::Fill(b) | Action::Scan(b) => {
                let is_put = matches!(step.action, Action::Fill(_));
                check_quorum(if is_put { "w" } else { "r" }, b.quorum, engine)?;
                let via = b.via.as_ref().map(|v| resolve(engine, v)).transpose()?;
                let client = engine.client(&b.client);
                let mut ops = Vec::with_capacity(b.keys);
                // One allocation serves every key: a 1 MB value over
                // 100,000 keys is 1 MB, not 100 GB.
                let value: crate::core::version::Value = Arc::from(b.value.as_deref().unwrap_or_default());
                for key in b.key_names() {
                    let kind = if is_put {
                        OpKind::Put {
                            value: value.clone(),
                            w: b.quorum,
                            pw: None,
                            context: None,
                        }
                    } else {
                        OpKind::Get { r: b.quorum, pr: None }
                    };
                    ops.push(engine.submit(client, crate::core::version::Key::from(key.as_str()), kind, via));
                }
                let label = format!(
                    "{} {}{}..{}{}",
                    step.action.name(),
                    b.prefix,
                    b.start,
                    b.prefix,
                    b.start + b.keys - 1
                );
                run.bulks.push(Bulk {
                    label,
                    ops,
                    value: if is_put { None } else { b.value.clone() },
                    is_put,
                    ok: step.expect.as_ref().and_then(|e| e.ok),
                });
            }
            Action::Concurrently(steps) => {
                for inner in steps {
                    let mut sub = StepRun {
                        parts: Vec::new(),
                        bulks: Vec::new(),
                        expect: None,
                        wait_until: run.wait_until,
                    };
                    start(inner, engine, &mut sub).await?;
                    run.wait_until = run.wait_until.max(sub.wait_until);
                    run.parts.extend(sub.parts);
                    run.bulks.extend(sub.bulks);
                    if !inner.action.is_op() && !inner.action.is_bulk() && inner.expect.is_some() {
                        run.parts.push(Part {
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
