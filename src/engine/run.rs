//! Moving virtual time: the window loop and the carrying out of effects.

use crate::core::client::{ClientTimer, OpReport};
use crate::core::ids::{ClientId, Endpoint, MsgId, NodeId, OpId};
use crate::core::message::{Message, MsgKind};
use crate::core::node::NodeTimer;
use crate::core::notice::Notice;
use crate::core::outbox::Effect;
use crate::core::time::{Dur, Time};
use crate::core::trace::{DropReason, Event};
use crate::core::version::Key;

use smallvec::SmallVec;

use super::Engine;
use super::local_timers::COUNT_BITS;
use super::node_task::{Batch, NodeCmd, NodeInput};
use super::order::{CLIENT_ORDER, order_of};
use super::scheduled::{Envelope, Scheduled};
use super::scratch::{ClientInput, Item, Scratch};
use super::window_output::Held;

impl Engine {
    /// Processes every event up to and including `until`, then sets the clock to it.
    pub async fn run_until(&mut self, until: Time) {
        while self.run_window(until).await {}
        if until > self.now {
            self.now = until;
        }
    }

    /// Runs for `d` of virtual time.
    pub async fn run_for(&mut self, d: Dur) {
        let until = self.now + d;
        self.run_until(until).await;
    }

    /// Processes the events of the next instant only (one step of the
    /// single-step mode). Returns false when nothing is scheduled.
    pub async fn step(&mut self) -> bool {
        match self.queue.peek_time() {
            Some(t) => self.run_window(t).await,
            None => false,
        }
    }

    /// Runs until any op in `ops` has finished (the clock stops at that
    /// instant) or until `deadline` (the clock then reads `deadline`).
    pub async fn run_until_any(&mut self, ops: &[OpId], deadline: Time) {
        if ops.iter().any(|op| self.reports.contains_key(op)) {
            return;
        }
        self.watch.extend(ops.iter().copied());
        let target = ops.len();
        loop {
            if self.watch.len() < target || !self.run_window(deadline).await {
                break;
            }
        }
        let finished = self.watch.len() < target;
        self.watch.clear();
        if !finished && deadline > self.now {
            self.now = deadline;
        }
    }

    /// Runs until every op in `ops` has finished or `deadline` passes. The
    /// clock stops at the instant the last op finished.
    pub async fn run_until_done(&mut self, ops: &[OpId], deadline: Time) {
        self.watch
            .extend(ops.iter().copied().filter(|op| !self.reports.contains_key(op)));
        while !self.watch.is_empty() {
            if !self.run_window(deadline).await {
                break;
            }
        }
        self.watch.clear();
        if self.queue.peek_time().is_none()
            && deadline > self.now
            && !ops.iter().all(|op| self.reports.contains_key(op))
        {
            self.now = deadline;
        }
    }

