//! A pane's frame and focus: the rounded border every pane draws, bright
//! when the pane has the focus. A leaf the panes share.

use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType};

use crate::tui::action::Focus;
use crate::tui::theme;

/// Where the focus is: the pane arrows act on, and whether keys go to the
/// panes at all (no input line or overlay is open).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Focused {
    pub pane: Focus,
    pub keys: bool,
}

impl Focused {
    /// Whether `pane`'s frame is highlighted.
    pub fn frames(self, pane: Focus) -> bool {
        self.pane == pane && self.keys
    }
}

/// A pane's frame: rounded, highlighted when `focused`.
pub fn pane<'a>(title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(if focused {
            theme::focused_border()
        } else {
            theme::border()
        })
        .title(title)
}
