//! The node state machine driven by hand: inputs in, effects out.

use std::sync::Arc;

use super::*;
use crate::core::clock::VClock;
use crate::core::config::Settings;
use crate::core::ids::ClientId;
use crate::core::ids::{Endpoint, NodeId, OpId};
use crate::core::message::{Failure, Get, Operation, Outcome, Put, Reply, Request};
use crate::core::message::{Message, ReqId};
use crate::core::notice::Notice;
use crate::core::outbox::Effect;
use crate::core::ring::Ring;
use crate::core::time::Dur;
use crate::core::time::Time;
use crate::core::trace::Event;
use crate::core::version::{Key, Version};

const A: NodeId = NodeId(0);
const B: NodeId = NodeId(1);
const C: NodeId = NodeId(2);
const D: NodeId = NodeId(3);
const ALICE: Endpoint = Endpoint::Client(ClientId(0));

/// Four nodes, one token each, at a quarter, half, three quarters and the
/// end of the ring. A key between a and b has the preference list b, c, d.
fn ring() -> Arc<Ring> {
    const Q: u64 = 1 << 62;
    Arc::new(Ring::new([
        (A, vec![Q]),
        (B, vec![2 * Q]),
        (C, vec![3 * Q]),
        (D, vec![u64::MAX]),
    ]))
}

/// A key whose preference list is [b, c, d] on `ring()`.
fn key() -> Key {
    let r = ring();
    (0..10_000)
        .map(|i| format!("k{i}"))
        .find(|k| r.preference_list(k, 3).as_slice() == [B, C, D])
        .expect("some key lands between a and b")
        .into()
}

fn node(id: NodeId) -> Node {
    Node::new(id, Arc::new(Settings::default()), ring())
}

fn outbox() -> NodeOutbox {
    NodeOutbox::new(true)
}

fn put(op: u64, key: &Key, value: &str, context: VClock) -> Message {
    Message::Request(Request {
        op: OpId(op),
        client: ClientId(0),
        key: key.clone(),
        operation: Operation::Put(Put {
            value: value.into(),
            context,
            w: None,
            pw: None,
        }),
    })
}

fn get(op: u64, key: &Key, r: Option<usize>) -> Message {
    Message::Request(Request {
        op: OpId(op),
        client: ClientId(0),
        key: key.clone(),
        operation: Operation::Get(Get { r, pr: None }),
    })
}

fn sends(out: &NodeOutbox) -> Vec<(Endpoint, &Message)> {
    out.effects()
        .iter()
        .filter_map(|e| match e {
            Effect::Send { to, msg, .. } => Some((*to, &**msg)),
            _ => None,
        })
        .collect()
}

fn replies(out: &NodeOutbox) -> Vec<&Reply> {
    sends(out)
        .into_iter()
        .filter_map(|(_, m)| match m {
            Message::Reply(r) | Message::ForwardReply(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn req_of(out: &NodeOutbox) -> ReqId {
    sends(out)
        .into_iter()
        .find_map(|(_, m)| match m {
            Message::Replicate { req, .. } | Message::Read { req, .. } => Some(*req),
            _ => None,
        })
        .expect("a replicate or read was sent")
}

fn clock(pairs: &[(NodeId, u32)]) -> VClock {
    VClock::from_pairs(pairs.iter().copied())
}

#[test]
fn coordinator_stores_replicates_and_answers_at_w() {
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, put(1, &k, "CAR", VClock::new()), &mut out);

    let stored = b.store().versions(&k);
    assert_eq!(
        (stored.len(), &*stored[0].value, &stored[0].clock),
        (1, "CAR", &clock(&[(B, 1)]))
    );
    assert_eq!(
        stored[0].stamp,
        crate::core::version::Stamp::new(0, B, Some(0)),
        "stamped by its coordinator, who had seen none of its own writes"
    );
    let targets: Vec<Endpoint> = sends(&out).iter().map(|(to, _)| *to).collect();
    assert_eq!(
        targets,
        vec![Endpoint::Node(C), Endpoint::Node(D)],
        "replicates to the other N-1"
    );
    assert!(replies(&out).is_empty(), "W=2: one store is not enough");

    let req = req_of(&out);
    let mut out = outbox();
    b.handle_message(Time(10), Endpoint::Node(D), Message::Ack { req }, &mut out);
    let r = replies(&out);
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0].outcome,
        Outcome::Put {
            clock: clock(&[(B, 1)]),
            failure: None
        }
    );
    assert_eq!(r[0].replicas.as_slice(), &[B, D]);

    // A late ack and the timeout change nothing more.
    let mut out = outbox();
    b.handle_message(Time(12), Endpoint::Node(C), Message::Ack { req }, &mut out);
    b.handle_timer(Time(500_000), NodeTimer::Request(req), &mut out);
    assert!(replies(&out).is_empty());
    assert_eq!(b.coordinating(), 0);
}

#[test]
fn put_fails_at_timeout_without_rolling_back() {
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, put(1, &k, "CAR", VClock::new()), &mut out);
    let req = req_of(&out);
    let mut out = outbox();
    b.handle_timer(Time(500_000), NodeTimer::Request(req), &mut out);
    let r = replies(&out);
    assert_eq!(
        r[0].outcome,
        Outcome::Put {
            clock: clock(&[(B, 1)]),
            failure: Some(Failure::QuorumNotReached { got: 1, need: 2 })
        }
    );
    assert_eq!(b.store().versions(&k).len(), 1, "the coordinator keeps what it stored");
}

