//! Issue 18, items 1 to 3: writes lost or kept differently by replicas.
//! Each test drives nodes by hand and has a twin that plants the old
//! defect back (see [`PlantedDefect`]) and sees it return.

use super::*;
use crate::core::config::PlantedDefect;
use crate::core::version::{ClockMode, Siblings};

fn with(clocks: ClockMode, planted: Option<PlantedDefect>) -> Settings {
    Settings {
        clocks,
        planted,
        ..Settings::default()
    }
}

/// A put with W = 1 and an explicit context, as client `client` sends it.
fn put_ctx(op: u64, client: u16, key: &Key, value: &str, context: VClock) -> Message {
    Message::Request(Request {
        op: OpId(op),
        client: ClientId(client),
        key: key.clone(),
        operation: Operation::Put(Put {
            value: value.into(),
            context,
            w: Some(1),
            pw: None,
        }),
    })
}

/// Puts through `b` (W = 1) and returns the reply's outcome.
fn put_via(b: &mut Node, now: u64, op: u64, client: u16, key: &Key, value: &str, context: VClock) -> Outcome {
    let mut out = outbox();
    let from = Endpoint::Client(ClientId(client));
    b.handle_message(Time(now), from, put_ctx(op, client, key, value, context), &mut out);
    let r = replies(&out);
    assert_eq!(r.len(), 1, "W = 1: answered at once");
    r[0].outcome.clone()
}

fn reply_clock(outcome: &Outcome) -> VClock {
    match outcome {
        Outcome::Put { clock, failure: None } => clock.clone(),
        other => panic!("expected an acknowledged put, got {other:?}"),
    }
}

fn values(node: &Node, key: &Key) -> Vec<String> {
    let mut v: Vec<String> = node.store().versions(key).iter().map(|v| v.value.to_string()).collect();
    v.sort();
    v
}

/// Item 1's story at one coordinator: x puts A; y puts B blind (siblings
/// A, B); x puts C with its reply's context (C replaces A: B, C); x puts D
/// with the reply to C. Returns what the coordinator keeps.
fn overclaim_story(planted: Option<PlantedDefect>) -> Vec<String> {
    let k = key();
    let mut b = node_with(B, with(ClockMode::Dotted, planted));
    let (x, y) = (0, 1);
    let a = reply_clock(&put_via(&mut b, 0, 1, x, &k, "A", VClock::new()));
    put_via(&mut b, 1, 2, y, &k, "B", VClock::new());
    assert_eq!(values(&b, &k), ["A", "B"]);
    let c = reply_clock(&put_via(&mut b, 2, 3, x, &k, "C", a));
    assert_eq!(values(&b, &k), ["B", "C"], "C replaces only A");
    put_via(&mut b, 3, 4, x, &k, "D", c);
    values(&b, &k)
}

#[test]
fn a_dotted_put_reply_claims_only_what_its_client_saw() {
    assert_eq!(overclaim_story(None), ["B", "D"], "y's B was never seen by x");
}

#[test]
fn planted_overclaiming_put_context_loses_b() {
    assert_eq!(overclaim_story(Some(PlantedDefect::OverclaimingPutContext)), ["D"]);
}

/// Item 2: a context at the top of the counter's range, then two ordinary
/// puts. Returns each put's outcome and the values the coordinator keeps.
fn top_counter_story(clocks: ClockMode, planted: Option<PlantedDefect>) -> (Vec<Outcome>, Vec<String>) {
    let k = key();
    let mut b = node_with(B, with(clocks, planted));
    let hostile = clock(&[(B, u32::MAX - 1)]);
    let outcomes = vec![
        put_via(&mut b, 0, 1, 0, &k, "first", hostile),
        put_via(&mut b, 1, 2, 1, &k, "second", VClock::new()),
        put_via(&mut b, 2, 3, 2, &k, "third", VClock::new()),
    ];
    (outcomes, values(&b, &k))
}

