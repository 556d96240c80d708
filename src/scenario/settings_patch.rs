//! Cluster settings as a preset writes them: the `cluster:` section, the
//! `set:` step (in YAML and on the command line, `set write_quorum=3`) and a
//! chaos replay's cluster share one list of knobs, declared once below.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::text::Text;
use crate::core::config::{FailureDetector, Latency, Routing, Settings, check_phi_threshold, check_rate};
use crate::core::time::Dur;
use crate::core::version::ClockMode;
use crate::engine::{ClusterSpec, NodeSpec};

/// A duration written as text: `500ms`.
struct DurWire(Dur);
/// A latency written as text: `10ms` or `5ms..20ms`.
struct LatencyWire(Latency);
/// A routing mode written as text.
struct RoutingWire(Routing);
/// A probability between 0 and 1.
struct RateWire(f64);

impl<'de> Deserialize<'de> for DurWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        Dur::parse(&t.0).map(DurWire).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for LatencyWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        Latency::parse(&t.0).map(LatencyWire).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for RoutingWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        Routing::parse(&t.0).map(RoutingWire).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for RateWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let rate = f64::deserialize(d)?;
        check_rate("drop_rate", rate).map_err(de::Error::custom)?;
        Ok(RateWire(rate))
    }
}

/// Converts a wire value into the setting's type.
trait Wire {
    type Value;
    fn into_value(self) -> Self::Value;
}

impl Wire for DurWire {
    type Value = Dur;
    fn into_value(self) -> Dur {
        self.0
    }
}
impl Wire for LatencyWire {
    type Value = Latency;
    fn into_value(self) -> Latency {
        self.0
    }
}
impl Wire for RoutingWire {
    type Value = Routing;
    fn into_value(self) -> Routing {
        self.0
    }
}
impl Wire for RateWire {
    type Value = f64;
    fn into_value(self) -> f64 {
        self.0
    }
}
/// A period that may be switched off: `10s` or `off`.
struct PeriodWire(Option<Dur>);

impl<'de> Deserialize<'de> for PeriodWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        if t.0 == "off" || t.0 == "false" {
            return Ok(PeriodWire(None));
        }
        Dur::parse(&t.0)
            .map(|d| PeriodWire(Some(d)))
            .map_err(|e| de::Error::custom(format!("{e}, or off")))
    }
}

impl Wire for PeriodWire {
    type Value = Option<Dur>;
    fn into_value(self) -> Option<Dur> {
        self.0
    }
}

/// A clock mode written as text.
struct ClocksWire(ClockMode);

impl<'de> Deserialize<'de> for ClocksWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        ClockMode::parse(&t.0).map(ClocksWire).map_err(de::Error::custom)
    }
}

impl Wire for ClocksWire {
    type Value = ClockMode;
    fn into_value(self) -> ClockMode {
        self.0
    }
}

impl Show for ClockMode {
    fn show(&self) -> String {
        self.name().to_string()
    }
}

/// A failure detector written as text.
struct DetectorWire(FailureDetector);

impl<'de> Deserialize<'de> for DetectorWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        FailureDetector::parse(&t.0)
            .map(DetectorWire)
            .map_err(de::Error::custom)
    }
}

impl Wire for DetectorWire {
    type Value = FailureDetector;
    fn into_value(self) -> FailureDetector {
        self.0
    }
}

impl Show for FailureDetector {
    fn show(&self) -> String {
        self.name().to_string()
    }
}

/// A phi threshold: a number within the allowed range.
struct PhiWire(f64);

impl<'de> Deserialize<'de> for PhiWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let phi = f64::deserialize(d)?;
        check_phi_threshold(phi).map_err(de::Error::custom)?;
        Ok(PhiWire(phi))
    }
}

impl Wire for PhiWire {
    type Value = f64;
    fn into_value(self) -> f64 {
        self.0
    }
}

/// A small whole number (a tree depth).
struct DepthWire(u8);

