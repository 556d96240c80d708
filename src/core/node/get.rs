//! Coordinating a get: ask the replicas, answer with every current version
//! once R have answered, then repair the replicas that answered with less.
//!
//! Read repair goes on after the answer: a late reply is still merged, and
//! whoever is now behind the reconciled versions is sent them.

use smallvec::SmallVec;

use super::{Node, NodeOutbox, NodeTimer};
use crate::core::ids::{Endpoint, NodeId, OpId};
use crate::core::message::{Failure, Message, Outcome, Reply, ReqId};
use crate::core::time::Time;
use crate::core::trace::{Event, StoreCause};
use crate::core::version::{Key, Siblings, Version, covers, merged_clock, reconcile};

/// A get this node coordinates.
#[derive(Debug)]
pub struct GetState {
    op: OpId,
    reply_to: Endpoint,
    key: Key,
    need: usize,
    asked: usize,
    /// Who answered and what they hold (as far as this coordinator knows,
    /// repairs included).
    answers: SmallVec<[(NodeId, Siblings); 4]>,
    reconciled: Vec<Version>,
    replied: bool,
}

impl Node {
    pub(super) fn coordinate_get(
        &mut self,
        _now: Time,
        reply_to: Endpoint,
        op: OpId,
        key: Key,
        r: Option<usize>,
        out: &mut NodeOutbox,
    ) {
        let me = self.id;
        let req = self.new_req();
        let prefs = self.preference_list(&key);
        let mut asked = 1;
        for &target in prefs.iter().filter(|&&n| n != me) {
            out.send(Endpoint::Node(target), Message::Read { req, key: key.clone() });
            asked += 1;
        }
        let local: Siblings = self.store.versions(&key).iter().cloned().collect();
        let mut state = GetState {
            op,
            reply_to,
            key,
            need: r.unwrap_or(self.settings.read_quorum),
            asked,
            reconciled: reconcile(local.iter()),
            answers: smallvec::smallvec![(me, local)],
            replied: false,
        };
        self.maybe_answer_get(&mut state, out);
        out.timer(self.settings.request_timeout, NodeTimer::Request(req));
        if state.answers.len() < state.asked {
            self.gets.insert(req, state);
        }
    }

    pub(super) fn on_read_reply(&mut self, from: Endpoint, req: ReqId, versions: Siblings, out: &mut NodeOutbox) {
        let Some(node) = from.node() else { return };
        let Some(mut state) = self.gets.remove(&req) else {
            return;
        };
        if state.answers.iter().any(|(n, _)| *n == node) {
            self.gets.insert(req, state);
            return;
        }
        let grew = versions
            .iter()
            .any(|v| !covers(&state.reconciled, std::slice::from_ref(v)));
        if grew {
            state.reconciled = reconcile(state.reconciled.iter().chain(versions.iter()));
        }
        state.answers.push((node, versions));
        self.maybe_answer_get(&mut state, out);
        if state.replied {
            self.read_repair(&mut state, out);
        }
        if state.answers.len() < state.asked {
            self.gets.insert(req, state);
        }
    }

    fn maybe_answer_get(&mut self, state: &mut GetState, out: &mut NodeOutbox) {
        if state.replied || state.answers.len() < state.need {
            return;
        }
        state.replied = true;
        let reply = Reply {
            op: state.op,
            coordinator: self.id,
            outcome: Outcome::Get {
                context: merged_clock(&state.reconciled),
                versions: state.reconciled.clone(),
                failure: None,
            },
            replicas: state.answers.iter().map(|(n, _)| *n).collect(),
        };
        self.reply(state.reply_to, reply, out);
        self.read_repair(state, out);
    }

    /// Sends the reconciled versions to every replica that answered with less.
    fn read_repair(&mut self, state: &mut GetState, out: &mut NodeOutbox) {
        let me = self.id;
        for (node, held) in state.answers.iter_mut() {
            if covers(held, &state.reconciled) {
                continue;
            }
            if *node == me {
                self.repair_locally(&state.key, &state.reconciled, out);
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

    pub(super) fn on_get_timeout(&mut self, req: ReqId, out: &mut NodeOutbox) {
        let Some(state) = self.gets.remove(&req) else { return };
        if state.replied {
            return;
        }
        let reply = Reply {
            op: state.op,
            coordinator: self.id,
            outcome: Outcome::Get {
                context: merged_clock(&state.reconciled),
                versions: state.reconciled,
                failure: Some(Failure::QuorumNotReached {
                    got: state.answers.len(),
                    need: state.need,
                }),
            },
            replicas: state.answers.iter().map(|(n, _)| *n).collect(),
        };
        self.reply(state.reply_to, reply, out);
    }

    /// Merges versions into this node's own store, tracing what it kept.
    pub(super) fn repair_locally(&mut self, key: &Key, versions: &[Version], out: &mut NodeOutbox) {
        self.store_versions(key, versions, StoreCause::Repair, out);
    }

    /// Stores versions one by one, tracing each one kept.
    pub(super) fn store_versions(&mut self, key: &Key, versions: &[Version], cause: StoreCause, out: &mut NodeOutbox) {
        let me = self.id;
        for v in versions {
            let outcome = self.store.put(key, v.clone());
            if outcome.stored {
                let siblings = outcome.siblings;
                out.trace(|| Event::Stored {
                    node: me,
                    key: key.clone(),
                    version: v.clone(),
                    siblings,
                    cause,
                });
            }
        }
    }
}
