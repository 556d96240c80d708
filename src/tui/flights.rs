//! Messages in flight and the drops that flash where they died, learnt from
//! the trace. Each message keeps its endpoints' anchors, found once when it
//! is sent, so a frame only interpolates.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use crate::core::ids::MsgId;
use crate::core::message::MsgKind;
use crate::core::time::Time;
use crate::core::trace::{DropReason, Event};

use super::anchors::{Anchor, Homes, anchor};

/// Messages tracked at once; beyond it the oldest are forgotten (they are
/// still in the log).
pub const FLIGHT_CAP: usize = 4_096;
/// Drop flashes shown at once.
pub const FLASH_CAP: usize = 128;
/// How long a drop flashes, in real time.
pub const FLASH_LIFE: Duration = Duration::from_millis(900);

/// One message on its way.
#[derive(Clone, Debug, PartialEq)]
pub struct Flight {
    pub msg: MsgId,
    pub kind: MsgKind,
    /// The message is background traffic's (`:traffic`): the ring draws a
    /// sample of these when there are many.
    pub traffic: bool,
    pub from: Anchor,
    pub to: Anchor,
    pub sent: Time,
    pub arrives: Time,
}

impl Flight {
    /// How far along it is at `now`, from 0 to 1.
    pub fn progress(&self, now: Time) -> f64 {
        let total = self.arrives.since(self.sent).micros();
        if total == 0 {
            return 1.0;
        }
        (now.since(self.sent).micros() as f64 / total as f64).clamp(0.0, 1.0)
    }
}

/// A message that died, and where along its path.
#[derive(Clone, Debug, PartialEq)]
pub struct Flash {
    pub kind: MsgKind,
    pub from: Anchor,
    pub to: Anchor,
    /// 0 at the sender, 1 at the receiver.
    pub along: f64,
    pub reason: DropReason,
    /// The real time it happened, in the app's clock.
    pub at: Duration,
}

/// Every message in flight and the recent drops.
#[derive(Clone, Debug, Default)]
pub struct Flights {
    /// By (time sent, message): oldest first. Message names say who sent
    /// them, not when, so the time comes first.
    live: BTreeMap<(Time, MsgId), Flight>,
    /// When each message in `live` was sent.
    sent_at: HashMap<MsgId, Time>,
    flashes: VecDeque<Flash>,
    /// When (the app's real time) each kind was last sent, by kind: the
    /// ring's legend names the kinds on screen lately first.
    last_sent: [Option<Duration>; MsgKind::ALL.len()],
}

impl Flights {
    pub fn clear(&mut self) {
        self.live.clear();
        self.sent_at.clear();
        self.flashes.clear();
        self.last_sent = Default::default();
    }

    /// When a message of `kind` was last sent, in the app's real time.
    pub fn last_sent(&self, kind: MsgKind) -> Option<Duration> {
        self.last_sent.get(kind as usize).copied().flatten()
    }

    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    pub fn live(&self) -> impl Iterator<Item = &Flight> {
        self.live.values()
    }

    pub fn flashes(&self) -> impl Iterator<Item = &Flash> {
        self.flashes.iter()
    }

    /// Takes in one trace event that happened at `at`; `real_now` stamps
    /// drop flashes.
    pub fn observe(&mut self, at: Time, event: &Event, homes: &Homes, real_now: Duration) {
        match event {
            Event::Sent {
                msg,
                from,
                to,
                kind,
                arrives,
                ..
            } => {
                if let Some(t) = self.last_sent.get_mut(*kind as usize) {
                    *t = Some(real_now);
                }
                if self.live.len() >= FLIGHT_CAP
                    && let Some(((_, oldest), _)) = self.live.pop_first()
                {
                    self.sent_at.remove(&oldest);
                }
                self.sent_at.insert(*msg, at);
                self.live.insert(
                    (at, *msg),
                    Flight {
                        msg: *msg,
                        kind: *kind,
                        traffic: false,
                        from: anchor(homes, *from),
                        to: anchor(homes, *to),
                        sent: at,
                        arrives: *arrives,
                    },
                );
            }
            Event::Delivered { msg, .. } => {
                self.land(*msg);
            }
            Event::Dropped {
                msg,
                from,
                to,
                kind,
                reason,
            } => {
                // Lost on arrival: it flew all the way. Lost when sent: it
                // died at the wall between the two.
                let (from_a, to_a, along) = match self.land(*msg) {
                    Some(f) => (f.from, f.to, 1.0),
                    None => (anchor(homes, *from), anchor(homes, *to), 0.5),
                };
                if self.flashes.len() >= FLASH_CAP {
                    self.flashes.pop_front();
                }
                self.flashes.push_back(Flash {
                    kind: *kind,
                    from: from_a,
                    to: to_a,
                    along,
                    reason: *reason,
                    at: real_now,
                });
            }
            _ => {}
        }
    }

