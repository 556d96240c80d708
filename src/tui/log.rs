//! The event log's model: the last [`LOG_CAP`] lines of the trace (and of
//! the playground's own notes), the filter over them, and the line the user
//! scrolled to. Lines are rendered to text once, when they arrive, so that
//! drawing a frame only slices strings.

use std::collections::VecDeque;

use crate::core::ids::Names;
use crate::core::message::MsgKind;
use crate::core::time::Time;
use crate::core::trace::{Event, TraceEvent, describe_change};

use super::filter::{LogFilter, Subject};

/// Lines the log holds; older lines are dropped.
pub const LOG_CAP: usize = 5_000;

/// How a line is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Sent(MsgKind),
    Delivered,
    Dropped,
    Stored,
    Overwritten,
    /// Hinted handoff: a stand-in keeps or hands back a version.
    Hint,
    /// Membership: liveness opinions, ring views, joins and leaves.
    Membership,
    /// Keys streamed to new owners.
    Transfer,
    /// Merkle anti-entropy sessions.
    AntiEntropy,
    Coordinating,
    OpStarted,
    OpOk,
    OpFailed,
    Fault,
    Caption,
    Step,
    Pass,
    Fail,
    Warning,
    /// Something the user typed.
    Command,
    /// A command that could not run.
    Error,
}

/// One line of the log.
#[derive(Clone, Debug)]
pub struct LogEntry {
    pub at: Time,
    /// The time column and the description, in one string.
    pub text: String,
    /// Where the description starts in `text`.
    pub split: usize,
    pub category: Category,
    /// The trace event behind the line, for the filter; `None` for notes.
    pub event: Option<Event>,
    /// The line is about background traffic (`:traffic`): its key, its
    /// client or the message it delivers is the workload's. The `t` key
    /// leaves these out.
    pub traffic: bool,
}

impl LogEntry {
    pub fn time(&self) -> &str {
        &self.text[..self.split]
    }

    pub fn description(&self) -> &str {
        &self.text[self.split..]
    }

    /// A gossip message sent, delivered or dropped.
    pub fn is_gossip(&self) -> bool {
        matches!(
            self.event,
            Some(
                Event::Sent { kind, .. } | Event::Delivered { kind, .. } | Event::Dropped { kind, .. }
            ) if super::theme::is_gossip(kind)
        )
    }

    fn subject(&self) -> Subject<'_> {
        Subject {
            event: self.event.as_ref(),
            kind: self.event.as_ref().map_or("command", Event::kind_name),
        }
    }

    /// A line for a trace event.
    pub fn from_trace(ev: TraceEvent, names: &Names) -> LogEntry {
        let category = category(&ev.event);
        let body = match &ev.event {
            Event::Caption(text) => format!("» {text}"),
            Event::Step { index, text } => format!("── step {}: {text}", index + 1),
            Event::ClusterChange(f) => format!("⚡ {}", describe_change(f, names)),
            Event::Expectation { text, passed, detail } => {
                if *passed {
                    format!("✓ {text} ({detail})")
                } else {
                    format!("✗ {text}: {detail}")
                }
            }
            _ => ev.describe(names),
        };
        LogEntry::compose(ev.at, body, category, Some(ev.event))
    }

    /// A line of the playground's own (a command typed, an error).
    pub fn note(at: Time, text: String, category: Category) -> LogEntry {
        LogEntry::compose(at, text, category, None)
    }

    fn compose(at: Time, body: String, category: Category, event: Option<Event>) -> LogEntry {
        let mut text = format!("{at:>9} ");
        let split = text.len();
        text.push_str(&body);
        LogEntry {
            at,
            text,
            split,
            category,
            event,
            traffic: false,
        }
    }

    /// Marks the line as background traffic.
    pub fn with_traffic(mut self, traffic: bool) -> LogEntry {
        self.traffic = traffic;
        self
    }
}

fn category(event: &Event) -> Category {
    match event {
        Event::Sent { kind, .. } => Category::Sent(*kind),
        Event::Delivered { .. } => Category::Delivered,
        Event::Dropped { .. } => Category::Dropped,
        Event::Stored { .. } => Category::Stored,
        Event::Overwritten { .. } | Event::Shadowed { .. } => Category::Overwritten,
        Event::HintStored { .. } | Event::HintDelivered { .. } => Category::Hint,
        Event::Liveness { .. } | Event::ViewChanged { .. } | Event::NodeLeft { .. } => Category::Membership,
        Event::Transferred { .. } | Event::Released { .. } => Category::Transfer,
        Event::AntiEntropy { .. } | Event::MerkleLevel { .. } => Category::AntiEntropy,
        Event::Coordinating { .. } => Category::Coordinating,
        Event::OpStarted { .. } => Category::OpStarted,
        Event::OpFinished { outcome, .. } => {
            if outcome.is_ok() {
                Category::OpOk
            } else {
                Category::OpFailed
            }
        }
        Event::ClusterChange(_) => Category::Fault,
        Event::Caption(_) => Category::Caption,
        Event::Step { .. } => Category::Step,
        Event::Expectation { passed: true, .. } => Category::Pass,
        Event::Expectation { passed: false, .. } => Category::Fail,
        Event::Warning(_) => Category::Warning,
    }
}

