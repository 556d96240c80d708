//! The `ringside` binary: parse the command line, hand over to [`ringside::cli`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    ringside::cli::main(ringside::cli::Cli::parse())
}
