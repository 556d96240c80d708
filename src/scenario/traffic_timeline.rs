//! The timeline's account of background traffic (`traffic:` steps): at a
//! few hundred operations a second, a line per operation would bury the
//! story, so [`TrafficTimeline`] folds traffic's operations (and the lost
//! writes among its keys) and prints one line before each of the story's
//! own lines (a step, a caption, a check, a fault) and at the end of the
//! run: how many finished since the last line, gets and puts
//! apart, and how many failed. `--verbose` prints every operation as well.

use crate::core::ids::Names;
use crate::core::plural::count;
use crate::core::time::Time;
use crate::core::trace::{Event, TraceEvent};

use super::timeline;
use super::traffic::{is_traffic_client, is_traffic_key};

/// Traffic's operations since the last summary line.
#[derive(Debug, Default)]
pub struct TrafficTimeline {
    /// When the first operation folded since the last line started.
    since: Option<Time>,
    gets: u64,
    puts: u64,
    gets_failed: u64,
    puts_failed: u64,
    /// Writes of traffic's keys overwritten by a put that had not seen
    /// them, and siblings shadowed.
    lost: u64,
    shadowed: u64,
}

impl TrafficTimeline {
    pub fn new() -> TrafficTimeline {
        TrafficTimeline::default()
    }

    /// Takes the next trace event, in trace order: returns whether it is
    /// traffic's (its own line is shown only in verbose mode) and the lines
    /// to print before it (the summary, before a step begins).
    pub fn fold(&mut self, ev: &TraceEvent, names: &Names) -> (bool, Vec<String>) {
        match &ev.event {
            // The story's own lines close the span: what traffic did comes
            // before the check, the caption or the fault that follows it.
            Event::Step { .. } | Event::Caption(_) | Event::Expectation { .. } | Event::ClusterChange(_) => {
                (false, self.summary(ev.at))
            }
            Event::OpStarted { client, .. } if is_traffic_client(names.client(*client)) => {
                self.since.get_or_insert(ev.at);
                (true, Vec::new())
            }
            Event::OpFinished {
                client, put, outcome, ..
            } if is_traffic_client(names.client(*client)) => {
                let failed = u64::from(!outcome.is_ok());
                if *put {
                    self.puts += 1;
                    self.puts_failed += failed;
                } else {
                    self.gets += 1;
                    self.gets_failed += failed;
                }
                (true, Vec::new())
            }
            Event::Overwritten { key, .. } if is_traffic_key(key) => {
                self.lost += 1;
                (true, Vec::new())
            }
            Event::Shadowed { key, .. } if is_traffic_key(key) => {
                self.shadowed += 1;
                (true, Vec::new())
            }
            _ => (false, Vec::new()),
        }
    }

    /// The line for what was folded since the last (none when nothing
    /// finished), and starts over.
    pub fn summary(&mut self, at: Time) -> Vec<String> {
        let ops = self.gets + self.puts;
        if ops == 0 && self.lost == 0 && self.shadowed == 0 {
            self.since = None;
            return Vec::new();
        }
        let since = self.since.unwrap_or(at);
        let failed = self.gets_failed + self.puts_failed;
        let mut text = format!(
            "   ≈ traffic {since}..{at}: {} ({} gets, {} puts), ",
            count(ops as usize, "op"),
            self.gets,
            self.puts
        );
        if failed == 0 {
            text.push_str("all ok");
        } else {
            text.push_str(&format!(
                "{failed} failed ({} gets, {} puts)",
                self.gets_failed, self.puts_failed
            ));
        }
        if self.lost > 0 {
            text.push_str(&format!(
                "; {} overwritten by puts that had not seen them",
                count(self.lost as usize, "write")
            ));
        }
        if self.shadowed > 0 {
            text.push_str(&format!("; {} shadowed", count(self.shadowed as usize, "sibling")));
        }
        *self = TrafficTimeline::default();
        vec![timeline::at_line(at, &text)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::{ClientId, OpId};
    use crate::core::message::{Failure, Outcome};
    use crate::core::trace::TraceEvent;

    fn finished(at_ms: u64, client: u16, put: bool, ok: bool) -> TraceEvent {
        let failure = (!ok).then_some(Failure::NoCoordinator);
        TraceEvent {
            at: Time(at_ms * 1000),
            event: Event::OpFinished {
                op: OpId(at_ms),
                client: ClientId(client),
                key: "t:1".into(),
                put,
                coordinator: None,
                outcome: Box::new(if put {
                    Outcome::Put {
                        clock: Default::default(),
                        failure,
                    }
                } else {
                    Outcome::Get {
                        versions: vec![],
                        context: Default::default(),
                        failure,
                    }
                }),
                replicas: Default::default(),
                latency: crate::core::time::Dur::from_millis(1),
            },
        }
    }

    #[test]
    fn traffic_folds_into_a_line_before_each_step_and_other_clients_do_not() {
        let mut names = Names::new(["n1"]);
        names.add_client("alice");
        names.add_client("traffic1");
        let mut t = TrafficTimeline::new();
        assert!(t.fold(&finished(10, 1, false, true), &names).0);
        assert!(t.fold(&finished(20, 1, true, false), &names).0);
        assert!(t.fold(&finished(30, 1, false, true), &names).0);
        assert!(!t.fold(&finished(40, 0, true, true), &names).0, "alice's put is hers");
        let step = TraceEvent {
            at: Time(50_000),
            event: Event::Step {
                index: 1,
                text: "wait 1s".into(),
            },
        };
        let (folded, before) = t.fold(&step, &names);
        assert!(!folded);
        assert_eq!(before.len(), 1, "{before:?}");
        assert!(
            before[0].contains("3 ops (2 gets, 1 puts), 1 failed (0 gets, 1 puts)"),
            "{before:?}"
        );
        assert!(t.summary(Time(60_000)).is_empty(), "nothing since");
    }
}
