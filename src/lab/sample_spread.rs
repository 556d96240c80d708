//! A point's measured value and its spread, from the samples of its
//! trials: the mean with its 95% confidence interval (normal
//! approximation), or a rate of counted events with its Poisson interval.

/// A measured value with the low and high ends of its spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    /// How many samples it rests on.
    pub samples: u64,
}

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_964;

/// The mean of `samples` and its 95% confidence interval, mean ± 1.96 s/√n
/// (s the sample standard deviation). One sample, or none, has no spread.
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
        Z95 * (var / n as f64).sqrt()
    };
    Spread {
        value: mean,
        low: mean - half,
        high: mean + half,
        samples: n as u64,
    }
}

/// `count` events over `exposure` units (node-hours): the rate and its 95%
/// interval, count ± 1.96 √count, or 0 to 3 / exposure when nothing was
/// counted (the rule of three).
pub fn rate_ci(count: u64, exposure: f64, samples: u64) -> Spread {
    let c = count as f64;
    let (low, high) = if count == 0 {
        (0.0, 3.0)
    } else {
        ((c - Z95 * c.sqrt()).max(0.0), c + Z95 * c.sqrt())
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
        assert!((s.high - s.value - 1.959_964 * 0.645_497).abs() < 1e-5, "{s:?}");
        assert!(((s.value - s.low) - (s.high - s.value)).abs() < 1e-12);
        let one = mean_ci(&[7.0]);
        assert_eq!((one.low, one.value, one.high), (7.0, 7.0, 7.0));
        let same = mean_ci(&[3.0; 10]);
        assert_eq!((same.low, same.high), (3.0, 3.0));
    }

    #[test]
    fn a_rate_of_nothing_still_has_an_upper_end() {
        let r = rate_ci(0, 10.0, 5);
        assert_eq!((r.value, r.low, r.high), (0.0, 0.0, 0.3));
        let r = rate_ci(100, 10.0, 5);
        assert_eq!(r.value, 10.0);
        assert!((r.high - 11.96).abs() < 0.01 && (r.low - 8.04).abs() < 0.01, "{r:?}");
    }
}
