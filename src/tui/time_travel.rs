//! Moving through the session's time and keeping it: `,` `<` `>`,
//! `:rewind`, `:goto`, `:branches`, `:branch N`, `:save` and `:export`
//! (the trace, or a diagram of the session by the writers of
//! `ringside run --export`).
//!
//! A run is deterministic, so going back to instant T is starting from
//! the latest checkpoint at or before T (see [`super::checkpoints`]; a
//! fresh engine from the same cluster and seed when there is none) and
//! taking the recorded actions after it again, each at its instant, up to
//! T (see [`crate::scenario::session`]).
//! The models are rebuilt from that replay's trace, so every pane shows
//! the cluster as it was. What lies after T stays recorded: resuming time
//! takes those actions again at their instants; acting after a rewind
//! leaves them behind, kept as a branch (see [`super::branches`]), and the
//! session goes on from there on a new one. `:save` saves the branch taken.

use std::io::Write as _;
use std::path::Path;

use crate::core::plural::count;
use crate::core::time::Time;
use crate::engine::Engine;
use crate::export::{self, Format, Selection};
use crate::scenario::Scenario;
use crate::scenario::headless::{RunOptions, run, run_keeping_engine};

use crate::scenario::session::Entry;

use super::app::App;
use super::branches::Branches;
use super::checkpoints::Snapshot;
use super::playback::Playback;
use super::timeline::Mark;

/// Writes `text` to `path`; refuses an existing file unless `force`.
fn write_new(path: &str, text: &[u8], force: bool) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(Path::new(path)).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!("{path} exists; add ! to overwrite it (:save! {path})"),
        _ => format!("cannot write {path}: {e}"),
    })?;
    file.write_all(text).map_err(|e| format!("cannot write {path}: {e}"))
}

impl App {
    /// The session so far as a preset's text.
    pub fn session_preset(&self) -> String {
        self.playback.session().to_preset(self.engine.now())
    }

    /// `:save FILE`: the session as a preset that `ringside run` repeats.
    pub(super) fn save(&mut self, path: &str, force: bool) {
        let text = self.session_preset();
        match write_new(path, text.as_bytes(), force) {
            Ok(()) => {
                let actions = self
                    .playback
                    .session()
                    .entries()
                    .iter()
                    .filter(|e| e.step.is_some())
                    .count();
                self.info(format!(
                    "saved {} up to {} to {path}; `ringside run {path}` repeats it",
                    count(actions, "action"),
                    self.engine.now()
                ));
            }
            Err(e) => self.error(e),
        }
    }

    /// The trace of the session so far, as `ringside run --json` prints it
    /// for the saved preset (it is that run's output).
    pub async fn session_trace_json(&self) -> Result<Vec<u8>, String> {
        let text = self.session_preset();
        let scenario = Scenario::parse(&text, "session", "session").map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        let opts = RunOptions {
            json: true,
            ..RunOptions::default()
        };
        run(&scenario, &opts, &mut out, |_| {})
            .await
            .map_err(|e| e.to_string())?;
        Ok(out)
    }

    /// `:export trace FILE`.
    pub(super) async fn export_trace(&mut self, path: &str, force: bool) {
        let result = match self.session_trace_json().await {
            Ok(bytes) => write_new(path, &bytes, force).map(|_| bytes.len()),
            Err(e) => Err(e),
        };
        match result {
            Ok(_) => self.info(format!("wrote the trace up to {} to {path}", self.engine.now())),
            Err(e) => self.error(e.replace(":save!", ":export! trace")),
        }
    }

    /// The session so far as a diagram in `format`: the saved preset run
    /// again headless (as `:export trace` does), its trace drawn by the
    /// writers `ringside run --export` uses.
    pub async fn session_diagram(&self, format: Format, selection: &Selection) -> Result<String, String> {
        let text = self.session_preset();
        let scenario = Scenario::parse(&text, "session", "session").map_err(|e| e.to_string())?;
        let opts = RunOptions {
            json: true,
            ..RunOptions::default()
        };
        let mut trace = Vec::new();
        let (_, engine) = run_keeping_engine(&scenario, &opts, &mut std::io::sink(), |ev| trace.push(ev.clone()))
            .await
            .map_err(|e| e.to_string())?;
        let names = engine.names();
        let diagram = export::Diagram::build(&trace, names, export::participants(names, engine.ring()), selection);
        let title = format!("ringside · {} session (seed {})", self.scenario.name, self.seed);
        Ok(export::render(format, &diagram, names, &title))
    }

