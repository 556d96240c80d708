//! `ringside lab detector`: the failure detector's trade-off. For the
//! heartbeat rule (`suspect_after` 1 s to 10 s) and phi accrual
//! (thresholds 1 to 16): how long until every live node sees a crashed
//! node down, and how often a fault-free cluster suspects a running node
//! (per node-hour). Both are counted from the trace's liveness events in
//! virtual time. Along the x axis: the silence after which an observer
//! suspects (`theory::detector::silence`).

use crate::core::config::{FailureDetector, Settings};
use crate::core::ids::NodeId;
use crate::core::membership::Liveness;
use crate::core::time::{Dur, Time};
use crate::core::trace::{Event, TraceEvent};
use crate::engine::{ClusterSpec, Engine};

use super::experiment::PointSink;
use super::options::LabOptions;
use super::point::{Outcome, Params, Point};
use super::sample_spread::{CONFIDENCE, LEVEL, Z, mean_ci, rate_ci};
use super::table::num;
use super::theory::detector::{phi_false_suspicions_per_node_hour, silence, stated_bound};
use super::trial_pool::{block_on, run_trials};

/// The heartbeat rule's `suspect_after`, in seconds.
pub const SUSPECT_AFTER: [u64; 7] = [1, 2, 3, 4, 6, 8, 10];
/// Phi's thresholds.
pub const PHI_THRESHOLDS: [f64; 6] = [1.0, 2.0, 4.0, 8.0, 12.0, 16.0];
/// Nodes of the measured cluster.
pub const NODES: usize = 5;
/// Virtual length of each fault-free run.
pub const QUIET: Dur = Dur::from_secs(600);
/// Time before the crash, and how long after it detection is waited for.
const WARM_UP: Dur = Dur::from_secs(30);
const LIMIT: Dur = Dur::from_secs(120);
const DEFAULT_TRIALS: u64 = 20;

/// Liveness changes in a fault-free run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flicker {
    /// An observer began to suspect a running node.
    pub suspicions: u64,
    /// An observer saw a running node down.
    pub downs: u64,
}

/// Settings for an `n`-node cluster: `base` with N, R, W and the
/// confirmations no larger than the cluster.
pub fn settings_for(nodes: usize, base: &Settings) -> Settings {
    Settings {
        replicas: base.replicas.min(nodes),
        read_quorum: base.read_quorum.min(nodes),
        write_quorum: base.write_quorum.min(nodes),
        down_confirmations: base.down_confirmations.min(nodes),
        ..base.clone()
    }
}

/// Runs `nodes` nodes without a fault for `length` and counts the liveness
/// changes: every one of them is false.
pub async fn false_suspicions(nodes: usize, settings: &Settings, seed: u64, length: Dur) -> Result<Flicker, String> {
    let mut engine = Engine::new(&ClusterSpec::numbered(nodes, 8, settings_for(nodes, settings)), seed)?;
    engine.set_trace_cap(usize::MAX);
    let mut flicker = Flicker::default();
    let mut sink: Vec<TraceEvent> = Vec::new();
    let end = engine.now() + length;
    while engine.now() < end {
        let step = Dur::from_secs(1).min(end - engine.now());
        engine.run_for(step).await;
        sink.clear();
        engine.drain_trace(&mut sink);
        for ev in &sink {
            if let Event::Liveness { to, .. } = ev.event {
                match to {
                    Liveness::Suspect => flicker.suspicions += 1,
                    Liveness::Down => flicker.downs += 1,
                    Liveness::Up => {}
                }
            }
        }
    }
    Ok(flicker)
}

/// Kills one node after `warm_up` and returns how long it took until every
/// live node saw it down (`None` when that did not happen within `limit`).
pub async fn detection_time(
    nodes: usize,
    settings: &Settings,
    seed: u64,
    warm_up: Dur,
    limit: Dur,
) -> Result<Option<Dur>, String> {
    let mut engine = Engine::new(&ClusterSpec::numbered(nodes, 8, settings_for(nodes, settings)), seed)?;
    engine.set_trace_cap(usize::MAX);
    engine.run_for(warm_up).await;
    let mut sink: Vec<TraceEvent> = Vec::new();
    engine.drain_trace(&mut sink);
    let victim = NodeId((seed % nodes as u64) as u16);
    engine.kill(victim).await?;
    let killed_at: Time = engine.now();
    let observers: Vec<NodeId> = engine.node_ids().into_iter().filter(|&n| n != victim).collect();
    let mut seen = vec![Liveness::Up; nodes];
    let step = Dur::from_millis(10);
    while engine.now() < killed_at + limit {
        engine.run_for(step).await;
        sink.clear();
        engine.drain_trace(&mut sink);
        for ev in &sink {
            if let Event::Liveness { observer, node, to, .. } = ev.event
                && node == victim
            {
                seen[observer.index()] = to;
                if observers.iter().all(|o| seen[o.index()] == Liveness::Down) {
                    return Ok(Some(ev.at - killed_at));
                }
            }
        }
    }
    Ok(None)
}

