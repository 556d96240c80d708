//! Checkpoints: the engine's whole state at an instant between two windows,
//! as plain data, and a new engine started from one.
//!
//! A checkpoint holds every node's state machine (a live node's is cloned
//! inside its task, a dead node's disk is copied), the queue of messages in
//! flight and timers with their tie keys, the network's partitions and
//! generators, the clients, and the engine's own records and counters. An
//! engine started from it ([`Engine::from_checkpoint`]) is a new set of
//! node tasks that carries on exactly where the engine stood: given the same
//! commands at the same instants afterwards, it produces the same trace,
//! byte for byte, as the engine the checkpoint was taken of would have
//! (`tests/checkpoint_resume.rs`). The playground keeps a few to rewind
//! quickly (see `tui::checkpoints`).
//!
//! Only buffers reused from window to window (the batches, the scratch
//! space, the outboxes' spare boxes) are made anew; they hold nothing
//! between windows.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tokio::sync::mpsc;

use crate::core::client::{Client, ClientOutbox};
use crate::core::config::Settings;
use crate::core::ids::{Names, NodeId, OpId};
use crate::core::node::{Disk, Node};
use crate::core::ring::Ring;
use crate::core::time::{Dur, Time};
use crate::core::version::{Key, Version};

use super::network::Network;
use super::node_task::{self, Batch, NodeStats};
use super::queue::EventQueue;
use super::trace_buffer::TraceBuffer;
use super::{AntiEntropyTotals, Engine, Overwrite, Scheduled, Slot};

/// One node as the checkpoint keeps it.
#[derive(Clone)]
struct SlotState {
    alive: bool,
    left: bool,
    epoch: u32,
    /// A live node's state machine.
    node: Option<Node>,
    /// A stopped node's disk.
    disk: Option<Disk>,
    stats: NodeStats,
    sent: u64,
    received: u64,
    scheduled: u64,
}

/// The engine's whole state at one instant (see the module's doc).
#[derive(Clone)]
pub struct Checkpoint {
    now: Time,
    seed: u64,
    queue: EventQueue<Scheduled>,
    names: Names,
    settings: Arc<Settings>,
    partitioning: crate::core::config::Partitioning,
    arrivals: Option<Box<dyn super::arrivals::Arrivals>>,
    arrival_generation: u32,
    arrival_seq: u64,
    arrival_last: Option<Time>,
    ring: Arc<Ring>,
    seeds: Vec<NodeId>,
    joining: Vec<(NodeId, Vec<u64>)>,
    lookahead: Dur,
    window_end: Time,
    slots: Vec<SlotState>,
    clients: Vec<Client>,
    network: Network,
    trace: TraceBuffer,
    tracing: bool,
    busy_polls: u32,
    reports: FxHashMap<OpId, crate::core::client::OpReport>,
    overwrites: Vec<Overwrite>,
    overwritten_seen: FxHashSet<(Key, Version, Version)>,
    overwritten_traced: FxHashSet<(Key, Version, bool)>,
    anti_entropy: AntiEntropyTotals,
    sent_by_kind: [u64; crate::core::message::MsgKind::ALL.len()],
    finished: std::collections::VecDeque<OpId>,
    watch: FxHashSet<OpId>,
    next_op: u64,
    client_scheduled: u64,
}

impl Checkpoint {
    /// The instant it was taken at.
    pub fn at(&self) -> Time {
        self.now
    }

    /// Events waiting on the clock when it was taken.
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }
}

