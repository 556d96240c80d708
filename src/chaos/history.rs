//! Judging a seed from what its clients saw and sent, never from what the
//! cluster says about itself: which lost adds a race in the clients' own
//! history explains, whether every acknowledged put made a new event, which
//! stored siblings are obsolete, and which last-write-wins winner is right.
//! Every comparison is the checker's own ([`super::oracle`]).

use std::collections::{BTreeMap, BTreeSet};

use super::oracle::{History, lww_wins, supersedes};
use super::record::{AckedPut, PutKind, SeedRecord};
use crate::core::clock::VClock;
use crate::core::ids::NodeId;
use crate::core::version::{ClockMode, Key};

/// A put that may have replaced others, acknowledged or not.
struct Writer<'a> {
    key: &'a Key,
    item: &'a str,
    kind: PutKind,
    context: &'a VClock,
    coordinator: Option<NodeId>,
    clock: Option<&'a VClock>,
    retried: bool,
    items: &'a BTreeSet<String>,
}

impl Writer<'_> {
    /// True when a node other than the one its answer named may have
    /// coordinated it: its client retried, or no answer named one.
    fn anywhere(&self) -> bool {
        self.retried || self.coordinator.is_none()
    }
}

fn writers(r: &SeedRecord) -> impl Iterator<Item = Writer<'_>> {
    let acked = r.acked.iter().map(|p| Writer {
        key: &p.key,
        item: &p.item,
        kind: p.kind,
        context: &p.context,
        coordinator: Some(p.coordinator),
        clock: Some(&p.clock),
        retried: p.retried,
        items: &p.items,
    });
    let failed = r.failed_puts.iter().map(|p| Writer {
        key: &p.key,
        item: &p.item,
        kind: p.kind,
        context: &p.context,
        coordinator: p.coordinator,
        clock: p.clock.as_ref(),
        retried: p.retried,
        items: &p.items,
    });
    acked.chain(failed)
}

/// The event an acknowledged put made: its coordinator and the counter its
/// reply gives the coordinator (in dotted mode, the put's dot).
pub fn event(put: &AckedPut) -> (NodeId, u32) {
    (put.coordinator, History::of(&put.clock).top(put.coordinator))
}

/// Why `put`'s item may legitimately be missing from the final read, or
/// `None` when nothing in the clients' history explains it:
/// - last-write-wins keeps one write of concurrent ones by design;
/// - a put with a hostile context legitimately replaces every write its
///   context claims (dotted: it holds the put's dot, or the dot of a write
///   whose context held it, and so on: see [`hostile_claim`]; vector: it or
///   the hostile put's new clock holds the put's whole clock);
/// - with vector clocks, a write whose clock strictly descends the lost
///   put's though the context its client sent did not hold it. With honest
///   contexts that only happens when two writes coordinated by the same
///   node from contexts that did not see each other raced (the node's new
///   counter covers an event its client never saw): this write and the
///   lost put, or this write and one in the lost put's history. A write
///   whose client retried (or that no answer named a coordinator for) may
///   also have been coordinated by any node Y of the lost clock, with a
///   clock the client never learnt: its context then holds the lost clock
///   but for Y's entry;
/// - with vector clocks, a shadowed write (README, "Shadowed writes"): a
///   write through a node Y of the lost clock counted past its Y event
///   without having seen it, and an honest put's context covers the lost
///   clock though its value lacks the item (a get merged the clocks
///   without returning the lost version);
/// - a retried put's first attempt may have made a second version, with a
///   clock its client never learnt: that one is explained by a race with a
///   write through its coordinator, or by a put that held the item, from a
///   context holding the put's, and was lost itself for a reason above.
///
/// Dotted version vectors excuse nothing else: a chained put replaces only
/// what its client saw, and its value holds every item of that.
pub fn excuse(r: &SeedRecord, put: &AckedPut, mode: ClockMode) -> Option<String> {
    excuse_within(r, put, mode, CARRY_DEPTH)
}

/// How many carriers deep [`excuse`] follows a retried put's first attempt
/// (each step is a strictly later put, so this only bounds the work).
const CARRY_DEPTH: usize = 4;

