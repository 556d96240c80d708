//! The traffic section: how much background traffic (`:traffic RATE`) the
//! playground carries at 1x on a five-node cluster, and what a frame costs
//! to draw under 1,000 operations a second.
//!
//! - **Sustained rate.** For rates doubling from 250 a second, the
//!   playground (the engine, the metrics and every model the panes draw,
//!   as `App::run_for` feeds them) runs [`RUN`] of virtual time; the rate
//!   is sustained when that takes no more wall time than virtual (1x keeps
//!   up). The same for the engine alone (with the metrics tap, the trace
//!   drained and dropped), the bound on what a faster playground could do.
//! - **Frame time.** With 1,000 operations a second running, the screen
//!   (140x45) is drawn after every 16 ms of virtual time, the default
//!   panes and the full-screen metrics view; the target is a frame under
//!   [`FRAME_TARGET_MS`].

use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::core::time::Dur;
use crate::scenario::Scenario;
use crate::scenario::traffic::{self, TrafficSpec};
use crate::tui::{App, UserAction};

/// Virtual time each rate runs.
pub const RUN: Dur = Dur::from_secs(4);
/// The rates tried, doubling.
pub const RATES: [u32; 8] = [250, 500, 1000, 2000, 4000, 8000, 16000, 32000];
/// The traffic the frames are drawn under.
pub const FRAME_RATE_OPS: u32 = 1000;
pub const FRAME_TARGET_MS: f64 = 16.0;
/// Frames drawn per view.
pub const FRAMES: u32 = 120;
pub const WIDTH: u16 = 140;
pub const HEIGHT: u16 = 45;

/// One rate tried: virtual seconds per wall second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateRun {
    pub rate: u32,
    pub speed: f64,
}

/// The section's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct TrafficFigures {
    pub playground: Vec<RateRun>,
    pub engine: Vec<RateRun>,
    /// Mean and worst draw time, default panes then the metrics view.
    pub frames: [(f64, f64); 2],
}

/// The highest rate of `runs` that kept up with 1x.
pub fn sustained(runs: &[RateRun]) -> Option<u32> {
    runs.iter().filter(|r| r.speed >= 1.0).map(|r| r.rate).max()
}

fn scenario() -> Result<Scenario, String> {
    Scenario::parse(
        "name: traffic-bench\ncluster:\n  nodes: 5\nsteps:\n  - say: traffic\n",
        "the traffic benchmark",
        "traffic-bench",
    )
    .map_err(|e| e.to_string())
}

async fn playground_run(rate: u32) -> Result<RateRun, String> {
    let mut app = App::with_scenario(scenario()?, Some(1), 1.0).await?;
    app.submit_command(&format!("traffic {rate}")).await;
    app.run_for(Dur::from_millis(500)).await;
    let start = Instant::now();
    app.run_for(RUN).await;
    Ok(RateRun {
        rate,
        speed: RUN.micros() as f64 / 1e6 / start.elapsed().as_secs_f64(),
    })
}

async fn engine_run(rate: u32) -> Result<RateRun, String> {
    let mut engine = scenario()?.start_engine(1)?;
    traffic::start(&TrafficSpec::at_rate(rate), &mut engine)?;
    let mut trace = Vec::new();
    engine.run_until(engine.now() + Dur::from_millis(500)).await;
    engine.drain_trace(&mut trace);
    let start = Instant::now();
    let end = engine.now() + RUN;
    while engine.now() < end {
        engine.run_until((engine.now() + Dur::from_millis(16)).min(end)).await;
        trace.clear();
        engine.drain_trace(&mut trace);
    }
    Ok(RateRun {
        rate,
        speed: RUN.micros() as f64 / 1e6 / start.elapsed().as_secs_f64(),
    })
}

/// Tries rates until one falls behind (and the next one after it).
async fn rates<F, Fut>(run: F) -> Result<Vec<RateRun>, String>
where
    F: Fn(u32) -> Fut,
    Fut: std::future::Future<Output = Result<RateRun, String>>,
{
    let mut out = Vec::new();
    for rate in RATES {
        let r = run(rate).await?;
        out.push(r);
        if r.speed < 0.5 {
            break;
        }
    }
    Ok(out)
}

/// Mean and worst milliseconds to draw a frame, a frame every 16 ms of
/// virtual time.
async fn frames(app: &mut App) -> Result<(f64, f64), String> {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).map_err(|e| e.to_string())?;
    let (mut total, mut worst) = (0.0f64, 0.0f64);
    for _ in 0..FRAMES {
        app.run_for(Dur::from_millis(16)).await;
        let start = Instant::now();
        terminal
            .draw(|f| f.render_widget(&*app, f.area()))
            .map_err(|e| e.to_string())?;
        let ms = start.elapsed().as_secs_f64() * 1e3;
        total += ms;
        worst = worst.max(ms);
    }
    Ok((total / FRAMES as f64, worst))
}

/// Measures everything. Must run inside a tokio runtime.
pub async fn measure() -> Result<TrafficFigures, String> {
    let playground = rates(playground_run).await?;
    let engine = rates(engine_run).await?;
    let mut app = App::with_scenario(scenario()?, Some(1), 1.0).await?;
    app.submit_command(&format!("traffic {FRAME_RATE_OPS}")).await;
    app.run_for(Dur::from_secs(10)).await;
    let panes = frames(&mut app).await?;
    app.handle(UserAction::ToggleMetrics).await;
    let metrics = frames(&mut app).await?;
    Ok(TrafficFigures {
        playground,
        engine,
        frames: [panes, metrics],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sustained_rate_is_the_highest_that_kept_up() {
        let runs = [
            RateRun { rate: 250, speed: 9.0 },
            RateRun { rate: 500, speed: 1.2 },
            RateRun { rate: 1000, speed: 0.7 },
        ];
        assert_eq!(sustained(&runs), Some(500));
        assert_eq!(sustained(&runs[2..]), None);
    }
}
