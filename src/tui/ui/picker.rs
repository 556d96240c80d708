//! The scenario picker: the bundled presets with their descriptions.

use std::sync::OnceLock;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget};

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

/// `text` word-wrapped to `width` columns.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if len > 0 {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

impl Widget for Picker<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let entries = entries();
        let popup = centred(area, 100, 60);
        let text_width = popup.width.saturating_sub(2 + 4) as usize;
        let mut lines: Vec<Line> = Vec::new();
        let mut selected_at = 0;
        for (i, (name, description)) in entries.iter().enumerate() {
            let mut style = Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD);
            let mut marker = "  ";
            if i == self.selected {
                style = style.add_modifier(Modifier::REVERSED);
                marker = "▶ ";
                selected_at = lines.len();
            }
            let open = if name == self.current { "  (open now)" } else { "" };
            lines.push(Line::from(vec![
                Span::styled(marker, theme::key_hint()),
                Span::styled(name.as_str(), style),
                Span::styled(open, theme::dim()),
            ]));
            for l in wrap(description, text_width) {
                lines.push(Line::styled(format!("    {l}"), Style::new().fg(Color::Gray)));
            }
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "↑↓ choose · Enter loads it (then n steps through it, a plays it) · Esc closes",
            theme::dim(),
        ));
        let popup = centred(area, 100, lines.len() as u16 + 2);
        let inner_h = popup.height.saturating_sub(2) as usize;
        let scroll = (selected_at + 4).saturating_sub(inner_h) as u16;
        Clear.render(popup, buf);
        Paragraph::new(lines)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_wrap_at_word_boundaries() {
        assert_eq!(wrap("one two three four", 9), vec!["one two", "three", "four"]);
        assert_eq!(wrap("", 20), vec![""]);
    }

    #[test]
    fn every_bundled_preset_is_listed_with_a_description() {
        let e = entries();
        assert_eq!(e.len(), presets::names().len());
        assert!(e.iter().all(|(_, d)| d.len() > 20 && !d.starts_with("(broken")));
    }
}
