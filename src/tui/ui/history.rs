//! The history pane: the selected key's version graph, oldest at the top.
//! A generation is the versions one write away from their parents'
//! deepest; versions of one generation are concurrent and are drawn side
//! by side in lanes (`├─╮` opens them, `├─╯` closes them, naming the
//! resolution that joins them). Each version shows its label, its direct
//! parents (`← D2`), value, clock, coordinator and time, who holds it now
//! and its marks. When the graph is taller than the pane, the details go
//! first (oldest first), then the oldest versions.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::core::ids::Names;
use crate::core::plural::count;
use crate::engine::Engine;
use crate::history::render::{clock_text, mark_text};
use crate::history::{History, HistoryVersion, Mark};
use crate::tui::history::{HistoryModel, VERSIONS_CAP};
use crate::tui::theme;
use crate::tui::view::DetailView;

use super::fit::Priority;
use super::frame::pane;
use super::tabs::detail_title;

pub struct HistoryPane<'a> {
    pub history: &'a HistoryModel,
    /// The inspector's key.
    pub key: Option<&'a str>,
    /// Names.
    pub engine: &'a Engine,
    pub focused: bool,
}

/// Versions grouped by generation, oldest first: a version's generation is
/// one more than its deepest parent's, so versions of one are concurrent.
pub fn generations(h: &History) -> Vec<Vec<usize>> {
    let mut depth = vec![0usize; h.versions.len()];
    for (i, v) in h.versions.iter().enumerate() {
        // Parents come before their children in the trace's order.
        depth[i] = v.parents.iter().map(|&p| depth[p] + 1).max().unwrap_or(0);
    }
    let deepest = depth.iter().copied().max().map_or(0, |d| d + 1);
    let mut out = vec![Vec::new(); deepest];
    for (i, d) in depth.into_iter().enumerate() {
        out[d].push(i);
    }
    out
}

fn mark_style(mark: Mark) -> Style {
    match mark {
        Mark::Sibling => Style::new().fg(Color::LightYellow),
        Mark::Replaced { .. } => Style::new().fg(Color::LightGreen),
        Mark::Overwritten { .. } | Mark::Shadowed { .. } | Mark::LostToLww { .. } => {
            Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD)
        }
    }
}

/// The version's head (label, parents, value, clock) and its tail
/// (coordinator and time, holders, marks).
fn version_spans(h: &History, v: &HistoryVersion, names: &Names) -> (Vec<Span<'static>>, Vec<Span<'static>>) {
    let mut head = vec![Span::styled(v.label.clone(), theme::title())];
    if !v.parents.is_empty() {
        let parents: Vec<&str> = v.parents.iter().map(|&p| h.versions[p].label.as_str()).collect();
        head.push(Span::styled(format!(" ← {}", parents.join(" + ")), theme::dim()));
    }
    head.push(Span::styled(
        format!("  {}", v.version.value),
        Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
    ));
    head.push(Span::styled(
        format!(" {}", clock_text(&v.version, names)),
        Style::new().fg(Color::Gray),
    ));
    let mut tail = vec![Span::styled(
        format!("by {} at {}", names.node(v.coordinator), v.at),
        theme::dim(),
    )];
    if h.holders_known {
        if v.holders.is_empty() {
            tail.push(Span::styled(" · held by none", theme::dim()));
        } else {
            let who: Vec<String> = v
                .holders
                .iter()
                .map(|x| {
                    let n = names.node(x.node);
                    if x.hint { format!("{n} (hint)") } else { n.to_string() }
                })
                .collect();
            tail.push(Span::raw(" · held by "));
            tail.push(Span::styled(who.join(" "), theme::bold()));
        }
    }
    for &m in &v.marks {
        tail.push(Span::styled(" · ", theme::dim()));
        tail.push(Span::styled(mark_text(h, m), mark_style(m)));
    }
    (head, tail)
}

fn width(spans: &[Span]) -> usize {
    spans.iter().map(|s| s.content.chars().count()).sum()
}

/// How much a line matters when the pane is short: a version's head
/// first, then the line naming a resolution, the one opening concurrent
/// lanes, and last the continuation with coordinator, holders and marks.
const HEAD: Priority = 0;
const JOIN: Priority = 1;
const OPEN: Priority = 2;
const TAIL: Priority = 3;

