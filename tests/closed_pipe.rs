//! A closed output pipe (`ringside run merkle-repair | head -2`) ends every
//! printing subcommand quietly, as it ends `cat` or `seq`: the process dies
//! of SIGPIPE at its first write to the pipe, with nothing on stderr.

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

/// Runs `ringside args` with its stdout on a pipe whose reader is closed
/// before the program starts, so that its very first write finds the pipe
/// closed, whatever the timing.
fn run_into_closed_pipe(args: &[&str]) -> (std::process::ExitStatus, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("ringside runs");
    (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn assert_ends_quietly(args: &[&str]) {
    let (status, stderr) = run_into_closed_pipe(args);
    assert_eq!(
        (status.code(), status.signal()),
        (None, Some(libc::SIGPIPE)),
        "ringside {args:?} should die of SIGPIPE like coreutils; status {status}, stderr:\n{stderr}"
    );
    assert!(stderr.is_empty(), "ringside {args:?} wrote to stderr:\n{stderr}");
}

#[test]
fn run_ends_quietly_on_a_closed_pipe() {
    assert_ends_quietly(&["run", "merkle-repair"]);
    assert_ends_quietly(&["run", "stale-read", "--json"]);
    assert_ends_quietly(&["run", "stale-read", "--verbose"]);
}

#[test]
fn presets_check_and_help_end_quietly_on_a_closed_pipe() {
    assert_ends_quietly(&["presets"]);
    assert_ends_quietly(&["check", "stale-read", "merkle-repair"]);
    assert_ends_quietly(&["--help"]);
    assert_ends_quietly(&["chaos", "--help"]);
    assert_ends_quietly(&["--version"]);
}

#[test]
fn chaos_ends_quietly_on_a_closed_pipe() {
    let out = std::env::temp_dir().join(format!("ringside-closed-pipe-{}", std::process::id()));
    let dir = out.to_str().unwrap();
    assert_ends_quietly(&["chaos", "--seed", "3", "--ops", "20", "--out", dir]);
    assert_ends_quietly(&["chaos", "--seeds", "1..2", "--ops", "20", "--out", dir]);
    let _ = std::fs::remove_dir_all(&out);
}
