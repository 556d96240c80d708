//! The step vocabulary: what a preset, the playground's command line and a
//! chaos run can make the cluster do. One file per action (mini-redis's
//! `cmd/` is the model), each owning its parsing from the command line's
//! words and from YAML, its rendering back to both (so that
//! `parse(render(step)) == step`), its help line, and how it is started on
//! an engine. [`STEPS`] is the one list of actions: the "a step is one of"
//! message, the help overlay and Tab completion all read it.
//!
//! A step renders three ways: [`StepKind::to_words`] (the command line),
//! [`Step::to_yaml`] (a preset's step) and `Display` (the label the trace and
//! the playground show, which need not parse back).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::Deserializer;
use serde::de::{self, MapAccess, Visitor};

use super::expect::Expect;
use super::noderef::NodeRef;
use super::parse_context::ParseContext;
use super::plan::Plan;
use super::seeded::{Parse, Seed};
use super::settings_patch::SettingsPatch;
use super::step_run::StepRun;
use crate::core::time::Dur;
use crate::engine::Engine;

mod at;
mod bulk;
mod concurrently;
mod cut;
mod fill;
mod get;
mod heal;
mod join;
mod kill;
mod leave;
mod partition;
mod put;
mod revive;
mod say;
mod scan;
mod set;
mod slow;
#[cfg(test)]
mod tests;
mod traffic;
mod wait;
pub mod words;
pub mod yaml;

pub use bulk::BulkStep;
pub use get::GetStep;
pub use put::PutStep;
pub use traffic::TrafficStep;
use words::Word;

/// The client a step uses when it names none.
pub const DEFAULT_CLIENT: &str = "client";

/// One step: what it does and what to expect once it is done.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    pub expect: Option<Expect>,
}

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
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
    /// Start or stop background traffic; done at once.
    Traffic(TrafficStep),
    /// Only check expectations (a step with `expect` and no action).
    Check,
}

/// One action of the vocabulary: its name (the YAML key and the command
/// word), its command-line usage and its help line.
pub struct StepInfo {
    pub name: &'static str,
    pub usage: &'static str,
    pub help: &'static str,
    words: fn(&[Word], &mut ParseContext) -> Result<StepKind, String>,
}

/// Every action, in the order help and error messages list them.
pub const STEPS: &[StepInfo] = &[
    say::INFO,
    put::INFO,
    get::INFO,
    wait::INFO,
    at::INFO,
    kill::INFO,
    revive::INFO,
    partition::INFO,
    cut::INFO,
    heal::INFO,
    slow::INFO,
    set::INFO,
    join::INFO,
    leave::INFO,
    fill::INFO,
    scan::INFO,
    concurrently::INFO,
    traffic::INFO,
];

/// The action named `name`.
pub fn info(name: &str) -> Option<&'static StepInfo> {
    STEPS.iter().find(|s| s.name == name)
}

/// `say, put, get, ...`: every action's name.
pub fn names() -> String {
    STEPS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}

/// What an error says a step may be.
fn one_of() -> String {
    format!("a step is one of {}, optionally with expect", names())
}

impl StepKind {
    pub fn is_op(&self) -> bool {
        matches!(self, StepKind::Put(_) | StepKind::Get(_))
    }

    pub fn is_bulk(&self) -> bool {
        matches!(self, StepKind::Fill(_) | StepKind::Scan(_))
    }

