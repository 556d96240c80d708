//! The version graph of one key, built from a run's trace.
//!
//! Every version a coordinator wrote for the key becomes a node, labelled
//! `D1`, `D2`, ... in the order the trace first shows it. Its parents are
//! the versions its writer had in its context, direct descent only: a
//! version covered by the context but already an ancestor of another
//! covered version is left out. Marks say what became of a version:
//! returned among siblings, overwritten or shadowed by a concurrent write,
//! lost to last-write-wins, or replaced by a put that resolved siblings.
//!
//! The graph reads only [`TraceEvent`]s (each arm of [`History::observe`]
//! picks out one kind of event, so that a change of the event type touches
//! one arm), plus, when the caller has them, the versions the replicas hold
//! at the end ([`History::set_holders`]).

use rustc_hash::FxHashMap;

use crate::core::clock::VClock;
use crate::core::ids::NodeId;
use crate::core::message::Outcome;
use crate::core::time::Time;
use crate::core::trace::{Event, StoreCause, TraceEvent};
use crate::core::version::{Key, Version};

/// What became of a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// A client's get returned it beside at least one other version.
    Sibling,
    /// A concurrent write whose writer had not seen it replaced it (server-id
    /// vector clocks: two writes through one coordinator). `by` is the index
    /// of that write.
    Overwritten { by: usize },
    /// A concurrent write counted past its event at that write's
    /// coordinator: a later merged context drops it unseen.
    Shadowed { by: usize },
    /// Last-write-wins kept a later version in its place.
    LostToLww { by: usize },
    /// A put whose context held it and at least one concurrent version
    /// replaced it: the client resolved the siblings.
    Replaced { by: usize },
}

impl Mark {
    /// The mark's kind, as the JSON names it.
    pub fn kind(self) -> &'static str {
        match self {
            Mark::Sibling => "sibling",
            Mark::Overwritten { .. } => "overwritten",
            Mark::Shadowed { .. } => "shadowed",
            Mark::LostToLww { .. } => "lost-to-lww",
            Mark::Replaced { .. } => "replaced",
        }
    }

    /// The version that did it, when there is one.
    pub fn by(self) -> Option<usize> {
        match self {
            Mark::Sibling => None,
            Mark::Overwritten { by } | Mark::Shadowed { by } | Mark::LostToLww { by } | Mark::Replaced { by } => {
                Some(by)
            }
        }
    }
}

/// A replica (or a stand-in, for a hint) that holds a version now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holder {
    pub node: NodeId,
    /// Kept as a hint for a down replica rather than in the node's own store.
    pub hint: bool,
}

/// One version ever written of the key.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryVersion {
    /// `D1`, `D2`, ... in order of creation.
    pub label: String,
    pub version: Version,
    /// The node that wrote it.
    pub coordinator: NodeId,
    /// When the trace first shows it.
    pub at: Time,
    /// Indices of the versions it descends from directly, in order.
    pub parents: Vec<usize>,
    /// What became of it, each kind once, in order.
    pub marks: Vec<Mark>,
    /// Who holds it now (empty until [`History::set_holders`]).
    pub holders: Vec<Holder>,
}

/// The graph of every version of one key.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub key: Key,
    pub versions: Vec<HistoryVersion>,
    /// Ancestors of each version (transitively), by index.
    ancestors: Vec<Vec<bool>>,
    index: FxHashMap<Version, usize>,
    /// Whether [`History::set_holders`] was called.
    pub holders_known: bool,
}

impl History {
    /// An empty history of `key`.
    pub fn new(key: impl Into<Key>) -> History {
        History {
            key: key.into(),
            ..History::default()
        }
    }

