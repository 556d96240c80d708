//! `ringside bench`: figures that hold the implementation to its targets.
//! Each section prints what it measured and how that compares to its
//! baseline, theory or target, measured in the same run (these machines are
//! noisy: ratios within one run are what count), on lines that start with
//! the section's name. `--json` prints one object per section instead, to
//! track the figures over time. Targets are met here, never asserted as
//! timings in tests.
//!
//! Sections run in the order engine, scale, gossip, detector, merkle, chaos, tui, rewind,
//! traffic;
//! when they all run, scale measures in a process of its own, since its
//! figures are memory.

pub mod chaos;
pub mod closed_loop;
pub mod detector;
pub mod engine;
pub mod gossip;
pub mod merkle;
pub mod rewind;
pub mod scale;
pub mod traffic;
pub mod tui;
pub mod warm_memory;

use std::io::Write;

use serde_json::json;

/// The sections of `ringside bench`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Operations per second of a five-node cluster, against a HashMap.
    Engine,
    /// Wall time and memory of loading 1,000,000 keys into 128 nodes.
    Scale,
    /// Rounds for a membership change to reach every node.
    Gossip,
    /// False suspicions of a fault-free cluster and the time to see a crash,
    /// for both failure detectors.
    Detector,
    /// Hashes compared and keys exchanged by anti-entropy.
    Merkle,
    /// Seeds per second of the default chaos run on every core.
    Chaos,
    /// Milliseconds to draw the playground at 200x60 with 64 nodes.
    Tui,
    /// Milliseconds for the playground to rewind a 10-minute session.
    Rewind,
    /// The highest `:traffic` rate the playground sustains at 1x on five
    /// nodes, and the frame time under 1,000 operations a second.
    Traffic,
}

/// Runs `only` (or every section) and writes the figures to `out`.
pub async fn run(json: bool, only: Option<Section>, out: &mut dyn Write) -> anyhow::Result<()> {
    let wants = |s: Section| only.is_none_or(|x| x == s);
    if wants(Section::Engine) {
        engine_section(json, out).await?;
    }
    if wants(Section::Scale) {
        // Among other sections, in a process of its own: see `scale_in_fresh_process`.
        scale_section(json, only.is_none(), out).await?;
    }
    if wants(Section::Gossip) {
        gossip_section(json, out).await?;
    }
    if wants(Section::Detector) {
        detector_section(json, out).await?;
    }
    if wants(Section::Merkle) {
        merkle_section(json, out)?;
    }
    if wants(Section::Chaos) {
        chaos_section(json, out).await?;
    }
    if wants(Section::Tui) {
        tui_section(json, out).await?;
    }
    if wants(Section::Rewind) {
        rewind_section(json, out).await?;
    }
    if wants(Section::Traffic) {
        traffic_section(json, out).await?;
    }
    Ok(())
}

