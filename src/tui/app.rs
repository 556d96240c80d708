//! The playground's state and its clock: the engine, the scenario being
//! played ([`Playback`]), the [`Models`] the panes draw, and the screen's
//! own state (mode, focus, node selection, input lines, notice). This file
//! opens scenarios, moves time (frames, `.`, typed waits) and feeds the
//! trace to the models; what keys and the mouse do is in
//! `input`, what the command line does in `commands`.
//! It is drawn by [`super::ui`] and changed only through [`App::handle`],
//! [`App::mouse`], [`App::submit_command`] and [`App::tick`], so a test can
//! drive it exactly as a user would, on virtual time alone.

use std::time::{Duration, Instant};

use ratatui::layout::Rect;

use crate::core::ids::NodeId;
use crate::core::plural::count;
use crate::core::time::{Dur, Time};
use crate::core::trace::{ClusterChange, Event, TraceEvent};
use crate::engine::Engine;
use crate::scenario::Scenario;
use crate::scenario::parse_context::ParseContext;

use super::action::{Focus, Mode};
use super::checkpoints::Checkpoints;
use super::flights::Flights;
use super::gossip::GossipShown;
use super::inspector::Inspector;
use super::line_editor::LineEditor;
use super::log::{Category, EventLog, LogEntry};
use super::members::Members;
use super::merkle::MerkleModel;
use super::models::Models;
use super::pacing::Pacer;
use super::playback::Playback;
use super::view::DetailView;

/// The node a fault is about: the one killed, revived, joining, leaving or
/// slowed; the lone side of a partition (its smallest group); the receiving
/// end of a cut link.
/// Distinct event instants the playground keeps for `,`.
const INSTANTS_CAP: usize = 100_000;

pub fn change_subject(fault: &ClusterChange) -> Option<NodeId> {
    match fault {
        ClusterChange::Kill(n)
        | ClusterChange::Revive(n)
        | ClusterChange::Join(n)
        | ClusterChange::Leave(n)
        | ClusterChange::Slow { node: n, .. } => Some(*n),
        ClusterChange::Partition(groups) => groups
            .iter()
            .filter(|g| !g.is_empty())
            .min_by_key(|g| g.len())?
            .first()
            .copied(),
        ClusterChange::Cut { to, .. } => Some(*to),
        ClusterChange::Heal | ClusterChange::Set(_) => None,
    }
}

/// Engine work one frame may do before virtual time is left to lag.
pub const FRAME_BUDGET: Duration = Duration::from_millis(20);

/// Without operations to watch, virtual time moves in chunks this long.
const CHUNK: Dur = Dur::from_millis(2);

/// How long a notice stays in the status line, in real time.
pub const NOTICE_LIFE: Duration = Duration::from_secs(8);

/// What the playground opens with.
#[derive(Clone, Debug)]
pub struct PlayOptions {
    /// A bundled preset's name or a path.
    pub preset: String,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Virtual seconds per real second.
    pub speed: f64,
}

/// A message in the status line.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
    /// Real time (the app's clock) after which it is gone.
    pub until: Duration,
}

/// The whole playground: the engine, the scenario it plays, the models the
/// panes draw, and the state of the screen itself (mode, focus, selection,
/// the input lines, the notice).
pub struct App {
    pub(super) engine: Engine,
    pub(super) scenario: Scenario,
    pub(super) seed: u64,
    pub(super) playback: Playback,
    pub(super) pacer: Pacer,
    /// Everything the panes draw that the engine does not hold.
    pub(super) models: Models,
    /// The pane under the nodes table.
    pub(super) view: DetailView,
    /// Where gossip messages are shown.
    pub(super) gossip: GossipShown,
    /// The full-screen metrics view (`M`) is open.
    pub(super) metrics_full: bool,
    pub(super) mode: Mode,
    pub(super) focus: Focus,
    pub(super) command: LineEditor,
    pub(super) filter_input: LineEditor,
    pub(super) notice: Option<Notice>,
    pub(super) selected_node: NodeId,
    pub(super) help_scroll: u16,
    /// The preset the picker points at.
    pub(super) picker: usize,
    /// Real time as the app has seen it pass (frames add to it).
    pub(super) real_now: Duration,
    /// A typed `wait` runs virtual time as fast as frames allow up to here.
    pub(super) fast_forward: Option<Time>,
    trace_buf: Vec<TraceEvent>,
    /// Every trace event since the engine started, as `ringside run
    /// --json` prints it, when asked for ([`App::keep_trace_json`]).
    pub(super) trace_json: Option<Vec<String>>,
    /// The distinct instants of the latest events, for `,`.
    pub(super) instants: std::collections::VecDeque<Time>,
    pub(super) quit: bool,
    /// The experiment `:lab` runs in the background, if one was opened.
    pub(super) lab: Option<super::lab_run::LabRun>,
    /// The area of the last frame drawn, for mouse clicks.
    pub(super) area: Rect,
    /// The session's state kept every so often, where rewinds start.
    pub(super) checkpoints: Checkpoints,
}

