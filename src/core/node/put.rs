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

use smallvec::SmallVec;

use super::coordinated::{Coordinated, Coordinating};
use super::slots::{Pick, Slots};
use super::{Node, NodeOutbox, NodeTimer};
use crate::core::clock::VClock;
use crate::core::config::{PlantedDefect, Settings};
use crate::core::ids::{Endpoint, NodeId};
use crate::core::message::{Failure, Message, Outcome, Put, Reply, ReqId};
use crate::core::time::Time;
use crate::core::trace::StoreCause;
use crate::core::version::{ClockMode, Dot, Key, Siblings, Stamp, Value, Version};

/// How many `hint_after` rounds a coordinator spends placing copies.
pub const MAX_ROUNDS: u32 = 8;

/// A put this node coordinates.
#[derive(Clone, Debug)]
pub struct PutState {
    request: Coordinated,
    /// The new version's whole history, as the reply reports it.
    clock: VClock,
    /// What replicas (and stand-ins) are sent.
    payload: Siblings,
    /// The client's context, so that replicas can tell a lost write.
    context: VClock,
}

impl Coordinating for PutState {
    fn request(&mut self) -> &mut Coordinated {
        &mut self.request
    }

    fn outcome(&self, _: &Settings, failure: Option<Failure>) -> (Outcome, SmallVec<[NodeId; 4]>) {
        let outcome = Outcome::Put {
            clock: self.clock.clone(),
            failure,
        };
        (outcome, stored_at(&self.request.slots))
    }
}

impl Node {
    /// Coordinates a put: `request` is set up by [`Node::coordinate`].
    pub(super) fn coordinate_put(&mut self, now: Time, mut request: Coordinated, put: Put, out: &mut NodeOutbox) {
        let me = self.id;
        let Put { value, context, .. } = put;
        let version = match self.new_version(now, &request.key, value, &context) {
            Ok(version) => version,
            Err(failure) => {
                // Refused before anything was stored or sent.
                let reply = Reply {
                    op: request.op,
                    coordinator: me,
                    outcome: Outcome::Put {
                        clock: context,
                        failure: Some(failure),
                    },
                    replicas: smallvec::SmallVec::new(),
                };
                self.reply(request.reply_to, reply, out);
                return;
            }
        };
        let (key, slots) = (&request.key, &mut request.slots);
        // This node keeps the new version as a primary, as a stand-in with a
        // hint, or (a non-owner without stand-ins) not at all.
        match slots
            .slots
            .iter()
            .find(|s| s.holders.first() == Some(&me))
            .map(|s| s.owner)
        {
            Some(owner) if owner != me => self.keep_hint(owner, key, &version, out),
            Some(_) => self.store_written(key, std::slice::from_ref(&version), &context, StoreCause::Write, out),
            None => {}
        }
        let payload = self.replication_payload(key, &version);

        let req = self.new_req();
        self.send_copies(slots, key, Pick::First, req, &payload, &context, out);
        let mut state = Box::new(PutState {
            clock: self.reply_clock(&version),
            payload,
            context,
            request,
        });
        // Its own view already shows the quorum cannot be met (primaries or
        // stand-ins known down cannot make up W): fail at once, and go on
        // placing copies.
        let sloppy = self.settings.sloppy_quorum;
        let request = &state.request;
        if let Some(failure) = request.slots.unreachable(request.need, request.need_primaries, sloppy) {
            self.fail(&mut *state, failure, out);
        }
        self.answer_at_quorum(&mut *state, out);
        if state.request.slots.all_answered() && state.request.replied {
            return;
        }
        self.deadlines
            .set(now, self.settings.hint_after(), NodeTimer::HintAfter(req), out);
        self.deadlines
            .set(now, self.settings.request_timeout, NodeTimer::Request(req), out);
        self.puts.insert(req, state);
    }

