//! Hinted handoff: a stand-in hands the copies it keeps for a down replica
//! back to it, every `handoff_interval`, until the owner acknowledges them.

use super::{Node, NodeOutbox, NodeTimer};
use crate::core::config::PlantedDefect;
use crate::core::hash::mix64;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::message::Message;
use crate::core::time::{Dur, Time};
use crate::core::trace::{Event, StoreCause};
use crate::core::version::{Key, Version};

/// How many hinted keys travel in one handoff message.
pub const HANDOFF_BATCH: usize = 64;

/// A handoff message waiting for its acknowledgement.
#[derive(Clone, Debug)]
pub struct InFlight {
    owner: NodeId,
    hints: Vec<(Key, Vec<Version>)>,
}

impl Node {
    /// When the first handoff round of a fresh incarnation happens: spread
    /// over one interval by node and incarnation, so nodes do not all hand
    /// off at the same instant.
    pub(super) fn first_handoff_delay(&self) -> Dur {
        let interval = self.settings.handoff_interval.micros().max(1);
        Dur(1 + mix64((self.id.0 as u64) << 32 | self.incarnation as u64) % interval)
    }

    pub(super) fn on_handoff_tick(&mut self, _now: Time, out: &mut NodeOutbox) {
        out.timer(self.settings.handoff_interval, NodeTimer::HandoffTick);
        // Batches not acknowledged since the last round are sent again.
        self.handoffs.clear();
        if !self.settings.hinted_handoff || self.hints.is_empty() {
            return;
        }
        for (owner, _) in self.hints.owners() {
            // A node that is leaving (or has left) owns nothing any more:
            // its hints go to the keys' current owners instead.
            if matches!(
                self.membership.status(owner),
                Some(crate::core::membership::MemberStatus::Leaving | crate::core::membership::MemberStatus::Left)
            ) {
                self.adopt_hints_of(owner, out);
                continue;
            }
            if self.sees_down(owner) {
                continue;
            }
            self.hand_off_to(owner, out);
        }
    }

    /// Sends `owner` a batch of the hints kept for it.
    pub(super) fn hand_off_to(&mut self, owner: NodeId, out: &mut NodeOutbox) {
        if !self.settings.hinted_handoff {
            return;
        }
        let hints = self.hints.batch_for(owner, HANDOFF_BATCH);
        if hints.is_empty() {
            return;
        }
        self.next_batch += 1;
        let batch = self.next_batch;
        out.send(
            Endpoint::Node(owner),
            Message::Handoff {
                batch,
                hints: hints.clone(),
            },
        );
        self.handoffs.insert(batch, InFlight { owner, hints });
    }

    /// Hints kept for a node that is leaving or has left can never be
    /// delivered: they become this node's own data, which streams on to the
    /// key's current owners if this node is not one of them.
    fn adopt_hints_of(&mut self, owner: NodeId, out: &mut NodeOutbox) {
        let me = self.id;
        for (key, versions) in self.hints.batch_for(owner, usize::MAX) {
            self.store_versions(&key, &versions, StoreCause::Handoff, out);
            self.hints.acknowledge(owner, &key, &versions, self.settings.clocks);
            out.trace(|| Event::HintDelivered { node: me, owner, key });
        }
    }

    /// The owner's side: merge the versions by clock and acknowledge.
    pub(super) fn on_handoff(
        &mut self,
        from: Endpoint,
        batch: u64,
        hints: Vec<(Key, Vec<Version>)>,
        out: &mut NodeOutbox,
    ) {
        for (key, versions) in &hints {
            self.store_versions(key, versions, StoreCause::Handoff, out);
        }
        out.send(from, Message::HandoffAck { batch });
    }

    /// The stand-in's side: forget what the owner acknowledged. A leaving
    /// node that now holds nothing has left.
    pub(super) fn on_handoff_ack(&mut self, now: Time, batch: u64, out: &mut NodeOutbox) {
        let Some(sent) = self.handoffs.remove(&batch) else {
            return;
        };
        let me = self.id;
        for (key, versions) in sent.hints {
            if self
                .hints
                .acknowledge(sent.owner, &key, &versions, self.settings.clocks)
            {
                out.trace(|| Event::HintDelivered {
                    node: me,
                    owner: sent.owner,
                    key,
                });
            }
        }
        if self.settings.planted != Some(PlantedDefect::StuckLeave) {
            self.maybe_finish_leaving(now, out);
        }
    }
}
