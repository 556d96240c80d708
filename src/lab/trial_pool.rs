//! Running an experiment's trials on `LabOptions::jobs` threads with
//! figures that do not depend on the number of threads: each trial's seed
//! is derived from (seed, point, trial) alone, and each point's results
//! are handed over in trial order, points in order, as soon as a point and
//! every point before it are done (so a view sees them arrive).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::core::hash::mix64;

use super::options::LabOptions;

/// The seed of trial `trial` of point `point` under the run's `seed`.
pub fn trial_seed(seed: u64, point: usize, trial: u64) -> u64 {
    mix64(mix64(mix64(seed ^ 0x6c61_625f_7365_6564) ^ point as u64) ^ trial)
}

/// Runs `trials[p]` trials of every point `p`, `trial(p, seed)` each, on
/// `opts.jobs` threads, and calls `done(p, results)` on this thread for
/// each point in order, its results in trial order. Stops at the first
/// error, or when `opts.stop` is raised.
pub fn run_trials<T: Send>(
    opts: &LabOptions,
    trials: &[u64],
    trial: &(dyn Fn(usize, u64) -> Result<T, String> + Sync),
    mut done: impl FnMut(usize, Vec<T>),
) -> anyhow::Result<()> {
    let work: Vec<(usize, u64)> = trials
        .iter()
        .enumerate()
        .flat_map(|(p, &t)| (0..t).map(move |i| (p, i)))
        .collect();
    let next = AtomicUsize::new(0);
    let jobs = opts.jobs.clamp(1, work.len().max(1));
    let mut slots: Vec<Vec<Option<T>>> = trials.iter().map(|&t| (0..t).map(|_| None).collect()).collect();
    let mut missing: Vec<u64> = trials.to_vec();
    let mut emitted = 0;
    let outcome = std::thread::scope(|scope| -> anyhow::Result<()> {
        let (tx, rx) = mpsc::channel::<(usize, u64, Result<T, String>)>();
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || {
                loop {
                    if opts.stop.stopped() {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(p, t)) = work.get(i) else { return };
                    let result = trial(p, trial_seed(opts.seed, p, t));
                    let failed = result.is_err();
                    if tx.send((p, t, result)).is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // Points with no trials at all are done at once.
        while emitted < trials.len() && missing[emitted] == 0 {
            done(emitted, Vec::new());
            emitted += 1;
        }
        for (p, t, result) in rx {
            let value = match result {
                Ok(v) => v,
                Err(e) => {
                    // The other workers stop taking trials.
                    next.store(work.len(), Ordering::Relaxed);
                    anyhow::bail!("{e}");
                }
            };
            slots[p][t as usize] = Some(value);
            missing[p] -= 1;
            while emitted < trials.len() && missing[emitted] == 0 {
                let results = std::mem::take(&mut slots[emitted]).into_iter().flatten().collect();
                done(emitted, results);
                emitted += 1;
            }
        }
        Ok(())
    });
    outcome?;
    if emitted < trials.len() {
        anyhow::bail!("stopped after {emitted} of {} points", trials.len());
    }
    Ok(())
}

/// Runs `fut` to completion on a runtime of its own on this thread, as the
/// engine needs (no I/O or timer driver: the engine uses neither).
pub fn block_on<F: std::future::Future>(fut: F) -> Result<F::Output, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    Ok(rt.block_on(fut))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(jobs: usize, trials: &[u64]) -> Vec<(usize, Vec<u64>)> {
        let opts = LabOptions {
            jobs,
            seed: 9,
            ..LabOptions::default()
        };
        let mut got = Vec::new();
        run_trials(&opts, trials, &|p, seed| Ok(seed ^ p as u64), |p, r| got.push((p, r))).unwrap();
        got
    }

    #[test]
    fn results_do_not_depend_on_the_number_of_threads() {
        let one = collect(1, &[3, 0, 5, 2]);
        assert_eq!(one.iter().map(|(p, _)| *p).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        assert_eq!(one.iter().map(|(_, r)| r.len()).collect::<Vec<_>>(), vec![3, 0, 5, 2]);
        assert_eq!(collect(4, &[3, 0, 5, 2]), one);
        assert_eq!(one[2].1[4], trial_seed(9, 2, 4) ^ 2);
    }

    #[test]
    fn an_error_stops_the_run_and_a_stop_ends_it_early() {
        let opts = LabOptions {
            jobs: 2,
            ..LabOptions::default()
        };
        let err = run_trials(
            &opts,
            &[4, 4],
            &|p, _| if p == 1 { Err("boom".into()) } else { Ok(()) },
            |_, _| {},
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "boom");
        opts.stop.stop();
        let mut seen = 0;
        let err = run_trials(&opts, &[4, 4], &|_, _| Ok(()), |_, _| seen += 1).unwrap_err();
        assert_eq!(seen, 0);
        assert!(err.to_string().contains("stopped"), "{err}");
    }
}