#[test]
fn new_clock_goes_past_every_stored_counter_of_the_coordinator() {
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    // A replica delivered {b:4, c:1} earlier; the client's context only knows {b:1}.
    b.handle_message(
        Time(0),
        Endpoint::Node(C),
        Message::Replicate {
            req: ReqId(9),
            key: k.clone(),
            versions: smallvec::smallvec![Version::new("X", clock(&[(B, 4), (C, 1)]))],
            context: VClock::new(),
            hint: None,
        },
        &mut out,
    );
    let mut out = outbox();
    b.handle_message(Time(1), ALICE, put(1, &k, "Y", clock(&[(B, 1)])), &mut out);
    let stored = b.store().versions(&k);
    assert!(stored.iter().any(|v| v.clock == clock(&[(B, 5)])), "{stored:?}");
    // {b:5} does not descend from {b:4, c:1}: both stay, and nothing was overwritten.
    assert_eq!(stored.len(), 2);
    assert!(
        !out.effects()
            .iter()
            .any(|e| matches!(e, Effect::Notify(Notice::LostWrite { shadowed: false, .. })))
    );
    // But {b:5} counts past b:4, which its client never saw: merged with
    // c:1 it covers X, which is noted as shadowed.
    let shadowed: Vec<&str> = out
        .effects()
        .iter()
        .filter_map(|e| match e {
            Effect::Notify(Notice::LostWrite {
                lost,
                by,
                shadowed: true,
                ..
            }) if by.clock == clock(&[(B, 5)]) => Some(&*lost.value),
            _ => None,
        })
        .collect();
    assert_eq!(shadowed, ["X"]);
}

#[test]
fn overwriting_a_write_the_context_had_not_seen_is_recorded() {
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    let ctx = clock(&[(B, 1)]);
    b.handle_message(Time(0), ALICE, put(1, &k, "base", VClock::new()), &mut out);
    b.handle_message(Time(1), ALICE, put(2, &k, "milk", ctx.clone()), &mut out);
    let mut out = outbox();
    b.handle_message(Time(2), ALICE, put(3, &k, "eggs", ctx), &mut out);
    let lost: Vec<&Notice> = out
        .effects()
        .iter()
        .filter_map(|e| match e {
            Effect::Notify(n @ Notice::LostWrite { .. }) => Some(n),
            _ => None,
        })
        .collect();
    assert_eq!(lost.len(), 1);
    let Notice::LostWrite {
        lost,
        by,
        shadowed: false,
        ..
    } = lost[0]
    else {
        panic!("an overwrite, not a shadowing: {:?}", lost[0])
    };
    assert_eq!(&*lost.value, "milk");
    assert_eq!(by.clock, clock(&[(B, 3)]));
}

#[test]
fn overwritten_writes_are_noticed_even_with_tracing_off() {
    let k = key();
    let mut b = node(B);
    let mut out = NodeOutbox::new(false);
    let ctx = clock(&[(B, 1)]);
    b.handle_message(Time(0), ALICE, put(1, &k, "base", VClock::new()), &mut out);
    b.handle_message(Time(1), ALICE, put(2, &k, "milk", ctx.clone()), &mut out);
    b.handle_message(Time(2), ALICE, put(3, &k, "eggs", ctx), &mut out);
    let traced = out.effects().iter().filter(|e| matches!(e, Effect::Trace(_))).count();
    assert_eq!(traced, 0, "no trace event with the trace off");
    let noticed = out.effects().iter().filter(|e| matches!(e, Effect::Notify(_))).count();
    assert_eq!(noticed, 1, "only the overwrite is noticed");
}

#[test]
fn get_answers_at_r_with_siblings_and_repairs_stale_replicas() {
    let k = key();
    let mut b = node(B);
    let base = Version::new("CART", clock(&[(B, 2)]));
    let carm = Version::new("CARM", clock(&[(B, 2), (C, 1)]));
    let carr = Version::new("CARR", clock(&[(B, 2), (D, 1)]));
    b.store.put(&k, base.clone(), crate::core::version::ClockMode::Vector);

    let mut out = outbox();
    b.handle_message(Time(0), ALICE, get(1, &k, Some(3)), &mut out);
    let req = req_of(&out);
    let mut out = outbox();
    b.handle_message(
        Time(5),
        Endpoint::Node(C),
        Message::ReadReply {
            req,
            versions: smallvec::smallvec![carm.clone()],
        },
        &mut out,
    );
    assert!(replies(&out).is_empty(), "R=3 waits for the third answer");
    b.handle_message(
        Time(6),
        Endpoint::Node(D),
        Message::ReadReply {
            req,
            versions: smallvec::smallvec![carr.clone()],
        },
        &mut out,
    );
    let r = replies(&out);
    let Outcome::Get {
        versions,
        context,
        failure: None,
    } = &r[0].outcome
    else {
        panic!("{:?}", r[0])
    };
    assert_eq!(versions, &vec![carm.clone(), carr.clone()]);
    assert_eq!(*context, clock(&[(B, 2), (C, 1), (D, 1)]));

    // Read repair: c lacks CARR, d lacks CARM, and b repaired itself.
    let repairs: Vec<Endpoint> = sends(&out)
        .iter()
        .filter(|(_, m)| matches!(m, Message::Repair { .. }))
        .map(|(to, _)| *to)
        .collect();
    assert_eq!(repairs, vec![Endpoint::Node(C), Endpoint::Node(D)]);
    assert_eq!(b.store().versions(&k), &[carm, carr]);
}

#[test]
fn late_reply_after_the_answer_is_still_used_for_repair() {
    let k = key();
    let mut b = node(B);
    let old = Version::new("CAR", clock(&[(B, 1)]));
    let new = Version::new("CART", clock(&[(B, 2)]));
    b.store.put(&k, old, crate::core::version::ClockMode::Vector);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, get(1, &k, Some(1)), &mut out);
    assert_eq!(replies(&out).len(), 1, "R=1 answers from the local replica at once");
    let req = req_of(&out);
    let mut out = outbox();
    b.handle_message(
        Time(9),
        Endpoint::Node(C),
        Message::ReadReply {
            req,
            versions: smallvec::smallvec![new.clone()],
        },
        &mut out,
    );
    assert!(replies(&out).is_empty());
    assert_eq!(
        b.store().versions(&k),
        std::slice::from_ref(&new),
        "the coordinator repaired itself"
    );
    // d answers with nothing at all: it is sent the reconciled version.
    let mut out = outbox();
    b.handle_message(
        Time(10),
        Endpoint::Node(D),
        Message::ReadReply {
            req,
            versions: smallvec::smallvec![],
        },
        &mut out,
    );
    let repaired: Vec<_> = sends(&out)
        .into_iter()
        .filter(|(_, m)| matches!(m, Message::Repair { .. }))
        .collect();
    assert_eq!(repaired.len(), 1);
    assert_eq!(repaired[0].0, Endpoint::Node(D));
}

