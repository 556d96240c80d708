//! A chaos seed as a preset: its cluster, and every action the run took, at
//! the virtual instant it took it. Replaying it (headless or in the
//! playground) repeats the run exactly, because the engine is deterministic
//! and the preset drives it through the same calls in the same order.

use std::fmt::Write as _;

use crate::core::clock::VClock;
use crate::core::config::Settings;
use crate::core::ids::{Names, NodeId};
use crate::core::time::{Dur, Time};
use crate::core::version::ClockMode;
use crate::engine::ClusterSpec;

/// Builds the preset text line by line.
#[derive(Clone, Debug)]
pub struct Replay {
    /// The cluster the seed ran (a seed may draw its own).
    pub spec: ClusterSpec,
    steps: Vec<String>,
    last_at: Option<Time>,
}

/// A YAML scalar, quoted so that commas, colons and `#` stay text.
pub fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

fn dur(d: Dur) -> String {
    format!("{}us", d.micros())
}

impl Replay {
    pub fn new(spec: ClusterSpec) -> Replay {
        Replay {
            spec,
            steps: Vec::new(),
            last_at: None,
        }
    }

    /// Pins the next steps to instant `t` (once per instant).
    pub fn at(&mut self, t: Time) {
        if self.last_at != Some(t) {
            self.steps.push(format!("  - at: {}us", t.micros()));
            self.last_at = Some(t);
        }
    }

    /// Adds one step, written as a YAML flow mapping body (`put: {...}`).
    pub fn step(&mut self, text: impl Into<String>) {
        self.steps.push(format!("  - {}", text.into()));
    }

    /// A clock as a preset writes it, with node names.
    pub fn clock(clock: &VClock, names: &Names) -> String {
        let mut parts: Vec<String> = clock.iter().map(|(n, c)| format!("{}: {c}", names.node(n))).collect();
        // Extra dots (a dotted-mode context's events past a gap): `+n1: [3, 5]`.
        let mut extras: Vec<(NodeId, Vec<String>)> = Vec::new();
        for (n, c) in clock.extra_dots() {
            match extras.last_mut() {
                Some((last, list)) if *last == n => list.push(c.to_string()),
                _ => extras.push((n, vec![c.to_string()])),
            }
        }
        for (n, list) in extras {
            parts.push(format!("+{}: [{}]", names.node(n), list.join(", ")));
        }
        format!("{{{}}}", parts.join(", "))
    }

    /// The whole preset.
    pub fn render(&self, name: &str, description: &str, seed: u64, clients: &[String]) -> String {
        let spec = &self.spec;
        let mut out = String::new();
        let _ = writeln!(out, "name: {name}");
        let _ = writeln!(out, "description: {}", quote(description));
        let _ = writeln!(out, "seed: {seed}");
        let _ = writeln!(out, "cluster:");
        let _ = writeln!(out, "  nodes:");
        for n in &spec.nodes {
            match &n.tokens {
                Some(t) => {
                    let tokens: Vec<String> = t.iter().map(|x| x.to_string()).collect();
                    let _ = writeln!(out, "    - {{name: {}, tokens: [{}]}}", n.name, tokens.join(", "));
                }
                None => {
                    let _ = writeln!(out, "    - {}", n.name);
                }
            }
        }
        let _ = writeln!(out, "  vnodes: {}", spec.vnodes);
        if !spec.seeds.is_empty() {
            let _ = writeln!(out, "  seeds: [{}]", spec.seeds.join(", "));
        }
        for (k, v) in settings_lines(&spec.settings) {
            let _ = writeln!(out, "  {k}: {v}");
        }
        let _ = writeln!(out, "clients: [{}]", clients.join(", "));
        let _ = writeln!(out, "steps:");
        for s in &self.steps {
            let _ = writeln!(out, "{s}");
        }
        out
    }
}

/// Every setting, exactly, as a preset writes it.
pub fn settings_lines(s: &Settings) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("replicas", s.replicas.to_string()),
        ("read_quorum", s.read_quorum.to_string()),
        ("write_quorum", s.write_quorum.to_string()),
        ("request_timeout", dur(s.request_timeout)),
        ("routing", s.routing.name().to_string()),
        ("latency", format!("{}..{}", dur(s.latency.min), dur(s.latency.max))),
        ("drop_rate", s.drop_rate.to_string()),
        ("sloppy_quorum", s.sloppy_quorum.to_string()),
        ("hinted_handoff", s.hinted_handoff.to_string()),
        ("handoff_interval", dur(s.handoff_interval)),
        ("read_repair", s.read_repair.to_string()),
        ("gossip_interval", dur(s.gossip_interval)),
        ("gossip_fanout", s.gossip_fanout.to_string()),
        ("failure_detector", s.failure_detector.name().to_string()),
        ("suspect_after", dur(s.suspect_after)),
        ("phi_threshold", s.phi_threshold.to_string()),
        ("down_confirmations", s.down_confirmations.to_string()),
        (
            "anti_entropy_interval",
            s.anti_entropy_interval.map_or_else(|| "off".to_string(), dur),
        ),
        ("merkle_depth", s.merkle_depth.to_string()),
        (
            "clocks",
            match s.clocks {
                // The planted defect cannot be written down; a replay of it
                // runs as plain vector clocks.
                ClockMode::BrokenVector => "vector".to_string(),
                m => m.name().to_string(),
            },
        ),
    ];
    if let Some(h) = s.hint_after {
        v.push(("hint_after", dur(h)));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_with_extra_dots_is_written_as_a_preset_reads_it() {
        let names = Names::new(["n1", "n2"]);
        let mut clock = VClock::from_pairs([(NodeId(0), 1), (NodeId(1), 2)]);
        clock.add_dot(NodeId(0), 3);
        clock.add_dot(NodeId(0), 5);
        // The preset side reads this form back: see scenario::expect's tests.
        assert_eq!(Replay::clock(&clock, &names), "{n1: 1, n2: 2, +n1: [3, 5]}");
    }
}
