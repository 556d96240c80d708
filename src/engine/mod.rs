//! The engine: runs a cluster of node tasks over the simulated network on a
//! virtual clock.
//!
//! The engine is the single runtime behind the headless runner, the TUI, the
//! benchmarks and the tests; they differ only in how fast they ask it to move
//! virtual time. It owns the clock, the event queue, the network and the
//! clients. Nodes live in their own tokio tasks and see only their inputs.
//!
//! Determinism: the engine processes virtual time in windows no longer than
//! the shortest latency or timeout (the *lookahead*), so nothing sent inside
//! a window can arrive inside it. A timer shorter than that (a deadline's
//! wake-up, a booting node's first ticks) fires inside the window, in the
//! place stepping one instant at a time would give it (see `local_timers`),
//! and a window ends at a joining node's first input, whose view, and with
//! it the clients' ring, may change there. All nodes with inputs in a window
//! work in parallel, and the engine carries out each node's batch the moment
//! it is back. Nothing it does with their effects depends on the order it
//! meets them in: each sender draws latencies from its own seeded generator,
//! and each event carries a tie key (sender, sender's count) that orders
//! events of one instant. What does depend on order (the notices the engine
//! acts on, see `core::notice`, and the trace) waits for the window's end and
//! comes out in a canonical order: time, then endpoint, then the order each
//! produced them (see `window_output`). The trace is output only: the engine
//! carries out a window the same way with it on or off. The same seed and the same
//! commands therefore give a byte-identical trace, on any runtime and any
//! machine, however the run is paced.

pub mod arrivals;
mod calendar;
pub mod checkpoint;
mod cluster;
mod local_timers;
pub mod network;
pub mod node_task;
mod order;
pub mod queue;
mod run;
mod scheduled;
mod scratch;
pub mod trace_buffer;
mod window_output;

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tokio::sync::{mpsc, oneshot};

use crate::core::client::{Client, ClientOp, ClientOutbox, OpKind, OpReport};
use crate::core::config::Settings;
use crate::core::hash::mix64;
use crate::core::ids::{ClientId, Endpoint, Names, NodeId, OpId};
use crate::core::membership::{Liveness, MemberStatus};
use crate::core::node::{Disk, MerkleTop, Node, NodeTimer};
use crate::core::notice::Notice;
use crate::core::ring::Ring;
use crate::core::time::{Dur, Time};
use crate::core::trace::{ClusterChange, Event, TraceEvent};
use crate::core::version::{Key, Version};

pub use cluster::{ClusterSpec, NodeSpec, check_name};
pub use node_task::NodeStats;

use network::Network;
use node_task::{Batch, NodeCmd};
use queue::EventQueue;
use scheduled::Scheduled;
use scratch::Scratch;
use trace_buffer::TraceBuffer;

/// How many trace events wait for a reader before the oldest are discarded.
pub const DEFAULT_TRACE_CAP: usize = 1 << 20;

/// Tries before parking when busy polling is on: enough to cover the
/// engine's serial part of a window at the benchmark's load.
const BUSY_POLL_TRIES: u32 = 200;

/// How many finished operations' results the engine remembers.
pub const REPORT_CAP: usize = 100_000;

/// The engine's record of one node.
struct Slot {
    alive: bool,
    /// It left the cluster for good.
    left: bool,
    /// Incarnation: rises on every revive.
    epoch: u32,
    inbox: Option<mpsc::UnboundedSender<NodeCmd>>,
    /// The disk of a dead node.
    disk: Option<Disk>,
    /// This node's batch buffers, when not out with the task.
    batch: Option<Box<Batch>>,
    stats: NodeStats,
    sent: u64,
    received: u64,
    /// Events this node has scheduled (messages, timers): the count in its
    /// tie keys (see [`Engine::tie`]).
    scheduled: u64,
}

/// What the UI and the runner can see of a node without touching it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeStatus {
    pub alive: bool,
    /// It left the cluster for good.
    pub left: bool,
    pub epoch: u32,
    pub stats: NodeStats,
    pub sent: u64,
    pub received: u64,
}

/// One entry of a node's membership list, as the UI and expectations see it.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberView {
    pub node: NodeId,
    pub status: MemberStatus,
    pub liveness: Liveness,
    pub generation: u32,
    pub heartbeat: u64,
    /// How long since the heartbeat last rose in this view.
    pub heartbeat_age: Dur,
    pub suspecters: Vec<NodeId>,
}