/// One detector setting measured.
#[derive(Clone, Debug, PartialEq)]
struct Knob {
    name: &'static str,
    settings: Settings,
    params: Params,
}

fn knobs() -> Vec<Knob> {
    let heartbeat = SUSPECT_AFTER.iter().map(|&s| {
        let settings = Settings {
            failure_detector: FailureDetector::Heartbeat,
            suspect_after: Dur::from_secs(s),
            ..Settings::default()
        };
        Knob {
            name: "heartbeat",
            params: Params::default()
                .with("silence_s", silence(&settings))
                .with("suspect_after_s", s as f64),
            settings,
        }
    });
    let phi = PHI_THRESHOLDS.iter().map(|&t| {
        let settings = Settings {
            failure_detector: FailureDetector::Phi,
            phi_threshold: t,
            ..Settings::default()
        };
        Knob {
            name: "phi",
            params: Params::default()
                .with("silence_s", (silence(&settings) * 100.0).round() / 100.0)
                .with("phi_threshold", t),
            settings,
        }
    });
    heartbeat.chain(phi).collect()
}

/// One trial: a fault-free run's suspicions, and one crash's detection time.
type TrialResult = (Flicker, Option<Dur>);

/// Runs the experiment on `nodes` nodes with fault-free runs of `quiet`.
pub fn run_with(opts: &LabOptions, nodes: usize, quiet: Dur, sink: PointSink<'_>) -> anyhow::Result<Outcome> {
    let knobs = knobs();
    let trials = vec![opts.trials_or(DEFAULT_TRIALS); knobs.len()];
    let mut out = Outcome::default();
    let mut missed = 0u64;
    let mut false_downs = 0u64;
    // (knob, bound, measured mean, spread's high end) of every detection point.
    let mut bounds: Vec<(String, f64, f64, f64)> = Vec::new();
    run_trials(
        opts,
        &trials,
        &|p, seed| -> Result<TrialResult, String> {
            let s = &knobs[p].settings;
            block_on(async {
                let flicker = false_suspicions(nodes, s, seed, quiet).await?;
                let detection = detection_time(nodes, s, seed, WARM_UP, LIMIT).await?;
                Ok((flicker, detection))
            })?
        },
        |p, results| {
            let knob = &knobs[p];
            let gap = knob.settings.gossip_interval.as_secs_f64();
            let times: Vec<f64> = results.iter().filter_map(|(_, d)| d.map(|d| d.as_secs_f64())).collect();
            missed += results.len() as u64 - times.len() as u64;
            false_downs += results.iter().map(|(f, _)| f.downs).sum::<u64>();
            let detection = mean_ci(&times);
            let bound = stated_bound(&settings_for(nodes, &knob.settings), nodes).as_secs_f64();
            let knob_name = match knob.settings.failure_detector {
                FailureDetector::Heartbeat => format!("heartbeat {}s", knob.settings.suspect_after.as_secs_f64()),
                FailureDetector::Phi => format!("phi {}", knob.settings.phi_threshold),
            };
            bounds.push((knob_name, bound, detection.value, detection.high));
            let suspicions: u64 = results.iter().map(|(f, _)| f.suspicions).sum();
            let node_hours = results.len() as f64 * nodes as f64 * quiet.as_secs_f64() / 3600.0;
            let rate = rate_ci(suspicions, node_hours, results.len() as u64);
            let predicted_rate = match knob.settings.failure_detector {
                FailureDetector::Phi => Some(phi_false_suspicions_per_node_hour(
                    knob.settings.phi_threshold,
                    nodes,
                    gap,
                )),
                FailureDetector::Heartbeat => None,
            };
            for point in [
                Point {
                    experiment: "detector",
                    series: format!("{}: detection", knob.name),
                    params: knob.params.clone(),
                    metric: "detection_s",
                    measured: detection.value,
                    low: detection.low,
                    high: detection.high,
                    // The theory gives an upper bound, not a value: it is
                    // in the notes, checked against every point.
                    predicted: None,
                    trials: detection.samples,
                },
                Point {
                    experiment: "detector",
                    series: format!("{}: false suspicions", knob.name),
                    params: knob.params.clone(),
                    metric: "false_suspicions_per_node_hour",
                    measured: rate.value,
                    low: rate.low,
                    high: rate.high,
                    predicted: predicted_rate,
                    trials: rate.samples,
                },
            ] {
                sink(&point);
                out.points.push(point);
            }
        },
    )?;
    out.theory = vec![
        "silence_s: how long an observer waits before it suspects: suspect_after for heartbeat; threshold × ln 10 × mean gap for phi (the mean gap taken as one gossip interval)".into(),
        "detection_s: no prediction, an upper bound (README's stated bound): the detector's own delay + (2 + ⌈log3 n⌉) gossip rounds for suspicions to meet (phi's delay with the longest mean gap a window holds, 2 intervals)".into(),
        "phi false suspicions predicted: phi's own model, gaps exponential with the window's mean: (n - 1) × 3600 s / mean gap × 10^-threshold per node-hour; the heartbeat rule has no distribution model (null)".into(),
    ];
    out.notes = vec![
        format!(
            "{nodes} nodes, 2 gossip peers a round; false suspicions over {} fault-free virtual minutes per trial (rate ± {Z:.2} √count, or up to {:.1} / node-hours when none); detection: a crash after {} s, the mean over trials; both with their {CONFIDENCE} confidence interval",
            quiet.as_secs_f64() / 60.0,
            -(1.0 - LEVEL).ln(),
            WARM_UP.as_secs_f64()
        ),
        {
            let over: Vec<&str> = bounds
                .iter()
                .filter(|(_, bound, _, high)| high > bound)
                .map(|(k, ..)| k.as_str())
                .collect();
            let list: Vec<String> = bounds
                .iter()
                .map(|(k, bound, mean, _)| format!("{k}: {} of {}", num(*mean), num(*bound)))
                .collect();
            format!(
                "detection_s against its bound (measured mean of bound, s): {}; {}",
                list.join(", "),
                if over.is_empty() {
                    "every point's spread lies under its bound".to_string()
                } else {
                    format!("over the bound: {}", over.join(", "))
                }
            )
        },
        "phi's model overestimates false suspicions by orders of magnitude: gossip brings a running node's heartbeat at least every few rounds, so real gaps have no exponential tail".into(),
        format!("{missed} crashes were not seen down by every node within {} s (left out of the means); {false_downs} running nodes were seen down", LIMIT.as_secs_f64()),
    ];
    Ok(out)
}

