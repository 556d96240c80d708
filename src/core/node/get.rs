//! Coordinating a get: ask the replicas, answer with every current version
//! once R have answered, then repair the replicas that answered with less.
//!
//! Read repair goes on after the answer: a late reply is still merged, and
//! whoever is now behind the reconciled versions is sent them. Under sloppy
//! quorum a replica that does not answer in time is replaced by the next
//! healthy node, whose answer (hinted versions included) counts toward R;
//! stand-ins are read but never repaired.

use smallvec::SmallVec;

use super::slots::Slots;
use super::{Node, NodeOutbox, NodeTimer};
use crate::core::clock::VClock;
use crate::core::config::ClockMode;
use crate::core::dots::client_context;
use crate::core::ids::{Endpoint, NodeId, OpId};
use crate::core::message::{Failure, Message, Outcome, Reply, ReqId};
use crate::core::ring::NodeList;
use crate::core::time::Time;
use crate::core::trace::StoreCause;
use crate::core::version::{Key, Siblings, Version, covers, reconcile};

/// A get this node coordinates.
#[derive(Debug)]
pub struct GetState {
    op: OpId,
    reply_to: Endpoint,
    key: Key,
    need: usize,
    need_primaries: usize,
    slots: Slots,
    asked: usize,
    /// Who answered, what they hold (as far as this coordinator knows,
    /// repairs included), and whether they are a primary of the key.
    answers: SmallVec<[(NodeId, Siblings, bool); 4]>,
    reconciled: Vec<Version>,
    replied: bool,
    rounds: u32,
}

impl GetState {
    /// Some node asked has not answered yet.
    fn outstanding(&self) -> bool {
        self.answers.len() < self.asked
    }
}

/// A get as it arrives at its coordinator.
pub(super) struct GetRequest {
    pub op: OpId,
    pub reply_to: Endpoint,
    pub key: Key,
    pub r: Option<usize>,
    pub pr: Option<usize>,
}

impl Node {
    pub(super) fn coordinate_get(&mut self, now: Time, get: GetRequest, primaries: &NodeList, out: &mut NodeOutbox) {
        let GetRequest {
            op,
            reply_to,
            key,
            r,
            pr,
        } = get;
        let me = self.id;
        let req = self.new_req();
        let sloppy = self.settings.sloppy_quorum;
        let mut slots = Slots::new(me, primaries, sloppy);
        let mut asked = 1;
        for i in 0..slots.slots.len() {
            if slots.slots[i].answered {
                continue;
            }
            let owner = slots.slots[i].owner;
            let target = if !self.sees_down(owner) {
                Some(owner)
            } else if sloppy {
                slots.next_stand_in(&self.ring, &key, |n| n != me && !self.sees_down(n))
            } else {
                None
            };
            if let Some(target) = target {
                slots.slots[i].holders.push(target);
                out.send(Endpoint::Node(target), Message::Read { req, key: key.clone() });
                asked += 1;
            }
        }
        let local = self.local_versions(&key);
        let me_primary = slots.slots.iter().any(|s| s.owner == me);
        let need = r.unwrap_or(self.settings.read_quorum);
        let mut state = Box::new(GetState {
            op,
            reply_to,
            need,
            need_primaries: pr.unwrap_or(0),
            asked,
            reconciled: reconcile(local.iter(), self.settings.clocks),
            answers: smallvec::smallvec![(me, local, me_primary)],
            key,
            slots,
            replied: false,
            rounds: 0,
        });
        // Its own view already shows the quorum cannot be met: fail at once.
        if let Some(failure) = state.slots.unreachable(state.need, state.need_primaries, sloppy) {
            self.fail_get(&mut state, failure, out);
        }
        self.maybe_answer_get(&mut state, out);
        self.when_nobody_is_left(req, &mut state, out);
        if !state.replied || state.outstanding() {
            self.deadlines
                .set(now, self.settings.hint_after(), NodeTimer::HintAfter(req), out);
            self.deadlines
                .set(now, self.settings.request_timeout, NodeTimer::Request(req), out);
            self.gets.insert(req, state);
        }
    }

    /// Every node asked has answered and the get still has no answer: under
    /// sloppy quorum the next stand-ins are asked; when there are none, the
    /// get fails now rather than waiting for answers that cannot come.
    fn when_nobody_is_left(&mut self, req: ReqId, state: &mut GetState, out: &mut NodeOutbox) {
        if state.replied || state.outstanding() {
            return;
        }
        if self.settings.sloppy_quorum {
            self.ask_stand_ins(req, state, out);
        }
        if !state.outstanding() {
            let failure = state
                .slots
                .short(state.need, state.need_primaries, self.settings.sloppy_quorum);
            self.fail_get(state, failure, out);
        }
    }

