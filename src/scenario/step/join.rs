//! `join`: start a new node that contacts a seed and takes over its ranges.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::info::StepInfo;
use super::kind::StepKind;
use super::words::{Word, quote};
use super::yaml;
use crate::core::config::MAX_VNODES;
use crate::engine::Engine;
use crate::scenario::noderef::NodeRef;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::seeded::{Parse, Seed, parse_struct};
use crate::scenario::settings_patch::parse_token;
use crate::scenario::text::Text;

pub(super) const INFO: StepInfo = StepInfo {
    name: "join",
    usage: "join NAME [TOKEN ...]",
    help: "a new node joins the ring (tokens optional)",
    words,
};

/// `join: s6` or `join: {node: s6, tokens: ["25%"]}`.
enum JoinWire {
    Name(Text),
    Full(JoinFull),
}

parse_struct! {
    struct JoinFull, "a join: {node, tokens}" {
        node: Text,
        tokens: Option<Vec<Text>> = None,
    }
}

impl Parse for JoinWire {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        struct V<'c>(&'c mut ParseContext);
        impl<'de> Visitor<'de> for V<'_> {
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
                JoinFull::parse(de::value::MapAccessDeserializer::new(map), self.0).map(JoinWire::Full)
            }
        }
        d.deserialize_any(V(cx))
    }
}

/// Checks a join and registers its node in `cx`, so later steps may name it.
fn new(node: String, tokens: Option<Vec<String>>, cx: &mut ParseContext) -> Result<StepKind, String> {
    crate::engine::check_name(&node)?;
    if NodeRef::parse(&node).is_ok() && cx.knows(&node) {
        return Err(format!("join: there is already a node named {node}"));
    }
    cx.register(&node);
    let tokens = tokens
        .map(|t| t.iter().map(|x| parse_token(x)).collect::<Result<Vec<u64>, _>>())
        .transpose()?;
    if let Some(t) = &tokens
        && (t.is_empty() || t.len() > MAX_VNODES)
    {
        return Err(format!("join: a node has 1 to {MAX_VNODES} tokens"));
    }
    Ok(StepKind::Join { node, tokens })
}

fn words(rest: &[Word], cx: &mut ParseContext) -> Result<StepKind, String> {
    let [name, tokens @ ..] = rest else {
        return Err(format!("usage: {}", INFO.usage));
    };
    let tokens = (!tokens.is_empty()).then(|| tokens.iter().map(|t| t.text.clone()).collect());
    new(name.text.clone(), tokens, cx)
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    let j: JoinWire = map.next_value_seed(Seed::new(cx))?;
    let (node, tokens) = match j {
        JoinWire::Name(t) => (t.0, None),
        JoinWire::Full(JoinFull { node, tokens }) => (node.0, tokens.map(|t| t.into_iter().map(|x| x.0).collect())),
    };
    new(node, tokens, cx).map_err(de::Error::custom)
}

pub(super) fn to_words(node: &str, tokens: Option<&[u64]>) -> String {
    let mut out = format!("join {}", quote(node));
    for t in tokens.into_iter().flatten() {
        out.push_str(&format!(" {t}"));
    }
    out
}

pub(super) fn to_yaml(node: &str, tokens: Option<&[u64]>) -> String {
    match tokens {
        None => yaml::text(node),
        Some(t) => yaml::map(&[
            ("node", yaml::text(node)),
            ("tokens", yaml::seq(t.iter().map(|x| x.to_string()))),
        ]),
    }
}

pub(super) fn label(node: &str, tokens: Option<&[u64]>) -> String {
    let mut out = format!("join {node}");
    for t in tokens.into_iter().flatten() {
        out.push_str(&format!(" {t}"));
    }
    out
}

pub(super) fn start(node: &str, tokens: Option<&[u64]>, engine: &mut Engine) -> Result<(), String> {
    engine.join(node, tokens.map(<[u64]>::to_vec))?;
    Ok(())
}
