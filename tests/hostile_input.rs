//! Hostile input: arbitrary bytes, mutated bundled presets, random YAML and
//! random command lines thrown at the preset loader and the playground's
//! command parser. Nothing may panic; every refusal names its place.
//!
//! CI runs a small fixed sample. A manual run of 100,000+ inputs per target:
//! `PROPTEST_CASES=100000 cargo test --release --test hostile_input`.

mod common;

use proptest::prelude::*;
use ringside::scenario::Scenario;
use ringside::scenario::command::{self, command_words};
use ringside::scenario::parse_context::ParseContext;
use ringside::scenario::presets::BUNDLED;

const PLACE: &str = "hostile.yaml";

/// Fragments that YAML, durations, node references and numbers trip over.
const SNIPPETS: &[&str] = &[
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "\n",
    "  ",
    "\t",
    ",",
    "'",
    "\"",
    "#",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "~",
    "0",
    "-1",
    "1.5",
    "1e309",
    "nan",
    "inf",
    "99999999999999999999",
    "4294967296",
    "18446744073709551616",
    "0us",
    "1000000h",
    "5ms..1ms",
    "1s..",
    "..",
    "n1",
    "n99",
    "s1",
    "j1",
    "cart#0",
    "cart#9",
    "all",
    "none",
    "yes",
    "null",
    "é",
    "\u{0}",
    "\u{feff}",
    "💥",
    "nodes: 1024",
    "vnodes: 4096",
    "replicas: 0",
    "keys: 0",
    "read_quorum: 9",
    "steps: []",
    "steps: 3",
    "- wait: 1h",
    "- at: 25h",
    "- kill: n1",
    "- fill: {prefix: k, keys: 100001}",
];

fn bundled_text() -> impl Strategy<Value = &'static str> {
    (0..BUNDLED.len()).prop_map(|i| BUNDLED[i].1)
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, snippet: usize },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
    Truncate { at: usize },
    Byte { at: usize, byte: u8 },
    Number { nth: usize, snippet: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let n = SNIPPETS.len();
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..n).prop_map(|(at, snippet)| Mutation::Insert { at, snippet }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Byte { at, byte }),
        (any::<usize>(), 0..n).prop_map(|(nth, snippet)| Mutation::Number { nth, snippet }),
    ]
}

fn apply(text: &str, m: &Mutation) -> Vec<u8> {
    let bytes = text.as_bytes();
    let len = bytes.len().max(1);
    let mut out: Vec<u8> = bytes.to_vec();
    match *m {
        Mutation::Delete { at, len: n } => {
            let at = at % len;
            let end = (at + n).min(out.len());
            out.drain(at.min(end)..end);
        }
        Mutation::Insert { at, snippet } => {
            let at = (at % len).min(out.len());
            out.splice(at..at, SNIPPETS[snippet].bytes());
        }
        Mutation::Truncate { at } => out.truncate(at % len),
        Mutation::Byte { at, byte } => {
            if !out.is_empty() {
                let i = at % out.len();
                out[i] = byte;
            }
        }
        Mutation::DuplicateLine { line } | Mutation::SwapLines { a: line, .. } => {
            let mut lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                return out;
            }
            let i = line % lines.len();
            match *m {
                Mutation::SwapLines { b, .. } => {
                    let j = b % lines.len();
                    lines.swap(i, j);
                }
                _ => lines.insert(i, lines[i]),
            }
            out = lines.join("\n").into_bytes();
        }
        Mutation::Number { nth, snippet } => {
            // Replace the nth run of digits with a snippet.
            let runs: Vec<(usize, usize)> = digit_runs(text);
            if !runs.is_empty() {
                let (s, e) = runs[nth % runs.len()];
                out.splice(s..e, SNIPPETS[snippet].bytes());
            }
        }
    }
    out
}

fn digit_runs(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((s, i));
        } else {
            i += 1;
        }
    }
    runs
}

/// A preset assembled from the format's own words with random values.
fn random_yaml() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "name",
        "seed",
        "cluster",
        "nodes",
        "vnodes",
        "replicas",
        "read_quorum",
        "write_quorum",
        "latency",
        "drop_rate",
        "routing",
        "clocks",
        "steps",
        "put",
        "get",
        "kill",
        "revive",
        "partition",
        "cut",
        "heal",
        "wait",
        "at",
        "set",
        "join",
        "leave",
        "fill",
        "scan",
        "say",
        "expect",
        "key",
        "value",
        "via",
        "context",
        "client",
        "clients",
        "concurrently",
        "nowait",
        "tokens",
        "sloppy_quorum",
        "anti_entropy_interval",
        "merkle_depth",
    ]);
    let values = prop::sample::select(SNIPPETS.to_vec());
    prop::collection::vec((0usize..4, words, values, any::<bool>()), 0..24).prop_map(|lines| {
        let mut s = String::new();
        for (indent, word, value, list) in lines {
            s.push_str(&"  ".repeat(indent));
            if list {
                s.push_str("- ");
            }
            s.push_str(word);
            s.push_str(": ");
            s.push_str(value);
            s.push('\n');
        }
        s
    })
}

