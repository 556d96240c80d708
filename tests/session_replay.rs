//! A playground session saved with `:save` runs headless to the same trace,
//! byte for byte; `:save` refuses to overwrite a file; a rewind shows the
//! session as it was.

mod common;

use std::time::Duration;

use common::rt;
use proptest::prelude::*;
use ringside::core::time::{Dur, Time};
use ringside::scenario::Scenario;
use ringside::scenario::headless::{RunOptions, run};
use ringside::tui::{App, PlayOptions, UserAction};

async fn open(preset: &str) -> App {
    let mut app = App::new(&PlayOptions {
        preset: preset.into(),
        seed: None,
        speed: 1.0,
    })
    .await
    .unwrap();
    app.keep_trace_json();
    // From the start: the captions the scenario opened with are replayed.
    app.rewind_to(Time::ZERO).await;
    app.handle(UserAction::TogglePause).await;
    app
}

/// What a random user does.
#[derive(Clone, Debug)]
enum Act {
    Type(String),
    Next,
    StepEvent,
    Run(u64),
    Tick(u64),
}

fn act() -> impl Strategy<Value = Act> {
    let key = prop_oneof![Just("cart"), Just("a"), Just("b")];
    let node = 1..=5u8;
    prop_oneof![
        (key.clone(), 0..5u8).prop_map(|(k, v)| Act::Type(format!("put {k} v{v}"))),
        (key.clone(), node.clone()).prop_map(|(k, n)| Act::Type(format!("put {k} w via n{n} w=1"))),
        key.clone().prop_map(|k| Act::Type(format!("get {k}"))),
        (key, 1..=3u8).prop_map(|(k, r)| Act::Type(format!("get {k} r={r} as bob"))),
        node.clone().prop_map(|n| Act::Type(format!("kill n{n}"))),
        node.clone().prop_map(|n| Act::Type(format!("revive n{n}"))),
        Just(Act::Type("partition n1,n2 | n3,n4,n5".into())),
        Just(Act::Type("heal".into())),
        Just(Act::Type("say \"a caption, typed\"".into())),
        // Faults one after the other at one instant: the saved preset
        // leaves out the `at:` of each after the first.
        node.clone().prop_map(|n| Act::Type(format!("kill n{n}"))),
        Just(Act::Type("heal".into())),
        (node, 1..50u64).prop_map(|(n, ms)| Act::Type(format!("slow n{n} {ms}ms"))),
        Just(Act::Next),
        Just(Act::StepEvent),
        (0..400u64).prop_map(Act::Run),
        (0..300u64).prop_map(Act::Tick),
    ]
}

async fn play(app: &mut App, acts: &[Act]) {
    for a in acts {
        match a {
            Act::Type(line) => app.submit_command(line).await,
            Act::Next => app.handle(UserAction::NextStep).await,
            Act::StepEvent => app.handle(UserAction::StepEvent).await,
            Act::Run(ms) => app.run_for(Dur::from_millis(*ms)).await,
            Act::Tick(ms) => app.tick(Duration::from_millis(*ms), None).await,
        }
    }
}

/// The saved session's `run --json` output, without its summary line, and
/// the instant the summary gives.
async fn replay(text: &str) -> (Vec<String>, u64) {
    let scenario = Scenario::parse(text, "saved", "saved").unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut out = Vec::new();
    let opts = RunOptions {
        json: true,
        ..RunOptions::default()
    };
    run(&scenario, &opts, &mut out, |_| {}).await.unwrap();
    let mut lines: Vec<String> = String::from_utf8(out).unwrap().lines().map(str::to_string).collect();
    let summary: serde_json::Value = serde_json::from_str(&lines.pop().unwrap()).unwrap();
    (lines, summary["t_us"].as_u64().unwrap())
}

fn assert_same(live: &[String], replayed: &[String], text: &str) {
    for (i, (a, b)) in live.iter().zip(replayed).enumerate() {
        assert_eq!(a, b, "line {i} differs; the preset:\n{text}");
    }
    assert_eq!(live.len(), replayed.len(), "the preset:\n{text}");
}

