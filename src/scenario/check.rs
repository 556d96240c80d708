//! Checking expectations against what happened.

use crate::core::client::OpReport;
use crate::core::clock::VClock;
use crate::core::ids::NodeId;
use crate::core::membership::MemberStatus;
use crate::core::message::Outcome;
use crate::core::plural::count;
use crate::core::version::sort_canonically;
use crate::engine::Engine;

use super::expect::{ClockSpec, Converged, Expect, Seen, ValueSet};

/// One checked expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// What was expected, as the preset wrote it.
    pub text: String,
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

fn result(text: String, passed: bool, detail: String) -> CheckResult {
    CheckResult { text, passed, detail }
}

/// Resolves a preset's clock against the current ring.
pub fn resolve_clock(spec: &ClockSpec, engine: &Engine) -> Result<VClock, String> {
    let mut clock = VClock::new();
    for (node, counter) in &spec.0 {
        let id = node.resolve(engine.names(), engine.ring())?;
        clock.set(id, *counter);
    }
    for (node, counter) in &spec.1 {
        let id = node.resolve(engine.names(), engine.ring())?;
        clock.add_dot(id, *counter);
    }
    Ok(clock)
}

/// Checks every expectation of `expect`. `report` is the step's operation, if any.
pub async fn check(expect: &Expect, report: Option<&OpReport>, engine: &mut Engine) -> Vec<CheckResult> {
    let mut out = Vec::new();
    if let Some(report) = report {
        check_op(expect, report, engine, &mut out);
    }
    if let Some(r) = &expect.replica {
        let text = format!(
            "replica {} at {}{}{}",
            r.key.0,
            r.node,
            r.values.as_ref().map(|v| format!(" holds {v}")).unwrap_or_default(),
            r.clock.as_ref().map(|c| format!(" with clock {c}")).unwrap_or_default()
        );
        match r.node.resolve(engine.names(), engine.ring()) {
            Err(e) => out.push(result(text, false, e)),
            Ok(node) => {
                let versions = engine.versions(node, &r.key.0).await;
                let names = engine.names();
                let held: Vec<String> = versions.iter().map(|v| v.display(names).to_string()).collect();
                let mut passed = true;
                if let Some(values) = &r.values {
                    passed &= value_set(versions.iter().map(|v| v.value.to_string())) == *values;
                }
                if let Some(spec) = &r.clock {
                    match resolve_clock(spec, engine) {
                        Ok(clock) => passed &= versions.len() == 1 && versions[0].clock == clock,
                        Err(_) => passed = false,
                    }
                }
                let detail = format!("{} holds [{}]", engine.names().node(node), held.join(" | "));
                out.push(result(text, passed, detail));
            }
        }
    }
    if let Some(c) = &expect.converged {
        out.push(check_converged(c, engine).await);
    }
    if let Some(m) = &expect.metrics {
        out.extend(check_metrics(m, engine));
    }
    if let Some(c) = &expect.siblings_concurrent {
        out.push(check_siblings_concurrent(c, engine).await);
    }
    if let Some(want) = expect.in_flight {
        let got = engine.ops_in_flight();
        out.push(result(
            format!("in_flight {want}"),
            got == want,
            format!("{got} client operations wait for an answer"),
        ));
    }
    if let Some(s) = &expect.sees {
        out.push(check_sees(s, engine).await);
    }
    if let Some(a) = &expect.all_see {
        out.push(check_all_see(a, engine).await);
    }
    if let Some(agreed) = expect.ring_agreed {
        out.push(check_ring_agreed(agreed, engine).await);
    }
    if let Some(a) = &expect.anti_entropy {
        out.push(check_anti_entropy(a, engine));
    }
    if let Some(m) = &expect.merkle_equal {
        out.push(check_merkle_equal(m, engine).await);
    }
    if let Some(m) = &expect.messages {
        let got = engine.sent_of_kind(m.kind.0);
        let mut text = format!("{} messages", m.kind.0.name());
        let mut passed = true;
        if let Some(c) = m.count {
            text.push_str(&format!(" = {c}"));
            passed &= got == c;
        }
        if let Some(c) = m.at_least {
            text.push_str(&format!(" >= {c}"));
            passed &= got >= c;
        }
        if let Some(c) = m.at_most {
            text.push_str(&format!(" <= {c}"));
            passed &= got <= c;
        }
        out.push(result(text, passed, format!("{got} sent")));
    }
    if let Some(h) = &expect.hints {
        out.push(check_hints(h, engine).await);
    }
    if let Some(o) = &expect.overwritten {
        let count = engine.overwritten_count(o.key.as_ref().map(|k| &*k.0));
        let text = match &o.key {
            Some(k) => format!("overwritten writes of {} = {}", k.0, o.count),
            None => format!("overwritten writes = {}", o.count),
        };
        out.push(result(text, count == o.count, format!("{count} recorded")));
    }
    out
}

