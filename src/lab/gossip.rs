//! `ringside lab gossip`: rounds for a membership change (a join) to reach
//! every node of n = 16 … 1,024 nodes with 1, 2 or 3 gossip peers a round,
//! beside a Monte Carlo of push-pull gossip's model (`theory::gossip`).

use crate::core::config::Settings;
use crate::core::time::Dur;
use crate::core::trace::{Event, TraceEvent};
use crate::engine::{ClusterSpec, Engine};

use super::experiment::PointSink;
use super::options::LabOptions;
use super::point::{Outcome, Params, Point};
use super::sample_spread::{CONFIDENCE, mean_ci};
use super::theory::gossip::{GossipModel, Phases, estimate};
use super::trial_pool::{block_on, run_trials};

/// Cluster sizes measured, the joiner included (a cluster holds at most
/// 1,024 nodes).
pub const SIZES: [usize; 4] = [16, 64, 256, 1024];
/// Peers a round measured.
pub const FANOUTS: [usize; 3] = [1, 2, 3];
/// Model draws behind each prediction.
const MODEL_TRIALS: u64 = 400;

/// Trials per point by default: fewer for the biggest clusters, whose runs
/// cost more than n² (every gossip message carries every node's entry, and
/// every node merges it): a trial of 1,024 nodes costs about 4.5 s of a
/// core, one of 256 nodes about 0.3 s.
fn default_trials(nodes: usize) -> u64 {
    match nodes {
        1024.. => 4,
        256.. => 16,
        _ => 60,
    }
}

/// The settings of a measured cluster: `fanout` peers a round, and a
/// detector too patient to suspect anyone while the news spreads.
pub fn settings(nodes: usize, fanout: usize) -> Settings {
    Settings {
        replicas: 3.min(nodes),
        read_quorum: 2.min(nodes),
        write_quorum: 2.min(nodes),
        down_confirmations: 2.min(nodes),
        suspect_after: Dur::from_secs(60),
        gossip_fanout: fanout,
        ..Settings::default()
    }
}

/// Gossip rounds (virtual time over `gossip_interval`) from a node's join
/// until all `nodes` nodes and the joiner have it on their ring, for one seed.
pub async fn rounds_to_spread(nodes: usize, fanout: usize, seed: u64) -> Result<f64, String> {
    let settings = settings(nodes, fanout);
    let interval = settings.gossip_interval;
    let mut engine = Engine::new(&ClusterSpec::numbered(nodes, 2, settings), seed)?;
    engine.set_trace_cap(usize::MAX);
    engine.run_for(Dur::from_secs(2)).await;
    let mut sink: Vec<TraceEvent> = Vec::new();
    engine.drain_trace(&mut sink);
    let joined_at = engine.now();
    let joiner = engine.join("joiner", None)?;
    let mut knows = vec![false; nodes + 1];
    let mut last = joined_at;
    let deadline = joined_at + Dur::from_secs(60);
    while knows.iter().any(|k| !k) {
        if engine.now() >= deadline {
            return Err(format!(
                "after 60 rounds {} of {} nodes still lack the joiner",
                knows.iter().filter(|k| !**k).count(),
                nodes + 1
            ));
        }
        engine.run_for(Dur::from_millis(100)).await;
        sink.clear();
        engine.drain_trace(&mut sink);
        for ev in &sink {
            if let Event::ViewChanged { node, members } = &ev.event
                && members.contains(&joiner)
                && !knows[node.index()]
            {
                knows[node.index()] = true;
                last = ev.at;
            }
        }
    }
    Ok((last - joined_at).as_secs_f64() / interval.as_secs_f64())
}

/// The model the prediction draws from for `nodes` nodes before the join,
/// with the measured cluster's latency.
pub fn model(nodes: usize, fanout: usize) -> GossipModel {
    let s = settings(nodes, fanout);
    let round = s.gossip_interval.as_secs_f64();
    GossipModel {
        nodes,
        fanout,
        latency: (s.latency.min.as_secs_f64() / round, s.latency.max.as_secs_f64() / round),
        synchronous: false,
        phases: Phases::Hashed {
            interval_micros: s.gossip_interval.micros(),
        },
    }
}