#[test]
fn a_counter_at_the_top_of_its_range_fails_the_put_and_loses_nothing() {
    for clocks in [ClockMode::Vector, ClockMode::Dotted] {
        let (outcomes, kept) = top_counter_story(clocks, None);
        // Every acknowledged write is still there; every other one failed
        // by name and stored nothing.
        for (outcome, value) in outcomes.iter().zip(["first", "second", "third"]) {
            match outcome.failure() {
                None => assert!(
                    kept.contains(&value.to_string()),
                    "{clocks:?}: acknowledged {value} lost: {kept:?}"
                ),
                Some(f) => {
                    assert_eq!(f, &Failure::CounterExhausted, "{clocks:?}");
                    assert!(
                        !kept.contains(&value.to_string()),
                        "{clocks:?}: a failed put stored {value}"
                    );
                }
            }
        }
        assert!(outcomes[0].is_ok(), "{clocks:?}: the last counter is still usable");
        assert!(!outcomes[1].is_ok() && !outcomes[2].is_ok(), "{clocks:?}: {outcomes:?}");
    }
}

#[test]
fn planted_saturating_counter_acknowledges_and_loses_writes() {
    let (outcomes, kept) = top_counter_story(ClockMode::Vector, Some(PlantedDefect::SaturatingCounter));
    assert!(outcomes.iter().all(|o| o.is_ok()), "{outcomes:?}");
    assert_eq!(kept, ["first"], "second and third were acknowledged and thrown away");
    let (outcomes, kept) = top_counter_story(ClockMode::Dotted, Some(PlantedDefect::SaturatingCounter));
    assert!(outcomes.iter().all(|o| o.is_ok()), "{outcomes:?}");
    assert_ne!(kept.len(), 3, "the dot wraps to 0 and a write is lost: {kept:?}");
}

/// Item 3: two puts coordinated by `b` in the same microsecond, delivered to
/// replicas `c` and `d` in opposite orders. Returns both replicas.
fn same_microsecond_story(planted: Option<PlantedDefect>) -> (Node, Node) {
    let k = key();
    let settings = with(ClockMode::Lww, planted);
    let mut b = node_with(B, settings.clone());
    let mut payloads = Vec::new();
    for (op, value) in [(1, "milk"), (2, "eggs")] {
        let mut out = outbox();
        b.handle_message(Time(7), ALICE, put_ctx(op, 0, &k, value, VClock::new()), &mut out);
        let versions = sends(&out)
            .into_iter()
            .find_map(|(_, m)| match m {
                Message::Replicate { versions, .. } => Some(versions.clone()),
                _ => None,
            })
            .expect("replicated");
        payloads.push(versions);
    }
    let mut c = node_with(C, settings.clone());
    let mut d = node_with(D, settings);
    let deliver = |n: &mut Node, versions: &Siblings| {
        let msg = Message::Replicate {
            req: ReqId(1),
            key: k.clone(),
            versions: versions.clone(),
            context: VClock::new(),
            hint: None,
        };
        n.handle_message(Time(9), Endpoint::Node(B), msg, &mut outbox());
    };
    deliver(&mut c, &payloads[0]);
    deliver(&mut c, &payloads[1]);
    deliver(&mut d, &payloads[1]);
    deliver(&mut d, &payloads[0]);
    (c, d)
}

#[test]
fn last_write_wins_picks_the_same_winner_whatever_the_arrival_order() {
    let k = key();
    let (c, d) = same_microsecond_story(None);
    assert_eq!(values(&c, &k), values(&d, &k));
    assert_eq!(values(&c, &k), ["eggs"], "the later put wins");
    assert_eq!(
        c.store().hash_of(&k),
        d.store().hash_of(&k),
        "anti-entropy sees them equal"
    );
}

#[test]
fn planted_unbroken_lww_tie_lets_replicas_diverge() {
    let k = key();
    let (c, d) = same_microsecond_story(Some(PlantedDefect::UnbrokenLwwTie));
    assert_ne!(values(&c, &k), values(&d, &k));
    assert_ne!(c.store().hash_of(&k), d.store().hash_of(&k));
}