fn check_anti_entropy(a: &super::expect::AntiEntropyExpect, engine: &Engine) -> CheckResult {
    let t = engine.anti_entropy_totals();
    let mut parts = Vec::new();
    let mut passed = true;
    let mut exact = |name: &str, want: Option<u64>, got: u64| {
        if let Some(w) = want {
            parts.push(format!("{name} = {w}"));
            passed &= got == w;
        }
    };
    exact("keys exchanged", a.keys_exchanged, t.keys_exchanged);
    exact("hashes compared", a.hashes_compared, t.hashes_compared);
    exact("sessions", a.sessions, t.sessions);
    exact("repairing sessions", a.repairing_sessions, t.repairing);
    if let Some(m) = a.max_hashes_compared {
        parts.push(format!("hashes compared <= {m}"));
        passed &= t.hashes_compared <= m;
    }
    let detail = format!(
        "{} ({} repairing, {} skipped): {} and {} compared, {} exchanged, {} deep",
        count(t.sessions, "session"),
        t.repairing,
        t.skipped,
        count(t.hashes_compared, "hash"),
        count(t.digests_compared, "key digest"),
        count(t.keys_exchanged, "key"),
        count(t.levels, "level")
    );
    result(format!("anti-entropy {}", parts.join(", ")), passed, detail)
}

async fn check_merkle_equal(m: &super::expect::MerkleEqualExpect, engine: &mut Engine) -> CheckResult {
    let names: Vec<String> = m.nodes.iter().map(|n| n.to_string()).collect();
    let text = format!(
        "merkle roots equal for {}'s range on {}",
        m.key_range_of.0,
        names.join(", ")
    );
    let mut roots = Vec::new();
    for n in &m.nodes {
        let node = match n.resolve(engine.names(), engine.ring()) {
            Ok(x) => x,
            Err(e) => return result(text, false, e),
        };
        let root = engine.merkle_root(node, &m.key_range_of.0).await;
        roots.push((engine.names().node(node).to_string(), root));
    }
    let shown: Vec<String> = roots
        .iter()
        .map(|(n, r)| match r {
            Some(r) => format!("{n} {r:016x}"),
            None => format!("{n} does not replicate it"),
        })
        .collect();
    let equal = roots.iter().all(|(_, r)| r.is_some() && *r == roots[0].1);
    result(text, equal, shown.join(", "))
}

/// How `observer` sees `node`: `left` once its list says the node left,
/// its liveness otherwise.
async fn seen_by(engine: &mut Engine, observer: NodeId, node: NodeId) -> Seen {
    let view = engine.membership(observer).await;
    match view.entries.iter().find(|e| e.node == node) {
        Some(e) if e.status == MemberStatus::Left => Seen::Left,
        _ => Seen::Alive(view.liveness_of(node)),
    }
}

async fn check_sees(s: &super::expect::SeesExpect, engine: &mut Engine) -> CheckResult {
    let text = format!("{} sees {} {}", s.observer, s.node, s.status);
    let (observer, node) = match (
        s.observer.resolve(engine.names(), engine.ring()),
        s.node.resolve(engine.names(), engine.ring()),
    ) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return result(text, false, e),
    };
    if !engine.is_alive(observer) {
        let name = engine.names().node(observer).to_string();
        return result(text, false, format!("{name} is not running, so it sees nothing"));
    }
    let got = seen_by(engine, observer, node).await;
    let names = engine.names();
    let detail = format!("{} sees {} {}", names.node(observer), names.node(node), got.name());
    result(text, s.status.holds(got), detail)
}

