//! Which trace events belong to the background traffic (`:traffic`), so
//! that the log can leave them out (`t`) and the ring can draw a sample of
//! its messages. An event is traffic's when its key is a traffic key or an
//! endpoint a traffic client; a delivery or a drop (which name no key)
//! when the message was traffic's; a reply (an ack, a read reply: no key
//! either) when the node sends it while handling a delivery of traffic's,
//! as a node answers a request in the same instant it receives it.

use crate::core::ids::{Endpoint, MsgId, Names};
use crate::core::time::Time;
use crate::core::trace::Event;
use crate::scenario::traffic::{is_traffic_client, is_traffic_key};

/// The state the marks need: the delivery being handled.
#[derive(Clone, Debug, Default)]
pub struct TrafficMarks {
    /// The last delivery: when, to whom, and whether it was traffic's.
    handling: Option<(Time, Endpoint, bool)>,
}

impl TrafficMarks {
    /// Whether the event at `at` is traffic's; `in_flight` says whether a
    /// message still in flight was. Call it for every event, in order.
    pub fn mark(&mut self, at: Time, event: &Event, names: &Names, in_flight: impl Fn(MsgId) -> bool) -> bool {
        let client = |e: &Endpoint| matches!(e, Endpoint::Client(c) if is_traffic_client(names.client(*c)));
        match event {
            Event::Sent { key, from, to, .. } => match key {
                Some(k) => is_traffic_key(k) || client(from) || client(to),
                None => client(from) || client(to) || self.handling == Some((at, *from, true)),
            },
            Event::Delivered { msg, from, to, .. } => {
                let traffic = in_flight(*msg) || client(from) || client(to);
                self.handling = Some((at, *to, traffic));
                traffic
            }
            Event::Dropped { msg, from, to, .. } => in_flight(*msg) || client(from) || client(to),
            Event::OpStarted { client: c, key, .. } | Event::OpFinished { client: c, key, .. } => {
                is_traffic_key(key) || is_traffic_client(names.client(*c))
            }
            other => other.key().is_some_and(|k| is_traffic_key(k)),
        }
    }
}
