//! The chaos runner and its checker, including planted defects the checker
//! must catch: a checker that cannot fail proves nothing.

use ringside::chaos::checks::Verdict;
use ringside::chaos::{ChaosConfig, ChaosOptions, run_one};
use ringside::core::config::{ClockMode, Settings};
use ringside::engine::ClusterSpec;
use ringside::scenario::Scenario;
use ringside::scenario::headless::{self, RunOptions};
use ringside::scenario::settings_patch::SettingsPatch;

fn options(settings: Settings, ops: usize, faults: bool, out: &std::path::Path) -> ChaosOptions {
    ChaosOptions {
        config: ChaosConfig {
            spec: ClusterSpec::numbered(5, 8, settings),
            ops,
            clients: 4,
            carts: 3,
            faults,
        },
        first: 1,
        last: 1,
        jobs: 1,
        out: out.to_path_buf(),
        always_write: false,
    }
}

fn settings(assignments: &[&str]) -> Settings {
    let pairs: Vec<String> = assignments.iter().map(|s| s.to_string()).collect();
    SettingsPatch::from_assignments(&pairs)
        .expect("valid assignments")
        .apply(&Settings::default())
}

fn verdicts(opts: &ChaosOptions, seeds: std::ops::RangeInclusive<u64>) -> Vec<Verdict> {
    seeds.map(|seed| run_one(opts, seed).verdict).collect()
}

fn out_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ringside-chaos-test-{name}-{}", std::process::id()))
}

#[test]
fn dotted_version_vectors_lose_no_acknowledged_add_under_faults() {
    let opts = options(settings(&["clocks=dotted"]), 120, true, &out_dir("dotted"));
    let verdicts = verdicts(&opts, 1..=8);
    for v in &verdicts {
        assert!(v.passed(), "seed {}: {:?}", v.seed, v.failures);
        assert_eq!(v.lost, 0, "seed {}", v.seed);
    }
    assert!(
        verdicts.iter().map(|v| v.acked).sum::<usize>() > 200,
        "the workload acknowledged adds"
    );
    assert!(
        verdicts.iter().map(|v| v.faults).sum::<usize>() > 8,
        "faults were injected"
    );
}

#[test]
fn the_same_seed_gives_the_same_verdict() {
    let opts = options(settings(&["clocks=vector"]), 120, true, &out_dir("same"));
    let a = verdicts(&opts, 3..=4);
    let b = verdicts(&opts, 3..=4);
    assert_eq!(a, b);
}

#[test]
fn last_write_wins_loses_adds_of_concurrent_writers_and_counts_them() {
    let lww = verdicts(&options(settings(&["clocks=lww"]), 120, false, &out_dir("lww")), 1..=4);
    let lost: usize = lww.iter().map(|v| v.lost).sum();
    assert!(lost > 0, "concurrent carts under last-write-wins must lose adds");
    assert!(lww.iter().all(Verdict::passed), "lww losses are counted, not failed");
    let dotted = verdicts(
        &options(settings(&["clocks=dotted"]), 120, false, &out_dir("lww-d")),
        1..=4,
    );
    assert_eq!(
        dotted.iter().map(|v| v.lost).sum::<usize>(),
        0,
        "the same histories lose nothing with dots"
    );
}

#[test]
fn vector_clock_losses_are_each_explained_by_an_overwrite() {
    let verdicts = verdicts(
        &options(settings(&["clocks=vector"]), 120, true, &out_dir("vector")),
        1..=6,
    );
    let lost: usize = verdicts.iter().map(|v| v.lost).sum();
    let explained: usize = verdicts.iter().map(|v| v.explained).sum();
    assert!(
        lost > 0,
        "two clients writing through one coordinator overwrite each other"
    );
    assert_eq!(lost, explained);
    assert!(verdicts.iter().all(Verdict::passed));
}

fn weak_settings() -> Settings {
    settings(&[
        "read_quorum=1",
        "write_quorum=1",
        "read_repair=false",
        "hinted_handoff=false",
        "anti_entropy_interval=off",
        // Any node in the preference list coordinates: reads and writes of a
        // key meet different replicas even without a fault.
        "routing=any-node",
    ])
}

#[test]
fn weak_quorums_without_repair_read_stale_and_diverge() {
    let verdicts = verdicts(&options(weak_settings(), 150, true, &out_dir("weak")), 1..=8);
    assert!(
        verdicts.iter().map(|v| v.stale_reads).sum::<usize>() > 0,
        "R=1 W=1 reads stale values"
    );
    let diverged = verdicts
        .iter()
        .filter(|v| v.failures.iter().any(|f| f.starts_with("replicas diverge")))
        .count();
    assert!(diverged > 0, "without any repair replicas stay apart: {verdicts:?}");
}

#[test]
fn stale_reads_fail_a_seed_only_when_the_settings_promise_fresh_ones() {
    // R + W > N with a strict quorum promises fresh reads: none may be stale.
    let strict = settings(&["sloppy_quorum=false", "clocks=dotted"]);
    for v in verdicts(&options(strict, 150, true, &out_dir("strict")), 1..=6) {
        assert!(v.passed(), "seed {}: {:?}", v.seed, v.failures);
    }
}

#[test]
fn a_broken_clock_compare_fails_the_no_lost_add_invariant() {
    let broken = Settings {
        clocks: ClockMode::BrokenVector,
        ..Settings::default()
    };
    let verdicts = verdicts(&options(broken, 150, true, &out_dir("broken")), 1..=6);
    let caught = verdicts
        .iter()
        .filter(|v| {
            v.failures
                .iter()
                .any(|f| f.contains("lost without an overwritten write"))
        })
        .count();
    assert!(
        caught > 0,
        "a compare that drops concurrent versions loses adds: {verdicts:?}"
    );
}

#[test]
fn a_failing_seed_is_written_as_a_preset_that_replays_the_failure() {
    let dir = out_dir("replay");
    let opts = options(weak_settings(), 150, true, &dir);
    let failing = (1..=6)
        .map(|seed| run_one(&opts, seed))
        .find(|o| !o.verdict.passed())
        .expect("weak settings fail some seed");
    let path = failing.replay.expect("the failing seed's replay is written");
    let scenario = Scenario::load(path.to_str().expect("a UTF-8 path")).expect("the replay loads as a preset");
    assert_eq!(scenario.seed, failing.verdict.seed);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = Vec::new();
    let summary = rt
        .block_on(headless::run(&scenario, &RunOptions::default(), &mut out, |_| {}))
        .expect("the replay runs");
    let text = String::from_utf8_lossy(&out);
    assert!(summary.failed > 0, "the replay fails as the seed did:\n{text}");
    assert!(
        text.contains("converged all"),
        "it fails on convergence, as the seed did"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_planted_stuck_leave_is_caught_as_a_leave_that_never_finished() {
    use ringside::core::config::PlantedDefect;
    let planted = Settings {
        planted: Some(PlantedDefect::StuckLeave),
        ..Settings::default()
    };
    let opts = options(planted, 150, true, &out_dir("stuck-leave"));
    let caught = (1..=400)
        .map(|seed| run_one(&opts, seed).verdict)
        .find(|v| v.failures.iter().any(|f| f.starts_with("leaves that never finished")));
    let caught = caught.expect("a leaving node that handed off its last hint never left");
    // The same seed without the defect passes.
    let fixed = options(Settings::default(), 150, true, &out_dir("stuck-leave-fixed"));
    let v = run_one(&fixed, caught.seed).verdict;
    assert!(v.passed(), "seed {}: {:?}", v.seed, v.failures);
}
