//! Where a request's N copies go: one slot per primary of the key, filled by
//! the primary itself or, under sloppy quorum, by a stand-in further along
//! the ring that keeps the copy with a hint naming the primary.

use smallvec::SmallVec;

use crate::core::ids::NodeId;
use crate::core::message::Failure;
use crate::core::ring::{NodeList, Ring};

/// How one round picks the node asked to hold each copy that has no
/// answer yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// The owner unless the coordinator sees it down; else, when the
    /// request takes stand-ins, the next stand-in; else nobody. (A
    /// request's first round.)
    First,
    /// The next stand-in, while any is left. (A get's later rounds.)
    StandIn,
    /// The owner if it was not asked yet and is not seen down; else the
    /// next stand-in; else, with no stand-in left, the owner once more.
    /// (A put's later rounds: every copy is sent somewhere.)
    OwnerAgain,
}

/// One of the N copies a request wants.
#[derive(Clone, Debug)]
pub struct Slot {
    /// The primary this copy belongs to.
    pub owner: NodeId,
    /// Every node asked to hold it, the primary first (unless it was known
    /// down), then stand-ins.
    pub holders: SmallVec<[NodeId; 2]>,
    /// Some holder answered.
    pub answered: bool,
    /// The owner itself answered.
    pub primary_answered: bool,
}

impl Slot {
    /// The node asked most recently.
    pub fn current(&self) -> Option<NodeId> {
        self.holders.last().copied()
    }

    /// The hint a copy sent to `holder` carries.
    pub fn hint_for(&self, holder: NodeId) -> Option<NodeId> {
        (holder != self.owner).then_some(self.owner)
    }
}

/// The slots of one request and the stand-ins it has tried.
#[derive(Clone, Debug)]
pub struct Slots {
    pub slots: SmallVec<[Slot; 4]>,
    tried: NodeList,
    /// Copies may go to stand-ins (see [`Slots::new`]).
    stand_ins: bool,
}

impl Slots {
    /// One slot per primary of the key (its preference list). This node
    /// answers its own slot at once; when it coordinates without being a
    /// primary, it stands in for the first if `stand_in` allows (sloppy
    /// quorum), and holds no slot otherwise.
    pub fn new(me: NodeId, primaries: &NodeList, stand_in: bool) -> Slots {
        let mut slots: SmallVec<[Slot; 4]> = primaries
            .iter()
            .map(|&p| Slot {
                owner: p,
                holders: SmallVec::new(),
                answered: false,
                primary_answered: false,
            })
            .collect();
        let mut tried = primaries.clone();
        match slots.iter_mut().find(|s| s.owner == me) {
            Some(own) => {
                own.holders.push(me);
                own.answered = true;
                own.primary_answered = true;
            }
            None => {
                tried.push(me);
                if stand_in && let Some(first) = slots.first_mut() {
                    first.holders.push(me);
                    first.answered = true;
                }
            }
        }
        Slots {
            slots,
            tried,
            stand_ins: stand_in,
        }
    }

    /// The slot whose copy `node` was asked to hold.
    pub fn slot_of(&mut self, node: NodeId) -> Option<&mut Slot> {
        self.slots.iter_mut().find(|s| s.holders.contains(&node))
    }

    /// Slots with an answer.
    pub fn answered(&self) -> usize {
        self.slots.iter().filter(|s| s.answered).count()
    }

    /// Slots whose primary answered.
    pub fn primaries_answered(&self) -> usize {
        self.slots.iter().filter(|s| s.primary_answered).count()
    }

    /// Slots some node was asked to fill (or that this node filled).
    pub fn reachable(&self) -> usize {
        self.slots.iter().filter(|s| !s.holders.is_empty()).count()
    }

    /// Slots whose primary itself was asked (or is this node).
    pub fn primaries_reachable(&self) -> usize {
        self.slots.iter().filter(|s| s.holders.contains(&s.owner)).count()
    }

    /// The failure a request answers at once when the nodes it could ask,
    /// as its coordinator's view shows them, cannot make its quorum: `need`
    /// slots (only primaries count unless `sloppy`) and `need_primaries`
    /// primaries. `None` while the quorum can still be met.
    pub fn unreachable(&self, need: usize, need_primaries: usize, sloppy: bool) -> Option<Failure> {
        let (reachable, primaries) = (self.reachable(), self.primaries_reachable());
        if !sloppy && reachable < need {
            Some(Failure::PrimariesUnreachable { got: reachable, need })
        } else if primaries < need_primaries {
            Some(Failure::PrimariesUnreachable {
                got: primaries,
                need: need_primaries,
            })
        } else if reachable < need {
            Some(Failure::QuorumNotReached { got: reachable, need })
        } else {
            None
        }
    }

    /// The failure of a request whose asked nodes have all answered short
    /// of its quorum, with no one left to ask.
    pub fn short(&self, need: usize, need_primaries: usize, sloppy: bool) -> Failure {
        let (answered, primaries) = (self.answered(), self.primaries_answered());
        if !sloppy && primaries < need {
            Failure::PrimariesUnreachable { got: primaries, need }
        } else if primaries < need_primaries {
            Failure::PrimariesUnreachable {
                got: primaries,
                need: need_primaries,
            }
        } else {
            Failure::QuorumNotReached { got: answered, need }
        }
    }

    pub fn all_answered(&self) -> bool {
        self.slots.iter().all(|s| s.answered)
    }

    /// Picks, for every slot without an answer, the node to ask as `pick`
    /// says, records it among the slot's holders and hands it to `ask`.
    /// `down` is the coordinator's view of who is down; `me`, the
    /// coordinator, is never its own stand-in.
    pub fn ask_each(
        &mut self,
        ring: &Ring,
        key: &str,
        me: NodeId,
        down: impl Fn(NodeId) -> bool,
        pick: Pick,
        mut ask: impl FnMut(&Slot, NodeId),
    ) {
        let healthy = |n: NodeId| n != me && !down(n);
        for i in 0..self.slots.len() {
            if self.slots[i].answered {
                continue;
            }
            let owner = self.slots[i].owner;
            let target = match pick {
                Pick::First => {
                    if !down(owner) {
                        Some(owner)
                    } else if self.stand_ins {
                        self.next_stand_in(ring, key, healthy)
                    } else {
                        None
                    }
                }
                Pick::StandIn => self.next_stand_in(ring, key, healthy),
                Pick::OwnerAgain => Some(if !self.slots[i].holders.contains(&owner) && !down(owner) {
                    owner
                } else {
                    self.next_stand_in(ring, key, healthy).unwrap_or(owner)
                }),
            };
            let Some(target) = target else { continue };
            let slot = &mut self.slots[i];
            if !slot.holders.contains(&target) {
                slot.holders.push(target);
            }
            ask(slot, target);
        }
    }

    /// The next healthy node past the ones tried, walking clockwise from
    /// `key`; it becomes a stand-in.
    fn next_stand_in(&mut self, ring: &Ring, key: &str, healthy: impl Fn(NodeId) -> bool) -> Option<NodeId> {
        let next = ring
            .walk(Ring::position(key))
            .find(|n| !self.tried.contains(n) && healthy(*n))?;
        self.tried.push(next);
        Some(next)
    }
}
