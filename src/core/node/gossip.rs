//! Gossip: every `gossip_interval` a node raises its heartbeat, checks whom
//! it has not heard from, and swaps membership lists with `gossip_fanout`
//! random peers it does not see down (push-pull). A peer that did not answer
//! the previous round is replaced by another this round, so a dead peer does
//! not slow the news down. With probability down / (live + 1) a node also
//! tries one node it sees down, so that a recovered node or the two halves
//! of a healed partition find each other again; a node that sees no live
//! peer gossips to a seed.

use std::sync::Arc;

use rand::RngExt;
use rand::seq::SliceRandom;
use smallvec::SmallVec;

use super::machine::Node;
use super::timer::{NodeOutbox, NodeTimer};
use crate::core::hash::mix64;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::membership::{Detector, Liveness, MemberDigest, MergeOutcome};
use crate::core::message::Message;
use crate::core::time::{Dur, Time};
use crate::core::trace::Event;

impl Node {
    /// The first gossip round of a new incarnation, spread over one interval
    /// so that nodes do not all gossip at the same instant. A node that knows
    /// no one else contacts a seed at once.
    pub(super) fn start_gossip(&mut self, now: Time, out: &mut NodeOutbox) {
        let interval = self.settings.gossip_interval.micros().max(1);
        let jitter = 1 + mix64(0x6f55_1b00 ^ ((self.id.0 as u64) << 32) ^ self.incarnation as u64) % interval;
        out.timer(Dur(jitter), NodeTimer::GossipTick);
        if self.membership.nodes().count() == 1 {
            self.gossip_now(now, out);
        }
    }

    pub(super) fn on_gossip_tick(&mut self, now: Time, out: &mut NodeOutbox) {
        if self.has_left() {
            return;
        }
        out.timer(self.settings.gossip_interval, NodeTimer::GossipTick);
        self.membership.beat(now);
        let changes = self.membership.detect(now, &Detector::from_settings(&self.settings));
        self.trace_liveness(&changes, out);
        self.gossip_now(now, out);
    }

    /// Sends this node's list to this round's peers.
    pub(super) fn gossip_now(&mut self, _now: Time, out: &mut NodeOutbox) {
        let targets = self.gossip_targets();
        if targets.is_empty() {
            return;
        }
        let targets: &[NodeId] = &targets;
        let digest = Arc::new(self.membership.digest());
        for t in targets {
            out.send(Endpoint::Node(*t), Message::Gossip { digest: digest.clone() });
        }
        let conf = self.settings.down_confirmations;
        self.gossip_unanswered = targets
            .iter()
            .copied()
            .filter(|&t| self.membership.liveness(t, conf) != crate::core::membership::Liveness::Down)
            .collect();
    }

    fn gossip_targets(&mut self) -> SmallVec<[NodeId; 4]> {
        let conf = self.settings.down_confirmations;
        let mut live = self.membership.live_peers(conf);
        // Last round's silent peers are skipped and replaced this round.
        let silent = std::mem::take(&mut self.gossip_unanswered);
        if live.len() > silent.len() {
            live.retain(|n| !silent.contains(n));
        }
        let mut out: SmallVec<[NodeId; 4]> = SmallVec::new();
        let want = self.settings.gossip_fanout + silent.len();
        let take = want.min(live.len());
        let (chosen, _) = live.partial_shuffle(&mut self.rng, take);
        out.extend(chosen.iter().copied());
        let down = self.membership.down_peers(conf);
        if !down.is_empty() {
            let p = (down.len() as f64 / (live.len() as f64 + 1.0)).min(1.0);
            if self.rng.random_bool(p) {
                out.push(down[self.rng.random_range(0..down.len())]);
            }
        }
        if live.is_empty() {
            let seeds: Vec<NodeId> = self
                .membership
                .seeds()
                .iter()
                .copied()
                .filter(|&s| s != self.id)
                .collect();
            if !seeds.is_empty() {
                let s = seeds[self.rng.random_range(0..seeds.len())];
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    }

    pub(super) fn on_gossip(&mut self, now: Time, from: Endpoint, digest: &[MemberDigest], out: &mut NodeOutbox) {
        self.merge_gossip(now, digest, out);
        out.send(
            from,
            Message::GossipReply {
                digest: Arc::new(self.membership.digest()),
            },
        );
    }

    pub(super) fn on_gossip_reply(&mut self, now: Time, from: Endpoint, digest: &[MemberDigest], out: &mut NodeOutbox) {
        if let Some(node) = from.node() {
            self.gossip_unanswered.retain(|n| *n != node);
        }
        self.merge_gossip(now, digest, out);
        // The peer merged our list before answering: it knows we left.
        if self.is_departing() {
            self.departure_heard = true;
            out.notify(crate::core::notice::Notice::Left { node: self.id });
        }
    }

    fn merge_gossip(&mut self, now: Time, digest: &[MemberDigest], out: &mut NodeOutbox) {
        let outcome: MergeOutcome = self
            .membership
            .merge(now, digest, &Detector::from_settings(&self.settings));
        self.trace_liveness(&outcome.liveness, out);
        if outcome.ring_changed {
            self.rebuild_view(out);
        }
        // An owner is back: hand its hints over now rather than next round.
        for &(node, from, to) in &outcome.liveness {
            if from == Liveness::Down && to != Liveness::Down && self.hints.count_for(node) > 0 {
                self.hand_off_to(node, out);
            }
        }
    }

    fn trace_liveness(
        &self,
        changes: &[(
            NodeId,
            crate::core::membership::Liveness,
            crate::core::membership::Liveness,
        )],
        out: &mut NodeOutbox,
    ) {
        for &(node, from, to) in changes {
            let observer = self.id;
            out.trace(|| Event::Liveness {
                observer,
                node,
                from,
                to,
            });
        }
    }

    /// Rebuilds this node's ring from its membership list; when it changed,
    /// announces it and looks for keys this node no longer owns.
    pub(super) fn rebuild_view(&mut self, out: &mut NodeOutbox) {
        let ring = self.membership.ring();
        if ring == *self.ring {
            return;
        }
        // Held once by every node of the cluster that built the same ring.
        let ring = self.ring.adopt(ring);
        let old = std::mem::replace(&mut self.ring, ring);
        self.view_changed = true;
        out.notify(crate::core::notice::Notice::ViewChanged {
            node: self.id,
            members: self.ring.members().to_vec(),
        });
        self.find_handover(Some(&old));
        self.rebuild_forest();
        self.ensure_transfer_tick(out);
    }
}
