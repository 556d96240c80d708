//! Whole screens of the playground, drawn into ratatui's TestBackend and
//! compared with insta snapshots. Everything runs on virtual time with the
//! preset's fixed seed, so the screens are the same on every machine.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ringside::core::message::MsgKind;
use ringside::core::time::Dur;
use ringside::tui::gossip::GossipShown;
use ringside::tui::{App, DetailView, Focus, Mode, PlayOptions, UserAction};

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

fn screen(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    app.set_area(ratatui::layout::Rect::new(0, 0, width, height));
    terminal.backend().to_string()
}

/// The status line (the one that shows virtual time), wherever the
/// timeline puts it.
fn status_line(s: &str) -> &str {
    s.lines().find(|l| l.contains("│ t ")).expect("a status line")
}

/// The background colour of the first cell where `needle` is drawn.
fn background_of(app: &mut App, width: u16, height: u16, needle: &str) -> Option<Color> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    let buf = terminal.backend().buffer();
    for y in 0..height {
        let cells: Vec<&str> = (0..width).map(|x| buf[(x, y)].symbol()).collect();
        for x in 0..cells.len() {
            if cells[x..].concat().starts_with(needle) {
                return Some(buf[(x as u16, y)].bg);
            }
        }
    }
    None
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
        // The put the first caption asks for: it ran as the tour's step,
        // alice's.
        assert!(done.contains("last put by alice: CAR"), "{done}");
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
        app.handle(UserAction::ResolveMerge).await;
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
        app.handle(UserAction::OpenHelp).await;
        assert_eq!(app.mode(), Mode::Help);
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("put KEY VALUE"), "{s}");
        insta::assert_snapshot!(s);
        app.handle(UserAction::Close).await;
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
        app.handle(UserAction::TogglePause).await;
        app.tick(Duration::from_secs(1), None).await;
        assert_eq!(app.engine().now().micros(), 1_000, "paused");
        app.handle(UserAction::TogglePause).await;
        app.handle(UserAction::Faster).await;
        app.tick(Duration::from_millis(20), None).await;
        assert_eq!(app.engine().now().micros(), 3_000, "0.1x");
    });
}

/// Runs the scenario's steps with `n` until `count` of them are done (and
/// the last has ended), on virtual time alone.
async fn steps(app: &mut App, count: usize) {
    for _ in 0..2_000 {
        let director = app.playback().tour();
        if director.next_index() >= count && !director.is_running() {
            return;
        }
        if !director.is_running() {
            app.handle(UserAction::NextStep).await;
        }
        app.run_for(Dur::from_millis(20)).await;
    }
    panic!("the steps did not finish");
}

/// The name of the I-th node clockwise from `key` (`cart#1` is 1).
fn nth(app: &App, key: &str, i: usize) -> String {
    let node = app.engine().ring().nth(key, i).unwrap();
    app.engine().names().node(node).to_string()
}

#[test]
fn hints_held_in_the_nodes_table_and_a_hinted_version_in_the_inspector() {
    rt().block_on(async {
        let mut app = open("hinted-handoff").await;
        // Kill cart#2, put with W=3, check the hint on cart#4.
        steps(&mut app, 5).await;
        let (owner, keeper) = (nth(&app, "cart", 2), nth(&app, "cart", 4));
        let s = screen(&mut app, 120, 40);
        assert!(
            s.contains(&format!("1→{owner}")),
            "{keeper} holds one hint for {owner}:\n{s}"
        );
        assert!(s.contains(&format!("hint for {owner}")), "the inspector marks it:\n{s}");
        assert!(s.contains("N=3 R=2 W=2 sloppy"), "{s}");
        insta::assert_snapshot!("hinted_handoff_hint_held", s);
        // The owner returns and the hint goes home.
        steps(&mut app, 15).await;
        let s = screen(&mut app, 120, 40);
        assert!(!s.contains("hint for"), "delivered and deleted:\n{s}");
    });
}

#[test]
fn strict_quorum_shows_in_the_status_bar() {
    rt().block_on(async {
        let mut app = open("strict-vs-sloppy").await;
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("N=3 R=2 W=2 strict"), "{s}");
        let s = screen(&mut app, 80, 24);
        assert!(s.contains("strict"), "even at 80x24:\n{s}");
    });
}

