//! `ringside lab staleness`: how often a get started t after a put was
//! acknowledged returns it, for N = 3 and every (R, W) in 1..3, measured on
//! the engine beside the WARS model and the closed form (see
//! [`super::theory::staleness`]).
//!
//! The cluster is exactly N = 3 nodes with any-node routing, so that every
//! node is a replica of every key and the client's random pick makes the
//! put's and the get's coordinators independent and uniform among them,
//! as the model assumes. Each engine run carries a chunk of independent
//! trials at once, one fresh key each: every put starts at the same
//! instant, and each get starts exactly t after its own put's ack (the run
//! advances the clock to the next instant a get is due, or by at most t,
//! so that no ack is seen too late to start its get on time).

use std::collections::BinaryHeap;

use crate::core::client::OpKind;
use crate::core::config::{Routing, Settings};
use crate::core::ids::OpId;
use crate::core::time::{Dur, Time};
use crate::core::version::Key;
use crate::engine::{ClusterSpec, Engine};

use super::experiment::PointSink;
use super::options::LabOptions;
use super::point::{Outcome, Params, Point};
use super::sample_spread::{CONFIDENCE, proportion_ci};
use super::theory::staleness::{Wars, closed_form_stale};
use super::trial_pool::{run_trials, trial_seed};

/// Replicas per key.
const N: usize = 3;
/// Trials per point in the default run.
pub const DEFAULT_TRIALS: u64 = 10_000;
/// Trials one engine run carries (the figures depend on it only through
/// the seeds, never on the job count).
const CHUNK: u64 = 2_500;
/// Draws of the WARS model per point.
const MODEL_SAMPLES: u64 = 100_000;
/// The instants after the ack at which gets start, in milliseconds: from 0
/// to past the largest latency (20 ms by default).
pub const T_MS: &[f64] = &[
    0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0,
];

/// The cluster the experiment runs on.
pub fn spec() -> ClusterSpec {
    let settings = Settings {
        replicas: N,
        read_quorum: 1,
        write_quorum: 1,
        routing: Routing::AnyNode,
        // Anti-entropy would only repair keys between trials; off, it costs nothing.
        anti_entropy_interval: None,
        ..Settings::default()
    };
    ClusterSpec::numbered(N, 8, settings)
}

/// One engine run: `trials` puts of fresh keys with quorum `w`, each
/// followed `t` after its ack by a get with quorum `r`. Returns how many
/// gets returned the put's value and how many trials completed (a put or a
/// get that failed does not count).
pub fn run_chunk(r: usize, w: usize, t: Dur, trials: u64, seed: u64) -> anyhow::Result<(u64, u64)> {
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    rt.block_on(async {
        let mut engine = Engine::new(&spec(), seed).map_err(anyhow::Error::msg)?;
        engine.set_tracing(false);
        // Let the nodes boot and meet.
        engine.run_for(Dur::from_millis(100)).await;
        let client = engine.client("lab");
        let mut puts: Vec<OpId> = Vec::with_capacity(trials as usize);
        for i in 0..trials {
            let put = OpKind::Put {
                value: "v".into(),
                w: Some(w),
                pw: None,
                context: None,
            };
            puts.push(engine.submit(client, Key::from(format!("k{i}")), put, None));
        }
        let deadline = engine.now() + Dur::from_secs(60);
        // Gets due, earliest first: (instant, key).
        let mut due: BinaryHeap<std::cmp::Reverse<(Time, Key)>> = BinaryHeap::new();
        let (mut answered_puts, mut started, mut finished, mut fresh) = (0u64, 0u64, 0u64, 0u64);
        let step = Dur(t.micros().max(1));
        loop {
            for report in engine.take_finished() {
                if report.is_put() {
                    answered_puts += 1;
                    if report.outcome.is_ok() {
                        due.push(std::cmp::Reverse((report.finished + t, report.key)));
                    }
                } else {
                    finished += 1;
                    if let crate::core::message::Outcome::Get {
                        versions,
                        failure: None,
                        ..
                    } = &report.outcome
                        && versions.iter().any(|v| &*v.value == "v")
                    {
                        fresh += 1;
                    }
                }
            }
            while let Some(std::cmp::Reverse((at, _))) = due.peek() {
                if *at > engine.now() {
                    break;
                }
                anyhow::ensure!(
                    *at == engine.now(),
                    "a get started late: due {at}, now {}",
                    engine.now()
                );
                let std::cmp::Reverse((_, key)) = due.pop().expect("peeked");
                engine.submit(client, key, OpKind::Get { r: Some(r), pr: None }, None);
                started += 1;
            }
            if answered_puts == puts.len() as u64 && due.is_empty() && finished == started {
                break;
            }
            if let Some(reason) = engine.failure() {
                anyhow::bail!("the engine stopped: {reason}");
            }
            anyhow::ensure!(
                engine.now() < deadline,
                "the trials did not finish in a minute of virtual time"
            );
            // An ack seen in (now, now + step] is due after the step ends;
            // when nothing happens for longer, jump to the next event.
            let now = engine.now();
            let quiet_until = engine.next_event_time().unwrap_or(now + step).max(now + step);
            let target = match due.peek() {
                Some(std::cmp::Reverse((at, _))) => quiet_until.min(*at),
                None => quiet_until,
            };
            engine.run_until(target).await;
        }
        Ok((fresh, finished))
    })
}