#[test]
fn get_fails_at_timeout_with_what_it_had() {
    let k = key();
    let mut b = node(B);
    b.store.put(
        &k,
        Version::new("CAR", clock(&[(B, 1)])),
        crate::core::version::ClockMode::Vector,
    );
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, get(1, &k, None), &mut out);
    let req = req_of(&out);
    let mut out = outbox();
    b.handle_timer(Time(500_000), NodeTimer::Request(req), &mut out);
    let Outcome::Get { versions, failure, .. } = &replies(&out)[0].outcome else {
        panic!()
    };
    assert_eq!(failure, &Some(Failure::QuorumNotReached { got: 1, need: 2 }));
    assert_eq!(versions.len(), 1);
}

#[test]
fn non_replica_forwards_to_the_top_n_in_order_then_gives_up() {
    let k = key();
    let mut a = node(A);
    let mut out = outbox();
    a.handle_message(Time(0), ALICE, get(7, &k, None), &mut out);
    assert_eq!(
        sends(&out)[0].0,
        Endpoint::Node(B),
        "first the head of the preference list"
    );
    assert!(matches!(sends(&out)[0].1, Message::Forward(_)));
    let timeout = forward_timeout(&Settings::default());
    assert!(timeout > Settings::default().request_timeout);

    for (attempt, next) in [(0, C), (1, D)] {
        let mut out = outbox();
        a.handle_timer(Time(1), NodeTimer::Forward { op: OpId(7), attempt }, &mut out);
        assert_eq!(sends(&out)[0].0, Endpoint::Node(next));
    }
    // A stale timer of an earlier attempt does nothing.
    let mut out = outbox();
    a.handle_timer(
        Time(2),
        NodeTimer::Forward {
            op: OpId(7),
            attempt: 0,
        },
        &mut out,
    );
    assert!(out.is_empty());
    a.handle_timer(
        Time(3),
        NodeTimer::Forward {
            op: OpId(7),
            attempt: 2,
        },
        &mut out,
    );
    assert_eq!(replies(&out)[0].outcome, Outcome::Unavailable(Failure::NoCoordinator));
    assert_eq!(sends(&out)[0].0, ALICE);
}

#[test]
fn forwarder_relays_the_coordinators_reply_once() {
    let k = key();
    let mut a = node(A);
    let mut out = outbox();
    a.handle_message(Time(0), ALICE, get(7, &k, None), &mut out);
    let reply = Reply {
        op: OpId(7),
        coordinator: B,
        outcome: Outcome::Get {
            versions: vec![],
            context: VClock::new(),
            failure: None,
        },
        replicas: Default::default(),
    };
    let mut out = outbox();
    a.handle_message(
        Time(30),
        Endpoint::Node(B),
        Message::ForwardReply(reply.clone()),
        &mut out,
    );
    assert_eq!(sends(&out), vec![(ALICE, &Message::Reply(reply.clone()))]);
    let mut out = outbox();
    a.handle_message(Time(31), Endpoint::Node(C), Message::ForwardReply(reply), &mut out);
    assert!(out.is_empty(), "a duplicate answer is dropped");
}

#[test]
fn crash_keeps_the_disk_and_loses_pending_requests() {
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, put(1, &k, "CAR", VClock::new()), &mut out);
    assert_eq!(b.coordinating(), 1);
    let disk = b.crash();
    let b = Node::recover(B, Arc::new(Settings::default()), disk, 0);
    assert_eq!(b.coordinating(), 0);
    assert_eq!(b.store().versions(&k).len(), 1);
}

#[test]
fn per_request_quorums_override_the_cluster() {
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    let msg = Message::Request(Request {
        op: OpId(1),
        client: ClientId(0),
        key: k.clone(),
        operation: Operation::Put(Put {
            value: "V".into(),
            context: VClock::new(),
            w: Some(1),
            pw: None,
        }),
    });
    b.handle_message(Time(0), ALICE, msg, &mut out);
    assert_eq!(replies(&out).len(), 1, "w=1: the coordinator's own store is enough");
    let _ = Dur::ZERO;
}

// ---- sloppy quorum and hinted handoff ----

fn node_with(id: NodeId, settings: Settings) -> Node {
    Node::new(id, Arc::new(settings), ring())
}

fn put_w(op: u64, key: &Key, value: &str, w: Option<usize>, pw: Option<usize>) -> Message {
    Message::Request(Request {
        op: OpId(op),
        client: ClientId(0),
        key: key.clone(),
        operation: Operation::Put(Put {
            value: value.into(),
            context: VClock::new(),
            w,
            pw,
        }),
    })
}

