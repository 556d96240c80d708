//! Hinted handoff driven by hand: a stand-in's rounds, what an
//! acknowledgement forgets, and hints whose owner is leaving.

use super::*;
use crate::core::membership::MemberStatus;

/// `a`, a stand-in holding one hint for `owner` under `key()`.
fn stand_in_with_hint(settings: Settings, owner: NodeId) -> (Node, Version) {
    let mut a = node_with(A, settings);
    let car = Version::new("CAR", clock(&[(B, 1)]));
    a.handle_message(
        Time(0),
        Endpoint::Node(B),
        hinted(1, &key(), car.clone(), owner),
        &mut outbox(),
    );
    assert_eq!(a.hints().count_for(owner), 1);
    (a, car)
}

fn handoff_timer_after(out: &NodeOutbox) -> Option<Dur> {
    out.effects().iter().find_map(|e| match e {
        Effect::Timer {
            after,
            timer: NodeTimer::HandoffTick,
        } => Some(*after),
        _ => None,
    })
}

#[test]
fn each_round_rearms_and_an_acknowledgement_of_an_earlier_round_forgets_nothing() {
    let (mut a, car) = stand_in_with_hint(Settings::default(), D);
    let mut out = outbox();
    a.handle_timer(Time(1_000_000), NodeTimer::HandoffTick, &mut out);
    assert_eq!(handoff_timer_after(&out), Some(Settings::default().handoff_interval));
    let (to, first, keys) = handoff_batch(&out).expect("the hint is handed off");
    assert_eq!((to, keys), (D, 1));

    // The next round sends it again, as a new batch; the first batch's
    // acknowledgement, arriving late, is no longer waited for.
    let mut out = outbox();
    a.handle_timer(Time(2_000_000), NodeTimer::HandoffTick, &mut out);
    let (_, second, _) = handoff_batch(&out).expect("sent again");
    assert_ne!(first, second);
    a.handle_message(
        Time(2_000_010),
        Endpoint::Node(D),
        Message::HandoffAck { batch: first },
        &mut outbox(),
    );
    assert_eq!(a.hints().versions_of(&key()), [(D, car)], "a stale ack forgets nothing");

    let mut out = outbox();
    a.handle_message(
        Time(2_000_020),
        Endpoint::Node(D),
        Message::HandoffAck { batch: second },
        &mut out,
    );
    assert!(a.hints().is_empty(), "the current batch's ack forgets the hint");
    // An ack that comes twice changes nothing and traces nothing.
    let mut out = outbox();
    a.handle_message(
        Time(2_000_030),
        Endpoint::Node(D),
        Message::HandoffAck { batch: second },
        &mut out,
    );
    assert!(out.effects().is_empty(), "{:?}", out.effects());
}

#[test]
fn a_round_hands_off_at_most_one_batch_of_keys_per_owner() {
    let mut a = node(A);
    for i in 0..HANDOFF_BATCH + 6 {
        let v = Version::new("V", clock(&[(B, 1)]));
        a.handle_message(
            Time(0),
            Endpoint::Node(B),
            hinted(i as u64, &Key::from(format!("h{i}")), v, D),
            &mut outbox(),
        );
    }
    let mut out = outbox();
    a.handle_timer(Time(1_000_000), NodeTimer::HandoffTick, &mut out);
    let batches: Vec<_> = sends(&out)
        .into_iter()
        .filter(|(_, m)| matches!(m, Message::Handoff { .. }))
        .collect();
    assert_eq!(batches.len(), 1);
    assert_eq!(handoff_batch(&out).map(|(to, _, n)| (to, n)), Some((D, HANDOFF_BATCH)));
}

#[test]
fn with_hinted_handoff_off_hints_stay_where_they_are() {
    let settings = Settings {
        hinted_handoff: false,
        ..Settings::default()
    };
    let (mut a, _) = stand_in_with_hint(settings, D);
    let mut out = outbox();
    a.handle_timer(Time(1_000_000), NodeTimer::HandoffTick, &mut out);
    assert_eq!(handoff_batch(&out), None);
    assert!(
        handoff_timer_after(&out).is_some(),
        "the round comes back, in case it is switched on"
    );
    assert_eq!(a.hints().count_for(D), 1);
}

#[test]
fn no_handoff_goes_to_an_owner_seen_down() {
    let settings = quick_detection();
    let (mut a, _) = stand_in_with_hint(settings.clone(), D);
    let (mut b, mut c) = (node_with(B, settings.clone()), node_with(C, settings));
    see_down(&mut a, &mut [&mut b, &mut c], D);
    let mut out = outbox();
    a.handle_timer(Time(10_000_001), NodeTimer::HandoffTick, &mut out);
    assert_eq!(handoff_batch(&out), None, "d is down: its hint waits");
    assert_eq!(a.hints().count_for(D), 1);
}

#[test]
fn hints_for_an_owner_that_is_leaving_become_the_stand_ins_own_data() {
    let (mut a, car) = stand_in_with_hint(Settings::default(), D);
    // d, holding nothing, leaves at once and gossips that it left.
    let mut d = node(D);
    let mut out_d = outbox();
    d.handle_timer(Time(1_000), NodeTimer::Leave, &mut out_d);
    let digest = sends(&out_d)
        .into_iter()
        .find_map(|(_, m)| match m {
            Message::Gossip { digest } => Some(digest.clone()),
            _ => None,
        })
        .expect("a leaving node gossips");
    a.handle_message(
        Time(2_000),
        Endpoint::Node(D),
        Message::Gossip { digest },
        &mut outbox(),
    );
    assert!(matches!(
        a.membership().status(D),
        Some(MemberStatus::Leaving | MemberStatus::Left)
    ));

    let mut out = outbox();
    a.handle_timer(Time(1_000_000), NodeTimer::HandoffTick, &mut out);
    assert_eq!(handoff_batch(&out), None, "nothing goes to a node that left");
    assert!(a.hints().is_empty());
    assert_eq!(a.store().versions(&key()), [car], "the hint is now a's own copy");
    assert!(
        out.effects()
            .iter()
            .any(|e| matches!(e, Effect::Trace(Event::HintDelivered { owner: D, .. })))
    );
}
