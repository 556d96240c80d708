//! A point's measured value and its spread, from the samples of its
//! trials: every spread the lab prints is a two-sided [`CONFIDENCE`]
//! confidence interval, so that among the hundred-odd points of a run about
//! one disagrees with a right prediction by chance alone.
//!
//! - [`mean_ci`]: the mean of samples, mean ± t s/√n (Student's t with
//!   n − 1 degrees of freedom: a point of few trials gets the wide interval
//!   it deserves).
//! - [`proportion_ci`]: a share of successes, the Wilson score interval.
//! - [`share_ci`]: the mean of per-trial success shares whose operations
//!   may fail together, widened to the Wilson interval of one observation
//!   per trial.
//! - [`rate_ci`]: counted events over an exposure, count ± z √count, or up
//!   to −ln(1 − level) events when none was counted.

/// The confidence level of every spread, as the output names it.
pub const CONFIDENCE: &str = "99 %";
/// The same level as a probability.
pub const LEVEL: f64 = 0.99;
/// z for a two-sided [`LEVEL`] interval.
pub const Z: f64 = 2.575_829;

/// A measured value with the low and high ends of its spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    /// How many samples (trials) it rests on.
    pub samples: u64,
}

/// Two-sided [`LEVEL`] quantiles of Student's t for 1 to 30 degrees of freedom.
const T99: [f64; 30] = [
    63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355, 3.250, 3.169, 3.106, 3.055, 3.012, 2.977, 2.947, 2.921,
    2.898, 2.878, 2.861, 2.845, 2.831, 2.819, 2.807, 2.797, 2.787, 2.779, 2.771, 2.763, 2.756, 2.750,
];

/// The two-sided [`LEVEL`] quantile of Student's t with `df` degrees of
/// freedom: the table up to 30, then the Cornish-Fisher expansion around z.
pub fn t_quantile(df: u64) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T99[df as usize - 1],
        _ => {
            let (z, d) = (Z, df as f64);
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
                + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * d.powi(3))
        }
    }
}

/// The mean of `samples` and its interval, mean ± t s/√n (s the sample
/// standard deviation, t Student's with n − 1 degrees of freedom). One
/// sample has no spread to estimate: its interval is the point; none gives
/// NaN.
pub fn mean_ci(samples: &[f64]) -> Spread {
    let n = samples.len();
    if n == 0 {
        return Spread {
            value: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
            samples: 0,
        };
    }
    let mean = samples.iter().sum::<f64>() / n as f64;
    let half = if n < 2 {
        0.0
    } else {
        let var = samples.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        t_quantile(n as u64 - 1) * (var / n as f64).sqrt()
    };
    Spread {
        value: mean,
        low: mean - half,
        high: mean + half,
        samples: n as u64,
    }
}

/// `successes` of `trials`: the share and its Wilson score interval.
pub fn proportion_ci(successes: u64, trials: u64) -> Spread {
    let (low, high) = wilson(successes as f64, trials as f64, Z);
    Spread {
        value: successes as f64 / trials.max(1) as f64,
        low,
        high,
        samples: trials,
    }
}

