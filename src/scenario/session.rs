//! A live session as a preset: the scenario it started from (its cluster
//! section, clients and seed) and every action taken, each a [`Step`] with
//! the virtual instant it took effect.
//!
//! A session is played by a [`Director`](super::Director) over
//! [`Session::steps`]: each action is an `at:` step (the instant) followed
//! by the action itself. An `at:` starts the step after it at its instant
//! whatever still runs, and is not announced in the trace, so the live
//! playground (which pushes the pairs as the user acts) and
//! `ringside run` of the saved preset ([`Session::to_preset`]) drive the
//! engine through the same calls in the same order: same trace, byte for
//! byte. Rewinding replays the entries up to an instant, from a checkpoint
//! of the session or from the start.

use std::fmt::Write as _;

use super::load::Scenario;
use super::plan::Plan;
use super::step::{Step, StepKind};
use crate::core::time::{Dur, Time};

/// One thing the user (or the tour, for them) did.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The virtual instant it took effect.
    pub at: Time,
    /// The step; `None` when the tour passed over one of its steps that the
    /// user had already done (nothing happens to the cluster).
    pub step: Option<Step>,
    /// The index of the scenario's step it is, when it is one.
    pub tour: Option<usize>,
    /// The user typed it (or pressed a key for it), rather than the tour
    /// taking it by itself.
    pub typed: bool,
}

/// The actions of a session so far, on top of the scenario it opened.
#[derive(Clone, Debug)]
pub struct Session {
    /// The preset the session started from (its steps are not the session's).
    pub base: Scenario,
    pub seed: u64,
    entries: Vec<Entry>,
    /// What the loader checks the saved preset's steps against, taken up
    /// to the last entry: a step it would refuse is refused live too.
    plan: Plan,
}

impl Session {
    pub fn new(base: Scenario, seed: u64) -> Session {
        let nodes: Vec<String> = base.cluster.spec.nodes.iter().map(|n| n.name.clone()).collect();
        let plan = Plan::new(
            &nodes,
            base.cluster.tokens(),
            base.cluster.spec.vnodes,
            base.cluster.spec.settings.clone(),
        );
        Session {
            base,
            seed,
            entries: Vec::new(),
            plan,
        }
    }

