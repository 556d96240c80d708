//! What one chaos seed did and saw: the facts the checker judges.

use std::collections::BTreeSet;

use crate::core::clock::VClock;
use crate::core::config::Settings;
use crate::core::ids::NodeId;
use crate::core::time::{Dur, Time};
use crate::core::version::{Key, Version};

/// How a client made the context of a put.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PutKind {
    /// The context of the client's read of the key just before.
    Read,
    /// The context of the reply to the client's previous put of the key,
    /// with no read in between.
    Chained,
    /// No context at all.
    Blind,
    /// A context that claims counters the client never saw.
    Hostile,
}

/// A put the cluster acknowledged: the item it added must survive.
#[derive(Clone, Debug)]
pub struct AckedPut {
    pub key: Key,
    pub item: String,
    /// The new version's whole history, as the reply reported it.
    pub clock: VClock,
    pub coordinator: NodeId,
    pub acked_at: Time,
    /// The replicas that had stored it when it was acknowledged.
    pub replicas: Vec<NodeId>,
    /// When the client sent it.
    pub sent_at: Time,
    /// The context the client sent with it.
    pub context: VClock,
    pub kind: PutKind,
    /// Every item its value held: the item it added and what its client
    /// believed the cart held (what it read, or what its chain put).
    pub items: BTreeSet<String>,
    /// What its coordinations made, from the trace: which nodes took it on
    /// and every version of it some node stored.
    pub made: Made,
}

/// A put that failed or was never answered: it may still have been stored
/// somewhere, so it may still replace what its context covers.
#[derive(Clone, Debug)]
pub struct FailedPut {
    pub key: Key,
    pub item: String,
    pub context: VClock,
    pub kind: PutKind,
    /// Who coordinated it, when an answer said.
    pub coordinator: Option<NodeId>,
    /// The clock its coordinator gave it, when an answer said.
    pub clock: Option<VClock>,
    /// See [`AckedPut::items`].
    pub items: BTreeSet<String>,
    /// See [`AckedPut::made`].
    pub made: Made,
}

/// What one live node stored for one key at the end.
#[derive(Clone, Debug)]
pub struct Stored {
    pub node: String,
    pub key: Key,
    pub versions: Vec<Version>,
}

/// A get that answered, for the fresh-read check.
#[derive(Clone, Debug)]
pub struct ObservedGet {
    pub key: Key,
    pub started: Time,
    /// When its answer reached the client.
    pub answered: Time,
    pub versions: Vec<Version>,
    /// The replicas whose answers the get's reply was made of.
    pub replicas: Vec<NodeId>,
}

/// A final read of one cart, after the quiet period.
#[derive(Clone, Debug)]
pub struct FinalRead {
    pub key: Key,
    pub ok: bool,
    pub versions: Vec<Version>,
}

/// Everything the checker needs from one seed.
#[derive(Clone, Debug, Default)]
pub struct SeedRecord {
    pub seed: u64,
    pub settings: Settings,
    pub carts: Vec<Key>,
    pub acked: Vec<AckedPut>,
    pub failed_puts: Vec<FailedPut>,
    pub gets: Vec<ObservedGet>,
    /// When faults were in effect, as (from, to). A kill, partition or burst
    /// marks its start and its end; a join or leave lasts until every member
    /// is up, sees the same ring and has handed over what it no longer owns,
    /// because until then quorums taken on different rings need not overlap.
    pub fault_spans: Vec<(Time, Time)>,
    /// The joins' and leaves' spans alone, as (from, to): the only faults
    /// that can explain a stale read under a strict quorum.
    pub ring_change_spans: Vec<(Time, Time)>,
    pub final_reads: Vec<FinalRead>,
    /// Operations still unanswered at the end.
    pub unanswered: usize,
    /// Operations that took longer than a client can wait.
    pub too_slow: Vec<(String, Dur)>,
    pub latency_bound: Dur,
    /// Messages delivered to or from a node that was down.
    pub dead_deliveries: Vec<String>,
    /// The engine stopped (a node panicked).
    pub engine_failure: Option<String>,
    /// Replicas of a key that disagree after the quiet period.
    pub divergent: Vec<String>,
    /// Hints left after the quiet period: (node, count).
    pub hints_left: Vec<(String, usize)>,
    /// Nodes asked to leave that had not left after the quiet period.
    pub leaves_unfinished: Vec<String>,
    /// Live nodes whose ring differs from the others' after the quiet period.
    pub rings_disagree: Vec<String>,
    /// Keys still waiting to be handed over after the quiet period: (node, count).
    pub handover_left: Vec<(String, usize)>,
    /// Every version every live node stores after the quiet period.
    pub stored: Vec<Stored>,
    /// How many faults were applied.
    pub faults: usize,
    /// How many client operations ran.
    pub ops: usize,
    /// Virtual time at the end.
    pub ended: Time,
}

/// What one put's coordinations made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Made {
    /// The nodes that took the put on as its coordinator, in order: more
    /// than one when a retry was coordinated as well as its first attempt.
    pub coordinators: Vec<NodeId>,
    /// Every distinct version of the put that some node stored, in the
    /// order first stored. A version never stored anywhere replaced nothing.
    pub versions: Vec<Version>,
}
