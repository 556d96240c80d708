//! `ringside bench`: figures that hold the implementation to its targets.
//! Each section prints what it measured and how that compares to its
//! baseline or theory, measured in the same run (these machines are noisy:
//! ratios within one run are what count). `--json` prints one object per
//! section.

pub mod gossip;
pub mod merkle;

use std::io::Write;

use serde_json::json;

/// The sections of `ringside bench`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Rounds for a membership change to reach every node.
    Gossip,
    /// Hashes compared and keys exchanged by anti-entropy.
    Merkle,
}

/// Runs `only` (or every section) and writes the figures to `out`.
pub async fn run(json: bool, only: Option<Section>, out: &mut dyn Write) -> anyhow::Result<()> {
    let wants = |s: Section| only.is_none_or(|x| x == s);
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
