//! Which detail pane shares the space below the nodes table: the key
//! inspector, the membership matrix, the Merkle trees or the key's
//! version history. One is drawn at a
//! time (`v` cycles them) so that each gets the room it needs even at 80x24.

use crate::scenario::Scenario;
use crate::scenario::step::{Step, StepKind};

/// The pane under the nodes table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DetailView {
    /// The selected key's replicas, hints and last operation.
    #[default]
    Inspector,
    /// What every node believes about every other: up, suspect or down.
    Membership,
    /// The selected key's range: two replicas' Merkle trees side by side.
    Merkle,
    /// The selected key's version history: every version ever written,
    /// its parents, what became of it and who holds it now.
    History,
    /// Rates over time: operations, latency, availability, staleness and
    /// the repair work, a point a virtual second (`M` shows it full screen).
    Metrics,
}

impl DetailView {
    pub const ORDER: [DetailView; 5] = [
        DetailView::Inspector,
        DetailView::Membership,
        DetailView::Merkle,
        DetailView::History,
        DetailView::Metrics,
    ];

    pub fn next(self) -> DetailView {
        let i = DetailView::ORDER.iter().position(|v| *v == self).unwrap_or(0);
        DetailView::ORDER[(i + 1) % DetailView::ORDER.len()]
    }

    /// The tab's label in the pane's title.
    pub fn label(self) -> &'static str {
        match self {
            DetailView::Inspector => "key",
            DetailView::Membership => "membership",
            DetailView::Merkle => "merkle",
            DetailView::History => "history",
            DetailView::Metrics => "metrics",
        }
    }

    /// The pane a scenario is best opened on: the one its expectations are
    /// about. A story that checks who sees whom opens on the membership
    /// matrix, one that checks anti-entropy on the Merkle trees; everything
    /// else (keys, hints, transfers) on the inspector.
    pub fn suggested(scenario: &Scenario) -> DetailView {
        let (mut membership, mut merkle, mut metrics) = (false, false, false);
        let mut visit = |step: &Step| {
            metrics |= matches!(step.kind, StepKind::Traffic(_));
            if let Some(e) = &step.expect {
                metrics |= e.metrics.is_some();
                membership |= e.sees.is_some() || e.all_see.is_some();
                merkle |= e.anti_entropy.is_some() || e.merkle_equal.is_some();
            }
        };
        for step in &scenario.steps {
            visit(step);
            if let StepKind::Concurrently(inner) = &step.kind {
                inner.iter().for_each(&mut visit);
            }
        }
        if metrics {
            DetailView::Metrics
        } else if merkle {
            DetailView::Merkle
        } else if membership {
            DetailView::Membership
        } else {
            DetailView::Inspector
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v_cycles_through_every_view() {
        let mut v = DetailView::default();
        let mut seen = vec![v];
        for _ in 0..DetailView::ORDER.len() - 1 {
            v = v.next();
            seen.push(v);
        }
        assert_eq!(seen, DetailView::ORDER.to_vec());
        assert_eq!(v.next(), DetailView::Inspector);
    }

    #[test]
    fn scenarios_open_on_the_pane_their_story_is_about() {
        let open = |name: &str| DetailView::suggested(&Scenario::load(name).unwrap());
        assert_eq!(open("playground"), DetailView::Inspector);
        assert_eq!(open("hinted-handoff"), DetailView::Inspector);
        assert_eq!(open("node-join"), DetailView::Inspector);
        assert_eq!(open("failure-detection"), DetailView::Membership);
        assert_eq!(open("split-views"), DetailView::Membership);
        assert_eq!(open("merkle-repair"), DetailView::Merkle);
        assert_eq!(open("anti-entropy-vs-read-repair"), DetailView::Merkle);
        assert_eq!(open("stale-reads"), DetailView::Metrics);
        assert_eq!(open("slow-node-tail"), DetailView::Metrics);
        assert_eq!(open("availability-under-partition"), DetailView::Metrics);
    }
}
