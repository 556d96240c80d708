//! Shared by the integration tests.

use proptest::test_runner::{Config, RngSeed};

/// A property-test configuration for the engine-driven properties: `cases`
/// cases from a fixed seed, so CI runs are repeatable; `PROPTEST_CASES` and
/// `PROPTEST_RNG_SEED` override both for a longer or different search.
pub fn property_config(cases: u32) -> Config {
    let from_env = Config::default();
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    let rng_seed = match std::env::var("PROPTEST_RNG_SEED") {
        Ok(_) => from_env.rng_seed,
        Err(_) => RngSeed::Fixed(0x72_696e_6773_6964),
    };
    Config {
        cases,
        rng_seed,
        failure_persistence: None,
        ..from_env
    }
}
