//! The node state machine, sans IO.
//!
//! A [`Node`] owns one replica's storage, the hints it keeps for others, its
//! membership view and the requests it coordinates. The engine feeds it
//! inputs (a message, a timer firing, a settings change) together with the
//! current virtual time and carries out the effects it leaves in the
//! [`Outbox`]. It never touches a socket, a clock or a global random number
//! generator (its own generator is seeded by the engine), so the same inputs
//! always produce the same effects: see [`Node`] for the whole contract.
//!
//! The work is split by role: [`routing`] decides who coordinates a client
//! request, [`put`] and [`get`] coordinate (with [`slots`] placing copies and
//! [`coordinated`] holding what the two share, their one reply included),
//! [`replica`] answers coordinators, [`storing`] lands every version this
//! node keeps and notes what it overwrote, [`handoff`] returns hints, [`gossip`]
//! keeps the membership view and [`transfer`] streams keys a node no longer
//! owns to their new owners.

mod anti_entropy;
mod coordinated;
mod get;
mod gossip;
mod handoff;
mod put;
mod replica;
mod routing;
mod slots;
mod storing;
mod transfer;

use std::collections::BTreeMap;
use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;

use super::config::Settings;
use super::dots::DotCounters;
use super::hints::HintStore;
use super::ids::{Endpoint, NodeId, OpId};
use super::membership::{Liveness, Membership};
use super::message::{Message, ReqId};
use super::outbox::Outbox;
use super::ring::{NodeList, Ring};
use super::store::Store;
use super::time::Time;
use super::version::Key;

pub use anti_entropy::{Forest, MerkleTop};
pub use get::GetState;
pub use handoff::HANDOFF_BATCH;
pub use put::{MAX_ROUNDS, PutState};
pub use routing::{ForwardState, forward_timeout};

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

/// What survives a crash: the node's disk.
#[derive(Clone, Debug)]
pub struct Disk {
    pub store: Store,
    /// Hinted versions are stored like data.
    pub hints: HintStore,
    /// The membership list, with this node's tokens.
    pub membership: Membership,
    /// The ring as this node last saw it.
    pub ring: Arc<Ring>,
    /// How many times the node has crashed: its next generation.
    pub incarnation: u32,
    /// The highest counter this node has put in a clock, for any key.
    pub counter: u32,
    /// The last dot this node issued for each key in dotted mode, kept even
    /// for keys it handed away: see [`DotCounters`].
    pub dots: DotCounters,
    /// The lowest timestamp (virtual microseconds) this node may give its
    /// next version: one past the last it gave (see `Node::next_stamp`).
    pub next_stamp: u64,
    /// The ring changed since this node first started (see
    /// `Node::view_changed`). Kept on disk: a node that crashed after a join
    /// or a leave, before it had handed on what it no longer owns, must look
    /// for it again when it restarts, and must go on checking what it is
    /// given, or a version only it holds stays stranded on it.
    pub ring_changed: bool,
}

impl Disk {
    /// The disk of a node of the initial cluster: it knows every member.
    pub fn initial(me: NodeId, ring: Arc<Ring>, seeds: Vec<NodeId>) -> Disk {
        Disk {
            store: Store::new(),
            hints: HintStore::new(),
            membership: Membership::initial(me, &ring, seeds, Time::ZERO),
            ring,
            incarnation: 0,
            counter: 0,
            dots: DotCounters::default(),
            next_stamp: 0,
            ring_changed: false,
        }
    }

    /// The disk of a node that joins `cluster`: it knows only itself and
    /// the seeds (its ring views are the cluster's, see [`Ring::adopt`]).
    pub fn joining(me: NodeId, tokens: Vec<u64>, seeds: Vec<NodeId>, now: Time, cluster: &Ring) -> Disk {
        let membership = Membership::alone(me, 0, tokens.into(), seeds, now);
        let ring = cluster.adopt(membership.ring());
        Disk {
            store: Store::new(),
            hints: HintStore::new(),
            membership,
            ring,
            incarnation: 0,
            counter: 0,
            dots: DotCounters::default(),
            next_stamp: 0,
            ring_changed: false,
        }
    }
}