#[test]
fn the_membership_matrix_with_a_node_seen_down_by_some_and_suspect_by_others() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.handle(UserAction::CycleView).await;
        assert_eq!(app.view(), DetailView::Membership);
        run(&mut app, "partition n1 | n2,n3,n4,n5", 0).await;
        let n1 = ringside::core::ids::NodeId(0);
        let mut mixed = false;
        for _ in 0..200 {
            app.run_for(Dur::from_millis(50)).await;
            let engine = app.engine();
            let o = app.members().opinions(n1, |n| engine.is_alive(n));
            if o.down >= 1 && o.suspect >= 1 {
                mixed = true;
                break;
            }
        }
        assert!(mixed, "some see n1 down while others only suspect it");
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("DOWN") && s.contains("susp"), "{s}");
        assert!(s.contains("n1 (running) is seen down by"), "{s}");
        insta::assert_snapshot!("membership_mixed", s);
        let small = screen(&mut app, 80, 24);
        assert!(small.contains("membership"), "{small}");
        insta::assert_snapshot!("membership_mixed_80x24", small);
    });
}

#[test]
fn the_membership_matrix_of_a_big_cluster_scrolls_to_the_selection() {
    rt().block_on(async {
        let dir = std::env::temp_dir().join(format!("ringside-screens-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.yaml");
        std::fs::write(&path, "name: big\ncluster:\n  nodes: 64\nsteps:\n  - say: big\n").unwrap();
        let mut app = open(&path.to_string_lossy()).await;
        app.handle(UserAction::CycleView).await;
        app.handle(UserAction::FocusNext).await;
        assert_eq!(app.focus(), Focus::Log);
        app.handle(UserAction::FocusPrev).await;
        assert_eq!(app.focus(), Focus::Inspector);
        for _ in 0..40 {
            app.handle(UserAction::Down).await;
        }
        assert_eq!(app.selected_node().index(), 40, "arrows in the matrix select nodes");
        run(&mut app, "kill n41", 12_000).await;
        let s = screen(&mut app, 200, 60);
        assert!(s.contains("n41"), "{s}");
        assert!(s.contains("✗"), "n41 is seen down:\n{s}");
    });
}

#[test]
fn the_merkle_pane_follows_a_session_that_repairs_keys() {
    rt().block_on(async {
        let mut app = open("tests/fixtures/screens/merkle-small.yaml").await;
        assert_eq!(
            app.view(),
            DetailView::Merkle,
            "a story about anti-entropy opens on the trees"
        );
        // Up to `set anti_entropy_interval: 1s`.
        steps(&mut app, 6).await;
        let key = app.inspector().selected().cloned().unwrap();
        assert!(key.starts_with("new"), "{key}");
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("roots differ"), "{s}");
        assert!(s.contains("no session on this range yet"), "{s}");
        // Until a session on the key's range is half way down.
        let mut descending = false;
        for _ in 0..4_000 {
            app.run_for(Dur::from_millis(1)).await;
            if app
                .merkle()
                .session()
                .is_some_and(|s| s.end.is_none() && s.level() >= Some(2))
            {
                descending = true;
                break;
            }
        }
        assert!(descending, "a session descends the key's range");
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("descending"), "{s}");
        insta::assert_snapshot!("merkle_descending", s);
        // The roots and the differing child the session went down through
        // are marked, on both trees.
        let session = app.merkle().session().unwrap().clone();
        assert_eq!(session.differing_at(0), Some(&[0][..]));
        let trees = app.merkle().trees();
        let at = |node, level: usize, i: usize| {
            let t = trees.iter().find(|t| t.node == node).unwrap();
            format!("{:016x}", t.top.as_ref().unwrap().rows[level][i])[..8].to_string()
        };
        let level1 = session.differing_at(1).unwrap()[0] as usize;
        let (root, child) = (at(session.initiator, 0, 0), at(session.peer, 1, level1));
        assert_eq!(background_of(&mut app, 120, 40, &root), Some(Color::Red), "{root}");
        assert_eq!(background_of(&mut app, 120, 40, &child), Some(Color::Red), "{child}");
        for _ in 0..4_000 {
            app.run_for(Dur::from_millis(5)).await;
            if app.merkle().session().is_some_and(|s| s.end.is_some()) {
                break;
            }
        }
        let end = app.merkle().session().and_then(|s| s.end).expect("the session ended");
        assert!(end.stats.keys > 0, "it repaired keys");
        let s = screen(&mut app, 120, 40);
        assert!(s.contains(&format!("repaired {} keys", end.stats.keys)), "{s}");
        assert!(s.contains("roots equal"), "{s}");
        insta::assert_snapshot!("merkle_repaired", s);
        let trees = app.merkle().trees();
        let repaired = format!("{:016x}", trees[0].top.as_ref().unwrap().rows[1][level1])[..8].to_string();
        assert_eq!(
            background_of(&mut app, 120, 40, &repaired),
            Some(Color::Green),
            "repaired: {repaired}"
        );
        let small = screen(&mut app, 80, 24);
        assert!(small.contains("L0") && small.contains("repaired"), "{small}");
        insta::assert_snapshot!("merkle_repaired_80x24", small);
    });
}

