//! Range transfer: when the ring changes (a join, a leave), keys move to
//! their new owners.
//!
//! When a node's view of the ring changes, it looks at every key it holds:
//! - a key it no longer owns is *released*: streamed to all of the key's
//!   owners, and dropped once every one of them acknowledged the versions
//!   this node holds;
//! - a key it still owns but that has gained owners is *pushed* to those
//!   new owners, so that a joiner gets its ranges even when the node that
//!   lost them had left before it heard of the joiner.
//!
//! A leaving node is simply a node that owns nothing: when it has released
//! everything, it announces that it left.
//!
//! What a node owes is kept in memory, but whether its ring ever changed is
//! kept on its disk ([`super::Disk::ring_changed`]): a node that restarts
//! after a join or a leave looks through its store again, and releases
//! every key it no longer owns (a version only it held would otherwise stay
//! stranded on it, since anti-entropy runs only between a range's owners).
//!
//! Views change one node at a time, so sender and receiver may disagree on
//! who owns a key. A receiver stores whatever it is sent but acknowledges
//! only the keys it believes it owns; a sender releases a key only when
//! every owner in its own view acknowledged it. So a copy is dropped only
//! while the nodes that believe they own the key hold it, and nothing is lost.

use std::collections::BTreeMap;

use smallvec::SmallVec;

use super::{Node, NodeOutbox, NodeTimer};
use crate::core::config::TRANSFER_INTERVAL;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::membership::MemberStatus;
use crate::core::message::Message;
use crate::core::ring::Ring;
use crate::core::time::Time;
use crate::core::trace::{Event, StoreCause};
use crate::core::version::{Key, Version, covers};

/// Keys per transfer message.
pub const TRANSFER_BATCH: usize = 64;
/// Keys looked at per transfer round.
const TRANSFER_BUDGET: usize = 1024;

/// What this node still owes for one key.
#[derive(Clone, Debug, Default)]
pub struct Owed {
    /// Drop the key once every owner acknowledged it (this node no longer owns it).
    release: bool,
    /// For a key this node keeps: the new owners it must reach.
    gained: SmallVec<[NodeId; 2]>,
    /// Nodes that acknowledged the versions this node holds now.
    acked: SmallVec<[NodeId; 4]>,
}

/// A transfer message waiting for its acknowledgement.
#[derive(Clone, Debug)]
pub struct InFlight {
    to: NodeId,
    items: Vec<(Key, Vec<Version>)>,
}

impl Node {
    /// True when this node is among `key`'s owners in its own view.
    fn owns(&self, key: &str) -> bool {
        self.preference_list(key).contains(&self.id)
    }

    /// After a view change (from `old`, or from nothing after a restart):
    /// which keys are released, which pushed to new owners.
    pub(super) fn find_handover(&mut self, old: Option<&Ring>) {
        let leaving = self.membership.own_status() != MemberStatus::Normal;
        if !self.view_changed && !leaving {
            return;
        }
        let n = self.settings.replicas;
        let mut found: Vec<(Key, Owed)> = Vec::new();
        for (key, _) in self.store.iter() {
            let owners = self.ring.preference_list(key, n);
            if !owners.contains(&self.id) {
                found.push((
                    key.clone(),
                    Owed {
                        release: true,
                        ..Owed::default()
                    },
                ));
            } else if let Some(old) = old {
                let before = old.preference_list(key, n);
                let gained: SmallVec<[NodeId; 2]> = owners
                    .iter()
                    .copied()
                    .filter(|o| *o != self.id && !before.contains(o))
                    .collect();
                if !gained.is_empty() {
                    found.push((
                        key.clone(),
                        Owed {
                            gained,
                            ..Owed::default()
                        },
                    ));
                }
            }
        }
        for (key, owed) in found {
            let entry = self.handover.entry(key).or_default();
            entry.release |= owed.release;
            for g in owed.gained {
                if !entry.gained.contains(&g) {
                    entry.gained.push(g);
                }
            }
        }
    }

    /// After storing `key`: if this node does not own it, it goes on.
    pub(super) fn check_ownership(&mut self, key: &Key, out: &mut NodeOutbox) {
        if (self.view_changed || self.membership.own_status() != MemberStatus::Normal) && !self.owns(key) {
            self.handover.entry(key.clone()).or_default().release = true;
            self.ensure_transfer_tick(out);
        }
    }

    pub(super) fn ensure_transfer_tick(&mut self, out: &mut NodeOutbox) {
        if !self.transfer_ticking && !self.handover.is_empty() {
            self.transfer_ticking = true;
            out.timer(TRANSFER_INTERVAL, NodeTimer::TransferTick);
        }
    }

