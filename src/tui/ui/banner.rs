//! The banner across the top: the scenario's captions, prominently, and
//! the checks of the step that just ended (or what comes next), or, once
//! the user's own actions made a tour step's check fail, that it did and
//! the key that rewinds to just before them. A caption
//! longer than the banner's three caption lines ends in `…` (the log keeps
//! it whole); checks that do not fit on their line are counted, the failed
//! ones still shown in full.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::core::plural::count;
use crate::core::time::Time;
use crate::tui::playback::Playback;
use crate::tui::story::Story;
use crate::tui::theme;

pub struct Banner<'a> {
    /// The captions and the last step's checks.
    pub story: &'a Story,
    /// The step running, the next, and the expectations counted.
    pub playback: &'a Playback,
    /// The scenario's name, shown before any caption.
    pub scenario: &'a str,
    /// Virtual time now.
    pub now: Time,
    /// A typed `wait` is fast-forwarding (`n` would not skip it).
    pub fast_forwarding: bool,
}

const BACKGROUND: Color = Color::Indexed(236);

impl Widget for Banner<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        buf.set_style(area, Style::new().bg(BACKGROUND));
        let caption_h = area.height.saturating_sub(1);
        let mut text: Vec<Span> = Vec::new();
        let captions = self.story.captions();
        let count = captions.len();
        for (i, c) in captions.iter().enumerate() {
            let style = if i + 1 == count {
                theme::caption()
            } else {
                Style::new().fg(Color::Yellow)
            };
            text.push(Span::styled(if i == 0 { "» " } else { " » " }, style));
            text.push(Span::styled(c.as_str(), style));
        }
        if text.is_empty() {
            text.push(Span::styled(
                format!("» {} · type : for a command, ? for help", self.scenario),
                theme::caption(),
            ));
        }
        // Keep the newest caption in view: drop older ones that would not fit.
        let width = area.width.saturating_sub(2);
        while text.len() > 2 && wrapped_height(&text, width) > caption_h as usize {
            text.drain(..2);
        }
        shorten(&mut text, width, caption_h as usize);
        Paragraph::new(Line::from(text))
            .wrap(Wrap { trim: true })
            .render(Rect::new(area.x + 1, area.y, width, caption_h), buf);
        let bottom = Rect::new(area.x + 1, area.y + caption_h, area.width.saturating_sub(2), 1);
        let mut progress = progress_line(&self, 0);
        for terse in 1..=2 {
            if progress.width() <= bottom.width as usize {
                break;
            }
            progress = progress_line(&self, terse);
        }
        Paragraph::new(progress).render(bottom, buf);
    }
}

/// How many lines `spans` take when word-wrapped to `width` columns.
fn wrapped_height(spans: &[Span], width: u16) -> usize {
    let width = width.max(1) as usize;
    let mut lines = 1;
    let mut col = 0;
    for word in spans.iter().flat_map(|s| s.content.split_whitespace()) {
        let w = word.chars().count();
        if col > 0 && col + 1 + w > width {
            lines += 1 + (w.saturating_sub(1)) / width;
            col = w % width;
        } else {
            col += if col > 0 { 1 + w } else { w };
        }
    }
    lines
}

/// Cuts the last span's words until `spans` wrap into `height` lines of
/// `width`, and ends it with `…` when it was cut.
fn shorten(spans: &mut [Span], width: u16, height: usize) {
    if wrapped_height(spans, width) <= height {
        return;
    }
    let Some(last) = spans.len().checked_sub(1) else { return };
    let mut words: Vec<String> = spans[last].content.split_whitespace().map(str::to_string).collect();
    let style = spans[last].style;
    while !words.is_empty() {
        words.pop();
        spans[last] = Span::styled(format!("{} …", words.join(" ")), style);
        if wrapped_height(spans, width) <= height {
            return;
        }
    }
}

