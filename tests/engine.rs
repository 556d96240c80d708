//! The engine's contract: faults, crash-stop, and determinism however time is stepped.

use std::sync::Arc;

use ringside::core::client::OpKind;
use ringside::core::config::{Latency, Settings};
use ringside::core::ids::{Endpoint, NodeId};
use ringside::core::time::{Dur, Time};
use ringside::core::trace::{DropReason, Event, TraceEvent};
use ringside::core::version::Key;
use ringside::engine::{ClusterSpec, Engine};

mod common;
use common::rt;

fn spec() -> ClusterSpec {
    ClusterSpec::numbered(5, 8, Settings::default())
}

fn put(value: &str) -> OpKind {
    OpKind::Put {
        value: Arc::from(value),
        w: None,
        pw: None,
        context: None,
    }
}

/// Submits the same 40 operations on 8 keys from 3 clients at t=0.
fn submit_workload(engine: &mut Engine) {
    let clients: Vec<_> = ["a", "b", "c"].iter().map(|c| engine.client(c)).collect();
    for i in 0..40 {
        let key = Key::from(format!("k{}", i % 8));
        let kind = if i % 3 == 0 {
            OpKind::Get { r: None, pr: None }
        } else {
            put(&format!("v{i}"))
        };
        engine.submit(clients[i % 3], key, kind, None);
    }
}

fn drain(engine: &mut Engine) -> Vec<String> {
    let mut out: Vec<TraceEvent> = Vec::new();
    engine.drain_trace(&mut out);
    out.iter()
        .map(|e| format!("{} {}", e.at, e.describe(engine.names())))
        .collect()
}

#[test]
fn windowing_never_changes_the_trace() {
    let rt = rt();
    let whole = rt.block_on(async {
        let mut e = Engine::new(&spec(), 9).unwrap();
        submit_workload(&mut e);
        e.run_until(Time(3_000_000)).await;
        drain(&mut e)
    });
    let by_millisecond = rt.block_on(async {
        let mut e = Engine::new(&spec(), 9).unwrap();
        submit_workload(&mut e);
        for ms in 1..=3_000 {
            e.run_until(Time(ms * 1_000)).await;
        }
        drain(&mut e)
    });
    let by_instant = rt.block_on(async {
        let mut e = Engine::new(&spec(), 9).unwrap();
        submit_workload(&mut e);
        while e.next_event_time().is_some_and(|t| t <= Time(3_000_000)) {
            e.step().await;
        }
        drain(&mut e)
    });
    assert!(whole.len() > 500, "the workload did too little: {}", whole.len());
    assert_eq!(whole, by_millisecond);
    assert_eq!(whole, by_instant);
}

/// How a run moves virtual time between two commands.
#[derive(Clone, Copy, Debug)]
enum Pacing {
    /// One `run_until` to the next command.
    Whole,
    /// Slices of this length, as the TUI does at slow speeds.
    Slices(Dur),
    /// One instant at a time (`step`): the canonical order of events.
    Instants,
}

/// Runs to `until` at `pacing`.
async fn pace_to(e: &mut Engine, until: Time, pacing: Pacing) {
    match pacing {
        Pacing::Whole => e.run_until(until).await,
        Pacing::Slices(slice) => {
            while e.now() < until {
                let next = (e.now() + slice).min(until);
                e.run_until(next).await;
            }
        }
        Pacing::Instants => {
            while e.next_event_time().is_some_and(|t| t <= until) {
                e.step().await;
            }
            e.run_until(until).await;
        }
    }
}

