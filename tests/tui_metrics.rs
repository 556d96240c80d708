//! The playground under background traffic: the metrics view (a detail
//! pane and full screen on `M`), `t` hiding traffic from the log, and the
//! ring sampling traffic's messages. Drawn into ratatui's TestBackend and
//! compared with insta snapshots; everything runs on virtual time with a
//! fixed seed, so the screens are the same on every machine.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ringside::core::time::Dur;
use ringside::tui::{App, DetailView, PlayOptions, UserAction};

mod common;
use common::rt;

async fn open(preset: &str) -> App {
    App::new(&PlayOptions {
        preset: preset.into(),
        seed: Some(7),
        speed: 1.0,
    })
    .await
    .unwrap()
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| f.render_widget(app, f.area())).unwrap();
    terminal.backend().to_string()
}

/// The event log's rows, from its title down.
fn log_pane(app: &App) -> String {
    let s = screen(app, 140, 45);
    let from = s.find("event log").expect("a log pane");
    s[from..].to_string()
}

async fn show(app: &mut App, view: DetailView) {
    for _ in 0..DetailView::ORDER.len() {
        if app.view() == view {
            return;
        }
        app.handle(UserAction::CycleView).await;
    }
    assert_eq!(app.view(), view);
}

/// The playground after 20 s of `:traffic 100` and a further 10 s with a
/// partition under a strict quorum.
async fn under_traffic() -> App {
    let mut app = open("playground").await;
    app.submit_command("set sloppy_quorum=false").await;
    app.submit_command("traffic 100 keys=50").await;
    app.run_for(Dur::from_secs(20)).await;
    app.submit_command("partition n1,n2 | n3,n4,n5").await;
    app.run_for(Dur::from_secs(10)).await;
    app
}

#[test]
fn the_metrics_pane_and_the_full_screen_view() {
    rt().block_on(async {
        let mut app = under_traffic().await;
        show(&mut app, DetailView::Metrics).await;
        let pane = screen(&app, 140, 45);
        for figure in [
            "metrics",
            "ops/s",
            "available",
            "p99 ms",
            "stale",
            "siblings",
            "hints",
            "msgs/s",
        ] {
            assert!(pane.contains(figure), "{figure} missing:\n{pane}");
        }
        insta::assert_snapshot!("metrics_pane_140x45", pane);
        let small = screen(&app, 80, 24);
        assert!(small.contains("ops/s") && small.contains("available"), "{small}");
        insta::assert_snapshot!("metrics_pane_80x24", small);

        app.handle(UserAction::ToggleMetrics).await;
        assert!(app.metrics_full());
        let full = screen(&app, 140, 45);
        for panel in [
            "operations a second",
            "latency, ms",
            "availability · stale reads · siblings",
            "latency, last 10s",
            "repair work and messages",
            "hints pending",
            "gets fail",
            "put p99",
        ] {
            assert!(full.contains(panel), "{panel} missing:\n{full}");
        }
        insta::assert_snapshot!("metrics_full_140x45", full);
        let full_small = screen(&app, 80, 24);
        assert!(full_small.contains("operations a second"), "{full_small}");
        insta::assert_snapshot!("metrics_full_80x24", full_small);

        app.handle(UserAction::Close).await;
        assert!(!app.metrics_full(), "Esc closes the full-screen view");
        assert!(screen(&app, 140, 45).contains("event log"));
    });
}

#[test]
fn a_partition_under_a_strict_quorum_shows_as_lost_availability() {
    rt().block_on(async {
        let app = under_traffic().await;
        let metrics = app.metrics().expect("the playground keeps metrics");
        let now = app.engine().now();
        let (before, _) = metrics.window(ringside::core::time::Time(now.micros() - 10_000_000), 10);
        let (during, _) = metrics.window(now, 5);
        assert!(before.ops() > 500, "traffic ran: {}", before.ops());
        assert_eq!(before.availability(), 1.0, "no fault, no failure");
        assert!(
            during.availability() < 0.95,
            "the partition fails quorums: {}",
            during.availability()
        );
    });
}

#[test]
fn t_hides_background_traffic_from_the_log_and_lists_it_again() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.submit_command("traffic 50").await;
        app.run_for(Dur::from_secs(2)).await;
        app.submit_command("put cart milk").await;
        app.run_for(Dur::from_millis(300)).await;
        let log = log_pane(&app);
        assert!(log.contains("traffic not listed (t)"), "{log}");
        assert!(!log.contains(" t:"), "no traffic key in the log:\n{log}");
        let rows = log.split_once('\n').unwrap().1;
        assert!(!rows.contains("traffic"), "no traffic client in the log:\n{log}");
        assert!(log.contains("put cart → ok"), "the user's own put is listed:\n{log}");
        app.handle(UserAction::ToggleTraffic).await;
        app.run_for(Dur::from_millis(500)).await;
        let listed = log_pane(&app);
        assert!(listed.contains(" t:"), "traffic listed after t:\n{listed}");
        assert!(!listed.contains("not listed (t)"));
    });
}