/// The capped lines, the filter, and the selected line.
#[derive(Clone, Debug)]
pub struct EventLog {
    entries: VecDeque<LogEntry>,
    /// The sequence number of `entries[0]`; numbers never repeat.
    first_seq: u64,
    filter: LogFilter,
    /// Sequence numbers of the lines the filter keeps, oldest first.
    matching: VecDeque<u64>,
    /// The selected line; `None` follows the newest.
    cursor: Option<u64>,
    cap: usize,
    /// Gossip messages are left out (the `g` key), whatever the filter.
    hide_gossip: bool,
    /// Background traffic is left out (the `t` key), unless the filter
    /// names one of its keys.
    hide_traffic: bool,
    /// A line of background traffic arrived since the last clear.
    saw_traffic: bool,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog::with_cap(LOG_CAP)
    }
}

impl EventLog {
    pub fn with_cap(cap: usize) -> EventLog {
        EventLog {
            entries: VecDeque::with_capacity(cap.min(1024)),
            first_seq: 0,
            filter: LogFilter::default(),
            matching: VecDeque::new(),
            cursor: None,
            cap: cap.max(1),
            hide_gossip: false,
            hide_traffic: false,
            saw_traffic: false,
        }
    }

    /// Whether gossip messages are left out.
    pub fn hides_gossip(&self) -> bool {
        self.hide_gossip
    }

    /// Leaves gossip messages out (or shows them again): they are many, and
    /// a story about keys reads better without them.
    pub fn set_hide_gossip(&mut self, hide: bool) {
        if self.hide_gossip != hide {
            self.hide_gossip = hide;
            let filter = self.filter.clone();
            self.set_filter(filter);
        }
    }

    /// Whether background traffic is left out.
    pub fn hides_traffic(&self) -> bool {
        self.hide_traffic
    }

    /// Whether a line of background traffic arrived since the log was
    /// last cleared (the title says it is not listed only then).
    pub fn saw_traffic(&self) -> bool {
        self.saw_traffic
    }

    /// Leaves background traffic out (or lists it again): at a few hundred
    /// operations a second it would bury everything else.
    pub fn set_hide_traffic(&mut self, hide: bool) {
        if self.hide_traffic != hide {
            self.hide_traffic = hide;
            let filter = self.filter.clone();
            self.set_filter(filter);
        }
    }

    /// A log that leaves gossip messages and background traffic out, as
    /// the playground opens.
    pub fn hiding_gossip() -> EventLog {
        EventLog {
            hide_gossip: true,
            hide_traffic: true,
            ..EventLog::default()
        }
    }