    /// Stamps every flash and every kind's last send `real_now`, as if
    /// the trace so far had been taken in now (a rewind that starts from a
    /// checkpoint shows what a replay from the start would).
    pub fn restamp(&mut self, real_now: Duration) {
        for flash in &mut self.flashes {
            flash.at = real_now;
        }
        for sent in self.last_sent.iter_mut().flatten() {
            *sent = real_now;
        }
    }

    /// Forgets flashes older than [`FLASH_LIFE`] and messages long overdue
    /// (a message whose end the trace never told, say after a trace overflow).
    pub fn expire(&mut self, now: Time, real_now: Duration) {
        while self
            .flashes
            .front()
            .is_some_and(|f| real_now.saturating_sub(f.at) > FLASH_LIFE)
        {
            self.flashes.pop_front();
        }
        let grace = crate::core::time::Dur::from_secs(5);
        let sent_at = &mut self.sent_at;
        self.live.retain(|(_, msg), f| {
            let keep = now <= f.arrives + grace;
            if !keep {
                sent_at.remove(msg);
            }
            keep
        });
    }

    /// Marks a message in flight as background traffic's.
    pub fn mark_traffic(&mut self, msg: MsgId) {
        if let Some(sent) = self.sent_at.get(&msg)
            && let Some(f) = self.live.get_mut(&(*sent, msg))
        {
            f.traffic = true;
        }
    }

    /// Whether a message in flight is background traffic's.
    pub fn is_traffic(&self, msg: MsgId) -> bool {
        self.sent_at
            .get(&msg)
            .and_then(|sent| self.live.get(&(*sent, msg)))
            .is_some_and(|f| f.traffic)
    }

    /// Traffic messages in flight.
    pub fn traffic_len(&self) -> usize {
        self.live.values().filter(|f| f.traffic).count()
    }

