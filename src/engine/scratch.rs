//! [`Scratch`]: the buffers the engine reuses from window to window while
//! it carries one out (see `run.rs`), with what they hold: a window's
//! effects other than the nodes' ([`Item`]) and the clients' inputs
//! ([`ClientInput`]).

use super::local_timers::LocalTimers;
use crate::core::client::ClientTimer;
use crate::core::ids::{ClientId, Endpoint, MsgId, NodeId};
use crate::core::message::Message;
use crate::core::outbox::Effect;
use crate::core::time::Time;
use crate::core::trace::Event;

/// A window's effect that is not a node's.
pub(super) enum Item {
    Client(ClientId, Effect<ClientTimer>),
    Trace(Event),
}

pub(super) enum ClientInput {
    /// Still boxed: the message was written on the coordinator's core, and
    /// the clients read it while the nodes work, not while the window's
    /// events are being sorted out.
    Reply {
        msg: MsgId,
        from: Endpoint,
        message: Box<Message>,
    },
    Timer(ClientTimer),
    /// An open-loop workload's arrival number `seq`.
    Arrival(u64),
}

/// Buffers reused from window to window.
#[derive(Default)]
pub(super) struct Scratch {
    /// The window's effects other than the nodes', in the order they were gathered...
    pub(super) outputs: Vec<Option<Item>>,
    /// ...and, sorted, the canonical order to carry them out in: (time,
    /// endpoint order, stream, index into `outputs`). Sorting these small
    /// keys instead of the effects themselves saves moving whole messages.
    pub(super) order: Vec<(Time, u32, u8, u32)>,
    /// The clients' inputs, with their times and tie keys, in the queue's order.
    pub(super) client_inputs: Vec<(Time, u64, ClientId, ClientInput)>,
    /// Timers clients set inside the window that fall due inside it.
    pub(super) client_local: LocalTimers<(ClientId, ClientTimer)>,
    pub(super) active: Vec<NodeId>,
    /// A client's effects outside a window.
    pub(super) client_effects: Vec<Effect<ClientTimer>>,
}

impl Scratch {
    /// Gathers one effect of the window: `order` is the endpoint's rank
    /// (node index, or CLIENT_ORDER + client index), `stream` 0 for what
    /// the engine decided at delivery and 1 for what the endpoint did.
    pub(super) fn push(&mut self, at: Time, order: u32, stream: u8, item: Item) {
        self.order.push((at, order, stream, self.outputs.len() as u32));
        self.outputs.push(Some(item));
    }
}
