//! Carrying out actions: what each key (through the keymap) and each mouse
//! event does to the app, given the mode and the focused pane.

use crossterm::event::{Event as TermEvent, MouseButton, MouseEvent, MouseEventKind};

use crate::core::ids::NodeId;
use crate::scenario::presets;

use super::action::{Edit, Focus, Mode, UserAction};
use super::app::App;
use super::complete::{Vocabulary, candidates};
use super::filter::{EVENT_KINDS, LogFilter};
use super::keymap::map_key;
use super::line_editor::EditOutcome;
use super::ui::layout::Screen;
use super::ui::ring_geometry::RingGeometry;
use super::view::DetailView;

/// Lines a page key or a mouse wheel notch moves the log.
const PAGE: usize = 10;
const WHEEL: usize = 3;

impl App {
    /// Takes one terminal event.
    pub async fn on_terminal_event(&mut self, event: TermEvent) {
        match event {
            TermEvent::Key(key) => {
                if let Some(action) = map_key(self.mode, key) {
                    self.handle(action).await;
                }
            }
            TermEvent::Mouse(m) => self.mouse(m).await,
            TermEvent::Paste(text) if matches!(self.mode, Mode::Command | Mode::Filter) => {
                for c in text.chars().filter(|c| !c.is_control()) {
                    self.edit(Edit::Insert(c)).await;
                }
            }
            _ => {}
        }
    }

