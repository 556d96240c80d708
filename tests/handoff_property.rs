//! Sloppy quorum with hinted handoff, under random kills and revives: once
//! everything is back and handoff has run, every acknowledged write is held
//! by all of its key's top-N replicas (or superseded by a version that
//! descends from it), and no hint is left anywhere.

use std::sync::Arc;

use proptest::prelude::*;

mod common;
use ringside::core::client::OpKind;
use ringside::core::clock::VClock;
use ringside::core::config::Settings;
use ringside::core::ids::NodeId;
use ringside::core::time::{Dur, Time};
use ringside::engine::{ClusterSpec, Engine};

#[derive(Clone, Debug)]
enum Action {
    Put { key: usize, client: usize },
    Kill(u16),
    Revive(u16),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => (0usize..4, 0usize..3).prop_map(|(key, client)| Action::Put { key, client }),
        1 => (0u16..5).prop_map(Action::Kill),
        1 => (0u16..5).prop_map(Action::Revive),
    ]
}

/// Time for a put's coordinator to finish placing every copy.
const SETTLE: Dur = Dur::from_millis(2_500);

async fn play(actions: &[Action], seed: u64) -> Result<(), String> {
    let settings = Settings {
        sloppy_quorum: true,
        write_quorum: 2,
        ..Settings::default()
    };
    let mut engine = Engine::new(&ClusterSpec::numbered(5, 4, settings), seed)?;
    engine.set_tracing(false);
    let clients: Vec<_> = ["a", "b", "c"].iter().map(|c| engine.client(c)).collect();
    let mut acknowledged: Vec<(String, VClock)> = Vec::new();
    let mut value = 0;
    for a in actions {
        match a {
            Action::Put { key, client } => {
                value += 1;
                let key = format!("k{key}");
                let kind = OpKind::Put {
                    value: Arc::from(format!("v{value}")),
                    w: None,
                    pw: None,
                    context: None,
                };
                let op = engine.submit(
                    clients[*client],
                    ringside::core::version::Key::from(key.as_str()),
                    kind,
                    None,
                );
                engine.run_until_done(&[op], Time(u64::MAX)).await;
                let report = engine.report(op).expect("the put finished");
                if report.outcome.is_ok()
                    && let ringside::core::message::Outcome::Put { clock, .. } = &report.outcome
                {
                    acknowledged.push((key, clock.clone()));
                }
                engine.run_for(SETTLE).await;
            }
            Action::Kill(n) => {
                let dead = engine.node_ids().iter().filter(|&&id| !engine.is_alive(id)).count();
                if dead < 2 && engine.is_alive(NodeId(*n)) {
                    engine.kill(NodeId(*n)).await?;
                }
            }
            Action::Revive(n) => {
                if !engine.is_alive(NodeId(*n)) {
                    engine.revive(NodeId(*n)).await?;
                }
            }
        }
    }
    for id in engine.node_ids() {
        if !engine.is_alive(id) {
            engine.revive(id).await?;
        }
    }
    // Long enough for every keeper to see the owners up again (the
    // detection bound, suspect_after + 4 gossip rounds) and hand off.
    engine.run_for(Dur::from_secs(9)).await;

    for id in engine.node_ids() {
        let hints = engine.hints(id).await;
        if !hints.is_empty() {
            return Err(format!("n{} still keeps {} hints", id.0 + 1, hints.len()));
        }
    }
    for (key, clock) in &acknowledged {
        for node in engine.ring().preference_list(key, 3) {
            let held = engine.versions(node, key).await;
            if !held.iter().any(|v| v.clock.descends(clock)) {
                return Err(format!(
                    "n{} lost the acknowledged write of {key} with clock {clock:?}: it holds {held:?}",
                    node.0 + 1
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::property_config(24))]

    #[test]
    fn acknowledged_writes_find_their_way_home(actions in proptest::collection::vec(action(), 1..24), seed in 0u64..1_000) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let result = rt.block_on(play(&actions, seed));
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }
}
