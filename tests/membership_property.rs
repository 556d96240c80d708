//! Joins and leaves under random puts: once the transfers have ended, every
//! acknowledged write is held by all of its key's top-N replicas (or
//! superseded by a version that descends from it).

use std::sync::Arc;

use proptest::prelude::*;

mod common;
use ringside::core::client::OpKind;
use ringside::core::clock::VClock;
use ringside::core::config::Settings;
use ringside::core::ids::{NodeId, OpId};
use ringside::core::message::Outcome;
use ringside::core::time::{Dur, Time};
use ringside::engine::{ClusterSpec, Engine};

#[derive(Clone, Debug)]
enum Action {
    Put { key: usize },
    Join,
    Leave(u16),
    Wait(u64),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (0usize..8).prop_map(|key| Action::Put { key }),
        1 => Just(Action::Join),
        1 => (0u16..8).prop_map(Action::Leave),
        2 => (10u64..1500).prop_map(Action::Wait),
    ]
}

async fn play(actions: &[Action], seed: u64) -> Result<(), String> {
    let mut engine = Engine::new(&ClusterSpec::numbered(5, 4, Settings::default()), seed)?;
    engine.set_tracing(false);
    let client = engine.client("writer");
    let mut pending: Vec<(String, OpId)> = Vec::new();
    let mut joined = 0;
    let mut value = 0;
    for a in actions {
        match a {
            Action::Put { key } => {
                value += 1;
                let key = format!("k{key}");
                let kind = OpKind::Put {
                    value: Arc::from(format!("v{value}")),
                    w: None,
                    pw: None,
                    context: None,
                };
                // Fire and go on: the traffic runs while the ring changes.
                let op = engine.submit(client, ringside::core::version::Key::from(key.as_str()), kind, None);
                pending.push((key, op));
            }
            Action::Join => {
                joined += 1;
                engine.join(&format!("j{joined}"), None)?;
            }
            Action::Leave(n) => {
                let node = NodeId(*n);
                if node.index() < engine.node_ids().len() && engine.is_alive(node) && engine.ring().contains(node) {
                    let _ = engine.leave(node);
                }
            }
            Action::Wait(ms) => engine.run_for(Dur::from_millis(*ms)).await,
        }
    }
    let ops: Vec<OpId> = pending.iter().map(|(_, op)| *op).collect();
    engine.run_until_done(&ops, Time(u64::MAX)).await;
    // Long enough for gossip to converge and every transfer to finish.
    engine.run_for(Dur::from_secs(20)).await;

    let mut acknowledged: Vec<(String, VClock)> = Vec::new();
    for (key, op) in &pending {
        let report = engine.report(*op).ok_or("an op never finished")?;
        if let Outcome::Put { clock, failure: None } = &report.outcome {
            acknowledged.push((key.clone(), clock.clone()));
        }
    }
    for id in engine.node_ids() {
        if engine.is_alive(id) && engine.status(id).stats.handing_over > 0 {
            return Err(format!(
                "node {} still hands {} keys over",
                id.0,
                engine.status(id).stats.handing_over
            ));
        }
    }
    for (key, clock) in &acknowledged {
        for node in engine.ring().preference_list(key, 3) {
            let held = engine.versions(node, key).await;
            if !held.iter().any(|v| v.clock.descends(clock)) {
                return Err(format!(
                    "{} lost the acknowledged write of {key} ({clock:?}); it holds {held:?}",
                    engine.names().node(node)
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::property_config(24))]

    #[test]
    fn joins_and_leaves_lose_no_acknowledged_write(actions in proptest::collection::vec(action(), 1..40), seed in 0u64..1_000) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let result = rt.block_on(play(&actions, seed));
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }
}
