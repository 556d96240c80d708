//! The help overlay: every key (from the keymap's own table) and every
//! command (the step table's actions, then the playground's own commands),
//! the filter syntax and the mouse.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget};

use crate::scenario::command::PLAYGROUND;
use crate::scenario::step::STEPS;
use crate::tui::keymap::BINDINGS;
use crate::tui::theme;

pub struct Help {
    pub scroll: u16,
}

/// What each pane shows, for the help's Panes section.
const PANES: &[(&str, &str)] = &[
    (
        "ring",
        "tokens, the key's replicas, messages in flight; a joining or leaving node dimmed, n6 3/6",
    ),
    (
        "nodes",
        "status, keys, hints and for whom (2→n1,n3), seen (✗ down ?suspect), view, transfers",
    ),
    (
        "key (v)",
        "the selected key's replicas and versions, hinted copies (hint for n1), the last get or put",
    ),
    (
        "membership",
        "v: a row per observer, a column per node: up / susp / DOWN and the heartbeat's age",
    ),
    (
        "merkle",
        "v: two replicas' trees for the key's range: red differs, the session's descent, its costs",
    ),
    (
        "metrics",
        "v, or full screen on M: ops, latency, availability, staleness, repairs a second",
    ),
    (
        "log",
        "the trace, without gossip (g) or background traffic (t) unless asked for",
    ),
];

/// Every command's usage and help line: the steps', then the playground's.
fn commands() -> impl Iterator<Item = (&'static str, &'static str)> {
    STEPS
        .iter()
        .map(|s| (s.usage, s.help))
        .chain(PLAYGROUND.iter().map(|c| (c.usage, c.help)))
}

