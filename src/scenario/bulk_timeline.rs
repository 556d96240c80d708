//! The timeline's account of bulk steps: a `fill` or a `scan` issues one
//! operation per key, and printing each would bury the story (merkle-repair's
//! fill of 3,000 keys was 6,000 of its 6,135 lines). [`BulkTimeline`] claims
//! those operations as the trace reports them and prints one line per bulk
//! step when its last operation has answered, with its count of failures and
//! the first few of them; `--verbose` prints every operation as well.
//!
//! A bulk step submits all its operations the instant it starts, right
//! after its `Step` event, so the operations it claims are the ones started
//! after that event, before the next, by its client, on its keys.

use crate::core::ids::Names;
use crate::core::ids::OpId;
use crate::core::time::Time;
use crate::core::trace::{Event, TraceEvent};
use rustc_hash::FxHashMap;

use super::step::{BulkStep, Step, StepKind};
use super::timeline;

/// How many failed operations a summary lists; the rest are counted.
pub const LISTED_FAILURES: usize = 3;

/// One bulk step's operations, as they start and answer.
#[derive(Debug)]
struct Tally {
    /// The step as written (`fill item0..item2999 = v1`).
    label: String,
    client: String,
    prefix: String,
    start: usize,
    keys: usize,
    is_put: bool,
    started_at: Time,
    /// Operations claimed so far.
    claimed: usize,
    answered: usize,
    ok: usize,
    /// The first [`LISTED_FAILURES`] failed operations, as the timeline
    /// would have shown them.
    failures: Vec<String>,
    failed: usize,
    /// Still taking the operations it starts (until the next step starts).
    claiming: bool,
    reported: bool,
}

impl Tally {
    fn new(label: String, bulk: &BulkStep, is_put: bool, at: Time) -> Tally {
        Tally {
            label,
            client: bulk.client.clone(),
            prefix: bulk.prefix.clone(),
            start: bulk.start,
            keys: bulk.keys,
            is_put,
            started_at: at,
            claimed: 0,
            answered: 0,
            ok: 0,
            failures: Vec::new(),
            failed: 0,
            claiming: true,
            reported: false,
        }
    }

    /// True when the operation is one of this step's: its client, put or
    /// get as the step, on one of its keys.
    fn owns(&self, client: &str, key: &str, is_put: bool) -> bool {
        self.claiming
            && self.claimed < self.keys
            && self.is_put == is_put
            && self.client == client
            && key.strip_prefix(self.prefix.as_str()).is_some_and(|n| {
                n.parse::<usize>()
                    .is_ok_and(|i| (self.start..self.start + self.keys).contains(&i) && n == i.to_string())
            })
    }

    /// The summary line, then one line per listed failure and one counting
    /// the rest.
    fn summary(&self, at: Time) -> Vec<String> {
        let ops = if self.is_put { "puts" } else { "gets" };
        let mut result = format!("{} ok", self.ok);
        if self.failed > 0 {
            result.push_str(&format!(", {} failed", self.failed));
        }
        let unanswered = self.keys - self.answered;
        if unanswered > 0 {
            result.push_str(&format!(", {unanswered} unanswered"));
        }
        let mut lines = vec![timeline::at_line(
            at,
            &format!(
                "   {} → {} {ops}: {result} in {}",
                self.label,
                self.keys,
                at.since(self.started_at)
            ),
        )];
        for f in &self.failures {
            lines.push(timeline::at_line(at, &format!("     failed: {f}")));
        }
        let more = self.failed - self.failures.len();
        if more > 0 {
            let s = if more == 1 { "" } else { "s" };
            lines.push(timeline::at_line(at, &format!("     and {more} more failure{s}")));
        }
        lines
    }
}

/// What the timeline does with one trace event.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Fold {
    /// The event is a bulk step's operation: its own line is shown only in
    /// verbose mode.
    pub folded: bool,
    /// Lines to print after the event's own (a bulk step's summary).
    pub after: Vec<String>,
}

/// Folds the operations of a scenario's bulk steps into one line each.
#[derive(Debug)]
pub struct BulkTimeline<'a> {
    steps: &'a [Step],
    tallies: Vec<Tally>,
    /// Each claimed operation's tally, until it answers.
    ops: FxHashMap<OpId, usize>,
}

impl<'a> BulkTimeline<'a> {
    /// For a run of `steps` (the scenario's, as `Step` events number them).
    pub fn new(steps: &'a [Step]) -> BulkTimeline<'a> {
        BulkTimeline {
            steps,
            tallies: Vec::new(),
            ops: FxHashMap::default(),
        }
    }

    /// Takes the next trace event, in trace order.
    pub fn fold(&mut self, ev: &TraceEvent, names: &Names) -> Fold {
        let mut fold = Fold::default();
        match &ev.event {
            Event::Step { index, .. } => {
                for t in &mut self.tallies {
                    t.claiming = false;
                }
                if let Some(step) = self.steps.get(*index) {
                    let mut found = Vec::new();
                    bulks(step, &mut found);
                    for (label, bulk, is_put) in found.into_iter().filter(|(_, b, _)| b.keys > 0) {
                        self.tallies.push(Tally::new(label, bulk, is_put, ev.at));
                    }
                }
            }
            Event::OpStarted {
                op, client, key, value, ..
            } => {
                let client = names.client(*client);
                if let Some(i) = self.tallies.iter().position(|t| t.owns(client, key, value.is_some())) {
                    self.tallies[i].claimed += 1;
                    self.ops.insert(*op, i);
                    fold.folded = true;
                }
            }
            Event::OpFinished { op, outcome, .. } => {
                if let Some(i) = self.ops.remove(op) {
                    fold.folded = true;
                    let t = &mut self.tallies[i];
                    t.answered += 1;
                    if outcome.is_ok() {
                        t.ok += 1;
                    } else {
                        t.failed += 1;
                        if t.failures.len() < LISTED_FAILURES {
                            t.failures
                                .push(format!("{}, answered at {}", ev.describe(names), ev.at));
                        }
                    }
                    if t.answered == t.keys {
                        t.reported = true;
                        fold.after = t.summary(ev.at);
                    }
                }
            }
            _ => {}
        }
        fold
    }

    /// The summaries of bulk steps still waiting for answers when the run
    /// ended (counting what never answered).
    pub fn finish(&mut self, at: Time) -> Vec<String> {
        let mut lines = Vec::new();
        for t in &mut self.tallies {
            if !t.reported {
                t.reported = true;
                lines.extend(t.summary(at));
            }
        }
        lines
    }
}

/// The fills and scans a step issues (itself, or inside `concurrently`),
/// each with its label and whether it puts.
fn bulks<'s>(step: &'s Step, out: &mut Vec<(String, &'s BulkStep, bool)>) {
    match &step.kind {
        StepKind::Fill(b) => out.push((step.kind.to_string(), b, true)),
        StepKind::Scan(b) => out.push((step.kind.to_string(), b, false)),
        StepKind::Concurrently(inner) => {
            for s in inner {
                bulks(s, out);
            }
        }
        _ => {}
    }
}
