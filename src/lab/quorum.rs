//! `ringside lab quorum`: with f of n nodes dead, chosen at random for each
//! trial, the share of puts and gets that succeed, strict quorum against
//! sloppy, for every W (puts) and R (gets) from 1 to N, beside the exact
//! prediction (see [`super::theory::quorum`]).
//!
//! A put's success depends on W alone and a get's on R alone, so the nine
//! (R, W) pairs make three put curves and three get curves per mode. Each
//! trial is one engine run: a fresh cluster of n nodes, f of them killed
//! (picked from the trial's seed), then time for every live node to see
//! them down, then a few puts and gets of fresh keys per quorum, first
//! sloppy, then strict (`set sloppy_quorum=false`). The keys land at
//! random places on the ring, so over the trials every key's replicas meet
//! a uniformly random dead set, as the prediction assumes.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::core::client::OpKind;
use crate::core::config::Settings;
use crate::core::ids::NodeId;
use crate::core::time::Dur;
use crate::core::version::Key;
use crate::engine::{ClusterSpec, Engine};

use super::experiment::PointSink;
use super::options::LabOptions;
use super::point::{Outcome, Params, Point};
use super::sample_spread::{CONFIDENCE, share_ci};
use super::theory::quorum::{sloppy_success, strict_success};
use super::trial_pool::run_trials;

/// Nodes in the cluster.
pub const NODES: usize = 5;
/// Replicas per key.
pub const N: usize = 3;
/// Random dead sets per point in the default run.
pub const DEFAULT_TRIALS: u64 = 400;
/// Puts (and gets) per quorum and mode in one trial.
pub const OPS: usize = 10;
/// How long the live nodes get to see the dead ones down before the
/// operations start: the heartbeat detector's 4 s, gossip, and the
/// confirmations, with room to spare.
const SETTLE: Dur = Dur::from_secs(20);

/// The cluster the experiment runs on.
pub fn spec() -> ClusterSpec {
    let settings = Settings {
        replicas: N,
        // Anti-entropy has nothing to do in a trial's few seconds of work.
        anti_entropy_interval: None,
        ..Settings::default()
    };
    ClusterSpec::numbered(NODES, 8, settings)
}

/// What one trial saw: for each mode (sloppy, strict) and each quorum q
/// from 1 to N, the successful puts and gets out of [`OPS`] each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrialResult {
    /// `[mode][q - 1]`: (puts ok, gets ok).
    pub ok: [[(usize, usize); N]; 2],
}

/// One trial: `dead` random nodes killed, then the puts and gets.
pub fn run_trial(dead: usize, seed: u64) -> anyhow::Result<TrialResult> {
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    rt.block_on(async {
        let spec = spec();
        let mut engine = Engine::new(&spec, seed).map_err(anyhow::Error::msg)?;
        engine.set_tracing(false);
        engine.run_for(Dur::from_secs(2)).await;
        let mut nodes: Vec<NodeId> = engine.node_ids();
        nodes.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        for &node in nodes.iter().take(dead) {
            engine.kill(node).await.map_err(anyhow::Error::msg)?;
        }
        engine.run_for(SETTLE).await;
        let client = engine.client("lab");
        let mut result = TrialResult::default();
        for (mode, sloppy) in [(0, true), (1, false)] {
            let settings = Settings {
                sloppy_quorum: sloppy,
                ..engine.settings().clone()
            };
            engine
                .set_settings(settings, format!("sloppy_quorum={sloppy}"))
                .map_err(anyhow::Error::msg)?;
            for q in 1..=N {
                let keys: Vec<Key> = (0..OPS).map(|i| Key::from(format!("m{mode}q{q}k{i}"))).collect();
                let mut ok = [0usize; 2];
                for (i, slot) in ok.iter_mut().enumerate() {
                    let kind = || {
                        if i == 0 {
                            OpKind::Put {
                                value: "v".into(),
                                w: Some(q),
                                pw: None,
                                context: None,
                            }
                        } else {
                            OpKind::Get { r: Some(q), pr: None }
                        }
                    };
                    let ops: Vec<_> = keys
                        .iter()
                        .map(|k| engine.submit(client, k.clone(), kind(), None))
                        .collect();
                    let deadline = engine.now() + Dur::from_secs(30);
                    engine.run_until_done(&ops, deadline).await;
                    *slot = ops
                        .iter()
                        .filter(|&&op| engine.report(op).is_some_and(|r| r.outcome.is_ok()))
                        .count();
                }
                result.ok[mode][q - 1] = (ok[0], ok[1]);
            }
        }
        if let Some(reason) = engine.failure() {
            anyhow::bail!("the engine stopped: {reason}");
        }
        Ok(result)
    })
}