proptest! {
    #![proptest_config(common::property_config(24))]

    #[test]
    fn a_saved_session_runs_to_the_same_trace(
        acts in prop::collection::vec(act(), 1..25),
        rewind in prop::option::of(0..100u64),
        branch in prop::option::of(1..=2usize),
    ) {
        rt().block_on(async {
            let mut app = open("playground").await;
            play(&mut app, &acts).await;
            // Sometimes rewind part of the way and take a few more actions
            // there: the session goes on from the rewound instant (on a new
            // branch when the actions left a recorded future behind).
            if let Some(pct) = rewind {
                let t = Time(app.engine().now().micros() * pct / 100);
                app.rewind_to(t).await;
                play(&mut app, &acts[..acts.len().min(3)]).await;
            }
            // Sometimes go back to a branch (one that may not exist).
            if let Some(n) = branch {
                app.submit_command(&format!("branch {n}")).await;
            }
            let text = app.session_preset();
            let (replayed, end) = replay(&text).await;
            assert_eq!(end, app.engine().now().micros());
            assert_same(app.trace_json().unwrap(), &replayed, &text);
        });
    }
}

#[test]
fn the_tour_played_with_n_and_typing_saves_and_replays() {
    rt().block_on(async {
        let mut app = open("conflicting-writes").await;
        for _ in 0..400 {
            if app.playback().tour().is_finished() {
                break;
            }
            if !app.playback().tour().is_running() {
                app.handle(UserAction::NextStep).await;
            }
            app.run_for(Dur::from_millis(37)).await;
        }
        assert!(app.playback().tour().is_finished());
        app.submit_command("get cart r=3").await;
        app.run_for(Dur::from_millis(500)).await;
        let text = app.session_preset();
        let (replayed, _) = replay(&text).await;
        assert_same(app.trace_json().unwrap(), &replayed, &text);
        let (passed, failed) = app.expectations();
        assert!(passed > 0);
        assert_eq!(failed, 0);
    });
}

#[test]
fn a_tour_played_step_after_step_saves_as_its_preset_reads() {
    rt().block_on(async {
        let mut app = open("conflicting-writes").await;
        // n pressed while a step runs queues the next: it starts the
        // instant the running one is done.
        for _ in 0..400 {
            if app.playback().tour().is_finished() {
                break;
            }
            app.handle(UserAction::NextStep).await;
            app.run_for(Dur::from_millis(37)).await;
        }
        assert!(app.playback().tour().is_finished());
        // Three faults and a caption typed at one instant.
        app.run_for(Dur::from_millis(250)).await;
        for line in ["kill s2", "partition s1 | s3", "heal", "say \"all at once\""] {
            app.submit_command(line).await;
        }
        app.run_for(Dur::from_millis(250)).await;
        let text = app.session_preset();
        let steps: Vec<&str> = text
            .lines()
            .skip_while(|l| *l != "steps:")
            .skip(1)
            .map(str::trim_start)
            .collect();
        // The tour's waits are kept, and the step after each (queued by n)
        // starts when it ends: no `at:` says so.
        let waits: Vec<usize> = (0..steps.len()).filter(|&i| steps[i].starts_with("- {wait:")).collect();
        assert_eq!(waits.len(), 2, "{text}");
        for i in waits {
            assert!(
                !steps[i + 1].starts_with("- {at:"),
                "{} then {}:\n{text}",
                steps[i],
                steps[i + 1]
            );
        }
        // The faults typed at one instant: one `at:`, before the first.
        let tail = &steps[steps.len() - 6..];
        assert!(tail[0].starts_with("- {at:"), "{text}");
        assert!(tail[1..5].iter().all(|l| !l.starts_with("- {at:")), "{text}");
        assert!(tail[5].starts_with("- {at:"), "the time after them: {text}");
        let (replayed, end) = replay(&text).await;
        assert_eq!(end, app.engine().now().micros());
        assert_same(app.trace_json().unwrap(), &replayed, &text);
    });
}

