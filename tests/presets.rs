//! The bundled presets: each passes headless, and runs are deterministic.

use ringside::core::trace::TraceEvent;
use ringside::scenario::headless::{RunOptions, RunSummary, run};
use ringside::scenario::{Scenario, presets, timeline};

/// Runs a scenario on a runtime of the given flavour; returns its summary
/// and its trace as JSON lines.
fn run_on(scenario: &Scenario, seed: Option<u64>, multi_thread: bool) -> (RunSummary, Vec<String>) {
    let rt = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    }
    .unwrap();
    let opts = RunOptions {
        seed,
        json: true,
        verbose: false,
        metrics: None,
    };
    let mut events: Vec<TraceEvent> = Vec::new();
    let mut out = Vec::new();
    let summary = rt
        .block_on(run(scenario, &opts, &mut out, |e| events.push(e.clone())))
        .unwrap();
    let lines = String::from_utf8(out).unwrap().lines().map(str::to_string).collect();
    assert!(!events.is_empty());
    (summary, lines)
}

#[test]
fn every_bundled_preset_passes_headless() {
    for name in presets::names() {
        let scenario = Scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
        let (summary, lines) = run_on(&scenario, None, true);
        assert_eq!(summary.failed, 0, "{name} failed:\n{}", lines.join("\n"));
        assert!(summary.passed >= 5, "{name} checks too little: {summary:?}");
    }
}

#[test]
fn every_preset_file_is_bundled() {
    for entry in std::fs::read_dir("presets").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            let bundled = presets::bundled(&stem).unwrap_or_else(|| panic!("{stem} is not in presets::BUNDLED"));
            assert_eq!(bundled, std::fs::read_to_string(&path).unwrap());
        }
    }
    assert!(presets::bundled(presets::DEFAULT).is_some());
}

#[test]
fn same_seed_gives_an_identical_trace_on_any_runtime() {
    let scenario = Scenario::load("conflicting-writes").unwrap();
    let (_, a) = run_on(&scenario, Some(42), true);
    let (_, b) = run_on(&scenario, Some(42), true);
    let (_, c) = run_on(&scenario, Some(42), false);
    assert!(a.len() > 100);
    assert_eq!(a, b, "two multi-threaded runs differ");
    assert_eq!(a, c, "multi-threaded and current-thread runs differ");
    let (_, other) = run_on(&scenario, Some(43), true);
    assert_ne!(a, other, "another seed should draw other latencies");
}

#[test]
fn the_cart_story_has_the_seed_notes_clocks() {
    let scenario = Scenario::load("conflicting-writes").unwrap();
    let (summary, lines) = run_on(&scenario, None, true);
    assert_eq!(summary.failed, 0);
    let finished: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["event"] == "op-finished")
        .collect();
    let clock = |i: usize| finished[i]["result"]["clock"].clone();
    assert_eq!(clock(0), serde_json::json!({"s1": 1}), "CAR");
    assert_eq!(clock(1), serde_json::json!({"s1": 2}), "CART");
    assert_eq!(clock(3), serde_json::json!({"s1": 2, "s2": 1}), "CARM through s2");
    assert_eq!(clock(4), serde_json::json!({"s1": 2, "s3": 1}), "CARR through s3");
    let siblings = &finished[5]["result"];
    assert_eq!(siblings["values"].as_array().unwrap().len(), 2);
    assert_eq!(siblings["context"], serde_json::json!({"s1": 2, "s2": 1, "s3": 1}));
    assert_eq!(
        clock(6),
        serde_json::json!({"s1": 3, "s2": 1, "s3": 1}),
        "CARMR resolves both"
    );
}

#[test]
fn timeline_shows_steps_results_and_the_summary() {
    let scenario = Scenario::load("same-coordinator-race").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = Vec::new();
    let summary = rt
        .block_on(run(&scenario, &RunOptions::default(), &mut out, |_| {}))
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("ringside · same-coordinator-race (seed 13)"));
    assert!(text.contains("OVERWROTE a concurrent write"), "{text}");
    assert!(text.contains("✓ overwritten writes of cart = 1"));
    assert!(
        text.trim_end()
            .ends_with(&format!("expectations: {} passed, 0 failed", summary.passed))
    );
    let _ = timeline::line;
}

#[test]
fn a_failing_expectation_makes_the_run_exit_1() {
    let dir = std::env::temp_dir().join(format!("ringside-fail-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("wrong.yaml");
    std::fs::write(
        &path,
        "steps:\n  - put: {key: k, value: v}\n    expect: {clock: {k#2: 1}}\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ringside"))
        .args(["run", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("✗ clock {k#2:1}: got {"), "{text}");
    assert!(text.contains("expectations: 0 passed, 1 failed"), "{text}");
}

#[test]
fn presets_lists_every_bundled_preset_with_its_description() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ringside"))
        .arg("presets")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in presets::names() {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing"));
        assert!(line.len() > name.len() + 20, "{name} has no description");
    }
}
