//! Availability of quorums with f of n nodes dead, chosen at random.
//!
//! Strict quorum: a key's N replicas are N of the n nodes, so the number of
//! live ones among them is hypergeometric (n nodes, n - f live, N drawn);
//! a put succeeds when at least W are live, a get when at least R are.
//! Sloppy quorum: stand-ins further along the ring count too, so W live
//! nodes anywhere suffice; but in ringside (as in Dynamo) the coordinator
//! must be one of the key's top N, so at least one of them must be live.

use super::binomial::choose;

/// P(at least `q` live among a key's `replicas`), `dead` of `nodes` dead.
pub fn strict_success(nodes: u64, dead: u64, replicas: u64, q: u64) -> f64 {
    let live = nodes.saturating_sub(dead);
    let all = choose(nodes, replicas);
    (q..=replicas)
        .map(|k| choose(live, k) * choose(nodes - live, replicas - k))
        .sum::<f64>()
        / all
}

/// P(a sloppy quorum of `q` can be met): at least `q` live nodes at all and
/// at least one live replica among the key's `replicas` to coordinate.
pub fn sloppy_success(nodes: u64, dead: u64, replicas: u64, q: u64) -> f64 {
    let live = nodes.saturating_sub(dead);
    if live < q {
        return 0.0;
    }
    strict_success(nodes, dead, replicas, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypergeometric_sums() {
        // 5 nodes, 2 dead, N=3: P(>=2 live of 3) = (C(3,2)C(2,1) + C(3,3)C(2,0)) / C(5,3) = 7/10.
        assert!((strict_success(5, 2, 3, 2) - 0.7).abs() < 1e-12);
        // P(>=1 live) = 1 - C(2,3)/C(5,3) = 1: two dead cannot cover three replicas.
        assert_eq!(strict_success(5, 2, 3, 1), 1.0);
        // 3 dead: P(all 3 live) = 1/C(5,3).
        assert!((strict_success(5, 2, 3, 3) - 0.1).abs() < 1e-12);
        assert!((strict_success(5, 3, 3, 1) - 0.9).abs() < 1e-12);
    }

    #[test]
    fn no_dead_node_means_success_and_all_dead_failure() {
        for q in 1..=3 {
            assert_eq!(strict_success(5, 0, 3, q), 1.0);
            assert_eq!(sloppy_success(5, 0, 3, q), 1.0);
            assert_eq!(strict_success(5, 5, 3, q), 0.0);
            assert_eq!(sloppy_success(5, 5, 3, q), 0.0);
        }
    }

    #[test]
    fn sloppy_needs_w_live_nodes_and_a_live_replica() {
        // 4 of 5 dead: one live node; W=1 works when it is a replica (3/5).
        assert!((sloppy_success(5, 4, 3, 1) - 0.6).abs() < 1e-12);
        assert_eq!(sloppy_success(5, 4, 3, 2), 0.0);
        // 2 dead: three live, so W=3 always works sloppily, but strictly only 1 time in 10.
        assert_eq!(sloppy_success(5, 2, 3, 3), 1.0);
        assert!(sloppy_success(5, 2, 3, 3) > strict_success(5, 2, 3, 3));
    }
}
