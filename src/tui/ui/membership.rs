//! The membership matrix: one row per observer, one column per subject,
//! each cell what the observer believes about the subject (up, suspect or
//! down) and how long ago its heartbeat last rose in the observer's view.
//! Under it, how the live nodes judge the selected node. Cells shrink to a
//! glyph and a number on big clusters, and rows and columns scroll to keep
//! the selected node in view.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::core::ids::{Names, NodeId};
use crate::core::membership::{Liveness, MemberStatus};
use crate::core::plural::count;
use crate::core::time::Dur;
use crate::engine::Engine;
use crate::tui::action::Focus;
use crate::tui::members::{MemberCell, Members};
use crate::tui::theme;
use crate::tui::view::DetailView;

use super::frame::{Focused, pane};
use super::tabs::detail_title;

pub struct MembershipPane<'a> {
    pub members: &'a Members,
    /// Names and each node's status.
    pub engine: &'a Engine,
    /// The node selected: its row and column are marked, its judgement
    /// written under the matrix.
    pub selected: NodeId,
    pub focus: Focused,
}

/// Widest a cell gets: `susp 3.1s`.
const CELL_MAX: usize = 9;
/// Narrowest a cell gets before columns scroll: a glyph and a digit.
const CELL_MIN: usize = 2;
/// Widest an observer's name is shown.
const LABEL_MAX: usize = 8;

/// What a cell shows, before colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// The observer itself.
    Itself,
    /// The observer does not know the subject.
    Unknown,
    /// The subject left (or is leaving) the ring, in this view.
    Gone,
    Up,
    Suspect,
    Down,
}

/// A heartbeat age in at most four columns: `0.4s`, `12s`, `7m`.
pub fn age_text(age: Dur) -> String {
    let secs = age.as_secs_f64();
    if secs < 9.95 {
        format!("{secs:.1}s")
    } else if secs < 999.5 {
        format!("{}s", secs.round() as u64)
    } else {
        format!("{}m", (secs / 60.0).round() as u64)
    }
}

/// The text and kind of one cell `width` columns wide.
pub fn cell_text(cell: Option<&MemberCell>, itself: bool, width: usize) -> (String, CellKind) {
    let kind = match cell {
        _ if itself => CellKind::Itself,
        None => CellKind::Unknown,
        Some(c) if c.status != MemberStatus::Normal => CellKind::Gone,
        Some(c) => match c.liveness {
            Liveness::Up => CellKind::Up,
            Liveness::Suspect => CellKind::Suspect,
            Liveness::Down => CellKind::Down,
        },
    };
    let (word, glyph) = match kind {
        CellKind::Itself => ("self", "·"),
        CellKind::Unknown => ("?", "?"),
        CellKind::Gone => ("left", "⊘"),
        CellKind::Up => ("up", "●"),
        CellKind::Suspect => ("susp", "◐"),
        CellKind::Down => ("DOWN", "✗"),
    };
    let age = match (kind, cell.and_then(|c| c.age)) {
        (CellKind::Up | CellKind::Suspect | CellKind::Down, Some(a)) => age_text(a),
        _ => String::new(),
    };
    let text = if width >= CELL_MAX {
        format!("{word:<4} {age:>4}")
    } else if width >= 5 {
        format!("{glyph}{age:>w$}", w = width - 1)
    } else if width >= 2 && !age.is_empty() {
        // Whole seconds only: `●3`, `✗12`.
        let secs = cell.and_then(|c| c.age).map_or(0, |a| a.as_secs_f64() as u64);
        let digits: String = secs.to_string().chars().take(width - 1).collect();
        format!("{glyph}{digits}")
    } else {
        glyph.to_string()
    };
    (text.chars().take(width.max(1)).collect(), kind)
}

fn kind_style(kind: CellKind) -> Style {
    match kind {
        CellKind::Itself | CellKind::Unknown | CellKind::Gone => theme::dim(),
        CellKind::Up => Style::new().fg(Color::Green),
        CellKind::Suspect => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        CellKind::Down => Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD),
    }
}

/// The first of `count` items shown when `visible` fit, keeping `selected`
/// in view.
fn first_shown(selected: usize, visible: usize, count: usize) -> usize {
    if visible == 0 || count <= visible {
        0
    } else {
        (selected + 1).saturating_sub(visible).min(count - visible)
    }
}

/// How the matrix is cut to the pane: each cell's width and the columns
/// and rows shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    pub label: usize,
    pub cell: usize,
    pub first_col: usize,
    pub cols: usize,
    pub first_row: usize,
    pub rows: usize,
}

/// Cuts a matrix of `count` nodes to `width` x `rows` cells (after the
/// column header), keeping `selected` in view.
pub fn grid(count: usize, longest_name: usize, width: usize, rows: usize, selected: usize) -> Grid {
    let label = longest_name.clamp(2, LABEL_MAX) + 2;
    let room = width.saturating_sub(label);
    let per = room.checked_div(count).unwrap_or(CELL_MAX + 1);
    let cell = per.saturating_sub(1).clamp(CELL_MIN, CELL_MAX);
    let cols = (room / (cell + 1)).min(count);
    Grid {
        label,
        cell,
        first_col: first_shown(selected, cols, count),
        cols,
        first_row: first_shown(selected, rows, count),
        rows: rows.min(count),
    }
}

