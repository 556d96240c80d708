//! What a preset expects: of an operation's result, of a replica, of the
//! whole cluster. The forms are a contract (see presets/README.md).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::noderef::NodeRef;
use super::parse_context::ParseContext;
use super::seeded::{Parse, parse_struct, plain};
use super::step::yaml;
use super::text::Text;
use crate::core::clock::MAX_CONTEXT_COUNTER;
use crate::core::time::Dur;

/// A clock as a preset writes it: `{cart#1: 2, s2: 1}`, with the extra
/// dots of a dotted-mode context as `+NODE: [counters]`: `{s1: 1, +s1: [3]}`
/// covers s1:1 and s1:3 but not s1:2 (see [`crate::core::clock::VClock`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClockSpec(pub Vec<(NodeRef, u32)>, pub Vec<(NodeRef, u32)>);

impl Parse for ClockSpec {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        d.deserialize_map(ClockVisitor { max: None, cx })
    }
}

/// A put's `context`: a clock whose counters are at most
/// [`MAX_CONTEXT_COUNTER`], refused at the counter otherwise.
pub struct ContextSpec(pub ClockSpec);

impl Parse for ContextSpec {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        d.deserialize_map(ClockVisitor {
            max: Some(MAX_CONTEXT_COUNTER),
            cx,
        })
        .map(ContextSpec)
    }
}

struct ClockVisitor<'c> {
    /// The largest counter allowed, if bounded.
    max: Option<u32>,
    cx: &'c mut ParseContext,
}

impl<'de> Visitor<'de> for ClockVisitor<'_> {
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
                    let node = self.cx.node(name).map_err(de::Error::custom)?;
                    let counters: Vec<u64> = map.next_value()?;
                    for c in counters {
                        extras.push((node.clone(), bounded(&node, c)?));
                    }
                }
                None => {
                    let node = self.cx.node(&key.0).map_err(de::Error::custom)?;
                    let counter: u64 = map.next_value()?;
                    entries.push((node.clone(), bounded(&node, counter)?));
                }
            }
        }
        Ok(ClockSpec(entries, extras))
    }
}

