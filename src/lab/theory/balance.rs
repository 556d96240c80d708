//! Balance of the ring: how much more than its fair share the busiest node
//! owns, and how much of the key space a newcomer takes.
//!
//! With one random token per node the n ranges are the spacings of n
//! uniform points on a circle, and the expected largest is H_n / n (the
//! n-th harmonic number over n): n × max share is H_n on average. With T
//! tokens a node's share is the sum of T spacings, which the lab
//! approximates as n independent Gamma(T, 1) variables over their mean T
//! (the shares' sum-to-one constraint is dropped): E[n × max share] ≈
//! E[max of n Gamma(T, 1)] / T. For T = 1 this is exactly H_n, since the
//! largest of n exponentials has mean H_n.

/// H_n = 1 + 1/2 + ... + 1/n.
pub fn harmonic(n: u64) -> f64 {
    (1..=n).map(|k| 1.0 / k as f64).sum()
}

/// The ideal fraction of keys that move when one node joins n: 1/(n+1).
pub fn ideal_moved(n: u64) -> f64 {
    1.0 / (n as f64 + 1.0)
}

/// P(X <= x) for X ~ Gamma(shape `t`, scale 1), t a whole number: one minus
/// the Poisson(x) probability of fewer than t events.
fn gamma_cdf(t: u64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let ln_x = x.ln();
    let mut ln_fact = 0.0;
    let mut tail = 0.0;
    for k in 0..t {
        if k > 0 {
            ln_fact += (k as f64).ln();
        }
        tail += (k as f64 * ln_x - x - ln_fact).exp();
    }
    (1.0 - tail).clamp(0.0, 1.0)
}

/// E[n × max share] with `t` random tokens per node, by the Gamma
/// approximation above: E[max of n Gamma(t,1)] / t, integrating
/// P(max > x) = 1 - F(x)^n numerically (Simpson's rule).
pub fn expected_max_share_ratio(n: u64, t: u64) -> f64 {
    let t = t.max(1);
    if n <= 1 {
        return 1.0;
    }
    let tf = t as f64;
    // Far enough into the tail that P(max > x) is negligible.
    let upper = tf + 12.0 * tf.sqrt() + 4.0 * (n as f64).ln() + 30.0;
    let steps = 20_000usize;
    let h = upper / steps as f64;
    let g = |x: f64| 1.0 - gamma_cdf(t, x).powi(n as i32);
    let mut sum = g(0.0) + g(upper);
    for i in 1..steps {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * g(i as f64 * h);
    }
    sum * h / 3.0 / tf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harmonic_numbers() {
        assert!((harmonic(10) - 2.928_968).abs() < 1e-6, "H_10 = 2.929");
        assert_eq!(harmonic(1), 1.0);
        assert!((harmonic(2) - 1.5).abs() < 1e-12);
    }

    #[test]
    fn one_token_gives_the_harmonic_number() {
        for n in [2, 5, 10, 32] {
            let e = expected_max_share_ratio(n, 1);
            assert!(
                (e - harmonic(n)).abs() < 1e-4,
                "n={n}: {e} against H_n = {}",
                harmonic(n)
            );
        }
    }

    #[test]
    fn more_tokens_approach_one_from_above() {
        let mut last = f64::INFINITY;
        for t in [1, 2, 4, 16, 64, 256] {
            let e = expected_max_share_ratio(10, t);
            assert!(e > 1.0 && e < last, "T={t}: {e}");
            last = e;
        }
        // The normal limit: 1 + E[max of 10 standard normals] / sqrt(T) = 1 + 1.5388/16.
        assert!((expected_max_share_ratio(10, 256) - (1.0 + 1.5388 / 16.0)).abs() < 0.01);
    }

    #[test]
    fn the_ideal_move_is_one_over_n_plus_one() {
        assert!((ideal_moved(10) - 1.0 / 11.0).abs() < 1e-12);
    }
}