    /// Processes one window of virtual time that starts at the next event.
    /// Returns false when no event is due by `limit`.
    pub(super) async fn run_window(&mut self, limit: Time) -> bool {
        let Some(start) = self.queue.peek_time() else {
            return false;
        };
        if start > limit {
            return false;
        }
        let mut end = (start + Dur(self.lookahead.micros() - 1)).min(limit);
        self.top_up_arrivals(end);
        let mut scratch = std::mem::take(&mut self.scratch);

        // 1. Take every event of the window and sort it to its endpoint.
        while let Some((at, tie, event)) = self.queue.pop_until(end) {
            match event {
                Scheduled::Deliver(env) => {
                    if let Some(reason) = self.lost_on_arrival(&env) {
                        if self.tracing {
                            scratch.push(
                                at,
                                order_of(env.to),
                                0,
                                Item::Trace(Event::Dropped {
                                    msg: env.msg,
                                    from: env.from,
                                    to: env.to,
                                    kind: env.kind,
                                    reason,
                                }),
                            );
                        }
                        continue;
                    }
                    match env.to {
                        Endpoint::Node(n) => {
                            if self.is_joining(n) {
                                end = at;
                            }
                            let slot = &mut self.slots[n.index()];
                            let batch = slot.batch.as_mut().expect("batch is home between windows");
                            if batch.inputs.is_empty() {
                                scratch.active.push(n);
                            }
                            batch.inputs.push((
                                at,
                                tie,
                                NodeInput::Message {
                                    msg: env.msg,
                                    from: env.from,
                                    message: env.message,
                                },
                            ));
                        }
                        Endpoint::Client(c) => {
                            if !self.watch.is_empty()
                                && let Message::Reply(reply) = &*env.message
                                && self.watch.contains(&reply.op)
                            {
                                end = at;
                            }
                            let input = ClientInput::Reply {
                                msg: env.msg,
                                from: env.from,
                                message: env.message,
                            };
                            scratch.client_inputs.push((at, tie, c, input));
                        }
                    }
                }
                Scheduled::NodeTimer { node, epoch, timer } => {
                    let slot = &self.slots[node.index()];
                    if !slot.alive || slot.epoch != epoch {
                        continue;
                    }
                    if self.is_joining(node) {
                        end = at;
                    }
                    let batch = self.slots[node.index()]
                        .batch
                        .as_mut()
                        .expect("batch is home between windows");
                    if batch.inputs.is_empty() {
                        scratch.active.push(node);
                    }
                    batch.inputs.push((at, tie, NodeInput::Timer(timer)));
                }
                Scheduled::ClientTimer { client, timer } => {
                    if self.client_timer_watched(client, timer) {
                        end = at;
                    }
                    scratch.client_inputs.push((at, tie, client, ClientInput::Timer(timer)));
                }
                Scheduled::Arrival { generation, seq } => {
                    if generation == self.arrival_generation {
                        // The client is the workload's choice, made when served.
                        scratch
                            .client_inputs
                            .push((at, tie, ClientId(0), ClientInput::Arrival(seq)));
                    }
                }
            }
        }
        self.window_end = end;

        // 2. Hand every active node its batch; they work in parallel.
        for &n in &scratch.active {
            let slot = &mut self.slots[n.index()];
            let mut batch = slot.batch.take().expect("batch is home");
            batch.tracing = self.tracing;
            batch.end = end;
            let inbox = slot.inbox.as_ref().expect("an active node is alive");
            inbox.send(NodeCmd::Batch(batch)).expect("node task alive");
        }

        // 3. Meanwhile, the clients, in the queue's order, with the timers
        // they set that fall due inside the window.
        let mut client_inputs = std::mem::take(&mut scratch.client_inputs);
        for (_, _, c, input) in &client_inputs {
            if let ClientInput::Reply { message, .. } = input
                && let Message::Reply(reply) = &**message
            {
                self.clients[c.index()].prefetch(reply);
            }
        }
        let mut inputs = client_inputs.drain(..).peekable();
        loop {
            let next = inputs.peek().map(|&(at, tie, _, _)| (at, tie));
            if let Some((at, (c, timer))) = scratch.client_local.pop_before(next, end) {
                // Only a wake-up sets a client timer shorter than a window,
                // and a wake-up of a client waiting for a watched op ends
                // its window: such a timer never finishes a watched op.
                debug_assert!(!self.client_timer_watched(c, timer));
                self.serve_client(at, c, ClientInput::Timer(timer), end, &mut scratch);
                continue;
            }
            let Some((at, _, c, input)) = inputs.next() else {
                break;
            };
            self.serve_client(at, c, input, end, &mut scratch);
        }
        drop(inputs);
        debug_assert!(scratch.client_local.is_empty());
        scratch.client_inputs = client_inputs;

        // 4. Carry out every effect of the window.
        self.carry_out(&mut scratch).await;
        scratch.order.clear();
        scratch.outputs.clear();
        self.scratch = scratch;
        if end > self.now {
            self.now = end;
        }
        if !self.departed.is_empty() {
            self.stop_departed().await;
        }
        true
    }

    /// Whether `node` joins and is not yet on the clients' ring. Its view
    /// may change at any of its inputs, and the ring with it (see
    /// [`Engine::act_on_view`]): a window ends at a joiner's first input, so
    /// that clients served later in time route by the ring of their instant.
    fn is_joining(&self, node: NodeId) -> bool {
        !self.joining.is_empty() && self.joining.iter().any(|&(j, _)| j == node)
    }

    /// Whether a client timer may finish a watched op: the window then
    /// ends at its instant, so that the clock can stop there.
    fn client_timer_watched(&self, client: ClientId, timer: ClientTimer) -> bool {
        match timer {
            ClientTimer::Attempt { op, .. } => self.watch.contains(&op),
            ClientTimer::Wake => !self.watch.is_empty() && self.clients[client.index()].is_waiting_for_any(&self.watch),
        }
    }

