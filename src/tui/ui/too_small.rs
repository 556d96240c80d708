//! What a terminal too small for the playground shows instead.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::tui::theme;

pub struct TooSmall;

impl Widget for TooSmall {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = vec![
            Line::styled("terminal too small", theme::fail()),
            Line::from(format!(
                "ringside needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this one is {}x{}.",
                area.width, area.height
            )),
            Line::from("Enlarge the window, or press q to quit."),
            Line::from(vec![Span::styled(
                "(the cluster keeps running meanwhile)",
                Style::new(),
            )]),
        ];
        let top = area.height.saturating_sub(lines.len() as u16) / 2;
        let text_area = Rect::new(area.x, area.y + top, area.width, area.height - top);
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .render(text_area, buf);
    }
}
