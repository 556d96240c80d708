//! `ringside lab merkle`: what one anti-entropy session between two
//! replicas costs (tree-node hashes compared, key digests compared at the
//! leaves, keys exchanged) against the number of keys that differ and the
//! tree's depth, beside the expectation, the 2d+1 bound per differing key
//! and the flat comparison (`theory::merkle`).
//!
//! The session is the real one between two nodes' state machines, driven
//! directly: their messages are handed from one to the other at once (the
//! engine's network would only add latency to a count that does not
//! depend on it).

use std::sync::Arc;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::core::clock::VClock;
use crate::core::config::Settings;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::message::{Message, SyncStats};
use crate::core::node::{Disk, Node, NodeOutbox, NodeTimer};
use crate::core::notice::Notice;
use crate::core::outbox::Effect;
use crate::core::ring::Ring;
use crate::core::time::Time;
use crate::core::version::Version;

use super::experiment::PointSink;
use super::options::LabOptions;
use super::point::{Outcome, Params, Point};
use super::sample_spread::{CONFIDENCE, mean_ci};
use super::theory::merkle::{expected_digests, expected_hashes, flat_comparison, hash_bound};
use super::trial_pool::run_trials;

/// Keys each replica holds in the measured runs.
pub const KEYS: usize = 10_000;
/// Differing keys measured.
pub const DIFFERING: [usize; 6] = [1, 4, 16, 64, 256, 1024];
/// Tree depths measured.
pub const DEPTHS: [u8; 3] = [6, 10, 14];
const DEFAULT_TRIALS: u64 = 10;

/// What one session cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionCost {
    pub hashes_compared: u64,
    pub digests_compared: u64,
    pub keys_exchanged: u64,
    /// The deepest level compared.
    pub levels: u8,
}

fn store(node: &mut Node, key: &str, value: &Arc<str>, writer: u16) {
    let mut out = NodeOutbox::new(false);
    let msg = Message::Repair {
        key: key.into(),
        versions: vec![Version::new(value.clone(), VClock::from_pairs([(NodeId(writer), 1)]))],
    };
    node.handle_message(Time(0), Endpoint::Node(NodeId(9)), msg, &mut out);
}

/// Which of `keys` keys differ: `differing` of them, chosen by `seed`
/// (`None`: evenly spaced, as the benchmark takes them).
fn differing_keys(keys: usize, differing: usize, seed: Option<u64>) -> Vec<bool> {
    let mut marks = vec![false; keys];
    let differing = differing.min(keys);
    match seed {
        Some(seed) => {
            let mut order: Vec<usize> = (0..keys).collect();
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let (chosen, _) = order.partial_shuffle(&mut rng, differing);
            for &i in chosen.iter() {
                marks[i] = true;
            }
        }
        None => {
            let step = (keys / differing.max(1)).max(1);
            for i in (0..keys).step_by(step).take(differing) {
                marks[i] = true;
            }
        }
    }
    marks
}

/// Two replicas of `keys` keys in one range (tokens 0 and 1: almost the
/// whole ring is one range), `differing` of them newer on the second
/// (chosen by `seed`, or evenly spaced for `None`), with trees of `depth`
/// levels.
pub fn replicas(keys: usize, differing: usize, depth: u8, seed: Option<u64>) -> (Node, Node) {
    let settings = Arc::new(Settings {
        replicas: 2,
        read_quorum: 1,
        write_quorum: 1,
        merkle_depth: depth,
        ..Settings::default()
    });
    let (a_id, b_id) = (NodeId(0), NodeId(1));
    let ring = Arc::new(Ring::new([(a_id, vec![0]), (b_id, vec![1])]));
    let mut a = Node::recover(a_id, settings.clone(), Disk::initial(a_id, ring.clone(), vec![a_id]), 1);
    let mut b = Node::recover(b_id, settings, Disk::initial(b_id, ring, vec![a_id]), 2);
    let same: Arc<str> = Arc::from("v".repeat(64));
    let newer: Arc<str> = Arc::from("w".repeat(64));
    for (i, differs) in differing_keys(keys, differing, seed).into_iter().enumerate() {
        let key = format!("key-{i:012}");
        store(&mut a, &key, &same, 0);
        if differs {
            store(&mut b, &key, &newer, 1);
        } else {
            store(&mut b, &key, &same, 0);
        }
    }
    (a, b)
}

/// One anti-entropy session of `a` with `b` on the range that holds the
/// keys of [`replicas`], its messages handed over at once.
pub fn compare(a: &mut Node, b: &mut Node) -> SessionCost {
    let a_id = a.id();
    let mut cost = SessionCost::default();
    let mut queue: Vec<(NodeId, NodeId, Message)> = Vec::new();
    let mut out = NodeOutbox::new(false);
    // a's ticks take its ranges in turn: two ticks cover both, and only
    // the session on the range (1, 0], the one with the keys, is counted.
    for _ in 0..2 {
        a.handle_timer(Time(1), NodeTimer::AntiEntropyTick, &mut out);
        collect(a_id, &mut out, &mut queue, &mut cost);
        while let Some((from, to, msg)) = queue.pop() {
            let node = if to == a_id { &mut *a } else { &mut *b };
            node.handle_message(Time(2), Endpoint::Node(from), msg, &mut out);
            collect(to, &mut out, &mut queue, &mut cost);
        }
    }
    cost
}

/// [`replicas`], then [`compare`].
pub fn session(keys: usize, differing: usize, depth: u8, seed: Option<u64>) -> SessionCost {
    let (mut a, mut b) = replicas(keys, differing, depth, seed);
    compare(&mut a, &mut b)
}

