//! Who coordinates a client request.
//!
//! A node among the key's top N coordinates the request itself. Any other
//! node forwards it to the first of the top N it does not see down and,
//! when that one does not answer in time, to the next: the extra hop a
//! generic load balancer costs. A forwarding node that sees all of them
//! down answers at once that no coordinator is available.

use smallvec::SmallVec;

use super::coordinated::Coordinated;
use super::slots::Slots;
use super::{Node, NodeOutbox, NodeTimer};
use crate::core::ids::{Endpoint, OpId};
use crate::core::message::{Failure, Message, Operation, Outcome, Reply, Request};
use crate::core::ring::NodeList;
use crate::core::time::{Dur, Time};

/// A request this node passed on and waits to relay the answer of.
#[derive(Clone, Debug)]
pub struct ForwardState {
    client: Endpoint,
    request: Request,
    candidates: NodeList,
    attempt: u32,
}

impl Node {
    /// How long a forwarding node waits before trying the next coordinator:
    /// long enough for the coordinator's own timeout and a round trip.
    pub(super) fn forward_timeout(&self) -> Dur {
        forward_timeout(&self.settings)
    }

    pub(super) fn on_client_request(&mut self, now: Time, from: Endpoint, req: Request, out: &mut NodeOutbox) {
        let prefs = self.preference_list(&req.key);
        if prefs.contains(&self.id) {
            return self.coordinate(now, from, req, &prefs, out);
        }
        // Coordinators this node sees down are skipped; when it sees every
        // one of them down, it answers at once.
        let op = req.op;
        let candidates: NodeList = prefs.iter().copied().filter(|n| !self.sees_down(*n)).collect();
        let Some(&first) = candidates.first() else {
            let reply = Reply {
                op,
                coordinator: self.id,
                outcome: Outcome::Unavailable(Failure::NoCoordinator),
                replicas: SmallVec::new(),
            };
            return self.reply(from, reply, out);
        };
        out.send(Endpoint::Node(first), Message::Forward(req.clone()));
        out.timer(self.forward_timeout(), NodeTimer::Forward { op, attempt: 0 });
        self.forwards.insert(
            op,
            ForwardState {
                client: from,
                request: req,
                candidates,
                attempt: 0,
            },
        );
    }

    /// Takes on a request as its coordinator; `primaries` is the key's
    /// preference list.
    pub(super) fn coordinate(
        &mut self,
        now: Time,
        reply_to: Endpoint,
        req: Request,
        primaries: &NodeList,
        out: &mut NodeOutbox,
    ) {
        let node = self.id;
        out.trace(|| crate::core::trace::Event::Coordinating {
            node,
            op: req.op,
            key: req.key.clone(),
            put: req.operation.is_put(),
        });
        let Request { op, key, operation, .. } = req;
        // A put's copies may go to stand-ins only with hinted handoff too; a
        // get may read stand-ins under any sloppy quorum.
        let (need, need_primaries, stand_ins) = match &operation {
            Operation::Put(put) => (
                put.w.unwrap_or(self.settings.write_quorum),
                put.pw.unwrap_or(0),
                self.settings.uses_stand_ins(),
            ),
            Operation::Get(get) => (
                get.r.unwrap_or(self.settings.read_quorum),
                get.pr.unwrap_or(0),
                self.settings.sloppy_quorum,
            ),
        };
        let request = Coordinated {
            op,
            reply_to,
            key,
            need,
            need_primaries,
            slots: Slots::new(node, primaries, stand_ins),
            replied: false,
            rounds: 0,
        };
        match operation {
            Operation::Put(put) => self.coordinate_put(now, request, put, out),
            Operation::Get(_) => self.coordinate_get(now, request, out),
        }
    }

    pub(super) fn on_forward_reply(&mut self, _now: Time, reply: Reply, out: &mut NodeOutbox) {
        if let Some(state) = self.forwards.remove(&reply.op) {
            self.reply(state.client, reply, out);
        }
    }

    pub(super) fn on_forward_timeout(&mut self, _now: Time, op: OpId, attempt: u32, out: &mut NodeOutbox) {
        let Some(state) = self.forwards.get_mut(&op) else {
            return;
        };
        if state.attempt != attempt {
            return;
        }
        let next = attempt as usize + 1;
        if let Some(&target) = state.candidates.get(next) {
            state.attempt = next as u32;
            out.send(Endpoint::Node(target), Message::Forward(state.request.clone()));
            let timeout = forward_timeout(&self.settings);
            out.timer(
                timeout,
                NodeTimer::Forward {
                    op,
                    attempt: next as u32,
                },
            );
            return;
        }
        let state = self.forwards.remove(&op).expect("checked above");
        let reply = Reply {
            op,
            coordinator: self.id,
            outcome: Outcome::Unavailable(Failure::NoCoordinator),
            replicas: SmallVec::new(),
        };
        self.reply(state.client, reply, out);
    }
}

/// See [`Node::forward_timeout`]; clients use it too.
pub fn forward_timeout(settings: &crate::core::config::Settings) -> Dur {
    settings.request_timeout + Dur(2 * settings.latency.max.micros()) + Dur::from_millis(1)
}
