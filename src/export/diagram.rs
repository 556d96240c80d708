//! A run's trace as a space-time diagram: the messages between participants
//! and, in the order they happened, the points the exporters draw.
//!
//! Every exporter ([`super::shiviz`], [`super::mermaid`], [`super::svg`])
//! reads this one model, so that they agree on what a message is, which
//! messages concern a key, and what is left out. It reads only
//! [`TraceEvent`]s; each arm of [`Diagram::build`] picks out one kind of
//! event, so that a change of the event type touches one arm.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::core::ids::{Endpoint, MsgId, Names, NodeId};
use crate::core::message::MsgKind;
use crate::core::ring::Ring;
use crate::core::time::Time;
use crate::core::trace::{ClusterChange, DropReason, Event, TraceEvent, describe_change};
use crate::core::version::Key;

/// What to draw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only what concerns this key: messages about it (replies and acks
    /// included), the versions stored for it, the operations on it.
    pub key: Option<Key>,
    /// Include gossip (left out by default: it is most of the traffic).
    pub gossip: bool,
}

/// What became of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Delivered(Time),
    Dropped(Time, DropReason),
    /// Still on its way when the trace ends.
    InFlight,
}

/// One message of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub msg: MsgId,
    pub from: Endpoint,
    pub to: Endpoint,
    pub kind: MsgKind,
    /// The key it carries, or for a reply or an ack, the key of the message
    /// it answers (see [`Diagram::build`]).
    pub key: Option<Key>,
    pub sent: Time,
    /// When it would have arrived (the send time for one dropped as it left).
    pub arrives: Time,
    pub fate: Fate,
}

impl Message {
    /// `replicate [cart]`.
    pub fn label(&self) -> String {
        match &self.key {
            Some(k) => format!("{} [{k}]", self.kind.name()),
            None => self.kind.name().to_string(),
        }
    }
}

/// One thing to draw, in trace order.
#[derive(Clone, Debug, PartialEq)]
pub enum Point {
    /// Message `index` leaves its sender.
    Send(usize),
    /// Message `index` reaches its receiver.
    Deliver(usize),
    /// Message `index` is lost (a send with no delivery).
    Drop(usize),
    /// Something one participant did: stored a version, finished an operation.
    Local { at: Endpoint, text: String },
    /// A fault or a change of the cluster, about these nodes (all when empty).
    Fault { nodes: Vec<NodeId>, text: String },
    /// A scenario caption.
    Caption(String),
}

/// A span of time a node is dead, or in a partition group.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub node: NodeId,
    pub from: Time,
    /// `None`: until the end.
    pub to: Option<Time>,
    pub kind: SpanKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    Dead,
    /// In group `n` of a partition.
    Partitioned(usize),
}

/// The diagram of a run.
#[derive(Clone, Debug, Default)]
pub struct Diagram {
    /// Left to right: clients, then nodes in ring order.
    pub participants: Vec<Endpoint>,
    pub messages: Vec<Message>,
    pub points: Vec<(Time, Point)>,
    pub spans: Vec<Span>,
    /// When the trace ends.
    pub end: Time,
}

/// Kinds that answer an earlier message and carry no key of their own.
fn answers(kind: MsgKind) -> bool {
    matches!(
        kind,
        MsgKind::ClientReply | MsgKind::ForwardReply | MsgKind::Ack | MsgKind::ReadReply | MsgKind::HandoffAck
    )
}

/// Kinds whose receiver answers with one of [`answers`].
fn answered(kind: MsgKind) -> bool {
    matches!(
        kind,
        MsgKind::ClientRequest | MsgKind::Forward | MsgKind::Replicate | MsgKind::Read | MsgKind::Handoff
    )
}

fn is_gossip(kind: MsgKind) -> bool {
    matches!(kind, MsgKind::Gossip | MsgKind::GossipReply)
}

