//! The playground driven as a user drives it: key events through the
//! keymap, mouse events, commands, frames. No terminal, virtual time only.

use std::time::Duration;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ringside::core::ids::NodeId;
use ringside::core::message::Outcome;
use ringside::core::time::{Dur, Time};
use ringside::scenario::headless::{RunOptions, run};
use ringside::scenario::{Scenario, presets};
use ringside::tui::ui::layout::Screen;
use ringside::tui::{App, Focus, Mode, PlayOptions, UserAction};

mod common;
use common::rt;

async fn open(preset: &str) -> App {
    App::new(&PlayOptions {
        preset: preset.into(),
        seed: None,
        speed: 0.05,
    })
    .await
    .unwrap()
}

async fn key(app: &mut App, code: KeyCode) {
    app.on_terminal_event(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
        .await;
}

async fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c)).await;
    }
}

fn draw(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    app.set_area(Rect::new(0, 0, w, h));
    t.backend().to_string()
}

fn last_value(app: &App) -> Option<String> {
    app.inspector()
        .last_op()
        .and_then(|op| op.value.as_deref().map(str::to_string))
}

#[test]
fn typed_commands_run_through_the_keymap_with_history_and_completion() {
    rt().block_on(async {
        let mut app = open("playground").await;
        type_text(&mut app, ":put cart CAR").await;
        assert_eq!(app.mode(), Mode::Command);
        assert_eq!(
            app.command_line().text(),
            "put cart CAR",
            "q, n and space are text here"
        );
        key(&mut app, KeyCode::Enter).await;
        assert_eq!(app.mode(), Mode::Normal);
        app.run_for(Dur::from_millis(100)).await;
        assert_eq!(last_value(&app).as_deref(), Some("CAR"));

        type_text(&mut app, ":").await;
        key(&mut app, KeyCode::Up).await;
        assert_eq!(app.command_line().text(), "put cart CAR");
        key(&mut app, KeyCode::Esc).await;
        assert_eq!(app.mode(), Mode::Normal);

        type_text(&mut app, ":ki").await;
        key(&mut app, KeyCode::Tab).await;
        assert_eq!(app.command_line().text(), "kill ");
        type_text(&mut app, "n").await;
        key(&mut app, KeyCode::Tab).await;
        assert_eq!(
            app.command_line().text(),
            "kill n1",
            "several nodes: the first, Tab cycles"
        );
        key(&mut app, KeyCode::Tab).await;
        assert_eq!(app.command_line().text(), "kill n2");
        key(&mut app, KeyCode::Enter).await;
        assert!(!app.engine().is_alive(NodeId(1)));

        type_text(&mut app, ":get c").await;
        key(&mut app, KeyCode::Tab).await;
        assert_eq!(app.command_line().text(), "get cart ", "known keys complete");
    });
}

#[test]
fn a_malformed_command_changes_nothing() {
    rt().block_on(async {
        let mut app = open("playground").await;
        let pending = app.engine().pending_events();
        for line in [
            "kill s9",
            "put cart",
            "partition n1,n2 | n2",
            "speed 1000",
            "frobnicate",
            "load nope",
        ] {
            app.submit_command(line).await;
            let notice = app.notice().expect("an error is shown");
            assert!(notice.error, "{line}: {}", notice.text);
        }
        assert_eq!(app.engine().now(), Time::ZERO);
        assert_eq!(app.engine().pending_events(), pending, "nothing was sent or scheduled");
        assert!(app.engine().names().node_ids().all(|n| app.engine().is_alive(n)));
        assert!(!app.engine().network().is_partitioned());
        assert_eq!(app.pacer().speed(), 0.05);
        assert_eq!(app.scenario().name, "playground");
    });
}

/// Presses n whenever the scenario waits for it, until `done` holds.
async fn press_n_until_it(app: &mut App, done: impl Fn(&App) -> bool, what: &str) {
    for _ in 0..200 {
        if done(app) {
            return;
        }
        if !app.playback().tour().is_running() {
            app.handle(UserAction::NextStep).await;
        }
        app.tick(Duration::from_millis(100), None).await;
        app.run_for(Dur::from_millis(50)).await;
    }
    panic!("{what}");
}

