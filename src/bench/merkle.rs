//! What anti-entropy costs: two replicas of 1,000,000 keys that differ in
//! 100, compared by a real session between two nodes (driven directly,
//! without the engine), against the 2d+1 hashes per differing key the
//! protocol promises and the flat comparison of every key.

use std::sync::Arc;
use std::time::Instant;

use crate::core::clock::VClock;
use crate::core::config::Settings;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::message::Message;
use crate::core::node::{Disk, Node, NodeOutbox, NodeTimer};
use crate::core::notice::Notice;
use crate::core::outbox::Effect;
use crate::core::ring::Ring;
use crate::core::time::Time;
use crate::core::version::Version;

/// What one comparison cost.
#[derive(Clone, Debug, PartialEq)]
pub struct MerkleFigure {
    pub keys: usize,
    pub differing: usize,
    pub depth: u8,
    pub hashes_compared: u64,
    pub digests_compared: u64,
    pub keys_exchanged: u64,
    pub levels: u8,
    /// 2d+1 per differing key: the bound the protocol promises.
    pub bound: u64,
    /// A flat comparison looks at every key.
    pub flat: u64,
    /// Wall time of the session, in milliseconds (messages handled back to back).
    pub session_ms: f64,
    pub sessions: usize,
}

fn store(node: &mut Node, key: &str, value: &Arc<str>, writer: u16) {
    let mut out = NodeOutbox::new(false);
    let msg = Message::Repair {
        key: key.into(),
        versions: vec![Version::new(value.clone(), VClock::from_pairs([(NodeId(writer), 1)]))],
    };
    node.handle_message(Time(0), Endpoint::Node(NodeId(9)), msg, &mut out);
}

/// Builds two replicas of `keys` keys (one range: a single token), makes
/// `differing` of them differ, and times one anti-entropy session.
pub fn measure(keys: usize, differing: usize, depth: u8) -> MerkleFigure {
    let settings = Arc::new(Settings {
        replicas: 2,
        read_quorum: 1,
        write_quorum: 1,
        merkle_depth: depth,
        ..Settings::default()
    });
    let (a_id, b_id) = (NodeId(0), NodeId(1));
    // b's token sits right after a's: almost the whole ring is one range.
    let ring = Arc::new(Ring::new([(a_id, vec![0]), (b_id, vec![1])]));
    let mut a = Node::recover(a_id, settings.clone(), Disk::initial(a_id, ring.clone(), vec![a_id]), 1);
    let mut b = Node::recover(b_id, settings, Disk::initial(b_id, ring, vec![a_id]), 2);
    let same: Arc<str> = Arc::from("v".repeat(64));
    let newer: Arc<str> = Arc::from("w".repeat(64));
    let step = (keys / differing.max(1)).max(1);
    for i in 0..keys {
        let key = format!("key-{i:012}");
        store(&mut a, &key, &same, 0);
        if differing > 0 && i % step == 0 && i / step < differing {
            store(&mut b, &key, &newer, 1);
        } else {
            store(&mut b, &key, &same, 0);
        }
    }
    // a's tick starts a session on its range (the one that holds the keys).
    let mut figure = MerkleFigure {
        keys,
        differing,
        depth,
        hashes_compared: 0,
        digests_compared: 0,
        keys_exchanged: 0,
        levels: 0,
        bound: differing as u64 * (2 * depth as u64 + 1),
        flat: keys as u64,
        session_ms: 0.0,
        sessions: 0,
    };
    let started = Instant::now();
    let mut queue: Vec<(NodeId, NodeId, Message)> = Vec::new();
    let mut out = NodeOutbox::new(false);
    // Two ticks: the range with the keys is one of the two.
    for _ in 0..2 {
        a.handle_timer(Time(1), NodeTimer::AntiEntropyTick, &mut out);
        collect(a_id, &mut out, &mut queue, &mut figure);
        while let Some((from, to, msg)) = queue.pop() {
            let node = if to == a_id { &mut a } else { &mut b };
            node.handle_message(Time(2), Endpoint::Node(from), msg, &mut out);
            collect(to, &mut out, &mut queue, &mut figure);
        }
    }
    figure.session_ms = started.elapsed().as_secs_f64() * 1e3;
    figure
}

fn collect(from: NodeId, out: &mut NodeOutbox, queue: &mut Vec<(NodeId, NodeId, Message)>, figure: &mut MerkleFigure) {
    for e in out.drain() {
        match e {
            Effect::Send {
                to: Endpoint::Node(to),
                msg,
                ..
            } => queue.push((from, to, *msg)),
            Effect::Notify(Notice::AntiEntropySession { stats, .. }) => {
                figure.sessions += 1;
                figure.hashes_compared += stats.compared as u64;
                figure.digests_compared += stats.digests as u64;
                figure.keys_exchanged += stats.keys as u64;
                figure.levels = figure.levels.max(stats.levels);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_comparison_finds_exactly_the_differing_keys_within_the_bound() {
        let f = measure(5_000, 20, 10);
        assert_eq!(f.keys_exchanged, 20);
        assert!(f.hashes_compared <= f.bound + 1, "{f:?}");
        assert!(f.hashes_compared < f.flat);
        assert_eq!(f.levels, 10);
    }
}
