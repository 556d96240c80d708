//! What the panes draw, as one value: [`Models`] holds every model the
//! playground keeps beside the engine (the log, the messages in flight, the
//! story's captions and checks, the drawn ring, and the mirrors of state
//! that lives inside the nodes), takes in the trace event by event and asks
//! the engine for what the trace said changed.
//!
//! The mirrors of node state (the key inspector, the hint book, the
//! membership matrix, the Merkle trees, the transfer counts) share the one
//! `Mirror` trait, so a frame asks the engine nothing when nothing
//! changed. Panes read the models; only the app changes them.

use std::time::Duration;

use crate::core::trace::{ClusterChange, Event, TraceEvent};
use crate::engine::Engine;

use super::anchors::DrawnRing;
use super::flights::Flights;
use super::hint_book::HintBook;
use super::history::HistoryModel;
use super::inspector::{Inspector, LastOp};
use super::log::{EventLog, LogEntry};
use super::members::Members;
use super::merkle::MerkleModel;
use super::mirror::{Mirror, RefreshContext};
use super::playback::Playback;
use super::story::Story;
use super::timeline::TimelineMarks;
use super::traffic_marks::TrafficMarks;
use super::transfers::Transfers;
use super::view::DetailView;

/// Every model the panes draw.
#[derive(Clone, Debug)]
pub struct Models {
    pub log: EventLog,
    pub flights: Flights,
    pub story: Story,
    pub ring: DrawnRing,
    pub inspector: Inspector,
    pub hints: HintBook,
    pub members: Members,
    pub merkle: MerkleModel,
    pub transfers: Transfers,
    pub history: HistoryModel,
    pub timeline: TimelineMarks,
    pub traffic: TrafficMarks,
}

impl Models {
    /// The models of a freshly started engine, with an empty log that
    /// hides gossip.
    pub fn new(engine: &Engine) -> Models {
        Models::with_log(engine, EventLog::hiding_gossip())
    }

    fn with_log(engine: &Engine, log: EventLog) -> Models {
        let nodes = engine.names().node_count();
        Models {
            log,
            flights: Flights::default(),
            story: Story::default(),
            ring: DrawnRing::new(engine.ring(), nodes),
            inspector: Inspector::default(),
            hints: HintBook::default(),
            members: Members::new(engine.ring(), nodes),
            merkle: MerkleModel::default(),
            transfers: Transfers::default(),
            history: HistoryModel::default(),
            timeline: TimelineMarks::default(),
            traffic: TrafficMarks::default(),
        }
    }

    /// Starts over on another engine (`load`, `seed`). The log is emptied
    /// and unfiltered but keeps whether it hides gossip.
    pub fn reset(&mut self, engine: &Engine) {
        let mut log = std::mem::take(&mut self.log);
        log.clear();
        log.set_filter(Default::default());
        *self = Models::with_log(engine, log);
    }

    /// Takes in one trace event. `playback` says which scenario steps run
    /// by themselves (their checks add to the step before); `real_now`
    /// stamps messages and drops.
    pub fn observe(&mut self, ev: TraceEvent, engine: &Engine, playback: &Playback, real_now: Duration) {
        let event = &ev.event;
        let flights = &self.flights;
        let traffic = self
            .traffic
            .mark(ev.at, event, engine.names(), |m| flights.is_traffic(m));
        // The inspector follows the key of each new operation, but not
        // background traffic's: it would jump a few hundred times a second.
        if !(traffic && matches!(event, Event::OpStarted { .. })) {
            self.inspector.observe(event);
        }
        self.hints.observe(event);
        self.members.observe(event);
        self.merkle.observe(event);
        self.transfers.observe(event);
        self.history.observe_traced(&ev);
        self.timeline.observe(ev.at, event);
        // Joins and leaves change the ring, views of it spread, and who
        // is alive decides which views count: the drawing follows.
        if matches!(
            event,
            Event::ViewChanged { .. }
                | Event::NodeLeft { .. }
                | Event::ClusterChange(
                    ClusterChange::Join(_)
                        | ClusterChange::Leave(_)
                        | ClusterChange::Kill(_)
                        | ClusterChange::Revive(_)
                )
        ) {
            self.members.ring_changed(engine.ring());
            self.members.settle_departures(|n| engine.is_alive(n));
            self.ring
                .follow(engine.ring(), self.members.departing(), engine.names().node_count());
        }
        self.flights.observe(ev.at, event, self.ring.homes(), real_now);
        if traffic && let Event::Sent { msg, .. } = event {
            self.flights.mark_traffic(*msg);
        }
        if let Event::OpFinished {
            op,
            client,
            key,
            put,
            coordinator,
            outcome,
            replicas,
            latency,
        } = event
        {
            let report = engine.report(*op);
            let last = LastOp {
                op: *op,
                client: *client,
                put: *put,
                value: report.and_then(|r| r.value.clone()),
                context: report.and_then(|r| r.context.clone()),
                coordinator: *coordinator,
                outcome: (**outcome).clone(),
                replicas: replicas.clone(),
                latency: *latency,
                at: ev.at,
            };
            self.inspector.record(key, last);
        }
        self.story.observe(event, |index| playback.is_automatic(index));
        self.log
            .push(LogEntry::from_trace(ev, engine.names()).with_traffic(traffic));
    }

    /// Asks the engine for whatever the mirrors say changed: the
    /// inspector's key first (the Merkle trees follow its selection).
    pub async fn refresh(&mut self, engine: &mut Engine, real_now: Duration, force: bool, view: DetailView) {
        let mut context = RefreshContext {
            real_now,
            force,
            view,
            key: None,
        };
        self.inspector.refresh(engine, &context).await;
        context.key = self.inspector.selected().cloned();
        self.hints.refresh(engine, &context).await;
        self.members.refresh(engine, &context).await;
        self.merkle.refresh(engine, &context).await;
        self.transfers.refresh(engine, &context).await;
        // The history view's holders: what the inspector and the hint book
        // just saw, asked for nothing more.
        if view == DetailView::History
            && let Some(key) = &context.key
        {
            self.history.hold(key, &self.inspector, &self.hints);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time::Time;
    use crate::scenario::Scenario;
    use crate::tui::log::Category;

    #[test]
    fn reset_starts_every_model_over_but_the_log_keeps_its_gossip_setting() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let scenario = Scenario::parse("cluster: {nodes: 3}\nsteps: []\n", "test", "test").unwrap();
        rt.block_on(async {
            let engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
            let mut models = Models::new(&engine);
            assert!(models.log.hides_gossip(), "gossip stays out of the log at first");
            models.log.set_hide_gossip(false);
            models
                .log
                .push(LogEntry::note(Time::ZERO, "hello".into(), Category::Command));
            models.inspector.select("cart".into());
            models.story.observe(&Event::Caption("a caption".into()), |_| false);
            models.reset(&engine);
            assert!(models.log.is_empty());
            assert!(!models.log.hides_gossip(), "g's choice outlives a load");
            assert_eq!(models.inspector.selected(), None);
            assert!(models.story.captions().is_empty());
        });
    }
}