    /// Hands a client one input at `at` and gathers what it does. A timer
    /// it sets that falls due by `end` is kept to fire inside the window
    /// (see [`super::local_timers`]).
    fn serve_client(&mut self, at: Time, c: ClientId, input: ClientInput, end: Time, scratch: &mut Scratch) {
        if let ClientInput::Arrival(seq) = input {
            self.serve_arrival(at, seq, end, scratch);
            return;
        }
        let client = &mut self.clients[c.index()];
        let reports: SmallVec<[OpReport; 1]> = match input {
            ClientInput::Reply { msg, from, message } => {
                // Clients are only ever sent replies.
                let Message::Reply(reply) = self.client_outbox.unbox(message) else {
                    return;
                };
                self.client_outbox.trace(|| Event::Delivered {
                    msg,
                    from,
                    to: Endpoint::Client(c),
                    kind: crate::core::message::MsgKind::ClientReply,
                });
                client
                    .handle_reply(at, reply, &mut self.client_outbox)
                    .into_iter()
                    .collect()
            }
            ClientInput::Timer(timer) => client
                .handle_timer(at, timer, &self.ring, &self.settings, &mut self.client_outbox)
                .into_iter()
                .collect(),
            ClientInput::Arrival(_) => unreachable!("served by serve_arrival"),
        };
        // A follow-up starts now: its effects follow the answer's.
        for report in reports {
            if let Some(arrivals) = self.arrivals.as_mut()
                && arrivals.finished(&report)
            {
                continue;
            }
            let Some(follow_up) = self.follow_up.as_mut() else {
                self.record(report);
                continue;
            };
            if let Some((key, kind)) = follow_up(&report) {
                self.start_op(at, report.client, key, kind, None);
            }
        }
        self.gather_client_effects(at, c, end, scratch);
    }

    /// Starts what an open-loop workload's arrival asks for, at its instant.
    fn serve_arrival(&mut self, at: Time, seq: u64, end: Time, scratch: &mut Scratch) {
        let Some(arrivals) = self.arrivals.as_mut() else { return };
        let Some(a) = arrivals.arrive(at, seq, &self.ring) else {
            return;
        };
        if a.client.index() >= self.clients.len() {
            return;
        }
        self.start_routed_op(at, a.client, a.key, a.kind, a.via, a.routing);
        self.gather_client_effects(at, a.client, end, scratch);
    }

    /// Gathers what client `c` did at `at` into the window's effects.
    fn gather_client_effects(&mut self, at: Time, c: ClientId, end: Time, scratch: &mut Scratch) {
        let rank = CLIENT_ORDER + c.0 as u32;
        for effect in self.client_outbox.drain() {
            if let Effect::Timer { after, timer } = effect
                && at + after <= end
            {
                scratch.client_local.push(at + after, rank, (c, timer));
            }
            scratch.push(at, rank, 1, Item::Client(c, effect));
        }
    }

    /// Why a message that reached its destination's door is lost, if it
    /// is: the network decides, told which endpoints are down.
    fn lost_on_arrival(&self, env: &Envelope) -> Option<DropReason> {
        let receiver_up = match env.to {
            Endpoint::Node(to) => self.slots[to.index()].alive,
            Endpoint::Client(_) => true,
        };
        let sender_crashed = match env.from {
            Endpoint::Node(from) => {
                let slot = &self.slots[from.index()];
                // A node that left stopped gracefully: not a crash.
                (!slot.alive && !slot.left) || slot.epoch != env.from_epoch
            }
            Endpoint::Client(_) => false,
        };
        self.network.on_arrival(env.from, env.to, receiver_up, sender_crashed)
    }