#[test]
fn save_refuses_to_overwrite_unless_forced_and_reports_unwritable_paths() {
    rt().block_on(async {
        let dir = std::env::temp_dir().join(format!("ringside-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.yaml");
        let _ = std::fs::remove_file(&path);
        let p = path.to_str().unwrap().to_string();
        let mut app = open("playground").await;
        app.submit_command("put cart X").await;
        app.run_for(Dur::from_millis(200)).await;
        app.submit_command(&format!("save {p}")).await;
        assert!(!app.notice().unwrap().error, "{:?}", app.notice());
        let first = std::fs::read_to_string(&path).unwrap();
        app.submit_command("get cart").await;
        app.run_for(Dur::from_millis(200)).await;
        app.submit_command(&format!("save {p}")).await;
        let notice = app.notice().unwrap();
        assert!(notice.error && notice.text.contains("exists"), "{notice:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), first, "the file is untouched");
        app.submit_command(&format!("save! {p}")).await;
        assert!(!app.notice().unwrap().error, "{:?}", app.notice());
        assert_ne!(std::fs::read_to_string(&path).unwrap(), first, "save! overwrites");
        app.submit_command("save /nonexistent-dir/x/s.yaml").await;
        let notice = app.notice().unwrap();
        assert!(notice.error && notice.text.contains("cannot write"), "{notice:?}");
        // The exported trace is the saved preset's run.
        let trace = dir.join("t.jsonl");
        let _ = std::fs::remove_file(&trace);
        app.submit_command(&format!("export trace {}", trace.display())).await;
        assert!(!app.notice().unwrap().error, "{:?}", app.notice());
        let exported = std::fs::read_to_string(&trace).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let (replayed, _) = replay(&text).await;
        let lines: Vec<&str> = exported.lines().collect();
        assert_eq!(
            lines[..lines.len() - 1],
            replayed.iter().map(String::as_str).collect::<Vec<_>>()[..]
        );
        let _ = std::fs::remove_dir_all(&dir);
    });
}

#[test]
fn a_rewind_shows_the_cluster_as_it_was() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.submit_command("put cart A").await;
        app.run_for(Dur::from_millis(300)).await;
        let before = app.engine().now();
        let live: Vec<String> = app.trace_json().unwrap().to_vec();
        app.run_for(Dur::from_micros(1)).await;
        app.submit_command("kill n1").await;
        app.submit_command("put cart B").await;
        app.run_for(Dur::from_millis(300)).await;
        // An action at the instant rewound to is taken: the kill came 1us later.
        app.rewind_to(before).await;
        assert_eq!(app.engine().now(), before);
        assert!(
            app.engine().is_alive(ringside::core::ids::NodeId(0)),
            "n1 is alive again"
        );
        assert_eq!(app.trace_json().unwrap(), &live[..], "the same trace up to then");
        assert!(app.pacer().is_paused());
        // Resuming takes the recorded actions again at their instants.
        app.run_for(Dur::from_millis(300)).await;
        assert!(
            !app.engine().is_alive(ringside::core::ids::NodeId(0)),
            "the kill is taken again"
        );
    });
}