    /// Whether the line is shown: the filter keeps it and it is not hidden
    /// gossip (a filter that names gossip shows it anyway).
    fn keeps(&self, entry: &LogEntry) -> bool {
        let hidden = (self.hide_gossip && entry.is_gossip() && !self.filter.names_gossip())
            || (self.hide_traffic && entry.traffic && !self.filter.names_traffic());
        !hidden && self.filter.matches(&entry.subject())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Lines the filter keeps.
    pub fn matching_len(&self) -> usize {
        self.matching.len()
    }

    pub fn filter(&self) -> &LogFilter {
        &self.filter
    }

    pub fn is_following(&self) -> bool {
        self.cursor.is_none()
    }

    pub fn push(&mut self, entry: LogEntry) {
        if self.entries.len() >= self.cap {
            self.entries.pop_front();
            if self.matching.front() == Some(&self.first_seq) {
                self.matching.pop_front();
            }
            self.first_seq += 1;
            if let Some(c) = self.cursor
                && c < self.first_seq
            {
                self.cursor = self.matching.front().copied();
            }
        }
        let seq = self.first_seq + self.entries.len() as u64;
        self.saw_traffic |= entry.traffic;
        if self.keeps(&entry) {
            self.matching.push_back(seq);
        }
        self.entries.push_back(entry);
    }

    /// Drops every line (a new scenario).
    pub fn clear(&mut self) {
        self.first_seq += self.entries.len() as u64;
        self.entries.clear();
        self.matching.clear();
        self.cursor = None;
        self.saw_traffic = false;
    }

    pub fn set_filter(&mut self, filter: LogFilter) {
        self.filter = filter;
        self.matching.clear();
        for (i, e) in self.entries.iter().enumerate() {
            if self.keeps(e) {
                self.matching.push_back(self.first_seq + i as u64);
            }
        }
        self.cursor = None;
    }

    fn entry(&self, seq: u64) -> &LogEntry {
        &self.entries[(seq - self.first_seq) as usize]
    }

    /// Where the cursor is among the matching lines.
    fn cursor_index(&self) -> Option<usize> {
        let c = self.cursor?;
        Some(
            self.matching
                .partition_point(|&s| s < c)
                .min(self.matching.len().saturating_sub(1)),
        )
    }

    /// The selected line, if the user scrolled to one.
    pub fn selected(&self) -> Option<&LogEntry> {
        let c = self.cursor?;
        (c >= self.first_seq).then(|| self.entry(c))
    }

    /// Moves the selection `n` lines up (older); starts from the newest.
    pub fn up(&mut self, n: usize) {
        if self.matching.is_empty() {
            return;
        }
        let from = self.cursor_index().unwrap_or(self.matching.len() - 1);
        let to = if self.cursor.is_none() {
            from.saturating_sub(n.saturating_sub(1))
        } else {
            from.saturating_sub(n)
        };
        self.cursor = Some(self.matching[to]);
    }

    /// Moves the selection `n` lines down; past the newest, follows again.
    pub fn down(&mut self, n: usize) {
        let Some(from) = self.cursor_index() else { return };
        let to = from + n;
        self.cursor = (to < self.matching.len()).then(|| self.matching[to]);
    }

    pub fn home(&mut self) {
        self.cursor = self.matching.front().copied();
    }

    /// Follows the newest line again.
    pub fn follow(&mut self) {
        self.cursor = None;
    }

    /// The lines to show in a view `height` lines tall, oldest first, and
    /// the index among them of the selected line. The selection sits on the
    /// bottom line while scrolled, except near the oldest line, where the
    /// view still fills the pane (Home shows the first `height` lines).
    pub fn view(&self, height: usize) -> (impl Iterator<Item = &LogEntry>, Option<usize>) {
        let len = self.matching.len();
        let (start, end, selected) = match self.cursor_index() {
            Some(i) if len > 0 && height > 0 => {
                let start = (i + 1).saturating_sub(height);
                (start, (start + height).min(len), Some(i - start))
            }
            _ => (len.saturating_sub(height), len, None),
        };
        (self.matching.range(start..end).map(|&s| self.entry(s)), selected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::NodeId;
    use crate::core::trace::ClusterChange;

    fn names() -> Names {
        Names::new(["s1", "s2"])
    }

    fn fault(i: u64, node: u16) -> LogEntry {
        LogEntry::from_trace(
            TraceEvent {
                at: Time(i * 1000),
                event: Event::ClusterChange(ClusterChange::Kill(NodeId(node))),
            },
            &names(),
        )
    }

    fn shown(log: &EventLog, height: usize) -> Vec<String> {
        log.view(height).0.map(|e| e.description().to_string()).collect()
    }

    #[test]
    fn lines_have_a_time_column_and_a_description() {
        let e = fault(1234, 1);
        assert_eq!(e.time(), "   1.234s ");
        assert_eq!(e.description(), "⚡ kill s2");
        assert_eq!(e.category, Category::Fault);
    }

    #[test]
    fn home_fills_the_pane_from_the_oldest_line() {
        let mut log = EventLog::with_cap(100);
        for i in 0..25 {
            log.push(fault(i, 0));
        }
        log.home();
        let (lines, selected) = log.view(5);
        let times: Vec<Time> = lines.map(|e| e.at).collect();
        assert_eq!(times, (0..5).map(|i| Time(i * 1000)).collect::<Vec<_>>());
        assert_eq!(selected, Some(0), "the oldest line is selected, at the top");
        log.down(2);
        let (lines, selected) = log.view(5);
        assert_eq!(lines.count(), 5);
        assert_eq!(selected, Some(2));
        log.up(1);
        assert_eq!(log.view(5).1, Some(1));
        let mut short = EventLog::with_cap(100);
        short.push(fault(0, 0));
        short.push(fault(1, 0));
        short.home();
        assert_eq!(short.view(5).0.count(), 2, "a short log shows what it has");
    }

    #[test]
    fn the_log_is_capped_and_keeps_the_newest() {
        let mut log = EventLog::with_cap(10);
        for i in 0..25 {
            log.push(fault(i, 0));
        }
        assert_eq!(log.len(), 10);
        assert_eq!(log.matching_len(), 10);
        let times: Vec<Time> = log.view(3).0.map(|e| e.at).collect();
        assert_eq!(times, vec![Time(22_000), Time(23_000), Time(24_000)]);
    }

    #[test]
    fn the_filter_keeps_matching_lines_old_and_new() {
        let mut log = EventLog::with_cap(100);
        for i in 0..6 {
            log.push(fault(i, (i % 2) as u16));
        }
        log.set_filter(LogFilter::parse("s2", &names()).unwrap());
        assert_eq!(log.matching_len(), 3);
        log.push(fault(6, 1));
        log.push(fault(7, 0));
        assert_eq!(shown(&log, 10), vec!["⚡ kill s2"; 4]);
        log.push(LogEntry::note(Time(8), "put cart CAR".into(), Category::Command));
        assert_eq!(log.matching_len(), 4, "notes are not about a node");
    }

    #[test]
    fn scrolling_selects_a_line_and_stops_following() {
        let mut log = EventLog::with_cap(100);
        for i in 0..10 {
            log.push(fault(i, 0));
        }
        assert!(log.is_following());
        log.up(1);
        assert!(!log.is_following());
        assert_eq!(
            log.selected().unwrap().at,
            Time(9_000),
            "the first step up selects the newest"
        );
        log.up(3);
        assert_eq!(log.selected().unwrap().at, Time(6_000));
        let (lines, sel) = log.view(4);
        let times: Vec<Time> = lines.map(|e| e.at).collect();
        assert_eq!(times, vec![Time(3_000), Time(4_000), Time(5_000), Time(6_000)]);
        assert_eq!(sel, Some(3));
        log.push(fault(10, 0));
        assert_eq!(
            log.selected().unwrap().at,
            Time(6_000),
            "new lines do not move the view"
        );
        log.home();
        assert_eq!(log.selected().unwrap().at, Time(0));
        log.up(5);
        assert_eq!(log.selected().unwrap().at, Time(0));
        log.down(100);
        assert!(log.is_following(), "past the newest it follows again");
        log.down(1);
        assert!(log.is_following());
    }

    #[test]
    fn a_selected_line_that_falls_off_the_cap_moves_to_the_oldest() {
        let mut log = EventLog::with_cap(5);
        for i in 0..5 {
            log.push(fault(i, 0));
        }
        log.home();
        log.push(fault(5, 0));
        assert_eq!(log.selected().unwrap().at, Time(1_000));
    }

    fn gossip(i: u64) -> LogEntry {
        LogEntry::from_trace(
            TraceEvent {
                at: Time(i * 1000),
                event: Event::Sent {
                    msg: crate::core::ids::MsgId(i),
                    from: crate::core::ids::Endpoint::Node(NodeId(0)),
                    to: crate::core::ids::Endpoint::Node(NodeId(1)),
                    kind: MsgKind::Gossip,
                    key: None,
                    arrives: Time(i * 1000 + 5),
                },
            },
            &names(),
        )
    }

    #[test]
    fn gossip_can_be_hidden_and_shown_again_under_any_filter() {
        let mut log = EventLog::with_cap(100);
        log.push(fault(1, 0));
        log.push(gossip(2));
        log.set_hide_gossip(true);
        assert_eq!(log.matching_len(), 1);
        log.push(gossip(3));
        log.push(fault(4, 1));
        assert_eq!(shown(&log, 10), vec!["⚡ kill s1", "⚡ kill s2"]);
        log.set_filter(LogFilter::parse("s1", &names()).unwrap());
        assert_eq!(log.matching_len(), 1, "the filter and the toggle both apply");
        log.set_hide_gossip(false);
        assert_eq!(log.matching_len(), 3, "s1 sent both gossip messages");
        log.set_hide_gossip(true);
        log.set_filter(LogFilter::parse("gossip", &names()).unwrap());
        assert_eq!(log.matching_len(), 2, "a filter that asks for gossip gets it");
    }

    #[test]
    fn clear_forgets_everything() {
        let mut log = EventLog::with_cap(5);
        log.push(fault(1, 0));
        log.up(1);
        log.clear();
        assert!(log.is_empty());
        assert!(log.is_following());
        assert_eq!(log.view(5).0.count(), 0);
        log.push(fault(2, 0));
        assert_eq!(shown(&log, 5), vec!["⚡ kill s1"]);
    }
}
