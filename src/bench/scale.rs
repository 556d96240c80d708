//! The scale section: what a big cluster costs to fill. 128 nodes with 64
//! virtual nodes each take 1,000,000 distinct keys (16-byte keys, 64-byte
//! values, N=3) by puts through the engine, many in flight, trace off; we
//! report the wall time of the load, the resident memory it took and what
//! each stored replica entry costs beyond its key and value bytes.
//!
//! Memory is read from `/proc/self/status`: `VmRSS` just before the load
//! (the cluster built and idle) and just after it (every replica written),
//! and `VmHWM`, the process's peak. Both are the process's, so `ringside
//! bench` runs this section in a fresh process when it runs every section
//! (memory freed by the sections before would otherwise be reused unseen).
//! The per-entry figure is the issue's:
//! (RSS after − RSS before − entries × (key + value bytes)) / entries.
//! Replicas in this one process share their key's and value's allocation
//! (a message carries a reference-counted pointer), so those bytes are
//! resident once per key while the formula subtracts them once per replica:
//! that flatters the figure by about 30 bytes. The other costs count in
//! full: the store's table, each version and its clock, the Merkle trees,
//! and what clients keep (the context of every key they wrote, about 40
//! bytes an entry, although it is not the cluster's).
//!
//! Anti-entropy is off: a session started mid-load only finds writes still
//! in flight and adds repair traffic that is not the load. The Merkle trees
//! it would compare are kept up to date on every write whatever the
//! interval, so their memory counts.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use super::engine::{key, value};
use crate::core::client::OpKind;
use crate::core::time::Dur;
use crate::engine::{ClusterSpec, Engine};

/// What the load is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleLoad {
    pub nodes: usize,
    pub vnodes: usize,
    pub keys: usize,
    pub in_flight: usize,
}

impl Default for ScaleLoad {
    fn default() -> Self {
        ScaleLoad {
            nodes: 128,
            vnodes: 64,
            keys: 1_000_000,
            in_flight: 1_000,
        }
    }
}

/// Bytes of every key: `key-` and twelve digits.
pub const KEY_BYTES: usize = 16;
/// Bytes of every value: 64 digits.
pub const VALUE_BYTES: usize = 64;
/// The target: bytes per replica entry beyond key and value.
pub const TARGET_BYTES_PER_ENTRY: f64 = 300.0;

/// The section's figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScaleFigures {
    pub load: ScaleLoad,
    pub replicas: usize,
    /// Puts that did not succeed (each is retried until it does).
    pub failed: usize,
    /// Wall time of the load, from the first put to the last answer.
    pub seconds: f64,
    /// Virtual time the load took.
    pub virtual_seconds: f64,
    /// Replica entries the nodes store once every write has landed.
    pub entries: usize,
    pub rss_before: u64,
    pub rss_after: u64,
    /// The process's peak resident memory (`VmHWM`).
    pub peak_rss: u64,
}

impl ScaleFigures {
    pub fn puts_per_sec(&self) -> f64 {
        self.load.keys as f64 / self.seconds
    }

    pub fn rss_growth(&self) -> u64 {
        self.rss_after.saturating_sub(self.rss_before)
    }

    pub fn bytes_per_entry(&self) -> f64 {
        bytes_per_entry(self.rss_before, self.rss_after, self.entries, KEY_BYTES + VALUE_BYTES)
    }

    pub fn meets_target(&self) -> bool {
        self.bytes_per_entry() <= TARGET_BYTES_PER_ENTRY
    }
}

/// What each entry cost beyond `payload` bytes (its key and value): the
/// growth of resident memory less the payloads, spread over the entries.
/// Negative when the payloads alone would exceed the growth.
pub fn bytes_per_entry(rss_before: u64, rss_after: u64, entries: usize, payload: usize) -> f64 {
    if entries == 0 {
        return 0.0;
    }
    (rss_after as f64 - rss_before as f64 - (entries * payload) as f64) / entries as f64
}

/// A `/proc/self/status` field given in kB (`VmRSS`, `VmHWM`), in bytes.
pub fn status_bytes(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        let kib: u64 = rest.trim().strip_suffix("kB")?.trim().parse().ok()?;
        Some(kib * 1024)
    })
}

/// The process's `field` from `/proc/self/status`, in bytes (0 where there
/// is no /proc).
pub fn proc_status(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| status_bytes(&s, field))
        .unwrap_or(0)
}

/// The cluster the load runs on: the engine section's settings.
pub fn spec(load: &ScaleLoad) -> ClusterSpec {
    ClusterSpec::numbered(load.nodes, load.vnodes, super::engine::settings())
}

fn put(i: usize) -> OpKind {
    OpKind::Put {
        value: value(i),
        w: None,
        pw: None,
        context: None,
    }
}

