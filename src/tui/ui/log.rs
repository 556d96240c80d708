//! The event log pane: the trace, newest at the bottom, coloured by kind.
//! The lines are text already; drawing slices them into two spans.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::log::{Category, EventLog};
use crate::tui::theme;

use super::frame::pane;

pub struct LogPane<'a> {
    pub log: &'a EventLog,
    /// The pane has the focus.
    pub focused: bool,
}

/// The colour of a line of each category.
pub fn style(category: Category) -> Style {
    match category {
        Category::Sent(kind) => Style::new().fg(theme::kind_look(kind).color),
        Category::Delivered => theme::dim(),
        Category::Dropped => Style::new().fg(theme::DROP),
        Category::Stored => Style::new().fg(Color::White),
        Category::Overwritten => theme::fail(),
        Category::Hint => Style::new().fg(theme::kind_look(crate::core::message::MsgKind::Handoff).color),
        Category::Membership => Style::new().fg(Color::LightBlue),
        Category::Transfer => Style::new().fg(theme::kind_look(crate::core::message::MsgKind::Transfer).color),
        Category::AntiEntropy => Style::new().fg(theme::kind_look(crate::core::message::MsgKind::Merkle).color),
        Category::Coordinating => Style::new().fg(Color::Gray),
        Category::OpStarted => Style::new().fg(Color::LightCyan),
        Category::OpOk => Style::new().fg(Color::LightGreen).add_modifier(Modifier::BOLD),
        Category::OpFailed => theme::fail(),
        Category::Fault => Style::new().fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
        Category::Caption => theme::caption(),
        Category::Step => Style::new().fg(Color::LightBlue).add_modifier(Modifier::BOLD),
        Category::Pass => theme::pass(),
        Category::Fail => theme::fail(),
        Category::Warning => Style::new().fg(Color::Yellow),
        Category::Command => Style::new().fg(Color::LightCyan).add_modifier(Modifier::BOLD),
        Category::Error => theme::fail(),
    }
}

impl Widget for LogPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let log = self.log;
        let mut title = vec![Span::styled(" event log ", theme::title())];
        if !log.filter().is_empty() {
            title.push(Span::styled(
                format!(
                    "· filter: {} ({} of {}) ",
                    log.filter().text(),
                    log.matching_len(),
                    log.len()
                ),
                Style::new().fg(Color::LightYellow),
            ));
        }
        if log.hides_gossip() && !log.filter().names_gossip() {
            title.push(Span::styled("· gossip not listed (g) ", theme::dim()));
        }
        if log.hides_traffic() && log.saw_traffic() && !log.filter().names_traffic() {
            title.push(Span::styled("· traffic not listed (t) ", theme::dim()));
        }
        if !log.is_following() {
            title.push(Span::styled(
                "· scrolled: Esc follows again ",
                Style::new().fg(Color::LightYellow),
            ));
        }
        let block = pane(Line::from(title), self.focused);
        let height = block.inner(area).height as usize;
        let (entries, selected) = log.view(height);
        let lines: Vec<Line> = entries
            .enumerate()
            .map(|(i, e)| {
                let line = Line::from(vec![
                    Span::styled(e.time(), theme::dim()),
                    Span::styled(e.description(), style(e.category)),
                ]);
                if selected == Some(i) {
                    line.style(theme::selected())
                } else {
                    line
                }
            })
            .collect();
        Paragraph::new(lines).block(block).render(area, buf);
    }
}