/// The grid of the matrix drawn inside `inner` (the pane's inside). Below
/// the rows go how the selected node is judged and the legend, wrapped into
/// the room every row leaves (at least a line when the pane is not tiny).
fn pane_grid(names: &Names, selected: NodeId, inner: Rect) -> Grid {
    let count = names.node_count();
    let height = inner.height as usize;
    let extra = height.saturating_sub(count + 1).clamp(usize::from(height >= 6), 4);
    let longest = names.node_names().map(|n| n.chars().count()).max().unwrap_or(2);
    grid(
        count,
        longest,
        inner.width as usize,
        height.saturating_sub(1 + extra),
        selected.index(),
    )
}

/// The node a click at (`column`, `row`) in the pane at `area` points at:
/// an observer's row, or a subject's column header, with `selected`
/// selected.
pub fn node_at(names: &Names, selected: NodeId, area: Rect, column: u16, row: u16) -> Option<NodeId> {
    let inner = super::layout::inner(area);
    if !inner.contains(ratatui::layout::Position::new(column, row)) {
        return None;
    }
    let g = pane_grid(names, selected, inner);
    if row == inner.y {
        let x = column.checked_sub(inner.x + g.label as u16)? as usize;
        let col = x / (g.cell + 1);
        return (col < g.cols).then(|| NodeId((g.first_col + col) as u16));
    }
    let r = (row - inner.y - 1) as usize;
    (r < g.rows).then(|| NodeId((g.first_row + r) as u16))
}

impl Widget for MembershipPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let engine = self.engine;
        let names = engine.names();
        let count = names.node_count();
        let live = |n: NodeId| engine.is_alive(n);
        let alive = names.node_ids().filter(|&n| live(n)).count();
        let heading = format!("membership · {alive}/{count} live");
        let block = pane(
            detail_title(DetailView::Membership, heading),
            self.focus.frames(Focus::Inspector),
        );
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.width < 8 || inner.height < 2 {
            return;
        }
        let width = inner.width as usize;
        let selected = self.selected;
        let g = pane_grid(names, selected, inner);
        let mut y = inner.y;
        // Column header: the subjects.
        let mut x = inner.x + g.label as u16;
        for i in g.first_col..g.first_col + g.cols {
            let id = NodeId(i as u16);
            let name: String = names.node(id).chars().take(g.cell).collect();
            let mut style = Style::new()
                .fg(theme::node_color_alive(id, live(id)))
                .add_modifier(Modifier::BOLD);
            if id == selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            buf.set_stringn(x, y, &name, g.cell, style);
            x += g.cell as u16 + 1;
        }
        if g.first_col > 0 {
            buf.set_string(inner.x + g.label as u16 - 2, y, "◂", theme::dim());
        }
        if g.first_col + g.cols < count {
            buf.set_string(x.saturating_sub(1).min(inner.right() - 1), y, "▸", theme::dim());
        }
        y += 1;
        for r in g.first_row..g.first_row + g.rows {
            let observer = NodeId(r as u16);
            let status = engine.status(observer);
            let mut label = String::new();
            label.push(if status.left {
                '⊘'
            } else if status.alive {
                ' '
            } else {
                '✗'
            });
            label.extend(names.node(observer).chars().take(LABEL_MAX));
            let mut style = Style::new().fg(theme::node_color_alive(observer, status.alive));
            if observer == selected {
                style = style.add_modifier(if self.focus.pane == Focus::Inspector {
                    Modifier::REVERSED
                } else {
                    Modifier::UNDERLINED
                });
            }
            buf.set_stringn(inner.x, y, &label, g.label - 1, style);
            let mut x = inner.x + g.label as u16;
            if !status.alive {
                let why = if status.left {
                    "left the cluster"
                } else {
                    "dead: it believes nothing until it restarts"
                };
                buf.set_stringn(x, y, why, width.saturating_sub(g.label), theme::dim());
                y += 1;
                continue;
            }
            let row = self.members.row(observer);
            for c in g.first_col..g.first_col + g.cols {
                let subject = NodeId(c as u16);
                let cell = row.and_then(|r| r.cell(subject));
                let (text, kind) = cell_text(cell, subject == observer, g.cell);
                let mut style = kind_style(kind);
                if subject == selected && kind != CellKind::Itself {
                    style = style.add_modifier(Modifier::UNDERLINED);
                }
                buf.set_stringn(x, y, format!("{text:>w$}", w = g.cell), g.cell, style);
                x += g.cell as u16 + 1;
            }
            y += 1;
        }
        let below = vec![
            judged_line(self.members, engine, selected),
            Line::from(vec![
                Span::styled("● up ", kind_style(CellKind::Up)),
                Span::styled("◐ suspect ", kind_style(CellKind::Suspect)),
                Span::styled("✗ down", kind_style(CellKind::Down)),
                Span::styled(
                    " · a row is what that node believes; the number, how long since the \
                     column's heartbeat last rose in its view · ↑↓ selects a node",
                    theme::dim(),
                ),
            ]),
        ];
        let rest = Rect::new(inner.x, y, inner.width, inner.bottom().saturating_sub(y));
        Paragraph::new(below).wrap(Wrap { trim: true }).render(rest, buf);
    }
}

