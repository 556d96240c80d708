//! What a put and a get share while their coordinator waits for replicas:
//! who asked, the quorum they need, the slots of their copies, and their one
//! reply, sent when the quorum is met or when it cannot be.

use smallvec::SmallVec;

use super::slots::Slots;
use crate::core::config::Settings;
use crate::core::ids::{Endpoint, NodeId, OpId};
use crate::core::message::{Failure, Outcome};
use crate::core::version::Key;

/// The part of a coordinated request that does not depend on its kind.
#[derive(Clone, Debug)]
pub(super) struct Coordinated {
    pub op: OpId,
    /// The client, or the node that forwarded the request.
    pub reply_to: Endpoint,
    pub key: Key,
    /// Slots that must answer: the W or R of the request.
    pub need: usize,
    /// Primaries that must answer: the PW or PR of the request.
    pub need_primaries: usize,
    pub slots: Slots,
    /// The one reply has been sent.
    pub replied: bool,
    /// `hint_after` rounds so far.
    pub rounds: u32,
}

impl Coordinated {
    /// Enough slots, and enough primaries, have answered.
    pub fn quorum_met(&self) -> bool {
        self.slots.answered() >= self.need && self.slots.primaries_answered() >= self.need_primaries
    }

    /// At the first `hint_after` round, the failure when too few primaries
    /// answered: under strict quorum only primaries count toward the
    /// quorum, and a PW or PR counts them always.
    pub fn primaries_short(&self, sloppy: bool) -> Option<Failure> {
        let got = self.slots.primaries_answered();
        if !sloppy && got < self.need {
            Some(Failure::PrimariesUnreachable { got, need: self.need })
        } else if got < self.need_primaries {
            Some(Failure::PrimariesUnreachable {
                got,
                need: self.need_primaries,
            })
        } else {
            None
        }
    }

    /// The failure at the coordinator's deadline.
    pub fn timed_out(&self) -> Failure {
        Failure::QuorumNotReached {
            got: self.slots.answered(),
            need: self.need,
        }
    }
}

/// A put's or a get's state, as the reply helpers see it.
pub(super) trait Coordinating {
    fn request(&mut self) -> &mut Coordinated;
    /// The outcome to answer with, given the failure (none: success), and
    /// the replicas the reply names.
    fn outcome(&self, settings: &Settings, failure: Option<Failure>) -> (Outcome, SmallVec<[NodeId; 4]>);
}
