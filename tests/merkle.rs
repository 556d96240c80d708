//! Merkle trees stay correct when ranges change: after a join and a leave,
//! anti-entropy alone still finds and repairs a divergence, and every
//! replica of a range ends with the same root.

use ringside::scenario::Scenario;
use ringside::scenario::headless::{RunOptions, run};

const STORY: &str = r#"
cluster:
  nodes: 5
  vnodes: 4
  read_repair: false
  hinted_handoff: false
  anti_entropy_interval: off
steps:
  - fill: {prefix: k, keys: 120, value: v1}
    expect: {ok: true}
  - join: n6
  - wait: 3s
  - leave: n2
  - wait: 4s
  - expect: {ring_agreed: true}
  - expect: {converged: all}
  - partition: [[n6], [n1, n3, n4, n5]]
  - fill: {prefix: late, keys: 40, value: v2, via: n1}
  - heal: all
  - set: {anti_entropy_interval: 500ms}
  - wait: 30s
  - expect: {converged: all}
  - expect: {merkle_equal: {key_range_of: late0, nodes: [late0#1, late0#2, late0#3]}}
  - expect: {merkle_equal: {key_range_of: late7, nodes: [late7#1, late7#2, late7#3]}}
  - expect: {merkle_equal: {key_range_of: k3, nodes: [k3#1, k3#2, k3#3]}}
  - expect: {merkle_equal: {key_range_of: k99, nodes: [k99#1, k99#2, k99#3]}}
"#;

#[test]
fn anti_entropy_repairs_after_a_join_and_a_leave() {
    let scenario = Scenario::parse(STORY, "merkle-after-join-and-leave", "merkle").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = Vec::new();
    let mut exchanged = 0u64;
    let summary = rt
        .block_on(run(&scenario, &RunOptions::default(), &mut out, |ev| {
            if let ringside::core::trace::Event::AntiEntropy { stats, .. } = &ev.event {
                exchanged += stats.keys as u64;
            }
        }))
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(summary.failed, 0, "{text}");
    assert_eq!(summary.passed, 8);
    assert!(exchanged > 0, "anti-entropy, not something else, repaired n6");
}
