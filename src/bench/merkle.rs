//! What anti-entropy costs: two replicas of 1,000,000 keys that differ in
//! 100, compared by a real session between two nodes (driven directly,
//! without the engine), against the 2d+1 hashes per differing key the
//! protocol promises and the flat comparison of every key.

use std::time::Instant;

/// What one comparison cost.
#[derive(Clone, Debug, PartialEq)]
pub struct MerkleFigure {
    pub keys: usize,
    pub differing: usize,
    pub depth: u8,
    pub hashes_compared: u64,
    pub digests_compared: u64,
    pub keys_exchanged: u64,
    pub levels: u8,
    /// 2d+1 per differing key: the bound the protocol promises.
    pub bound: u64,
    /// A flat comparison looks at every key.
    pub flat: u64,
    /// Wall time of the session, in milliseconds (messages handled back to back).
    pub session_ms: f64,
}

/// Builds two replicas of `keys` keys (one range: a single token), makes
/// `differing` of them differ, evenly spaced, and times one anti-entropy
/// session (the lab's, `lab::merkle::session`).
pub fn measure(keys: usize, differing: usize, depth: u8) -> MerkleFigure {
    let (mut a, mut b) = crate::lab::merkle::replicas(keys, differing, depth, None);
    let started = Instant::now();
    let cost = crate::lab::merkle::compare(&mut a, &mut b);
    MerkleFigure {
        keys,
        differing,
        depth,
        hashes_compared: cost.hashes_compared,
        digests_compared: cost.digests_compared,
        keys_exchanged: cost.keys_exchanged,
        levels: cost.levels,
        bound: crate::lab::theory::merkle::hash_bound(differing as u64, depth),
        flat: crate::lab::theory::merkle::flat_comparison(keys as u64),
        session_ms: started.elapsed().as_secs_f64() * 1e3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_comparison_finds_exactly_the_differing_keys_within_the_bound() {
        let f = measure(5_000, 20, 10);
        assert_eq!(f.keys_exchanged, 20);
        assert!(f.hashes_compared <= f.bound, "{f:?}");
        assert!(f.hashes_compared < f.flat);
        assert_eq!(f.levels, 10);
    }
}