fn excuse_within(r: &SeedRecord, put: &AckedPut, mode: ClockMode, depth: usize) -> Option<String> {
    if mode == ClockMode::Lww {
        return Some("last-write-wins keeps one of concurrent writes".into());
    }
    if mode == ClockMode::Dotted {
        return hostile_claim(r, put);
    }
    let answered = excuse_answered(r, put, mode)?;
    if !put.retried {
        return Some(answered);
    }
    // Its client retried: a first attempt may have made another version, at
    // a node Y, with the put's context plus a new counter of Y. That one is
    // lost legitimately when a write through Y from a context holding the
    // put's context but for Y's entry (and not the put) raced it, or when a
    // hostile context claimed the answered version and more than the put's
    // context.
    let context = History::of(&put.context);
    let lost = History::of(&put.clock);
    writers(r)
        .filter(|w| *w.key == put.key && w.item != put.item)
        .find(|w| {
            let seen = History::of(w.context);
            if w.kind == PutKind::Hostile && seen.strictly_covers(&context) && seen.covers(&lost) {
                // A hostile context that claims the answered version and
                // more than the put's context claims a first attempt's too.
                return true;
            }
            if seen.covers(&lost) {
                return false;
            }
            match (w.coordinator, w.anywhere()) {
                (Some(y), false) => covers_but(&seen, &context, y),
                _ => put.context.iter().any(|(y, _)| covers_but(&seen, &context, y)) || seen.covers(&context),
            }
        })
        .map(|w| format!("{answered}; its first attempt's version raced {}", w.item))
        .or_else(|| {
            // Or a put that held the item, from a context holding the put's
            // (so it may have read the first attempt's version), superseded
            // that version and was lost itself for a reason the history
            // gives: the first attempt's version went with it.
            let depth = depth.checked_sub(1)?;
            r.acked
                .iter()
                .filter(|p| p.key == put.key && p.item != put.item && p.items.contains(&put.item))
                .filter(|p| History::of(&p.context).covers(&context))
                .find_map(|p| {
                    let why = excuse_within(r, p, mode, depth)?;
                    Some(format!(
                        "{answered}; its first attempt's version went with {}, which held it ({why})",
                        p.item
                    ))
                })
        })
}

/// [`excuse`] for the version the put's answer reported.
fn excuse_answered(r: &SeedRecord, put: &AckedPut, mode: ClockMode) -> Option<String> {
    let direct = replaced(r, put, mode);
    if direct.is_some() || mode != ClockMode::Vector {
        return direct;
    }
    shadowed(r, put)
}

/// A shadowed write (vector clocks, README "Shadowed writes"): a write S
/// through a node Y of the lost clock, from a context lacking the lost
/// clock's event at Y, counted past that event, so S's version and the lost
/// one are concurrent only through another entry; a get that merged both
/// clocks without returning the lost version then gave a context that
/// covers it, and a put D with that context dropped it as seen. Both halves
/// must be in the history: S, and an honest D whose context covers the lost
/// clock while its value lacks the lost item. A hostile context that claims
/// the lost clock's event at Y plays S's part.
fn shadowed(r: &SeedRecord, put: &AckedPut) -> Option<String> {
    let lost = History::of(&put.clock);
    let dropper = writers(r).find(|d| {
        *d.key == put.key
            && d.item != put.item
            && d.kind != PutKind::Hostile
            && !d.items.contains(&put.item)
            && History::of(d.context).covers(&lost)
    })?;
    let shadower = writers(r)
        .filter(|w| *w.key == put.key && w.item != put.item)
        .find_map(|w| {
            let seen = History::of(w.context);
            put.clock.iter().find_map(|(y, at)| {
                let unseen = seen.top(y) < at;
                if w.kind == PutKind::Hostile && seen.top(y) >= at {
                    // Its context claimed the event: a get that merged the
                    // claim with the rest of the lost clock covers it too.
                    return Some((w.item, y));
                }
                let counted_past = match (w.coordinator, w.clock, w.anywhere()) {
                    (Some(c), Some(clock), false) => c == y && History::of(clock).top(y) > at,
                    // Retried or unanswered: any node may have coordinated
                    // it, with a counter the client never learnt.
                    _ => true,
                };
                (unseen && counted_past).then_some((w.item, y))
            })
        })?;
    Some(format!(
        "{} (through or claiming node {}) shadowed it unseen, and {} put from a context covering it without it",
        shadower.0, shadower.1.0, dropper.item
    ))
}

/// The writes whose new clock (or hostile context) replaced the lost put's
/// version: the first half of [`excuse_answered`].
fn replaced(r: &SeedRecord, put: &AckedPut, mode: ClockMode) -> Option<String> {
    let lost = History::of(&put.clock);
    writers(r)
        .filter(|w| *w.key == put.key && w.item != put.item)
        .find_map(|w| {
            let context = History::of(w.context);
            let later = w.clock.map(History::of);
            let hostile = w.kind == PutKind::Hostile;
            match mode {
                // Judged by `hostile_claim` instead.
                ClockMode::Dotted => None,
                _ => {
                    let descends = later.as_ref().is_some_and(|l| l.strictly_covers(&lost));
                    if hostile && (context.covers(&lost) || descends) {
                        Some(format!("{}'s hostile context claims it", w.item))
                    } else if context.covers(&lost) {
                        None
                    } else if descends {
                        // Its client had not seen the lost put, yet its clock
                        // descends it: a coordinator's counter covered an
                        // event its client never saw. That is two writes
                        // through one node from contexts that did not see
                        // each other, this one and the lost put (or a write
                        // in the lost put's history).
                        Some(format!("{} got a clock descending it without having seen it", w.item))
                    } else {
                        // Coordinated (also) by a node Y of the lost clock,
                        // it got Y's counter past every one Y had used, past
                        // the lost clock's: a clock descending it, though
                        // its client had not seen it. Y need not be the lost
                        // put's coordinator: Y's event in the lost clock came
                        // from a write in its history.
                        put.clock
                            .iter()
                            .map(|(y, _)| y)
                            .find(|&y| w.anywhere() && covers_but(&context, &lost, y))
                            .map(|y| format!("{} may have gone through node {} without having seen it", w.item, y.0))
                    }
                }
            }
        })
}