fn replicates(out: &NodeOutbox) -> Vec<(NodeId, Option<NodeId>)> {
    sends(out)
        .into_iter()
        .filter_map(|(to, m)| match m {
            Message::Replicate { hint, .. } => Some((to.node().unwrap(), *hint)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_silent_replica_is_replaced_by_the_next_node_with_a_hint_that_counts_toward_w() {
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, put_w(1, &k, "CAR", Some(3), None), &mut out);
    assert_eq!(replicates(&out), vec![(C, None), (D, None)]);
    let req = req_of(&out);
    let mut out = outbox();
    b.handle_message(Time(5), Endpoint::Node(C), Message::Ack { req }, &mut out);
    assert!(replies(&out).is_empty(), "W=3: two stores are not enough");

    // d stays silent: at hint_after its copy goes to a, the next node clockwise.
    let mut out = outbox();
    b.handle_timer(Time(250_000), NodeTimer::HintAfter(req), &mut out);
    assert_eq!(replicates(&out), vec![(A, Some(D))]);
    let mut out = outbox();
    b.handle_message(Time(260_000), Endpoint::Node(A), Message::Ack { req }, &mut out);
    let r = replies(&out);
    assert!(r[0].outcome.is_ok(), "the stand-in's store made W");
    assert_eq!(r[0].replicas.as_slice(), &[B, C, A]);
}

/// The wake-ups a node asked for, as instants from `now`.
fn wakes(out: &NodeOutbox, now: Time) -> Vec<Time> {
    out.effects()
        .iter()
        .filter_map(|e| match e {
            Effect::Timer {
                after,
                timer: NodeTimer::Wake,
            } => Some(now + *after),
            _ => None,
        })
        .collect()
}

#[test]
fn request_deadlines_come_as_one_wake_up_at_the_earliest_that_matters() {
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, put_w(1, &k, "CAR", Some(3), None), &mut out);
    let hint_after = Time(0) + Settings::default().hint_after();
    assert_eq!(
        wakes(&out, Time(0)),
        vec![hint_after],
        "one wake-up, at the first deadline"
    );
    let req = req_of(&out);
    let mut out = outbox();
    b.handle_message(Time(5), Endpoint::Node(C), Message::Ack { req }, &mut out);
    // d stays silent: the wake-up at hint_after sends its copy to a.
    let mut out = outbox();
    b.handle_timer(hint_after, NodeTimer::Wake, &mut out);
    assert_eq!(replicates(&out), vec![(A, Some(D))]);
    let next = wakes(&out, hint_after);
    assert_eq!(
        next,
        vec![hint_after + Settings::default().hint_after()],
        "the next round's deadline"
    );
    // a answers: the put is done, and its later deadlines ask for nothing.
    let mut out = outbox();
    b.handle_message(Time(260_000), Endpoint::Node(A), Message::Ack { req }, &mut out);
    assert!(replies(&out)[0].outcome.is_ok());
    let mut out = outbox();
    b.handle_timer(next[0], NodeTimer::Wake, &mut out);
    assert!(
        out.effects().is_empty(),
        "nothing to do, nothing to wake for: {:?}",
        out.effects()
    );
}

#[test]
fn strict_quorum_fails_as_unavailable_when_primaries_stay_silent() {
    let k = key();
    let strict = Settings {
        sloppy_quorum: false,
        ..Settings::default()
    };
    let mut b = node_with(B, strict);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, put_w(1, &k, "CAR", Some(3), None), &mut out);
    let req = req_of(&out);
    let mut out = outbox();
    b.handle_message(Time(5), Endpoint::Node(C), Message::Ack { req }, &mut out);
    b.handle_timer(Time(250_000), NodeTimer::HintAfter(req), &mut out);
    assert!(replicates(&out).is_empty(), "no stand-ins in strict mode");
    assert_eq!(
        replies(&out)[0].outcome.failure(),
        Some(&Failure::PrimariesUnreachable { got: 2, need: 3 })
    );
}

#[test]
fn pw_counts_only_primaries_even_under_sloppy_quorum() {
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, put_w(1, &k, "CAR", None, Some(3)), &mut out);
    let req = req_of(&out);
    let mut out = outbox();
    b.handle_message(Time(5), Endpoint::Node(C), Message::Ack { req }, &mut out);
    assert!(replies(&out).is_empty(), "W=2 is met but pw=3 is not");
    b.handle_timer(Time(250_000), NodeTimer::HintAfter(req), &mut out);
    assert_eq!(
        replies(&out)[0].outcome.failure(),
        Some(&Failure::PrimariesUnreachable { got: 2, need: 3 })
    );
    assert_eq!(
        replicates(&out),
        vec![(A, Some(D))],
        "the copy is still placed with a hint"
    );
}

#[test]
fn hinted_handoff_off_means_no_stand_ins() {
    let k = key();
    let off = Settings {
        hinted_handoff: false,
        ..Settings::default()
    };
    let mut b = node_with(B, off);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, put_w(1, &k, "CAR", Some(3), None), &mut out);
    let req = req_of(&out);
    let mut out = outbox();
    b.handle_timer(Time(250_000), NodeTimer::HintAfter(req), &mut out);
    assert!(replicates(&out).is_empty());
    b.handle_timer(Time(500_000), NodeTimer::Request(req), &mut out);
    assert_eq!(
        replies(&out)[0].outcome.failure(),
        Some(&Failure::QuorumNotReached { got: 1, need: 3 })
    );
}

fn hinted(req: u64, key: &Key, version: Version, owner: NodeId) -> Message {
    Message::Replicate {
        req: ReqId(req),
        key: key.clone(),
        versions: smallvec::smallvec![version],
        context: VClock::new(),
        hint: Some(owner),
    }
}

fn handoff_batch(out: &NodeOutbox) -> Option<(NodeId, u64, usize)> {
    sends(out).into_iter().find_map(|(to, m)| match m {
        Message::Handoff { batch, hints } => Some((to.node().unwrap(), *batch, hints.len())),
        _ => None,
    })
}

#[test]
fn a_stand_in_keeps_hints_apart_and_forgets_them_only_when_acknowledged() {
    let k = key();
    let mut a = node(A);
    let mut out = outbox();
    let car = Version::new("CAR", clock(&[(B, 1)]));
    a.handle_message(Time(0), Endpoint::Node(B), hinted(1, &k, car.clone(), D), &mut out);
    assert!(a.store().is_empty(), "a hinted copy is not a replica");
    assert_eq!(a.hints().count_for(D), 1);
    assert!(
        matches!(sends(&out)[0].1, Message::Ack { .. }),
        "the stand-in acknowledges the store"
    );

    // Rounds without an answer change nothing.
    for t in 1..=3 {
        let mut out = outbox();
        a.handle_timer(Time(t * 1_000_000), NodeTimer::HandoffTick, &mut out);
        assert_eq!(handoff_batch(&out).map(|(to, _, n)| (to, n)), Some((D, 1)));
        assert_eq!(a.hints().len(), 1, "never deleted without an ack");
    }

    // A newer version arrives while a batch with the older one is in flight.
    let mut out = outbox();
    a.handle_timer(Time(4_000_000), NodeTimer::HandoffTick, &mut out);
    let (_, batch, _) = handoff_batch(&out).unwrap();
    let cart = Version::new("CART", clock(&[(B, 2)]));
    a.handle_message(
        Time(4_000_001),
        Endpoint::Node(B),
        hinted(2, &k, cart.clone(), D),
        &mut out,
    );

    // The owner merges and acknowledges; only what it was sent is forgotten.
    let mut d = node(D);
    let mut out_d = outbox();
    d.handle_message(
        Time(4_000_010),
        Endpoint::Node(A),
        Message::Handoff {
            batch,
            hints: vec![(k.clone(), vec![car.clone()])],
        },
        &mut out_d,
    );
    assert_eq!(d.store().versions(&k), std::slice::from_ref(&car));
    assert_eq!(sends(&out_d), vec![(Endpoint::Node(A), &Message::HandoffAck { batch })]);
    let mut out = outbox();
    a.handle_message(
        Time(4_000_020),
        Endpoint::Node(D),
        Message::HandoffAck { batch },
        &mut out,
    );
    assert_eq!(
        a.hints().versions_of(&k).len(),
        1,
        "CART was not part of the acknowledged batch"
    );
    assert_eq!(a.hints().versions_of(&k)[0].1, cart);

    // The next round hands CART over; its ack empties the store of hints.
    let mut out = outbox();
    a.handle_timer(Time(5_000_000), NodeTimer::HandoffTick, &mut out);
    let (_, batch, _) = handoff_batch(&out).unwrap();
    let mut out = outbox();
    a.handle_message(
        Time(5_000_020),
        Endpoint::Node(D),
        Message::HandoffAck { batch },
        &mut out,
    );
    assert!(a.hints().is_empty());
    assert!(
        out.effects()
            .iter()
            .any(|e| matches!(e, Effect::Trace(Event::HintDelivered { owner: D, .. })))
    );
}

