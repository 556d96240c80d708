//! The command line: what each subcommand does, and its exit code.
//!
//! Exit codes: 0 success, 1 a run whose expectations failed, 2 bad input
//! (a missing or invalid preset, an unknown command or option). A write to
//! a closed pipe ends any command by SIGPIPE, silently (see `main.rs`).

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::core::plural::count;
use crate::export;
use crate::scenario::command::SPEED_RANGE;
use crate::scenario::headless::{RunOptions, run_keeping_engine};
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
        /// Show every message and stored version in the timeline, and each operation of a fill or scan.
        #[arg(long, short)]
        verbose: bool,
        /// Also write the run as a space-time diagram: shiviz (a ShiViz log),
        /// mermaid (a sequence diagram) or svg (a Lamport diagram).
        #[arg(long, num_args = 2, value_names = ["FORMAT", "FILE"])]
        export: Option<Vec<String>>,
        /// With --export: only what concerns this key.
        #[arg(long, requires = "export")]
        key: Option<String>,
        /// With --export: include gossip (left out by default).
        #[arg(long, requires = "export")]
        gossip: bool,
        /// Also write the metrics as CSV: a header naming every column,
        /// one row per virtual second.
        #[arg(long, value_name = "FILE")]
        metrics: Option<std::path::PathBuf>,
    },
    /// Print every version ever written of a key: its clock, parents, fate and holders.
    ///
    /// Versions are labelled D1, D2, ... in order of creation. Parents are
    /// the versions its writer had in its context (direct descent only).
    /// Marks: sibling (returned to a client beside another version),
    /// overwritten or shadowed by a concurrent write, lost to
    /// last-write-wins, replaced by a put that resolved siblings.
    History {
        /// A bundled preset's name or a path to a YAML file.
        preset: String,
        /// The key.
        key: String,
        /// Seed for the run (overrides the preset's).
        #[arg(long)]
        seed: Option<u64>,
        /// Print JSON instead of one line per version.
        #[arg(long)]
        json: bool,
    },
    /// Check presets without running them.
    Check {
        /// Bundled preset names or paths.
        #[arg(required = true)]
        presets: Vec<String>,
    },
    /// List the bundled presets.
    Presets,
    /// Random faults over many seeds, checked against what each clock mode promises
    ///
    /// Each seed runs a shopping-cart workload (reads that merge siblings and
    /// put with the read's context, blind puts, chains of puts each carrying
    /// the previous reply's context, and a few hostile contexts) under random
    /// faults, heals everything, lets the cluster settle and reads every cart
    /// from all N replicas. A lost add is judged from the clients' own history
    /// (who coordinated each put, with which context and clock), never from
    /// the engine's account. What an acknowledged add may do depends on the
    /// clock mode (--set clocks=...):
    ///
    ///   dotted  no acknowledged add may be lost, but for what a hostile
    ///           context claimed (with the past of every write it claimed):
    ///           one missing from the final read fails the seed.
    ///
    ///   vector  (the default) server-id vector clocks lose concurrent writes
    ///           coordinated by one node: a lost add passes only when the
    ///           history shows that race (a later write through the same
    ///           node, from a context that had not seen it), and the summary
    ///           counts them as explained ("N lost, N explained"; thousands
    ///           over a few thousand seeds is normal). An unexplained loss
    ///           fails the seed.
    ///
    ///   lww     last-write-wins keeps one value: lost adds are expected and
    ///           only counted, but the final value must be the latest write.
    ///
    /// In every mode a seed also fails when the replicas of a key diverge or
    /// a hint is left after the quiet period, a stored version is superseded
    /// by a sibling beside it, a leave never finishes, live rings disagree or
    /// keys still wait to be handed over, an acknowledged put is not a new
    /// event, a request goes unanswered or is answered later than a client
    /// waits, or a message reaches or leaves a dead node. With vector or
    /// dotted clocks, R + W > N and a strict quorum (sloppy_quorum=false), a
    /// read that misses a put acknowledged before it started fails the seed
    /// too, unless the two quorums missed each other across a join or leave
    /// (counted); other settings only count stale reads.
    #[command(verbatim_doc_comment)]
    Chaos(ChaosArgs),
    /// Run an experiment: measured on the engine beside what theory predicts
    ///
    /// With no experiment, lists them. Prints a table of each point's
    /// measured value, its spread, the prediction (with the theory named) and
    /// a mark where the prediction lies outside the spread; --json prints one
    /// object per point and line instead, --csv the same columns, and --svg
    /// also draws the chart. The same --seed gives the same figures whatever
    /// --jobs is.
    Lab(LabArgs),
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
            export,
            key,
            gossip,
            metrics,
        }) => {
            let export = match export.map(|e| parse_export(&e, key, gossip)).transpose() {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            run_preset(
                &preset,
                RunOptions {
                    seed,
                    json,
                    verbose,
                    metrics,
                },
                export,
            )
        }
        Some(Command::History {
            preset,
            key,
            seed,
            json,
        }) => history(&preset, &key, seed, json),
        Some(Command::Check { presets }) => check(&presets),
        Some(Command::Presets) => list_presets(),
        Some(Command::Bench { json, section }) => bench(json, section),
        Some(Command::Chaos(args)) => chaos(args),
        Some(Command::Lab(args)) => lab(args),
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

/// The runtime of the headless commands. The engine keeps virtual time
/// and does no I/O, so the runtime has neither driver: an idle worker then
/// sleeps on a futex, and waking it for the next window costs a fraction
/// of a write to the I/O driver's eventfd (the engine section ran about
/// 10 % faster so).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .build()
        .expect("a tokio runtime starts")
}