/// One Dynamo node, a state machine the engine drives.
///
/// Its contract with whoever drives it:
/// - Every input is a `handle_*` call carrying the current virtual time:
///   [`Node::handle_message`] for a message that arrived,
///   [`Node::handle_timer`] for a timer the node set (and
///   [`NodeTimer::Boot`] once after [`Node::new`] or [`Node::recover`]),
///   [`Node::handle_settings`] for a change of the cluster's settings. Time
///   passed to successive calls never goes back.
/// - Every output is an effect left in the [`NodeOutbox`] passed to that
///   call: a message to send, a timer to set, a trace event or a note. The
///   node keeps no handle on the world: it never sends, sleeps, reads a
///   clock or draws from a global generator (its own is seeded by
///   [`Node::recover`]), so the same inputs at the same times always leave
///   the same effects.
/// - Between inputs it may be looked at through its `&self` methods,
///   stopped by [`Node::crash`] (which hands back its [`Disk`]) and started
///   again from that disk by [`Node::recover`].
#[derive(Clone, Debug)]
pub struct Node {
    id: NodeId,
    settings: Arc<Settings>,
    ring: Arc<Ring>,
    store: Store,
    hints: HintStore,
    membership: Membership,
    incarnation: u32,
    /// See [`Disk::counter`].
    counter: u32,
    /// See [`Disk::dots`].
    dots: DotCounters,
    /// See [`Disk::next_stamp`].
    next_stamp: u64,
    rng: ChaCha8Rng,
    next_req: u64,
    /// Requests in progress, boxed: they move in and out of the map on
    /// every answer.
    puts: FxHashMap<ReqId, Box<PutState>>,
    gets: FxHashMap<ReqId, Box<GetState>>,
    /// The deadlines of those requests.
    deadlines: crate::core::deadlines::Deadlines<NodeTimer>,
    forwards: FxHashMap<OpId, ForwardState>,
    handoffs: FxHashMap<u64, handoff::InFlight>,
    next_batch: u64,
    /// The ring view changed since this node first started (this
    /// incarnation or an earlier one, see [`Disk::ring_changed`]): stores
    /// must check whether this node still owns what it is given, and a
    /// restart looks for keys to hand over.
    view_changed: bool,
    /// Keys to stream on after a ring change, and to whom.
    handover: BTreeMap<Key, transfer::Owed>,
    transfers: FxHashMap<u64, transfer::InFlight>,
    transfer_ticking: bool,
    /// Where the next transfer round starts in `handover`.
    transfer_cursor: Option<Key>,
    /// Peers gossiped to in the last round that have not answered yet.
    gossip_unanswered: smallvec::SmallVec<[NodeId; 4]>,
    /// Merkle trees of the ranges this node replicates.
    forest: Forest,
    /// After leaving: a peer answered gossip that said so.
    departure_heard: bool,
}

/// The outbox a node writes to.
pub type NodeOutbox = Outbox<NodeTimer>;

impl Node {
    /// A node of a fresh cluster described by `ring`, with empty storage.
    pub fn new(id: NodeId, settings: Arc<Settings>, ring: Arc<Ring>) -> Node {
        let disk = Disk::initial(id, ring, Vec::new());
        Node::recover(id, settings, disk, 0)
    }

    /// A node restarted on what its disk kept; `seed` drives its random
    /// choices (gossip peers). It does nothing on its own until it receives
    /// [`NodeTimer::Boot`].
    pub fn recover(id: NodeId, settings: Arc<Settings>, disk: Disk, seed: u64) -> Node {
        let mut node = Node {
            id,
            settings,
            ring: disk.ring,
            store: disk.store,
            hints: disk.hints,
            membership: disk.membership,
            incarnation: disk.incarnation,
            counter: disk.counter,
            dots: disk.dots,
            next_stamp: disk.next_stamp,
            rng: ChaCha8Rng::seed_from_u64(seed),
            next_req: 0,
            puts: FxHashMap::default(),
            gets: FxHashMap::default(),
            deadlines: crate::core::deadlines::Deadlines::new(NodeTimer::Wake),
            forwards: FxHashMap::default(),
            handoffs: FxHashMap::default(),
            next_batch: 0,
            view_changed: disk.ring_changed,
            handover: BTreeMap::new(),
            transfers: FxHashMap::default(),
            transfer_ticking: false,
            transfer_cursor: None,
            gossip_unanswered: smallvec::SmallVec::new(),
            forest: Forest::default(),
            departure_heard: false,
        };
        node.rebuild_forest();
        node
    }