/// In dotted mode, the hostile context that claimed `put`'s dot, directly
/// or through writes it claimed. A write is claimed when a hostile context
/// holds its dot, or when a claimed write's context holds its dot and that
/// write's cart held its item: claiming a write claims its past, which its
/// version had rightly replaced and whose items only its cart still held.
/// (A context that holds a dot its cart lacks claims more than its client
/// saw, and excuses nothing it took.) Only writes whose dot an answer
/// reported can be followed.
fn hostile_claim(r: &SeedRecord, put: &AckedPut) -> Option<String> {
    let others: Vec<Writer<'_>> = writers(r).filter(|w| *w.key == put.key && w.item != put.item).collect();
    // Whether a claiming context (a hostile one, or a claimed write's with
    // its cart) takes the write of `item` with dot `node:counter`.
    let takes = |claim: &Claim<'_>, node: NodeId, counter: u32, item: &str| {
        claim.context.contains(node, counter) && claim.cart.is_none_or(|c| c.contains(item))
    };
    let mut claims: Vec<Claim<'_>> = others
        .iter()
        .filter(|w| w.kind == PutKind::Hostile)
        .map(|w| Claim {
            context: History::of(w.context),
            cart: None,
            hostile: w.item,
        })
        .collect();
    let mut claimed = vec![false; others.len()];
    let mut grew = true;
    while grew {
        grew = false;
        for (i, w) in others.iter().enumerate() {
            let (Some(y), Some(clock), false) = (w.coordinator, w.clock, claimed[i]) else {
                continue;
            };
            let dot = History::of(clock).top(y);
            if let Some(hostile) = claims.iter().find(|c| takes(c, y, dot, w.item)).map(|c| c.hostile) {
                claimed[i] = true;
                grew = true;
                claims.push(Claim {
                    context: History::of(w.context),
                    cart: Some(w.items),
                    hostile,
                });
            }
        }
    }
    let (node, counter) = event(put);
    let claim = claims.iter().find(|c| takes(c, node, counter, &put.item))?;
    Some(match claim.cart {
        None => format!("{}'s hostile context holds its dot", claim.hostile),
        Some(_) => format!(
            "{}'s hostile context claims a write that had replaced it",
            claim.hostile
        ),
    })
}

/// A context that takes with it the writes whose dots it holds: a hostile
/// put's, or that of a write a hostile put claimed (then only writes whose
/// items its cart held).
struct Claim<'a> {
    context: History,
    cart: Option<&'a BTreeSet<String>>,
    /// The hostile put the claim started from.
    hostile: &'a str,
}

/// True when `context` holds every event of `lost` but those of `node`.
fn covers_but(context: &History, lost: &History, node: NodeId) -> bool {
    let mut without = lost.clone();
    without.remove(node);
    context.covers(&without)
}

/// For a loss nothing explains, the puts that replaced it: those whose
/// context (dotted) or new clock (vector) holds its event, each with how
/// its client made that context. Evidence for whoever reads the failure.
pub fn suspects(r: &SeedRecord, put: &AckedPut, mode: ClockMode) -> String {
    let (node, counter) = event(put);
    let lost = History::of(&put.clock);
    let names: Vec<String> = writers(r)
        .filter(|w| *w.key == put.key && w.item != put.item)
        .filter(|w| match mode {
            ClockMode::Dotted => History::of(w.context).contains(node, counter),
            _ => w.clock.is_some_and(|c| History::of(c).strictly_covers(&lost)),
        })
        .map(|w| format!("{} {:?}", w.item, w.kind).to_lowercase())
        .take(3)
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(" (held by {})", names.join(", "))
    }
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
        if counter <= sent.top(node) {
            out.push(format!(
                "{}:{} got counter {counter} of its coordinator, not past the {} its context held",
                put.key,
                put.item,
                sent.top(node)
            ));
        } else if !History::of(&put.clock).covers(&sent) {
            out.push(format!(
                "{}:{} got a clock that drops part of its context",
                put.key, put.item
            ));
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
