//! The trace: every observable thing that happens in a run, as one event type.
//!
//! Nodes, clients and the engine all report through it; the headless runner
//! prints it, the TUI draws it, tests assert on it. Events hold ids, not
//! names, so they stay cheap; [`TraceEvent::describe`] renders one line.

use std::fmt::Write as _;

use smallvec::SmallVec;

use super::ids::{ClientId, Endpoint, MsgId, Names, NodeId, OpId};
use super::membership::Liveness;
use super::message::{MsgKind, Outcome};
use super::plural::count;
use super::time::{Dur, Time};
use super::version::{Key, Value, Version};

/// Why the network lost a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Sender and receiver are on different sides of a partition.
    Partition,
    /// The link is cut in this direction.
    Cut,
    /// The drop rate struck.
    Random,
    /// The receiver is dead.
    ReceiverDown,
    /// The sender died while the message was in flight.
    SenderDown,
}

impl DropReason {
    pub fn name(self) -> &'static str {
        match self {
            DropReason::Partition => "partitioned",
            DropReason::Cut => "link cut",
            DropReason::Random => "random drop",
            DropReason::ReceiverDown => "receiver down",
            DropReason::SenderDown => "sender crashed",
        }
    }
}

/// Why a replica stored a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreCause {
    /// The coordinator's own write.
    Write,
    /// A replica storing what its coordinator sent.
    Replicate,
    /// Read repair.
    Repair,
    /// A stand-in handed back a hinted version.
    Handoff,
    /// A former replica streamed a key to its new owner.
    Transfer,
    /// Anti-entropy found the replicas differed.
    AntiEntropy,
}

impl StoreCause {
    pub fn name(self) -> &'static str {
        match self {
            StoreCause::Write => "write",
            StoreCause::Replicate => "replica",
            StoreCause::Repair => "read repair",
            StoreCause::Handoff => "handoff",
            StoreCause::Transfer => "transfer",
            StoreCause::AntiEntropy => "anti-entropy",
        }
    }
}

/// A change made to the cluster by a scenario step or a user: a fault
/// (kill, revive, partition, cut, heal, slow) or a change of its settings or
/// membership (set, join, leave). The JSON trace calls every one of them
/// `"kind": "fault"`, as it always has, and the log filter word is `fault`.
#[derive(Clone, Debug, PartialEq)]
pub enum ClusterChange {
    Kill(NodeId),
    Revive(NodeId),
    /// The listed groups cannot reach each other; unlisted nodes keep all links.
    Partition(Vec<Vec<NodeId>>),
    /// One direction of one link is cut.
    Cut {
        from: NodeId,
        to: NodeId,
    },
    /// Partitions and cuts are gone.
    Heal,
    /// Messages to and from `node` take `extra` longer.
    Slow {
        node: NodeId,
        extra: Dur,
    },
    /// Settings changed; the text lists what changed.
    Set(String),
    /// A new node starts and contacts a seed.
    Join(NodeId),
    /// A node starts handing its ranges away, then stops for good.
    Leave(NodeId),
}

