//! What travels between clients and nodes, and between nodes.

use std::fmt;

use smallvec::SmallVec;

use std::sync::Arc;

use super::clock::VClock;
use super::ids::{ClientId, NodeId, OpId};
use super::membership::MemberDigest;
use super::version::{Key, Siblings, Value, Version};

/// A coordinator's own number for one request it coordinates; replicas echo
/// it back so the coordinator can match their answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReqId(pub u64);

/// A client's get or put, as it travels to (and between) nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub op: OpId,
    pub client: ClientId,
    pub key: Key,
    pub operation: Operation,
}

/// What a request asks its coordinator to do with the key.
#[derive(Clone, Debug, PartialEq)]
pub enum Operation {
    Put(Put),
    Get(Get),
}

/// Store `value`; `context` is the clock of what the client has seen. `w`
/// overrides the cluster's write quorum for this request; `pw` asks for
/// that many stores on the key's own top N (primaries), stand-ins not
/// counted.
#[derive(Clone, Debug, PartialEq)]
pub struct Put {
    pub value: Value,
    pub context: VClock,
    pub w: Option<usize>,
    pub pw: Option<usize>,
}

/// Read every current version; `r` overrides the read quorum, `pr` asks for
/// that many answers from primaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Get {
    pub r: Option<usize>,
    pub pr: Option<usize>,
}

impl Operation {
    pub fn is_put(&self) -> bool {
        matches!(self, Operation::Put(_))
    }
}

/// Why a request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The coordinator's timeout passed with fewer than the quorum answering.
    QuorumNotReached { got: usize, need: usize },
    /// No coordinator answered the client (or the forwarding node).
    NoCoordinator,
    /// Fewer primaries (the key's own top N) answered in time than the
    /// request needs: strict quorum, or a `pw`/`pr`.
    PrimariesUnreachable { got: usize, need: usize },
    /// The coordinator's next counter for the key would pass the top of
    /// its range (a context claimed a counter near it): the put is refused
    /// and stores nothing, where a saturated or wrapped counter would have
    /// made a clock equal to an earlier one and lost one of the two writes.
    CounterExhausted,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::QuorumNotReached { got, need } => write!(f, "quorum not reached: {got} of {need}"),
            Failure::NoCoordinator => write!(f, "unavailable: no coordinator answered"),
            Failure::PrimariesUnreachable { got, need } => {
                write!(f, "unavailable: {got} of {need} primaries reachable")
            }
            Failure::CounterExhausted => {
                write!(
                    f,
                    "refused: the coordinator's counter for this key is used up (a context claimed one near 2^32)"
                )
            }
        }
    }
}

/// What a coordinator answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub op: OpId,
    pub coordinator: NodeId,
    pub outcome: Outcome,
    /// The replicas that had stored (put) or answered (get) when the reply was sent.
    pub replicas: SmallVec<[NodeId; 4]>,
}

/// The result of a get or a put.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A put: the new version's clock, and the failure if the quorum was
    /// missed (the version stays wherever it was stored: no rollback).
    Put { clock: VClock, failure: Option<Failure> },
    /// A get: the current versions (one, or several siblings) and the merge
    /// of their clocks, the context to send with the next put.
    Get {
        versions: Vec<Version>,
        context: VClock,
        failure: Option<Failure>,
    },
    /// The request never reached a coordinator.
    Unavailable(Failure),
}

impl Outcome {
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Outcome::Put { failure, .. } | Outcome::Get { failure, .. } => failure.as_ref(),
            Outcome::Unavailable(f) => Some(f),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.failure().is_none()
    }
}

/// Every message of the protocol.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// Client → the node it chose.
    Request(Request),
    /// A node that is not among the key's top N → the coordinator it picked.
    Forward(Request),
    /// Coordinator → client.
    Reply(Reply),
    /// Coordinator → the node that forwarded the request.
    ForwardReply(Reply),
    /// Coordinator → replica: store these versions (the new one; in dotted
    /// mode every version the coordinator holds). `context` is what the
    /// client had seen. With a hint, the receiver is a stand-in keeping them
    /// for the named owner.
    Replicate {
        req: ReqId,
        key: Key,
        versions: Siblings,
        context: VClock,
        hint: Option<NodeId>,
    },
    /// Replica → coordinator: stored.
    Ack { req: ReqId },
    /// Coordinator → replica: what do you hold for this key?
    Read { req: ReqId, key: Key },
    /// Replica → coordinator: the versions it holds.
    ReadReply { req: ReqId, versions: Siblings },
    /// Coordinator → a stale replica: the reconciled versions (read repair).
    Repair { key: Key, versions: Vec<Version> },
    /// Stand-in → owner: versions kept for you while you were away.
    Handoff {
        batch: u64,
        hints: Vec<(Key, Vec<Version>)>,
    },
    /// Owner → stand-in: stored, you may forget them.
    HandoffAck { batch: u64 },
    /// Gossip, push half: my membership list.
    Gossip { digest: Arc<Vec<MemberDigest>> },
    /// Gossip, pull half: mine, after merging yours.
    GossipReply { digest: Arc<Vec<MemberDigest>> },
    /// A node that no longer owns these keys → their owners.
    Transfer {
        batch: u64,
        items: Vec<(Key, Vec<Version>)>,
    },
    /// Receiver → former replica: stored; you may drop them, except the
    /// `declined` keys, which the receiver does not believe it owns.
    TransferAck { batch: u64, declined: Vec<Key> },
    /// Anti-entropy: my hashes of these tree nodes of `range` at `level`.
    MerkleHashes {
        sync: MerkleSync,
        level: u8,
        nodes: Vec<(u32, u64)>,
    },
    /// Anti-entropy, at differing leaves: my keys there with their entry hashes.
    MerkleDigests {
        sync: MerkleSync,
        leaves: Vec<u32>,
        digests: Vec<(Key, u64)>,
    },
    /// Anti-entropy: my versions of the keys that differ; send me yours of `want`.
    MerkleKeys {
        sync: MerkleSync,
        items: Vec<(Key, Vec<Version>)>,
        want: Vec<Key>,
    },
    /// Anti-entropy: the session is over (`skipped`: the ranges did not match).
    MerkleDone { sync: MerkleSync, skipped: bool },
}

