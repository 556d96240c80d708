//! Drawing the playground: `impl Widget for &App` lays the screen out and
//! hands each pane its rectangle. Every pane is its own module that only
//! reads the app; nothing here changes state or asks the engine anything
//! that is not already at hand (no store is read while drawing).

pub mod banner;
pub mod fit;
pub mod help;
pub mod inspector;
pub mod layout;
pub mod log;
pub mod membership;
pub mod merkle;
pub mod nodes;
pub mod picker;
pub mod ring;
pub mod ring_geometry;
pub mod status;
pub mod tabs;
pub mod too_small;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Widget};

use super::action::{Focus, Mode};
use super::app::App;
use super::theme;
use super::view::DetailView;
use layout::Screen;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if !Screen::fits(area) {
            too_small::TooSmall.render(area, buf);
            return;
        }
        let screen = Screen::compute(area, self.engine.names().node_count());
        banner::Banner { app: self }.render(screen.banner, buf);
        ring::RingPane { app: self }.render(screen.ring, buf);
        nodes::NodesPane { app: self }.render(screen.nodes, buf);
        match self.view {
            DetailView::Inspector => inspector::InspectorPane { app: self }.render(screen.inspector, buf),
            DetailView::Membership => membership::MembershipPane { app: self }.render(screen.inspector, buf),
            DetailView::Merkle => merkle::MerklePane { app: self }.render(screen.inspector, buf),
        }
        log::LogPane { app: self }.render(screen.log, buf);
        status::StatusBar { app: self }.render(screen.status, buf);
        match self.mode {
            Mode::Help => help::Help {
                scroll: self.help_scroll,
            }
            .render(area, buf),
            Mode::Picker => picker::Picker {
                selected: self.picker,
                current: &self.scenario.name,
            }
            .render(area, buf),
            _ => {}
        }
    }
}

/// Where the terminal cursor goes: in the command line or the filter while
/// one is open.
pub fn cursor(app: &App, area: Rect) -> Option<Position> {
    if !Screen::fits(area) {
        return None;
    }
    let screen = Screen::compute(area, app.engine.names().node_count());
    status::cursor(app, screen.status)
}

/// A pane's frame: rounded, highlighted when focused.
pub(crate) fn pane<'a>(title: impl Into<Line<'a>>, app: &App, focus: Focus) -> Block<'a> {
    let focused = app.focus == focus && app.mode == Mode::Normal;
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(if focused {
            theme::focused_border()
        } else {
            theme::border()
        })
        .title(title)
}
