//! `ringside run`: a scenario with no UI, as fast as the machine allows.

use std::io::Write;

use crate::core::plural::count;
use crate::core::trace::TraceEvent;
use crate::engine::Engine;
use crate::metrics::{Metrics, columns};

use super::bulk_timeline::BulkTimeline;
use super::director::Director;
use super::load::Scenario;
use super::timeline;
use super::traffic_timeline::TrafficTimeline;

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Print the trace as JSON lines instead of the timeline.
    pub json: bool,
    /// Show every message and stored version in the timeline, and each operation of a fill or scan.
    pub verbose: bool,
    /// Write the metrics here as CSV, one row per virtual second.
    pub metrics: Option<std::path::PathBuf>,
}

/// How a run went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub passed: usize,
    pub failed: usize,
}

/// Runs `scenario` to the end, writing its output to `out`. Every trace
/// event is also handed to `keep` (tests collect them).
pub async fn run(
    scenario: &Scenario,
    opts: &RunOptions,
    out: &mut dyn Write,
    keep: impl FnMut(&TraceEvent),
) -> anyhow::Result<RunSummary> {
    run_keeping_engine(scenario, opts, out, keep)
        .await
        .map(|(summary, _)| summary)
}

/// [`run`], handing back the engine as the run left it (for exports, which
/// need the names of every node and client, and for `ringside history`,
/// which asks the replicas what they hold).
pub async fn run_keeping_engine(
    scenario: &Scenario,
    opts: &RunOptions,
    out: &mut dyn Write,
    mut keep: impl FnMut(&TraceEvent),
) -> anyhow::Result<(RunSummary, Engine)> {
    let seed = opts.seed.unwrap_or(scenario.seed);
    let mut engine = scenario.start_engine(seed).map_err(anyhow::Error::msg)?;
    let mut csv = match &opts.metrics {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot write the metrics to {}: {e}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            writeln!(w, "{}", columns::header())?;
            Some((w, None::<u64>))
        }
        None => None,
    };
    // Rows are written as their seconds close, so that the ring of rows
    // the metrics keep never drops one before it is written.
    let mut write_rows = |engine: &Engine| -> std::io::Result<()> {
        if let Some((w, last)) = csv.as_mut()
            && let Some(m) = engine.trace_tap::<Metrics>()
        {
            for row in m.closed_after(*last) {
                writeln!(w, "{}", columns::line(row))?;
                *last = Some(row.second);
            }
        }
        Ok(())
    };
    if !opts.json {
        header(scenario, &engine, seed, out)?;
    }
    let mut director = Director::new(scenario);
    let mut buffer: Vec<TraceEvent> = Vec::new();
    let mut write_error: Option<std::io::Error> = None;
    let mut keep_first_error = |result: std::io::Result<()>| {
        if let Err(e) = result
            && write_error.is_none()
        {
            write_error = Some(e);
        }
    };
    // Fills and scans are one line each, traffic one line a step, unless
    // verbose.
    let mut bulk = BulkTimeline::new(&scenario.steps);
    let mut traffic = TrafficTimeline::new();
    let mut flush = |engine: &mut Engine, out: &mut dyn Write| {
        keep_first_error(write_rows(engine));
        engine.drain_trace(&mut buffer);
        for ev in buffer.drain(..) {
            keep(&ev);
            if opts.json {
                keep_first_error(writeln!(out, "{}", timeline::to_json(&ev, engine.names())));
                continue;
            }
            let (in_traffic, before) = traffic.fold(&ev, engine.names());
            for line in before {
                keep_first_error(writeln!(out, "{line}"));
            }
            let fold = bulk.fold(&ev, engine.names());
            if (!(fold.folded || in_traffic) || opts.verbose)
                && let Some(line) = timeline::line(&ev, engine.names(), opts.verbose)
            {
                keep_first_error(writeln!(out, "{line}"));
            }
            for line in fold.after {
                keep_first_error(writeln!(out, "{line}"));
            }
        }
    };
    flush(&mut engine, out);
    director.run_to_end(&mut engine, |engine| flush(engine, out)).await;
    flush(&mut engine, out);
    let now = engine.now();
    if let Some(m) = engine.trace_tap_mut::<Metrics>() {
        m.finish(now);
    }
    keep_first_error(write_rows(&engine));
    if let Some((w, _)) = csv.as_mut() {
        keep_first_error(w.flush());
    }
    if !opts.json {
        for line in traffic.summary(engine.now()) {
            keep_first_error(writeln!(out, "{line}"));
        }
        for line in bulk.finish(engine.now()) {
            keep_first_error(writeln!(out, "{line}"));
        }
    }
    if let Some(e) = write_error {
        // A closed pipe (ringside run x | head) is not an error of the run.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    let summary = RunSummary {
        passed: director.passed,
        failed: director.failed,
    };
    let end = if opts.json {
        serde_json::json!({"event": "summary", "passed": summary.passed, "failed": summary.failed, "t_us": engine.now().micros()})
            .to_string()
    } else {
        format!("expectations: {} passed, {} failed", summary.passed, summary.failed)
    };
    let _ = writeln!(out, "{end}");
    Ok((summary, engine))
}

fn header(scenario: &Scenario, engine: &Engine, seed: u64, out: &mut dyn Write) -> std::io::Result<()> {
    let s = engine.settings();
    let names: Vec<&str> = engine.names().node_names().collect();
    let nodes = if names.len() > 6 {
        format!(
            "{} ({}..{})",
            count(names.len(), "node"),
            names[0],
            names[names.len() - 1]
        )
    } else {
        format!("{} ({})", count(names.len(), "node"), names.join(", "))
    };
    writeln!(out, "ringside · {} (seed {seed})", scenario.name)?;
    if !scenario.description.is_empty() {
        writeln!(out, "{}", scenario.description.trim())?;
    }
    writeln!(
        out,
        "cluster: {nodes}, N={} R={} W={}, latency {}, request timeout {}, {}",
        s.replicas,
        s.read_quorum,
        s.write_quorum,
        s.latency,
        s.request_timeout,
        s.routing.name()
    )?;
    writeln!(out)
}