/// The Wilson score interval of `successes` of `trials` at `z`.
fn wilson(successes: f64, trials: f64, z: f64) -> (f64, f64) {
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

/// The mean success rate of trials that are each a share of a few
/// operations that may fail together: the interval of the shares' mean,
/// widened to the Wilson interval of the pooled rate with one observation
/// per trial (so that a run in which every trial succeeded still admits the
/// failures its trial count could have missed).
pub fn share_ci(shares: &[f64]) -> Spread {
    let s = mean_ci(shares);
    let n = shares.len() as f64;
    let (wl, wh) = wilson(s.value * n, n, Z);
    Spread {
        low: s.low.min(wl).max(0.0),
        high: s.high.max(wh).min(1.0),
        ..s
    }
}

/// `count` events over `exposure` units (node-hours): the rate and its
/// interval, count ± z √count, or 0 to −ln(1 − level) / exposure when
/// nothing was counted (the rule of three, at this level).
pub fn rate_ci(count: u64, exposure: f64, samples: u64) -> Spread {
    let c = count as f64;
    let (low, high) = if count == 0 {
        (0.0, -(1.0 - LEVEL).ln())
    } else {
        ((c - Z * c.sqrt()).max(0.0), c + Z * c.sqrt())
    };
    Spread {
        value: c / exposure,
        low: low / exposure,
        high: high / exposure,
        samples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_and_its_interval() {
        let s = mean_ci(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.value, 2.5);
        // s = 1.291, s/√4 = 0.645.
        assert!((s.high - s.value - 5.841 * 0.645_497).abs() < 1e-5, "{s:?}");
        assert!(((s.value - s.low) - (s.high - s.value)).abs() < 1e-12);
        let one = mean_ci(&[7.0]);
        assert_eq!((one.low, one.value, one.high), (7.0, 7.0, 7.0));
        let same = mean_ci(&[3.0; 10]);
        assert_eq!((same.low, same.high), (3.0, 3.0));
    }

    #[test]
    fn few_samples_get_student_s_wide_interval() {
        // Two samples 1 apart: s = 0.707, s/√2 = 0.5, t(1) = 63.657.
        let s = mean_ci(&[1.0, 2.0]);
        assert!((s.high - 1.5 - 63.657 * 0.5).abs() < 1e-9, "{s:?}");
        // The expansion meets the table and tends to z.
        assert!((t_quantile(31) - 2.744).abs() < 2e-3, "{}", t_quantile(31));
        assert!((t_quantile(60) - 2.660).abs() < 2e-3, "{}", t_quantile(60));
        assert!((t_quantile(100_000) - Z).abs() < 1e-3);
        assert!(t_quantile(30) > t_quantile(31) && t_quantile(31) > t_quantile(40));
    }

    #[test]
    fn the_level_and_z_agree() {
        // Φ(z) = (1 + level) / 2, by the erf series.
        let erf = |x: f64| {
            let mut sum = 0.0;
            let mut term = x;
            for n in 0..60 {
                sum += term / (2 * n + 1) as f64;
                term *= -x * x / (n + 1) as f64;
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        };
        assert!((erf(Z / std::f64::consts::SQRT_2) - LEVEL).abs() < 1e-6);
        assert_eq!(CONFIDENCE, format!("{} %", (LEVEL * 100.0).round()));
    }

    #[test]
    fn wilson_contains_the_rate_and_narrows_with_trials() {
        let s = proportion_ci(50, 100);
        assert!(s.low < 0.5 && s.high > 0.5 && s.value == 0.5);
        let s2 = proportion_ci(5000, 10_000);
        assert!(s2.high - s2.low < s.high - s.low);
        // The known 95 % value: 50 of 100 gives 0.404 to 0.596.
        let (l, h) = wilson(50.0, 100.0, 1.96);
        assert!((l - 0.4038).abs() < 1e-3 && (h - 0.5962).abs() < 1e-3);
        let all = proportion_ci(100, 100);
        assert!(all.high == 1.0 && all.low < 1.0 && all.low > 0.9, "{all:?}");
        assert_eq!(proportion_ci(0, 100).low, 0.0);
    }

    #[test]
    fn a_share_that_never_failed_still_admits_failures() {
        let s = share_ci(&[1.0; 20]);
        assert_eq!((s.value, s.high), (1.0, 1.0));
        assert!(s.low < 1.0 && s.low > 0.5, "{s:?}");
    }

    #[test]
    fn a_rate_of_nothing_still_has_an_upper_end() {
        let r = rate_ci(0, 10.0, 5);
        assert_eq!((r.value, r.low), (0.0, 0.0));
        assert!((r.high - 0.4605).abs() < 1e-3, "{r:?}");
        let r = rate_ci(100, 10.0, 5);
        assert_eq!(r.value, 10.0);
        assert!((r.high - 12.576).abs() < 0.01 && (r.low - 7.424).abs() < 0.01, "{r:?}");
    }
}