/// What every message of one anti-entropy session carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MerkleSync {
    /// The node that started it, and its number for the session.
    pub initiator: NodeId,
    pub session: u64,
    /// The range compared: (start, end] of the ring.
    pub range: (u64, u64),
    pub depth: u8,
    pub stats: SyncStats,
}

/// A session's running costs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    pub started: crate::core::time::Time,
    /// Deepest tree level compared.
    pub levels: u8,
    /// Tree-node hashes compared.
    pub compared: u32,
    /// Key digests compared at the leaves.
    pub digests: u32,
    /// Keys whose versions were exchanged.
    pub keys: u32,
}

/// The kind of a message, for colours, filters and counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MsgKind {
    ClientRequest,
    Forward,
    ClientReply,
    ForwardReply,
    Replicate,
    Ack,
    Read,
    ReadReply,
    ReadRepair,
    Handoff,
    HandoffAck,
    Gossip,
    GossipReply,
    Transfer,
    TransferAck,
    Merkle,
}

impl MsgKind {
    pub const ALL: [MsgKind; 16] = [
        MsgKind::ClientRequest,
        MsgKind::Forward,
        MsgKind::ClientReply,
        MsgKind::ForwardReply,
        MsgKind::Replicate,
        MsgKind::Ack,
        MsgKind::Read,
        MsgKind::ReadReply,
        MsgKind::ReadRepair,
        MsgKind::Handoff,
        MsgKind::HandoffAck,
        MsgKind::Gossip,
        MsgKind::GossipReply,
        MsgKind::Transfer,
        MsgKind::TransferAck,
        MsgKind::Merkle,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MsgKind::ClientRequest => "request",
            MsgKind::Forward => "forward",
            MsgKind::ClientReply => "reply",
            MsgKind::ForwardReply => "forward-reply",
            MsgKind::Replicate => "replicate",
            MsgKind::Ack => "ack",
            MsgKind::Read => "read",
            MsgKind::ReadReply => "read-reply",
            MsgKind::ReadRepair => "read-repair",
            MsgKind::Handoff => "handoff",
            MsgKind::HandoffAck => "handoff-ack",
            MsgKind::Gossip => "gossip",
            MsgKind::GossipReply => "gossip-reply",
            MsgKind::Transfer => "transfer",
            MsgKind::TransferAck => "transfer-ack",
            MsgKind::Merkle => "merkle",
        }
    }

    pub fn parse(text: &str) -> Option<MsgKind> {
        MsgKind::ALL.into_iter().find(|k| k.name() == text)
    }
}

impl Message {
    pub fn kind(&self) -> MsgKind {
        match self {
            Message::Request(_) => MsgKind::ClientRequest,
            Message::Forward(_) => MsgKind::Forward,
            Message::Reply(_) => MsgKind::ClientReply,
            Message::ForwardReply(_) => MsgKind::ForwardReply,
            Message::Replicate { .. } => MsgKind::Replicate,
            Message::Ack { .. } => MsgKind::Ack,
            Message::Read { .. } => MsgKind::Read,
            Message::ReadReply { .. } => MsgKind::ReadReply,
            Message::Repair { .. } => MsgKind::ReadRepair,
            Message::Handoff { .. } => MsgKind::Handoff,
            Message::HandoffAck { .. } => MsgKind::HandoffAck,
            Message::Gossip { .. } => MsgKind::Gossip,
            Message::GossipReply { .. } => MsgKind::GossipReply,
            Message::Transfer { .. } => MsgKind::Transfer,
            Message::TransferAck { .. } => MsgKind::TransferAck,
            Message::MerkleHashes { .. }
            | Message::MerkleDigests { .. }
            | Message::MerkleKeys { .. }
            | Message::MerkleDone { .. } => MsgKind::Merkle,
        }
    }

    /// The key the message is about, where it has one.
    pub fn key(&self) -> Option<&Key> {
        match self {
            Message::Request(r) | Message::Forward(r) => Some(&r.key),
            Message::Replicate { key, .. } | Message::Read { key, .. } | Message::Repair { key, .. } => Some(key),
            Message::Handoff { hints: items, .. } | Message::Transfer { items, .. } => items.first().map(|(k, _)| k),
            Message::Reply(_)
            | Message::ForwardReply(_)
            | Message::Ack { .. }
            | Message::ReadReply { .. }
            | Message::HandoffAck { .. }
            | Message::Gossip { .. }
            | Message::GossipReply { .. }
            | Message::TransferAck { .. }
            | Message::MerkleHashes { .. }
            | Message::MerkleDigests { .. }
            | Message::MerkleKeys { .. }
            | Message::MerkleDone { .. } => None,
        }
    }
}
