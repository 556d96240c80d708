//! The tui section: what one frame of the playground costs to draw, the
//! whole 200x60 screen into ratatui's `TestBackend`, with 64 nodes, a busy
//! log and messages in flight, for every detail pane (the key inspector,
//! the 64x64 membership matrix, the Merkle trees). The playground draws up
//! to 60 frames a second and must leave the rest of the time to the
//! engine, hence the budget of 2 ms a frame whichever pane is shown.
//!
//! The busy state is built as a user would: 20 rounds of 30 puts typed at
//! the command line, 200 ms of virtual time apart, the last round cut short
//! so that its messages are still flying when the frames are drawn.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::core::time::Dur;
use crate::scenario::Scenario;
use crate::tui::{App, DetailView, UserAction};

/// The screen drawn.
pub const WIDTH: u16 = 200;
pub const HEIGHT: u16 = 60;
/// Nodes of the cluster drawn.
pub const NODES: usize = 64;
/// Frames timed per pane in the benchmark.
pub const FRAMES: u32 = 200;
/// The budget of one frame, in milliseconds.
pub const TARGET_MS: f64 = 2.0;

/// What drawing one pane cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewCost {
    pub view: DetailView,
    pub frames: u32,
    /// Mean wall time of a frame, in milliseconds.
    pub ms_per_frame: f64,
}

/// The section's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct TuiFigures {
    pub nodes: usize,
    /// Lines in the playground's log when the frames were drawn.
    pub log_lines: usize,
    /// Messages drawn in flight.
    pub flights: usize,
    pub views: Vec<ViewCost>,
}

impl TuiFigures {
    /// The dearest pane.
    pub fn worst(&self) -> Option<ViewCost> {
        self.views
            .iter()
            .copied()
            .max_by(|a, b| a.ms_per_frame.total_cmp(&b.ms_per_frame))
    }

    pub fn meets_target(&self) -> bool {
        self.worst().is_some_and(|w| w.ms_per_frame <= TARGET_MS)
    }
}

/// The playground on a 64-node cluster with a busy log and messages in
/// flight. Must run inside a tokio runtime.
pub async fn busy_app() -> Result<App, String> {
    let text = format!("name: busy\ncluster:\n  nodes: {NODES}\nsteps:\n  - say: busy\n");
    let scenario = Scenario::parse(&text, "the tui benchmark", "busy").map_err(|e| e.to_string())?;
    let mut app = App::with_scenario(scenario, None, 1.0).await?;
    for round in 0..20 {
        for k in 0..30 {
            app.submit_command(&format!("put key{k} v{round} as c{}", k % 7)).await;
        }
        app.run_for(Dur::from_millis(if round < 19 { 200 } else { 9 })).await;
    }
    Ok(app)
}

/// Draws the whole screen once.
fn draw(terminal: &mut Terminal<TestBackend>, app: &App) -> Result<(), String> {
    terminal
        .draw(|f| f.render_widget(app, f.area()))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Times `frames` frames of every detail pane of `app` (after a few
/// untimed ones, which fill caches and the backend's buffers).
pub async fn measure_app(app: &mut App, frames: u32) -> Result<Vec<ViewCost>, String> {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).map_err(|e| e.to_string())?;
    let mut costs = Vec::new();
    for view in DetailView::ORDER {
        while app.view() != view {
            app.handle(UserAction::CycleView).await;
        }
        // A moment of virtual time lets the pane fetch what it shows.
        app.run_for(Dur::from_millis(1)).await;
        for _ in 0..frames.div_ceil(10) {
            draw(&mut terminal, app)?;
        }
        let start = Instant::now();
        for _ in 0..frames {
            draw(&mut terminal, app)?;
        }
        let per_frame: Duration = start.elapsed() / frames.max(1);
        costs.push(ViewCost {
            view,
            frames,
            ms_per_frame: per_frame.as_secs_f64() * 1e3,
        });
    }
    Ok(costs)
}

/// Builds the busy playground and times `frames` frames of every pane.
pub async fn measure(frames: u32) -> Result<TuiFigures, String> {
    let mut app = busy_app().await?;
    let views = measure_app(&mut app, frames).await?;
    Ok(TuiFigures {
        nodes: app.engine().names().node_count(),
        log_lines: app.log().len(),
        flights: app.flights().len(),
        views,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(view: DetailView, ms: f64) -> ViewCost {
        ViewCost {
            view,
            frames: 1,
            ms_per_frame: ms,
        }
    }

    #[test]
    fn the_worst_pane_decides_the_target() {
        let mut f = TuiFigures {
            nodes: 64,
            log_lines: 0,
            flights: 0,
            views: vec![cost(DetailView::Inspector, 0.5), cost(DetailView::Membership, 1.9)],
        };
        assert_eq!(f.worst().map(|w| w.view), Some(DetailView::Membership));
        assert!(f.meets_target());
        f.views.push(cost(DetailView::Merkle, 2.1));
        assert!(!f.meets_target());
        f.views.clear();
        assert!(!f.meets_target(), "nothing measured meets nothing");
    }
}
