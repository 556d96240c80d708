//! What a node keeps in memory about work under way: the puts and gets it
//! coordinates, the requests it forwarded, the handoff and transfer batches
//! that wait for an acknowledgement, and what it still owes for each key
//! after a ring change. The files of each duty fill and read them; the
//! [`Node`](super::machine::Node) holds them. A crash loses all of it.

use smallvec::SmallVec;

use super::coordinated::Coordinated;
use crate::core::clock::VClock;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::message::Request;
use crate::core::ring::NodeList;
use crate::core::version::{Key, Siblings, Version};

/// A put this node coordinates.
#[derive(Clone, Debug)]
pub struct PutState {
    pub(super) request: Coordinated,
    /// The new version's whole history, as the reply reports it.
    pub(super) clock: VClock,
    /// What replicas (and stand-ins) are sent.
    pub(super) payload: Siblings,
    /// The client's context, so that replicas can tell a lost write.
    pub(super) context: VClock,
}

/// A get this node coordinates.
#[derive(Clone, Debug)]
pub struct GetState {
    pub(super) request: Coordinated,
    pub(super) asked: usize,
    /// Who answered, what they hold (as far as this coordinator knows,
    /// repairs included), and whether they are a primary of the key.
    pub(super) answers: SmallVec<[(NodeId, Siblings, bool); 4]>,
    pub(super) reconciled: Vec<Version>,
}

/// A request this node passed on and waits to relay the answer of.
#[derive(Clone, Debug)]
pub struct ForwardState {
    pub(super) client: Endpoint,
    pub(super) request: Request,
    pub(super) candidates: NodeList,
    pub(super) attempt: u32,
}

/// A handoff message waiting for its acknowledgement.
#[derive(Clone, Debug)]
pub struct HandoffInFlight {
    pub(super) owner: NodeId,
    pub(super) hints: Vec<(Key, Vec<Version>)>,
}

/// What this node still owes for one key.
#[derive(Clone, Debug, Default)]
pub struct Owed {
    /// Drop the key once every owner acknowledged it (this node no longer owns it).
    pub(super) release: bool,
    /// For a key this node keeps: the new owners it must reach.
    pub(super) gained: SmallVec<[NodeId; 2]>,
    /// Nodes that acknowledged the versions this node holds now.
    pub(super) acked: SmallVec<[NodeId; 4]>,
}

/// A transfer message waiting for its acknowledgement.
#[derive(Clone, Debug)]
pub struct TransferInFlight {
    pub(super) to: NodeId,
    pub(super) items: Vec<(Key, Vec<Version>)>,
}
