//! Judging a seed from what its clients saw and sent, never from what the
//! cluster says about itself: which lost adds a race in the clients' own
//! history explains, whether every acknowledged put made a new event, which
//! stored siblings are obsolete, and which last-write-wins winner is right.
//! Every comparison is the checker's own ([`super::oracle`]).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use super::oracle::{History, lww_wins, supersedes};
use super::record::Made;
use super::record::{AckedPut, PutKind, SeedRecord};
use crate::core::clock::VClock;
use crate::core::ids::NodeId;
use crate::core::version::{ClockMode, Key};

/// A put that may have replaced others, acknowledged or not.
struct Writer<'a> {
    key: &'a Key,
    item: &'a str,
    kind: PutKind,
    /// The history of the context its client sent.
    seen: History,
    /// The whole history of every version it made (see [`made`]).
    made: Vec<History>,
    /// The dot of every version it made (dotted mode; see [`dots`]).
    dots: Vec<(NodeId, u32)>,
    items: &'a BTreeSet<String>,
}

fn writers(r: &SeedRecord) -> impl Iterator<Item = Writer<'_>> {
    let acked = r.acked.iter().map(|p| Writer {
        key: &p.key,
        item: &p.item,
        kind: p.kind,
        seen: History::of(&p.context),
        made: made(&p.made, Some(&p.clock)),
        dots: dots(&p.made, Some((p.coordinator, &p.clock))),
        items: &p.items,
    });
    let failed = r.failed_puts.iter().map(|p| Writer {
        key: &p.key,
        item: &p.item,
        kind: p.kind,
        seen: History::of(&p.context),
        made: made(&p.made, p.clock.as_ref()),
        dots: dots(&p.made, p.coordinator.zip(p.clock.as_ref())),
        items: &p.items,
    });
    acked.chain(failed)
}

