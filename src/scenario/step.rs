//! The step vocabulary: what a preset (and the TUI's command line) can make
//! the cluster do. Both are parsed by the one `Deserialize` below, so a
//! command and the equivalent YAML step give the same action.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::expect::{ClockSpec, DurSpec, Expect};
use super::noderef::NodeRef;
use super::settings_patch::SettingsPatch;
use super::text::{Text, check_key};
use crate::core::time::Dur;

/// The longest single wait a preset may ask for.
pub const MAX_WAIT: Dur = Dur::from_secs(3600);
/// The latest instant an `at:` step may name.
pub const MAX_RUN: Dur = Dur::from_secs(24 * 3600);

/// The client a step uses when it names none.
pub const DEFAULT_CLIENT: &str = "client";

/// One step: an action and what to expect once it is done.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub action: Action,
    pub expect: Option<Expect>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PutStep {
    pub key: String,
    pub value: String,
    pub client: String,
    pub via: Option<NodeRef>,
    pub w: Option<usize>,
    /// Stores required on the key's own top N (stand-ins not counted).
    pub pw: Option<usize>,
    /// Overrides the client's remembered context.
    pub context: Option<ClockSpec>,
    /// Start the put and go on without waiting for its answer.
    pub nowait: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GetStep {
    pub key: String,
    pub client: String,
    pub via: Option<NodeRef>,
    pub r: Option<usize>,
    /// Answers required from the key's own top N.
    pub pr: Option<usize>,
    /// Start the get and go on without waiting for its answer.
    pub nowait: bool,
}

/// Many keys at once: `PREFIX{start}` .. `PREFIX{start + keys - 1}`.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkStep {
    pub keys: usize,
    pub prefix: String,
    pub start: usize,
    /// The value a fill writes, or the value a scan expects every key to hold.
    pub value: Option<String>,
    pub client: String,
    /// The node every request enters at.
    pub via: Option<NodeRef>,
    /// W for a fill, R for a scan.
    pub quorum: Option<usize>,
}

impl BulkStep {
    /// The keys, in order.
    pub fn key_names(&self) -> impl Iterator<Item = String> + '_ {
        (self.start..self.start + self.keys).map(|i| format!("{}{i}", self.prefix))
    }

    fn describe(&self) -> String {
        format!(
            "{}{}..{}{}",
            self.prefix,
            self.start,
            self.prefix,
            self.start + self.keys - 1
        )
    }
}

/// The most keys one fill or scan may touch.
pub const MAX_BULK: usize = 100_000;

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Show a caption.
    Say(String),
    Put(PutStep),
    Get(GetStep),
    /// Let virtual time pass.
    Wait(Dur),
    /// Let virtual time pass until this instant (since the start).
    At(Dur),
    Kill(NodeRef),
    Revive(NodeRef),
    /// The listed groups cannot reach each other.
    Partition(Vec<Vec<NodeRef>>),
    /// One direction of one link is cut.
    Cut {
        from: NodeRef,
        to: NodeRef,
    },
    /// Remove every partition and cut.
    Heal,
    /// Messages to and from a node take longer (0 restores it).
    Slow {
        node: NodeRef,
        by: Dur,
    },
    /// Change settings.
    Set(SettingsPatch),
    /// Start a new node that contacts a seed and takes over its ranges.
    Join {
        node: String,
        tokens: Option<Vec<u64>>,
    },
    /// Hand a node's ranges to their new owners, then stop it for good.
    Leave(NodeRef),
    /// Put one value under many keys at once; done when all have answered.
    Fill(BulkStep),
    /// Get many keys at once; done when all have answered.
    Scan(BulkStep),
    /// Start these steps at the same instant; done when all are.
    Concurrently(Vec<Step>),
    /// Only check expectations.
    Check,
}

impl Action {
    pub fn is_op(&self) -> bool {
        matches!(self, Action::Put(_) | Action::Get(_))
    }

    pub fn is_bulk(&self) -> bool {
        matches!(self, Action::Fill(_) | Action::Scan(_))
    }

    /// The YAML key of the action.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Say(_) => "say",
            Action::Put(_) => "put",
            Action::Get(_) => "get",
            Action::Wait(_) => "wait",
            Action::At(_) => "at",
            Action::Kill(_) => "kill",
            Action::Revive(_) => "revive",
            Action::Partition(_) => "partition",
            Action::Cut { .. } => "cut",
            Action::Heal => "heal",
            Action::Slow { .. } => "slow",
            Action::Set(_) => "set",
            Action::Join { .. } => "join",
            Action::Leave(_) => "leave",
            Action::Fill(_) => "fill",
            Action::Scan(_) => "scan",
            Action::Concurrently(_) => "concurrently",
            Action::Check => "expect",
        }
    }
}