    /// The YAML key (and command word) of the action.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Say(_) => say::INFO.name,
            StepKind::Put(_) => put::INFO.name,
            StepKind::Get(_) => get::INFO.name,
            StepKind::Wait(_) => wait::INFO.name,
            StepKind::At(_) => at::INFO.name,
            StepKind::Kill(_) => kill::INFO.name,
            StepKind::Revive(_) => revive::INFO.name,
            StepKind::Partition(_) => partition::INFO.name,
            StepKind::Cut { .. } => cut::INFO.name,
            StepKind::Heal => heal::INFO.name,
            StepKind::Slow { .. } => slow::INFO.name,
            StepKind::Set(_) => set::INFO.name,
            StepKind::Join { .. } => join::INFO.name,
            StepKind::Leave(_) => leave::INFO.name,
            StepKind::Fill(_) => fill::INFO.name,
            StepKind::Scan(_) => scan::INFO.name,
            StepKind::Concurrently(_) => concurrently::INFO.name,
            StepKind::Traffic(_) => traffic::INFO.name,
            StepKind::Check => "expect",
        }
    }

    /// Parses the words of a command line (`put cart CAR via s2`), checking
    /// node names against `cx`. `None` when the first word names no action.
    pub fn from_words(line: &[Word], cx: &mut ParseContext) -> Option<Result<StepKind, String>> {
        let (word, rest) = line.split_first()?;
        if word.quoted {
            return None;
        }
        let info = info(&word.text)?;
        Some((info.words)(rest, cx).map_err(|e| {
            if e.starts_with(info.name) || e.starts_with("usage:") {
                e
            } else {
                format!("{}: {e}", info.name)
            }
        }))
    }

    /// The step as a command line writes it; [`StepKind::from_words`] reads
    /// it back as the same step. `None` for a step that only checks (it has
    /// no command) and for a `concurrently` whose steps expect something.
    pub fn to_words(&self) -> Option<String> {
        Some(match self {
            StepKind::Say(t) => say::to_words(t),
            StepKind::Put(p) => put::to_words(p),
            StepKind::Get(g) => get::to_words(g),
            StepKind::Wait(d) => wait::to_words(*d),
            StepKind::At(d) => at::to_words(*d),
            StepKind::Kill(n) => kill::to_words(n),
            StepKind::Revive(n) => revive::to_words(n),
            StepKind::Partition(g) => partition::to_words(g),
            StepKind::Cut { from, to } => cut::to_words(from, to),
            StepKind::Heal => heal::to_words(),
            StepKind::Slow { node, by } => slow::to_words(node, *by),
            StepKind::Set(p) => set::to_words(p),
            StepKind::Join { node, tokens } => join::to_words(node, tokens.as_deref()),
            StepKind::Leave(n) => leave::to_words(n),
            StepKind::Fill(b) => fill::to_words(b),
            StepKind::Scan(b) => scan::to_words(b),
            StepKind::Concurrently(steps) => concurrently::to_words(steps)?,
            StepKind::Traffic(t) => traffic::to_words(t),
            StepKind::Check => return None,
        })
    }

    /// The action's YAML value (what follows `put: `); `None` for `Check`.
    fn yaml_value(&self) -> Option<String> {
        Some(match self {
            StepKind::Say(t) => say::to_yaml(t),
            StepKind::Put(p) => put::to_yaml(p),
            StepKind::Get(g) => get::to_yaml(g),
            StepKind::Wait(d) => wait::to_yaml(*d),
            StepKind::At(d) => at::to_yaml(*d),
            StepKind::Kill(n) => kill::to_yaml(n),
            StepKind::Revive(n) => revive::to_yaml(n),
            StepKind::Partition(g) => partition::to_yaml(g),
            StepKind::Cut { from, to } => cut::to_yaml(from, to),
            StepKind::Heal => heal::to_yaml(),
            StepKind::Slow { node, by } => slow::to_yaml(node, *by),
            StepKind::Set(p) => set::to_yaml(p),
            StepKind::Join { node, tokens } => join::to_yaml(node, tokens.as_deref()),
            StepKind::Leave(n) => leave::to_yaml(n),
            StepKind::Fill(b) => fill::to_yaml(b),
            StepKind::Scan(b) => scan::to_yaml(b),
            StepKind::Concurrently(steps) => concurrently::to_yaml(steps),
            StepKind::Traffic(t) => traffic::to_yaml(t),
            StepKind::Check => return None,
        })
    }

    /// Reads the value of action `key` from `map`; `None` when `key` names
    /// no action.
    fn from_yaml<'de, A: MapAccess<'de>>(
        key: &str,
        map: &mut A,
        cx: &mut ParseContext,
    ) -> Result<Option<StepKind>, A::Error> {
        let kind = match key {
            "say" => say::from_yaml(map, cx)?,
            "put" => put::from_yaml(map, cx)?,
            "get" => get::from_yaml(map, cx)?,
            "wait" => wait::from_yaml(map, cx)?,
            "at" => at::from_yaml(map, cx)?,
            "kill" => kill::from_yaml(map, cx)?,
            "revive" => revive::from_yaml(map, cx)?,
            "partition" => partition::from_yaml(map, cx)?,
            "cut" => cut::from_yaml(map, cx)?,
            "heal" => heal::from_yaml(map, cx)?,
            "slow" => slow::from_yaml(map, cx)?,
            "set" => set::from_yaml(map, cx)?,
            "join" => join::from_yaml(map, cx)?,
            "leave" => leave::from_yaml(map, cx)?,
            "fill" => fill::from_yaml(map, cx)?,
            "scan" => scan::from_yaml(map, cx)?,
            "concurrently" => concurrently::from_yaml(map, cx)?,
            "traffic" => traffic::from_yaml(map, cx)?,
            _ => return Ok(None),
        };
        cx.plan(|plan| kind.plan(plan)).map_err(de::Error::custom)?;
        Ok(Some(kind))
    }
}