#[test]
fn hints_survive_a_crash_of_their_keeper() {
    let k = key();
    let mut a = node(A);
    let mut out = outbox();
    a.handle_message(
        Time(0),
        Endpoint::Node(B),
        hinted(1, &k, Version::new("CAR", clock(&[(B, 1)])), D),
        &mut out,
    );
    let a = Node::recover(A, Arc::new(Settings::default()), a.crash(), 0);
    assert_eq!(a.hints().count_for(D), 1);
}

#[test]
fn a_sloppy_get_reads_a_stand_in_and_sees_its_hints_but_never_repairs_it() {
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, get(1, &k, Some(3)), &mut out);
    let req = req_of(&out);
    let mut out = outbox();
    b.handle_message(
        Time(5),
        Endpoint::Node(C),
        Message::ReadReply {
            req,
            versions: smallvec::smallvec![],
        },
        &mut out,
    );
    b.handle_timer(Time(250_000), NodeTimer::HintAfter(req), &mut out);
    let asked: Vec<Endpoint> = sends(&out)
        .iter()
        .filter(|(_, m)| matches!(m, Message::Read { .. }))
        .map(|(to, _)| *to)
        .collect();
    assert_eq!(asked, vec![Endpoint::Node(A)], "a stands in for silent d");
    let hinted = Version::new("CAR", clock(&[(C, 1)]));
    let mut out = outbox();
    b.handle_message(
        Time(260_000),
        Endpoint::Node(A),
        Message::ReadReply {
            req,
            versions: smallvec::smallvec![hinted.clone()],
        },
        &mut out,
    );
    let Outcome::Get { versions, .. } = &replies(&out)[0].outcome else {
        panic!()
    };
    assert_eq!(versions, &vec![hinted.clone()]);
    let repaired: Vec<Endpoint> = sends(&out)
        .iter()
        .filter(|(_, m)| matches!(m, Message::Repair { .. }))
        .map(|(to, _)| *to)
        .collect();
    assert_eq!(
        repaired,
        vec![Endpoint::Node(C)],
        "the primary c is repaired, the stand-in a is not"
    );
}

#[test]
fn a_stand_in_answers_reads_with_its_hinted_versions() {
    let k = key();
    let mut a = node(A);
    let mut out = outbox();
    let v = Version::new("CAR", clock(&[(B, 1)]));
    a.handle_message(Time(0), Endpoint::Node(B), hinted(1, &k, v.clone(), D), &mut out);
    let mut out = outbox();
    a.handle_message(
        Time(1),
        Endpoint::Node(C),
        Message::Read {
            req: ReqId(7),
            key: k.clone(),
        },
        &mut out,
    );
    assert_eq!(
        sends(&out),
        vec![(
            Endpoint::Node(C),
            &Message::ReadReply {
                req: ReqId(7),
                versions: smallvec::smallvec![v]
            }
        )]
    );
}

// ---- Merkle anti-entropy ----

mod anti_entropy {
    use super::*;
    use crate::core::message::SyncStats;
    use proptest::prelude::*;

    /// Two nodes, each replicating every key (N = 2), one token each.
    fn pair(depth: u8) -> (Node, Node) {
        let settings = Arc::new(Settings {
            replicas: 2,
            read_quorum: 1,
            write_quorum: 1,
            merkle_depth: depth,
            ..Settings::default()
        });
        let ring = Arc::new(Ring::new([(A, vec![1 << 62]), (B, vec![3 << 62])]));
        let a = Node::recover(A, settings.clone(), Disk::initial(A, ring.clone(), vec![A]), 1);
        let b = Node::recover(B, settings, Disk::initial(B, ring, vec![A]), 2);
        (a, b)
    }

    fn store(node: &mut Node, key: &str, value: &str, writer: u16, counter: u32) {
        let mut out = outbox();
        let msg = Message::Repair {
            key: key.into(),
            versions: vec![Version::new(value, clock(&[(NodeId(writer), counter)]))],
        };
        node.handle_message(Time(0), Endpoint::Node(NodeId(9)), msg, &mut out);
    }

    /// Delivers messages between the two nodes until none is left; returns
    /// the session records.
    fn run_sessions(a: &mut Node, b: &mut Node, first: NodeOutbox) -> Vec<(SyncStats, bool)> {
        let mut records = Vec::new();
        let mut queue: Vec<(NodeId, NodeId, Message)> = Vec::new();
        let mut collect = |from: NodeId, out: &mut NodeOutbox, queue: &mut Vec<(NodeId, NodeId, Message)>| {
            for e in out.drain() {
                match e {
                    Effect::Send {
                        to: Endpoint::Node(to),
                        msg,
                        ..
                    } => queue.push((from, to, *msg)),
                    Effect::Notify(Notice::AntiEntropySession { stats, skipped, .. }) => records.push((stats, skipped)),
                    _ => {}
                }
            }
        };
        let mut first = first;
        collect(A, &mut first, &mut queue);
        let mut steps = 0;
        while let Some((from, to, msg)) = queue.pop() {
            steps += 1;
            assert!(steps < 1000, "the session never ends");
            let mut out = outbox();
            let node = if to == A { &mut *a } else { &mut *b };
            node.handle_message(Time(1), Endpoint::Node(from), msg, &mut out);
            collect(to, &mut out, &mut queue);
        }
        records
    }

