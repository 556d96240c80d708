//! An engine started from a checkpoint carries on exactly as the engine the
//! checkpoint was taken of: the same steps after it give the same trace,
//! byte for byte, for presets with faults (kills, revives, partitions) and
//! checkpoints taken at several instants, messages and timers in flight.

use ringside::core::time::Time;
use ringside::core::trace::TraceEvent;
use ringside::engine::Engine;
use ringside::scenario::headless::{RunOptions, run};
use ringside::scenario::timeline::to_json;
use ringside::scenario::{Director, Scenario};

mod common;
use common::rt;

/// The trace recorded since the last call, as `run --json` prints it.
fn drain(engine: &mut Engine, out: &mut Vec<String>) {
    let mut events: Vec<TraceEvent> = Vec::new();
    engine.drain_trace(&mut events);
    out.extend(events.iter().map(|ev| to_json(ev, engine.names()).to_string()));
}

/// Plays the director's steps to the end as the headless runner does,
/// stopping exactly at `stop` (if given, and not yet passed) to hand back
/// the engine and director there. Returns the trace so far and, if it
/// stopped, nothing else was run.
async fn play(engine: &mut Engine, director: &mut Director, stop: Option<Time>, trace: &mut Vec<String>) -> bool {
    loop {
        director.pump(engine).await;
        drain(engine, trace);
        if director.is_finished() {
            return false;
        }
        if stop.is_some_and(|s| engine.now() >= s) {
            return true;
        }
        let limit = stop.unwrap_or(Time(u64::MAX));
        let ops = director.unfinished_ops(engine);
        let deadline = director.deadline(engine.now()).unwrap_or(Time(u64::MAX));
        if !ops.is_empty() {
            engine.run_until_any(&ops, deadline.min(limit)).await;
        } else if deadline < Time(u64::MAX) || limit < Time(u64::MAX) {
            engine.run_until(deadline.min(limit)).await;
        } else {
            return false;
        }
    }
}

/// Asserts two traces are the same, showing the first line that differs.
fn same(a: &[String], b: &[String], what: &str) {
    if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
        panic!(
            "{what}: line {i} of {} / {}:\n  {:?}\n  {:?}",
            a.len(),
            b.len(),
            a.get(i),
            b.get(i)
        );
    }
}

/// The whole run's trace, uninterrupted, and the traces of runs resumed
/// from checkpoints taken at each of `instants` (the part before the
/// checkpoint, from the uninterrupted run, then the resumed part).
fn compare(preset: &str, seed: u64, instants: &[Time]) {
    let scenario = Scenario::load(preset).unwrap();
    rt().block_on(async {
        let mut headless = Vec::new();
        let opts = RunOptions {
            seed: Some(seed),
            json: true,
            ..RunOptions::default()
        };
        run(&scenario, &opts, &mut headless, |_| {}).await.unwrap();
        let headless: Vec<String> = String::from_utf8(headless)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("{\"event\":\"summary\""))
            .map(str::to_string)
            .collect();
        for &at in instants {
            let mut engine = scenario.start_engine(seed).unwrap();
            let mut director = Director::new(&scenario);
            let mut before = Vec::new();
            assert!(
                play(&mut engine, &mut director, Some(at), &mut before).await,
                "{preset}: the run ends before {at}"
            );
            let checkpoint = engine.checkpoint().await.unwrap();
            assert_eq!(checkpoint.at(), at);
            let saved_director = director.clone();
            let mut saved_again = director.clone();
            // The engine the checkpoint was taken of runs on...
            let mut uninterrupted = before.clone();
            play(&mut engine, &mut director, None, &mut uninterrupted).await;
            // ...and so does one started from the checkpoint, while the
            // first one is still alive (they share nothing).
            let mut resumed_engine = Engine::from_checkpoint(&checkpoint);
            let mut resumed_director = saved_director;
            let mut resumed = before.clone();
            play(&mut resumed_engine, &mut resumed_director, None, &mut resumed).await;
            same(
                &uninterrupted,
                &headless,
                &format!("{preset} seed {seed}: taking a checkpoint at {at} changed the run"),
            );
            assert!(resumed.len() > before.len(), "something happened after {at}");
            same(
                &resumed,
                &uninterrupted,
                &format!("{preset} seed {seed}: resumed from {at}, the trace differs"),
            );
            assert_eq!(resumed_director.passed, director.passed);
            assert_eq!(resumed_director.failed, director.failed);
            // The checkpoint serves again (a playground rewinds to it often).
            let mut again = before.clone();
            let mut engine = Engine::from_checkpoint(&checkpoint);
            play(&mut engine, &mut saved_again, None, &mut again).await;
            same(
                &again,
                &uninterrupted,
                &format!("{preset} seed {seed}: a second resume from {at}"),
            );
        }
    });
}

#[test]
fn a_run_resumed_from_a_checkpoint_gives_the_uninterrupted_trace_hinted_handoff() {
    let ms = |m: u64| Time(m * 1000);
    compare("hinted-handoff", 1, &[ms(1), ms(120), ms(700), ms(1_500), ms(2_290)]);
    compare("hinted-handoff", 4, &[ms(250), ms(2_222)]);
}

#[test]
fn a_run_resumed_from_a_checkpoint_gives_the_uninterrupted_trace_split_brain() {
    let ms = |m: u64| Time(m * 1000);
    compare("sloppy-split-brain", 2, &[ms(5), ms(333), ms(1_000), ms(2_500)]);
}

/// Background traffic is part of the state a checkpoint holds: the
/// workload's generator, its clients' contexts and the metrics read from
/// the trace (whose expectations the director checks) carry on as if
/// nothing had happened.
#[test]
fn a_run_resumed_from_a_checkpoint_gives_the_uninterrupted_trace_under_traffic() {
    let ms = |m: u64| Time(m * 1000);
    compare("stale-reads", 1, &[ms(3_333), ms(14_000)]);
}