#[test]
fn acting_after_a_rewind_forks_and_branch_1_returns_to_the_first_future() {
    rt().block_on(async {
        let mut app = open("playground").await;
        app.submit_command("put cart A").await;
        app.run_for(Dur::from_millis(300)).await;
        let fork = app.engine().now();
        app.run_for(Dur::from_micros(1)).await;
        app.submit_command("kill n1").await;
        app.submit_command("put cart B").await;
        app.run_for(Dur::from_millis(400)).await;
        let first_end = app.engine().now();
        let first_trace: Vec<String> = app.trace_json().unwrap().to_vec();
        let first_preset = app.session_preset();

        // What if another node had died instead?
        app.rewind_to(fork).await;
        app.submit_command("kill n2").await;
        app.run_for(Dur::from_millis(200)).await;
        assert!(
            app.engine().is_alive(ringside::core::ids::NodeId(0)),
            "n1 lives on this branch"
        );
        app.submit_command("branches").await;
        let notice = app.notice().unwrap();
        assert!(
            !notice.error && notice.text.starts_with("2 branches, on branch 2"),
            "{notice:?}"
        );

        app.submit_command("branch 1").await;
        assert!(!app.notice().unwrap().error, "{:?}", app.notice());
        assert_eq!(app.engine().now(), first_end, "back where the session was on branch 1");
        assert!(app.pacer().is_paused());
        assert!(
            !app.engine().is_alive(ringside::core::ids::NodeId(0)),
            "n1 is dead again"
        );
        assert_eq!(app.trace_json().unwrap(), &first_trace[..], "branch 1's trace");
        assert_eq!(app.session_preset(), first_preset);

        // :save saves the branch taken; its run is that trace.
        let dir = std::env::temp_dir().join(format!("ringside-fork-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("branch1.yaml");
        let _ = std::fs::remove_file(&path);
        app.submit_command(&format!("save {}", path.display())).await;
        assert!(!app.notice().unwrap().error, "{:?}", app.notice());
        let text = std::fs::read_to_string(&path).unwrap();
        let (replayed, end) = replay(&text).await;
        assert_eq!(end, first_end.micros());
        assert_same(&first_trace, &replayed, &text);

        // Branch 2 is still there; a branch that is not is refused.
        app.submit_command("branch 3").await;
        assert!(app.notice().unwrap().error);
        app.submit_command("branch 2").await;
        assert!(app.engine().is_alive(ringside::core::ids::NodeId(0)));
        assert!(
            !app.engine().is_alive(ringside::core::ids::NodeId(1)),
            "n2 died on branch 2"
        );
        let _ = std::fs::remove_dir_all(&dir);
    });
}

#[test]
fn when_the_user_s_own_action_fails_a_tour_check_the_banner_offers_a_rewind() {
    rt().block_on(async {
        let mut app = open("conflicting-writes").await;
        // Alice's second write goes through s2 later in the tour: killing s2
        // first makes that step's check (ok: true) fail.
        app.run_for(Dur::from_millis(20)).await;
        app.submit_command("kill s2").await;
        let killed_at = app.engine().now();
        for _ in 0..400 {
            if app.playback().tour().is_finished() {
                break;
            }
            app.handle(UserAction::NextStep).await;
            app.run_for(Dur::from_millis(37)).await;
        }
        let d = app.playback().diverged().cloned().expect("the tour diverged");
        assert_eq!(d.action, "kill s2");
        assert_eq!(d.at, killed_at);
        assert!(
            app.playback().tour().steps()[d.step].kind.to_string().contains("s2"),
            "{d:?}"
        );
        let banner = banner_row(&mut app);
        assert!(
            banner.contains("took the story elsewhere") && banner.contains("r rewinds"),
            "{banner}"
        );
        app.handle(UserAction::RewindToDivergence).await;
        assert!(app.engine().now() < killed_at, "{}", app.engine().now());
        assert!(app.playback().diverged().is_none());
        assert!(!banner_row(&mut app).contains("elsewhere"));
        // From there the tour plays as written, every check passing.
        for _ in 0..400 {
            if app.playback().tour().is_finished() {
                break;
            }
            app.handle(UserAction::NextStep).await;
            app.run_for(Dur::from_millis(37)).await;
        }
        assert!(app.playback().tour().is_finished());
        assert_eq!(app.expectations().1, 0, "no check failed on the new branch");
        assert!(app.playback().diverged().is_none());
    });
}

/// The banner's last row (the checks, what comes next, or a divergence).
fn banner_row(app: &mut App) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).unwrap();
    terminal.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    let buf = terminal.backend().buffer().clone();
    (0..160).map(|x| buf[(x, 3)].symbol()).collect()
}