/// Presses n whenever the scenario waits for it, until it is over.
async fn press_n_to_the_end(app: &mut App) {
    press_n_until_it(
        app,
        |app| app.playback().tour().is_finished(),
        "the scenario did not finish",
    )
    .await;
}

async fn headless_passes(name: &str) -> usize {
    let scenario = Scenario::load(name).unwrap();
    let mut out = Vec::new();
    let summary = run(&scenario, &RunOptions::default(), &mut out, |_| {}).await.unwrap();
    assert_eq!(summary.failed, 0);
    summary.passed
}

#[test]
fn the_default_tour_passes_step_by_step_with_n() {
    rt().block_on(async {
        let mut app = open(presets::DEFAULT).await;
        press_n_to_the_end(&mut app).await;
        let (passed, failed) = app.expectations();
        assert_eq!(failed, 0);
        assert_eq!(passed, headless_passes(presets::DEFAULT).await);
        let s = draw(&mut app, 120, 40);
        assert!(s.contains("scenario finished"), "{s}");
    });
}

#[test]
fn conflicting_writes_plays_by_itself_with_autoplay() {
    rt().block_on(async {
        let mut app = open("conflicting-writes").await;
        app.handle(UserAction::ToggleAutoplay).await;
        app.handle(UserAction::Faster).await;
        for _ in 0..2_000 {
            if app.playback().tour().is_finished() {
                break;
            }
            app.tick(Duration::from_millis(100), None).await;
        }
        assert!(app.playback().tour().is_finished());
        let (passed, failed) = app.expectations();
        assert_eq!((passed, failed), (headless_passes("conflicting-writes").await, 0));
        let s = draw(&mut app, 120, 40);
        assert!(s.contains("The conflict is resolved on every replica."), "{s}");
        assert!(s.contains("CARMR {s1:3, s2:1, s3:1}"), "{s}");
    });
}

/// Autoplay holds virtual time while it dwells on a caption: at 20x a
/// dwell would otherwise be 50 s of virtual time, in which failure
/// detection, handoff and anti-entropy change what the next step finds
/// (stale-read, hinted-handoff and strict-vs-sloppy then failed a check).
/// So every bundled story plays to exactly its headless result.
#[test]
fn every_preset_autoplays_at_high_speed_to_its_headless_result() {
    rt().block_on(async {
        for name in presets::names() {
            let mut app = App::new(&PlayOptions {
                preset: name.to_string(),
                seed: None,
                speed: 20.0,
            })
            .await
            .unwrap();
            app.handle(UserAction::ToggleAutoplay).await;
            let mut read_while_held = false;
            for _ in 0..20_000 {
                if app.playback().tour().is_finished() {
                    break;
                }
                let next = |app: &App| app.playback().next_step().map(|(i, _)| i);
                let (before, was_reading, step) = (app.engine().now(), app.reading(), next(&app));
                app.tick(Duration::from_millis(100), None).await;
                // Still on the same caption: the clock has not moved.
                if was_reading && app.reading() && next(&app) == step {
                    read_while_held = true;
                    assert_eq!(
                        app.engine().now(),
                        before,
                        "{name}: time moved while a caption was read"
                    );
                }
            }
            assert!(app.playback().tour().is_finished(), "{name} did not finish");
            assert!(read_while_held, "{name} dwelt on no caption");
            let (passed, failed) = app.expectations();
            assert_eq!((passed, failed), (headless_passes(name).await, 0), "{name}");
        }
    });
}

#[test]
fn n_during_a_wait_skips_to_its_end() {
    rt().block_on(async {
        let mut app = open("quorum-basics").await;
        app.handle(UserAction::NextStep).await;
        app.run_for(Dur::from_millis(100)).await;
        app.handle(UserAction::NextStep).await;
        assert_eq!(app.playback().current_step().map(|s| s.0), Some(3), "wait 200ms");
        app.handle(UserAction::NextStep).await;
        assert!(app.fast_forward().is_some());
        app.tick(Duration::from_millis(25), None).await;
        assert!(app.engine().now() >= Time(300_000));
        assert_eq!(app.expectations(), (5, 0), "the put's checks and the convergence check");
    });
}

