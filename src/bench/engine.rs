//! The engine section: a five-node cluster serving a steady stream of puts
//! and gets as fast as the machine allows, against a plain `HashMap` doing
//! the same inserts in the same process.
//!
//! Workload (the issue's): N=3 R=2 W=2, 100,000 keys of 16 bytes, values of
//! 64 bytes, 1,000 operations in flight (half puts, half gets), one-way
//! latency 1 to 10 ms, no faults. The operations come from 1,000 clients in
//! a closed loop: each starts its next operation the instant its last one
//! is answered. With the trace on, events are drained as the headless
//! runner drains them, every couple of milliseconds of virtual time.
//!
//! How it is measured (see [`measure`]): after a warm-up, 20 rounds each
//! run the HashMap baseline, the engine with the trace off, the baseline
//! again and the engine with the trace on, so that both sides are spread
//! over the same stretch of time; each side counts its fastest (run or
//! round), in the same process and under the same allocator settings.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use crate::core::client::OpKind;
use crate::core::config::{Latency, Settings};
use crate::core::ids::ClientId;
use crate::core::time::Dur;
use crate::core::trace::TraceEvent;
use crate::core::version::{Key, Value};
use crate::engine::{ClusterSpec, Engine};

use super::closed_loop;
use super::warm_memory::WarmMemory;

/// The targets for [`EngineFigures::ratio`], with the trace off and on.
pub const TARGET_TRACE_OFF: f64 = 0.5;
pub const TARGET_TRACE_ON: f64 = 0.3;

/// What the workload is made of.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    pub keys: usize,
    pub ops: usize,
    pub in_flight: usize,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            keys: 100_000,
            ops: 200_000,
            in_flight: 1_000,
        }
    }
}

/// One engine run.
#[derive(Clone, Copy, Debug)]
pub struct EngineRun {
    pub ops: usize,
    pub failed: usize,
    pub seconds: f64,
    pub virtual_seconds: f64,
    pub trace_events: u64,
}

impl EngineRun {
    pub fn ops_per_sec(&self) -> f64 {
        self.ops as f64 / self.seconds
    }
}

/// The section's figures.
#[derive(Clone, Copy, Debug)]
pub struct EngineFigures {
    pub workload: Workload,
    pub trace_on: EngineRun,
    pub trace_off: EngineRun,
    pub hashmap_inserts_per_sec: f64,
}

impl EngineFigures {
    /// The ratio: engine ops/s divided by a third of the HashMap's inserts/s.
    pub fn ratio(&self, run: &EngineRun) -> f64 {
        run.ops_per_sec() / (self.hashmap_inserts_per_sec / 3.0)
    }
}

/// The `i`-th key of a workload: 16 bytes, `key-` and twelve digits.
pub fn key(i: usize) -> Key {
    Key::from(format!("key-{i:012}"))
}

/// A 64-byte value.
pub fn value(i: usize) -> Value {
    Value::from(format!("{i:064}"))
}

/// The settings the benchmark clusters run with: one-way latency 1 to
/// 10 ms and no anti-entropy (its background traffic is not the workload).
pub fn settings() -> Settings {
    Settings {
        latency: Latency {
            min: Dur::from_millis(1),
            max: Dur::from_millis(10),
        },
        anti_entropy_interval: None,
        ..Settings::default()
    }
}

/// The cluster the workload runs on.
pub fn spec() -> ClusterSpec {
    ClusterSpec::numbered(5, 8, settings())
}

/// The workload's keys and their values, made once for all its runs:
/// formatting them is not what is measured.
#[derive(Clone)]
pub struct LoadData {
    keys: Arc<[Key]>,
    values: Arc<[Value]>,
}

impl LoadData {
    pub fn new(w: Workload) -> LoadData {
        LoadData {
            keys: (0..w.keys).map(key).collect(),
            values: (0..w.keys).map(value).collect(),
        }
    }
}

/// The workload's `i`-th operation: even ones put, odd ones get the key
/// the put before them wrote. Each key has a value of its own, as puts
/// from real clients do not share one buffer.
fn operation(i: usize, keys: &[Key], values: &[Value]) -> (Key, OpKind) {
    let k = (i / 2) % keys.len();
    let key = keys[k].clone();
    let kind = if i.is_multiple_of(2) {
        OpKind::Put {
            value: values[k % values.len()].clone(),
            w: None,
            pw: None,
            context: None,
        }
    } else {
        OpKind::Get { r: None, pr: None }
    };
    (key, kind)
}