impl StepKind {
    /// Takes the action's effect on the [`Plan`] of a preset being loaded,
    /// or says why it cannot run.
    pub(crate) fn plan(&self, plan: &mut Plan) -> Result<(), String> {
        match self {
            StepKind::Say(_) | StepKind::Check | StepKind::Heal | StepKind::Concurrently(_) => Ok(()),
            StepKind::Partition(_) | StepKind::Cut { .. } | StepKind::Slow { .. } => Ok(()),
            StepKind::Traffic(_) => Ok(()),
            StepKind::Put(p) => plan.single_op([("w", p.w), ("pw", p.pw)], !p.nowait),
            StepKind::Get(g) => plan.single_op([("r", g.r), ("pr", g.pr)], !g.nowait),
            StepKind::Fill(b) => plan.fill(b.quorum, b.keys, b.value.as_ref().map_or(0, |v| v.len())),
            StepKind::Scan(b) => plan.scan(b.quorum, b.keys),
            StepKind::Wait(d) => plan.wait(*d),
            StepKind::At(d) => plan.at(*d),
            StepKind::Kill(node) => plan.kill(node.name()),
            StepKind::Revive(node) => plan.revive(node.name()),
            StepKind::Set(patch) => plan.set(patch),
            StepKind::Join { node, tokens } => plan.join(node, tokens.as_ref().map(Vec::len)),
            StepKind::Leave(node) => plan.leave(node.name()),
        }
    }
}

impl fmt::Display for StepKind {
    /// The step's label, as the trace and the playground show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            StepKind::Say(t) => say::label(t),
            StepKind::Put(p) => put::label(p),
            StepKind::Get(g) => get::label(g),
            StepKind::Wait(d) => format!("wait {d}"),
            StepKind::At(d) => format!("at {d}"),
            StepKind::Kill(n) => format!("kill {n}"),
            StepKind::Revive(n) => format!("revive {n}"),
            StepKind::Partition(g) => partition::label(g),
            StepKind::Cut { from, to } => format!("cut {from}>{to}"),
            StepKind::Heal => "heal".to_string(),
            StepKind::Slow { node, by } => format!("slow {node} {by}"),
            StepKind::Set(p) => format!("set {}", p.describe()),
            StepKind::Join { node, tokens } => join::label(node, tokens.as_deref()),
            StepKind::Leave(n) => format!("leave {n}"),
            StepKind::Fill(b) => bulk::label("fill", b),
            StepKind::Scan(b) => bulk::label("scan", b),
            StepKind::Concurrently(steps) => concurrently::label(steps),
            StepKind::Traffic(t) => traffic::label(t),
            StepKind::Check => "expect".to_string(),
        };
        f.write_str(&text)
    }
}

