//! What a preset expects: of an operation's result, of a replica, of the
//! whole cluster. The forms are a contract (see presets/README.md).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::noderef::NodeRef;
use super::text::Text;
use crate::core::clock::MAX_CONTEXT_COUNTER;
use crate::core::time::Dur;

/// A clock as a preset writes it: `{cart#1: 2, s2: 1}`, with the extra
/// dots of a dotted-mode context as `+NODE: [counters]`: `{s1: 1, +s1: [3]}`
/// covers s1:1 and s1:3 but not s1:2 (see [`crate::core::clock::VClock`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClockSpec(pub Vec<(NodeRef, u32)>, pub Vec<(NodeRef, u32)>);

impl<'de> Deserialize<'de> for ClockSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ClockVisitor { max: None })
    }
}

impl ClockSpec {
    /// A put's `context`: a clock whose counters are at most
    /// [`MAX_CONTEXT_COUNTER`], refused at the counter otherwise.
    pub fn deserialize_context<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ClockSpec>, D::Error> {
        d.deserialize_map(ClockVisitor {
            max: Some(MAX_CONTEXT_COUNTER),
        })
        .map(Some)
    }
}

struct ClockVisitor {
    /// The largest counter allowed, if bounded.
    max: Option<u32>,
}

impl<'de> Visitor<'de> for ClockVisitor {
    type Value = ClockSpec;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a clock like {cart#1: 2, s2: 1}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ClockSpec, A::Error> {
        let (mut entries, mut extras) = (Vec::new(), Vec::new());
        let max = self.max.unwrap_or(u32::MAX);
        let bounded = |node: &NodeRef, counter: u64| -> Result<u32, A::Error> {
            if counter > max as u64 {
                let what = if self.max.is_some() {
                    "a context counter"
                } else {
                    "a clock counter"
                };
                return Err(de::Error::custom(format!(
                    "counter {counter} for {node} is too large; {what} is at most {max}{}",
                    if self.max.is_some() {
                        " (2^31 - 1), which leaves every node room for 2^31 more writes"
                    } else {
                        ""
                    }
                )));
            }
            Ok(counter as u32)
        };
        while let Some(key) = map.next_key::<Text>()? {
            match key.0.strip_prefix('+') {
                Some(name) => {
                    let node = NodeRef::parse(name).map_err(de::Error::custom)?;
                    let counters: Vec<u64> = map.next_value()?;
                    for c in counters {
                        extras.push((node.clone(), bounded(&node, c)?));
                    }
                }
                None => {
                    let node = NodeRef::parse(&key.0).map_err(de::Error::custom)?;
                    let counter: u64 = map.next_value()?;
                    entries.push((node.clone(), bounded(&node, counter)?));
                }
            }
        }
        Ok(ClockSpec(entries, extras))
    }
}

impl fmt::Display for ClockSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (n, c)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{n}:{c}")?;
        }
        for (i, (n, c)) in self.1.iter().enumerate() {
            if i > 0 || !self.0.is_empty() {
                f.write_str(", ")?;
            }
            write!(f, "+{n}:[{c}]")?;
        }
        f.write_str("}")
    }
}

/// A list of values, compared as a set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ValueSet(pub Vec<String>);

impl<'de> Deserialize<'de> for ValueSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = Vec::<Text>::deserialize(d)?;
        let mut values: Vec<String> = items.into_iter().map(|t| t.0).collect();
        values.sort();
        values.dedup();
        Ok(ValueSet(values))
    }
}

impl fmt::Display for ValueSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.0.join(", "))
    }
}

/// A duration in an expectation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DurSpec(pub Dur);

impl<'de> Deserialize<'de> for DurSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        Dur::parse(&t.0).map(DurSpec).map_err(de::Error::custom)
    }
}

/// What one replica should hold.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaExpect {
    pub key: Text,
    pub node: NodeRef,
    /// The values it stores (a set; `[]` for nothing).
    pub values: Option<ValueSet>,
    /// The clock of its single version.
    pub clock: Option<ClockSpec>,
}

/// Which keys must have converged.
#[derive(Clone, Debug, PartialEq)]
pub enum Converged {
    All,
    Key(String),
}

impl<'de> Deserialize<'de> for Converged {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        Ok(if t.0 == "all" {
            Converged::All
        } else {
            Converged::Key(t.0)
        })
    }
}

/// How many concurrent writes a coordinator overwrote.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverwrittenExpect {
    /// Only count this key (all keys when absent).
    pub key: Option<Text>,
    pub count: usize,
}

