//! The hook an open-loop workload drives the engine through: operations
//! that arrive at instants of their own (a Poisson stream, say), whatever
//! the cluster answers.
//!
//! The engine asks the workload for arrival instants in sequence and keeps
//! the next one on its calendar; what an arrival does (which client, which
//! key, a get or a put) is asked at its instant, in the canonical order of
//! the window, so a run stays deterministic however it is paced. Arrival
//! instants are drawn ahead of their windows but only from the workload's
//! own sequence: nothing the cluster does moves them.

use crate::core::client::{OpKind, OpReport};
use crate::core::config::Routing;
use crate::core::ids::{ClientId, NodeId};
use crate::core::ring::Ring;
use crate::core::time::Time;
use crate::core::version::Key;

/// What one arrival starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrival {
    pub client: ClientId,
    pub key: Key,
    pub kind: OpKind,
    pub via: Option<NodeId>,
    /// The routing of this operation, instead of the cluster's.
    pub routing: Option<Routing>,
}

/// An open-loop workload (see the module's documentation).
pub trait Arrivals: Send {
    /// The instant of the next arrival, after the one drawn before.
    fn next_time(&mut self) -> Time;
    /// What arrival number `seq` does at `at`, with the clients' ring;
    /// `None` starts nothing.
    fn arrive(&mut self, at: Time, seq: u64, ring: &Ring) -> Option<Arrival>;
    /// Takes a finished operation; true when it was one of the workload's
    /// (its report is then not kept for [`super::Engine::take_finished`]).
    fn finished(&mut self, report: &OpReport) -> bool;
    /// What runs, in a few words (`200 ops/s over 100 keys ...`).
    fn describe(&self) -> String;
    /// A copy, for a checkpoint of the engine (see [`super::checkpoint`]):
    /// a run resumed from it must draw the same arrivals from there on.
    fn clone_box(&self) -> Box<dyn Arrivals>;
}

impl Clone for Box<dyn Arrivals> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}
