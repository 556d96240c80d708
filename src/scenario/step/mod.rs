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
use super::parse_context::ParseContext;
use super::plan::Plan;
use super::seeded::{Parse, Seed};
use super::step_run::StepRun;
use crate::engine::Engine;

mod at;
mod bulk;
mod client;
mod concurrently;
mod cut;
mod fill;
mod get;
mod heal;
mod info;
mod join;
mod kill;
mod kind;
mod leave;
mod nodes;
mod partition;
mod put;
mod quorum;
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

pub use client::DEFAULT_CLIENT;
pub use info::StepInfo;
pub use kind::{BulkStep, GetStep, PutStep, Step, StepKind, TrafficStep};
use words::Word;

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

impl StepKind {
    /// What an error says a step may be.
    fn one_of() -> String {
        format!("a step is one of {}, optionally with expect", names())
    }

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
        self.start_in(engine, &mut run).await?;
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
                    return Err(de::Error::custom(format!(
                        "unknown step `{key}`; {}",
                        StepKind::one_of()
                    )));
                }
            }
        }
        let kind = match (kind, &expect) {
            (Some(k), _) => k,
            (None, Some(_)) => StepKind::Check,
            (None, None) => return Err(de::Error::custom(format!("empty step; {}", StepKind::one_of()))),
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

impl Step {
    /// Starts the step on `engine` as part of `run` (see [`Step::start`]).
    fn start_in<'a>(
        &'a self,
        engine: &'a mut Engine,
        run: &'a mut StepRun,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + 'a>> {
        Box::pin(async move {
            let expect = self.expect.as_ref();
            match &self.kind {
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
}
