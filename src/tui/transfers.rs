//! Range transfers per node, from the trace: how many keys each node took
//! in from others and dropped after handing them on, since the scenario
//! opened. With the keys a node still has to hand over (its `handing_over`
//! counter), the nodes table shows a join or a leave moving keys.

use crate::core::ids::NodeId;
use crate::core::trace::Event;

use super::mirror::Mirror;

/// Keys moved by transfers, per node.
#[derive(Clone, Debug, Default)]
pub struct Transfers {
    received: Vec<u64>,
    released: Vec<u64>,
}

fn add(counts: &mut Vec<u64>, node: NodeId, n: usize) {
    if counts.len() <= node.index() {
        counts.resize(node.index() + 1, 0);
    }
    counts[node.index()] += n as u64;
}

impl Transfers {
    pub fn clear(&mut self) {
        *self = Transfers::default();
    }

    /// Keys `node` acknowledged receiving from nodes handing them over.
    pub fn received(&self, node: NodeId) -> u64 {
        self.received.get(node.index()).copied().unwrap_or(0)
    }

    /// Keys `node` dropped once their new owners had them.
    pub fn released(&self, node: NodeId) -> u64 {
        self.released.get(node.index()).copied().unwrap_or(0)
    }
}

impl Mirror for Transfers {
    fn observe(&mut self, event: &Event) {
        match event {
            Event::Transferred { to, keys, .. } => add(&mut self.received, *to, *keys),
            Event::Released { node, keys } => add(&mut self.released, *node, *keys),
            _ => {}
        }
    }
}

/// The nodes table's transfer cell: `→3` keys still to hand over, `↓12`
/// keys received, `↑5` keys handed on and dropped; empty when nothing moved.
pub fn transfer_cell(handing_over: usize, received: u64, released: u64) -> String {
    let mut parts: Vec<String> = Vec::new();
    if handing_over > 0 {
        parts.push(format!("→{handing_over}"));
    }
    if received > 0 {
        parts.push(format!("↓{received}"));
    }
    if released > 0 && handing_over == 0 {
        parts.push(format!("↑{released}"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfers_add_up_per_node() {
        let mut t = Transfers::default();
        t.observe(&Event::Transferred {
            from: NodeId(0),
            to: NodeId(5),
            keys: 4,
            dropped: 4,
        });
        t.observe(&Event::Transferred {
            from: NodeId(1),
            to: NodeId(5),
            keys: 3,
            dropped: 0,
        });
        t.observe(&Event::Released {
            node: NodeId(0),
            keys: 4,
        });
        assert_eq!(t.received(NodeId(5)), 7);
        assert_eq!(t.received(NodeId(0)), 0);
        assert_eq!(t.released(NodeId(0)), 4);
        assert_eq!(t.released(NodeId(9)), 0);
    }

    #[test]
    fn the_cell_says_what_moves() {
        assert_eq!(transfer_cell(0, 0, 0), "");
        assert_eq!(transfer_cell(3, 0, 0), "→3");
        assert_eq!(transfer_cell(0, 12, 0), "↓12");
        assert_eq!(transfer_cell(0, 0, 5), "↑5");
        assert_eq!(
            transfer_cell(2, 1, 5),
            "→2 ↓1",
            "while handing over, the pending count matters"
        );
    }
}
