//! Drawing the playground: `impl Widget for &App` lays the screen out and
//! hands each pane its rectangle and only the models it draws (a pane is a
//! struct of borrowed models, never the whole app). Every pane is its own
//! module; nothing here changes state or asks the engine anything that is
//! not already at hand (no store is read while drawing).

pub mod banner;
pub mod fit;
pub mod frame;
pub mod help;
pub mod history;
pub mod inspector;
pub mod lab;
pub mod layout;
pub mod log;
pub mod membership;
pub mod merkle;
pub mod metrics;
pub mod nodes;
pub mod picker;
pub mod ring;
pub mod ring_geometry;
pub mod status;
pub mod tabs;
pub mod timeline;
pub mod too_small;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::Widget;

use super::action::{Focus, Mode};
use super::app::App;
use super::line_editor::LineEditor;
use super::view::DetailView;
use frame::Focused;
use layout::Screen;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if !Screen::fits(area) {
            too_small::TooSmall.render(area, buf);
            return;
        }
        let (app, models, engine) = (self, &self.models, &self.engine);
        let screen = Screen::compute(area, engine.names().node_count());
        let focus = Focused {
            pane: app.focus,
            keys: app.mode == Mode::Normal,
        };
        let fast_forwarding = app.fast_forward.is_some();
        banner::Banner {
            story: &models.story,
            playback: &app.playback,
            scenario: &app.scenario.name,
            now: engine.now(),
            fast_forwarding,
        }
        .render(screen.banner, buf);
        if app.metrics_full {
            // Everything between the banner and the status bar.
            let top = screen.ring.y;
            let body = Rect::new(area.x, top, area.width, screen.status.y - top);
            metrics::MetricsPane {
                metrics: app.metrics(),
                now: engine.now(),
                speed: app.pacer.speed(),
                full: true,
                focused: true,
            }
            .render(body, buf);
        } else {
            app.render_panes(&screen, focus, buf);
        }
        status::StatusBar {
            engine,
            pacer: &app.pacer,
            playback: &app.playback,
            scenario: &app.scenario.name,
            seed: app.seed,
            reading: app.reading(),
            fast_forwarding,
            gossip: app.gossip,
            input: open_input(app),
            notice: app.notice.as_ref(),
        }
        .render(screen.status, buf);
        let future = app.future_marks();
        timeline::TimelineBar {
            past: models.timeline.marks(),
            future: &future,
            now: engine.now(),
            end: app.timeline_end(),
            branch_start: app.branch_start(),
        }
        .render(screen.timeline, buf);
        match app.mode {
            Mode::Help => help::Help {
                scroll: app.help_scroll,
            }
            .render(area, buf),
            Mode::Picker => picker::Picker {
                selected: app.picker,
                current: &app.scenario.name,
            }
            .render(area, buf),
            Mode::Lab => {
                if let Some(run) = &app.lab {
                    lab::LabView { run }.render(area, buf)
                }
            }
            _ => {}
        }
    }
}

impl App {
    /// The ring, the nodes table, the detail pane and the log.
    fn render_panes(&self, screen: &Screen, focus: Focused, buf: &mut Buffer) {
        let (app, models, engine) = (self, &self.models, &self.engine);
        let key = models.inspector.selected();
        ring::RingPane {
            engine,
            drawn: &models.ring,
            flights: &models.flights,
            members: &models.members,
            key,
            selected: app.selected_node,
            gossip: app.gossip,
            real_now: app.real_now,
            focused: focus.frames(Focus::Ring),
        }
        .render(screen.ring, buf);
        nodes::NodesPane {
            engine,
            members: &models.members,
            hints: &models.hints,
            transfers: &models.transfers,
            key,
            selected: app.selected_node,
            focus,
        }
        .render(screen.nodes, buf);
        let detail_focused = focus.frames(Focus::Inspector);
        match app.view {
            DetailView::Inspector => inspector::InspectorPane {
                inspector: &models.inspector,
                hints: &models.hints,
                engine,
                focused: detail_focused,
            }
            .render(screen.inspector, buf),
            DetailView::Membership => membership::MembershipPane {
                members: &models.members,
                engine,
                selected: app.selected_node,
                focus,
            }
            .render(screen.inspector, buf),
            DetailView::Merkle => merkle::MerklePane {
                merkle: &models.merkle,
                engine,
                focused: detail_focused,
            }
            .render(screen.inspector, buf),
            DetailView::History => history::HistoryPane {
                history: &models.history,
                key: key.map(|k| &**k),
                engine,
                focused: detail_focused,
            }
            .render(screen.inspector, buf),
            DetailView::Metrics => metrics::MetricsPane {
                metrics: app.metrics(),
                now: engine.now(),
                speed: app.pacer.speed(),
                full: false,
                focused: detail_focused,
            }
            .render(screen.inspector, buf),
        }
        log::LogPane {
            log: &models.log,
            focused: focus.frames(Focus::Log),
        }
        .render(screen.log, buf);
    }
}

/// The line being typed, if the command line or the filter is open: its
/// prompt and its editor.
fn open_input(app: &App) -> Option<(&'static str, &LineEditor)> {
    match app.mode {
        Mode::Command => Some((":", &app.command)),
        Mode::Filter => Some(("/", &app.filter_input)),
        _ => None,
    }
}

/// Where the terminal cursor goes: in the command line or the filter while
/// one is open.
pub fn cursor(app: &App, area: Rect) -> Option<Position> {
    if !Screen::fits(area) {
        return None;
    }
    let screen = Screen::compute(area, app.engine.names().node_count());
    status::cursor(open_input(app).map(|(_, input)| input), screen.status)
}