#[test]
fn a_typed_wait_fast_forwards() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.submit_command("wait 2s").await;
        app.tick(Duration::from_millis(25), None).await;
        assert_eq!(app.engine().now(), Time(2_000_000));
        assert!(app.fast_forward().is_none());
        app.tick(Duration::from_millis(20), None).await;
        assert_eq!(app.engine().now(), Time(2_001_000), "back to the chosen speed");
    });
}

#[test]
fn the_dot_key_advances_one_event_instant() {
    rt().block_on(async {
        let mut app = open("playground").await;
        key(&mut app, KeyCode::Char(' ')).await;
        assert!(app.pacer().is_paused());
        app.submit_command("put cart CAR").await;
        for _ in 0..3 {
            let next = app.engine().next_event_time().expect("something is scheduled");
            key(&mut app, KeyCode::Char('.')).await;
            assert_eq!(app.engine().now(), next, "time jumps to the next event");
            let after = app.engine().next_event_time().expect("more is scheduled");
            assert!(after > next, "the whole instant ran, and nothing past it");
        }
        let t = app.engine().now();
        app.tick(Duration::from_secs(5), None).await;
        assert_eq!(app.engine().now(), t, "still paused");
    });
}

#[test]
fn resolving_siblings_from_the_inspector() {
    rt().block_on(async {
        let mut app = open("conflicting-writes").await;
        for line in [
            "put cart CAR as alice",
            "get cart as bob",
            "kill s1",
            "partition s2 | s3",
            "put cart CARM via s2 as alice w=1",
            "put cart CARR via s3 as bob w=1",
            "heal",
            "revive s1",
            "get cart as carol r=3",
        ] {
            app.submit_command(line).await;
            app.run_for(Dur::from_millis(200)).await;
        }
        let r = app.inspector().resolution().expect("siblings on offer");
        assert_eq!(r.merged, "CARMR");
        assert_eq!(app.engine().names().client(r.client), "carol");
        key(&mut app, KeyCode::Char('2')).await;
        app.run_for(Dur::from_millis(200)).await;
        let op = app.inspector().last_op().unwrap();
        assert_eq!(op.value.as_deref(), Some("CARR"), "kept sibling 2");
        assert_eq!(app.engine().names().client(op.client), "carol");
        let Outcome::Put { clock, failure: None } = &op.outcome else {
            panic!("{op:?}")
        };
        let ctx = op.context.clone().unwrap();
        assert!(clock.descends(&ctx), "the put carried the get's context");
        assert_eq!(ctx.len(), 3);
        assert!(app.inspector().resolution().is_none());
        key(&mut app, KeyCode::Char('m')).await;
        assert!(!app.notice().unwrap().error);
        assert!(app.notice().unwrap().text.contains("nothing to resolve"));
    });
}

#[test]
fn the_edit_key_puts_the_merge_on_the_command_line() {
    rt().block_on(async {
        let mut app = open("conflicting-writes").await;
        app.handle(UserAction::ToggleAutoplay).await;
        app.handle(UserAction::Faster).await;
        while app.playback().next_step().is_some_and(|(i, _)| i < 21) {
            app.tick(Duration::from_millis(100), None).await;
        }
        app.run_for(Dur::from_millis(100)).await;
        app.handle(UserAction::ToggleAutoplay).await;
        key(&mut app, KeyCode::Char('e')).await;
        assert_eq!(app.mode(), Mode::Command);
        assert_eq!(app.command_line().text(), "put cart CARMR as carol");
    });
}

#[test]
fn the_picker_loads_a_scenario_and_seed_restarts_it() {
    rt().block_on(async {
        let mut app = open("playground").await;
        key(&mut app, KeyCode::Char('p')).await;
        assert_eq!(app.mode(), Mode::Picker);
        let target = presets::names().iter().position(|n| *n == "stale-read").unwrap();
        for _ in 0..target {
            key(&mut app, KeyCode::Down).await;
        }
        key(&mut app, KeyCode::Enter).await;
        assert_eq!(app.mode(), Mode::Normal);
        assert_eq!(app.scenario().name, "stale-read");
        app.submit_command("seed 99").await;
        assert_eq!(app.seed(), 99);
        assert_eq!(app.engine().seed(), 99);
        app.submit_command("load").await;
        assert_eq!(app.mode(), Mode::Picker, "load with no preset opens the picker");
        key(&mut app, KeyCode::Char('q')).await;
        assert_eq!(app.mode(), Mode::Normal, "q closes the picker");
        assert!(!app.is_quitting());
    });
}

