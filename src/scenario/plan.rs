//! The cluster as each step of a preset will find it, worked out while the
//! preset loads: which nodes are on the ring, which are down or gone, the
//! settings after every `set:`, how much virtual time the steps may take and
//! how much work they ask for. A step that would fail when it runs (a quorum
//! above N, a `set:` that breaks the settings' rules, a leave that leaves
//! fewer nodes than N, an `at:` already passed) or that would take the run
//! past the [`super::limits`] is refused where it stands in the file, so that
//! `ringside check` accepts only presets that run, in bounded memory and time.
//!
//! The plan travels in the [`super::parse_context::ParseContext`] that
//! [`super::load`] hands the step parser, which tells it what each step
//! does (`StepKind::plan` in [`super::step`]); the plan itself knows
//! nothing of steps. The playground's command line parses without one and
//! checks against the live cluster instead.

use std::collections::BTreeSet;

use crate::core::config::{MAX_NODES, Settings};
use crate::core::time::Dur;

use super::limits::{MAX_FILL_BYTES, MAX_OPERATIONS, MAX_STEPS, MAX_TIME, MAX_TOKENS, SMALL_CLUSTER};
use super::settings_patch::SettingsPatch;

/// The cluster as the steps read so far leave it.
#[derive(Clone, Debug)]
pub struct Plan {
    settings: Settings,
    /// Nodes on the ring, by name, or `None` once a `leave: KEY#I` made it
    /// unknown which.
    ring: Option<BTreeSet<String>>,
    /// How many nodes are on the ring.
    ring_size: usize,
    /// Nodes ever started (the engine's node table never shrinks).
    started: usize,
    /// Tokens of every node ever started.
    tokens: usize,
    /// Tokens a joining node gets when it names none.
    vnodes: usize,
    /// Nodes that are dead, or `None` once a `kill`/`revive` of `KEY#I`
    /// made it unknown which.
    dead: Option<BTreeSet<String>>,
    /// Nodes that left.
    left: BTreeSet<String>,
    steps: usize,
    operations: u64,
    fill_bytes: u64,
    /// The least virtual time the steps so far take (waits and `at:`).
    earliest: Dur,
    /// The latest instant the next step may start at (operations wait at
    /// most their timeouts); `at:` moves it to its instant, since a step
    /// still running then carries on beside the next.
    latest: Dur,
    /// The furthest any step may reach, which is what [`Plan::cost`] counts.
    horizon: Dur,
    /// The cost of that time: virtual time weighted by the cluster's size.
    cost: u128,
    /// `concurrently` blocks being read, innermost last.
    concurrent: Vec<Together>,
}

/// A `concurrently` being read: where its steps start, and the furthest
/// any of them reached.
#[derive(Clone, Copy, Debug)]
struct Together {
    start: (Dur, Dur, Dur, u128),
    reached: (Dur, Dur, Dur, u128),
}

impl Plan {
    /// The plan at the start of a preset whose cluster has these nodes
    /// (with `tokens` tokens between them) and settings.
    pub fn new(nodes: &[String], tokens: usize, vnodes: usize, settings: Settings) -> Plan {
        Plan {
            settings,
            ring: Some(nodes.iter().cloned().collect()),
            ring_size: nodes.len(),
            started: nodes.len(),
            tokens,
            vnodes,
            dead: Some(BTreeSet::new()),
            left: BTreeSet::new(),
            steps: 0,
            operations: 0,
            fill_bytes: 0,
            earliest: Dur::ZERO,
            latest: Dur::ZERO,
            horizon: Dur::ZERO,
            cost: 0,
            concurrent: Vec::new(),
        }
    }

    /// The longest one operation may take: every candidate tried in turn,
    /// each waited for as long as the client waits for a forwarding node.
    fn operation_bound(&self) -> Dur {
        let per_attempt = crate::core::client::longest_attempt(&self.settings).micros();
        Dur(per_attempt.saturating_mul(self.settings.replicas as u64))
    }

    /// The virtual time (with this many nodes) that costs as much as
    /// [`MAX_TIME`] with a small cluster.
    fn time_allowed(nodes: usize) -> Dur {
        let n = (nodes as u64).max(SMALL_CLUSTER);
        Dur(MAX_TIME.micros() / (n * n) * (SMALL_CLUSTER * SMALL_CLUSTER))
    }

    /// Lets virtual time pass: at least `least`, at most `most`.
    fn pass(&mut self, least: Dur, most: Dur) -> Result<(), String> {
        self.earliest = self.earliest + least;
        self.advance_latest(self.latest + most)
    }

    fn advance_latest(&mut self, to: Dur) -> Result<(), String> {
        self.latest = self.latest.max(to);
        if to <= self.horizon {
            return Ok(());
        }
        let n = (self.ring_size as u128).max(SMALL_CLUSTER as u128);
        self.cost += (to.micros() - self.horizon.micros()) as u128 * n * n;
        self.horizon = to;
        let budget = MAX_TIME.micros() as u128 * (SMALL_CLUSTER * SMALL_CLUSTER) as u128;
        if self.cost > budget {
            let nodes = self.ring_size.max(1);
            return Err(format!(
                "the steps up to here may take {} of virtual time (waits, and each put, get, fill or scan \
                 counted at its longest, {}); a preset may run at most {MAX_TIME} with up to {SMALL_CLUSTER} nodes, \
                 less with more ({} with {nodes})",
                self.horizon,
                self.operation_bound(),
                Plan::time_allowed(nodes)
            ));
        }
        Ok(())
    }