/// Every fault the engine knows, between rounds of the workload: a slow
/// node, a kill and a revive, a join, a partition, one-way cuts, a heal
/// and a leave. Returns the trace and everything else the run leaves.
async fn faulted_run(seed: u64, gossip_fanout: usize, pacing: Pacing) -> (Vec<String>, String) {
    let settings = Settings {
        gossip_fanout,
        ..Settings::default()
    };
    let mut e = Engine::new(&ClusterSpec::numbered(5, 8, settings), seed).unwrap();
    let ms = |m: u64| Time(m * 1_000);
    submit_workload(&mut e);
    pace_to(&mut e, ms(300), pacing).await;
    e.slow(NodeId(1), Dur::from_millis(30)).unwrap();
    pace_to(&mut e, ms(1_000), pacing).await;
    e.kill(NodeId(2)).await.unwrap();
    submit_workload(&mut e);
    pace_to(&mut e, ms(1_500), pacing).await;
    e.join("n6", None).unwrap();
    submit_workload(&mut e);
    pace_to(&mut e, ms(2_000), pacing).await;
    e.partition(vec![vec![NodeId(0), NodeId(1)], vec![NodeId(3), NodeId(4)]])
        .unwrap();
    submit_workload(&mut e);
    pace_to(&mut e, ms(2_600), pacing).await;
    e.revive(NodeId(2)).await.unwrap();
    e.cut(NodeId(4), NodeId(5)).unwrap();
    e.cut(NodeId(5), NodeId(0)).unwrap();
    submit_workload(&mut e);
    pace_to(&mut e, ms(3_400), pacing).await;
    e.heal();
    e.leave(NodeId(3)).unwrap();
    e.slow(NodeId(1), Dur::ZERO).unwrap();
    submit_workload(&mut e);
    pace_to(&mut e, ms(6_000), pacing).await;
    let outcome = outcome(&mut e).await;
    (drain(&mut e), outcome)
}

/// However time is stepped (in one go, in slices of 1 ms, 7 ms or 1 s, or
/// one instant at a time), a run meeting every kind of fault gives the same
/// trace and leaves the same state. Timers shorter than the engine's window
/// (the wake-ups of a node's or a client's deadlines, the first ticks of a
/// node that boots) used to run a window late when time moved in one go.
#[test]
fn pacing_never_changes_the_trace_of_a_faulted_run() {
    let rt = rt();
    for (seed, fanout) in [(5, 2), (11, 2), (23, 2), (5, 1)] {
        let canonical = rt.block_on(faulted_run(seed, fanout, Pacing::Instants));
        assert!(
            canonical.0.len() > 2_000,
            "the run did too little: {}",
            canonical.0.len()
        );
        for pacing in [
            Pacing::Whole,
            Pacing::Slices(Dur::from_millis(1)),
            Pacing::Slices(Dur::from_millis(7)),
            Pacing::Slices(Dur::from_secs(1)),
        ] {
            let (trace, state) = rt.block_on(faulted_run(seed, fanout, pacing));
            if let Some(i) = (0..trace.len().min(canonical.0.len())).find(|&i| trace[i] != canonical.0[i]) {
                let from = i.saturating_sub(5);
                panic!(
                    "seed {seed}, fanout {fanout}, {pacing:?}: the trace differs from event {i} on\n--- one instant at a time:\n{}\n--- {pacing:?}:\n{}",
                    canonical.0[from..(i + 5).min(canonical.0.len())].join("\n"),
                    trace[from..(i + 5).min(trace.len())].join("\n")
                );
            }
            assert_eq!(trace.len(), canonical.0.len(), "seed {seed}, {pacing:?}");
            if let Some(i) = state.bytes().zip(canonical.1.bytes()).position(|(a, b)| a != b) {
                let at = |s: &str| s[i.saturating_sub(300)..(i + 100).min(s.len())].to_string();
                panic!(
                    "seed {seed}, fanout {fanout}, {pacing:?}: the state differs\n--- one instant at a time:\n{}\n--- {pacing:?}:\n{}",
                    at(&canonical.1),
                    at(&state)
                );
            }
            assert_eq!(state, canonical.1, "seed {seed}, {pacing:?}");
        }
    }
}

/// Everything a run leaves behind but its trace: every op's report, the
/// overwrites recorded, each node's counters and what it stores.
async fn outcome(e: &mut Engine) -> String {
    let mut reports = e.take_finished();
    reports.sort_by_key(|r| r.op);
    let mut nodes = Vec::new();
    for n in e.node_ids() {
        nodes.push((e.status(n), e.contents(n).await));
    }
    format!("{reports:?}\n{:?}\n{nodes:?}", e.overwrites())
}

/// Runs to `until`, in one go or a millisecond at a time.
async fn run_to(e: &mut Engine, until: u64, step_by_millisecond: bool) {
    if step_by_millisecond {
        while e.now() < Time(until) {
            let next = e.now() + Dur::from_millis(1);
            e.run_until(next).await;
        }
    } else {
        e.run_until(Time(until)).await;
    }
}

/// The workload three times, with a node killed and a partition between.
async fn run_with_faults(e: &mut Engine, step_by_millisecond: bool) {
    submit_workload(e);
    run_to(e, 1_000_000, step_by_millisecond).await;
    e.kill(NodeId(2)).await.unwrap();
    submit_workload(e);
    run_to(e, 2_000_000, step_by_millisecond).await;
    e.partition(vec![vec![NodeId(0), NodeId(1)], vec![NodeId(3), NodeId(4)]])
        .unwrap();
    submit_workload(e);
    run_to(e, 5_000_000, step_by_millisecond).await;
}