    /// A message's flight ended: forgets it and returns it, if it was known.
    fn land(&mut self, msg: MsgId) -> Option<Flight> {
        let sent = self.sent_at.remove(&msg)?;
        self.live.remove(&(sent, msg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::{ClientId, Endpoint, NodeId};
    use crate::core::ring::Ring;

    fn ring() -> Ring {
        Ring::new([(NodeId(0), vec![100]), (NodeId(1), vec![300])])
    }

    fn n(i: u16) -> Endpoint {
        Endpoint::Node(NodeId(i))
    }

    fn sent(msg: u64, from: Endpoint, to: Endpoint, kind: MsgKind, key: Option<&str>, arrives: u64) -> Event {
        Event::Sent {
            msg: MsgId(msg),
            from,
            to,
            kind,
            key: key.map(crate::core::version::Key::from),
            arrives: Time(arrives),
        }
    }

    #[test]
    fn a_message_flies_from_send_to_delivery() {
        let r = ring();
        let h = Homes::new(&r, 2);
        let mut f = Flights::default();
        f.observe(
            Time(100),
            &sent(1, n(0), n(1), MsgKind::Replicate, Some("k"), 200),
            &h,
            Duration::ZERO,
        );
        let flight = f.live().next().unwrap().clone();
        assert_eq!(flight.from, Anchor::Ring(100));
        assert_eq!(flight.to, Anchor::Ring(300));
        assert_eq!(flight.progress(Time(150)), 0.5);
        assert_eq!(flight.progress(Time(900)), 1.0);
        f.observe(
            Time(200),
            &Event::Delivered {
                msg: MsgId(1),
                from: n(0),
                to: n(1),
                kind: MsgKind::Replicate,
            },
            &h,
            Duration::ZERO,
        );
        assert!(f.is_empty());
    }

    #[test]
    fn clients_are_at_the_centre() {
        let r = ring();
        let h = Homes::new(&r, 2);
        let mut f = Flights::default();
        let c = Endpoint::Client(ClientId(0));
        f.observe(
            Time(0),
            &sent(1, c, n(1), MsgKind::ClientRequest, Some("k"), 10),
            &h,
            Duration::ZERO,
        );
        f.observe(
            Time(0),
            &sent(2, n(1), c, MsgKind::ClientReply, None, 20),
            &h,
            Duration::ZERO,
        );
        let flights: Vec<&Flight> = f.live().collect();
        assert_eq!(flights[0].from, Anchor::Centre);
        assert_eq!(flights[0].to, Anchor::Ring(300));
        assert_eq!(flights[1].to, Anchor::Centre);
        assert_eq!(f.last_sent(MsgKind::ClientReply), Some(Duration::ZERO));
        assert_eq!(f.last_sent(MsgKind::Gossip), None);
    }

    #[test]
    fn drops_flash_where_the_message_died_then_fade() {
        let r = ring();
        let h = Homes::new(&r, 2);
        let mut f = Flights::default();
        f.observe(
            Time(0),
            &sent(1, n(0), n(1), MsgKind::Read, Some("k"), 50),
            &h,
            Duration::ZERO,
        );
        let drop = |msg, reason| Event::Dropped {
            msg: MsgId(msg),
            from: n(0),
            to: n(1),
            kind: MsgKind::Read,
            reason,
        };
        f.observe(
            Time(0),
            &drop(1, DropReason::ReceiverDown),
            &h,
            Duration::from_millis(10),
        );
        f.observe(Time(0), &drop(2, DropReason::Partition), &h, Duration::from_millis(20));
        let along: Vec<f64> = f.flashes().map(|x| x.along).collect();
        assert_eq!(along, vec![1.0, 0.5], "at the receiver's door, then at the wall");
        assert!(f.is_empty());
        f.expire(Time(0), Duration::from_millis(915));
        assert_eq!(f.flashes().count(), 1);
        f.expire(Time(0), Duration::from_secs(2));
        assert_eq!(f.flashes().count(), 0);
    }

    /// Message names say who sent them, not when: flights still come oldest
    /// first, the oldest goes when the cap is reached, and a delivery finds
    /// its flight by name.
    #[test]
    fn flights_are_kept_in_the_order_they_were_sent_whatever_their_names() {
        let r = ring();
        let h = Homes::new(&r, 2);
        let mut f = Flights::default();
        let total = FLIGHT_CAP as u64 + 2;
        for i in 0..total {
            // Later messages get smaller names.
            f.observe(
                Time(i),
                &sent(total - i, n(0), n(1), MsgKind::Ack, None, 10),
                &h,
                Duration::ZERO,
            );
        }
        assert_eq!(f.len(), FLIGHT_CAP);
        let times: Vec<u64> = f.live().map(|x| x.sent.micros()).collect();
        assert_eq!(times.first(), Some(&2), "the two oldest went");
        assert!(times.windows(2).all(|w| w[0] < w[1]), "oldest first");
        // The newest message (sent at total - 1) is named 1.
        f.observe(
            Time(total),
            &Event::Delivered {
                msg: MsgId(1),
                from: n(0),
                to: n(1),
                kind: MsgKind::Ack,
            },
            &h,
            Duration::ZERO,
        );
        assert_eq!(f.len(), FLIGHT_CAP - 1);
        assert_eq!(f.live().last().map(|x| x.sent.micros()), Some(total - 2));
        f.expire(Time(10_000_000), Duration::ZERO);
        assert!(f.is_empty());
    }

    #[test]
    fn tracking_is_capped() {
        let r = ring();
        let h = Homes::new(&r, 2);
        let mut f = Flights::default();
        for i in 0..(FLIGHT_CAP as u64 + 10) {
            f.observe(
                Time(0),
                &sent(i, n(0), n(1), MsgKind::Ack, None, 10),
                &h,
                Duration::ZERO,
            );
        }
        assert_eq!(f.len(), FLIGHT_CAP);
        f.expire(Time(10_000_000), Duration::ZERO);
        assert!(f.is_empty(), "long overdue messages are forgotten");
    }
}