    fn check_quorum(&self, name: &str, q: Option<usize>) -> Result<(), String> {
        let n = self.settings.replicas;
        match q {
            Some(q) if q > n => Err(format!(
                "{name}={q} is more than N={n} (replicas) at this step; {name} must be between 1 and {n}"
            )),
            _ => Ok(()),
        }
    }

    fn operations(&mut self, count: u64) -> Result<(), String> {
        self.operations += count;
        if self.operations > MAX_OPERATIONS {
            return Err(format!(
                "the steps up to here issue {} operations (puts, gets and the keys of fills and scans); \
                 a preset may issue at most {MAX_OPERATIONS}",
                self.operations
            ));
        }
        Ok(())
    }

    fn check_not_left(&self, verb: &str, node: Option<&str>) -> Result<(), String> {
        match node {
            Some(name) if self.left.contains(name) => Err(format!(
                "{verb}: {name} left the cluster at an earlier step; a node that left is gone for good"
            )),
            _ => Ok(()),
        }
    }

    fn bulk(
        &mut self,
        quorum: (&str, Option<usize>),
        keys: usize,
        fill_value_len: Option<usize>,
    ) -> Result<(), String> {
        self.check_quorum(quorum.0, quorum.1)?;
        self.operations(keys as u64)?;
        if let Some(len) = fill_value_len {
            self.fill_bytes += keys as u64 * len as u64;
            if self.fill_bytes > MAX_FILL_BYTES {
                return Err(format!(
                    "the fills up to here write {} bytes (keys times the value's length); \
                     a preset's fills may write at most {MAX_FILL_BYTES} ({} MiB)",
                    self.fill_bytes,
                    MAX_FILL_BYTES >> 20
                ));
            }
        }
        let bound = self.operation_bound();
        self.pass(Dur::ZERO, bound)
    }
}

/// What each step does to the cluster, or why it cannot run. A node is
/// given by its name, or `None` for a `KEY#I` reference (which node that is
/// is known only when the step runs).
impl Plan {
    /// A single put or get with these quorums (`("w", w)`, ...), waited
    /// for unless `waits` is false (`nowait`).
    pub fn single_op(&mut self, quorums: [(&str, Option<usize>); 2], waits: bool) -> Result<(), String> {
        for (name, q) in quorums {
            self.check_quorum(name, q)?;
        }
        self.operations(1)?;
        if waits {
            let bound = self.operation_bound();
            self.pass(Dur::ZERO, bound)?;
        }
        Ok(())
    }

    /// A fill of `keys` keys with a value of `value_len` bytes, with W `w`.
    pub fn fill(&mut self, w: Option<usize>, keys: usize, value_len: usize) -> Result<(), String> {
        self.bulk(("w", w), keys, Some(value_len))
    }

    /// A scan of `keys` keys with R `r`.
    pub fn scan(&mut self, r: Option<usize>, keys: usize) -> Result<(), String> {
        self.bulk(("r", r), keys, None)
    }

    /// A wait of `d`.
    pub fn wait(&mut self, d: Dur) -> Result<(), String> {
        self.pass(d, d)
    }

    /// An `at: d`.
    pub fn at(&mut self, d: Dur) -> Result<(), String> {
        if d < self.earliest {
            return Err(format!(
                "at {d} has passed by then: the steps before it take at least {}",
                self.earliest
            ));
        }
        self.earliest = d;
        self.advance_latest(d)?;
        // The next step starts at `d`; one still running goes on beside it.
        self.latest = d;
        Ok(())
    }

    /// A kill of `node`.
    pub fn kill(&mut self, node: Option<&str>) -> Result<(), String> {
        self.check_not_left("kill", node)?;
        match (node, &mut self.dead) {
            (Some(name), Some(dead)) => {
                if !dead.insert(name.to_string()) {
                    return Err(format!(
                        "kill: {name} is already dead (killed at an earlier step); revive it first"
                    ));
                }
            }
            (None, _) => self.dead = None,
            (Some(_), None) => {}
        }
        Ok(())
    }

    /// A revive of `node`.
    pub fn revive(&mut self, node: Option<&str>) -> Result<(), String> {
        self.check_not_left("revive", node)?;
        match (node, &mut self.dead) {
            (Some(name), Some(dead)) => {
                if !dead.remove(name) {
                    return Err(format!(
                        "revive: {name} is alive at this step; only a dead node revives"
                    ));
                }
            }
            (None, _) => self.dead = None,
            (Some(_), None) => {}
        }
        Ok(())
    }

    /// A `set:` of `patch`.
    pub fn set(&mut self, patch: &SettingsPatch) -> Result<(), String> {
        let settings = patch.apply(&self.settings);
        settings
            .validate(self.ring_size)
            .map_err(|e| format!("set: {e} (the ring has {} nodes at this step)", self.ring_size))?;
        self.settings = settings;
        Ok(())
    }