impl App {
    /// Opens the playground on a scenario. Must run inside a tokio runtime.
    pub async fn new(opts: &PlayOptions) -> Result<App, String> {
        let scenario = Scenario::load(&opts.preset).map_err(|e| e.to_string())?;
        App::with_scenario(scenario, opts.seed, opts.speed).await
    }

    /// Opens the playground on a scenario already loaded (`seed` overrides
    /// its seed), for callers that make scenarios rather than find them on
    /// disk, like the benchmark. Must run inside a tokio runtime.
    pub async fn with_scenario(scenario: Scenario, seed: Option<u64>, speed: f64) -> Result<App, String> {
        let seed = seed.unwrap_or(scenario.seed);
        let mut engine = Engine::new(&scenario.cluster.spec, seed)?;
        engine.set_trace_tap(Some(Box::new(crate::metrics::Metrics::new())));
        let mut app = App {
            view: DetailView::suggested(&scenario),
            gossip: GossipShown::default(),
            metrics_full: false,
            playback: Playback::new(&scenario, seed),
            models: Models::new(&engine),
            engine,
            scenario,
            seed,
            pacer: Pacer::new(speed),
            mode: Mode::Normal,
            focus: Focus::default(),
            command: LineEditor::default(),
            filter_input: LineEditor::default(),
            notice: None,
            selected_node: NodeId(0),
            help_scroll: 0,
            picker: 0,
            real_now: Duration::ZERO,
            fast_forward: None,
            trace_buf: Vec::new(),
            trace_json: None,
            instants: std::collections::VecDeque::new(),
            quit: false,
            lab: None,
            area: Rect::new(0, 0, 120, 40),
            checkpoints: Checkpoints::default(),
        };
        app.opened();
        app.settle().await;
        Ok(app)
    }

    /// Replaces the running scenario (on `load` and `seed`); on error
    /// nothing changes.
    pub(super) async fn open(&mut self, scenario: Scenario, seed: u64) -> Result<(), String> {
        let engine = scenario.start_engine(seed)?;
        self.models.reset(&engine);
        self.view = DetailView::suggested(&scenario);
        self.engine = engine;
        self.playback = Playback::new(&scenario, seed);
        self.scenario = scenario;
        self.seed = seed;
        self.selected_node = NodeId(0);
        self.fast_forward = None;
        self.instants.clear();
        self.checkpoints.clear();
        self.restart_trace_json();
        self.opened();
        self.settle().await;
        Ok(())
    }

    fn opened(&mut self) {
        let text = format!(
            "opened {} (seed {}): {}, N={} R={} W={}",
            self.scenario.name,
            self.seed,
            count(self.engine.names().node_count(), "node"),
            self.engine.settings().replicas,
            self.engine.settings().read_quorum,
            self.engine.settings().write_quorum
        );
        self.note(text);
    }

    /// Keeps every trace event from now on as a JSON line (the tests
    /// compare a session with the run of its saved preset). A new engine
    /// (a rewind, a load) starts the lines over.
    pub fn keep_trace_json(&mut self) {
        self.trace_json = Some(Vec::new());
        // Those kept so far hold no trace to start over from.
        self.checkpoints.clear();
    }

    /// The trace kept since [`App::keep_trace_json`] or the last new engine.
    pub fn trace_json(&self) -> Option<&[String]> {
        self.trace_json.as_deref()
    }

    /// Starts the kept trace over (a new engine).
    pub(super) fn restart_trace_json(&mut self) {
        if let Some(lines) = &mut self.trace_json {
            lines.clear();
        }
    }