/// A node's membership list and the ring it makes.
#[derive(Clone, Debug, PartialEq)]
pub struct MembershipView {
    pub ring: Arc<Ring>,
    pub entries: Vec<MemberView>,
}

impl MembershipView {
    /// How this view sees `node` (up when it does not know it).
    pub fn liveness_of(&self, node: NodeId) -> Liveness {
        self.entries
            .iter()
            .find(|e| e.node == node)
            .map_or(Liveness::Up, |e| e.liveness)
    }
}

/// One replica's view of a key, for the inspector and expectations.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaView {
    pub node: NodeId,
    pub alive: bool,
    pub versions: Vec<Version>,
}

/// A concurrent write a coordinator's new clock superseded although the
/// client's context had not seen it: lost, as vector clocks with server ids
/// lose it.
#[derive(Clone, Debug, PartialEq)]
pub struct Overwrite {
    pub at: Time,
    pub node: NodeId,
    pub key: Key,
    pub lost: Version,
    pub by: Version,
    /// `by` only shadows `lost` (see [`Event::Shadowed`]): the loss comes
    /// later, when a merged context covers it.
    pub shadowed: bool,
}

/// Anti-entropy's running totals, since the start or the last settings change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AntiEntropyTotals {
    pub sessions: u64,
    /// Sessions whose replicas saw the range differently.
    pub skipped: u64,
    /// Sessions that found and repaired differences.
    pub repairing: u64,
    pub hashes_compared: u64,
    pub digests_compared: u64,
    pub keys_exchanged: u64,
    /// Deepest level any session descended to.
    pub levels: u8,
}

/// Takes a finished operation in the engine's place and returns the same
/// client's next operation, if any (see [`Engine::set_follow_up`]).
pub type FollowUp = Box<dyn FnMut(&OpReport) -> Option<(Key, OpKind)> + Send>;

/// The cluster runtime.
pub struct Engine {
    now: Time,
    seed: u64,
    queue: EventQueue<Scheduled>,
    names: Names,
    settings: Arc<Settings>,
    /// The cluster's ring: every member that joined (and was heard of) and
    /// has not begun to leave. Clients route by it; `KEY#I` walks it.
    ring: Arc<Ring>,
    seeds: Vec<NodeId>,
    /// Joiners not yet on `ring`: they are added once they reached a seed.
    joining: Vec<(NodeId, Vec<u64>)>,
    /// Nodes that finished leaving in the last window, to stop.
    departed: Vec<NodeId>,
    lookahead: Dur,
    /// How a node that joins without tokens places them.
    partitioning: crate::core::config::Partitioning,
    /// The last instant of the window being carried out.
    window_end: Time,
    slots: Vec<Slot>,
    clients: Vec<Client>,
    network: Network,
    trace: TraceBuffer,
    /// Notices and trace events, held while a window's batches are carried
    /// out as they return.
    window_output: window_output::WindowOutput,
    tracing: bool,
    /// How many times a wait for a batch or a command tries before parking
    /// (see [`node_task::recv`]); 0 unless the engine has the runtime to itself.
    busy_polls: u32,
    reports: FxHashMap<OpId, OpReport>,
    overwrites: Vec<Overwrite>,
    /// Overwrites recorded so far, as (key, lost, by).
    overwritten_seen: FxHashSet<(Key, Version, Version)>,
    /// Lost (or shadowed) versions traced so far: the trace shows each once.
    overwritten_traced: FxHashSet<(Key, Version, bool)>,
    anti_entropy: AntiEntropyTotals,
    /// Messages sent per kind, since the start or the last settings change.
    sent_by_kind: [u64; crate::core::message::MsgKind::ALL.len()],
    finished: std::collections::VecDeque<OpId>,
    watch: FxHashSet<OpId>,
    next_op: u64,
    /// Events the clients have scheduled: the count in their tie keys.
    client_scheduled: u64,
    done_tx: mpsc::UnboundedSender<Box<Batch>>,
    done_rx: mpsc::UnboundedReceiver<Box<Batch>>,
    client_outbox: ClientOutbox,
    scratch: Scratch,
    /// What takes finished operations instead of `reports`, if anything
    /// (see [`Engine::set_follow_up`]).
    follow_up: Option<FollowUp>,
    /// Set when a node's state machine panicked: the engine stops.
    failure: Option<String>,
    /// The open-loop workload, if one runs (see [`Engine::set_arrivals`]).
    arrivals: Option<Box<dyn arrivals::Arrivals>>,
    /// Counts workloads set, so that arrivals of a replaced one do nothing.
    arrival_generation: u32,
    /// Arrivals put on the calendar so far (every workload's).
    arrival_seq: u64,
    /// The instant of the last arrival put on the calendar.
    arrival_last: Option<Time>,
}

