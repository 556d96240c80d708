//! Coordinating a put: make the new clock, store it, send it to the other
//! replicas, answer once W copies (this node's included) are stored.
//!
//! Under sloppy quorum a replica that does not answer within `hint_after`
//! (or that the node already sees down) is replaced by the next healthy node
//! on the ring, which keeps the copy with a hint; its store counts toward W.
//! Rounds go on after the answer until all N copies are placed, so that a
//! down replica's copy is waiting for it somewhere. Under strict quorum only
//! the key's own top N count, and a put that cannot reach W of them fails
//! as unavailable.

use super::slots::Slots;
use super::{Node, NodeOutbox, NodeTimer};
use crate::core::clock::VClock;
use crate::core::ids::{Endpoint, NodeId, OpId};
use crate::core::message::{Failure, Message, Outcome, Reply, ReqId};
use crate::core::time::Time;
use crate::core::trace::{Event, StoreCause};
use crate::core::version::{Key, Value, Version};

/// How many `hint_after` rounds a coordinator spends placing copies.
pub const MAX_ROUNDS: u32 = 8;

/// A put this node coordinates.
#[derive(Debug)]
pub struct PutState {
    op: OpId,
    reply_to: Endpoint,
    key: Key,
    version: Version,
    need: usize,
    need_primaries: usize,
    slots: Slots,
    replied: bool,
    rounds: u32,
}

/// A put as it arrives at its coordinator.
pub(super) struct PutRequest {
    pub op: OpId,
    pub reply_to: Endpoint,
    pub key: Key,
    pub value: Value,
    pub context: VClock,
    pub w: Option<usize>,
    pub pw: Option<usize>,
}

impl Node {
    pub(super) fn coordinate_put(&mut self, _now: Time, put: PutRequest, out: &mut NodeOutbox) {
        let me = self.id;
        let PutRequest {
            op,
            reply_to,
            key,
            value,
            context,
            w,
            pw,
        } = put;
        let clock = self.next_clock(&key, &context);
        let version = Version {
            value,
            clock: clock.clone(),
        };
        let mut slots = Slots::new(self, &key);
        match slots
            .slots
            .iter()
            .find(|s| s.holders.first() == Some(&me))
            .map(|s| s.owner)
        {
            Some(owner) if owner != me => self.keep_hint(owner, &key, &version, out),
            _ => self.store_own(&key, &version, &context, out),
        }

        let req = self.new_req();
        let stand_ins = self.settings.uses_stand_ins();
        for i in 0..slots.slots.len() {
            if slots.slots[i].answered {
                continue;
            }
            let owner = slots.slots[i].owner;
            let target = if !self.sees_down(owner) {
                Some(owner)
            } else if stand_ins {
                slots.next_stand_in(&self.ring, |n| n != me && !self.sees_down(n))
            } else {
                None
            };
            if let Some(target) = target {
                slots.slots[i].holders.push(target);
                out.send(
                    Endpoint::Node(target),
                    Message::Replicate {
                        req,
                        key: key.clone(),
                        version: version.clone(),
                        hint: slots.slots[i].hint_for(target),
                    },
                );
            }
        }
        let need = w.unwrap_or(self.settings.write_quorum);
        let mut state = PutState {
            op,
            reply_to,
            key,
            version,
            need,
            need_primaries: pw.unwrap_or(0),
            slots,
            replied: false,
            rounds: 0,
        };
        // Strict quorum: primaries already known down cannot make up W.
        if !self.settings.sloppy_quorum {
            let reachable = state.slots.slots.iter().filter(|s| !s.holders.is_empty()).count();
            if reachable < need {
                self.fail_put(&mut state, Failure::PrimariesUnreachable { got: reachable, need }, out);
            }
        }
        self.maybe_answer_put(&mut state, out);
        if state.slots.all_answered() && state.replied {
            return;
        }
        out.timer(self.settings.hint_after(), NodeTimer::HintAfter(req));
        out.timer(self.settings.request_timeout, NodeTimer::Request(req));
        self.puts.insert(req, state);
    }

    /// Stores the coordinator's own copy, noting any concurrent write the
    /// new clock overwrites that the client's context had not seen.
    fn store_own(&mut self, key: &Key, version: &Version, context: &VClock, out: &mut NodeOutbox) {
        let me = self.id;
        let outcome = self.store.put(key, version.clone());
        self.forget_transfer_acks(key);
        let siblings = outcome.siblings;
        out.trace(|| Event::Stored {
            node: me,
            key: key.clone(),
            version: version.clone(),
            siblings,
            cause: StoreCause::Write,
        });
        for lost in outcome.removed {
            if !context.descends(&lost.clock) {
                out.note(Event::Overwritten {
                    node: me,
                    key: key.clone(),
                    lost,
                    by: version.clone(),
                });
            }
        }
    }

    /// The coordinator's new clock: the context with this node's entry one
    /// more than the highest it has in the context or in any stored version.
    fn next_clock(&self, key: &str, context: &VClock) -> VClock {
        let me = self.id;
        let highest = self
            .store
            .versions(key)
            .iter()
            .map(|v| v.clock.get(me))
            .chain(self.hints.versions_of(key).iter().map(|(_, v)| v.clock.get(me)))
            .chain(std::iter::once(context.get(me)))
            .max()
            .unwrap_or(0);
        let mut clock = context.clone();
        clock.set(me, highest.saturating_add(1));
        clock
    }

    pub(super) fn on_ack(&mut self, from: Endpoint, req: ReqId, out: &mut NodeOutbox) {
        let Some(node) = from.node() else { return };
        let Some(mut state) = self.puts.remove(&req) else {
            return;
        };
        if let Some(slot) = state.slots.slot_of(node) {
            slot.answered = true;
            slot.primary_answered |= slot.owner == node;
        }
        self.maybe_answer_put(&mut state, out);
        if !(state.replied && state.slots.all_answered()) {
            self.puts.insert(req, state);
        }
    }