/// One thing that happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Sent {
        msg: MsgId,
        from: Endpoint,
        to: Endpoint,
        kind: MsgKind,
        key: Option<Key>,
        arrives: Time,
    },
    Delivered {
        msg: MsgId,
        from: Endpoint,
        to: Endpoint,
        kind: MsgKind,
    },
    Dropped {
        msg: MsgId,
        from: Endpoint,
        to: Endpoint,
        kind: MsgKind,
        reason: DropReason,
    },
    /// A replica stored a version; `siblings` is how many it holds now.
    Stored {
        node: NodeId,
        key: Key,
        /// Versions, outcomes and clocks are boxed throughout this enum so
        /// that every event stays small: the trace moves millions of them.
        version: Box<Version>,
        siblings: usize,
        cause: StoreCause,
    },
    /// A coordinator's new clock superseded a stored version that the
    /// client's context had not seen: that write is lost (vector clocks with
    /// server ids cannot tell the two apart).
    Overwritten {
        node: NodeId,
        key: Key,
        lost: Box<Version>,
        by: Box<Version>,
    },
    /// Vector clocks only: `by`'s coordinator counted past `sibling`'s
    /// event at that node without its writer having seen it. The sibling
    /// stays, concurrent through another entry, but any merge of `by`'s
    /// clock with that entry covers it: a put with such a context drops it
    /// as seen although nobody read it. Noted where the loss is decided.
    Shadowed {
        node: NodeId,
        key: Key,
        sibling: Box<Version>,
        by: Box<Version>,
    },
    /// A stand-in keeps a version for a down replica (`owner`).
    HintStored {
        node: NodeId,
        owner: NodeId,
        key: Key,
        version: Box<Version>,
    },
    /// The owner acknowledged a hint: the stand-in forgot it.
    HintDelivered {
        node: NodeId,
        owner: NodeId,
        key: Key,
    },
    /// `observer` changed its mind about `node`.
    Liveness {
        observer: NodeId,
        node: NodeId,
        from: Liveness,
        to: Liveness,
    },
    /// `node`'s view of the ring changed; these are its members now.
    ViewChanged {
        node: NodeId,
        members: Vec<NodeId>,
    },
    /// `node` acknowledged keys streamed to it; `dropped` of them left `from`.
    Transferred {
        from: NodeId,
        to: NodeId,
        keys: usize,
        dropped: usize,
    },
    /// `node` dropped keys it no longer owns, every owner having acknowledged them.
    Released {
        node: NodeId,
        keys: usize,
    },
    /// An anti-entropy session compared `compared` tree nodes at `level`;
    /// these differed (indices within the level).
    MerkleLevel {
        node: NodeId,
        peer: NodeId,
        initiator: NodeId,
        session: u64,
        range: (u64, u64),
        level: u8,
        compared: u32,
        differing: Vec<u32>,
    },
    /// An anti-entropy session ended (recorded by its initiator).
    AntiEntropy {
        initiator: NodeId,
        peer: NodeId,
        range: (u64, u64),
        stats: super::message::SyncStats,
        duration: Dur,
        /// The two replicas did not see the same range: nothing compared.
        skipped: bool,
    },
    /// A leaving node handed everything on and stopped for good.
    NodeLeft {
        node: NodeId,
    },
    /// A node took on a request as its coordinator.
    Coordinating {
        node: NodeId,
        op: OpId,
        key: Key,
        put: bool,
    },
    OpStarted {
        op: OpId,
        client: ClientId,
        key: Key,
        value: Option<Value>,
        via: Option<NodeId>,
    },
    OpFinished {
        op: OpId,
        client: ClientId,
        key: Key,
        put: bool,
        coordinator: Option<NodeId>,
        outcome: Box<Outcome>,
        replicas: SmallVec<[NodeId; 4]>,
        latency: Dur,
    },
    ClusterChange(ClusterChange),
    /// A scenario caption.
    Caption(String),
    /// A scenario step began.
    Step {
        index: usize,
        text: String,
    },
    /// A scenario expectation was checked.
    Expectation {
        text: String,
        passed: bool,
        detail: String,
    },
    /// Something allowed but worth telling (for example R + W <= N).
    Warning(String),
}

/// An event and the virtual time it happened at.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    pub at: Time,
    pub event: Event,
}

