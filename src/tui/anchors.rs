//! Where a node sits on the drawn ring. A node owns several tokens; one of
//! them is its home, where its name is written and where its messages leave
//! and arrive, so every message visibly goes from one named node to another.
//! Homes are chosen spread around the ring. Clients sit at the centre.
//!
//! The ring drawn ([`DrawnRing`]) is the cluster's ring plus the nodes
//! leaving it that some live view still lists; homes are found again only
//! when it changes.

use crate::core::ids::{Endpoint, NodeId};
use crate::core::ring::Ring;

/// A point of the drawing: a ring position or the centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// A position on the ring (0..2^64, clockwise from the top).
    Ring(u64),
    Centre,
}

/// The home token of every node. Computed once per ring.
#[derive(Clone, Debug, Default)]
pub struct Homes {
    homes: Vec<Option<u64>>,
}

/// The ring the ring pane draws, and its nodes' homes: what messages are
/// anchored to.
#[derive(Clone, Debug)]
pub struct DrawnRing {
    ring: Ring,
    homes: Homes,
}

impl DrawnRing {
    pub fn new(ring: &Ring, nodes: usize) -> DrawnRing {
        DrawnRing {
            ring: ring.clone(),
            homes: Homes::new(ring, nodes),
        }
    }

    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    pub fn homes(&self) -> &Homes {
        &self.homes
    }

    /// The cluster's ring or the views of it changed: draws `cluster` plus
    /// the `departing` nodes with their tokens, and finds the homes again
    /// when that differs from what is drawn.
    pub fn follow(&mut self, cluster: &Ring, departing: &[(NodeId, Vec<u64>)], nodes: usize) {
        let mut drawn = cluster.clone();
        for (node, tokens) in departing {
            drawn = drawn.with_node(*node, tokens.clone());
        }
        if drawn != self.ring {
            self.homes = Homes::new(&drawn, nodes);
            self.ring = drawn;
        }
    }
}

/// How far apart two ring positions are, either way round.
fn gap(a: u64, b: u64) -> u64 {
    let d = a.wrapping_sub(b);
    d.min(d.wrapping_neg())
}

impl Homes {
    /// Picks, node by node, the token farthest from the homes picked so far,
    /// so that names and message ends spread around the ring.
    pub fn new(ring: &Ring, nodes: usize) -> Homes {
        let mut homes: Vec<Option<u64>> = vec![None; nodes];
        let mut tokens_of: Vec<Vec<u64>> = vec![Vec::new(); nodes];
        for t in ring.tokens() {
            if let Some(list) = tokens_of.get_mut(t.node.index()) {
                list.push(t.pos);
            }
        }
        let mut picked: Vec<u64> = Vec::new();
        for (node, tokens) in tokens_of.iter().enumerate() {
            let best = tokens.iter().copied().max_by_key(|&pos| {
                (
                    picked.iter().map(|&p| gap(pos, p)).min().unwrap_or(u64::MAX),
                    u64::MAX - pos,
                )
            });
            if let Some(pos) = best {
                homes[node] = Some(pos);
                picked.push(pos);
            }
        }
        Homes { homes }
    }

    pub fn home(&self, node: NodeId) -> Option<u64> {
        self.homes.get(node.index()).copied().flatten()
    }
}

/// The token of `node` met first walking clockwise from `pos`.
pub fn token_from(ring: &Ring, node: NodeId, pos: u64) -> Option<u64> {
    let tokens = ring.tokens();
    if tokens.is_empty() {
        return None;
    }
    let start = ring.owner_index(pos);
    (0..tokens.len())
        .map(|i| tokens[(start + i) % tokens.len()])
        .find(|t| t.node == node)
        .map(|t| t.pos)
}

/// Where a message's end is drawn.
pub fn anchor(homes: &Homes, endpoint: Endpoint) -> Anchor {
    match endpoint {
        Endpoint::Client(_) => Anchor::Centre,
        Endpoint::Node(node) => homes.home(node).map_or(Anchor::Centre, Anchor::Ring),
    }
}

/// A ring position as an angle in radians, clockwise from the top.
pub fn angle(pos: u64) -> f64 {
    pos as f64 / 2f64.powi(64) * std::f64::consts::TAU
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::ClientId;

    fn ring() -> Ring {
        Ring::new([(NodeId(0), vec![100, 500]), (NodeId(1), vec![300])])
    }

    #[test]
    fn homes_spread_around_the_ring() {
        let h = Homes::new(&ring(), 3);
        assert_eq!(h.home(NodeId(0)), Some(100), "ties go to the lower position");
        assert_eq!(h.home(NodeId(1)), Some(300));
        assert_eq!(h.home(NodeId(2)), None, "not on the ring");
        let quarter = u64::MAX / 4;
        let r = Ring::new([
            (NodeId(0), vec![0]),
            (NodeId(1), vec![10, 2 * quarter]),
            (NodeId(2), vec![20, quarter, 3 * quarter]),
        ]);
        let h = Homes::new(&r, 3);
        assert_eq!(h.home(NodeId(1)), Some(2 * quarter), "opposite node 0");
        assert!(matches!(h.home(NodeId(2)), Some(p) if p == quarter || p == 3 * quarter));
    }

    #[test]
    fn walking_finds_a_nodes_token_the_token_met_walking_from_the_position() {
        let r = ring();
        assert_eq!(token_from(&r, NodeId(0), 200), Some(500));
        assert_eq!(token_from(&r, NodeId(0), 600), Some(100), "wraps around");
        assert_eq!(token_from(&r, NodeId(1), 301), Some(300));
        assert_eq!(token_from(&r, NodeId(2), 0), None);
    }

    #[test]
    fn clients_sit_at_the_centre_and_nodes_at_home() {
        let h = Homes::new(&ring(), 2);
        assert_eq!(anchor(&h, Endpoint::Client(ClientId(0))), Anchor::Centre);
        assert_eq!(anchor(&h, Endpoint::Node(NodeId(1))), Anchor::Ring(300));
    }

    #[test]
    fn angles_run_clockwise_from_the_top() {
        assert_eq!(angle(0), 0.0);
        assert!((angle(1 << 63) - std::f64::consts::PI).abs() < 1e-9);
    }
}
