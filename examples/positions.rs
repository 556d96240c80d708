//! Where keys land: `cargo run --example positions -- [--nodes N] [--vnodes V] KEY...`
//! prints each key's ring position and, for nodes n1..nN, its walk.
use ringside::core::ids::NodeId;
use ringside::core::ring::Ring;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut take = |flag: &str, default: usize| -> usize {
        match args.iter().position(|a| a == flag) {
            Some(i) => {
                let v = args[i + 1].parse().expect("a number");
                args.drain(i..=i + 1);
                v
            }
            None => default,
        }
    };
    let nodes = take("--nodes", 5);
    let vnodes = take("--vnodes", 8);
    let ring = Ring::new((0..nodes).map(|i| (NodeId(i as u16), Ring::default_tokens(&format!("n{}", i + 1), vnodes))));
    for k in args {
        let p = Ring::position(&k);
        let walk: Vec<String> = ring.walk(p).map(|n| format!("n{}", n.0 + 1)).collect();
        println!(
            "{k}: {p} ({:.3}%) walk {}",
            p as f64 / 2f64.powi(64) * 100.0,
            walk.join(" ")
        );
    }
}