/// How many hints a node keeps (for one owner, or for anyone).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HintsExpect {
    pub node: NodeRef,
    #[serde(rename = "for")]
    pub owner: Option<NodeRef>,
    pub count: usize,
}

/// How an observer sees a node, as `sees` and `all_see` check it: its
/// liveness, or `left` once the observer knows the node left for good (a
/// node that left is never reported up, suspect or down).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    Alive(crate::core::membership::Liveness),
    Left,
}

impl Seen {
    pub fn name(self) -> &'static str {
        match self {
            Seen::Alive(l) => l.name(),
            Seen::Left => "left",
        }
    }

    fn parse(text: &str) -> Option<Seen> {
        match text {
            "left" => Some(Seen::Left),
            other => crate::core::membership::Liveness::parse(other).map(Seen::Alive),
        }
    }
}

/// A status as a preset writes it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LivenessSpec(pub Seen);

impl<'de> Deserialize<'de> for LivenessSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        Seen::parse(&t.0)
            .map(LivenessSpec)
            .ok_or_else(|| de::Error::custom(format!("status {:?} is not one of up, suspect, down, left", t.0)))
    }
}

/// A status an observer must (`status`) or must not (`not`) see.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LivenessCheck {
    Is(Seen),
    IsNot(Seen),
}

impl LivenessCheck {
    fn from_fields<E: de::Error>(status: Option<LivenessSpec>, not: Option<LivenessSpec>) -> Result<Self, E> {
        match (status, not) {
            (Some(s), None) => Ok(LivenessCheck::Is(s.0)),
            (None, Some(n)) => Ok(LivenessCheck::IsNot(n.0)),
            _ => Err(E::custom(
                "give either status: (up, suspect, down, left) or not: (up, suspect, down, left)",
            )),
        }
    }

    pub fn holds(self, seen: Seen) -> bool {
        match self {
            LivenessCheck::Is(l) => seen == l,
            LivenessCheck::IsNot(l) => seen != l,
        }
    }
}

impl fmt::Display for LivenessCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LivenessCheck::Is(l) => f.write_str(l.name()),
            LivenessCheck::IsNot(l) => write!(f, "not {}", l.name()),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeesWire {
    observer: NodeRef,
    node: NodeRef,
    status: Option<LivenessSpec>,
    not: Option<LivenessSpec>,
}

/// How one node sees another.
#[derive(Clone, Debug, PartialEq)]
pub struct SeesExpect {
    pub observer: NodeRef,
    pub node: NodeRef,
    pub status: LivenessCheck,
}

impl<'de> Deserialize<'de> for SeesExpect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = SeesWire::deserialize(d)?;
        Ok(SeesExpect {
            observer: w.observer,
            node: w.node,
            status: LivenessCheck::from_fields(w.status, w.not)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AllSeeWire {
    node: NodeRef,
    status: Option<LivenessSpec>,
    not: Option<LivenessSpec>,
}

/// How every live node (but the node itself) sees a node.
#[derive(Clone, Debug, PartialEq)]
pub struct AllSeeExpect {
    pub node: NodeRef,
    pub status: LivenessCheck,
}

impl<'de> Deserialize<'de> for AllSeeExpect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = AllSeeWire::deserialize(d)?;
        Ok(AllSeeExpect {
            node: w.node,
            status: LivenessCheck::from_fields(w.status, w.not)?,
        })
    }
}

/// Anti-entropy's totals since the start or the last `set`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AntiEntropyExpect {
    pub keys_exchanged: Option<u64>,
    pub hashes_compared: Option<u64>,
    pub max_hashes_compared: Option<u64>,
    pub sessions: Option<u64>,
    /// Sessions that found differences.
    pub repairing_sessions: Option<u64>,
}

/// The listed nodes have the same Merkle root for the range holding a key.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerkleEqualExpect {
    pub key_range_of: Text,
    pub nodes: Vec<NodeRef>,
}

/// A message kind as a preset writes it (`read-repair`, `merkle`, ...).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KindSpec(pub crate::core::message::MsgKind);

impl<'de> Deserialize<'de> for KindSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        crate::core::message::MsgKind::parse(&t.0).map(KindSpec).ok_or_else(|| {
            let kinds: Vec<&str> = crate::core::message::MsgKind::ALL.iter().map(|k| k.name()).collect();
            de::Error::custom(format!("message kind {:?} is not one of {}", t.0, kinds.join(", ")))
        })
    }
}