    /// Checks that `step` taken at `at` after the entries so far is one the
    /// saved preset's loader accepts (a revive of a live node is not), and
    /// takes it into the plan. On error nothing changes.
    pub fn admit(&mut self, at: Time, step: &Step) -> Result<(), String> {
        let mut plan = self.plan.clone();
        for s in [at_step(at), step.clone()] {
            plan.begin_step()?;
            apply_plan(&mut plan, &s.kind)?;
            plan.end_step();
        }
        self.plan = plan;
        Ok(())
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Records an action at `at` (never earlier than the last one).
    pub fn record(&mut self, entry: Entry) {
        debug_assert!(self.entries.last().is_none_or(|e| e.at <= entry.at));
        self.entries.push(entry);
    }

    /// The steps a director plays: `at:` and the action, for each action.
    pub fn steps(&self) -> Vec<Step> {
        self.entries
            .iter()
            .flat_map(|e| entry_steps(e.at, e.step.as_ref()))
            .collect()
    }

    /// The session as a preset whose run ends at `end`: the cluster section
    /// and clients it started with, the seed, every action at its instant
    /// (captions typed with `say` and the scenario's own among them), and a
    /// last `at:` for the time that passed after the last action. An
    /// action's `at:` is left out where the step before it is sure to be
    /// done exactly at that instant (see [`Session::readable_steps`]), so
    /// the file reads as the steps one after another, with the scenario's
    /// own `wait:`s between them, as a hand-written preset does.
    pub fn to_preset(&self, end: Time) -> String {
        let mut out = String::new();
        let name = format!("{}-session", self.base.name);
        let _ = writeln!(
            out,
            "# A session recorded in the ringside playground on `{}`.",
            self.base.name
        );
        let _ = writeln!(out, "# `ringside run` of this file repeats its trace exactly.");
        let _ = writeln!(out, "name: {}", super::step::yaml::text(&name));
        let description = if self.base.description.trim().is_empty() {
            format!("a session on {}", self.base.name)
        } else {
            self.base.description.trim().to_string()
        };
        let _ = writeln!(out, "description: {}", json_text(&description));
        let _ = writeln!(out, "seed: {}", self.seed);
        out.push_str(&self.base.cluster_yaml);
        if !self.base.cluster_yaml.ends_with('\n') {
            out.push('\n');
        }
        let steps = self.readable_steps(end);
        let _ = writeln!(out, "steps:");
        for s in &steps {
            let _ = writeln!(out, "  - {}", s.to_yaml());
        }
        out
    }
}

impl Session {
    /// The steps of the saved preset, ending at `end`: each action after
    /// an `at:` of its instant, but for the `at:`s that change nothing. A
    /// director starts a step once the one before it is done; an `at:`
    /// makes it wait for its instant too (and leaves one still running in
    /// the background). So where the step before is done exactly at the
    /// instant ([`done_at`]: at once for a fault or a caption, after its
    /// time for a `wait:`), its `at:` is left out, and the run is the same
    /// (an `at:` is not announced in the trace, nor counted in the step
    /// numbers). The first action's `at:` goes when it came at 0, and the
    /// last `at:` when the session ended as the last step did.
    pub fn readable_steps(&self, end: Time) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut before_done = Some(Time::ZERO);
        for entry in &self.entries {
            let Some(step) = &entry.step else { continue };
            if before_done != Some(entry.at) {
                steps.push(at_step(entry.at));
            }
            steps.push(step.clone());
            before_done = done_at(entry.at, step);
        }
        if before_done != Some(end) {
            steps.push(at_step(end));
        }
        steps
    }
}

/// The instant a step started at `at` is sure to be done at, when that
/// does not depend on the cluster: at once for a step that sends nothing
/// and waits for nothing (a fault, a change of settings, a caption, a pure
/// check), `at` plus its time for a `wait:`. `None` for the others (an
/// operation is done when it is answered).
pub fn done_at(at: Time, step: &Step) -> Option<Time> {
    match &step.kind {
        StepKind::Say(_)
        | StepKind::Kill(_)
        | StepKind::Revive(_)
        | StepKind::Partition(_)
        | StepKind::Cut { .. }
        | StepKind::Heal
        | StepKind::Slow { .. }
        | StepKind::Set(_)
        | StepKind::Join { .. }
        | StepKind::Leave(_)
        | StepKind::Check => Some(at),
        StepKind::Wait(d) => Some(at + *d),
        _ => None,
    }
}

/// Takes one step into the plan, the steps of a `concurrently` at once.
fn apply_plan(plan: &mut Plan, kind: &StepKind) -> Result<(), String> {
    if let StepKind::Concurrently(inner) = kind {
        plan.begin_concurrently();
        for s in inner {
            plan.begin_step()?;
            apply_plan(plan, &s.kind)?;
            plan.end_step();
        }
        plan.end_concurrently();
    }
    kind.plan(plan)
}

/// The steps of one entry.
fn entry_steps(at: Time, step: Option<&Step>) -> Vec<Step> {
    match step {
        Some(s) => vec![at_step(at), s.clone()],
        None => Vec::new(),
    }
}

/// `at:` this instant.
pub fn at_step(at: Time) -> Step {
    Step {
        kind: StepKind::At(Dur(at.micros())),
        expect: None,
    }
}

/// A YAML string, quoted.
fn json_text(t: &str) -> String {
    serde_json::to_string(t).unwrap_or_else(|_| "\"\"".into())
}

/// An action only the playground's clock notices: a `wait` or `at` typed
/// on the command line moves time, which the next action's `at:` says.
pub fn only_moves_time(step: &Step) -> bool {
    matches!(step.kind, StepKind::Wait(_) | StepKind::At(_)) && step.expect.is_none()
}