/// With the trace off the engine carries out node batches in the order they
/// come back rather than merged in time order; nothing may change but the
/// trace. Nor may busy polling, which only changes how the threads wait.
#[test]
fn the_trace_setting_the_windowing_and_busy_polling_change_nothing_but_the_trace() {
    let rt = rt();
    let run = |tracing: bool, step_by_millisecond: bool, busy_polling: bool| {
        rt.block_on(async {
            let mut e = Engine::new(&spec(), 5).unwrap();
            e.set_tracing(tracing);
            e.set_busy_polling(busy_polling);
            run_with_faults(&mut e, step_by_millisecond).await;
            (outcome(&mut e).await, e.overwrites().len(), e.take_finished().len())
        })
    };
    let traced = run(true, false, false);
    assert!(traced.1 > 0, "the workload overwrites concurrent writes");
    assert!(traced.0.matches("op: OpId").count() >= 120, "every op finished");
    // Batches come back in whatever order the threads finish them: a few
    // runs meet a few orders.
    for _ in 0..3 {
        assert_eq!(run(false, false, false), traced);
    }
    assert_eq!(run(false, true, false), traced);
    assert_eq!(run(false, false, true), traced);
    assert_eq!(run(true, false, true), traced);
}

#[test]
fn a_dead_node_receives_nothing_and_sends_nothing() {
    rt().block_on(async {
        let mut e = Engine::new(&spec(), 1).unwrap();
        let victim = NodeId(2);
        e.kill(victim).await.unwrap();
        submit_workload(&mut e);
        e.run_until(Time(5_000_000)).await;
        let mut events = Vec::new();
        e.drain_trace(&mut events);
        let to_victim = Endpoint::Node(victim);
        let mut dropped = 0;
        for ev in &events {
            match &ev.event {
                Event::Delivered { from, to, .. } => assert!(*to != to_victim && *from != to_victim, "{ev:?}"),
                Event::Dropped { to, reason, .. } if *to == to_victim => {
                    assert_eq!(*reason, DropReason::ReceiverDown);
                    dropped += 1;
                }
                Event::Stored { node, .. } => assert_ne!(*node, victim),
                _ => {}
            }
        }
        assert!(dropped > 0, "some messages were meant for the dead node");
        assert_eq!(e.ops_in_flight(), 0, "every op finished despite the dead node");
    });
}