    /// A join of `node` with `tokens` tokens (`None`: the cluster's vnodes).
    pub fn join(&mut self, node: &str, tokens: Option<usize>) -> Result<(), String> {
        if self.started >= MAX_NODES {
            return Err(format!(
                "join: the cluster has had {} nodes by this step; at most {MAX_NODES} nodes may ever be started",
                self.started
            ));
        }
        self.tokens += tokens.unwrap_or(self.vnodes);
        if self.tokens > MAX_TOKENS {
            return Err(format!(
                "join: the cluster's nodes would have {} ring tokens; at most {MAX_TOKENS} (nodes times vnodes)",
                self.tokens
            ));
        }
        self.started += 1;
        self.ring_size += 1;
        if let Some(ring) = &mut self.ring {
            ring.insert(node.to_string());
        }
        Ok(())
    }

    /// A leave of `node`.
    pub fn leave(&mut self, node: Option<&str>) -> Result<(), String> {
        self.check_not_left("leave", node)?;
        if let (Some(name), Some(dead)) = (node, &self.dead)
            && dead.contains(name)
        {
            return Err(format!(
                "leave: {name} is dead at this step; revive it before it can leave"
            ));
        }
        if let (Some(name), Some(ring)) = (node, &self.ring)
            && !ring.contains(name)
        {
            return Err(format!("leave: {name} is not on the ring at this step"));
        }
        let n = self.settings.replicas;
        if self.ring_size <= n {
            return Err(format!(
                "leave: the ring has {} nodes at this step and N={n} (replicas); a leave may not leave fewer than N",
                self.ring_size
            ));
        }
        self.ring_size -= 1;
        match node {
            Some(name) => {
                self.left.insert(name.to_string());
                if let Some(ring) = &mut self.ring {
                    ring.remove(name);
                }
            }
            None => self.ring = None,
        }
        Ok(())
    }
}

impl Plan {
    /// A step begins: counts it against [`MAX_STEPS`].
    pub fn begin_step(&mut self) -> Result<(), String> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(format!(
                "this is step {} (counting those inside concurrently); a preset may have at most {MAX_STEPS}",
                self.steps
            ));
        }
        Ok(())
    }

    /// The steps of a `concurrently` are about to be read: they all start at
    /// the same instant.
    pub fn begin_concurrently(&mut self) {
        let now = (self.earliest, self.latest, self.horizon, self.cost);
        self.concurrent.push(Together {
            start: now,
            reached: now,
        });
    }

    /// A step was read: inside a `concurrently`, the next one starts at the
    /// same instant again.
    pub fn end_step(&mut self) {
        if let Some(t) = self.concurrent.last_mut() {
            t.reached.0 = t.reached.0.max(self.earliest);
            t.reached.1 = t.reached.1.max(self.latest);
            t.reached.2 = t.reached.2.max(self.horizon);
            t.reached.3 = t.reached.3.max(self.cost);
            (self.earliest, self.latest, self.horizon, self.cost) = t.start;
        }
    }

    /// The steps of a `concurrently` were read: it ends when the last of them does.
    pub fn end_concurrently(&mut self) {
        if let Some(t) = self.concurrent.pop() {
            (self.earliest, self.latest, self.horizon, self.cost) = t.reached;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_allowed_shrinks_with_the_square_of_the_nodes() {
        assert_eq!(Plan::time_allowed(5), MAX_TIME);
        assert_eq!(Plan::time_allowed(10), MAX_TIME);
        assert_eq!(Plan::time_allowed(20), Dur(MAX_TIME.micros() / 4));
        assert!(Plan::time_allowed(1024) < Dur::from_secs(9));
    }

    /// A step after `at:` starts at that instant while earlier ones carry on
    /// (a recorded playground session is written this way): the budget counts
    /// the furthest any of them may reach, not the sum of every put's longest.
    #[test]
    fn puts_pinned_by_at_are_charged_for_the_time_they_span_not_their_sum() {
        let nodes: Vec<String> = (1..=64).map(|i| format!("n{i}")).collect();
        let mut plan = Plan::new(&nodes, 64 * 8, 8, Settings::default());
        // 600 puts, ten at each of 60 instants a second apart, each pinned by
        // its own `at:` (as a saved session writes them): 59s, plus the last
        // puts' longest, is far inside what 64 nodes may run.
        for second in 0..60u64 {
            for _ in 0..10 {
                plan.at(Dur::from_secs(second)).unwrap();
                plan.single_op([("w", None), ("pw", None)], true).unwrap();
            }
        }
        assert!(plan.horizon <= Dur::from_secs(59) + plan.operation_bound());
        // Without `at:` the same puts follow one another, each at its longest.
        let mut serial = Plan::new(&nodes, 64 * 8, 8, Settings::default());
        let refused = (0..600)
            .map(|_| serial.single_op([("w", None), ("pw", None)], true))
            .find_map(Result::err);
        assert!(refused.is_some_and(|e| e.contains("virtual time")));
    }
}
