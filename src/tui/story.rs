//! The banner's model: the scenario's captions since the last action step,
//! and the checks of the last finished step, from the trace. A new action
//! step replaces both; captions and pure checks (steps that run by
//! themselves) add to the step they follow.

use std::collections::VecDeque;

use crate::core::trace::Event;
use crate::scenario::check::CheckResult;

/// Captions the banner keeps.
const CAPTIONS_CAP: usize = 4;
/// Checks the banner keeps.
const CHECKS_CAP: usize = 12;

/// The captions and checks the banner shows.
#[derive(Clone, Debug, Default)]
pub struct Story {
    /// The captions since the last action step, oldest first.
    captions: VecDeque<String>,
    captions_stale: bool,
    /// The checks of the last finished step.
    checks: VecDeque<CheckResult>,
    checks_stale: bool,
}

impl Story {
    pub fn captions(&self) -> &VecDeque<String> {
        &self.captions
    }

    pub fn checks(&self) -> &VecDeque<CheckResult> {
        &self.checks
    }

    /// Takes in a trace event. `automatic` says whether the scenario's
    /// step of that index runs by itself (a caption or a pure check).
    pub fn observe(&mut self, event: &Event, automatic: impl Fn(usize) -> bool) {
        match event {
            Event::Caption(text) => {
                if self.captions_stale {
                    self.captions.clear();
                    self.captions_stale = false;
                }
                if self.captions.len() >= CAPTIONS_CAP {
                    self.captions.pop_front();
                }
                self.captions.push_back(text.clone());
            }
            // A new action: its captions and checks replace the last ones.
            Event::Step { index, .. } if !automatic(*index) => {
                self.captions_stale = true;
                self.checks_stale = true;
            }
            Event::Expectation { text, passed, detail } => {
                if self.checks_stale {
                    self.checks.clear();
                    self.checks_stale = false;
                }
                if self.checks.len() >= CHECKS_CAP {
                    self.checks.pop_front();
                }
                self.checks.push_back(CheckResult {
                    text: text.clone(),
                    passed: *passed,
                    detail: detail.clone(),
                });
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, passed: bool) -> Event {
        Event::Expectation {
            text: text.into(),
            passed,
            detail: String::new(),
        }
    }

    #[test]
    fn an_action_step_replaces_the_captions_and_checks_a_pure_check_adds_to_them() {
        let mut s = Story::default();
        let auto = |i: usize| i == 2;
        s.observe(&Event::Caption("one".into()), auto);
        s.observe(&check("a", true), auto);
        s.observe(
            &Event::Step {
                index: 2,
                text: "expect".into(),
            },
            auto,
        );
        s.observe(&check("b", false), auto);
        assert_eq!(s.captions().len(), 1);
        assert_eq!(s.checks().len(), 2, "a pure check adds to the step before");
        s.observe(
            &Event::Step {
                index: 3,
                text: "put".into(),
            },
            auto,
        );
        assert_eq!(s.captions().len(), 1, "kept until something replaces them");
        s.observe(&Event::Caption("two".into()), auto);
        s.observe(&check("c", true), auto);
        assert_eq!(s.captions().iter().collect::<Vec<_>>(), ["two"]);
        assert_eq!(s.checks().iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["c"]);
    }

    #[test]
    fn the_banner_keeps_the_last_captions_and_checks_only() {
        let mut s = Story::default();
        for i in 0..CAPTIONS_CAP + 2 {
            s.observe(&Event::Caption(format!("c{i}")), |_| false);
        }
        for i in 0..CHECKS_CAP + 3 {
            s.observe(&check(&format!("x{i}"), true), |_| false);
        }
        assert_eq!(s.captions().len(), CAPTIONS_CAP);
        assert_eq!(s.captions().back().map(String::as_str), Some("c5"));
        assert_eq!(s.checks().len(), CHECKS_CAP);
    }
}