#[test]
fn x_kills_and_revives_the_selected_node() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.handle(UserAction::FocusNext).await;
        assert_eq!(app.focus(), Focus::Log);
        app.handle(UserAction::FocusPrev).await;
        app.handle(UserAction::FocusPrev).await;
        assert_eq!(app.focus(), Focus::Nodes);
        key(&mut app, KeyCode::Down).await;
        key(&mut app, KeyCode::Down).await;
        assert_eq!(app.selected_node(), NodeId(2));
        key(&mut app, KeyCode::Char('x')).await;
        assert!(!app.engine().is_alive(NodeId(2)));
        key(&mut app, KeyCode::Char('x')).await;
        assert!(app.engine().is_alive(NodeId(2)));
        key(&mut app, KeyCode::Enter).await;
        assert_eq!(app.log().filter().text(), "n3", "Enter filters the log to the node");
        key(&mut app, KeyCode::Enter).await;
        assert!(app.log().filter().is_empty(), "and again clears it");
    });
}

#[test]
fn the_mouse_selects_nodes_and_scrolls_the_log() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.submit_command("put cart CAR").await;
        app.run_for(Dur::from_millis(100)).await;
        draw(&mut app, 120, 40);
        let screen = Screen::compute(Rect::new(0, 0, 120, 40), 5);
        let click = |column, row| {
            TermEvent::Mouse(MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column,
                row,
                modifiers: KeyModifiers::NONE,
            })
        };
        // The fourth node's row: below the border and the header.
        app.on_terminal_event(click(screen.nodes.x + 3, screen.nodes.y + 2 + 3))
            .await;
        assert_eq!(app.selected_node(), NodeId(3));
        assert_eq!(app.focus(), Focus::Nodes);
        let wheel = TermEvent::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollUp,
            column: screen.log.x + 5,
            row: screen.log.y + 2,
            modifiers: KeyModifiers::NONE,
        });
        app.on_terminal_event(wheel).await;
        assert!(!app.log().is_following());
        key(&mut app, KeyCode::Esc).await;
        assert!(app.log().is_following());
        // A click on the ring lands on the token nearest to it, if any.
        app.on_terminal_event(click(screen.ring.x + 1, screen.ring.y + 1)).await;
        assert_eq!(app.focus(), Focus::Ring);
        // In the membership matrix, a row selects its observer and a
        // column header its subject.
        key(&mut app, KeyCode::Char('v')).await;
        draw(&mut app, 120, 40);
        let (x, y) = (screen.inspector.x + 1, screen.inspector.y + 1);
        app.on_terminal_event(click(x + 1, y + 1 + 2)).await;
        assert_eq!(app.focus(), Focus::Inspector);
        assert_eq!(app.selected_node(), NodeId(2), "the third row");
        let s = draw(&mut app, 120, 40);
        let header = s.lines().nth(y as usize).unwrap();
        let n5 = header.chars().skip(x as usize).collect::<String>().find("n5").unwrap();
        app.on_terminal_event(click(x + n5 as u16, y)).await;
        assert_eq!(app.selected_node(), NodeId(4), "n5's column");
        key(&mut app, KeyCode::Up).await;
        assert_eq!(app.selected_node(), NodeId(3), "arrows move the node selection here");
    });
}

#[test]
fn q_and_ctrl_c_quit() {
    rt().block_on(async {
        let mut app = open("playground").await;
        key(&mut app, KeyCode::Char('q')).await;
        assert!(app.is_quitting());
        let mut app = open("playground").await;
        app.on_terminal_event(TermEvent::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)))
            .await;
        assert!(app.is_quitting());
    });
}

#[test]
fn the_log_filter_takes_a_key_a_node_or_a_kind() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.submit_command("put cart CAR").await;
        app.submit_command("put user U").await;
        app.run_for(Dur::from_millis(100)).await;
        type_text(&mut app, "/user replicate").await;
        key(&mut app, KeyCode::Enter).await;
        assert_eq!(app.log().filter().text(), "user replicate");
        let n = app.log().matching_len();
        assert!(n >= 2 && n < app.log().len(), "{n}");
        type_text(&mut app, "/").await;
        assert_eq!(app.mode(), Mode::Filter);
        app.on_terminal_event(TermEvent::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)))
            .await;
        type_text(&mut app, "node:zz").await;
        key(&mut app, KeyCode::Enter).await;
        assert!(app.notice().unwrap().error);
        assert_eq!(
            app.log().filter().text(),
            "user replicate",
            "a bad filter changes nothing"
        );
    });
}

