//! Running an experiment's trials on every core, with figures that do not
//! depend on how many: each unit of work gets its seed from (seed, point,
//! unit) alone, and results come back in the units' order.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::core::hash::mix64;

/// The seed of unit `unit` of point `point` of a run seeded `seed`.
pub fn trial_seed(seed: u64, point: u64, unit: u64) -> u64 {
    mix64(mix64(mix64(seed ^ 0x6c61_6220) ^ point) ^ unit)
}

/// `f` applied to every item on `jobs` threads; the results in the items' order.
pub fn map<T: Sync, R: Send>(jobs: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    if let Ok(mut all) = results.lock() {
                        all[i] = Some(r);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every item was mapped"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_whatever_the_jobs() {
        let items: Vec<u64> = (0..100).collect();
        let one = map(1, &items, |&i| trial_seed(1, i, 2));
        let four = map(4, &items, |&i| trial_seed(1, i, 2));
        assert_eq!(one, four);
        assert_ne!(trial_seed(1, 0, 1), trial_seed(1, 1, 0));
        assert_ne!(trial_seed(1, 0, 0), trial_seed(2, 0, 0));
    }
}