async fn check_all_see(a: &super::expect::AllSeeExpect, engine: &mut Engine) -> CheckResult {
    let text = format!("every live node sees {} {}", a.node, a.status);
    let node = match a.node.resolve(engine.names(), engine.ring()) {
        Ok(n) => n,
        Err(e) => return result(text, false, e),
    };
    let mut wrong = Vec::new();
    let mut observers = 0;
    for observer in engine.node_ids() {
        if observer == node || !engine.is_alive(observer) {
            continue;
        }
        observers += 1;
        let got = seen_by(engine, observer, node).await;
        if !a.status.holds(got) {
            wrong.push(format!("{} sees it {}", engine.names().node(observer), got.name()));
        }
    }
    if wrong.is_empty() {
        result(text, true, format!("all {observers} agree"))
    } else {
        result(text, false, wrong.join(", "))
    }
}

async fn check_ring_agreed(agreed: bool, engine: &mut Engine) -> CheckResult {
    let text = if agreed {
        "every live node has the same ring"
    } else {
        "live nodes see different rings"
    }
    .to_string();
    let mut views: Vec<(String, std::sync::Arc<crate::core::ring::Ring>)> = Vec::new();
    for node in engine.node_ids() {
        if engine.is_alive(node) {
            let ring = engine.membership(node).await.ring;
            views.push((engine.names().node(node).to_string(), ring));
        }
    }
    let first = views.first().map(|(_, r)| r.clone());
    let differing: Vec<String> = views
        .iter()
        .filter(|(_, r)| Some(r) != first.as_ref())
        .map(|(n, r)| format!("{n} has {}", count(r.members().len(), "member")))
        .collect();
    let same = differing.is_empty();
    let detail = if same {
        let members = first.map_or(0, |r| r.members().len());
        format!(
            "{} agree on a ring of {}",
            count(views.len(), "node"),
            count(members, "member")
        )
    } else {
        format!(
            "{} sees {} but {}",
            views[0].0,
            count(views[0].1.members().len(), "member"),
            differing.join(", ")
        )
    };
    result(text, same == agreed, detail)
}

async fn check_hints(h: &super::expect::HintsExpect, engine: &mut Engine) -> CheckResult {
    let text = match &h.owner {
        Some(o) => format!("{} keeps {} for {o}", h.node, count(h.count, "hint")),
        None => format!("{} keeps {}", h.node, count(h.count, "hint")),
    };
    let node = match h.node.resolve(engine.names(), engine.ring()) {
        Ok(n) => n,
        Err(e) => return result(text, false, e),
    };
    let owner = match h
        .owner
        .as_ref()
        .map(|o| o.resolve(engine.names(), engine.ring()))
        .transpose()
    {
        Ok(o) => o,
        Err(e) => return result(text, false, e),
    };
    let hints = engine.hints(node).await;
    let names = engine.names();
    let held: Vec<String> = hints
        .iter()
        .filter(|(o, _, _)| owner.is_none_or(|x| x == *o))
        .map(|(o, k, _)| format!("{k} for {}", names.node(*o)))
        .collect();
    let detail = if held.is_empty() {
        format!("{} keeps none", names.node(node))
    } else {
        format!("{} keeps {}", names.node(node), held.join(", "))
    };
    result(text, held.len() == h.count, detail)
}

fn value_set(values: impl Iterator<Item = String>) -> ValueSet {
    let mut v: Vec<String> = values.collect();
    v.sort();
    v.dedup();
    ValueSet(v)
}

