//! Playing a scenario live: the director's steps, started by `n` or by
//! autoplay, and the steps typed on the command line, which run alongside.
//!
//! Captions and pure checks never wait for the user: a caption explains the
//! step that comes next, and a check must look at the cluster at the instant
//! the step before it ended, as the headless runner does. Everything else
//! waits for `n`, or for autoplay (which leaves a caption on screen a moment
//! before acting).

use std::collections::VecDeque;
use std::time::Duration;

use crate::core::ids::OpId;
use crate::core::time::Time;
use crate::engine::Engine;
use crate::scenario::session::{Entry, Session, at_step, only_moves_time};
use crate::scenario::step::{Step, StepKind};
use crate::scenario::{Director, Scenario};

use super::branches::Branches;
use super::tour;

/// Steps that may run at once.
pub const ADHOC_CAP: usize = 32;

/// How long autoplay leaves a caption on screen before the next action, in
/// real time: [`READ_BASE`] plus [`READ_PER_WORD`] for each word (about
/// 240 words a minute), at most [`READ_CAP`]. Captions that come one after
/// the other add up. Virtual time stands still meanwhile (see
/// [`Playback::holds_clock`]); `n` goes on at once.
pub const READ_BASE: Duration = Duration::from_millis(1500);
pub const READ_PER_WORD: Duration = Duration::from_millis(250);
pub const READ_CAP: Duration = Duration::from_secs(15);

/// How long autoplay holds a caption of `text`.
pub fn reading_time(text: &str) -> Duration {
    let words = text.split_whitespace().count() as u32;
    (READ_BASE + READ_PER_WORD * words).min(READ_CAP)
}

/// The scenario's tour (which of its steps comes next), the session being
/// recorded, and the one director that runs every step of it: the tour's
/// and the typed ones alike, each started at its instant (see
/// [`crate::scenario::session`]).
#[derive(Clone, Debug)]
pub struct Playback {
    /// The scenario's steps.
    steps: Vec<Step>,
    /// The tour's next step.
    next: usize,
    /// The tour's step in progress: its index in the scenario and in the
    /// session's director.
    current: Option<(usize, usize)>,
    /// Runs the session's steps.
    director: Director,
    session: Session,
    /// Recorded actions still to be taken again (after a rewind), each at
    /// its instant.
    future: VecDeque<Entry>,
    /// The session's branches: acting after a rewind keeps the future it
    /// leaves behind as one.
    branches: Branches,
    autoplay: bool,
    /// `n` was pressed while a step was running: run the next one after it.
    queued_next: bool,
    /// Autoplay does not act before this real instant.
    dwell_until: Duration,
    /// The user has typed a step since the scenario opened: from then on
    /// the tour passes over steps whose change already holds.
    user_typed: bool,
    /// Lines for the log (a step the tour passed over).
    notes: Vec<String>,
    /// A tour step's check failed after the user's own actions took the
    /// story elsewhere.
    diverged: Option<Diverged>,
}

/// The tour's story went where its checks do not: a check of one of its
/// steps failed after the user acted on their own.
#[derive(Clone, Debug, PartialEq)]
pub struct Diverged {
    /// The tour's step whose check failed (its index in the scenario).
    pub step: usize,
    /// The user's first action the tour did not take as its own...
    pub action: String,
    /// ...and its instant: rewinding to just before it undoes the divergence.
    pub at: Time,
}

/// Whether a step runs without the user asking.
fn is_automatic(step: &Step) -> bool {
    matches!(step.kind, StepKind::Say(_) | StepKind::Check)
}

/// The tour, as the banner, the status bar and the tests read it.
pub struct Tour<'a> {
    playback: &'a Playback,
}

impl Tour<'_> {
    /// The scenario's steps.
    pub fn steps(&self) -> &[Step] {
        &self.playback.steps
    }

    /// The index of the tour's next step.
    pub fn next_index(&self) -> usize {
        self.playback.next
    }

    /// The tour's step in progress.
    pub fn current(&self) -> Option<usize> {
        self.playback.current.map(|c| c.0)
    }

    pub fn is_running(&self) -> bool {
        self.playback.current.is_some()
    }

    /// True once every step of the scenario has run.
    pub fn is_finished(&self) -> bool {
        self.playback.current.is_none() && self.playback.next >= self.playback.steps.len()
    }

    /// What the tour's running step waits for: its operations and an instant.
    pub fn waiting_for(&self) -> (Vec<OpId>, Time) {
        match self
            .playback
            .current
            .and_then(|(_, i)| self.playback.director.run_of(i))
        {
            Some(run) => (run.ops(), run.wait_until()),
            None => (Vec::new(), Time::ZERO),
        }
    }
}

