//! A client session: routes gets and puts into the cluster and remembers,
//! per key, the context of its latest answer.
//!
//! Contexts are what make Dynamo's conflict handling work: a put carries the
//! clock of what the client read, so a put after reading siblings supersedes
//! all of them. Like a node, a client is a sans-IO state machine the engine
//! drives.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::clock::VClock;
use super::config::{Routing, Settings};
use super::deadlines::Deadlines;
use super::ids::{ClientId, Endpoint, NodeId, OpId};
use super::message::{Failure, Get, Message, Operation, Outcome, Put, Reply, Request};
use super::node::forward_timeout;
use super::outbox::Outbox;
use super::ring::{NodeList, Ring};
use super::time::{Dur, Time};
use super::trace::Event;
use super::version::{Key, Value};

/// The longest the client waits for one attempt: for a node that forwards
/// (one outside the key's top N), as long as that node may wait for every
/// one of the top N in turn, plus the way there and back. The chaos
/// checker's latency bound and the preset plan's operation bound are
/// multiples of it.
pub fn longest_attempt(settings: &Settings) -> Dur {
    Dur(forward_timeout(settings).micros() * settings.replicas as u64) + Dur(2 * settings.latency.max.micros())
}
/// A get or put a client is asked to perform.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientOp {
    pub op: OpId,
    pub key: Key,
    pub kind: OpKind,
    /// The node to send the request to, instead of the routing's choice.
    pub via: Option<NodeId>,
    /// How to pick the entry node, instead of the cluster's routing (a
    /// workload may route its own clients differently).
    pub routing: Option<Routing>,
}

/// What a client is asked to do with a key: the [`Operation`] it will send,
/// except that a put's context may be left to the client, which then sends
/// the one it remembers for the key.
#[derive(Clone, Debug, PartialEq)]
pub enum OpKind {
    /// `context` overrides the client's remembered context for the key;
    /// `w`, `pw`, `r` and `pr` override the cluster's quorums.
    Put {
        value: Value,
        w: Option<usize>,
        pw: Option<usize>,
        context: Option<VClock>,
    },
    Get {
        r: Option<usize>,
        pr: Option<usize>,
    },
}

/// The finished operation, as the client saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct OpReport {
    pub op: OpId,
    pub client: ClientId,
    pub key: Key,
    /// The value a put wrote; `None` for a get.
    pub value: Option<Value>,
    /// The context a put carried.
    pub context: Option<VClock>,
    pub outcome: Outcome,
    pub coordinator: Option<NodeId>,
    pub replicas: SmallVec<[NodeId; 4]>,
    pub started: Time,
    pub finished: Time,
}

impl OpReport {
    pub fn is_put(&self) -> bool {
        self.value.is_some()
    }

    pub fn latency(&self) -> Dur {
        self.finished - self.started
    }
}

/// A timer a client set for itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientTimer {
    /// No answer to attempt `attempt` of `op` yet: try the next node.
    Attempt { op: OpId, attempt: u32 },
    /// The earliest attempt deadline may have come (see
    /// [`crate::core::deadlines`]).
    Wake,
}

pub type ClientOutbox = Outbox<ClientTimer>;

#[derive(Clone, Debug)]
struct Pending {
    request: Request,
    via: Option<NodeId>,
    candidates: NodeList,
    /// The candidates are the key's preference list (so each coordinates).
    candidates_coordinate: bool,
    attempt: u32,
    started: Time,
    context: Option<VClock>,
}

/// How many operations in flight a client searches one by one; past
/// this it indexes them.
const INDEXED_FROM: usize = 16;

/// One named client.
#[derive(Clone, Debug)]
pub struct Client {
    id: ClientId,
    contexts: FxHashMap<Key, VClock>,
    /// Operations in flight, in no particular order. Kept inline: a client
    /// nearly always has one, and a thousand clients served in turn find
    /// it beside their other fields instead of behind a table.
    pending: SmallVec<[Pending; 1]>,
    /// Where each operation in flight sits in `pending`, kept only while
    /// more than [`INDEXED_FROM`] are (a fill's thousands): without it each
    /// answer would search them all, and a fill would take time quadratic
    /// in its keys.
    index: Option<Box<FxHashMap<OpId, usize>>>,
    /// When each attempt gives up.
    deadlines: Deadlines<ClientTimer>,
    /// Boxed: it is used only by any-node routing, and a thousand clients
    /// handled in turn stay in cache better at half the size.
    rng: Box<ChaCha8Rng>,
}

