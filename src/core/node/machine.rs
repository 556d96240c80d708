//! [`Node`], the node state machine: its state, the contract it keeps with
//! whoever drives it, and its entry points (every input a `handle_*` with
//! the current virtual time). What it does with each input is in the file
//! of the duty concerned (see the module's doc).

use std::collections::BTreeMap;
use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;

use super::disk::Disk;
use super::forest::Forest;
use super::pending::{ForwardState, GetState, HandoffInFlight, Owed, PutState, TransferInFlight};
use super::timer::{NodeOutbox, NodeTimer};
use crate::core::clock::VClock;
use crate::core::config::Settings;
use crate::core::dots::DotCounters;
use crate::core::hints::HintStore;
use crate::core::ids::{Endpoint, NodeId, OpId};
use crate::core::membership::{Liveness, Membership};
use crate::core::message::{Message, ReqId};
use crate::core::ring::{NodeList, Ring};
use crate::core::store::Store;
use crate::core::time::Time;
use crate::core::version::{Key, Siblings};

/// The fields of a [`Message::Replicate`], as [`Node::handle_message`] hands them to the replica side.
pub(super) struct Replicate {
    pub req: ReqId,
    pub key: Key,
    pub versions: Siblings,
    pub context: VClock,
    pub hint: Option<NodeId>,
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
    pub(super) id: NodeId,
    pub(super) settings: Arc<Settings>,
    pub(super) ring: Arc<Ring>,
    pub(super) store: Store,
    pub(super) hints: HintStore,
    pub(super) membership: Membership,
    pub(super) incarnation: u32,
    /// See [`Disk::counter`].
    pub(super) counter: u32,
    /// See [`Disk::dots`].
    pub(super) dots: DotCounters,
    /// See [`Disk::next_stamp`].
    pub(super) next_stamp: u64,
    pub(super) rng: ChaCha8Rng,
    pub(super) next_req: u64,
    /// Requests in progress, boxed: they move in and out of the map on
    /// every answer.
    pub(super) puts: FxHashMap<ReqId, Box<PutState>>,
    pub(super) gets: FxHashMap<ReqId, Box<GetState>>,
    /// The deadlines of those requests.
    pub(super) deadlines: crate::core::deadlines::Deadlines<NodeTimer>,
    pub(super) forwards: FxHashMap<OpId, ForwardState>,
    pub(super) handoffs: FxHashMap<u64, HandoffInFlight>,
    pub(super) next_batch: u64,
    /// The ring view changed since this node first started (this
    /// incarnation or an earlier one, see [`Disk::ring_changed`]): stores
    /// must check whether this node still owns what it is given, and a
    /// restart looks for keys to hand over.
    pub(super) view_changed: bool,
    /// Keys to stream on after a ring change, and to whom.
    pub(super) handover: BTreeMap<Key, Owed>,
    pub(super) transfers: FxHashMap<u64, TransferInFlight>,
    pub(super) transfer_ticking: bool,
    /// Where the next transfer round starts in `handover`.
    pub(super) transfer_cursor: Option<Key>,
    /// Peers gossiped to in the last round that have not answered yet.
    pub(super) gossip_unanswered: smallvec::SmallVec<[NodeId; 4]>,
    /// Merkle trees of the ranges this node replicates.
    pub(super) forest: Forest,
    /// After leaving: a peer answered gossip that said so.
    pub(super) departure_heard: bool,
}

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
                let replicate = Replicate {
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
    pub(super) fn sees_down(&self, node: NodeId) -> bool {
        self.membership.liveness(node, self.settings.down_confirmations) == Liveness::Down
    }

    /// The key's preference list as this node sees the ring.
    pub(super) fn preference_list(&self, key: &str) -> NodeList {
        self.ring.preference_list(key, self.settings.replicas)
    }

    pub(super) fn new_req(&mut self) -> ReqId {
        self.next_req += 1;
        ReqId(self.next_req)
    }

    /// Sends a reply to whoever asked: the client itself, or the node that
    /// forwarded the request.
    pub(super) fn reply(&self, to: Endpoint, reply: crate::core::message::Reply, out: &mut NodeOutbox) {
        let msg = match to {
            Endpoint::Client(_) => Message::Reply(reply),
            Endpoint::Node(_) => Message::ForwardReply(reply),
        };
        out.send(to, msg);
    }
}
