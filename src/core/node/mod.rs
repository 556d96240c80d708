//! The node state machine, sans IO.
//!
//! A [`Node`] owns one replica's storage and the requests it coordinates. The
//! engine feeds it inputs (a message, a timer firing) together with the
//! current virtual time and carries out the effects it leaves in the
//! [`Outbox`]. It never touches a socket, a clock or a global random number
//! generator, so the same inputs always produce the same effects.
//!
//! The work is split by role: [`routing`] decides who coordinates a client
//! request, [`put`] and [`get`] coordinate, [`replica`] answers coordinators.

mod get;
mod handoff;
mod put;
mod replica;
mod routing;
mod slots;

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::config::Settings;
use super::hints::HintStore;
use super::ids::{Endpoint, NodeId, OpId};
use super::message::{Message, ReqId};
use super::outbox::Outbox;
use super::ring::{NodeList, Ring};
use super::store::Store;
use super::time::Time;

pub use get::GetState;
pub use handoff::HANDOFF_BATCH;
pub use put::{MAX_ROUNDS, PutState};
pub use routing::{ForwardState, forward_timeout};

/// A timer a node set for itself.
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
}

/// What survives a crash: the node's disk.
#[derive(Clone, Debug, Default)]
pub struct Disk {
    pub store: Store,
    /// Hinted versions are stored like data.
    pub hints: HintStore,
    /// How many times the node has started.
    pub incarnation: u32,
}

/// One Dynamo node.
#[derive(Debug)]
pub struct Node {
    id: NodeId,
    settings: Arc<Settings>,
    ring: Arc<Ring>,
    store: Store,
    hints: HintStore,
    incarnation: u32,
    next_req: u64,
    puts: FxHashMap<ReqId, PutState>,
    gets: FxHashMap<ReqId, GetState>,
    forwards: FxHashMap<OpId, ForwardState>,
    handoffs: FxHashMap<u64, handoff::InFlight>,
    next_batch: u64,
}

/// The outbox a node writes to.
pub type NodeOutbox = Outbox<NodeTimer>;

impl Node {
    /// A node with empty storage.
    pub fn new(id: NodeId, settings: Arc<Settings>, ring: Arc<Ring>) -> Node {
        Node::recover(id, settings, ring, Disk::default())
    }

    /// A node restarted on what its disk kept. It does nothing on its own
    /// until it receives [`NodeTimer::Boot`].
    pub fn recover(id: NodeId, settings: Arc<Settings>, ring: Arc<Ring>, disk: Disk) -> Node {
        Node {
            id,
            settings,
            ring,
            store: disk.store,
            hints: disk.hints,
            incarnation: disk.incarnation,
            next_req: 0,
            puts: FxHashMap::default(),
            gets: FxHashMap::default(),
            forwards: FxHashMap::default(),
            handoffs: FxHashMap::default(),
            next_batch: 0,
        }
    }

    /// Crash-stop: everything in memory is lost, the disk survives.
    pub fn crash(self) -> Disk {
        Disk {
            store: self.store,
            hints: self.hints,
            incarnation: self.incarnation + 1,
        }
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Versions this node keeps for other nodes.
    pub fn hints(&self) -> &HintStore {
        &self.hints
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// How many requests this node is coordinating or forwarding right now.
    pub fn coordinating(&self) -> usize {
        self.puts.len() + self.gets.len() + self.forwards.len()
    }

    pub fn set_settings(&mut self, settings: Arc<Settings>) {
        self.settings = settings;
    }

    pub fn set_ring(&mut self, ring: Arc<Ring>) {
        self.ring = ring;
    }

    /// Handles one message that arrived from `from` at `now`.
    pub fn handle_message(&mut self, now: Time, from: Endpoint, msg: Message, out: &mut NodeOutbox) {
        match msg {
            Message::Request(req) => self.on_client_request(now, from, req, out),
            Message::Forward(req) => self.coordinate(now, from, req, out),
            Message::ForwardReply(reply) => self.on_forward_reply(now, reply, out),
            Message::Replicate {
                req,
                key,
                version,
                hint,
            } => self.on_replicate(from, req, key, version, hint, out),
            Message::Ack { req } => self.on_ack(from, req, out),
            Message::Read { req, key } => self.on_read(from, req, &key, out),
            Message::ReadReply { req, versions } => self.on_read_reply(from, req, versions, out),
            Message::Repair { key, versions } => self.on_repair(&key, &versions, out),
            Message::Handoff { batch, hints } => self.on_handoff(from, batch, hints, out),
            Message::HandoffAck { batch } => self.on_handoff_ack(batch, out),
            // Replies go to clients; a node that gets one ignores it.
            Message::Reply(_) => {}
        }
    }

    /// Handles a timer this node set earlier.
    pub fn handle_timer(&mut self, now: Time, timer: NodeTimer, out: &mut NodeOutbox) {
        match timer {
            NodeTimer::Boot => out.timer(self.first_handoff_delay(), NodeTimer::HandoffTick),
            NodeTimer::Request(req) => {
                let _ = self.on_put_timeout(req, out) || self.on_get_timeout(req, out);
            }
            NodeTimer::HintAfter(req) => {
                let _ = self.on_put_hint_after(req, out) || self.on_get_hint_after(req, out);
            }
            NodeTimer::Forward { op, attempt } => self.on_forward_timeout(now, op, attempt, out),
            NodeTimer::HandoffTick => self.on_handoff_tick(now, out),
        }
    }

    /// True when this node believes `node` is down. (Until membership
    /// gossip exists, a node learns of failures only through timeouts.)
    fn sees_down(&self, _node: NodeId) -> bool {
        false
    }

    /// The key's preference list as this node sees the ring.
    fn preference_list(&self, key: &str) -> NodeList {
        self.ring.preference_list(key, self.settings.replicas)
    }

    fn new_req(&mut self) -> ReqId {
        self.next_req += 1;
        ReqId(self.next_req)
    }

    /// Sends a reply to whoever asked: the client itself, or the node that
    /// forwarded the request.
    fn reply(&self, to: Endpoint, reply: super::message::Reply, out: &mut NodeOutbox) {
        let msg = match to {
            Endpoint::Client(_) => Message::Reply(reply),
            Endpoint::Node(_) => Message::ForwardReply(reply),
        };
        out.send(to, msg);
    }
}

#[cfg(test)]
mod tests;