impl<'de> Deserialize<'de> for DepthWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(d)?;
        let max = crate::core::merkle::MAX_DEPTH;
        if n > max as u64 {
            return Err(de::Error::custom(format!(
                "merkle_depth {n} is too deep; it must be between 0 and {max}"
            )));
        }
        Ok(DepthWire(n as u8))
    }
}

impl Wire for DepthWire {
    type Value = u8;
    fn into_value(self) -> u8 {
        self.0
    }
}

impl Show for u8 {
    fn show(&self) -> String {
        self.to_string()
    }
}

/// A delay that is optional in the settings: written, it is set.
struct SomeDurWire(Dur);

impl<'de> Deserialize<'de> for SomeDurWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        DurWire::deserialize(d).map(|w| SomeDurWire(w.0))
    }
}

impl Wire for SomeDurWire {
    type Value = Option<Dur>;
    fn into_value(self) -> Option<Dur> {
        Some(self.0)
    }
}

impl Wire for usize {
    type Value = usize;
    fn into_value(self) -> usize {
        self
    }
}
impl Wire for bool {
    type Value = bool;
    fn into_value(self) -> bool {
        self
    }
}

/// How a setting prints in `set` descriptions.
trait Show {
    fn show(&self) -> String;
}
impl Show for Dur {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for Option<Dur> {
    /// An unset delay is `auto` (hint_after) or `off` (a period).
    fn show(&self) -> String {
        self.map_or_else(|| "off".to_string(), |d| d.to_string())
    }
}
impl Show for Latency {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for Routing {
    fn show(&self) -> String {
        self.name().to_string()
    }
}
impl Show for usize {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for f64 {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for bool {
    fn show(&self) -> String {
        self.to_string()
    }
}

macro_rules! settings_patch {
    ($($field:ident : $ty:ty => $wire:ty),* $(,)?) => {
        /// Settings a preset changes; unset fields keep their value.
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct SettingsPatch {
            $(pub $field: Option<$ty>,)*
        }

        impl SettingsPatch {
            /// Every setting a preset may write.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// Reads the value of setting `key` from `map`. Returns false
            /// when `key` is not a setting.
            fn read_field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
                match key {
                    $(stringify!($field) => {
                        let wire: $wire = map.next_value()?;
                        self.$field = Some(wire.into_value());
                        Ok(true)
                    })*
                    _ => Ok(false),
                }
            }

            /// Sets `key` from the text the command line gives it
            /// (`write_quorum=3`). Returns false when `key` is not a setting.
            fn set_text(&mut self, key: &str, text: &str) -> Result<bool, String> {
                match key {
                    $(stringify!($field) => {
                        let wire = <$wire as Deserialize>::deserialize(Scalar(text)).map_err(|e| e.to_string())?;
                        self.$field = Some(wire.into_value());
                        Ok(true)
                    })*
                    _ => Ok(false),
                }
            }

            /// Every setting of `s`, as a patch that sets them all.
            pub fn from_settings(s: &Settings) -> SettingsPatch {
                SettingsPatch {
                    $($field: Some(s.$field.clone()),)*
                }
            }

            /// The fields set, each as text that reads back exactly
            /// (`request_timeout`, `1500ms`), in the table's order.
            pub fn assignments(&self) -> Vec<(&'static str, String)> {
                let mut out = Vec::new();
                $(if let Some(v) = &self.$field { out.push((stringify!($field), v.exact())); })*
                out
            }

            /// `base` with this patch's fields replaced.
            pub fn apply(&self, base: &Settings) -> Settings {
                let mut s = base.clone();
                $(if let Some(v) = &self.$field { s.$field = v.clone(); })*
                s
            }

            /// `write_quorum=3, routing=any-node`.
            pub fn describe(&self) -> String {
                let mut parts: Vec<String> = Vec::new();
                $(if let Some(v) = &self.$field { parts.push(format!("{}={}", stringify!($field), v.show())); })*
                parts.join(", ")
            }

            pub fn is_empty(&self) -> bool {
                true $(&& self.$field.is_none())*
            }
        }
    };
}

settings_patch! {
    replicas: usize => usize,
    read_quorum: usize => usize,
    write_quorum: usize => usize,
    request_timeout: Dur => DurWire,
    routing: Routing => RoutingWire,
    latency: Latency => LatencyWire,
    drop_rate: f64 => RateWire,
    sloppy_quorum: bool => bool,
    hint_after: Option<Dur> => SomeDurWire,
    hinted_handoff: bool => bool,
    handoff_interval: Dur => DurWire,
    read_repair: bool => bool,
    gossip_interval: Dur => DurWire,
    gossip_fanout: usize => usize,
    failure_detector: FailureDetector => DetectorWire,
    suspect_after: Dur => DurWire,
    phi_threshold: f64 => PhiWire,
    down_confirmations: usize => usize,
    anti_entropy_interval: Option<Dur> => PeriodWire,
    merkle_depth: u8 => DepthWire,
    clocks: ClockMode => ClocksWire,
}

impl SettingsPatch {
    /// Reads `key=value` pairs (as the command line and `--set` write them).
    pub fn from_assignments(pairs: &[String]) -> Result<SettingsPatch, String> {
        let mut patch = SettingsPatch::default();
        for pair in pairs {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("{pair:?} is not KEY=VALUE (for example write_quorum=3)"))?;
            if !patch.set_text(k, v)? {
                return Err(unknown_setting::<de::value::Error>(k, &[]).to_string());
            }
        }
        if patch.is_empty() {
            return Err("set: names no setting".into());
        }
        Ok(patch)
    }
}

/// A value typed on the command line, read as YAML would read the same
/// scalar: a whole number, a number, true or false, or else text.
struct Scalar<'a>(&'a str);

impl<'de> Deserializer<'de> for Scalar<'_> {
    type Error = de::value::Error;
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        let t = self.0;
        if let Ok(n) = t.parse::<u64>() {
            return v.visit_u64(n);
        }
        if let Ok(n) = t.parse::<i64>() {
            return v.visit_i64(n);
        }
        match t {
            "true" => return v.visit_bool(true),
            "false" => return v.visit_bool(false),
            _ => {}
        }
        let numeric = t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
            && t.chars().any(|c| c.is_ascii_digit());
        if numeric && let Ok(x) = t.parse::<f64>() {
            return v.visit_f64(x);
        }
        v.visit_str(t)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// How a setting is written so that it reads back exactly.
trait Exact {
    fn exact(&self) -> String;
}
impl Exact for Dur {
    fn exact(&self) -> String {
        super::step::words::exact(*self)
    }
}
impl Exact for Option<Dur> {
    fn exact(&self) -> String {
        self.map_or_else(|| "off".to_string(), |d| d.exact())
    }
}
impl Exact for Latency {
    fn exact(&self) -> String {
        if self.min == self.max {
            self.min.exact()
        } else {
            format!("{}..{}", self.min.exact(), self.max.exact())
        }
    }
}
impl Exact for Routing {
    fn exact(&self) -> String {
        self.name().to_string()
    }
}
impl Exact for FailureDetector {
    fn exact(&self) -> String {
        self.name().to_string()
    }
}
impl Exact for ClockMode {
    fn exact(&self) -> String {
        self.name().to_string()
    }
}
macro_rules! exact_by_display {
    ($($t:ty),*) => { $(impl Exact for $t { fn exact(&self) -> String { self.to_string() } })* };
}
exact_by_display!(usize, u8, f64, bool);

fn unknown_setting<E: de::Error>(key: &str, extra: &[&str]) -> E {
    let mut allowed: Vec<&str> = extra.to_vec();
    allowed.extend_from_slice(SettingsPatch::FIELDS);
    E::custom(format!(
        "unknown setting `{key}`; the settings are {}",
        allowed.join(", ")
    ))
}

impl<'de> Deserialize<'de> for SettingsPatch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SettingsPatch;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of settings, like {write_quorum: 3}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SettingsPatch, A::Error> {
                let mut patch = SettingsPatch::default();
                while let Some(key) = map.next_key::<String>()? {
                    if !patch.read_field(&key, &mut map)? {
                        return Err(unknown_setting(&key, &[]));
                    }
                }
                if patch.is_empty() {
                    return Err(de::Error::custom("set: names no setting"));
                }
                Ok(patch)
            }
        }
        d.deserialize_map(V)
    }
}

