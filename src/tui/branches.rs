//! The branches of a session. Acting after a rewind does not lose the
//! recorded future: the whole timeline it belonged to is kept as a branch,
//! and the session goes on from that instant on a new one. `:branches`
//! lists them, `:branch N` goes back to one (by replaying its actions, as
//! a rewind does).

use crate::core::plural::count;
use crate::core::time::Time;
use crate::scenario::session::Entry;

/// One timeline of the session.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    /// Every action of the branch, from the start, each at its instant.
    pub entries: Vec<Entry>,
    /// The furthest instant the session reached on this branch: returning
    /// to the branch lands there.
    pub end: Time,
    /// The instant the branch left the one it forked from (the start for
    /// the first branch).
    pub forked_at: Time,
}

/// Every branch of the session, and which one is being played. The
/// current branch's actions are the session's (and its recorded future),
/// so its entry here is brought up to date only when it is left or listed
/// ([`Branches::settle`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Branches {
    /// Branch `i + 1` at index `i`.
    list: Vec<Branch>,
    /// The index of the branch being played.
    current: usize,
    /// The furthest instant the current branch has reached.
    horizon: Time,
}

impl Default for Branches {
    fn default() -> Self {
        Branches::new()
    }
}

impl Branches {
    /// One branch, nothing done yet.
    pub fn new() -> Branches {
        Branches {
            list: vec![Branch {
                entries: Vec::new(),
                end: Time::ZERO,
                forked_at: Time::ZERO,
            }],
            current: 0,
            horizon: Time::ZERO,
        }
    }

    /// How many branches there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Never empty: there is always the branch being played.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The number (from 1) of the branch being played.
    pub fn current(&self) -> usize {
        self.current + 1
    }

    /// The branch being played (its actions as last settled; the instant
    /// it forked at is always right).
    pub fn current_branch(&self) -> &Branch {
        &self.list[self.current]
    }

    /// The furthest instant the current branch has reached, as last told.
    pub fn horizon(&self) -> Time {
        self.horizon
    }

    /// The session has been at `t` on the current branch.
    pub fn reached(&mut self, t: Time) {
        self.horizon = self.horizon.max(t);
    }

    /// Records the current branch as it stands: `entries` (the session's
    /// actions and its recorded future), the session being at `now`.
    pub fn settle(&mut self, entries: Vec<Entry>, now: Time) {
        self.reached(now);
        let branch = &mut self.list[self.current];
        branch.entries = entries;
        branch.end = self.horizon;
    }

    /// Acting at `now` after a rewind: the current branch is kept whole
    /// (`entries`: the actions taken and the future left behind) and a
    /// new branch, taken from now on, starts at `now`.
    pub fn fork(&mut self, entries: Vec<Entry>, now: Time) {
        self.settle(entries, now);
        self.list.push(Branch {
            entries: Vec::new(),
            end: now,
            forked_at: now,
        });
        self.current = self.list.len() - 1;
        self.horizon = now;
    }

    /// Makes branch `number` the current one and returns it (to be
    /// replayed); the current one must have been settled first.
    pub fn switch(&mut self, number: usize) -> Result<&Branch, String> {
        if number == 0 || number > self.list.len() {
            return Err(format!(
                "there is no branch {number}; the branches are 1 to {} (:branches lists them)",
                self.list.len()
            ));
        }
        self.current = number - 1;
        self.horizon = self.list[self.current].end;
        Ok(&self.list[self.current])
    }

    /// One line per branch: its number, the instant it forked at, how many
    /// actions it has, its first action after the point where it parts
    /// from the branch closest to it; the current one marked with `*`.
    /// The current branch must have been settled first.
    pub fn lines(&self) -> Vec<String> {
        (0..self.list.len()).map(|i| self.line(i)).collect()
    }

    fn line(&self, i: usize) -> String {
        let branch = &self.list[i];
        let shared = (0..self.list.len())
            .filter(|j| *j != i)
            .map(|j| common_prefix(&branch.entries, &self.list[j].entries))
            .max()
            .unwrap_or(0);
        let actions = branch.entries.iter().filter(|e| e.step.is_some()).count();
        let first = match self.list.len() {
            // Alone, a branch differs from nothing.
            1 => String::new(),
            _ => branch.entries[shared..]
                .iter()
                .find_map(|e| {
                    let step = e.step.as_ref()?;
                    Some(format!("; first different action at {}: {}", e.at, step.kind))
                })
                .unwrap_or_else(|| "; no action of its own".to_string()),
        };
        let from = if i == 0 {
            "from the start".to_string()
        } else {
            format!("forked at {}", branch.forked_at)
        };
        let mark = if i == self.current { "*" } else { " " };
        let now = if i == self.current { " (current)" } else { "" };
        format!(
            "{mark} branch {}{now}: {from}, {}, up to {}{first}",
            i + 1,
            count(actions, "action"),
            branch.end
        )
    }
}

/// How many entries `a` and `b` begin with in common.
fn common_prefix(a: &[Entry], b: &[Entry]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::playback::tests::typed;

    fn entry(at: u64, line: &str) -> Entry {
        Entry {
            at: Time(at * 1000),
            step: Some(typed(line, 3)),
            tour: None,
            typed: true,
        }
    }

    #[test]
    fn a_lone_branch_names_no_different_action() {
        let mut b = Branches::new();
        b.settle(vec![entry(10, "put k a")], Time(40_000));
        assert_eq!(
            b.lines(),
            ["* branch 1 (current): from the start, 1 action, up to 0.040s"]
        );
    }

    #[test]
    fn a_fork_keeps_the_whole_timeline_and_switching_returns_to_it() {
        let mut b = Branches::new();
        let first = vec![entry(10, "put k a"), entry(20, "kill n1")];
        b.reached(Time(50_000));
        // Rewound to 15, acting there: the kill was the future left behind.
        b.fork(first.clone(), Time(15_000));
        assert_eq!((b.len(), b.current()), (2, 2));
        let second = vec![entry(10, "put k a"), entry(15, "kill n2")];
        b.settle(second.clone(), Time(30_000));
        let lines = b.lines();
        assert!(
            lines[0].starts_with("  branch 1: from the start, 2 actions, up to 0.050s"),
            "{lines:?}"
        );
        assert!(
            lines[0].ends_with("first different action at 0.020s: kill n1"),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("* branch 2 (current): forked at 0.015s"),
            "{lines:?}"
        );
        assert!(
            lines[1].ends_with("first different action at 0.015s: kill n2"),
            "{lines:?}"
        );
        let back = b.switch(1).unwrap();
        assert_eq!((back.entries.clone(), back.end), (first, Time(50_000)));
        assert_eq!(b.current(), 1);
        assert!(b.switch(3).unwrap_err().contains("1 to 2"));
        assert!(b.switch(0).is_err());
    }
}
