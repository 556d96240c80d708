//! The hints each node keeps for others, as the engine last reported them:
//! the nodes table shows who holds hints for whom (`2→n1,n3`) and the key
//! inspector marks hinted versions of the selected key ("hint for n1").
//!
//! Hints live inside the nodes, so the book asks the engine for a node's
//! hints only when that node's hints changed: a `HintStored` or
//! `HintDelivered` event names it, a transfer or a departure moved them, or
//! its hint counter (reported after every batch, free to read) no longer
//! matches what the book holds. Nothing is asked every frame.

use std::time::Duration;

use crate::core::ids::NodeId;
use crate::core::trace::{ClusterChange, Event};
use crate::core::version::{Key, Version};
use crate::engine::Engine;

use super::mirror::{Mirror, RefreshContext};
use super::throttle::Throttle;

/// Hints are asked for at most this often (real time) while frames run.
const HINTS_EVERY: Duration = Duration::from_millis(100);

/// One hint: a version kept for `owner`, to hand back when it returns.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldHint {
    pub owner: NodeId,
    pub key: Key,
    pub versions: Vec<Version>,
}

/// Every node's hints, by holder.
#[derive(Clone, Debug, Default)]
pub struct HintBook {
    held: Vec<Vec<HeldHint>>,
    dirty: Vec<bool>,
    throttle: Throttle,
}

impl HintBook {
    pub fn clear(&mut self) {
        *self = HintBook::default();
    }

    fn grow(&mut self, node: NodeId) {
        let n = node.index() + 1;
        if self.held.len() < n {
            self.held.resize_with(n, Vec::new);
            self.dirty.resize(n, false);
        }
    }

    fn touch(&mut self, node: NodeId) {
        self.grow(node);
        self.dirty[node.index()] = true;
    }

    /// The nodes whose hints must be asked for again, given each node's
    /// current hint counter.
    fn stale(&self, nodes: usize, count: impl Fn(NodeId) -> usize) -> Vec<NodeId> {
        (0..nodes)
            .map(|i| NodeId(i as u16))
            .filter(|&n| {
                let held = self.held.get(n.index()).map_or(0, Vec::len);
                self.dirty.get(n.index()).copied().unwrap_or(false) || held != count(n)
            })
            .collect()
    }

    /// Takes the engine's answer for `node`: (owner, key, versions).
    fn set(&mut self, node: NodeId, hints: Vec<(NodeId, Key, Vec<Version>)>) {
        self.grow(node);
        self.dirty[node.index()] = false;
        self.held[node.index()] = hints
            .into_iter()
            .map(|(owner, key, versions)| HeldHint { owner, key, versions })
            .collect();
    }

    /// The hints `node` keeps.
    pub fn held_by(&self, node: NodeId) -> &[HeldHint] {
        self.held.get(node.index()).map_or(&[], Vec::as_slice)
    }

    /// The distinct owners `node` keeps hints for, in node order.
    pub fn owners(&self, node: NodeId) -> Vec<NodeId> {
        let mut owners: Vec<NodeId> = self.held_by(node).iter().map(|h| h.owner).collect();
        owners.sort_unstable();
        owners.dedup();
        owners
    }

    /// Every hint of `key`, with the node that keeps it, by holder.
    pub fn for_key<'a>(&'a self, key: &'a str) -> impl Iterator<Item = (NodeId, &'a HeldHint)> + 'a {
        self.held.iter().enumerate().flat_map(move |(i, hints)| {
            hints
                .iter()
                .filter(move |h| &*h.key == key)
                .map(move |h| (NodeId(i as u16), h))
        })
    }
}

impl Mirror for HintBook {
    /// Takes in a trace event: marks the nodes whose hints it changed.
    fn observe(&mut self, event: &Event) {
        match event {
            Event::HintStored { node, .. } | Event::HintDelivered { node, .. } => self.touch(*node),
            // A leaver streams its hints on; hints for a node that left
            // become data.
            Event::Transferred { from, .. } => self.touch(*from),
            Event::NodeLeft { node } | Event::ClusterChange(ClusterChange::Leave(node)) => self.touch(*node),
            _ => {}
        }
    }