    /// The nodes `key` must still reach, or `None` when nothing is owed.
    fn targets(&self, key: &Key) -> Option<SmallVec<[NodeId; 4]>> {
        let owed = self.handover.get(key)?;
        let owners = self.preference_list(key);
        let wanted: SmallVec<[NodeId; 4]> = if owed.release {
            if owners.contains(&self.id) {
                return None;
            }
            owners.iter().copied().collect()
        } else {
            owed.gained.iter().copied().filter(|g| owners.contains(g)).collect()
        };
        let missing: SmallVec<[NodeId; 4]> = wanted.into_iter().filter(|o| !owed.acked.contains(o)).collect();
        (!missing.is_empty()).then_some(missing)
    }

    /// Settles `key` if nothing more is owed: a released key is dropped.
    /// Returns true when the key was dropped.
    fn settle(&mut self, key: &Key) -> bool {
        if self.store.versions(key).is_empty() {
            self.handover.remove(key);
            return false;
        }
        if self.targets(key).is_some() {
            return false;
        }
        let release = self.handover.remove(key).is_some_and(|o| o.release) && !self.owns(key);
        if release && let Some((_, hash)) = self.store.remove(key) {
            self.merkle_update(key, hash, 0);
        }
        release
    }

    pub(super) fn on_transfer_tick(&mut self, now: Time, out: &mut NodeOutbox) {
        self.transfer_ticking = false;
        // What was not acknowledged since the last round is sent again.
        self.transfers.clear();
        // Start where the last round stopped, so that keys stuck on a down
        // owner do not hold the others back.
        let keys: Vec<Key> = match self.transfer_cursor.take() {
            Some(c) => self
                .handover
                .range(c.clone()..)
                .chain(self.handover.range(..c))
                .take(TRANSFER_BUDGET)
                .map(|(k, _)| k.clone())
                .collect(),
            None => self.handover.keys().take(TRANSFER_BUDGET).cloned().collect(),
        };
        if keys.len() == TRANSFER_BUDGET {
            self.transfer_cursor = self
                .handover
                .range(keys[TRANSFER_BUDGET - 1].clone()..)
                .nth(1)
                .map(|(k, _)| k.clone());
        }
        let mut batches: BTreeMap<NodeId, Vec<(Key, Vec<Version>)>> = BTreeMap::new();
        let mut dropped = 0;
        for key in keys {
            match self.targets(&key) {
                None => dropped += self.settle(&key) as usize,
                Some(targets) => {
                    let versions = self.store.versions(&key).to_vec();
                    for t in targets {
                        if !self.sees_down(t) {
                            batches.entry(t).or_default().push((key.clone(), versions.clone()));
                        }
                    }
                }
            }
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
        if dropped > 0 {
            let node = self.id;
            out.trace(|| Event::Released { node, keys: dropped });
        }
        self.ensure_transfer_tick(out);
        self.maybe_finish_leaving(now, out);
    }

    /// The versions of `key` changed: acknowledgements of older ones no
    /// longer count.
    pub(super) fn forget_transfer_acks(&mut self, key: &Key) {
        if let Some(owed) = self.handover.get_mut(key) {
            owed.acked.clear();
        }
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

    /// The sender's side: count the acknowledgements, settle what is done.
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
            if held.is_empty() || !covers(versions, held, self.settings.clocks) {
                continue;
            }
            if let Some(owed) = self.handover.get_mut(key)
                && !owed.acked.contains(&sent.to)
            {
                owed.acked.push(sent.to);
            }
            dropped += self.settle(key) as usize;
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
            self.hints.acknowledge(owner, &key, &versions, self.settings.clocks);
        }
        self.rebuild_view(out);
        self.find_handover(None);
        self.ensure_transfer_tick(out);
        self.gossip_now(now, out);
        self.maybe_finish_leaving(now, out);
    }

    /// A leaving node that holds nothing (no key, no hint) has left. Every
    /// path that empties its store or its hints ends here: transfer rounds
    /// and acknowledgements, and hand-off acknowledgements.
    pub(super) fn maybe_finish_leaving(&mut self, now: Time, out: &mut NodeOutbox) {
        if self.membership.own_status() != MemberStatus::Leaving || !self.store.is_empty() || !self.hints.is_empty() {
            return;
        }
        self.membership.set_own_status(MemberStatus::Left);
        // Tell a few nodes at once; the node stops once one of them answers
        // (see `Node::is_departing`).
        self.gossip_now(now, out);
        self.gossip_now(now, out);
    }
}
