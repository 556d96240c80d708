//! `ringside chaos`: random faults over many seeds, and a checker that
//! holds each seed to what its clock mode promises, judged from the clients'
//! own history rather than the engine's account: with dotted version vectors
//! no acknowledged add may be lost (but for what a hostile context claimed);
//! with vector clocks a loss passes only where two writes through one
//! coordinator, from contexts that had not seen each other, raced (the
//! report counts them); with last-write-wins losses are counted, not
//! failed. The other invariants (convergence, no superseded sibling, fresh
//! reads where the settings promise them, settled membership, an engine
//! that answers, every acknowledged put a new event) hold in every mode;
//! [`checks`] lists them.
//!
//! Each seed runs a shopping-cart workload under faults drawn from the seed
//! (see [`driver`]), heals everything, waits for the cluster to settle and
//! reads every cart back; [`checks`] judges the record. A failing seed is
//! written out as a preset that replays it exactly ([`replay`]).

pub mod checks;
pub mod driver;
pub mod history;
pub mod made;
pub mod oracle;
pub mod record;
pub mod replay;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use checks::{Verdict, check};
pub use driver::{ChaosConfig, DEFAULT_CARTS, DEFAULT_CLIENTS, DEFAULT_OPS, client_names, run_seed};

/// How a chaos run is set up.
#[derive(Clone, Debug)]
pub struct ChaosOptions {
    pub config: ChaosConfig,
    pub first: u64,
    pub last: u64,
    pub jobs: usize,
    /// Where replay presets of failing seeds go.
    pub out: PathBuf,
    /// Write a replay even when the seed passes (for `--seed`).
    pub always_write: bool,
}

/// One seed's verdict, and where its replay was written.
#[derive(Clone, Debug)]
pub struct SeedOutcome {
    pub verdict: Verdict,
    pub replay: Option<PathBuf>,
}

/// How many failing seeds a report keeps in full; the rest are counted.
const KEPT_FAILURES: usize = 1000;

/// The whole run, summed as seeds finish so that a run of any length keeps
/// its memory flat: totals, the first seed's outcome, and the first
/// [`KEPT_FAILURES`] failing seeds.
#[derive(Clone, Debug, Default)]
pub struct ChaosReport {
    pub seeds: usize,
    pub passed: usize,
    pub lost: usize,
    pub explained: usize,
    pub acked: usize,
    pub ops: usize,
    pub faults: usize,
    pub stale_reads: usize,
    pub stale_across_ring_change: usize,
    /// The outcome of the run's first seed (what `--seed` prints).
    pub first: Option<SeedOutcome>,
    /// Failing seeds in the order they finished, at most [`KEPT_FAILURES`].
    pub failing: Vec<SeedOutcome>,
}

impl ChaosReport {
    pub fn failed(&self) -> usize {
        self.seeds - self.passed
    }

    fn add(&mut self, outcome: SeedOutcome, first_seed: u64) {
        let v = &outcome.verdict;
        self.seeds += 1;
        self.passed += v.passed() as usize;
        self.lost += v.lost;
        self.explained += v.explained;
        self.acked += v.acked;
        self.ops += v.ops;
        self.faults += v.faults;
        self.stale_reads += v.stale_reads;
        self.stale_across_ring_change += v.stale_across_ring_change;
        if v.seed == first_seed {
            self.first = Some(outcome.clone());
        }
        if !outcome.verdict.passed() && self.failing.len() < KEPT_FAILURES {
            self.failing.push(outcome);
        }
    }
}

