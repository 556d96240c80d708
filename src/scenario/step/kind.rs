//! What a step is, as data: a [`Step`] is an action ([`StepKind`]) and
//! what to expect once it is done; [`PutStep`], [`GetStep`] and
//! [`BulkStep`] are what the put, get, fill and scan actions carry, and
//! [`TrafficStep`] what `traffic` does. Each
//! action's file parses, renders and starts its own variant; this file
//! only says what the variants are, so that those files and the table in
//! `mod.rs` share it without importing each other.

use crate::core::time::Dur;
use crate::scenario::expect::{ClockSpec, Expect};
use crate::scenario::noderef::NodeRef;
use crate::scenario::settings_patch::SettingsPatch;
use crate::scenario::traffic::TrafficSpec;

/// One step: what it does and what to expect once it is done.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    pub expect: Option<Expect>,
}

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    /// Show a caption.
    Say(String),
    Put(PutStep),
    Get(GetStep),
    /// Let virtual time pass.
    Wait(Dur),
    /// Let virtual time pass until this instant (since the start).
    At(Dur),
    Kill(NodeRef),
    Revive(NodeRef),
    /// The listed groups cannot reach each other.
    Partition(Vec<Vec<NodeRef>>),
    /// One direction of one link is cut.
    Cut {
        from: NodeRef,
        to: NodeRef,
    },
    /// Remove every partition and cut.
    Heal,
    /// Messages to and from a node take longer (0 restores it).
    Slow {
        node: NodeRef,
        by: Dur,
    },
    /// Change settings.
    Set(SettingsPatch),
    /// Start a new node that contacts a seed and takes over its ranges.
    Join {
        node: String,
        tokens: Option<Vec<u64>>,
    },
    /// Hand a node's ranges to their new owners, then stop it for good.
    Leave(NodeRef),
    /// Put one value under many keys at once; done when all have answered.
    Fill(BulkStep),
    /// Get many keys at once; done when all have answered.
    Scan(BulkStep),
    /// Start these steps at the same instant; done when all are.
    Concurrently(Vec<Step>),
    /// Start or stop background traffic; done at once.
    Traffic(TrafficStep),
    /// Only check expectations (a step with `expect` and no action).
    Check,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PutStep {
    pub key: String,
    pub value: String,
    pub client: String,
    pub via: Option<NodeRef>,
    pub w: Option<usize>,
    /// Stores required on the key's own top N (stand-ins not counted).
    pub pw: Option<usize>,
    /// Overrides the client's remembered context.
    pub context: Option<ClockSpec>,
    /// Start the put and go on without waiting for its answer.
    pub nowait: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GetStep {
    pub key: String,
    pub client: String,
    pub via: Option<NodeRef>,
    pub r: Option<usize>,
    /// Answers required from the key's own top N.
    pub pr: Option<usize>,
    /// Start the get and go on without waiting for its answer.
    pub nowait: bool,
}

/// Many keys at once: `PREFIX{start}` .. `PREFIX{start + keys - 1}`.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkStep {
    pub keys: usize,
    pub prefix: String,
    pub start: usize,
    /// The value a fill writes, or the value a scan expects every key to hold.
    pub value: Option<String>,
    pub client: String,
    /// The node every request enters at.
    pub via: Option<NodeRef>,
    /// W for a fill, R for a scan.
    pub quorum: Option<usize>,
}

/// What a `traffic` step does.
#[derive(Clone, Debug, PartialEq)]
pub enum TrafficStep {
    Start(TrafficSpec),
    Off,
}