    /// Asks the next healthy node past the ones tried for every slot
    /// without an answer.
    fn ask_stand_ins(&mut self, req: ReqId, state: &mut GetState, out: &mut NodeOutbox) {
        let me = self.id;
        for i in 0..state.slots.slots.len() {
            if state.slots.slots[i].answered {
                continue;
            }
            let Some(stand_in) = state
                .slots
                .next_stand_in(&self.ring, &state.key, |n| n != me && !self.sees_down(n))
            else {
                break;
            };
            state.slots.slots[i].holders.push(stand_in);
            out.send(
                Endpoint::Node(stand_in),
                Message::Read {
                    req,
                    key: state.key.clone(),
                },
            );
            state.asked += 1;
        }
    }

    /// What this node holds for `key`: its own versions and any it keeps as hints.
    pub(super) fn local_versions(&self, key: &str) -> Siblings {
        let own = self.store.versions(key);
        let hinted = self.hints.versions_of(key);
        if hinted.is_empty() {
            return own.iter().cloned().collect();
        }
        reconcile(own.iter().chain(hinted.iter().map(|(_, v)| v)), self.settings.clocks)
            .into_iter()
            .collect()
    }

    pub(super) fn on_read_reply(&mut self, from: Endpoint, req: ReqId, versions: Siblings, out: &mut NodeOutbox) {
        let Some(node) = from.node() else { return };
        let Some(mut state) = self.gets.remove(&req) else {
            return;
        };
        if state.answers.iter().any(|(n, _, _)| *n == node) {
            self.gets.insert(req, state);
            return;
        }
        let mut primary = false;
        if let Some(slot) = state.slots.slot_of(node) {
            slot.answered = true;
            primary = slot.owner == node;
            slot.primary_answered |= primary;
        }
        let mode = self.settings.clocks;
        let grew = versions
            .iter()
            .any(|v| !covers(&state.reconciled, std::slice::from_ref(v), mode));
        if grew {
            state.reconciled = reconcile(state.reconciled.iter().chain(versions.iter()), mode);
        }
        state.answers.push((node, versions, primary));
        self.maybe_answer_get(&mut state, out);
        if state.replied {
            self.read_repair(&mut state, out);
        }
        self.when_nobody_is_left(req, &mut state, out);
        if !state.replied || state.outstanding() {
            self.gets.insert(req, state);
        }
    }

