//! What the render-cost benchmark (`ringside bench tui`, in release: the
//! budget is 2 ms a frame) draws: the benchmark's busy playground, 64 nodes,
//! a full log and messages in flight, on its 200x60 screen, with every
//! detail pane. This test times nothing: it draws each pane as the
//! benchmark does and reads the screen, so that the figures stay figures
//! of the busy screen the benchmark claims to draw.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ringside::bench::tui::{HEIGHT, NODES, WIDTH, busy_app};
use ringside::core::time::Dur;
use ringside::tui::{App, DetailView, UserAction};

/// The whole screen, drawn once, as text.
fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    terminal.draw(|f| f.render_widget(app, f.area())).unwrap();
    let buf = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            text.push_str(buf[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

/// What only the pane `view` shows: its tab marked as the one shown, and
/// its content.
fn shows(view: DetailView) -> Vec<String> {
    match view {
        DetailView::Inspector => vec!["key · key".into(), "preference list".into()],
        DetailView::Membership => vec![format!("membership · {NODES}/{NODES} live"), " n1   · ".into()],
        DetailView::Merkle => vec!["merkle · key".into(), "L0 ".into()],
        DetailView::History => vec!["history · key".into(), " held by ".into()],
        DetailView::Metrics => vec!["metrics: a bar a second".into(), " ops/s ".into()],
    }
}

#[test]
fn the_benchmark_draws_a_busy_frame_at_200x60_with_64_nodes_for_every_pane() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut app = busy_app().await.unwrap();
        assert!(app.log().len() >= 4_000, "the log is busy: {}", app.log().len());
        assert!(app.flights().len() > 20, "messages fly: {}", app.flights().len());
        for view in DetailView::ORDER {
            // As the benchmark does: cycle to the pane, let it fetch.
            for _ in DetailView::ORDER {
                if app.view() != view {
                    app.handle(UserAction::CycleView).await;
                }
            }
            assert_eq!(app.view(), view, "v cycles through every pane");
            app.run_for(Dur::from_millis(1)).await;
            let screen = screen(&app);
            assert!(
                screen.contains(&format!("nodes · {NODES}/{NODES} up")),
                "the cluster drawn has {NODES} nodes:\n{screen}"
            );
            for other in DetailView::ORDER {
                for text in shows(other) {
                    assert_eq!(
                        screen.contains(&text),
                        other == view,
                        "{view:?} is drawn, and {text:?} is {other:?}'s:\n{screen}"
                    );
                }
            }
        }
    });
}
