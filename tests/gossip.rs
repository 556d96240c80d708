//! Gossip spreads a membership change to all of 64 nodes within twice the
//! push-pull estimate of rounds on most seeds.

use ringside::bench::gossip::{reference_rounds, rounds_to_spread};

#[test]
fn a_join_reaches_all_of_64_nodes_within_twice_the_theoretical_rounds() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let bound = 2.0 * reference_rounds(64).unwrap();
    let seeds = 10;
    let rounds: Vec<f64> = (1..=seeds)
        .map(|s| rt.block_on(rounds_to_spread(64, s)).unwrap())
        .collect();
    let within = rounds.iter().filter(|r| **r <= bound).count();
    assert!(
        within * 10 >= seeds as usize * 9,
        "only {within} of {seeds} seeds within {bound} rounds: {rounds:?}"
    );
    assert!(
        rounds.iter().all(|r| *r > 1.0),
        "news cannot reach 64 nodes in one round: {rounds:?}"
    );
}
