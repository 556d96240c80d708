//! Whole screens of the playground, drawn into ratatui's TestBackend and
//! compared with insta snapshots. Everything runs on virtual time with the
//! preset's fixed seed, so the screens are the same on every machine.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ringside::core::time::Dur;
use ringside::tui::{Action, App, Mode, PlayOptions};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn open(preset: &str) -> App {
    App::new(&PlayOptions {
        preset: preset.into(),
        seed: None,
        speed: 0.05,
    })
    .await
    .unwrap()
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    app.set_area(ratatui::layout::Rect::new(0, 0, width, height));
    terminal.backend().to_string()
}

async fn run(app: &mut App, line: &str, ms: u64) {
    app.submit_command(line).await;
    app.run_for(Dur::from_millis(ms)).await;
}

#[test]
fn default_screen() {
    rt().block_on(async {
        let mut app = open("playground").await;
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("Welcome to ringside"), "{s}");
        assert!(s.contains(":put cart CAR"));
        insta::assert_snapshot!(s);
    });
}

#[test]
fn after_a_put() {
    rt().block_on(async {
        let mut app = open("playground").await;
        run(&mut app, "put cart CAR", 12).await;
        let flying = screen(&mut app, 120, 40);
        assert!(flying.contains('●'), "messages are on the ring:\n{flying}");
        insta::assert_snapshot!("after_a_put_in_flight", flying);
        app.run_for(Dur::from_millis(100)).await;
        let done = screen(&mut app, 120, 40);
        assert!(done.contains("last put by client: CAR"), "{done}");
        assert!(done.contains("new clock {n5:1}"), "{done}");
        insta::assert_snapshot!("after_a_put_done", done);
    });
}

/// The acceptance story: kill a replica, cut two apart, write on both sides.
async fn siblings(app: &mut App) {
    run(app, "put cart CAR as alice", 100).await;
    run(app, "get cart as bob", 100).await;
    run(app, "kill cart#1", 0).await;
    run(app, "partition cart#2 | cart#3", 0).await;
    run(app, "put cart CARM via cart#2 as alice w=1", 100).await;
    run(app, "put cart CARR via cart#3 as bob w=1", 100).await;
    run(app, "heal", 0).await;
    run(app, "revive cart#1", 0).await;
    run(app, "get cart as carol r=3", 100).await;
}

#[test]
fn a_get_with_siblings_and_its_resolution() {
    rt().block_on(async {
        let mut app = open("playground").await;
        siblings(&mut app).await;
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("2 siblings"), "{s}");
        assert!(s.contains("merge → CARMR"), "{s}");
        insta::assert_snapshot!("get_with_siblings", s);
        app.handle(Action::ResolveMerge).await;
        app.run_for(Dur::from_millis(100)).await;
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("last put by carol: CARMR"), "{s}");
        assert!(s.contains("new clock {n1:1, n3:1, n5:2}"), "{s}");
        insta::assert_snapshot!("siblings_resolved", s);
    });
}

#[test]
fn a_dead_node() {
    rt().block_on(async {
        let mut app = open("playground").await;
        run(&mut app, "put cart CAR", 100).await;
        run(&mut app, "kill cart#1", 0).await;
        run(&mut app, "put cart CART", 8).await;
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("DOWN"), "{s}");
        assert!(s.contains("✗n5"), "the ring marks it: {s}");
        insta::assert_snapshot!(s);
    });
}

#[test]
fn a_partition() {
    rt().block_on(async {
        let mut app = open("playground").await;
        run(&mut app, "partition n1,n2 | n3,n4,n5", 0).await;
        run(&mut app, "put cart CAR", 20).await;
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("side A") && s.contains("side B"), "{s}");
        assert!(s.contains("DROPPED: partitioned"), "{s}");
        assert_eq!(app.flights().flashes().count(), 1, "the drop flashes");
        assert!(s.contains('✸'), "{s}");
        insta::assert_snapshot!(s);
    });
}

#[test]
fn the_help_overlay() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.handle(Action::OpenHelp).await;
        assert_eq!(app.mode(), Mode::Help);
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("partition A,B | C,D"), "{s}");
        insta::assert_snapshot!(s);
        app.handle(Action::Close).await;
        assert_eq!(app.mode(), Mode::Normal);
    });
}

#[test]
fn a_terminal_too_small() {
    rt().block_on(async {
        let mut app = open("playground").await;
        let s = screen(&mut app, 60, 20);
        assert!(s.contains("terminal too small"), "{s}");
        assert!(s.contains("60x20"));
        insta::assert_snapshot!(s);
    });
}

#[test]
fn the_smallest_usable_screen() {
    rt().block_on(async {
        let mut app = open("playground").await;
        siblings(&mut app).await;
        let s = screen(&mut app, 80, 24);
        assert!(s.contains("1 CARM {n1:1, n5:1}"), "the siblings fit: {s}");
        assert!(s.contains("m merge → CARMR"), "and so does the resolution: {s}");
        insta::assert_snapshot!(s);
    });
}

#[test]
fn a_malformed_command_shows_an_error_and_changes_nothing() {
    rt().block_on(async {
        let mut app = open("playground").await;
        let before = screen(&mut app, 120, 40);
        app.submit_command("kill s9").await;
        app.submit_command("put cart").await;
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("usage: put KEY VALUE"), "{s}");
        assert_eq!(app.engine().now(), ringside::core::time::Time::ZERO);
        assert!(app.engine().names().node_ids().all(|n| app.engine().is_alive(n)));
        assert!(!app.engine().names().node_ids().any(|n| !app.engine().is_alive(n)));
        assert_ne!(before, s);
        insta::assert_snapshot!(s);
    });
}

#[test]
fn frames_pace_virtual_time_by_the_speed() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.tick(Duration::from_millis(20), None).await;
        assert_eq!(app.engine().now().micros(), 1_000, "0.05x: 20 real ms is 1 virtual ms");
        app.handle(Action::TogglePause).await;
        app.tick(Duration::from_secs(1), None).await;
        assert_eq!(app.engine().now().micros(), 1_000, "paused");
        app.handle(Action::TogglePause).await;
        app.handle(Action::Faster).await;
        app.tick(Duration::from_millis(20), None).await;
        assert_eq!(app.engine().now().micros(), 3_000, "0.1x");
    });
}
