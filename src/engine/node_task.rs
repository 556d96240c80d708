//! A node as a tokio task: an inbox channel in, a batch of effects out.
//!
//! The engine hands each node all of its inputs for one window of virtual
//! time at once; the task runs them through the node's state machine in
//! order and sends back the effects, stamped with the time of the input
//! that caused them. Node state lives only here: the engine and the UI see
//! it through inspection commands, never by reaching in.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::core::config::Settings;
use crate::core::ids::{Endpoint, MsgId, NodeId};
use crate::core::message::Message;
use crate::core::node::{Disk, Node, NodeOutbox, NodeTimer};
use crate::core::outbox::Effect;
use crate::core::time::Time;
use crate::core::trace::Event;

use super::local_timers::LocalTimers;

/// One input for a node.
#[derive(Debug)]
pub enum NodeInput {
    Message {
        msg: MsgId,
        from: Endpoint,
        message: Box<Message>,
    },
    Timer(NodeTimer),
}

/// Counters a node reports after every batch, cheap to keep current.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeStats {
    /// Keys it stores.
    pub keys: usize,
    /// Keys for which it holds siblings.
    pub keys_with_siblings: usize,
    /// Requests it coordinates or forwards now.
    pub coordinating: usize,
    /// (owner, key) hints it keeps for other nodes.
    pub hints: usize,
    /// Keys it holds but no longer owns, waiting to be streamed on.
    pub handing_over: usize,
}

impl NodeStats {
    pub fn of(node: &Node) -> NodeStats {
        NodeStats {
            keys: node.store().len(),
            keys_with_siblings: node.store().keys_with_siblings(),
            coordinating: node.coordinating(),
            hints: node.hints().len(),
            handing_over: node.handing_over(),
        }
    }
}

/// The inputs of one window for one node, and (on the way back) its effects.
/// The vectors travel back and forth so their memory is reused.
#[derive(Debug)]
pub struct Batch {
    pub node: NodeId,
    /// The inputs, each with its time and tie key, in the queue's order.
    pub inputs: Vec<(Time, u64, NodeInput)>,
    /// The window's last instant: a timer the node sets that falls due by
    /// then fires within the batch (see [`super::local_timers`]).
    pub end: Time,
    /// The effects, in the order the node decided them...
    pub outputs: Vec<Effect<NodeTimer>>,
    /// ...and when: `(at, end)` says the effects before index `end` (and
    /// after the previous run's end) come from the input at `at`.
    pub runs: Vec<(Time, u32)>,
    pub stats: NodeStats,
    /// Messages the node took in (not those that reached it after it left).
    pub delivered: u32,
    pub tracing: bool,
    /// Set when the node's state machine panicked on this batch.
    pub panicked: Option<String>,
}

impl Batch {
    pub fn new(node: NodeId) -> Batch {
        Batch {
            node,
            inputs: Vec::new(),
            end: Time::ZERO,
            outputs: Vec::new(),
            runs: Vec::new(),
            stats: NodeStats::default(),
            delivered: 0,
            tracing: true,
            panicked: None,
        }
    }
}

/// A read-only look at a node, run inside its task.
pub type Inspection = Box<dyn FnOnce(&Node) + Send>;

/// What the engine can ask of a node task.
pub enum NodeCmd {
    /// Boxed: the channels copy what they carry, and a pointer is cheap.
    Batch(Box<Batch>),
    /// The cluster's settings changed at this virtual time.
    Settings(Time, Arc<Settings>),
    /// Try this many times for each next command before parking (see [`recv`]).
    BusyPolling(u32),
    Inspect(Inspection),
    /// Stop at once and hand back the disk.
    Crash(oneshot::Sender<Disk>),
}

/// The task's body: runs until crashed or until the engine goes away.
/// `busy_polls`: see [`recv`].
pub async fn run(
    node: Node,
    mut inbox: mpsc::UnboundedReceiver<NodeCmd>,
    done: mpsc::UnboundedSender<Box<Batch>>,
    mut busy_polls: u32,
) {
    // Boxed, so that the task's state (which the compiler may copy around
    // each await) holds a pointer rather than the whole node.
    let mut node = Box::new(node);
    let mut outbox = NodeOutbox::new(true);
    let mut local = LocalTimers::default();
    while let Some(cmd) = recv(&mut inbox, busy_polls).await {
        match cmd {
            NodeCmd::Batch(mut batch) => {
                // A bug in the state machine must not hang the engine, which
                // waits for every batch: report the panic and stop.
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    process(&mut node, &mut batch, &mut outbox, &mut local)
                }));
                if let Err(panic) = outcome {
                    let text = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a panic".to_string());
                    batch.panicked = Some(format!("node {} panicked: {text}", batch.node.0));
                    batch.inputs.clear();
                    batch.outputs.clear();
                    batch.runs.clear();
                    let _ = done.send(batch);
                    return;
                }
                if done.send(batch).is_err() {
                    return;
                }
            }
            NodeCmd::Settings(now, settings) => {
                node.handle_settings(now, settings, &mut outbox);
                // A settings change leaves no effect today; one that did
                // would have to travel back in a batch.
                debug_assert!(outbox.is_empty(), "a settings change left effects");
            }
            NodeCmd::BusyPolling(tries) => busy_polls = tries,
            NodeCmd::Inspect(look) => look(&node),
            NodeCmd::Crash(reply) => {
                let _ = reply.send((*node).crash());
                return;
            }
        }
    }
}