/// Loads `load.keys` keys and measures. Keys and values are made as the
/// puts go, so their memory counts in the growth like everything else.
pub async fn measure(load: ScaleLoad) -> Result<ScaleFigures, String> {
    let spec = spec(&load);
    let mut engine = Engine::new(&spec, 1)?;
    engine.set_tracing(false);
    // Let the cluster settle (boot timers, a first gossip round) so that
    // the memory measured before is the idle cluster's.
    engine.run_for(Dur::from_secs(1)).await;
    let clients: Vec<_> = (0..load.in_flight).map(|i| engine.client(&format!("c{i}"))).collect();
    let rss_before = proc_status("VmRSS");
    let start = Instant::now();
    let started_at = engine.now();
    // A closed loop: each client puts the next key as soon as its last put
    // is stored. Every key must be stored: a failed put goes again.
    let failed = Arc::new(AtomicUsize::new(0));
    let first = load.in_flight.min(load.keys);
    let (mut submitted, total, counted) = (first, load.keys, failed.clone());
    super::closed_loop::start(&mut engine, move |report| {
        if !report.outcome.is_ok() {
            counted.fetch_add(1, Relaxed);
            let value = report.value.clone()?;
            let again = OpKind::Put {
                value,
                w: None,
                pw: None,
                context: None,
            };
            return Some((report.key.clone(), again));
        }
        (submitted < total).then(|| {
            submitted += 1;
            (key(submitted - 1), put(submitted - 1))
        })
    });
    for (i, &client) in clients.iter().enumerate().take(first) {
        engine.submit(client, key(i), put(i), None);
    }
    super::closed_loop::finish(&mut engine, |_| {}).await?;
    let failed = failed.load(Relaxed);
    let seconds = start.elapsed().as_secs_f64();
    let virtual_seconds = (engine.now() - started_at).as_secs_f64();
    // W=2 answers before the third replica stores: let those writes land.
    engine.run_for(Dur::from_secs(1)).await;
    let rss_after = proc_status("VmRSS");
    let peak_rss = proc_status("VmHWM");
    let entries = engine.node_ids().into_iter().map(|n| engine.status(n).stats.keys).sum();
    Ok(ScaleFigures {
        load,
        replicas: spec.settings.replicas,
        failed,
        seconds,
        virtual_seconds,
        entries,
        rss_before,
        rss_after,
        peak_rss,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_per_entry_takes_the_payload_out_of_the_growth() {
        // 1,000 entries grew memory by 380,000 bytes; 80 of each are payload.
        assert_eq!(bytes_per_entry(1_000_000, 1_380_000, 1_000, 80), 300.0);
        assert_eq!(bytes_per_entry(5, 5, 0, 80), 0.0);
        assert!(bytes_per_entry(1_000, 1_000, 10, 80) < 0.0);
    }

    #[test]
    fn status_fields_are_read_in_bytes() {
        let status = "Name:\tringside\nVmHWM:\t  123456 kB\nVmRSS:\t   65536 kB\nThreads:\t3\n";
        assert_eq!(status_bytes(status, "VmRSS"), Some(65536 * 1024));
        assert_eq!(status_bytes(status, "VmHWM"), Some(123456 * 1024));
        assert_eq!(status_bytes(status, "VmSize"), None);
        assert_eq!(status_bytes(status, "Threads"), None, "not a kB figure");
    }

    #[test]
    fn this_process_has_a_sane_resident_size() {
        if !std::path::Path::new("/proc/self/status").exists() {
            return;
        }
        let rss = proc_status("VmRSS");
        let peak = proc_status("VmHWM");
        assert!(rss > 1 << 20 && rss < 1 << 40, "VmRSS {rss}");
        assert!(peak >= rss, "the peak {peak} is at least the current {rss}");
    }

    #[test]
    fn a_small_load_stores_every_key_on_n_replicas() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let load = ScaleLoad {
            nodes: 8,
            vnodes: 4,
            keys: 2_000,
            in_flight: 50,
        };
        let f = rt.block_on(measure(load)).unwrap();
        assert_eq!(f.replicas, 3);
        assert_eq!(f.entries, 2_000 * 3);
        assert_eq!(f.failed, 0);
        // Each client's puts follow one another, and each takes at least
        // four one-way trips (the request, a write to a second replica and
        // its ack for W=2, the answer): the virtual time counts them all.
        let puts_per_client = (load.keys / load.in_flight) as f64;
        let four_trips = 4.0 * super::super::engine::settings().latency.min.as_secs_f64();
        assert!(
            f.virtual_seconds >= puts_per_client * four_trips,
            "{} virtual seconds for {puts_per_client} puts in a row per client",
            f.virtual_seconds
        );
        assert!(f.peak_rss >= f.rss_after || f.peak_rss == 0);
    }
}