    /// Carries out one action.
    pub async fn handle(&mut self, action: UserAction) {
        if action == UserAction::Quit {
            self.quit = true;
            return;
        }
        match self.mode {
            Mode::Normal => self.normal(action).await,
            Mode::Command | Mode::Filter => match action {
                UserAction::Edit(e) => self.edit(e).await,
                UserAction::Close => self.mode = Mode::Normal,
                _ => {}
            },
            Mode::Help => match action {
                UserAction::Close => self.mode = Mode::Normal,
                UserAction::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
                UserAction::Down => {
                    self.help_scroll = (self.help_scroll + 1).min(super::ui::help::max_scroll(self.area))
                }
                UserAction::PageUp => self.help_scroll = self.help_scroll.saturating_sub(PAGE as u16),
                UserAction::PageDown => {
                    self.help_scroll = (self.help_scroll + PAGE as u16).min(super::ui::help::max_scroll(self.area))
                }
                UserAction::Home => self.help_scroll = 0,
                UserAction::End => self.help_scroll = super::ui::help::max_scroll(self.area),
                _ => {}
            },
            Mode::Lab => match action {
                UserAction::Close => self.close_lab(),
                UserAction::FocusNext | UserAction::FocusPrev => {
                    if let Some(run) = &mut self.lab {
                        run.cycle_metric(action == UserAction::FocusNext);
                    }
                }
                _ => {}
            },
            Mode::Picker => {
                let count = presets::names().len();
                match action {
                    UserAction::Close => self.mode = Mode::Normal,
                    UserAction::Up => self.picker = self.picker.saturating_sub(1),
                    UserAction::Down => self.picker = (self.picker + 1).min(count.saturating_sub(1)),
                    UserAction::Home => self.picker = 0,
                    UserAction::End => self.picker = count.saturating_sub(1),
                    UserAction::Activate => {
                        self.mode = Mode::Normal;
                        if let Some(name) = presets::names().get(self.picker) {
                            self.load(name).await;
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    async fn normal(&mut self, action: UserAction) {
        match action {
            UserAction::TogglePause => self.toggle_pause(),
            UserAction::StepEvent => self.step_event().await,
            UserAction::StepBack => self.step_back().await,
            UserAction::PrevMark => self.prev_mark().await,
            UserAction::RewindToDivergence => self.rewind_to_divergence().await,
            UserAction::NextMark => self.next_mark().await,
            UserAction::Faster => {
                self.pacer.faster();
                self.info(format!("speed {}", self.pacer.label()));
            }
            UserAction::Slower => {
                self.pacer.slower();
                self.info(format!("speed {}", self.pacer.label()));
            }
            UserAction::NextStep => self.next_step().await,
            UserAction::ToggleAutoplay => {
                let on = !self.playback.autoplay();
                self.playback.set_autoplay(on);
                self.info(if on {
                    "autoplay: the scenario runs its steps by itself (a stops it)"
                } else {
                    "autoplay off: n runs the next step"
                });
                self.settle().await;
            }
            UserAction::FocusNext => self.focus = self.focus.next(),
            UserAction::FocusPrev => self.focus = self.focus.prev(),
            UserAction::Up => self.move_selection(-1),
            UserAction::Down => self.move_selection(1),
            UserAction::PageUp => self.move_selection(-(PAGE as isize)),
            UserAction::PageDown => self.move_selection(PAGE as isize),
            UserAction::Home => match self.focus {
                Focus::Log => self.models.log.home(),
                Focus::Inspector if !self.detail_selects_nodes() => self.models.inspector.select_by(isize::MIN / 2),
                Focus::Ring | Focus::Nodes | Focus::Inspector => self.selected_node = NodeId(0),
            },
            UserAction::End => match self.focus {
                Focus::Inspector if !self.detail_selects_nodes() => self.models.inspector.select_by(isize::MAX / 2),
                Focus::Ring | Focus::Nodes | Focus::Inspector => {
                    self.selected_node = NodeId(self.engine.names().node_count().saturating_sub(1) as u16)
                }
                Focus::Log => self.models.log.follow(),
            },
            UserAction::Activate => self.activate(),
            UserAction::OpenCommand => {
                self.command.open("");
                self.mode = Mode::Command;
            }
            UserAction::OpenFilter => {
                let text = self.models.log.filter().text().to_string();
                self.filter_input.open(&text);
                self.mode = Mode::Filter;
            }
            UserAction::OpenHelp => {
                self.help_scroll = 0;
                self.mode = Mode::Help;
            }
            UserAction::OpenPicker => self.open_picker(),
            UserAction::Close => {
                if self.metrics_full {
                    self.metrics_full = false;
                } else {
                    self.models.log.follow();
                    self.notice = None;
                }
            }
            UserAction::ToggleNode => self.toggle_node().await,
            UserAction::ResolvePick(n) => self.resolve_pick(n).await,
            UserAction::ResolveMerge => self.resolve_merge().await,
            UserAction::ResolveEdit => self.resolve_edit(),
            UserAction::CycleView => {
                self.view = self.view.next();
                self.info(match self.view {
                    DetailView::Inspector => "key inspector: the selected key's replicas, hints and last operation",
                    DetailView::Membership => {
                        "membership: each row is what one node believes about every node (v: next pane)"
                    }
                    DetailView::Merkle => {
                        "Merkle trees of the selected key's range, two replicas side by side (v: next pane)"
                    }
                    DetailView::History => {
                        "history: every version of the selected key, its parents, marks and holders (v: next pane)"
                    }
                    DetailView::Metrics => {
                        "metrics: rates, latency, availability and staleness a second at a time (M: full screen)"
                    }
                });
                self.settle().await;
            }
            UserAction::ToggleGossip => {
                self.gossip = self.gossip.next();
                self.models.log.set_hide_gossip(!self.gossip.in_log());
                self.info(self.gossip.describe());
            }
            UserAction::ToggleTraffic => {
                let hide = !self.models.log.hides_traffic();
                self.models.log.set_hide_traffic(hide);
                self.info(if hide {
                    "background traffic left out of the log (t: list it)"
                } else {
                    "background traffic listed in the log (t: leave it out)"
                });
            }
            UserAction::ToggleMetrics => {
                self.metrics_full = !self.metrics_full;
                if self.metrics_full {
                    self.info("metrics, a point a virtual second over the last minute (M or Esc: back)");
                }
            }
            UserAction::Quit | UserAction::Edit(_) => {}
        }
        self.refresh().await;
    }

    /// Whether arrows in the detail pane move the node selection (the
    /// membership matrix) rather than the key selection.
    fn detail_selects_nodes(&self) -> bool {
        self.view == DetailView::Membership
    }

    /// Re-reads the inspector's key if the action changed the selection.
    async fn refresh(&mut self) {
        if self.models.inspector.wants_refresh().is_some() {
            self.settle().await;
        }
    }

    fn move_selection(&mut self, delta: isize) {
        let nodes = self.detail_selects_nodes();
        match self.focus {
            Focus::Ring | Focus::Nodes => self.move_node(delta),
            Focus::Inspector if nodes => self.move_node(delta),
            Focus::Inspector => self.models.inspector.select_by(delta),
            Focus::Log => {
                if delta < 0 {
                    self.models.log.up(delta.unsigned_abs());
                } else {
                    self.models.log.down(delta as usize);
                }
            }
        }
    }

    fn move_node(&mut self, delta: isize) {
        let last = (self.engine.names().node_count() as isize - 1).max(0);
        let at = (self.selected_node.0 as isize + delta).clamp(0, last);
        self.selected_node = NodeId(at as u16);
    }

    /// Enter: a node or a key filters the log to it; a log line selects
    /// its key in the inspector.
    fn activate(&mut self) {
        let nodes = self.detail_selects_nodes();
        let term = match self.focus {
            Focus::Ring | Focus::Nodes => Some(self.engine.names().node(self.selected_node).to_string()),
            Focus::Inspector if nodes => Some(self.engine.names().node(self.selected_node).to_string()),
            Focus::Inspector => self.models.inspector.selected().map(|k| format!("key:{k}")),
            Focus::Log => {
                let key = self
                    .models
                    .log
                    .selected()
                    .and_then(|e| e.event.as_ref())
                    .and_then(|e| e.key())
                    .cloned();
                if let Some(key) = key {
                    self.models.inspector.select(key);
                    self.focus = Focus::Inspector;
                }
                None
            }
        };
        if let Some(term) = term {
            let text = if self.models.log.filter().text() == term {
                String::new()
            } else {
                term
            };
            self.apply_filter(&text);
        }
    }

    fn apply_filter(&mut self, text: &str) {
        match LogFilter::parse(text, self.engine.names()) {
            Ok(f) => {
                let shown = if f.is_empty() {
                    "log filter cleared".to_string()
                } else {
                    format!("log filtered: {}", f.text())
                };
                self.models.log.set_filter(f);
                self.info(shown);
            }
            Err(e) => self.error(e),
        }
    }

    /// What completion draws from now.
    fn vocabulary(&self) -> Vocabulary {
        let names = self.engine.names();
        Vocabulary {
            nodes: names.node_names().map(str::to_string).collect(),
            keys: self.models.inspector.keys().map(|k| k.to_string()).collect(),
            clients: names.client_names().map(str::to_string).collect(),
            presets: presets::names().iter().map(|s| s.to_string()).collect(),
        }
    }

    async fn edit(&mut self, edit: Edit) {
        let filter = self.mode == Mode::Filter;
        let input = if filter {
            &mut self.filter_input
        } else {
            &mut self.command
        };
        match input.edit(edit) {
            EditOutcome::Changed => {}
            EditOutcome::Submit(line) => {
                self.mode = Mode::Normal;
                if filter {
                    self.apply_filter(&line);
                } else {
                    self.submit_command(&line).await;
                }
            }
            EditOutcome::WantsCompletion => {
                let vocab = self.vocabulary();
                let found = if filter {
                    filter_candidates(self.filter_input.before_cursor(), &vocab)
                } else {
                    candidates(self.command.before_cursor(), &vocab)
                };
                let input = if filter {
                    &mut self.filter_input
                } else {
                    &mut self.command
                };
                let shown = input.complete(found);
                if shown.len() > 1 {
                    self.info(shown.join("  "));
                }
            }
        }
    }

    /// A mouse event: clicks select a node (on the ring or in the table) or
    /// focus a pane; the wheel scrolls the log.
    pub async fn mouse(&mut self, m: MouseEvent) {
        if self.mode != Mode::Normal || !Screen::fits(self.area) {
            return;
        }
        let screen = Screen::compute(self.area, self.engine.names().node_count());
        let inside = |r: ratatui::layout::Rect| r.contains(ratatui::layout::Position::new(m.column, m.row));
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if inside(screen.ring) {
                    self.focus = Focus::Ring;
                    let geometry = RingGeometry::new(screen.ring_canvas());
                    if let Some(node) = geometry.nearest_token(self.engine.ring(), m.column, m.row) {
                        self.selected_node = node;
                    }
                } else if inside(screen.nodes) {
                    self.focus = Focus::Nodes;
                    if let Some(node) =
                        super::ui::nodes::row_at(&screen, &self.engine, &self.models.members, self.selected_node, m.row)
                    {
                        self.selected_node = node;
                    }
                } else if inside(screen.inspector) {
                    self.focus = Focus::Inspector;
                    if self.view == DetailView::Membership
                        && let Some(node) = super::ui::membership::node_at(
                            self.engine.names(),
                            self.selected_node,
                            screen.inspector,
                            m.column,
                            m.row,
                        )
                    {
                        self.selected_node = node;
                    }
                } else if inside(screen.timeline) {
                    // Before the log: a small screen draws it on the log's border.
                    self.timeline_click(m.column, m.row, screen.timeline).await;
                } else if inside(screen.log) {
                    self.focus = Focus::Log;
                }
            }
            MouseEventKind::ScrollUp if inside(screen.log) => self.models.log.up(WHEEL),
            MouseEventKind::ScrollDown if inside(screen.log) => self.models.log.down(WHEEL),
            MouseEventKind::ScrollUp if inside(screen.inspector) => {
                if self.detail_selects_nodes() {
                    self.move_node(-1)
                } else {
                    self.models.inspector.select_by(-1)
                }
            }
            MouseEventKind::ScrollDown if inside(screen.inspector) => {
                if self.detail_selects_nodes() {
                    self.move_node(1)
                } else {
                    self.models.inspector.select_by(1)
                }
            }
            _ => {}
        }
        self.refresh().await;
    }
}

/// Completion for the filter: node names, kinds and known keys.
fn filter_candidates(before: &str, vocab: &Vocabulary) -> super::complete::Candidates {
    let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &before[start..];
    let (prefix, partial) = match word.split_once(':') {
        Some((p, rest)) => (format!("{p}:"), rest),
        None => (String::new(), word.trim_start_matches('-')),
    };
    let offset = if prefix.is_empty() && word.starts_with('-') {
        1
    } else {
        0
    };
    let mut pool: Vec<String> = Vec::new();
    if prefix.is_empty() || prefix == "node:" {
        pool.extend(vocab.nodes.iter().cloned());
    }
    if prefix.is_empty() || prefix == "kind:" {
        pool.extend(EVENT_KINDS.iter().map(|s| s.to_string()));
        pool.extend(crate::core::message::MsgKind::ALL.iter().map(|k| k.name().to_string()));
    }
    if prefix.is_empty() || prefix == "key:" {
        pool.extend(vocab.keys.iter().cloned());
    }
    let mut words: Vec<String> = pool.into_iter().filter(|w| w.starts_with(partial)).collect();
    words.sort();
    words.dedup();
    super::complete::Candidates {
        start: start + prefix.len() + offset,
        words,
    }
}