    /// Asks for the hints of the nodes whose hints changed, at most once
    /// per [`HINTS_EVERY`] unless forced.
    async fn refresh(&mut self, engine: &mut Engine, context: &RefreshContext) {
        let stale = self.stale(engine.names().node_count(), |n| engine.status(n).stats.hints);
        if stale.is_empty() || !self.throttle.ready(context.real_now, HINTS_EVERY, context.force) {
            return;
        }
        for node in stale {
            let held = engine.hints(node).await;
            self.set(node, held);
        }
    }
}

/// The nodes table's hints cell: how many hints and for whom, `2→n1,n3`,
/// cut to `width` columns with a `+k` for the owners left out.
pub fn hint_cell(count: usize, owners: &[&str], width: usize) -> String {
    if count == 0 {
        return String::new();
    }
    // As many names as fit, with room for "+k" when some are left out.
    for shown in (1..=owners.len()).rev() {
        let mut text = format!("{count}→{}", owners[..shown].join(","));
        if shown < owners.len() {
            text.push_str(&format!("+{}", owners.len() - shown));
        }
        if text.chars().count() <= width {
            return text;
        }
    }
    count.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::VClock;

    fn v(value: &str) -> Version {
        Version::new(value, VClock::from_pairs([(NodeId(0), 1)]))
    }

    fn hint(owner: u16, key: &str) -> (NodeId, Key, Vec<Version>) {
        (NodeId(owner), Key::from(key), vec![v("CAR")])
    }

    #[test]
    fn a_node_is_asked_again_when_an_event_names_it_or_its_counter_moved() {
        let mut book = HintBook::default();
        assert!(book.stale(3, |_| 0).is_empty(), "nobody holds hints");
        book.observe(&Event::HintStored {
            node: NodeId(2),
            owner: NodeId(0),
            key: Key::from("cart"),
            version: Box::new(v("CAR")),
        });
        assert_eq!(book.stale(3, |n| (n == NodeId(2)) as usize), vec![NodeId(2)]);
        book.set(NodeId(2), vec![hint(0, "cart")]);
        assert!(book.stale(3, |n| (n == NodeId(2)) as usize).is_empty());
        assert_eq!(
            book.stale(3, |n| if n == NodeId(1) { 3 } else { (n == NodeId(2)) as usize }),
            vec![NodeId(1)],
            "a counter that does not match what the book holds"
        );
    }

    #[test]
    fn owners_and_hints_of_a_key() {
        let mut book = HintBook::default();
        book.set(NodeId(3), vec![hint(0, "cart"), hint(0, "user"), hint(2, "cart")]);
        book.set(NodeId(1), vec![hint(4, "user")]);
        assert_eq!(book.owners(NodeId(3)), vec![NodeId(0), NodeId(2)]);
        assert!(book.owners(NodeId(9)).is_empty());
        let cart: Vec<(NodeId, NodeId)> = book.for_key("cart").map(|(n, h)| (n, h.owner)).collect();
        assert_eq!(cart, vec![(NodeId(3), NodeId(0)), (NodeId(3), NodeId(2))]);
        book.set(NodeId(3), Vec::new());
        assert_eq!(book.for_key("cart").count(), 0, "delivered hints are gone");
    }

    #[test]
    fn the_hints_cell_names_owners_as_room_allows() {
        assert_eq!(hint_cell(0, &[], 10), "");
        assert_eq!(hint_cell(2, &["n1", "n3"], 10), "2→n1,n3");
        assert_eq!(hint_cell(1, &["cart-1"], 10), "1→cart-1");
        assert_eq!(hint_cell(5, &["n1", "n3", "n4", "n5"], 10), "5→n1,n3+2");
        assert_eq!(hint_cell(5, &["n1", "n3", "n4"], 10), "5→n1,n3,n4");
        assert_eq!(
            hint_cell(3, &["a-long-name", "b"], 8),
            "3",
            "no name fits: the count alone"
        );
        assert_eq!(hint_cell(3, &[], 8), "3", "owners not known yet");
        for w in 1..12 {
            let cell = hint_cell(12, &["n10", "n11", "n12"], w);
            assert!(cell.chars().count() <= w.max(2), "{cell:?} in {w}");
        }
    }
}
