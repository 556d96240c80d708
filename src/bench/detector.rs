//! How good the failure detector is: how often a fault-free cluster
//! suspects a node that is running (false suspicions), and how long after a
//! crash every live node sees the crashed node down (detection time).
//!
//! Both are counted from the trace's liveness events, in virtual time: the
//! figures are the same on every machine.

use crate::core::config::Settings;
use crate::core::ids::NodeId;
use crate::core::membership::Liveness;
use crate::core::time::{Dur, Time};
use crate::core::trace::{Event, TraceEvent};
use crate::engine::{ClusterSpec, Engine};

/// Liveness changes in a fault-free run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flicker {
    /// An observer began to suspect a running node.
    pub suspicions: u64,
    /// An observer saw a running node down.
    pub downs: u64,
}

/// Settings for an `n`-node cluster: the defaults with N, R and W no larger
/// than the cluster.
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
        let mut all_at = None;
        for ev in &sink {
            if let Event::Liveness { observer, node, to, .. } = ev.event
                && node == victim
            {
                seen[observer.index()] = to;
                if observers.iter().all(|o| seen[o.index()] == Liveness::Down) {
                    all_at = Some(ev.at);
                }
            }
        }
        if let Some(at) = all_at
            && observers.iter().all(|o| seen[o.index()] == Liveness::Down)
        {
            return Ok(Some(at - killed_at));
        }
    }
    Ok(None)
}

/// The figures for one cluster size and one detector.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectorFigure {
    pub nodes: usize,
    pub detector: String,
    pub seeds: u64,
    /// Virtual length of each fault-free run.
    pub length: Dur,
    /// Seeds whose fault-free run had no suspicion at all.
    pub quiet_seeds: u64,
    pub suspicions: u64,
    pub downs: u64,
    /// Detection times, sorted; a seed that did not detect within the limit
    /// is left out and counted in `missed`.
    pub detection: Vec<Dur>,
    pub missed: u64,
}

impl DetectorFigure {
    pub fn detection_max(&self) -> Dur {
        self.detection.last().copied().unwrap_or_default()
    }

    pub fn detection_mean(&self) -> Dur {
        let n = self.detection.len().max(1) as u64;
        Dur(self.detection.iter().map(|d| d.micros()).sum::<u64>() / n)
    }
}

/// Measures one cluster size: `quiet_seeds` fault-free runs of `length`,
/// and `crash_seeds` crashes.
pub async fn measure(
    nodes: usize,
    settings: &Settings,
    quiet_seeds: u64,
    length: Dur,
    crash_seeds: u64,
) -> Result<DetectorFigure, String> {
    let mut fig = DetectorFigure {
        nodes,
        detector: settings.detector_description(),
        seeds: quiet_seeds,
        length,
        quiet_seeds: 0,
        suspicions: 0,
        downs: 0,
        detection: Vec::new(),
        missed: 0,
    };
    for seed in 1..=quiet_seeds {
        let f = false_suspicions(nodes, settings, seed, length).await?;
        fig.quiet_seeds += (f.suspicions + f.downs == 0) as u64;
        fig.suspicions += f.suspicions;
        fig.downs += f.downs;
    }
    for seed in 1..=crash_seeds {
        match detection_time(nodes, settings, seed, Dur::from_secs(30), Dur::from_secs(120)).await? {
            Some(d) => fig.detection.push(d),
            None => fig.missed += 1,
        }
    }
    fig.detection.sort();
    Ok(fig)
}

/// ⌈log3 n⌉: push-pull gossip rounds for news to reach n nodes.
fn log3_ceil(n: usize) -> u64 {
    let mut rounds = 0;
    let mut reach = 1usize;
    while reach < n {
        reach = reach.saturating_mul(3);
        rounds += 1;
    }
    rounds
}

/// The time within which README promises every live node sees a crashed
/// node down: the detector's own delay, then `2 + ⌈log3 n⌉` gossip rounds
/// for the suspicions to meet. The heartbeat detector's delay is
/// `suspect_after`; the phi detector's is the silence at which phi crosses
/// its threshold with the longest mean gap a window can hold (twice the
/// gossip interval): `phi_threshold × ln 10 × 2 × gossip_interval`.
pub fn stated_bound(settings: &Settings, nodes: usize) -> Dur {
    let round = settings.gossip_interval.micros();
    let spread = (2 + log3_ceil(nodes)) * round;
    let own = match settings.failure_detector {
        crate::core::config::FailureDetector::Heartbeat => settings.suspect_after.micros(),
        crate::core::config::FailureDetector::Phi => {
            (settings.phi_threshold * std::f64::consts::LN_10 * 2.0 * round as f64).ceil() as u64
        }
    };
    Dur(own + spread)
}