    /// Crash-stop: everything in memory is lost, the disk survives, and the
    /// next start is a new incarnation (a higher generation in gossip).
    pub fn crash(self) -> Disk {
        let mut disk = self.into_disk();
        disk.incarnation += 1;
        disk
    }

    /// The disk as it is, without a crash (to look at a dead node's disk).
    pub fn into_disk(self) -> Disk {
        Disk {
            store: self.store,
            hints: self.hints,
            membership: self.membership,
            ring: self.ring,
            incarnation: self.incarnation,
            counter: self.counter,
            dots: self.dots,
            next_stamp: self.next_stamp,
            ring_changed: self.view_changed,
        }
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Looks up, without acting on them, the stored keys that `messages`
    /// name. A node's store is far larger than any cache, so each message
    /// handled in turn would wait for its key's entry from memory, one
    /// after the other; looked up together first, the waits overlap, and
    /// handling then finds the entries in the cache. Changes nothing.
    pub fn prefetch<'m>(&self, messages: impl IntoIterator<Item = &'m Message>) {
        for key in messages.into_iter().filter_map(Message::key) {
            std::hint::black_box(self.store.versions(key).len());
        }
    }

    /// Versions this node keeps for other nodes.
    pub fn hints(&self) -> &HintStore {
        &self.hints
    }