impl Playback {
    pub fn new(scenario: &Scenario, seed: u64) -> Playback {
        Playback {
            steps: scenario.steps.clone(),
            next: 0,
            current: None,
            director: Director::with_steps(Vec::new()),
            session: Session::new(scenario.clone(), seed),
            future: VecDeque::new(),
            branches: Branches::new(),
            autoplay: false,
            queued_next: false,
            dwell_until: Duration::ZERO,
            user_typed: false,
            notes: Vec::new(),
            diverged: None,
        }
    }

    /// A playback that takes `entries` again, each at its instant, before
    /// the tour acts by itself again (a rewind), on the current branch of
    /// `branches`.
    pub fn replaying(scenario: &Scenario, seed: u64, entries: Vec<Entry>, branches: Branches) -> Playback {
        let mut p = Playback::new(scenario, seed);
        p.future = entries.into();
        p.branches = branches;
        p
    }

    /// This playback, as a checkpoint kept it, made to take `future` again
    /// at their instants on the current branch of `branches`: what
    /// [`Playback::replaying`] would have become by the checkpoint's
    /// instant (autoplay off, nothing queued, no caption dwelt on).
    pub fn resumed(&self, future: Vec<Entry>, branches: Branches) -> Playback {
        let mut p = self.clone();
        p.future = future.into();
        p.branches = branches;
        p.autoplay = false;
        p.queued_next = false;
        p.dwell_until = Duration::ZERO;
        p.notes.clear();
        p
    }

    /// The session's branches (the current one as it was last settled).
    pub fn branches(&self) -> &Branches {
        &self.branches
    }

    /// Every action of the current branch: those taken and the recorded
    /// future.
    pub fn timeline(&self) -> Vec<Entry> {
        let mut entries = self.session.entries().to_vec();
        entries.extend(self.future.iter().cloned());
        entries
    }

    /// Acting at `now` after a rewind: the recorded future is left behind,
    /// kept with the actions before it as a branch; the session goes on
    /// on a new branch.
    fn leave_future(&mut self, now: Time) {
        if self.future.is_empty() {
            return;
        }
        let entries = self.timeline();
        self.future.clear();
        self.branches.fork(entries, now);
    }

