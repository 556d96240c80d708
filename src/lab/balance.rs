//! `ringside lab balance`: how evenly the ring shares the key space among n
//! nodes, with random tokens (Dynamo's strategy 1) and equal partitions
//! (strategy 3, `partitioning: equal`), for 1 to 256 tokens per node; and
//! how much of the key space moves to a node that joins.
//!
//! Every ring is built by the code every cluster uses: a
//! [`ClusterSpec`]'s `build` places the tokens (hashes of the node names,
//! names drawn afresh for every trial, or equal partitions), and a joiner's
//! tokens are what the engine gives a node that joins without tokens
//! (hashes of its name, or [`Ring::split_largest`]). A node's share is
//! [`Ring::share`]: the fraction of the ring for which it is the first
//! owner; the keys that move when a node joins are those whose first owner
//! becomes the newcomer, so their fraction is the newcomer's share.

use crate::core::config::{Partitioning, Settings};
use crate::core::ids::NodeId;
use crate::core::ring::Ring;
use crate::engine::ClusterSpec;

use super::experiment::PointSink;
use super::options::LabOptions;
use super::point::{Outcome, Params, Point};
use super::sample_spread::{CONFIDENCE, mean_ci};
use super::theory::balance::{expected_max_share_ratio, harmonic, ideal_moved};
use super::trial_pool::run_trials;

/// Nodes in the cluster.
pub const NODES: usize = 10;
/// Random token placements per point in the default run.
pub const DEFAULT_TRIALS: u64 = 1_000;
/// How far a share computed from ring positions may be off.
const PRECISION: f64 = 1e-9;
/// Tokens per node: 1, 2, 4, ... 256.
pub const VNODES: &[usize] = &[1, 2, 4, 8, 16, 32, 64, 128, 256];

/// A ring of `nodes` nodes with `vnodes` tokens each, placed as
/// `partitioning` says; `tag` names the nodes apart from trial to trial.
pub fn ring(nodes: usize, vnodes: usize, partitioning: Partitioning, tag: u64) -> Result<Ring, String> {
    let mut spec = ClusterSpec::named(
        (1..=nodes).map(|i| format!("n{i}x{tag:016x}")),
        vnodes,
        Settings::default(),
    );
    spec.partitioning = partitioning;
    Ok(spec.build()?.1)
}

/// n × the largest node's share: 1 when the ring is shared evenly.
pub fn max_share_ratio(ring: &Ring) -> f64 {
    let members = ring.members();
    let max = members.iter().map(|&m| ring.share(m)).fold(0.0, f64::max);
    max * members.len() as f64
}

/// The fraction of keys that move to a node joining `ring` without
/// tokens, as the engine places a joiner's tokens.
pub fn moved_on_join(ring: &Ring, vnodes: usize, partitioning: Partitioning, tag: u64) -> f64 {
    let newcomer = NodeId(ring.members().len() as u16);
    let tokens = match partitioning {
        Partitioning::Random => Ring::default_tokens(&format!("j{tag:016x}"), vnodes),
        Partitioning::Equal => ring.split_largest(vnodes),
    };
    ring.with_node(newcomer, tokens).share(newcomer)
}

/// One trial: (n × max share, moved fraction).
fn trial(vnodes: usize, partitioning: Partitioning, seed: u64) -> Result<(f64, f64), String> {
    let ring = ring(NODES, vnodes, partitioning, seed)?;
    Ok((max_share_ratio(&ring), moved_on_join(&ring, vnodes, partitioning, seed)))
}

