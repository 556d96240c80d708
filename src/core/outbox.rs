//! Effects as data: what a node or a client wants done after handling an input.
//!
//! The core never sends, sleeps or logs. It appends effects to an [`Outbox`]
//! and the engine carries them out: messages go through the simulated
//! network, timers onto the virtual clock, trace events into the trace.

use super::ids::Endpoint;
use super::message::{Message, MsgKind};
use super::time::Dur;
use super::trace::Event;
use super::version::Key;

/// One thing to do, in the order it was decided. Messages are boxed: an
/// effect passes through several queues on its way, and moving a pointer is
/// cheaper than moving a message. Trace events are small enough (their
/// large parts are boxed inside) to travel inline, which spares an
/// allocation per event made on a node's thread and freed on the engine's.
#[derive(Debug)]
pub enum Effect<T> {
    Send {
        to: Endpoint,
        /// The message's kind, noted where the message is made: the engine
        /// counts and routes by it without reading the message, whose
        /// memory is warm in the sender's core cache, not in its own.
        kind: MsgKind,
        /// With the trace on, the message's key, for the trace's record of
        /// the send (taken here for the same reason).
        key: Option<Key>,
        msg: Box<Message>,
    },
    /// Fire `timer` back at the same actor after `after`.
    Timer {
        after: Dur,
        timer: T,
    },
    Trace(Event),
}

/// Collects effects. Trace events are only built when tracing is on, so a
/// benchmark with the trace off pays nothing for them.
#[derive(Debug)]
pub struct Outbox<T> {
    effects: Vec<Effect<T>>,
    tracing: bool,
}

impl<T> Outbox<T> {
    pub fn new(tracing: bool) -> Self {
        Outbox {
            effects: Vec::new(),
            tracing,
        }
    }

    pub fn send(&mut self, to: Endpoint, msg: Message) {
        let kind = msg.kind();
        let key = if self.tracing { msg.key().cloned() } else { None };
        self.effects.push(Effect::Send {
            to,
            kind,
            key,
            msg: Box::new(msg),
        });
    }

    pub fn timer(&mut self, after: Dur, timer: T) {
        self.effects.push(Effect::Timer { after, timer });
    }

    /// Records a trace event; `make` runs only when tracing is on.
    pub fn trace(&mut self, make: impl FnOnce() -> Event) {
        if self.tracing {
            self.effects.push(Effect::Trace(make()));
        }
    }

    /// Records an event whether or not tracing is on: for the few events
    /// (like an overwritten write) that checkers must always see.
    pub fn note(&mut self, event: Event) {
        self.effects.push(Effect::Trace(event));
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

    /// The effects so far, for tests.
    pub fn effects(&self) -> &[Effect<T>] {
        &self.effects
    }
}