    pub fn tour(&self) -> Tour<'_> {
        Tour { playback: self }
    }

    /// The session recorded so far.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Recorded actions still to be taken again after a rewind.
    pub fn future(&self) -> impl Iterator<Item = &Entry> {
        self.future.iter()
    }

    /// Lines for the log, taken once.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    pub fn autoplay(&self) -> bool {
        self.autoplay
    }

    pub fn set_autoplay(&mut self, on: bool) {
        self.autoplay = on;
    }

    /// Typed steps still running.
    pub fn adhoc_running(&self) -> usize {
        self.director.in_progress_count() - usize::from(self.current.is_some_and(|(_, i)| self.director.is_active(i)))
    }

    /// True when the step the trace numbers `number` runs without waiting
    /// for the user.
    pub fn is_automatic(&self, number: usize) -> bool {
        self.director.numbered(number).is_some_and(is_automatic)
    }

    /// The step `n` would start, if the scenario has one left.
    pub fn next_step(&self) -> Option<(usize, &Step)> {
        self.steps.get(self.next).map(|s| (self.next, s))
    }

    /// The tour's step running now.
    pub fn current_step(&self) -> Option<(usize, &Step)> {
        let (i, _) = self.current?;
        self.steps.get(i).map(|s| (i, s))
    }

    /// Asks for the next step. Returns what happens, for the status line.
    /// Pressed after a rewind, it forks the session at `now`.
    pub fn request_next(&mut self, now: Time) -> Result<&'static str, &'static str> {
        if self.tour().is_finished() {
            return Err("the scenario is over; p picks another, or keep typing commands");
        }
        self.queued_next = true;
        self.leave_future(now);
        if self.current.is_some() {
            return Ok("the next step starts when this one is done");
        }
        Ok("")
    }

    /// Takes a typed step now. One that asks for what the tour's next step
    /// does runs as that step (see [`tour`]). A `wait` or `at` only moves
    /// time (the caller fast-forwards): nothing is recorded.
    pub async fn start_adhoc(&mut self, step: &Step, engine: &mut Engine) -> Result<(), String> {
        if only_moves_time(step) {
            return Ok(());
        }
        if self.director.in_progress_count() >= ADHOC_CAP {
            return Err(format!(
                "{ADHOC_CAP} commands are still running; wait for some to finish (or resume time with space)"
            ));
        }
        self.user_typed = true;
        let now = engine.now();
        if self.current.is_none()
            && let Some((i, next)) = self.next_step()
            && tour::runs_as(step, next, engine)
        {
            let next = next.clone();
            self.leave_future(now);
            let entry = Entry {
                at: now,
                step: Some(next),
                tour: Some(i),
                typed: true,
            };
            self.apply(entry, engine).await;
            return Ok(());
        }
        // A refused action forks nothing: the recorded future stays.
        self.session.admit(now, step)?;
        self.leave_future(now);
        let entry = Entry {
            at: now,
            step: Some(step.clone()),
            tour: None,
            typed: true,
        };
        self.apply_admitted(entry, engine).await;
        Ok(())
    }

    /// Records an action and starts it.
    async fn apply(&mut self, entry: Entry, engine: &mut Engine) {
        if let Some(step) = &entry.step {
            // The tour's steps passed the loader's checks in their own
            // preset, and a replayed step passed them when it was taken;
            // among the user's, a tour step may not (the saved preset then
            // says why when it is loaded).
            let _ = self.session.admit(entry.at, step);
        }
        self.apply_admitted(entry, engine).await;
    }

    /// Records an action the session's plan has taken in, and starts it.
    async fn apply_admitted(&mut self, entry: Entry, engine: &mut Engine) {
        if entry.typed {
            self.user_typed = true;
        }
        if let Some(i) = entry.tour {
            self.next = i + 1;
            if entry.step.is_some() {
                self.current = Some((i, self.director.steps().len() + 1));
            }
        }
        if let Some(step) = &entry.step {
            self.director.push(at_step(entry.at));
            self.director.push(step.clone());
        }
        self.session.record(entry);
        self.director.pump(engine).await;
        self.settle_current();
    }

    /// Forgets the tour's step once it is done; when a check of it failed
    /// after the user acted on their own, notes the divergence.
    fn settle_current(&mut self) {
        if let Some((step, i)) = self.current
            && !self.director.is_active(i)
            && i < self.director.next_index()
        {
            self.current = None;
            if self.diverged.is_none()
                && self.director.step_failed(i)
                && let Some(first) = self.first_own_action()
            {
                self.diverged = Some(Diverged {
                    step,
                    action: first.step.as_ref().map(|s| s.kind.to_string()).unwrap_or_default(),
                    at: first.at,
                });
            }
        }
    }

    /// The user's first action that the tour did not take as its own and
    /// that changed the cluster or its clients (a typed caption does not).
    fn first_own_action(&self) -> Option<&Entry> {
        self.session.entries().iter().find(|e| {
            e.typed
                && e.tour.is_none()
                && e.step
                    .as_ref()
                    .is_some_and(|s| !matches!(s.kind, StepKind::Say(_) | StepKind::Check))
        })
    }

    /// The tour's story and the user's diverged (see [`Diverged`]).
    pub fn diverged(&self) -> Option<&Diverged> {
        self.diverged.as_ref()
    }

    /// Expectations passed and failed since the scenario opened.
    pub fn expectations(&self) -> (usize, usize) {
        (self.director.passed, self.director.failed)
    }

    /// True while a step waits for operations whose answers must be seen at
    /// the exact instant they arrive (so the next step starts then).
    pub fn watching_ops(&self, engine: &Engine) -> bool {
        !self.director.unfinished_ops(engine).is_empty()
    }

    /// True while autoplay dwells on a caption with nothing of the story
    /// running: virtual time stands still so that the reader can read. Were
    /// it to run on (at 20x, a dwell is 50 s of virtual time), failure
    /// detection, handoff and anti-entropy would rewrite the story between
    /// two steps; held, autoplay tells it exactly as `ringside run` does.
    pub fn holds_clock(&self, real_now: Duration) -> bool {
        self.autoplay
            && real_now < self.dwell_until
            && self.current.is_none()
            && self.director.is_idle()
            && self.future.is_empty()
            && self.next_step().is_some()
    }

    /// The earliest instant after `now` that a running step waits for, or
    /// that a recorded action is taken again at.
    pub fn deadline(&self, now: Time) -> Option<Time> {
        let replay = self.future.front().map(|e| e.at).filter(|t| *t > now);
        self.director.deadline(now).into_iter().chain(replay).min()
    }

    /// Finishes the steps that are done and starts those that may start:
    /// recorded actions due now after a rewind, else the tour's.
    /// Expectation results go to the trace.
    pub async fn pump(&mut self, engine: &mut Engine, real_now: Duration) {
        loop {
            self.director.pump(engine).await;
            self.settle_current();
            if self.future.front().is_some_and(|e| e.at <= engine.now()) {
                let entry = self.future.pop_front().expect("an entry is due");
                self.apply(entry, engine).await;
                continue;
            }
            if !self.future.is_empty() || self.current.is_some() {
                return;
            }
            let Some((i, step)) = self.next_step().map(|(i, s)| (i, s.clone())) else {
                self.queued_next = false;
                return;
            };
            let step = &step;
            let automatic = is_automatic(step);
            if self.user_typed
                && !automatic
                && let Some(why) = tour::already_holds(step, engine)
            {
                self.notes
                    .push(format!("step {}: {} (already done: {why})", i + 1, step.kind));
                let entry = Entry {
                    at: engine.now(),
                    step: None,
                    tour: Some(i),
                    typed: false,
                };
                self.apply(entry, engine).await;
                continue;
            }
            let caption = match &step.kind {
                StepKind::Say(text) => Some(reading_time(text)),
                _ => None,
            };
            let go = automatic || self.queued_next || (self.autoplay && real_now >= self.dwell_until);
            if !go {
                return;
            }
            if !automatic {
                self.queued_next = false;
            }
            if let Some(read) = caption.filter(|_| self.autoplay) {
                self.dwell_until = self.dwell_until.max(real_now) + read;
            }
            let entry = Entry {
                at: engine.now(),
                step: Some(step.clone()),
                tour: Some(i),
                typed: false,
            };
            self.apply(entry, engine).await;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::trace::{Event, TraceEvent};
    use crate::scenario::command::{Instruction, parse};
    use crate::scenario::parse_context::ParseContext;

    /// A step typed at the command line of a cluster of `nodes` nodes,
    /// n1, n2, ...
    pub(crate) fn typed(line: &str, nodes: usize) -> Step {
        let ctx = ParseContext::new((1..=nodes).map(|i| format!("n{i}")).collect(), nodes);
        match parse(line, &ctx).unwrap() {
            Instruction::Step(step) => *step,
            other => panic!("{line}: {other:?}"),
        }
    }

    const PRESET: &str = "
cluster: {nodes: 3, latency: 10ms}
steps:
  - say: first
  - say: second
  - put: {key: k, value: v}
    expect: {ok: true}
  - expect: {converged: k}
  - say: third
  - wait: 1s
  - get: {key: k}
";

    fn setup() -> (tokio::runtime::Runtime, Scenario) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        (rt, Scenario::parse(PRESET, "test", "test").unwrap())
    }

    fn trace(engine: &mut Engine) -> Vec<Event> {
        let mut out: Vec<TraceEvent> = Vec::new();
        engine.drain_trace(&mut out);
        out.into_iter().map(|e| e.event).collect()
    }

    #[test]
    fn captions_run_at_once_and_actions_wait_for_n() {
        let (rt, scenario) = setup();
        rt.block_on(async {
            let mut engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
            let mut p = Playback::new(&scenario, 1);
            p.pump(&mut engine, Duration::ZERO).await;
            assert_eq!(p.next_step().unwrap().0, 2, "both captions ran, the put waits");
            let captions: Vec<Event> = trace(&mut engine)
                .into_iter()
                .filter(|e| matches!(e, Event::Caption(_)))
                .collect();
            assert_eq!(captions.len(), 2);
            engine.run_for(crate::core::time::Dur::from_secs(1)).await;
            p.pump(&mut engine, Duration::ZERO).await;
            assert_eq!(p.next_step().unwrap().0, 2, "time alone does not start a step");

            p.request_next(engine.now()).unwrap();
            p.pump(&mut engine, Duration::ZERO).await;
            assert_eq!(p.current_step().unwrap().0, 2);
            assert!(p.watching_ops(&engine));
            while p.tour().is_running() {
                engine.step().await;
                p.pump(&mut engine, Duration::ZERO).await;
            }
            // The put's check, the convergence check and the caption ran;
            // the wait waits for n.
            assert_eq!(p.next_step().unwrap().0, 5);
            let passed = trace(&mut engine)
                .iter()
                .filter(|e| matches!(e, Event::Expectation { passed: true, .. }))
                .count();
            assert_eq!(passed, 2);
            assert_eq!(p.expectations().1, 0);
        });
    }

    #[test]
    fn autoplay_runs_every_step_and_dwells_on_captions() {
        let (rt, scenario) = setup();
        rt.block_on(async {
            let mut engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
            let mut p = Playback::new(&scenario, 1);
            p.set_autoplay(true);
            p.pump(&mut engine, Duration::ZERO).await;
            assert_eq!(p.next_step().unwrap().0, 2, "the put waits for the caption's dwell");
            let read = reading_time("first") + reading_time("second");
            p.pump(&mut engine, reading_time("second")).await;
            assert_eq!(p.next_step().unwrap().0, 2, "two captions are read one after the other");
            p.pump(&mut engine, read).await;
            assert_eq!(p.current_step().unwrap().0, 2);
            let mut real = read;
            while !p.tour().is_finished() {
                match p.deadline(engine.now()) {
                    _ if engine.next_event_time().is_some() => {
                        engine.step().await;
                    }
                    Some(t) => engine.run_until(t).await,
                    None => {}
                }
                real += Duration::from_millis(100);
                p.pump(&mut engine, real).await;
            }
            assert_eq!(p.expectations().0, 2);
            assert!(p.request_next(engine.now()).is_err(), "nothing left");
        });
    }

    #[test]
    fn autoplay_holds_a_long_caption_longer_than_a_short_one() {
        let (rt, _) = setup();
        let long = ["word"; 40].join(" ");
        let preset =
            format!("cluster: {{nodes: 3, latency: 10ms}}\nsteps:\n  - say: {long}\n  - put: {{key: k, value: v}}\n");
        let scenario = Scenario::parse(&preset, "test", "test").unwrap();
        rt.block_on(async {
            let mut engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
            let mut p = Playback::new(&scenario, 1);
            p.set_autoplay(true);
            p.pump(&mut engine, Duration::ZERO).await;
            let short = reading_time("first");
            assert!(reading_time(&long) > short * 3, "forty words take longer than one");
            p.pump(&mut engine, Duration::from_millis(2_500)).await;
            assert!(p.current_step().is_none(), "2.5 s is too short to read forty words");
            assert!(p.holds_clock(Duration::from_millis(2_500)));
            p.pump(&mut engine, reading_time(&long)).await;
            assert_eq!(p.current_step().map(|s| s.0), Some(1), "read: the put starts");
        });
    }

    #[test]
    fn typed_steps_run_alongside_and_are_capped() {
        let (rt, scenario) = setup();
        rt.block_on(async {
            let mut engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
            let mut p = Playback::new(&scenario, 1);
            let get = typed("get k", 3);
            for _ in 0..ADHOC_CAP {
                p.start_adhoc(&get, &mut engine).await.unwrap();
            }
            assert_eq!(p.adhoc_running(), ADHOC_CAP, "they run alongside");
            assert!(
                p.start_adhoc(&get, &mut engine)
                    .await
                    .unwrap_err()
                    .contains("still running")
            );
            engine.run_until(Time(1_000_000)).await;
            p.pump(&mut engine, Duration::ZERO).await;
            assert_eq!(p.adhoc_running(), 0);
        });
    }

    #[test]
    fn a_typed_scan_s_check_counts_with_the_director_s() {
        let (rt, scenario) = setup();
        rt.block_on(async {
            let mut engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
            let mut p = Playback::new(&scenario, 1);
            for line in ["fill item 2 v1", "scan item 2 v1", "scan item 2 v2"] {
                p.start_adhoc(&typed(line, 3), &mut engine).await.unwrap();
                while p.adhoc_running() > 0 {
                    engine.step().await;
                    p.pump(&mut engine, Duration::ZERO).await;
                }
            }
            let checks: Vec<bool> = trace(&mut engine)
                .into_iter()
                .filter_map(|e| match e {
                    Event::Expectation { passed, .. } => Some(passed),
                    _ => None,
                })
                .collect();
            assert_eq!(checks, [true, false], "each scan with a value checks it");
            assert_eq!(p.expectations(), (1, 1), "counted as the trace records them");
        });
    }

    #[test]
    fn acting_after_a_rewind_forks_but_a_refused_command_does_not() {
        let (rt, scenario) = setup();
        rt.block_on(async {
            let mut engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
            let later = Entry {
                at: Time(1_000_000),
                step: Some(typed("kill n1", 3)),
                tour: None,
                typed: true,
            };
            let mut p = Playback::replaying(&scenario, 1, vec![later.clone()], Branches::new());
            let refused = p.start_adhoc(&typed("revive n2", 3), &mut engine).await;
            assert!(refused.is_err(), "n2 is alive");
            assert_eq!(p.branches().len(), 1, "nothing was done: no fork");
            assert_eq!(p.future().count(), 1, "the recorded future stays");
            p.start_adhoc(&typed("kill n2", 3), &mut engine).await.unwrap();
            assert_eq!((p.branches().len(), p.branches().current()), (2, 2));
            assert_eq!(p.future().count(), 0);
            assert!(
                p.timeline().iter().all(|e| *e != later),
                "the kill of n1 is on branch 1 only"
            );
        });
    }
}
