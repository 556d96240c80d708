//! The headless runner's two outputs: a readable timeline, and the whole
//! trace as JSON lines.

use serde_json::{Value as Json, json};

use crate::core::ids::{Endpoint, Names};
use crate::core::message::Outcome;
use crate::core::trace::{Event, TraceEvent, describe_change, describe_outcome};
use crate::core::version::Version;

/// One timeline line for `ev`, or `None` when the event is only shown in
/// verbose mode and `verbose` is off.
pub fn line(ev: &TraceEvent, names: &Names, verbose: bool) -> Option<String> {
    let text = match &ev.event {
        Event::Step { index, text } => format!("── step {}: {text}", index + 1),
        Event::Caption(text) => format!("   » {text}"),
        Event::OpStarted { .. } | Event::OpFinished { .. } => format!("   {}", ev.describe(names)),
        Event::ClusterChange(f) => format!("   ⚡ {}", describe_change(f, names)),
        Event::Overwritten { .. } | Event::Shadowed { .. } => format!("   ! {}", ev.describe(names)),
        Event::Expectation { text, passed, detail } => {
            if *passed {
                format!("   ✓ {text} ({detail})")
            } else {
                format!("   ✗ {text}: {detail}")
            }
        }
        Event::Warning(text) => format!("   warning: {text}"),
        _ if verbose => format!("     · {}", ev.describe(names)),
        _ => return None,
    };
    Some(at_line(ev.at, &text))
}

/// A timeline line: the instant, right-aligned, then the text.
pub fn at_line(at: crate::core::time::Time, text: &str) -> String {
    format!("{:>9}  {text}", at.to_string())
}

fn versions_json(versions: &[Version], names: &Names) -> Json {
    Json::Array(
        versions
            .iter()
            .map(|v| json!({"value": &*v.value, "clock": clock_json(&v.clock, names)}))
            .collect(),
    )
}

fn clock_json(clock: &crate::core::clock::VClock, names: &Names) -> Json {
    let mut map = serde_json::Map::new();
    for (node, counter) in clock.iter() {
        map.insert(names.node(node).to_string(), json!(counter));
    }
    // Extra dots (dotted mode: events beyond a node's counter) as "+s1": [3, 5].
    for (node, counter) in clock.extra_dots() {
        let entry = map.entry(format!("+{}", names.node(node))).or_insert_with(|| json!([]));
        if let Json::Array(list) = entry {
            list.push(json!(counter));
        }
    }
    Json::Object(map)
}

fn outcome_json(outcome: &Outcome, names: &Names) -> Json {
    let failure = outcome.failure().map(|f| f.to_string());
    match outcome {
        Outcome::Put { clock, .. } => {
            json!({"ok": failure.is_none(), "error": failure, "clock": clock_json(clock, names)})
        }
        Outcome::Get { versions, context, .. } => json!({
            "ok": failure.is_none(),
            "error": failure,
            "values": versions_json(versions, names),
            "context": clock_json(context, names),
        }),
        Outcome::Unavailable(_) => json!({"ok": false, "error": failure}),
    }
}