/// The stories of sloppy quorums, membership and anti-entropy pass in the
/// playground exactly as they do headless, stepped through with n.
#[test]
fn the_presets_of_hints_membership_and_anti_entropy_pass_step_by_step() {
    rt().block_on(async {
        for name in [
            "hinted-handoff",
            "strict-vs-sloppy",
            "sloppy-split-brain",
            "failure-detection",
            "node-join",
            "node-leave",
            "split-views",
            "merkle-repair",
            "anti-entropy-vs-read-repair",
        ] {
            let mut app = open(name).await;
            for _ in 0..5_000 {
                if app.playback().tour().is_finished() {
                    break;
                }
                if !app.playback().tour().is_running() {
                    app.handle(UserAction::NextStep).await;
                }
                app.tick(Duration::from_millis(100), None).await;
                app.run_for(Dur::from_millis(50)).await;
            }
            assert!(
                app.playback().tour().is_finished(),
                "{name} stopped at step {} at {}",
                app.playback().tour().next_index(),
                app.engine().now()
            );
            let (passed, failed) = app.expectations();
            assert_eq!((passed, failed), (headless_passes(name).await, 0), "{name}");
        }
    });
}

/// The index of the tour's next step, and what it is.
fn tour_next(app: &App) -> Option<(usize, String)> {
    app.playback().next_step().map(|(i, s)| (i, s.kind.name().to_string()))
}

/// Types a command at the `:` line and lets the cluster answer it.
async fn command(app: &mut App, line: &str) {
    type_text(app, &format!(":{line}")).await;
    key(app, KeyCode::Enter).await;
    app.run_for(Dur::from_millis(300)).await;
}

/// The playground's captions say what to type; a user who types it is not
/// asked to do it again: the tour notices and moves on to the next caption.
#[test]
fn the_tour_moves_on_when_the_user_types_what_its_caption_says() {
    rt().block_on(async {
        let mut app = open(presets::DEFAULT).await;
        app.run_for(Dur::from_millis(1)).await;
        assert_eq!(tour_next(&app), Some((1, "put".into())));
        command(&mut app, "put cart CAR").await;
        assert_eq!(
            tour_next(&app),
            Some((3, "get".into())),
            "the put is done: next, bob reads"
        );
        command(&mut app, "get cart as bob").await;
        assert_eq!(tour_next(&app), Some((5, "kill".into())));
        command(&mut app, "kill cart#1").await;
        assert_eq!(tour_next(&app), Some((7, "partition".into())));
        command(&mut app, "partition cart#2 | cart#3").await;
        assert_eq!(tour_next(&app), Some((9, "put".into())));
        command(&mut app, "put cart CARM via cart#2 as alice w=1").await;
        assert_eq!(tour_next(&app), Some((10, "put".into())));
        command(&mut app, "put cart CARR via cart#3 as bob w=1").await;
        assert_eq!(tour_next(&app), Some((12, "heal".into())));
        command(&mut app, "heal").await;
        command(&mut app, "revive cart#1").await;
        command(&mut app, "get cart as carol r=3").await;
        assert_eq!(tour_next(&app), Some((16, "put".into())), "next: resolve the siblings");
        press_n_to_the_end(&mut app).await;
        assert_eq!(
            app.expectations(),
            (headless_passes(presets::DEFAULT).await, 0),
            "every check of the tour ran, once, and passed"
        );
    });
}