/// How the live nodes judge the selected node.
fn judged_line(members: &Members, engine: &Engine, node: NodeId) -> Line<'static> {
    let names = engine.names();
    let o = members.opinions(node, |n| engine.is_alive(n));
    let others = o.up + o.suspect + o.down;
    let mut spans = vec![Span::styled(
        names.node(node).to_string(),
        Style::new()
            .fg(theme::node_color_alive(node, engine.is_alive(node)))
            .add_modifier(Modifier::BOLD),
    )];
    let status = engine.status(node);
    spans.push(Span::styled(
        if status.left {
            " (left)"
        } else if status.alive {
            " (running)"
        } else {
            " (dead)"
        },
        theme::dim(),
    ));
    if o.up == others {
        spans.push(Span::raw(" is seen "));
        spans.push(Span::styled("up", kind_style(CellKind::Up)));
        spans.push(Span::raw(format!(" by all {others} other live nodes")));
        return Line::from(spans);
    }
    spans.push(Span::raw(" is seen "));
    let parts = [
        (o.down, "down", CellKind::Down),
        (o.suspect, "suspect", CellKind::Suspect),
        (o.up, "up", CellKind::Up),
    ];
    for (i, (n, word, kind)) in parts.into_iter().filter(|(n, _, _)| *n > 0).enumerate() {
        if i > 0 {
            spans.push(Span::raw(", "));
        }
        spans.push(Span::styled(format!("{word} by {n}"), kind_style(kind)));
    }
    spans.push(Span::raw(format!(" of the {others} other live nodes")));
    if status.alive {
        let view = members.view_size(node);
        spans.push(Span::styled(
            format!(" · its ring has {}", count(view, "member")),
            theme::dim(),
        ));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(liveness: Liveness, ms: u64) -> MemberCell {
        MemberCell {
            liveness,
            status: MemberStatus::Normal,
            age: Some(Dur::from_millis(ms)),
            generation: 1,
        }
    }

    #[test]
    fn ages_fit_in_four_columns() {
        assert_eq!(age_text(Dur::from_millis(400)), "0.4s");
        assert_eq!(age_text(Dur::from_millis(9_940)), "9.9s");
        assert_eq!(age_text(Dur::from_millis(12_300)), "12s");
        assert_eq!(age_text(Dur::from_secs(600)), "600s");
        assert_eq!(age_text(Dur::from_secs(6000)), "100m");
    }

    #[test]
    fn cells_say_what_the_observer_believes_as_room_allows() {
        let down = cell(Liveness::Down, 8_200);
        assert_eq!(cell_text(Some(&down), false, 9), ("DOWN 8.2s".into(), CellKind::Down));
        assert_eq!(cell_text(Some(&down), false, 6).0, "✗ 8.2s");
        assert_eq!(cell_text(Some(&down), false, 3).0, "✗8");
        assert_eq!(cell_text(Some(&down), false, 1).0, "✗");
        let sus = cell(Liveness::Suspect, 3_100);
        assert_eq!(cell_text(Some(&sus), false, 9), ("susp 3.1s".into(), CellKind::Suspect));
        assert_eq!(cell_text(Some(&sus), true, 9).1, CellKind::Itself);
        assert_eq!(cell_text(None, false, 9).1, CellKind::Unknown);
        let left = MemberCell {
            status: MemberStatus::Left,
            ..cell(Liveness::Up, 0)
        };
        assert_eq!(cell_text(Some(&left), false, 9).0, "left     ");
        let fresh = MemberCell {
            age: None,
            ..cell(Liveness::Up, 0)
        };
        assert_eq!(
            cell_text(Some(&fresh), false, 9).0,
            "up       ",
            "not asked yet: no age"
        );
        for w in 0..12 {
            for c in [Some(&down), Some(&sus), None] {
                assert!(cell_text(c, false, w).0.chars().count() <= w.max(1), "{w}");
            }
        }
    }

    #[test]
    fn the_grid_shows_everything_when_it_fits_and_scrolls_to_the_selection_otherwise() {
        let g = grid(5, 2, 68, 10, 0);
        assert_eq!((g.cell, g.cols, g.rows), (9, 5, 5));
        assert_eq!(g.label, 4);
        let g = grid(64, 3, 120, 16, 40);
        assert!(g.cols < 64 && g.cell >= CELL_MIN, "{g:?}");
        assert!((g.first_col..g.first_col + g.cols).contains(&40));
        assert!((g.first_row..g.first_row + g.rows).contains(&40));
        assert!(g.label + g.cols * (g.cell + 1) <= 120);
        let g = grid(0, 0, 50, 5, 0);
        assert_eq!((g.cols, g.rows), (0, 0));
    }
}