/// What `--export` asked for.
struct Export {
    format: export::Format,
    file: std::path::PathBuf,
    selection: export::Selection,
}

fn parse_export(values: &[String], key: Option<String>, gossip: bool) -> Result<Export, String> {
    use clap::ValueEnum;
    let [format, file] = values else {
        return Err("--export takes a format and a file: --export svg run.svg".to_string());
    };
    let format = export::Format::from_str(format, true)
        .map_err(|_| format!("--export {format:?}: unknown format; use shiviz, mermaid or svg"))?;
    Ok(Export {
        format,
        file: file.into(),
        selection: export::Selection {
            key: key.map(Into::into),
            gossip,
        },
    })
}

fn run_preset(preset: &str, opts: RunOptions, export: Option<Export>) -> ExitCode {
    let scenario = match Scenario::load(preset) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Open the file first: a path that cannot be written fails before the run.
    let mut file = match export
        .as_ref()
        .map(|x| std::fs::File::create(&x.file).map_err(|e| (x, e)))
    {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err((x, e))) => {
            eprintln!("error: cannot write {}: {e}", x.file.display());
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut trace = Vec::new();
    let keep = |ev: &crate::core::trace::TraceEvent| {
        if export.is_some() {
            trace.push(ev.clone());
        }
    };
    let summary = match runtime().block_on(run_keeping_engine(&scenario, &opts, &mut out, keep)) {
        Ok((summary, engine)) => {
            if let (Some(x), Some(file)) = (&export, file.as_mut()) {
                let names = engine.names();
                let order = export::participants(names, engine.ring());
                let diagram = export::Diagram::build(&trace, names, order, &x.selection);
                let seed = opts.seed.unwrap_or(scenario.seed);
                let title = format!("ringside · {} (seed {seed})", scenario.name);
                let text = export::render(x.format, &diagram, names, &title);
                if let Err(e) = file.write_all(text.as_bytes()) {
                    eprintln!("error: cannot write {}: {e}", x.file.display());
                    return ExitCode::from(2);
                }
            }
            summary
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn history(preset: &str, key: &str, seed: Option<u64>, json: bool) -> ExitCode {
    let scenario = match Scenario::load(preset) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let h = match runtime().block_on(crate::scenario::history_run::history_of(&scenario, seed, key)) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    if h.history.versions.is_empty() {
        let known = if h.keys.is_empty() {
            "none".to_string()
        } else {
            h.keys.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
        };
        eprintln!(
            "error: no version of key {key:?} was written in {} (keys written: {known})",
            scenario.name
        );
        return ExitCode::from(2);
    }
    let mut out = std::io::stdout().lock();
    let text = if json {
        crate::history::render::json(&h.history, &h.names).to_string() + "\n"
    } else {
        let seed = seed.unwrap_or(scenario.seed);
        format!(
            "history of {key} in {} (seed {seed}): {}\n{}",
            scenario.name,
            count(h.history.versions.len(), "version"),
            crate::history::render::text(&h.history, &h.names)
        )
    };
    let _ = out.write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn check(paths: &[String]) -> ExitCode {
    let mut bad = false;
    for p in paths {
        match Scenario::load(p) {
            Ok(s) => println!(
                "{p}: ok ({}, {}, {})",
                count(s.steps.len(), "step"),
                count(s.expectation_count(), "expectation"),
                count(s.cluster.spec.nodes.len(), "node")
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

/// The most trials per point `ringside lab` accepts.
pub const MAX_LAB_TRIALS: u64 = 1_000_000;

/// `ringside lab`'s arguments.
#[derive(clap::Args, Debug)]
pub struct LabArgs {
    /// The experiment to run; none lists them.
    pub experiment: Option<String>,
    /// Trials per point (default: the experiment's own), from 1 to 1,000,000.
    #[arg(long)]
    pub trials: Option<u64>,
    /// The seed every trial's seed is derived from.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads, from 1 to 256 (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Print one JSON object per point and line instead of the table.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV (a header, then one row per point) instead of the table.
    #[arg(long)]
    pub csv: bool,
    /// Also draw the run as an SVG chart in FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<std::path::PathBuf>,
}

/// The experiment and options `ringside lab` was asked for, or why not.
fn lab_options(args: &LabArgs) -> Result<(&'static crate::lab::Experiment, crate::lab::LabOptions), String> {
    let names = || {
        crate::lab::EXPERIMENTS
            .iter()
            .map(|e| e.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name = args.experiment.as_deref().unwrap_or_default();
    let experiment = crate::lab::experiment(name)
        .ok_or_else(|| format!("unknown experiment {name:?}; the experiments are {}", names()))?;
    if let Some(t) = args.trials
        && !(1..=MAX_LAB_TRIALS).contains(&t)
    {
        return Err(format!("--trials {t}: it must be between 1 and {MAX_LAB_TRIALS}"));
    }
    let mut opts = crate::lab::LabOptions {
        trials: args.trials,
        seed: args.seed,
        ..crate::lab::LabOptions::default()
    };
    if let Some(j) = args.jobs {
        if !(1..=256).contains(&j) {
            return Err(format!("--jobs {j}: it must be between 1 and 256"));
        }
        opts.jobs = j;
    }
    Ok((experiment, opts))
}

fn lab(args: LabArgs) -> ExitCode {
    if args.experiment.is_none() {
        let mut out = std::io::stdout().lock();
        let width = crate::lab::EXPERIMENTS.iter().map(|e| e.name.len()).max().unwrap_or(0);
        for e in crate::lab::EXPERIMENTS {
            let about = e.about.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = writeln!(out, "{:<width$}  {about}", e.name);
        }
        return ExitCode::SUCCESS;
    }
    let (experiment, opts) = match lab_options(&args) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Open the chart's file first: a path that cannot be written fails before the run.
    let mut svg_file = match args.svg.as_ref().map(|p| std::fs::File::create(p).map_err(|e| (p, e))) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err((p, e))) => {
            eprintln!("error: cannot write {}: {e}", p.display());
            return ExitCode::from(2);
        }
    };
    let (json, csv) = (args.json, args.csv);
    if csv {
        println!("{}", crate::lab::output::CSV_HEADER);
    }
    let mut sink = |p: &crate::lab::Point| {
        if json {
            println!("{}", crate::lab::output::json_line(p));
        } else if csv {
            println!("{}", crate::lab::output::csv_row(p));
        }
    };
    let started = std::time::Instant::now();
    let outcome = match (experiment.run)(&opts, &mut sink) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: lab {}: {e:#}", experiment.name);
            return ExitCode::FAILURE;
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    if json || csv {
        eprintln!("took {seconds:.1} s on {} jobs", opts.jobs);
    } else {
        print!(
            "{}",
            crate::lab::table::render(experiment, &outcome, opts.jobs, seconds)
        );
    }
    if let (Some(file), Some(path)) = (svg_file.as_mut(), args.svg.as_ref()) {
        let written = crate::lab::chart::render(experiment, &outcome)
            .and_then(|svg| file.write_all(svg.as_bytes()).map_err(anyhow::Error::from));
        if let Err(e) = written {
            eprintln!("error: cannot write the chart to {}: {e:#}", path.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// `ringside chaos`'s arguments.
#[derive(clap::Args, Debug)]
pub struct ChaosArgs {
    /// Seeds to run, as A..B (inclusive).
    #[arg(long, default_value = "1..100")]
    pub seeds: String,
    /// Run this one seed, and write its replay even if it passes.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Client operations per seed.
    #[arg(long, default_value_t = crate::chaos::DEFAULT_OPS)]
    pub ops: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = crate::chaos::DEFAULT_CLIENTS)]
    pub clients: usize,
    /// Carts (keys) the clients share.
    #[arg(long, default_value_t = crate::chaos::DEFAULT_CARTS)]
    pub carts: usize,
    /// Seeds run in parallel (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The cluster to use: a preset's cluster section (default: 5 nodes).
    #[arg(long)]
    pub cluster: Option<String>,
    /// Change a setting, like clocks=dotted or write_quorum=3 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Run the workload without faults.
    #[arg(long)]
    pub no_faults: bool,
    /// Where replays of failing seeds are written.
    #[arg(long, default_value = "chaos-failures")]
    pub out: std::path::PathBuf,
}

fn parse_seeds(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--seeds {text:?} is not a range like 1..2000");
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let (a, b): (u64, u64) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a > b {
        return Err(format!("--seeds {text}: the first seed comes after the last"));
    }
    Ok((a, b))
}

fn chaos_options(args: &ChaosArgs) -> Result<crate::chaos::ChaosOptions, String> {
    let (first, last) = match args.seed {
        Some(s) => (s, s),
        None => parse_seeds(&args.seeds)?,
    };
    if args.ops == 0 || args.ops > 1_000_000 {
        return Err(format!("--ops {} is out of range; 1 to 1000000", args.ops));
    }
    if args.clients == 0 || args.clients > 256 {
        return Err(format!("--clients {} is out of range; 1 to 256", args.clients));
    }
    if args.carts == 0 || args.carts > 10_000 {
        return Err(format!("--carts {} is out of range; 1 to 10000", args.carts));
    }
    let mut spec = match &args.cluster {
        Some(p) => Scenario::load(p).map_err(|e| e.to_string())?.cluster.spec,
        None => crate::chaos::ChaosConfig::default().spec,
    };
    if !args.sets.is_empty() {
        let patch = crate::scenario::settings_patch::SettingsPatch::from_assignments(&args.sets)
            .map_err(|e| format!("--set: {e}"))?;
        spec.settings = patch.apply(&spec.settings);
    }
    let (names, _) = spec.build()?;
    spec.settings.validate(names.node_count())?;
    let jobs = args.jobs.unwrap_or_else(crate::chaos::default_jobs).clamp(1, 256);
    Ok(crate::chaos::ChaosOptions {
        config: crate::chaos::ChaosConfig {
            spec,
            ops: args.ops,
            clients: args.clients,
            carts: args.carts,
            faults: !args.no_faults,
            // A cluster given on the command line is the one every seed runs.
            vary_cluster: args.cluster.is_none(),
            hostile_top: crate::chaos::driver::HOSTILE_TOP,
        },
        first,
        last,
        jobs,
        out: args.out.clone(),
        always_write: args.seed.is_some(),
    })
}

fn chaos(args: ChaosArgs) -> ExitCode {
    let opts = match chaos_options(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout();
    let report = crate::chaos::run(&opts, &mut stdout);
    if args.seed.is_some()
        && let Some(o) = &report.first
    {
        let v = &o.verdict;
        println!(
            "seed {}: {} operations, {} acknowledged adds, {} faults, {} lost ({} explained), {} stale reads",
            v.seed, v.ops, v.acked, v.faults, v.lost, v.explained, v.stale_reads
        );
        if let Some(p) = &o.replay {
            println!(
                "replay: ringside run {}   (or ringside play {})",
                p.display(),
                p.display()
            );
        }
    }
    println!("{}", crate::chaos::summary(&report, opts.config.spec.settings.clocks));
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chaos_help() -> String {
        use clap::CommandFactory;
        let mut cli = Cli::command();
        cli.find_subcommand_mut("chaos").unwrap().render_long_help().to_string()
    }

    #[test]
    fn chaos_help_says_what_each_clock_mode_may_lose() {
        let help = chaos_help();
        assert!(
            !help.contains("nothing acknowledged may be lost"),
            "vector and lww runs lose acknowledged adds by design:\n{help}"
        );
        let mode = |name: &str| {
            let at = help
                .find(&format!("  {name}  "))
                .unwrap_or_else(|| panic!("{name} mode is not described:\n{help}"));
            help[at..].split("\n\n").next().unwrap().to_string()
        };
        assert!(mode("dotted").contains("no acknowledged add may be lost"), "{help}");
        let vector = mode("vector");
        assert!(
            vector.contains("explained") && vector.contains("passes only when"),
            "{vector}"
        );
        assert!(mode("lww").contains("only counted"), "{help}");
        assert!(help.contains("stale") && help.contains("diverge"), "{help}");
    }

    fn lab_args(args: &[&str]) -> Result<LabArgs, String> {
        let cli = Cli::try_parse_from(["ringside", "lab"].iter().chain(args)).map_err(|e| e.to_string())?;
        match cli.command {
            Some(Command::Lab(a)) => Ok(a),
            _ => Err("not the lab command".into()),
        }
    }

    #[test]
    fn lab_refuses_bad_arguments_with_what_is_allowed() {
        let err = |args: &[&str]| match lab_args(args) {
            Err(e) => e,
            Ok(a) => lab_options(&a).map(|_| ()).unwrap_err(),
        };
        let e = err(&["nosuch"]);
        assert!(
            e.contains("unknown experiment \"nosuch\"") && e.contains("balance, staleness, quorum"),
            "{e}"
        );
        assert!(err(&["balance", "--trials", "0"]).contains("between 1 and 1000000"));
        assert!(err(&["balance", "--trials", "99999999"]).contains("between 1 and 1000000"));
        assert!(err(&["balance", "--jobs", "0"]).contains("between 1 and 256"));
        assert!(err(&["balance", "--trials", "x"]).contains("invalid value"));
        assert!(err(&["balance", "--json", "--csv"]).contains("cannot be used with"));
        let (e, o) =
            lab_options(&lab_args(&["quorum", "--trials", "3", "--seed", "9", "--jobs", "2"]).unwrap()).unwrap();
        assert_eq!((e.name, o.trials, o.seed, o.jobs), ("quorum", Some(3), 9, 2));
    }

    #[test]
    fn chaos_with_no_options_runs_the_default_chaos_config() {
        let cli = Cli::try_parse_from(["ringside", "chaos"]).unwrap();
        let Some(Command::Chaos(args)) = cli.command else {
            panic!("not the chaos command");
        };
        let opts = chaos_options(&args).unwrap();
        let default = crate::chaos::ChaosConfig::default();
        assert_eq!(opts.config.spec, default.spec);
        assert_eq!(
            (
                opts.config.ops,
                opts.config.clients,
                opts.config.carts,
                opts.config.faults
            ),
            (default.ops, default.clients, default.carts, default.faults)
        );
        assert_eq!(opts.jobs, crate::chaos::default_jobs());
    }
}