impl fmt::Display for Action {
    /// The step as a command line would write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Say(text) => write!(f, "say {text}"),
            Action::Put(p) => {
                write!(f, "put {} {}", p.key, p.value)?;
                if let Some(v) = &p.via {
                    write!(f, " via {v}")?;
                }
                if p.client != DEFAULT_CLIENT {
                    write!(f, " as {}", p.client)?;
                }
                if let Some(w) = p.w {
                    write!(f, " w={w}")?;
                }
                if let Some(pw) = p.pw {
                    write!(f, " pw={pw}")?;
                }
                if let Some(c) = &p.context {
                    write!(f, " context={c}")?;
                }
                if p.nowait {
                    write!(f, " nowait")?;
                }
                Ok(())
            }
            Action::Get(g) => {
                write!(f, "get {}", g.key)?;
                if let Some(v) = &g.via {
                    write!(f, " via {v}")?;
                }
                if g.client != DEFAULT_CLIENT {
                    write!(f, " as {}", g.client)?;
                }
                if let Some(r) = g.r {
                    write!(f, " r={r}")?;
                }
                if let Some(pr) = g.pr {
                    write!(f, " pr={pr}")?;
                }
                if g.nowait {
                    write!(f, " nowait")?;
                }
                Ok(())
            }
            Action::Wait(d) => write!(f, "wait {d}"),
            Action::At(d) => write!(f, "at {d}"),
            Action::Kill(n) => write!(f, "kill {n}"),
            Action::Revive(n) => write!(f, "revive {n}"),
            Action::Partition(groups) => {
                let groups: Vec<String> = groups
                    .iter()
                    .map(|g| g.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(","))
                    .collect();
                write!(f, "partition {}", groups.join(" | "))
            }
            Action::Cut { from, to } => write!(f, "cut {from}>{to}"),
            Action::Heal => write!(f, "heal"),
            Action::Slow { node, by } => write!(f, "slow {node} {by}"),
            Action::Set(patch) => write!(f, "set {}", patch.describe()),
            Action::Join { node, tokens } => {
                write!(f, "join {node}")?;
                for t in tokens.iter().flatten() {
                    write!(f, " {t}")?;
                }
                Ok(())
            }
            Action::Leave(n) => write!(f, "leave {n}"),
            Action::Fill(b) | Action::Scan(b) => {
                let verb = self.name();
                write!(f, "{verb} {}", b.describe())?;
                match (&b.value, verb) {
                    (Some(v), "fill") => write!(f, " = {v}")?,
                    (Some(v), _) => write!(f, " for {v}")?,
                    _ => {}
                }
                if let Some(v) = &b.via {
                    write!(f, " via {v}")?;
                }
                Ok(())
            }
            Action::Concurrently(steps) => {
                let parts: Vec<String> = steps.iter().map(|s| s.action.to_string()).collect();
                write!(f, "concurrently [{}]", parts.join("; "))
            }
            Action::Check => write!(f, "expect"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PutWire {
    key: Text,
    value: Text,
    client: Option<Text>,
    via: Option<NodeRef>,
    w: Option<usize>,
    pw: Option<usize>,
    #[serde(default, deserialize_with = "ClockSpec::deserialize_context")]
    context: Option<ClockSpec>,
    #[serde(default)]
    nowait: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetWire {
    key: Text,
    client: Option<Text>,
    via: Option<NodeRef>,
    r: Option<usize>,
    pr: Option<usize>,
    #[serde(default)]
    nowait: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FillWire {
    keys: usize,
    prefix: Text,
    #[serde(default)]
    start: usize,
    value: Text,
    client: Option<Text>,
    via: Option<NodeRef>,
    w: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanWire {
    keys: usize,
    prefix: Text,
    #[serde(default)]
    start: usize,
    value: Option<Text>,
    client: Option<Text>,
    via: Option<NodeRef>,
    r: Option<usize>,
}

fn bulk(keys: usize, prefix: Text, start: usize) -> Result<(usize, String, usize), String> {
    if keys == 0 || keys > MAX_BULK {
        return Err(format!("keys is {keys}; a fill or scan touches 1 to {MAX_BULK} keys"));
    }
    check_key(&format!("{}{}", prefix.0, start + keys))?;
    Ok((keys, prefix.0, start))
}

/// `join: s6` or `join: {node: s6, tokens: ["25%"]}`.
enum JoinWire {
    Name(Text),
    Full(JoinFull),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JoinFull {
    node: Text,
    tokens: Option<Vec<Text>>,
}

impl<'de> Deserialize<'de> for JoinWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JoinWire;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a node name, or {node: s6, tokens: [\"25%\"]}")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<JoinWire, E> {
                Ok(JoinWire::Name(Text(name.to_string())))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<JoinWire, E> {
                Ok(JoinWire::Name(Text(n.to_string())))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<JoinWire, E> {
                Ok(JoinWire::Name(Text(n.to_string())))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<JoinWire, A::Error> {
                JoinFull::deserialize(de::value::MapAccessDeserializer::new(map)).map(JoinWire::Full)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CutWire {
    from: NodeRef,
    to: NodeRef,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlowWire {
    node: NodeRef,
    by: DurSpec,
}

/// The actions a step may name, for error messages.
pub const ACTIONS: &[&str] = &[
    "say",
    "put",
    "get",
    "wait",
    "at",
    "kill",
    "revive",
    "partition",
    "cut",
    "heal",
    "slow",
    "set",
    "concurrently",
];

fn client_name(client: Option<Text>) -> Result<String, String> {
    let name = client.map(|t| t.0).unwrap_or_else(|| DEFAULT_CLIENT.to_string());
    crate::engine::check_name(&name).map_err(|e| e.replace("node name", "client name"))?;
    Ok(name)
}

fn quorum(name: &str, q: Option<usize>) -> Result<Option<usize>, String> {
    match q {
        Some(0) => Err(format!("{name} must be at least 1")),
        Some(q) if q > crate::core::config::MAX_NODES => Err(format!("{name}={q} is more than any cluster has nodes")),
        other => Ok(other),
    }
}

fn read_action<'de, A: MapAccess<'de>>(key: &str, map: &mut A) -> Result<Option<Action>, A::Error> {
    let err = de::Error::custom::<String>;
    let action = match key {
        "say" => Action::Say(map.next_value::<Text>()?.0),
        "put" => {
            let w: PutWire = map.next_value()?;
            check_key(&w.key.0).map_err(err)?;
            if w.value.0.is_empty() {
                return Err(err("a put needs a non-empty value".into()));
            }
            Action::Put(PutStep {
                key: w.key.0,
                value: w.value.0,
                client: client_name(w.client).map_err(err)?,
                via: w.via,
                w: quorum("w", w.w).map_err(err)?,
                pw: quorum("pw", w.pw).map_err(err)?,
                context: w.context,
                nowait: w.nowait,
            })
        }
        "get" => {
            let g: GetWire = map.next_value()?;
            check_key(&g.key.0).map_err(err)?;
            Action::Get(GetStep {
                key: g.key.0,
                client: client_name(g.client).map_err(err)?,
                via: g.via,
                r: quorum("r", g.r).map_err(err)?,
                pr: quorum("pr", g.pr).map_err(err)?,
                nowait: g.nowait,
            })
        }
        "wait" => {
            let d = map.next_value::<DurSpec>()?.0;
            if d > MAX_WAIT {
                return Err(err(format!("wait {d} is too long; at most {MAX_WAIT}")));
            }
            Action::Wait(d)
        }
        "at" => {
            let d = map.next_value::<DurSpec>()?.0;
            if d > MAX_RUN {
                return Err(err(format!("at {d} is too late; a scenario runs at most {MAX_RUN}")));
            }
            Action::At(d)
        }
        "kill" => Action::Kill(map.next_value()?),
        "revive" => Action::Revive(map.next_value()?),
        "partition" => {
            let groups: Vec<Vec<NodeRef>> = map.next_value()?;
            check_groups(&groups).map_err(err)?;
            Action::Partition(groups)
        }
        "cut" => {
            let c: CutWire = map.next_value()?;
            if c.from == c.to {
                return Err(err(format!("cut: from and to are both {}", c.from)));
            }
            Action::Cut { from: c.from, to: c.to }
        }
        "heal" => {
            let t: Text = map.next_value()?;
            if t.0 != "all" {
                return Err(err(format!("heal: {:?} is not understood; write `heal: all`", t.0)));
            }
            Action::Heal
        }
        "slow" => {
            let s: SlowWire = map.next_value()?;
            if s.by.0 > MAX_WAIT {
                return Err(err(format!("slow: {} is too long; at most {MAX_WAIT}", s.by.0)));
            }
            Action::Slow {
                node: s.node,
                by: s.by.0,
            }
        }
        "set" => Action::Set(map.next_value()?),
        "join" => {
            let j: JoinWire = map.next_value()?;
            let (node, tokens) = match j {
                JoinWire::Name(t) => (t.0, None),
                JoinWire::Full(JoinFull { node, tokens }) => (node.0, tokens),
            };
            crate::engine::check_name(&node).map_err(err)?;
            if super::noderef::NodeRef::parse(&node).is_ok() && super::noderef::is_known(&node) {
                return Err(err(format!("join: there is already a node named {node}")));
            }
            super::noderef::register_node(&node);
            let tokens = tokens
                .map(|t| {
                    t.iter()
                        .map(|x| super::settings_patch::parse_token(&x.0))
                        .collect::<Result<Vec<u64>, _>>()
                })
                .transpose()
                .map_err(err)?;
            if let Some(t) = &tokens
                && (t.is_empty() || t.len() > crate::core::config::MAX_VNODES)
            {
                return Err(err(format!(
                    "join: a node has 1 to {} tokens",
                    crate::core::config::MAX_VNODES
                )));
            }
            Action::Join { node, tokens }
        }
        "leave" => Action::Leave(map.next_value()?),
        "fill" => {
            let w: FillWire = map.next_value()?;
            let (keys, prefix, start) = bulk(w.keys, w.prefix, w.start).map_err(err)?;
            if w.value.0.is_empty() {
                return Err(err("a fill needs a non-empty value".into()));
            }
            Action::Fill(BulkStep {
                keys,
                prefix,
                start,
                value: Some(w.value.0),
                client: client_name(w.client).map_err(err)?,
                via: w.via,
                quorum: quorum("w", w.w).map_err(err)?,
            })
        }
        "scan" => {
            let r: ScanWire = map.next_value()?;
            let (keys, prefix, start) = bulk(r.keys, r.prefix, r.start).map_err(err)?;
            Action::Scan(BulkStep {
                keys,
                prefix,
                start,
                value: r.value.map(|t| t.0),
                client: client_name(r.client).map_err(err)?,
                via: r.via,
                quorum: quorum("r", r.r).map_err(err)?,
            })
        }
        "concurrently" => {
            super::plan::begin_concurrently();
            let steps: Vec<Step> = map.next_value()?;
            super::plan::end_concurrently();
            if steps.is_empty() {
                return Err(err("concurrently: needs at least one step".into()));
            }
            Action::Concurrently(steps)
        }
        _ => return Ok(None),
    };
    super::plan::apply(&action).map_err(err)?;
    Ok(Some(action))
}

fn check_groups(groups: &[Vec<NodeRef>]) -> Result<(), String> {
    if groups.len() < 2 {
        return Err("partition: needs at least two groups, like [[s1, s2], [s3]]".into());
    }
    let mut seen = std::collections::BTreeSet::new();
    for g in groups {
        if g.is_empty() {
            return Err("partition: a group is empty".into());
        }
        for n in g {
            if !seen.insert(n) {
                return Err(format!("partition: {n} is in two groups"));
            }
        }
    }
    Ok(())
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Step;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(
                    f,
                    "a step: a map with one of {} (and optionally expect)",
                    ACTIONS.join(", ")
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Step, A::Error> {
                super::plan::begin_step().map_err(de::Error::custom)?;
                let mut action: Option<Action> = None;
                let mut expect: Option<Expect> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "expect" {
                        if expect.is_some() {
                            return Err(de::Error::custom("expect appears twice in one step"));
                        }
                        expect = Some(map.next_value()?);
                        continue;
                    }
                    match read_action(&key, &mut map)? {
                        Some(a) => {
                            if let Some(first) = &action {
                                return Err(de::Error::custom(format!(
                                    "a step does one thing, but this one has both `{}` and `{key}`; split it into two steps",
                                    first.name()
                                )));
                            }
                            action = Some(a);
                        }
                        None => {
                            return Err(de::Error::custom(format!(
                                "unknown step `{key}`; a step is one of {}, optionally with expect",
                                ACTIONS.join(", ")
                            )));
                        }
                    }
                }
                let action = match (action, &expect) {
                    (Some(a), _) => a,
                    (None, Some(_)) => Action::Check,
                    (None, None) => {
                        return Err(de::Error::custom(format!(
                            "empty step; a step is one of {}, optionally with expect",
                            ACTIONS.join(", ")
                        )));
                    }
                };
                let nowait = match &action {
                    Action::Put(p) => p.nowait,
                    Action::Get(g) => g.nowait,
                    _ => false,
                };
                if nowait && expect.is_some() {
                    return Err(de::Error::custom(
                        "a nowait step cannot expect anything: nothing waits for its answer",
                    ));
                }
                if let Some(e) = &expect {
                    let needs_op = e.op_checks();
                    if action.is_bulk() && needs_op.iter().any(|c| *c != "ok") {
                        return Err(de::Error::custom(format!(
                            "expect: a {} step checks only ok (all operations succeeded); {} needs a single put or get",
                            action.name(),
                            needs_op.join(", ")
                        )));
                    }
                    if !needs_op.is_empty() && !action.is_op() && !action.is_bulk() {
                        return Err(de::Error::custom(format!(
                            "expect: {} checks an operation's result, so it needs a put or get step (this is a {} step)",
                            needs_op.join(", "),
                            action.name()
                        )));
                    }
                }
                super::plan::end_step();
                Ok(Step { action, expect })
            }
        }
        d.deserialize_map(V)
    }
}
