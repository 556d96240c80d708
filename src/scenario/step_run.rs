//! One step in progress: its operations, its wait, its expectations.
//!
//! The director runs a scenario's steps through this, one after another; the
//! playground also starts steps from its command line, several at once if the
//! user likes.

use crate::core::ids::OpId;
use crate::core::time::Time;
use crate::core::trace::Event;
use crate::engine::Engine;

use super::check::{CheckResult, check};
use super::expect::Expect;

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
    ok: Option<bool>,
}

/// A started step. Faults are applied and operations submitted when it
/// starts; it is done when its operations have answered and its wait is over.
#[derive(Clone, Debug)]
pub struct StepRun {
    parts: Vec<Part>,
    bulks: Vec<Bulk>,
    /// Every single put or get the step submitted, awaited or not (`nowait`).
    submitted: Vec<OpId>,
    /// Expectations of the step itself when it is not an operation.
    expect: Option<Expect>,
    wait_until: Time,
}

impl StepRun {
    /// A run that has started nothing yet, at `now`
    /// ([`crate::scenario::Step::start`] fills it in).
    pub(crate) fn new(now: Time) -> StepRun {
        StepRun {
            parts: Vec::new(),
            bulks: Vec::new(),
            submitted: Vec::new(),
            expect: None,
            wait_until: now,
        }
    }

    /// The step checks `expect` when it is done (a step that is not an
    /// operation).
    pub(crate) fn expect_when_done(&mut self, expect: Option<Expect>) {
        self.expect = expect;
    }

    /// The step submitted `op`, a single put or get (awaited or not).
    pub(crate) fn submitted_op(&mut self, op: OpId) {
        self.submitted.push(op);
    }

    /// The single puts and gets the step submitted, in order, whether it
    /// waits for them or not (the chaos driver follows its `nowait` ones).
    pub fn submitted(&self) -> &[OpId] {
        &self.submitted
    }

    /// The step waits for `op` and checks `expect` against its answer.
    pub(crate) fn await_op(&mut self, op: OpId, expect: Option<Expect>) {
        self.parts.push(Part { op: Some(op), expect });
    }

    /// The step's wait lasts at least until `t`.
    pub(crate) fn wait_until_at_least(&mut self, t: Time) {
        self.wait_until = self.wait_until.max(t);
    }

    /// The step waits for a fill's or scan's operations, checked together
    /// under `label`: every one ok (`ok`), and, for a scan, each holding `value`.
    pub(crate) fn add_bulk(&mut self, label: String, ops: Vec<OpId>, value: Option<String>, ok: Option<bool>) {
        self.bulks.push(Bulk { label, ops, value, ok });
    }

    /// A run for a step of a `concurrently`, starting where this one is.
    pub(crate) fn beside(&self) -> StepRun {
        StepRun::new(self.wait_until)
    }

    /// Takes in the run of a step of a `concurrently`, whose own
    /// expectations (those not about an operation's answer) are `expect`.
    pub(crate) fn absorb(&mut self, sub: StepRun, expect: Option<Expect>) {
        self.wait_until = self.wait_until.max(sub.wait_until);
        self.parts.extend(sub.parts);
        self.bulks.extend(sub.bulks);
        self.submitted.extend(sub.submitted);
        if expect.is_some() {
            self.parts.push(Part { op: None, expect });
        }
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
    out
}
