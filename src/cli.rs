//! The command line: what each subcommand does, and its exit code.
//!
//! Exit codes: 0 success, 1 a run whose expectations failed, 2 bad input
//! (a missing or invalid preset, an unknown command or option).

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::scenario::command::SPEED_RANGE;
use crate::scenario::headless::{RunOptions, run};
use crate::scenario::{Scenario, presets};
use crate::tui::{PlayOptions, pacing::DEFAULT_SPEED, play};

#[derive(Parser, Debug)]
#[command(
    name = "ringside",
    version,
    about = "A Dynamo-style key-value cluster in your terminal: watch it work, break it, repair it.",
    after_help = "With no command, ringside opens the playground on the default scenario (playground)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the live playground on a scenario (the default: playground).
    Play {
        /// A bundled preset's name or a path to a YAML file.
        preset: Option<String>,
        /// Seed for the run (overrides the preset's).
        #[arg(long)]
        seed: Option<u64>,
        /// Virtual seconds per real second, from 0.01 to 100.
        #[arg(long, default_value_t = DEFAULT_SPEED, value_parser = parse_speed)]
        speed: f64,
    },
    /// Run a scenario with no UI and check its expectations.
    Run {
        /// A bundled preset's name or a path to a YAML file.
        preset: String,
        /// Seed for the run (overrides the preset's).
        #[arg(long)]
        seed: Option<u64>,
        /// Print the whole trace as JSON lines instead of the timeline.
        #[arg(long)]
        json: bool,
        /// Show every message and stored version in the timeline.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Check presets without running them.
    Check {
        /// Bundled preset names or paths.
        #[arg(required = true)]
        presets: Vec<String>,
    },
    /// List the bundled presets.
    Presets,
    /// Measure the implementation against its targets.
    Bench {
        /// Print one JSON object per section.
        #[arg(long)]
        json: bool,
        /// Run only this section.
        #[arg(value_enum)]
        section: Option<crate::bench::Section>,
    },
}

/// Runs the parsed command line.
pub fn main(cli: Cli) -> ExitCode {
    match cli.command {
        None => play(PlayOptions {
            preset: presets::DEFAULT.to_string(),
            seed: None,
            speed: DEFAULT_SPEED,
        }),
        Some(Command::Play { preset, seed, speed }) => play(PlayOptions {
            preset: preset.unwrap_or_else(|| presets::DEFAULT.to_string()),
            seed,
            speed,
        }),
        Some(Command::Run {
            preset,
            seed,
            json,
            verbose,
        }) => run_preset(&preset, RunOptions { seed, json, verbose }),
        Some(Command::Check { presets }) => check(&presets),
        Some(Command::Presets) => list_presets(),
        Some(Command::Bench { json, section }) => bench(json, section),
    }
}

fn parse_speed(text: &str) -> Result<f64, String> {
    let x: f64 = text
        .trim_end_matches('x')
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    let (lo, hi) = SPEED_RANGE;
    if (lo..=hi).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{x} is out of range; the speed goes from {lo} to {hi}"))
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

fn run_preset(preset: &str, opts: RunOptions) -> ExitCode {
    let scenario = match Scenario::load(preset) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match runtime().block_on(run(&scenario, &opts, &mut out, |_| {})) {
        Ok(summary) if summary.failed == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn check(paths: &[String]) -> ExitCode {
    let mut bad = false;
    for p in paths {
        match Scenario::load(p) {
            Ok(s) => println!(
                "{p}: ok ({} steps, {} expectations, {} nodes)",
                s.steps.len(),
                s.expectation_count(),
                s.cluster.spec.nodes.len()
            ),
            Err(e) => {
                eprintln!("error: {e}");
                bad = true;
            }
        }
    }
    if bad { ExitCode::from(2) } else { ExitCode::SUCCESS }
}

fn list_presets() -> ExitCode {
    let mut out = std::io::stdout().lock();
    let width = presets::names().iter().map(|n| n.len()).max().unwrap_or(0);
    for name in presets::names() {
        let description = Scenario::load(name)
            .map(|s| s.description.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|e| format!("(broken: {e})"));
        let _ = writeln!(out, "{name:<width$}  {description}");
    }
    ExitCode::SUCCESS
}

fn bench(json: bool, section: Option<crate::bench::Section>) -> ExitCode {
    let rt = runtime();
    match rt.block_on(crate::bench::run(json, section, &mut std::io::stdout().lock())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
