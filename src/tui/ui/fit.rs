//! Fitting what matters into a small pane: lines (or status-bar segments)
//! carry a priority, and when there is not room for all of them the least
//! important go first, the rest keeping their order. So every pane still
//! reads at 80x24 and grows richer on larger screens.

use ratatui::text::{Line, Span};

/// How much a line matters when the pane is too short for all of them:
/// lines with the highest number go first.
pub type Priority = u8;

/// Drops the least important lines until `lines` fit in `height`, keeping
/// the order of the rest. A line is anything a pane draws on one row.
pub fn fit<T>(mut lines: Vec<(Priority, T)>, height: usize) -> Vec<T> {
    while lines.len() > height {
        let Some(worst) = lines.iter().map(|(p, _)| *p).max() else {
            break;
        };
        if let Some(at) = lines.iter().rposition(|(p, _)| *p == worst) {
            lines.remove(at);
        }
    }
    lines.into_iter().map(|(_, l)| l).collect()
}

/// Drops the least important segments of a one-line bar until it fits in
/// `width` columns, and joins the rest with `sep`.
pub fn fit_segments<'a>(mut segments: Vec<(Priority, Vec<Span<'a>>)>, width: usize, sep: &Span<'a>) -> Line<'a> {
    let len = |segs: &[(Priority, Vec<Span>)]| -> usize {
        let text: usize = segs
            .iter()
            .flat_map(|(_, s)| s.iter())
            .map(|s| s.content.chars().count())
            .sum();
        text + segs.len().saturating_sub(1) * sep.content.chars().count()
    };
    while segments.len() > 1 && len(&segments) > width {
        let Some(worst) = segments.iter().map(|(p, _)| *p).max() else {
            break;
        };
        if worst == 0 {
            break;
        }
        if let Some(at) = segments.iter().rposition(|(p, _)| *p == worst) {
            segments.remove(at);
        }
    }
    let mut spans = Vec::new();
    for (i, (_, seg)) in segments.into_iter().enumerate() {
        if i > 0 {
            spans.push(sep.clone());
        }
        spans.extend(seg);
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_pane_drops_the_least_important_lines_first() {
        let lines = vec![
            (0, Line::raw("key")),
            (2, Line::raw("replica a")),
            (2, Line::raw("replica b")),
            (5, Line::raw("context")),
            (1, Line::raw("last op")),
            (0, Line::raw("resolve")),
        ];
        let kept: Vec<String> = fit(lines, 4).iter().map(|l: &Line| l.to_string()).collect();
        assert_eq!(kept, vec!["key", "replica a", "last op", "resolve"]);
    }

    #[test]
    fn a_narrow_bar_drops_the_least_important_segments_but_never_priority_zero() {
        let seg = |p, t: &'static str| (p, vec![Span::raw(t)]);
        let sep = Span::raw(" | ");
        let bar = |w| {
            fit_segments(
                vec![seg(0, "paused"), seg(3, "seed 1"), seg(1, "t 1s"), seg(2, "sloppy")],
                w,
                &sep,
            )
            .to_string()
        };
        assert_eq!(bar(80), "paused | seed 1 | t 1s | sloppy");
        assert_eq!(bar(24), "paused | t 1s | sloppy");
        assert_eq!(bar(10), "paused");
        assert_eq!(bar(2), "paused", "the most important segment stays, cut by the screen");
    }
}