fn check_op(expect: &Expect, report: &OpReport, engine: &Engine, out: &mut Vec<CheckResult>) {
    let names = engine.names();
    let kind = if report.is_put() { "put" } else { "get" };
    let failure = report.outcome.failure().map(|f| f.to_string());
    if let Some(ok) = expect.ok {
        let detail = match &failure {
            None => "it succeeded".to_string(),
            Some(f) => format!("it failed: {f}"),
        };
        out.push(result(format!("ok = {ok}"), report.outcome.is_ok() == ok, detail));
    }
    if let Some(spec) = &expect.clock {
        let text = format!("clock {spec}");
        let got = match &report.outcome {
            Outcome::Put { clock, .. } => Ok(clock.clone()),
            Outcome::Get { versions, .. } if versions.len() == 1 => Ok(versions[0].clock.clone()),
            Outcome::Get { versions, .. } => Err(format!("the get returned {} versions, not one", versions.len())),
            Outcome::Unavailable(f) => Err(format!("the {kind} never reached a coordinator: {f}")),
        };
        out.push(match (got, resolve_clock(spec, engine)) {
            (Ok(got), Ok(want)) => result(text, got == want, format!("got {}", got.display(names))),
            (Err(e), _) | (_, Err(e)) => result(text, false, e),
        });
    }
    if let Some(values) = &expect.values {
        let text = format!("values {values}");
        out.push(match &report.outcome {
            Outcome::Get { versions, .. } => {
                let got = value_set(versions.iter().map(|v| v.value.to_string()));
                let mut shown = versions.clone();
                sort_canonically(&mut shown);
                let shown: Vec<String> = shown.iter().map(|v| v.display(names).to_string()).collect();
                result(text, got == *values, format!("got [{}]", shown.join(" | ")))
            }
            _ => result(
                text,
                false,
                format!("values checks what a get returned; this is a {kind}"),
            ),
        });
    }
    if let Some(spec) = &expect.context {
        let text = format!("context {spec}");
        out.push(match (&report.outcome, resolve_clock(spec, engine)) {
            (Outcome::Get { context, .. }, Ok(want)) => {
                result(text, *context == want, format!("got {}", context.display(names)))
            }
            (_, Err(e)) => result(text, false, e),
            _ => result(
                text,
                false,
                format!("context checks what a get returned; this is a {kind}"),
            ),
        });
    }
    if let Some(want) = expect.siblings {
        let text = format!("siblings = {want}");
        out.push(match &report.outcome {
            Outcome::Get { versions, .. } => result(text, versions.len() == want, format!("got {}", versions.len())),
            _ => result(
                text,
                false,
                format!("siblings checks what a get returned; this is a {kind}"),
            ),
        });
    }
    if let Some(items) = &expect.has_items {
        let text = format!(
            "holds items {}",
            items.iter().map(|t| t.0.as_str()).collect::<Vec<_>>().join(", ")
        );
        out.push(match &report.outcome {
            Outcome::Get { versions, .. } => {
                let held: std::collections::BTreeSet<&str> = versions.iter().flat_map(|v| v.value.split(',')).collect();
                let missing: Vec<&str> = items
                    .iter()
                    .map(|t| t.0.as_str())
                    .filter(|i| !held.contains(i))
                    .collect();
                if missing.is_empty() {
                    result(text, true, format!("all {} present", items.len()))
                } else {
                    result(text, false, format!("missing {}", missing.join(", ")))
                }
            }
            _ => result(
                text,
                false,
                format!("has_items checks what a get returned; this is a {kind}"),
            ),
        });
    }
    if let Some(needle) = &expect.error {
        let text = format!("error contains {needle:?}");
        out.push(match &failure {
            Some(f) => result(text, f.contains(needle.as_str()), format!("error was {f:?}")),
            None => result(text, false, "it succeeded".into()),
        });
    }
    if let Some(node) = &expect.coordinator {
        let text = format!("coordinator {node}");
        let got = report
            .coordinator
            .map(|n| names.node(n).to_string())
            .unwrap_or_else(|| "none".into());
        out.push(match node.resolve(names, engine.ring()) {
            Ok(want) => result(text, report.coordinator == Some(want), format!("coordinated by {got}")),
            Err(e) => result(text, false, e),
        });
    }
    if let Some(max) = &expect.max_latency {
        let latency = report.latency();
        out.push(result(
            format!("latency at most {}", max.0),
            latency <= max.0,
            format!("took {latency}"),
        ));
    }
    if let Some(min) = &expect.min_latency {
        let latency = report.latency();
        out.push(result(
            format!("latency at least {}", min.0),
            latency >= min.0,
            format!("took {latency}"),
        ));
    }
}

