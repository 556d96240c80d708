//! Measures the failure detector: `cargo run --release --example detector --
//! [--nodes N] [--seeds S] [--minutes M] [--crashes C] [KEY=VALUE...]` runs
//! S fault-free clusters of N nodes for M virtual minutes and counts the
//! suspicions, then crashes a node in C clusters and times until every live
//! node sees it down. KEY=VALUE are settings, as `--set` takes them
//! (`failure_detector=phi`, `suspect_after=5s`, ...).
use ringside::bench::detector::{measure, stated_bound};
use ringside::core::config::Settings;
use ringside::core::time::Dur;
use ringside::scenario::settings_patch::SettingsPatch;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut take = |flag: &str, default: u64| -> u64 {
        match args.iter().position(|a| a == flag) {
            Some(i) => {
                let v = args[i + 1].parse().expect("a number");
                args.drain(i..=i + 1);
                v
            }
            None => default,
        }
    };
    let nodes = take("--nodes", 5) as usize;
    let seeds = take("--seeds", 20);
    let minutes = take("--minutes", 10);
    let crashes = take("--crashes", 20);
    let settings = if args.is_empty() {
        Settings::default()
    } else {
        SettingsPatch::from_assignments(&args)
            .expect("settings as KEY=VALUE")
            .apply(&Settings::default())
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let f = rt
        .block_on(measure(nodes, &settings, seeds, Dur::from_secs(60 * minutes), crashes))
        .expect("a valid cluster");
    let d: Vec<String> = f.detection.iter().map(|d| format!("{:.1}", d.as_secs_f64())).collect();
    println!(
        "{}, {} nodes: {}/{} quiet seeds, {} suspicions, {} downs; detection mean {:.2}s max {:.2}s (stated bound {:.1}s), {} missed\n  detection times: {}",
        f.detector,
        nodes,
        f.quiet_seeds,
        f.seeds,
        f.suspicions,
        f.downs,
        f.detection_mean().as_secs_f64(),
        f.detection_max().as_secs_f64(),
        stated_bound(&settings, nodes).as_secs_f64(),
        f.missed,
        d.join(" ")
    );
}
