//! The spread the lab prints beside a measured value.

/// z for a two-sided 99 % interval: the lab's intervals are this wide, so
/// that among the dozens of points of a run few disagree by chance alone.
pub const Z99: f64 = 2.576;

/// The Wilson score interval of a proportion: `successes` of `trials`.
pub fn wilson(successes: f64, trials: f64, z: f64) -> (f64, f64) {
    if trials <= 0.0 {
        return (0.0, 1.0);
    }
    let p = successes / trials;
    let z2 = z * z;
    let denom = 1.0 + z2 / trials;
    let centre = (p + z2 / (2.0 * trials)) / denom;
    let half = z * (p * (1.0 - p) / trials + z2 / (4.0 * trials * trials)).sqrt() / denom;
    // At 0 or all successes the interval's closed end is the rate itself
    // (the formula reaches it only up to rounding).
    let low = if successes <= 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes >= trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

/// The mean of `values` and its interval: mean ± z × sd / sqrt(count).
pub fn mean_interval(values: &[f64], z: f64) -> (f64, f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, mean, mean);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half = z * (var / n).sqrt();
    (mean, mean - half, mean + half)
}

/// The interval of a mean success rate whose trials are each a share of a
/// few operations that may fail together: the normal interval of the
/// trials' shares, widened to the Wilson interval of the pooled rate with
/// one observation per trial (so that a run in which every trial succeeded
/// still admits the failures its trial count could have missed).
pub fn share_interval(shares: &[f64], z: f64) -> (f64, f64, f64) {
    let (mean, low, high) = mean_interval(shares, z);
    let (wl, wh) = wilson(mean * shares.len() as f64, shares.len() as f64, z);
    (mean, low.min(wl).max(0.0), high.max(wh).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_contains_the_rate_and_narrows_with_trials() {
        let (l, h) = wilson(50.0, 100.0, Z99);
        assert!(l < 0.5 && h > 0.5);
        let (l2, h2) = wilson(5000.0, 10_000.0, Z99);
        assert!(h2 - l2 < h - l);
        // The known 95 % value: 50 of 100 gives 0.404 to 0.596.
        let (l, h) = wilson(50.0, 100.0, 1.96);
        assert!((l - 0.4038).abs() < 1e-3 && (h - 0.5962).abs() < 1e-3);
        let (l, h) = wilson(100.0, 100.0, Z99);
        assert!(h == 1.0 && l < 1.0 && l > 0.9, "{l} {h}");
        assert_eq!(wilson(0.0, 100.0, Z99).0, 0.0);
    }

    #[test]
    fn mean_interval_of_equal_values_is_a_point() {
        assert_eq!(mean_interval(&[2.0, 2.0, 2.0], Z99), (2.0, 2.0, 2.0));
        let (m, l, h) = mean_interval(&[1.0, 2.0, 3.0], Z99);
        assert_eq!(m, 2.0);
        assert!(l < 2.0 && h > 2.0);
    }
}