/// Runs the experiment.
pub fn run(opts: &LabOptions, sink: PointSink<'_>) -> anyhow::Result<Outcome> {
    let trials = opts.trials_or(DEFAULT_TRIALS);
    let (n, replicas) = (NODES as u64, N as u64);
    let mut points = Vec::new();
    // One point of the pool per dead count f; its trials are random dead sets.
    let counts = vec![trials; NODES + 1];
    run_trials(
        opts,
        &counts,
        &|f, seed| run_trial(f, seed).map_err(|e| e.to_string()),
        |f, results| {
            for (kind, metric, quorum_name) in [(0, "put_success", "w"), (1, "get_success", "r")] {
                for (mode, mode_name) in [(0, "sloppy"), (1, "strict")] {
                    for q in 1..=N {
                        let shares: Vec<f64> = results
                            .iter()
                            .map(|r| {
                                let (p, g) = r.ok[mode][q - 1];
                                (if kind == 0 { p } else { g }) as f64 / OPS as f64
                            })
                            .collect();
                        let s = share_ci(&shares);
                        let predicted = if mode == 0 {
                            sloppy_success(n, f as u64, replicas, q as u64)
                        } else {
                            strict_success(n, f as u64, replicas, q as u64)
                        };
                        let point = Point {
                            experiment: "quorum",
                            series: format!(
                                "{} {}={q} {mode_name}",
                                if kind == 0 { "put" } else { "get" },
                                quorum_name.to_uppercase()
                            ),
                            params: Params::default()
                                .with("nodes", n as f64)
                                .with("n", replicas as f64)
                                .with(quorum_name, q as f64)
                                .with("f", f as f64),
                            metric,
                            measured: s.value,
                            low: s.low,
                            high: s.high,
                            predicted: Some(predicted),
                            trials: s.samples,
                        };
                        sink(&point);
                        points.push(point);
                    }
                }
            }
        },
    )?;
    Ok(Outcome {
        points,
        theory: vec![
            "strict: the live replicas among a key's N are hypergeometric (n nodes, n - f live, N drawn); \
             success when at least W (puts) or R (gets) are live"
                .into(),
            "sloppy: success when at least W (or R) nodes are live at all and one of the key's N is live to \
             coordinate (ringside, as Dynamo, has a key's requests coordinated by one of its top N)"
                .into(),
        ],
        notes: vec![
            format!(
                "a trial is one random dead set: a fresh cluster of {NODES} nodes (N={N}), f killed, {}s to \
                 see them down, then {OPS} puts and {OPS} gets of fresh keys per quorum and mode",
                SETTLE.micros() / 1_000_000
            ),
            format!(
                "spread: {CONFIDENCE} interval of the mean of the trials' success shares (keys of one trial \
                 share its dead set), widened to the Wilson interval of one observation per trial"
            ),
            "a put's success depends on W alone and a get's on R alone: the nine (R, W) pairs are these six curves per mode"
                .into(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_no_dead_node_everything_succeeds() {
        let r = run_trial(0, 11).unwrap();
        for mode in 0..2 {
            for q in 0..N {
                assert_eq!(r.ok[mode][q], (OPS, OPS), "mode {mode}, quorum {}", q + 1);
            }
        }
    }

    #[test]
    fn with_every_node_dead_nothing_succeeds() {
        let r = run_trial(NODES, 11).unwrap();
        assert_eq!(r.ok, [[(0, 0); N]; 2]);
    }

    #[test]
    fn sloppy_quorum_survives_what_strict_does_not() {
        // Two of five dead: strict W=3 needs all three replicas live (1 in 10
        // dead sets), sloppy needs three live nodes anywhere (always).
        let r = run_trial(2, 4).unwrap();
        assert_eq!(r.ok[0][2].0, OPS, "sloppy W=3 with three live nodes");
        assert!(r.ok[1][2].0 < OPS, "strict W=3 with two dead: {:?}", r.ok[1][2]);
    }
}
