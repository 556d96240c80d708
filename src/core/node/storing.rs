//! Storing versions on this node and noticing what they overwrote.
//!
//! Every path that lands a version here (a client's write, a replica's
//! copy, read repair, handoff, transfer, anti-entropy, a stand-in's hint)
//! goes through these functions, so that each stored version is traced and
//! each concurrent write it removes unseen is noted as lost, whichever role
//! the node plays.

use super::machine::Node;
use super::timer::NodeOutbox;
use crate::core::clock::VClock;
use crate::core::ids::NodeId;
use crate::core::notice::Notice;
use crate::core::trace::{Event, StoreCause};
use crate::core::version::{ClockMode, Key, Siblings, Version, reconcile};

impl Node {
    /// What this node holds for `key`: its own versions and any it keeps as hints.
    pub(super) fn local_versions(&self, key: &str) -> Siblings {
        let own = self.store.versions(key);
        let hinted = self.hints.versions_of(key);
        if hinted.is_empty() {
            return own.iter().cloned().collect();
        }
        reconcile(own.iter().chain(hinted.iter().map(|(_, v)| v)), self.settings.clocks)
            .into_iter()
            .collect()
    }

    /// Stores versions one by one, tracing each one kept; a key this node
    /// does not own (after a ring change) is queued to stream on.
    pub(super) fn store_versions(&mut self, key: &Key, versions: &[Version], cause: StoreCause, out: &mut NodeOutbox) {
        self.store_inner(key, versions, None, cause, out);
    }

    /// Stores a client's write (the coordinator's own copy, or a replica's):
    /// a stored version it removes that `context` had not seen is a lost
    /// concurrent write, and is noted as such.
    pub(super) fn store_written(
        &mut self,
        key: &Key,
        versions: &[Version],
        context: &VClock,
        cause: StoreCause,
        out: &mut NodeOutbox,
    ) {
        self.store_inner(key, versions, Some(context), cause, out);
    }

    fn store_inner(
        &mut self,
        key: &Key,
        versions: &[Version],
        context: Option<&VClock>,
        cause: StoreCause,
        out: &mut NodeOutbox,
    ) {
        let me = self.id;
        let mode = self.settings.clocks;
        self.check_ownership(key, out);
        for v in versions {
            let outcome = self.store.put(key, v.clone(), mode);
            if outcome.stored {
                self.merkle_update(key, outcome.old_hash, outcome.new_hash);
                self.forget_transfer_acks(key);
                let siblings = outcome.siblings;
                out.trace(|| Event::Stored {
                    node: me,
                    key: key.clone(),
                    version: Box::new(v.clone()),
                    siblings,
                    cause,
                });
            }
            if !outcome.removed.is_empty() || outcome.superseded_by.is_some() {
                self.notify_lost_writes(key, v, outcome.removed, outcome.superseded_by, context, out);
            }
            // Only a sibling kept beside `v` can be shadowed by it.
            if outcome.stored && outcome.siblings > 1 {
                for sibling in shadowed_siblings(v, self.store.versions(key), mode) {
                    out.notify(Notice::LostWrite {
                        node: me,
                        key: key.clone(),
                        lost: Box::new(sibling.clone()),
                        by: Box::new(v.clone()),
                        shadowed: true,
                    });
                }
            }
        }
    }

    /// Notes a lost concurrent write where one happens: `v`, stored here,
    /// replaced `removed`, or arrived already replaced by `superseded_by`,
    /// and the replaced version's write was never seen by the writer that
    /// replaced it (`context`, or the one the replacing version records).
    /// Every replica and stand-in that sees it happen notes it; the engine
    /// keeps each once.
    pub(super) fn notify_lost_writes(
        &self,
        key: &Key,
        v: &Version,
        removed: impl IntoIterator<Item = Version>,
        superseded_by: Option<Version>,
        context: Option<&VClock>,
        out: &mut NodeOutbox,
    ) {
        let mode = self.settings.clocks;
        let lost_here = removed
            .into_iter()
            .filter(|lost| v.overwrites_unseen(lost, context, mode))
            .map(|lost| (lost, v.clone()));
        let lost_before = superseded_by
            .filter(|by| by.overwrites_unseen(v, None, mode))
            .map(|by| (v.clone(), by));
        for (lost, by) in lost_here.chain(lost_before) {
            out.notify(Notice::LostWrite {
                node: self.id,
                key: key.clone(),
                lost: Box::new(lost),
                by: Box::new(by),
                shadowed: false,
            });
        }
    }

    /// Keeps a version for `owner` (a stand-in's copy).
    pub(super) fn keep_hint(&mut self, owner: NodeId, key: &Key, version: &Version, out: &mut NodeOutbox) {
        let outcome = self.hints.add(owner, key, version, self.settings.clocks);
        // A stand-in's hints lose versions the way a replica's store does:
        // the writer's context is the one the version records.
        self.notify_lost_writes(key, version, outcome.removed, outcome.superseded_by, None, out);
        if outcome.stored {
            let me = self.id;
            out.trace(|| Event::HintStored {
                node: me,
                owner,
                key: key.clone(),
                version: Box::new(version.clone()),
            });
        }
    }
}

/// The siblings `v` shadows (vector clocks only): `v`'s writer node counted
/// past their event at that node although `v`'s writer had not seen it (its
/// context held an earlier counter), while they stay concurrent with `v`
/// through another entry. See [`Event::Shadowed`].
fn shadowed_siblings<'a>(v: &'a Version, stored: &'a [Version], mode: ClockMode) -> impl Iterator<Item = &'a Version> {
    let writer = v.stamp.node;
    let seen = match (mode, v.stamp.seen_own()) {
        (ClockMode::Vector, Some(seen)) => Some(seen),
        _ => None,
    };
    stored.iter().filter(move |h| {
        let Some(seen) = seen else { return false };
        let event = h.clock.get(writer);
        *h != v && event > seen && event <= v.clock.get(writer) && !v.clock.descends(&h.clock)
    })
}
