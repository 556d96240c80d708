//! Gossip membership: what one node believes about every node it knows.
//!
//! Each entry carries the node's generation (it rises on every restart) and
//! heartbeat (it rises every gossip round), its tokens and its membership
//! status. Merging two lists keeps, per node, the entry with the higher
//! (generation, heartbeat).
//!
//! Failure detection follows the seed notes: an observer *suspects* a node
//! whose heartbeat has not risen in its view for `suspect_after` (the
//! heartbeat detector), or whose silence is unlikely given the gaps between
//! the rises it saw so far (the phi accrual detector, see [`super::phi`]). A
//! suspicion names the (generation, heartbeat) it was made at and travels
//! in gossip; it stays valid until a higher heartbeat or generation is seen.
//! A node is *down* for an observer once at least `down_confirmations`
//! distinct nodes (the observer included) hold valid suspicions of it.
//!
//! Liveness never changes the ring: a down node keeps its tokens (Dynamo's
//! temporary failure). Only an explicit join or leave does.

use std::collections::BTreeMap;
use std::sync::Arc;

use smallvec::SmallVec;

use super::config::{FailureDetector, Settings};
use super::ids::NodeId;
use super::phi::ArrivalWindow;
use super::ring::Ring;
use super::time::{Dur, Time};

/// A node's place in the cluster, as it announces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemberStatus {
    /// Owns its tokens.
    Normal,
    /// Handing its ranges to their new owners; no longer on the ring.
    Leaving,
    /// Gone for good.
    Left,
}

/// Whether an observer believes a node is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Liveness {
    Up,
    /// The observer (or someone it heard from) suspects it, not enough to call it down.
    Suspect,
    Down,
}

impl Liveness {
    pub fn name(self) -> &'static str {
        match self {
            Liveness::Up => "up",
            Liveness::Suspect => "suspect",
            Liveness::Down => "down",
        }
    }

    pub fn parse(text: &str) -> Option<Liveness> {
        match text {
            "up" => Some(Liveness::Up),
            "suspect" => Some(Liveness::Suspect),
            "down" => Some(Liveness::Down),
            _ => None,
        }
    }
}

/// "`by` has not seen `node`'s heartbeat rise past this (generation, heartbeat)."
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Suspicion {
    pub by: NodeId,
    pub generation: u32,
    pub heartbeat: u64,
}

/// One node's entry, as gossip carries it.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberDigest {
    pub node: NodeId,
    pub generation: u32,
    pub heartbeat: u64,
    pub tokens: Arc<[u64]>,
    pub status: MemberStatus,
    pub suspicions: SmallVec<[Suspicion; 2]>,
}

impl MemberDigest {
    fn version(&self) -> (u32, u64) {
        (self.generation, self.heartbeat)
    }

    fn is_valid(&self, s: &Suspicion) -> bool {
        (s.generation, s.heartbeat) >= self.version()
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Member {
    digest: MemberDigest,
    /// Local time at which this node last saw the heartbeat (or generation) rise.
    last_rise: Time,
    /// The gaps between rises, kept only while the phi detector is in use.
    arrivals: Option<Box<ArrivalWindow>>,
}

impl Member {
    fn new(digest: MemberDigest, now: Time) -> Member {
        Member {
            digest,
            last_rise: now,
            arrivals: None,
        }
    }

    /// The liveness its valid suspicions give it: down once at least
    /// `confirmations` distinct nodes suspect it. Counts without
    /// allocating (a view checks every entry on every merge and round).
    fn liveness(&self, confirmations: usize) -> Liveness {
        let d = &self.digest;
        let valid = |s: &&Suspicion| d.is_valid(s);
        let mut distinct = 0;
        for (i, s) in d.suspicions.iter().enumerate().filter(|(_, s)| d.is_valid(s)) {
            if !d.suspicions[..i].iter().filter(valid).any(|e| e.by == s.by) {
                distinct += 1;
            }
        }
        if distinct == 0 {
            Liveness::Up
        } else if distinct >= confirmations.max(1) {
            Liveness::Down
        } else {
            Liveness::Suspect
        }
    }
}

/// How an observer decides that a node is suspect.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SuspectRule {
    /// The heartbeat has not risen for this long.
    Silence(Dur),
    /// Phi exceeds `threshold`; a window starts with one gap of `initial`
    /// and learns no gap longer than that.
    Phi { threshold: f64, initial: Dur },
}

/// The failure detector's settings, as membership uses them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detector {
    pub rule: SuspectRule,
    /// How many nodes must suspect a node before an observer calls it down.
    pub confirmations: usize,
}

