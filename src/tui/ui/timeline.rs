//! The timeline bar under the status line: the session from 0 to the
//! furthest instant reached on the branch played, a mark per column for
//! what happened there (the most telling one: a failed operation, a
//! fault, siblings read, an operation answered, a step, a caption), the
//! current instant, the recorded future after a rewind (dimmed), and where
//! the branch played began. A click on it goes to that instant
//! ([`time_at`]). On a screen at least [`WIDE_HEIGHT`] rows high and
//! [`WIDE_WIDTH`] wide it has two rows of its own under the status line,
//! the second a scale; otherwise it is one line, drawn over the log's
//! bottom border, with the instant shown at its end.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::Widget;

use crate::core::time::{Dur, Time};
use crate::tui::timeline::Mark;

/// The bar gets its scale row from this many rows...
pub const WIDE_HEIGHT: u16 = 40;
/// ...and this many columns.
pub const WIDE_WIDTH: u16 = 100;

/// Rows the bar has on a screen of `area`.
pub fn height(area: Rect) -> u16 {
    if area.height >= WIDE_HEIGHT && area.width >= WIDE_WIDTH {
        2
    } else {
        1
    }
}

pub struct TimelineBar<'a> {
    /// What happened so far, by instant.
    pub past: &'a [(Time, Mark)],
    /// The recorded actions still to be taken again, by instant.
    pub future: &'a [(Time, Mark)],
    pub now: Time,
    /// The bar's right end: the furthest instant reached on this branch.
    pub end: Time,
    /// Where the branch played began, once the session has forked.
    pub branch_start: Option<Time>,
}

/// The columns of the bar's marks in `area`: (first column, width).
fn bar(area: Rect) -> (u16, u16) {
    let label = if area.width >= WIDE_WIDTH { 11 } else { 1 };
    let right = 12;
    (area.x + label, area.width.saturating_sub(label + right).max(1))
}

/// The column of instant `t`.
fn column(area: Rect, end: Time, t: Time) -> u16 {
    let (x, w) = bar(area);
    let span = end.micros().max(1) as u128;
    x + ((t.micros().min(end.micros()) as u128 * (w - 1) as u128) / span) as u16
}

/// The instant a click at (`col`, `row`) on the bar in `area` points at,
/// for a session whose bar ends at `end`.
pub fn time_at(area: Rect, end: Time, col: u16, row: u16) -> Option<Time> {
    let (x, w) = bar(area);
    if row != area.y || col < x || col >= x + w {
        return None;
    }
    let at = (col - x) as u128 * end.micros() as u128 / (w - 1).max(1) as u128;
    Some(Time(at as u64))
}

fn glyph(mark: Mark) -> (&'static str, Color) {
    match mark {
        Mark::Caption => ("\"", Color::Cyan),
        Mark::Step => ("▪", Color::Gray),
        Mark::Ok => ("•", Color::Green),
        Mark::Siblings => ("◆", Color::Magenta),
        Mark::Fault => ("▲", Color::Yellow),
        Mark::Failed => ("✗", Color::LightRed),
    }
}

impl Widget for TimelineBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 || area.width < 20 {
            return;
        }
        let base = Style::new().bg(Color::Indexed(234));
        buf.set_style(area, base);
        let (x, w) = bar(area);
        let now_col = column(area, self.end, self.now);
        let dim = base.fg(Color::DarkGray);
        for c in x..x + w {
            let (sym, style) = if c <= now_col { ("─", dim) } else { ("┄", dim) };
            buf[(c, area.y)].set_symbol(sym).set_style(style);
        }
        // The most telling mark of each column wins it.
        let mut best: Vec<Option<(Mark, bool)>> = vec![None; w as usize];
        let marks = self
            .past
            .iter()
            .map(|m| (m, false))
            .chain(self.future.iter().map(|m| (m, true)));
        for (&(t, mark), future) in marks {
            let i = (column(area, self.end, t) - x) as usize;
            if best[i].is_none_or(|(m, _)| mark > m) {
                best[i] = Some((mark, future));
            }
        }
        for (i, b) in best.iter().enumerate() {
            if let Some((mark, future)) = b {
                let (sym, color) = glyph(*mark);
                let style = if *future { dim } else { base.fg(color) };
                buf[(x + i as u16, area.y)].set_symbol(sym).set_style(style);
            }
        }
        if let Some(start) = self.branch_start {
            let c = column(area, self.end, start);
            buf[(c, area.y)].set_symbol("╫").set_style(base.fg(Color::LightMagenta));
        }
        buf[(now_col, area.y)]
            .set_symbol("┃")
            .set_style(base.fg(Color::White).add_modifier(Modifier::BOLD));
        let right = format!(" {}", self.now);
        buf.set_stringn(x + w, area.y, &right, 12, base.fg(Color::White));
        if area.width >= WIDE_WIDTH {
            buf.set_stringn(area.x, area.y, " timeline ", 11, base.fg(Color::Gray));
        }
        if area.height >= 2 {
            // The scale: the start, the quarters and the end.
            let y = area.y + 1;
            for q in 0..=4u64 {
                let t = Time(self.end.micros() / 4 * q);
                let c = column(area, self.end, t);
                let label = if q == 0 {
                    "0s".to_string()
                } else {
                    Dur(t.micros()).to_string()
                };
                let lx = if q == 4 {
                    (c + 1).saturating_sub(label.len() as u16)
                } else {
                    c
                };
                buf[(c, y)].set_symbol("╵").set_style(dim);
                buf.set_stringn(lx.max(x), y, &label, label.len(), dim);
            }
        }
    }
}
