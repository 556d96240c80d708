//! The chaos runner and its checker, including planted defects the checker
//! must catch: a checker that cannot fail proves nothing.

use ringside::chaos::checks::Verdict;
use ringside::chaos::driver::HOSTILE_TOP;
use ringside::chaos::{ChaosConfig, ChaosOptions, run_one};
use ringside::core::config::{PlantedDefect, Settings};
use ringside::core::version::ClockMode;
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
            vary_cluster: false,
            hostile_top: HOSTILE_TOP,
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
        // Only a hostile context, which claims writes its client never saw,
        // may take an acknowledged add with it.
        assert_eq!(v.lost, v.explained, "seed {}", v.seed);
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
        .filter(|v| v.failures.iter().any(|f| f.contains("no race in the clients' history")))
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

fn run_replay(path: &std::path::Path, clocks: Option<ClockMode>) -> (usize, String) {
    let mut scenario = Scenario::load(path.to_str().expect("a UTF-8 path")).expect("the replay loads as a preset");
    if let Some(c) = clocks {
        scenario.cluster.spec.settings.clocks = c;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = Vec::new();
    let summary = rt
        .block_on(headless::run(&scenario, &RunOptions::default(), &mut out, |_| {}))
        .expect("the replay runs");
    (summary.failed, String::from_utf8_lossy(&out).into_owned())
}

#[test]
fn a_lost_add_fails_the_replay_and_a_passing_seed_replays_clean() {
    // A compare that drops concurrent versions loses adds; the replay runs
    // as plain vector clocks, so only the expectations can make it fail.
    let dir = out_dir("replay-lost");
    let broken = Settings {
        clocks: ClockMode::BrokenVector,
        ..Settings::default()
    };
    let opts = options(broken, 150, true, &dir);
    let failing = (1..=12)
        .map(|seed| run_one(&opts, seed))
        .find(|o| o.verdict.failures.iter().any(|f| f.contains("no race")))
        .expect("a broken compare loses an add");
    let path = failing.replay.expect("the failing seed's replay is written");
    // A planted defect cannot be written down (the replay says `vector`):
    // plant it again, and the replay's expectations catch the loss.
    let (failed, text) = run_replay(&path, Some(ClockMode::BrokenVector));
    assert!(failed > 0, "the replay fails as the seed did:\n{text}");
    assert!(text.contains("missing"), "it fails on a missing item:\n{text}");
    let (failed, text) = run_replay(&path, None);
    assert_eq!(failed, 0, "without the defect the same steps lose nothing:\n{text}");

    let mut opts = options(settings(&["clocks=vector"]), 150, true, &dir);
    opts.always_write = true;
    let passing = (1..=12)
        .map(|seed| run_one(&opts, seed))
        .find(|o| o.verdict.passed())
        .expect("a seed passes");
    let (failed, text) = run_replay(&passing.replay.expect("the replay is written"), None);
    assert_eq!(failed, 0, "a passing seed replays clean:\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs seeds until one fails in a way `caught` recognises.
fn caught(opts: &ChaosOptions, seeds: std::ops::RangeInclusive<u64>, caught: impl Fn(&str) -> bool) -> Option<Verdict> {
    seeds
        .map(|seed| run_one(opts, seed).verdict)
        .find(|v| v.failures.iter().any(|f| caught(f)))
}

fn planted(mut settings: Settings, defect: PlantedDefect) -> Settings {
    settings.planted = Some(defect);
    settings
}

// Planted-defect tests: each switch brings one of issue 18's defects back
// (items 1, 2 and 3 here; item 5 above); the chaos checker must catch it, and
// the same seeds pass with no switch.

#[test]
fn planted_overclaiming_put_context_is_caught_as_a_lost_add() {
    let opts = options(
        planted(settings(&["clocks=dotted"]), PlantedDefect::OverclaimingPutContext),
        150,
        true,
        &out_dir("planted-1"),
    );
    let v = caught(&opts, 1..=10, |f| f.contains("acknowledged adds lost"));
    assert!(v.is_some(), "a reply context that claims unseen writes loses adds");
}

#[test]
fn planted_saturating_counter_is_caught_as_a_stale_event_or_a_lost_add() {
    let mut opts = options(
        planted(settings(&["clocks=vector"]), PlantedDefect::SaturatingCounter),
        150,
        true,
        &out_dir("planted-2"),
    );
    // Hostile contexts claim counters up to the top of the range.
    opts.config.hostile_top = u32::MAX;
    let v = caught(&opts, 1..=20, |f| {
        f.contains("made no new event") || f.contains("acknowledged adds lost")
    });
    assert!(v.is_some(), "a saturated counter acknowledges writes it throws away");
}

#[test]
fn planted_unbroken_lww_tie_is_caught_as_divergence() {
    // Messages of 1 to 3 microseconds: two clients' simultaneous puts reach
    // their coordinator in the same microsecond, and replicas see them in
    // either order.
    let mut opts = options(
        planted(
            settings(&["clocks=lww", "latency=1us..3us"]),
            PlantedDefect::UnbrokenLwwTie,
        ),
        150,
        true,
        &out_dir("planted-3"),
    );
    // Many carts: a cart's last write is often a simultaneous pair.
    opts.config.carts = 40;
    let v = caught(&opts, 1..=30, |f| {
        f.starts_with("replicas diverge") || f.starts_with("last-write-wins kept the wrong write")
    });
    assert!(v.is_some(), "an arrival-order tie-break leaves replicas apart");
}

#[test]
fn with_no_defect_planted_the_same_seeds_pass() {
    for (sets, seeds) in [
        (&["clocks=dotted"][..], 1..=10),
        (&["clocks=vector"][..], 1..=20),
        (&["clocks=lww", "latency=1us..3us"][..], 1..=30),
    ] {
        let mut opts = options(settings(sets), 150, true, &out_dir("unplanted"));
        if sets.contains(&"clocks=lww") {
            opts.config.carts = 40;
        }
        for v in verdicts(&opts, seeds) {
            assert!(v.passed(), "{sets:?} seed {}: {:?}", v.seed, v.failures);
        }
    }
}

/// Seed 6832 with a strict quorum: a 26-node, 64-vnode cluster whose write
/// was left on one replica during a partition (no hint under a strict
/// quorum), so only anti-entropy could repair it; one anti-entropy round
/// there takes 192 s, and a 240 s quiet period ended before the third
/// replica had met a holder. The quiet period now allows a few rounds.
#[test]
fn the_quiet_period_lasts_long_enough_for_anti_entropy_in_a_big_cluster() {
    let mut config = ChaosConfig::default();
    config.spec.settings = settings(&["sloppy_quorum=false"]);
    let opts = ChaosOptions {
        config,
        first: 6832,
        last: 6832,
        jobs: 1,
        out: out_dir("quiet"),
        always_write: false,
    };
    let v = run_one(&opts, 6832).verdict;
    assert!(v.passed(), "seed {}: {:?}", v.seed, v.failures);
}

/// The steps of a replay file, as written (each `  - ` line after `steps:`).
fn written_steps(text: &str) -> Vec<&str> {
    text.split_once("\nsteps:\n")
        .expect("a replay has steps")
        .1
        .lines()
        .map(|l| l.strip_prefix("  - ").expect("one step a line"))
        .collect()
}

#[test]
fn a_replay_is_written_by_the_step_renderer_and_fails_on_the_check_the_seed_failed() {
    let dir = out_dir("replay-steps");
    let defect = PlantedDefect::OverclaimingPutContext;
    let opts = options(planted(settings(&["clocks=dotted"]), defect), 150, true, &dir);
    let failing = (1..=10)
        .map(|seed| run_one(&opts, seed))
        .find(|o| o.verdict.failures.iter().any(|f| f.contains("acknowledged adds lost")))
        .expect("a reply context that claims unseen writes loses adds");
    let path = failing.replay.expect("the failing seed's replay is written");
    let text = std::fs::read_to_string(&path).expect("the replay reads");
    let mut scenario = Scenario::load(path.to_str().expect("a UTF-8 path")).expect("the replay loads as a preset");

    // Every step is written as the step renderer writes the step it loads as.
    let rendered: Vec<String> = scenario.steps.iter().map(|s| s.to_yaml()).collect();
    assert_eq!(written_steps(&text), rendered, "the replay's steps are the renderer's");
    assert!(
        rendered.iter().any(|s| s.starts_with("{put: ")),
        "the workload is in it"
    );

    // With the defect planted again (a replay cannot write it down), the
    // replay fails on the read of a cart the seed lost an add from, naming
    // an item the checker found lost, and on nothing else.
    let lost = &failing.verdict.failures[0];
    assert!(lost.contains("acknowledged adds lost"), "{lost}");
    let first = lost.rsplit_once("): ").expect("the lost adds are listed").1;
    let (cart, item) = first
        .split([' ', ';'])
        .next()
        .and_then(|p| p.split_once(':'))
        .expect("key:item");
    scenario.cluster.spec.settings.planted = Some(defect);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = Vec::new();
    let summary = rt
        .block_on(headless::run(&scenario, &RunOptions::default(), &mut out, |_| {}))
        .expect("the replay runs");
    let out = String::from_utf8_lossy(&out);
    assert!(summary.failed > 0, "the replay fails as the seed did:\n{out}");
    let failed: Vec<&str> = out.lines().filter(|l| l.contains('✗')).collect();
    assert!(
        failed
            .iter()
            .any(|l| l.contains("holds items") && l.contains("missing") && l.contains(item)),
        "the replay misses {item} of {cart}, as the seed did:\n{}",
        failed.join("\n")
    );
    if failing.verdict.failures.len() == 1 {
        assert!(
            failed.iter().all(|l| l.contains("holds items")),
            "the seed failed only on lost adds:\n{}",
            failed.join("\n")
        );
    }

    // The same seed without the defect passes, and so does its replay.
    let mut fixed = options(settings(&["clocks=dotted"]), 150, true, &dir);
    fixed.always_write = true;
    let passing = run_one(&fixed, failing.verdict.seed);
    assert!(passing.verdict.passed(), "{:?}", passing.verdict.failures);
    let path = passing.replay.expect("the replay is written");
    let text = std::fs::read_to_string(&path).expect("the replay reads");
    let scenario = Scenario::load(path.to_str().expect("a UTF-8 path")).expect("the replay loads as a preset");
    let rendered: Vec<String> = scenario.steps.iter().map(|s| s.to_yaml()).collect();
    assert_eq!(written_steps(&text), rendered, "the replay's steps are the renderer's");
    let (failed, out) = run_replay(&path, None);
    assert_eq!(failed, 0, "a passing seed replays clean:\n{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