/// The help text, one line each.
pub fn lines() -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Keys", theme::caption())];
    for b in BINDINGS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<11}", b.keys), theme::key_hint()),
            Span::raw(b.help),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Commands (after :, the same words as preset steps)",
        theme::caption(),
    ));
    let width = commands().map(|(u, _)| u.chars().count()).max().unwrap_or(0) + 2;
    for (usage, help) in commands() {
        lines.push(Line::from(vec![
            Span::styled(format!("  {usage:<width$}"), theme::key_hint()),
            Span::raw(help),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Panes", theme::caption()));
    for (name, what) in PANES {
        lines.push(Line::from(vec![
            Span::styled(format!("  {name:<11}"), theme::key_hint()),
            Span::raw(*what),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Log filter (after /)", theme::caption()));
    lines.push(Line::raw(
        "  words that must all match: a node (s1), a kind (replicate, dropped, fault...), a key (cart);",
    ));
    lines.push(Line::raw(
        "  key:K node:N kind:K say which; -word hides what matches; an empty filter shows all",
    ));
    lines.push(Line::raw(""));
    lines.push(Line::styled("Mouse", theme::caption()));
    lines.push(Line::raw(
        "  click a node or a token to select it, click a pane to focus it, wheel scrolls the log",
    ));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Esc, q or ? closes this help; ↑↓ PgUp PgDn scroll it",
        Style::new().fg(Color::Gray),
    ));
    lines
}

/// The help's lines wrapped to `width` columns, each wrapped line hanging
/// under the text it continues (not under the key column, nor at column 0).
pub fn wrapped(width: u16) -> Vec<Line<'static>> {
    let width = width.max(1) as usize;
    let mut out = Vec::new();
    for line in lines() {
        // The key column (a first span of two or more) or the leading
        // spaces of a lone span set where continuations start.
        let (head, body): (Vec<Span<'static>>, Vec<Span<'static>>) = if line.spans.len() >= 2 {
            (line.spans[..1].to_vec(), line.spans[1..].to_vec())
        } else {
            let text = line.spans.first().map(|s| s.content.to_string()).unwrap_or_default();
            let style = line.spans.first().map(|s| s.style).unwrap_or(line.style);
            let trimmed = text.trim_start();
            let lead = text.len() - trimmed.len();
            (
                vec![Span::styled(text[..lead].to_string(), style)],
                vec![Span::styled(trimmed.to_string(), style)],
            )
        };
        let indent: usize = head.iter().map(|s| s.content.chars().count()).sum();
        let indent = if indent + 10 > width { 0 } else { indent };
        let room = width - indent;
        let mut rows: Vec<Vec<Span<'static>>> = vec![head];
        let mut col = 0;
        for span in body {
            for word in span.content.split(' ').filter(|w| !w.is_empty()) {
                let w = word.chars().count();
                if col > 0 && col + 1 + w > room {
                    rows.push(vec![Span::raw(" ".repeat(indent))]);
                    col = 0;
                }
                let row = rows.last_mut().expect("a row");
                if col > 0 {
                    row.push(Span::styled(" ", span.style));
                    col += 1;
                }
                row.push(Span::styled(word.to_string(), span.style));
                col += w;
            }
        }
        out.extend(rows.into_iter().map(|r| Line::from(r).style(line.style)));
    }
    out
}

/// The help's widest.
const WIDTH: u16 = 110;

/// Where the help is drawn on a screen of `area`: as tall as its wrapped
/// text, as the screen allows.
fn popup(area: Rect) -> Rect {
    let width = WIDTH.min(area.width.saturating_sub(2));
    centred(area, WIDTH, wrapped_height(width.saturating_sub(2)).saturating_add(2))
}

/// How many rows the help takes wrapped to `width` columns (a narrow
/// screen wraps the long lines, and scrolling must reach the last one).
fn wrapped_height(width: u16) -> u16 {
    wrapped(width).len().min(u16::MAX as usize) as u16
}

/// The furthest the help can scroll on a screen of `area`.
pub fn max_scroll(area: Rect) -> u16 {
    let popup = popup(area);
    wrapped_height(popup.width.saturating_sub(2)).saturating_sub(popup.height.saturating_sub(2))
}

/// A centred rectangle at most `w` x `h`.
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2));
    let h = h.min(area.height.saturating_sub(2));
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

impl Widget for Help {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let max_scroll = max_scroll(area);
        let popup = popup(area);
        let text = wrapped(popup.width.saturating_sub(2));
        Clear.render(popup, buf);
        Paragraph::new(text)
            .block(
                Block::bordered()
                    .border_type(BorderType::Rounded)
                    .border_style(theme::focused_border())
                    .title(Line::styled(" help ", theme::title()))
                    .title_bottom(Line::styled(
                        if max_scroll > 0 {
                            " ↑↓ PgUp PgDn scroll · Esc closes "
                        } else {
                            " Esc closes "
                        },
                        theme::dim(),
                    )),
            )
            .scroll((self.scroll.min(max_scroll), 0))
            .render(popup, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_help_scrolls_to_its_last_line() {
        assert_eq!(max_scroll(Rect::new(0, 0, 200, 100)), 0, "it all fits");
        for (w, h) in [(80, 24), (120, 40), (200, 100)] {
            let area = Rect::new(0, 0, w, h);
            let popup = popup(area);
            let mut buf = Buffer::empty(area);
            Help {
                scroll: max_scroll(area),
            }
            .render(area, &mut buf);
            let last_row: String = (popup.x..popup.right())
                .map(|x| buf[(x, popup.bottom() - 2)].symbol().to_string())
                .collect();
            assert!(last_row.contains("Esc, q or ? closes this help"), "{w}x{h}: {last_row}");
        }
    }

    #[test]
    fn wrapped_lines_hang_under_their_text() {
        for (w, h) in [(80, 24), (100, 30)] {
            let area = Rect::new(0, 0, w, h);
            let popup = popup(area);
            for scroll in 0..=max_scroll(area) {
                let mut buf = Buffer::empty(area);
                Help { scroll }.render(area, &mut buf);
                for y in popup.y + 1..popup.bottom() - 1 {
                    let row: String = (popup.x + 1..popup.right() - 1)
                        .map(|x| buf[(x, y)].symbol().to_string())
                        .collect();
                    let heading = ["Keys", "Commands", "Panes", "Log filter", "Mouse", "Esc, q or ?"]
                        .iter()
                        .any(|h| row.starts_with(h));
                    assert!(
                        heading || row.starts_with("  ") || row.trim().is_empty(),
                        "{w}x{h}: a wrapped line starts at column 0: {row:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn help_lists_every_key_and_command() {
        let text: Vec<String> = lines().iter().map(|l| l.to_string()).collect();
        let all = text.join("\n");
        for b in BINDINGS {
            assert!(all.contains(b.keys) && all.contains(b.help), "{} missing", b.keys);
        }
        for (usage, help) in commands() {
            assert!(all.contains(usage), "{usage} missing");
            assert!(!help.is_empty(), "{usage} has no explanation");
        }
        for step in STEPS {
            assert!(
                text.iter().any(|l| l.trim_start().starts_with(step.usage)),
                "{} is not in the help",
                step.name
            );
        }
    }
}
