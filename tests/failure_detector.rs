//! The failure detector with the default settings: a fault-free cluster is
//! quiet, and a crash is seen by every live node within the bound README
//! states ("The failure-detection rule"), for both detectors.

use ringside::bench::detector::{settings_for, stated_bound};
use ringside::core::config::{FailureDetector, Settings};
use ringside::core::ids::NodeId;
use ringside::core::membership::Liveness;
use ringside::core::time::Dur;
use ringside::core::trace::{Event, TraceEvent};
use ringside::engine::{ClusterSpec, Engine};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn defaults_with(detector: FailureDetector) -> Settings {
    Settings {
        failure_detector: detector,
        ..Settings::default()
    }
}

/// Every liveness change in a fault-free run of `nodes` nodes for `length`.
async fn liveness_changes(settings: &Settings, nodes: usize, seed: u64, length: Dur) -> Vec<String> {
    let mut engine = Engine::new(&ClusterSpec::numbered(nodes, 8, settings.clone()), seed).unwrap();
    engine.set_trace_cap(usize::MAX);
    let mut changes = Vec::new();
    let mut sink: Vec<TraceEvent> = Vec::new();
    let end = engine.now() + length;
    while engine.now() < end {
        engine.run_for(Dur::from_secs(10)).await;
        sink.clear();
        engine.drain_trace(&mut sink);
        for ev in &sink {
            if let Event::Liveness {
                observer,
                node,
                from,
                to,
            } = ev.event
            {
                changes.push(format!(
                    "at {}: n{} sees n{} {} -> {}",
                    ev.at,
                    observer.0 + 1,
                    node.0 + 1,
                    from.name(),
                    to.name()
                ));
            }
        }
    }
    changes
}

fn quiet_for_ten_minutes(detector: FailureDetector) {
    let settings = defaults_with(detector);
    let rt = runtime();
    for seed in 1..=4 {
        let changes = rt.block_on(liveness_changes(&settings, 5, seed, Dur::from_secs(600)));
        assert!(
            changes.is_empty(),
            "{detector:?}, seed {seed}: a fault-free cluster changed its mind {} times: {:?}",
            changes.len(),
            &changes[..changes.len().min(5)]
        );
    }
}

#[test]
fn a_fault_free_cluster_is_quiet_for_ten_minutes_with_the_heartbeat_detector() {
    quiet_for_ten_minutes(FailureDetector::Heartbeat);
}

#[test]
fn a_fault_free_cluster_is_quiet_for_ten_minutes_with_the_phi_detector() {
    quiet_for_ten_minutes(FailureDetector::Phi);
}

/// Kills one node and returns how long until every live node saw it down,
/// checking each live node's view at that moment.
async fn time_to_see_down(settings: &Settings, nodes: usize, seed: u64, victim: NodeId, limit: Dur) -> Option<Dur> {
    let mut engine = Engine::new(&ClusterSpec::numbered(nodes, 8, settings.clone()), seed).unwrap();
    engine.run_for(Dur::from_secs(20)).await;
    engine.kill(victim).await.unwrap();
    let killed = engine.now();
    while engine.now() < killed + limit {
        engine.run_for(Dur::from_millis(100)).await;
        let mut all = true;
        for observer in engine.node_ids() {
            if observer != victim && engine.membership(observer).await.liveness_of(victim) != Liveness::Down {
                all = false;
            }
        }
        if all {
            return Some(engine.now() - killed);
        }
    }
    None
}

fn a_crash_is_seen_within_the_bound(detector: FailureDetector) {
    let rt = runtime();
    for nodes in [5, 16] {
        let settings = settings_for(nodes, &defaults_with(detector));
        let bound = stated_bound(&settings, nodes);
        for seed in 1..=3 {
            let victim = NodeId((seed % nodes as u64) as u16);
            let took = rt.block_on(time_to_see_down(&settings, nodes, seed, victim, bound));
            assert!(
                took.is_some(),
                "{detector:?}, {nodes} nodes, seed {seed}: not every live node saw the crash within {bound}"
            );
        }
    }
}

#[test]
fn a_crash_is_seen_down_by_every_live_node_within_the_bound_with_the_heartbeat_detector() {
    a_crash_is_seen_within_the_bound(FailureDetector::Heartbeat);
}

#[test]
fn a_crash_is_seen_down_by_every_live_node_within_the_bound_with_the_phi_detector() {
    a_crash_is_seen_within_the_bound(FailureDetector::Phi);
}