impl Engine {
    /// The engine's whole state now. Refused while a follow-up takes the
    /// finished operations (a closure cannot be copied) and after a node's
    /// state machine panicked.
    pub async fn checkpoint(&mut self) -> Result<Checkpoint, String> {
        if self.follow_up.is_some() {
            return Err("an engine with a follow-up cannot be checkpointed".to_string());
        }
        if let Some(failure) = &self.failure {
            return Err(format!("the engine stopped: {failure}"));
        }
        debug_assert!(self.departed.is_empty() && !self.window_output.is_open());
        let mut slots = Vec::with_capacity(self.slots.len());
        for index in 0..self.slots.len() {
            let id = NodeId(index as u16);
            let live = self.slots[index].alive && self.slots[index].inbox.is_some();
            let node = if live {
                Some(self.inspect(id, |n| n.clone()).await)
            } else {
                None
            };
            let s = &self.slots[index];
            slots.push(SlotState {
                alive: s.alive,
                left: s.left,
                epoch: s.epoch,
                node,
                disk: if live { None } else { s.disk.clone() },
                stats: s.stats,
                sent: s.sent,
                received: s.received,
                scheduled: s.scheduled,
            });
        }
        Ok(Checkpoint {
            now: self.now,
            seed: self.seed,
            partitioning: self.partitioning,
            arrivals: self.arrivals.clone(),
            arrival_generation: self.arrival_generation,
            arrival_seq: self.arrival_seq,
            arrival_last: self.arrival_last,
            queue: self.queue.clone(),
            names: self.names.clone(),
            settings: self.settings.clone(),
            ring: self.ring.clone(),
            seeds: self.seeds.clone(),
            joining: self.joining.clone(),
            lookahead: self.lookahead,
            window_end: self.window_end,
            slots,
            clients: self.clients.clone(),
            network: self.network.clone(),
            trace: self.trace.clone(),
            tracing: self.tracing,
            busy_polls: self.busy_polls,
            reports: self.reports.clone(),
            overwrites: self.overwrites.clone(),
            overwritten_seen: self.overwritten_seen.clone(),
            overwritten_traced: self.overwritten_traced.clone(),
            anti_entropy: self.anti_entropy,
            sent_by_kind: self.sent_by_kind,
            finished: self.finished.clone(),
            watch: self.watch.clone(),
            next_op: self.next_op,
            client_scheduled: self.client_scheduled,
        })
    }

    /// A new engine that carries on from `checkpoint`, with a task per live
    /// node. Must be called inside a tokio runtime.
    pub fn from_checkpoint(checkpoint: &Checkpoint) -> Engine {
        let c = checkpoint.clone();
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        let mut slots = Vec::with_capacity(c.slots.len());
        for (index, s) in c.slots.into_iter().enumerate() {
            let id = NodeId(index as u16);
            let inbox = s.node.map(|node| {
                let (tx, rx) = mpsc::unbounded_channel();
                tokio::spawn(node_task::run(node, rx, done_tx.clone(), c.busy_polls));
                tx
            });
            slots.push(Slot {
                alive: s.alive,
                left: s.left,
                epoch: s.epoch,
                inbox,
                disk: s.disk,
                batch: Some(Box::new(Batch::new(id))),
                stats: s.stats,
                sent: s.sent,
                received: s.received,
                scheduled: s.scheduled,
            });
        }
        Engine {
            now: c.now,
            seed: c.seed,
            queue: c.queue,
            names: c.names,
            settings: c.settings,
            partitioning: c.partitioning,
            ring: c.ring,
            seeds: c.seeds,
            joining: c.joining,
            departed: Vec::new(),
            lookahead: c.lookahead,
            window_end: c.window_end,
            slots,
            clients: c.clients,
            network: c.network,
            trace: c.trace,
            window_output: super::window_output::WindowOutput::default(),
            tracing: c.tracing,
            busy_polls: c.busy_polls,
            reports: c.reports,
            overwrites: c.overwrites,
            overwritten_seen: c.overwritten_seen,
            overwritten_traced: c.overwritten_traced,
            anti_entropy: c.anti_entropy,
            sent_by_kind: c.sent_by_kind,
            finished: c.finished,
            watch: c.watch,
            next_op: c.next_op,
            client_scheduled: c.client_scheduled,
            done_tx,
            done_rx,
            client_outbox: ClientOutbox::new(c.tracing),
            scratch: super::scratch::Scratch::default(),
            follow_up: None,
            failure: None,
            arrivals: c.arrivals,
            arrival_generation: c.arrival_generation,
            arrival_seq: c.arrival_seq,
            arrival_last: c.arrival_last,
        }
    }
}
