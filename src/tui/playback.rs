//! Playing a scenario live: the director's steps, started by `n` or by
//! autoplay, and the steps typed on the command line, which run alongside.
//!
//! Captions and pure checks never wait for the user: a caption explains the
//! step that comes next, and a check must look at the cluster at the instant
//! the step before it ended, as the headless runner does. Everything else
//! waits for `n`, or for autoplay (which leaves a caption on screen a moment
//! before acting).

use std::time::Duration;

use crate::core::time::Time;
use crate::engine::Engine;
use crate::scenario::step::{Step, StepKind};
use crate::scenario::{Director, Scenario, StepRun};

use super::tour;

/// Steps typed on the command line that may run at once.
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

/// The scenario's director and the typed steps in progress.
#[derive(Debug)]
pub struct Playback {
    director: Director,
    autoplay: bool,
    /// `n` was pressed while a step was running: run the next one after it.
    queued_next: bool,
    adhoc: Vec<StepRun>,
    /// Autoplay does not act before this real instant.
    dwell_until: Duration,
    /// Checks of typed steps that passed and failed (the director counts
    /// its own).
    adhoc_passed: usize,
    adhoc_failed: usize,
    /// The user has typed a step since the scenario opened: from then on
    /// the tour passes over steps whose change already holds.
    user_typed: bool,
}

/// Whether a step runs without the user asking.
fn is_automatic(step: &Step) -> bool {
    matches!(step.kind, StepKind::Say(_) | StepKind::Check)
}

impl Playback {
    pub fn new(scenario: &Scenario) -> Playback {
        Playback {
            director: Director::new(scenario),
            autoplay: false,
            queued_next: false,
            adhoc: Vec::new(),
            dwell_until: Duration::ZERO,
            adhoc_passed: 0,
            adhoc_failed: 0,
            user_typed: false,
        }
    }

    pub fn director(&self) -> &Director {
        &self.director
    }

    pub fn autoplay(&self) -> bool {
        self.autoplay
    }

    pub fn set_autoplay(&mut self, on: bool) {
        self.autoplay = on;
    }

    /// Typed steps still running.
    pub fn adhoc_running(&self) -> usize {
        self.adhoc.len()
    }

    /// True when the scenario's step `index` runs without waiting for the user.
    pub fn is_automatic(&self, index: usize) -> bool {
        self.director.steps().get(index).is_some_and(is_automatic)
    }

    /// The step `n` would start, if the scenario has one left.
    pub fn next_step(&self) -> Option<(usize, &Step)> {
        let i = self.director.next_index();
        self.director.steps().get(i).map(|s| (i, s))
    }

    /// The step running now.
    pub fn current_step(&self) -> Option<(usize, &Step)> {
        let i = self.director.current()?;
        self.director.steps().get(i).map(|s| (i, s))
    }

    /// Asks for the next step. Returns what happens, for the status line.
    pub fn request_next(&mut self) -> Result<&'static str, &'static str> {
        if self.director.is_finished() {
            return Err("the scenario is over; p picks another, or keep typing commands");
        }
        if self.director.is_running() {
            self.queued_next = true;
            return Ok("the next step starts when this one is done");
        }
        self.queued_next = true;
        Ok("")
    }

    /// Starts a typed step now. One that asks for what the tour's next
    /// step does runs as that step (see [`tour`]).
    pub async fn start_adhoc(&mut self, step: &Step, engine: &mut Engine) -> Result<(), String> {
        self.user_typed = true;
        if !self.director.is_running()
            && let Some((_, next)) = self.next_step()
            && tour::runs_as(step, next, engine)
        {
            self.director.start_next(engine).await;
            return Ok(());
        }
        if self.adhoc.len() >= ADHOC_CAP {
            return Err(format!(
                "{ADHOC_CAP} commands are still running; wait for some to finish (or resume time with space)"
            ));
        }
        let run = step.start(engine).await?;
        self.adhoc.push(run);
        Ok(())
    }

    /// Expectations passed and failed since the scenario opened: the
    /// director's steps' and the typed steps'.
    pub fn expectations(&self) -> (usize, usize) {
        (
            self.director.passed + self.adhoc_passed,
            self.director.failed + self.adhoc_failed,
        )
    }