impl Engine {
    /// Builds the cluster and starts a task per node. Must be called inside
    /// a tokio runtime.
    pub fn new(spec: &ClusterSpec, seed: u64) -> Result<Engine, String> {
        let (names, ring) = spec.build()?;
        let warnings = spec.settings.validate(names.node_count())?;
        let settings = Arc::new(spec.settings.clone());
        let ring = Arc::new(ring);
        let seeds = spec.seed_ids(&names);
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        let mut engine = Engine {
            now: Time::ZERO,
            seed,
            queue: EventQueue::default(),
            lookahead: settings.lookahead(),
            partitioning: spec.partitioning,
            window_end: Time::ZERO,
            network: Network::new(mix64(seed ^ 0x6e65_7477), settings.latency, settings.drop_rate),
            names,
            settings,
            ring,
            seeds,
            joining: Vec::new(),
            departed: Vec::new(),
            slots: Vec::new(),
            clients: Vec::new(),
            trace: TraceBuffer::new(DEFAULT_TRACE_CAP),
            window_output: window_output::WindowOutput::default(),
            tracing: true,
            busy_polls: 0,
            reports: FxHashMap::default(),
            overwrites: Vec::new(),
            overwritten_seen: FxHashSet::default(),
            overwritten_traced: FxHashSet::default(),
            anti_entropy: AntiEntropyTotals::default(),
            sent_by_kind: [0; crate::core::message::MsgKind::ALL.len()],
            finished: std::collections::VecDeque::new(),
            watch: FxHashSet::default(),
            next_op: 0,
            client_scheduled: 0,
            done_tx,
            done_rx,
            client_outbox: ClientOutbox::new(true),
            scratch: Scratch::default(),
            follow_up: None,
            failure: None,
            arrivals: None,
            arrival_generation: 0,
            arrival_seq: 0,
            arrival_last: None,
        };
        for id in engine.names.node_ids().collect::<Vec<_>>() {
            let disk = Disk::initial(id, engine.ring.clone(), engine.seeds.clone());
            engine.add_slot(id, disk);
            engine.start_node(id);
        }
        for w in warnings {
            engine.trace.push(Time::ZERO, Event::Warning(w));
        }
        Ok(engine)
    }

    fn add_slot(&mut self, id: NodeId, disk: Disk) {
        self.slots.push(Slot {
            alive: false,
            left: false,
            epoch: 0,
            inbox: None,
            disk: Some(disk),
            batch: Some(Box::new(Batch::new(id))),
            stats: NodeStats::default(),
            sent: 0,
            received: 0,
            scheduled: 0,
        });
    }

    fn start_node(&mut self, id: NodeId) {
        let slot = &mut self.slots[id.index()];
        let disk = slot.disk.take().expect("a stopped node has its disk");
        let seed = mix64(self.seed ^ ((id.0 as u64) << 24) ^ ((slot.epoch as u64) << 48) ^ 0x6e6f_6465);
        let node = Node::recover(id, self.settings.clone(), disk, seed);
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(node_task::run(node, rx, self.done_tx.clone(), self.busy_polls));
        slot.inbox = Some(tx);
        slot.alive = true;
        slot.stats.coordinating = 0;
        let epoch = slot.epoch;
        let tie = self.tie(Endpoint::Node(id));
        self.queue.push(
            self.now,
            tie,
            Scheduled::NodeTimer {
                node: id,
                epoch,
                timer: NodeTimer::Boot,
            },
        );
    }

    // ---- what can be seen ----

