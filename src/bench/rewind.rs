//! `ringside bench rewind`: how long the playground takes to go back to an
//! earlier instant of a long session. A rewind builds a fresh engine and
//! takes the recorded actions again up to that instant, feeding the trace
//! to the panes' models as it goes (see `tui::time_travel`), so its cost
//! grows with how far into the session the instant lies. The session: 10
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
}

/// Records the session, then jumps back to instants across it (the
/// latest last: it replays the most).
pub async fn measure() -> Result<(usize, Vec<Jump>), String> {
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
    let mut jumps = Vec::new();
    for fraction in [10, 50, 90, 99] {
        let to = Time(SESSION.micros() * fraction / 100);
        let start = Instant::now();
        app.rewind_to(to).await;
        jumps.push(Jump {
            to,
            took: start.elapsed(),
        });
        // Back to the end of the session (its actions are taken again) for
        // the next jump.
        app.run_for(Dur(SESSION.micros() - to.micros())).await;
    }
    Ok((ops, jumps))
}
