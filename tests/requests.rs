//! Requests and membership through the whole engine (issue 18, items 4
//! and 5): every request a coordinator accepts is answered, at once when its
//! own view shows the quorum cannot be met; every leave finishes.

use std::sync::Arc;

use ringside::core::client::OpKind;
use ringside::core::config::{Routing, Settings};
use ringside::core::ids::NodeId;
use ringside::core::membership::Liveness;
use ringside::core::time::{Dur, Time};
use ringside::core::version::Key;
use ringside::engine::{ClusterSpec, Engine};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().build().unwrap()
}

fn put(value: &str) -> OpKind {
    OpKind::Put {
        value: Arc::from(value),
        w: None,
        pw: None,
        context: None,
    }
}

/// Runs until every live node other than `dead` sees `dead` down.
async fn until_seen_down(e: &mut Engine, dead: NodeId) {
    for _ in 0..60 {
        e.run_for(Dur::from_secs(1)).await;
        let mut all = true;
        for n in e.node_ids() {
            if n != dead && e.is_alive(n) && e.membership(n).await.liveness_of(dead) != Liveness::Down {
                all = false;
            }
        }
        if all {
            return;
        }
    }
    panic!("{dead:?} is never seen down");
}

/// The failure an operation ended with (as its client saw it), and how long
/// it took in virtual time.
async fn outcome(e: &mut Engine, kind: OpKind, key: &str, via: Option<NodeId>) -> (String, Dur) {
    let c = e.client("alice");
    let op = e.submit(c, Key::from(key), kind, via);
    e.run_until_done(&[op], Time(u64::MAX)).await;
    let report = e.report(op).expect("finished");
    let failure = report.outcome.failure().map_or("ok".to_string(), ToString::to_string);
    (failure, report.latency())
}

#[test]
fn with_n_equal_r_on_three_nodes_and_one_dead_a_get_fails_at_once_like_the_put() {
    rt().block_on(async {
        let settings = Settings {
            read_quorum: 3,
            write_quorum: 3,
            ..Settings::default()
        };
        let mut e = Engine::new(&ClusterSpec::numbered(3, 8, settings.clone()), 1).unwrap();
        let dead = NodeId(2);
        e.kill(dead).await.unwrap();
        until_seen_down(&mut e, dead).await;
        let (get, get_took) = outcome(&mut e, OpKind::Get { r: None, pr: None }, "cart", None).await;
        let (put, put_took) = outcome(&mut e, put("CAR"), "cart", None).await;
        assert_eq!(get, "quorum not reached: 2 of 3");
        assert_eq!(put, "quorum not reached: 2 of 3");
        for took in [get_took, put_took] {
            assert!(
                took < settings.request_timeout,
                "the coordinator's view already shows the quorum cannot be met: it fails at once, not after {took}"
            );
        }
    });
}

#[test]
fn a_get_whose_pr_cannot_be_met_fails_at_once_through_every_entry_node() {
    rt().block_on(async {
        // Any-node routing: entry nodes outside the key's top N forward it.
        let settings = Settings {
            routing: Routing::AnyNode,
            ..Settings::default()
        };
        let mut e = Engine::new(&ClusterSpec::numbered(5, 8, settings.clone()), 1).unwrap();
        let dead = e.ring().nth("cart", 2).unwrap();
        e.kill(dead).await.unwrap();
        until_seen_down(&mut e, dead).await;
        for via in e.node_ids().into_iter().filter(|n| *n != dead) {
            let get = OpKind::Get { r: None, pr: Some(3) };
            let (failure, took) = outcome(&mut e, get, "cart", Some(via)).await;
            assert_eq!(failure, "unavailable: 2 of 3 primaries reachable", "through {via:?}");
            assert!(took < settings.request_timeout, "through {via:?}: {took}");
        }
    });
}