impl Event {
    /// A short name of the event's kind, for filters and JSON.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Event::Sent { .. } => "sent",
            Event::Delivered { .. } => "delivered",
            Event::Dropped { .. } => "dropped",
            Event::Stored { .. } => "stored",
            Event::Overwritten { .. } => "overwritten",
            Event::Shadowed { .. } => "shadowed",
            Event::Coordinating { .. } => "coordinating",
            Event::HintStored { .. } => "hint-stored",
            Event::Liveness { .. } => "liveness",
            Event::ViewChanged { .. } => "view-changed",
            Event::Transferred { .. } => "transferred",
            Event::NodeLeft { .. } => "node-left",
            Event::Released { .. } => "released",
            Event::AntiEntropy { .. } => "anti-entropy",
            Event::MerkleLevel { .. } => "merkle-level",
            Event::HintDelivered { .. } => "hint-delivered",
            Event::OpStarted { .. } => "op-started",
            Event::OpFinished { .. } => "op-finished",
            Event::ClusterChange(_) => "fault",
            Event::Caption(_) => "caption",
            Event::Step { .. } => "step",
            Event::Expectation { .. } => "expectation",
            Event::Warning(_) => "warning",
        }
    }

    /// The key the event is about, where it has one.
    pub fn key(&self) -> Option<&Key> {
        match self {
            Event::Sent { key, .. } => key.as_ref(),
            Event::Stored { key, .. }
            | Event::Overwritten { key, .. }
            | Event::Shadowed { key, .. }
            | Event::Coordinating { key, .. }
            | Event::HintStored { key, .. }
            | Event::HintDelivered { key, .. }
            | Event::OpStarted { key, .. }
            | Event::OpFinished { key, .. } => Some(key),
            _ => None,
        }
    }

    /// True when the event involves `node`.
    pub fn involves(&self, node: NodeId) -> bool {
        let n = Endpoint::Node(node);
        match self {
            Event::Sent { from, to, .. } | Event::Delivered { from, to, .. } | Event::Dropped { from, to, .. } => {
                *from == n || *to == n
            }
            Event::Stored { node: x, .. }
            | Event::Overwritten { node: x, .. }
            | Event::Shadowed { node: x, .. }
            | Event::Coordinating { node: x, .. } => *x == node,
            Event::HintStored { node: x, owner, .. } | Event::HintDelivered { node: x, owner, .. } => {
                *x == node || *owner == node
            }
            Event::Liveness { observer, node: x, .. } => *observer == node || *x == node,
            Event::ViewChanged { node: x, .. } | Event::NodeLeft { node: x } | Event::Released { node: x, .. } => {
                *x == node
            }
            Event::Transferred { from, to, .. } => *from == node || *to == node,
            Event::AntiEntropy { initiator, peer, .. }
            | Event::MerkleLevel {
                node: initiator, peer, ..
            } => *initiator == node || *peer == node,
            Event::OpStarted { via, .. } => *via == Some(node),
            Event::OpFinished {
                coordinator, replicas, ..
            } => *coordinator == Some(node) || replicas.contains(&node),
            Event::ClusterChange(f) => match f {
                ClusterChange::Kill(x)
                | ClusterChange::Revive(x)
                | ClusterChange::Slow { node: x, .. }
                | ClusterChange::Join(x)
                | ClusterChange::Leave(x) => *x == node,
                ClusterChange::Cut { from, to } => *from == node || *to == node,
                ClusterChange::Partition(groups) => groups.iter().flatten().any(|x| *x == node),
                ClusterChange::Heal | ClusterChange::Set(_) => true,
            },
            _ => false,
        }
    }
}

impl TraceEvent {
    /// One readable line (without the time).
    pub fn describe(&self, names: &Names) -> String {
        describe(&self.event, names)
    }
}

/// Renders an outcome: `ok, clock {s1:2}` or `2 siblings: CARM {..} | CARR {..}`.
pub fn describe_outcome(outcome: &Outcome, names: &Names) -> String {
    let mut s = String::new();
    match outcome {
        Outcome::Put { clock, failure } => {
            match failure {
                None => s.push_str("ok"),
                Some(f) => {
                    let _ = write!(s, "FAILED ({f})");
                }
            }
            let _ = write!(s, ", clock {}", clock.display(names));
        }
        Outcome::Get {
            versions,
            context,
            failure,
        } => {
            if let Some(f) = failure {
                let _ = write!(s, "FAILED ({f})");
            } else if versions.is_empty() {
                s.push_str("not found");
            } else if versions.len() == 1 {
                let _ = write!(s, "{}", versions[0].display(names));
            } else {
                let _ = write!(s, "{} siblings: ", versions.len());
                for (i, v) in versions.iter().enumerate() {
                    if i > 0 {
                        s.push_str(" | ");
                    }
                    let _ = write!(s, "{}", v.display(names));
                }
                let _ = write!(s, "; context {}", context.display(names));
            }
        }
        Outcome::Unavailable(f) => {
            let _ = write!(s, "FAILED ({f})");
        }
    }
    s
}

