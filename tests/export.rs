//! Issue 21: exports of a run. For random runs (random puts and gets,
//! kills, revives, partitions and heals on a few nodes), every ShiViz
//! timestamp is the one ShiViz itself would compute (each host counts its
//! events from 1; a delivery merges its send's clock, so it is at least the
//! send's, component by component), and the Mermaid diagram has one arrow
//! per message of the trace.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use ringside::core::ids::Names;
use ringside::core::trace::{Event, TraceEvent};
use ringside::export::{self, Diagram, Selection};
use ringside::scenario::Scenario;
use ringside::scenario::headless::{RunOptions, run_keeping_engine};

fn record(scenario: &Scenario, sel: &Selection) -> (Vec<TraceEvent>, Diagram, Names) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut trace = Vec::new();
    let (_, engine) = rt
        .block_on(run_keeping_engine(
            scenario,
            &RunOptions::default(),
            &mut std::io::sink(),
            |e| trace.push(e.clone()),
        ))
        .unwrap();
    let names = engine.names().clone();
    let d = Diagram::build(&trace, &names, export::participants(&names, engine.ring()), sel);
    (trace, d, names)
}

type Clock = BTreeMap<String, u64>;

/// Checks a ShiViz log as ShiViz does; returns the number of events.
fn check_shiviz(log: &str) -> usize {
    let mut lines = log.lines();
    assert_eq!(lines.next(), Some(export::shiviz::REGEX));
    assert_eq!(lines.next(), Some(""), "the second line is the (empty) delimiter");
    let mut last: BTreeMap<String, Clock> = BTreeMap::new();
    let mut sends: BTreeMap<String, Clock> = BTreeMap::new();
    let mut events = 0;
    for line in lines {
        let (host, rest) = line.split_once(' ').unwrap();
        let brace = rest.rfind(" {").unwrap();
        let (desc, clock) = (&rest[..brace], &rest[brace + 1..]);
        assert!(desc.starts_with('"') && desc.ends_with('"'), "{line}");
        let desc = &desc[1..desc.len() - 1];
        assert!(!desc.contains('"'), "{line}");
        let clock: Clock = serde_json::from_str(clock).unwrap_or_else(|e| panic!("{line}: {e}"));
        let mut expected = last.get(host).cloned().unwrap_or_default();
        let msg = desc.rsplit_once("(m").map(|(_, m)| m.trim_end_matches(')').to_string());
        if desc.starts_with("receive ") {
            let sent = &sends[msg.as_ref().unwrap()];
            for (h, c) in sent {
                assert!(
                    clock.get(h).copied().unwrap_or(0) >= *c,
                    "delivery before its send: {line}"
                );
                let e = expected.entry(h.clone()).or_insert(0);
                *e = (*e).max(*c);
            }
        }
        *expected.entry(host.to_string()).or_insert(0) += 1;
        assert_eq!(clock, expected, "{line}");
        if desc.starts_with("send ") {
            sends.insert(msg.unwrap(), clock.clone());
        }
        last.insert(host.to_string(), clock);
        events += 1;
    }
    events
}

/// The arrows of a Mermaid diagram: (from, to, head).
fn mermaid_arrows(text: &str) -> Vec<(String, String, String)> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"));
    let mut participants = BTreeSet::new();
    let mut arrows = Vec::new();
    for line in lines {
        let line = line.trim();
        if let Some(rest) = line
            .strip_prefix("participant ")
            .or_else(|| line.strip_prefix("actor "))
        {
            participants.insert(rest.split(" as ").next().unwrap().to_string());
            continue;
        }
        if line.starts_with("Note over ") {
            continue;
        }
        let (arrow, label) = line.split_once(": ").unwrap_or_else(|| panic!("not mermaid: {line}"));
        assert!(!label.contains(';'), "{line}");
        let head = ["->>", "-x", "-)"].into_iter().find(|h| arrow.contains(h)).unwrap();
        let (a, b) = arrow.split_once(head).unwrap();
        assert!(participants.contains(a) && participants.contains(b), "{line}");
        arrows.push((a.to_string(), b.to_string(), head.to_string()));
    }
    arrows
}