    /// `:export shiviz|mermaid|svg FILE [key=K] [gossip]`.
    pub(super) async fn export_diagram(&mut self, format: Format, path: &str, force: bool, selection: Selection) {
        let word = format!("{format:?}").to_lowercase();
        let result = match self.session_diagram(format, &selection).await {
            Ok(text) => write_new(path, text.as_bytes(), force),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                let of = selection.key.map(|k| format!(" of {k}")).unwrap_or_default();
                self.info(format!(
                    "wrote the {word} diagram{of} up to {} to {path}",
                    self.engine.now()
                ))
            }
            Err(e) => self.error(e.replace(":save!", &format!(":export! {word}"))),
        }
    }

    /// Goes back to instant `t` (no later than now): a fresh engine takes
    /// the recorded actions again up to `t`. Time pauses there.
    pub async fn rewind_to(&mut self, t: Time) {
        let t = t.min(self.engine.now());
        let entries = self.playback.timeline();
        let mut branches = self.playback.branches().clone();
        branches.reached(self.engine.now());
        if self.replay(entries, branches, t).await {
            self.info(format!(
                "rewound to {t}: time is paused, space resumes (the recorded actions follow)"
            ));
        }
    }

    /// The session goes back to `t` on the timeline `entries` (the
    /// current branch of `branches`): from the latest checkpoint at or
    /// before `t` taken on it, or else from the start on a fresh engine,
    /// the recorded actions after it are taken again, each at its instant,
    /// up to `t`; time pauses there. False (with the error shown) when the
    /// engine cannot be built.
    async fn replay(&mut self, entries: Vec<Entry>, branches: Branches, t: Time) -> bool {
        if let Some(snapshot) = self.checkpoints.latest(t, &entries) {
            let future = entries[snapshot.taken()..].to_vec();
            let hide_gossip = self.models.log.hides_gossip();
            self.engine = Engine::from_checkpoint(&snapshot.engine);
            self.models = snapshot.models.clone();
            self.playback = snapshot.playback(future, branches);
            self.instants = snapshot.instants.clone();
            self.selected_node = snapshot.selected_node;
            if self.trace_json.is_some() {
                self.trace_json = snapshot.trace_json.clone();
            }
            // As a fresh start would leave them: the log unfiltered and
            // following, keeping whether it hides gossip; what flashed
            // stamped now.
            self.models.log.set_filter(Default::default());
            self.models.log.set_hide_gossip(hide_gossip);
            self.models.log.follow();
            self.models.flights.restamp(self.real_now);
        } else {
            let engine = match self.scenario.start_engine(self.seed) {
                Ok(e) => e,
                Err(e) => {
                    self.error(e);
                    return false;
                }
            };
            self.models.reset(&engine);
            self.engine = engine;
            self.playback = Playback::replaying(&self.scenario, self.seed, entries, branches);
            self.instants.clear();
            self.restart_trace_json();
        }
        self.fast_forward = None;
        self.pacer.set_paused(true);
        self.run_to(t).await;
        true
    }

    /// The timeline bar's right end: the furthest instant the session
    /// reached on the branch played (now, unless it was rewound).
    pub fn timeline_end(&self) -> Time {
        let last_future = self.playback.future().last().map_or(Time::ZERO, |e| e.at);
        self.engine
            .now()
            .max(self.playback.branches().horizon())
            .max(last_future)
    }

    /// Where the branch played began, once the session has forked.
    pub fn branch_start(&self) -> Option<Time> {
        let branches = self.playback.branches();
        (branches.len() > 1).then(|| branches.current_branch().forked_at)
    }

    /// The recorded actions still to be taken again, as timeline marks.
    pub fn future_marks(&self) -> Vec<(Time, Mark)> {
        self.playback
            .future()
            .filter_map(|e| e.step.as_ref().map(|s| (e.at, Mark::of_step(s))))
            .collect()
    }

    /// A click on the timeline bar: goes to the instant under it (back by
    /// a rewind, forward through the recorded future by running).
    pub(super) async fn timeline_click(&mut self, col: u16, row: u16, area: ratatui::layout::Rect) {
        if let Some(t) = super::ui::timeline::time_at(area, self.timeline_end(), col, row) {
            if t > self.engine.now() {
                self.pacer.set_paused(true);
                self.run_to(t).await;
                self.info(format!("at {t}: time is paused, space resumes"));
            } else {
                self.rewind_to(t).await;
            }
        }
    }

    /// The instants of the checkpoints kept (see [`super::checkpoints`]).
    pub fn checkpoint_instants(&self) -> Vec<Time> {
        self.checkpoints.instants()
    }

    /// Drops every checkpoint: the next rewind replays the session from
    /// its start (the tests compare the two ways; the benchmark measures
    /// both).
    pub fn forget_checkpoints(&mut self) {
        self.checkpoints.clear();
    }

    /// Keeps a checkpoint of the session now, if one is due (see
    /// [`super::checkpoints`]); after a fork, first drops those taken on
    /// the branch left behind.
    pub(super) async fn keep_checkpoint(&mut self) {
        if self.checkpoints.forked(self.playback.branches().len()) {
            self.checkpoints.keep_serving(&self.playback.timeline());
        }
        if !self.checkpoints.due(self.engine.now()) {
            return;
        }
        // An engine whose node panicked is not kept (it runs no more).
        let Ok(engine) = self.engine.checkpoint().await else {
            return;
        };
        self.checkpoints.keep(Snapshot {
            engine,
            models: self.models.clone(),
            playback: self.playback.clone(),
            instants: self.instants.clone(),
            selected_node: self.selected_node,
            trace_json: self.trace_json.clone(),
        });
    }

    /// The session's branches, the current one as it stands now.
    fn settled_branches(&self) -> Branches {
        let mut branches = self.playback.branches().clone();
        branches.settle(self.playback.timeline(), self.engine.now());
        branches
    }

    /// `:branches`: one line per branch in the log, a summary on the
    /// status line.
    pub(super) fn list_branches(&mut self) {
        let branches = self.settled_branches();
        for line in branches.lines() {
            self.note(line);
        }
        self.info(format!(
            "{}, on branch {} (the log lists them; :branch N goes to one)",
            count(branches.len(), "branch"),
            branches.current()
        ));
    }

    /// `:branch N`: back to branch N, replaying its actions to the instant
    /// the session was at on it. Time pauses there.
    pub(super) async fn go_to_branch(&mut self, number: usize) {
        let mut branches = self.settled_branches();
        let (entries, end) = match branches.switch(number) {
            Ok(b) => (b.entries.clone(), b.end),
            Err(e) => return self.error(e),
        };
        if self.replay(entries, branches, end).await {
            self.info(format!("on branch {number} at {end}: time is paused, space resumes"));
        }
    }

    /// `:goto TIME`: back by a rewind, forward by running (the recorded
    /// actions are taken again on the way).
    pub(super) async fn goto(&mut self, t: Time) {
        if t <= self.engine.now() {
            return self.rewind_to(t).await;
        }
        self.fast_forward = Some(t);
        self.info(format!("going to {t}"));
    }

    /// `,`: the event instant before this one.
    pub(super) async fn step_back(&mut self) {
        let now = self.engine.now();
        let before = self.instants.iter().rev().find(|t| **t < now).copied();
        self.rewind_to(before.unwrap_or(Time::ZERO)).await;
    }

    /// `<`: the instant of the last action (an operation, a fault, a
    /// scenario step) before now.
    pub(super) async fn prev_mark(&mut self) {
        let now = self.engine.now();
        let mark = self
            .playback
            .session()
            .entries()
            .iter()
            .rev()
            .filter(|e| e.step.is_some())
            .map(|e| e.at)
            .find(|t| *t < now);
        match mark {
            Some(t) => self.rewind_to(t).await,
            None => self.info("no action before this instant"),
        }
    }

    /// `r`: back to just before the user's first own action, once the
    /// tour's story diverged from theirs (see [`super::playback::Diverged`]).
    pub(super) async fn rewind_to_divergence(&mut self) {
        let Some(d) = self.playback.diverged().cloned() else {
            return self.info("the tour has not diverged: nothing to rewind to");
        };
        let before = Time(d.at.micros().saturating_sub(1));
        self.rewind_to(before).await;
        self.info(format!(
            "rewound to {before}, just before `{}`: n plays the tour on from here (space resumes the recorded actions)",
            d.action
        ));
    }

    /// `>`: the instant of the next recorded action after a rewind.
    pub(super) async fn next_mark(&mut self) {
        let now = self.engine.now();
        let mark = self
            .playback
            .future()
            .filter(|e| e.step.is_some())
            .map(|e| e.at)
            .find(|t| *t > now);
        match mark {
            Some(t) => {
                self.pacer.set_paused(true);
                self.run_to(t).await;
                self.info(format!("at {t}: time is paused, space resumes"));
            }
            None => self.info("no recorded action after this instant"),
        }
    }
}