async fn rewind_section(as_json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let figures = rewind::measure().await.map_err(anyhow::Error::msg)?;
    let ops = figures.ops;
    let worst = figures
        .jumps
        .iter()
        .filter(|j| !j.from_start)
        .map(|j| j.took)
        .max()
        .unwrap_or_default();
    if as_json {
        let rows: Vec<_> = figures
            .jumps
            .iter()
            .map(|j| json!({"to_us": j.to.micros(), "ms": j.took.as_secs_f64() * 1e3, "from_start": j.from_start}))
            .collect();
        writeln!(
            out,
            "{}",
            json!({"section": "rewind", "session_s": rewind::SESSION.micros() / 1_000_000, "nodes": 5, "ops": ops,
                   "checkpoints": figures.checkpoints,
                   "jumps": rows, "worst_ms": worst.as_secs_f64() * 1e3, "target_ms": rewind::TARGET.as_millis()})
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "rewind: a session of {} virtual on 5 nodes, {ops} operations (one every {}), {} checkpoints kept",
        rewind::SESSION,
        rewind::EVERY,
        figures.checkpoints
    )?;
    for j in &figures.jumps {
        let how = if j.from_start {
            "  (from the start, no checkpoint)"
        } else {
            ""
        };
        writeln!(
            out,
            "rewind:   back to {:>8}: {:>7.1} ms{how}",
            j.to.to_string(),
            j.took.as_secs_f64() * 1e3
        )?;
    }
    let verdict = if worst <= rewind::TARGET { "meets" } else { "misses" };
    writeln!(
        out,
        "rewind: worst {:.1} ms from a checkpoint, {verdict} the target of {} ms",
        worst.as_secs_f64() * 1e3,
        rewind::TARGET.as_millis()
    )?;
    Ok(())
}

async fn gossip_section(as_json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let figures = gossip::measure(&[16, 64, 256], 20).await.map_err(anyhow::Error::msg)?;
    if as_json {
        let rows: Vec<_> = figures
            .iter()
            .map(|f| {
                json!({
                    "nodes": f.nodes, "seeds": f.seeds, "mean_rounds": f.mean, "p90_rounds": f.p90,
                    "max_rounds": f.max, "theory_rounds": f.theory, "reference_rounds": f.reference,
                    "ratio_to_theory": f.mean / f.theory,
                })
            })
            .collect();
        writeln!(out, "{}", json!({"section": "gossip", "sizes": rows}))?;
        return Ok(());
    }
    for f in figures {
        writeln!(
            out,
            "gossip: {:>3} nodes: {:.1} rounds on average (p90 {:.1}, max {:.1}) over {} seeds; log3(n) + ln ln n = {:.1}{}",
            f.nodes,
            f.mean,
            f.p90,
            f.max,
            f.seeds,
            f.theory,
            f.reference
                .map(|r| format!(", reference simulation {r:.1}"))
                .unwrap_or_default()
        )?;
    }
    writeln!(
        out,
        "gossip: (asynchronous ticks spread over each round let news make several hops a round, so fewer rounds than the synchronous estimate)"
    )?;
    Ok(())
}

/// The cluster sizes, fault-free seeds and crash seeds the detector section measures.
const DETECTOR_RUNS: [(usize, u64, u64); 2] = [(5, 100, 100), (64, 2, 10)];

async fn detector_section(as_json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    use crate::core::config::{FailureDetector, Settings};
    let length = crate::core::time::Dur::from_secs(600);
    for detector in [FailureDetector::Heartbeat, FailureDetector::Phi] {
        let settings = Settings {
            failure_detector: detector,
            ..Settings::default()
        };
        for (nodes, quiet, crashes) in DETECTOR_RUNS {
            let f = detector::measure(nodes, &settings, quiet, length, crashes)
                .await
                .map_err(anyhow::Error::msg)?;
            let bound = detector::stated_bound(&settings, nodes);
            if as_json {
                writeln!(
                    out,
                    "{}",
                    json!({
                        "section": "detector", "detector": f.detector, "nodes": f.nodes, "seeds": f.seeds,
                        "virtual_seconds": f.length.as_secs_f64(), "quiet_seeds": f.quiet_seeds,
                        "suspicions": f.suspicions, "downs": f.downs,
                        "crashes": f.detection.len() as u64 + f.missed, "missed": f.missed,
                        "detection_mean_s": f.detection_mean().as_secs_f64(),
                        "detection_max_s": f.detection_max().as_secs_f64(),
                        "stated_bound_s": bound.as_secs_f64(),
                    })
                )?;
                continue;
            }
            writeln!(
                out,
                "detector: {}, {} nodes: {} of {} fault-free {} runs without a suspicion ({} suspicions, {} seen down); a crash seen down by all in {:.1} s on average, at most {:.1} s (stated bound {:.1} s) over {} crashes, {} missed",
                f.detector,
                f.nodes,
                f.quiet_seeds,
                f.seeds,
                f.length,
                f.suspicions,
                f.downs,
                f.detection_mean().as_secs_f64(),
                f.detection_max().as_secs_f64(),
                bound.as_secs_f64(),
                f.detection.len() as u64 + f.missed,
                f.missed
            )?;
        }
    }
    Ok(())
}

fn merkle_section(as_json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let figures: Vec<merkle::MerkleFigure> = [10u8, 16].iter().map(|&d| merkle::measure(1_000_000, 100, d)).collect();
    if as_json {
        let rows: Vec<_> = figures
            .iter()
            .map(|f| {
                json!({
                    "keys": f.keys, "differing": f.differing, "depth": f.depth,
                    "hashes_compared": f.hashes_compared, "digests_compared": f.digests_compared,
                    "keys_exchanged": f.keys_exchanged, "bound_2d_plus_1": f.bound, "flat_comparison": f.flat,
                    "session_ms": f.session_ms, "levels": f.levels,
                })
            })
            .collect();
        writeln!(out, "{}", json!({"section": "merkle", "depths": rows}))?;
        return Ok(());
    }
    for f in figures {
        writeln!(
            out,
            "merkle: {} keys, {} differing, depth {}: {} hashes compared (bound {} x (2d+1) = {}; a flat comparison looks at {}), {} key digests, {} keys exchanged, sessions took {:.1} ms",
            f.keys,
            f.differing,
            f.depth,
            f.hashes_compared,
            f.differing,
            f.bound,
            f.flat,
            f.digests_compared,
            f.keys_exchanged,
            f.session_ms
        )?;
    }
    Ok(())
}

async fn engine_section(as_json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let f = engine::measure(engine::Workload::default())
        .await
        .map_err(anyhow::Error::msg)?;
    let run_json = |r: &engine::EngineRun| {
        json!({
            "ops": r.ops, "failed": r.failed, "seconds": r.seconds, "ops_per_sec": r.ops_per_sec(),
            "virtual_seconds": r.virtual_seconds, "trace_events": r.trace_events, "ratio": f.ratio(r),
        })
    };
    if as_json {
        writeln!(
            out,
            "{}",
            json!({
                "section": "engine", "keys": f.workload.keys, "in_flight": f.workload.in_flight,
                "hashmap_inserts_per_sec": f.hashmap_inserts_per_sec,
                "trace_off": run_json(&f.trace_off), "trace_on": run_json(&f.trace_on),
                "target_ratio_trace_off": engine::TARGET_TRACE_OFF, "target_ratio_trace_on": engine::TARGET_TRACE_ON,
                "met": f.ratio(&f.trace_off) >= engine::TARGET_TRACE_OFF && f.ratio(&f.trace_on) >= engine::TARGET_TRACE_ON,
            })
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "engine: baseline HashMap {:.0} inserts/s; a third of it is {:.0}",
        f.hashmap_inserts_per_sec,
        f.hashmap_inserts_per_sec / 3.0
    )?;
    for (name, r, target) in [
        ("trace off", &f.trace_off, engine::TARGET_TRACE_OFF),
        ("trace on ", &f.trace_on, engine::TARGET_TRACE_ON),
    ] {
        let met = if f.ratio(r) >= target { "met" } else { "NOT met" };
        writeln!(
            out,
            "engine: {name}: {} ops ({} failed) in {:.2}s = {:.0} ops/s, ratio {:.2} (target {target}: {met}); {:.1}s of virtual time, {} trace events",
            r.ops,
            r.failed,
            r.seconds,
            r.ops_per_sec(),
            f.ratio(r),
            r.virtual_seconds,
            r.trace_events
        )?;
    }
    Ok(())
}

/// The scale section's JSON object: its figures, derived figures and target.
fn scale_json(f: &scale::ScaleFigures) -> serde_json::Value {
    json!({
        "section": "scale", "nodes": f.load.nodes, "vnodes": f.load.vnodes, "keys": f.load.keys,
        "replicas": f.replicas, "in_flight": f.load.in_flight,
        "key_bytes": scale::KEY_BYTES, "value_bytes": scale::VALUE_BYTES,
        "seconds": f.seconds, "puts_per_sec": f.puts_per_sec(), "failed": f.failed,
        "virtual_seconds": f.virtual_seconds, "entries": f.entries,
        "rss_before_bytes": f.rss_before, "rss_after_bytes": f.rss_after,
        "rss_growth_bytes": f.rss_growth(), "peak_rss_bytes": f.peak_rss,
        "bytes_per_entry": f.bytes_per_entry(),
        "target_bytes_per_entry": scale::TARGET_BYTES_PER_ENTRY, "met": f.meets_target(),
    })
}

/// The figures back from [`scale_json`]'s object.
fn scale_from_json(v: &serde_json::Value) -> Option<scale::ScaleFigures> {
    let u = |k: &str| v.get(k)?.as_u64();
    let n = |k: &str| Some(u(k)? as usize);
    let x = |k: &str| v.get(k)?.as_f64();
    Some(scale::ScaleFigures {
        load: scale::ScaleLoad {
            nodes: n("nodes")?,
            vnodes: n("vnodes")?,
            keys: n("keys")?,
            in_flight: n("in_flight")?,
        },
        replicas: n("replicas")?,
        failed: n("failed")?,
        seconds: x("seconds")?,
        virtual_seconds: x("virtual_seconds")?,
        entries: n("entries")?,
        rss_before: u("rss_before_bytes")?,
        rss_after: u("rss_after_bytes")?,
        peak_rss: u("peak_rss_bytes")?,
    })
}

/// The scale figures as a fresh `ringside bench scale --json` measures
/// them. Memory that earlier sections freed stays with this process's
/// allocator, and a load here would reuse it without the resident size
/// growing: after the engine section the figure per entry came out about
/// 15% low, and the peak would be whichever section's was highest. `None`
/// when this is not the ringside binary (a test), which measures in process.
fn scale_in_fresh_process() -> Option<anyhow::Result<scale::ScaleFigures>> {
    let exe = std::env::current_exe().ok()?;
    if exe.file_stem()? != "ringside" {
        return None;
    }
    let measure = || -> anyhow::Result<scale::ScaleFigures> {
        let output = std::process::Command::new(&exe)
            .args(["bench", "scale", "--json"])
            .stderr(std::process::Stdio::inherit())
            .output()?;
        let text = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            anyhow::bail!("`{} bench scale --json` failed ({})", exe.display(), output.status);
        }
        serde_json::from_str(text.trim())
            .ok()
            .and_then(|v| scale_from_json(&v))
            .ok_or_else(|| anyhow::anyhow!("`{} bench scale --json` printed {text:?}", exe.display()))
    };
    Some(measure())
}

async fn scale_section(as_json: bool, fresh_process: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let isolated = if fresh_process {
        tokio::task::spawn_blocking(scale_in_fresh_process).await?
    } else {
        None
    };
    let f = match isolated {
        Some(figures) => figures?,
        // A task of its own on the multi-threaded runtime, as the engine
        // section's runs (see `engine::spawned_run`).
        None => tokio::spawn(scale::measure(scale::ScaleLoad::default()))
            .await?
            .map_err(anyhow::Error::msg)?,
    };
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    if as_json {
        writeln!(out, "{}", scale_json(&f))?;
        return Ok(());
    }
    writeln!(
        out,
        "scale: {} nodes x {} vnodes, N={}: {} keys loaded in {:.1}s = {:.0} puts/s ({} failed and retried; {:.1}s of virtual time)",
        f.load.nodes,
        f.load.vnodes,
        f.replicas,
        f.load.keys,
        f.seconds,
        f.puts_per_sec(),
        f.failed,
        f.virtual_seconds
    )?;
    writeln!(
        out,
        "scale: resident memory {:.0} MiB before, {:.0} MiB after (+{:.0} MiB), process peak {:.0} MiB",
        mib(f.rss_before),
        mib(f.rss_after),
        mib(f.rss_growth()),
        mib(f.peak_rss)
    )?;
    writeln!(
        out,
        "scale: {} replica entries, {:.0} bytes each beyond their {} key and value bytes (target at most {:.0}): {}",
        f.entries,
        f.bytes_per_entry(),
        scale::KEY_BYTES + scale::VALUE_BYTES,
        scale::TARGET_BYTES_PER_ENTRY,
        if f.meets_target() { "met" } else { "NOT met" }
    )?;
    Ok(())
}

async fn chaos_section(as_json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    // Its threads block: off the runtime's workers.
    let f = tokio::task::spawn_blocking(|| chaos::measure(chaos::SEEDS)).await?;
    if as_json {
        writeln!(
            out,
            "{}",
            json!({
                "section": "chaos", "seeds": f.seeds, "seconds": f.seconds, "seeds_per_sec": f.seeds_per_sec(),
                "cores": f.jobs, "passed": f.passed, "failed": f.failed, "failing_seeds": f.failing,
                "ops": f.ops, "faults": f.faults,
            })
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "chaos: {} seeds of the default run on {} cores in {:.1}s = {:.0} seeds/s ({} operations, {} faults)",
        f.seeds,
        f.jobs,
        f.seconds,
        f.seeds_per_sec(),
        f.ops,
        f.faults
    )?;
    let failing = if f.failing.is_empty() {
        String::new()
    } else {
        let seeds: Vec<String> = f.failing.iter().map(u64::to_string).collect();
        format!(
            " (failing seeds: {}; `ringside chaos --seed S` replays one)",
            seeds.join(", ")
        )
    };
    writeln!(out, "chaos: {} passed, {} failed{failing}", f.passed, f.failed)?;
    Ok(())
}

async fn tui_section(as_json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let f = tui::measure(tui::FRAMES).await.map_err(anyhow::Error::msg)?;
    let worst = f.worst().ok_or_else(|| anyhow::anyhow!("no pane was drawn"))?;
    if as_json {
        let views: Vec<_> = f
            .views
            .iter()
            .map(|v| json!({"view": v.view.label(), "frames": v.frames, "ms_per_frame": v.ms_per_frame}))
            .collect();
        writeln!(
            out,
            "{}",
            json!({
                "section": "tui", "width": tui::WIDTH, "height": tui::HEIGHT, "nodes": f.nodes,
                "log_lines": f.log_lines, "flights": f.flights, "views": views,
                "worst_view": worst.view.label(), "worst_ms_per_frame": worst.ms_per_frame,
                "target_ms_per_frame": tui::TARGET_MS, "met": f.meets_target(),
            })
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "tui: the whole screen at {}x{} with {} nodes, {} log lines and {} messages in flight",
        tui::WIDTH,
        tui::HEIGHT,
        f.nodes,
        f.log_lines,
        f.flights
    )?;
    for v in &f.views {
        writeln!(
            out,
            "tui: {} pane: {:.3} ms per frame over {} frames",
            v.view.label(),
            v.ms_per_frame,
            v.frames
        )?;
    }
    writeln!(
        out,
        "tui: worst {} pane {:.3} ms per frame (target at most {} ms): {}",
        worst.view.label(),
        worst.ms_per_frame,
        tui::TARGET_MS,
        if f.meets_target() { "met" } else { "NOT met" }
    )?;
    Ok(())
}

async fn traffic_section(as_json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let f = traffic::measure().await.map_err(anyhow::Error::msg)?;
    let runs = |runs: &[traffic::RateRun]| -> Vec<serde_json::Value> {
        runs.iter().map(|r| json!({"rate": r.rate, "speed": r.speed})).collect()
    };
    let [(panes_mean, panes_worst), (metrics_mean, metrics_worst)] = f.frames;
    if as_json {
        writeln!(
            out,
            "{}",
            json!({
                "section": "traffic", "nodes": 5,
                "playground": runs(&f.playground), "engine": runs(&f.engine),
                "playground_sustained": traffic::sustained(&f.playground),
                "engine_sustained": traffic::sustained(&f.engine),
                "frame_rate_ops": traffic::FRAME_RATE_OPS,
                "panes_ms_per_frame": panes_mean, "panes_worst_ms": panes_worst,
                "metrics_ms_per_frame": metrics_mean, "metrics_worst_ms": metrics_worst,
                "target_ms_per_frame": traffic::FRAME_TARGET_MS,
                "met": panes_worst.max(metrics_worst) <= traffic::FRAME_TARGET_MS,
            })
        )?;
        return Ok(());
    }
    for (who, list) in [("playground", &f.playground), ("engine alone", &f.engine)] {
        let speeds: Vec<String> = list.iter().map(|r| format!("{}/s {:.1}x", r.rate, r.speed)).collect();
        writeln!(out, "traffic: {who}, 5 nodes, virtual/wall time: {}", speeds.join(", "))?;
        match traffic::sustained(list) {
            Some(rate) => writeln!(
                out,
                "traffic: {who} keeps up with 1x up to {rate} ops/s (of those tried)"
            )?,
            None => writeln!(out, "traffic: {who} falls behind 1x at every rate tried")?,
        }
    }
    writeln!(
        out,
        "traffic: frames at {}x{} under {} ops/s: panes {:.2} ms mean, {:.2} worst; metrics view {:.2} ms mean, {:.2} worst (target {} ms: {})",
        traffic::WIDTH,
        traffic::HEIGHT,
        traffic::FRAME_RATE_OPS,
        panes_mean,
        panes_worst,
        metrics_mean,
        metrics_worst,
        traffic::FRAME_TARGET_MS,
        if panes_worst.max(metrics_worst) <= traffic::FRAME_TARGET_MS {
            "met"
        } else {
            "missed"
        }
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_figures_survive_their_json() {
        let f = scale::ScaleFigures {
            load: scale::ScaleLoad::default(),
            replicas: 3,
            failed: 2,
            seconds: 15.5,
            virtual_seconds: 20.25,
            entries: 3_000_000,
            rss_before: 20 << 20,
            rss_after: 900 << 20,
            peak_rss: 901 << 20,
        };
        let text = scale_json(&f).to_string();
        let back = scale_from_json(&serde_json::from_str(&text).unwrap());
        assert_eq!(back, Some(f));
        assert_eq!(scale_from_json(&json!({"section": "scale"})), None);
    }
}
