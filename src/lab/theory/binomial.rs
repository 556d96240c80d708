//! The binomial coefficient, which the quorum and staleness predictions
//! both count with.

/// The binomial coefficient C(n, k) as a float (exact for the small values
/// the lab uses); 0 when k > n.
pub fn choose(n: u64, k: u64) -> f64 {
    if k > n {
        return 0.0;
    }
    let k = k.min(n - k);
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_coefficients() {
        assert_eq!(choose(3, 1), 3.0);
        assert_eq!(choose(5, 2), 10.0);
        assert_eq!(choose(10, 0), 1.0);
        assert_eq!(choose(2, 3), 0.0);
        assert_eq!(choose(52, 5), 2_598_960.0);
    }
}
