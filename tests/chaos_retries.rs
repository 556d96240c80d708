//! Retried puts under `routing=any-node`: the checker knows from the trace
//! whether a client's retry was coordinated once or twice and which
//! versions each coordination made, so it tells a lost write from a first
//! attempt's version exactly (issue 18, seeds 7653 and 19990). And a
//! version only a former owner held reaches the new owners although that
//! node restarted after the join (seed 18549).

use ringside::chaos::{ChaosConfig, ChaosOptions, run_one};
use ringside::scenario::Scenario;
use ringside::scenario::headless::{self, RunOptions};
use ringside::scenario::settings_patch::SettingsPatch;

/// `ringside chaos --seed N --set routing=any-node`, writing its replay.
fn any_node(seed: u64, out: &std::path::Path) -> ChaosOptions {
    let mut config = ChaosConfig::default();
    config.spec.settings = SettingsPatch::from_assignments(&["routing=any-node".to_string()])
        .expect("a valid assignment")
        .apply(&config.spec.settings);
    ChaosOptions {
        config,
        first: seed,
        last: seed,
        jobs: 1,
        out: out.to_path_buf(),
        always_write: true,
    }
}

/// Runs a replay headless: how many expectations failed, and its output.
fn run_replay(path: &std::path::Path) -> (usize, String) {
    let scenario = Scenario::load(path.to_str().expect("a UTF-8 path")).expect("the replay loads as a preset");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut out = Vec::new();
    let summary = rt
        .block_on(headless::run(&scenario, &RunOptions::default(), &mut out, |_| {}))
        .expect("the replay runs");
    (summary.failed, String::from_utf8_lossy(&out).into_owned())
}

/// In both seeds a put whose client waited past its first attempt (so it
/// counts as retried) was coordinated once: its one version was lost to a
/// shadowing write the history shows, and no unseen first attempt needs an
/// excuse. Before the checker read the coordinations from the trace it
/// could not tell that version from a lost write and failed the seed.
#[test]
fn a_retry_coordinated_once_needs_no_excuse_for_a_first_attempt() {
    for seed in [7653, 19990] {
        let dir = std::env::temp_dir().join(format!("ringside-chaos-retries-{seed}-{}", std::process::id()));
        let outcome = run_one(&any_node(seed, &dir), seed);
        let v = &outcome.verdict;
        assert!(v.passed(), "seed {seed}: {:?}", v.failures);
        assert!(
            v.lost > 0 && v.lost == v.explained,
            "seed {seed}: {} lost, {} explained",
            v.lost,
            v.explained
        );
        let replay = outcome.replay.expect("the replay is written");
        let (failed, text) = run_replay(&replay);
        assert_eq!(failed, 0, "seed {seed}'s replay passes:\n{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Seed 18549: a retry's first attempt made a version (through n4) that
/// only n4 stored. n4 heard of a join that took the cart away from it, then
/// crashed before its first transfer round; it came back with the new ring
/// on its disk but had forgotten what it owed, so the version stayed on n4
/// and the final read missed its add. A restarted node now looks for what
/// it no longer owns, and the version reaches the new owners.
#[test]
fn a_version_only_a_restarted_former_owner_held_is_handed_over() {
    let seed = 18549;
    let dir = std::env::temp_dir().join(format!("ringside-chaos-retries-{seed}-{}", std::process::id()));
    let outcome = run_one(&any_node(seed, &dir), seed);
    let v = &outcome.verdict;
    assert!(v.passed(), "seed {seed}: {:?}", v.failures);
    assert_eq!(v.lost, v.explained, "seed {seed}: every lost add explained");
    let replay = outcome.replay.expect("the replay is written");
    let (failed, text) = run_replay(&replay);
    assert_eq!(failed, 0, "seed {seed}'s replay passes:\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
