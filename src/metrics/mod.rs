//! Metrics over time, read from the trace: per virtual second, operations
//! completed and failed, latency percentiles, availability, staleness,
//! siblings and the repair work, as Riak's stats or `nodetool` give an
//! operator.
//!
//! [`Metrics`] is a [`TraceTap`]: the engine hands it every traced event as
//! it is recorded (see [`crate::engine::Engine::set_trace_tap`]), so it
//! sees the run whoever drains the trace. It keeps one [`Row`] per virtual
//! second in a ring buffer of [`ROWS_KEPT`] rows (an hour): memory stays
//! bounded however long a run is. The playground draws the rows, `ringside
//! run --metrics FILE` writes them as CSV ([`columns`]) and `expect:
//! {metrics: ...}` checks them over a window.
//!
//! Layer: it reads only `core` (and implements the engine's tap trait);
//! `scenario`, `tui` and `cli` read it.

pub mod columns;
pub mod latency;
pub mod staleness;

use std::collections::VecDeque;

use rustc_hash::FxHashSet;

use crate::core::ids::NodeId;
use crate::core::message::{MsgKind, Outcome};
use crate::core::time::Time;
use crate::core::trace::{Event, StoreCause, TraceEvent};
use crate::core::version::Key;
use crate::engine::trace_buffer::TraceTap;

use latency::Histogram;
use staleness::{Verdict, WriteHistory};

/// Rows kept: an hour of virtual seconds (a `wait` is at most an hour, so
/// a runner that writes rows after every step loses none).
pub const ROWS_KEPT: usize = 3600;

/// What happened in some span of virtual time (one second, or a window of
/// them summed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    pub gets: u64,
    pub puts: u64,
    pub gets_failed: u64,
    pub puts_failed: u64,
    pub get_latency: Histogram,
    pub put_latency: Histogram,
    /// Successful gets the staleness oracle could judge, and the stale ones.
    pub judged: u64,
    pub stale: u64,
    /// Summed over the stale gets: writes missed, and ms behind.
    pub stale_versions: u64,
    pub stale_ms: f64,
    /// Successful gets that returned more than one version.
    pub sibling_gets: u64,
    /// Hints held at the span's end.
    pub hints_pending: u64,
    pub hints_handed_off: u64,
    pub read_repairs: u64,
    /// Keys anti-entropy sessions exchanged.
    pub ae_keys: u64,
    /// Messages sent, by kind (in [`MsgKind::ALL`]'s order).
    pub sent: [u64; MsgKind::ALL.len()],
}

impl Totals {
    /// Adds a later span: counters add up, hints pending are the later's.
    pub fn add(&mut self, later: &Totals) {
        self.gets += later.gets;
        self.puts += later.puts;
        self.gets_failed += later.gets_failed;
        self.puts_failed += later.puts_failed;
        self.get_latency.merge(&later.get_latency);
        self.put_latency.merge(&later.put_latency);
        self.judged += later.judged;
        self.stale += later.stale;
        self.stale_versions += later.stale_versions;
        self.stale_ms += later.stale_ms;
        self.sibling_gets += later.sibling_gets;
        self.hints_pending = later.hints_pending;
        self.hints_handed_off += later.hints_handed_off;
        self.read_repairs += later.read_repairs;
        self.ae_keys += later.ae_keys;
        for (a, b) in self.sent.iter_mut().zip(later.sent) {
            *a += b;
        }
    }

    pub fn ops(&self) -> u64 {
        self.gets + self.puts
    }

    pub fn failed(&self) -> u64 {
        self.gets_failed + self.puts_failed
    }

    /// The share of operations that succeeded (1 when none finished).
    pub fn availability(&self) -> f64 {
        share(self.ops() - self.failed(), self.ops(), 1.0)
    }

    /// The share of judged gets that were stale (0 when none was judged).
    pub fn stale_share(&self) -> f64 {
        share(self.stale, self.judged, 0.0)
    }

    /// The latencies of every operation.
    pub fn latency(&self) -> Histogram {
        let mut all = self.get_latency.clone();
        all.merge(&self.put_latency);
        all
    }
}

/// `part / whole`, or `empty` when `whole` is 0.
pub fn share(part: u64, whole: u64, empty: f64) -> f64 {
    if whole == 0 { empty } else { part as f64 / whole as f64 }
}

/// One virtual second.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    /// The second's start, in whole seconds since the run began.
    pub second: u64,
    pub totals: Totals,
}

