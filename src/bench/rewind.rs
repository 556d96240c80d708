//! `ringside bench rewind`: how long the playground takes to go back to an
//! earlier instant of a long session. A rewind starts from the latest
//! checkpoint before that instant (see `tui::checkpoints`) and takes the
//! recorded actions after it again, feeding the trace to the panes' models
//! as it goes (see `tui::time_travel`), so its cost grows with the distance
//! to that checkpoint. The jumps go to instants across the session and to
//! the one just before the end of the widest gap between checkpoints (the
//! worst placed); the last jump is made again without checkpoints, from
//! the start, as every rewind was made before them. The session: 10
//! virtual minutes on 5 nodes, a put or a get every 100 ms (6,000
//! operations). Target: at most 200 ms to any instant.

use std::time::{Duration, Instant};

use crate::core::time::{Dur, Time};
use crate::scenario::Scenario;
use crate::tui::App;

/// The session's length, in virtual time.
pub const SESSION: Dur = Dur::from_secs(600);
/// One operation this often.
pub const EVERY: Dur = Dur::from_millis(100);
/// The target for one jump.
pub const TARGET: Duration = Duration::from_millis(200);

/// One jump: to where, and how long it took.
#[derive(Clone, Debug)]
pub struct Jump {
    pub to: Time,
    pub took: Duration,
    /// Made from the start, without checkpoints.
    pub from_start: bool,
}

/// What the benchmark measured.
#[derive(Clone, Debug)]
pub struct Figures {
    pub ops: usize,
    /// Checkpoints kept at the session's end.
    pub checkpoints: usize,
    pub jumps: Vec<Jump>,
}

/// Records the session, then jumps back to instants across it.
pub async fn measure() -> Result<Figures, String> {
    let scenario = Scenario::parse("cluster: {nodes: 5}\nsteps: []\n", "bench", "rewind").map_err(|e| e.to_string())?;
    let mut app = App::with_scenario(scenario, Some(1), 1.0).await?;
    let ops = (SESSION.micros() / EVERY.micros()) as usize;
    for i in 0..ops {
        let line = if i % 2 == 0 {
            format!("put k{} v{i}", i % 50)
        } else {
            format!("get k{}", i % 50)
        };
        app.submit_command(&line).await;
        app.run_for(EVERY).await;
    }
    let end = app.engine().now();
    let kept = app.checkpoint_instants();
    // Just before the end of the widest gap between checkpoints.
    let bounds: Vec<Time> = kept.iter().copied().chain([end]).collect();
    let worst = bounds
        .windows(2)
        .max_by_key(|w| w[1].micros() - w[0].micros())
        .map_or(end, |w| Time(w[1].micros().saturating_sub(1_000)));
    let mut targets: Vec<(Time, bool)> = [10, 50, 90, 99]
        .iter()
        .map(|f| (Time(SESSION.micros() * f / 100), false))
        .collect();
    targets.push((worst, false));
    targets.push((Time(SESSION.micros() * 99 / 100), true));
    let mut jumps = Vec::new();
    for (to, from_start) in targets {
        if from_start {
            app.forget_checkpoints();
        }
        let start = Instant::now();
        app.rewind_to(to).await;
        jumps.push(Jump {
            to,
            took: start.elapsed(),
            from_start,
        });
        // Back to the end of the session (its actions are taken again) for
        // the next jump.
        app.run_for(Dur(end.micros() - to.micros())).await;
    }
    Ok(Figures {
        ops,
        checkpoints: kept.len(),
        jumps,
    })
}