    fn tick(a: &mut Node) -> NodeOutbox {
        let mut out = outbox();
        a.handle_timer(Time(1), NodeTimer::AntiEntropyTick, &mut out);
        out
    }

    #[test]
    fn equal_replicas_cost_one_hash() {
        let (mut a, mut b) = pair(6);
        for i in 0..50 {
            store(&mut a, &format!("k{i}"), "v", 0, 1);
            store(&mut b, &format!("k{i}"), "v", 0, 1);
        }
        let out = tick(&mut a);
        let records = run_sessions(&mut a, &mut b, out);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].0.compared, 1);
        assert_eq!(records[0].0.keys, 0);
    }

    #[test]
    fn one_differing_key_costs_at_most_2d_plus_1_hashes() {
        for depth in [0u8, 1, 4, 10] {
            let (mut a, mut b) = pair(depth);
            for i in 0..200 {
                store(&mut a, &format!("k{i}"), "v", 0, 1);
                store(&mut b, &format!("k{i}"), "v", 0, 1);
            }
            // Find a key in the range a's first session compares.
            let probe = tick(&mut a);
            let sync = probe
                .effects()
                .iter()
                .find_map(|e| match e {
                    Effect::Send { msg, .. } => match &**msg {
                        Message::MerkleHashes { sync, .. } => Some(*sync),
                        _ => None,
                    },
                    _ => None,
                })
                .expect("a session started");
            let range = crate::core::ring::TokenRange {
                start: sync.range.0,
                end: sync.range.1,
            };
            let key = (0..200)
                .map(|i| format!("k{i}"))
                .find(|k| range.contains(Ring::position(k)))
                .unwrap();
            store(&mut b, &key, "newer", 1, 1);
            // The cursor moved on; go round to the same range again.
            let _ = tick(&mut a);
            let out = tick(&mut a);
            let records = run_sessions(&mut a, &mut b, out);
            let (stats, _) = records[0];
            assert_eq!(stats.keys, 1, "depth {depth}");
            assert!(
                stats.compared <= 2 * depth as u32 + 1,
                "depth {depth}: {} hashes",
                stats.compared
            );
            assert_eq!(a.store().versions(&key), b.store().versions(&key));
        }
    }

    proptest! {
        #[test]
        fn a_sync_exchanges_exactly_the_differing_keys_and_leaves_both_equal(
            depth in 0u8..9,
            keys in proptest::collection::btree_map("[a-z]{1,6}", (0u8..4, 0u8..4), 1..80),
        ) {
            // Per key: 0 = both the same, 1 = only a, 2 = only b, 3 = both, differently.
            let (mut a, mut b) = pair(depth);
            let mut differing = std::collections::BTreeSet::new();
            for (key, (kind, _)) in &keys {
                match kind {
                    0 => { store(&mut a, key, "same", 0, 1); store(&mut b, key, "same", 0, 1); }
                    1 => { store(&mut a, key, "a", 0, 1); differing.insert(key.clone()); }
                    2 => { store(&mut b, key, "b", 1, 1); differing.insert(key.clone()); }
                    _ => { store(&mut a, key, "a", 0, 1); store(&mut b, key, "b", 1, 1); differing.insert(key.clone()); }
                }
            }
            // Two ticks cover both ranges.
            let mut exchanged = 0;
            for _ in 0..2 {
                let out = tick(&mut a);
                for (stats, skipped) in run_sessions(&mut a, &mut b, out) {
                    prop_assert!(!skipped);
                    exchanged += stats.keys;
                }
            }
            prop_assert_eq!(exchanged as usize, differing.len());
            for key in keys.keys() {
                prop_assert_eq!(a.store().versions(key), b.store().versions(key), "{}", key);
            }
            for key in keys.keys() {
                prop_assert_eq!(a.merkle_root_of(key), b.merkle_root_of(key));
            }
        }

        #[test]
        fn incremental_trees_match_trees_rebuilt_from_the_store(
            ops in proptest::collection::vec(("[a-d]{1,2}", 0u16..3, 1u32..4), 1..60),
        ) {
            let (mut a, _) = pair(5);
            for (key, writer, counter) in &ops {
                store(&mut a, key, &format!("v{writer}{counter}"), *writer, *counter);
            }
            let before: Vec<_> = ops.iter().map(|(k, _, _)| a.merkle_root_of(k)).collect();
            a.rebuild_forest();
            let after: Vec<_> = ops.iter().map(|(k, _, _)| a.merkle_root_of(k)).collect();
            prop_assert_eq!(before, after);
        }

        /// With anti-entropy off, writes leave the trees behind; whenever
        /// they are read (anti-entropy off, or switched on again), they are
        /// the trees that upkeep on every write gives.
        #[test]
        fn trees_left_behind_while_anti_entropy_is_off_read_as_trees_kept_on_every_write(
            ops in proptest::collection::vec(("[a-d]{1,2}", 0u16..3, 1u32..4, 0u8..10), 1..60),
        ) {
            let (mut kept, mut lazy) = pair(5);
            let on = Arc::new(lazy.settings().clone());
            let off = Arc::new(Settings { anti_entropy_interval: None, ..lazy.settings().clone() });
            lazy.handle_settings(Time::ZERO, off.clone(), &mut outbox());
            let mut anti_entropy = false;
            for (key, writer, counter, action) in &ops {
                let value = format!("v{writer}{counter}");
                store(&mut kept, key, &value, *writer, *counter);
                store(&mut lazy, key, &value, *writer, *counter);
                match action {
                    0 => {
                        anti_entropy = !anti_entropy;
                        let settings = if anti_entropy { on.clone() } else { off.clone() };
                        lazy.handle_settings(Time::ZERO, settings, &mut outbox());
                    }
                    1 | 2 => prop_assert_eq!(lazy.merkle_root_of(key), kept.merkle_root_of(key)),
                    _ => {}
                }
                prop_assert_eq!(lazy.store().hash_of(key), kept.store().hash_of(key));
            }
            for (key, _, _, _) in &ops {
                prop_assert_eq!(lazy.merkle_top(key, 3), kept.merkle_top(key, 3), "{}", key);
            }
        }
    }
}

