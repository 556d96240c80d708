//! The chaos checker: judges one seed's record against the invariants.
//!
//! 1. No acknowledged add is lost: every item of every acknowledged put is
//!    in the final full read of its cart, unless the clients' own history
//!    explains its loss ([`history::excuse`]): with any clocks, a put whose
//!    hostile context claimed it (with dotted clocks, also what the writes
//!    it claimed had replaced); with vector clocks, a later write through
//!    the same coordinator from a context that had not seen it.
//!    Last-write-wins loses them by design: they are counted, not failed.
//! 2. Convergence: every top-N replica of every key holds the same versions,
//!    and no hint is left.
//! 3. No stored version is superseded by a sibling beside it.
//! 4. Fresh reads: with R + W > N and a strict quorum, a get that starts
//!    after a put's acknowledgement returns that put's version or one that
//!    supersedes it, whatever the faults, unless the record shows the one
//!    cause ringside accepts: the read's and the write's quorums did not
//!    meet because a join or leave changed the ring in between (counted).
//!    Other settings promise nothing; their stale reads (outside faults)
//!    are counted.
//! 5. Membership: every leave finished, the live nodes' rings agree and no
//!    key waits to be handed over after the quiet period.
//! 6. The engine itself: every request answered within what a client can
//!    wait, no panic, nothing delivered to or from a dead node.
//! 7. The clients' history ([`history`]): every acknowledged put made a new
//!    event; under last-write-wins the final read holds the latest write.
//!
//! The checker trusts neither the engine's account of overwrites nor the
//! code's own comparisons: checks 1, 3 and 7 use [`super::oracle`].

use std::collections::BTreeSet;

use super::history;
use super::record::{AckedPut, ObservedGet, SeedRecord};
use crate::core::time::Time;
use crate::core::version::{ClockMode, Dot, Version};

/// The checker's judgement of one seed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    pub seed: u64,
    /// What failed, most important first.
    pub failures: Vec<String>,
    /// Acknowledged adds missing from the final reads.
    pub lost: usize,
    /// ... of which an overwritten concurrent write explains (vector clocks).
    pub explained: usize,
    /// Reads that missed an earlier acknowledged write (a violation only
    /// when the settings promise fresh reads).
    pub stale_reads: usize,
    /// ... of which, under a strict quorum, the read's and the write's
    /// quorums did not meet during a join or leave (see
    /// [`quorums_missed_across_a_ring_change`]).
    pub stale_across_ring_change: usize,
    pub acked: usize,
    pub ops: usize,
    pub faults: usize,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// True when the clients' own history explains why `put`'s item is gone
/// (see [`history::excuse`]).
pub fn explained(r: &SeedRecord, put: &AckedPut) -> bool {
    history::excuse(r, put, r.settings.clocks).is_some()
}

/// True when `v` is the acknowledged put's version or supersedes it.
fn holds(v: &Version, put: &AckedPut, mode: ClockMode) -> bool {
    match mode {
        ClockMode::Dotted => {
            // The put's dot is its coordinator's highest event in the
            // reply's clock (an extra dot when another write came between).
            let dot = Dot {
                node: put.coordinator,
                counter: put.clock.top(put.coordinator),
            };
            match v.dot {
                Some(d) if d == dot => true,
                _ => v.clock.contains(dot.node, dot.counter),
            }
        }
        _ => v.full_clock().descends(&put.clock),
    }
}