/// How many messages of a kind were sent since the start or the last `set`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagesExpect {
    pub kind: KindSpec,
    pub count: Option<u64>,
    pub at_least: Option<u64>,
    pub at_most: Option<u64>,
}

/// Every check a step may carry. Checks of an operation's result need a put
/// or get step; the others look at the cluster when the step ends.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The operation succeeded (or failed, with `false`).
    pub ok: Option<bool>,
    /// A put's new clock, or a single-valued get's clock.
    pub clock: Option<ClockSpec>,
    /// A get's values, as a set (`[]` for not found).
    pub values: Option<ValueSet>,
    /// A get's merged context.
    pub context: Option<ClockSpec>,
    /// How many versions (siblings) a get returned.
    pub siblings: Option<usize>,
    /// Items (comma-separated parts of values) the get's values must hold
    /// between them: a cart must still contain every item added to it.
    pub has_items: Option<Vec<Text>>,
    /// The failure message contains this text.
    pub error: Option<String>,
    /// The node that coordinated the operation.
    pub coordinator: Option<NodeRef>,
    /// The operation took at most this long.
    pub max_latency: Option<DurSpec>,
    /// The operation took at least this long.
    pub min_latency: Option<DurSpec>,
    pub replica: Option<ReplicaExpect>,
    pub converged: Option<Converged>,
    pub overwritten: Option<OverwrittenExpect>,
    pub hints: Option<HintsExpect>,
    pub sees: Option<SeesExpect>,
    pub all_see: Option<AllSeeExpect>,
    /// Every live node has the same ring (true) or not (false).
    pub ring_agreed: Option<bool>,
    pub anti_entropy: Option<AntiEntropyExpect>,
    pub merkle_equal: Option<MerkleEqualExpect>,
    pub messages: Option<MessagesExpect>,
    /// No live node keeps, for the key (or any key), a version that another
    /// beside it supersedes (judged by the chaos checker's own comparison).
    pub siblings_concurrent: Option<Converged>,
    /// How many client operations still wait for their answer.
    pub in_flight: Option<usize>,
}

impl Expect {
    /// The names of the checks that need an operation.
    pub fn op_checks(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.ok.is_some() {
            out.push("ok");
        }
        if self.clock.is_some() {
            out.push("clock");
        }
        if self.values.is_some() {
            out.push("values");
        }
        if self.context.is_some() {
            out.push("context");
        }
        if self.siblings.is_some() {
            out.push("siblings");
        }
        if self.has_items.is_some() {
            out.push("has_items");
        }
        if self.error.is_some() {
            out.push("error");
        }
        if self.coordinator.is_some() {
            out.push("coordinator");
        }
        if self.max_latency.is_some() {
            out.push("max_latency");
        }
        if self.min_latency.is_some() {
            out.push("min_latency");
        }
        out
    }

    /// How many separate checks this holds.
    pub fn count(&self) -> usize {
        self.op_checks().len()
            + self.replica.is_some() as usize
            + self.converged.is_some() as usize
            + self.overwritten.is_some() as usize
            + self.hints.is_some() as usize
            + self.sees.is_some() as usize
            + self.all_see.is_some() as usize
            + self.ring_agreed.is_some() as usize
            + self.anti_entropy.is_some() as usize
            + self.merkle_equal.is_some() as usize
            + self.messages.is_some() as usize
            + self.siblings_concurrent.is_some() as usize
            + self.in_flight.is_some() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_reads_extra_dots_and_bounds_a_context() {
        let spec: ClockSpec = serde_yaml::from_str("{n1: 1, n2: 2, +n1: [3, 5]}").unwrap();
        let n = |s: &str| NodeRef::Name(s.into());
        assert_eq!(spec.0, vec![(n("n1"), 1), (n("n2"), 2)]);
        assert_eq!(spec.1, vec![(n("n1"), 3), (n("n1"), 5)]);
        let context = |text: &str| {
            let d = serde_yaml::Deserializer::from_str(text);
            ClockSpec::deserialize_context(d).map_err(|e| e.to_string())
        };
        assert!(context("{n1: 2147483647}").is_ok());
        let err = context("{n1: 2147483648}").unwrap_err();
        assert!(err.contains("a context counter is at most 2147483647"), "{err}");
        assert!(
            context("{n1: 1, +n1: [4294967295]}").is_err(),
            "extra dots are bounded too"
        );
        assert!(
            serde_yaml::from_str::<ClockSpec>("{n1: 4294967296}").is_err(),
            "a clock counter is a u32"
        );
    }
}
