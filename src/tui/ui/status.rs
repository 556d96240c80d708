//! The status bar: virtual time, speed, running or paused, N/R/W with the
//! quorum's mode (sloppy or strict) and the repair switches that are off,
//! seed, scenario step and checks, the branch once the session has forked,
//! on the first line; the command line, the
//! filter, a notice or the most useful keys on the second. Both lines drop
//! their least important parts first on a narrow screen.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::engine::Engine;
use crate::tui::app::Notice;
use crate::tui::gossip::GossipShown;
use crate::tui::line_editor::LineEditor;
use crate::tui::pacing::Pacer;
use crate::tui::playback::Playback;
use crate::tui::theme;

use super::fit::{Priority, fit_segments};

pub struct StatusBar<'a> {
    /// Virtual time and the settings.
    pub engine: &'a Engine,
    pub pacer: &'a Pacer,
    /// The scenario's progress, expectations and typed steps running.
    pub playback: &'a Playback,
    pub scenario: &'a str,
    pub seed: u64,
    /// Autoplay dwells on a caption and virtual time stands still.
    pub reading: bool,
    /// A typed `wait` is fast-forwarding.
    pub fast_forwarding: bool,
    pub gossip: GossipShown,
    /// The line being typed, if the command line or the filter is open:
    /// its prompt and its editor.
    pub input: Option<(&'static str, &'a LineEditor)>,
    pub notice: Option<&'a Notice>,
}

const BAR: Color = Color::Indexed(236);

