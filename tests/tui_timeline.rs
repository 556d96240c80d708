//! The timeline bar under the status line: its marks, the instant shown,
//! the recorded future after a rewind and where a branch began, at 140x45
//! (with its scale) and at 80x24 (one line); a click on it goes there.

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ringside::core::time::{Dur, Time};
use ringside::tui::ui::layout::Screen;
use ringside::tui::{App, PlayOptions};

mod common;
use common::rt;

/// The bottom rows of the screen: the status line, the key hints and the
/// timeline.
fn bottom(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    app.set_area(Rect::new(0, 0, width, height));
    let buf = terminal.backend().buffer().clone();
    let screen = Screen::compute(Rect::new(0, 0, width, height), app.engine().names().node_count());
    (screen.status.y.min(screen.timeline.y)..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A session with writes, a read of siblings, a fault and a caption;
/// rewound to its middle, then forked there.
async fn session() -> App {
    let mut app = App::new(&PlayOptions {
        preset: "playground".into(),
        seed: None,
        speed: 1.0,
    })
    .await
    .unwrap();
    for line in [
        "put cart A",
        "kill n1",
        "put cart B via n2 w=1",
        "put cart C via n3 w=1",
        "say \"two writes\"",
        "get cart r=3",
        "revive n1",
        "put cart D",
    ] {
        app.submit_command(line).await;
        app.run_for(Dur::from_millis(700)).await;
    }
    app
}

fn click(col: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

#[test]
fn the_timeline_at_140x45_and_80x24() {
    rt().block_on(async {
        let mut app = session().await;
        insta::assert_snapshot!("timeline_live_140x45", bottom(&mut app, 140, 45));
        insta::assert_snapshot!("timeline_live_80x24", bottom(&mut app, 80, 24));
        app.rewind_to(Time(2_500_000)).await;
        insta::assert_snapshot!("timeline_rewound_140x45", bottom(&mut app, 140, 45));
        insta::assert_snapshot!("timeline_rewound_80x24", bottom(&mut app, 80, 24));
        app.submit_command("kill n4").await;
        app.run_for(Dur::from_millis(1_000)).await;
        insta::assert_snapshot!("timeline_forked_140x45", bottom(&mut app, 140, 45));
    });
}

#[test]
fn a_click_on_the_timeline_goes_to_that_instant() {
    rt().block_on(async {
        let mut app = session().await;
        let end = app.engine().now();
        for (w, h) in [(140u16, 45u16), (80, 24)] {
            bottom(&mut app, w, h);
            let screen = Screen::compute(Rect::new(0, 0, w, h), app.engine().names().node_count());
            let bar = screen.timeline;
            // A third of the way along the bar: back there.
            let col = bar.x + bar.width / 3;
            let want = ringside::tui::ui::timeline::time_at(bar, end, col, bar.y).unwrap();
            app.mouse(click(col, bar.y)).await;
            assert_eq!(app.engine().now(), want, "{w}x{h}");
            assert!(want > Time::ZERO && want < end);
            // Further along, in the recorded future: forward to it.
            let col = bar.x + bar.width * 2 / 3;
            let want = ringside::tui::ui::timeline::time_at(bar, end, col, bar.y).unwrap();
            app.mouse(click(col, bar.y)).await;
            assert_eq!(app.engine().now(), want, "{w}x{h}: forward");
            app.run_for(Dur(end.micros() - want.micros())).await;
        }
    });
}