/// Loads `bytes` as a preset: it is refused with a located message, or it
/// loads and its cluster starts (or is refused) without a panic.
fn check_preset(bytes: &[u8]) -> Result<(), TestCaseError> {
    match Scenario::parse_bytes(bytes, PLACE, "hostile") {
        Err(e) => {
            prop_assert!(e.place.starts_with(PLACE), "unlocated error {e:?}");
            prop_assert!(!e.message.trim().is_empty(), "empty message at {}", e.place);
        }
        Ok(scenario) => {
            // The engine spawns its node tasks on the current runtime.
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let _inside = rt.enter();
            if let Err(e) = scenario.start_engine(scenario.seed) {
                prop_assert!(!e.trim().is_empty());
            }
        }
    }
    Ok(())
}

fn context() -> ParseContext {
    ParseContext::new(["n1", "n2", "n3", "n4", "n5"].map(String::from).to_vec(), 1024)
}

/// A refused command line names the command it refused (or says there was
/// none, or that a quote is open).
fn check_command(line: &str) -> Result<(), TestCaseError> {
    if let Err(e) = command::parse(line, &context()) {
        prop_assert!(!e.trim().is_empty());
        let names_a_command = command_words().any(|w| e.starts_with(w) || e.starts_with(&format!("usage: {w}")));
        let first = line
            .trim()
            .trim_start_matches(':')
            .split_whitespace()
            .next()
            .unwrap_or("");
        let names_the_word = !first.is_empty() && e.starts_with(first);
        let located = names_a_command || names_the_word || e.contains("command") || e.contains("quote");
        prop_assert!(located, "{line:?} was refused without naming the command: {e}");
    }
    Ok(())
}

fn command_line() -> impl Strategy<Value = String> {
    let verbs: Vec<&str> = command_words().chain(["", ":put", "q", "?", "bogus"]).collect();
    let args = prop::sample::select(
        SNIPPETS
            .iter()
            .copied()
            .chain([
                "via",
                "as",
                "w=2",
                "r=9",
                "pw=0",
                "n1>n2",
                "n1,n2 | n3",
                "|",
                ">",
                "k",
                "CART",
                "2s",
                "x=1",
            ])
            .collect::<Vec<_>>(),
    );
    (prop::sample::select(verbs), prop::collection::vec(args, 0..6)).prop_map(|(v, a)| format!("{v} {}", a.join(" ")))
}

proptest! {
    #![proptest_config(common::property_config(2_000))]

    #[test]
    fn mutated_bundled_presets_never_panic(text in bundled_text(), ms in prop::collection::vec(mutation(), 1..5)) {
        let mut bytes = text.as_bytes().to_vec();
        for m in &ms {
            let current = String::from_utf8_lossy(&bytes).into_owned();
            bytes = apply(&current, m);
        }
        check_preset(&bytes)?;
    }

    #[test]
    fn random_yaml_presets_never_panic(text in random_yaml()) {
        check_preset(text.as_bytes())?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_preset(&bytes)?;
    }

    #[test]
    fn command_lines_never_panic(line in command_line()) {
        check_command(&line)?;
    }

    #[test]
    fn arbitrary_command_lines_never_panic(line in "\\PC{0,80}") {
        check_command(&line)?;
    }
}

/// YAML aliases that would expand to billions of nodes are refused, not expanded.
#[test]
fn an_alias_bomb_is_refused() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = (b'a' + i - 1) as char;
        let this = (b'a' + i) as char;
        text.push_str(&format!("{this}: &{this} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    text.push_str("steps: [{say: hi}]\n");
    let err = Scenario::parse(&text, PLACE, "bomb").expect_err("a bomb is refused");
    assert_eq!(err.place, format!("{PLACE}:2:8"), "placed at the first alias: {err}");
    assert!(err.message.contains("aliases"), "{err}");
}

/// A step list past the limit is refused at the first step too many.
#[test]
fn too_many_steps_are_refused_at_the_first_one_too_many() {
    let mut text = String::from("steps:\n");
    for _ in 0..ringside::scenario::limits::MAX_STEPS + 5 {
        text.push_str("  - say: x\n");
    }
    let err = Scenario::parse(&text, PLACE, "long").expect_err("too many steps");
    let line = ringside::scenario::limits::MAX_STEPS + 2;
    assert_eq!(err.place, format!("{PLACE}:{line}:5"), "{err}");
    assert!(err.message.contains("a preset may have at most 10000"), "{err}");
}

/// A huge file is refused by its size before it is read: a sparse file of
/// a terabyte would not fit in memory.
#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let path = std::env::temp_dir().join(format!("ringside-huge-{}.yaml", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(1 << 40).unwrap();
    drop(file);
    let result = Scenario::load(path.to_str().unwrap());
    std::fs::remove_file(&path).ok();
    let err = result.expect_err("a terabyte is refused");
    assert!(
        err.message
            .contains("the file is 1099511627776 bytes; a preset may be at most"),
        "{err}"
    );
}