#[test]
fn the_gossip_toggle_hides_gossip_from_the_ring_and_the_log() {
    rt().block_on(async {
        let mut app = open("failure-detection").await;
        let gossiping = |app: &App| {
            app.flights()
                .live()
                .any(|f| matches!(f.kind, MsgKind::Gossip | MsgKind::GossipReply))
        };
        app.run_for(Dur::from_millis(900)).await;
        for _ in 0..2_000 {
            if gossiping(&app) {
                break;
            }
            app.run_for(Dur::from_millis(1)).await;
        }
        assert!(gossiping(&app));
        // The ring pane's rows and columns (a line starts with a quote).
        let pane = ringside::tui::ui::layout::Screen::compute(ratatui::layout::Rect::new(0, 0, 120, 40), 5).ring;
        let ring = move |s: &str| -> String {
            s.lines()
                .skip(pane.y as usize)
                .take(pane.height as usize)
                .map(|l| l.chars().take(pane.width as usize + 1).collect::<String>())
                .collect()
        };
        let logged = |s: &str| {
            s.lines()
                .skip(31)
                .take(8)
                .any(|l| l.contains("→") && l.contains("gossip"))
        };
        // By default: on the ring, not in the log.
        let ring_only = screen(&mut app, 120, 40);
        assert!(ring(&ring_only).contains('●'), "{ring_only}");
        assert!(!logged(&ring_only), "{ring_only}");
        assert!(ring_only.contains("gossip not listed (g)"), "{ring_only}");
        insta::assert_snapshot!("gossip_ring_only", ring_only);
        app.handle(UserAction::ToggleGossip).await;
        assert_eq!(app.gossip(), GossipShown::Nowhere);
        let hidden = screen(&mut app, 120, 40);
        assert!(hidden.contains("gossip hidden"), "{hidden}");
        assert!(!ring(&hidden).contains('●'), "no gossip on the ring:\n{hidden}");
        assert!(!logged(&hidden), "{hidden}");
        insta::assert_snapshot!("gossip_hidden", hidden);
        app.handle(UserAction::ToggleGossip).await;
        let everywhere = screen(&mut app, 120, 40);
        assert!(everywhere.contains("gossip logged"), "{everywhere}");
        assert!(ring(&everywhere).contains('●') && logged(&everywhere), "{everywhere}");
        app.handle(UserAction::ToggleGossip).await;
        assert_eq!(app.gossip(), GossipShown::Ring);
        let again = screen(&mut app, 120, 40);
        // Every row but the notice's (the status bar's second line).
        let notice_row = ringside::tui::ui::layout::Screen::compute(ratatui::layout::Rect::new(0, 0, 120, 40), 5)
            .status
            .y as usize
            + 1;
        let above_the_notice = |s: &str| {
            s.lines()
                .enumerate()
                .filter(|(i, _)| *i != notice_row)
                .map(|(_, l)| l)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            above_the_notice(&again),
            above_the_notice(&ring_only),
            "back to the default"
        );
    });
}

/// The rows of the nodes table: the only lines with a node's square.
fn node_rows(s: &str) -> Vec<&str> {
    s.lines().filter(|l| l.contains("■ ")).collect()
}