/// Renders a fault: `kill s1`, `partition [s2] | [s3]`.
pub fn describe_change(fault: &ClusterChange, names: &Names) -> String {
    match fault {
        ClusterChange::Kill(n) => format!("kill {}", names.node(*n)),
        ClusterChange::Revive(n) => format!("revive {}", names.node(*n)),
        ClusterChange::Partition(groups) => {
            let groups: Vec<String> = groups
                .iter()
                .map(|g| g.iter().map(|n| names.node(*n)).collect::<Vec<_>>().join(","))
                .collect();
            format!("partition {}", groups.join(" | "))
        }
        ClusterChange::Cut { from, to } => format!("cut {}>{}", names.node(*from), names.node(*to)),
        ClusterChange::Heal => "heal".to_string(),
        ClusterChange::Slow { node, extra } => format!("slow {} by {extra}", names.node(*node)),
        ClusterChange::Set(text) => format!("set {text}"),
        ClusterChange::Join(n) => format!("join {}", names.node(*n)),
        ClusterChange::Leave(n) => format!("leave {}", names.node(*n)),
    }
}

fn describe(event: &Event, names: &Names) -> String {
    let ep = |e: &Endpoint| names.endpoint(*e).to_string();
    match event {
        Event::Sent {
            from,
            to,
            kind,
            key,
            arrives,
            ..
        } => {
            let key = key.as_ref().map(|k| format!(" [{k}]")).unwrap_or_default();
            format!("{} → {} {}{key} (arrives {arrives})", ep(from), ep(to), kind.name())
        }
        Event::Delivered { from, to, kind, .. } => format!("{} → {} {} delivered", ep(from), ep(to), kind.name()),
        Event::Dropped {
            from, to, kind, reason, ..
        } => {
            format!("{} → {} {} DROPPED: {}", ep(from), ep(to), kind.name(), reason.name())
        }
        Event::Stored {
            node,
            key,
            version,
            siblings,
            cause,
        } => {
            let sib = if *siblings > 1 {
                format!(" ({siblings} siblings)")
            } else {
                String::new()
            };
            format!(
                "{} stored {key} = {} by {}{sib}",
                names.node(*node),
                version.display(names),
                cause.name()
            )
        }
        Event::Overwritten { node, key, lost, by } => format!(
            "{} OVERWROTE a concurrent write: {key} = {} lost to {} (the client's context had not seen it)",
            names.node(*node),
            lost.display(names),
            by.display(names)
        ),
        Event::Shadowed { node, key, sibling, by } => format!(
            "{} SHADOWED a concurrent write: {key} = {} is covered by {} in {}'s entry, unseen (a later merged context will drop it)",
            names.node(*node),
            sibling.display(names),
            by.display(names),
            names.node(by.stamp.node)
        ),
        Event::HintStored {
            node,
            owner,
            key,
            version,
        } => format!(
            "{} keeps {key} = {} as a hint for {}",
            names.node(*node),
            version.display(names),
            names.node(*owner)
        ),
        Event::HintDelivered { node, owner, key } => {
            format!(
                "{} handed {key} back to {} and forgot the hint",
                names.node(*node),
                names.node(*owner)
            )
        }
        Event::Liveness {
            observer,
            node,
            from,
            to,
        } => format!(
            "{} now sees {} {} (was {})",
            names.node(*observer),
            names.node(*node),
            to.name(),
            from.name()
        ),
        Event::ViewChanged { node, members } => format!(
            "{}'s ring now has {}: {}",
            names.node(*node),
            count(members.len(), "member"),
            members.iter().map(|n| names.node(*n)).collect::<Vec<_>>().join(", ")
        ),
        Event::Transferred {
            from,
            to,
            keys,
            dropped,
        } => format!(
            "{} took {} from {}; {} dropped {dropped} it no longer owns",
            names.node(*to),
            count(*keys, "key"),
            names.node(*from),
            names.node(*from)
        ),
        Event::NodeLeft { node } => format!("{} handed everything on and left the cluster", names.node(*node)),
        Event::AntiEntropy {
            initiator,
            peer,
            stats,
            duration,
            skipped,
            ..
        } => {
            if *skipped {
                format!(
                    "{} and {} skipped anti-entropy: they see the range differently",
                    names.node(*initiator),
                    names.node(*peer)
                )
            } else if stats.keys == 0 {
                format!(
                    "{} and {} are in sync: {} compared in {duration}",
                    names.node(*initiator),
                    names.node(*peer),
                    count(stats.compared, "hash")
                )
            } else {
                format!(
                    "{} and {} repaired {}: {} compared over {}, {}, in {duration}",
                    names.node(*initiator),
                    names.node(*peer),
                    count(stats.keys, "key"),
                    count(stats.compared, "hash"),
                    count(stats.levels, "level"),
                    count(stats.digests, "key digest")
                )
            }
        }
        Event::MerkleLevel {
            node,
            peer,
            level,
            compared,
            differing,
            ..
        } => format!(
            "{} compared {} from {} at level {level}: {} differ",
            names.node(*node),
            count(*compared, "hash"),
            names.node(*peer),
            differing.len()
        ),
        Event::Released { node, keys } => {
            format!(
                "{} dropped {} it no longer owns (their owners have them)",
                names.node(*node),
                count(*keys, "key")
            )
        }
        Event::Coordinating { node, op, key, put } => {
            format!(
                "{} coordinates {} {key} ({op})",
                names.node(*node),
                if *put { "put" } else { "get" }
            )
        }
        Event::OpStarted {
            op,
            client,
            key,
            value,
            via,
        } => {
            let via = via.map(|n| format!(" via {}", names.node(n))).unwrap_or_default();
            match value {
                Some(v) => format!("{} put {key} = {v}{via} ({op})", names.client(*client)),
                None => format!("{} get {key}{via} ({op})", names.client(*client)),
            }
        }
        Event::OpFinished {
            client,
            key,
            put,
            coordinator,
            outcome,
            latency,
            ..
        } => {
            let by = coordinator
                .map(|n| format!(" by {}", names.node(n)))
                .unwrap_or_default();
            format!(
                "{} {} {key} → {} in {latency}{by}",
                names.client(*client),
                if *put { "put" } else { "get" },
                describe_outcome(outcome, names)
            )
        }
        Event::ClusterChange(f) => describe_change(f, names),
        Event::Caption(text) => text.clone(),
        Event::Step { index, text } => format!("step {}: {text}", index + 1),
        Event::Expectation { text, passed, detail } => {
            if *passed {
                format!("expect {text}: passed")
            } else {
                format!("expect {text}: FAILED: {detail}")
            }
        }
        Event::Warning(text) => format!("warning: {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time::Time;

    fn describe(event: Event) -> String {
        TraceEvent { at: Time(0), event }.describe(&Names::new(["n1", "n2"]))
    }

    #[test]
    fn a_count_of_one_is_singular() {
        let took = describe(Event::Transferred {
            from: NodeId(0),
            to: NodeId(1),
            keys: 1,
            dropped: 1,
        });
        assert!(took.contains("took 1 key from n1"), "{took}");
        let level = describe(Event::MerkleLevel {
            node: NodeId(0),
            peer: NodeId(1),
            initiator: NodeId(0),
            session: 1,
            range: (0, 1),
            level: 0,
            compared: 1,
            differing: vec![0],
        });
        assert!(level.contains("compared 1 hash from n2"), "{level}");
        let view = describe(Event::ViewChanged {
            node: NodeId(0),
            members: vec![NodeId(0)],
        });
        assert!(view.contains("has 1 member:"), "{view}");
        let released = describe(Event::Released {
            node: NodeId(1),
            keys: 1,
        });
        assert!(released.contains("dropped 1 key it"), "{released}");
        let many = describe(Event::Transferred {
            from: NodeId(0),
            to: NodeId(1),
            keys: 3,
            dropped: 0,
        });
        assert!(many.contains("took 3 keys from n1"), "{many}");
    }
}
