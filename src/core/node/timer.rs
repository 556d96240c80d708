//! [`NodeTimer`], the timers a node sets for itself, and [`NodeOutbox`],
//! the outbox every input of a node writes its effects to.

use crate::core::ids::OpId;
use crate::core::message::ReqId;
use crate::core::outbox::Outbox;

/// A timer a node set for itself (or the engine set for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeTimer {
    /// The node (re)started: set up its periodic work.
    Boot,
    /// The coordinator's deadline for request `ReqId`.
    Request(ReqId),
    /// Replicas of `ReqId` that have not answered by now count as down.
    HintAfter(ReqId),
    /// The deadline for forward attempt `attempt` of client op `op`.
    Forward { op: OpId, attempt: u32 },
    /// Time to hand hints back to their owners.
    HandoffTick,
    /// Time to raise the heartbeat and gossip.
    GossipTick,
    /// Time to stream keys this node no longer owns.
    TransferTick,
    /// Time to start an anti-entropy session.
    AntiEntropyTick,
    /// The node was asked to leave the cluster.
    Leave,
    /// The earliest request deadline may have come (see [`crate::core::deadlines`]).
    Wake,
}

/// The outbox a node writes to.
pub type NodeOutbox = Outbox<NodeTimer>;