/// The participants left to right: every client named (in order of first
/// use), then the nodes in ring order, starting from the first node and
/// walking clockwise by each node's first token; nodes off the ring last.
pub fn participants(names: &Names, ring: &Ring) -> Vec<Endpoint> {
    let mut out: Vec<Endpoint> = (0..names.client_count())
        .map(|i| Endpoint::Client(crate::core::ids::ClientId(i as u16)))
        .collect();
    let mut on_ring: Vec<(u64, NodeId)> = ring
        .members()
        .iter()
        .map(|&n| (ring.tokens_of(n).into_iter().min().unwrap_or(u64::MAX), n))
        .collect();
    on_ring.sort();
    if let Some(start) = on_ring.iter().enumerate().min_by_key(|(_, (_, n))| *n).map(|(i, _)| i) {
        on_ring.rotate_left(start);
    }
    let mut nodes: Vec<NodeId> = on_ring.into_iter().map(|(_, n)| n).collect();
    for i in 0..names.node_count() {
        let n = NodeId(i as u16);
        if !nodes.contains(&n) {
            nodes.push(n);
        }
    }
    out.extend(nodes.into_iter().map(Endpoint::Node));
    out
}

impl Diagram {
    /// The diagram of `trace` under `sel`, with participants in `order`
    /// (see [`participants`]).
    ///
    /// Replies and acks carry no key; one concerns the key of the message it
    /// answers: each delivered keyed message from A to B leaves an answer
    /// owed by B to A, and B's next unkeyed answer to A pays the oldest.
    /// A message dropped as it left (a partition, a cut link) has no `Sent`
    /// event and no key in the trace: it concerns the key its sender sent
    /// or coordinated in that same instant, when there is one.
    pub fn build(trace: &[TraceEvent], names: &Names, order: Vec<Endpoint>, sel: &Selection) -> Diagram {
        let mut d = Diagram {
            participants: order,
            ..Diagram::default()
        };
        let mut by_id: FxHashMap<MsgId, usize> = FxHashMap::default();
        // Every message, selected or not, so that answers find their key.
        let mut owed: FxHashMap<(Endpoint, Endpoint), VecDeque<Key>> = FxHashMap::default();
        let mut keys: FxHashMap<MsgId, Option<Key>> = FxHashMap::default();
        // The key each endpoint last sent or wrote, and when: a message
        // dropped as it left carries no key in the trace, but leaves in the
        // same instant as the others of its burst.
        let mut last_key: FxHashMap<Endpoint, (Time, Key)> = FxHashMap::default();
        let mut dead: FxHashMap<NodeId, Time> = FxHashMap::default();
        let mut partition: Vec<(NodeId, usize)> = Vec::new();
        let mut partition_since = Time(0);
        let concerns = |key: &Key| sel.key.as_ref().is_none_or(|k| k == key);
        let wanted = |kind: MsgKind, key: &Option<Key>| {
            (sel.gossip || !is_gossip(kind)) && (sel.key.is_none() || key.as_ref().is_some_and(&concerns))
        };
        for ev in trace {
            let at = ev.at;
            d.end = d.end.max(at);
            match &ev.event {
                Event::Sent {
                    msg,
                    from,
                    to,
                    kind,
                    key,
                    arrives,
                } => {
                    let key = match key {
                        Some(k) => Some(k.clone()),
                        None if answers(*kind) => owed.get_mut(&(*from, *to)).and_then(|q| q.pop_front()),
                        None => None,
                    };
                    keys.insert(*msg, key.clone());
                    if let Some(k) = &key {
                        last_key.insert(*from, (at, k.clone()));
                    }
                    if wanted(*kind, &key) {
                        let i = d.messages.len();
                        d.messages.push(Message {
                            msg: *msg,
                            from: *from,
                            to: *to,
                            kind: *kind,
                            key,
                            sent: at,
                            arrives: *arrives,
                            fate: Fate::InFlight,
                        });
                        by_id.insert(*msg, i);
                        d.points.push((at, Point::Send(i)));
                    }
                }
                Event::Delivered { msg, from, to, kind } => {
                    if let Some(Some(k)) = keys.remove(msg)
                        && answered(*kind)
                    {
                        owed.entry((*to, *from)).or_default().push_back(k);
                    }
                    if let Some(i) = by_id.remove(msg) {
                        d.messages[i].fate = Fate::Delivered(at);
                        d.points.push((at, Point::Deliver(i)));
                    }
                }
                Event::Dropped {
                    msg,
                    from,
                    to,
                    kind,
                    reason,
                } => {
                    let i = match by_id.remove(msg) {
                        Some(i) => Some(i),
                        // Dropped as it left: the send is the drop.
                        None if !keys.contains_key(msg) => {
                            let key = if answers(*kind) {
                                owed.get_mut(&(*from, *to)).and_then(|q| q.pop_front())
                            } else {
                                last_key.get(from).filter(|(t, _)| *t == at).map(|(_, k)| k.clone())
                            };
                            wanted(*kind, &key).then(|| {
                                let i = d.messages.len();
                                d.messages.push(Message {
                                    msg: *msg,
                                    from: *from,
                                    to: *to,
                                    kind: *kind,
                                    key,
                                    sent: at,
                                    arrives: at,
                                    fate: Fate::InFlight,
                                });
                                d.points.push((at, Point::Send(i)));
                                i
                            })
                        }
                        None => None,
                    };
                    keys.remove(msg);
                    if let Some(i) = i {
                        d.messages[i].fate = Fate::Dropped(at, *reason);
                        d.points.push((at, Point::Drop(i)));
                    }
                }
                Event::Stored { node, key, version, .. } if concerns(key) => d.points.push((
                    at,
                    Point::Local {
                        at: Endpoint::Node(*node),
                        text: format!("stored {key} = {}", version.display(names)),
                    },
                )),
                Event::Overwritten { node, key, .. } | Event::Shadowed { node, key, .. } if concerns(key) => {
                    d.points.push((
                        at,
                        Point::Local {
                            at: Endpoint::Node(*node),
                            text: ev.describe(names),
                        },
                    ))
                }
                Event::HintStored { node, key, .. } if concerns(key) => d.points.push((
                    at,
                    Point::Local {
                        at: Endpoint::Node(*node),
                        text: ev.describe(names),
                    },
                )),
                Event::OpStarted { client, key, .. } | Event::OpFinished { client, key, .. } if concerns(key) => {
                    d.points.push((
                        at,
                        Point::Local {
                            at: Endpoint::Client(*client),
                            text: ev.describe(names),
                        },
                    ))
                }
                Event::ClusterChange(fault) => {
                    let nodes = match fault {
                        ClusterChange::Kill(n) => {
                            dead.insert(*n, at);
                            vec![*n]
                        }
                        ClusterChange::Revive(n) => {
                            if let Some(from) = dead.remove(n) {
                                d.spans.push(Span {
                                    node: *n,
                                    from,
                                    to: Some(at),
                                    kind: SpanKind::Dead,
                                });
                            }
                            vec![*n]
                        }
                        ClusterChange::Partition(groups) => {
                            close_partition(&mut d.spans, &mut partition, partition_since, at);
                            partition_since = at;
                            for (g, group) in groups.iter().enumerate() {
                                partition.extend(group.iter().map(|&n| (n, g)));
                            }
                            groups.iter().flatten().copied().collect()
                        }
                        ClusterChange::Heal => {
                            close_partition(&mut d.spans, &mut partition, partition_since, at);
                            Vec::new()
                        }
                        ClusterChange::Cut { from, to } => vec![*from, *to],
                        ClusterChange::Slow { node, .. } | ClusterChange::Join(node) | ClusterChange::Leave(node) => {
                            vec![*node]
                        }
                        ClusterChange::Set(_) => Vec::new(),
                    };
                    d.points.push((
                        at,
                        Point::Fault {
                            nodes,
                            text: describe_change(fault, names),
                        },
                    ));
                }
                Event::NodeLeft { node } => {
                    dead.insert(*node, at);
                }
                Event::Caption(text) => d.points.push((at, Point::Caption(text.clone()))),
                _ => {}
            }
        }
        let mut open: Vec<(NodeId, Time)> = dead.into_iter().collect();
        open.sort();
        for (node, from) in open {
            d.spans.push(Span {
                node,
                from,
                to: None,
                kind: SpanKind::Dead,
            });
        }
        for (node, g) in partition {
            d.spans.push(Span {
                node,
                from: partition_since,
                to: None,
                kind: SpanKind::Partitioned(g),
            });
        }
        d
    }

    /// The column of `e` (participants not in the order are not drawn).
    pub fn column(&self, e: Endpoint) -> Option<usize> {
        self.participants.iter().position(|&p| p == e)
    }
}

fn close_partition(spans: &mut Vec<Span>, partition: &mut Vec<(NodeId, usize)>, since: Time, at: Time) {
    for (node, g) in partition.drain(..) {
        spans.push(Span {
            node,
            from: since,
            to: Some(at),
            kind: SpanKind::Partitioned(g),
        });
    }
}
