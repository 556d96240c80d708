//! Issue 18, item 1, end to end through the engine: a dotted put's reply
//! hands its client a context that covers only what the client saw, so a
//! chain of puts that never reads keeps another client's write.

use ringside::core::config::PlantedDefect;
use ringside::scenario::Scenario;
use ringside::scenario::headless::{RunOptions, run};

/// Client x puts A; client y puts B with no context (siblings A, B); x puts
/// C with the context of its own put's reply (C replaces A: siblings B, C);
/// x puts D with the context of the reply to its put of C. B and D remain,
/// on the coordinator and on the other replicas.
const STORY: &str = r#"
name: put-reply-context
description: x and y write one cart through one coordinator in dotted mode
cluster:
  nodes: 3
  clocks: dotted
steps:
  - put: {key: cart, value: A, client: x, via: cart#1}
    expect: {ok: true}
  - put: {key: cart, value: B, client: y, via: cart#1}
    expect: {ok: true}
  - get: {key: cart, client: z, via: cart#1, r: 3}
    expect: {ok: true, values: [A, B]}
  - put: {key: cart, value: C, client: x, via: cart#1}
    expect: {ok: true}
  - get: {key: cart, client: z, via: cart#1, r: 3}
    expect: {ok: true, values: [B, C]}
  - put: {key: cart, value: D, client: x, via: cart#1}
    expect: {ok: true}
  - wait: 1s
  - get: {key: cart, client: z, via: cart#1, r: 3}
    expect: {ok: true, values: [B, D]}
  - expect:
      replica: {key: cart, node: cart#1, values: [B, D]}
  - expect:
      replica: {key: cart, node: cart#2, values: [B, D]}
  - expect:
      replica: {key: cart, node: cart#3, values: [B, D]}
"#;

/// Runs the story; returns (passed, failed) and the report.
fn run_story(planted: Option<PlantedDefect>) -> (usize, usize, String) {
    let mut scenario = Scenario::parse(STORY, "story", "put-reply-context").unwrap_or_else(|e| panic!("{e}"));
    scenario.cluster.spec.settings.planted = planted;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let opts = RunOptions {
        seed: None,
        json: false,
        verbose: false,
        metrics: None,
    };
    let mut out = Vec::new();
    let summary = rt.block_on(run(&scenario, &opts, &mut out, |_| {})).unwrap();
    (summary.passed, summary.failed, String::from_utf8(out).unwrap())
}

#[test]
fn a_chain_of_puts_without_reads_keeps_the_write_its_client_never_saw() {
    let (passed, failed, text) = run_story(None);
    assert_eq!((passed, failed), (13, 0), "{text}");
}

#[test]
fn the_planted_overclaiming_reply_loses_y_s_write_in_the_same_story() {
    let (_, failed, text) = run_story(Some(PlantedDefect::OverclaimingPutContext));
    // The last get and every replica hold only D.
    assert_eq!(failed, 4, "{text}");
    assert!(text.contains("values [B, D]: got [D"), "{text}");
}
