//! Runs one chaos seed: a shopping-cart workload under random faults, then
//! a quiet period, then full reads. Every action is also written down as a
//! replay step, at the virtual instant it was taken.
//!
//! The workload is Dynamo's cart: each client mostly reads a cart, merges
//! the siblings by union, adds one unique item, and puts with the read's
//! context. It also writes blind (no context), in chains (each put carrying
//! the previous put's reply context, no read between) and with hostile
//! contexts (counters the client never saw). Faults are drawn from the
//! seed: kills and revives (up to N nodes down at once), partitions,
//! one-way cuts, drop-rate bursts, latency spikes, joins and leaves. Some
//! seeds draw a bigger cluster (up to 32 nodes of up to 64 tokens).
//!
//! The driver speaks steps: each action it draws is a [`Step`], written
//! into the replay and started through the same step code as a preset's or
//! the playground's ([`Step::start`]), so that what a fault does is
//! decided in one place. The driver's own bookkeeping (who is down, which
//! fault is on, which operation a client waits for) changes only when the
//! step started.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::sync::Arc;

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::made::MadeLog;
use super::record::{AckedPut, FailedPut, FinalRead, Made, ObservedGet, PutKind, SeedRecord, Stored};
use super::replay::{Replay, clock_spec};
use crate::core::client::OpReport;
use crate::core::clock::VClock;
use crate::core::hash::mix64;
use crate::core::ids::{ClientId, Endpoint, NodeId, OpId};
use crate::core::message::Outcome;
use crate::core::time::{Dur, Time};
use crate::core::trace::{ClusterChange, Event, TraceEvent};
use crate::core::version::{Key, Version, sort_canonically};
use crate::engine::{ClusterSpec, Engine};
use crate::scenario::expect::{Converged, Expect, HintsExpect};
use crate::scenario::noderef::NodeRef;
use crate::scenario::settings_patch::SettingsPatch;
use crate::scenario::step::{GetStep, PutStep, Step, StepKind};
use crate::scenario::step_run::StepRun;
use crate::scenario::text::Text;

/// What a chaos seed runs.
#[derive(Clone, Debug)]
pub struct ChaosConfig {
    pub spec: ClusterSpec,
    /// Client operations (gets and puts) in the workload.
    pub ops: usize,
    pub clients: usize,
    pub carts: usize,
    pub faults: bool,
    /// Some seeds draw a bigger cluster than `spec` (see [`BIG_CLUSTER_SHARE`]).
    pub vary_cluster: bool,
    /// The largest counter a hostile context claims: by default just under the
    /// largest a preset may write ([`HOSTILE_TOP`]); tests of a counter that
    /// saturates raise it to `u32::MAX`.
    pub hostile_top: u32,
}

/// Client operations per seed by default.
pub const DEFAULT_OPS: usize = 200;
/// Concurrent clients by default.
pub const DEFAULT_CLIENTS: usize = 4;
/// Carts the clients share by default.
pub const DEFAULT_CARTS: usize = 4;

impl Default for ChaosConfig {
    /// The default chaos run: five nodes of eight tokens with default
    /// settings, the default workload, faults on. `ringside chaos` with no
    /// options and the bench's chaos section both run it.
    fn default() -> Self {
        ChaosConfig {
            spec: ClusterSpec::numbered(5, 8, crate::core::config::Settings::default()),
            ops: DEFAULT_OPS,
            clients: DEFAULT_CLIENTS,
            carts: DEFAULT_CARTS,
            faults: true,
            vary_cluster: true,
            hostile_top: HOSTILE_TOP,
        }
    }
}

/// What a hostile context claims at most by default: just under the largest
/// counter a preset may write in a context, leaving room for the counters
/// nodes go on issuing past a claim (a seed makes far fewer than 2^20
/// writes), so that every context a replay writes still loads as a preset.
pub const HOSTILE_TOP: u32 = crate::core::clock::MAX_CONTEXT_COUNTER - (1 << 20);
/// Per cent of seeds that draw a bigger cluster, when the config allows.
pub const BIG_CLUSTER_SHARE: u64 = 5;
/// The most nodes a drawn cluster has, joins included.
pub const MAX_CHAOS_NODES: usize = 32;
/// The most tokens per node a drawn cluster has.
pub const MAX_CHAOS_VNODES: usize = 64;
/// How many nodes joins may add to the cluster a seed starts with.
const MAX_JOINS: usize = 3;
/// Per cent of puts (of those not chained) written blind, with no context.
const BLIND_SHARE: u32 = 6;
/// Per cent of wakes where two clients write blind at the same instant.
const PAIR_SHARE: u32 = 3;
/// Per cent of puts written with a hostile context.
const HOSTILE_SHARE: u32 = 5;
/// Per cent of hostile contexts that claim a counter near the top of the range.
const HOSTILE_TOP_SHARE: u32 = 10;
/// Per cent chance that a client whose last operation was an acknowledged
/// put chains another put on the same key with the reply's context.
const CHAIN_SHARE: u32 = 35;
/// The longest quiet period before the final reads, in a small cluster
/// ([`quiet_limit`] gives more to a cluster with many ranges).
const MAX_QUIET: Dur = Dur::from_secs(240);
/// How many full anti-entropy rounds the quiet period allows at least.
const QUIET_AE_ROUNDS: u64 = 4;