// ---- every request a coordinator accepts is answered (issue 18, item 4) ----

/// Settings under which one node's own suspicion makes a peer down, so that
/// a test can make `observer` see `dead` down with gossip alone.
fn quick_detection() -> Settings {
    Settings {
        down_confirmations: 1,
        suspect_after: Dur::from_secs(3),
        ..Settings::default()
    }
}

/// Runs gossip until `observer` sees `dead` down and every node of `alive`
/// up: the live ones gossip to it, the dead one stays silent.
fn see_down(observer: &mut Node, alive: &mut [&mut Node], dead: NodeId) {
    let now = Time(10_000_000);
    for peer in alive.iter_mut() {
        let mut out = outbox();
        peer.handle_timer(now, NodeTimer::GossipTick, &mut out);
        let digest = sends(&out)
            .into_iter()
            .find_map(|(_, m)| match m {
                Message::Gossip { digest } => Some(digest.clone()),
                _ => None,
            })
            .expect("a live peer gossips");
        observer.handle_message(
            now,
            Endpoint::Node(peer.id()),
            Message::Gossip { digest },
            &mut outbox(),
        );
    }
    observer.handle_timer(now, NodeTimer::GossipTick, &mut outbox());
    assert!(observer.sees_down(dead), "the silent node is seen down");
    for peer in alive.iter() {
        assert!(!observer.sees_down(peer.id()), "{:?} gossiped: it is up", peer.id());
    }
}

/// Three nodes, one token each: every key's preference list is all three.
fn ring3() -> Arc<Ring> {
    const T: u64 = u64::MAX / 3;
    Arc::new(Ring::new([(A, vec![T]), (B, vec![2 * T]), (C, vec![u64::MAX])]))
}

fn get_pr(op: u64, key: &Key, r: Option<usize>, pr: Option<usize>) -> Message {
    Message::Request(Request {
        op: OpId(op),
        client: ClientId(0),
        key: key.clone(),
        operation: Operation::Get(Get { r, pr }),
    })
}

/// The failure of the one reply in `out`, or a panic naming what was sent.
fn the_failure(out: &NodeOutbox) -> Option<Failure> {
    let r = replies(out);
    assert_eq!(r.len(), 1, "exactly one reply: {:?}", sends(out));
    r[0].outcome.failure().cloned()
}

#[test]
fn a_get_whose_quorum_its_view_cannot_meet_fails_at_once() {
    // N = R = 3 on three nodes, and c is dead: a and b see it down.
    let settings = Settings {
        read_quorum: 3,
        ..quick_detection()
    };
    let mut a = Node::new(A, Arc::new(settings.clone()), ring3());
    let mut b = Node::new(B, Arc::new(settings.clone()), ring3());
    see_down(&mut a, &mut [&mut b], C);
    let k = Key::from("cart");
    let mut out = outbox();
    a.handle_message(Time(10_000_001), ALICE, get(1, &k, None), &mut out);
    assert_eq!(
        the_failure(&out),
        Some(Failure::QuorumNotReached { got: 2, need: 3 }),
        "no stand-in exists for c: two of three is all this view can reach"
    );
    // b's late answer only serves read repair: no second reply.
    let req = req_of(&out);
    let mut out = outbox();
    a.handle_message(
        Time(10_000_010),
        Endpoint::Node(B),
        Message::ReadReply {
            req,
            versions: smallvec::smallvec![],
        },
        &mut out,
    );
    assert!(replies(&out).is_empty());
    assert_eq!(a.coordinating(), 0, "nothing is left waiting");

    // The put in the same place fails the same way, at once too.
    let mut out = outbox();
    let settings_w = Settings {
        write_quorum: 3,
        ..settings
    };
    a.handle_settings(Time(10_000_020), Arc::new(settings_w), &mut out);
    a.handle_message(Time(10_000_020), ALICE, put(2, &k, "CAR", VClock::new()), &mut out);
    assert_eq!(the_failure(&out), Some(Failure::QuorumNotReached { got: 2, need: 3 }));
}

#[test]
fn a_get_whose_pr_its_view_cannot_meet_fails_at_once() {
    // The key's primaries are b, c, d; d is dead and b sees it so.
    let k = key();
    let mut b = node_with(B, quick_detection());
    let mut a = node_with(A, quick_detection());
    let mut c = node_with(C, quick_detection());
    see_down(&mut b, &mut [&mut a, &mut c], D);
    let mut out = outbox();
    b.handle_message(Time(10_000_001), ALICE, get_pr(1, &k, None, Some(3)), &mut out);
    assert_eq!(
        the_failure(&out),
        Some(Failure::PrimariesUnreachable { got: 2, need: 3 }),
        "pr=3 with a primary seen down: unavailable at once, as Riak's pr_val_unsatisfied"
    );
}

#[test]
fn a_get_asking_more_answers_than_there_are_replicas_fails_at_once() {
    // r=4 with N=3: even with every replica up, the quorum cannot be met.
    let k = key();
    let mut b = node(B);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, get(1, &k, Some(4)), &mut out);
    assert_eq!(the_failure(&out), Some(Failure::QuorumNotReached { got: 3, need: 4 }));
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, put_w(2, &k, "CAR", Some(4), None), &mut out);
    assert_eq!(the_failure(&out), Some(Failure::QuorumNotReached { got: 3, need: 4 }));
}

