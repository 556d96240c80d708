//! A latency histogram: logarithmic buckets (eight to a doubling, so a
//! percentile read from it is within 9% of the true one), kept sparse so
//! that a second of traffic costs a few dozen counters.

use crate::core::time::Dur;

/// Buckets to a doubling.
const PER_OCTAVE: f64 = 8.0;

/// Counts of latencies by bucket, sorted by bucket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    buckets: Vec<(u16, u32)>,
    count: u64,
    max_us: u64,
}

/// The bucket of a latency in microseconds.
fn bucket(us: u64) -> u16 {
    ((us.max(1) as f64).log2() * PER_OCTAVE).floor() as u16
}

/// The upper bound of a bucket, in microseconds.
fn upper(b: u16) -> f64 {
    ((b as f64 + 1.0) / PER_OCTAVE).exp2()
}

impl Histogram {
    pub fn add(&mut self, d: Dur) {
        let us = d.micros();
        let b = bucket(us);
        match self.buckets.binary_search_by_key(&b, |&(k, _)| k) {
            Ok(i) => self.buckets[i].1 += 1,
            Err(i) => self.buckets.insert(i, (b, 1)),
        }
        self.count += 1;
        self.max_us = self.max_us.max(us);
    }

    pub fn merge(&mut self, other: &Histogram) {
        for &(b, n) in &other.buckets {
            match self.buckets.binary_search_by_key(&b, |&(k, _)| k) {
                Ok(i) => self.buckets[i].1 += n,
                Err(i) => self.buckets.insert(i, (b, n)),
            }
        }
        self.count += other.count;
        self.max_us = self.max_us.max(other.max_us);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The largest latency, in milliseconds (0 when empty).
    pub fn max_ms(&self) -> f64 {
        self.max_us as f64 / 1000.0
    }

    /// The `q` quantile (0 to 1) in milliseconds: the upper bound of the
    /// bucket that holds it, never above the largest latency (0 when empty).
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for &(b, n) in &self.buckets {
            seen += n as u64;
            if seen >= rank {
                return upper(b).min(self.max_us as f64) / 1000.0;
            }
        }
        self.max_ms()
    }

    /// The buckets as (upper bound in ms, count), for a bar chart.
    pub fn bars(&self) -> impl Iterator<Item = (f64, u32)> + '_ {
        self.buckets.iter().map(|&(b, n)| (upper(b) / 1000.0, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_a_bucket_of_the_truth() {
        let mut h = Histogram::default();
        for ms in 1..=100u64 {
            h.add(Dur::from_millis(ms));
        }
        let p50 = h.quantile_ms(0.5);
        let p99 = h.quantile_ms(0.99);
        assert!((50.0..=50.0 * 1.1).contains(&p50), "{p50}");
        assert!((99.0..=100.0).contains(&p99), "{p99}");
        assert_eq!(h.max_ms(), 100.0);
        let mut both = h.clone();
        both.merge(&h);
        assert_eq!(both.count(), 200);
        assert_eq!(both.quantile_ms(0.5), p50);
    }
}