/// Drops the least important lines, oldest first, until `lines` fit in
/// `height`; if the heads alone do not fit, the oldest go under a line
/// that counts them.
fn fit_newest(mut lines: Vec<(Priority, Line<'static>)>, height: usize) -> Vec<Line<'static>> {
    while lines.len() > height {
        let worst = lines.iter().map(|(p, _)| *p).max().unwrap_or(HEAD);
        if worst == HEAD {
            break;
        }
        if let Some(at) = lines.iter().position(|(p, _)| *p == worst) {
            lines.remove(at);
        }
    }
    let mut out: Vec<Line> = lines.into_iter().map(|(_, l)| l).collect();
    if out.len() > height && height > 1 {
        let hidden = out.len() - (height - 1);
        out.drain(..hidden);
        out.insert(
            0,
            Line::styled(format!("↑ {} older", count(hidden, "version")), theme::dim()),
        );
    }
    out
}

/// The graph as lines `width` columns wide, each with its [`Priority`].
pub fn graph_lines(h: &History, names: &Names, width_cols: usize) -> Vec<(Priority, Line<'static>)> {
    let gens = generations(h);
    let lane = Style::new().fg(Color::LightYellow);
    let mut lines = Vec::new();
    for (g, members) in gens.iter().enumerate() {
        let k = members.len();
        if k > 1 {
            let labels: Vec<&str> = members.iter().map(|&i| h.versions[i].label.as_str()).collect();
            lines.push((
                OPEN,
                Line::from(vec![
                    Span::styled(format!("├{}", "─╮".repeat(k - 1)), lane),
                    Span::styled(format!(" concurrent: {}", labels.join(" ‖ ")), lane),
                ]),
            ));
        }
        for (lane_i, &i) in members.iter().enumerate() {
            let gutter: String = if k == 1 {
                "● ".to_string()
            } else {
                (0..k).map(|j| if j == lane_i { "● " } else { "│ " }).collect()
            };
            // The lanes stay open until the generation closes.
            let cont = "│ ".repeat(k);
            let (head, tail) = version_spans(h, &h.versions[i], names);
            let mut first = vec![Span::styled(gutter.clone(), lane)];
            first.extend(head);
            if width(&first) + 2 + width(&tail) <= width_cols {
                first.push(Span::raw("  "));
                first.extend(tail);
                lines.push((HEAD, Line::from(first)));
            } else {
                lines.push((HEAD, Line::from(first)));
                let mut second = vec![Span::styled(format!("{cont}  "), lane)];
                second.extend(tail);
                lines.push((TAIL, Line::from(second)));
            }
        }
        if k > 1 {
            // The next generation's versions that descend from two or more
            // of these resolved them.
            let joins: Vec<String> = gens
                .get(g + 1)
                .into_iter()
                .flatten()
                .filter(|&&c| h.versions[c].parents.iter().filter(|p| members.contains(p)).count() > 1)
                .map(|&c| {
                    let v = &h.versions[c];
                    let ps: Vec<&str> = v.parents.iter().map(|&p| h.versions[p].label.as_str()).collect();
                    format!("{} joins {}", v.label, ps.join(" + "))
                })
                .collect();
            let text = if joins.is_empty() {
                " not joined".to_string()
            } else {
                format!(" {}", joins.join(", "))
            };
            lines.push((
                JOIN,
                Line::from(vec![
                    Span::styled(format!("├{}", "─╯".repeat(k - 1)), lane),
                    Span::styled(text, lane),
                ]),
            ));
        }
    }
    lines
}

impl Widget for HistoryPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let names = self.engine.names();
        let history = self.key.and_then(|k| self.history.of(k));
        let title = match (self.key, history) {
            (Some(k), Some(h)) => format!(
                "history · {k} · {}{}",
                count(h.graph.versions.len(), "version"),
                if h.full {
                    format!(" (the first {VERSIONS_CAP})")
                } else {
                    String::new()
                }
            ),
            (Some(k), None) => format!("history · {k}"),
            (None, _) => "history".to_string(),
        };
        let block = pane(detail_title(DetailView::History, title), self.focused);
        let inner = block.inner(area);
        let (height, cols) = (inner.height as usize, inner.width as usize);
        let lines = match (self.key, history) {
            (None, _) => vec![
                Line::from("No key selected yet. Try"),
                Line::styled("  :put cart CAR  then  :put cart CART", theme::key_hint()),
                Line::styled(
                    "Every version of the key ever written shows here, oldest at the top.",
                    theme::dim(),
                ),
            ],
            (Some(k), None) => vec![Line::styled(format!("No version of {k} written yet."), theme::dim())],
            (Some(_), Some(h)) => fit_newest(graph_lines(&h.graph, names, cols), height),
        };
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_versions_share_a_generation_and_the_resolution_follows() {
        let mut h = History::new("k");
        // D1 ← D2 ← (D3 ‖ D4) ← D5, built by hand from parents.
        use crate::core::clock::VClock;
        use crate::core::ids::NodeId;
        use crate::core::trace::{Event, StoreCause, TraceEvent};
        use crate::core::version::Stamp;
        use crate::core::version::Version;
        // Written through `by`, whose client had seen `seen` of its counter.
        let v = |val: &str, pairs: &[(u16, u32)], by: u16, seen: u32| {
            let mut v = Version::new(val, VClock::from_pairs(pairs.iter().map(|&(n, c)| (NodeId(n), c))));
            v.stamp = Stamp::new(0, NodeId(by), Some(seen));
            v
        };
        let versions = [
            v("a", &[(0, 1)], 0, 0),
            v("b", &[(0, 2)], 0, 1),
            v("c", &[(0, 2), (1, 1)], 1, 0),
            v("d", &[(0, 2), (2, 1)], 2, 0),
            v("e", &[(0, 3), (1, 1), (2, 1)], 0, 2),
        ];
        for (t, version) in versions.iter().enumerate() {
            h.observe(&TraceEvent {
                at: crate::core::time::Time(t as u64),
                event: Event::Stored {
                    node: NodeId(0),
                    key: "k".into(),
                    version: Box::new(version.clone()),
                    siblings: 1,
                    cause: StoreCause::Write,
                },
            });
        }
        assert_eq!(h.versions[4].parents, vec![2, 3]);
        assert_eq!(generations(&h), vec![vec![0], vec![1], vec![2, 3], vec![4]]);
        let text: Vec<String> = graph_lines(&h, &Names::new(["Sx", "Sy", "Sz"]), 200)
            .into_iter()
            .map(|(_, l)| l.to_string())
            .collect();
        assert_eq!(text[2], "├─╮ concurrent: D3 ‖ D4", "{text:#?}");
        assert!(text[3].starts_with("● │ D3 ← D2  c"), "{text:#?}");
        assert!(text[4].starts_with("│ ● D4 ← D2  d"), "{text:#?}");
        assert_eq!(text[5], "├─╯ D5 joins D3 + D4", "{text:#?}");
        assert!(text[6].starts_with("● D5 ← D3 + D4  e"), "{text:#?}");
    }
}