#[test]
fn a_forwarding_node_skips_coordinators_it_sees_down() {
    // a is no primary of the key (b, c, d); it sees b down.
    let k = key();
    let mut a = node_with(A, quick_detection());
    let mut c = node_with(C, quick_detection());
    let mut d = node_with(D, quick_detection());
    see_down(&mut a, &mut [&mut c, &mut d], B);
    let mut out = outbox();
    a.handle_message(Time(10_000_001), ALICE, get(1, &k, None), &mut out);
    let forwards: Vec<Endpoint> = sends(&out)
        .into_iter()
        .filter(|(_, m)| matches!(m, Message::Forward(_)))
        .map(|(to, _)| to)
        .collect();
    assert_eq!(
        forwards,
        vec![Endpoint::Node(C)],
        "straight to the first live coordinator"
    );
}

#[test]
fn a_forwarding_node_that_sees_every_coordinator_down_answers_at_once() {
    let k = key();
    let settings = quick_detection();
    let mut a = node_with(A, settings);
    let mut out = outbox();
    // Nobody gossips to a: at ten seconds it sees b, c and d down.
    a.handle_timer(Time(10_000_000), NodeTimer::GossipTick, &mut out);
    assert!([B, C, D].iter().all(|&n| a.sees_down(n)));
    let mut out = outbox();
    a.handle_message(Time(10_000_001), ALICE, get(1, &k, None), &mut out);
    assert_eq!(the_failure(&out), Some(Failure::NoCoordinator));
    assert_eq!(a.coordinating(), 0);
}

// ---- every leave finishes once the node holds nothing (issue 18, item 5) ----

/// `b` holds a key, is told to leave, takes a hint for `d` while leaving,
/// and has streamed the key on: it holds just the hint. Returns `b`.
fn leaving_with_only_a_hint(settings: Settings) -> Node {
    use crate::core::membership::MemberStatus;
    let k = key();
    let mut b = node_with(B, settings);
    let mut out = outbox();
    b.handle_message(Time(0), ALICE, put(1, &k, "CAR", VClock::new()), &mut out);
    b.handle_timer(Time(1_000), NodeTimer::Leave, &mut outbox());
    assert_eq!(b.membership().own_status(), MemberStatus::Leaving);
    // A coordinator picks b as a stand-in for d before it hears b leave.
    b.handle_message(
        Time(2_000),
        Endpoint::Node(C),
        hinted(7, &Key::from("other"), Version::new("X", clock(&[(C, 1)])), D),
        &mut outbox(),
    );
    // The key streams to its owners without b, which acknowledge it.
    let mut out = outbox();
    b.handle_timer(Time(3_000), NodeTimer::TransferTick, &mut out);
    let batches: Vec<(Endpoint, u64)> = sends(&out)
        .into_iter()
        .filter_map(|(to, m)| match m {
            Message::Transfer { batch, .. } => Some((to, *batch)),
            _ => None,
        })
        .collect();
    assert_eq!(batches.len(), 3, "to c, d and a: {batches:?}");
    for (to, batch) in batches {
        let ack = Message::TransferAck {
            batch,
            declined: Vec::new(),
        };
        b.handle_message(Time(4_000), to, ack, &mut outbox());
    }
    assert!(b.store().is_empty(), "the key went on");
    assert_eq!(b.hints().len(), 1, "the hint is still kept");
    assert_eq!(
        b.membership().own_status(),
        MemberStatus::Leaving,
        "it still holds the hint"
    );
    b
}

/// Hands `b`'s hints to their owner, which acknowledges them.
fn hand_off_and_ack(b: &mut Node) {
    let mut out = outbox();
    b.handle_timer(Time(5_000_000), NodeTimer::HandoffTick, &mut out);
    let (owner, batch, keys) = handoff_batch(&out).expect("the hint is handed off");
    assert_eq!((owner, keys), (D, 1));
    b.handle_message(
        Time(5_010_000),
        Endpoint::Node(D),
        Message::HandoffAck { batch },
        &mut outbox(),
    );
    assert!(b.hints().is_empty() && b.store().is_empty(), "b holds nothing now");
}

#[test]
fn a_leaving_node_whose_last_hint_is_acknowledged_announces_it_left() {
    use crate::core::membership::MemberStatus;
    let mut b = leaving_with_only_a_hint(Settings::default());
    hand_off_and_ack(&mut b);
    assert_eq!(b.membership().own_status(), MemberStatus::Left, "the leave finished");
    assert!(b.is_departing(), "it gossips that it left until a peer hears");
}

#[test]
fn the_planted_stuck_leave_never_announces_it_left() {
    use crate::core::config::PlantedDefect;
    use crate::core::membership::MemberStatus;
    let planted = Settings {
        planted: Some(PlantedDefect::StuckLeave),
        ..Settings::default()
    };
    let mut b = leaving_with_only_a_hint(planted);
    hand_off_and_ack(&mut b);
    assert_eq!(
        b.membership().own_status(),
        MemberStatus::Leaving,
        "the old defect: holding nothing, it never says it left"
    );
}

#[test]
fn under_a_strict_quorum_a_node_answers_reads_only_for_keys_it_owns() {
    // b leaves: in its own view it owns nothing any more. A coordinator that
    // has not heard yet still asks it; under a strict quorum its answer must
    // not count, for once it has handed the key on it holds nothing and its
    // empty answer would make a stale quorum.
    let read = |b: &mut Node| {
        let mut out = outbox();
        let msg = Message::Read {
            req: ReqId(9),
            key: key(),
        };
        b.handle_message(Time(2_000), Endpoint::Node(C), msg, &mut out);
        sends(&out)
            .iter()
            .any(|(to, m)| *to == Endpoint::Node(C) && matches!(m, Message::ReadReply { .. }))
    };
    for sloppy in [false, true] {
        let settings = Settings {
            sloppy_quorum: sloppy,
            ..Settings::default()
        };
        let mut b = node_with(B, settings);
        b.handle_message(Time(0), ALICE, put(1, &key(), "CAR", VClock::new()), &mut outbox());
        assert!(read(&mut b), "an owner answers");
        b.handle_timer(Time(1_000), NodeTimer::Leave, &mut outbox());
        assert_eq!(
            read(&mut b),
            sloppy,
            "sloppy: any node's answer counts, as a stand-in's; strict: only an owner's"
        );
    }
}

mod gossip;
mod handoff;
mod lost_writes;
mod transfer;
