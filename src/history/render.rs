//! The version history as text (one line per version) and as JSON.

use serde_json::{Value as Json, json};

use crate::core::clock::VClock;
use crate::core::ids::Names;
use crate::core::version::Version;

use super::graph::{History, HistoryVersion, Mark};

/// The clock as ringside writes it, with the dot in dotted mode:
/// `{s1:2, s2:1}` or `{s1:1}+s2:3`.
pub fn clock_text(v: &Version, names: &Names) -> String {
    let mut s = v.clock.display(names).to_string();
    if let Some(d) = v.dot {
        s.push_str(&format!("+{}:{}", names.node(d.node), d.counter));
    }
    s
}

/// A mark in words: `sibling`, `replaced by D5`.
pub fn mark_text(h: &History, mark: Mark) -> String {
    let words = match mark {
        Mark::Sibling => "sibling",
        Mark::Overwritten { .. } => "overwritten by",
        Mark::Shadowed { .. } => "shadowed by",
        Mark::LostToLww { .. } => "lost to last-write-wins against",
        Mark::Replaced { .. } => "replaced by",
    };
    match mark.by() {
        Some(b) => format!("{words} {}", h.versions[b].label),
        None => words.to_string(),
    }
}

fn parents_text(h: &History, v: &HistoryVersion) -> String {
    if v.parents.is_empty() {
        "-".to_string()
    } else {
        v.parents
            .iter()
            .map(|&p| h.versions[p].label.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn holders_text(h: &History, v: &HistoryVersion, names: &Names) -> String {
    if !h.holders_known {
        return "unknown".to_string();
    }
    if v.holders.is_empty() {
        return "none".to_string();
    }
    v.holders
        .iter()
        .map(|x| {
            let n = names.node(x.node);
            if x.hint { format!("{n} (hint)") } else { n.to_string() }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per version, columns aligned, oldest first:
/// `D3  CARM  {s1:2, s2:1}  by s2 at 1.119s  parents D2  marks sibling, replaced by D5  held by none`.
pub fn text(h: &History, names: &Names) -> String {
    let rows: Vec<[String; 7]> = h
        .versions
        .iter()
        .map(|v| {
            let marks = if v.marks.is_empty() {
                "-".to_string()
            } else {
                v.marks.iter().map(|&m| mark_text(h, m)).collect::<Vec<_>>().join(", ")
            };
            [
                v.label.clone(),
                v.version.value.to_string(),
                clock_text(&v.version, names),
                format!("by {} at {}", names.node(v.coordinator), v.at),
                format!("parents {}", parents_text(h, v)),
                format!("marks {marks}"),
                format!("held by {}", holders_text(h, v, names)),
            ]
        })
        .collect();
    let mut widths = [0usize; 7];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn clock_json(clock: &VClock, names: &Names) -> Json {
    let mut map = serde_json::Map::new();
    for (node, counter) in clock.iter() {
        map.insert(names.node(node).to_string(), json!(counter));
    }
    for (node, counter) in clock.extra_dots() {
        let entry = map.entry(format!("+{}", names.node(node))).or_insert_with(|| json!([]));
        if let Json::Array(list) = entry {
            list.push(json!(counter));
        }
    }
    Json::Object(map)
}

/// `{"key", "versions": [{label, value, clock, dot, parents, marks, holders, coordinator, t_us}]}`.
/// `holders` is null when the holders are not known.
pub fn json(h: &History, names: &Names) -> Json {
    let versions: Vec<Json> = h
        .versions
        .iter()
        .map(|v| {
            let marks: Vec<Json> = v
                .marks
                .iter()
                .map(|&m| json!({"kind": m.kind(), "by": m.by().map(|b| h.versions[b].label.clone())}))
                .collect();
            let holders = h.holders_known.then(|| {
                v.holders
                    .iter()
                    .map(|x| json!({"node": names.node(x.node), "hint": x.hint}))
                    .collect::<Vec<_>>()
            });
            json!({
                "label": v.label,
                "value": &*v.version.value,
                "clock": clock_json(&v.version.clock, names),
                "dot": v.version.dot.map(|d| format!("{}:{}", names.node(d.node), d.counter)),
                "clock_text": clock_text(&v.version, names),
                "parents": v.parents.iter().map(|&p| h.versions[p].label.clone()).collect::<Vec<_>>(),
                "marks": marks,
                "holders": holders,
                "coordinator": names.node(v.coordinator),
                "t_us": v.at.micros(),
            })
        })
        .collect();
    json!({"key": &*h.key, "versions": versions})
}