    /// The coordinator's new version for `key`: in vector mode the context
    /// with this node's entry set past every counter it has used; in dotted
    /// mode the context plus this node's next dot for the key (see
    /// [`crate::core::dots`]); every version also carries a timestamp for
    /// last-write-wins. Neither counter is ever reused, not even for a key
    /// the node once handed away: the vector counter rises across all keys,
    /// the dot counters are kept per key, and both survive restarts. A
    /// counter that would pass `u32::MAX` fails the put with
    /// [`Failure::CounterExhausted`] and changes nothing: a saturated or
    /// wrapped counter would repeat a clock and lose one of the two writes.
    fn new_version(&mut self, now: Time, key: &Key, value: Value, context: &VClock) -> Result<Version, Failure> {
        let me = self.id;
        let known = self
            .store
            .versions(key)
            .iter()
            .chain(self.hints.versions_of(key).iter().map(|(_, v)| v))
            .map(|v| {
                v.clock
                    .top(me)
                    .max(v.dot.filter(|d| d.node == me).map_or(0, |d| d.counter))
            })
            .chain([context.top(me)])
            .max()
            .unwrap_or(0);
        let saturate = self.settings.planted == Some(PlantedDefect::SaturatingCounter);
        match self.settings.clocks {
            ClockMode::Dotted => {
                let counter = if saturate {
                    self.dots.next_wrapping(key, known)
                } else {
                    self.dots.next(key, known).ok_or(Failure::CounterExhausted)?
                };
                Ok(Version {
                    value,
                    clock: context.clone(),
                    dot: Some(Dot { node: me, counter }),
                    stamp: self.next_stamp(now, context),
                })
            }
            ClockMode::Vector | ClockMode::Lww | ClockMode::BrokenVector => {
                let last = known.max(self.counter);
                self.counter = match last.checked_add(1) {
                    Some(counter) => counter,
                    None if saturate => u32::MAX,
                    None => return Err(Failure::CounterExhausted),
                };
                let mut clock = context.clone();
                clock.set(me, self.counter);
                Ok(Version {
                    value,
                    clock,
                    dot: None,
                    stamp: self.next_stamp(now, context),
                })
            }
        }
    }

    /// The timestamp of a new version: now, or one microsecond past this
    /// node's last one when that is later (as Cassandra's coordinators do),
    /// so that no two versions a node makes share a stamp and
    /// last-write-wins has one winner on every replica.
    fn next_stamp(&mut self, now: Time, context: &VClock) -> Stamp {
        let micros = if self.settings.planted == Some(PlantedDefect::UnbrokenLwwTie) {
            now.micros()
        } else {
            now.micros().max(self.next_stamp)
        };
        self.next_stamp = micros + 1;
        Stamp::new(micros, self.id, Some(context.get(self.id)))
    }

    /// The context a put's reply hands its client: the put's context plus
    /// the new version's dot, which covers exactly the writes the client
    /// had seen and its own (see [`Version::full_clock`]).
    fn reply_clock(&self, version: &Version) -> VClock {
        if self.settings.planted == Some(PlantedDefect::OverclaimingPutContext)
            && let Some(d) = version.dot
        {
            // Before issue 18: the dot folded into the counter even past a
            // gap, claiming the writes between.
            let mut clock = version.clock.clone();
            if d.counter > clock.get(d.node) {
                clock.set(d.node, d.counter);
            }
            return clock;
        }
        version.full_clock()
    }

    /// What a put sends its replicas: the new version, or in dotted mode
    /// every version the coordinator now holds for the key (its own and its
    /// hints), so that a replica that learns a dot of this node also learns
    /// the ones before it.
    fn replication_payload(&self, key: &str, version: &Version) -> Siblings {
        match self.settings.clocks {
            ClockMode::Dotted => {
                let mut held = self.local_versions(key);
                crate::core::version::absorb(&mut held, version, ClockMode::Dotted);
                held
            }
            ClockMode::Vector | ClockMode::Lww | ClockMode::BrokenVector => smallvec::smallvec![version.clone()],
        }
    }

