//! The detail pane's title: its three views as tabs, the shown one with
//! its own heading, the others dimmed, and the key that cycles them. So a
//! new user sees at once that the pane has more than one face.

use ratatui::text::{Line, Span};

use crate::tui::theme;
use crate::tui::view::DetailView;

/// The title of the detail pane showing `view`, headed `heading`.
pub fn detail_title(view: DetailView, heading: String) -> Line<'static> {
    let mut spans: Vec<Span> = Vec::new();
    for v in DetailView::ORDER {
        if v == view {
            spans.push(Span::styled(format!(" {heading} "), theme::title()));
        } else {
            spans.push(Span::styled(format!(" {} ", v.label()), theme::dim()));
        }
    }
    spans.push(Span::styled(" v", theme::key_hint()));
    spans.push(Span::styled(" cycles ", theme::dim()));
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_is_named_in_every_title() {
        for view in DetailView::ORDER {
            let t = detail_title(view, "HEAD".into()).to_string();
            assert!(t.contains("HEAD"));
            assert!(t.contains("v cycles"));
            for other in DetailView::ORDER.iter().filter(|o| **o != view) {
                assert!(t.contains(other.label()), "{t}");
            }
        }
    }
}
