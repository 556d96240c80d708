//! Coordinating a get: ask the replicas, answer with every current version
//! once R have answered, then repair the replicas that answered with less.
//!
//! Read repair goes on after the answer: a late reply is still merged, and
//! whoever is now behind the reconciled versions is sent them. Under sloppy
//! quorum a replica that does not answer in time is replaced by the next
//! healthy node, whose answer (hinted versions included) counts toward R;
//! stand-ins are read but never repaired.

use smallvec::SmallVec;

use super::coordinated::{Coordinated, Coordinating};
use super::slots::Pick;
use super::{Node, NodeOutbox, NodeTimer};
use crate::core::config::Settings;
use crate::core::dots::client_context;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::message::{Failure, Message, Outcome, ReqId};
use crate::core::time::Time;
use crate::core::trace::StoreCause;
use crate::core::version::{Siblings, Version, covers, reconcile};

/// A get this node coordinates.
#[derive(Clone, Debug)]
pub struct GetState {
    request: Coordinated,
    asked: usize,
    /// Who answered, what they hold (as far as this coordinator knows,
    /// repairs included), and whether they are a primary of the key.
    answers: SmallVec<[(NodeId, Siblings, bool); 4]>,
    reconciled: Vec<Version>,
}

impl GetState {
    /// Some node asked has not answered yet.
    fn outstanding(&self) -> bool {
        self.answers.len() < self.asked
    }
}

impl Coordinating for GetState {
    fn request(&mut self) -> &mut Coordinated {
        &mut self.request
    }

    fn outcome(&self, settings: &Settings, failure: Option<Failure>) -> (Outcome, SmallVec<[NodeId; 4]>) {
        let outcome = Outcome::Get {
            context: client_context(&self.reconciled, settings.clocks),
            versions: self.reconciled.clone(),
            failure,
        };
        (outcome, self.answers.iter().map(|(n, _, _)| *n).collect())
    }
}

impl Node {
    /// Coordinates a get: `request` is set up by [`Node::coordinate`].
    pub(super) fn coordinate_get(&mut self, now: Time, mut request: Coordinated, out: &mut NodeOutbox) {
        let me = self.id;
        let req = self.new_req();
        let sloppy = self.settings.sloppy_quorum;
        let (key, slots) = (&request.key, &mut request.slots);
        let mut asked = 1;
        slots.ask_each(
            &self.ring,
            key,
            me,
            |n| self.sees_down(n),
            Pick::First,
            |_, target| {
                out.send(Endpoint::Node(target), Message::Read { req, key: key.clone() });
                asked += 1;
            },
        );
        let local = self.local_versions(key);
        let me_primary = slots.slots.iter().any(|s| s.owner == me);
        let mut state = Box::new(GetState {
            asked,
            reconciled: reconcile(local.iter(), self.settings.clocks),
            answers: smallvec::smallvec![(me, local, me_primary)],
            request,
        });
        // Its own view already shows the quorum cannot be met: fail at once.
        let request = &state.request;
        if let Some(failure) = request.slots.unreachable(request.need, request.need_primaries, sloppy) {
            self.fail(&mut *state, failure, out);
        }
        self.maybe_answer_get(&mut state, out);
        self.when_nobody_is_left(req, &mut state, out);
        if !state.request.replied || state.outstanding() {
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
        if state.request.replied || state.outstanding() {
            return;
        }
        if self.settings.sloppy_quorum {
            self.ask_stand_ins(req, state, out);
        }
        if !state.outstanding() {
            let request = &state.request;
            let failure = request
                .slots
                .short(request.need, request.need_primaries, self.settings.sloppy_quorum);
            self.fail(state, failure, out);
        }
    }

    /// Asks the next healthy node past the ones tried for every slot
    /// without an answer.
    fn ask_stand_ins(&mut self, req: ReqId, state: &mut GetState, out: &mut NodeOutbox) {
        let request = &mut state.request;
        let (key, asked) = (&request.key, &mut state.asked);
        request.slots.ask_each(
            &self.ring,
            key,
            self.id,
            |n| self.sees_down(n),
            Pick::StandIn,
            |_, target| {
                out.send(Endpoint::Node(target), Message::Read { req, key: key.clone() });
                *asked += 1;
            },
        );
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
        if let Some(slot) = state.request.slots.slot_of(node) {
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
        if state.request.replied {
            self.read_repair(&mut state, out);
        }
        self.when_nobody_is_left(req, &mut state, out);
        if !state.request.replied || state.outstanding() {
            self.gets.insert(req, state);
        }
    }

    /// Answers once R have answered, then repairs whoever answered with less.
    fn maybe_answer_get(&mut self, state: &mut GetState, out: &mut NodeOutbox) {
        if self.answer_at_quorum(state, out) {
            self.read_repair(state, out);
        }
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
                self.store_versions(&state.request.key, &state.reconciled, StoreCause::Repair, out);
            } else {
                out.send(
                    Endpoint::Node(*node),
                    Message::Repair {
                        key: state.request.key.clone(),
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
        state.request.rounds += 1;
        if state.request.rounds == 1
            && let Some(failure) = state.request.primaries_short(self.settings.sloppy_quorum)
        {
            self.fail(&mut *state, failure, out);
        }
        if !state.request.replied && self.settings.sloppy_quorum {
            self.ask_stand_ins(req, &mut state, out);
            if state.request.rounds < super::put::MAX_ROUNDS {
                self.deadlines
                    .set(now, self.settings.hint_after(), NodeTimer::HintAfter(req), out);
            }
        }
        self.when_nobody_is_left(req, &mut state, out);
        if !state.request.replied || state.outstanding() {
            self.gets.insert(req, state);
        }
        true
    }

    pub(super) fn on_get_timeout(&mut self, req: ReqId, out: &mut NodeOutbox) -> bool {
        let Some(mut state) = self.gets.remove(&req) else {
            return false;
        };
        let failure = state.request.timed_out();
        self.fail(&mut *state, failure, out);
        true
    }
}