    pub fn now(&self) -> Time {
        self.now
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Why the engine stopped, if a node's state machine panicked.
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    pub fn names(&self) -> &Names {
        &self.names
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    pub fn node_ids(&self) -> Vec<NodeId> {
        self.names.node_ids().collect()
    }

    pub fn is_alive(&self, node: NodeId) -> bool {
        self.slots.get(node.index()).is_some_and(|s| s.alive)
    }

    pub fn status(&self, node: NodeId) -> NodeStatus {
        let s = &self.slots[node.index()];
        NodeStatus {
            alive: s.alive,
            left: s.left,
            epoch: s.epoch,
            stats: s.stats,
            sent: s.sent,
            received: s.received,
        }
    }

    /// When the next scheduled event happens, if any.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek_time()
    }

    /// Events waiting on the clock (messages in flight and timers).
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    /// The context `client` would send with its next put of `key`.
    pub fn client_context(&self, client: ClientId, key: &str) -> Option<crate::core::clock::VClock> {
        self.clients.get(client.index()).and_then(|c| c.context(key).cloned())
    }

    // ---- the trace ----

    /// Turns trace recording on or off (benchmarks run with it off).
    pub fn set_tracing(&mut self, on: bool) {
        self.tracing = on;
        self.client_outbox.set_tracing(on);
    }

    /// The benchmark's hook: with `on`, the engine and its node tasks poll
    /// for each other's next batch or command for a while before parking
    /// their threads (see [`node_task::recv`]): faster when this engine has
    /// the runtime's threads to itself and runs flat out, wasteful when it
    /// shares them. Off by default; nothing else changes with it.
    pub fn set_busy_polling(&mut self, on: bool) {
        self.busy_polls = if on { BUSY_POLL_TRIES } else { 0 };
        for slot in &self.slots {
            if let Some(inbox) = &slot.inbox {
                let _ = inbox.send(NodeCmd::BusyPolling(self.busy_polls));
            }
        }
    }

    pub fn set_trace_cap(&mut self, cap: usize) {
        self.trace.set_cap(cap);
    }

    /// Hands every event traced from now on to `tap` as it is recorded
    /// (`None` removes it). Nothing the engine does depends on it.
    pub fn set_trace_tap(&mut self, tap: Option<Box<dyn trace_buffer::TraceTap>>) {
        self.trace.set_tap(tap);
    }

    /// The trace tap, if it is a `T`.
    pub fn trace_tap<T: trace_buffer::TraceTap>(&self) -> Option<&T> {
        let tap: &dyn std::any::Any = self.trace.tap()?;
        tap.downcast_ref::<T>()
    }

    /// The trace tap, if it is a `T`, to change.
    pub fn trace_tap_mut<T: trace_buffer::TraceTap>(&mut self) -> Option<&mut T> {
        let tap: &mut dyn std::any::Any = self.trace.tap_mut()?;
        tap.downcast_mut::<T>()
    }

    /// Moves every trace event recorded so far into `out`.
    pub fn drain_trace(&mut self, out: &mut Vec<TraceEvent>) {
        self.trace.drain_into(out);
    }

    /// Adds a scenario event (a caption, a step, an expectation) to the trace now.
    pub fn annotate(&mut self, event: Event) {
        self.trace.push(self.now, event);
    }

    // ---- clients and operations ----

    /// The id of client `name`, creating the client on first use.
    pub fn client(&mut self, name: &str) -> ClientId {
        let id = self.names.add_client(name);
        while self.clients.len() <= id.index() {
            let c = ClientId(self.clients.len() as u16);
            self.clients
                .push(Client::new(c, mix64(self.seed ^ (0x636c_0000 + c.0 as u64))));
        }
        id
    }

    /// Starts a get or a put now. Its result arrives as an [`OpReport`].
    pub fn submit(&mut self, client: ClientId, key: Key, kind: OpKind, via: Option<NodeId>) -> OpId {
        let op = self.start_op(self.now, client, key, kind, via);
        self.apply_client_effects(client);
        op
    }

    /// Hands every operation that finishes to `follow_up` instead of keeping
    /// its report for [`Engine::report`] and [`Engine::take_finished`]; the
    /// operation `follow_up` returns, if any, starts at once from the same
    /// client, at the instant the last one finished, inside the window. This
    /// is how a closed-loop load (see `bench::closed_loop`) keeps a fixed
    /// number of operations in flight without stopping the engine after
    /// every window to submit the next ones: serial work the node tasks would
    /// wait for. `None` keeps reports again.
    pub fn set_follow_up(&mut self, follow_up: Option<FollowUp>) {
        self.follow_up = follow_up;
    }

    /// Starts an open-loop workload (replacing any), or stops it with
    /// `None`: its arrivals start operations from now on (see [`arrivals`]).
    /// Operations it started go on; their reports go to the workload while
    /// it runs.
    pub fn set_arrivals(&mut self, arrivals: Option<Box<dyn arrivals::Arrivals>>) {
        self.arrival_generation += 1;
        self.arrivals = arrivals;
        self.arrival_last = None;
        if self.arrivals.is_some() {
            self.push_arrival();
        }
    }

    /// What the open-loop workload does, if one runs.
    pub fn arrivals(&self) -> Option<&dyn arrivals::Arrivals> {
        self.arrivals.as_deref()
    }

    /// Puts the workload's next arrival on the calendar.
    fn push_arrival(&mut self) {
        let Some(a) = self.arrivals.as_mut() else { return };
        let at = a.next_time().max(self.now);
        let seq = self.arrival_seq;
        self.arrival_seq += 1;
        let tie = order::arrival_tie(seq);
        let generation = self.arrival_generation;
        self.queue.push(at, tie, Scheduled::Arrival { generation, seq });
        self.arrival_last = Some(at);
    }

    /// Puts every arrival due by `end` on the calendar, and the one after.
    fn top_up_arrivals(&mut self, end: Time) {
        while self.arrival_last.is_some_and(|t| t <= end) {
            self.push_arrival();
        }
    }

    /// Starts an operation at `at`; its effects wait in the client outbox.
    fn start_op(&mut self, at: Time, client: ClientId, key: Key, kind: OpKind, via: Option<NodeId>) -> OpId {
        self.start_routed_op(at, client, key, kind, via, None)
    }

    /// [`Engine::start_op`] with its own routing.
    fn start_routed_op(
        &mut self,
        at: Time,
        client: ClientId,
        key: Key,
        kind: OpKind,
        via: Option<NodeId>,
        routing: Option<crate::core::config::Routing>,
    ) -> OpId {
        self.next_op += 1;
        let op = OpId(self.next_op);
        self.clients[client.index()].start(
            at,
            ClientOp {
                op,
                key,
                kind,
                via,
                routing,
            },
            &self.ring,
            &self.settings,
            &mut self.client_outbox,
        );
        op
    }

    /// The result of a finished operation, if it has finished (and is among
    /// the last [`REPORT_CAP`] to finish).
    pub fn report(&self, op: OpId) -> Option<&OpReport> {
        self.reports.get(&op)
    }

    /// Takes the results of operations finished since the last call, in the
    /// order they finished.
    pub fn take_finished(&mut self) -> Vec<OpReport> {
        let ids = std::mem::take(&mut self.finished);
        ids.into_iter().filter_map(|op| self.reports.remove(&op)).collect()
    }

    /// Every overwritten concurrent write so far, each (lost, by) pair once
    /// (recorded even with tracing off). A lost version can appear more than
    /// once, replaced by different versions on different replicas.
    pub fn overwrites(&self) -> &[Overwrite] {
        &self.overwrites
    }

    /// How many distinct versions of `key` (of every key when `None`) were
    /// overwritten without their writers' successors having seen them.
    pub fn overwritten_count(&self, key: Option<&str>) -> usize {
        self.overwrites
            .iter()
            .filter(|w| !w.shadowed && key.is_none_or(|k| *w.key == *k))
            .map(|w| (&w.key, &w.lost))
            .collect::<FxHashSet<_>>()
            .len()
    }

    /// Anti-entropy's totals since the start or the last settings change.
    pub fn anti_entropy_totals(&self) -> AntiEntropyTotals {
        self.anti_entropy
    }

    /// Messages of `kind` sent since the start or the last settings change.
    pub fn sent_of_kind(&self, kind: crate::core::message::MsgKind) -> u64 {
        self.sent_by_kind[kind as usize]
    }

    /// Operations still waiting for an answer.
    pub fn ops_in_flight(&self) -> usize {
        self.clients.iter().map(Client::pending).sum()
    }

    // ---- faults ----

    /// Crash-stops a node: its memory is lost, its disk kept.
    pub async fn kill(&mut self, node: NodeId) -> Result<(), String> {
        self.check_node(node)?;
        let slot = &mut self.slots[node.index()];
        if slot.left {
            return Err(format!("{} has left the cluster for good", self.names.node(node)));
        }
        if !slot.alive {
            return Err(format!("{} is already dead", self.names.node(node)));
        }
        let (tx, rx) = oneshot::channel();
        let inbox = slot.inbox.take().expect("a live node has an inbox");
        slot.alive = false;
        let _ = inbox.send(NodeCmd::Crash(tx));
        slot.disk = Some(rx.await.map_err(|_| "node task vanished".to_string())?);
        slot.stats.coordinating = 0;
        self.trace
            .push(self.now, Event::ClusterChange(ClusterChange::Kill(node)));
        Ok(())
    }

    /// Restarts a dead node on its disk.
    pub async fn revive(&mut self, node: NodeId) -> Result<(), String> {
        self.check_node(node)?;
        if self.slots[node.index()].left {
            return Err(format!("{} has left the cluster for good", self.names.node(node)));
        }
        if self.slots[node.index()].alive {
            return Err(format!("{} is already alive", self.names.node(node)));
        }
        self.slots[node.index()].epoch += 1;
        self.start_node(node);
        self.trace
            .push(self.now, Event::ClusterChange(ClusterChange::Revive(node)));
        Ok(())
    }

    /// Splits the listed groups from each other (replacing any partition).
    pub fn partition(&mut self, groups: Vec<Vec<NodeId>>) -> Result<(), String> {
        for &n in groups.iter().flatten() {
            self.check_node(n)?;
        }
        self.network.partition(&groups);
        self.trace
            .push(self.now, Event::ClusterChange(ClusterChange::Partition(groups)));
        Ok(())
    }

    /// Cuts the link from `from` to `to` (one direction).
    pub fn cut(&mut self, from: NodeId, to: NodeId) -> Result<(), String> {
        self.check_node(from)?;
        self.check_node(to)?;
        self.network.cut(from, to);
        self.trace
            .push(self.now, Event::ClusterChange(ClusterChange::Cut { from, to }));
        Ok(())
    }

    /// Removes every partition and cut.
    pub fn heal(&mut self) {
        self.network.heal();
        self.trace.push(self.now, Event::ClusterChange(ClusterChange::Heal));
    }

    /// Adds latency to every message to and from `node` (zero restores it).
    pub fn slow(&mut self, node: NodeId, extra: Dur) -> Result<(), String> {
        self.check_node(node)?;
        self.network.slow(node, extra);
        self.trace
            .push(self.now, Event::ClusterChange(ClusterChange::Slow { node, extra }));
        Ok(())
    }

    /// Replaces the settings (validated first; nothing changes on error).
    /// Returns the warnings the new settings raise.
    pub fn set_settings(&mut self, settings: Settings, description: String) -> Result<Vec<String>, String> {
        let warnings = settings.validate(self.ring.members().len())?;
        self.settings = Arc::new(settings);
        self.lookahead = self.settings.lookahead();
        self.network.set_latency(self.settings.latency);
        self.network.set_drop_rate(self.settings.drop_rate);
        for slot in &self.slots {
            if let Some(inbox) = &slot.inbox {
                let _ = inbox.send(NodeCmd::Settings(self.now, self.settings.clone()));
            }
        }
        self.trace
            .push(self.now, Event::ClusterChange(ClusterChange::Set(description)));
        self.anti_entropy = AntiEntropyTotals::default();
        self.sent_by_kind = [0; crate::core::message::MsgKind::ALL.len()];
        for w in &warnings {
            self.trace.push(self.now, Event::Warning(w.clone()));
        }
        Ok(warnings)
    }

    /// Starts a new node named `name` (with `tokens`, or tokens derived
    /// from its name). It knows only its seeds (see [`Engine::joiner_seeds`]);
    /// once it has reached one, it is on the cluster's ring and owners start
    /// streaming its ranges to it.
    pub fn join(&mut self, name: &str, tokens: Option<Vec<u64>>) -> Result<NodeId, String> {
        crate::engine::cluster::check_name(name)?;
        if self.names.node_id(name).is_some() {
            return Err(format!("there is already a node named {name}"));
        }
        if self.names.node_count() >= crate::core::config::MAX_NODES {
            return Err(format!(
                "the cluster already has {} nodes",
                crate::core::config::MAX_NODES
            ));
        }
        let vnodes = self.ring.tokens().len() / self.ring.members().len().max(1);
        let tokens = match tokens {
            Some(t) if t.is_empty() || t.len() > crate::core::config::MAX_VNODES => {
                return Err(format!("a node has 1 to {} tokens", crate::core::config::MAX_VNODES));
            }
            Some(t) => t,
            None => match self.partitioning {
                crate::core::config::Partitioning::Random => Ring::default_tokens(name, vnodes.max(1)),
                // Halve the largest ranges of the ring with the nodes still
                // joining on it, so that two joiners in a row split different ones.
                crate::core::config::Partitioning::Equal => {
                    let ring =
                        (self.joining.iter()).fold(Ring::clone(&self.ring), |r, (id, t)| r.with_node(*id, t.clone()));
                    ring.split_largest(vnodes.max(1))
                }
            },
        };
        let seeds = self.joiner_seeds();
        let id = self.names.add_node(name);
        let disk = Disk::joining(id, tokens.clone(), seeds, self.now, &self.ring);
        self.add_slot(id, disk);
        self.start_node(id);
        self.joining.push((id, tokens));
        self.trace.push(self.now, Event::ClusterChange(ClusterChange::Join(id)));
        Ok(id)
    }

    /// The seeds a joining node is given: the cluster's seeds that are still
    /// on the ring, then every other node on the ring (as an operator lists
    /// the cluster's nodes in a new node's configuration). A seed that left
    /// never answers: a joiner that knew only it (or only seeds that leave
    /// before it reaches them) would stay alone for ever.
    fn joiner_seeds(&self) -> Vec<NodeId> {
        let members = self.ring.members();
        let mut seeds: Vec<NodeId> = self.seeds.iter().copied().filter(|s| members.contains(s)).collect();
        let others: Vec<NodeId> = members.iter().copied().filter(|m| !seeds.contains(m)).collect();
        seeds.extend(others);
        seeds
    }

    /// Asks `node` to leave: it comes off the cluster's ring at once, hands
    /// every range to its new owners, then stops for good.
    pub fn leave(&mut self, node: NodeId) -> Result<(), String> {
        self.check_node(node)?;
        let slot = &self.slots[node.index()];
        if slot.left {
            return Err(format!("{} has already left", self.names.node(node)));
        }
        if !slot.alive {
            return Err(format!(
                "{} is dead; revive it before it can leave",
                self.names.node(node)
            ));
        }
        if self.ring.members().len() <= self.settings.replicas {
            return Err(format!(
                "{} cannot leave: the ring would have fewer nodes than N={}",
                self.names.node(node),
                self.settings.replicas
            ));
        }
        let epoch = slot.epoch;
        self.ring = Arc::new(self.ring.without_node(node));
        let tie = self.tie(Endpoint::Node(node));
        self.queue.push(
            self.now,
            tie,
            Scheduled::NodeTimer {
                node,
                epoch,
                timer: NodeTimer::Leave,
            },
        );
        self.trace
            .push(self.now, Event::ClusterChange(ClusterChange::Leave(node)));
        Ok(())
    }

    /// Acts on what nodes notice about the cluster's shape (and tallies
    /// anti-entropy); lost writes are kept by [`Engine::act_on`].
    fn act_on_view(&mut self, notice: &Notice) {
        match notice {
            Notice::ViewChanged { node, members } if members.len() > 1 => {
                if let Some(i) = self.joining.iter().position(|(j, _)| j == node) {
                    let (id, tokens) = self.joining.remove(i);
                    self.ring = Arc::new(self.ring.with_node(id, tokens));
                }
            }
            Notice::Left { node } => self.departed.push(*node),
            Notice::AntiEntropySession { stats, skipped, .. } => {
                let t = &mut self.anti_entropy;
                t.sessions += 1;
                t.skipped += *skipped as u64;
                t.repairing += (stats.keys > 0) as u64;
                t.hashes_compared += stats.compared as u64;
                t.digests_compared += stats.digests as u64;
                t.keys_exchanged += stats.keys as u64;
                t.levels = t.levels.max(stats.levels);
            }
            Notice::ViewChanged { .. } | Notice::LostWrite { .. } => {}
        }
    }

    /// Stops the nodes that finished leaving.
    async fn stop_departed(&mut self) {
        for node in std::mem::take(&mut self.departed) {
            let slot = &mut self.slots[node.index()];
            if slot.left || !slot.alive {
                continue;
            }
            let (tx, rx) = oneshot::channel();
            if let Some(inbox) = slot.inbox.take() {
                let _ = inbox.send(NodeCmd::Crash(tx));
                slot.disk = rx.await.ok();
            }
            let slot = &mut self.slots[node.index()];
            slot.alive = false;
            slot.left = true;
            slot.stats.coordinating = 0;
        }
    }

    fn check_node(&self, node: NodeId) -> Result<(), String> {
        if node.index() < self.slots.len() {
            Ok(())
        } else {
            Err(format!("no node with id {}", node.0))
        }
    }

    // ---- looking at nodes ----

    /// Runs `look` on a node (live: inside its task; dead: on its disk).
    async fn inspect<R: Send + 'static>(&mut self, node: NodeId, look: impl FnOnce(&Node) -> R + Send + 'static) -> R {
        let slot = &mut self.slots[node.index()];
        if let Some(inbox) = slot.inbox.as_ref().filter(|_| slot.alive) {
            let (tx, rx) = oneshot::channel();
            let sent = inbox.send(NodeCmd::Inspect(Box::new(move |n: &Node| {
                let _ = tx.send(look(n));
            })));
            if sent.is_ok()
                && let Ok(r) = rx.await
            {
                return r;
            }
            panic!("node task {} is gone", node.0);
        }
        // A node whose task panicked left no disk behind: show it empty.
        let disk = slot
            .disk
            .take()
            .unwrap_or_else(|| Disk::initial(node, self.ring.clone(), self.seeds.clone()));
        let dead = Node::recover(node, self.settings.clone(), disk, 0);
        let r = look(&dead);
        self.slots[node.index()].disk = Some(dead.into_disk());
        r
    }

