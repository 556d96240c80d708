//! What a frame costs to draw: the whole screen at 200x60, 64 nodes, a full
//! log and messages in flight. Run with
//! `cargo test --release --test tui_render_cost -- --ignored --nocapture`;
//! the budget is 2ms a frame, whichever detail pane is shown.

use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ringside::core::time::Dur;
use ringside::tui::{Action, App, DetailView, PlayOptions};

#[test]
#[ignore = "a measurement: run in release"]
fn a_busy_frame_at_200x60_with_64_nodes() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("ringside-cost-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.yaml");
        std::fs::write(&path, "name: big\ncluster:\n  nodes: 64\nsteps:\n  - say: busy\n").unwrap();
        let mut app = App::new(&PlayOptions {
            preset: path.to_string_lossy().into(),
            seed: None,
            speed: 1.0,
        })
        .await
        .unwrap();
        for round in 0..20 {
            for k in 0..30 {
                app.submit_command(&format!("put key{k} v{round} as c{}", k % 7)).await;
            }
            app.run_for(Dur::from_millis(if round < 19 { 200 } else { 9 })).await;
        }
        assert!(app.log().len() >= 4_000, "the log is busy: {}", app.log().len());
        assert!(app.flights().len() > 20, "messages fly: {}", app.flights().len());
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
        // Every detail pane: the key inspector, the 64x64 membership
        // matrix, the Merkle trees.
        for view in DetailView::ORDER {
            while app.view() != view {
                app.handle(Action::CycleView).await;
            }
            app.run_for(Dur::from_millis(1)).await;
            for _ in 0..20 {
                terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
            }
            let frames = 200;
            let start = Instant::now();
            for _ in 0..frames {
                terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
            }
            let per_frame = start.elapsed() / frames;
            println!(
                "{view:?}: {per_frame:?} per frame, {} messages in flight, {} log lines",
                app.flights().len(),
                app.log().len()
            );
            if !cfg!(debug_assertions) {
                assert!(per_frame.as_micros() <= 2_000, "{view:?}: {per_frame:?} per frame");
            }
        }
    });
}
