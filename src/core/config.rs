//! Cluster settings: the knobs a preset's `cluster:` section and a `set:`
//! step turn, and the rules that keep them meaningful.

use super::time::Dur;
use super::version::ClockMode;

/// The most nodes a cluster may have.
pub const MAX_NODES: usize = 1024;
/// The most tokens one node may own.
pub const MAX_VNODES: usize = 4096;
/// How often a node that holds keys it no longer owns streams them on.
pub const TRANSFER_INTERVAL: Dur = Dur::from_millis(100);
/// How often a switched-off periodic task checks whether it was switched on.
pub const IDLE_TICK: Dur = Dur::from_secs(1);

/// How clients pick the node that receives a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    /// Straight to the first node of the key's preference list (the next one
    /// if it does not answer): Dynamo's partition-aware client library.
    PartitionAware,
    /// To a random node, which forwards to a coordinator: a generic load
    /// balancer, one hop more.
    AnyNode,
}

impl Routing {
    pub fn parse(text: &str) -> Result<Routing, String> {
        match text {
            "partition-aware" => Ok(Routing::PartitionAware),
            "any-node" => Ok(Routing::AnyNode),
            other => Err(format!("unknown routing {other:?}; use partition-aware or any-node")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Routing::PartitionAware => "partition-aware",
            Routing::AnyNode => "any-node",
        }
    }
}

/// How the nodes of a new cluster place their tokens (Dynamo, section 6.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Partitioning {
    /// Strategy 1: each token is a hash of the node's name and its number
    /// (`name#0`, `name#1`, ...), so tokens fall at random places and the
    /// ranges between them are unequal.
    #[default]
    Random,
    /// Strategy 3: the ring is cut into Q = nodes × vnodes equal partitions,
    /// dealt to the nodes in turn, so each node owns Q/n of them. A node
    /// that joins later without tokens takes the midpoints of the `vnodes`
    /// largest ranges (see [`crate::core::ring::Ring::split_largest`]).
    Equal,
}

impl Partitioning {
    pub fn parse(text: &str) -> Result<Partitioning, String> {
        match text {
            "random" => Ok(Partitioning::Random),
            "equal" => Ok(Partitioning::Equal),
            other => Err(format!("unknown partitioning {other:?}; use random or equal")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Partitioning::Random => "random",
            Partitioning::Equal => "equal",
        }
    }
}

/// How an observer decides that a node it has not heard from is suspect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureDetector {
    /// Suspect a node whose heartbeat has not risen for `suspect_after`.
    Heartbeat,
    /// Phi accrual (Hayashibara et al., as Cassandra uses it): suspect a node
    /// once phi, how unlikely its silence is given the gaps between its
    /// heartbeats seen so far, exceeds `phi_threshold`.
    Phi,
}

impl FailureDetector {
    pub fn parse(text: &str) -> Result<FailureDetector, String> {
        match text {
            "heartbeat" => Ok(FailureDetector::Heartbeat),
            "phi" => Ok(FailureDetector::Phi),
            other => Err(format!("unknown failure_detector {other:?}; use heartbeat or phi")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FailureDetector::Heartbeat => "heartbeat",
            FailureDetector::Phi => "phi",
        }
    }
}

/// The lowest and highest `phi_threshold` allowed.
pub const PHI_THRESHOLD_RANGE: std::ops::RangeInclusive<f64> = 1.0..=64.0;

/// A defect planted on purpose, so that tests can prove the chaos checker
/// catches it. Each brings back one bug that independent testing found
/// (issue 18). Not reachable from presets or commands.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlantedDefect {
    /// A dotted put's reply context covers dots its client never saw.
    OverclaimingPutContext,
    /// A clock or dot counter saturates (or wraps) at the top of its range.
    SaturatingCounter,
    /// Last-write-wins ties are broken by arrival order, not by a total order.
    UnbrokenLwwTie,
    /// A leaving node that handed off its last hint never announces it left.
    StuckLeave,
}

