//! The scenario picker: the bundled presets with their descriptions.

use std::sync::OnceLock;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

use crate::scenario::{Scenario, presets};
use crate::tui::theme;

use super::help::centred;

pub struct Picker<'a> {
    pub selected: usize,
    /// The scenario open now.
    pub current: &'a str,
}

/// Every bundled preset's name and one-line description, read once.
pub fn entries() -> &'static [(String, String)] {
    static ENTRIES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        presets::names()
            .into_iter()
            .map(|name| {
                let description = Scenario::load(name)
                    .map(|s| s.description.split_whitespace().collect::<Vec<_>>().join(" "))
                    .unwrap_or_else(|e| format!("(broken: {e})"));
                (name.to_string(), description)
            })
            .collect()
    })
}

impl Widget for Picker<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut lines: Vec<Line> = Vec::new();
        for (i, (name, description)) in entries().iter().enumerate() {
            let mut style = Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD);
            let mut marker = "  ";
            if i == self.selected {
                style = style.add_modifier(Modifier::REVERSED);
                marker = "▶ ";
            }
            let open = if name == self.current { "  (open now)" } else { "" };
            lines.push(Line::from(vec![
                Span::styled(marker, theme::key_hint()),
                Span::styled(name.as_str(), style),
                Span::styled(open, theme::dim()),
            ]));
            lines.push(Line::styled(format!("    {description}"), Style::new().fg(Color::Gray)));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "↑↓ choose · Enter loads it (n then steps through it, a plays it) · Esc closes",
            theme::dim(),
        ));
        let popup = centred(area, 100, (lines.len() as u16) * 2 + 2);
        Clear.render(popup, buf);
        let scroll = (self.selected as u16 * 2).saturating_sub(popup.height.saturating_sub(6));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(
                Block::bordered()
                    .border_type(BorderType::Rounded)
                    .border_style(theme::focused_border())
                    .title(Line::styled(" scenarios ", theme::title())),
            )
            .render(popup, buf);
    }
}