/// How long the quiet period may last: [`MAX_QUIET`], or longer when one
/// anti-entropy round (each node takes one of its ranges a second, and it
/// replicates about `vnodes` × N of them) is long: a key only its
/// anti-entropy can repair (a write left on one replica under a strict
/// quorum, with no hint) needs every replica to have met another holding
/// it, which takes a few rounds as each picks a random partner per range.
/// 240 s is not two rounds of 64 vnodes × N = 3 (seed 6832 under
/// `sloppy_quorum=false` diverged so).
pub fn quiet_limit(vnodes: usize, settings: &crate::core::config::Settings) -> Dur {
    let round = Dur::from_secs((vnodes * settings.replicas) as u64);
    MAX_QUIET.max(Dur::from_micros(round.micros() * QUIET_AE_ROUNDS))
}
/// How often the quiet period checks whether the cluster has settled.
const QUIET_CHECK: Dur = Dur::from_secs(15);
/// How many times a final read is tried before the seed fails.
const FINAL_READ_TRIES: usize = 5;
/// How often, after a join or leave, the workload checks whether the ring has settled.
const SETTLE_CHECK: Dur = Dur::from_millis(100);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Wake(usize),
    FaultStart,
    Revive(NodeId),
    Heal,
    DropEnd,
    Unslow(NodeId),
}

/// A put in flight: what the client sent and what it believes the cart holds.
struct Sent {
    op: OpId,
    key: Key,
    item: String,
    context: VClock,
    kind: PutKind,
    items: BTreeSet<String>,
    at: Time,
}

enum Phase {
    Idle,
    Reading { op: OpId, key: Key, started: Time },
    Writing(Box<Sent>),
}

/// What a client last learnt of a cart: the context the cluster gave it
/// (a read's, or a put reply's) and the items it believes the cart holds.
struct View {
    context: VClock,
    items: BTreeSet<String>,
}

struct Shopper {
    name: String,
    id: ClientId,
    phase: Phase,
    added: usize,
    views: std::collections::BTreeMap<Key, View>,
    /// The key of its last operation, when that was an acknowledged put.
    chain: Option<Key>,
}

struct Driver<'a> {
    cfg: &'a ChaosConfig,
    /// How long the quiet period may last ([`quiet_limit`]).
    quiet_limit: Dur,
    engine: Engine,
    rng: ChaCha8Rng,
    replay: Replay,
    record: SeedRecord,
    due: BinaryHeap<Reverse<(Time, u64, Due)>>,
    seq: u64,
    shoppers: Vec<Shopper>,
    budget: usize,
    net_fault: bool,
    drop_burst: bool,
    slowed: BTreeSet<NodeId>,
    joined: usize,
    /// The most nodes joins may bring the cluster to.
    max_nodes: usize,
    dead: BTreeSet<NodeId>,
    /// Nodes asked to leave (they keep running until they have handed everything on).
    leaving: BTreeSet<NodeId>,
    /// Nodes that announced they left and stopped.
    departed: BTreeSet<NodeId>,
    /// Since when a join or leave has been changing the ring.
    ring_unsettled_since: Option<Time>,
    ring_checked: Time,
    trace: Vec<TraceEvent>,
    /// The first step the step code refused (the driver draws only steps
    /// that apply, so this fails the seed as an engine failure would).
    refused: Option<String>,
    /// What each put's coordinations made, from the trace.
    made: MadeLog,
}

/// The cluster seed `seed` runs: the config's, or, for a share of seeds
/// when the config allows, a bigger one with the same settings.
pub fn seed_spec(cfg: &ChaosConfig, seed: u64) -> ClusterSpec {
    let mut rng = ChaCha8Rng::seed_from_u64(mix64(seed ^ 0x0063_6c75_7374));
    if !cfg.vary_cluster || rng.random_range(0..100) >= BIG_CLUSTER_SHARE {
        return cfg.spec.clone();
    }
    let nodes = rng.random_range(cfg.spec.nodes.len().max(6)..=MAX_CHAOS_NODES - MAX_JOINS);
    let vnodes = [8, 16, 32, MAX_CHAOS_VNODES][rng.random_range(0..4)];
    ClusterSpec::numbered(nodes, vnodes, cfg.spec.settings.clone())
}