/// One-way message latency, drawn uniformly from `min..=max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Latency {
    pub min: Dur,
    pub max: Dur,
}

impl Latency {
    /// Parses `10ms` (fixed) or `5ms..20ms` (uniform).
    pub fn parse(text: &str) -> Result<Latency, String> {
        let (min, max) = match text.split_once("..") {
            Some((a, b)) => (Dur::parse(a)?, Dur::parse(b)?),
            None => {
                let d = Dur::parse(text)?;
                (d, d)
            }
        };
        let latency = Latency { min, max };
        latency.check()?;
        Ok(latency)
    }

    fn check(&self) -> Result<(), String> {
        if self.min.micros() == 0 {
            return Err("latency must be at least 1us: a message cannot arrive at the instant it is sent".into());
        }
        if self.min > self.max {
            return Err(format!(
                "latency range {}..{} runs backwards; write the smaller bound first",
                self.min, self.max
            ));
        }
        if self.max > Dur::from_secs(3600) {
            return Err(format!("latency {} is too long (at most 1h)", self.max));
        }
        Ok(())
    }
}

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}..{}", self.min, self.max)
        }
    }
}

/// Every cluster-wide setting. Nodes read the replication settings; the
/// engine reads the network ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// N: how many nodes hold each key.
    pub replicas: usize,
    /// R: replies a get waits for.
    pub read_quorum: usize,
    /// W: stores (the coordinator's included) a put waits for.
    pub write_quorum: usize,
    /// How long a coordinator waits for its quorum before failing the request.
    pub request_timeout: Dur,
    pub routing: Routing,
    pub latency: Latency,
    /// Probability that the network loses a message between nodes.
    pub drop_rate: f64,
    /// Sloppy quorum: stand-ins further along the ring take the place of
    /// down replicas and count toward W and R. Off: only the top N count.
    pub sloppy_quorum: bool,
    /// How long a coordinator waits for a replica before it counts it as
    /// down for this request; `None` is half the request timeout.
    pub hint_after: Option<Dur>,
    /// Hinted handoff: stand-ins keep a down replica's copy with a hint and
    /// hand it back. Off: no stand-ins are used and no hints are kept.
    pub hinted_handoff: bool,
    /// How often a node tries to hand its hints back to their owners.
    pub handoff_interval: Dur,
    /// Read repair: a get's coordinator sends the reconciled versions to
    /// replicas that answered with less.
    pub read_repair: bool,
    /// How often a node raises its heartbeat and gossips.
    pub gossip_interval: Dur,
    /// How many live peers a node gossips with each round.
    pub gossip_fanout: usize,
    /// How a node decides to suspect another: by a fixed silence
    /// (`suspect_after`) or by phi accrual (`phi_threshold`).
    pub failure_detector: FailureDetector,
    /// Heartbeat detector: a node whose heartbeat has not risen for this
    /// long is suspected.
    pub suspect_after: Dur,
    /// Phi detector: a node is suspected once phi exceeds this (Cassandra's
    /// default is 8: a false suspicion about once in 10^8 gaps, if the gaps
    /// were as the estimate assumes).
    pub phi_threshold: f64,
    /// How many nodes must suspect a node before an observer calls it down.
    pub down_confirmations: usize,
    /// How often a node starts an anti-entropy session; `None` is off.
    pub anti_entropy_interval: Option<Dur>,
    /// Depth of the Merkle trees (2^depth leaves per range).
    pub merkle_depth: u8,
    /// How versions are ordered: vector clocks, dotted version vectors or
    /// last write wins.
    pub clocks: ClockMode,
    /// A defect planted for tests of the chaos checker; `None` always
    /// outside those tests.
    #[doc(hidden)]
    pub planted: Option<PlantedDefect>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            replicas: 3,
            read_quorum: 2,
            write_quorum: 2,
            request_timeout: Dur::from_millis(500),
            routing: Routing::PartitionAware,
            latency: Latency {
                min: Dur::from_millis(5),
                max: Dur::from_millis(20),
            },
            drop_rate: 0.0,
            sloppy_quorum: true,
            hint_after: None,
            hinted_handoff: true,
            handoff_interval: Dur::from_secs(1),
            read_repair: true,
            gossip_interval: Dur::from_secs(1),
            // Two peers a round and 4s of silence: a fault-free cluster is
            // quiet (see README, "The failure-detection rule", for the
            // figures); one peer and 3s suspected running nodes every minute.
            gossip_fanout: 2,
            failure_detector: FailureDetector::Heartbeat,
            suspect_after: Dur::from_secs(4),
            phi_threshold: 8.0,
            down_confirmations: 2,
            anti_entropy_interval: Some(Dur::from_secs(10)),
            merkle_depth: 10,
            clocks: ClockMode::Vector,
            planted: None,
        }
    }
}