/// The `cluster:` section: nodes, tokens and settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterSection {
    pub spec: ClusterSpec,
    /// Warnings the settings raise (for example R + W <= N).
    pub warnings: Vec<String>,
}

impl Default for ClusterSection {
    fn default() -> Self {
        ClusterSection {
            spec: ClusterSpec::numbered(5, DEFAULT_VNODES, Settings::default()),
            warnings: Vec::new(),
        }
    }
}

/// Tokens per node unless a preset says otherwise.
pub const DEFAULT_VNODES: usize = 8;

/// The settings a cluster of `nodes` nodes starts from before `patch` is
/// applied: the defaults, except that those the preset leaves out fit a
/// small cluster (N at most the nodes, R and W at most N, and
/// down_confirmations at most the nodes), so that `nodes: 1` works alone.
pub fn defaults_for(nodes: usize, patch: &SettingsPatch) -> Settings {
    let mut s = Settings::default();
    let nodes = nodes.max(1);
    s.replicas = s.replicas.min(nodes);
    let n = patch.replicas.unwrap_or(s.replicas).max(1);
    s.read_quorum = s.read_quorum.min(n);
    s.write_quorum = s.write_quorum.min(n);
    s.down_confirmations = s.down_confirmations.min(nodes);
    s
}

/// The ring tokens of every node of `spec` together.
fn tokens_of(spec: &ClusterSpec) -> usize {
    spec.nodes
        .iter()
        .map(|n| n.tokens.as_ref().map_or(spec.vnodes, |t| t.len()))
        .sum()
}