impl Detector {
    pub fn from_settings(s: &Settings) -> Detector {
        let rule = match s.failure_detector {
            FailureDetector::Heartbeat => SuspectRule::Silence(s.suspect_after),
            FailureDetector::Phi => SuspectRule::Phi {
                threshold: s.phi_threshold,
                initial: Dur(s.gossip_interval.micros().saturating_mul(2)),
            },
        };
        Detector {
            rule,
            confirmations: s.down_confirmations,
        }
    }

    /// The heartbeat rule with `after` and `confirmations`.
    pub fn heartbeat(after: Dur, confirmations: usize) -> Detector {
        Detector {
            rule: SuspectRule::Silence(after),
            confirmations,
        }
    }
}

/// What a merge changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MergeOutcome {
    /// Tokens or membership status changed: the ring view must be rebuilt.
    pub ring_changed: bool,
    /// Nodes whose liveness changed in this view: (node, before, after).
    pub liveness: Vec<(NodeId, Liveness, Liveness)>,
}

/// One node's membership list.
#[derive(Clone, Debug, PartialEq)]
pub struct Membership {
    me: NodeId,
    members: BTreeMap<NodeId, Member>,
    seeds: Vec<NodeId>,
}

impl Membership {
    /// A node that knows only itself (a joiner, before it reached a seed).
    pub fn alone(me: NodeId, generation: u32, tokens: Arc<[u64]>, seeds: Vec<NodeId>, now: Time) -> Membership {
        let mut m = Membership {
            me,
            members: BTreeMap::new(),
            seeds,
        };
        m.members.insert(
            me,
            Member::new(
                MemberDigest {
                    node: me,
                    generation,
                    heartbeat: 0,
                    tokens,
                    status: MemberStatus::Normal,
                    suspicions: SmallVec::new(),
                },
                now,
            ),
        );
        m
    }

    /// A node of the initial cluster: it knows every member of `ring`.
    pub fn initial(me: NodeId, ring: &Ring, seeds: Vec<NodeId>, now: Time) -> Membership {
        let mut m = Membership {
            me,
            members: BTreeMap::new(),
            seeds,
        };
        for (node, tokens) in ring.shared_assignments() {
            let node = *node;
            m.members.insert(
                node,
                Member::new(
                    MemberDigest {
                        node,
                        generation: 0,
                        heartbeat: 0,
                        tokens: tokens.clone(),
                        status: MemberStatus::Normal,
                        suspicions: SmallVec::new(),
                    },
                    now,
                ),
            );
        }
        m
    }

    pub fn me(&self) -> NodeId {
        self.me
    }

    pub fn seeds(&self) -> &[NodeId] {
        &self.seeds
    }

    /// A restart: a higher generation, and every other node counted as
    /// freshly heard of (a restarted node gives everyone a fresh chance).
    pub fn restart(&mut self, generation: u32, now: Time) {
        for m in self.members.values_mut() {
            m.last_rise = now;
            m.arrivals = None;
            m.digest.suspicions.retain(|s| s.by != self.me);
        }
        if let Some(own) = self.members.get_mut(&self.me) {
            own.digest.generation = generation;
            own.digest.heartbeat = 0;
            own.digest.suspicions.clear();
        }
    }

    /// Raises this node's own heartbeat (once per gossip round).
    pub fn beat(&mut self, now: Time) {
        if let Some(own) = self.members.get_mut(&self.me) {
            own.digest.heartbeat += 1;
            own.last_rise = now;
        }
    }

