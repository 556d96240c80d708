//! Prints where keys land on the ring: `cargo run --example positions -- cart car`.
fn main() {
    for k in std::env::args().skip(1) {
        let p = ringside::core::ring::Ring::position(&k);
        println!("{k}: {p} ({:.3}%)", p as f64 / 2f64.powi(64) * 100.0);
    }
}
