//! The run as a ShiViz log (<https://github.com/DistributedClocks/shiviz>).
//!
//! The format of ShiViz's file upload: the first line is the regular
//! expression that parses each event (ShiViz adds `^` and `$` and matches
//! line by line), the second the delimiter between executions (empty: one
//! execution), then one line per event:
//!
//! ```text
//! s1 "receive request [cart] from alice (m4503599627370497)" {"alice":1, "s1":1}
//! ```
//!
//! Every client and node is a host. Each host's own entry counts its events
//! from 1, one by one; a send is an event of its sender, a delivery an event
//! of its receiver whose clock is the merge of the receiver's and the send's
//! (so every delivery's timestamp is at least its send's, component by
//! component, as ShiViz checks). A dropped message is a send with no
//! delivery. Versions stored, operations started and finished, and faults
//! are local events of the host they concern.

use std::fmt::Write as _;

use super::diagram::{Diagram, Point};
use crate::core::ids::{Endpoint, Names};

/// The regular expression of the first line.
pub const REGEX: &str = r#"(?<host>\S+) "(?<event>.*)" (?<clock>\{.*\})"#;

/// The log of `d`.
pub fn render(d: &Diagram, names: &Names) -> String {
    let hosts: Vec<&str> = d.participants.iter().map(|&e| names.endpoint(e)).collect();
    let mut clocks: Vec<Vec<u32>> = vec![vec![0; hosts.len()]; hosts.len()];
    let mut sent: Vec<Option<Vec<u32>>> = vec![None; d.messages.len()];
    let mut out = String::new();
    let _ = writeln!(out, "{REGEX}");
    out.push('\n');
    let event = |out: &mut String, host: usize, text: &str, clocks: &mut Vec<Vec<u32>>, merge: Option<&[u32]>| {
        if let Some(other) = merge {
            for (mine, theirs) in clocks[host].iter_mut().zip(other) {
                *mine = (*mine).max(*theirs);
            }
        }
        clocks[host][host] += 1;
        let entries: Vec<String> = clocks[host]
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| format!("{}:{c}", serde_json::Value::from(hosts[i])))
            .collect();
        let text: String = text
            .chars()
            .map(|c| {
                if c == '"' {
                    '\''
                } else if c.is_control() {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let _ = writeln!(out, "{} \"{text}\" {{{}}}", hosts[host], entries.join(", "));
    };
    let col = |e: Endpoint| d.column(e);
    for (_, point) in &d.points {
        match point {
            Point::Send(i) => {
                let m = &d.messages[*i];
                let Some(h) = col(m.from) else { continue };
                let text = format!("send {} to {} (m{})", m.label(), names.endpoint(m.to), m.msg.0);
                event(&mut out, h, &text, &mut clocks, None);
                sent[*i] = Some(clocks[h].clone());
            }
            Point::Deliver(i) => {
                let m = &d.messages[*i];
                let (Some(h), Some(send)) = (col(m.to), sent[*i].as_deref()) else {
                    continue;
                };
                let text = format!("receive {} from {} (m{})", m.label(), names.endpoint(m.from), m.msg.0);
                let send = send.to_vec();
                event(&mut out, h, &text, &mut clocks, Some(&send));
            }
            Point::Drop(_) | Point::Caption(_) => {}
            Point::Local { at, text } => {
                if let Some(h) = col(*at) {
                    event(&mut out, h, text, &mut clocks, None);
                }
            }
            Point::Fault { nodes, text } => {
                for &n in nodes {
                    if let Some(h) = col(Endpoint::Node(n)) {
                        event(&mut out, h, text, &mut clocks, None);
                    }
                }
            }
        }
    }
    out
}