/// The keys the second line suggests when nothing else is shown, with how
/// much each matters on a narrow screen (lowest kept longest).
const HINTS: &[(&str, &str, Priority)] = &[
    ("space", "pause", 0),
    (".", "step", 3),
    ("+/-", "speed", 2),
    ("n", "next step", 0),
    (":", "command", 0),
    ("/", "filter", 2),
    ("v", "panes", 0),
    ("g", "gossip", 1),
    ("p", "scenarios", 3),
    ("?", "help", 0),
    ("q", "quit", 1),
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

/// A rate as a percentage without needless decimals: 20, 2.5, 0.1.
fn percent(rate: f64) -> String {
    let p = (rate * 1000.0).round() / 10.0;
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

/// Where the terminal cursor goes in the open `input` line, if any.
pub fn cursor(input: Option<&LineEditor>, area: Rect) -> Option<Position> {
    let input = input?;
    let (_, at) = input_view(input.text(), input.cursor(), area.width as usize);
    Some(Position::new(area.x + 1 + at as u16, area.y + 1))
}

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        buf.set_style(area, Style::new().bg(BAR));
        let pacer = self.pacer;
        let s = self.engine.settings();
        let mut top: Vec<(Priority, Vec<Span>)> = Vec::new();
        let state = if pacer.is_paused() {
            Span::styled(" ⏸ paused ", Style::new().fg(Color::Black).bg(Color::Yellow))
        } else if self.reading {
            Span::styled(" ⏸ reading ", Style::new().fg(Color::Black).bg(Color::Yellow))
        } else if self.fast_forwarding {
            Span::styled(" ⏩ waiting ", Style::new().fg(Color::Black).bg(Color::LightBlue))
        } else {
            Span::styled(" ▶ running ", Style::new().fg(Color::Black).bg(Color::Green))
        };
        let mut speed = vec![state, Span::styled(format!(" {}", pacer.label()), theme::bold())];
        if pacer.is_lagging() {
            speed.push(Span::styled(" (lagging)", Style::new().fg(Color::LightRed)));
        }
        top.push((0, speed));
        top.push((0, vec![Span::styled(format!("t {}", self.engine.now()), theme::bold())]));
        top.push((
            0,
            vec![
                Span::raw(format!("N={} R={} W={} ", s.replicas, s.read_quorum, s.write_quorum)),
                if s.sloppy_quorum {
                    Span::styled("sloppy", Style::new().fg(Color::LightGreen))
                } else {
                    Span::styled(
                        "strict",
                        Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD),
                    )
                },
                // Vector clocks are the default and go unsaid; the others are named.
                match s.clocks {
                    crate::core::version::ClockMode::Vector => Span::raw(""),
                    other => Span::styled(format!(" {}", other.name()), Style::new().fg(Color::LightCyan)),
                },
            ],
        ));
        // The network's drop rate and latency, when not the defaults.
        let defaults = crate::core::config::Settings::default();
        let mut network: Vec<Span> = Vec::new();
        let net = Style::new().fg(Color::LightMagenta).add_modifier(Modifier::BOLD);
        if s.drop_rate != defaults.drop_rate {
            network.push(Span::styled(format!("drop {}%", percent(s.drop_rate)), net));
        }
        if s.latency != defaults.latency {
            if !network.is_empty() {
                network.push(Span::raw(" "));
            }
            network.push(Span::styled(format!("latency {}", s.latency), net));
        }
        if !network.is_empty() {
            top.push((1, network));
        }
        let mut switches: Vec<Span> = Vec::new();
        let off = Style::new().fg(Color::Yellow);
        if !s.hinted_handoff {
            switches.push(Span::styled("no handoff ", off));
        }
        if !s.read_repair {
            switches.push(Span::styled("no read repair ", off));
        }
        switches.push(match s.anti_entropy_interval {
            Some(d) => Span::styled(
                format!("AE {d}"),
                Style::new().fg(theme::kind_look(crate::core::message::MsgKind::Merkle).color),
            ),
            None => Span::styled("AE off", theme::dim()),
        });
        top.push((4, switches));
        top.push((5, vec![Span::raw(format!("seed {}", self.seed))]));
        let playback = self.playback;
        let total = playback.tour().steps().len();
        let done = playback.tour().next_index();
        let mut step = vec![
            Span::styled(self.scenario, Style::new().fg(Color::LightYellow)),
            Span::raw(format!(" step {done}/{total}")),
        ];
        if playback.autoplay() {
            step.push(Span::styled(" autoplay", Style::new().fg(Color::LightGreen)));
        }
        top.push((1, step));
        // Once a rewind and a new action have forked the session: which
        // branch is played, and where it began.
        let branches = playback.branches();
        if branches.len() > 1 {
            let from = match branches.current() {
                1 => String::new(),
                _ => format!(" from {}", branches.current_branch().forked_at),
            };
            top.push((
                2,
                vec![Span::styled(
                    format!("branch {}/{}{from}", branches.current(), branches.len()),
                    Style::new().fg(Color::LightCyan),
                )],
            ));
        }
        let (passed, failed) = playback.expectations();
        top.push((
            1,
            vec![
                Span::styled(format!("✓{passed}"), theme::pass()),
                Span::raw(" "),
                Span::styled(
                    format!("✗{failed}"),
                    if failed > 0 { theme::fail() } else { theme::dim() },
                ),
            ],
        ));
        match self.gossip {
            GossipShown::Ring => {}
            GossipShown::Nowhere => top.push((2, vec![Span::styled("gossip hidden", Style::new().fg(Color::Yellow))])),
            GossipShown::Everywhere => {
                top.push((2, vec![Span::styled("gossip logged", Style::new().fg(Color::Yellow))]))
            }
        }
        if playback.adhoc_running() > 0 {
            top.push((3, vec![Span::raw(format!("{} running", playback.adhoc_running()))]));
        }
        Paragraph::new(fit_segments(top, area.width as usize, &sep()))
            .render(Rect::new(area.x, area.y, area.width, 1), buf);

        let line = Rect::new(area.x, area.y + 1, area.width, 1);
        let bottom = match self.input {
            Some((prompt, input)) => {
                let (text, _) = input_view(input.text(), input.cursor(), area.width as usize);
                Line::from(vec![
                    Span::styled(prompt, theme::key_hint()),
                    Span::styled(text, Style::new().fg(Color::White)),
                ])
            }
            None => match self.notice {
                Some(n) if n.error => Line::from(vec![
                    Span::styled(" error ", theme::error()),
                    Span::styled(format!(" {}", n.text), Style::new().fg(Color::LightRed)),
                ]),
                Some(n) => Line::styled(format!(" {}", n.text), Style::new().fg(Color::White)),
                None => {
                    let hints: Vec<(Priority, Vec<Span>)> = HINTS
                        .iter()
                        .map(|(k, what, p)| {
                            (
                                *p,
                                vec![
                                    Span::styled(*k, theme::key_hint()),
                                    Span::styled(format!(" {what}"), Style::new().fg(Color::Gray)),
                                ],
                            )
                        })
                        .collect();
                    let mut line = fit_segments(hints, area.width.saturating_sub(1) as usize, &Span::raw("  "));
                    line.spans.insert(0, Span::raw(" "));
                    line
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
    fn the_key_hints_name_every_pane_key_even_at_80_columns() {
        let hints: Vec<(Priority, Vec<Span>)> = HINTS
            .iter()
            .map(|(k, what, p)| (*p, vec![Span::raw(*k), Span::raw(format!(" {what}"))]))
            .collect();
        let line = fit_segments(hints, 79, &Span::raw("  ")).to_string();
        assert!(line.chars().count() <= 79, "{line}");
        for key in ["v panes", "n next step", "? help", ": command"] {
            assert!(line.contains(key), "{key} missing from {line}");
        }
    }

    #[test]
    fn rates_print_as_short_percentages() {
        assert_eq!(percent(0.2), "20");
        assert_eq!(percent(0.025), "2.5");
        assert_eq!(percent(1.0), "100");
    }

    #[test]
    fn long_input_scrolls_to_keep_the_cursor_visible() {
        assert_eq!(input_view("put cart CAR", 12, 80), ("put cart CAR".into(), 12));
        let (text, at) = input_view("abcdefghij", 10, 6);
        assert_eq!(text, "ghij");
        assert_eq!(at, 4);
    }
}
