//! Range transfer: when the ring changes (a join, a leave), a node streams
//! every key it holds but no longer owns to the key's owners, in batches,
//! and drops its copy only once every owner acknowledged the versions it
//! holds. A leaving node is simply a node that owns nothing: when it has
//! handed everything on, it announces that it left.
//!
//! Views change one node at a time, so sender and receiver may disagree on
//! who owns a key. A receiver stores whatever it is sent but acknowledges
//! only the keys it believes it owns; a sender drops a key only when every
//! owner in its own view acknowledged it. So a copy is dropped only while
//! the nodes that believe they own the key hold it, and nothing is lost.

use std::collections::BTreeMap;

use smallvec::SmallVec;

use super::{Node, NodeOutbox, NodeTimer};
use crate::core::config::TRANSFER_INTERVAL;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::membership::MemberStatus;
use crate::core::message::Message;
use crate::core::time::Time;
use crate::core::trace::{Event, StoreCause};
use crate::core::version::{Key, Version, covers};

/// Keys per transfer message.
pub const TRANSFER_BATCH: usize = 64;
/// Keys looked at per transfer round.
const TRANSFER_BUDGET: usize = 1024;

/// A transfer message waiting for its acknowledgement.
#[derive(Debug)]
pub struct InFlight {
    to: NodeId,
    items: Vec<(Key, Vec<Version>)>,
}

impl Node {
    /// True when this node is among `key`'s owners in its own view.
    fn owns(&self, key: &str) -> bool {
        self.preference_list(key).contains(&self.id)
    }