/// The next message of `rx`, tried `tries` times (yielding to the runtime
/// between tries, so that every other task keeps running) before waiting
/// for it; `None` when the channel is closed. The engine waits so for its
/// batches and a node task for its next command.
///
/// This is the engine's busy polling (see [`super::Engine::set_busy_polling`]),
/// for a benchmark that has the runtime to itself and runs flat out: a
/// window takes some hundred microseconds of work, and waking a parked
/// worker thread between two of them costs more than the gap. With it, a
/// run of the engine section took 0.54 s rather than 0.66 s on a quiet
/// machine (README, "Busy polling"). Elsewhere `tries` is 0 and a wait parks
/// at once.
pub(super) async fn recv<T>(rx: &mut mpsc::UnboundedReceiver<T>, tries: u32) -> Option<T> {
    for _ in 0..tries {
        match rx.try_recv() {
            Ok(message) => return Some(message),
            Err(mpsc::error::TryRecvError::Empty) => tokio::task::yield_now().await,
            Err(mpsc::error::TryRecvError::Disconnected) => return None,
        }
    }
    rx.recv().await
}

/// Runs one batch through the state machine. The outbox fills the batch's
/// own output buffer, so effects are not moved from one to the other. A
/// timer the node sets that falls due inside the window fires here, in its
/// place among the inputs (see [`super::local_timers`]).
pub(super) fn process(node: &mut Node, batch: &mut Batch, outbox: &mut NodeOutbox, local: &mut LocalTimers<NodeTimer>) {
    outbox.set_tracing(batch.tracing);
    debug_assert!(outbox.is_empty() && batch.outputs.is_empty());
    local.clear();
    outbox.swap_buffer(&mut batch.outputs);
    node.prefetch(batch.inputs.iter().filter_map(|(_, _, input)| match input {
        NodeInput::Message { message, .. } => Some(&**message),
        NodeInput::Timer(_) => None,
    }));
    let (rank, end) = (node.id().0 as u32, batch.end);
    batch.delivered = 0;
    let mut inputs = batch.inputs.drain(..).peekable();
    loop {
        let next = inputs.peek().map(|&(at, tie, _)| (at, tie));
        let (at, input) = match local.pop_before(next, end) {
            Some((at, timer)) => (at, NodeInput::Timer(timer)),
            None => match inputs.next() {
                Some((at, _, input)) => (at, input),
                None => break,
            },
        };
        let start = outbox.len();
        // A node that left stops at that instant: what reaches it later in
        // the same window is lost, as it would be at a stopped node.
        let lost = super::network::lost_to_a_down_endpoint(!node.has_left(), false);
        if let Some(reason) = lost {
            if let NodeInput::Message { msg, from, message } = input {
                outbox.trace(|| Event::Dropped {
                    msg,
                    from,
                    to: Endpoint::Node(node.id()),
                    kind: message.kind(),
                    reason,
                });
            }
        } else {
            match input {
                NodeInput::Message { msg, from, message } => {
                    batch.delivered += 1;
                    outbox.trace(|| Event::Delivered {
                        msg,
                        from,
                        to: Endpoint::Node(node.id()),
                        kind: message.kind(),
                    });
                    let message = outbox.unbox(message);
                    node.handle_message(at, from, message, outbox);
                }
                NodeInput::Timer(timer) => node.handle_timer(at, timer, outbox),
            }
        }
        for effect in &outbox.effects()[start..] {
            if let Effect::Timer { after, timer } = effect
                && at + *after <= end
            {
                local.push(at + *after, rank, *timer);
            }
        }
        let done = outbox.len() as u32;
        if done > batch.runs.last().map_or(0, |&(_, e)| e) {
            batch.runs.push((at, done));
        }
    }
    drop(inputs);
    outbox.swap_buffer(&mut batch.outputs);
    batch.stats = NodeStats::of(node);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn recv_takes_what_is_queued_and_waits_for_what_comes_later() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tx.send(1).unwrap();
        assert_eq!(recv(&mut rx, 200).await, Some(1));
        // Sent by another task after the tries began: received all the same,
        // whether it comes while polling or after parking.
        for delay in [0, 5, 500] {
            let tx = tx.clone();
            let sender = tokio::spawn(async move {
                for _ in 0..delay {
                    tokio::task::yield_now().await;
                }
                tx.send(delay).unwrap();
            });
            assert_eq!(recv(&mut rx, 10).await, Some(delay));
            sender.await.unwrap();
        }
        drop(tx);
        assert_eq!(recv(&mut rx, 200).await, None, "closed and empty");
    }
}