    pub fn is_quitting(&self) -> bool {
        self.quit
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    pub fn pacer(&self) -> &Pacer {
        &self.pacer
    }

    pub fn log(&self) -> &EventLog {
        &self.models.log
    }

    pub fn inspector(&self) -> &Inspector {
        &self.models.inspector
    }

    pub fn flights(&self) -> &Flights {
        &self.models.flights
    }

    pub fn members(&self) -> &Members {
        &self.models.members
    }

    pub fn merkle(&self) -> &MerkleModel {
        &self.models.merkle
    }

    /// The pane shown under the nodes table.
    pub fn view(&self) -> DetailView {
        self.view
    }

    /// Where gossip messages are shown.
    pub fn gossip(&self) -> GossipShown {
        self.gossip
    }

    /// Whether the full-screen metrics view (`M`) is open.
    pub fn metrics_full(&self) -> bool {
        self.metrics_full
    }

    /// The run's metrics (the engine's trace tap), if it has them.
    pub fn metrics(&self) -> Option<&crate::metrics::Metrics> {
        self.engine.trace_tap::<crate::metrics::Metrics>()
    }

    /// Autoplay is dwelling on a caption and virtual time stands still.
    pub fn reading(&self) -> bool {
        self.playback.holds_clock(self.real_now)
    }

    pub fn playback(&self) -> &Playback {
        &self.playback
    }

    /// The `:` command line (its text while open, and its history).
    pub fn command_line(&self) -> &LineEditor {
        &self.command
    }

    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn selected_node(&self) -> NodeId {
        self.selected_node
    }

    /// Expectations passed and failed since the scenario opened.
    pub fn expectations(&self) -> (usize, usize) {
        self.playback.expectations()
    }

    /// Tells the app the size of the screen it is drawn on (mouse clicks
    /// are mapped against it).
    pub fn set_area(&mut self, area: Rect) {
        self.area = area;
    }

    /// What commands may name: the cluster's nodes.
    pub(super) fn parse_context(&self) -> ParseContext {
        ParseContext::new(
            self.engine.names().node_names().map(str::to_string).collect(),
            self.engine.names().node_count(),
        )
    }

    // ---- notices ----

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
            until: self.real_now + NOTICE_LIFE,
        });
    }

    /// Shows an error in the status line and in the log.
    pub(super) fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.models.log.push(LogEntry::note(
            self.engine.now(),
            format!("error: {text}"),
            Category::Error,
        ));
        self.notice = Some(Notice {
            text,
            error: true,
            until: self.real_now + NOTICE_LIFE,
        });
    }

    /// A line of the playground's own in the log.
    pub(super) fn note(&mut self, text: String) {
        self.models
            .log
            .push(LogEntry::note(self.engine.now(), text, Category::Command));
    }

    // ---- time ----

    /// One frame of the live loop: `real` has passed since the last one.
    /// Moves virtual time by the pacer (or fast-forwards a typed `wait`),
    /// spending at most `budget` of real time on engine work; past it,
    /// virtual time lags rather than the screen freezing.
    pub async fn tick(&mut self, real: Duration, budget: Option<Duration>) {
        self.real_now += real;
        let now = self.engine.now();
        let target = match self.fast_forward {
            Some(t) if t > now => t,
            _ => {
                self.fast_forward = None;
                now + self.pacer.advance(real)
            }
        };
        let reached = self.advance_to(target, budget).await;
        if reached && self.fast_forward.is_some_and(|t| t <= self.engine.now()) {
            self.fast_forward = None;
        }
        if !reached && self.fast_forward.is_none() {
            self.pacer.forgive();
        }
        self.pacer.set_lagging(!reached && self.fast_forward.is_none());
        self.models.flights.expire(self.engine.now(), self.real_now);
        if self.notice.as_ref().is_some_and(|n| self.real_now > n.until) {
            self.notice = None;
        }
        self.refresh_models(false).await;
        if let Some(run) = &mut self.lab {
            run.poll();
        }
    }

    /// Runs virtual time for `d` with no real-time budget (tests, and the
    /// deterministic paths); like every advance, it stops while autoplay
    /// dwells on a caption.
    pub async fn run_for(&mut self, d: Dur) {
        let target = self.engine.now() + d;
        self.advance_to(target, None).await;
        self.refresh_models(true).await;
    }

    /// Runs virtual time to `target` with no real-time budget and shows
    /// that instant.
    pub(super) async fn run_to(&mut self, target: Time) {
        self.advance_to(target, None).await;
        self.refresh_models(true).await;
    }

    /// Moves virtual time to `target`, stopping at every instant a running
    /// step could end so that the next one starts exactly then. Returns
    /// false when the budget ran out first.
    async fn advance_to(&mut self, target: Time, budget: Option<Duration>) -> bool {
        let started = Instant::now();
        loop {
            self.playback.pump(&mut self.engine, self.real_now).await;
            self.ingest();
            self.keep_checkpoint().await;
            let now = self.engine.now();
            // A caption autoplay dwells on stops the clock where it began.
            if now >= target || self.playback.holds_clock(self.real_now) {
                return true;
            }
            if budget.is_some_and(|b| started.elapsed() >= b) {
                return false;
            }
            let limit = self.playback.deadline(now).map_or(target, |d| d.min(target));
            match self.engine.next_event_time() {
                Some(t) if t <= limit => {
                    if self.playback.watching_ops(&self.engine) {
                        self.engine.step().await;
                    } else {
                        self.engine.run_until(limit.min(t + CHUNK)).await;
                    }
                }
                _ => self.engine.run_until(limit).await,
            }
        }
    }

    /// Processes the next event instant (the `.` key), whatever the pace.
    pub async fn step_event(&mut self) {
        self.fast_forward = None;
        // A step's wait that ends (or a recorded action due) before the next
        // event is an instant of its own: the next step starts exactly then.
        let deadline = self.playback.deadline(self.engine.now());
        match (self.engine.next_event_time(), deadline) {
            (Some(t), Some(d)) if d < t => self.engine.run_until(d).await,
            (None, Some(d)) => self.engine.run_until(d).await,
            (Some(_), _) => {
                self.engine.step().await;
            }
            (None, None) => self.info("nothing is scheduled: no message is in flight and no timer is set"),
        }
        self.settle().await;
    }

    /// Lets steps finish and start, takes in the trace and refreshes the
    /// inspector, without moving time.
    pub(super) async fn settle(&mut self) {
        self.playback.pump(&mut self.engine, self.real_now).await;
        self.ingest();
        self.refresh_models(true).await;
    }

    /// Takes in every trace event recorded since the last call.
    fn ingest(&mut self) {
        for note in self.playback.take_notes() {
            self.note(note);
        }
        self.engine.drain_trace(&mut self.trace_buf);
        if self.trace_buf.is_empty() {
            return;
        }
        let mut events = std::mem::take(&mut self.trace_buf);
        for ev in events.drain(..) {
            if let Some(lines) = &mut self.trace_json {
                lines.push(crate::scenario::timeline::to_json(&ev, self.engine.names()).to_string());
            }
            if self.instants.back() != Some(&ev.at) {
                if self.instants.len() >= INSTANTS_CAP {
                    self.instants.pop_front();
                }
                self.instants.push_back(ev.at);
            }
            // The node selection follows what the story does to nodes, as
            // the inspector follows the key of each new operation.
            if let Event::ClusterChange(f) = &ev.event
                && let Some(node) = change_subject(f)
            {
                self.selected_node = node;
            }
            self.models.observe(ev, &self.engine, &self.playback, self.real_now);
        }
        self.trace_buf = events;
    }

    /// Asks the engine for whatever the panes draw that the trace says
    /// changed. `force` ignores the real-time throttles: after a key press,
    /// a command, or a run on virtual time alone (the tests), the screen
    /// shows the state of that instant.
    pub(super) async fn refresh_models(&mut self, force: bool) {
        self.models
            .refresh(&mut self.engine, self.real_now, force, self.view)
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_follows_the_node_a_fault_is_about() {
        let n = NodeId;
        assert_eq!(change_subject(&ClusterChange::Kill(n(3))), Some(n(3)));
        assert_eq!(
            change_subject(&ClusterChange::Partition(vec![vec![n(1), n(2), n(3)], vec![n(4)]])),
            Some(n(4)),
            "the lone side"
        );
        assert_eq!(change_subject(&ClusterChange::Cut { from: n(1), to: n(2) }), Some(n(2)));
        assert_eq!(change_subject(&ClusterChange::Heal), None);
        assert_eq!(change_subject(&ClusterChange::Partition(Vec::new())), None);
    }
}
