//! `ringside bench`: figures that hold the implementation to its targets.
//! Each section prints what it measured and how that compares to its
//! baseline or theory, measured in the same run (these machines are noisy:
//! ratios within one run are what count). `--json` prints one object per
//! section.

pub mod engine;
pub mod gossip;
pub mod merkle;

use std::io::Write;

use serde_json::json;

/// The sections of `ringside bench`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Operations per second of a five-node cluster, against a HashMap.
    Engine,
    /// Rounds for a membership change to reach every node.
    Gossip,
    /// Hashes compared and keys exchanged by anti-entropy.
    Merkle,
}

/// Runs `only` (or every section) and writes the figures to `out`.
pub async fn run(json: bool, only: Option<Section>, out: &mut dyn Write) -> anyhow::Result<()> {
    let wants = |s: Section| only.is_none_or(|x| x == s);
    if wants(Section::Engine) {
        engine_section(json, out).await?;
    }
    if wants(Section::Gossip) {
        gossip_section(json, out).await?;
    }
    if wants(Section::Merkle) {
        merkle_section(json, out)?;
    }
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
                "target_ratio_trace_off": 0.5, "target_ratio_trace_on": 0.3,
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
    for (name, r, target) in [("trace off", &f.trace_off, 0.5), ("trace on ", &f.trace_on, 0.3)] {
        writeln!(
            out,
            "engine: {name}: {} ops ({} failed) in {:.2}s = {:.0} ops/s, ratio {:.2} (target {target}); {:.1}s of virtual time, {} trace events",
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