impl ClusterSection {
    /// The ring tokens of every node together.
    pub fn tokens(&self) -> usize {
        tokens_of(&self.spec)
    }
}

/// `nodes:` is a count or a list of names (or `{name, tokens}` maps).
enum NodesWire {
    Count(usize),
    List(Vec<NodeSpec>),
}

impl<'de> Deserialize<'de> for NodesWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NodesWire;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a count (5 gives n1..n5) or a list of names like [s1, s2, s3]")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<NodesWire, E> {
                let max = crate::core::config::MAX_NODES;
                if n == 0 || n > max as u64 {
                    return Err(E::custom(format!(
                        "nodes: {n} is not allowed; a cluster has 1 to {max} nodes"
                    )));
                }
                Ok(NodesWire::Count(n as usize))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<NodesWire, E> {
                if n < 0 {
                    return Err(E::custom(format!(
                        "nodes: {n} is not allowed; a cluster has at least one node"
                    )));
                }
                self.visit_u64(n as u64)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<NodesWire, A::Error> {
                let mut nodes = Vec::new();
                while let Some(item) = seq.next_element::<NodeItem>()? {
                    nodes.push(item.0);
                    if nodes.len() > crate::core::config::MAX_NODES {
                        return Err(de::Error::custom(format!(
                            "more than {} nodes; a cluster has at most that many",
                            crate::core::config::MAX_NODES
                        )));
                    }
                }
                Ok(NodesWire::List(nodes))
            }
        }
        d.deserialize_any(V)
    }
}

/// One item of a `nodes:` list: a name, or `{name: s1, tokens: [...]}`.
struct NodeItem(NodeSpec);