/// The metrics of a run (see the module's documentation).
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// Closed seconds, oldest first, at most [`ROWS_KEPT`].
    rows: VecDeque<Row>,
    /// The second events are arriving in.
    open: Option<Row>,
    history: WriteHistory,
    /// Hints held now: (holder, owner, key).
    hints: FxHashSet<(NodeId, NodeId, Key)>,
}

impl TraceTap for Metrics {
    fn see(&mut self, event: &TraceEvent) {
        self.observe(event);
    }

    fn clone_tap(&self) -> Box<dyn TraceTap> {
        Box::new(self.clone())
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Takes one trace event.
    pub fn observe(&mut self, ev: &TraceEvent) {
        let second = ev.at.micros() / 1_000_000;
        self.close_before(second);
        let pending = self.hints.len() as u64;
        let open = self.open.get_or_insert_with(|| Row {
            second,
            totals: Totals {
                hints_pending: pending,
                ..Totals::default()
            },
        });
        // An event a little out of order goes to its own second if kept.
        let t = if second < open.second {
            match self.rows.iter_mut().rev().find(|r| r.second == second) {
                Some(r) => &mut r.totals,
                None => &mut open.totals,
            }
        } else {
            &mut open.totals
        };
        match &ev.event {
            Event::OpFinished {
                key,
                put,
                outcome,
                latency,
                ..
            } => {
                let ok = outcome.is_ok();
                if *put {
                    t.puts += 1;
                    t.puts_failed += u64::from(!ok);
                    t.put_latency.add(*latency);
                    if let Outcome::Put { clock, failure: None } = &**outcome {
                        self.history.acknowledged(key, ev.at, clock);
                    }
                } else {
                    t.gets += 1;
                    t.gets_failed += u64::from(!ok);
                    t.get_latency.add(*latency);
                    if let Outcome::Get {
                        versions,
                        failure: None,
                        ..
                    } = &**outcome
                    {
                        t.sibling_gets += u64::from(versions.len() > 1);
                        match self
                            .history
                            .judge(key, Time(ev.at.micros().saturating_sub(latency.micros())), versions)
                        {
                            Verdict::Unjudged => {}
                            Verdict::Fresh => t.judged += 1,
                            Verdict::Stale { versions, behind } => {
                                t.judged += 1;
                                t.stale += 1;
                                t.stale_versions += versions as u64;
                                t.stale_ms += behind.micros() as f64 / 1000.0;
                            }
                        }
                    }
                }
            }
            Event::Sent { kind, .. } => t.sent[*kind as usize] += 1,
            Event::Stored {
                cause: StoreCause::Repair,
                ..
            } => t.read_repairs += 1,
            Event::HintStored { node, owner, key, .. } => {
                self.hints.insert((*node, *owner, key.clone()));
            }
            Event::HintDelivered { node, owner, key } => {
                t.hints_handed_off += u64::from(self.hints.remove(&(*node, *owner, key.clone())));
            }
            Event::AntiEntropy { stats, .. } => t.ae_keys += stats.keys as u64,
            _ => {}
        }
        if let Some(open) = self.open.as_mut() {
            open.totals.hints_pending = self.hints.len() as u64;
        }
    }

    /// Closes every second before `second` (seconds with no event at all
    /// get no row).
    fn close_before(&mut self, second: u64) {
        if self.open.as_ref().is_some_and(|o| o.second < second) {
            let row = self.open.take().expect("checked");
            if self.rows.len() >= ROWS_KEPT {
                self.rows.pop_front();
            }
            self.rows.push_back(row);
        }
    }

    /// Closes the seconds before `now`'s (the end of a run).
    pub fn finish(&mut self, now: Time) {
        let second = now.micros().div_ceil(1_000_000);
        self.close_before(second);
    }

    /// Every second kept, oldest first, the one still open last.
    pub fn rows(&self) -> impl DoubleEndedIterator<Item = &Row> + Clone {
        self.rows.iter().chain(self.open.as_ref())
    }

    /// The complete seconds among the last `seconds` before `now`'s second.
    pub fn window(&self, now: Time, seconds: u64) -> (Totals, u64) {
        let current = now.micros() / 1_000_000;
        let from = current.saturating_sub(seconds);
        let mut totals = Totals::default();
        let mut n = 0;
        for r in self.rows().filter(|r| r.second >= from && r.second < current) {
            totals.add(&r.totals);
            n += 1;
        }
        (totals, n)
    }

    /// The rows closed after second `after` (all when `None`): a CSV writer
    /// keeps the last second it wrote.
    pub fn closed_after(&self, after: Option<u64>) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(move |r| after.is_none_or(|a| r.second > a))
    }
}

#[cfg(test)]
mod tests;