#[test]
fn messages_in_flight_from_a_crashed_node_are_lost() {
    rt().block_on(async {
        let mut e = Engine::new(&spec(), 1).unwrap();
        let key = Key::from("cart");
        let coordinator = e.ring().nth("cart", 1).unwrap();
        let c = e.client("alice");
        e.submit(c, key, put("CAR"), Some(coordinator));
        // Run until the coordinator has sent its replicate messages, then crash it.
        let mut events = Vec::new();
        while !events
            .iter()
            .any(|ev: &TraceEvent| matches!(ev.event, Event::Sent { from: Endpoint::Node(n), .. } if n == coordinator))
        {
            e.step().await;
            e.drain_trace(&mut events);
        }
        e.kill(coordinator).await.unwrap();
        e.run_until(e.now() + Dur::from_secs(2)).await;
        e.drain_trace(&mut events);
        let lost = events
            .iter()
            .filter(|ev| {
                matches!(
                    ev.event,
                    Event::Dropped {
                        reason: DropReason::SenderDown,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(lost, 2, "both replicate messages die with their sender");
        let finished = e.take_finished();
        assert!(!finished[0].outcome.is_ok(), "nobody answered the client");
    });
}

#[test]
fn revived_node_keeps_its_disk_and_starts_a_new_incarnation() {
    rt().block_on(async {
        let mut e = Engine::new(&spec(), 1).unwrap();
        let node = e.ring().nth("cart", 1).unwrap();
        let c = e.client("alice");
        let op = e.submit(c, Key::from("cart"), put("CAR"), None);
        e.run_until_done(&[op], Time(u64::MAX)).await;
        e.kill(node).await.unwrap();
        assert!(!e.is_alive(node));
        assert_eq!(
            e.versions(node, "cart").await.len(),
            1,
            "a dead node's disk can still be inspected"
        );
        assert!(e.kill(node).await.unwrap_err().contains("already dead"));
        e.revive(node).await.unwrap();
        assert_eq!(e.status(node).epoch, 1);
        assert_eq!(e.versions(node, "cart").await[0].value.as_ref(), "CAR");
    });
}

#[test]
fn drop_rate_one_makes_quorums_impossible() {
    rt().block_on(async {
        let settings = Settings {
            drop_rate: 1.0,
            ..Settings::default()
        };
        let mut e = Engine::new(&ClusterSpec::numbered(3, 4, settings), 1).unwrap();
        let c = e.client("alice");
        let op = e.submit(c, Key::from("k"), put("v"), None);
        e.run_until_done(&[op], Time(u64::MAX)).await;
        let report = e.report(op).unwrap();
        assert_eq!(
            report.outcome.failure().unwrap().to_string(),
            "quorum not reached: 1 of 2"
        );
    });
}

#[test]
fn a_one_way_cut_blocks_one_direction_only() {
    rt().block_on(async {
        let settings = Settings {
            latency: Latency { min: Dur(1_000), max: Dur(1_000) },
            ..Settings::default()
        };
        let mut e = Engine::new(&ClusterSpec::numbered(3, 4, settings), 1).unwrap();
        let key = "cart";
        let first = e.ring().nth(key, 1).unwrap();
        let second = e.ring().nth(key, 2).unwrap();
        e.cut(first, second).unwrap();
        let c = e.client("alice");
        let op = e.submit(c, Key::from(key), put("v"), Some(first));
        e.run_until_done(&[op], Time(u64::MAX)).await;
        let mut events = Vec::new();
        e.drain_trace(&mut events);
        let cut = events.iter().any(|ev| {
            matches!(ev.event, Event::Dropped { from: Endpoint::Node(a), to: Endpoint::Node(b), reason: DropReason::Cut, .. } if a == first && b == second)
        });
        assert!(cut, "the replicate from first to second was cut");
        assert!(e.report(op).unwrap().outcome.is_ok(), "the third replica still made W=2");
        // The other direction still works: second's replicate reaches first,
        // though first's acknowledgement back to second is cut.
        let op = e.submit(c, Key::from(key), put("w2"), Some(second));
        e.run_until_done(&[op], Time(u64::MAX)).await;
        assert_eq!(e.versions(first, key).await[0].value.as_ref(), "w2");
        assert!(!e.report(op).unwrap().replicas.contains(&first), "first's ack never arrived");
    });
}

#[test]
fn invalid_settings_change_nothing() {
    rt().block_on(async {
        let mut e = Engine::new(&spec(), 1).unwrap();
        let bad = Settings {
            write_quorum: 4,
            ..Settings::default()
        };
        assert!(
            e.set_settings(bad, "write_quorum=4".into())
                .unwrap_err()
                .contains("between 1 and N")
        );
        assert_eq!(e.settings().write_quorum, 2);
        assert!(
            Engine::new(&ClusterSpec::numbered(2, 4, Settings::default()), 1).is_err(),
            "N=3 > 2 nodes"
        );
    });
}

/// A node that leaves while cut off from everyone must not vanish unheard:
/// it keeps gossiping until a peer answers, and only then stops.
#[test]
fn a_node_leaving_behind_a_partition_stops_only_once_a_peer_heard() {
    use ringside::core::membership::MemberStatus;
    rt().block_on(async {
        let mut engine = Engine::new(&spec(), 3).unwrap();
        let n5 = NodeId(4);
        let others: Vec<NodeId> = (0..4).map(NodeId).collect();
        engine.run_for(Dur::from_secs(2)).await;
        engine.partition(vec![vec![n5], others.clone()]).unwrap();
        engine.leave(n5).unwrap();
        engine.run_for(Dur::from_secs(10)).await;
        assert!(!engine.status(n5).left, "nobody heard n5 leave, so it has not stopped");
        for &n in &others {
            let view = engine.membership(n).await;
            let entry = view.entries.iter().find(|e| e.node == n5).unwrap();
            assert_ne!(entry.status, MemberStatus::Left, "{n:?} cannot know yet");
        }
        engine.heal();
        engine.run_for(Dur::from_secs(10)).await;
        assert!(engine.status(n5).left, "a peer answered n5's gossip: it stopped");
        engine.run_for(Dur::from_secs(20)).await;
        for &n in &others {
            let view = engine.membership(n).await;
            let entry = view.entries.iter().find(|e| e.node == n5).unwrap();
            assert_eq!(entry.status, MemberStatus::Left, "{n:?} learned that n5 left");
            assert!(!view.ring.members().contains(&n5));
        }
    });
}

/// A closed loop (an engine follow-up): 6 clients, each starting its next
/// operation the instant its last finished, 60 operations in all. Returns
/// the trace, how many the load saw finish, and the start and finish
/// instants per operation.
fn closed_loop_run(seed: u64) -> (Vec<String>, usize, Vec<(Time, Time)>) {
    rt().block_on(async move {
        let mut e = Engine::new(&spec(), seed).unwrap();
        let clients: Vec<_> = (0..6).map(|i| e.client(&format!("c{i}"))).collect();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (log, mut next) = (seen.clone(), 6usize);
        e.set_follow_up(Some(Box::new(move |report| {
            log.lock().unwrap().push((report.started, report.finished));
            (next < 60).then(|| {
                next += 1;
                (Key::from(format!("k{}", next % 7)), put(&format!("v{next}")))
            })
        })));
        for (i, &c) in clients.iter().enumerate() {
            e.submit(c, Key::from(format!("k{i}")), put("first"), None);
        }
        assert_eq!(e.ops_in_flight(), 6);
        let mut looks = 0;
        while e.ops_in_flight() > 0 {
            e.run_for(Dur::from_millis(10)).await;
            looks += 1;
            assert!(looks < 1_000, "the load never finished");
        }
        assert!(e.take_finished().is_empty(), "the load's results go to the load");
        e.set_follow_up(None);
        let spans = seen.lock().unwrap().clone();
        (drain(&mut e), spans.len(), spans)
    })
}

#[test]
fn a_closed_loop_keeps_its_clients_busy_and_runs_the_same_every_time() {
    let (trace, finished, spans) = closed_loop_run(5);
    assert_eq!(finished, 60, "every operation finished and was handed to the load");
    // Each follow-up starts at the very instant an answer arrived.
    let finishes: std::collections::BTreeSet<Time> = spans.iter().map(|s| s.1).collect();
    let follow_ups = spans.iter().filter(|s| s.0 > Time::ZERO).collect::<Vec<_>>();
    assert_eq!(follow_ups.len(), 54);
    assert!(follow_ups.iter().all(|s| finishes.contains(&s.0)));
    assert_eq!(closed_loop_run(5).0, trace, "same seed, same trace");
    assert_ne!(closed_loop_run(6).0, trace, "another seed, another run");
}

/// A closed loop starts operations at every instant an answer comes back,
/// routing each by the cluster's ring as it is at that instant: a node that
/// joins reaches the ring at one instant, whatever the pacing.
#[test]
fn a_join_reaches_the_clients_ring_at_one_instant_whatever_the_pacing() {
    let rt = rt();
    let run = |seed: u64, pacing: Pacing| {
        rt.block_on(async move {
            let mut e = Engine::new(&spec(), seed).unwrap();
            let clients: Vec<_> = (0..150).map(|i| e.client(&format!("c{i}"))).collect();
            let mut next = 0u64;
            e.set_follow_up(Some(Box::new(move |_| {
                next += 1;
                (next < 20_000).then(|| (Key::from(format!("k{}", next % 97)), put(&format!("v{next}"))))
            })));
            for (i, &c) in clients.iter().enumerate() {
                e.submit(c, Key::from(format!("k{i}")), put("first"), None);
            }
            pace_to(&mut e, Time(100_000), pacing).await;
            e.join("n6", None).unwrap();
            pace_to(&mut e, Time(400_000), pacing).await;
            drain(&mut e)
        })
    };
    for seed in 1..=6 {
        let canonical = run(seed, Pacing::Instants);
        assert!(
            canonical.iter().any(|l| l.contains("→ n6 request")),
            "clients route to the new node"
        );
        let whole = run(seed, Pacing::Whole);
        if let Some(i) = (0..whole.len().min(canonical.len())).find(|&i| whole[i] != canonical[i]) {
            let from = i.saturating_sub(5);
            panic!(
                "seed {seed}: the trace differs from event {i} on\n--- one instant at a time:\n{}\n--- whole:\n{}",
                canonical[from..(i + 5).min(canonical.len())].join("\n"),
                whole[from..(i + 5).min(whole.len())].join("\n")
            );
        }
        assert_eq!(whole, canonical);
    }
}

/// A client's two operations through a dead node, started 2 ms apart, give
/// up 2 ms apart: the wake-up for the second is set when the first gives
/// up, shorter than a window. It fires at its instant among the events of
/// a busy cluster (gossip every 10 ms), whether time moves in one go, in
/// slices or one instant at a time; waiting for that op stops the clock at
/// the instant it gave up.
#[test]
fn a_clients_short_wake_up_fires_in_its_place_and_ends_a_wait_there() {
    let rt = rt();
    // `None`: wait for the second op; otherwise run to 1 s at that pace.
    let run = |pacing: Option<Pacing>| {
        rt.block_on(async move {
            let settings = Settings {
                gossip_interval: Dur::from_millis(10),
                ..Settings::default()
            };
            let mut e = Engine::new(&ClusterSpec::numbered(5, 8, settings), 3).unwrap();
            let dead = NodeId(2);
            e.kill(dead).await.unwrap();
            // Keys the dead node replicates: the client waits one hop for each.
            let keys: Vec<String> = (0..100)
                .map(|i| format!("x{i}"))
                .filter(|k| e.ring().preference_list(k, 3).contains(&dead))
                .take(2)
                .collect();
            let a = e.client("a");
            let first = e.submit(a, Key::from(keys[0].as_str()), put("1"), Some(dead));
            e.run_until(Time(2_000)).await;
            let second = e.submit(a, Key::from(keys[1].as_str()), put("2"), Some(dead));
            match pacing {
                None => e.run_until_done(&[second], Time(u64::MAX)).await,
                Some(pacing) => pace_to(&mut e, Time(1_000_000), pacing).await,
            }
            let finished = |op| e.report(op).map(|r| r.finished);
            let gave_up = (finished(first), finished(second));
            (e.now(), gave_up, drain(&mut e))
        })
    };
    let canonical = run(Some(Pacing::Instants));
    let (Some(first), Some(second)) = canonical.1 else {
        panic!("both ops gave up: {:?}", canonical.1);
    };
    assert_eq!(second.since(first), Dur::from_millis(2), "they gave up 2 ms apart");
    for pacing in [Pacing::Whole, Pacing::Slices(Dur::from_millis(3))] {
        let (_, gave_up, trace) = run(Some(pacing));
        assert_eq!(gave_up, canonical.1, "{pacing:?}");
        assert!(trace == canonical.2, "{pacing:?} changes the trace");
    }
    let (now, gave_up, trace) = run(None);
    assert_eq!(gave_up, canonical.1);
    assert_eq!(now, second, "the wait ends at the instant the op gave up");
    assert!(trace[..] == canonical.2[..trace.len()], "waiting changes the trace");
}

/// `partitioning: equal` holds for the whole cluster: the nodes start on
/// equal partitions and a node that joins without tokens halves the largest
/// ranges, so that every node's share stays a whole number of half partitions.
#[test]
fn equal_partitioning_places_the_cluster_and_its_joiners() {
    rt().block_on(async {
        let mut spec = ClusterSpec::numbered(4, 2, Settings::default());
        spec.partitioning = ringside::core::config::Partitioning::Equal;
        let mut engine = Engine::new(&spec, 1).unwrap();
        for &m in engine.ring().members() {
            assert!((engine.ring().share(m) - 0.25).abs() < 1e-12);
        }
        engine.run_for(Dur::from_secs(2)).await;
        let n5 = engine.join("n5", None).unwrap();
        engine.run_for(Dur::from_secs(10)).await;
        let ring = engine.ring();
        assert!(ring.contains(n5), "the joiner is on the ring");
        // Eight partitions of 1/8: the joiner takes half of two of them.
        assert!((ring.share(n5) - 0.125).abs() < 1e-12, "{}", ring.share(n5));
        let eighth = 1u64 << 61;
        assert_eq!(ring.tokens_of(n5), vec![eighth / 2, eighth + eighth / 2]);
        // Two joiners in a row, the second before the first is on the ring,
        // split different ranges.
        let n6 = engine.join("n6", None).unwrap();
        let n7 = engine.join("n7", None).unwrap();
        engine.run_for(Dur::from_secs(10)).await;
        let ring = engine.ring();
        let (t6, t7) = (ring.tokens_of(n6), ring.tokens_of(n7));
        assert!(t6.iter().all(|t| !t7.contains(t)), "{t6:?} {t7:?}");
        assert!((ring.share(n7) - 0.125).abs() < 1e-12, "{}", ring.share(n7));
    });
}