/// Runs the workload once, as a closed loop: each client issues its next
/// operation the instant its last one finishes.
pub async fn run_engine(w: Workload, data: LoadData, tracing: bool) -> Result<EngineRun, String> {
    let mut engine = Engine::new(&spec(), 1)?;
    engine.set_tracing(tracing);
    // The run has the runtime to itself, flat out.
    engine.set_busy_polling(true);
    let LoadData { keys, values } = data;
    let clients: Vec<ClientId> = (0..w.in_flight).map(|i| engine.client(&format!("c{i}"))).collect();
    let mut trace: Vec<TraceEvent> = Vec::with_capacity(1 << 16);
    let mut trace_events = 0u64;
    let failed = Arc::new(AtomicUsize::new(0));
    let first = w.in_flight.min(w.ops);
    let (mut submitted, total, counted) = (first, w.ops, failed.clone());
    let (loop_keys, loop_values) = (keys.clone(), values.clone());
    closed_loop::start(&mut engine, move |report| {
        counted.fetch_add((!report.outcome.is_ok()) as usize, Relaxed);
        (submitted < total).then(|| {
            submitted += 1;
            operation(submitted - 1, &loop_keys, &loop_values)
        })
    });
    let start = Instant::now();
    for i in 0..first {
        let (key, kind) = operation(i, &keys, &values);
        engine.submit(clients[i % clients.len()], key, kind, None);
    }
    closed_loop::finish(&mut engine, |engine| {
        if tracing {
            engine.drain_trace(&mut trace);
            trace_events += trace.len() as u64;
            black_box(&trace);
            trace.clear();
        }
    })
    .await?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(EngineRun {
        ops: w.ops,
        failed: failed.load(Relaxed),
        seconds,
        virtual_seconds: engine.now().micros() as f64 / 1e6,
        trace_events,
    })
}

/// Inserts `keys` fresh 16-byte keys with 64-byte values into a std
/// HashMap; returns inserts per second (best of `rounds`).
pub fn hashmap_inserts_per_sec(keys: usize, rounds: usize) -> f64 {
    let mut best = 0.0f64;
    for _ in 0..rounds {
        let start = Instant::now();
        let mut map: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for i in 0..keys {
            map.insert(format!("key-{i:012}"), format!("{:064}", i % 64));
        }
        black_box(&map);
        let rate = keys as f64 / start.elapsed().as_secs_f64();
        best = best.max(rate);
    }
    best
}

/// Rounds of the measurement. Each round measures the baseline, the engine
/// with the trace off, the baseline again and the engine with the trace on,
/// one after the other, so that every figure has its chances spread over
/// the whole measurement: a busy moment of the machine falls on both
/// sides, not on one of them.
pub const ROUNDS: usize = 20;

/// Baseline rounds next to each engine run: a baseline round (about
/// 60 ms) is far shorter than an engine run (about half a second), so it
/// takes a few, back to back, to cover a comparable stretch of time.
const BASELINE_REPEATS: usize = 4;

/// One engine run, as a task of its own on the multi-threaded runtime, so
/// that the engine and the node tasks share the worker threads rather than
/// the engine waking up a blocked main thread for every window.
async fn spawned_run(w: Workload, data: &LoadData, tracing: bool) -> Result<EngineRun, String> {
    tokio::spawn(run_engine(w, data.clone(), tracing))
        .await
        .map_err(|e| format!("the engine task failed: {e}"))?
}

/// The faster of two runs.
fn faster(best: Option<EngineRun>, run: EngineRun) -> Option<EngineRun> {
    Some(best.filter(|b| b.seconds <= run.seconds).unwrap_or(run))
}

/// Measures both engine settings and the baseline, interleaved over
/// [`ROUNDS`] rounds after a warm-up that is not counted.
///
/// Both sides are measured the same way: in the same process, under the
/// same allocator settings ([`WarmMemory`], which the baseline enjoys as
/// the engine does), spread over the same stretch of time, and each is
/// its fastest: the fastest of the 20 engine runs of a setting against the
/// fastest of the 160 baseline rounds. The fastest is what the code does
/// when nothing else on the machine gets in its way; slower figures measure
/// the other programs. (Before, the baseline's rounds ran in two bursts of
/// a second or less, before and after some 20 seconds of engine runs, so
/// one busy second moved it, and with it the ratio, by a fifth.)
pub async fn measure(w: Workload) -> Result<EngineFigures, String> {
    // Every run after the first reuses the memory of the one before, as a
    // long-running cluster uses its own (see `warm_memory`).
    let _warm = WarmMemory::new();
    let data = LoadData::new(w);
    // Warm-up: the first of each pays for faulting in memory and code.
    hashmap_inserts_per_sec(w.keys, 1);
    spawned_run(w, &data, false).await?;
    spawned_run(w, &data, true).await?;
    let mut hashmap = 0.0f64;
    let (mut trace_off, mut trace_on) = (None, None);
    for _ in 0..ROUNDS {
        hashmap = hashmap.max(hashmap_inserts_per_sec(w.keys, BASELINE_REPEATS));
        trace_off = faster(trace_off, spawned_run(w, &data, false).await?);
        hashmap = hashmap.max(hashmap_inserts_per_sec(w.keys, BASELINE_REPEATS));
        trace_on = faster(trace_on, spawned_run(w, &data, true).await?);
    }
    Ok(EngineFigures {
        workload: w,
        trace_on: trace_on.ok_or("no run")?,
        trace_off: trace_off.ok_or("no run")?,
        hashmap_inserts_per_sec: hashmap,
    })
}