/// Runs seed `seed`; returns what happened and the replay of it.
pub async fn run_seed(cfg: &ChaosConfig, seed: u64) -> (SeedRecord, Replay) {
    let spec = seed_spec(cfg, seed);
    let engine = match Engine::new(&spec, seed) {
        Ok(e) => e,
        Err(e) => {
            let record = SeedRecord {
                seed,
                engine_failure: Some(format!("the cluster does not start: {e}")),
                ..SeedRecord::default()
            };
            return (record, Replay::new(spec));
        }
    };
    let max_nodes = (spec.nodes.len() + MAX_JOINS).min(MAX_CHAOS_NODES);
    let mut d = Driver {
        cfg,
        quiet_limit: quiet_limit(spec.vnodes, &spec.settings),
        engine,
        rng: ChaCha8Rng::seed_from_u64(mix64(seed ^ 0x6368_616f_7321)),
        replay: Replay::new(spec),
        record: SeedRecord {
            seed,
            settings: cfg.spec.settings.clone(),
            carts: (1..=cfg.carts).map(|i| Key::from(format!("cart-{i}"))).collect(),
            ..SeedRecord::default()
        },
        due: BinaryHeap::new(),
        seq: 0,
        shoppers: Vec::new(),
        budget: cfg.ops,
        net_fault: false,
        drop_burst: false,
        slowed: BTreeSet::new(),
        joined: 0,
        max_nodes,
        dead: BTreeSet::new(),
        leaving: BTreeSet::new(),
        departed: BTreeSet::new(),
        ring_unsettled_since: None,
        ring_checked: Time::ZERO,
        trace: Vec::new(),
        refused: None,
        made: MadeLog::default(),
    };
    d.engine.set_trace_cap(1 << 22);
    for name in client_names(cfg.clients) {
        let id = d.engine.client(&name);
        d.shoppers.push(Shopper {
            name,
            id,
            phase: Phase::Idle,
            added: 0,
            views: Default::default(),
            chain: None,
        });
    }
    d.engine.client("checker");
    d.workload().await;
    if d.engine.failure().is_none() {
        d.quiet_period().await;
    }
    if d.engine.failure().is_none() {
        d.final_reads().await;
        d.inspect().await;
    }
    d.record.engine_failure = d.engine.failure().map(str::to_string).or(d.refused.take());
    d.record.ended = d.engine.now();
    (d.record, d.replay)
}

/// The workload's client names, in the order they are created.
pub fn client_names(count: usize) -> Vec<String> {
    (1..=count).map(|i| format!("c{i}")).collect()
}