/// What the scenario is doing, then the checks of the last step. `terse`
/// 1 counts the checks that passed instead of naming them; 2 also drops
/// the words the key hints can do without.
fn progress_line<'a>(banner: &Banner<'a>, terse: u8) -> Line<'a> {
    let compact = terse >= 1;
    let playback = banner.playback;
    let total = playback.tour().steps().len();
    let gray = Style::new().fg(Color::Gray);
    let mut spans: Vec<Span> = Vec::new();
    if let Some((i, step)) = playback.current_step() {
        spans.push(Span::styled(
            format!("▶ step {}/{total}: {}", i + 1, step.kind),
            Style::new().fg(Color::LightBlue),
        ));
        let (_, until) = playback.tour().waiting_for();
        if until > banner.now && !banner.fast_forwarding {
            spans.push(Span::styled(" · ", gray));
            spans.push(Span::styled("n", theme::key_hint()));
            spans.push(Span::styled(" skips the wait", gray));
        }
        return Line::from(spans);
    }
    // The user's own actions took the story where its checks fail: say so,
    // and offer the way back.
    if let Some(d) = playback.diverged() {
        let text = if terse < 2 {
            format!(
                "✗ step {}'s check failed: your own `{}` at {} took the story elsewhere · ",
                d.step + 1,
                d.action,
                d.at
            )
        } else {
            format!("✗ step {} failed after your `{}` · ", d.step + 1, d.action)
        };
        spans.push(Span::styled(text, theme::fail()));
        spans.push(Span::styled("r", theme::key_hint()));
        spans.push(Span::styled(" rewinds to just before it", gray));
        return Line::from(spans);
    }
    let checks = banner.story.checks();
    let passed = checks.iter().filter(|c| c.passed).count();
    if compact && passed > 0 {
        spans.push(Span::styled(
            format!("✓ {} passed  ", count(passed, "check")),
            theme::pass(),
        ));
    }
    for c in checks {
        if c.passed && compact {
            continue;
        }
        if c.passed {
            spans.push(Span::styled(format!("✓ {}  ", c.text), theme::pass()));
        } else {
            spans.push(Span::styled(format!("✗ {}: {}  ", c.text, c.detail), theme::fail()));
        }
    }
    if let Some((i, step)) = playback.next_step() {
        spans.push(Span::styled(
            format!("next, step {}/{total}: {}  ", i + 1, step.kind),
            gray,
        ));
        spans.push(Span::styled("n", theme::key_hint()));
        spans.push(Span::styled(" runs it", gray));
        if !playback.autoplay() && terse < 2 {
            spans.push(Span::styled(" · ", gray));
            spans.push(Span::styled("a", theme::key_hint()));
            spans.push(Span::styled(" plays them all", gray));
        }
    } else if total > 0 {
        let (p, f) = playback.expectations();
        spans.push(Span::styled(
            format!("scenario finished: {} passed, {f} failed · ", count(p, "expectation")),
            if f == 0 { theme::pass() } else { theme::fail() },
        ));
        spans.push(Span::styled("p", theme::key_hint()));
        spans.push(Span::styled(
            if terse < 2 {
                " picks another; commands still work"
            } else {
                " picks another"
            },
            gray,
        ));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_height_counts_word_wrapped_lines() {
        let spans = [Span::raw("» "), Span::raw("one two three four")];
        assert_eq!(wrapped_height(&spans, 40), 1);
        assert_eq!(wrapped_height(&spans, 9), 3);
        assert_eq!(wrapped_height(&[Span::raw("")], 10), 1);
    }

    #[test]
    fn a_caption_too_long_for_its_lines_ends_in_an_ellipsis() {
        let mut spans = [Span::raw("» "), Span::raw("one two three four five six")];
        shorten(&mut spans, 12, 2);
        assert!(wrapped_height(&spans, 12) <= 2);
        assert!(spans[1].content.ends_with('…'), "{}", spans[1].content);
        let mut short = [Span::raw("» "), Span::raw("one two")];
        shorten(&mut short, 12, 2);
        assert_eq!(short[1].content, "one two", "what fits is left alone");
    }
}