/// The instant after the ack at which the gets of point `ti` start.
fn t_of(ti: usize) -> Dur {
    Dur((T_MS[ti] * 1000.0) as u64)
}

fn series(r: usize, w: usize) -> String {
    format!("R={r} W={w}")
}

/// Runs the experiment.
pub fn run(opts: &LabOptions, sink: PointSink<'_>) -> anyhow::Result<Outcome> {
    let trials = opts.trials_or(DEFAULT_TRIALS);
    let latency = spec().settings.latency;
    let mut points = Vec::new();
    let pairs: Vec<(usize, usize)> = (1..=N).flat_map(|r| (1..=N).map(move |w| (r, w))).collect();
    let chunks = trials.div_ceil(CHUNK);
    // Chunks of equal size: at least the trials asked for, fewer than
    // `chunks` more.
    let size = trials.div_ceil(chunks);
    // Points in order: every t of R=1 W=1, then of R=1 W=2, ...; each
    // point's trials are its chunks, spread over every core.
    let grid: Vec<(usize, usize, usize)> = pairs
        .iter()
        .flat_map(|&(r, w)| (0..T_MS.len()).map(move |ti| (r, w, ti)))
        .collect();
    let counts = vec![chunks; grid.len()];
    run_trials(
        opts,
        &counts,
        &|p, seed| {
            let (r, w, ti) = grid[p];
            run_chunk(r, w, t_of(ti), size, seed).map_err(|e| e.to_string())
        },
        |p, results| {
            let (r, w, ti) = grid[p];
            let (fresh, done) = results.iter().fold((0, 0), |(f, d), &(a, b)| (f + a, d + b));
            let s = proportion_ci(fresh, done);
            let model = Wars {
                n: N,
                r,
                w,
                latency_min: latency.min.micros(),
                latency_max: latency.max.micros(),
            };
            let predicted = model.consistent(
                t_of(ti).micros(),
                MODEL_SAMPLES,
                trial_seed(opts.seed ^ 0x7761_7273, p, 0),
            );
            let point = Point {
                experiment: "staleness",
                series: series(r, w),
                params: Params::default()
                    .with("n", N as f64)
                    .with("r", r as f64)
                    .with("w", w as f64)
                    .with("t_ms", T_MS[ti]),
                metric: "p_consistent",
                measured: s.value,
                low: s.low,
                high: s.high,
                predicted: Some(predicted),
                trials: done,
            };
            sink(&point);
            points.push(point);
        },
    )?;
    let closed: Vec<String> = pairs
        .iter()
        .map(|&(r, w)| {
            format!(
                "R={r} W={w}: {:.3}",
                1.0 - closed_form_stale(N as u64, r as u64, w as u64)
            )
        })
        .collect();
    Ok(Outcome {
        points,
        theory: vec![
            format!(
                "predicted: the WARS model (Bailis et al. 2012) by Monte Carlo, {MODEL_SAMPLES} draws a point, \
                 latency uniform {latency} as the network draws it; the put's and the get's coordinators are \
                 replicas picked uniformly and independently (any-node routing on {N} nodes); the put's \
                 coordinator stores at once and counts toward W, the get's reads its own copy at once and \
                 counts toward R"
            ),
            format!(
                "closed form at the ack, 1 - C(N-W,R)/C(N,R), a read that only W replicas could answer: {}",
                closed.join(", ")
            ),
        ],
        notes: vec![
            format!("spread: the {CONFIDENCE} Wilson interval of the share of fresh gets"),
            "every R + W > N row is 1.0 at every t: the read and write quorums overlap".into(),
            "the closed form is far below both at t = 0: by the time the client has the ack and its get \
             reaches the replicas, the write has usually reached more than W of them (the ack itself \
             takes a latency to come back, and the get another to arrive)"
                .into(),
            "anti-entropy is off (every 10 s by default, it would only repair keys between trials)".into(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_quorums_always_read_the_write() {
        for (r, w) in [(2, 2), (1, 3), (3, 1)] {
            let (fresh, done) = run_chunk(r, w, Dur::ZERO, 200, 5).unwrap();
            assert_eq!(done, 200, "R={r} W={w}: every get answered");
            assert_eq!(fresh, done, "R={r} W={w}");
        }
    }

    #[test]
    fn a_partial_quorum_is_sometimes_stale_at_the_ack_and_never_after_the_largest_latency() {
        let (fresh, done) = run_chunk(1, 1, Dur::ZERO, 400, 5).unwrap();
        assert_eq!(done, 400);
        assert!(fresh < done && fresh > done / 3, "{fresh} of {done}");
        let (fresh, done) = run_chunk(1, 1, Dur::from_millis(12), 400, 5).unwrap();
        assert_eq!((fresh, done), (400, 400));
    }

    #[test]
    fn a_chunk_is_deterministic_by_its_seed() {
        assert_eq!(
            run_chunk(1, 1, Dur::from_millis(2), 100, 9).unwrap(),
            run_chunk(1, 1, Dur::from_millis(2), 100, 9).unwrap()
        );
    }
}