/// Seeds run in parallel by default: one per core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs one seed on a runtime of its own and judges it.
pub fn run_one(opts: &ChaosOptions, seed: u64) -> SeedOutcome {
    // No I/O or timer driver: the engine needs neither (see `cli::runtime`).
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime starts");
    let (record, replay) = rt.block_on(run_seed(&opts.config, seed));
    let verdict = check(&record);
    let mut path = None;
    if !verdict.passed() || opts.always_write {
        let mode = opts.config.spec.settings.clocks.name();
        let name = format!("chaos-{mode}-seed{seed}");
        let description = if verdict.passed() {
            format!("Replay of chaos seed {seed} ({mode} clocks): it passed.")
        } else {
            format!(
                "Replay of chaos seed {seed} ({mode} clocks): {}",
                verdict.failures.join(" / ")
            )
        };
        let mut description = description;
        let settings = &opts.config.spec.settings;
        if settings.clocks == crate::core::version::ClockMode::BrokenVector || settings.planted.is_some() {
            description.push_str(" (a planted defect cannot be written down: this replay runs without it)");
        }
        let mut clients = client_names(opts.config.clients);
        clients.push("checker".into());
        let text = replay.render(&name, &description, seed, &clients);
        let file = opts.out.join(format!("{name}.yaml"));
        if std::fs::create_dir_all(&opts.out).is_ok() && std::fs::write(&file, text).is_ok() {
            path = Some(file);
        }
    }
    SeedOutcome { verdict, replay: path }
}

/// Runs every seed, `jobs` at a time, and prints a line per failing seed as
/// seeds finish.
pub fn run(opts: &ChaosOptions, out: &mut (dyn Write + Send)) -> ChaosReport {
    let next = AtomicU64::new(opts.first);
    let report = Mutex::new(ChaosReport::default());
    let out = Mutex::new(out);
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let seed = next.fetch_add(1, Ordering::Relaxed);
                    if seed > opts.last {
                        break;
                    }
                    let outcome = run_one(opts, seed);
                    if !outcome.verdict.passed()
                        && let Ok(mut o) = out.lock()
                    {
                        let _ = writeln!(o, "{}", failure_line(&outcome));
                    }
                    if let Ok(mut r) = report.lock() {
                        r.add(outcome, opts.first);
                    }
                }
            });
        }
    });
    let mut report = report.into_inner().unwrap_or_default();
    report.failing.sort_by_key(|o| o.verdict.seed);
    report
}

/// `seed 17: ... → replay: ringside run chaos-failures/chaos-vector-seed17.yaml`
pub fn failure_line(o: &SeedOutcome) -> String {
    let v = &o.verdict;
    let mut line = format!("seed {}: {}", v.seed, v.failures.first().cloned().unwrap_or_default());
    if v.failures.len() > 1 {
        line.push_str(&format!(" (+{} more)", v.failures.len() - 1));
    }
    if let Some(p) = &o.replay {
        line.push_str(&format!(
            "\n  replay: ringside run {}   (or ringside play {})",
            p.display(),
            p.display()
        ));
    }
    line
}

/// The closing lines: the summary and what the clock mode lost.
pub fn summary(report: &ChaosReport, mode: crate::core::version::ClockMode) -> String {
    let r = report;
    let mut s = format!(
        "{} seeds, {} operations, {} acknowledged adds, {} faults; {} stale reads",
        r.seeds, r.ops, r.acked, r.faults, r.stale_reads
    );
    if r.stale_across_ring_change > 0 {
        s.push_str(&format!(
            " ({} by quorums that missed the write across a join or leave)",
            r.stale_across_ring_change
        ));
    }
    s.push('\n');
    let (lost, explained) = (r.lost, r.explained);
    match mode {
        crate::core::version::ClockMode::Lww => s.push_str(&format!(
            "lww: {lost} acknowledged adds lost, as last-write-wins loses concurrent writes\n"
        )),
        crate::core::version::ClockMode::Dotted => s.push_str(&format!(
            "dotted: {lost} acknowledged adds lost, {explained} of them claimed by a hostile context\n"
        )),
        _ => s.push_str(&format!(
            "{}: {lost} acknowledged adds lost, {explained} of them explained by a race in the clients' history\n",
            mode.name()
        )),
    }
    s.push_str(&format!("seeds: {} passed, {} failed", r.passed, r.failed()));
    s
}
