//! Merkle-tree anti-entropy: background repair of replicas that drifted apart.
//!
//! A node keeps one Merkle tree per range it replicates (a range is the arc
//! between two consecutive ring tokens) and updates it on every change to
//! its store. Every `anti_entropy_interval` it picks the next of its ranges
//! and a random other replica of it, and the two compare: the root first,
//! then, level by level, only the children of nodes that differ. At the
//! leaves they swap the entry hashes of the keys there, and then only the
//! versions of the keys that differ, which both sides merge by clock. Equal
//! replicas cost one round trip; one differing key costs 2d+1 hash
//! comparisons in a tree of depth d.
//!
//! While anti-entropy is off nothing compares trees, so writes leave them
//! (and the store's entry hashes) alone, and the forest falls behind. The
//! first read after that (the TUI's Merkle pane) rebuilds it from the
//! store, and so does switching anti-entropy back on; every read sees the
//! trees that upkeep on every write would have given.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use rand::RngExt;

use super::forest::{Forest, MerkleTop};
use super::machine::Node;
use super::timer::{NodeOutbox, NodeTimer};
use crate::core::config::IDLE_TICK;
use crate::core::hash::mix64;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::merkle::{MerkleTree, leaf_of};
use crate::core::message::{MerkleSync, Message, SyncStats};
use crate::core::ring::Ring;
use crate::core::time::{Dur, Time};
use crate::core::trace::{Event, StoreCause};
use crate::core::version::{Key, Version};

impl Node {
    /// Works out which ranges this node replicates (at boot, and when the
    /// ring, N or the depth change) and builds their trees from its store:
    /// now while anti-entropy runs, else when they are first read.
    pub(super) fn rebuild_forest(&mut self) {
        let n = self.settings.replicas;
        let depth = self.settings.merkle_depth;
        let tokens = self.ring.tokens();
        let mut ranges = BTreeMap::new();
        for i in 0..tokens.len() {
            let range = self.ring.range_of(i);
            // A token that shares its position with the one before owns nothing.
            if tokens.len() > 1 && range.start == range.end {
                continue;
            }
            if self.ring.walk(range.end).take(n).any(|x| x == self.id) {
                ranges.insert(range.end, range.start);
            }
        }
        self.forest = Forest {
            depth,
            ranges,
            trees: RefCell::default(),
            behind: Cell::new(true),
            cursor: self.forest.cursor,
        };
        self.follow_merkle_upkeep();
    }

    /// Whether writes keep the trees up to date: only while anti-entropy
    /// runs (see the module doc).
    fn keeps_merkle_trees(&self) -> bool {
        self.settings.anti_entropy_interval.is_some()
    }

    /// Sets the store's hashing and the forest to follow the settings (at
    /// a rebuild, and when anti-entropy is switched on or off): while
    /// anti-entropy runs the trees are up to date, else they fall behind.
    pub(super) fn follow_merkle_upkeep(&mut self) {
        let on = self.keeps_merkle_trees();
        self.store.keep_hashes(on);
        if !on {
            self.forest.behind.set(true);
        } else if self.forest.behind.get() {
            self.forest.build_trees(&self.store, &self.ring);
        }
    }

    /// A key's versions changed, and with them its entry hash from `old`
    /// to `new` (both 0 when the store does not keep hashes): its tree
    /// follows, or the forest falls behind.
    pub(super) fn merkle_update(&mut self, key: &str, old: u64, new: u64) {
        if !self.keeps_merkle_trees() {
            self.forest.behind.set(true);
            return;
        }
        if old == new {
            return;
        }
        let pos = Ring::position(key);
        let Some((_, end)) = self.forest.range_of(&self.ring, pos) else {
            return;
        };
        let depth = self.forest.depth;
        self.forest
            .trees
            .get_mut()
            .entry(end)
            .or_insert_with(|| MerkleTree::new(depth))
            .update(leaf_of(pos, depth), old, new);
    }

    /// The range holding `key` and the hashes of its tree's top `levels`
    /// levels (level by level), if this node replicates that range.
    pub fn merkle_top(&self, key: &str, levels: u8) -> Option<MerkleTop> {
        let forest = self.forest();
        let range = forest.range_of(&self.ring, Ring::position(key))?;
        let depth = forest.depth;
        let shown = levels.min(depth + 1);
        let rows = (0..shown)
            .map(|level| {
                (0..1u32 << level)
                    .map(|i| forest.tree_hash(range.1, level, i))
                    .collect()
            })
            .collect();
        Some(MerkleTop { range, depth, rows })
    }