/// Judges one seed.
pub fn check(r: &SeedRecord) -> Verdict {
    let mode = r.settings.clocks;
    let mut v = Verdict {
        seed: r.seed,
        acked: r.acked.len(),
        ops: r.ops,
        faults: r.faults,
        ..Verdict::default()
    };
    if let Some(e) = &r.engine_failure {
        v.failures.push(format!("engine stopped: {e}"));
        return v;
    }

    // 1. Acknowledged adds.
    let judge = history::Judge::new(r, mode);
    let mut unexplained: Vec<String> = Vec::new();
    for read in &r.final_reads {
        if !read.ok {
            v.failures.push(format!("the final full read of {} failed", read.key));
            continue;
        }
        let held: BTreeSet<&str> = read.versions.iter().flat_map(|x| x.value.split(',')).collect();
        for put in r.acked.iter().filter(|a| a.key == read.key) {
            if held.contains(put.item.as_str()) {
                continue;
            }
            v.lost += 1;
            if judge.excuse(put).is_some() {
                v.explained += 1;
            } else {
                unexplained.push(format!("{}:{}{}", put.key, put.item, history::suspects(r, put, mode)));
            }
        }
    }
    if !unexplained.is_empty() {
        v.failures.push(format!(
            "{} acknowledged adds lost with no race in the clients' history to explain them ({} clocks): {}",
            unexplained.len(),
            mode.name(),
            shorten(&unexplained)
        ));
    }

    // 2. Convergence.
    if !r.divergent.is_empty() {
        v.failures.push(format!("replicas diverge: {}", shorten(&r.divergent)));
    }
    if !r.hints_left.is_empty() {
        let left: Vec<String> = r.hints_left.iter().map(|(n, c)| format!("{n} keeps {c}")).collect();
        v.failures.push(format!("hints left: {}", left.join(", ")));
    }

    // 3. Dominated siblings.
    let dominated = history::dominated(r);
    if !dominated.is_empty() {
        v.failures
            .push(format!("superseded siblings kept: {}", shorten(&dominated)));
    }

    // 4. Fresh reads.
    let s = &r.settings;
    let promised = s.read_quorum + s.write_quorum > s.replicas && !s.sloppy_quorum && mode != ClockMode::Lww;
    let mut stale = Vec::new();
    for get in &r.gets {
        for put in r.acked.iter().filter(|p| p.key == get.key && p.acked_at < get.started) {
            if get.versions.iter().any(|x| holds(x, put, mode)) {
                continue;
            }
            let what = || {
                let ids = |ns: &[crate::core::ids::NodeId]| ns.iter().map(|n| format!("#{}", n.0)).collect::<Vec<_>>();
                format!(
                    "{} read at {} (from {:?}) missed {} acknowledged at {} (stored at {:?})",
                    get.key,
                    get.started,
                    ids(&get.replicas),
                    put.item,
                    put.acked_at,
                    ids(&put.replicas)
                )
            };
            if promised {
                // Under a strict quorum only one cause is accepted, and it
                // is checked, not assumed: see `quorums_missed_across_a_ring_change`.
                if quorums_missed_across_a_ring_change(r, put, get) {
                    v.stale_across_ring_change += 1;
                } else {
                    stale.push(what());
                }
            } else if !in_fault(&r.fault_spans, put.acked_at, get.started) {
                stale.push(what());
            }
        }
    }
    v.stale_reads = stale.len() + v.stale_across_ring_change;
    if promised && !stale.is_empty() {
        v.failures.push(format!(
            "stale reads despite R + W > N and a strict quorum, with quorums that met: {}",
            shorten(&stale)
        ));
    }

    // 5. Membership.
    if !r.leaves_unfinished.is_empty() {
        v.failures.push(format!(
            "leaves that never finished: {}",
            r.leaves_unfinished.join(", ")
        ));
    }
    if !r.rings_disagree.is_empty() {
        v.failures
            .push(format!("live rings disagree: {}", shorten(&r.rings_disagree)));
    }
    if !r.handover_left.is_empty() {
        let left: Vec<String> = r
            .handover_left
            .iter()
            .map(|(n, c)| format!("{n} still owes {c}"))
            .collect();
        v.failures
            .push(format!("keys still wait to be handed over: {}", left.join(", ")));
    }

    // 6. The engine.
    if r.unanswered > 0 {
        v.failures.push(format!("{} operations never answered", r.unanswered));
    }
    if !r.too_slow.is_empty() {
        let slow: Vec<String> = r.too_slow.iter().map(|(op, d)| format!("{op} took {d}")).collect();
        v.failures.push(format!(
            "answers later than a client waits ({}): {}",
            r.latency_bound,
            shorten(&slow)
        ));
    }
    if !r.dead_deliveries.is_empty() {
        v.failures.push(format!(
            "delivered to or from a dead node: {}",
            shorten(&r.dead_deliveries)
        ));
    }

    // 6. The clients' history.
    let stale_events = history::stale_events(r);
    if !stale_events.is_empty() {
        v.failures.push(format!(
            "acknowledged puts that made no new event: {}",
            shorten(&stale_events)
        ));
    }
    let wrong = history::wrong_lww_winners(r);
    if !wrong.is_empty() {
        v.failures
            .push(format!("last-write-wins kept the wrong write: {}", shorten(&wrong)));
    }
    v
}

