//! The `ringside` binary: parse the command line, hand over to [`ringside::cli`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    die_on_closed_pipe();
    ringside::cli::main(ringside::cli::Cli::parse())
}

/// Gives SIGPIPE back its default action, which Rust's runtime sets to
/// "ignore": a write to a closed pipe (`ringside run merkle-repair | head -2`)
/// then ends the program quietly at once, as it ends `cat` or `seq`, instead
/// of failing the write with an error (or a panic in `println!`). The shell
/// sees status 141 (128 + SIGPIPE), which it does not report unless
/// `pipefail` is set. The playground writes only to a terminal, which never
/// raises SIGPIPE.
fn die_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to its default before any
    // other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
