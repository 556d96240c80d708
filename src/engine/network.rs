//! The simulated network: every fault a message can meet, in one place.
//!
//! Latency is drawn from a seeded generator of the sender's own (one per
//! node, one shared by the clients, which the engine serves in canonical
//! order), in the order that sender sends in. So a seed always gives the
//! same delays, whatever order the engine carries out different senders'
//! effects in. Partitions and
//! cut links apply between nodes; clients sit outside the cluster and only
//! see latency. At arrival, a message to a node that is down, or from a node
//! that crashed after sending it, is lost: the engine tells the network
//! which endpoints are down (see [`Network::on_arrival`]), and a node task
//! asks [`lost_to_a_down_endpoint`] for what reaches a node that left inside
//! a window.

use std::collections::BTreeSet;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::core::config::Latency;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::time::Dur;
use crate::core::trace::DropReason;

/// The network's state and its random source.
#[derive(Clone)]
pub struct Network {
    seed: u64,
    /// One generator per node, made when the node first sends...
    node_rngs: Vec<ChaCha8Rng>,
    /// ...and one for every client.
    client_rng: ChaCha8Rng,
    latency: Latency,
    drop_rate: f64,
    /// Partition group per node; 0 means unlisted (reaches everyone).
    groups: Vec<u32>,
    cuts: BTreeSet<(NodeId, NodeId)>,
    /// Extra latency per node, both directions.
    slow: Vec<Dur>,
}

impl Network {
    pub fn new(seed: u64, latency: Latency, drop_rate: f64) -> Network {
        Network {
            seed,
            node_rngs: Vec::new(),
            client_rng: ChaCha8Rng::seed_from_u64(seed),
            latency,
            drop_rate,
            groups: Vec::new(),
            cuts: BTreeSet::new(),
            slow: Vec::new(),
        }
    }

    pub fn set_latency(&mut self, latency: Latency) {
        self.latency = latency;
    }

    pub fn set_drop_rate(&mut self, rate: f64) {
        self.drop_rate = rate;
    }

    /// Replaces any partition by these groups.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        self.groups.clear();
        for (i, group) in groups.iter().enumerate() {
            for node in group {
                let idx = node.index();
                if self.groups.len() <= idx {
                    self.groups.resize(idx + 1, 0);
                }
                self.groups[idx] = i as u32 + 1;
            }
        }
    }

    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        self.cuts.insert((from, to));
    }

    /// Removes partitions and cuts.
    pub fn heal(&mut self) {
        self.groups.clear();
        self.cuts.clear();
    }

    pub fn slow(&mut self, node: NodeId, extra: Dur) {
        let idx = node.index();
        if self.slow.len() <= idx {
            self.slow.resize(idx + 1, Dur::ZERO);
        }
        self.slow[idx] = extra;
    }

    pub fn is_partitioned(&self) -> bool {
        !self.groups.is_empty() || !self.cuts.is_empty()
    }

    /// Why `from` cannot reach `to` right now, if it cannot.
    pub fn blocked(&self, from: Endpoint, to: Endpoint) -> Option<DropReason> {
        let (Endpoint::Node(a), Endpoint::Node(b)) = (from, to) else {
            return None;
        };
        let group = |n: NodeId| self.groups.get(n.index()).copied().unwrap_or(0);
        let (ga, gb) = (group(a), group(b));
        if ga != 0 && gb != 0 && ga != gb {
            return Some(DropReason::Partition);
        }
        if !self.cuts.is_empty() && self.cuts.contains(&(a, b)) {
            return Some(DropReason::Cut);
        }
        None
    }

    /// Decides a message's fate when it arrives: lost if its receiver is
    /// down, if its sender crashed after sending it (see
    /// [`lost_to_a_down_endpoint`]), or if the link between them is blocked
    /// now.
    pub fn on_arrival(
        &self,
        from: Endpoint,
        to: Endpoint,
        receiver_up: bool,
        sender_crashed: bool,
    ) -> Option<DropReason> {
        lost_to_a_down_endpoint(receiver_up, sender_crashed).or_else(|| self.blocked(from, to))
    }

    /// Decides a message's fate when it is sent: its latency, or why it is lost.
    pub fn send(&mut self, from: Endpoint, to: Endpoint) -> Result<Dur, DropReason> {
        if let Some(reason) = self.blocked(from, to) {
            return Err(reason);
        }
        let between_nodes = matches!((from, to), (Endpoint::Node(_), Endpoint::Node(_)));
        let (drop_rate, latency) = (self.drop_rate, self.latency);
        let rng = self.rng_of(from);
        if between_nodes && drop_rate > 0.0 && rng.random_bool(drop_rate) {
            return Err(DropReason::Random);
        }
        let base = if latency.min == latency.max {
            latency.min
        } else {
            Dur(rng.random_range(latency.min.micros()..=latency.max.micros()))
        };
        Ok(base + self.extra(from) + self.extra(to))
    }

    /// The sender's generator.
    fn rng_of(&mut self, from: Endpoint) -> &mut ChaCha8Rng {
        match from {
            Endpoint::Client(_) => &mut self.client_rng,
            Endpoint::Node(n) => {
                while self.node_rngs.len() <= n.index() {
                    let i = self.node_rngs.len() as u64;
                    let seed = crate::core::hash::mix64(self.seed ^ (0x6e6f_6465 + i));
                    self.node_rngs.push(ChaCha8Rng::seed_from_u64(seed));
                }
                &mut self.node_rngs[n.index()]
            }
        }
    }

    fn extra(&self, e: Endpoint) -> Dur {
        match e {
            Endpoint::Node(n) => self.slow.get(n.index()).copied().unwrap_or(Dur::ZERO),
            Endpoint::Client(_) => Dur::ZERO,
        }
    }

    /// Groups of the current partition, for display.
    pub fn groups(&self) -> Vec<Vec<NodeId>> {
        let max = self.groups.iter().copied().max().unwrap_or(0);
        (1..=max)
            .map(|g| {
                (0..self.groups.len())
                    .filter(|&i| self.groups[i] == g)
                    .map(|i| NodeId(i as u16))
                    .collect()
            })
            .collect()
    }

    pub fn cuts(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.cuts.iter().copied()
    }

    pub fn slowness(&self, node: NodeId) -> Dur {
        self.extra(Endpoint::Node(node))
    }
}