impl<'de> Deserialize<'de> for NodeItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NodeItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a node name, or {name: s1, tokens: [\"25%\", \"75%\"]}")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<NodeItem, E> {
                Ok(NodeItem(NodeSpec {
                    name: name.to_string(),
                    tokens: None,
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeItem, A::Error> {
                let mut name: Option<String> = None;
                let mut tokens: Option<Vec<u64>> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" => name = Some(map.next_value::<Text>()?.0),
                        "tokens" => {
                            let list: Vec<TokenWire> = map.next_value()?;
                            if list.len() > crate::core::config::MAX_VNODES {
                                return Err(de::Error::custom(format!(
                                    "{} tokens; a node has at most {}",
                                    list.len(),
                                    crate::core::config::MAX_VNODES
                                )));
                            }
                            tokens = Some(list.into_iter().map(|t| t.0).collect());
                        }
                        other => {
                            return Err(de::Error::custom(format!(
                                "unknown field `{other}` of a node; a node has name and tokens"
                            )));
                        }
                    }
                }
                let name = name.ok_or_else(|| de::Error::custom("a node needs a name"))?;
                Ok(NodeItem(NodeSpec { name, tokens }))
            }
        }
        d.deserialize_any(V)
    }
}

/// A ring position: an integer from 0 to 2^64-1, or a percentage of the ring (`"25%"`).
struct TokenWire(u64);

impl<'de> Deserialize<'de> for TokenWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        parse_token(&t.0).map(TokenWire).map_err(de::Error::custom)
    }
}

/// Parses a ring position: `12345` or `25%`.
pub fn parse_token(text: &str) -> Result<u64, String> {
    let bad = || {
        format!("token {text:?} is not a ring position; write an integer (0 to 2^64-1) or a percentage like \"25%\"")
    };
    match text.trim().strip_suffix('%') {
        Some(pct) => {
            let p: f64 = pct.trim().parse().map_err(|_| bad())?;
            if !(0.0..100.0).contains(&p) {
                return Err(format!("token {text:?} must be at least 0% and below 100%"));
            }
            Ok((p / 100.0 * 2f64.powi(64)) as u64)
        }
        None => text.trim().parse().map_err(|_| bad()),
    }
}