async fn check_converged(c: &Converged, engine: &mut Engine) -> CheckResult {
    let keys: Vec<String> = match c {
        Converged::Key(k) => vec![k.clone()],
        Converged::All => {
            let mut all = std::collections::BTreeSet::new();
            for node in engine.node_ids() {
                for (k, _) in engine.contents(node).await {
                    all.insert(k.to_string());
                }
            }
            all.into_iter().collect()
        }
    };
    let text = match c {
        Converged::Key(k) => format!("converged {k}"),
        Converged::All => "converged all".to_string(),
    };
    let n = engine.settings().replicas;
    for key in &keys {
        let replicas = engine.ring().preference_list(key, n);
        let mut first: Option<(String, Vec<crate::core::version::Version>)> = None;
        for node in replicas {
            if !engine.is_alive(node) {
                continue;
            }
            let mut versions = engine.versions(node, key).await;
            sort_canonically(&mut versions);
            let name = engine.names().node(node).to_string();
            match &first {
                None => first = Some((name, versions)),
                Some((first_name, first_versions)) if *first_versions != versions => {
                    let names = engine.names();
                    let show = |vs: &[crate::core::version::Version]| {
                        vs.iter()
                            .map(|v| v.display(names).to_string())
                            .collect::<Vec<_>>()
                            .join(" | ")
                    };
                    let detail = format!(
                        "{key}: {first_name} holds [{}] but {name} holds [{}]",
                        show(first_versions),
                        show(&versions)
                    );
                    return result(text, false, detail);
                }
                Some(_) => {}
            }
        }
    }
    let detail = match c {
        Converged::Key(_) => "every live replica holds the same versions".to_string(),
        Converged::All => format!("{}, every live replica in agreement", count(keys.len(), "key")),
    };
    result(text, true, detail)
}

/// No live node keeps a version beside one that supersedes it, by the chaos
/// checker's own comparison (not the code's): last-write-wins keeps one
/// version, the other modes only concurrent ones.
async fn check_siblings_concurrent(c: &Converged, engine: &mut Engine) -> CheckResult {
    let text = match c {
        Converged::Key(k) => format!("siblings_concurrent {k}"),
        Converged::All => "siblings_concurrent all".to_string(),
    };
    let mode = engine.settings().clocks;
    let mut keys = 0;
    for node in engine.node_ids() {
        if !engine.is_alive(node) {
            continue;
        }
        for (key, versions) in engine.contents(node).await {
            if matches!(c, Converged::Key(k) if *k != key.as_str()) {
                continue;
            }
            keys += 1;
            let name = engine.names().node(node).to_string();
            for (i, a) in versions.iter().enumerate() {
                for (j, b) in versions.iter().enumerate() {
                    if i != j && crate::chaos::oracle::supersedes(a, b, mode) {
                        let names = engine.names();
                        let detail = format!(
                            "{name} holds {key} = {} beside {}, which it supersedes",
                            a.display(names),
                            b.display(names)
                        );
                        return result(text, false, detail);
                    }
                }
            }
        }
    }
    result(text, true, format!("{keys} stored keys, no superseded sibling"))
}

/// Checks each bound of a metrics expectation over the complete seconds of
/// its window before now.
fn check_metrics(m: &super::expect::MetricsExpect, engine: &Engine) -> Vec<CheckResult> {
    let seconds = m.window.micros().div_ceil(1_000_000);
    let Some(metrics) = engine.trace_tap::<crate::metrics::Metrics>() else {
        return m
            .bounds
            .iter()
            .map(|(name, ..)| {
                result(
                    format!("metrics {name}"),
                    false,
                    "no metrics are kept for this run".into(),
                )
            })
            .collect();
    };
    let (totals, rows) = metrics.window(engine.now(), seconds);
    m.bounds
        .iter()
        .map(|(name, lo, hi)| {
            let mut text = format!("metrics {name} over the last {}", m.window);
            if let Some(lo) = lo {
                text.push_str(&format!(" at least {lo}"));
            }
            if let Some(hi) = hi {
                text.push_str(&format!(" at most {hi}"));
            }
            let v = crate::metrics::columns::value(&totals, name).unwrap_or(f64::NAN);
            let passed = rows > 0 && lo.is_none_or(|lo| v >= lo) && hi.is_none_or(|hi| v <= hi);
            let detail = if rows == 0 {
                "no complete second in the window yet".to_string()
            } else {
                format!("{name} = {} over {rows} s ({} operations)", round4(v), totals.ops())
            };
            result(text, passed, detail)
        })
        .collect()
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}
