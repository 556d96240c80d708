//! The timeline's marks: what happened when in the session so far, learnt
//! from the trace (operations by outcome, faults, scenario steps and
//! captions), for the bar under the status line (`ui::timeline`). The
//! recorded future after a rewind is drawn from the session's own record.
//!
//! Bounded: past [`MARKS_CAP`] marks, neighbours are merged pairwise (the
//! more telling of the two kept), so a long session keeps marks spread
//! across all of it.

use crate::core::message::Outcome;
use crate::core::time::Time;
use crate::core::trace::Event;
use crate::scenario::step::{Step, StepKind};

/// Marks kept at most.
pub const MARKS_CAP: usize = 8_192;

/// What a mark shows, the more telling last (a column of the bar shows the
/// most telling mark that falls in it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    Caption,
    Step,
    Ok,
    Siblings,
    Fault,
    Failed,
}

impl Mark {
    /// The mark of a recorded action (not yet taken again: no outcome).
    pub fn of_step(step: &Step) -> Mark {
        match &step.kind {
            StepKind::Say(_) => Mark::Caption,
            StepKind::Put(_) | StepKind::Get(_) | StepKind::Fill(_) | StepKind::Scan(_) => Mark::Ok,
            StepKind::Kill(_)
            | StepKind::Revive(_)
            | StepKind::Partition(_)
            | StepKind::Cut { .. }
            | StepKind::Heal
            | StepKind::Slow { .. }
            | StepKind::Set(_)
            | StepKind::Join { .. }
            | StepKind::Leave(_) => Mark::Fault,
            _ => Mark::Step,
        }
    }
}

/// The marks of the session so far, by instant.
#[derive(Clone, Debug, Default)]
pub struct TimelineMarks {
    marks: Vec<(Time, Mark)>,
}

impl TimelineMarks {
    pub fn marks(&self) -> &[(Time, Mark)] {
        &self.marks
    }

    /// Takes in one trace event that happened at `at`.
    pub fn observe(&mut self, at: Time, event: &Event) {
        let mark = match event {
            Event::OpFinished { outcome, .. } => match &**outcome {
                o if !o.is_ok() => Mark::Failed,
                Outcome::Get { versions, .. } if versions.len() > 1 => Mark::Siblings,
                _ => Mark::Ok,
            },
            Event::ClusterChange(_) => Mark::Fault,
            Event::Caption(_) => Mark::Caption,
            Event::Step { .. } => Mark::Step,
            _ => return,
        };
        if self.marks.len() >= MARKS_CAP {
            self.merge_pairs();
        }
        self.marks.push((at, mark));
    }

    /// Halves the marks: each pair becomes its more telling mark (the
    /// earlier of two alike).
    fn merge_pairs(&mut self) {
        let merged: Vec<(Time, Mark)> = self
            .marks
            .chunks(2)
            .map(|pair| match pair {
                [a, b] if b.1 > a.1 => *b,
                [a, ..] => *a,
                [] => unreachable!("chunks are never empty"),
            })
            .collect();
        self.marks = merged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_stay_bounded_and_spread_across_the_session() {
        let mut t = TimelineMarks::default();
        for i in 0..(MARKS_CAP as u64 * 5) {
            t.observe(Time(i), &Event::Caption(String::new()));
        }
        t.observe(
            Time(u64::MAX / 2),
            &Event::ClusterChange(crate::core::trace::ClusterChange::Heal),
        );
        assert!(t.marks().len() <= MARKS_CAP);
        assert!(t.marks().first().unwrap().0 < Time(10), "the start is still marked");
        assert_eq!(t.marks().last().unwrap().1, Mark::Fault);
    }
}
