//! `sees` and `all_see` never report a node that has left as up: an
//! observer that knows it left sees it `left`.

use ringside::scenario::Scenario;
use ringside::scenario::headless::{RunOptions, RunSummary, run};

fn run_text(text: &str) -> (RunSummary, String) {
    let scenario = Scenario::parse(text, "test", "left").unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = Vec::new();
    let summary = rt
        .block_on(run(&scenario, &RunOptions::default(), &mut out, |_| {}))
        .unwrap();
    (summary, String::from_utf8(out).unwrap())
}

const LEFT: &str = "
cluster: {nodes: 5}
steps:
  - leave: n1
  - wait: 10s
";

#[test]
fn a_node_that_left_is_not_seen_up() {
    for check in [
        "{sees: {observer: n2, node: n1, status: up}}",
        "{all_see: {node: n1, status: up}}",
        "{sees: {observer: n2, node: n1, not: left}}",
        "{all_see: {node: n1, not: left}}",
    ] {
        let (summary, out) = run_text(&format!("{LEFT}  - expect: {check}\n"));
        assert_eq!((summary.passed, summary.failed), (0, 1), "{check} should fail:\n{out}");
    }
}

#[test]
fn a_node_that_left_is_seen_left() {
    for check in [
        "{sees: {observer: n2, node: n1, status: left}}",
        "{all_see: {node: n1, status: left}}",
        "{all_see: {node: n1, not: up}}",
    ] {
        let (summary, out) = run_text(&format!("{LEFT}  - expect: {check}\n"));
        assert_eq!((summary.passed, summary.failed), (1, 0), "{check} should hold:\n{out}");
    }
}
