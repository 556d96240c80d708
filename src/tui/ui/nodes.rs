//! The nodes table. Its columns are data: a [`Column`] says its title, its
//! width and how to show one [`NodeRow`], so a later issue adds a column
//! (hints held, gossip view, anti-entropy) by adding a field to the row and
//! an entry to [`COLUMNS`].

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, Widget};

use crate::core::ids::NodeId;
use crate::core::time::Dur;
use crate::engine::NodeStatus;
use crate::tui::action::Focus;
use crate::tui::app::App;
use crate::tui::theme;

use super::layout::{Screen, inner};
use super::pane;

/// Everything a column may show about a node.
#[derive(Clone, Debug)]
pub struct NodeRow<'a> {
    pub id: NodeId,
    pub name: &'a str,
    pub status: NodeStatus,
    /// Its side of the current partition (0 = A), if it is in one.
    pub side: Option<usize>,
    /// Nodes it cannot send to because of a cut link.
    pub cut_to: Vec<&'a str>,
    pub slow: Dur,
    /// Its place in the selected key's preference list.
    pub rank: Option<usize>,
}

/// One column of the table.
pub struct Column {
    pub title: &'static str,
    /// Its width; a growing column takes at least this and any room left.
    pub width: u16,
    pub grow: bool,
    pub cell: fn(&NodeRow) -> Line<'static>,
}

fn num(n: impl std::fmt::Display) -> Line<'static> {
    Line::from(n.to_string())
}

/// The table's columns, left to right.
pub const COLUMNS: &[Column] = &[
    Column {
        title: "node",
        width: 8,
        grow: false,
        cell: |r| {
            let color = theme::node_color_alive(r.id, r.status.alive);
            Line::from(vec![
                Span::styled("■ ", Style::new().fg(color)),
                Span::styled(r.name.to_string(), Style::new().fg(color)),
            ])
        },
    },
    Column {
        title: "status",
        width: 7,
        grow: false,
        cell: |r| {
            if r.status.left {
                Line::styled("left", theme::dim())
            } else if !r.status.alive {
                Line::styled("DOWN", theme::fail())
            } else if r.status.epoch > 0 {
                Line::styled(format!("up ↻{}", r.status.epoch), Style::new().fg(Color::Green))
            } else {
                Line::styled("up", Style::new().fg(Color::Green))
            }
        },
    },
    Column {
        title: "key",
        width: 4,
        grow: false,
        cell: |r| match r.rank {
            Some(n) => Line::styled(format!("#{n}"), theme::bold()),
            None => Line::from(""),
        },
    },
    Column {
        title: "keys",
        width: 4,
        grow: false,
        cell: |r| num(r.status.stats.keys),
    },
    Column {
        title: "sibl",
        width: 4,
        grow: false,
        cell: |r| {
            let n = r.status.stats.keys_with_siblings;
            if n > 0 {
                Line::styled(
                    n.to_string(),
                    Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD),
                )
            } else {
                num(n)
            }
        },
    },
    Column {
        title: "msg in",
        width: 6,
        grow: false,
        cell: |r| num(r.status.received),
    },
    Column {
        title: "out",
        width: 6,
        grow: false,
        cell: |r| num(r.status.sent),
    },
    Column {
        title: "coord",
        width: 5,
        grow: false,
        cell: |r| num(r.status.stats.coordinating),
    },
    Column {
        title: "network",
        width: 12,
        grow: true,
        cell: |r| {
            let mut s = String::new();
            if let Some(side) = r.side {
                let _ = write!(s, "side {}", (b'A' + (side % 26) as u8) as char);
            }
            if !r.cut_to.is_empty() {
                if !s.is_empty() {
                    s.push(' ');
                }
                let _ = write!(s, "✂→{}", r.cut_to.join(","));
            }
            if r.slow > Dur::ZERO {
                if !s.is_empty() {
                    s.push(' ');
                }
                let _ = write!(s, "+{}", r.slow);
            }
            Line::styled(s, Style::new().fg(Color::LightMagenta))
        },
    },
];

pub struct NodesPane<'a> {
    pub app: &'a App,
}

/// The first node shown when `visible` rows fit: the selection stays in view.
fn first_row(selected: usize, visible: usize, count: usize) -> usize {
    if visible == 0 || count <= visible {
        0
    } else {
        (selected + 1).saturating_sub(visible).min(count - visible)
    }
}

