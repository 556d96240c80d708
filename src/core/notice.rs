//! Notices: what a node tells the engine about the cluster, as effects.
//!
//! A node's trace events are output only: the engine passes them to the
//! trace when it is on and never reads them. A few things a node decides
//! change the engine's own records, though (the cluster's ring, the nodes
//! to stop, the lost writes checkers judge, anti-entropy's totals), and
//! those must reach it whether or not anyone traces. Each is a [`Notice`],
//! sent as `Effect::Notify` (see [`crate::core::outbox`]): the engine acts
//! on it, then traces it as the [`Event`] it converts to, like any other
//! effect.

use super::ids::NodeId;
use super::message::SyncStats;
use super::time::Dur;
use super::trace::Event;
use super::version::{Key, Version};

/// Something a node tells the engine. Large parts are boxed, as in
/// [`Event`], so that a notice travels inline in an effect.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// `node`'s view of the ring changed; these are its members now. A
    /// joining node that sees others has reached the cluster: the engine
    /// puts it on the clients' ring.
    ViewChanged { node: NodeId, members: Vec<NodeId> },
    /// A leaving node handed everything on and stopped for good: the
    /// engine stops its task.
    Left { node: NodeId },
    /// `node` replaced `lost` by `by` although `by`'s writer had not seen
    /// it (see [`Event::Overwritten`]), or, `shadowed`, keeps `lost` beside
    /// `by`, which counts past it (see [`Event::Shadowed`]). Every replica
    /// that sees it notices it; the engine keeps each once.
    LostWrite {
        node: NodeId,
        key: Key,
        lost: Box<Version>,
        by: Box<Version>,
        shadowed: bool,
    },
    /// An anti-entropy session ended (noticed by its initiator): the
    /// engine keeps running totals.
    AntiEntropySession {
        initiator: NodeId,
        peer: NodeId,
        range: (u64, u64),
        stats: SyncStats,
        duration: Dur,
        /// The two replicas did not see the same range: nothing compared.
        skipped: bool,
    },
}

impl From<Notice> for Event {
    /// The trace event a notice is traced as.
    fn from(notice: Notice) -> Event {
        match notice {
            Notice::ViewChanged { node, members } => Event::ViewChanged { node, members },
            Notice::Left { node } => Event::NodeLeft { node },
            Notice::LostWrite {
                node,
                key,
                lost,
                by,
                shadowed: false,
            } => Event::Overwritten { node, key, lost, by },
            Notice::LostWrite {
                node,
                key,
                lost,
                by,
                shadowed: true,
            } => Event::Shadowed {
                node,
                key,
                sibling: lost,
                by,
            },
            Notice::AntiEntropySession {
                initiator,
                peer,
                range,
                stats,
                duration,
                skipped,
            } => Event::AntiEntropy {
                initiator,
                peer,
                range,
                stats,
                duration,
                skipped,
            },
        }
    }
}