impl Settings {
    /// Checks the settings for a cluster of `nodes` nodes. Returns warnings
    /// (allowed but surprising choices) or the first error.
    pub fn validate(&self, nodes: usize) -> Result<Vec<String>, String> {
        if nodes == 0 {
            return Err("a cluster needs at least one node".into());
        }
        if nodes > MAX_NODES {
            return Err(format!("{nodes} nodes is too many; at most {MAX_NODES}"));
        }
        if self.replicas < 1 {
            return Err("replicas (N) must be at least 1".into());
        }
        if self.replicas > nodes {
            return Err(format!(
                "replicas (N) is {} but the cluster has only {nodes} nodes; N must be at most the number of nodes",
                self.replicas
            ));
        }
        check_quorum("read_quorum (R)", self.read_quorum, self.replicas)?;
        check_quorum("write_quorum (W)", self.write_quorum, self.replicas)?;
        if self.request_timeout.micros() == 0 {
            return Err("request_timeout must be longer than 0".into());
        }
        if self.request_timeout > Dur::from_secs(3600) {
            return Err("request_timeout must be at most 1h".into());
        }
        self.latency.check()?;
        check_rate("drop_rate", self.drop_rate)?;
        check_interval("hint_after", self.hint_after())?;
        check_interval("handoff_interval", self.handoff_interval)?;
        check_interval("gossip_interval", self.gossip_interval)?;
        check_interval("suspect_after", self.suspect_after)?;
        check_phi_threshold(self.phi_threshold)?;
        if let Some(d) = self.anti_entropy_interval {
            check_interval("anti_entropy_interval", d)?;
        }
        if self.merkle_depth > crate::core::merkle::MAX_DEPTH {
            return Err(format!(
                "merkle_depth is {}; it must be between 0 and {}",
                self.merkle_depth,
                crate::core::merkle::MAX_DEPTH
            ));
        }
        if !(1..=16).contains(&self.gossip_fanout) {
            return Err(format!(
                "gossip_fanout is {}; it must be between 1 and 16",
                self.gossip_fanout
            ));
        }
        if self.down_confirmations < 1 || self.down_confirmations > nodes {
            return Err(format!(
                "down_confirmations is {}; it must be between 1 and the number of nodes ({nodes})",
                self.down_confirmations
            ));
        }
        let mut warnings = Vec::new();
        if self.read_quorum + self.write_quorum <= self.replicas {
            warnings.push(format!(
                "R + W = {} is not more than N = {}: reads may miss the latest write",
                self.read_quorum + self.write_quorum,
                self.replicas
            ));
        }
        Ok(warnings)
    }

    /// How long a coordinator waits before counting a replica as down.
    pub fn hint_after(&self) -> Dur {
        self.hint_after
            .unwrap_or(Dur(self.request_timeout.micros() / 2))
            .max(Dur(1))
    }