/// A random story on four nodes: puts and gets of two keys by three
/// clients, kills and revives (never of a dead or live node), partitions,
/// heals and waits.
fn story() -> impl Strategy<Value = String> {
    prop::collection::vec((0u8..8, 0u8..4, 0u8..3, 0u8..2, 1u32..400), 4..14).prop_map(|steps| {
        let mut yaml = String::from(
            "name: random\ncluster:\n  nodes: 4\n  vnodes: 2\n  latency: 5ms..20ms\n  drop_rate: 0.05\nsteps:\n",
        );
        let mut dead = [false; 4];
        for (i, (what, node, client, key, ms)) in steps.into_iter().enumerate() {
            let n = node as usize;
            let key = ["cart", "list"][key as usize];
            let step = match what {
                0 | 1 => format!("put: {{key: {key}, value: v{i}, client: c{client}, nowait: true}}"),
                2 => format!("get: {{key: {key}, client: c{client}, nowait: true}}"),
                3 if !dead[n] && dead.iter().filter(|d| !**d).count() > 1 => {
                    dead[n] = true;
                    format!("kill: n{}", n + 1)
                }
                4 if dead[n] => {
                    dead[n] = false;
                    format!("revive: n{}", n + 1)
                }
                5 => format!("partition: [[n1, n{}], [n3]]", if n == 0 { 2 } else { 4 }),
                6 => "heal: all".to_string(),
                _ => format!("wait: {ms}ms"),
            };
            yaml.push_str(&format!("  - {step}\n"));
        }
        yaml.push_str("  - wait: 1s\n");
        yaml
    })
}

proptest! {
    #![proptest_config(common::property_config(24))]

    #[test]
    fn shiviz_timestamps_respect_happens_before_and_mermaid_has_every_message(yaml in story()) {
        let scenario = Scenario::parse(&yaml, "random.yaml", "random").unwrap();
        let all = Selection { key: None, gossip: true };
        let (trace, d, names) = record(&scenario, &all);

        let events = check_shiviz(&export::shiviz::render(&d, &names));
        prop_assert!(events >= d.messages.len());

        let mut ids = BTreeSet::new();
        let mut dropped = 0;
        for ev in &trace {
            match &ev.event {
                Event::Sent { msg, .. } => { ids.insert(msg.0); }
                Event::Dropped { msg, .. } => { ids.insert(msg.0); dropped += 1; }
                _ => {}
            }
        }
        let arrows = mermaid_arrows(&export::mermaid::render(&d, &names));
        prop_assert_eq!(arrows.len(), ids.len());
        prop_assert_eq!(arrows.iter().filter(|a| a.2 == "-x").count(), dropped);

        // One key: every arrow is about it, and the log still checks.
        let cart = Selection { key: Some("cart".into()), gossip: false };
        let d = Diagram::build(&trace, &names, d.participants.clone(), &cart);
        prop_assert!(d.messages.iter().all(|m| m.key.as_deref() == Some("cart")));
        check_shiviz(&export::shiviz::render(&d, &names));
        let text = export::mermaid::render(&d, &names);
        prop_assert_eq!(mermaid_arrows(&text).len(), d.messages.len());
        prop_assert!(!text.contains("[list]") && !text.contains("gossip"));
    }
}

#[test]
fn the_cart_story_exports_its_drops_and_replies_under_its_key() {
    let scenario = Scenario::load("conflicting-writes").unwrap();
    let sel = Selection {
        key: Some("cart".into()),
        gossip: false,
    };
    let (_, d, names) = record(&scenario, &sel);
    let text = export::mermaid::render(&d, &names);
    // s2's replicate to s3, dropped as it left (the partition), and the
    // replies to Alice, which carry no key in the trace, are all there.
    assert!(text.contains("replicate [cart] (dropped: partitioned)"), "{text}");
    assert!(text.contains("reply [cart]"), "{text}");
    assert!(text.contains("⚡ kill s1") && text.contains("Note over"), "{text}");
    let svg = export::svg::render(&d, &names, "conflicting-writes");
    assert!(
        svg.starts_with("<svg") && svg.contains("CARM"),
        "the stored versions are in the hover titles"
    );
}
