//! Staleness of partial quorums (Bailis et al., "Probabilistically Bounded
//! Staleness for Practical Partial Quorums", VLDB 2012).
//!
//! The closed form: a read of R replicas that meets only replicas a write
//! of W has not reached sees nothing newer with probability
//! C(N-W, R) / C(N, R): k-staleness for k = 1, at the instant of the ack,
//! if no other replica had the write yet.
//!
//! The WARS model, as ringside routes and replicates (all times one-way
//! message latencies drawn from the cluster's distribution, uniform in
//! whole microseconds as the network draws them):
//! - the put's coordinator is one of the key's N replicas (any-node routing
//!   on a cluster of exactly N nodes picks it uniformly); it **stores the
//!   value at once** when the request arrives (instant 0), sends the write
//!   to the N-1 others (W: arrives after w_j) and each acks (A: a_j later);
//!   once W-1 acks are in (the coordinator's own store is the W-th) it
//!   replies to the client, which sees the ack one latency later;
//! - the get starts t after that ack at a coordinator picked the same way,
//!   independently; it reaches it one latency later, reads its own copy at
//!   once (it counts toward R) and asks the N-1 others (R: the read
//!   arrives after r_j, the answer S: s_j later); the first R answers
//!   (its own first) decide;
//! - a replica's answer is fresh when the write reached it before the read
//!   did (the put's coordinator always is).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::binomial::choose;

/// P(a read of R meets none of the W replicas a write reached), N replicas.
pub fn closed_form_stale(n: u64, r: u64, w: u64) -> f64 {
    choose(n.saturating_sub(w), r) / choose(n, r)
}

/// The WARS model's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wars {
    pub n: usize,
    pub r: usize,
    pub w: usize,
    /// One-way latency, uniform over `min..=max` microseconds.
    pub latency_min: u64,
    pub latency_max: u64,
}

impl Wars {
    /// The probability that a get started `t_us` microseconds after the put
    /// was acknowledged returns it, by `samples` draws from `seed`.
    pub fn consistent(&self, t_us: u64, samples: u64, seed: u64) -> f64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let fresh = (0..samples).filter(|_| self.sample(t_us, &mut rng)).count();
        fresh as f64 / samples.max(1) as f64
    }

    fn lat(&self, rng: &mut ChaCha8Rng) -> u64 {
        rng.random_range(self.latency_min..=self.latency_max)
    }

    /// One put and one get: whether the get saw the put.
    fn sample(&self, t_us: u64, rng: &mut ChaCha8Rng) -> bool {
        let n = self.n.min(MAX_N);
        let put_coord = rng.random_range(0..n);
        // When each replica stores the value, from the put coordinator's receipt.
        let mut stored = [0u64; MAX_N];
        let mut acks = [u64::MAX; MAX_N];
        for j in 0..n {
            if j != put_coord {
                stored[j] = self.lat(rng);
                acks[j] = stored[j] + self.lat(rng);
            }
        }
        acks[..n].sort_unstable();
        let done = if self.w <= 1 { 0 } else { acks[self.w - 2] };
        let acked = done + self.lat(rng);
        let get_coord = rng.random_range(0..n);
        let arrives = acked + t_us + self.lat(rng);
        let has = |j: usize, at: u64| j == put_coord || stored[j] <= at;
        if has(get_coord, arrives) {
            return true;
        }
        // Its own copy answered first (stale); then the R-1 fastest of the others.
        let mut answers = [(u64::MAX, false); MAX_N];
        for (j, answer) in answers.iter_mut().enumerate().take(n) {
            if j != get_coord {
                let read = arrives + self.lat(rng);
                *answer = (read + self.lat(rng), has(j, read));
            }
        }
        answers[..n].sort_unstable_by_key(|a| a.0);
        answers.iter().take(self.r.saturating_sub(1)).any(|a| a.1)
    }
}

/// The most replicas the model draws.
const MAX_N: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    fn wars(r: usize, w: usize) -> Wars {
        Wars {
            n: 3,
            r,
            w,
            latency_min: 5_000,
            latency_max: 20_000,
        }
    }

    #[test]
    fn closed_form_values() {
        assert!(
            (closed_form_stale(3, 1, 1) - 2.0 / 3.0).abs() < 1e-12,
            "C(2,1)/C(3,1) = 2/3"
        );
        assert!((closed_form_stale(3, 1, 2) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(closed_form_stale(3, 2, 2), 0.0, "R + W > N always overlaps");
        assert_eq!(closed_form_stale(3, 3, 1), 0.0);
        // N=5, R=2, W=2: C(3,2)/C(5,2) = 3/10.
        assert!((closed_form_stale(5, 2, 2) - 0.3).abs() < 1e-12);
    }

    #[test]
    fn overlapping_quorums_are_always_consistent() {
        for (r, w) in [(1, 3), (2, 2), (3, 1), (2, 3), (3, 3)] {
            assert_eq!(wars(r, w).consistent(0, 20_000, 7), 1.0, "R={r} W={w}");
        }
    }

    #[test]
    fn partial_quorums_are_stale_at_first_and_fresh_after_the_largest_latency() {
        let p0 = wars(1, 1).consistent(0, 50_000, 1);
        // The coordinator's own copy alone makes a third of reads fresh; more
        // replicas have the write by the time the read arrives.
        assert!(p0 > 1.0 / 3.0 && p0 < 1.0, "{p0}");
        let later = wars(1, 1).consistent(5_000, 50_000, 1);
        assert!(later > p0, "{later} against {p0}");
        // With R=1 only the get's coordinator answers: it reads at least two
        // latencies (10ms) + t after the put's coordinator stored, and the
        // write reaches it at most 20ms after that: from t = 10ms none is stale.
        assert_eq!(wars(1, 1).consistent(10_000, 50_000, 1), 1.0);
        // A fixed latency L: the write lands at L, the get's coordinator
        // reads at >= 2L: always fresh.
        let fixed = Wars {
            latency_min: 10_000,
            latency_max: 10_000,
            ..wars(1, 1)
        };
        assert_eq!(fixed.consistent(0, 1000, 3), 1.0);
    }
}