    /// The history of `key` in `trace`.
    pub fn from_trace<'a>(key: &str, trace: impl IntoIterator<Item = &'a TraceEvent>) -> History {
        let mut h = History::new(key);
        for ev in trace {
            h.observe(ev);
        }
        h
    }

    /// The index of the version labelled `label`.
    pub fn find(&self, label: &str) -> Option<usize> {
        self.versions.iter().position(|v| v.label == label)
    }

    /// Takes one trace event into account.
    pub fn observe(&mut self, ev: &TraceEvent) {
        match &ev.event {
            Event::Stored {
                node,
                key,
                version,
                cause,
                ..
            } if *key == self.key => {
                let coordinator = if *cause == StoreCause::Write {
                    *node
                } else {
                    version.stamp.node
                };
                self.meet(version, coordinator, ev.at);
            }
            Event::HintStored { key, version, .. } if *key == self.key => {
                self.meet(version, version.stamp.node, ev.at);
            }
            Event::Overwritten { key, lost, by, .. } if *key == self.key => {
                let lost_i = self.meet(lost, lost.stamp.node, ev.at);
                let by_i = self.meet(by, by.stamp.node, ev.at);
                // Vector clocks: the winner's clock covers the loser although
                // its writer never saw it. Otherwise (last-write-wins) only
                // the timestamp decided.
                let mark = if by.full_clock().descends(&lost.full_clock()) {
                    Mark::Overwritten { by: by_i }
                } else {
                    Mark::LostToLww { by: by_i }
                };
                self.mark(lost_i, mark);
            }
            Event::Shadowed { key, sibling, by, .. } if *key == self.key => {
                let s = self.meet(sibling, sibling.stamp.node, ev.at);
                let b = self.meet(by, by.stamp.node, ev.at);
                self.mark(s, Mark::Shadowed { by: b });
            }
            Event::OpFinished { key, outcome, .. } if *key == self.key => {
                if let Outcome::Get { versions, .. } = &**outcome
                    && versions.len() > 1
                {
                    for v in versions.iter() {
                        let i = self.meet(v, v.stamp.node, ev.at);
                        self.mark(i, Mark::Sibling);
                    }
                }
            }
            _ => {}
        }
    }

    /// Records which versions the replicas hold now: (node, kept as a hint,
    /// version). Versions the trace never showed are ignored.
    pub fn set_holders(&mut self, held: impl IntoIterator<Item = (NodeId, bool, Version)>) {
        for v in &mut self.versions {
            v.holders.clear();
        }
        for (node, hint, version) in held {
            if let Some(&i) = self.index.get(&version) {
                let holder = Holder { node, hint };
                let list = &mut self.versions[i].holders;
                if !list.contains(&holder) {
                    list.push(holder);
                    list.sort();
                }
            }
        }
        self.holders_known = true;
    }

    fn mark(&mut self, i: usize, mark: Mark) {
        let marks = &mut self.versions[i].marks;
        if !marks.iter().any(|m| m.kind() == mark.kind()) {
            marks.push(mark);
            marks.sort();
        }
    }

    /// The index of `version`, adding it (with its parents) when new.
    fn meet(&mut self, version: &Version, coordinator: NodeId, at: Time) -> usize {
        if let Some(&i) = self.index.get(version) {
            return i;
        }
        let i = self.versions.len();
        let context = version.writer_context();
        // Every earlier version the writer's context covers...
        let covered: Vec<usize> = match &context {
            Some(c) => (0..i).filter(|&j| covers(c, &self.versions[j].version)).collect(),
            None => Vec::new(),
        };
        // ... less those that are ancestors of another covered one.
        let parents: Vec<usize> = covered
            .iter()
            .copied()
            .filter(|&j| !covered.iter().any(|&k| k != j && self.ancestors[k][j]))
            .collect();
        let mut ancestors = vec![false; i + 1];
        for &p in &parents {
            ancestors[p] = true;
            for (a, &is) in self.ancestors[p].iter().enumerate() {
                ancestors[a] |= is;
            }
        }
        for row in &mut self.ancestors {
            row.push(false);
        }
        self.ancestors.push(ancestors);
        self.versions.push(HistoryVersion {
            label: format!("D{}", i + 1),
            version: version.clone(),
            coordinator,
            at,
            parents: parents.clone(),
            marks: Vec::new(),
            holders: Vec::new(),
        });
        self.index.insert(version.clone(), i);
        // A put whose context held concurrent versions resolved them.
        if parents.len() > 1 {
            for p in parents {
                self.mark(p, Mark::Replaced { by: i });
            }
        }
        i
    }
}

/// True when a writer whose context was `context` had seen `v`.
fn covers(context: &VClock, v: &Version) -> bool {
    match v.dot {
        Some(d) => context.contains(d.node, d.counter),
        None => context.descends(&v.clock),
    }
}