impl Driver<'_> {
    fn schedule(&mut self, at: Time, due: Due) {
        self.seq += 1;
        self.due.push(Reverse((at, self.seq, due)));
    }

    fn name(&self, n: NodeId) -> String {
        self.engine.names().node(n).to_string()
    }

    /// Node `n` as a step names it.
    fn node(&self, n: NodeId) -> NodeRef {
        NodeRef::Name(self.name(n))
    }

    /// Writes `kind` into the replay, pinned to the current instant, and
    /// starts it through the step code, as a preset would.
    async fn take(&mut self, kind: StepKind) -> Result<StepRun, String> {
        let step = Step { kind, expect: None };
        self.replay.at(self.engine.now());
        self.replay.step(step.clone());
        self.start(&step).await
    }

    /// Starts `step` through the step code without writing it down; a
    /// refusal is kept (the first one) to fail the seed.
    async fn start(&mut self, step: &Step) -> Result<StepRun, String> {
        let started = step.start(&mut self.engine).await;
        if let Err(e) = &started {
            self.refused
                .get_or_insert_with(|| format!("the step `{}` was refused: {e}", step.kind));
        }
        started
    }

    /// Starts a single put or get step and returns the operation it submitted.
    async fn take_op(&mut self, kind: StepKind) -> Option<OpId> {
        let run = self.take(kind).await.ok()?;
        run.submitted().first().copied()
    }

    fn think(&mut self) -> Dur {
        Dur(self.rng.random_range(0..50_000))
    }

    async fn workload(&mut self) {
        for i in 0..self.shoppers.len() {
            let t = self.think();
            self.schedule(Time::ZERO + t, Due::Wake(i));
        }
        if self.cfg.faults {
            let t = Dur(self.rng.random_range(100_000..600_000));
            self.schedule(Time::ZERO + t, Due::FaultStart);
        }
        loop {
            let pending: Vec<OpId> = self
                .shoppers
                .iter()
                .filter_map(|s| match &s.phase {
                    Phase::Reading { op, .. } => Some(*op),
                    Phase::Writing(sent) => Some(sent.op),
                    Phase::Idle => None,
                })
                .collect();
            if self.budget == 0 && pending.is_empty() {
                break;
            }
            let next = self.due.peek().map(|Reverse((t, _, _))| *t);
            let deadline = next.unwrap_or(Time(u64::MAX));
            if pending.is_empty() && next.is_none() {
                break;
            }
            self.engine.run_until_any(&pending, deadline).await;
            if self.engine.failure().is_some() {
                return;
            }
            self.watch_trace();
            self.watch_ring(false).await;
            for report in self.engine.take_finished() {
                self.finished(report).await;
            }
            let now = self.engine.now();
            while let Some(Reverse((t, _, due))) = self.due.peek().copied() {
                if t > now {
                    break;
                }
                self.due.pop();
                self.on_due(due).await;
            }
        }
    }

    /// A client operation answered.
    async fn finished(&mut self, report: OpReport) {
        self.record.ops += 1;
        let bound = self.record.latency_bound.max(latency_bound(&self.engine));
        self.record.latency_bound = bound;
        if report.latency() > bound {
            self.record.too_slow.push((format!("{}", report.op), report.latency()));
        }
        let Some(i) = self.shoppers.iter().position(|s| s.id == report.client) else {
            return;
        };
        let now = self.engine.now();
        self.shoppers[i].chain = None;
        match std::mem::replace(&mut self.shoppers[i].phase, Phase::Idle) {
            Phase::Reading { key, started, .. } => {
                if let Outcome::Get {
                    versions,
                    context,
                    failure: None,
                } = &report.outcome
                {
                    self.record.gets.push(ObservedGet {
                        key: key.clone(),
                        started,
                        versions: versions.clone(),
                        answered: report.finished,
                        replicas: report.replicas.to_vec(),
                    });
                    let items: BTreeSet<String> = versions
                        .iter()
                        .flat_map(|v| v.value.split(','))
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .collect();
                    let view = View {
                        context: context.clone(),
                        items,
                    };
                    self.shoppers[i].views.insert(key.clone(), view);
                    if self.budget > 0 {
                        self.write(i, key, PutKind::Read).await;
                        return;
                    }
                }
                let t = self.think();
                self.schedule(now + t, Due::Wake(i));
            }
            Phase::Writing(sent) => {
                let Sent {
                    key,
                    item,
                    context,
                    kind,
                    items,
                    at,
                    ..
                } = *sent;
                match (&report.outcome, report.coordinator) {
                    (Outcome::Put { clock, failure: None }, Some(coordinator)) => {
                        self.record.acked.push(AckedPut {
                            key: key.clone(),
                            item,
                            clock: clock.clone(),
                            coordinator,
                            acked_at: now,
                            replicas: report.replicas.to_vec(),
                            sent_at: at,
                            context,
                            kind,
                            items: items.clone(),
                            made: Made::default(),
                        });
                        let view = View {
                            context: clock.clone(),
                            items,
                        };
                        self.shoppers[i].views.insert(key.clone(), view);
                        self.shoppers[i].chain = Some(key);
                    }
                    (outcome, coordinator) => {
                        let clock = match outcome {
                            Outcome::Put { clock, .. } => Some(clock.clone()),
                            _ => None,
                        };
                        self.record.failed_puts.push(FailedPut {
                            key: key.clone(),
                            item,
                            context,
                            kind,
                            coordinator,
                            clock,
                            items,
                            made: Made::default(),
                        });
                        // What the client believes is unchanged; its context
                        // no longer covers what it may have written.
                        self.shoppers[i].views.remove(&key);
                    }
                }
                let t = self.think();
                self.schedule(now + t, Due::Wake(i));
            }
            Phase::Idle => {}
        }
    }

    /// Adds one item to what client `i` knows of the cart and puts it, with
    /// a context made as `kind` says: the read's (after a read), the last
    /// put reply's (chained), none (blind), or one that claims more than the
    /// client saw (hostile).
    async fn write(&mut self, i: usize, key: Key, kind: PutKind) {
        let (mut items, known) = match self.shoppers[i].views.get(&key) {
            Some(v) => (v.items.clone(), v.context.clone()),
            None => (BTreeSet::new(), VClock::new()),
        };
        let context = match kind {
            PutKind::Read | PutKind::Chained => known,
            PutKind::Blind => {
                items.clear();
                VClock::new()
            }
            PutKind::Hostile => self.hostile(&known),
        };
        let s = &mut self.shoppers[i];
        s.added += 1;
        let item = format!("{}-{}", s.name, s.added);
        items.insert(item.clone());
        let value = super::made::value_of(&items);
        let client = s.name.clone();
        self.budget -= 1;
        let now = self.engine.now();
        let put = PutStep {
            key: key.to_string(),
            value,
            client,
            via: None,
            w: None,
            pw: None,
            context: Some(clock_spec(&context, self.engine.names())),
            nowait: true,
        };
        let Some(op) = self.take_op(StepKind::Put(put)).await else {
            return;
        };
        self.shoppers[i].phase = Phase::Writing(Box::new(Sent {
            op,
            key,
            item,
            context,
            kind,
            items,
            at: now,
        }));
    }

    /// `known` with one node's counter raised past what the client saw: by
    /// a little, or now and then to near [`ChaosConfig::hostile_top`].
    fn hostile(&mut self, known: &VClock) -> VClock {
        let nodes = self.engine.node_ids();
        let node = nodes[self.rng.random_range(0..nodes.len())];
        let have = known.get(node);
        let top = self.cfg.hostile_top;
        let claim = if self.rng.random_range(0..100) < HOSTILE_TOP_SHARE {
            top - self.rng.random_range(0..3u32).min(top)
        } else {
            have.saturating_add(self.rng.random_range(1..=3u32)).min(top)
        };
        let mut context = known.clone();
        if claim > have {
            context.set(node, claim);
        }
        context
    }

    async fn on_due(&mut self, due: Due) {
        let now = self.engine.now();
        match due {
            Due::Wake(i) => {
                if self.budget == 0 || !matches!(self.shoppers[i].phase, Phase::Idle) {
                    return;
                }
                if let Some(key) = self.shoppers[i].chain.take()
                    && self.rng.random_range(0..100) < CHAIN_SHARE
                {
                    self.write(i, key, PutKind::Chained).await;
                    return;
                }
                let key = self.record.carts[self.rng.random_range(0..self.record.carts.len())].clone();
                let roll = self.rng.random_range(0..100);
                if roll < BLIND_SHARE {
                    self.write(i, key, PutKind::Blind).await;
                    return;
                }
                if roll < BLIND_SHARE + HOSTILE_SHARE {
                    self.write(i, key, PutKind::Hostile).await;
                    return;
                }
                // Two clients write blind to the same cart at the same
                // instant, through the same first candidate: writes that
                // may get the same timestamp.
                if roll < BLIND_SHARE + HOSTILE_SHARE + PAIR_SHARE
                    && let Some(j) =
                        (0..self.shoppers.len()).find(|&j| j != i && matches!(self.shoppers[j].phase, Phase::Idle))
                    && self.budget >= 2
                {
                    self.write(i, key.clone(), PutKind::Blind).await;
                    self.write(j, key, PutKind::Blind).await;
                    return;
                }
                self.budget -= 1;
                let get = GetStep {
                    key: key.to_string(),
                    client: self.shoppers[i].name.clone(),
                    via: None,
                    r: None,
                    pr: None,
                    nowait: true,
                };
                let Some(op) = self.take_op(StepKind::Get(get)).await else {
                    return;
                };
                self.shoppers[i].phase = Phase::Reading { op, key, started: now };
            }
            Due::FaultStart => {
                if self.budget == 0 {
                    return;
                }
                self.start_fault().await;
                let gap = Dur(self.rng.random_range(200_000..800_000));
                self.schedule(now + gap, Due::FaultStart);
            }
            Due::Revive(n) => self.revive(n).await,
            Due::Heal => self.heal().await,
            Due::DropEnd => self.drop_rate(0.0).await,
            Due::Unslow(n) => self.unslow(n).await,
        }
    }

    fn fault_happened(&mut self) {
        let now = self.engine.now();
        self.record.fault_spans.push((now, now));
        self.record.faults += 1;
    }

    /// A join or leave: the ring is unsettled until [`Driver::ring_settled`].
    fn ring_changed(&mut self) {
        self.fault_happened();
        self.ring_unsettled_since.get_or_insert(self.engine.now());
    }

    /// Closes the span of a ring change once every member is up, every
    /// member sees the same ring and nothing waits to be handed over.
    /// Checked at most every [`SETTLE_CHECK`] of virtual time.
    async fn watch_ring(&mut self, force: bool) {
        let Some(since) = self.ring_unsettled_since else { return };
        let now = self.engine.now();
        if !force && now < self.ring_checked + SETTLE_CHECK {
            return;
        }
        self.ring_checked = now;
        if force || self.ring_settled().await {
            self.record.fault_spans.push((since, now));
            self.record.ring_change_spans.push((since, now));
            self.ring_unsettled_since = None;
        }
    }

    async fn ring_settled(&mut self) -> bool {
        let mut first: Option<Arc<crate::core::ring::Ring>> = None;
        for n in self.engine.node_ids() {
            if self.departed.contains(&n) {
                continue;
            }
            if !self.engine.is_alive(n) || self.engine.status(n).stats.handing_over > 0 {
                return false;
            }
            let ring = self.engine.membership(n).await.ring;
            match &first {
                None => first = Some(ring),
                Some(f) if *f != ring => return false,
                Some(_) => {}
            }
        }
        true
    }

    /// Members that have not left, in id order.
    fn members(&self) -> Vec<NodeId> {
        self.engine
            .node_ids()
            .into_iter()
            .filter(|n| !self.leaving.contains(n))
            .collect()
    }

    async fn start_fault(&mut self) {
        let now = self.engine.now();
        let length = Dur(self.rng.random_range(300_000..3_000_000));
        let roll = self.rng.random_range(0..100);
        let members = self.members();
        let alive: Vec<NodeId> = members.iter().copied().filter(|n| self.engine.is_alive(*n)).collect();
        match roll {
            0..25 if self.dead.len() < self.engine.settings().replicas && alive.len() > 1 => {
                let n = alive[self.rng.random_range(0..alive.len())];
                if self.take(StepKind::Kill(self.node(n))).await.is_ok() {
                    self.dead.insert(n);
                    self.fault_happened();
                    self.schedule(now + length, Due::Revive(n));
                }
            }
            25..40 if !self.net_fault && members.len() > 1 => {
                let mut shuffled = members.clone();
                shuffled.shuffle(&mut self.rng);
                let k = self.rng.random_range(1..=shuffled.len() / 2);
                let (a, b) = shuffled.split_at(k);
                let (mut a, mut b) = (a.to_vec(), b.to_vec());
                a.sort();
                b.sort();
                let groups = [a, b].map(|g| g.iter().map(|n| self.node(*n)).collect());
                if self.take(StepKind::Partition(groups.into())).await.is_ok() {
                    self.net_fault = true;
                    self.fault_happened();
                    self.schedule(now + length, Due::Heal);
                }
            }
            40..50 if !self.net_fault && members.len() > 1 => {
                let from = members[self.rng.random_range(0..members.len())];
                let others: Vec<NodeId> = members.iter().copied().filter(|n| *n != from).collect();
                let to = others[self.rng.random_range(0..others.len())];
                let cut = StepKind::Cut {
                    from: self.node(from),
                    to: self.node(to),
                };
                if self.take(cut).await.is_ok() {
                    self.net_fault = true;
                    self.fault_happened();
                    self.schedule(now + length, Due::Heal);
                }
            }
            50..65 if !self.drop_burst => {
                let rate = self.rng.random_range(5..30) as f64 / 100.0;
                self.drop_rate(rate).await;
                self.drop_burst = true;
                self.schedule(now + length, Due::DropEnd);
            }
            65..80 => {
                let n = members[self.rng.random_range(0..members.len())];
                let by = Dur::from_millis(self.rng.random_range(50..300));
                if self.take(StepKind::Slow { node: self.node(n), by }).await.is_ok() {
                    self.slowed.insert(n);
                    self.fault_happened();
                    self.schedule(now + length, Due::Unslow(n));
                }
            }
            80..90 if self.engine.names().node_count() < self.max_nodes => {
                self.joined += 1;
                let node = format!("j{}", self.joined);
                if self.take(StepKind::Join { node, tokens: None }).await.is_ok() {
                    self.ring_changed();
                }
            }
            90..100 => {
                let ring = self.engine.ring().members().to_vec();
                let candidates: Vec<NodeId> = alive.iter().copied().filter(|n| ring.contains(n)).collect();
                if candidates.is_empty() || ring.len() <= self.engine.settings().replicas + 1 {
                    return;
                }
                let n = candidates[self.rng.random_range(0..candidates.len())];
                if self.take(StepKind::Leave(self.node(n))).await.is_ok() {
                    self.leaving.insert(n);
                    self.ring_changed();
                }
            }
            _ => {}
        }
    }

    async fn revive(&mut self, n: NodeId) {
        if !self.dead.contains(&n) || self.leaving.contains(&n) {
            return;
        }
        if self.take(StepKind::Revive(self.node(n))).await.is_ok() {
            self.dead.remove(&n);
            self.fault_happened();
        }
    }

    async fn heal(&mut self) {
        if !self.net_fault {
            return;
        }
        if self.take(StepKind::Heal).await.is_ok() {
            self.net_fault = false;
            self.fault_happened();
        }
    }

    async fn drop_rate(&mut self, rate: f64) {
        if rate == 0.0 && !self.drop_burst {
            return;
        }
        let patch = SettingsPatch {
            drop_rate: Some(rate),
            ..SettingsPatch::default()
        };
        if self.take(StepKind::Set(patch)).await.is_ok() {
            self.fault_happened();
        }
        if rate == 0.0 {
            self.drop_burst = false;
        }
    }

    async fn unslow(&mut self, n: NodeId) {
        if !self.slowed.remove(&n) {
            return;
        }
        let unslow = StepKind::Slow {
            node: self.node(n),
            by: Dur::ZERO,
        };
        if self.take(unslow).await.is_ok() {
            self.fault_happened();
        }
    }

    /// Heals everything, then lets handoff, anti-entropy and transfers finish.
    async fn quiet_period(&mut self) {
        self.heal().await;
        for n in self.dead.clone() {
            self.revive(n).await;
        }
        for n in self.slowed.clone() {
            self.unslow(n).await;
        }
        self.drop_rate(0.0).await;
        if let Some(interval) = self.engine.settings().anti_entropy_interval
            && interval > Dur::from_secs(1)
        {
            let patch = SettingsPatch {
                anti_entropy_interval: Some(Some(Dur::from_secs(1))),
                ..SettingsPatch::default()
            };
            let _ = self.take(StepKind::Set(patch)).await;
        }
        self.watch_ring(true).await;
        let start = self.engine.now();
        loop {
            let until = self.engine.now() + QUIET_CHECK;
            self.engine.run_until(until).await;
            self.watch_trace();
            if self.engine.failure().is_some() || self.settled().await || self.engine.now() - start >= self.quiet_limit
            {
                break;
            }
        }
        let now = self.engine.now();
        self.replay.at(now);
    }

    /// True when replicas agree, no hints are left, no key waits to move,
    /// every leave has finished and the live rings agree.
    async fn settled(&mut self) -> bool {
        for n in self.engine.node_ids() {
            if !self.engine.is_alive(n) {
                continue;
            }
            let st = self.engine.status(n).stats;
            if st.hints > 0 || st.handing_over > 0 {
                return false;
            }
        }
        self.unfinished_leaves().is_empty()
            && self.ring_disagreement().await.is_empty()
            && self.divergence().await.is_empty()
    }

    /// Nodes asked to leave that have not left.
    fn unfinished_leaves(&self) -> Vec<String> {
        self.leaving
            .iter()
            .filter(|n| !self.engine.status(**n).left)
            .map(|n| self.name(*n))
            .collect()
    }

    /// Live nodes that have not left whose ring differs from the first one's.
    async fn ring_disagreement(&mut self) -> Vec<String> {
        let mut first: Option<(NodeId, Arc<crate::core::ring::Ring>)> = None;
        let mut out = Vec::new();
        for n in self.engine.node_ids() {
            if !self.engine.is_alive(n) || self.engine.status(n).left {
                continue;
            }
            let ring = self.engine.membership(n).await.ring;
            match &first {
                None => first = Some((n, ring)),
                Some((f, r)) if *r != ring => out.push(format!(
                    "{} sees {} members, {} sees {}",
                    self.name(n),
                    ring.members().len(),
                    self.name(*f),
                    r.members().len()
                )),
                Some(_) => {}
            }
        }
        out
    }

    /// Keys whose top-N replicas hold different versions.
    async fn divergence(&mut self) -> Vec<String> {
        let n = self.engine.settings().replicas;
        let mode = self.engine.settings().clocks;
        let mut keys: BTreeSet<Key> = BTreeSet::new();
        let nodes: Vec<NodeId> = self
            .engine
            .node_ids()
            .into_iter()
            .filter(|x| self.engine.is_alive(*x))
            .collect();
        for &node in &nodes {
            for (k, _) in self.engine.contents(node).await {
                keys.insert(k);
            }
        }
        let mut out = Vec::new();
        for key in keys {
            let mut first: Option<Vec<Version>> = None;
            for node in self.engine.ring().preference_list(&key, n) {
                let mut v = self.engine.versions(node, &key).await;
                sort_canonically(&mut v);
                match &first {
                    None => first = Some(v),
                    Some(f) if *f != v => {
                        out.push(format!("{key} differs on {}", self.name(node)));
                        break;
                    }
                    Some(_) => {}
                }
            }
        }
        let _ = mode;
        out
    }

    /// Reads every cart from all N replicas. A read that fails (a message
    /// lost to a drop rate the cluster always has) is tried again, up to
    /// [`FINAL_READ_TRIES`] times.
    async fn final_reads(&mut self) {
        let n = self.engine.settings().replicas;
        let carts = self.record.carts.clone();
        let mut reads: Vec<Option<FinalRead>> = vec![None; carts.len()];
        for _ in 0..FINAL_READ_TRIES {
            let todo: Vec<usize> = (0..carts.len())
                .filter(|i| !reads[*i].as_ref().is_some_and(|r| r.ok))
                .collect();
            if todo.is_empty() {
                break;
            }
            let mut ops: Vec<OpId> = Vec::new();
            for &i in &todo {
                let read = Step {
                    kind: StepKind::Get(final_read(&carts[i], n, true)),
                    expect: None,
                };
                let Ok(run) = self.start(&read).await else { return };
                ops.extend(run.submitted());
            }
            self.engine.run_until_done(&ops, Time(u64::MAX)).await;
            self.watch_trace();
            for (&i, op) in todo.iter().zip(&ops) {
                let (ok, versions) = match self.engine.report(*op).map(|r| &r.outcome) {
                    Some(Outcome::Get { versions, failure, .. }) => (failure.is_none(), versions.clone()),
                    _ => (false, Vec::new()),
                };
                reads[i] = Some(FinalRead {
                    key: carts[i].clone(),
                    ok,
                    versions,
                });
            }
        }
        self.record.final_reads = reads.into_iter().flatten().collect();
        let _ = self.engine.take_finished();
    }

    /// The end state: divergence, hints left, what every live node stores.
    async fn inspect(&mut self) {
        self.record.divergent = self.divergence().await;
        for node in self.engine.node_ids() {
            if !self.engine.is_alive(node) {
                continue;
            }
            let hints = self.engine.hints(node).await.len();
            if hints > 0 {
                self.record.hints_left.push((self.name(node), hints));
            }
            for (key, versions) in self.engine.contents(node).await {
                self.record.stored.push(Stored {
                    node: self.name(node),
                    key,
                    versions,
                });
            }
        }
        self.record.leaves_unfinished = self.unfinished_leaves();
        self.record.rings_disagree = self.ring_disagreement().await;
        for node in self.engine.node_ids() {
            let waiting = self.engine.status(node).stats.handing_over;
            if self.engine.is_alive(node) && waiting > 0 {
                self.record.handover_left.push((self.name(node), waiting));
            }
        }
        self.record.unanswered = self.engine.ops_in_flight();
        self.made.attach(&mut self.record);
        self.expectations();
    }

    /// The replay's closing steps: what the checker requires, written as
    /// expectations, so that a replay of a seed that failed fails.
    fn expectations(&mut self) {
        let n = self.engine.settings().replicas;
        let mode = self.engine.settings().clocks;
        let mut reads = Vec::new();
        let judge = super::history::Judge::new(&self.record, mode);
        for key in &self.record.carts {
            let required: Vec<Text> = self
                .record
                .acked
                .iter()
                .filter(|a| a.key == *key && judge.excuse(a).is_none())
                .map(|a| Text(a.item.clone()))
                .collect();
            reads.push(Step {
                kind: StepKind::Get(final_read(key, n, false)),
                expect: Some(Expect {
                    ok: Some(true),
                    has_items: Some(required),
                    ..Expect::default()
                }),
            });
        }
        let check = |expect: Expect| Step {
            kind: StepKind::Check,
            expect: Some(expect),
        };
        self.replay.step(Step {
            kind: StepKind::Concurrently(reads),
            expect: None,
        });
        self.replay.step(check(Expect {
            converged: Some(Converged::All),
            ..Expect::default()
        }));
        for node in self.engine.node_ids() {
            if self.engine.is_alive(node) {
                self.replay.step(check(Expect {
                    hints: Some(HintsExpect {
                        node: self.node(node),
                        owner: None,
                        count: 0,
                    }),
                    ..Expect::default()
                }));
            }
        }
        self.replay.step(check(Expect {
            siblings_concurrent: Some(Converged::All),
            ..Expect::default()
        }));
        self.replay.step(check(Expect {
            in_flight: Some(0),
            ..Expect::default()
        }));
    }

    /// Checks what was delivered against who was up.
    fn watch_trace(&mut self) {
        self.trace.clear();
        self.engine.drain_trace(&mut self.trace);
        for ev in &self.trace {
            self.made.observe(&ev.event);
            match &ev.event {
                Event::ClusterChange(ClusterChange::Kill(n)) => {
                    self.dead.insert(*n);
                }
                Event::ClusterChange(ClusterChange::Revive(n)) => {
                    self.dead.remove(n);
                }
                Event::NodeLeft { node } => {
                    self.departed.insert(*node);
                }
                Event::Delivered { from, to, kind, .. } => {
                    let down = |e: &Endpoint| matches!(e, Endpoint::Node(n) if self.dead.contains(n));
                    let gone = |e: &Endpoint| matches!(e, Endpoint::Node(n) if self.departed.contains(n));
                    if down(from) || down(to) || gone(to) {
                        self.record.dead_deliveries.push(format!(
                            "{} {kind:?} at {}",
                            ev.describe(self.engine.names()),
                            ev.at
                        ));
                    }
                }
                _ => {}
            }
        }
    }
}

/// The checker's read of `cart` from all `n` replicas (it waits for the
/// answer unless `nowait`).
fn final_read(cart: &Key, n: usize, nowait: bool) -> GetStep {
    GetStep {
        key: cart.to_string(),
        client: "checker".into(),
        via: None,
        r: Some(n),
        pr: None,
        nowait,
    }
}

/// The longest a client can wait for an answer: every candidate coordinator
/// tried, each for as long as the client waits for a forwarding node.
pub fn latency_bound(engine: &Engine) -> Dur {
    let s = engine.settings();
    let attempt = crate::core::client::longest_attempt(s);
    Dur(attempt.micros() * (s.replicas as u64 + 2))
}
