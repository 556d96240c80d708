//! Every step reads back as itself: words → step → words and YAML → step →
//! YAML, for arbitrary steps; and the table is the one list of actions.

use proptest::prelude::*;

use super::*;
use crate::core::config::Routing;
use crate::core::time::Dur;
use crate::core::version::ClockMode;
use crate::scenario::expect::{ClockSpec, Converged, HintsExpect, ValueSet};
use crate::scenario::noderef::NodeRef;
use crate::scenario::settings_patch::SettingsPatch;
use crate::scenario::text::{Text, check_key};

fn cx() -> ParseContext {
    ParseContext::new((1..=5).map(|i| format!("s{i}")).collect(), 5)
}

fn node() -> impl Strategy<Value = NodeRef> {
    prop_oneof![
        (1..=5usize).prop_map(|i| NodeRef::Name(format!("s{i}"))),
        ("[a-z]{1,5}", 1..=5usize).prop_map(|(key, index)| NodeRef::Nth { key, index }),
    ]
}

/// Text with the characters that need quoting: spaces, quotes, backslashes,
/// separators, digits, keywords.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ,;|>\\[\\]\"\\\\=#:.+-]{1,12}",
        Just("via".to_string()),
        Just("42".to_string()),
        Just("true".to_string()),
        Just("1.5".to_string()),
        Just("5ms".to_string()),
    ]
}

fn key() -> impl Strategy<Value = String> {
    text().prop_filter("a key has no control characters", |k| check_key(k).is_ok())
}

fn dur() -> impl Strategy<Value = Dur> {
    prop_oneof![
        (0..3_600_000_000u64).prop_map(Dur),
        (0..3600u64).prop_map(Dur::from_secs),
        (0..3_600_000u64).prop_map(Dur::from_millis),
    ]
}

fn client() -> impl Strategy<Value = String> {
    prop_oneof![Just(DEFAULT_CLIENT.to_string()), "[a-z][a-z0-9_-]{0,6}"]
}

fn q() -> impl Strategy<Value = Option<usize>> {
    proptest::option::of(1..=5usize)
}

fn clock() -> impl Strategy<Value = ClockSpec> {
    (
        proptest::collection::vec((node(), 0..1000u32), 0..3),
        proptest::option::of((node(), proptest::collection::vec(1..1000u32, 1..3))),
    )
        .prop_map(|(entries, extra)| {
            let extras = extra.map_or_else(Vec::new, |(n, cs)| cs.into_iter().map(|c| (n.clone(), c)).collect());
            ClockSpec(entries, extras)
        })
}

fn bulk() -> impl Strategy<Value = BulkStep> {
    (
        "[a-z]{1,6}",
        1..100usize,
        0..100usize,
        proptest::option::of(text()),
        client(),
        proptest::option::of(node()),
        q(),
    )
        .prop_map(|(prefix, keys, start, value, client, via, quorum)| BulkStep {
            keys,
            prefix,
            start,
            value,
            client,
            via,
            quorum,
        })
}

fn patch() -> impl Strategy<Value = SettingsPatch> {
    (
        q(),
        proptest::option::of(dur().prop_filter("a timeout is positive", |d| d.micros() > 0)),
        proptest::option::of(prop_oneof![Just(Routing::AnyNode), Just(Routing::PartitionAware)]),
        proptest::option::of(0..=100u32),
        proptest::option::of(any::<bool>()),
        proptest::option::of(proptest::option::of(dur().prop_filter("positive", |d| d.micros() > 0))),
        proptest::option::of(prop_oneof![Just(ClockMode::Vector), Just(ClockMode::Dotted)]),
    )
        .prop_map(|(w, timeout, routing, drop, sloppy, ae, clocks)| SettingsPatch {
            write_quorum: w,
            request_timeout: timeout,
            routing,
            drop_rate: drop.map(|d| d as f64 / 100.0),
            sloppy_quorum: sloppy,
            anti_entropy_interval: ae,
            clocks,
            ..SettingsPatch::default()
        })
        .prop_filter("a set names a setting", |p| !p.is_empty())
}

/// Every action but `concurrently`.
fn simple() -> impl Strategy<Value = StepKind> {
    prop_oneof![
        text().prop_map(StepKind::Say),
        (
            key(),
            text(),
            client(),
            proptest::option::of(node()),
            q(),
            q(),
            proptest::option::of(clock()),
            any::<bool>()
        )
            .prop_filter("a put writes a value", |t| !t.1.is_empty())
            .prop_map(
                |(key, value, client, via, w, pw, context, nowait)| StepKind::Put(PutStep {
                    key,
                    value,
                    client,
                    via,
                    w,
                    pw,
                    context,
                    nowait
                })
            ),
        (key(), client(), proptest::option::of(node()), q(), q(), any::<bool>()).prop_map(
            |(key, client, via, r, pr, nowait)| StepKind::Get(GetStep {
                key,
                client,
                via,
                r,
                pr,
                nowait
            })
        ),
        dur().prop_map(StepKind::Wait),
        dur().prop_map(StepKind::At),
        node().prop_map(StepKind::Kill),
        node().prop_map(StepKind::Revive),
        proptest::sample::subsequence((1..=5).collect::<Vec<usize>>(), 2..=5).prop_flat_map(|nodes| {
            let n = nodes.len();
            (Just(nodes), 1..n).prop_map(|(nodes, split)| {
                let refs: Vec<NodeRef> = nodes.iter().map(|i| NodeRef::Name(format!("s{i}"))).collect();
                StepKind::Partition(vec![refs[..split].to_vec(), refs[split..].to_vec()])
            })
        }),
        (node(), node())
            .prop_filter("a cut joins two nodes", |(a, b)| a != b)
            .prop_map(|(from, to)| StepKind::Cut { from, to }),
        Just(StepKind::Heal),
        (node(), dur()).prop_map(|(node, by)| StepKind::Slow { node, by }),
        patch().prop_map(StepKind::Set),
        (
            "j[0-9]{1,3}",
            proptest::option::of(proptest::collection::vec(any::<u64>(), 1..4))
        )
            .prop_map(|(node, tokens)| StepKind::Join { node, tokens }),
        node().prop_map(StepKind::Leave),
        bulk()
            .prop_filter("a fill writes a value", |b| b
                .value
                .as_deref()
                .is_some_and(|v| !v.is_empty()))
            .prop_map(StepKind::Fill),
        bulk().prop_map(StepKind::Scan),
        Just(StepKind::Traffic(TrafficStep::Off)),
        traffic().prop_map(|spec| StepKind::Traffic(TrafficStep::Start(spec))),
    ]
}