    /// True while a step waits for operations whose answers must be seen at
    /// the exact instant they arrive (so the next step starts then).
    pub fn watching_ops(&self, engine: &Engine) -> bool {
        let unfinished = |run: &StepRun| run.ops().iter().any(|op| engine.report(*op).is_none());
        self.adhoc.iter().any(unfinished)
            || (self.director.is_running()
                && self
                    .director
                    .waiting_for()
                    .0
                    .iter()
                    .any(|op| engine.report(*op).is_none()))
    }

    /// True while autoplay dwells on a caption with nothing of the story
    /// running: virtual time stands still so that the reader can read. Were
    /// it to run on (at 20x, a dwell is 50 s of virtual time), failure
    /// detection, handoff and anti-entropy would rewrite the story between
    /// two steps; held, autoplay tells it exactly as `ringside run` does.
    pub fn holds_clock(&self, real_now: Duration) -> bool {
        self.autoplay
            && real_now < self.dwell_until
            && !self.director.is_running()
            && self.adhoc.is_empty()
            && self.next_step().is_some()
    }

    /// The earliest instant after `now` that a running step waits for.
    pub fn deadline(&self, now: Time) -> Option<Time> {
        let director = self.director.is_running().then(|| self.director.waiting_for().1);
        self.adhoc
            .iter()
            .map(StepRun::wait_until)
            .chain(director)
            .filter(|t| *t > now)
            .min()
    }

    /// Finishes the steps that are done and starts those that may start.
    /// Expectation results go to the trace.
    pub async fn pump(&mut self, engine: &mut Engine, real_now: Duration) {
        let mut i = 0;
        while i < self.adhoc.len() {
            if self.adhoc[i].is_done(engine) {
                let run = self.adhoc.remove(i);
                for check in run.finish(engine).await {
                    if check.passed {
                        self.adhoc_passed += 1;
                    } else {
                        self.adhoc_failed += 1;
                    }
                }
            } else {
                i += 1;
            }
        }
        loop {
            if self.director.is_running() {
                if !self.director.step_done(engine) {
                    return;
                }
                self.director.finish(engine).await;
                continue;
            }
            let Some((_, step)) = self.next_step() else {
                self.queued_next = false;
                return;
            };
            let automatic = is_automatic(step);
            if self.user_typed
                && !automatic
                && let Some(why) = tour::already_holds(step, engine)
            {
                self.director.skip_next(engine, &why);
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
            self.director.start_next(engine).await;
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
            let mut p = Playback::new(&scenario);
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

            p.request_next().unwrap();
            p.pump(&mut engine, Duration::ZERO).await;
            assert_eq!(p.current_step().unwrap().0, 2);
            assert!(p.watching_ops(&engine));
            while p.director().is_running() {
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
            assert_eq!(p.director().failed, 0);
        });
    }

    #[test]
    fn autoplay_runs_every_step_and_dwells_on_captions() {
        let (rt, scenario) = setup();
        rt.block_on(async {
            let mut engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
            let mut p = Playback::new(&scenario);
            p.set_autoplay(true);
            p.pump(&mut engine, Duration::ZERO).await;
            assert_eq!(p.next_step().unwrap().0, 2, "the put waits for the caption's dwell");
            let read = reading_time("first") + reading_time("second");
            p.pump(&mut engine, reading_time("second")).await;
            assert_eq!(p.next_step().unwrap().0, 2, "two captions are read one after the other");
            p.pump(&mut engine, read).await;
            assert_eq!(p.current_step().unwrap().0, 2);
            let mut real = read;
            while !p.director().is_finished() {
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
            assert_eq!(p.director().passed, 2);
            assert!(p.request_next().is_err(), "nothing left");
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
            let mut p = Playback::new(&scenario);
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
            let mut p = Playback::new(&scenario);
            let wait = typed("wait 1s", 3);
            for _ in 0..ADHOC_CAP {
                p.start_adhoc(&wait, &mut engine).await.unwrap();
            }
            assert!(
                p.start_adhoc(&wait, &mut engine)
                    .await
                    .unwrap_err()
                    .contains("still running")
            );
            assert_eq!(p.deadline(engine.now()), Some(Time(1_000_000)));
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
            let mut p = Playback::new(&scenario);
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
            assert_eq!((p.director().passed, p.director().failed), (0, 0));
        });
    }
}
