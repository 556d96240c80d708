//! `traffic`: start a background workload of gets and puts at a rate, or
//! stop it (see [`crate::scenario::traffic`]).

use std::fmt;

use serde::Deserializer;
use serde::de::{self, MapAccess, Visitor};

use super::info::StepInfo;
use super::kind::{StepKind, TrafficStep};
use super::words::{Word, number};
use super::yaml;
use crate::core::config::Routing;
use crate::engine::Engine;
use crate::scenario::parse_context::ParseContext;
use crate::scenario::seeded::{Parse, Seed, parse_struct};
use crate::scenario::text::Text;
use crate::scenario::traffic::{self, TrafficSpec};

pub(super) const INFO: StepInfo = StepInfo {
    name: "traffic",
    usage: "traffic RATE [OPTION=VALUE ...] | traffic off",
    help: "background gets and puts, RATE a second; options keys reads zipf clients via=any|aware r w",
    words,
};

/// `traffic: off` or `traffic: {rate: 200, ...}`.
enum TrafficWire {
    Off(String),
    Full(TrafficFull),
}

parse_struct! {
    struct TrafficFull, "traffic: {rate, keys, reads, zipf, clients, via, r, w}" {
        rate: u64,
        keys: Option<u64> = None,
        reads: Option<f64> = None,
        zipf: Option<f64> = None,
        clients: Option<u64> = None,
        via: Option<Text> = None,
        r: Option<usize> = None,
        w: Option<usize> = None,
    }
}

impl Parse for TrafficWire {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        struct V<'c>(&'c mut ParseContext);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = TrafficWire;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("off, or {rate: 200, keys: 100, reads: 0.8, zipf: 1.1, clients: 4, via: any, r: 1, w: 1}")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<TrafficWire, E> {
                Ok(TrafficWire::Off(s.to_string()))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<TrafficWire, E> {
                Ok(TrafficWire::Off(if b { "on" } else { "off" }.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TrafficWire, A::Error> {
                TrafficFull::parse(de::value::MapAccessDeserializer::new(map), self.0).map(TrafficWire::Full)
            }
        }
        d.deserialize_any(V(cx))
    }
}

fn via(text: &str) -> Result<Routing, String> {
    match text {
        "any" => Ok(Routing::AnyNode),
        "aware" => Ok(Routing::PartitionAware),
        other => Err(format!(
            "traffic: via={other:?} is not understood; use via=any or via=aware"
        )),
    }
}

fn via_word(r: Routing) -> &'static str {
    match r {
        Routing::AnyNode => "any",
        Routing::PartitionAware => "aware",
    }
}

fn small(name: &str, n: u64) -> Result<u32, String> {
    u32::try_from(n).map_err(|_| format!("traffic: {name}={n} is out of range"))
}

fn share(name: &str, text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .ok_or_else(|| format!("traffic: {name}={text:?} is not a number"))
}

fn new(spec: TrafficSpec) -> Result<StepKind, String> {
    spec.check()?;
    Ok(StepKind::Traffic(TrafficStep::Start(spec)))
}

fn words(rest: &[Word], _: &mut ParseContext) -> Result<StepKind, String> {
    let [first, opts @ ..] = rest else {
        return Err(format!("usage: {}", INFO.usage));
    };
    if first.is("off") && opts.is_empty() {
        return Ok(StepKind::Traffic(TrafficStep::Off));
    }
    let rate = number("rate", &first.text)
        .map_err(|_| format!("traffic: {:?} is not a rate; usage: {}", first.text, INFO.usage))?;
    let mut spec = TrafficSpec::at_rate(small("rate", rate as u64)?);
    for w in opts {
        let (name, value) = match w.text.split_once('=') {
            Some((n, v)) if !w.quoted => (n, v),
            _ => return Err(format!("{:?} is not understood; usage: {}", w.text, INFO.usage)),
        };
        match name {
            "keys" => spec.keys = small(name, number(name, value)? as u64)?,
            "reads" => spec.reads = share(name, value)?,
            "zipf" => spec.zipf = Some(share(name, value)?),
            "clients" => spec.clients = small(name, number(name, value)? as u64)?,
            "via" => spec.via = Some(via(value)?),
            "r" => spec.r = Some(number(name, value)?),
            "w" => spec.w = Some(number(name, value)?),
            _ => {
                return Err(format!(
                    "{name}= is not an option of traffic; it takes keys, reads, zipf, clients, via, r and w"
                ));
            }
        }
    }
    new(spec)
}