    /// Carries out the window's effects: the other items at once, while
    /// the nodes work, then each node's batch the moment it is back, so
    /// that the first batches go out while later ones are still worked on.
    /// The order batches come back in varies from run to run, and nothing
    /// done here depends on it: each sender draws latency from its own
    /// generator and schedules with its own tie keys, and notices and trace
    /// events wait for the window's end, to be acted on and traced in
    /// canonical order (see [`super::window_output`]).
    async fn carry_out(&mut self, scratch: &mut Scratch) {
        self.window_output.open();
        scratch.order.sort_unstable();
        for &(at, order, stream, index) in &scratch.order {
            self.window_output.set_source(order, stream);
            self.apply_item(at, scratch.outputs[index as usize].take());
        }
        for _ in 0..scratch.active.len() {
            let mut batch = self.collect_batch().await;
            let node = batch.node;
            self.window_output.set_source(node.0 as u32, 1);
            let mut effects = batch.outputs.drain(..);
            let mut done = 0;
            for &(at, end) in &batch.runs {
                for effect in effects.by_ref().take((end - done) as usize) {
                    self.apply_node_effect(at, node, effect);
                }
                done = end;
            }
            debug_assert!(effects.next().is_none(), "the runs count the effects");
            drop(effects);
            self.send_home(batch);
        }
        scratch.active.clear();
        let mut held = self.window_output.close();
        for ((at, ..), item) in held.drain(..) {
            match item {
                Held::Notice(notice) => self.act_on(at, notice),
                Held::Trace(event) => self.trace.push(at, event),
            }
        }
        self.window_output.give_back(held);
    }

    /// Waits for the next batch back from a node task.
    async fn collect_batch(&mut self) -> Box<Batch> {
        let mut batch = super::node_task::recv(&mut self.done_rx, self.busy_polls)
            .await
            .expect("node tasks answer");
        let n = batch.node;
        if let Some(panic) = batch.panicked.take() {
            self.failure.get_or_insert(panic);
            let slot = &mut self.slots[n.index()];
            slot.alive = false;
            slot.inbox = None;
        }
        let slot = &mut self.slots[n.index()];
        slot.stats = batch.stats;
        slot.received += batch.delivered as u64;
        batch
    }

    /// Keeps a carried-out batch's buffers for the node's next window.
    fn send_home(&mut self, mut batch: Box<Batch>) {
        batch.outputs.clear();
        batch.runs.clear();
        let node = batch.node;
        self.slots[node.index()].batch = Some(batch);
    }

    fn apply_item(&mut self, at: Time, item: Option<Item>) {
        match item {
            Some(Item::Trace(event)) => self.emit(at, event),
            Some(Item::Client(c, effect)) => self.apply_client_effect(at, c, effect),
            None => {}
        }
    }

    fn apply_node_effect(&mut self, at: Time, node: NodeId, effect: Effect<NodeTimer>) {
        match effect {
            Effect::Send { to, kind, key, msg } => self.send(at, Endpoint::Node(node), to, kind, key, msg),
            Effect::Timer { after, timer } => {
                let epoch = self.slots[node.index()].epoch;
                let tie = self.tie(Endpoint::Node(node));
                // Due inside the window: the node fired it already (see
                // `super::local_timers`); it only takes its count.
                if at + after > self.window_end {
                    self.queue
                        .push_after(at, after, tie, Scheduled::NodeTimer { node, epoch, timer });
                }
            }
            Effect::Notify(notice) => self.notify(at, notice),
            Effect::Trace(event) => self.emit(at, event),
        }
    }

    /// Traces an event (when the trace is on): inside a window, at the
    /// window's end in canonical order.
    fn emit(&mut self, at: Time, event: Event) {
        if !self.tracing {
            return;
        }
        if self.window_output.is_open() {
            self.window_output.hold(at, Held::Trace(event));
        } else {
            self.trace.push(at, event);
        }
    }

    /// Takes a notice: inside a window, it is acted on at the window's end
    /// in canonical order.
    fn notify(&mut self, at: Time, notice: Notice) {
        if self.window_output.is_open() {
            self.window_output.hold(at, Held::Notice(notice));
        } else {
            self.act_on(at, notice);
        }
    }

    /// Acts on a notice (see [`Engine::act_on_view`]), then traces it. Every
    /// replica that drops (or shadows) a lost version notices it: each
    /// (lost, by) pair is kept once, and each lost version traced once.
    fn act_on(&mut self, at: Time, notice: Notice) {
        if let Notice::LostWrite {
            node,
            key,
            lost,
            by,
            shadowed,
        } = &notice
        {
            if self
                .overwritten_seen
                .insert((key.clone(), (**lost).clone(), (**by).clone()))
            {
                self.overwrites.push(super::Overwrite {
                    at,
                    node: *node,
                    key: key.clone(),
                    lost: (**lost).clone(),
                    by: (**by).clone(),
                    shadowed: *shadowed,
                });
            }
            if !self
                .overwritten_traced
                .insert((key.clone(), (**lost).clone(), *shadowed))
            {
                return;
            }
        } else {
            self.act_on_view(&notice);
        }
        if self.tracing {
            self.trace.push(at, notice.into());
        }
    }