    /// The versions `node` stores for `key`.
    pub async fn versions(&mut self, node: NodeId, key: &str) -> Vec<Version> {
        let key = key.to_string();
        self.inspect(node, move |n| n.store().versions(&key).to_vec()).await
    }

    /// Every node's versions of `key`, in node order.
    pub async fn key_view(&mut self, key: &str) -> Vec<ReplicaView> {
        let mut out = Vec::new();
        for node in self.node_ids() {
            let versions = self.versions(node, key).await;
            out.push(ReplicaView {
                node,
                alive: self.is_alive(node),
                versions,
            });
        }
        out
    }

    /// The hints `node` keeps: (owner, key, versions), by owner then key.
    pub async fn hints(&mut self, node: NodeId) -> Vec<(NodeId, Key, Vec<Version>)> {
        self.inspect(node, |n| {
            n.hints().iter().map(|(o, k, v)| (o, k.clone(), v.to_vec())).collect()
        })
        .await
    }

    /// What `node` believes about every node it knows.
    pub async fn membership(&mut self, node: NodeId) -> MembershipView {
        let now = self.now;
        self.inspect(node, move |n| {
            let m = n.membership();
            let conf = n.settings().down_confirmations;
            MembershipView {
                ring: n.ring().clone(),
                entries: m
                    .nodes()
                    .map(|x| MemberView {
                        node: x,
                        status: m.status(x).unwrap_or(MemberStatus::Normal),
                        liveness: m.liveness(x, conf),
                        generation: m.version_of(x).map_or(0, |v| v.0),
                        heartbeat: m.version_of(x).map_or(0, |v| v.1),
                        heartbeat_age: m.heartbeat_age(x, now).unwrap_or_default(),
                        suspecters: m.suspecters(x).to_vec(),
                    })
                    .collect(),
            }
        })
        .await
    }

    /// The Merkle root `node` has for the range holding `key` (`None` when it
    /// does not replicate that range).
    pub async fn merkle_root(&mut self, node: NodeId, key: &str) -> Option<u64> {
        let key = key.to_string();
        self.inspect(node, move |n| n.merkle_root_of(&key)).await
    }

    /// The top `levels` levels of `node`'s Merkle tree for the range holding
    /// `key`: the range, the tree's depth, and the hashes level by level.
    pub async fn merkle_top(&mut self, node: NodeId, key: &str, levels: u8) -> Option<MerkleTop> {
        let key = key.to_string();
        self.inspect(node, move |n| n.merkle_top(&key, levels)).await
    }

    /// Every key `node` stores with its versions, sorted by key.
    pub async fn contents(&mut self, node: NodeId) -> Vec<(Key, Vec<Version>)> {
        self.inspect(node, |n| {
            n.store()
                .sorted()
                .into_iter()
                .map(|(k, v)| (k.clone(), v.to_vec()))
                .collect()
        })
        .await
    }
}