impl Client {
    /// A client whose random choices (any-node routing) follow `seed`.
    pub fn new(id: ClientId, seed: u64) -> Client {
        Client {
            id,
            contexts: FxHashMap::default(),
            pending: SmallVec::new(),
            index: None,
            deadlines: Deadlines::new(ClientTimer::Wake),
            rng: Box::new(ChaCha8Rng::seed_from_u64(seed)),
        }
    }

    pub fn id(&self) -> ClientId {
        self.id
    }

    /// The context the client would send with its next put of `key`.
    pub fn context(&self, key: &str) -> Option<&VClock> {
        self.contexts.get(key)
    }

    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Starts an operation: picks the entry node and sends the request.
    pub fn start(&mut self, now: Time, op: ClientOp, ring: &Ring, settings: &Settings, out: &mut ClientOutbox) {
        let ClientOp {
            op: id,
            key,
            kind,
            via,
            routing,
        } = op;
        let routing = routing.unwrap_or(settings.routing);
        let (operation, value, context) = match kind {
            OpKind::Put { value, w, pw, context } => {
                let context = context.or_else(|| self.contexts.get(&key).cloned()).unwrap_or_default();
                let put = Put {
                    value: value.clone(),
                    context: context.clone(),
                    w,
                    pw,
                };
                (Operation::Put(put), Some(value), Some(context))
            }
            OpKind::Get { r, pr } => (Operation::Get(Get { r, pr }), None, None),
        };
        let client = self.id;
        out.trace(|| Event::OpStarted {
            op: id,
            client,
            key: key.clone(),
            value,
            via,
        });
        let candidates_coordinate = via.is_none() && routing == Routing::PartitionAware;
        let candidates = match via {
            Some(node) => smallvec::smallvec![node],
            None => match routing {
                Routing::PartitionAware => ring.preference_list(&key, settings.replicas),
                Routing::AnyNode => {
                    let mut all: Vec<NodeId> = ring.members().to_vec();
                    all.shuffle(&mut *self.rng);
                    all.into_iter().take(settings.replicas).collect()
                }
            },
        };
        let request = Request {
            op: id,
            client,
            key,
            operation,
        };
        let pending = Pending {
            request,
            via,
            candidates,
            candidates_coordinate,
            attempt: 0,
            started: now,
            context,
        };
        self.send_attempt(now, &pending, ring, settings, out);
        self.push_pending(pending);
    }

