//! `concurrently`: start these steps at the same instant; done when all are.
//!
//! On the command line the steps go in brackets, separated by `;`:
//! `concurrently [ put cart A ; put cart B via s2 ]`.

use serde::de::{self, MapAccess};

use super::info::StepInfo;
use super::kind::{Step, StepKind};
use super::words::Word;
use super::yaml;
use crate::engine::Engine;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::seeded::Seed;
use crate::scenario::step_run::StepRun;

pub(super) const INFO: StepInfo = StepInfo {
    name: "concurrently",
    usage: "concurrently [ STEP ; STEP ... ]",
    help: "start several steps at the same instant",
    words,
};

/// Splits unquoted words at `[`, `]` and `;` so that `[put a b;` reads as
/// `[`, `put`, `a`, `b`, `;`.
fn separate(rest: &[Word]) -> Vec<Word> {
    let mut out = Vec::new();
    for w in rest {
        if w.quoted {
            out.push(w.clone());
            continue;
        }
        let mut cur = String::new();
        for c in w.text.chars() {
            if matches!(c, '[' | ']' | ';') {
                if !cur.is_empty() {
                    out.push(Word {
                        text: std::mem::take(&mut cur),
                        quoted: false,
                    });
                }
                out.push(Word {
                    text: c.to_string(),
                    quoted: false,
                });
            } else {
                cur.push(c);
            }
        }
        if !cur.is_empty() {
            out.push(Word {
                text: cur,
                quoted: false,
            });
        }
    }
    out
}

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    let rest = separate(rest);
    let usage = || format!("usage: {}", INFO.usage);
    let (first, inner) = rest.split_first().ok_or_else(usage)?;
    let (last, inner) = inner.split_last().ok_or_else(usage)?;
    if !first.is("[") || !last.is("]") {
        return Err(usage());
    }
    let mut steps = Vec::new();
    let mut depth = 0usize;
    let mut part: Vec<Word> = Vec::new();
    for w in inner.iter().chain([&Word {
        text: ";".into(),
        quoted: false,
    }]) {
        if w.is("[") {
            depth += 1;
        } else if w.is("]") {
            depth = depth.checked_sub(1).ok_or_else(usage)?;
        } else if w.is(";") && depth == 0 {
            let kind = StepKind::from_words(&part, cx).ok_or_else(|| {
                let word = part.first().map_or("", |w| w.text.as_str());
                format!("{word:?} is not a step; {}", StepKind::one_of())
            })??;
            steps.push(Step { kind, expect: None });
            part.clear();
            continue;
        }
        part.push(w.clone());
    }
    if depth != 0 {
        return Err(usage());
    }
    Ok(StepKind::Concurrently(steps))
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    cx.plan(|plan| {
        plan.begin_concurrently();
        Ok(())
    })
    .map_err(de::Error::custom)?;
    let steps: Vec<Step> = map.next_value_seed(Seed::new(cx))?;
    cx.plan(|plan| {
        plan.end_concurrently();
        Ok(())
    })
    .map_err(de::Error::custom)?;
    if steps.is_empty() {
        return Err(de::Error::custom("concurrently: needs at least one step"));
    }
    Ok(StepKind::Concurrently(steps))
}

/// `None` when a step inside expects something (the command line cannot say so).
pub(super) fn to_words(steps: &[Step]) -> Option<String> {
    let mut parts = Vec::new();
    for s in steps {
        if s.expect.is_some() {
            return None;
        }
        parts.push(s.kind.to_words()?);
    }
    Some(format!("concurrently [ {} ]", parts.join(" ; ")))
}

pub(super) fn to_yaml(steps: &[Step]) -> String {
    yaml::seq(steps.iter().map(Step::to_yaml))
}

pub(super) fn label(steps: &[Step]) -> String {
    let parts: Vec<String> = steps.iter().map(|s| s.kind.to_string()).collect();
    format!("concurrently [{}]", parts.join("; "))
}

pub(super) async fn start(steps: &[Step], engine: &mut Engine, run: &mut StepRun) -> Result<(), String> {
    for inner in steps {
        let mut sub = run.beside();
        inner.start_in(engine, &mut sub).await?;
        run.absorb(sub, inner.own_expect());
    }
    Ok(())
}