    fn maybe_answer_get(&mut self, state: &mut GetState, out: &mut NodeOutbox) {
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
            outcome: Outcome::Get {
                context: client_context(&state.reconciled, self.settings.clocks),
                versions: state.reconciled.clone(),
                failure: None,
            },
            replicas: state.answers.iter().map(|(n, _, _)| *n).collect(),
        };
        self.reply(state.reply_to, reply, out);
        self.read_repair(state, out);
    }

    fn fail_get(&self, state: &mut GetState, failure: Failure, out: &mut NodeOutbox) {
        if state.replied {
            return;
        }
        state.replied = true;
        let reply = Reply {
            op: state.op,
            coordinator: self.id,
            outcome: Outcome::Get {
                context: client_context(&state.reconciled, self.settings.clocks),
                versions: state.reconciled.clone(),
                failure: Some(failure),
            },
            replicas: state.answers.iter().map(|(n, _, _)| *n).collect(),
        };
        self.reply(state.reply_to, reply, out);
    }

    /// Sends the reconciled versions to every primary that answered with less.
    fn read_repair(&mut self, state: &mut GetState, out: &mut NodeOutbox) {
        if !self.settings.read_repair {
            return;
        }
        let me = self.id;
        for (node, held, primary) in state.answers.iter_mut() {
            if !*primary || covers(held, &state.reconciled, self.settings.clocks) {
                continue;
            }
            if *node == me {
                self.store_versions(&state.key, &state.reconciled, StoreCause::Repair, out);
            } else {
                out.send(
                    Endpoint::Node(*node),
                    Message::Repair {
                        key: state.key.clone(),
                        versions: state.reconciled.clone(),
                    },
                );
            }
            *held = state.reconciled.iter().cloned().collect();
        }
    }

    /// A `hint_after` round for a get: ask stand-ins for silent replicas.
    pub(super) fn on_get_hint_after(&mut self, now: Time, req: ReqId, out: &mut NodeOutbox) -> bool {
        let Some(mut state) = self.gets.remove(&req) else {
            return false;
        };
        state.rounds += 1;
        if state.rounds == 1 && !state.replied {
            let primaries = state.slots.primaries_answered();
            if !self.settings.sloppy_quorum && primaries < state.need {
                let need = state.need;
                self.fail_get(&mut state, Failure::PrimariesUnreachable { got: primaries, need }, out);
            } else if primaries < state.need_primaries {
                let need = state.need_primaries;
                self.fail_get(&mut state, Failure::PrimariesUnreachable { got: primaries, need }, out);
            }
        }
        if !state.replied && self.settings.sloppy_quorum {
            self.ask_stand_ins(req, &mut state, out);
            if state.rounds < super::put::MAX_ROUNDS {
                self.deadlines
                    .set(now, self.settings.hint_after(), NodeTimer::HintAfter(req), out);
            }
        }
        self.when_nobody_is_left(req, &mut state, out);
        if !state.replied || state.outstanding() {
            self.gets.insert(req, state);
        }
        true
    }

    pub(super) fn on_get_timeout(&mut self, req: ReqId, out: &mut NodeOutbox) -> bool {
        let Some(mut state) = self.gets.remove(&req) else {
            return false;
        };
        let (got, need) = (state.slots.answered(), state.need);
        self.fail_get(&mut state, Failure::QuorumNotReached { got, need }, out);
        true
    }

    /// Stores versions one by one, tracing each one kept; a key this node
    /// does not own (after a ring change) is queued to stream on.
    pub(super) fn store_versions(&mut self, key: &Key, versions: &[Version], cause: StoreCause, out: &mut NodeOutbox) {
        self.store_inner(key, versions, None, cause, out);
    }

    /// Stores a client's write (the coordinator's own copy, or a replica's):
    /// a stored version it removes that `context` had not seen is a lost
    /// concurrent write, and is noted as such.
    pub(super) fn store_written(
        &mut self,
        key: &Key,
        versions: &[Version],
        context: &VClock,
        cause: StoreCause,
        out: &mut NodeOutbox,
    ) {
        self.store_inner(key, versions, Some(context), cause, out);
    }

    fn store_inner(
        &mut self,
        key: &Key,
        versions: &[Version],
        context: Option<&VClock>,
        cause: StoreCause,
        out: &mut NodeOutbox,
    ) {
        let me = self.id;
        let mode = self.settings.clocks;
        self.check_ownership(key, out);
        for v in versions {
            let outcome = self.store.put(key, v.clone(), mode);
            if outcome.stored {
                self.merkle_update(key, outcome.old_hash, outcome.new_hash);
                self.forget_transfer_acks(key);
                let siblings = outcome.siblings;
                out.trace(|| crate::core::trace::Event::Stored {
                    node: me,
                    key: key.clone(),
                    version: Box::new(v.clone()),
                    siblings,
                    cause,
                });
            }
            if !outcome.removed.is_empty() || outcome.superseded_by.is_some() {
                self.note_overwrites(key, v, outcome.removed, outcome.superseded_by, context, out);
            }
            // Only a sibling kept beside `v` can be shadowed by it.
            if outcome.stored && outcome.siblings > 1 {
                for sibling in shadowed_siblings(v, self.store.versions(key), mode) {
                    out.notify(crate::core::notice::Notice::LostWrite {
                        node: me,
                        key: key.clone(),
                        lost: Box::new(sibling.clone()),
                        by: Box::new(v.clone()),
                        shadowed: true,
                    });
                }
            }
        }
    }

    /// Notes a lost concurrent write where one happens: `v`, stored here,
    /// replaced `removed`, or arrived already replaced by `superseded_by`,
    /// and the replaced version's write was never seen by the writer that
    /// replaced it (`context`, or the one the replacing version records).
    /// Every replica and stand-in that sees it happen notes it; the engine
    /// keeps each once.
    pub(super) fn note_overwrites(
        &self,
        key: &Key,
        v: &Version,
        removed: impl IntoIterator<Item = Version>,
        superseded_by: Option<Version>,
        context: Option<&VClock>,
        out: &mut NodeOutbox,
    ) {
        let mode = self.settings.clocks;
        let lost_here = removed
            .into_iter()
            .filter(|lost| v.overwrites_unseen(lost, context, mode))
            .map(|lost| (lost, v.clone()));
        let lost_before = superseded_by
            .filter(|by| by.overwrites_unseen(v, None, mode))
            .map(|by| (v.clone(), by));
        for (lost, by) in lost_here.chain(lost_before) {
            out.notify(crate::core::notice::Notice::LostWrite {
                node: self.id,
                key: key.clone(),
                lost: Box::new(lost),
                by: Box::new(by),
                shadowed: false,
            });
        }
    }
}

/// The siblings `v` shadows (vector clocks only): `v`'s writer node counted
/// past their event at that node although `v`'s writer had not seen it (its
/// context held an earlier counter), while they stay concurrent with `v`
/// through another entry. See [`crate::core::trace::Event::Shadowed`].
fn shadowed_siblings<'a>(v: &'a Version, stored: &'a [Version], mode: ClockMode) -> impl Iterator<Item = &'a Version> {
    let writer = v.stamp.node;
    let seen = match (mode, v.stamp.seen_own()) {
        (ClockMode::Vector, Some(seen)) => Some(seen),
        _ => None,
    };
    stored.iter().filter(move |h| {
        let Some(seen) = seen else { return false };
        let event = h.clock.get(writer);
        *h != v && event > seen && event <= v.clock.get(writer) && !v.clock.descends(&h.clock)
    })
}
