//! The canonical order of endpoints within an instant: nodes by index,
//! then arrivals of an open-loop workload, then clients. Tie keys rank
//! events by it, so that a window's effects are carried out in the same
//! order however the run is paced.

use crate::core::ids::Endpoint;

use super::local_timers::COUNT_BITS;

/// Clients come after every node in the canonical order.
pub(super) const CLIENT_ORDER: u32 = 1 << 16;

/// The tie key of arrival `seq`: arrivals rank after every node and
/// before every client, counted by their own sequence, so that drawing them
/// ahead of their windows takes no count from anyone else.
pub(super) fn arrival_tie(seq: u64) -> u64 {
    (((CLIENT_ORDER - 1) as u64) << COUNT_BITS) | (seq + 1)
}

/// An endpoint's rank in the canonical order.
pub(super) fn order_of(e: Endpoint) -> u32 {
    match e {
        Endpoint::Node(n) => n.0 as u32,
        Endpoint::Client(c) => CLIENT_ORDER + c.0 as u32,
    }
}