    /// Adds an operation in flight (indexing them once there are many).
    fn push_pending(&mut self, p: Pending) {
        self.pending.push(p);
        let last = self.pending.len() - 1;
        match &mut self.index {
            Some(index) => {
                index.insert(self.pending[last].request.op, last);
            }
            None if self.pending.len() > INDEXED_FROM => {
                let index = self
                    .pending
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.request.op, i))
                    .collect();
                self.index = Some(Box::new(index));
            }
            None => {}
        }
    }

    /// Removes the operation in flight at `i`.
    fn remove_pending(&mut self, i: usize) -> Pending {
        let p = self.pending.swap_remove(i);
        if let Some(index) = &mut self.index {
            index.remove(&p.request.op);
            if let Some(moved) = self.pending.get(i) {
                index.insert(moved.request.op, i);
            }
            if self.pending.is_empty() {
                self.index = None;
            }
        }
        p
    }

    /// Whether any of `ops` waits for an answer here.
    pub fn is_waiting_for_any(&self, ops: &rustc_hash::FxHashSet<OpId>) -> bool {
        self.pending.iter().any(|p| ops.contains(&p.request.op))
    }

    /// Looks up, without acting on them, what handling `reply` will touch:
    /// the operation it answers and the context kept for that key. A
    /// thousand clients' contexts are far larger than any cache; looked up
    /// together for a window's replies first, their waits for memory
    /// overlap (as [`crate::core::node::Node::prefetch`] does for stores).
    /// Changes nothing.
    pub fn prefetch(&self, reply: &Reply) {
        if let Some(i) = self.pending_index(reply.op) {
            std::hint::black_box(self.contexts.contains_key(self.pending[i].request.key.as_str()));
        }
    }

    fn pending_index(&self, op: OpId) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(&op).copied(),
            None => self.pending.iter().position(|p| p.request.op == op),
        }
    }

    fn take_pending(&mut self, op: OpId) -> Option<Pending> {
        let i = self.pending_index(op)?;
        Some(self.remove_pending(i))
    }

    fn send_attempt(&mut self, now: Time, p: &Pending, ring: &Ring, settings: &Settings, out: &mut ClientOutbox) {
        let target = p.candidates[p.attempt as usize];
        out.send(Endpoint::Node(target), Message::Request(p.request.clone()));
        let coordinates = p.candidates_coordinate
            || ring
                .preference_list(&p.request.key, settings.replicas)
                .contains(&target);
        // A node outside the top N forwards, possibly to every one of them.
        let wait = if coordinates {
            forward_timeout(settings)
        } else {
            longest_attempt(settings)
        };
        let attempt = ClientTimer::Attempt {
            op: p.request.op,
            attempt: p.attempt,
        };
        self.deadlines.set(now, wait, attempt, out);
    }

    /// An answer arrived. Returns the finished operation (the first answer
    /// wins; a late answer from an earlier attempt is ignored).
    pub fn handle_reply(&mut self, now: Time, reply: Reply, out: &mut ClientOutbox) -> Option<OpReport> {
        let p = self.take_pending(reply.op)?;
        match &reply.outcome {
            // A refused put stored nothing: the client knows what it knew.
            Outcome::Put {
                failure: Some(Failure::CounterExhausted),
                ..
            } => {}
            Outcome::Put { clock, .. } => {
                self.contexts.insert(p.request.key.clone(), clock.clone());
            }
            Outcome::Get { context, .. } => {
                self.contexts.insert(p.request.key.clone(), context.clone());
            }
            Outcome::Unavailable(_) => {}
        }
        Some(self.finish(now, p, reply.outcome, Some(reply.coordinator), reply.replicas, out))
    }

    /// A timer fired: try the next node, or give up. Returns the
    /// operations that gave up.
    pub fn handle_timer(
        &mut self,
        now: Time,
        timer: ClientTimer,
        ring: &Ring,
        settings: &Settings,
        out: &mut ClientOutbox,
    ) -> Vec<OpReport> {
        let mut finished = Vec::new();
        match timer {
            ClientTimer::Attempt { op, attempt } => {
                finished.extend(self.attempt_expired(now, op, attempt, ring, settings, out));
            }
            ClientTimer::Wake => {
                while let Some(timer) = self.deadlines.pop_due(now) {
                    if let ClientTimer::Attempt { op, attempt } = timer {
                        finished.extend(self.attempt_expired(now, op, attempt, ring, settings, out));
                    }
                }
                let (pending, index) = (&self.pending, &self.index);
                self.deadlines.rearm(
                    now,
                    |timer| match timer {
                        ClientTimer::Attempt { op, attempt } => match index {
                            Some(index) => index.get(op).is_some_and(|&i| pending[i].attempt == *attempt),
                            None => pending.iter().any(|p| p.request.op == *op && p.attempt == *attempt),
                        },
                        ClientTimer::Wake => false,
                    },
                    out,
                );
            }
        }
        finished
    }

    /// Attempt `attempt` of `op` had no answer in time.
    fn attempt_expired(
        &mut self,
        now: Time,
        op: OpId,
        attempt: u32,
        ring: &Ring,
        settings: &Settings,
        out: &mut ClientOutbox,
    ) -> Option<OpReport> {
        let i = self.pending_index(op)?;
        let p = &mut self.pending[i];
        if p.attempt != attempt {
            return None;
        }
        if (attempt as usize + 1) < p.candidates.len() && p.via.is_none() {
            p.attempt += 1;
            let p = self.remove_pending(i);
            self.send_attempt(now, &p, ring, settings, out);
            self.push_pending(p);
            return None;
        }
        let p = self.remove_pending(i);
        let outcome = Outcome::Unavailable(Failure::NoCoordinator);
        Some(self.finish(now, p, outcome, None, SmallVec::new(), out))
    }

    fn finish(
        &self,
        now: Time,
        p: Pending,
        outcome: Outcome,
        coordinator: Option<NodeId>,
        replicas: SmallVec<[NodeId; 4]>,
        out: &mut ClientOutbox,
    ) -> OpReport {
        let report = OpReport {
            op: p.request.op,
            client: self.id,
            key: p.request.key,
            value: match p.request.operation {
                Operation::Put(put) => Some(put.value),
                Operation::Get(_) => None,
            },
            context: p.context,
            outcome,
            coordinator,
            replicas,
            started: p.started,
            finished: now,
        };
        out.trace(|| Event::OpFinished {
            op: report.op,
            client: report.client,
            key: report.key.clone(),
            put: report.is_put(),
            coordinator,
            outcome: Box::new(report.outcome.clone()),
            replicas: report.replicas.clone(),
            latency: report.latency(),
        });
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::outbox::Effect;

    fn ring() -> Ring {
        Ring::new((0..4u16).map(|n| (NodeId(n), vec![(n as u64 + 1) << 60])))
    }

    /// The nodes `out` sent to, and the wake-ups it asked for.
    fn effects(out: &mut ClientOutbox) -> (Vec<NodeId>, Vec<Dur>) {
        let (mut sent, mut wakes) = (Vec::new(), Vec::new());
        for e in out.drain() {
            match e {
                Effect::Send { to, .. } => sent.push(to.node().expect("to a node")),
                Effect::Timer {
                    after,
                    timer: ClientTimer::Wake,
                } => wakes.push(after),
                other => panic!("unexpected {other:?}"),
            }
        }
        (sent, wakes)
    }

    fn get(op: u64, key: &str) -> ClientOp {
        ClientOp {
            op: OpId(op),
            key: Key::from(key),
            kind: OpKind::Get { r: None, pr: None },
            via: None,
            routing: None,
        }
    }

    #[test]
    fn a_silent_coordinator_is_replaced_at_the_deadline_and_an_answer_cancels_it() {
        let (ring, settings) = (ring(), Settings::default());
        let mut c = Client::new(ClientId(0), 1);
        let mut out = ClientOutbox::new(false);
        c.start(Time(0), get(1, "cart"), &ring, &settings, &mut out);
        let (sent, wakes) = effects(&mut out);
        let owners = ring.preference_list("cart", settings.replicas);
        assert_eq!(sent, vec![owners[0]]);
        let wait = forward_timeout(&settings);
        assert_eq!(wakes, vec![wait]);
        // A second operation's deadline comes later: no wake-up of its own.
        c.start(Time(10), get(2, "list"), &ring, &settings, &mut out);
        assert_eq!(effects(&mut out).1, vec![]);
        // The first deadline: op 1 tries the next node of its list.
        let deadline = Time(0) + wait;
        assert!(
            c.handle_timer(deadline, ClientTimer::Wake, &ring, &settings, &mut out)
                .is_empty()
        );
        let (sent, wakes) = effects(&mut out);
        assert_eq!(sent, vec![owners[1]]);
        assert_eq!(wakes, vec![Dur(10)], "on to op 2's deadline");
        // Op 2 is answered: its deadline no longer matters, op 1's retry does.
        let reply = Reply {
            op: OpId(2),
            coordinator: owners[0],
            outcome: Outcome::Unavailable(Failure::NoCoordinator),
            replicas: SmallVec::new(),
        };
        assert!(c.handle_reply(Time(20), reply, &mut out).is_some());
        out.drain();
        assert!(
            c.handle_timer(deadline + Dur(10), ClientTimer::Wake, &ring, &settings, &mut out)
                .is_empty()
        );
        assert_eq!(effects(&mut out), (vec![], vec![Dur(wait.micros() - 10)]));
        assert_eq!(c.pending(), 1);
    }

    /// Many operations in flight (a fill's) are indexed: answers in any
    /// order each finish their own operation, retries keep their place, and
    /// the index follows the list down to none.
    #[test]
    fn many_operations_in_flight_are_answered_in_any_order() {
        let (ring, settings) = (ring(), Settings::default());
        let mut c = Client::new(ClientId(0), 1);
        let mut out = ClientOutbox::new(false);
        let count = 3 * INDEXED_FROM as u64;
        for op in 0..count {
            c.start(Time(op), get(op, &format!("k{op}")), &ring, &settings, &mut out);
        }
        out.drain();
        assert_eq!(c.pending(), count as usize);
        // Every deadline passes once: each op moves on to its next node.
        let late = Time(count) + forward_timeout(&settings);
        assert!(
            c.handle_timer(late, ClientTimer::Wake, &ring, &settings, &mut out)
                .is_empty()
        );
        out.drain();
        let answer = |op: u64| Reply {
            op: OpId(op),
            coordinator: NodeId(0),
            outcome: Outcome::Unavailable(Failure::NoCoordinator),
            replicas: SmallVec::new(),
        };
        let order: Vec<u64> = (0..count).map(|i| (i * 7) % count).collect();
        for (done, &op) in order.iter().enumerate() {
            let report = c.handle_reply(late, answer(op), &mut out).expect("its own op");
            assert_eq!(report.op, OpId(op));
            assert!(c.handle_reply(late, answer(op), &mut out).is_none(), "answered once");
            assert_eq!(c.pending(), count as usize - done - 1);
        }
        assert!(c.index.is_none());
    }
}
