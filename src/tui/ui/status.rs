//! The status bar: virtual time, speed, running or paused, N/R/W, seed,
//! scenario step and checks on the first line; the command line, the filter,
//! a notice or the most useful keys on the second.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::action::Mode;
use crate::tui::app::App;
use crate::tui::theme;

pub struct StatusBar<'a> {
    pub app: &'a App,
}

const BAR: Color = Color::Indexed(236);

/// The keys the second line suggests when nothing else is shown.
const HINTS: &[(&str, &str)] = &[
    ("space", "pause"),
    (".", "step"),
    ("+/-", "speed"),
    ("n", "next step"),
    (":", "command"),
    ("/", "filter"),
    ("p", "scenarios"),
    ("?", "help"),
    ("q", "quit"),
];

fn sep<'a>() -> Span<'a> {
    Span::styled(" │ ", theme::dim())
}

/// The text of an open input line and where its cursor is, scrolled so the
/// cursor stays on screen.
fn input_view(text: &str, cursor: usize, width: usize) -> (String, usize) {
    let skip = (cursor + 2).saturating_sub(width).min(cursor);
    (text.chars().skip(skip).collect(), cursor - skip)
}

pub fn cursor(app: &App, area: Rect) -> Option<Position> {
    let input = match app.mode {
        Mode::Command => &app.command,
        Mode::Filter => &app.filter_input,
        _ => return None,
    };
    let (_, at) = input_view(input.text(), input.cursor(), area.width as usize);
    Some(Position::new(area.x + 1 + at as u16, area.y + 1))
}

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        buf.set_style(area, Style::new().bg(BAR));
        let pacer = app.pacer();
        let s = app.engine.settings();
        let mut top: Vec<Span> = Vec::new();
        if pacer.is_paused() {
            top.push(Span::styled(
                " ⏸ paused ",
                Style::new().fg(Color::Black).bg(Color::Yellow),
            ));
        } else if app.fast_forward().is_some() {
            top.push(Span::styled(
                " ⏩ waiting ",
                Style::new().fg(Color::Black).bg(Color::LightBlue),
            ));
        } else {
            top.push(Span::styled(
                " ▶ running ",
                Style::new().fg(Color::Black).bg(Color::Green),
            ));
        }
        top.push(Span::styled(format!(" {}", pacer.label()), theme::bold()));
        if pacer.is_lagging() {
            top.push(Span::styled(" (lagging)", Style::new().fg(Color::LightRed)));
        }
        top.push(sep());
        top.push(Span::styled(format!("t {}", app.engine.now()), theme::bold()));
        top.push(sep());
        top.push(Span::raw(format!(
            "N={} R={} W={}",
            s.replicas, s.read_quorum, s.write_quorum
        )));
        top.push(sep());
        top.push(Span::raw(format!("seed {}", app.seed())));
        top.push(sep());
        let playback = app.playback();
        let total = playback.director().steps().len();
        let done = playback.director().next_index();
        top.push(Span::styled(
            app.scenario().name.clone(),
            Style::new().fg(Color::LightYellow),
        ));
        top.push(Span::raw(format!(" step {done}/{total}")));
        if playback.autoplay() {
            top.push(Span::styled(" autoplay", Style::new().fg(Color::LightGreen)));
        }
        let (passed, failed) = app.expectations();
        top.push(sep());
        top.push(Span::styled(format!("✓{passed}"), theme::pass()));
        top.push(Span::raw(" "));
        top.push(Span::styled(
            format!("✗{failed}"),
            if failed > 0 { theme::fail() } else { theme::dim() },
        ));
        if playback.adhoc_running() > 0 {
            top.push(sep());
            top.push(Span::raw(format!("{} running", playback.adhoc_running())));
        }
        Paragraph::new(Line::from(top)).render(Rect::new(area.x, area.y, area.width, 1), buf);

        let line = Rect::new(area.x, area.y + 1, area.width, 1);
        let bottom = match app.mode {
            Mode::Command | Mode::Filter => {
                let (prompt, input) = if app.mode == Mode::Command {
                    (":", &app.command)
                } else {
                    ("/", &app.filter_input)
                };
                let (text, _) = input_view(input.text(), input.cursor(), area.width as usize);
                Line::from(vec![
                    Span::styled(prompt, theme::key_hint()),
                    Span::styled(text, Style::new().fg(Color::White)),
                ])
            }
            _ => match app.notice() {
                Some(n) if n.error => Line::from(vec![
                    Span::styled(" error ", theme::error()),
                    Span::styled(format!(" {}", n.text), Style::new().fg(Color::LightRed)),
                ]),
                Some(n) => Line::styled(format!(" {}", n.text), Style::new().fg(Color::White)),
                None => {
                    let mut spans = vec![Span::raw(" ")];
                    for (k, what) in HINTS {
                        spans.push(Span::styled(*k, theme::key_hint()));
                        spans.push(Span::styled(format!(" {what}  "), Style::new().fg(Color::Gray)));
                    }
                    Line::from(spans)
                }
            },
        };
        Paragraph::new(bottom.style(Style::new().add_modifier(Modifier::empty()))).render(line, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_input_scrolls_to_keep_the_cursor_visible() {
        assert_eq!(input_view("put cart CAR", 12, 80), ("put cart CAR".into(), 12));
        let (text, at) = input_view("abcdefghij", 10, 6);
        assert_eq!(text, "ghij");
        assert_eq!(at, 4);
    }
}