    fn apply_client_effect(&mut self, at: Time, client: ClientId, effect: Effect<ClientTimer>) {
        match effect {
            Effect::Send { to, kind, key, msg } => self.send(at, Endpoint::Client(client), to, kind, key, msg),
            Effect::Timer { after, timer } => {
                let tie = self.tie(Endpoint::Client(client));
                // Due inside the window: the client was served it already
                // (see `super::local_timers`); it only takes its count. (Set
                // outside a window, at `now`, a timer is never due by the
                // last window's end.)
                if at + after > self.window_end {
                    self.queue
                        .push_after(at, after, tie, Scheduled::ClientTimer { client, timer });
                }
            }
            Effect::Notify(notice) => self.notify(at, notice),
            Effect::Trace(event) => self.emit(at, event),
        }
    }

    /// Carries out what a client decided outside a window (a new operation).
    pub(super) fn apply_client_effects(&mut self, client: ClientId) {
        let now = self.now;
        let mut effects = std::mem::take(&mut self.scratch.client_effects);
        self.client_outbox.swap_buffer(&mut effects);
        for effect in effects.drain(..) {
            self.apply_client_effect(now, client, effect);
        }
        self.scratch.client_effects = effects;
    }

    /// Puts a message on the network.
    fn send(&mut self, at: Time, from: Endpoint, to: Endpoint, kind: MsgKind, key: Option<Key>, message: Box<Message>) {
        // A message is named by its tie key: unique, and the same whatever
        // order different senders' effects are carried out in.
        let tie = self.tie(from);
        let msg = MsgId(tie);
        self.sent_by_kind[kind as usize] += 1;
        let from_epoch = match from {
            Endpoint::Node(n) => {
                let slot = &mut self.slots[n.index()];
                slot.sent += 1;
                slot.epoch
            }
            Endpoint::Client(_) => 0,
        };
        match self.network.send(from, to) {
            Ok(latency) => {
                let arrives = at + latency;
                if self.tracing {
                    self.emit(
                        at,
                        Event::Sent {
                            msg,
                            from,
                            to,
                            kind,
                            key,
                            arrives,
                        },
                    );
                }
                let env = Envelope {
                    msg,
                    kind,
                    from,
                    from_epoch,
                    to,
                    message,
                };
                self.queue.push(arrives, tie, Scheduled::Deliver(env));
            }
            Err(reason) => {
                if self.tracing {
                    self.emit(
                        at,
                        Event::Dropped {
                            msg,
                            from,
                            to,
                            kind,
                            reason,
                        },
                    );
                }
            }
        }
    }

    /// The tie key of the next event `source` schedules: its rank (see
    /// [`order_of`]) and a count (the node's own; one count for all the
    /// clients, which the engine serves in canonical order). Events of
    /// one instant come out in this order, which depends only on what each
    /// source did, never on the order the engine carried sources out in.
    pub(super) fn tie(&mut self, source: Endpoint) -> u64 {
        let count = match source {
            Endpoint::Node(n) => {
                let slot = &mut self.slots[n.index()];
                slot.scheduled += 1;
                slot.scheduled
            }
            Endpoint::Client(_) => {
                self.client_scheduled += 1;
                self.client_scheduled
            }
        };
        // Ranks stay below 2^17 and counts below 2^36, so the key (which
        // also names messages in JSON timelines) stays a safe integer
        // for JavaScript readers: below 2^53.
        debug_assert!(count < 1 << COUNT_BITS);
        ((order_of(source) as u64) << COUNT_BITS) | count
    }

    fn record(&mut self, report: OpReport) {
        self.watch.remove(&report.op);
        if self.finished.len() >= super::REPORT_CAP
            && let Some(old) = self.finished.pop_front()
        {
            self.reports.remove(&old);
        }
        self.finished.push_back(report.op);
        self.reports.insert(report.op, report);
    }
}