impl ClockSpec {
    /// The clock as YAML writes it: `{s1: 2, +s1: [4]}`.
    pub fn to_yaml(&self) -> String {
        let mut parts: Vec<String> = self
            .0
            .iter()
            .map(|(n, k)| format!("{}: {k}", yaml::text(&n.to_string())))
            .collect();
        let mut extras: Vec<(String, Vec<String>)> = Vec::new();
        for (n, k) in &self.1 {
            let n = n.to_string();
            match extras.last_mut() {
                Some((last, list)) if *last == n => list.push(k.to_string()),
                _ => extras.push((n, vec![k.to_string()])),
            }
        }
        for (n, list) in extras {
            parts.push(format!("{}: [{}]", yaml::text(&format!("+{n}")), list.join(", ")));
        }
        format!("{{{}}}", parts.join(", "))
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

parse_struct! {
    /// What one replica should hold.
    #[derive(Clone, Debug, PartialEq)]
    pub struct ReplicaExpect, "a replica: {key, node, values, clock}" {
        pub key: Text,
        pub node: NodeRef,
        /// The values it stores (a set; `[]` for nothing).
        pub values: Option<ValueSet> = None,
        /// The clock of its single version.
        pub clock: Option<ClockSpec> = None,
    }
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

parse_struct! {
    /// How many hints a node keeps (for one owner, or for anyone).
    #[derive(Clone, Debug, PartialEq)]
    pub struct HintsExpect, "hints: {node, for, count}" {
        pub node: NodeRef,
        pub owner as "for": Option<NodeRef> = None,
        pub count: usize,
    }
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

parse_struct! {
    struct SeesWire, "sees: {observer, node, status or not}" {
        observer: NodeRef,
        node: NodeRef,
        status: Option<LivenessSpec> = None,
        not: Option<LivenessSpec> = None,
    }
}

/// How one node sees another.
#[derive(Clone, Debug, PartialEq)]
pub struct SeesExpect {
    pub observer: NodeRef,
    pub node: NodeRef,
    pub status: LivenessCheck,
}

impl Parse for SeesExpect {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        let w = SeesWire::parse(d, cx)?;
        Ok(SeesExpect {
            observer: w.observer,
            node: w.node,
            status: LivenessCheck::from_fields(w.status, w.not)?,
        })
    }
}

parse_struct! {
    struct AllSeeWire, "all_see: {node, status or not}" {
        node: NodeRef,
        status: Option<LivenessSpec> = None,
        not: Option<LivenessSpec> = None,
    }
}

/// How every live node (but the node itself) sees a node.
#[derive(Clone, Debug, PartialEq)]
pub struct AllSeeExpect {
    pub node: NodeRef,
    pub status: LivenessCheck,
}

impl Parse for AllSeeExpect {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        let w = AllSeeWire::parse(d, cx)?;
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

parse_struct! {
    /// The listed nodes have the same Merkle root for the range holding a key.
    #[derive(Clone, Debug, PartialEq)]
    pub struct MerkleEqualExpect, "merkle_equal: {key_range_of, nodes}" {
        pub key_range_of: Text,
        pub nodes: Vec<NodeRef>,
    }
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

/// Bounds on the metrics over the last `window` of virtual time:
/// `{window: 10s, availability: {at_least: 0.99}, p99_ms: {at_most: 50}}`.
/// The names are the CSV's columns (see [`crate::metrics::columns`]).
#[derive(Clone, Debug, PartialEq)]
pub struct MetricsExpect {
    pub window: Dur,
    /// (column, at least, at most), in the order written.
    pub bounds: Vec<(String, Option<f64>, Option<f64>)>,
}

/// The window when a metrics expectation names none.
pub const DEFAULT_METRICS_WINDOW: Dur = Dur::from_secs(10);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BoundWire {
    at_least: Option<f64>,
    at_most: Option<f64>,
}

impl<'de> Deserialize<'de> for MetricsExpect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MetricsExpect;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("metrics: {window: 10s, availability: {at_least: 0.99}, ...}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MetricsExpect, A::Error> {
                let mut window = None;
                let mut bounds: Vec<(String, Option<f64>, Option<f64>)> = Vec::new();
                while let Some(key) = map.next_key::<Text>()? {
                    let name = key.0;
                    if name == "window" {
                        let d: DurSpec = map.next_value()?;
                        if d.0 < Dur::from_secs(1) || d.0 > Dur::from_secs(crate::metrics::ROWS_KEPT as u64) {
                            return Err(de::Error::custom(format!(
                                "metrics: window {} is out of range; whole seconds from 1s to {}s",
                                d.0,
                                crate::metrics::ROWS_KEPT
                            )));
                        }
                        window = Some(d.0);
                        continue;
                    }
                    if !crate::metrics::columns::is_known(&name) {
                        return Err(de::Error::custom(format!(
                            "metrics: unknown metric `{name}`; the metrics are window and {}",
                            crate::metrics::columns::all().join(", ")
                        )));
                    }
                    if bounds.iter().any(|b| b.0 == name) {
                        return Err(de::Error::custom(format!("metrics: {name} appears twice")));
                    }
                    let b: BoundWire = map.next_value().map_err(|e: A::Error| {
                        de::Error::custom(format!(
                            "metrics: {name} takes {{at_least: X}}, {{at_most: X}} or both ({e})"
                        ))
                    })?;
                    let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
                    if (b.at_least.is_none() && b.at_most.is_none()) || !finite(b.at_least) || !finite(b.at_most) {
                        return Err(de::Error::custom(format!(
                            "metrics: {name} takes {{at_least: X}}, {{at_most: X}} or both, with numbers"
                        )));
                    }
                    bounds.push((name, b.at_least, b.at_most));
                }
                if bounds.is_empty() {
                    return Err(de::Error::custom(format!(
                        "metrics: name at least one metric to bound, one of {}",
                        crate::metrics::columns::all().join(", ")
                    )));
                }
                Ok(MetricsExpect {
                    window: window.unwrap_or(DEFAULT_METRICS_WINDOW),
                    bounds,
                })
            }
        }
        d.deserialize_map(V)
    }
}

impl MetricsExpect {
    pub fn to_yaml(&self) -> String {
        let mut f = vec![("window".to_string(), yaml::dur(self.window))];
        for (name, lo, hi) in &self.bounds {
            let mut b = Vec::new();
            if let Some(v) = lo {
                b.push(("at_least", format!("{v:?}")));
            }
            if let Some(v) = hi {
                b.push(("at_most", format!("{v:?}")));
            }
            f.push((name.clone(), yaml::map(&b)));
        }
        let f: Vec<(&str, String)> = f.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        yaml::map(&f)
    }
}

parse_struct! {
    /// Every check a step may carry. Checks of an operation's result need a put
    /// or get step; the others look at the cluster when the step ends.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Expect, "expectations, like {ok: true, values: [v1]}" {
        /// The operation succeeded (or failed, with `false`).
        pub ok: Option<bool> = None,
        /// A put's new clock, or a single-valued get's clock.
        pub clock: Option<ClockSpec> = None,
        /// A get's values, as a set (`[]` for not found).
        pub values: Option<ValueSet> = None,
        /// A get's merged context.
        pub context: Option<ClockSpec> = None,
        /// How many versions (siblings) a get returned.
        pub siblings: Option<usize> = None,
        /// Items (comma-separated parts of values) the get's values must hold
        /// between them: a cart must still contain every item added to it.
        pub has_items: Option<Vec<Text>> = None,
        /// The failure message contains this text.
        pub error: Option<String> = None,
        /// The node that coordinated the operation.
        pub coordinator: Option<NodeRef> = None,
        /// The operation took at most this long.
        pub max_latency: Option<DurSpec> = None,
        /// The operation took at least this long.
        pub min_latency: Option<DurSpec> = None,
        pub replica: Option<ReplicaExpect> = None,
        pub converged: Option<Converged> = None,
        pub overwritten: Option<OverwrittenExpect> = None,
        pub hints: Option<HintsExpect> = None,
        pub sees: Option<SeesExpect> = None,
        pub all_see: Option<AllSeeExpect> = None,
        /// Every live node has the same ring (true) or not (false).
        pub ring_agreed: Option<bool> = None,
        pub anti_entropy: Option<AntiEntropyExpect> = None,
        pub merkle_equal: Option<MerkleEqualExpect> = None,
        pub messages: Option<MessagesExpect> = None,
        /// No live node keeps, for the key (or any key), a version that another
        /// beside it supersedes (judged by the chaos checker's own comparison).
        pub siblings_concurrent: Option<Converged> = None,
        /// How many client operations still wait for their answer.
        pub in_flight: Option<usize> = None,
        /// Bounds on the metrics over the last window of virtual time.
        pub metrics: Option<MetricsExpect> = None,
    }
}

plain!(
    ValueSet,
    DurSpec,
    Converged,
    OverwrittenExpect,
    LivenessSpec,
    AntiEntropyExpect,
    MessagesExpect,
    MetricsExpect
);

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