    /// The failure detector and its knob: `heartbeat (suspect_after 3s)`.
    pub fn detector_description(&self) -> String {
        match self.failure_detector {
            FailureDetector::Heartbeat => format!("heartbeat (suspect_after {})", self.suspect_after),
            FailureDetector::Phi => format!("phi (phi_threshold {})", self.phi_threshold),
        }
    }

    /// True when coordinators use stand-ins for down replicas.
    pub fn uses_stand_ins(&self) -> bool {
        self.sloppy_quorum && self.hinted_handoff
    }

    /// The shortest delay anything in the cluster waits: the engine may
    /// process this much virtual time on all nodes at once, because nothing
    /// sent inside such a window can arrive inside it.
    pub fn lookahead(&self) -> Dur {
        let shortest = [
            self.latency.min,
            self.request_timeout,
            self.hint_after(),
            self.handoff_interval,
        ]
        .into_iter()
        .min()
        .unwrap_or(Dur(1));
        Dur(shortest.micros().max(1))
    }
}

/// Checks a quorum against N.
pub fn check_quorum(name: &str, value: usize, replicas: usize) -> Result<(), String> {
    if value < 1 {
        return Err(format!("{name} must be at least 1"));
    }
    if value > replicas {
        return Err(format!(
            "{name} is {value} but replicas (N) is {replicas}; a quorum must be between 1 and N"
        ));
    }
    Ok(())
}

/// Checks a period or a delay: above zero, at most an hour.
pub fn check_interval(name: &str, d: Dur) -> Result<(), String> {
    if d.micros() == 0 {
        return Err(format!("{name} must be longer than 0"));
    }
    if d > Dur::from_secs(3600) {
        return Err(format!("{name} is {d}; it must be at most 1h"));
    }
    Ok(())
}

/// Checks a phi threshold.
pub fn check_phi_threshold(phi: f64) -> Result<(), String> {
    if !PHI_THRESHOLD_RANGE.contains(&phi) {
        return Err(format!(
            "phi_threshold is {phi}; it must be between {} and {}",
            PHI_THRESHOLD_RANGE.start(),
            PHI_THRESHOLD_RANGE.end()
        ));
    }
    Ok(())
}

/// Checks a probability.
pub fn check_rate(name: &str, rate: f64) -> Result<(), String> {
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("{name} is {rate}; it must be between 0.0 and 1.0"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_dynamo_defaults() {
        let s = Settings::default();
        assert_eq!((s.replicas, s.read_quorum, s.write_quorum), (3, 2, 2));
        assert_eq!(s.validate(5), Ok(vec![]));
    }

    #[test]
    fn rejects_impossible_quorums() {
        let mut s = Settings {
            read_quorum: 0,
            ..Settings::default()
        };
        assert!(s.validate(5).unwrap_err().contains("at least 1"));
        s.read_quorum = 4;
        assert!(s.validate(5).unwrap_err().contains("between 1 and N"));
        s.read_quorum = 2;
        s.replicas = 6;
        assert!(s.validate(5).unwrap_err().contains("only 5 nodes"));
        assert!(
            Settings::default()
                .validate(MAX_NODES + 1)
                .unwrap_err()
                .contains("too many")
        );
    }

    #[test]
    fn warns_when_quorums_do_not_overlap() {
        let s = Settings {
            read_quorum: 1,
            write_quorum: 1,
            ..Settings::default()
        };
        let warnings = s.validate(3).unwrap();
        assert!(warnings[0].contains("reads may miss the latest write"));
    }

    #[test]
    fn parses_latency() {
        let l = Latency::parse("5ms..20ms").unwrap();
        assert_eq!((l.min, l.max), (Dur::from_millis(5), Dur::from_millis(20)));
        assert_eq!(Latency::parse("10ms").unwrap().to_string(), "10ms");
        assert!(Latency::parse("20ms..5ms").unwrap_err().contains("backwards"));
        assert!(Latency::parse("0ms").unwrap_err().contains("at least 1us"));
    }
}