    /// Sets this node's own membership status (leaving, left).
    pub fn set_own_status(&mut self, status: MemberStatus) {
        if let Some(own) = self.members.get_mut(&self.me) {
            own.digest.status = status;
            own.digest.heartbeat += 1;
        }
    }

    pub fn status(&self, node: NodeId) -> Option<MemberStatus> {
        self.members.get(&node).map(|m| m.digest.status)
    }

    pub fn own_status(&self) -> MemberStatus {
        self.status(self.me).unwrap_or(MemberStatus::Normal)
    }

    /// (generation, heartbeat) of `node` as known here.
    pub fn version_of(&self, node: NodeId) -> Option<(u32, u64)> {
        self.members.get(&node).map(|m| m.digest.version())
    }

    /// How long since `node`'s heartbeat last rose in this view.
    pub fn heartbeat_age(&self, node: NodeId, now: Time) -> Option<Dur> {
        self.members.get(&node).map(|m| now.since(m.last_rise))
    }

    /// The distinct nodes holding valid suspicions of `node`.
    pub fn suspecters(&self, node: NodeId) -> SmallVec<[NodeId; 4]> {
        let Some(m) = self.members.get(&node) else {
            return SmallVec::new();
        };
        let mut by: SmallVec<[NodeId; 4]> = m
            .digest
            .suspicions
            .iter()
            .filter(|s| m.digest.is_valid(s))
            .map(|s| s.by)
            .collect();
        by.sort_unstable();
        by.dedup();
        by
    }

    /// Whether this node believes `node` is running.
    pub fn liveness(&self, node: NodeId, confirmations: usize) -> Liveness {
        if node == self.me {
            return Liveness::Up;
        }
        self.members
            .get(&node)
            .map_or(Liveness::Up, |m| m.liveness(confirmations))
    }