/// The event as one JSON object, names spelt out.
pub fn to_json(ev: &TraceEvent, names: &Names) -> Json {
    let ep = |e: &Endpoint| names.endpoint(*e).to_string();
    let node = |n: &crate::core::ids::NodeId| names.node(*n).to_string();
    let mut obj = match &ev.event {
        Event::Sent {
            msg,
            from,
            to,
            kind,
            key,
            arrives,
        } => json!({
            "msg": msg.0, "from": ep(from), "to": ep(to), "kind": kind.name(),
            "key": key.as_deref(), "arrives_us": arrives.micros(),
        }),
        Event::Delivered { msg, from, to, kind } => {
            json!({"msg": msg.0, "from": ep(from), "to": ep(to), "kind": kind.name()})
        }
        Event::Dropped {
            msg,
            from,
            to,
            kind,
            reason,
        } => json!({
            "msg": msg.0, "from": ep(from), "to": ep(to), "kind": kind.name(), "reason": reason.name(),
        }),
        Event::Stored {
            node: n,
            key,
            version,
            siblings,
            cause,
        } => json!({
            "node": node(n), "key": &**key, "value": &*version.value,
            "clock": clock_json(&version.clock, names), "siblings": siblings, "cause": cause.name(),
        }),
        Event::Overwritten { node: n, key, lost, by } => json!({
            "node": node(n), "key": &**key,
            "lost": versions_json(std::slice::from_ref(lost), names),
            "by": versions_json(std::slice::from_ref(by), names),
        }),
        Event::Shadowed {
            node: n,
            key,
            sibling,
            by,
        } => json!({
            "node": node(n), "key": &**key,
            "sibling": versions_json(std::slice::from_ref(sibling), names),
            "by": versions_json(std::slice::from_ref(by), names),
        }),
        Event::HintStored {
            node: n,
            owner,
            key,
            version,
        } => json!({
            "node": node(n), "owner": node(owner), "key": &**key, "value": &*version.value,
            "clock": clock_json(&version.clock, names),
        }),
        Event::HintDelivered { node: n, owner, key } => json!({"node": node(n), "owner": node(owner), "key": &**key}),
        Event::Liveness {
            observer,
            node: n,
            from,
            to,
        } => json!({
            "observer": node(observer), "node": node(n), "from": from.name(), "to": to.name(),
        }),
        Event::ViewChanged { node: n, members } => {
            json!({"node": node(n), "members": members.iter().map(node).collect::<Vec<_>>()})
        }
        Event::Transferred {
            from,
            to,
            keys,
            dropped,
        } => {
            json!({"from": node(from), "to": node(to), "keys": keys, "dropped": dropped})
        }
        Event::NodeLeft { node: n } => json!({"node": node(n)}),
        Event::Released { node: n, keys } => json!({"node": node(n), "keys": keys}),
        Event::MerkleLevel {
            node: n,
            peer,
            initiator,
            session,
            range,
            level,
            compared,
            differing,
        } => json!({
            "node": node(n), "peer": node(peer), "initiator": node(initiator), "session": session,
            "range": [range.0, range.1], "level": level, "compared": compared, "differing": differing,
        }),
        Event::AntiEntropy {
            initiator,
            peer,
            range,
            stats,
            duration,
            skipped,
        } => json!({
            "initiator": node(initiator), "peer": node(peer), "range": [range.0, range.1],
            "levels": stats.levels, "hashes_compared": stats.compared, "digests_compared": stats.digests,
            "keys_exchanged": stats.keys, "duration_us": duration.micros(), "skipped": skipped,
        }),
        Event::Coordinating { node: n, op, key, put } => {
            json!({"node": node(n), "op": op.0, "key": &**key, "op_kind": if *put { "put" } else { "get" }})
        }
        Event::OpStarted {
            op,
            client,
            key,
            value,
            via,
        } => json!({
            "op": op.0, "client": names.client(*client), "key": &**key,
            "value": value.as_deref(), "via": via.map(|n| node(&n)),
            "op_kind": if value.is_some() { "put" } else { "get" },
        }),
        Event::OpFinished {
            op,
            client,
            key,
            put,
            coordinator,
            outcome,
            replicas,
            latency,
        } => json!({
            "op": op.0, "client": names.client(*client), "key": &**key,
            "op_kind": if *put { "put" } else { "get" },
            "coordinator": coordinator.map(|n| node(&n)),
            "result": outcome_json(outcome, names),
            "replicas": replicas.iter().map(node).collect::<Vec<_>>(),
            "latency_us": latency.micros(),
            "summary": describe_outcome(outcome, names),
        }),
        Event::ClusterChange(f) => json!({"fault": describe_change(f, names)}),
        Event::Caption(text) => json!({"text": text}),
        Event::Step { index, text } => json!({"step": index + 1, "text": text}),
        Event::Expectation { text, passed, detail } => json!({"text": text, "passed": passed, "detail": detail}),
        Event::Warning(text) => json!({"text": text}),
    };
    if let Json::Object(map) = &mut obj {
        map.insert("t_us".into(), json!(ev.at.micros()));
        map.insert("event".into(), json!(ev.event.kind_name()));
    }
    obj
}