/// A step the user did before the tour asked for it is passed over when
/// the tour gets there, not run again (a second kill of a dead node fails).
#[test]
fn the_tour_passes_over_a_step_the_user_did_ahead_of_it() {
    rt().block_on(async {
        let mut app = open(presets::DEFAULT).await;
        press_n_until(&mut app, 3).await;
        assert_eq!(tour_next(&app), Some((3, "get".into())));
        command(&mut app, "kill cart#1").await;
        assert_eq!(
            tour_next(&app),
            Some((3, "get".into())),
            "the kill is not the step in hand"
        );
        press_n_until(&mut app, 5).await;
        assert_eq!(
            tour_next(&app),
            Some((7, "partition".into())),
            "cart#1 is down already: the tour went on to its next caption"
        );
        press_n_to_the_end(&mut app).await;
        assert_eq!(
            app.expectations(),
            (headless_passes(presets::DEFAULT).await, 0),
            "no step of the tour failed for being done already"
        );
        let (lines, _) = app.log().view(100_000);
        let log: Vec<&str> = lines.map(|l| l.text.as_str()).collect();
        assert!(
            log.iter()
                .any(|l| l.contains("step 6: kill") && l.contains("already done")),
            "the log says the step was passed over: {log:#?}"
        );
    });
}

/// Presses n until the tour's next step is `index` (or later).
async fn press_n_until(app: &mut App, index: usize) {
    let reached = |app: &App| tour_next(app).is_none_or(|(i, _)| i >= index);
    press_n_until_it(app, reached, &format!("the tour did not reach step {index}")).await;
}

/// `:export shiviz|mermaid|svg FILE [key=K] [gossip]` writes the session so
/// far with `ringside run --export`'s writers; like `:export trace`, it
/// refuses an existing file unless `:export!`, and a path it cannot write
/// is an error on the status line.
#[test]
fn export_writes_the_session_as_a_diagram() {
    rt().block_on(async {
        let dir = std::env::temp_dir().join(format!("ringside-export-diagram-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut app = open("playground").await;
        app.submit_command("put cart CAR").await;
        app.submit_command("put other X").await;
        app.run_for(Dur::from_millis(300)).await;
        let file = |name: &str| dir.join(name).display().to_string();
        let ok = |app: &App| {
            let n = app.notice().unwrap();
            assert!(!n.error, "{n:?}");
        };
        // Every key: both puts are in the diagram.
        app.submit_command(&format!("export mermaid {}", file("all.mmd"))).await;
        ok(&app);
        let all = std::fs::read_to_string(dir.join("all.mmd")).unwrap();
        assert!(all.starts_with("sequenceDiagram"), "{all}");
        assert!(all.contains("[cart]") && all.contains("[other]"), "{all}");
        // key=cart keeps what concerns cart only.
        app.submit_command(&format!("export mermaid {} key=cart", file("cart.mmd")))
            .await;
        ok(&app);
        assert!(app.notice().unwrap().text.contains("of cart"));
        let cart = std::fs::read_to_string(dir.join("cart.mmd")).unwrap();
        assert!(cart.contains("[cart]") && !cart.contains("[other]"), "{cart}");
        // ShiViz: the parsing regular expression first.
        app.submit_command(&format!("export shiviz {} key=cart", file("cart.log")))
            .await;
        ok(&app);
        let log = std::fs::read_to_string(dir.join("cart.log")).unwrap();
        assert!(log.lines().next().unwrap().contains("(?<host>"), "{log}");
        // SVG; an existing file is refused, export! overwrites it.
        app.submit_command(&format!("export svg {} gossip", file("run.svg")))
            .await;
        ok(&app);
        let svg = std::fs::read_to_string(dir.join("run.svg")).unwrap();
        assert!(svg.contains("<svg"), "{svg}");
        std::fs::write(dir.join("run.svg"), "kept").unwrap();
        app.submit_command(&format!("export svg {}", file("run.svg"))).await;
        let n = app.notice().unwrap();
        assert!(n.error && n.text.contains(":export! svg"), "{n:?}");
        assert_eq!(std::fs::read_to_string(dir.join("run.svg")).unwrap(), "kept");
        app.submit_command(&format!("export! svg {}", file("run.svg"))).await;
        ok(&app);
        assert!(std::fs::read_to_string(dir.join("run.svg")).unwrap().contains("<svg"));
        // A path that cannot be written, a bad format, a bad option: errors.
        for line in [
            "export svg /nonexistent-dir/x/run.svg",
            "export png out.png",
            "export svg out.svg colour=red",
        ] {
            app.submit_command(line).await;
            let n = app.notice().unwrap();
            assert!(n.error, "{line}: {n:?}");
        }
        assert!(!std::path::Path::new("out.svg").exists());
        let _ = std::fs::remove_dir_all(&dir);
    });
}