    /// What this node believes about the cluster.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// The ring as this node sees it.
    pub fn ring(&self) -> &Arc<Ring> {
        &self.ring
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// How many requests this node is coordinating or forwarding right now.
    pub fn coordinating(&self) -> usize {
        self.puts.len() + self.gets.len() + self.forwards.len()
    }

    /// True once this node has handed everything on, left the cluster and
    /// heard a peer acknowledge it: it has stopped.
    pub fn has_left(&self) -> bool {
        self.membership.own_status() == crate::core::membership::MemberStatus::Left && self.departure_heard
    }

    /// True while this node has left but no peer has confirmed it heard:
    /// it keeps gossiping, and does nothing else, so that the cluster does
    /// not wait forever for a member that silently vanished.
    pub fn is_departing(&self) -> bool {
        self.membership.own_status() == crate::core::membership::MemberStatus::Left && !self.departure_heard
    }

    /// How many keys wait to be streamed to their new owners.
    pub fn handing_over(&self) -> usize {
        self.handover.len()
    }

    /// The cluster's settings changed at `now`: the node follows them from
    /// its next input on. A change of N or of the Merkle depth rebuilds its
    /// trees; switching anti-entropy on or off changes whether writes keep
    /// them up to date. (It leaves no effect in `out` today; it takes one so
    /// that what a settings change does is an effect like any other.)
    pub fn handle_settings(&mut self, _now: Time, settings: Arc<Settings>, _out: &mut NodeOutbox) {
        let rebuild =
            settings.replicas != self.settings.replicas || settings.merkle_depth != self.settings.merkle_depth;
        let switched = settings.anti_entropy_interval.is_some() != self.settings.anti_entropy_interval.is_some();
        self.settings = settings;
        if rebuild {
            self.rebuild_forest();
        } else if switched {
            self.follow_merkle_upkeep();
        }
    }

    /// Handles one message that arrived from `from` at `now`.
    pub fn handle_message(&mut self, now: Time, from: Endpoint, msg: Message, out: &mut NodeOutbox) {
        // A node that has left only gossips, until a peer has heard it left.
        if self.is_departing() && !matches!(msg, Message::Gossip { .. } | Message::GossipReply { .. }) {
            return;
        }
        match msg {
            Message::Request(req) => self.on_client_request(now, from, req, out),
            Message::Forward(req) => {
                let primaries = self.preference_list(&req.key);
                self.coordinate(now, from, req, &primaries, out)
            }
            Message::ForwardReply(reply) => self.on_forward_reply(now, reply, out),
            Message::Replicate {
                req,
                key,
                versions,
                context,
                hint,
            } => {
                let replicate = replica::Replicate {
                    req,
                    key,
                    versions,
                    context,
                    hint,
                };
                self.on_replicate(from, replicate, out)
            }
            Message::Ack { req } => self.on_ack(from, req, out),
            Message::Read { req, key } => self.on_read(from, req, &key, out),
            Message::ReadReply { req, versions } => self.on_read_reply(from, req, versions, out),
            Message::Repair { key, versions } => self.on_repair(&key, &versions, out),
            Message::Handoff { batch, hints } => self.on_handoff(from, batch, hints, out),
            Message::HandoffAck { batch } => self.on_handoff_ack(now, batch, out),
            Message::Gossip { digest } => self.on_gossip(now, from, &digest, out),
            Message::GossipReply { digest } => self.on_gossip_reply(now, from, &digest, out),
            Message::Transfer { batch, items } => self.on_transfer(from, batch, items, out),
            Message::TransferAck { batch, declined } => self.on_transfer_ack(now, batch, &declined, out),
            msg @ (Message::MerkleHashes { .. }
            | Message::MerkleDigests { .. }
            | Message::MerkleKeys { .. }
            | Message::MerkleDone { .. }) => self.on_merkle(now, from, msg, out),
            // Replies go to clients; a node that gets one ignores it.
            Message::Reply(_) => {}
        }
    }

    /// Handles a timer this node set earlier.
    pub fn handle_timer(&mut self, now: Time, timer: NodeTimer, out: &mut NodeOutbox) {
        if self.is_departing() && !matches!(timer, NodeTimer::GossipTick) {
            return;
        }
        match timer {
            NodeTimer::Boot => self.on_boot(now, out),
            NodeTimer::Request(req) => {
                let _ = self.on_put_timeout(req, out) || self.on_get_timeout(req, out);
            }
            NodeTimer::HintAfter(req) => {
                let _ = self.on_put_hint_after(now, req, out) || self.on_get_hint_after(now, req, out);
            }
            NodeTimer::Wake => self.on_wake(now, out),
            NodeTimer::Forward { op, attempt } => self.on_forward_timeout(now, op, attempt, out),
            NodeTimer::HandoffTick => self.on_handoff_tick(now, out),
            NodeTimer::GossipTick => self.on_gossip_tick(now, out),
            NodeTimer::TransferTick => self.on_transfer_tick(now, out),
            NodeTimer::AntiEntropyTick => self.on_anti_entropy_tick(now, out),
            NodeTimer::Leave => self.on_leave(now, out),
        }
    }

    /// Fires the request deadlines that are due, then makes sure a wake-up
    /// comes by the next one that still matters.
    fn on_wake(&mut self, now: Time, out: &mut NodeOutbox) {
        while let Some(timer) = self.deadlines.pop_due(now) {
            self.handle_timer(now, timer, out);
        }
        let (puts, gets) = (&self.puts, &self.gets);
        self.deadlines.rearm(
            now,
            |timer| match timer {
                NodeTimer::Request(req) | NodeTimer::HintAfter(req) => puts.contains_key(req) || gets.contains_key(req),
                _ => true,
            },
            out,
        );
    }

    /// Starts the periodic work of a new incarnation.
    fn on_boot(&mut self, now: Time, out: &mut NodeOutbox) {
        if self.incarnation > 0 {
            self.membership.restart(self.incarnation, now);
        }
        out.timer(self.first_handoff_delay(), NodeTimer::HandoffTick);
        self.start_anti_entropy(out);
        self.start_gossip(now, out);
        self.find_handover(None);
        self.ensure_transfer_tick(out);
    }

    /// True when this node believes `node` is down.
    fn sees_down(&self, node: NodeId) -> bool {
        self.membership.liveness(node, self.settings.down_confirmations) == Liveness::Down
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
