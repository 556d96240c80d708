//! Metrics of live traffic, judged on real runs: staleness is zero when
//! read and write quorums overlap and positive when a replica that misses
//! writes answers reads alone; availability under a strict quorum drops
//! during a partition and recovers after the heal, and under a sloppy
//! quorum stays at 1. The CSV has a row per virtual second, and bad metric
//! names are refused with their place.

use ringside::scenario::Scenario;
use ringside::scenario::headless::{RunOptions, RunSummary, run};

fn run_yaml(yaml: &str, metrics: Option<std::path::PathBuf>) -> (RunSummary, String) {
    let scenario = Scenario::parse(yaml, "test.yaml", "test").unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let opts = RunOptions {
        metrics,
        ..RunOptions::default()
    };
    let mut out = Vec::new();
    let summary = rt.block_on(run(&scenario, &opts, &mut out, |_| {})).unwrap();
    (summary, String::from_utf8(out).unwrap())
}

fn assert_passes(yaml: &str) {
    let (summary, out) = run_yaml(yaml, None);
    assert_eq!(summary.failed, 0, "{out}");
    assert!(summary.passed > 0, "{out}");
}

const PARTITION: &str = "
name: partition
cluster: {nodes: 5, replicas: 3, read_quorum: 2, write_quorum: 2, sloppy_quorum: SLOPPY}
steps:
  - traffic: {rate: 200, keys: 50, reads: 0.5}
  - wait: 10s
    expect: {metrics: {window: 5s, availability: {at_least: 1.0}, stale_reads: {at_most: 0}}}
  - partition: [[n1, n2], [n3, n4, n5]]
  - wait: 10s
    expect: {metrics: {window: 5s, availability: {DURING}}}
  - heal: all
  - wait: 10s
    expect: {metrics: {window: 5s, availability: {at_least: 1.0}}}
";

/// The share of traffic's keys (`t:0`..`t:49`, drawn uniformly) whose
/// operations can succeed under a strict quorum of 2 during the partition
/// {n1, n2} | {n3, n4, n5}: the key's coordinator (its first replica, where
/// the client sends it) must find W = R = 2 of the key's 3 replicas on its
/// own side. Worked out from the ring alone, apart from the run.
fn expected_strict_availability() -> f64 {
    let scenario = Scenario::parse(
        &PARTITION.replace("SLOPPY", "false").replace("DURING", "at_least: 0.0"),
        "test.yaml",
        "test",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let engine = rt.block_on(async { scenario.start_engine(1).unwrap() });
    let names = engine.names();
    let minority = [names.node_id("n1").unwrap(), names.node_id("n2").unwrap()];
    let side = |n| minority.contains(&n);
    let keys = 50;
    let good = (0..keys)
        .filter(|i| {
            let key = ringside::scenario::traffic::key_name(*i);
            let replicas = engine.ring().preference_list(&key, 3);
            let coordinator_side = side(replicas[0]);
            replicas.iter().filter(|r| side(**r) == coordinator_side).count() >= 2
        })
        .count();
    good as f64 / keys as f64
}

#[test]
fn availability_under_a_strict_quorum_drops_in_a_partition_and_recovers() {
    // Two of five nodes cut off: a key whose first replica sits on a side
    // with fewer than two of its three replicas fails every operation.
    let expected = expected_strict_availability();
    assert!(
        expected < 0.9,
        "the partition must cost some keys their quorum: {expected}"
    );
    assert_passes(&PARTITION.replace("SLOPPY", "false").replace(
        "DURING",
        &format!("at_least: {:.3}, at_most: {:.3}", expected - 0.08, expected + 0.08),
    ));
}

#[test]
fn availability_under_a_sloppy_quorum_stays_at_one() {
    assert_passes(&PARTITION.replace("SLOPPY", "true").replace("DURING", "at_least: 1.0"));
}

#[test]
fn overlapping_quorums_read_no_stale_value() {
    assert_passes(
        "
cluster: {nodes: 5, replicas: 3, read_quorum: 2, write_quorum: 2}
steps:
  - traffic: {rate: 400, keys: 5, reads: 0.5, via: any}
  - wait: 15s
    expect: {metrics: {window: 14s, stale_reads: {at_most: 0}, stale_ms: {at_most: 0}, availability: {at_least: 1}}}
",
    );
}

#[test]
fn one_replica_answering_alone_reads_stale_values() {
    // R=1 W=1: n3 is cut off from the other nodes but clients reach it; a
    // read it coordinates answers from its own store, without the writes
    // the others took.
    assert_passes(
        "
cluster: {nodes: 5, replicas: 3, read_quorum: 1, write_quorum: 1}
steps:
  - traffic: {rate: 300, keys: 20, reads: 0.7, via: any}
  - partition: [[n3], [n1, n2, n4, n5]]
  - wait: 10s
    expect: {metrics: {window: 8s, stale_reads: {at_least: 0.05}, stale_versions: {at_least: 1}, stale_ms: {at_least: 1}}}
",
    );
}

#[test]
fn the_csv_has_a_header_and_a_row_per_virtual_second() {
    let dir = std::env::temp_dir().join(format!("ringside-metrics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.csv");
    let (summary, _) = run_yaml(
        "
cluster: {nodes: 5}
steps:
  - traffic: {rate: 100, keys: 10}
  - wait: 5s
  - traffic: off
  - wait: 2s
",
        Some(path.clone()),
    );
    assert_eq!(summary.failed, 0);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    for col in [
        "second",
        "ops",
        "failed",
        "availability",
        "stale_reads",
        "siblings",
        "p50_ms",
        "p99_ms",
        "max_ms",
        "hints_pending",
    ] {
        assert!(header.contains(&col), "{col} missing from {header:?}");
    }
    let seconds: Vec<u64> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        seconds,
        (0..7).collect::<Vec<_>>(),
        "one row per second, gossip keeps every second busy"
    );
    let ops = header.iter().position(|h| *h == "ops").unwrap();
    let ops_at = |s: usize| lines[1 + s].split(',').nth(ops).unwrap().parse::<u64>().unwrap();
    assert!(
        (50..200).contains(&ops_at(2)),
        "about 100 operations a second: {}",
        ops_at(2)
    );
    assert_eq!(ops_at(6), 0, "traffic stopped");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_metric_that_does_not_exist_is_refused_with_its_place_and_the_allowed_names() {
    let yaml =
        "cluster: {nodes: 5}\nsteps:\n  - wait: 1s\n    expect: {metrics: {window: 10s, p98_ms: {at_most: 5}}}\n";
    let err = Scenario::parse(yaml, "bad.yaml", "bad").unwrap_err().to_string();
    assert!(err.contains("bad.yaml:4:"), "{err}");
    assert!(
        err.contains("unknown metric `p98_ms`") && err.contains("p99_ms") && err.contains("stale_reads"),
        "{err}"
    );
    let yaml = "cluster: {nodes: 5}\nsteps:\n  - wait: 1s\n    expect: {metrics: {p99_ms: {below: 5}}}\n";
    let err = Scenario::parse(yaml, "bad.yaml", "bad").unwrap_err().to_string();
    assert!(
        err.contains("bad.yaml:4:") && err.contains("at_least") && err.contains("at_most"),
        "{err}"
    );
    let yaml = "cluster: {nodes: 5}\nsteps:\n  - traffic: {rate: 0}\n";
    let err = Scenario::parse(yaml, "bad.yaml", "bad").unwrap_err().to_string();
    assert!(
        err.contains("bad.yaml:3:") && err.contains("rate 0 is out of range"),
        "{err}"
    );
}
