//! `ringside run`'s timeline summarises a fill or a scan in one line (and
//! its first failures) instead of a line per operation, unless `--verbose`.

use ringside::scenario::Scenario;
use ringside::scenario::headless::{RunOptions, run};

fn timeline(scenario: &Scenario, verbose: bool) -> String {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let opts = RunOptions {
        seed: None,
        json: false,
        verbose,
        metrics: None,
    };
    let mut out = Vec::new();
    rt.block_on(run(scenario, &opts, &mut out, |_| {})).unwrap();
    String::from_utf8(out).unwrap()
}

/// Lines that report one client operation (`client put item7 …`).
fn op_lines<'a>(text: &'a str, client: &str, key_prefix: &str) -> Vec<&'a str> {
    let put = format!("{client} put {key_prefix}");
    let get = format!("{client} get {key_prefix}");
    text.lines().filter(|l| l.contains(&put) || l.contains(&get)).collect()
}

#[test]
fn merkle_repair_summarises_its_fills_in_a_line_each() {
    let scenario = Scenario::load("merkle-repair").unwrap();
    let text = timeline(&scenario, false);
    let lines = text.lines().count();
    assert!(
        lines < 100,
        "{lines} lines; a fill of 3,000 keys should not print a line per put:\n{text}"
    );
    assert!(op_lines(&text, "client", "item").is_empty(), "{text}");
    let fill = text
        .lines()
        .find(|l| l.contains("fill item0..item2999") && !l.contains("step"))
        .unwrap_or_else(|| panic!("no summary of the fill:\n{text}"));
    assert!(fill.contains("3000 puts: 3000 ok in "), "{fill}");
    let small = text
        .lines()
        .find(|l| l.contains("fill new0..new49") && !l.contains("step"))
        .unwrap_or_else(|| panic!("no summary of the second fill:\n{text}"));
    assert!(small.contains("50 puts: 50 ok in "), "{small}");
    assert!(text.contains("✓ fill item0..item2999: ok = true (3000 of 3000 succeeded)"));

    // --verbose still shows every operation.
    let verbose = timeline(&scenario, true);
    assert_eq!(
        op_lines(&verbose, "client", "item").len(),
        2 * 3000,
        "a start and an answer per put"
    );
}

#[test]
fn a_bulk_step_reports_its_failures_count_and_the_first_few() {
    let yaml = "
name: failing-fill
cluster: {nodes: 3, replicas: 3, write_quorum: 3, read_quorum: 1, sloppy_quorum: false}
steps:
  - fill: {prefix: ok, keys: 20, value: v}
  - kill: n3
  - wait: 5s
  - fill: {prefix: lost, keys: 12, value: v}
  - scan: {prefix: ok, keys: 20, value: v}
";
    let scenario = Scenario::parse(yaml, "failing-fill.yaml", "failing-fill").unwrap();
    let text = timeline(&scenario, false);
    assert!(op_lines(&text, "client", "ok").is_empty(), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("fill lost0..lost11") && !l.contains("step"))
        .unwrap_or_else(|| panic!("no summary of the failing fill:\n{text}"));
    assert!(lines[at].contains("12 puts: 0 ok, 12 failed in "), "{}", lines[at]);
    let failures: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| l.contains("failed: client put lost"))
        .copied()
        .collect();
    assert_eq!(
        failures.len(),
        3,
        "the first three failures, each with its cause:\n{text}"
    );
    assert!(
        failures
            .iter()
            .all(|l| l.contains("quorum") || l.contains("unavailable")),
        "{failures:?}"
    );
    assert!(lines[at + 4].contains("and 9 more failures"), "{text}");
    let scan = lines
        .iter()
        .find(|l| l.contains("scan ok0..ok19") && !l.contains("step"))
        .unwrap_or_else(|| panic!("no summary of the scan:\n{text}"));
    assert!(scan.contains("20 gets: 20 ok in "), "{scan}");
}

#[test]
fn background_traffic_folds_into_a_line_a_step_unless_verbose() {
    for preset in ["stale-reads", "availability-under-partition", "slow-node-tail"] {
        let scenario = Scenario::load(preset).unwrap();
        let text = timeline(&scenario, false);
        let traffic_ops = text
            .lines()
            .filter(|l| l.contains("  traffic") && (l.contains(" get t:") || l.contains(" put t:")))
            .count();
        assert_eq!(traffic_ops, 0, "{preset} printed traffic's operations:\n{text}");
        let steps = text.lines().filter(|l| l.contains("── step")).count();
        assert!(
            text.lines().count() < steps * 3 + 60,
            "{preset}: {} lines for {steps} steps:\n{text}",
            text.lines().count()
        );
        let summaries: Vec<&str> = text.lines().filter(|l| l.contains("≈ traffic")).collect();
        assert!(!summaries.is_empty(), "{preset}: no traffic summary:\n{text}");
        assert!(
            summaries.iter().all(|l| l.contains(" ops (") && l.contains(" gets, ")),
            "{summaries:?}"
        );
        let verbose = timeline(&scenario, true);
        assert!(verbose.contains(" get t:"), "{preset}: --verbose lists every operation");
    }
}