/// Runs the experiment over `sizes` and `fanouts`.
pub fn run_over(opts: &LabOptions, sizes: &[usize], fanouts: &[usize], sink: PointSink<'_>) -> anyhow::Result<Outcome> {
    let points: Vec<(usize, usize)> = fanouts
        .iter()
        .flat_map(|&k| sizes.iter().map(move |&n| (k, n)))
        .collect();
    let trials: Vec<u64> = points.iter().map(|&(_, n)| opts.trials_or(default_trials(n))).collect();
    let mut out = Outcome::default();
    run_trials(
        opts,
        &trials,
        &|p, seed| {
            let (k, n) = points[p];
            block_on(rounds_to_spread(n - 1, k, seed))?
        },
        |p, rounds| {
            let (k, n) = points[p];
            let s = mean_ci(&rounds);
            let point = Point {
                experiment: "gossip",
                series: format!("fanout {k}"),
                params: Params::default().with("nodes", n as f64).with("fanout", k as f64),
                metric: "rounds",
                measured: s.value,
                low: s.low,
                high: s.high,
                predicted: Some(model(n - 1, k).mean_rounds(MODEL_TRIALS, opts.seed ^ p as u64)),
                trials: s.samples,
            };
            sink(&point);
            out.points.push(point);
        },
    )?;
    out.theory = vec![
        format!(
            "predicted: the mean of {MODEL_TRIALS} draws of a model of push-pull gossip, over peer choice and latency with the cluster's own phases: every node ticks once a round at the phase ringside gives it (a hash of its id) and swaps lists with `fanout` random peers it knows; messages take 5-20 ms; the joiner swaps with one node at once"
        ),
        format!(
            "Karp et al.: synchronous push-pull takes log3 n + O(log log n) rounds with one peer; with k peers, log_(2k+1) n + log_(k+1) ln n (for 1,024 nodes: {:.1}, {:.1}, {:.1} rounds for k = 1, 2, 3)",
            estimate(1024, 1),
            estimate(1024, 2),
            estimate(1024, 3)
        ),
    ];
    out.notes = vec![
        format!("nodes: the cluster after the join; measured: gossip rounds from the join until the last node's ring has the joiner, the mean over trials with its {CONFIDENCE} confidence interval"),
        "ticks spread over a round let news make several hops in one, so both the engine and the model need fewer rounds than the synchronous estimate".into(),
        "the model takes the cluster's own phases: a node's gossip phase in the round is a hash of its id (and incarnation), not of the seed, so every trial of one cluster size measures the same arrangement of phases. A model drawing random phases instead predicted 0.25-0.3 rounds too many at 64 nodes, for all three fanouts (whose ids happen to get phases that spread news fast), and agrees with the engine once it uses the same phases".into(),
        "fewer trials at 1,024 nodes (each costs about 4.5 s of a core: every round, every node merges lists of every node): pass --trials for more".into(),
    ];
    Ok(out)
}

/// `ringside lab gossip` with its defaults.
pub fn run(opts: &LabOptions, sink: PointSink<'_>) -> anyhow::Result<Outcome> {
    run_over(opts, &SIZES, &FANOUTS, sink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::Endpoint;
    use crate::core::message::MsgKind;
    use crate::lab::theory::gossip::hashed_first_tick;

    #[test]
    fn a_join_reaches_a_lone_node_within_a_round() {
        let rounds = block_on(rounds_to_spread(1, 1, 7)).unwrap().unwrap();
        assert!(rounds <= 1.0, "{rounds}");
    }

    #[test]
    fn the_model_ticks_when_the_clusters_nodes_first_gossip() {
        let nodes = 8;
        let s = settings(nodes, 1);
        let interval = s.gossip_interval.micros();
        let sink = block_on(async {
            let mut engine = Engine::new(&ClusterSpec::numbered(nodes, 2, s), 3).unwrap();
            engine.set_trace_cap(usize::MAX);
            engine.run_for(Dur::from_secs(1)).await;
            let mut sink: Vec<TraceEvent> = Vec::new();
            engine.drain_trace(&mut sink);
            sink
        })
        .unwrap();
        let mut first = vec![None; nodes];
        for ev in &sink {
            if let Event::Sent {
                from: Endpoint::Node(node),
                kind: MsgKind::Gossip,
                ..
            } = &ev.event
            {
                first[node.index()].get_or_insert(ev.at.micros());
            }
        }
        for (id, at) in first.iter().enumerate() {
            assert_eq!(*at, Some(hashed_first_tick(id, interval)), "node {id}");
        }
        assert_eq!(
            model(nodes, 1).phases,
            Phases::Hashed {
                interval_micros: interval
            }
        );
    }

    #[test]
    fn the_measurement_agrees_with_the_model_on_small_clusters() {
        let opts = LabOptions {
            trials: Some(12),
            jobs: 2,
            ..LabOptions::default()
        };
        let mut seen = 0;
        let out = run_over(&opts, &[16], &[1, 3], &mut |_| seen += 1).unwrap();
        assert_eq!(seen, 2);
        let [one, three] = &out.points[..] else {
            panic!("{:?}", out.points)
        };
        assert_eq!((one.series.as_str(), one.trials), ("fanout 1", 12));
        assert!(three.measured < one.measured, "more peers, fewer rounds");
        for p in &out.points {
            let predicted = p.predicted.unwrap();
            assert!((p.measured - predicted).abs() < 0.25 * predicted + 0.3, "{p:?}");
        }
    }
}
