//! Rewinding a long session starts from a checkpoint: what it shows is
//! exactly what replaying the session from its start shows (the trace
//! and every pane), and what the panes showed when the session passed
//! that instant.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ringside::core::time::{Dur, Time};
use ringside::tui::ui::layout::Screen;
use ringside::tui::{App, PlayOptions, UserAction};

mod common;
use common::rt;

async fn open(preset: &str) -> App {
    let mut app = App::new(&PlayOptions {
        preset: preset.into(),
        seed: None,
        speed: 1.0,
    })
    .await
    .unwrap();
    app.keep_trace_json();
    app.rewind_to(Time::ZERO).await;
    app
}

/// The screen, row by row.
fn screen(app: &mut App, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    let buf = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect()
}

/// The screen above its status bar, key hints and timeline (the clock
/// shows paused after a rewind, the timeline the recorded future): the
/// panes.
fn panes(app: &mut App) -> Vec<String> {
    let rows = screen(app, 140, 45);
    let status = Screen::compute(Rect::new(0, 0, 140, 45), app.engine().names().node_count()).status;
    rows[..status.y as usize].to_vec()
}

/// A session of a minute with writes, reads, a kill, a revive, a
/// partition and its heal, every few hundred milliseconds.
async fn long_session(app: &mut App) {
    for i in 0..120u64 {
        let line = match i % 12 {
            0 => format!("put k{} v{i}", i % 7),
            3 => "kill n2".into(),
            5 => format!("put k{} w{i} via n1", i % 5),
            6 => "revive n2".into(),
            8 => "partition n1,n2 | n3,n4,n5".into(),
            10 => "heal".into(),
            _ => format!("get k{}", i % 7),
        };
        app.submit_command(&line).await;
        app.run_for(Dur::from_millis(500)).await;
    }
}

/// The trace lines at or before `t`.
fn until(lines: &[String], t: Time) -> Vec<String> {
    lines
        .iter()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["t_us"].as_u64().unwrap() <= t.micros()
        })
        .cloned()
        .collect()
}

#[test]
fn a_rewind_from_a_checkpoint_shows_what_a_replay_from_the_start_shows() {
    rt().block_on(async {
        let mut app = open("playground").await;
        long_session(&mut app).await;
        let live = app.trace_json().unwrap().to_vec();
        let end = app.engine().now();
        let kept = app.checkpoint_instants();
        assert!(kept.len() >= 8, "checkpoints kept: {kept:?}");
        for t in [Time(7_250_000), Time(31_000_000), Time(59_999_000), end] {
            app.rewind_to(t).await;
            let from_checkpoint = (app.trace_json().unwrap().to_vec(), panes(&mut app), app.expectations());
            let saved = app.session_preset();
            app.forget_checkpoints();
            app.rewind_to(t).await;
            let from_start = (app.trace_json().unwrap().to_vec(), panes(&mut app), app.expectations());
            assert_eq!(from_checkpoint.0, until(&live, t), "the trace up to {t}");
            assert_eq!(from_checkpoint.0, from_start.0, "the trace at {t}");
            assert_eq!(from_checkpoint.1, from_start.1, "the panes at {t}");
            assert_eq!(from_checkpoint.2, from_start.2, "the expectations at {t}");
            assert_eq!(saved, app.session_preset(), "the session saved at {t}");
            // Back to the end: the checkpoints are taken again on the way.
            app.run_for(Dur(end.micros() - t.micros())).await;
            assert_eq!(app.trace_json().unwrap(), &live[..], "the session replayed to its end");
        }
    });
}

#[test]
fn after_a_fork_a_rewind_uses_only_the_checkpoints_of_the_branch_taken() {
    rt().block_on(async {
        let mut app = open("playground").await;
        long_session(&mut app).await;
        app.rewind_to(Time(20_000_000)).await;
        // A different future from 20 s: kill n4, and run on for 30 s.
        app.submit_command("kill n4").await;
        app.handle(UserAction::TogglePause).await;
        for _ in 0..60 {
            app.submit_command("put k1 after-fork").await;
            app.run_for(Dur::from_millis(500)).await;
        }
        let live = app.trace_json().unwrap().to_vec();
        let end = app.engine().now();
        for t in [Time(19_000_000), Time(33_000_000), Time(49_000_000)] {
            app.rewind_to(t).await;
            let from_checkpoint = (app.trace_json().unwrap().to_vec(), panes(&mut app));
            app.forget_checkpoints();
            app.rewind_to(t).await;
            let from_start = (app.trace_json().unwrap().to_vec(), panes(&mut app));
            assert_eq!(from_checkpoint.0, until(&live, t), "the trace up to {t}");
            assert_eq!(from_checkpoint, from_start, "at {t}");
            app.run_for(Dur(end.micros() - t.micros())).await;
        }
    });
}

#[test]
fn the_panes_at_a_rewound_instant_are_those_shown_when_the_session_passed_it() {
    rt().block_on(async {
        let mut app = open("conflicting-writes").await;
        let mut passed = Vec::new();
        // Play the tour with n, drawing the panes at a few instants on the way.
        let mut frames = 0;
        while !app.playback().tour().is_finished() && frames < 2_000 {
            if !app.playback().tour().is_running() {
                app.handle(UserAction::NextStep).await;
            }
            app.run_for(Dur::from_millis(37)).await;
            frames += 1;
            if frames % 9 == 0 {
                passed.push((app.engine().now(), panes(&mut app)));
            }
        }
        assert!(app.playback().tour().is_finished());
        app.run_for(Dur::from_secs(12)).await;
        // An action taken at the very instant a frame was drawn (n pressed
        // right after it) is part of that instant once rewound to it: those
        // frames showed the instant before its actions, so they are left out.
        let acted: Vec<Time> = app.playback().session().entries().iter().map(|e| e.at).collect();
        passed.retain(|(t, _)| !acted.contains(t));
        assert!(passed.len() >= 4, "{} instants", passed.len());
        for (t, shown) in passed.iter().rev() {
            app.rewind_to(*t).await;
            let now = panes(&mut app);
            for (row, (a, b)) in shown.iter().zip(&now).enumerate() {
                assert_eq!(
                    a,
                    b,
                    "row {row} at {t}:\n{}\n----\n{}",
                    shown.join("\n"),
                    now.join("\n")
                );
            }
        }
    });
}