    /// The root of the tree of the range holding `key`, if this node replicates it.
    pub fn merkle_root_of(&self, key: &str) -> Option<u64> {
        let forest = self.forest();
        let (_, end) = forest.range_of(&self.ring, Ring::position(key))?;
        Some(forest.root(end))
    }

    /// The ranges this node replicates and their trees, brought up to date
    /// first if writes went by them.
    pub fn forest(&self) -> &Forest {
        if self.forest.behind.get() {
            self.forest.build_trees(&self.store, &self.ring);
        }
        &self.forest
    }

    /// The first anti-entropy round of an incarnation, spread over an interval.
    pub(super) fn start_anti_entropy(&mut self, out: &mut NodeOutbox) {
        let interval = self.settings.anti_entropy_interval.unwrap_or(IDLE_TICK).micros().max(1);
        let jitter = 1 + mix64(0x6165_0000 ^ ((self.id.0 as u64) << 32) ^ self.incarnation as u64) % interval;
        out.timer(Dur(jitter), NodeTimer::AntiEntropyTick);
    }

    pub(super) fn on_anti_entropy_tick(&mut self, now: Time, out: &mut NodeOutbox) {
        let Some(interval) = self.settings.anti_entropy_interval else {
            out.timer(IDLE_TICK, NodeTimer::AntiEntropyTick);
            return;
        };
        out.timer(interval, NodeTimer::AntiEntropyTick);
        let next = match self.forest.cursor {
            Some(c) => self
                .forest
                .ranges
                .range(c + 1..)
                .next()
                .or_else(|| self.forest.ranges.iter().next()),
            None => self.forest.ranges.iter().next(),
        };
        let Some((&end, &start)) = next else { return };
        self.forest.cursor = Some(end);
        let peers: Vec<NodeId> = self
            .ring
            .walk(end)
            .take(self.settings.replicas)
            .filter(|&p| p != self.id && !self.sees_down(p))
            .collect();
        if peers.is_empty() {
            return;
        }
        let peer = peers[self.rng.random_range(0..peers.len())];
        self.next_batch += 1;
        let sync = MerkleSync {
            initiator: self.id,
            session: self.next_batch,
            range: (start, end),
            depth: self.forest.depth,
            stats: SyncStats {
                started: now,
                ..SyncStats::default()
            },
        };
        let root = self.forest().root(end);
        out.send(
            Endpoint::Node(peer),
            Message::MerkleHashes {
                sync,
                level: 0,
                nodes: vec![(0, root)],
            },
        );
    }

    /// True when this node sees the session's range as the sender does.
    fn same_range(&self, sync: &MerkleSync) -> bool {
        sync.depth == self.forest.depth && self.forest.ranges.get(&sync.range.1) == Some(&sync.range.0)
    }