#[test]
fn at_80x24_the_tour_shows_every_node_and_the_whole_welcome() {
    rt().block_on(async {
        let mut app = open("playground").await;
        let s = screen(&mut app, 80, 24);
        assert!(s.contains("every key."), "the welcome's last words show:\n{s}");
        assert_eq!(node_rows(&s).len(), 5, "all five nodes:\n{s}");
        // Kill cart#1, cut cart#2 from cart#3, write on both sides.
        steps(&mut app, 11).await;
        let dead = nth(&app, "cart", 1);
        let s = screen(&mut app, 80, 24);
        let rows = node_rows(&s);
        for i in 1..=5 {
            assert!(
                rows.iter().any(|r| r.contains(&format!("■ n{i} "))),
                "n{i} missing:\n{s}"
            );
        }
        assert!(
            rows.iter().any(|r| r.contains(&dead) && r.contains("DOWN")),
            "the dead node shows:\n{s}"
        );
        assert!(rows.iter().any(|r| r.contains("side A")), "{s}");
        assert!(rows.iter().any(|r| r.contains("side B")), "{s}");
        insta::assert_snapshot!("tour_partitioned_80x24", s);
        let big = screen(&mut app, 140, 45);
        assert_eq!(node_rows(&big).len(), 5, "{big}");
        insta::assert_snapshot!("tour_partitioned_140x45", big);
    });
}

#[test]
fn a_nodes_table_too_short_says_so_and_keeps_the_dead_in_view() {
    rt().block_on(async {
        let dir = std::env::temp_dir().join(format!("ringside-screens-hint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("twelve.yaml");
        std::fs::write(&path, "name: twelve\ncluster:\n  nodes: 12\nsteps:\n  - say: twelve\n").unwrap();
        let mut app = open(&path.to_string_lossy()).await;
        app.handle(UserAction::Home).await;
        run(&mut app, "kill n11", 0).await;
        let selected = app.engine().names().node(app.selected_node()).to_string();
        let s = screen(&mut app, 80, 24);
        let rows = node_rows(&s);
        assert!(rows.len() < 12, "{s}");
        let hidden = 12 - rows.len();
        assert!(
            s.contains(&format!("↓ {hidden} more")),
            "the table says how many it hides:\n{s}"
        );
        assert!(
            rows.iter().any(|r| r.contains("n11") && r.contains("DOWN")),
            "the dead node stays in view:\n{s}"
        );
        assert!(
            rows.iter().any(|r| r.contains(&format!("■ {selected} "))),
            "and the selection:\n{s}"
        );
        app.handle(UserAction::Home).await;
        let s = screen(&mut app, 80, 24);
        assert!(s.contains("■ n11"), "whatever is selected:\n{s}");
    });
}

#[test]
fn the_banner_at_140_columns_keeps_the_end_of_the_last_checks() {
    rt().block_on(async {
        for preset in ["quorum-basics", "conflicting-writes"] {
            let mut app = open(preset).await;
            let total = app.playback().tour().steps().len();
            steps(&mut app, total).await;
            let s = screen(&mut app, 140, 45);
            let line = s.lines().find(|l| l.contains("scenario finished")).unwrap_or_default();
            assert!(
                line.contains("p picks another")
                    && line.trim_end_matches('"').trim_end().ends_with("commands still work"),
                "{preset}: the banner's check line is whole:\n{s}"
            );
        }
    });
}

#[test]
fn a_later_command_that_succeeds_clears_an_old_error() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.submit_command("put cart").await;
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("usage: put KEY VALUE"), "{s}");
        run(&mut app, "put cart CAR", 100).await;
        let s = screen(&mut app, 120, 40);
        let status = s.lines().last().unwrap();
        assert!(!status.contains("usage: put"), "the old error is gone: {status}");
    });
}

#[test]
fn versions_written_on_both_sides_of_a_partition_are_concurrent_not_stale() {
    rt().block_on(async {
        let mut app = open("playground").await;
        // Kill cart#1, cut cart#2 from cart#3, write on both sides.
        steps(&mut app, 11).await;
        let s = screen(&mut app, 140, 45);
        let row = |node: &str| {
            s.lines()
                .find(|l| l.contains(&format!("{node}      CAR")) || l.contains(&format!("{node}    ✗ CAR")))
                .unwrap_or_else(|| panic!("no row for {node}:\n{s}"))
                .to_string()
        };
        for i in [2, 3] {
            let r = row(&nth(&app, "cart", i));
            assert!(r.contains("concurrent") && !r.contains("stale"), "cart#{i}: {r}");
        }
        let dead = row(&nth(&app, "cart", 1));
        assert!(dead.contains("stale"), "CAR is superseded by both: {dead}");
    });
}