    /// The expectations as a preset writes them: `{ok: true, values: [v1]}`.
    pub fn to_yaml(&self) -> String {
        let node = |n: &NodeRef| yaml::text(&n.to_string());
        let texts = |v: &[String]| yaml::seq(v.iter().map(|x| yaml::text(x)));
        let converged = |c: &Converged| match c {
            Converged::All => "all".to_string(),
            Converged::Key(k) => yaml::text(k),
        };
        let status = |c: &LivenessCheck| match c {
            LivenessCheck::Is(s) => ("status", s.name().to_string()),
            LivenessCheck::IsNot(s) => ("not", s.name().to_string()),
        };
        let mut f: Vec<(&str, String)> = Vec::new();
        if let Some(ok) = self.ok {
            f.push(("ok", ok.to_string()));
        }
        if let Some(c) = &self.clock {
            f.push(("clock", c.to_yaml()));
        }
        if let Some(v) = &self.values {
            f.push(("values", texts(&v.0)));
        }
        if let Some(c) = &self.context {
            f.push(("context", c.to_yaml()));
        }
        if let Some(n) = self.siblings {
            f.push(("siblings", n.to_string()));
        }
        if let Some(items) = &self.has_items {
            f.push(("has_items", yaml::seq(items.iter().map(|t| yaml::text(&t.0)))));
        }
        if let Some(e) = &self.error {
            f.push(("error", yaml::text(e)));
        }
        if let Some(n) = &self.coordinator {
            f.push(("coordinator", node(n)));
        }
        if let Some(d) = &self.max_latency {
            f.push(("max_latency", yaml::dur(d.0)));
        }
        if let Some(d) = &self.min_latency {
            f.push(("min_latency", yaml::dur(d.0)));
        }
        if let Some(r) = &self.replica {
            let mut m = vec![("key", yaml::text(&r.key.0)), ("node", node(&r.node))];
            if let Some(v) = &r.values {
                m.push(("values", texts(&v.0)));
            }
            if let Some(c) = &r.clock {
                m.push(("clock", c.to_yaml()));
            }
            f.push(("replica", yaml::map(&m)));
        }
        if let Some(c) = &self.converged {
            f.push(("converged", converged(c)));
        }
        if let Some(o) = &self.overwritten {
            let mut m = Vec::new();
            if let Some(k) = &o.key {
                m.push(("key", yaml::text(&k.0)));
            }
            m.push(("count", o.count.to_string()));
            f.push(("overwritten", yaml::map(&m)));
        }
        if let Some(h) = &self.hints {
            let mut m = vec![("node", node(&h.node))];
            if let Some(o) = &h.owner {
                m.push(("for", node(o)));
            }
            m.push(("count", h.count.to_string()));
            f.push(("hints", yaml::map(&m)));
        }
        if let Some(s) = &self.sees {
            let m = [
                ("observer", node(&s.observer)),
                ("node", node(&s.node)),
                status(&s.status),
            ];
            f.push(("sees", yaml::map(&m)));
        }
        if let Some(s) = &self.all_see {
            f.push(("all_see", yaml::map(&[("node", node(&s.node)), status(&s.status)])));
        }
        if let Some(b) = self.ring_agreed {
            f.push(("ring_agreed", b.to_string()));
        }
        if let Some(a) = &self.anti_entropy {
            let mut m = Vec::new();
            for (k, v) in [
                ("keys_exchanged", a.keys_exchanged),
                ("hashes_compared", a.hashes_compared),
                ("max_hashes_compared", a.max_hashes_compared),
                ("sessions", a.sessions),
                ("repairing_sessions", a.repairing_sessions),
            ] {
                if let Some(v) = v {
                    m.push((k, v.to_string()));
                }
            }
            f.push(("anti_entropy", yaml::map(&m)));
        }
        if let Some(m) = &self.merkle_equal {
            f.push((
                "merkle_equal",
                yaml::map(&[
                    ("key_range_of", yaml::text(&m.key_range_of.0)),
                    ("nodes", yaml::seq(m.nodes.iter().map(node))),
                ]),
            ));
        }
        if let Some(m) = &self.messages {
            let mut fields = vec![("kind", m.kind.0.name().to_string())];
            for (k, v) in [("count", m.count), ("at_least", m.at_least), ("at_most", m.at_most)] {
                if let Some(v) = v {
                    fields.push((k, v.to_string()));
                }
            }
            f.push(("messages", yaml::map(&fields)));
        }
        if let Some(c) = &self.siblings_concurrent {
            f.push(("siblings_concurrent", converged(c)));
        }
        if let Some(n) = self.in_flight {
            f.push(("in_flight", n.to_string()));
        }
        if let Some(m) = &self.metrics {
            f.push(("metrics", m.to_yaml()));
        }
        yaml::map(&f)
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
            + self.metrics.as_ref().map_or(0, |m| m.bounds.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::seeded::Seed;
    use serde::de::DeserializeSeed;

    #[test]
    fn a_clock_reads_extra_dots_and_bounds_a_context() {
        let mut cx = ParseContext::new(vec!["n1".into(), "n2".into()], 2);
        let spec: ClockSpec = Seed::<ClockSpec>::new(&mut cx)
            .deserialize(serde_yaml::Deserializer::from_str("{n1: 1, n2: 2, +n1: [3, 5]}"))
            .unwrap();
        let n = |s: &str| NodeRef::Name(s.into());
        assert_eq!(spec.0, vec![(n("n1"), 1), (n("n2"), 2)]);
        assert_eq!(spec.1, vec![(n("n1"), 3), (n("n1"), 5)]);
        let context = |text: &str| {
            let d = serde_yaml::Deserializer::from_str(text);
            Seed::<ContextSpec>::new(&mut cx.clone())
                .deserialize(d)
                .map(|c| c.0)
                .map_err(|e| e.to_string())
        };
        assert!(context("{n1: 2147483647}").is_ok());
        let err = context("{n1: 2147483648}").unwrap_err();
        assert!(err.contains("a context counter is at most 2147483647"), "{err}");
        assert!(
            context("{n1: 1, +n1: [4294967295]}").is_err(),
            "extra dots are bounded too"
        );
        assert!(
            Seed::<ClockSpec>::new(&mut cx)
                .deserialize(serde_yaml::Deserializer::from_str("{n1: 4294967296}"))
                .is_err(),
            "a clock counter is a u32"
        );
    }
}
