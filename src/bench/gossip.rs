//! How fast gossip spreads a membership change: a node joins an n-node
//! cluster and we count the gossip rounds until every node's ring has it.
//!
//! Push-pull gossip with one peer per round spreads news in about
//! log3(n) + O(log log n) rounds (Karp et al., "Randomized rumor
//! spreading"); a reference simulation gave about 4.2, 6.0 and 7.6 rounds
//! for 16, 64 and 256 nodes.

/// log3(n) + ln(ln(n)): the push-pull estimate of rounds to reach n nodes.
pub fn theory_rounds(n: usize) -> f64 {
    let n = n as f64;
    n.ln() / 3f64.ln() + n.ln().ln()
}

/// The rounds of a reference simulation, for n = 16, 64 and 256.
pub fn reference_rounds(n: usize) -> Option<f64> {
    match n {
        16 => Some(4.2),
        64 => Some(6.0),
        256 => Some(7.6),
        _ => None,
    }
}

/// Gossip rounds until all `n` nodes (and the joiner) have a new node on
/// their ring, for one seed, with one peer a round (the measurement is the
/// lab's: `lab::gossip`).
pub async fn rounds_to_spread(n: usize, seed: u64) -> Result<f64, String> {
    crate::lab::gossip::rounds_to_spread(n, 1, seed).await
}

/// The figures for one cluster size over `seeds` seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct GossipFigure {
    pub nodes: usize,
    pub seeds: usize,
    pub mean: f64,
    pub p90: f64,
    pub max: f64,
    pub theory: f64,
    pub reference: Option<f64>,
}

/// Measures `sizes` over seeds 1..=`seeds`.
pub async fn measure(sizes: &[usize], seeds: u64) -> Result<Vec<GossipFigure>, String> {
    let mut out = Vec::new();
    for &n in sizes {
        let mut rounds = Vec::new();
        for seed in 1..=seeds {
            rounds.push(rounds_to_spread(n, seed).await?);
        }
        rounds.sort_by(f64::total_cmp);
        let mean = rounds.iter().sum::<f64>() / rounds.len() as f64;
        out.push(GossipFigure {
            nodes: n,
            seeds: rounds.len(),
            mean,
            p90: rounds[(rounds.len() * 9 / 10).min(rounds.len() - 1)],
            max: *rounds.last().unwrap_or(&0.0),
            theory: theory_rounds(n),
            reference: reference_rounds(n),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theory_matches_the_push_pull_estimate() {
        assert!((theory_rounds(64) - 5.21).abs() < 0.01);
        assert!(theory_rounds(256) > theory_rounds(64));
    }
}
