//! What one Merkle anti-entropy session costs, in theory.
//!
//! Two replicas of `keys` keys differ in `k` of them, each in a leaf of a
//! depth-`d` tree chosen uniformly (a key's leaf is a hash of its
//! position). The session compares the root, then both children of every
//! differing tree node above the leaves; a node at level `l` differs when
//! one of the `k` keys falls under it, with probability
//! `1 - (1 - 2^-l)^k`. So the expected hashes compared are
//!
//! ```text
//! E[hashes] = 1 + 2 Σ_{l=0}^{d-1} 2^l (1 - (1 - 2^-l)^k)
//! ```
//!
//! at most `k(2d+1)` (each differing key adds at most two hashes per level
//! and the root is counted once) and at most the whole tree, `2^(d+1) - 1`.
//! At the differing leaves the replicas compare the digests of every key
//! there: `k` plus each other key whose leaf holds a differing one,
//! `E[digests] = k + (keys - k)(1 - (1 - 2^-d)^k)`. Exactly the `k` keys
//! are exchanged. A flat comparison looks at all `keys` digests.

/// The expected tree-node hashes compared for `k` differing keys at depth `d`.
pub fn expected_hashes(k: u64, depth: u8) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let mut sum = 1.0;
    for level in 0..depth as i32 {
        let nodes = 2f64.powi(level);
        sum += 2.0 * nodes * (1.0 - (1.0 - 1.0 / nodes).powf(k as f64));
    }
    sum
}

/// The expected key digests compared at the differing leaves.
pub fn expected_digests(k: u64, depth: u8, keys: u64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    let leaves = 2f64.powi(depth as i32);
    k as f64 + (keys - k) as f64 * (1.0 - (1.0 - 1.0 / leaves).powf(k as f64))
}

/// The protocol's promise: at most 2d+1 hashes per differing key.
pub fn hash_bound(k: u64, depth: u8) -> u64 {
    k * (2 * depth as u64 + 1)
}

/// A flat comparison looks at every key's digest.
pub fn flat_comparison(keys: u64) -> u64 {
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Equal replicas: the root alone.
        assert_eq!(expected_hashes(0, 10), 1.0);
        assert_eq!(expected_digests(0, 10, 1000), 0.0);
        // One differing key walks one path: exactly the bound, 2d+1.
        assert_eq!(expected_hashes(1, 10), 21.0);
        assert_eq!(hash_bound(1, 10), 21);
        // Two keys at depth 1 share the root; they fall in different leaves
        // half the time: 1 + 2 = 3 hashes either way.
        assert_eq!(expected_hashes(2, 1), 3.0);
        // Two keys at depth 2: level 1 has two nodes, both differ with
        // probability 1/2: 1 + 2 + 2 × 2 × (1 - 1/4) = 6.
        assert!((expected_hashes(2, 2) - 6.0).abs() < 1e-12);
        // Very many keys touch every node: the whole tree, 2^(d+1) - 1.
        assert!((expected_hashes(1 << 30, 4) - 31.0).abs() < 1e-6);
        // One differing key's leaf holds 1/2^d of the other keys.
        assert!((expected_digests(1, 4, 161) - (1.0 + 160.0 / 16.0)).abs() < 1e-12);
        assert_eq!(flat_comparison(10_000), 10_000);
    }

    #[test]
    fn the_expectation_stays_within_the_bound() {
        for depth in [1u8, 4, 10, 16] {
            for k in [1u64, 2, 10, 100, 10_000] {
                let e = expected_hashes(k, depth);
                assert!(e <= hash_bound(k, depth) as f64 + 1e-9, "k={k} d={depth}: {e}");
                assert!(e <= 2f64.powi(depth as i32 + 1) - 1.0 + 1e-9);
            }
        }
    }
}