fn traffic() -> impl Strategy<Value = crate::scenario::traffic::TrafficSpec> {
    (
        (
            1..=100_000u32,
            1..=10_000u32,
            0.0..=1.0f64,
            proptest::option::of(0.01..=5.0f64),
        ),
        (
            1..=64u32,
            proptest::option::of(prop_oneof![Just(Routing::AnyNode), Just(Routing::PartitionAware)]),
            q(),
            q(),
        ),
    )
        .prop_map(
            |((rate, keys, reads, zipf), (clients, via, r, w))| crate::scenario::traffic::TrafficSpec {
                rate,
                keys,
                reads,
                zipf,
                clients,
                via,
                r,
                w,
            },
        )
}

fn kind() -> impl Strategy<Value = StepKind> {
    prop_oneof![
        4 => simple(),
        1 => proptest::collection::vec(simple().prop_map(|kind| Step { kind, expect: None }), 1..4)
            .prop_map(StepKind::Concurrently),
    ]
}

fn expect() -> impl Strategy<Value = Expect> {
    (
        proptest::option::of(any::<bool>()),
        proptest::option::of(proptest::collection::btree_set(text(), 0..3)),
        proptest::option::of(proptest::collection::vec(text(), 0..3)),
        proptest::option::of((node(), 0..5usize)),
        proptest::option::of(0..5usize),
        proptest::option::of(prop_oneof![Just(Converged::All), "[a-z]{1,4}".prop_map(Converged::Key)]),
        proptest::option::of(metrics()),
    )
        .prop_map(|(ok, values, items, hints, in_flight, converged, metrics)| Expect {
            ok,
            values: values.map(|v| ValueSet(v.into_iter().collect())),
            has_items: items.map(|v| v.into_iter().map(Text).collect()),
            hints: hints.map(|(node, count)| HintsExpect {
                node,
                owner: None,
                count,
            }),
            in_flight,
            converged,
            metrics,
            ..Expect::default()
        })
}

fn metrics() -> impl Strategy<Value = crate::scenario::expect::MetricsExpect> {
    let names = crate::metrics::columns::all();
    (
        (1..3600u64).prop_map(Dur::from_secs),
        proptest::sample::subsequence(names, 1..4),
        proptest::collection::vec(
            (proptest::option::of(-1e6..1e6f64), proptest::option::of(0.0..1.0f64)),
            4,
        ),
    )
        .prop_map(|(window, names, bounds)| crate::scenario::expect::MetricsExpect {
            window,
            bounds: names
                .into_iter()
                .zip(bounds)
                .map(|(n, (lo, hi))| (n, lo, if lo.is_none() { Some(hi.unwrap_or(0.5)) } else { hi }))
                .collect(),
        })
}

fn step() -> impl Strategy<Value = Step> {
    (kind(), proptest::option::of(expect()))
        .prop_map(|(kind, expect)| Step { kind, expect })
        .prop_filter("the expectations fit the step", |s| {
            check_expect(&s.kind, s.expect.as_ref()).is_ok()
        })
}

proptest! {
    #[test]
    fn words_to_step_to_words(kind in kind()) {
        let line = kind.to_words().expect("every action has words");
        let words = words::split(&line).expect("rendered words split");
        let parsed = StepKind::from_words(&words, &mut cx()).expect("an action").map_err(|e| {
            TestCaseError::fail(format!("{line}: {e}"))
        })?;
        prop_assert_eq!(&parsed, &kind, "{}", line);
        prop_assert_eq!(parsed.to_words(), Some(line));
    }

    #[test]
    fn yaml_to_step_to_yaml(step in step()) {
        let text = step.to_yaml();
        let parsed = Step::from_yaml_str(&text, &mut cx())
            .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&parsed, &step, "{}", text);
        prop_assert_eq!(parsed.to_yaml(), text);
    }
}

#[test]
fn an_unknown_step_names_every_action_in_the_table() {
    let err = Step::from_yaml_str("{explode: 1}", &mut cx()).unwrap_err().to_string();
    for info in STEPS {
        assert!(
            err.contains(&format!(" {},", info.name)) || err.contains(&format!(" {} ", info.name)),
            "{} is missing from {err}",
            info.name
        );
    }
    let empty = Step::from_yaml_str("{}", &mut cx()).unwrap_err().to_string();
    assert!(empty.contains(&names()), "{empty}");
}

#[test]
fn every_action_in_the_table_parses_from_yaml_and_words() {
    for info in STEPS {
        let err = Step::from_yaml_str(&format!("{{{}: ~}}", info.name), &mut cx())
            .map_err(|e| e.to_string())
            .err()
            .unwrap_or_default();
        assert!(!err.contains("unknown step"), "{}: {err}", info.name);
        let words = words::split(info.name).unwrap();
        assert!(StepKind::from_words(&words, &mut cx()).is_some(), "{}", info.name);
    }
}
