//! A stable 64-bit hash: the same bytes give the same number on every run,
//! machine and build.
//!
//! std's `RandomState` is seeded per process and `DefaultHasher` may change
//! between Rust releases, so neither can place keys on a ring that must look
//! the same everywhere. This is FNV-1a followed by the MurmurHash3 finaliser,
//! which spreads FNV's weak low bits over the whole word.

use std::hash::Hasher;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Hashes a byte string to a well-spread, stable 64-bit value.
pub fn hash64(bytes: &[u8]) -> u64 {
    let mut h = StableHasher::new();
    h.write(bytes);
    h.finish()
}

/// MurmurHash3's 64-bit finaliser: a bijection that mixes every input bit
/// into every output bit.
pub fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

/// Combines two hashes in an order-sensitive way (for Merkle inner nodes).
pub fn combine(a: u64, b: u64) -> u64 {
    mix64(a ^ mix64(b.wrapping_add(0x9e37_79b9_7f4a_7c15)))
}

/// A streaming [`Hasher`] with the same output as [`hash64`].
#[derive(Clone, Debug)]
pub struct StableHasher {
    state: u64,
}

impl StableHasher {
    pub fn new() -> Self {
        StableHasher { state: FNV_OFFSET }
    }
}

impl Default for StableHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.state ^= u64::from(b);
            self.state = self.state.wrapping_mul(FNV_PRIME);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.write(&n.to_le_bytes());
    }

    fn write_u32(&mut self, n: u32) {
        self.write(&n.to_le_bytes());
    }

    fn write_u16(&mut self, n: u16) {
        self.write(&n.to_le_bytes());
    }

    fn finish(&self) -> u64 {
        mix64(self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_stable_across_builds() {
        // Pinned values: if these change, every ring in every preset moves.
        assert_eq!(hash64(b""), 17_280_346_270_528_514_342);
        assert_eq!(hash64(b"cart"), 7_336_086_097_998_059_340);
        assert_eq!(hash64(b"s1#0"), 16_122_348_322_218_029_758);
        assert_ne!(hash64(b"cart"), hash64(b"cars"));
        let mut h = StableHasher::new();
        h.write(b"ca");
        h.write(b"rt");
        assert_eq!(h.finish(), hash64(b"cart"));
    }

    #[test]
    fn spreads_similar_names_over_the_ring() {
        // Names that differ in one character must not cluster in one quarter.
        let mut quarters = [0usize; 4];
        for i in 0..400 {
            quarters[(hash64(format!("n{i}#0").as_bytes()) >> 62) as usize] += 1;
        }
        for q in quarters {
            assert!((60..=140).contains(&q), "uneven spread: {quarters:?}");
        }
    }
}