fn collect(from: NodeId, out: &mut NodeOutbox, queue: &mut Vec<(NodeId, NodeId, Message)>, cost: &mut SessionCost) {
    for e in out.drain() {
        match e {
            Effect::Send {
                to: Endpoint::Node(to),
                msg,
                ..
            } => queue.push((from, to, *msg)),
            Effect::Notify(Notice::AntiEntropySession { stats, range, .. }) if range.0 == 1 => add(cost, &stats),
            _ => {}
        }
    }
}

fn add(cost: &mut SessionCost, stats: &SyncStats) {
    cost.hashes_compared += stats.compared as u64;
    cost.digests_compared += stats.digests as u64;
    cost.keys_exchanged += stats.keys as u64;
    cost.levels = cost.levels.max(stats.levels);
}

/// One metric of a session: its series' words, its column, how to read it
/// from a cost, and its prediction.
type Metric = (&'static str, &'static str, fn(&SessionCost) -> u64, f64);

/// Runs the experiment over `depths` and `differing`, with `keys` keys.
pub fn run_over(
    opts: &LabOptions,
    keys: usize,
    depths: &[u8],
    differing: &[usize],
    sink: PointSink<'_>,
) -> anyhow::Result<Outcome> {
    let points: Vec<(u8, usize)> = depths
        .iter()
        .flat_map(|&d| differing.iter().map(move |&k| (d, k)))
        .collect();
    let trials = vec![opts.trials_or(DEFAULT_TRIALS); points.len()];
    let mut out = Outcome::default();
    let mut worst_ratio = 0f64;
    run_trials(
        opts,
        &trials,
        &|p, seed| {
            let (d, k) = points[p];
            Ok(session(keys, k, d, Some(seed)))
        },
        |p, costs| {
            let (d, k) = points[p];
            if k > 0 {
                for c in &costs {
                    worst_ratio = worst_ratio.max(c.hashes_compared as f64 / hash_bound(k as u64, d) as f64);
                }
            }
            let params = Params::default().with("differing", k as f64).with("depth", d as f64);
            let metrics: [Metric; 3] = [
                (
                    "hashes",
                    "hashes_compared",
                    |c| c.hashes_compared,
                    expected_hashes(k as u64, d),
                ),
                (
                    "key digests",
                    "digests_compared",
                    |c| c.digests_compared,
                    expected_digests(k as u64, d, keys as u64),
                ),
                ("keys exchanged", "keys_exchanged", |c| c.keys_exchanged, k as f64),
            ];
            for (what, metric, of, predicted) in metrics {
                let samples: Vec<f64> = costs.iter().map(|c| of(c) as f64).collect();
                let s = mean_ci(&samples);
                let point = Point {
                    experiment: "merkle",
                    series: format!("{what}, depth {d}"),
                    params: params.clone(),
                    metric,
                    measured: s.value,
                    low: s.low,
                    high: s.high,
                    predicted: Some((predicted * 100.0).round() / 100.0),
                    trials: s.samples,
                };
                sink(&point);
                out.points.push(point);
            }
        },
    )?;
    out.theory = vec![
        "hashes: E = 1 + 2 Σ_{l<d} 2^l (1 - (1 - 2^-l)^k) for k differing keys in uniformly random leaves; at most k(2d+1), the bound per differing key".into(),
        "key digests: E = k + (keys - k)(1 - (1 - 2^-d)^k), the keys sharing a leaf with a differing one; keys exchanged: exactly k".into(),
        format!(
            "a flat comparison compares all {} key digests whatever k",
            flat_comparison(keys as u64)
        ),
    ];
    out.notes = vec![
        format!(
            "{keys} keys on each of two replicas; which keys differ is drawn per trial; the mean over trials with its {CONFIDENCE} confidence interval; predictions rounded to 0.01"
        ),
        format!(
            "every session stayed within the k(2d+1) bound: the most it used was {:.0}% of it",
            worst_ratio * 100.0
        ),
        "a deep tree costs more hashes per differing key but fewer digests: each leaf holds keys/2^d keys".into(),
    ];
    Ok(out)
}

/// `ringside lab merkle` with its defaults.
pub fn run(opts: &LabOptions, sink: PointSink<'_>) -> anyhow::Result<Outcome> {
    run_over(opts, KEYS, &DEPTHS, &DIFFERING, sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_replicas_compare_one_hash_and_exchange_nothing() {
        let c = session(2_000, 0, 10, Some(3));
        assert_eq!(
            c,
            SessionCost {
                hashes_compared: 1,
                digests_compared: 0,
                keys_exchanged: 0,
                levels: 0
            }
        );
    }

    #[test]
    fn one_differing_key_walks_one_path() {
        let c = session(2_000, 1, 8, Some(4));
        assert_eq!(
            (c.hashes_compared, c.keys_exchanged, c.levels),
            (hash_bound(1, 8), 1, 8)
        );
    }

    #[test]
    fn the_measurement_matches_the_expectation() {
        let opts = LabOptions {
            trials: Some(8),
            jobs: 2,
            ..LabOptions::default()
        };
        let out = run_over(&opts, 3_000, &[6], &[16, 200], &mut |_| {}).unwrap();
        assert_eq!(out.points.len(), 6);
        for p in &out.points {
            assert!(
                !p.disagrees() || (p.measured - p.predicted.unwrap()).abs() < 0.05 * p.measured,
                "{p:?}"
            );
        }
        let keys = out.points.iter().filter(|p| p.metric == "keys_exchanged");
        assert!(
            keys.into_iter()
                .all(|p| p.low == p.high && Some(p.measured) == p.predicted)
        );
    }
}