    /// Handles one anti-entropy message.
    pub(super) fn on_merkle(&mut self, now: Time, from: Endpoint, msg: Message, out: &mut NodeOutbox) {
        let Some(peer) = from.node() else { return };
        let sync = match &msg {
            Message::MerkleHashes { sync, .. }
            | Message::MerkleDigests { sync, .. }
            | Message::MerkleKeys { sync, .. }
            | Message::MerkleDone { sync, .. } => *sync,
            _ => return,
        };
        if let Message::MerkleDone { skipped, .. } = msg {
            self.record_sync(now, sync, peer, skipped, out);
            return;
        }
        if !self.same_range(&sync) {
            self.finish_sync(now, sync, peer, true, out);
            return;
        }
        match msg {
            Message::MerkleHashes { mut sync, level, nodes } => {
                let end = sync.range.1;
                sync.stats.compared += nodes.len() as u32;
                sync.stats.levels = sync.stats.levels.max(level);
                let differing: Vec<u32> = nodes
                    .iter()
                    .filter(|(i, h)| self.forest().tree_hash(end, level, *i) != *h)
                    .map(|(i, _)| *i)
                    .collect();
                let (me, compared) = (self.id, nodes.len() as u32);
                out.trace(|| Event::MerkleLevel {
                    node: me,
                    peer,
                    initiator: sync.initiator,
                    session: sync.session,
                    range: sync.range,
                    level,
                    compared,
                    differing: differing.clone(),
                });
                if differing.is_empty() {
                    self.finish_sync(now, sync, peer, false, out);
                } else if level >= sync.depth {
                    let digests = self.digests_in(sync.range, sync.depth, &differing);
                    out.send(
                        from,
                        Message::MerkleDigests {
                            sync,
                            leaves: differing,
                            digests,
                        },
                    );
                } else {
                    let children: Vec<(u32, u64)> = differing
                        .iter()
                        .flat_map(|&i| [2 * i, 2 * i + 1])
                        .map(|c| (c, self.forest().tree_hash(end, level + 1, c)))
                        .collect();
                    out.send(
                        from,
                        Message::MerkleHashes {
                            sync,
                            level: level + 1,
                            nodes: children,
                        },
                    );
                }
            }
            Message::MerkleDigests {
                mut sync,
                leaves,
                digests,
            } => {
                sync.stats.digests += digests.len() as u32;
                let mine: BTreeMap<Key, u64> = self.digests_in(sync.range, sync.depth, &leaves).into_iter().collect();
                let theirs: BTreeMap<Key, u64> = digests.into_iter().collect();
                let differing: Vec<Key> = mine
                    .keys()
                    .chain(theirs.keys())
                    .filter(|k| mine.get(*k) != theirs.get(*k))
                    .cloned()
                    .collect::<std::collections::BTreeSet<Key>>()
                    .into_iter()
                    .collect();
                if differing.is_empty() {
                    self.finish_sync(now, sync, peer, false, out);
                    return;
                }
                sync.stats.keys += differing.len() as u32;
                let items = self.versions_of(&differing);
                out.send(
                    from,
                    Message::MerkleKeys {
                        sync,
                        items,
                        want: differing,
                    },
                );
            }
            Message::MerkleKeys { sync, items, want } => {
                for (key, versions) in &items {
                    self.store_versions(key, versions, StoreCause::AntiEntropy, out);
                }
                let reply = self.versions_of(&want);
                if reply.is_empty() {
                    self.finish_sync(now, sync, peer, false, out);
                } else {
                    out.send(
                        from,
                        Message::MerkleKeys {
                            sync,
                            items: reply,
                            want: Vec::new(),
                        },
                    );
                }
            }
            _ => {}
        }
    }

    /// This node's keys in the given leaves of `range`, with their entry hashes.
    fn digests_in(&self, range: (u64, u64), depth: u8, leaves: &[u32]) -> Vec<(Key, u64)> {
        let arc = crate::core::ring::TokenRange {
            start: range.0,
            end: range.1,
        };
        let mut wanted = vec![false; 1usize << depth];
        for &l in leaves {
            if let Some(w) = wanted.get_mut(l as usize) {
                *w = true;
            }
        }
        let mut out: Vec<(Key, u64)> = self
            .store
            .hashes()
            .filter(|(k, _)| {
                let pos = Ring::position(k);
                arc.contains(pos) && wanted[leaf_of(pos, depth) as usize]
            })
            .map(|(k, h)| (k.clone(), h))
            .collect();
        out.sort_unstable();
        out
    }

    /// The versions this node holds of `keys` (keys it lacks are left out).
    fn versions_of(&self, keys: &[Key]) -> Vec<(Key, Vec<Version>)> {
        keys.iter()
            .filter_map(|k| {
                let v = self.store.versions(k);
                (!v.is_empty()).then(|| (k.clone(), v.to_vec()))
            })
            .collect()
    }

    /// The session ended here: the initiator records it, a peer tells it.
    fn finish_sync(&mut self, now: Time, sync: MerkleSync, peer: NodeId, skipped: bool, out: &mut NodeOutbox) {
        if sync.initiator == self.id {
            self.record_sync(now, sync, peer, skipped, out);
        } else {
            out.send(Endpoint::Node(sync.initiator), Message::MerkleDone { sync, skipped });
        }
    }

    fn record_sync(&mut self, now: Time, sync: MerkleSync, peer: NodeId, skipped: bool, out: &mut NodeOutbox) {
        out.notify(crate::core::notice::Notice::AntiEntropySession {
            initiator: sync.initiator,
            peer,
            range: sync.range,
            stats: sync.stats,
            duration: now - sync.stats.started,
            skipped,
        });
    }
}
