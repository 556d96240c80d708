//! What waits on the engine's virtual clock ([`Scheduled`]): a message on
//! its way ([`Envelope`]) or a node's or a client's timer.

use crate::core::client::ClientTimer;
use crate::core::ids::{ClientId, Endpoint, MsgId, NodeId};
use crate::core::message::{Message, MsgKind};
use crate::core::node::NodeTimer;

/// A message on its way.
#[derive(Clone, Debug)]
pub(super) struct Envelope {
    pub(super) msg: MsgId,
    pub(super) kind: MsgKind,
    pub(super) from: Endpoint,
    /// The sender's incarnation when it sent: a message from a node that has
    /// since crashed is lost with it.
    pub(super) from_epoch: u32,
    pub(super) to: Endpoint,
    pub(super) message: Box<Message>,
}

/// Something waiting on the virtual clock.
#[derive(Clone, Debug)]
pub(super) enum Scheduled {
    Deliver(Envelope),
    NodeTimer {
        node: NodeId,
        epoch: u32,
        timer: NodeTimer,
    },
    ClientTimer {
        client: ClientId,
        timer: ClientTimer,
    },
    /// An open-loop workload's arrival (see [`super::arrivals`]); one of an
    /// older workload does nothing.
    Arrival {
        generation: u32,
        seq: u64,
    },
}