impl Step {
    /// The step as a preset writes it, one line of flow YAML (without the
    /// list's `- `): `put: {key: cart, value: CAR}, expect: {ok: true}` is
    /// written `{put: {...}, expect: {...}}`.
    pub fn to_yaml(&self) -> String {
        let mut fields: Vec<(&str, String)> = Vec::new();
        if let Some(v) = self.kind.yaml_value() {
            fields.push((self.kind.name(), v));
        }
        if let Some(e) = &self.expect {
            fields.push(("expect", e.to_yaml()));
        }
        yaml::map(&fields)
    }

    /// Starts the step on `engine` now: faults are applied and operations
    /// submitted, not awaited. On error nothing of a failed step has been
    /// applied except what came before the failing part of a `concurrently`.
    pub async fn start(&self, engine: &mut Engine) -> Result<StepRun, String> {
        let mut run = StepRun::new(engine.now());
        start(self, engine, &mut run).await?;
        run.expect_when_done(self.own_expect());
        Ok(run)
    }

    /// The expectations checked when the step is done, not against an
    /// operation's answer: those of a step that is not a put, get, fill
    /// or scan.
    fn own_expect(&self) -> Option<Expect> {
        if self.kind.is_op() || self.kind.is_bulk() {
            None
        } else {
            self.expect.clone()
        }
    }

    /// Reads one step from YAML with `cx` (see [`Parse`]).
    pub fn from_yaml_str(text: &str, cx: &mut ParseContext) -> Result<Step, serde_yaml::Error> {
        use serde::de::DeserializeSeed;
        Seed::<Step>::new(cx).deserialize(serde_yaml::Deserializer::from_str(text))
    }
}

/// The client a step names, or the default; checked like a node name.
fn client_name(client: Option<String>) -> Result<String, String> {
    let name = client.unwrap_or_else(|| DEFAULT_CLIENT.to_string());
    crate::engine::check_name(&name).map_err(|e| e.replace("node name", "client name"))?;
    Ok(name)
}

/// A quorum a step asks for: at least 1, at most any cluster's nodes.
fn quorum(name: &str, q: Option<usize>) -> Result<Option<usize>, String> {
    match q {
        Some(0) => Err(format!("{name} must be at least 1")),
        Some(q) if q > crate::core::config::MAX_NODES => Err(format!("{name}={q} is more than any cluster has nodes")),
        other => Ok(other),
    }
}

/// A quorum typed on the command line.
fn typed_quorum(name: &str, text: Option<String>) -> Result<Option<usize>, String> {
    quorum(name, text.map(|t| words::number(name, &t)).transpose()?)
}

/// The one node a command names.
fn one_node(rest: &[Word], cx: &ParseContext, usage: &str) -> Result<NodeRef, String> {
    match rest {
        [n] => cx.node(&n.text),
        _ => Err(format!(
            "{} needs one node; usage: {usage}",
            usage.split(' ').next().unwrap_or("")
        )),
    }
}

/// A node reference as a command line writes it.
fn node_word(n: &NodeRef) -> String {
    words::quote(&n.to_string())
}

/// A node reference as YAML writes it.
fn node_yaml(n: &NodeRef) -> String {
    yaml::text(&n.to_string())
}

impl Parse for Step {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        d.deserialize_map(StepVisitor(cx))
    }
}

struct StepVisitor<'c>(&'c mut ParseContext);

impl<'de> Visitor<'de> for StepVisitor<'_> {
    type Value = Step;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a step: a map with one of {} (and optionally expect)", names())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Step, A::Error> {
        let cx = self.0;
        cx.plan(|plan| plan.begin_step()).map_err(de::Error::custom)?;
        let mut kind: Option<StepKind> = None;
        let mut expect: Option<Expect> = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "expect" {
                if expect.is_some() {
                    return Err(de::Error::custom("expect appears twice in one step"));
                }
                expect = Some(map.next_value_seed(Seed::<Expect>::new(cx))?);
                continue;
            }
            match StepKind::from_yaml(&key, &mut map, cx)? {
                Some(k) => {
                    if let Some(first) = &kind {
                        return Err(de::Error::custom(format!(
                            "a step does one thing, but this one has both `{}` and `{key}`; split it into two steps",
                            first.name()
                        )));
                    }
                    kind = Some(k);
                }
                None => {
                    return Err(de::Error::custom(format!("unknown step `{key}`; {}", one_of())));
                }
            }
        }
        let kind = match (kind, &expect) {
            (Some(k), _) => k,
            (None, Some(_)) => StepKind::Check,
            (None, None) => return Err(de::Error::custom(format!("empty step; {}", one_of()))),
        };
        check_expect(&kind, expect.as_ref()).map_err(de::Error::custom)?;
        cx.plan(|plan| {
            plan.end_step();
            Ok(())
        })
        .map_err(de::Error::custom)?;
        Ok(Step { kind, expect })
    }
}