#[test]
fn partitions_show_on_the_ring_and_network_settings_in_the_status_bar() {
    rt().block_on(async {
        let mut app = open("playground").await;
        let s = screen(&mut app, 140, 45);
        let status = status_line(&s);
        assert!(
            !status.contains("drop") && !status.contains("latency"),
            "defaults go unsaid: {status}"
        );
        run(&mut app, "partition n1,n2 | n3,n4,n5", 0).await;
        run(&mut app, "set drop_rate=0.2 latency=50ms", 0).await;
        for (w, h) in [(140, 45), (80, 24)] {
            let s = screen(&mut app, w, h);
            let ring: String = s
                .lines()
                .map(|l| l.chars().take_while(|c| *c != '╮').collect::<String>())
                .collect::<Vec<_>>()
                .join("\n");
            for (node, side) in [("n1", 'A'), ("n2", 'A'), ("n3", 'B'), ("n4", 'B'), ("n5", 'B')] {
                assert!(
                    ring.contains(&format!("{node}·{side}")),
                    "{w}x{h}: {node} on side {side}:\n{s}"
                );
            }
            let status = status_line(&s);
            assert!(status.contains("drop 20%"), "{w}x{h}: {status}");
            assert!(status.contains("latency 50ms"), "{w}x{h}: {status}");
            insta::assert_snapshot!(format!("partition_and_network_{w}x{h}"), s);
        }
        run(&mut app, "heal", 0).await;
        let s = screen(&mut app, 140, 45);
        assert!(!s.contains("n1·A"), "healed:\n{s}");
    });
}

/// Cycles the detail pane with `v` until it shows `view`.
async fn show(app: &mut App, view: DetailView) {
    for _ in 0..DetailView::ORDER.len() {
        if app.view() == view {
            return;
        }
        app.handle(UserAction::CycleView).await;
    }
    assert_eq!(app.view(), view);
}

#[test]
fn the_history_view_draws_figure_3_from_d1_to_d5() {
    rt().block_on(async {
        let mut app = open("version-evolution").await;
        show(&mut app, DetailView::History).await;
        let before = screen(&mut app, 140, 45);
        assert!(before.contains("No key selected yet"), "{before}");
        let all = app.playback().tour().steps().len();
        steps(&mut app, all).await;
        let s = screen(&mut app, 140, 45);
        assert!(s.contains("history · cart · 5 versions"), "{s}");
        assert!(s.contains("concurrent: D3 ‖ D4"), "D3 and D4 side by side:\n{s}");
        assert!(s.contains("D5 joins D3 + D4"), "the resolution joins them:\n{s}");
        assert!(s.contains("D5 ← D3 + D4"), "D5's parents are D3 and D4:\n{s}");
        assert!(s.contains("D2 ← D1"), "{s}");
        assert!(s.contains("{Sx:3, Sy:1, Sz:1}"), "D5's clock is the paper's:\n{s}");
        assert!(s.contains("replaced by D5"), "{s}");
        assert!(s.contains("held by Sx Sy Sz"), "every replica holds D5 alone:\n{s}");
        insta::assert_snapshot!("history_view_figure_3", s);
        let small = screen(&mut app, 80, 24);
        assert!(
            small.contains("D5 ← D3 + D4"),
            "the newest lines are kept at 80x24:\n{small}"
        );
        insta::assert_snapshot!("history_view_figure_3_80x24", small);
    });
}

#[test]
fn a_forked_session_shows_its_branch_in_the_status_bar() {
    rt().block_on(async {
        let mut app = open("playground").await;
        let status = |app: &mut App| status_line(&screen(app, 140, 45)).to_string();
        assert!(!status(&mut app).contains("branch"), "one branch goes unsaid");
        run(&mut app, "put cart A", 300).await;
        let fork = app.engine().now();
        // 1us later: an action at the instant rewound to is taken again.
        app.run_for(Dur::from_micros(1)).await;
        run(&mut app, "kill n1", 300).await;
        app.rewind_to(fork).await;
        assert!(!status(&mut app).contains("branch"), "a rewind alone does not fork");
        run(&mut app, "kill n2", 100).await;
        let s = status(&mut app);
        assert!(s.contains(&format!("branch 2/2 from {fork}")), "{s}");
        app.submit_command("branch 1").await;
        let s = status(&mut app);
        assert!(s.contains("branch 1/2") && !s.contains("from"), "{s}");
    });
}