    /// Collects every stored key this node no longer owns.
    pub(super) fn find_handover(&mut self) {
        if !self.view_changed && self.membership.own_status() == MemberStatus::Normal {
            return;
        }
        let keys: Vec<Key> = self
            .store
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !self.owns(k))
            .cloned()
            .collect();
        self.handover.extend(keys);
    }

    /// After storing `key`: if this node does not own it, it goes on.
    pub(super) fn check_ownership(&mut self, key: &Key, out: &mut NodeOutbox) {
        if (self.view_changed || self.membership.own_status() != MemberStatus::Normal) && !self.owns(key) {
            self.handover.insert(key.clone());
            self.ensure_transfer_tick(out);
        }
    }

    pub(super) fn ensure_transfer_tick(&mut self, out: &mut NodeOutbox) {
        if !self.transfer_ticking && !self.handover.is_empty() {
            self.transfer_ticking = true;
            out.timer(TRANSFER_INTERVAL, NodeTimer::TransferTick);
        }
    }

    pub(super) fn on_transfer_tick(&mut self, now: Time, out: &mut NodeOutbox) {
        self.transfer_ticking = false;
        // What was not acknowledged since the last round is sent again.
        self.transfers.clear();
        let mut batches: BTreeMap<NodeId, Vec<(Key, Vec<Version>)>> = BTreeMap::new();
        let mut settled: Vec<Key> = Vec::new();
        // Start where the last round stopped, so that keys stuck on a down
        // owner do not hold the others back.
        let start = self.transfer_cursor.take();
        let keys: Vec<Key> = match &start {
            Some(c) => self
                .handover
                .range(c.clone()..)
                .chain(self.handover.range(..c.clone()))
                .take(TRANSFER_BUDGET)
                .cloned()
                .collect(),
            None => self.handover.iter().take(TRANSFER_BUDGET).cloned().collect(),
        };
        if keys.len() == TRANSFER_BUDGET {
            self.transfer_cursor = self.handover.range(keys[TRANSFER_BUDGET - 1].clone()..).nth(1).cloned();
        }
        for key in keys {
            let versions = self.store.versions(&key);
            if versions.is_empty() || self.owns(&key) {
                settled.push(key.clone());
                continue;
            }
            let acked = self.transfer_acks.get(&key);
            for owner in self.preference_list(&key) {
                if !self.sees_down(owner) && !acked.is_some_and(|a| a.contains(&owner)) {
                    batches.entry(owner).or_default().push((key.clone(), versions.to_vec()));
                }
            }
        }
        for key in settled {
            self.handover.remove(&key);
            self.transfer_acks.remove(&key);
        }
        for (to, items) in batches {
            for chunk in items.chunks(TRANSFER_BATCH) {
                self.next_batch += 1;
                let batch = self.next_batch;
                out.send(
                    Endpoint::Node(to),
                    Message::Transfer {
                        batch,
                        items: chunk.to_vec(),
                    },
                );
                self.transfers.insert(
                    batch,
                    InFlight {
                        to,
                        items: chunk.to_vec(),
                    },
                );
            }
        }
        self.ensure_transfer_tick(out);
        self.maybe_finish_leaving(now, out);
    }

    /// The receiver's side: keep what arrives (merged by clock), and
    /// acknowledge it as an owner only where this node believes it is one.
    pub(super) fn on_transfer(
        &mut self,
        from: Endpoint,
        batch: u64,
        items: Vec<(Key, Vec<Version>)>,
        out: &mut NodeOutbox,
    ) {
        let mut declined = Vec::new();
        for (key, versions) in &items {
            self.store_versions(key, versions, StoreCause::Transfer, out);
            if !self.owns(key) {
                declined.push(key.clone());
            }
        }
        out.send(from, Message::TransferAck { batch, declined });
    }

    /// The former replica's side: a key goes once every owner has what this
    /// node holds of it.
    pub(super) fn on_transfer_ack(&mut self, now: Time, batch: u64, declined: &[Key], out: &mut NodeOutbox) {
        let Some(sent) = self.transfers.remove(&batch) else {
            return;
        };
        let mut dropped = 0;
        for (key, versions) in &sent.items {
            if declined.contains(key) {
                continue;
            }
            let held = self.store.versions(key);
            if held.is_empty() || !covers(versions, held) {
                continue;
            }
            let owners = self.preference_list(key);
            let acked = self.transfer_acks.entry(key.clone()).or_default();
            if !acked.contains(&sent.to) {
                acked.push(sent.to);
            }
            let all: bool = owners.iter().all(|o| acked.contains(o));
            if all && !owners.contains(&self.id) {
                self.store.remove(key);
                self.handover.remove(key);
                self.transfer_acks.remove(key);
                dropped += 1;
            }
        }
        let (me, to, keys) = (self.id, sent.to, sent.items.len());
        out.trace(|| Event::Transferred {
            from: me,
            to,
            keys,
            dropped,
        });
        self.maybe_finish_leaving(now, out);
    }

    /// The engine asked this node to leave: it stops owning anything, so
    /// every key (and every hint it keeps) streams to its new owners.
    pub(super) fn on_leave(&mut self, now: Time, out: &mut NodeOutbox) {
        if self.membership.own_status() != MemberStatus::Normal {
            return;
        }
        self.membership.set_own_status(MemberStatus::Leaving);
        let hinted: Vec<(NodeId, Key, Vec<Version>)> =
            self.hints.iter().map(|(o, k, v)| (o, k.clone(), v.to_vec())).collect();
        for (owner, key, versions) in hinted {
            self.store_versions(&key, &versions, StoreCause::Handoff, out);
            self.hints.acknowledge(owner, &key, &versions);
        }
        self.rebuild_view(out);
        self.find_handover();
        self.ensure_transfer_tick(out);
        self.gossip_now(now, out);
        self.maybe_finish_leaving(now, out);
    }

    fn maybe_finish_leaving(&mut self, now: Time, out: &mut NodeOutbox) {
        if self.membership.own_status() != MemberStatus::Leaving || !self.store.is_empty() || !self.hints.is_empty() {
            return;
        }
        self.membership.set_own_status(MemberStatus::Left);
        // Tell a few nodes at once: a node that left gossips no more.
        self.gossip_now(now, out);
        self.gossip_now(now, out);
        out.note(Event::NodeLeft { node: self.id });
    }
}

/// Owners that acknowledged the current versions of a key.
pub type Acked = SmallVec<[NodeId; 4]>;