    pub(super) fn on_ack(&mut self, from: Endpoint, req: ReqId, out: &mut NodeOutbox) {
        let Some(node) = from.node() else { return };
        let Some(mut state) = self.puts.remove(&req) else {
            return;
        };
        if let Some(slot) = state.request.slots.slot_of(node) {
            slot.answered = true;
            slot.primary_answered |= slot.owner == node;
        }
        self.answer_at_quorum(&mut *state, out);
        if !(state.request.replied && state.request.slots.all_answered()) {
            self.puts.insert(req, state);
        }
    }

    /// A `hint_after` round: replicas that have not answered count as down.
    pub(super) fn on_put_hint_after(&mut self, now: Time, req: ReqId, out: &mut NodeOutbox) -> bool {
        let Some(mut state) = self.puts.remove(&req) else {
            return false;
        };
        state.request.rounds += 1;
        if state.request.rounds == 1
            && let Some(failure) = state.request.primaries_short(self.settings.sloppy_quorum)
        {
            self.fail(&mut *state, failure, out);
        }
        if self.settings.uses_stand_ins() {
            self.place_stand_ins(req, &mut state, out);
        }
        let more = !state.request.slots.all_answered() && state.request.rounds < MAX_ROUNDS;
        if more {
            self.deadlines
                .set(now, self.settings.hint_after(), NodeTimer::HintAfter(req), out);
        } else {
            self.park_unplaced(&mut state, out);
        }
        if more || !state.request.replied {
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
            .request
            .slots
            .slots
            .iter()
            .filter(|s| !s.answered && s.owner != me)
            .map(|s| s.owner)
            .collect();
        for owner in owners {
            let key = state.request.key.clone();
            for version in state.payload.clone() {
                self.keep_hint(owner, &key, &version, out);
            }
        }
        for slot in state.request.slots.slots.iter_mut() {
            slot.answered = true;
        }
    }

    /// Places every unanswered copy: with its owner if the owner now looks
    /// up and was not asked yet, else with the next healthy node (with a
    /// hint), else, when no stand-in is left, with the owner once more.
    fn place_stand_ins(&mut self, req: ReqId, state: &mut PutState, out: &mut NodeOutbox) {
        let request = &mut state.request;
        let (key, payload, context) = (&request.key, &state.payload, &state.context);
        self.send_copies(&mut request.slots, key, Pick::OwnerAgain, req, payload, context, out);
    }

    /// Sends the put's copies to each slot `pick` chooses a node for: the
    /// first round and every later one ask through here.
    #[allow(clippy::too_many_arguments)]
    fn send_copies(
        &self,
        slots: &mut Slots,
        key: &Key,
        pick: Pick,
        req: ReqId,
        payload: &Siblings,
        context: &VClock,
        out: &mut NodeOutbox,
    ) {
        slots.ask_each(
            &self.ring,
            key,
            self.id,
            |n| self.sees_down(n),
            pick,
            |slot, target| {
                out.send(
                    Endpoint::Node(target),
                    Message::Replicate {
                        req,
                        key: key.clone(),
                        versions: payload.clone(),
                        context: context.clone(),
                        hint: slot.hint_for(target),
                    },
                )
            },
        );
    }

    pub(super) fn on_put_timeout(&mut self, req: ReqId, out: &mut NodeOutbox) -> bool {
        let Some(mut state) = self.puts.remove(&req) else {
            return false;
        };
        let failure = state.request.timed_out();
        self.fail(&mut *state, failure, out);
        // Keep placing copies while rounds remain.
        let request = &state.request;
        if !request.slots.all_answered() && request.rounds < MAX_ROUNDS && self.settings.uses_stand_ins() {
            self.puts.insert(req, state);
        }
        true
    }
}

/// The nodes holding a copy, as the reply reports them.
fn stored_at(slots: &Slots) -> SmallVec<[NodeId; 4]> {
    slots
        .slots
        .iter()
        .filter(|s| s.answered)
        .filter_map(|s| if s.primary_answered { Some(s.owner) } else { s.current() })
        .collect()
}
