//! The playground's checkpoints: copies of the whole session state (the
//! engine's [`Checkpoint`], the panes' [`Models`], the [`Playback`] with
//! its director, the event instants `,` steps through) taken every so
//! often as the session runs forward, so that a rewind to instant T starts
//! from the latest checkpoint at or before T on the branch played and
//! takes only the recorded actions after it again, instead of replaying
//! the session from its start (see `time_travel`).
//!
//! A checkpoint serves a timeline only if it was taken on it: the actions
//! it had taken are exactly the timeline's actions up to its instant
//! ([`Snapshot::serves`]). After a fork, those of the branch left behind
//! after the fork no longer serve and are dropped.
//!
//! Memory stays bounded: at most [`CHECKPOINT_CAP`] are kept. One is taken
//! when virtual time is at least the spacing away from every one kept (the
//! spacing is [`CHECKPOINT_EVERY`], or the furthest instant reached divided
//! by the cap, whichever is longer); past the cap, the one whose two
//! neighbours are closest together goes, so that those kept stay spread
//! across the session (the first is never dropped).

use std::collections::VecDeque;

use crate::core::ids::NodeId;
use crate::core::time::{Dur, Time};
use crate::engine::checkpoint::Checkpoint;
use crate::scenario::session::Entry;

use super::branches::Branches;
use super::models::Models;
use super::playback::Playback;

/// The closest two checkpoints are taken.
pub const CHECKPOINT_EVERY: Dur = Dur::from_secs(5);
/// At most this many are kept.
pub const CHECKPOINT_CAP: usize = 32;

/// The session's state at one instant.
#[derive(Clone)]
pub struct Snapshot {
    pub engine: Checkpoint,
    pub models: Models,
    /// With no recorded future and one branch: a rewind puts the
    /// session's own in.
    pub playback: Playback,
    pub instants: VecDeque<Time>,
    pub selected_node: NodeId,
    /// The JSON trace kept so far, when one is kept.
    pub trace_json: Option<Vec<String>>,
}

impl Snapshot {
    pub fn at(&self) -> Time {
        self.engine.at()
    }

    /// True when it was taken on `timeline`: the actions it had taken are
    /// the timeline's first ones, and the timeline's next action comes no
    /// earlier than its instant. One taken at an instant the user then
    /// acted at serves: it holds the session just before those actions,
    /// which the rewind takes again at once.
    pub fn serves(&self, timeline: &[Entry]) -> bool {
        let taken = self.playback.session().entries();
        timeline.len() >= taken.len()
            && timeline[..taken.len()] == *taken
            && timeline.get(taken.len()).is_none_or(|e| e.at >= self.at())
    }

    /// The playback it holds, made to take `future` again at their
    /// instants on the current branch of `branches`.
    pub fn playback(&self, future: Vec<Entry>, branches: Branches) -> Playback {
        self.playback.resumed(future, branches)
    }

    /// How many actions it had taken.
    pub fn taken(&self) -> usize {
        self.playback.session().entries().len()
    }
}

/// The checkpoints kept, by instant.
#[derive(Clone, Default)]
pub struct Checkpoints {
    list: Vec<Snapshot>,
    /// The furthest instant the session has reached.
    furthest: Time,
    /// The session's branches when they were last checked (a fork makes
    /// one more, and the checkpoints after it serve no more).
    branches: usize,
}

impl Checkpoints {
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The instants of those kept.
    pub fn instants(&self) -> Vec<Time> {
        self.list.iter().map(Snapshot::at).collect()
    }

    pub fn clear(&mut self) {
        self.list.clear();
        self.furthest = Time::ZERO;
    }

    /// How far apart they are kept.
    fn spacing(&self) -> Dur {
        let share = Dur(self.furthest.micros() / CHECKPOINT_CAP as u64);
        share.max(CHECKPOINT_EVERY)
    }

    /// Whether one should be taken at `now` (which the session reached).
    pub fn due(&mut self, now: Time) -> bool {
        self.furthest = self.furthest.max(now);
        let spacing = self.spacing().micros();
        !self
            .list
            .iter()
            .any(|s| s.at().micros().abs_diff(now.micros()) < spacing)
    }

    /// Keeps `snapshot`, dropping one past the cap.
    pub fn keep(&mut self, mut snapshot: Snapshot) {
        snapshot.playback = snapshot.playback.resumed(Vec::new(), Branches::new());
        let at = snapshot.at();
        let i = self.list.partition_point(|s| s.at() <= at);
        self.list.insert(i, snapshot);
        while self.list.len() > CHECKPOINT_CAP {
            self.thin();
        }
    }

    /// Drops the one whose neighbours are closest together, never the
    /// first nor the last (the one just taken: were it dropped, another
    /// would be due at once).
    fn thin(&mut self) {
        let n = self.list.len();
        if n <= 2 {
            self.list.truncate(1);
            return;
        }
        let gap = |i: usize| self.list[i + 1].at().micros() - self.list[i - 1].at().micros();
        let drop = (1..n - 1).min_by_key(|&i| gap(i)).expect("three or more");
        self.list.remove(drop);
    }

    /// Whether the session forked since the last call (it has `branches`).
    pub fn forked(&mut self, branches: usize) -> bool {
        let forked = branches != self.branches;
        self.branches = branches;
        forked
    }

    /// Drops those that do not serve `timeline` (after a fork).
    pub fn keep_serving(&mut self, timeline: &[Entry]) {
        self.list.retain(|s| s.serves(timeline));
    }

    /// The latest one at or before `t` that serves `timeline`.
    pub fn latest(&self, t: Time, timeline: &[Entry]) -> Option<&Snapshot> {
        self.list
            .iter()
            .rev()
            .filter(|s| s.at() <= t)
            .find(|s| s.serves(timeline))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::scenario::Scenario;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn at_most_the_cap_are_kept_spread_across_the_session() {
        let scenario = Scenario::parse("cluster: {nodes: 3}\nsteps: []\n", "t", "t").unwrap();
        rt().block_on(async {
            let mut engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
            let playback = Playback::new(&scenario, 1);
            let models = Models::new(&engine);
            let mut kept = Checkpoints::default();
            let end = Time(1_000_000_000);
            let mut taken = 0;
            while engine.now() < end {
                engine.run_for(Dur::from_secs(1)).await;
                if kept.due(engine.now()) {
                    taken += 1;
                    let now = engine.now();
                    kept.keep(Snapshot {
                        engine: engine.checkpoint().await.unwrap(),
                        models: models.clone(),
                        playback: playback.clone(),
                        instants: VecDeque::new(),
                        selected_node: NodeId(0),
                        trace_json: None,
                    });
                    assert_eq!(kept.instants().last(), Some(&now), "the one just taken is kept");
                }
                assert!(kept.len() <= CHECKPOINT_CAP);
            }
            assert!(taken > CHECKPOINT_CAP * 2, "{taken} taken");
            assert!(taken <= 1_000 / 5 + 1, "{taken} taken: never closer than 5 s");
            assert_eq!(kept.len(), CHECKPOINT_CAP);
            let at = kept.instants();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "by instant");
            assert_eq!(at[0], Time(1_000_000), "the first is kept");
            let widest = at
                .windows(2)
                .map(|w| w[1].micros() - w[0].micros())
                .chain([end.micros() - at[at.len() - 1].micros()])
                .max()
                .unwrap();
            // Spread evenly, the gaps would be 1000 s / 32: none is more
            // than about twice that.
            assert!(
                widest <= 2 * end.micros() / CHECKPOINT_CAP as u64 + 5_000_000,
                "a gap of {widest} µs"
            );
        });
    }
}