pub(super) fn from_yaml<'de, A: MapAccess<'de>>(map: &mut A, cx: &mut ParseContext) -> Result<StepKind, A::Error> {
    match map.next_value_seed(Seed::<TrafficWire>::new(cx))? {
        TrafficWire::Off(s) if s == "off" => Ok(StepKind::Traffic(TrafficStep::Off)),
        TrafficWire::Off(s) => Err(de::Error::custom(format!(
            "traffic: {s:?} is not understood; write `traffic: off` or `traffic: {{rate: 200, ...}}`"
        ))),
        TrafficWire::Full(f) => {
            let d = TrafficSpec::at_rate(0);
            let spec = TrafficSpec {
                rate: small("rate", f.rate).map_err(de::Error::custom)?,
                keys: f
                    .keys
                    .map_or(Ok(d.keys), |k| small("keys", k))
                    .map_err(de::Error::custom)?,
                reads: f.reads.unwrap_or(d.reads),
                zipf: f.zipf,
                clients: f
                    .clients
                    .map_or(Ok(d.clients), |c| small("clients", c))
                    .map_err(de::Error::custom)?,
                via: f.via.map(|t| via(&t.0)).transpose().map_err(de::Error::custom)?,
                r: f.r,
                w: f.w,
            };
            new(spec).map_err(de::Error::custom)
        }
    }
}

pub(super) fn to_words(t: &TrafficStep) -> String {
    let TrafficStep::Start(s) = t else {
        return "traffic off".to_string();
    };
    let mut out = format!(
        "traffic {} keys={} reads={} clients={}",
        s.rate, s.keys, s.reads, s.clients
    );
    if let Some(z) = s.zipf {
        out.push_str(&format!(" zipf={z}"));
    }
    if let Some(v) = s.via {
        out.push_str(&format!(" via={}", via_word(v)));
    }
    if let Some(r) = s.r {
        out.push_str(&format!(" r={r}"));
    }
    if let Some(w) = s.w {
        out.push_str(&format!(" w={w}"));
    }
    out
}

pub(super) fn to_yaml(t: &TrafficStep) -> String {
    let TrafficStep::Start(s) = t else {
        return "off".to_string();
    };
    let mut f = vec![
        ("rate", s.rate.to_string()),
        ("keys", s.keys.to_string()),
        ("reads", format!("{:?}", s.reads)),
        ("clients", s.clients.to_string()),
    ];
    if let Some(z) = s.zipf {
        f.push(("zipf", format!("{z:?}")));
    }
    if let Some(v) = s.via {
        f.push(("via", via_word(v).to_string()));
    }
    if let Some(r) = s.r {
        f.push(("r", r.to_string()));
    }
    if let Some(w) = s.w {
        f.push(("w", w.to_string()));
    }
    yaml::map(&f)
}

pub(super) fn label(t: &TrafficStep) -> String {
    match t {
        TrafficStep::Start(s) => format!("traffic {}", s.describe()),
        TrafficStep::Off => "traffic off".to_string(),
    }
}

pub(super) fn start(t: &TrafficStep, engine: &mut Engine) -> Result<(), String> {
    match t {
        TrafficStep::Start(s) => traffic::start(s, engine),
        TrafficStep::Off => {
            traffic::stop(engine);
            Ok(())
        }
    }
}
