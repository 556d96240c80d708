//! Coordinating a put: make the new clock, store it, replicate to the other
//! replicas, answer once W of them (this node included) have stored it.

use smallvec::SmallVec;

use super::{Node, NodeOutbox, NodeTimer};
use crate::core::clock::VClock;
use crate::core::ids::{Endpoint, NodeId, OpId};
use crate::core::message::{Failure, Message, Outcome, Reply, ReqId};
use crate::core::time::Time;
use crate::core::trace::{Event, StoreCause};
use crate::core::version::{Key, Value, Version};

/// A put this node coordinates.
#[derive(Debug)]
pub struct PutState {
    op: OpId,
    reply_to: Endpoint,
    clock: VClock,
    need: usize,
    /// Replicas asked to store, besides this node.
    targets: SmallVec<[NodeId; 4]>,
    /// Replicas that stored it, this node first.
    acked: SmallVec<[NodeId; 4]>,
    replied: bool,
}

impl Node {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn coordinate_put(
        &mut self,
        _now: Time,
        reply_to: Endpoint,
        op: OpId,
        key: Key,
        value: Value,
        context: VClock,
        w: Option<usize>,
        out: &mut NodeOutbox,
    ) {
        let me = self.id;
        let clock = self.next_clock(&key, &context);
        let version = Version {
            value,
            clock: clock.clone(),
        };
        let outcome = self.store.put(&key, version.clone());
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

        let req = self.new_req();
        let targets: SmallVec<[NodeId; 4]> = self.preference_list(&key).into_iter().filter(|&n| n != me).collect();
        for &target in &targets {
            out.send(
                Endpoint::Node(target),
                Message::Replicate {
                    req,
                    key: key.clone(),
                    version: version.clone(),
                },
            );
        }
        let mut state = PutState {
            op,
            reply_to,
            clock,
            need: w.unwrap_or(self.settings.write_quorum),
            targets,
            acked: smallvec::smallvec![me],
            replied: false,
        };
        self.maybe_answer_put(&mut state, out);
        out.timer(self.settings.request_timeout, NodeTimer::Request(req));
        self.puts.insert(req, state);
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
        if state.targets.contains(&node) && !state.acked.contains(&node) {
            state.acked.push(node);
        }
        self.maybe_answer_put(&mut state, out);
        // Done once every replica stored it; otherwise wait for the rest.
        if state.acked.len() <= state.targets.len() {
            self.puts.insert(req, state);
        }
    }

    fn maybe_answer_put(&self, state: &mut PutState, out: &mut NodeOutbox) {
        if state.replied || state.acked.len() < state.need {
            return;
        }
        state.replied = true;
        let reply = Reply {
            op: state.op,
            coordinator: self.id,
            outcome: Outcome::Put {
                clock: state.clock.clone(),
                failure: None,
            },
            replicas: state.acked.clone(),
        };
        self.reply(state.reply_to, reply, out);
    }

    pub(super) fn on_put_timeout(&mut self, req: ReqId, out: &mut NodeOutbox) {
        let Some(state) = self.puts.remove(&req) else { return };
        if state.replied {
            return;
        }
        // No rollback: replicas that stored the version keep it.
        let reply = Reply {
            op: state.op,
            coordinator: self.id,
            outcome: Outcome::Put {
                clock: state.clock,
                failure: Some(Failure::QuorumNotReached {
                    got: state.acked.len(),
                    need: state.need,
                }),
            },
            replicas: state.acked,
        };
        self.reply(state.reply_to, reply, out);
    }
}
