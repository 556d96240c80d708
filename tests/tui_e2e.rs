//! The real binary in a real terminal: tmux runs a shell, the shell runs
//! `ringside`, the test types as a user would and reads the screen with
//! `tmux capture-pane`. Where tmux cannot run these tests fail, naming it:
//! CI (`.ci/run`) installs tmux where it is missing.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A private tmux server, killed when the test ends however it ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(width: u16, height: u16) -> Tmux {
        require_tmux();
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let tmux = Tmux {
            socket: format!(
                "ringside-e2e-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::SeqCst)
            ),
        };
        let (w, h) = (width.to_string(), height.to_string());
        let out = tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &w,
            "-y",
            &h,
            "env",
            "PS1=$ ",
            "sh",
        ]);
        assert!(out.status.success(), "tmux: {}", String::from_utf8_lossy(&out.stderr));
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .env_remove("TMUX")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Types text literally (no key names), then Enter.
    fn type_line(&self, text: &str) {
        assert!(self.run(&["send-keys", "-t", "e2e", "-l", text]).status.success());
        self.send(&["Enter"]);
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).to_string()
    }

    fn display(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "e2e", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until the screen shows every one of `texts`.
    fn wait_for(&self, texts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("waited for {texts:?}; the screen is:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Fails the test, naming tmux, where it cannot run.
fn require_tmux() {
    const INSTALL: &str = "the end-to-end tests drive the playground in tmux: install it \
                           (`apt-get install -y tmux`; .ci/run does so where it is missing)";
    match Command::new("tmux").arg("-V").output() {
        Err(e) => panic!("tmux cannot run ({e}); {INSTALL}"),
        Ok(out) if !out.status.success() => panic!(
            "`tmux -V` failed ({}: {}); {INSTALL}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Ok(_) => {}
    }
}

impl Tmux {
    /// Waits until a tmux format (see `display-message`) reads `want`.
    fn wait_for_display(&self, format: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.display(format) != want {
            if Instant::now() > deadline {
                panic!("waited for {format} = {want}; the screen is:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The shell's terminal settings are back to cooked mode with echo.
fn assert_clean_shell(tmux: &Tmux) {
    assert_eq!(
        tmux.display(
            "alternate #{alternate_on} mouse #{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}#{mouse_sgr_flag} cursor #{cursor_flag}"
        ),
        "alternate 0 mouse 0000 cursor 1",
        "the alternate screen and mouse reports are off, the cursor is shown:\n{}",
        tmux.screen()
    );
    // The quotes keep the marker out of the echoed command line.
    tmux.type_line("stty -a | tr ' ;' '\\n\\n' | grep -x -e '-*icanon' -e '-*echo' | tr '\\n' ' '; echo 'stty'-says");
    let screen = tmux.wait_for(&["stty-says"]);
    let line = screen.lines().rev().find(|l| l.contains("stty-says")).unwrap();
    assert!(line.contains("icanon") && !line.contains("-icanon"), "{line}");
    assert!(line.contains("echo") && !line.contains("-echo"), "{line}");
}

#[test]
fn the_playground_in_a_real_terminal() {
    let tmux = Tmux::start(140, 45);
    let bin = env!("CARGO_BIN_EXE_ringside");
    tmux.type_line(&format!("{bin}; echo ringside-exit=$?"));
    tmux.wait_for(&["Welcome to ringside", ":put cart CAR", "nodes · 5/5 up", "event log"]);

    // What the captions ask for: the tour runs each as its own step (as
    // alice, then bob) and moves on to its next caption.
    tmux.type_line(":put cart CAR");
    let screen = tmux.wait_for(&["last put by alice: CAR", "new clock {n5:1}"]);
    assert!(screen.contains("#1 n5      CAR {n5:1}"), "{screen}");
    tmux.wait_for(&["Next, bob reads it"]);

    tmux.type_line(":get cart");
    tmux.wait_for(&["last get by bob", "value CAR {n5:1}"]);

    tmux.type_line(":frobnicate");
    tmux.wait_for(&["error", "unknown command \"frobnicate\""]);

    tmux.send(&["q"]);
    let screen = tmux.wait_for(&["ringside-exit=0"]);
    assert!(
        !screen.contains("event log"),
        "the playground's screen is gone:\n{screen}"
    );
    assert_clean_shell(&tmux);

    // Too small a terminal says so, and q still works.
    assert!(
        tmux.run(&["resize-window", "-t", "e2e", "-x", "60", "-y", "20"])
            .status
            .success()
    );
    tmux.type_line(&format!("clear; {bin}; echo ringside-exit=$?"));
    tmux.wait_for(&["terminal too small", "60x20"]);
    tmux.send(&["q"]);
    tmux.wait_for(&["ringside-exit=0"]);
    assert_clean_shell(&tmux);
}

#[test]
fn play_refuses_what_it_cannot_open() {
    let bin = env!("CARGO_BIN_EXE_ringside");
    let run = |args: &[&str]| Command::new(bin).args(args).output().unwrap();
    let out = run(&["play", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no bundled preset with this name"));
    let out = run(&["play", "--speed", "1000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("out of range"));
    // Pipes, not a terminal: it says what to use instead.
    let out = run(&["play", "stale-read"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use `ringside run stale-read`"));
}

/// Starts the playground in the pane through a shell that writes its pid
/// (`exec` keeps it) and echoes its exit status, and waits for its screen.
fn start_playground(tmux: &Tmux, pid_file: &std::path::Path) -> i32 {
    let bin = env!("CARGO_BIN_EXE_ringside");
    let _ = std::fs::remove_file(pid_file);
    // No core files from the signals that dump core.
    tmux.type_line(&format!(
        "clear; ulimit -c 0; sh -c 'echo $$ > {}; exec {bin}'; echo ringside-exit=$?",
        pid_file.display()
    ));
    tmux.wait_for(&["Welcome to ringside", "nodes · 5/5 up", "event log"]);
    std::fs::read_to_string(pid_file).unwrap().trim().parse().unwrap()
}

fn pid_file(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ringside-e2e-{}-{name}.pid", std::process::id()))
}

fn send_signal(pid: i32, signal: &str) {
    let out = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kill -{signal} {pid}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_paste_of_4000_characters_is_taken_whole() {
    let tmux = Tmux::start(140, 45);
    let pid = pid_file("paste");
    start_playground(&tmux, &pid);
    // One burst: the command, 4,000 characters of value and Enter, as a
    // terminal without bracketed paste delivers a paste. Nothing follows
    // it: the put must be submitted without another key.
    let value = "AB".repeat(2000);
    let burst = format!(":put cart {value}\r");
    assert!(tmux.run(&["send-keys", "-t", "e2e", "-l", &burst]).status.success());
    tmux.wait_for(&["last put by client: ABABAB"]);
    tmux.send(&["q"]);
    tmux.wait_for(&["ringside-exit=0"]);
    assert_clean_shell(&tmux);
    let _ = std::fs::remove_file(&pid);
}

#[test]
fn ctrl_z_suspends_and_fg_resumes() {
    let tmux = Tmux::start(140, 45);
    let pid = pid_file("suspend");
    // Ctrl-Z, as a user types it; then SIGTSTP from elsewhere.
    start_playground(&tmux, &pid);
    let ringside = std::fs::read_to_string(&pid).unwrap().trim().parse::<i32>().unwrap();
    for suspend in ["key", "signal"] {
        if suspend == "key" {
            tmux.send(&["C-z"]);
        } else {
            send_signal(ringside, "TSTP");
        }
        tmux.wait_for(&["Stopped"]);
        assert_clean_shell(&tmux);
        tmux.type_line("clear; fg");
        tmux.wait_for(&["nodes · 5/5 up", "event log"]);
        assert_eq!(tmux.display("#{alternate_on}"), "1", "back on the alternate screen");
        // Keys reach it again, one at a time, in raw mode.
        let value = if suspend == "key" { "KEYZ" } else { "SIGZ" };
        tmux.type_line(&format!(":put cart {value}"));
        tmux.wait_for(&[&format!("last put by client: {value}")]);
    }
    tmux.send(&["q"]);
    // The shell dropped the rest of the command line when the job stopped;
    // `fg`'s status is the program's.
    tmux.wait_for_display("#{alternate_on}", "0");
    tmux.type_line("echo fg-exit=$?");
    tmux.wait_for(&["fg-exit=0"]);
    assert_clean_shell(&tmux);
    let _ = std::fs::remove_file(&pid);
}

#[test]
fn fatal_signals_give_the_terminal_back() {
    let tmux = Tmux::start(140, 45);
    let pid = pid_file("fatal");
    // SIGQUIT and SIGABRT (what a failed allocation raises) kill the
    // program with their default action once the terminal is restored;
    // SIGTERM, SIGHUP and SIGINT end it through the loop.
    for (signal, status) in [
        ("QUIT", 131),
        ("ABRT", 134),
        ("USR1", 138),
        ("TERM", 143),
        ("HUP", 129),
        ("INT", 130),
    ] {
        let ringside = start_playground(&tmux, &pid);
        send_signal(ringside, signal);
        tmux.wait_for(&[&format!("ringside-exit={status}")]);
        assert_clean_shell(&tmux);
    }
    let _ = std::fs::remove_file(&pid);
}

#[test]
fn without_tmux_the_end_to_end_tests_fail_naming_it() {
    // This test binary again, running one end-to-end test with a PATH
    // where no tmux is found.
    let empty = std::env::temp_dir().join(format!("ringside-e2e-{}-no-tmux", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "the_playground_in_a_real_terminal", "--test-threads", "1"])
        .env("PATH", &empty)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir(&empty);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "it passed without tmux:\n{said}");
    assert!(said.contains("tmux cannot run"), "it names tmux:\n{said}");
    assert!(
        said.contains("apt-get install -y tmux"),
        "it says how to get it:\n{said}"
    );
}

/// A session recorded in a real terminal, saved with `:save` and its trace
/// written with `:export trace`: `ringside run` of the saved file prints that
/// trace line for line, its summary included.
#[test]
fn a_session_saved_in_the_terminal_runs_to_the_same_trace() {
    let dir = std::env::temp_dir().join(format!("ringside-e2e-{}-session", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (preset, trace) = (dir.join("session.yaml"), dir.join("session.jsonl"));
    let tmux = Tmux::start(140, 45);
    let bin = env!("CARGO_BIN_EXE_ringside");
    tmux.type_line(&format!("{bin}; echo ringside-exit=$?"));
    tmux.wait_for(&["Welcome to ringside", "nodes · 5/5 up"]);
    tmux.type_line(":put cart CAR");
    tmux.wait_for(&["last put by alice: CAR"]);
    tmux.type_line(":kill n2");
    tmux.wait_for(&["kill n2"]);
    tmux.type_line(":put cart CART as bob");
    tmux.wait_for(&["last put by bob"]);
    // Paused, the session stands still between the save and the export.
    tmux.send(&["Space"]);
    tmux.wait_for(&["paused"]);
    tmux.type_line(&format!(":save {}", preset.display()));
    tmux.wait_for(&["saved", "ringside run"]);
    tmux.type_line(&format!(":export trace {}", trace.display()));
    tmux.wait_for(&["wrote the trace"]);
    tmux.send(&["q"]);
    tmux.wait_for(&["ringside-exit=0"]);

    let run = Command::new(bin)
        .args(["run", preset.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let printed = String::from_utf8(run.stdout).unwrap();
    let exported = std::fs::read_to_string(&trace).unwrap();
    let printed: Vec<&str> = printed.lines().collect();
    let exported: Vec<&str> = exported.lines().collect();
    assert!(
        exported.len() > 20,
        "the session traced its puts and the kill: {exported:?}"
    );
    assert_eq!(
        printed, exported,
        "`:export trace` wrote what the saved session's run prints"
    );
    assert!(
        exported.iter().any(|l| l.contains("\"fault\":\"kill n2\"")),
        "the kill is in the trace"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
