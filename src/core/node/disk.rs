//! [`Disk`]: what survives a node's crash.

use std::sync::Arc;

use crate::core::dots::DotCounters;
use crate::core::hints::HintStore;
use crate::core::ids::NodeId;
use crate::core::membership::Membership;
use crate::core::ring::Ring;
use crate::core::store::Store;
use crate::core::time::Time;

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