    /// Every known node in id order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.members.keys().copied()
    }

    /// Members that own tokens (status normal), as a ring.
    pub fn ring(&self) -> Ring {
        Ring::new(
            self.members
                .values()
                .filter(|m| m.digest.status == MemberStatus::Normal)
                .map(|m| (m.digest.node, m.digest.tokens.to_vec())),
        )
    }

    /// The whole list, for a gossip message.
    pub fn digest(&self) -> Vec<MemberDigest> {
        self.members.values().map(|m| m.digest.clone()).collect()
    }

    /// The members this view does not believe up, in id order (every
    /// other member is up; most are, so this is short and often empty).
    fn not_up(&self, confirmations: usize) -> Vec<(NodeId, Liveness)> {
        self.members
            .iter()
            .filter(|(n, _)| **n != self.me)
            .filter_map(|(&n, m)| {
                let l = m.liveness(confirmations);
                (l != Liveness::Up).then_some((n, l))
            })
            .collect()
    }

    /// The liveness changes between two [`Self::not_up`] lists (members are
    /// never removed, so a node missing from either list is up there), in
    /// id order.
    fn changes(before: &[(NodeId, Liveness)], after: &[(NodeId, Liveness)]) -> Vec<(NodeId, Liveness, Liveness)> {
        let mut out = Vec::new();
        let (mut b, mut a) = (before.iter().peekable(), after.iter().peekable());
        loop {
            let (n, was, now) = match (b.peek(), a.peek()) {
                (None, None) => break,
                (Some(&&(n, was)), Some(&&(m, now))) if n == m => {
                    b.next();
                    a.next();
                    (n, was, now)
                }
                (Some(&&(n, was)), Some(&&(m, _))) if n < m => {
                    b.next();
                    (n, was, Liveness::Up)
                }
                (Some(&&(n, was)), None) => {
                    b.next();
                    (n, was, Liveness::Up)
                }
                (_, Some(&&(m, now))) => {
                    a.next();
                    (m, Liveness::Up, now)
                }
            };
            if was != now {
                out.push((n, was, now));
            }
        }
        out
    }

    /// The phi this view computes for `node` now (`None` for itself, an
    /// unknown node, or while the phi detector is not in use).
    pub fn phi(&self, node: NodeId, now: Time) -> Option<f64> {
        let m = self.members.get(&node).filter(|_| node != self.me)?;
        m.arrivals.as_ref().map(|w| w.phi(now.since(m.last_rise)))
    }

    /// Merges a peer's list: the higher (generation, heartbeat) wins each
    /// entry; suspicions are pooled and the stale ones dropped. Under the
    /// phi detector each rise also records its gap since the last one.
    pub fn merge(&mut self, now: Time, digest: &[MemberDigest], detector: &Detector) -> MergeOutcome {
        let confirmations = detector.confirmations;
        let before = self.not_up(confirmations);
        let mut ring_changed = false;
        for theirs in digest {
            let me = self.me;
            match self.members.get_mut(&theirs.node) {
                None => {
                    ring_changed = true;
                    self.members.insert(theirs.node, Member::new(theirs.clone(), now));
                }
                Some(ours) => {
                    if theirs.version() > ours.digest.version() && theirs.node != me {
                        if theirs.status != ours.digest.status || theirs.tokens != ours.digest.tokens {
                            ring_changed = true;
                        }
                        ours.digest.generation = theirs.generation;
                        ours.digest.heartbeat = theirs.heartbeat;
                        ours.digest.tokens = theirs.tokens.clone();
                        ours.digest.status = theirs.status;
                        if let SuspectRule::Phi { initial, .. } = detector.rule {
                            ours.arrivals
                                .get_or_insert_with(|| Box::new(ArrivalWindow::new(initial)))
                                .record(now.since(ours.last_rise), initial);
                        }
                        ours.last_rise = now;
                    }
                    for s in &theirs.suspicions {
                        if !ours.digest.suspicions.contains(s) {
                            ours.digest.suspicions.push(*s);
                        }
                    }
                    let d = &mut ours.digest;
                    let version = d.version();
                    d.suspicions.retain(|s| (s.generation, s.heartbeat) >= version);
                    // Only the newest suspicion of each suspecter matters.
                    d.suspicions.sort_unstable();
                    d.suspicions.dedup_by(|later, earlier| {
                        later.by == earlier.by && {
                            *earlier = (*earlier).max(*later);
                            true
                        }
                    });
                }
            }
        }
        let after = self.not_up(confirmations);
        MergeOutcome {
            ring_changed,
            liveness: Self::changes(&before, &after),
        }
    }

    /// Suspects every node the detector's rule finds suspect: silent for
    /// `suspect_after` (heartbeat), or with phi above the threshold (phi).
    /// Returns the liveness changes this causes in this view.
    pub fn detect(&mut self, now: Time, detector: &Detector) -> Vec<(NodeId, Liveness, Liveness)> {
        let confirmations = detector.confirmations;
        let before = self.not_up(confirmations);
        let me = self.me;
        for m in self.members.values_mut() {
            if m.digest.node == me || m.digest.status == MemberStatus::Left {
                continue;
            }
            let silence = now.since(m.last_rise);
            let suspect = match detector.rule {
                SuspectRule::Silence(after) => {
                    m.arrivals = None;
                    silence >= after
                }
                SuspectRule::Phi { threshold, initial } => {
                    let window = m.arrivals.get_or_insert_with(|| Box::new(ArrivalWindow::new(initial)));
                    window.phi(silence) > threshold
                }
            };
            if suspect {
                let s = Suspicion {
                    by: me,
                    generation: m.digest.generation,
                    heartbeat: m.digest.heartbeat,
                };
                if !m.digest.suspicions.contains(&s) {
                    m.digest.suspicions.retain(|x| x.by != me);
                    m.digest.suspicions.push(s);
                }
            }
        }
        let after = self.not_up(confirmations);
        Self::changes(&before, &after)
    }

    /// Peers this view does not believe down: the ones to gossip with.
    pub fn live_peers(&self, confirmations: usize) -> Vec<NodeId> {
        self.peers()
            .filter(|m| m.liveness(confirmations) != Liveness::Down)
            .map(|m| m.digest.node)
            .collect()
    }

    /// Peers this view believes are down.
    pub fn down_peers(&self, confirmations: usize) -> Vec<NodeId> {
        self.peers()
            .filter(|m| m.liveness(confirmations) == Liveness::Down)
            .map(|m| m.digest.node)
            .collect()
    }

    /// Every other member that has not left.
    fn peers(&self) -> impl Iterator<Item = &Member> + '_ {
        self.members
            .values()
            .filter(|m| m.digest.node != self.me && m.digest.status != MemberStatus::Left)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn changes_between_not_up_lists_are_every_node_that_changed_in_id_order() {
        use Liveness::*;
        let n = NodeId;
        let before = [(n(1), Suspect), (n(3), Down), (n(5), Suspect)];
        let after = [(n(2), Suspect), (n(3), Down), (n(5), Down), (n(7), Suspect)];
        assert_eq!(
            Membership::changes(&before, &after),
            vec![
                (n(1), Suspect, Up),
                (n(2), Up, Suspect),
                (n(5), Suspect, Down),
                (n(7), Up, Suspect)
            ]
        );
        assert_eq!(Membership::changes(&after, &[]).len(), 4);
        assert!(Membership::changes(&before, &before).is_empty());
    }
    use super::*;

    const A: NodeId = NodeId(0);
    const B: NodeId = NodeId(1);
    const C: NodeId = NodeId(2);

    fn ring() -> Ring {
        Ring::new([(A, vec![10]), (B, vec![20]), (C, vec![30])])
    }

    fn hb(confirmations: usize) -> Detector {
        Detector::heartbeat(Dur::from_secs(3), confirmations)
    }

    fn view(me: NodeId) -> Membership {
        Membership::initial(me, &ring(), vec![A], Time(0))
    }

    /// Every node of a fresh cluster starts from one ring: their lists hold
    /// one copy of each member's tokens between them, not one each.
    #[test]
    fn initial_lists_share_the_rings_token_lists() {
        let ring = ring();
        let a = Membership::initial(A, &ring, vec![A], Time(0));
        let b = Membership::initial(B, &ring, vec![A], Time(0));
        for (x, y) in a.digest().iter().zip(b.digest().iter()) {
            assert_eq!(x.node, y.node);
            assert!(Arc::ptr_eq(&x.tokens, &y.tokens), "{:?} is copied", x.node);
        }
        assert_eq!(&*a.digest()[1].tokens, &[20]);
    }

    #[test]
    fn merge_keeps_the_higher_generation_and_heartbeat() {
        let mut a = view(A);
        let mut b = view(B);
        for _ in 0..3 {
            b.beat(Time(1));
        }
        a.merge(Time(5), &b.digest(), &hb(2));
        assert_eq!(a.version_of(B), Some((0, 3)));
        // An older entry does not roll it back.
        let stale = view(B);
        a.merge(Time(6), &stale.digest(), &hb(2));
        assert_eq!(a.version_of(B), Some((0, 3)));
        // A restart (higher generation) wins over any heartbeat.
        b.restart(1, Time(7));
        a.merge(Time(8), &b.digest(), &hb(2));
        assert_eq!(a.version_of(B), Some((1, 0)));
        // Nobody can tell a node about itself.
        let mut fake = view(C);
        fake.members.get_mut(&A).unwrap().digest.heartbeat = 99;
        a.merge(Time(9), &fake.digest(), &hb(2));
        assert_eq!(a.version_of(A), Some((0, 0)));
    }

    #[test]
    fn silence_makes_a_suspect_and_two_suspicions_make_it_down() {
        let after = Dur::from_secs(3);
        let mut a = view(A);
        let mut b = view(B);
        assert!(a.detect(Time(2_999_999), &Detector::heartbeat(after, 2)).is_empty());
        let changes = a.detect(Time(3_000_000), &Detector::heartbeat(after, 2));
        assert!(changes.contains(&(C, Liveness::Up, Liveness::Suspect)), "{changes:?}");
        assert_eq!(a.liveness(C, 2), Liveness::Suspect);
        b.detect(Time(3_000_000), &Detector::heartbeat(after, 2));
        let out = a.merge(Time(3_100_000), &b.digest(), &hb(2));
        assert!(
            out.liveness.contains(&(C, Liveness::Suspect, Liveness::Down)),
            "{out:?}"
        );
        assert_eq!(a.suspecters(C).as_slice(), &[A, B]);
        assert_eq!(a.live_peers(2), vec![B]);
        assert_eq!(a.down_peers(2), vec![C]);
        // With one confirmation needed, a's own suspicion is enough.
        assert_eq!(view(A).liveness(C, 1), Liveness::Up);
    }

    #[test]
    fn a_rising_heartbeat_or_generation_clears_suspicion() {
        let after = Dur::from_secs(3);
        let mut a = view(A);
        let mut b = view(B);
        a.detect(Time(3_000_000), &Detector::heartbeat(after, 2));
        b.detect(Time(3_000_000), &Detector::heartbeat(after, 2));
        a.merge(Time(3_000_000), &b.digest(), &hb(2));
        assert_eq!(a.liveness(C, 2), Liveness::Down);
        let mut c = view(C);
        c.beat(Time(3_500_000));
        let out = a.merge(Time(3_500_000), &c.digest(), &hb(2));
        assert!(out.liveness.contains(&(C, Liveness::Down, Liveness::Up)), "{out:?}");
        // b's old suspicion, arriving again later, stays void.
        a.merge(Time(3_600_000), &b.digest(), &hb(2));
        assert_eq!(a.liveness(C, 2), Liveness::Up);
        assert!(a.suspecters(C).is_empty());
    }

    #[test]
    fn the_phi_rule_suspects_after_about_eighteen_mean_gaps() {
        let phi = Detector {
            rule: SuspectRule::Phi {
                threshold: 8.0,
                initial: Dur::from_secs(2),
            },
            confirmations: 2,
        };
        let mut a = view(A);
        let mut b = view(B);
        // b's heartbeat rises in a's view every second for 200 seconds: the
        // window's mean gap is 1s.
        let mut now = Time(0);
        for _ in 0..200 {
            now += Dur::from_secs(1);
            b.beat(now);
            a.merge(now, &b.digest(), &phi);
        }
        assert!((a.phi(B, now).unwrap() - 0.0).abs() < 1e-12);
        // phi = t / 1s × log10(e) crosses 8 after 18.42s.
        // (c, never heard from, is long suspect by now.)
        let changes = a.detect(now + Dur::from_millis(18_400), &phi);
        assert!(changes.iter().all(|c| c.0 != B), "{changes:?}");
        assert!(a.phi(B, now + Dur::from_millis(18_400)).unwrap() < 8.0);
        let changes = a.detect(now + Dur::from_millis(18_500), &phi);
        assert!(changes.contains(&(B, Liveness::Up, Liveness::Suspect)), "{changes:?}");
        // c was never heard from: its window holds only the initial 2s gap,
        // so it is suspected only after 36.8s of silence since the start.
        let mut fresh = view(A);
        assert!(fresh.detect(Time(36_800_000), &phi).is_empty());
        assert!(!fresh.detect(Time(36_900_000), &phi).is_empty());
        // Switching back to the heartbeat rule drops the windows.
        a.detect(now, &hb(2));
        assert_eq!(a.phi(B, now), None);
    }

    #[test]
    fn joins_and_leaves_change_the_ring_but_failures_do_not() {
        let mut a = view(A);
        let d = NodeId(3);
        let joiner = Membership::alone(d, 0, Arc::from(vec![40u64]), vec![A], Time(0));
        let out = a.merge(Time(1), &joiner.digest(), &hb(2));
        assert!(out.ring_changed);
        assert_eq!(a.ring().members(), &[A, B, C, d]);
        let mut b = view(B);
        b.set_own_status(MemberStatus::Leaving);
        let out = a.merge(Time(2), &b.digest(), &hb(2));
        assert!(out.ring_changed);
        assert_eq!(a.ring().members(), &[A, C, d]);
        a.detect(Time(10_000_000), &hb(1));
        assert_eq!(a.liveness(C, 1), Liveness::Down);
        assert_eq!(a.ring().members(), &[A, C, d], "a down node keeps its tokens");
    }
}