/// True when a fault span overlaps the time from `from` to `to`.
fn in_fault(spans: &[(Time, Time)], from: Time, to: Time) -> bool {
    spans.iter().any(|(start, end)| *start <= to && *end >= from)
}

/// The one cause that explains a stale read under a strict quorum with
/// R + W > N: the read's quorum did not meet the write's. The replicas
/// that stored the put when it was acknowledged and the replicas whose
/// answers made the get are disjoint, which two quorums taken on the same
/// preference list cannot be (W + R > N of N nodes always share one): the
/// coordinators routed by different rings. So it holds only while a join
/// or leave was changing the ring between the acknowledgement and the
/// read's answer (the read gathers its quorum until it answers). A stale
/// read whose quorums shared a replica has no excuse.
pub fn quorums_missed_across_a_ring_change(r: &SeedRecord, put: &AckedPut, get: &ObservedGet) -> bool {
    let disjoint = !put.replicas.iter().any(|n| get.replicas.contains(n));
    disjoint && in_fault(&r.ring_change_spans, put.acked_at, get.answered)
}

fn shorten(items: &[String]) -> String {
    if items.len() <= 3 {
        items.join("; ")
    } else {
        format!("{}; and {} more", items[..3].join("; "), items.len() - 3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chaos::record::Made;
    use crate::chaos::record::{FinalRead, ObservedGet};
    use crate::chaos::record::{PutKind, Stored};
    use crate::core::clock::VClock;
    use crate::core::ids::NodeId;
    use crate::core::time::Time;
    use crate::core::version::Key;

    fn clock(pairs: &[(u16, u32)]) -> VClock {
        VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c)))
    }

    fn acked(item: &str, pairs: &[(u16, u32)], at: u64) -> AckedPut {
        AckedPut {
            key: Key::from("cart"),
            item: item.into(),
            clock: clock(pairs),
            coordinator: NodeId(pairs[0].0),
            acked_at: Time(at),
            // Stored at n0 and n1 (W = 2 of N = 3).
            replicas: vec![NodeId(0), NodeId(1)],
            sent_at: Time(at - 5),
            context: VClock::new(),
            kind: PutKind::Blind,
            items: [item.to_string()].into(),
            made: Made::default(),
        }
    }

    /// `put` was coordinated by each of `attempts` (node, clock), as the
    /// trace shows: the versions its coordinations made.
    fn coordinated(put: &mut AckedPut, attempts: &[(u16, &[(u16, u32)])]) {
        put.made = Made {
            coordinators: attempts.iter().map(|a| NodeId(a.0)).collect(),
            versions: attempts
                .iter()
                .map(|a| Version::new(put.item.as_str(), clock(a.1)))
                .collect(),
        };
    }

    fn cart(items: &str, pairs: &[(u16, u32)]) -> Version {
        Version::new(items, clock(pairs))
    }

    /// A seed where c1-1 and c2-1 were acknowledged and the final read shows `finally`.
    fn record(mode: ClockMode, finally: Vec<Version>) -> SeedRecord {
        let mut r = SeedRecord {
            carts: vec![Key::from("cart")],
            acked: vec![acked("c1-1", &[(0, 1)], 10), acked("c2-1", &[(0, 2)], 20)],
            final_reads: vec![FinalRead {
                key: Key::from("cart"),
                ok: true,
                versions: finally,
            }],
            ..SeedRecord::default()
        };
        r.settings.clocks = mode;
        r
    }

    #[test]
    fn a_clean_record_passes() {
        let v = check(&record(ClockMode::Vector, vec![cart("c1-1,c2-1", &[(0, 2)])]));
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!((v.lost, v.acked), (0, 2));
    }

    #[test]
    fn a_lost_add_is_excused_only_by_a_race_in_the_clients_history() {
        // c1-1 {n0:1} and c2-1 {n0:2} both went through n0 with no context:
        // c2-1's clock descends c1-1's though its client never saw it.
        let raced = record(ClockMode::Vector, vec![cart("c2-1", &[(0, 2)])]);
        let v = check(&raced);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!((v.lost, v.explained), (1, 1));

        // c2-1's client had seen c1-1: then c1-1 belonged in its cart.
        let mut saw = raced.clone();
        saw.acked[1].context = clock(&[(0, 1)]);
        saw.acked[1].kind = PutKind::Read;
        let v = check(&saw);
        assert_eq!((v.lost, v.explained), (1, 0));
        assert!(
            v.failures[0].contains("no race in the clients' history"),
            "{:?}",
            v.failures
        );

        // Through another coordinator, its clock does not descend c1-1's.
        let mut elsewhere = raced.clone();
        elsewhere.acked[1].clock = clock(&[(1, 1)]);
        elsewhere.acked[1].coordinator = NodeId(1);
        assert!(!check(&elsewhere).passed());
        // ... unless its client retried and n0 coordinated it too, as the
        // trace shows: that first attempt made {n0:2}.
        coordinated(&mut elsewhere.acked[1], &[(0, &[(0, 2)]), (1, &[(1, 1)])]);
        assert!(check(&elsewhere).passed());
        // A retry coordinated once made one version: nothing raced.
        coordinated(&mut elsewhere.acked[1], &[(1, &[(1, 1)])]);
        assert!(!check(&elsewhere).passed());

        // Two writes with one clock are no race: no correct node makes one.
        let mut same = raced;
        same.acked[1].clock = clock(&[(0, 1)]);
        let v = check(&same);
        assert!(v.failures.iter().any(|f| f.contains("no race")), "{:?}", v.failures);
        assert!(
            v.failures.iter().any(|f| f.contains("made no new event")),
            "{:?}",
            v.failures
        );
    }

    #[test]
    fn a_retried_puts_first_attempt_races_with_the_clock_the_trace_shows() {
        // c1-1 {n0:1, n1:5} through n0. c2-1 was sent with {n0:1} (it never
        // saw n1:5) and retried: its answer came from n0 ({n0:2}), and its
        // first attempt went through n1, whose counter was past 5:
        // {n0:1, n1:6} descends c1-1's clock though its client never saw it.
        // Seed 221's c3-28 did exactly that.
        let mut r = record(ClockMode::Vector, vec![cart("c2-1", &[(0, 2)])]);
        r.acked[0].clock = clock(&[(0, 1), (1, 5)]);
        r.acked[1].context = clock(&[(0, 1)]);
        r.acked[1].kind = PutKind::Chained;
        assert!(!check(&r).passed(), "answered once, c2-1 went through n0 alone");
        coordinated(&mut r.acked[1], &[(1, &[(0, 1), (1, 6)]), (0, &[(0, 2)])]);
        let v = check(&r);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!((v.lost, v.explained), (1, 1));
        // Seeds 7653 and 19990 (any-node): the client waited past its first
        // attempt, but the trace shows one coordination: no second version.
        coordinated(&mut r.acked[1], &[(0, &[(0, 2)])]);
        assert!(!check(&r).passed());
        // A first attempt through n2 made {n0:1, n2:1}: no race with c1-1.
        coordinated(&mut r.acked[1], &[(2, &[(0, 1), (2, 1)]), (0, &[(0, 2)])]);
        assert!(!check(&r).passed());
    }

    #[test]
    fn a_retried_put_must_account_for_every_version_it_made() {
        // c1-1 was retried: its first attempt through n0 made {n0:1}, its
        // retry through n1 made {n1:1}. c2-1 blind through n0 ({n0:2})
        // raced the first; nothing replaced the second, which the final
        // read lacks: that loss is the cluster's.
        let mut r = record(ClockMode::Vector, vec![cart("c2-1", &[(0, 2)])]);
        r.acked[0].clock = clock(&[(1, 1)]);
        r.acked[0].coordinator = NodeId(1);
        coordinated(&mut r.acked[0], &[(0, &[(0, 1)]), (1, &[(1, 1)])]);
        assert!(!check(&r).passed());
        // Once c2-1's retry through n1 ({n1:2}) raced the second too, both are explained.
        coordinated(&mut r.acked[1], &[(0, &[(0, 2)]), (1, &[(1, 2)])]);
        let v = check(&r);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!((v.lost, v.explained), (1, 1));
    }

    #[test]
    fn a_shadowed_write_is_lost_only_when_a_write_through_its_node_counted_past_it_unseen() {
        // Seed 5141: c3-34 {n1:1, n5:58} through n1; c1-28 through n1 from a
        // context lacking n1:1 got {n1:2}, shadowing it (concurrent only
        // through n5). A get returned c1-28 and {n5:58} but not c3-34, with
        // the merged context {n1:2, n5:58}, which covers c3-34's clock:
        // c1-29 put with it and dropped c3-34 as seen though nobody read it.
        let mut shadowed = acked("c3-34", &[(1, 1), (5, 58)], 10);
        shadowed.context = clock(&[(5, 57)]);
        shadowed.kind = PutKind::Read;
        let shadower = acked("c1-28", &[(1, 2)], 20);
        let mut dropper = acked("c1-29", &[(1, 2), (5, 61)], 30);
        dropper.coordinator = NodeId(5);
        dropper.context = clock(&[(1, 2), (5, 58)]);
        dropper.kind = PutKind::Read;
        dropper.items = ["c1-28".to_string(), "c1-29".to_string()].into();
        let mut r = record(ClockMode::Vector, vec![cart("c1-28,c1-29", &[(1, 2), (5, 61)])]);
        r.acked = vec![shadowed, shadower, dropper];
        let v = check(&r);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!((v.lost, v.explained), (1, 1));

        // c1-28's client had seen n1:1: n1 counted past nothing unseen.
        let mut seen = r.clone();
        seen.acked[1].context = clock(&[(1, 1)]);
        seen.acked[1].kind = PutKind::Read;
        assert!(!check(&seen).passed());

        // Nobody put from a context covering c3-34 without holding it: its
        // loss is the cluster's.
        let mut undropped = r.clone();
        undropped.acked[2].context = clock(&[(1, 2)]);
        undropped.acked[2].clock = clock(&[(0, 1), (1, 2)]);
        undropped.acked[2].coordinator = NodeId(0);
        undropped.final_reads[0].versions = vec![cart("c1-28,c1-29", &[(0, 1), (1, 2)])];
        assert!(!check(&undropped).passed());

        // Seed 18876 (any-node): no write counted past c3-34's n1 event, but
        // a hostile context claimed it ({n1:1}); a get merging that claim
        // with {n5:58} covered c3-34 without returning it.
        let mut claimed = seen.clone();
        let mut claim = acked("c4-1", &[(1, 3)], 25);
        claim.context = clock(&[(1, 1)]);
        claim.kind = PutKind::Hostile;
        claimed.acked.push(claim);
        claimed.final_reads[0].versions = vec![cart("c1-28,c1-29", &[(1, 2), (5, 61)]), cart("c4-1", &[(1, 3)])];
        let v = check(&claimed);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!((v.lost, v.explained), (1, 1));
    }

    #[test]
    fn a_retried_puts_first_attempt_may_be_lost_with_a_put_that_carried_it() {
        // c2-1 (context {n1:1}) was retried: its first attempt through n5
        // made {n1:1, n5:1}, its retry through n3 {n1:1, n3:1}, the answer.
        // c1-4 read the first attempt's version and held c2-1, through n5
        // ({n1:1, n3:1, n5:2}); c4-1, blind through n3, shadowed c1-4 (and
        // c2-1's answered version), and c3-1 put from a context merging
        // both, dropping them. c1-4 is lost legitimately, and with it the
        // first attempt's version it superseded.
        let mut retried = acked("c2-1", &[(3, 1), (1, 1)], 10);
        retried.context = clock(&[(1, 1)]);
        retried.kind = PutKind::Read;
        coordinated(&mut retried, &[(5, &[(1, 1), (5, 1)]), (3, &[(1, 1), (3, 1)])]);
        let mut carrier = acked("c1-4", &[(5, 2), (1, 1), (3, 1)], 20);
        carrier.context = clock(&[(1, 1), (3, 1), (5, 1)]);
        carrier.kind = PutKind::Read;
        carrier.items = ["c1-4".to_string(), "c2-1".to_string()].into();
        let shadower = acked("c4-1", &[(3, 2)], 30);
        let mut dropper = acked("c3-1", &[(1, 2), (3, 2), (5, 2)], 40);
        dropper.context = clock(&[(1, 1), (3, 2), (5, 2)]);
        dropper.kind = PutKind::Read;
        dropper.items = ["c3-1".to_string(), "c4-1".to_string()].into();
        let mut r = record(ClockMode::Vector, vec![cart("c3-1,c4-1", &[(1, 2), (3, 2), (5, 2)])]);
        r.acked = vec![retried, carrier, shadower, dropper];
        let v = check(&r);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!((v.lost, v.explained), (2, 2));
        // A put that did not hold c2-1 carried none of its versions.
        let mut r = r.clone();
        r.acked[1].items = ["c1-4".to_string()].into();
        assert!(!check(&r).passed());
        // ... which matters only because the first attempt made a version.
        coordinated(&mut r.acked[0], &[(3, &[(1, 1), (3, 1)])]);
        assert!(check(&r).passed());
    }

    #[test]
    fn a_hostile_claim_over_a_retried_puts_context_takes_its_first_attempt_too() {
        // Seed 6300 (any-node): c4-16 was retried, answered by n3 with
        // {n3:6, n5:29}; c3-28's hostile context {n3:6, n5:35} claims it,
        // and the version its first attempt made through n5 ({n5:30}).
        let mut retried = acked("c4-16", &[(3, 6), (5, 29)], 10);
        retried.context = clock(&[(5, 29)]);
        retried.kind = PutKind::Read;
        // Its first attempt went through n5: {n5:30}.
        coordinated(&mut retried, &[(5, &[(5, 30)]), (3, &[(3, 6), (5, 29)])]);
        let mut hostile = acked("c3-28", &[(5, 37), (3, 6)], 20);
        hostile.context = clock(&[(3, 6), (5, 35)]);
        hostile.kind = PutKind::Hostile;
        let mut r = record(ClockMode::Vector, vec![cart("c3-28", &[(3, 6), (5, 37)])]);
        r.acked = vec![retried, hostile];
        let v = check(&r);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!((v.lost, v.explained), (1, 1));
        // A first attempt through n2 made {n2:1, n5:29}, which the claim
        // does not hold.
        let mut elsewhere = r.clone();
        coordinated(
            &mut elsewhere.acked[0],
            &[(2, &[(2, 1), (5, 29)]), (3, &[(3, 6), (5, 29)])],
        );
        assert!(!check(&elsewhere).passed());
        // An honest put from that context had seen c4-16: no excuse.
        r.acked[1].kind = PutKind::Read;
        assert!(!check(&r).passed());
    }

    #[test]
    fn a_hostile_context_excuses_what_it_claims_and_nothing_else() {
        // Dotted: c2-1 went through n1 claiming {n0:1}, which holds c1-1's dot.
        let mut r = record(ClockMode::Dotted, vec![cart("c2-1", &[(0, 1), (1, 1)])]);
        r.acked[1].coordinator = NodeId(1);
        r.acked[1].clock = clock(&[(0, 1), (1, 1)]);
        r.acked[1].context = clock(&[(0, 1)]);
        let mut honest = r.clone();
        honest.acked[1].kind = PutKind::Read;
        assert!(!check(&honest).passed(), "dotted clocks excuse no honest loss");
        r.acked[1].kind = PutKind::Hostile;
        let v = check(&r);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!(v.explained, 1);
        // A claim below the dot excuses nothing.
        r.acked[0].clock = clock(&[(0, 2)]);
        assert!(!check(&r).passed());
    }

    #[test]
    fn a_hostile_claim_excuses_what_the_claimed_write_had_replaced() {
        // Dotted: c2-1 saw c1-1 (n0:1) and replaced it through n1 (n1:1);
        // c3-1 then claimed {n1:1} with a hostile context through n2. It
        // never named n0:1, but claiming c2-1 claims c2-1's past: c1-1
        // went with it (c2-1's cart, which held it, is gone).
        let mut r = record(ClockMode::Dotted, vec![cart("c3-1", &[(1, 1), (2, 1)])]);
        r.acked[1].coordinator = NodeId(1);
        r.acked[1].clock = clock(&[(0, 1), (1, 1)]);
        r.acked[1].context = clock(&[(0, 1)]);
        r.acked[1].kind = PutKind::Chained;
        r.acked[1].items = ["c1-1", "c2-1"].map(String::from).into();
        let mut hostile = acked("c3-1", &[(2, 1), (1, 1)], 30);
        hostile.context = clock(&[(1, 1)]);
        hostile.kind = PutKind::Hostile;
        r.acked.push(hostile);
        let v = check(&r);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!((v.lost, v.explained), (2, 2));
        // An honest context that held c2-1 would have kept c1-1 too.
        let mut honest = r.clone();
        honest.acked[2].kind = PutKind::Read;
        let v = check(&honest);
        assert_eq!((v.lost, v.explained), (2, 0), "{:?}", v.failures);
        // A claimed write whose context held c1-1's dot but whose cart did
        // not (a context that claims more than its client saw, as a
        // defective reply would give it) took c1-1 unexcused.
        let mut overclaimed = r.clone();
        overclaimed.acked[1].items = ["c2-1"].map(String::from).into();
        let v = check(&overclaimed);
        assert_eq!((v.lost, v.explained), (2, 1), "{:?}", v.failures);
        // A claim that misses c2-1's dot excuses neither.
        r.acked[2].context = clock(&[(1, 0), (2, 1)]);
        r.acked[2].clock = clock(&[(2, 2)]);
        let v = check(&r);
        assert_eq!((v.lost, v.explained), (2, 0), "{:?}", v.failures);
    }

    #[test]
    fn last_write_wins_losses_pass_but_its_winner_is_checked() {
        let stamped = |micros: u64| Version {
            stamp: crate::core::version::Stamp::new(micros, NodeId(0), None),
            ..cart("c2-1", &[(0, 2)])
        };
        let lww = check(&record(ClockMode::Lww, vec![stamped(16)]));
        assert!(lww.passed(), "{:?}", lww.failures);
        assert_eq!(lww.lost, 1);
        // c2-1 was sent at 15: a winner written at 10 is older than it.
        let v = check(&record(ClockMode::Lww, vec![stamped(10)]));
        assert!(
            v.failures[0].starts_with("last-write-wins kept the wrong write"),
            "{:?}",
            v.failures
        );
        let mut r = record(ClockMode::Lww, vec![stamped(16)]);
        r.stored.push(Stored {
            node: "n2".into(),
            key: Key::from("cart"),
            versions: vec![stamped(30)],
        });
        assert!(!check(&r).passed(), "a later write stored elsewhere beats the read");
    }

    #[test]
    fn a_failed_final_read_fails() {
        let mut r = record(ClockMode::Vector, vec![cart("c1-1,c2-1", &[(0, 2)])]);
        r.final_reads[0].ok = false;
        assert!(check(&r).failures[0].contains("final full read of cart failed"));
    }

    #[test]
    fn divergence_hints_and_dominated_siblings_fail() {
        let base = record(ClockMode::Vector, vec![cart("c1-1,c2-1", &[(0, 2)])]);
        let mut r = base.clone();
        r.divergent.push("cart differs on n2".into());
        assert!(check(&r).failures[0].starts_with("replicas diverge"));
        let mut r = base.clone();
        r.hints_left.push(("n3".into(), 2));
        assert!(check(&r).failures[0].contains("n3 keeps 2"));
        let mut r = base.clone();
        r.stored.push(Stored {
            node: "n1".into(),
            key: Key::from("cart"),
            versions: vec![cart("c1-1", &[(0, 1)]), cart("c1-1,c2-1", &[(0, 2)])],
        });
        assert!(check(&r).failures[0].starts_with("superseded siblings kept"));
        let mut r = base;
        r.stored.push(Stored {
            node: "n1".into(),
            key: Key::from("cart"),
            versions: vec![cart("c1-1", &[(0, 1), (1, 1)]), cart("c2-1", &[(0, 2)])],
        });
        assert!(check(&r).passed(), "concurrent siblings are kept");
    }

    /// A strict-quorum record where a read at t=30, answered by `answered`,
    /// saw only c1-1's version, though c2-1 was acknowledged at 20.
    fn stale_record(answered: &[u16]) -> SeedRecord {
        let mut r = record(ClockMode::Vector, vec![cart("c1-1,c2-1", &[(0, 2)])]);
        r.settings.sloppy_quorum = false;
        r.gets.push(ObservedGet {
            key: Key::from("cart"),
            started: Time(30),
            answered: Time(35),
            versions: vec![cart("c1-1", &[(0, 1)])],
            replicas: answered.iter().map(|&n| NodeId(n)).collect(),
        });
        r
    }

    #[test]
    fn a_stale_read_under_a_strict_quorum_fails_whatever_the_faults() {
        let r = stale_record(&[1, 2]);
        let v = check(&r);
        assert_eq!(v.stale_reads, 1);
        assert!(v.failures[0].starts_with("stale reads"), "{:?}", v.failures);

        let mut sloppy = r.clone();
        sloppy.settings.sloppy_quorum = true;
        assert!(check(&sloppy).passed(), "a sloppy quorum promises nothing");
        let mut sloppy_fault = sloppy.clone();
        sloppy_fault.fault_spans.push((Time(5), Time(25)));
        assert_eq!(check(&sloppy_fault).stale_reads, 0, "nor counts a read across a fault");

        let mut faulted = r.clone();
        faulted.fault_spans.push((Time(5), Time(25)));
        assert!(
            !check(&faulted).passed(),
            "a kill or a partition cannot make a strict quorum stale: no excuse"
        );
    }

    #[test]
    fn a_strict_stale_read_passes_only_when_its_quorum_missed_the_writes_during_a_ring_change() {
        // The put was stored at n0 and n1, the read answered by n2 and n3.
        let mut r = stale_record(&[2, 3]);
        assert!(!check(&r).passed(), "disjoint quorums with no ring change: a bug");
        r.ring_change_spans.push((Time(1), Time(5)));
        assert!(!check(&r).passed(), "a ring change over before the ack excuses nothing");
        r.ring_change_spans.push((Time(36), Time(40)));
        assert!(!check(&r).passed(), "nor one that began after the read was answered");
        r.ring_change_spans.push((Time(33), Time(40)));
        let v = check(&r);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!((v.stale_reads, v.stale_across_ring_change), (1, 1));

        // The same ring change, but the read's quorum met the write's (n1).
        let mut met = stale_record(&[1, 3]);
        met.ring_change_spans.push((Time(15), Time(40)));
        let v = check(&met);
        assert!(!v.passed(), "quorums that met cannot miss the write");
        assert_eq!(v.stale_across_ring_change, 0);
    }

    #[test]
    fn unfinished_leaves_split_rings_and_owed_keys_fail() {
        let base = record(ClockMode::Vector, vec![cart("c1-1,c2-1", &[(0, 2)])]);
        let mut r = base.clone();
        r.leaves_unfinished.push("n4".into());
        assert!(check(&r).failures[0].contains("leaves that never finished: n4"));
        let mut r = base.clone();
        r.rings_disagree.push("n2 sees 4 members, n1 sees 5".into());
        assert!(check(&r).failures[0].starts_with("live rings disagree"));
        let mut r = base;
        r.handover_left.push(("n3".into(), 7));
        assert!(check(&r).failures[0].contains("n3 still owes 7"));
    }

    #[test]
    fn engine_faults_fail() {
        let base = record(ClockMode::Vector, vec![cart("c1-1,c2-1", &[(0, 2)])]);
        let mut r = base.clone();
        r.unanswered = 1;
        assert!(!check(&r).passed());
        let mut r = base.clone();
        r.dead_deliveries.push("replicate to n2 at 1s".into());
        assert!(check(&r).failures[0].starts_with("delivered to or from a dead node"));
        let mut r = base;
        r.engine_failure = Some("node n1 panicked".into());
        assert!(check(&r).failures[0].starts_with("engine stopped"));
    }
}
