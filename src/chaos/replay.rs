//! A chaos seed as a preset: its cluster, and every step the run took, at
//! the virtual instant it took it. The steps are [`Step`] values, written by
//! the same renderer as any preset's step ([`Step::to_yaml`]), and the
//! settings by the settings table ([`SettingsPatch`]). Replaying it
//! (headless or in the playground) repeats the run exactly, because the
//! engine is deterministic and the preset starts the same steps, through the
//! same step code, in the same order.

use std::fmt::Write as _;

use crate::core::clock::VClock;
use crate::core::config::Settings;
use crate::core::ids::Names;
use crate::core::time::{Dur, Time};
use crate::core::version::ClockMode;
use crate::engine::ClusterSpec;
use crate::scenario::expect::ClockSpec;
use crate::scenario::noderef::NodeRef;
use crate::scenario::settings_patch::SettingsPatch;
use crate::scenario::step::{Step, StepKind, yaml};

/// The steps of a seed, and the cluster they run on.
#[derive(Clone, Debug)]
pub struct Replay {
    /// The cluster the seed ran (a seed may draw its own).
    pub spec: ClusterSpec,
    steps: Vec<Step>,
    last_at: Option<Time>,
}

impl Replay {
    pub fn new(spec: ClusterSpec) -> Replay {
        Replay {
            spec,
            steps: Vec::new(),
            last_at: None,
        }
    }

    /// Pins the next steps to instant `t` (an `at` step, once per instant).
    pub fn at(&mut self, t: Time) {
        if self.last_at != Some(t) {
            self.steps.push(Step {
                kind: StepKind::At(Dur(t.micros())),
                expect: None,
            });
            self.last_at = Some(t);
        }
    }

    /// Adds one step.
    pub fn step(&mut self, step: Step) {
        self.steps.push(step);
    }

    /// The steps so far.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The whole preset.
    pub fn render(&self, name: &str, description: &str, seed: u64, clients: &[String]) -> String {
        let spec = &self.spec;
        let mut out = String::new();
        let _ = writeln!(out, "name: {}", yaml::text(name));
        let _ = writeln!(out, "description: {}", yaml::text(description));
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
        if spec.partitioning != crate::core::config::Partitioning::Random {
            let _ = writeln!(out, "  partitioning: {}", spec.partitioning.name());
        }
        if !spec.seeds.is_empty() {
            let _ = writeln!(out, "  seeds: [{}]", spec.seeds.join(", "));
        }
        for (k, v) in settings_lines(&spec.settings) {
            let _ = writeln!(out, "  {k}: {v}");
        }
        let _ = writeln!(out, "clients: [{}]", clients.join(", "));
        let _ = writeln!(out, "steps:");
        for s in &self.steps {
            let _ = writeln!(out, "  - {}", s.to_yaml());
        }
        out
    }
}

/// Every setting, exactly, as a preset writes it: the settings table's
/// assignments of `s`, except that an unset `hint_after` (which a preset
/// cannot write) is left out, and the planted defect `broken-vector`, which
/// cannot be written down, is written `vector` (a replay of it runs as plain
/// vector clocks).
pub fn settings_lines(s: &Settings) -> Vec<(&'static str, String)> {
    let mut patch = SettingsPatch::from_settings(s);
    if s.hint_after.is_none() {
        patch.hint_after = None;
    }
    if s.clocks == ClockMode::BrokenVector {
        patch.clocks = Some(ClockMode::Vector);
    }
    patch.assignments()
}

/// A clock as a step names it: each node by its name.
pub fn clock_spec(clock: &VClock, names: &Names) -> ClockSpec {
    let name = |(n, c): (crate::core::ids::NodeId, u32)| (NodeRef::Name(names.node(n).to_string()), c);
    ClockSpec(clock.iter().map(name).collect(), clock.extra_dots().map(name).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::NodeId;

    #[test]
    fn a_context_with_extra_dots_is_written_as_a_preset_reads_it() {
        let names = Names::new(["n1", "n2"]);
        let mut clock = VClock::from_pairs([(NodeId(0), 1), (NodeId(1), 2)]);
        clock.add_dot(NodeId(0), 3);
        clock.add_dot(NodeId(0), 5);
        let spec = clock_spec(&clock, &names);
        let n = |name: &str| NodeRef::Name(name.into());
        assert_eq!(
            spec,
            ClockSpec(vec![(n("n1"), 1), (n("n2"), 2)], vec![(n("n1"), 3), (n("n1"), 5)])
        );
        // A put carrying it reads back as the same step.
        let put = Step {
            kind: StepKind::Put(crate::scenario::step::PutStep {
                key: "cart".into(),
                value: "a,b".into(),
                client: "c1".into(),
                via: None,
                w: None,
                pw: None,
                context: Some(spec),
                nowait: true,
            }),
            expect: None,
        };
        let mut cx = crate::scenario::parse_context::ParseContext::new(vec!["n1".into(), "n2".into()], 2);
        let back = Step::from_yaml_str(&put.to_yaml(), &mut cx).expect("the step reads back");
        assert_eq!(back, put);
    }

    #[test]
    fn the_settings_are_written_once_from_the_table_and_read_back() {
        let s = Settings {
            clocks: ClockMode::BrokenVector,
            hint_after: None,
            ..Settings::default()
        };
        let lines = settings_lines(&s);
        assert!(lines.contains(&("clocks", "vector".to_string())));
        assert!(!lines.iter().any(|(k, _)| *k == "hint_after"));
        assert_eq!(lines.len(), SettingsPatch::FIELDS.len() - 1);
        let with_hint = Settings {
            hint_after: Some(Dur::from_millis(1500)),
            ..Settings::default()
        };
        assert!(settings_lines(&with_hint).iter().any(|(k, _)| *k == "hint_after"));
    }
}
