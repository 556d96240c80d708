//! Shared by the integration tests.

use proptest::test_runner::{Config, FileFailurePersistence, RngSeed};

/// A property-test configuration for the engine-driven properties: `cases`
/// cases from a fixed seed, so CI runs are repeatable; `PROPTEST_CASES` and
/// `PROPTEST_RNG_SEED` override both for a longer or different search.
///
/// Failures are saved beside the test, in `tests/NAME.proptest-regressions`
/// for `tests/NAME.rs`, and every saved seed is replayed before any new
/// case (`tests/proptest_regressions.rs` holds this). Proptest's default,
/// `SourceParallel`, looks for a `lib.rs` or `main.rs` above the test's
/// file, finds none under tests/, warns and falls back to this same path:
/// it is named here so that the path does not depend on that search.
#[allow(dead_code)] // not every test file that shares this module runs properties
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
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..from_env
    }
}

/// A two-worker runtime, as the playground and the headless runner use.
#[allow(dead_code)] // not every test file that shares this module drives an engine
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
