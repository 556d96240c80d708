//! What a window's sources hand the engine's records and the trace, held
//! until the window ends and then released in canonical order.
//!
//! The engine carries out a window's effects source by source: the
//! clients' and the drops it decided at delivery first, then each node's
//! batch the moment it is back, so that the first batches go out while
//! later ones are still being worked on. Sends and timers do not depend on
//! that order (see [`super::Engine::tie`]); notices and trace events do:
//! what the engine does with a notice, and where an event falls in the
//! trace, must not depend on which batch came back first. They wait here,
//! tagged with their time and their source's rank and stream, and come back
//! sorted by that tag: the order a merged, canonical pass would have met
//! them in. Events of one source keep the order the source raised them in.

use crate::core::notice::Notice;
use crate::core::time::Time;
use crate::core::trace::Event;

/// Something that waits for its window's end.
#[derive(Debug)]
pub(super) enum Held {
    /// For the engine to act on (and trace).
    Notice(Notice),
    /// For the trace only.
    Trace(Event),
}

/// An item's place in the canonical order: (time, source rank, stream).
/// Items of one source and instant keep the order they were held in.
type Tag = (Time, u32, u8);

/// Holds what a window's sources produced for the engine and the trace.
#[derive(Default)]
pub(super) struct WindowOutput {
    open: bool,
    /// Rank and stream of the source whose effects are carried out now.
    source: (u32, u8),
    held: Vec<(Tag, Held)>,
}

impl WindowOutput {
    /// Starts holding a window's output.
    pub fn open(&mut self) {
        debug_assert!(self.held.is_empty());
        self.open = true;
    }

    /// Whether a window is being carried out (outside one, nothing waits).
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// What follows comes from the source of this rank and stream (0 for
    /// what the engine decided at delivery, 1 for what the source did).
    pub fn set_source(&mut self, rank: u32, stream: u8) {
        self.source = (rank, stream);
    }

    /// Holds an item until the window ends.
    pub fn hold(&mut self, at: Time, item: Held) {
        let (rank, stream) = self.source;
        self.held.push(((at, rank, stream), item));
    }

    /// Ends the window: its items, in canonical order. Hand the vector back
    /// with [`WindowOutput::give_back`] once emptied, to keep its memory.
    pub fn close(&mut self) -> Vec<(Tag, Held)> {
        self.open = false;
        // Stable: items of one source and instant keep their order. Each
        // source's items come in time order already, so the sort merges
        // a few sorted runs.
        self.held.sort_by_key(|(tag, _)| *tag);
        std::mem::take(&mut self.held)
    }

    pub fn give_back(&mut self, mut emptied: Vec<(Tag, Held)>) {
        emptied.clear();
        self.held = emptied;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::NodeId;

    fn left(n: u16) -> Held {
        Held::Notice(Notice::Left { node: NodeId(n) })
    }

    #[test]
    fn items_come_back_by_time_then_source_then_the_order_each_source_raised_them() {
        let mut out = WindowOutput::default();
        out.open();
        assert!(out.is_open());
        // Source 2 is carried out before source 1, as batches may be.
        out.set_source(2, 1);
        out.hold(Time(5), left(20));
        out.hold(Time(7), left(21));
        out.hold(Time(7), left(22));
        out.set_source(1, 1);
        out.hold(Time(7), left(10));
        out.hold(Time(3), left(11));
        out.hold(Time(7), left(13));
        out.set_source(1, 0);
        out.hold(Time(7), left(12));
        let held = out.close();
        assert!(!out.is_open());
        let got: Vec<(u64, u16)> = held
            .iter()
            .map(|((at, ..), item)| match item {
                Held::Notice(Notice::Left { node }) => (at.micros(), node.0),
                other => unreachable!("{other:?}"),
            })
            .collect();
        assert_eq!(got, vec![(3, 11), (5, 20), (7, 12), (7, 10), (7, 13), (7, 21), (7, 22)]);
        out.give_back(held);
        out.open();
        assert!(out.close().is_empty(), "nothing is carried over");
    }
}
