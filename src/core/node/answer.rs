//! A coordinated put's or get's one reply: sent once its quorum is met, or
//! with the failure that ends it (see [`Coordinating`]).

use super::coordinated::Coordinating;
use super::machine::Node;
use super::timer::NodeOutbox;
use crate::core::message::{Failure, Reply};

impl Node {
    /// Answers the request with success once its quorum is met; true when
    /// it answered now.
    pub(super) fn answer_at_quorum(&self, state: &mut impl Coordinating, out: &mut NodeOutbox) -> bool {
        let request = state.request();
        if request.replied || !request.quorum_met() {
            return false;
        }
        self.answer(state, None, out);
        true
    }

    /// Answers the request with `failure`, unless it was answered already.
    /// (No rollback: replicas that stored a put's version keep it.)
    pub(super) fn fail(&self, state: &mut impl Coordinating, failure: Failure, out: &mut NodeOutbox) {
        if !state.request().replied {
            self.answer(state, Some(failure), out);
        }
    }

    fn answer(&self, state: &mut impl Coordinating, failure: Option<Failure>, out: &mut NodeOutbox) {
        let (outcome, replicas) = state.outcome(&self.settings, failure);
        let request = state.request();
        request.replied = true;
        let reply = Reply {
            op: request.op,
            coordinator: self.id,
            outcome,
            replicas,
        };
        self.reply(request.reply_to, reply, out);
    }
}
