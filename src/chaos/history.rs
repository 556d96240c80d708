//! Judging a seed from what its clients saw and sent, never from what the
//! cluster says about itself: which lost adds a race in the clients' own
//! history explains, whether every acknowledged put made a new event, which
//! stored siblings are obsolete, and which last-write-wins winner is right.
//! Every comparison is the checker's own ([`super::oracle`]).

use std::collections::BTreeMap;

use super::oracle::{History, lww_wins, supersedes};
use super::record::{AckedPut, PutKind, SeedRecord};
use crate::core::clock::VClock;
use crate::core::config::ClockMode;
use crate::core::ids::NodeId;
use crate::core::version::Key;

/// A put that may have replaced others, acknowledged or not.
struct Writer<'a> {
    key: &'a Key,
    item: &'a str,
    kind: PutKind,
    context: &'a VClock,
    coordinator: Option<NodeId>,
    clock: Option<&'a VClock>,
}

fn writers(r: &SeedRecord) -> impl Iterator<Item = Writer<'_>> {
    let acked = r.acked.iter().map(|p| Writer {
        key: &p.key,
        item: &p.item,
        kind: p.kind,
        context: &p.context,
        coordinator: Some(p.coordinator),
        clock: Some(&p.clock),
    });
    let failed = r.failed_puts.iter().map(|p| Writer {
        key: &p.key,
        item: &p.item,
        kind: p.kind,
        context: &p.context,
        coordinator: p.coordinator,
        clock: p.clock.as_ref(),
    });
    acked.chain(failed)
}

/// The event an acknowledged put made: its coordinator and the counter its
/// reply gives the coordinator (in dotted mode, the put's dot).
pub fn event(put: &AckedPut) -> (NodeId, u32) {
    (put.coordinator, History::of(&put.clock).get(put.coordinator))
}

/// Why `put`'s item may legitimately be missing from the final read, or
/// `None` when nothing in the clients' history explains it:
/// - last-write-wins keeps one write of concurrent ones by design;
/// - a put with a hostile context legitimately replaces every write its
///   context claims (dotted: it holds the put's dot; vector: it or the
///   hostile put's new clock holds the put's whole clock);
/// - with vector clocks, two writes coordinated by the same node from
///   contexts that did not see each other: the later gets a clock that
///   strictly descends the earlier's, though its client never saw it.
///
/// Dotted version vectors excuse nothing else: a chained put replaces only
/// what its client saw, and its value holds every item of that.
pub fn excuse(r: &SeedRecord, put: &AckedPut, mode: ClockMode) -> Option<String> {
    if mode == ClockMode::Lww {
        return Some("last-write-wins keeps one of concurrent writes".into());
    }
    let (node, counter) = event(put);
    let lost = History::of(&put.clock);
    writers(r)
        .filter(|w| w.key == &put.key && w.item != put.item)
        .find_map(|w| {
            let context = History::of(w.context);
            let later = w.clock.map(History::of);
            let hostile = w.kind == PutKind::Hostile;
            match mode {
                ClockMode::Dotted => (hostile && context.get(node) >= counter)
                    .then(|| format!("{}'s hostile context holds its dot", w.item)),
                _ => {
                    let descends = later.as_ref().is_some_and(|l| l.strictly_covers(&lost));
                    if hostile && (context.covers(&lost) || descends) {
                        Some(format!("{}'s hostile context claims it", w.item))
                    } else if descends && w.coordinator == Some(put.coordinator) && !context.covers(&lost) {
                        Some(format!(
                            "{} went through the same coordinator without having seen it",
                            w.item
                        ))
                    } else {
                        None
                    }
                }
            }
        })
}

/// Acknowledged puts whose clock is not a new event: a counter that did not
/// rise past the context the client sent, a clock that does not hold that
/// context, or an event two puts of one key share. No correct coordinator
/// acknowledges one (a counter that saturates or wraps does).
pub fn stale_events(r: &SeedRecord) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<(&Key, NodeId, u32), &str> = BTreeMap::new();
    for put in &r.acked {
        let (node, counter) = event(put);
        let sent = History::of(&put.context);
        if counter <= sent.get(node) {
            out.push(format!(
                "{}:{} got counter {counter} of its coordinator, not past the {} its context held",
                put.key,
                put.item,
                sent.get(node)
            ));
        } else if !History::of(&put.clock).covers(&sent) {
            out.push(format!("{}:{} got a clock that drops part of its context", put.key, put.item));
        }
        if let Some(other) = seen.insert((&put.key, node, counter), &put.item) {
            out.push(format!(
                "{}:{} and {other} got the same event (counter {counter})",
                put.key, put.item
            ));
        }
    }
    out
}

/// Stored versions that another version beside them makes obsolete (under
/// last-write-wins: any second version).
pub fn dominated(r: &SeedRecord) -> Vec<String> {
    let mode = r.settings.clocks;
    let mut out = Vec::new();
    for s in &r.stored {
        if mode == ClockMode::Lww && s.versions.len() > 1 {
            out.push(format!(
                "{} holds {} versions of {} under last-write-wins",
                s.node,
                s.versions.len(),
                s.key
            ));
            continue;
        }
        for (i, a) in s.versions.iter().enumerate() {
            for (j, b) in s.versions.iter().enumerate() {
                if i != j && supersedes(a, b, mode) {
                    out.push(format!("{} holds {} = {} beside {}", s.node, s.key, a.value, b.value));
                }
            }
        }
    }
    out
}

/// Under last-write-wins, final reads that did not return the latest
/// write: more than one version, a version older than a put acknowledged
/// before it was even sent, or one a later stored version beats.
pub fn wrong_lww_winners(r: &SeedRecord) -> Vec<String> {
    if r.settings.clocks != ClockMode::Lww {
        return Vec::new();
    }
    let mut out = Vec::new();
    for read in r.final_reads.iter().filter(|x| x.ok) {
        let [winner] = read.versions.as_slice() else {
            if !read.versions.is_empty() {
                out.push(format!("{} read back {} versions", read.key, read.versions.len()));
            }
            continue;
        };
        if let Some(p) = r
            .acked
            .iter()
            .filter(|p| p.key == read.key)
            .find(|p| p.sent_at.micros() > winner.stamp.micros)
        {
            out.push(format!(
                "{} read back a write of {}us, older than {} sent at {}",
                read.key, winner.stamp.micros, p.item, p.sent_at
            ));
        }
        for s in r.stored.iter().filter(|s| s.key == read.key) {
            if let Some(v) = s.versions.iter().find(|v| lww_wins(v, winner)) {
                out.push(format!(
                    "{} read back {} though {} holds the later {}",
                    read.key, winner.value, s.node, v.value
                ));
            }
        }
    }
    out
}