/// The node on screen row `row` of the table, for mouse clicks.
pub fn row_at(screen: &Screen, app: &App, row: u16) -> Option<NodeId> {
    let body = inner(screen.nodes);
    let visible = body.height.saturating_sub(1) as usize;
    let count = app.engine.names().node_count();
    let first = first_row(app.selected_node.index(), visible, count);
    let i = row.checked_sub(body.y + 1)? as usize + first;
    (row > body.y && i < count && i < first + visible).then_some(NodeId(i as u16))
}

impl Widget for NodesPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let engine = &app.engine;
        let names = engine.names();
        let count = names.node_count();
        let alive = names.node_ids().filter(|&n| engine.is_alive(n)).count();
        let title = format!(" nodes · {alive}/{count} up ");
        let block = pane(Line::styled(title, theme::title()), app, Focus::Nodes);
        let body = block.inner(area);
        block.render(area, buf);
        let visible = body.height.saturating_sub(1) as usize;
        let first = first_row(app.selected_node.index(), visible, count);

        let groups = engine.network().groups();
        let cuts: Vec<(NodeId, NodeId)> = engine.network().cuts().collect();
        let prefs = app
            .inspector
            .selected()
            .map(|k| engine.ring().preference_list(k, engine.settings().replicas))
            .unwrap_or_default();
        let focused = matches!(app.focus, Focus::Nodes | Focus::Ring);
        let rows = (first..count.min(first + visible)).map(|i| {
            let id = NodeId(i as u16);
            let row = NodeRow {
                id,
                name: names.node(id),
                status: engine.status(id),
                side: groups.iter().position(|g| g.contains(&id)),
                cut_to: cuts
                    .iter()
                    .filter(|(from, _)| *from == id)
                    .map(|(_, to)| names.node(*to))
                    .collect(),
                slow: engine.network().slowness(id),
                rank: prefs.iter().position(|n| *n == id).map(|p| p + 1),
            };
            let cells: Vec<Cell> = COLUMNS.iter().map(|c| Cell::from((c.cell)(&row))).collect();
            let style = if id == app.selected_node {
                if focused {
                    theme::selected()
                } else {
                    Style::new().add_modifier(Modifier::UNDERLINED)
                }
            } else {
                Style::new()
            };
            Row::new(cells).style(style)
        });
        let header = Row::new(COLUMNS.iter().map(|c| Cell::from(c.title))).style(theme::dim());
        let widths = COLUMNS.iter().map(|c| {
            if c.grow {
                Constraint::Min(c.width)
            } else {
                Constraint::Length(c.width)
            }
        });
        Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .render(body, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> NodeRow<'static> {
        NodeRow {
            id: NodeId(1),
            name: "s2",
            status: NodeStatus {
                alive: true,
                epoch: 0,
                ..Default::default()
            },
            side: Some(1),
            cut_to: vec!["s3"],
            slow: Dur::from_millis(300),
            rank: Some(2),
        }
    }

    fn text(line: Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn cell(title: &str, r: &NodeRow) -> String {
        let c = COLUMNS.iter().find(|c| c.title == title).unwrap();
        text((c.cell)(r))
    }

    #[test]
    fn columns_show_their_field() {
        let mut r = row();
        assert_eq!(cell("node", &r), "■ s2");
        assert_eq!(cell("status", &r), "up");
        assert_eq!(cell("key", &r), "#2");
        assert_eq!(cell("network", &r), "side B ✂→s3 +300ms");
        r.status.alive = false;
        assert_eq!(cell("status", &r), "DOWN");
        r.status.alive = true;
        r.status.epoch = 2;
        assert_eq!(cell("status", &r), "up ↻2");
    }

    #[test]
    fn every_cell_fits_its_column() {
        let r = row();
        for c in COLUMNS.iter().filter(|c| !c.grow) {
            let w = text((c.cell)(&r)).chars().count() as u16;
            assert!(w <= c.width, "{} is {w} wide in {}", c.title, c.width);
            assert!(c.title.chars().count() as u16 <= c.width);
        }
    }

    #[test]
    fn the_selection_stays_in_view() {
        assert_eq!(first_row(0, 5, 64), 0);
        assert_eq!(first_row(4, 5, 64), 0);
        assert_eq!(first_row(5, 5, 64), 1);
        assert_eq!(first_row(63, 5, 64), 59);
        assert_eq!(first_row(3, 10, 5), 0);
    }
}