impl<'de> Deserialize<'de> for ClusterSection {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ClusterSection;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the cluster: nodes, vnodes and settings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ClusterSection, A::Error> {
                let mut patch = SettingsPatch::default();
                let mut nodes = NodesWire::Count(5);
                let mut vnodes = DEFAULT_VNODES;
                let mut seeds: Vec<String> = Vec::new();
                let mut partitioning = crate::core::config::Partitioning::Random;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "nodes" => nodes = map.next_value()?,
                        "vnodes" => vnodes = map.next_value()?,
                        "seeds" => seeds = map.next_value::<Vec<Text>>()?.into_iter().map(|t| t.0).collect(),
                        "partitioning" => {
                            let text = map.next_value::<Text>()?.0;
                            partitioning =
                                crate::core::config::Partitioning::parse(&text).map_err(de::Error::custom)?;
                        }
                        other => {
                            if !patch.read_field(other, &mut map)? {
                                return Err(unknown_setting(other, &["nodes", "vnodes", "seeds", "partitioning"]));
                            }
                        }
                    }
                }
                let count = match &nodes {
                    NodesWire::Count(n) => *n,
                    NodesWire::List(list) => list.len(),
                };
                let settings = patch.apply(&defaults_for(count, &patch));
                let mut spec = match nodes {
                    NodesWire::Count(n) => ClusterSpec::numbered(n, vnodes, settings),
                    NodesWire::List(list) => ClusterSpec {
                        nodes: list,
                        vnodes,
                        partitioning,
                        settings,
                        seeds: Vec::new(),
                    },
                };
                spec.seeds = seeds;
                spec.partitioning = partitioning;
                let tokens = tokens_of(&spec);
                if tokens > super::limits::MAX_TOKENS {
                    return Err(de::Error::custom(format!(
                        "the nodes have {tokens} ring tokens between them ({} nodes); a cluster may have at most {} \
                         (nodes times vnodes: 1024 nodes of 64, or 16 of 4096)",
                        spec.nodes.len(),
                        super::limits::MAX_TOKENS
                    )));
                }
                let (names, _) = spec.build().map_err(de::Error::custom)?;
                let warnings = spec.settings.validate(names.node_count()).map_err(de::Error::custom)?;
                Ok(ClusterSection { spec, warnings })
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_applies_and_describes() {
        let patch: SettingsPatch =
            serde_yaml::from_str("{write_quorum: 3, routing: any-node, latency: 1ms..2ms}").unwrap();
        let s = patch.apply(&Settings::default());
        assert_eq!(s.write_quorum, 3);
        assert_eq!(s.routing, Routing::AnyNode);
        assert_eq!(patch.describe(), "write_quorum=3, routing=any-node, latency=1ms..2ms");
    }

    #[test]
    fn the_failure_detector_is_a_setting() {
        let patch: SettingsPatch = serde_yaml::from_str("{failure_detector: phi, phi_threshold: 10}").unwrap();
        let s = patch.apply(&Settings::default());
        assert_eq!((s.failure_detector, s.phi_threshold), (FailureDetector::Phi, 10.0));
        assert_eq!(patch.describe(), "failure_detector=phi, phi_threshold=10");
        let err = serde_yaml::from_str::<SettingsPatch>("{failure_detector: ping}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("use heartbeat or phi"), "{err}");
        let err = serde_yaml::from_str::<SettingsPatch>("{phi_threshold: 100}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("between 1 and 64"), "{err}");
        let patch =
            SettingsPatch::from_assignments(&["failure_detector=phi".into(), "phi_threshold=12".into()]).unwrap();
        assert_eq!(patch.apply(&Settings::default()).phi_threshold, 12.0);
    }

    #[test]
    fn unknown_settings_list_what_is_allowed() {
        let err = serde_yaml::from_str::<SettingsPatch>("{write_quorom: 3}")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown setting `write_quorom`; the settings are replicas, read_quorum, write_quorum"),
            "{err}"
        );
    }

    #[test]
    fn cluster_accepts_equal_partitioning() {
        use crate::core::config::Partitioning;
        let c: ClusterSection = serde_yaml::from_str("{nodes: 4, vnodes: 2}").unwrap();
        assert_eq!(
            c.spec.partitioning,
            Partitioning::Random,
            "the default stays random tokens"
        );
        let c: ClusterSection = serde_yaml::from_str("{nodes: 4, vnodes: 2, partitioning: equal}").unwrap();
        assert_eq!(c.spec.partitioning, Partitioning::Equal);
        let (_, ring) = c.spec.build().unwrap();
        let eighth = 1u64 << 61;
        let positions: Vec<u64> = ring.tokens().iter().map(|t| t.pos).collect();
        assert_eq!(positions, (0..8).map(|k| k * eighth).collect::<Vec<_>>());
        for &m in ring.members() {
            assert!((ring.share(m) - 0.25).abs() < 1e-12);
        }
        let err = serde_yaml::from_str::<ClusterSection>("{nodes: 4, partitioning: even}")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown partitioning \"even\"; use random or equal"),
            "{err}"
        );
        let err = crate::scenario::Scenario::parse(
            "cluster:\n  nodes: 3\n  partitioning: fair\nsteps:\n  - wait: 1s\n",
            "p.yaml",
            "p",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("p.yaml:") && err.contains("use random or equal"),
            "{err}"
        );
    }

    #[test]
    fn cluster_accepts_counts_names_and_tokens() {
        let c: ClusterSection = serde_yaml::from_str("{nodes: 3}").unwrap();
        assert_eq!(
            c.spec.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
            ["n1", "n2", "n3"]
        );
        let c: ClusterSection = serde_yaml::from_str(
            "{nodes: [a, {name: b, tokens: ['50%', 7]}], replicas: 2, read_quorum: 1, write_quorum: 1}",
        )
        .unwrap();
        assert_eq!(c.spec.nodes[1].tokens, Some(vec![1 << 63, 7]));
        let err = serde_yaml::from_str::<ClusterSection>("{nodes: 2, replicas: 3}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("only 2 nodes"), "{err}");
        let err = serde_yaml::from_str::<ClusterSection>("{nodes: 5000}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("1 to 1024"), "{err}");
        let err = serde_yaml::from_str::<ClusterSection>("{nodes: [a, a]}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("appears twice"), "{err}");
    }
}
