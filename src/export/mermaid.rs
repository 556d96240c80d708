//! The run as a Mermaid sequence diagram (<https://mermaid.js.org>).
//!
//! Clients, then nodes in ring order, are the participants. Each message is
//! one arrow, placed where it arrives (so that an answer always comes below
//! what it answers): `->>` delivered, `-x` dropped (drawn where it was
//! lost), `-)` still in flight when the run ended. Faults and captions are
//! notes. Participants are declared as `P0 as s1` so that any name is safe.

use std::fmt::Write as _;

use super::diagram::{Diagram, Fate, Point};
use crate::core::ids::{Endpoint, Names};

/// Mermaid reads `;` as the end of a statement and `#` as the start of an
/// entity: both are written as entities.
fn escape(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars() {
        match c {
            '#' => s.push_str("#35;"),
            ';' => s.push_str("#59;"),
            '\n' | '\r' => s.push(' '),
            c => s.push(c),
        }
    }
    s
}

/// The diagram of `d`. Only clients that send or receive a drawn message
/// are participants; every node is.
pub fn render(d: &Diagram, names: &Names) -> String {
    let shown: Vec<bool> = d
        .participants
        .iter()
        .map(|&e| match e {
            Endpoint::Node(_) => true,
            Endpoint::Client(_) => d.messages.iter().any(|m| m.from == e || m.to == e),
        })
        .collect();
    let id = |e: Endpoint| d.column(e).map(|i| format!("P{i}"));
    let mut out = String::from("sequenceDiagram\n");
    for (i, &e) in d.participants.iter().enumerate() {
        if shown[i] {
            let kind = if matches!(e, Endpoint::Client(_)) {
                "actor"
            } else {
                "participant"
            };
            let _ = writeln!(out, "    {kind} P{i} as {}", escape(names.endpoint(e)));
        }
    }
    let nodes: Vec<usize> = (0..d.participants.len())
        .filter(|&i| shown[i] && matches!(d.participants[i], Endpoint::Node(_)))
        .collect();
    let span = |cols: &[usize]| -> Option<String> {
        let lo = cols.iter().min()?;
        let hi = cols.iter().max()?;
        Some(if lo == hi {
            format!("P{lo}")
        } else {
            format!("P{lo},P{hi}")
        })
    };
    let all = span(&nodes);
    let arrow = |out: &mut String, i: usize, head: &str, note: &str| {
        let m = &d.messages[i];
        if let (Some(a), Some(b)) = (id(m.from), id(m.to)) {
            let _ = writeln!(out, "    {a}{head}{b}: {}{note}", escape(&m.label()));
        }
    };
    for (_, point) in &d.points {
        match point {
            Point::Deliver(i) => arrow(&mut out, *i, "->>", ""),
            Point::Drop(i) => {
                let reason = match d.messages[*i].fate {
                    Fate::Dropped(_, r) => r.name(),
                    _ => "lost",
                };
                arrow(&mut out, *i, "-x", &format!(" (dropped: {reason})"));
            }
            Point::Fault { nodes: about, text } => {
                let cols: Vec<usize> = about.iter().filter_map(|&n| d.column(Endpoint::Node(n))).collect();
                let over = if cols.is_empty() { all.clone() } else { span(&cols) };
                if let Some(over) = over {
                    let _ = writeln!(out, "    Note over {over}: ⚡ {}", escape(text));
                }
            }
            Point::Caption(text) => {
                if let Some(over) = &all {
                    let _ = writeln!(out, "    Note over {over}: {}", escape(text));
                }
            }
            Point::Send(_) | Point::Local { .. } => {}
        }
    }
    for (i, m) in d.messages.iter().enumerate() {
        if m.fate == Fate::InFlight {
            arrow(&mut out, i, "-)", " (in flight)");
        }
    }
    out
}