    fn maybe_answer_put(&self, state: &mut PutState, out: &mut NodeOutbox) {
        if state.replied
            || state.slots.answered() < state.need
            || state.slots.primaries_answered() < state.need_primaries
        {
            return;
        }
        state.replied = true;
        let reply = Reply {
            op: state.op,
            coordinator: self.id,
            outcome: Outcome::Put {
                clock: state.version.clock.clone(),
                failure: None,
            },
            replicas: stored_at(state),
        };
        self.reply(state.reply_to, reply, out);
    }

    fn fail_put(&self, state: &mut PutState, failure: Failure, out: &mut NodeOutbox) {
        if state.replied {
            return;
        }
        state.replied = true;
        // No rollback: replicas that stored the version keep it.
        let reply = Reply {
            op: state.op,
            coordinator: self.id,
            outcome: Outcome::Put {
                clock: state.version.clock.clone(),
                failure: Some(failure),
            },
            replicas: stored_at(state),
        };
        self.reply(state.reply_to, reply, out);
    }

    /// A `hint_after` round: replicas that have not answered count as down.
    pub(super) fn on_put_hint_after(&mut self, req: ReqId, out: &mut NodeOutbox) -> bool {
        let Some(mut state) = self.puts.remove(&req) else {
            return false;
        };
        state.rounds += 1;
        if state.rounds == 1 {
            let primaries = state.slots.primaries_answered();
            if !self.settings.sloppy_quorum && primaries < state.need {
                let need = state.need;
                self.fail_put(&mut state, Failure::PrimariesUnreachable { got: primaries, need }, out);
            } else if primaries < state.need_primaries {
                let need = state.need_primaries;
                self.fail_put(&mut state, Failure::PrimariesUnreachable { got: primaries, need }, out);
            }
        }
        if self.settings.uses_stand_ins() {
            self.place_stand_ins(req, &mut state, out);
        }
        let more = !state.slots.all_answered() && state.rounds < MAX_ROUNDS;
        if more {
            out.timer(self.settings.hint_after(), NodeTimer::HintAfter(req));
        } else {
            self.park_unplaced(&mut state, out);
        }
        if more || !state.replied {
            self.puts.insert(req, state);
        }
        true
    }

    /// The rounds are over and some copies found no home: the coordinator
    /// keeps them as hints itself, so that handoff delivers them when their
    /// owners answer again. (They do not count toward W: this node already
    /// holds a copy of its own.)
    fn park_unplaced(&mut self, state: &mut PutState, out: &mut NodeOutbox) {
        if !self.settings.uses_stand_ins() {
            return;
        }
        let me = self.id;
        let owners: Vec<NodeId> = state
            .slots
            .slots
            .iter()
            .filter(|s| !s.answered && s.owner != me)
            .map(|s| s.owner)
            .collect();
        for owner in owners {
            let (key, version) = (state.key.clone(), state.version.clone());
            self.keep_hint(owner, &key, &version, out);
        }
        for slot in state.slots.slots.iter_mut() {
            slot.answered = true;
        }
    }

    /// Places every unanswered copy: with its owner if the owner now looks
    /// up and was not asked yet, else with the next healthy node (with a
    /// hint), else, when no stand-in is left, with the owner once more.
    fn place_stand_ins(&mut self, req: ReqId, state: &mut PutState, out: &mut NodeOutbox) {
        let me = self.id;
        for i in 0..state.slots.slots.len() {
            if state.slots.slots[i].answered {
                continue;
            }
            let owner = state.slots.slots[i].owner;
            let target = if !state.slots.slots[i].holders.contains(&owner) && !self.sees_down(owner) {
                owner
            } else if let Some(stand_in) = state.slots.next_stand_in(&self.ring, |n| n != me && !self.sees_down(n)) {
                stand_in
            } else {
                owner
            };
            let slot = &mut state.slots.slots[i];
            if !slot.holders.contains(&target) {
                slot.holders.push(target);
            }
            out.send(
                Endpoint::Node(target),
                Message::Replicate {
                    req,
                    key: state.key.clone(),
                    version: state.version.clone(),
                    hint: slot.hint_for(target),
                },
            );
        }
    }

    pub(super) fn on_put_timeout(&mut self, req: ReqId, out: &mut NodeOutbox) -> bool {
        let Some(mut state) = self.puts.remove(&req) else {
            return false;
        };
        let (got, need) = (state.slots.answered(), state.need);
        self.fail_put(&mut state, Failure::QuorumNotReached { got, need }, out);
        // Keep placing copies while rounds remain.
        if !state.slots.all_answered() && state.rounds < MAX_ROUNDS && self.settings.uses_stand_ins() {
            self.puts.insert(req, state);
        }
        true
    }

    /// Keeps a version for `owner` (a stand-in's copy).
    pub(super) fn keep_hint(&mut self, owner: NodeId, key: &Key, version: &Version, out: &mut NodeOutbox) {
        if self.hints.add(owner, key, version) {
            let me = self.id;
            out.trace(|| Event::HintStored {
                node: me,
                owner,
                key: key.clone(),
                version: version.clone(),
            });
        }
    }
}

/// The nodes holding a copy, as the reply reports them.
fn stored_at(state: &PutState) -> smallvec::SmallVec<[NodeId; 4]> {
    state
        .slots
        .slots
        .iter()
        .filter(|s| s.answered)
        .filter_map(|s| if s.primary_answered { Some(s.owner) } else { s.current() })
        .collect()
}