/// The whole history of every version a put made: each one some node
/// stored, as the trace shows it ([`Made::versions`]), and the one its
/// answer reported. A retried put made two when its first attempt was
/// coordinated too; a version no node stored replaced nothing.
fn made(made: &Made, answered: Option<&VClock>) -> Vec<History> {
    let mut out: Vec<History> = Vec::new();
    let stored = made.versions.iter().map(History::of_version);
    for h in stored.chain(answered.map(History::of)) {
        if !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

/// The dot of every version a put made, in dotted mode: each stored
/// version's, and the event its answer reported (its coordinator's highest
/// counter in the reply's clock).
fn dots(made: &Made, answered: Option<(NodeId, &VClock)>) -> Vec<(NodeId, u32)> {
    let mut out: Vec<(NodeId, u32)> = made
        .versions
        .iter()
        .filter_map(|v| v.dot)
        .map(|d| (d.node, d.counter))
        .collect();
    if let Some((node, clock)) = answered {
        let dot = (node, History::of(clock).top(node));
        if !out.contains(&dot) {
            out.push(dot);
        }
    }
    out.sort_unstable();
    out
}

/// The event an acknowledged put made: its coordinator and the counter its
/// reply gives the coordinator (in dotted mode, the put's dot).
pub fn event(put: &AckedPut) -> (NodeId, u32) {
    (put.coordinator, History::of(&put.clock).top(put.coordinator))
}

/// Why `put`'s item may legitimately be missing from the final read, or
/// `None` when nothing in the clients' history explains it (see
/// [`Judge::excuse`]). To judge many puts of one seed, make one [`Judge`].
pub fn excuse(r: &SeedRecord, put: &AckedPut, mode: ClockMode) -> Option<String> {
    Judge::new(r, mode).excuse(put)
}

/// How many carriers deep [`Judge::excuse`] follows a version carried on
/// by a put that held its item (each step is a strictly later put, so this
/// only bounds the work).
const CARRY_DEPTH: usize = 4;

/// Judges the lost adds of one seed: every put's versions and context are
/// worked out once, and each put's excuse is remembered (a carried version
/// asks after its carrier's).
pub struct Judge<'a> {
    r: &'a SeedRecord,
    mode: ClockMode,
    writers: Vec<Writer<'a>>,
    memo: RefCell<BTreeMap<(String, usize), Option<String>>>,
}

impl<'a> Judge<'a> {
    pub fn new(r: &'a SeedRecord, mode: ClockMode) -> Self {
        Judge {
            r,
            mode,
            writers: writers(r).collect(),
            memo: RefCell::default(),
        }
    }

    /// Why `put`'s item may legitimately be missing from the final read, or
    /// `None` when nothing in the clients' history explains it. The checker
    /// knows every version the put made (the trace shows which nodes
    /// coordinated it and what they stored: a retried put made one version
    /// or two), and each must be accounted for:
    /// - last-write-wins keeps one write of concurrent ones by design;
    /// - dotted: a hostile context claimed every version's dot, directly or
    ///   through writes it claimed ([`Judge::hostile_claim`]);
    /// - vector: each version was replaced ([`Judge::replaced`]: by a
    ///   hostile context that claims it, or by a version that strictly
    ///   descends it from a client that had not seen it, which with honest
    ///   contexts only happens when two writes through one node from
    ///   contexts that did not see each other race), or shadowed
    ///   ([`Judge::shadowed`]), or carried on by a put that saw it, held the
    ///   item and was lost itself for a reason above ([`Judge::carried`]).
    ///
    /// Dotted version vectors excuse nothing else: a chained put replaces
    /// only what its client saw, and its value holds every item of that.
    pub fn excuse(&self, put: &AckedPut) -> Option<String> {
        self.within(put, CARRY_DEPTH)
    }

    fn within(&self, put: &AckedPut, depth: usize) -> Option<String> {
        let key = (put.item.clone(), depth);
        if let Some(known) = self.memo.borrow().get(&key) {
            return known.clone();
        }
        let why = match self.mode {
            ClockMode::Lww => Some("last-write-wins keeps one of concurrent writes".into()),
            ClockMode::Dotted => self.hostile_claim(put),
            ClockMode::Vector | ClockMode::BrokenVector => self.versions_excused(put, depth),
        };
        self.memo.borrow_mut().insert(key, why.clone());
        why
    }

    /// Vector clocks: why every version `put` made may be gone.
    fn versions_excused(&self, put: &AckedPut, depth: usize) -> Option<String> {
        let versions = made(&put.made, Some(&put.clock));
        let mut why = Vec::new();
        for lost in &versions {
            let one = self
                .replaced(put, lost)
                .or_else(|| self.shadowed(put, lost))
                .or_else(|| self.carried(put, lost, depth))?;
            why.push(one);
        }
        match why.as_slice() {
            [one] => Some(one.clone()),
            _ => Some(format!("each of its {} versions: {}", why.len(), why.join("; "))),
        }
    }

    /// The other writes of `put`'s key.
    fn others(&self, put: &AckedPut) -> impl Iterator<Item = &Writer<'a>> {
        let (key, item) = (put.key.clone(), put.item.clone());
        self.writers.iter().filter(move |w| *w.key == key && w.item != item)
    }

    /// The write whose version (or hostile context) replaced `lost`: a
    /// hostile context that claims it, or a version that strictly descends
    /// it though its client's context did not hold it. That is a
    /// coordinator's counter covering an event its client never saw: two
    /// writes through one node from contexts that did not see each other,
    /// this one and the lost put (or a write in the lost version's history).
    fn replaced(&self, put: &AckedPut, lost: &History) -> Option<String> {
        self.others(put).find_map(|w| {
            let descends = w.made.iter().any(|m| m.strictly_covers(lost));
            if w.kind == PutKind::Hostile && (w.seen.covers(lost) || descends) {
                Some(format!("{}'s hostile context claims it", w.item))
            } else if descends && !w.seen.covers(lost) {
                Some(format!("{} got a clock descending it without having seen it", w.item))
            } else {
                None
            }
        })
    }

    /// A shadowed version (vector clocks, README "Shadowed writes"): a write
    /// S through a node Y of the lost clock, from a context lacking the lost
    /// clock's event at Y, counted past that event, so S's version and the
    /// lost one are concurrent only through another entry; a get that merged
    /// both clocks without returning the lost version then gave a context
    /// that covers it, and a put D with that context dropped it as seen.
    /// Both halves must be in the history: S (a version it made counted past
    /// the event), and an honest D whose context covers the lost clock while
    /// its value lacks the lost item. A hostile context that claims the lost
    /// clock's event at Y plays S's part.
    fn shadowed(&self, put: &AckedPut, lost: &History) -> Option<String> {
        let dropper = self
            .others(put)
            .find(|d| d.kind != PutKind::Hostile && !d.items.contains(&put.item) && d.seen.covers(lost))?;
        let events: Vec<(NodeId, u32)> = lost.events().collect();
        let (shadower, y) = self.others(put).find_map(|w| {
            events.iter().find_map(|&(y, at)| {
                let claimed = w.kind == PutKind::Hostile && w.seen.top(y) >= at;
                let counted_past = w.seen.top(y) < at && w.made.iter().any(|m| m.top(y) > at);
                (claimed || counted_past).then_some((w.item, y))
            })
        })?;
        Some(format!(
            "{shadower} (through or claiming node {}) shadowed it unseen, and {} put from a context covering it without it",
            y.0, dropper.item
        ))
    }

    /// A version carried on: an acknowledged put that had seen `lost` (its
    /// context covers it) and held the item replaced it with a version that
    /// still held the item, and was lost itself for a reason the history
    /// gives; the item went with it.
    fn carried(&self, put: &AckedPut, lost: &History, depth: usize) -> Option<String> {
        let depth = depth.checked_sub(1)?;
        self.r
            .acked
            .iter()
            .filter(|p| p.key == put.key && p.item != put.item && p.items.contains(&put.item))
            .filter(|p| History::of(&p.context).covers(lost))
            .find_map(|p| {
                let why = self.within(p, depth)?;
                Some(format!("it went with {}, which held it ({why})", p.item))
            })
    }

    /// In dotted mode, the hostile context that claimed every dot `put`'s
    /// versions had, directly or through writes it claimed. A write is
    /// claimed when a hostile context holds one of its dots, or when a
    /// claimed write's context holds its dot and that write's cart held its
    /// item: claiming a write claims its past, which its version had rightly
    /// replaced and whose items only its cart still held. (A context that
    /// holds a dot its cart lacks claims more than its client saw, and
    /// excuses nothing it took.)
    fn hostile_claim(&self, put: &AckedPut) -> Option<String> {
        let others: Vec<&Writer<'a>> = self.others(put).collect();
        // Whether a claiming context (a hostile one, or a claimed write's
        // with its cart) takes the write of `item` with dot `node:counter`.
        let takes = |claim: &Claim<'_>, (node, counter): (NodeId, u32), item: &str| {
            claim.context.contains(node, counter) && claim.cart.is_none_or(|c| c.contains(item))
        };
        let mut claims: Vec<Claim<'_>> = others
            .iter()
            .filter(|w| w.kind == PutKind::Hostile)
            .map(|w| Claim {
                context: &w.seen,
                cart: None,
                hostile: w.item,
            })
            .collect();
        let mut claimed = vec![false; others.len()];
        let mut grew = true;
        while grew {
            grew = false;
            for (i, w) in others.iter().enumerate() {
                if claimed[i] {
                    continue;
                }
                let by = w
                    .dots
                    .iter()
                    .find_map(|&dot| claims.iter().find(|c| takes(c, dot, w.item)));
                if let Some(hostile) = by.map(|c| c.hostile) {
                    claimed[i] = true;
                    grew = true;
                    claims.push(Claim {
                        context: &w.seen,
                        cart: Some(w.items),
                        hostile,
                    });
                }
            }
        }
        let mut why = None;
        for dot in dots(&put.made, Some((put.coordinator, &put.clock))) {
            let claim = claims.iter().find(|c| takes(c, dot, &put.item))?;
            why.get_or_insert(match claim.cart {
                None => format!("{}'s hostile context holds its dot", claim.hostile),
                Some(_) => format!(
                    "{}'s hostile context claims a write that had replaced it",
                    claim.hostile
                ),
            });
        }
        why
    }
}

/// A context that takes with it the writes whose dots it holds: a hostile
/// put's, or that of a write a hostile put claimed (then only writes whose
/// items its cart held).
struct Claim<'a> {
    context: &'a History,
    cart: Option<&'a BTreeSet<String>>,
    /// The hostile put the claim started from.
    hostile: &'a str,
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
            ClockMode::Dotted => w.seen.contains(node, counter),
            _ => w.made.iter().any(|m| m.strictly_covers(&lost)),
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
