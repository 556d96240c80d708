//! Effects as data: what a node or a client wants done after handling an input.
//!
//! The core never sends, sleeps or logs. It appends effects to an [`Outbox`]
//! and the engine carries them out: messages go through the simulated
//! network, timers onto the virtual clock, notices into the engine's own
//! records (see [`super::notice`]), trace events into the trace.

use super::ids::Endpoint;
use super::message::{Message, MsgKind, ReqId};
use super::notice::Notice;
use super::time::Dur;
use super::trace::Event;
use super::version::Key;

/// One thing to do, in the order it was decided. Messages are boxed: an
/// effect passes through several queues on its way, and moving a pointer is
/// cheaper than moving a message. Trace events and notices are small enough (their
/// large parts are boxed inside) to travel inline, which spares an
/// allocation per event made on a node's thread and freed on the engine's.
#[derive(Debug)]
pub enum Effect<T> {
    Send {
        to: Endpoint,
        /// The message's kind, read where the message is made: the engine
        /// counts and routes by it without reading the message, whose
        /// memory is warm in the sender's core cache, not in its own
        /// (sorting out a window's events, which the other core waits for,
        /// took a third less time: README, "The engine does not read messages").
        kind: MsgKind,
        /// With the trace on, the message's key, for the trace's record of
        /// the send (taken here for the same reason).
        key: Option<Key>,
        msg: Box<Message>,
    },
    /// Fire `timer` back at the same actor after `after`.
    Timer { after: Dur, timer: T },
    /// Something the engine acts on (and traces), with the trace on or off.
    Notify(Notice),
    /// Output only: made only when tracing is on, and never read by the engine.
    Trace(Event),
}

/// Collects effects. Trace events are only built when tracing is on, so a
/// benchmark with the trace off pays nothing for them.
#[derive(Debug)]
pub struct Outbox<T> {
    effects: Vec<Effect<T>>,
    tracing: bool,
    /// Boxes of messages received, kept to carry messages sent: an actor
    /// sends about as many messages as it receives, so in a busy cluster
    /// nearly every send reuses a box instead of allocating one (and the
    /// box it reuses was just read, so it is in the cache).
    /// (The boxes themselves are the point: clippy's `vec_box` does not apply.)
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Message>>,
}

/// At most this many spare boxes are kept per outbox.
const SPARE_BOXES: usize = 64;

impl<T> Outbox<T> {
    pub fn new(tracing: bool) -> Self {
        Outbox {
            effects: Vec::new(),
            tracing,
            spare: Vec::new(),
        }
    }

    pub fn send(&mut self, to: Endpoint, msg: Message) {
        let kind = msg.kind();
        let key = if self.tracing { msg.key().cloned() } else { None };
        let msg = match self.spare.pop() {
            Some(mut spare) => {
                *spare = msg;
                spare
            }
            None => Box::new(msg),
        };
        self.effects.push(Effect::Send { to, kind, key, msg });
    }

    /// Takes a received message out of its box, and keeps the box for a
    /// later [`Outbox::send`] (7 % fewer node instructions in the engine
    /// benchmark: README, "Boxes are reused"). The box holds a placeholder
    /// ack, the cheapest message to write, until it is reused.
    pub fn unbox(&mut self, mut boxed: Box<Message>) -> Message {
        let msg = std::mem::replace(&mut *boxed, Message::Ack { req: ReqId(0) });
        if self.spare.len() < SPARE_BOXES {
            self.spare.push(boxed);
        }
        msg
    }

    /// Fires `timer` after `after`, and always at a later instant than
    /// the one that set it: what an actor does at one instant is over
    /// before anything it scheduled happens.
    pub fn timer(&mut self, after: Dur, timer: T) {
        let after = after.max(Dur(1));
        self.effects.push(Effect::Timer { after, timer });
    }

    /// Records a trace event; `make` runs only when tracing is on.
    pub fn trace(&mut self, make: impl FnOnce() -> Event) {
        if self.tracing {
            self.effects.push(Effect::Trace(make()));
        }
    }

    /// Tells the engine something it acts on, whether or not tracing is on.
    pub fn notify(&mut self, notice: Notice) {
        self.effects.push(Effect::Notify(notice));
    }

    pub fn tracing(&self) -> bool {
        self.tracing
    }

    pub fn set_tracing(&mut self, on: bool) {
        self.tracing = on;
    }

    pub fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }

    pub fn len(&self) -> usize {
        self.effects.len()
    }

    /// Takes every effect out, keeping the buffer's capacity.
    pub fn drain(&mut self) -> std::vec::Drain<'_, Effect<T>> {
        self.effects.drain(..)
    }

    /// Swaps the outbox's buffer with `buffer`: lends the outbox a buffer to
    /// fill in place, and takes it back the same way. A node task collects a
    /// whole batch's effects so, without moving each one out and in again.
    pub fn swap_buffer(&mut self, buffer: &mut Vec<Effect<T>>) {
        std::mem::swap(&mut self.effects, buffer);
    }

    /// The effects so far.
    pub fn effects(&self) -> &[Effect<T>] {
        &self.effects
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::NodeId;

    fn sent_box(out: &Outbox<()>, i: usize) -> *const Message {
        match &out.effects()[i] {
            Effect::Send { msg, .. } => &**msg as *const Message,
            other => panic!("expected a send, got {other:?}"),
        }
    }

    #[test]
    fn a_received_box_carries_the_next_message_sent() {
        let mut out: Outbox<()> = Outbox::new(false);
        let read = Message::Read {
            req: ReqId(7),
            key: "k".into(),
        };
        let received = Box::new(read.clone());
        let place = &*received as *const Message;
        assert_eq!(out.unbox(received), read, "the message comes out whole");

        let ack = Message::Ack { req: ReqId(8) };
        out.send(Endpoint::Node(NodeId(1)), ack.clone());
        assert_eq!(sent_box(&out, 0), place, "the send reused the received box");
        match &out.effects()[0] {
            Effect::Send { msg, kind, key, .. } => {
                assert_eq!(**msg, ack);
                assert_eq!(*kind, MsgKind::Ack);
                assert_eq!(*key, None, "no key is copied with the trace off");
            }
            other => panic!("expected a send, got {other:?}"),
        }

        // No spare box is left: the next send has a box of its own.
        out.send(Endpoint::Node(NodeId(2)), read);
        assert_ne!(sent_box(&out, 1), place);
    }

    #[test]
    fn keeps_a_bounded_number_of_spare_boxes() {
        let mut out: Outbox<()> = Outbox::new(true);
        for i in 0..SPARE_BOXES + 10 {
            out.unbox(Box::new(Message::Ack { req: ReqId(i as u64) }));
        }
        assert_eq!(out.spare.len(), SPARE_BOXES);
        out.send(
            Endpoint::Node(NodeId(1)),
            Message::Read {
                req: ReqId(1),
                key: "k".into(),
            },
        );
        assert_eq!(out.spare.len(), SPARE_BOXES - 1);
        match &out.effects()[0] {
            Effect::Send { key, .. } => assert_eq!(key.as_deref(), Some("k"), "the key is copied with the trace on"),
            other => panic!("expected a send, got {other:?}"),
        }
    }
}