/// Runs the experiment.
pub fn run(opts: &LabOptions, sink: PointSink<'_>) -> anyhow::Result<Outcome> {
    let trials = opts.trials_or(DEFAULT_TRIALS);
    let n = NODES as u64;
    let points_run: Vec<(usize, &'static str, Partitioning)> = VNODES
        .iter()
        .flat_map(|&vnodes| {
            [
                (vnodes, "random tokens", Partitioning::Random),
                (vnodes, "equal partitions", Partitioning::Equal),
            ]
        })
        .collect();
    // Equal partitions are placed the same way every time: one trial says it all.
    let counts: Vec<u64> = points_run
        .iter()
        .map(|&(_, _, partitioning)| if partitioning == Partitioning::Equal { 1 } else { trials })
        .collect();
    let mut points = Vec::new();
    run_trials(
        opts,
        &counts,
        &|p, seed| {
            let (vnodes, _, partitioning) = points_run[p];
            trial(vnodes, partitioning, seed)
        },
        |p, results| {
            let (vnodes, name, partitioning) = points_run[p];
            let ratios: Vec<f64> = results.iter().map(|r| r.0).collect();
            let moved: Vec<f64> = results.iter().map(|r| r.1).collect();
            let params = Params::default()
                .with("nodes", NODES as f64)
                .with("vnodes", vnodes as f64);
            let (predicted_ratio, predicted_moved) = match partitioning {
                Partitioning::Random => (expected_max_share_ratio(n, vnodes as u64), ideal_moved(n)),
                Partitioning::Equal => (1.0, ideal_moved(n)),
            };
            for (metric, values, predicted) in [
                ("max_share_ratio", &ratios, predicted_ratio),
                ("moved_fraction", &moved, predicted_moved),
            ] {
                let s = mean_ci(values);
                // Shares are sums of whole positions over 2^64: equal
                // partitions of a Q that is not a power of two differ by a
                // position, a few parts in 10^18.
                let point = Point {
                    experiment: "balance",
                    series: name.to_string(),
                    params: params.clone(),
                    metric,
                    measured: s.value,
                    low: s.low - PRECISION,
                    high: s.high + PRECISION,
                    predicted: Some(predicted),
                    trials: s.samples,
                };
                sink(&point);
                points.push(point);
            }
        },
    )?;
    Ok(Outcome {
        points,
        theory: vec![
            format!(
                "max_share_ratio, random tokens: one token per node, n × max share = H_n on average (H_{n} = {:.3}); \
                 T tokens: E[max of n Gamma(T,1)] / T, each node's share taken as an independent sum of T \
                 exponential gaps (the shares' sum-to-one constraint dropped)",
                harmonic(n)
            ),
            "max_share_ratio, equal partitions: Q = n × T partitions, Q/n per node: exactly 1".into(),
            format!(
                "moved_fraction: the ideal, 1/(n+1) = {:.4} of the keys move to the newcomer",
                ideal_moved(n)
            ),
        ],
        notes: vec![
            format!(
                "spread: the mean's {CONFIDENCE} confidence interval over the trials; equal partitions are \
                 placed the same way every time, so they rest on one trial (their spread is the 1e-9 of \
                 rounding ring positions)"
            ),
            format!(
                "moved_fraction, equal partitions: ringside's joiner takes the midpoints of the T largest \
                 ranges (it does not take whole partitions from the others, as Dynamo's strategy 3 does), so \
                 it gets half of T partitions: 1/(2n) = {:.4}, not 1/(n+1); the mark there is that, not noise",
                0.5 / n as f64
            ),
            "random tokens are hashes of the node names (name#0, name#1, ...), as in every cluster; each trial \
             names the nodes afresh"
                .into(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::super::trial_pool::trial_seed;
    use super::*;

    #[test]
    fn a_run_is_the_same_whatever_the_jobs_and_sends_every_point() {
        let run_with = |jobs| {
            let opts = LabOptions {
                trials: Some(20),
                seed: 4,
                jobs,
                ..LabOptions::default()
            };
            let mut sent = Vec::new();
            let outcome = run(&opts, &mut |p: &Point| sent.push(p.clone())).unwrap();
            assert_eq!(sent, outcome.points, "every point reaches the sink");
            outcome
        };
        let one = run_with(1);
        assert_eq!(one, run_with(3));
        assert_eq!(one.points.len(), VNODES.len() * 2 * 2);
        let other_seed = run(
            &LabOptions {
                trials: Some(20),
                seed: 5,
                jobs: 2,
                ..LabOptions::default()
            },
            &mut |_: &Point| {},
        )
        .unwrap();
        assert_ne!(one.points[0].measured, other_seed.points[0].measured);
    }

    #[test]
    fn equal_partitions_share_the_ring_exactly() {
        for vnodes in [1, 4, 256] {
            let ring = ring(10, vnodes, Partitioning::Equal, 0).unwrap();
            assert!((max_share_ratio(&ring) - 1.0).abs() < 1e-9, "vnodes {vnodes}");
        }
    }

    #[test]
    fn hand_placed_equal_tokens_give_a_ratio_of_one() {
        let quarter = 1u64 << 62;
        let ring = Ring::new((0..4).map(|i| (NodeId(i), vec![i as u64 * quarter])));
        assert!((max_share_ratio(&ring) - 1.0).abs() < 1e-12);
        let lopsided = Ring::new([(NodeId(0), vec![0]), (NodeId(1), vec![3 * quarter])]);
        assert!((max_share_ratio(&lopsided) - 1.5).abs() < 1e-12);
    }

    #[test]
    fn random_tokens_converge_to_the_harmonic_number() {
        let values: Vec<f64> = (0..2_000)
            .map(|i| trial(1, Partitioning::Random, trial_seed(3, 0, i)).unwrap().0)
            .collect();
        let s = mean_ci(&values);
        assert!(s.low <= harmonic(10) && harmonic(10) <= s.high, "{s:?}");
    }

    #[test]
    fn a_joiner_takes_its_share_of_keys() {
        let ring = ring(10, 4, Partitioning::Equal, 0).unwrap();
        let moved = moved_on_join(&ring, 4, Partitioning::Equal, 0);
        assert!((moved - 1.0 / 20.0).abs() < 1e-9, "{moved}");
        let moved: f64 = (0..500)
            .map(|i| {
                let ring = super::ring(10, 16, Partitioning::Random, i).unwrap();
                moved_on_join(&ring, 16, Partitioning::Random, i)
            })
            .sum::<f64>()
            / 500.0;
        assert!((moved - 1.0 / 11.0).abs() < 0.01, "{moved}");
    }
}