/// Why a message that arrives is lost to its endpoints, if it is: its
/// receiver is down (dead, or stopped after leaving), or its sender crashed
/// since it sent it (a crash loses what was in flight; a node that left
/// stopped gracefully, and its farewell still arrives: the engine does not
/// count that as a crash). A down receiver is the reason given when both hold.
pub fn lost_to_a_down_endpoint(receiver_up: bool, sender_crashed: bool) -> Option<DropReason> {
    if !receiver_up {
        Some(DropReason::ReceiverDown)
    } else if sender_crashed {
        Some(DropReason::SenderDown)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::ClientId;

    fn net() -> Network {
        Network::new(
            1,
            Latency {
                min: Dur(5_000),
                max: Dur(20_000),
            },
            0.0,
        )
    }

    const A: Endpoint = Endpoint::Node(NodeId(0));
    const B: Endpoint = Endpoint::Node(NodeId(1));
    const C: Endpoint = Endpoint::Node(NodeId(2));

    #[test]
    fn latency_stays_in_range_and_is_seeded() {
        let (mut x, mut y) = (net(), net());
        for _ in 0..200 {
            let d = x.send(A, B).unwrap();
            assert!(d >= Dur(5_000) && d <= Dur(20_000));
            assert_eq!(Ok(d), y.send(A, B));
        }
    }

    #[test]
    fn each_sender_draws_from_its_own_generator() {
        // B's draws are the same whether or not A sent in between.
        let (mut x, mut y) = (net(), net());
        let alone: Vec<_> = (0..50).map(|_| x.send(B, C)).collect();
        let interleaved: Vec<_> = (0..50)
            .map(|_| {
                y.send(A, C).unwrap();
                y.send(Endpoint::Client(ClientId(3)), C).unwrap();
                y.send(B, C)
            })
            .collect();
        assert_eq!(alone, interleaved);
        let from_a: Vec<_> = (0..50).map(|_| x.send(A, C)).collect();
        assert_ne!(alone, from_a, "senders do not share a sequence");
    }

    #[test]
    fn partition_blocks_only_across_listed_groups() {
        let mut n = net();
        n.partition(&[vec![NodeId(0)], vec![NodeId(1)]]);
        assert_eq!(n.send(A, B), Err(DropReason::Partition));
        assert_eq!(n.send(B, A), Err(DropReason::Partition));
        assert!(n.send(A, C).is_ok(), "unlisted nodes keep all links");
        assert!(
            n.send(Endpoint::Client(ClientId(0)), A).is_ok(),
            "clients are outside the cluster"
        );
        n.heal();
        assert!(n.send(A, B).is_ok());
    }

    #[test]
    fn at_arrival_a_down_receiver_then_a_crashed_sender_then_the_link_decide() {
        let mut n = net();
        n.partition(&[vec![NodeId(0)], vec![NodeId(1)]]);
        assert_eq!(n.on_arrival(A, B, false, true), Some(DropReason::ReceiverDown));
        assert_eq!(n.on_arrival(A, B, true, true), Some(DropReason::SenderDown));
        assert_eq!(n.on_arrival(A, B, true, false), Some(DropReason::Partition));
        assert_eq!(n.on_arrival(A, C, true, false), None);
        n.heal();
        assert_eq!(n.on_arrival(A, B, true, false), None);
    }

    #[test]
    fn cut_is_one_way() {
        let mut n = net();
        n.cut(NodeId(0), NodeId(1));
        assert_eq!(n.send(A, B), Err(DropReason::Cut));
        assert!(n.send(B, A).is_ok());
    }

    #[test]
    fn drop_rate_one_loses_everything_between_nodes() {
        let mut n = net();
        n.set_drop_rate(1.0);
        assert_eq!(n.send(A, B), Err(DropReason::Random));
        assert!(n.send(A, Endpoint::Client(ClientId(0))).is_ok());
    }

    #[test]
    fn slow_node_adds_latency_both_ways() {
        let mut n = Network::new(
            1,
            Latency {
                min: Dur(10),
                max: Dur(10),
            },
            0.0,
        );
        n.slow(NodeId(1), Dur(300));
        assert_eq!(n.send(A, B), Ok(Dur(310)));
        assert_eq!(n.send(B, A), Ok(Dur(310)));
        assert_eq!(n.send(A, C), Ok(Dur(10)));
    }
}