/// `ringside lab detector` with its defaults.
pub fn run(opts: &LabOptions, sink: PointSink<'_>) -> anyhow::Result<Outcome> {
    run_with(opts, NODES, QUIET, sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tighter_detector_sees_a_crash_sooner_and_suspects_more() {
        let opts = LabOptions {
            trials: Some(3),
            jobs: 2,
            ..LabOptions::default()
        };
        let out = run_with(&opts, 5, Dur::from_secs(120), &mut |_| {}).unwrap();
        let of = |series: &str, key: &str, x: f64| {
            out.points
                .iter()
                .find(|p| p.series == series && p.params.get(key) == Some(x))
                .unwrap_or_else(|| panic!("{series} {key}={x}"))
                .clone()
        };
        let quick = of("heartbeat: detection", "suspect_after_s", 1.0);
        let slow = of("heartbeat: detection", "suspect_after_s", 10.0);
        assert!(quick.measured < slow.measured, "{quick:?} {slow:?}");
        for p in out.points.iter().filter(|p| p.metric == "detection_s") {
            assert_eq!(p.predicted, None, "a bound, not a prediction: {p:?}");
            assert!(!p.disagrees());
        }
        assert!(
            out.notes
                .iter()
                .any(|n| n.contains("every point's spread lies under its bound")),
            "{:?}",
            out.notes
        );
        let jumpy = of("heartbeat: false suspicions", "suspect_after_s", 1.0);
        let calm = of("heartbeat: false suspicions", "suspect_after_s", 10.0);
        assert!(jumpy.measured > 0.0 && calm.measured == 0.0, "{jumpy:?} {calm:?}");
        assert_eq!(of("phi: false suspicions", "phi_threshold", 8.0).measured, 0.0);
    }
}
