//! Gossip driven by hand: a round's peers, a silent peer's replacement,
//! a joiner found through its seed, an owner back from down, and a
//! departing node that stops once heard.

use super::*;
use crate::core::membership::MemberStatus;

fn gossip_targets(out: &NodeOutbox) -> Vec<NodeId> {
    sends(out)
        .into_iter()
        .filter(|(_, m)| matches!(m, Message::Gossip { .. }))
        .map(|(to, _)| to.node().expect("gossip goes to nodes"))
        .collect()
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

fn fanout(n: usize) -> Settings {
    Settings {
        gossip_fanout: n,
        ..Settings::default()
    }
}

#[test]
fn a_round_beats_rearms_and_pushes_to_fanout_distinct_peers() {
    let mut a = node_with(A, fanout(2));
    let (_, before) = a.membership().version_of(A).expect("a knows itself");
    let mut out = outbox();
    a.handle_timer(Time(1_000_000), NodeTimer::GossipTick, &mut out);
    let (_, after) = a.membership().version_of(A).expect("a knows itself");
    assert!(after > before, "the heartbeat rose: {before} -> {after}");
    let rearmed = out.effects().iter().any(|e| {
        matches!(
            e,
            Effect::Timer { after, timer: NodeTimer::GossipTick } if *after == Settings::default().gossip_interval
        )
    });
    assert!(rearmed, "the next round is set");
    let mut targets = gossip_targets(&out);
    assert_eq!(targets.len(), 2, "{targets:?}");
    targets.dedup();
    assert_eq!(targets.len(), 2, "two different peers");
    assert!(!targets.contains(&A), "never to itself");
    let digest = gossip_digest(&out);
    let own = digest.iter().find(|d| d.node == A).expect("its own entry travels");
    assert_eq!(own.heartbeat, after, "with the raised heartbeat");
}

#[test]
fn a_peer_silent_last_round_is_replaced_and_one_that_answered_is_not() {
    for answers in [false, true] {
        let mut a = node_with(A, fanout(1));
        let mut out = outbox();
        a.handle_timer(Time(1_000_000), NodeTimer::GossipTick, &mut out);
        let first = gossip_targets(&out);
        assert_eq!(first.len(), 1);
        if answers {
            let mut peer = node(first[0]);
            let mut reply = outbox();
            peer.handle_message(
                Time(1_000_010),
                Endpoint::Node(A),
                Message::Gossip {
                    digest: gossip_digest(&out),
                },
                &mut reply,
            );
            let digest = gossip_digest(&reply);
            a.handle_message(
                Time(1_000_020),
                Endpoint::Node(first[0]),
                Message::GossipReply { digest },
                &mut outbox(),
            );
        }
        let mut out = outbox();
        a.handle_timer(Time(2_000_000), NodeTimer::GossipTick, &mut out);
        let second = gossip_targets(&out);
        if answers {
            assert_eq!(second.len(), 1, "an answered round changes nothing: {second:?}");
        } else {
            assert_eq!(second.len(), 2, "fanout plus one for the silent peer: {second:?}");
            assert!(!second.contains(&first[0]), "the silent peer is skipped: {second:?}");
        }
    }
}

#[test]
fn a_joiner_is_found_through_its_seed_and_learns_the_cluster_from_the_reply() {
    const E: NodeId = NodeId(4);
    let settings = Arc::new(Settings::default());
    let disk = Disk::joining(E, vec![1 << 61], vec![A], Time(0), &ring());
    let mut e = Node::recover(E, settings.clone(), disk, 7);
    let mut out = outbox();
    e.handle_timer(Time(0), NodeTimer::Boot, &mut out);
    assert_eq!(gossip_targets(&out), [A], "alone, it gossips to its seed at once");

    let mut a = node(A);
    let mut reply = outbox();
    a.handle_message(
        Time(10),
        Endpoint::Node(E),
        Message::Gossip {
            digest: gossip_digest(&out),
        },
        &mut reply,
    );
    assert!(a.ring().members().contains(&E), "the seed's ring takes the joiner in");
    let answered: Vec<Endpoint> = sends(&reply)
        .into_iter()
        .filter(|(_, m)| matches!(m, Message::GossipReply { .. }))
        .map(|(to, _)| to)
        .collect();
    assert_eq!(
        answered,
        [Endpoint::Node(E)],
        "push-pull: the seed answers with its list"
    );

    e.handle_message(
        Time(20),
        Endpoint::Node(A),
        Message::GossipReply {
            digest: gossip_digest(&reply),
        },
        &mut outbox(),
    );
    assert_eq!(e.membership().nodes().count(), 5, "the joiner knows everyone");
    assert_eq!(e.ring().members(), a.ring().members(), "and sees the seed's ring");
}

#[test]
fn an_owner_back_from_down_gets_its_hints_at_once() {
    let settings = quick_detection();
    let mut a = node_with(A, settings.clone());
    let car = Version::new("CAR", clock(&[(B, 1)]));
    a.handle_message(Time(0), Endpoint::Node(B), hinted(1, &key(), car, D), &mut outbox());
    let (mut b, mut c) = (node_with(B, settings.clone()), node_with(C, settings.clone()));
    see_down(&mut a, &mut [&mut b, &mut c], D);

    // d comes back: its next round reaches a, whose view of it turns up.
    let mut d = node_with(D, settings);
    let mut out_d = outbox();
    d.handle_timer(Time(11_000_000), NodeTimer::GossipTick, &mut out_d);
    let mut out = outbox();
    a.handle_message(
        Time(11_000_010),
        Endpoint::Node(D),
        Message::Gossip {
            digest: gossip_digest(&out_d),
        },
        &mut out,
    );
    assert!(!a.sees_down(D));
    assert_eq!(
        handoff_batch(&out).map(|(to, _, n)| (to, n)),
        Some((D, 1)),
        "the hint goes now, not at the next handoff round"
    );
}

#[test]
fn a_departing_node_only_gossips_and_stops_once_a_peer_answers() {
    let mut b = node(B);
    let mut out = outbox();
    b.handle_timer(Time(1_000), NodeTimer::Leave, &mut out);
    assert_eq!(
        b.membership().own_status(),
        MemberStatus::Left,
        "holding nothing, it left at once"
    );
    assert!(b.is_departing() && !b.has_left());
    let told = gossip_targets(&out);
    assert!(!told.is_empty(), "it says so");

    // Until heard, it ignores all but gossip.
    let mut ignored = outbox();
    b.handle_message(Time(2_000), ALICE, get(1, &key(), None), &mut ignored);
    b.handle_timer(Time(2_000), NodeTimer::HandoffTick, &mut ignored);
    assert!(ignored.effects().is_empty(), "{:?}", ignored.effects());

    let mut c = node(C);
    let mut reply = outbox();
    c.handle_message(
        Time(3_000),
        Endpoint::Node(B),
        Message::Gossip {
            digest: gossip_digest(&out),
        },
        &mut reply,
    );
    assert_eq!(c.membership().status(B), Some(MemberStatus::Left), "the peer heard");
    b.handle_message(
        Time(4_000),
        Endpoint::Node(C),
        Message::GossipReply {
            digest: gossip_digest(&reply),
        },
        &mut outbox(),
    );
    assert!(b.has_left(), "a peer's answer after merging its list: it has stopped");
}
