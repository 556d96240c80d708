//! Range transfer driven by hand: what a receiver acknowledges, and when a
//! sender may drop a key it no longer owns.

use super::*;
use crate::core::membership::MemberStatus;

/// The Transfer batches in `out`, by receiver, with the values they carry.
fn transfers(out: &NodeOutbox) -> Vec<(NodeId, u64, Vec<String>)> {
    sends(out)
        .into_iter()
        .filter_map(|(to, m)| match m {
            Message::Transfer { batch, items } => Some((
                to.node().expect("to a node"),
                *batch,
                items
                    .iter()
                    .flat_map(|(_, vs)| vs.iter().map(|v| v.value.to_string()))
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

fn ack(b: &mut Node, to: NodeId, batch: u64, declined: Vec<Key>) {
    let msg = Message::TransferAck { batch, declined };
    b.handle_message(Time(4_000), Endpoint::Node(to), msg, &mut outbox());
}

/// `b` holds `key()` with CAR, is told to leave, and streams CAR to the
/// key's owners without it: returns `b` and the batches, by receiver.
fn leaving_with_a_key() -> (Node, Vec<(NodeId, u64, Vec<String>)>) {
    let mut b = node(B);
    b.handle_message(Time(0), ALICE, put(1, &key(), "CAR", VClock::new()), &mut outbox());
    b.handle_timer(Time(1_000), NodeTimer::Leave, &mut outbox());
    let mut out = outbox();
    b.handle_timer(Time(3_000), NodeTimer::TransferTick, &mut out);
    let mut sent = transfers(&out);
    sent.sort();
    let to: Vec<NodeId> = sent.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(to, [A, C, D], "every owner in b's new view");
    (b, sent)
}

#[test]
fn a_receiver_keeps_everything_and_declines_the_keys_it_does_not_own() {
    let r = ring();
    let mine: Key = (0..10_000)
        .map(|i| Key::from(format!("m{i}")))
        .find(|k| r.preference_list(k, 3).contains(&A))
        .expect("some key a owns");
    let theirs = key();
    let mut a = node(A);
    let mut out = outbox();
    let v = |s: &str| vec![Version::new(s, clock(&[(B, 1)]))];
    let items = vec![(mine.clone(), v("MINE")), (theirs.clone(), v("THEIRS"))];
    a.handle_message(
        Time(0),
        Endpoint::Node(B),
        Message::Transfer { batch: 9, items },
        &mut out,
    );
    assert_eq!(a.store().versions(&mine).len(), 1);
    assert_eq!(a.store().versions(&theirs).len(), 1, "stored all the same");
    assert_eq!(
        sends(&out),
        vec![(
            Endpoint::Node(B),
            &Message::TransferAck {
                batch: 9,
                declined: vec![theirs]
            }
        )]
    );
}

#[test]
fn a_released_key_is_dropped_only_once_every_owner_acknowledged_it() {
    let (mut b, sent) = leaving_with_a_key();
    let batch_to = |n: NodeId| sent.iter().find(|(to, _, _)| *to == n).map(|(_, b, _)| *b).unwrap();
    ack(&mut b, C, batch_to(C), Vec::new());
    ack(&mut b, D, batch_to(D), Vec::new());
    ack(&mut b, A, batch_to(A), vec![key()]);
    assert_eq!(
        b.store().versions(&key()).len(),
        1,
        "a declined: not every owner has it"
    );
    assert_eq!(b.membership().own_status(), MemberStatus::Leaving);

    // The next round goes to the one owner still missing.
    let mut out = outbox();
    b.handle_timer(Time(200_000), NodeTimer::TransferTick, &mut out);
    let again = transfers(&out);
    assert_eq!(
        again.iter().map(|(n, _, _)| *n).collect::<Vec<_>>(),
        [A],
        "only a is owed: {again:?}"
    );
    ack(&mut b, A, again[0].1, Vec::new());
    assert!(b.store().is_empty(), "every owner acknowledged: dropped");
    assert_eq!(
        b.membership().own_status(),
        MemberStatus::Left,
        "holding nothing, it left"
    );
}

#[test]
fn acknowledgements_of_versions_older_than_the_ones_held_do_not_count() {
    let (mut b, sent) = leaving_with_a_key();
    // A newer version reaches b while CAR is on its way.
    let cart = Version::new("CART", clock(&[(B, 2)]));
    let repair = Message::Repair {
        key: key(),
        versions: vec![cart.clone()],
    };
    b.handle_message(Time(3_500), Endpoint::Node(C), repair, &mut outbox());
    for (to, batch, _) in &sent {
        ack(&mut b, *to, *batch, Vec::new());
    }
    assert_eq!(b.store().versions(&key()), [cart], "nobody acknowledged CART: kept");

    let mut out = outbox();
    b.handle_timer(Time(200_000), NodeTimer::TransferTick, &mut out);
    let mut again = transfers(&out);
    again.sort();
    let carried: Vec<(NodeId, Vec<String>)> = again.into_iter().map(|(n, _, v)| (n, v)).collect();
    let cart = || vec!["CART".to_string()];
    assert_eq!(
        carried,
        [(A, cart()), (C, cart()), (D, cart())],
        "CART goes to every owner"
    );
}

/// The list the last gossip message in `out` carried.
fn gossip_digest(out: &NodeOutbox) -> Arc<Vec<crate::core::membership::MemberDigest>> {
    sends(out)
        .into_iter()
        .filter_map(|(_, m)| match m {
            Message::Gossip { digest } | Message::GossipReply { digest } => Some(digest.clone()),
            _ => None,
        })
        .next_back()
        .expect("a gossip message was sent")
}

/// `d` holds `key()` with CAR (a replica's copy) and hears that `e` joined
/// just before the key, which pushes `d` off the key's preference list:
/// returns `d`, the settings, and the key's owners in the new ring.
fn replica_pushed_off_by_a_join() -> (Node, Arc<Settings>, Vec<NodeId>) {
    const E: NodeId = NodeId(4);
    let settings = Arc::new(Settings::default());
    let mut d = Node::new(D, settings.clone(), ring());
    let car = vec![Version::new("CAR", clock(&[(B, 1)]))];
    let repair = Message::Repair {
        key: key(),
        versions: car,
    };
    d.handle_message(Time(0), Endpoint::Node(B), repair, &mut outbox());

    let disk = Disk::joining(E, vec![Ring::position(&key())], vec![D], Time(0), &ring());
    let mut e = Node::recover(E, settings.clone(), disk, 7);
    let mut booted = outbox();
    e.handle_timer(Time(0), NodeTimer::Boot, &mut booted);
    let gossip = Message::Gossip {
        digest: gossip_digest(&booted),
    };
    d.handle_message(Time(10), Endpoint::Node(E), gossip, &mut outbox());
    let owners = d.ring().preference_list(&key(), 3).to_vec();
    assert_eq!(owners, [E, B, C], "the joiner takes d's place for the key");
    (d, settings, owners)
}

#[test]
fn a_node_restarted_after_a_join_still_streams_the_keys_it_no_longer_owns() {
    let (d, settings, mut owners) = replica_pushed_off_by_a_join();
    owners.sort();
    // d crashes before its first transfer round: what it owed was in memory.
    let disk = d.crash();
    let mut d = Node::recover(D, settings, disk, 1);
    d.handle_timer(Time(20), NodeTimer::Boot, &mut outbox());
    let mut out = outbox();
    d.handle_timer(Time(1_000), NodeTimer::TransferTick, &mut out);
    let mut sent = transfers(&out);
    sent.sort();
    let carried: Vec<(NodeId, Vec<String>)> = sent.iter().map(|(n, _, v)| (*n, v.clone())).collect();
    let car = || vec!["CAR".to_string()];
    assert_eq!(
        carried,
        owners.iter().map(|o| (*o, car())).collect::<Vec<_>>(),
        "CAR goes to every new owner after the restart"
    );

    // Every owner acknowledged: dropped.
    for (to, batch, _) in &sent {
        ack(&mut d, *to, *batch, Vec::new());
    }
    assert!(d.store().versions(&key()).is_empty(), "handed over: dropped");

    // A late copy of the key (a replica's write from a coordinator with an
    // older view) streams on as well.
    let late = Version::new("CART", clock(&[(B, 2)]));
    let repair = Message::Repair {
        key: key(),
        versions: vec![late],
    };
    d.handle_message(Time(5_000), Endpoint::Node(B), repair, &mut outbox());
    let mut out = outbox();
    d.handle_timer(Time(200_000), NodeTimer::TransferTick, &mut out);
    let mut again = transfers(&out);
    again.sort();
    let cart = || vec!["CART".to_string()];
    assert_eq!(
        again.into_iter().map(|(n, _, v)| (n, v)).collect::<Vec<_>>(),
        owners.iter().map(|o| (*o, cart())).collect::<Vec<_>>(),
        "the late version goes to every owner too"
    );
}