/// Refuses expectations the step cannot meet.
fn check_expect(kind: &StepKind, expect: Option<&Expect>) -> Result<(), String> {
    let Some(e) = expect else { return Ok(()) };
    let nowait = match kind {
        StepKind::Put(p) => p.nowait,
        StepKind::Get(g) => g.nowait,
        _ => false,
    };
    if nowait {
        return Err("a nowait step cannot expect anything: nothing waits for its answer".into());
    }
    let needs_op = e.op_checks();
    if kind.is_bulk() && needs_op.iter().any(|c| *c != "ok") {
        return Err(format!(
            "expect: a {} step checks only ok (all operations succeeded); {} needs a single put or get",
            kind.name(),
            needs_op.join(", ")
        ));
    }
    if !needs_op.is_empty() && !kind.is_op() && !kind.is_bulk() {
        return Err(format!(
            "expect: {} checks an operation's result, so it needs a put or get step (this is a {} step)",
            needs_op.join(", "),
            kind.name()
        ));
    }
    Ok(())
}

/// Starts `step` on `engine` as part of `run` (see [`Step::start`]).
pub(crate) fn start<'a>(
    step: &'a Step,
    engine: &'a mut Engine,
    run: &'a mut StepRun,
) -> Pin<Box<dyn Future<Output = Result<(), String>> + 'a>> {
    Box::pin(async move {
        let expect = step.expect.as_ref();
        match &step.kind {
            StepKind::Say(t) => say::start(t, engine),
            StepKind::Put(p) => put::start(p, expect, engine, run),
            StepKind::Get(g) => get::start(g, expect, engine, run),
            StepKind::Wait(d) => wait::start(*d, engine, run),
            StepKind::At(d) => at::start(*d, engine, run),
            StepKind::Kill(n) => kill::start(n, engine).await,
            StepKind::Revive(n) => revive::start(n, engine).await,
            StepKind::Partition(g) => partition::start(g, engine),
            StepKind::Cut { from, to } => cut::start(from, to, engine),
            StepKind::Heal => heal::start(engine),
            StepKind::Slow { node, by } => slow::start(node, *by, engine),
            StepKind::Set(p) => set::start(p, engine),
            StepKind::Join { node, tokens } => join::start(node, tokens.as_deref(), engine),
            StepKind::Leave(n) => leave::start(n, engine),
            StepKind::Fill(b) => fill::start(b, expect, engine, run),
            StepKind::Scan(b) => scan::start(b, expect, engine, run),
            StepKind::Concurrently(steps) => concurrently::start(steps, engine, run).await,
            StepKind::Traffic(t) => traffic::start(t, engine),
            StepKind::Check => Ok(()),
        }
    })
}

/// Resolves a node reference on the live cluster.
fn resolve(engine: &Engine, node: &NodeRef) -> Result<crate::core::ids::NodeId, String> {
    node.resolve(engine.names(), engine.ring())
}

/// Refuses a quorum above the live cluster's N.
fn check_live_quorum(name: &str, q: Option<usize>, engine: &Engine) -> Result<(), String> {
    match q {
        Some(q) if q > engine.settings().replicas => Err(format!(
            "{name}={q} is more than N={}; a quorum must be between 1 and N",
            engine.settings().replicas
        )),
        _ => Ok(()),
    }
}
