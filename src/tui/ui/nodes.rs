//! The nodes table. Its columns are data: a [`Column`] says its title, its
//! width, how much it matters and how to show one [`NodeRow`]. A narrow
//! pane keeps the columns that matter most (name, status, hints, network)
//! and drops message counters first; [`choose`] decides, purely.
//!
//! A table too short for every node shows a window around the selection
//! plus the nodes that matter now (dead, leaving, on a partition's smaller
//! side, behind a cut link), and its bottom border says how many rows it
//! hides: [`shown_rows`] decides, purely.

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Borders, Cell, Row, Table, Widget};

use crate::core::ids::NodeId;
use crate::core::message::MsgKind;
use crate::core::time::Dur;
use crate::core::version::Key;
use crate::engine::{Engine, NodeStatus};
use crate::tui::action::Focus;
use crate::tui::hint_book::{HintBook, hint_cell};
use crate::tui::members::{Members, Opinions};
use crate::tui::theme;
use crate::tui::transfers::{Transfers, transfer_cell};

use super::frame::{Focused, pane};
use super::layout::Screen;

/// Everything a column may show about a node.
#[derive(Clone, Debug)]
pub struct NodeRow<'a> {
    pub id: NodeId,
    pub name: &'a str,
    pub status: NodeStatus,
    /// It is off the cluster's ring, handing its ranges on, not gone yet.
    pub leaving: bool,
    /// Its side of the current partition (0 = A), if it is in one.
    pub side: Option<usize>,
    /// Nodes it cannot send to because of a cut link.
    pub cut_to: Vec<&'a str>,
    pub slow: Dur,
    /// Its place in the selected key's preference list.
    pub rank: Option<usize>,
    /// The nodes it keeps hints for, by name.
    pub hint_owners: Vec<&'a str>,
    /// Members of the ring its view makes, and of the cluster's ring.
    pub view: usize,
    pub cluster_view: usize,
    /// Keys received and released by transfers so far.
    pub received: u64,
    pub released: u64,
    /// How the other live nodes see it.
    pub opinions: Opinions,
}

/// One column of the table.
pub struct Column {
    pub title: &'static str,
    /// Its width; a growing column takes at least this and any room left;
    /// a fitted column takes only what its widest cell needs, up to this,
    /// and is left out while every cell is empty (no hints held, nobody
    /// suspected, no transfer), so quiet columns cost no room.
    pub width: u16,
    pub grow: bool,
    pub fitted: bool,
    /// Which columns a narrow pane keeps: the lowest numbers.
    pub priority: u8,
    pub cell: fn(&NodeRow) -> Line<'static>,
}

/// The widest a hints cell gets.
const HINTS_W: u16 = 12;

fn num(n: impl std::fmt::Display) -> Line<'static> {
    Line::from(n.to_string())
}

/// The table's columns, left to right.
pub const COLUMNS: &[Column] = &[
    Column {
        title: "node",
        width: 8,
        grow: false,
        fitted: false,
        priority: 0,
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
        fitted: false,
        priority: 0,
        cell: |r| {
            if r.status.left {
                Line::styled("left", theme::dim())
            } else if r.leaving && r.status.alive {
                Line::styled("leaving", Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD))
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
        fitted: false,
        priority: 1,
        cell: |r| match r.rank {
            Some(n) => Line::styled(format!("#{n}"), theme::bold()),
            None => Line::from(""),
        },
    },
    Column {
        title: "keys",
        width: 4,
        grow: false,
        fitted: false,
        priority: 1,
        cell: |r| num(r.status.stats.keys),
    },
    Column {
        title: "hints",
        width: HINTS_W,
        grow: false,
        fitted: true,
        priority: 1,
        cell: |r| {
            Line::styled(
                hint_cell(r.status.stats.hints, &r.hint_owners, HINTS_W as usize),
                Style::new().fg(theme::kind_look(MsgKind::Handoff).color),
            )
        },
    },
    Column {
        title: "seen",
        width: 9,
        grow: false,
        fitted: true,
        priority: 2,
        cell: |r| {
            let o = r.opinions;
            let mut spans = Vec::new();
            if o.down > 0 {
                spans.push(Span::styled(format!("✗{}", o.down), theme::fail()));
            }
            if o.suspect > 0 {
                if !spans.is_empty() {
                    spans.push(Span::raw(" "));
                }
                spans.push(Span::styled(
                    format!("?{}", o.suspect),
                    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                ));
            }
            Line::from(spans)
        },
    },
    Column {
        title: "view",
        width: 4,
        grow: false,
        fitted: false,
        priority: 3,
        cell: |r| {
            if !r.status.alive {
                Line::from("")
            } else if r.view != r.cluster_view {
                Line::styled(
                    r.view.to_string(),
                    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                )
            } else {
                Line::styled(r.view.to_string(), theme::dim())
            }
        },
    },
    Column {
        title: "xfer",
        width: 10,
        grow: false,
        fitted: true,
        priority: 3,
        cell: |r| {
            Line::styled(
                transfer_cell(r.status.stats.handing_over, r.received, r.released),
                Style::new().fg(theme::kind_look(MsgKind::Transfer).color),
            )
        },
    },
    Column {
        title: "sibl",
        width: 4,
        grow: false,
        fitted: false,
        priority: 3,
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
        title: "rcvd",
        width: 5,
        grow: false,
        fitted: false,
        priority: 6,
        cell: |r| num(r.status.received),
    },
    Column {
        title: "sent",
        width: 5,
        grow: false,
        fitted: false,
        priority: 6,
        cell: |r| num(r.status.sent),
    },
    Column {
        title: "coord",
        width: 5,
        grow: false,
        fitted: false,
        priority: 5,
        cell: |r| num(r.status.stats.coordinating),
    },
    Column {
        title: "network",
        width: 12,
        grow: true,
        fitted: false,
        priority: 2,
        cell: |r| {
            let mut s = String::new();
            if let Some(side) = r.side {
                let _ = write!(s, "side {}", super::ring::side_letter(side));
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
    /// Each node's status, counters and network faults.
    pub engine: &'a Engine,
    /// Views, opinions and the nodes leaving.
    pub members: &'a Members,
    pub hints: &'a HintBook,
    pub transfers: &'a Transfers,
    /// The inspector's key: its replicas are ranked.
    pub key: Option<&'a Key>,
    pub selected: NodeId,
    pub focus: Focused,
}

/// The first node shown when `visible` rows fit: the selection stays in view.
fn first_row(selected: usize, visible: usize, count: usize) -> usize {
    if visible == 0 || count <= visible {
        0
    } else {
        (selected + 1).saturating_sub(visible).min(count - visible)
    }
}

/// The rows a table with room for `visible` shows, in order: every node
/// when they fit; else the nodes marked `notable` (up to all rows but one)
/// and, in the rest, the widest window around `selected` that fits.
pub fn shown_rows(selected: usize, visible: usize, notable: &[bool]) -> Vec<usize> {
    let count = notable.len();
    if count <= visible {
        return (0..count).collect();
    }
    if visible == 0 {
        return Vec::new();
    }
    let pins: Vec<usize> = (0..count)
        .filter(|&i| notable[i] && i != selected)
        .take(visible - 1)
        .collect();
    for w in (1..=visible).rev() {
        let first = first_row(selected, w, count);
        let mut rows: Vec<usize> = (first..first + w).chain(pins.iter().copied()).collect();
        rows.sort_unstable();
        rows.dedup();
        if rows.len() <= visible {
            return rows;
        }
    }
    vec![selected]
}

/// The nodes that must stay in view in a table too short for all: dead,
/// leaving, on a smaller side of a partition, or behind a cut link.
fn notable(engine: &Engine, members: &Members) -> Vec<bool> {
    let groups = engine.network().groups();
    let largest = groups.iter().map(Vec::len).max().unwrap_or(0);
    let cut: Vec<NodeId> = engine.network().cuts().flat_map(|(a, b)| [a, b]).collect();
    engine
        .names()
        .node_ids()
        .map(|id| {
            !engine.is_alive(id)
                || members.departing().iter().any(|(d, _)| *d == id)
                || groups.iter().any(|g| g.len() < largest && g.contains(&id))
                || cut.contains(&id)
        })
        .collect()
}

/// The node on screen row `row` of the table, for mouse clicks, with
/// `selected` selected.
pub fn row_at(screen: &Screen, engine: &Engine, members: &Members, selected: NodeId, row: u16) -> Option<NodeId> {
    let header = screen.nodes.y + 1;
    let rows = shown_rows(selected.index(), screen.node_rows(), &notable(engine, members));
    let i = row.checked_sub(header + 1)? as usize;
    rows.get(i).map(|&n| NodeId(n as u16))
}

impl Widget for NodesPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (engine, members) = (self.engine, self.members);
        let names = engine.names();
        let count = names.node_count();
        let alive = names.node_ids().filter(|&n| engine.is_alive(n)).count();
        let title = format!(" nodes · {alive}/{count} up ");
        // No bottom border: the detail pane's top border closes the table.
        let mut block = pane(Line::styled(title, theme::title()), self.focus.frames(Focus::Nodes))
            .borders(Borders::TOP | Borders::LEFT | Borders::RIGHT);
        let visible = block.inner(area).height.saturating_sub(1) as usize;
        let shown_ids = shown_rows(self.selected.index(), visible, &notable(engine, members));
        if shown_ids.len() < count {
            block = block.title(
                Line::styled(
                    format!(" ↓ {} more · ↑↓ scrolls ", count - shown_ids.len()),
                    Style::new().fg(Color::LightYellow),
                )
                .right_aligned(),
            );
        }
        let body = block.inner(area);
        block.render(area, buf);

        let groups = engine.network().groups();
        let cuts: Vec<(NodeId, NodeId)> = engine.network().cuts().collect();
        let prefs = self
            .key
            .map(|k| engine.ring().preference_list(k, engine.settings().replicas))
            .unwrap_or_default();
        let focused = matches!(self.focus.pane, Focus::Nodes | Focus::Ring);
        let live = |n: NodeId| engine.is_alive(n);
        let cluster_view = engine.ring().members().len();
        let shown: Vec<(NodeId, Vec<Line<'static>>)> = shown_ids
            .iter()
            .map(|&i| {
                let id = NodeId(i as u16);
                let row = NodeRow {
                    id,
                    name: names.node(id),
                    status: engine.status(id),
                    leaving: !engine.ring().contains(id) && members.departing().iter().any(|(d, _)| *d == id),
                    side: groups.iter().position(|g| g.contains(&id)),
                    cut_to: cuts
                        .iter()
                        .filter(|(from, _)| *from == id)
                        .map(|(_, to)| names.node(*to))
                        .collect(),
                    slow: engine.network().slowness(id),
                    rank: prefs.iter().position(|n| *n == id).map(|p| p + 1),
                    hint_owners: self.hints.owners(id).into_iter().map(|o| names.node(o)).collect(),
                    view: members.view_size(id),
                    cluster_view,
                    received: self.transfers.received(id),
                    released: self.transfers.released(id),
                    opinions: members.opinions(id, live),
                };
                (id, COLUMNS.iter().map(|c| (c.cell)(&row)).collect())
            })
            .collect();
        // Fitted columns are as wide as their widest cell (or title), and
        // absent while empty.
        let widths: Vec<u16> = COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if !c.fitted {
                    return c.width;
                }
                let widest = shown.iter().map(|(_, cells)| cells[i].width()).max().unwrap_or(0);
                if widest == 0 {
                    return 0;
                }
                (widest as u16).max(c.title.chars().count() as u16).min(c.width)
            })
            .collect();
        let keep = choose(
            &COLUMNS
                .iter()
                .zip(&widths)
                .map(|(c, w)| (c.priority, *w))
                .collect::<Vec<_>>(),
            body.width,
            SPACING,
        );
        let rows = shown.into_iter().map(|(id, cells)| {
            let cells: Vec<Cell> = cells
                .into_iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(line, _)| Cell::from(line))
                .collect();
            let style = if id == self.selected {
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
        let kept = || {
            COLUMNS
                .iter()
                .zip(&widths)
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c)
        };
        let header = Row::new(kept().map(|(c, _)| Cell::from(c.title))).style(theme::dim());
        let widths = kept().map(|(c, w)| {
            if c.grow {
                Constraint::Min(*w)
            } else {
                Constraint::Length(*w)
            }
        });
        Table::new(rows, widths)
            .header(header)
            .column_spacing(SPACING)
            .render(body, buf);
    }
}

/// Columns between two columns.
const SPACING: u16 = 1;

/// Which columns fit in `available` columns: taken by priority (lowest
/// first, then left to right), each kept if it still fits, so a narrow
/// pane loses its least useful columns and keeps the order of the rest.
/// A column of width 0 has nothing to show and is never kept.
pub fn choose(columns: &[(u8, u16)], available: u16, spacing: u16) -> Vec<bool> {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|&i| (columns[i].0, i));
    let mut keep = vec![false; columns.len()];
    let mut used: u32 = 0;
    for i in order {
        let extra = columns[i].1 as u32 + if used > 0 { spacing as u32 } else { 0 };
        if columns[i].1 > 0 && used + extra <= available as u32 {
            used += extra;
            keep[i] = true;
        }
    }
    keep
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
            leaving: false,
            side: Some(1),
            cut_to: vec!["s3"],
            slow: Dur::from_millis(300),
            rank: Some(2),
            hint_owners: vec!["s1", "s3"],
            view: 4,
            cluster_view: 5,
            received: 7,
            released: 0,
            opinions: Opinions {
                up: 1,
                suspect: 1,
                down: 2,
            },
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
        assert_eq!(cell("hints", &r), "", "no hints held");
        r.status.stats.hints = 2;
        assert_eq!(cell("hints", &r), "2→s1,s3");
        assert_eq!(cell("seen", &r), "✗2 ?1");
        assert_eq!(cell("view", &r), "4");
        assert_eq!(cell("xfer", &r), "↓7");
        r.status.stats.handing_over = 3;
        assert_eq!(cell("xfer", &r), "→3 ↓7");
        r.status.alive = false;
        assert_eq!(cell("status", &r), "DOWN");
        r.status.alive = true;
        r.status.epoch = 2;
        assert_eq!(cell("status", &r), "up ↻2");
        r.leaving = true;
        assert_eq!(cell("status", &r), "leaving");
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
    fn a_narrow_table_keeps_the_columns_that_matter_most() {
        let cols = [(0, 8), (5, 6), (1, 4), (2, 12)];
        assert_eq!(choose(&cols, 80, 1), vec![true; 4]);
        assert_eq!(
            choose(&cols, 27, 1),
            vec![true, false, true, true],
            "8+4+12 and two gaps"
        );
        assert_eq!(
            choose(&cols, 20, 1),
            vec![true, true, true, false],
            "a smaller column still fits"
        );
        assert_eq!(choose(&cols, 3, 1), vec![false; 4]);
        assert_eq!(choose(&[(0, 4), (0, 0)], 80, 1), vec![true, false], "an empty column");
        let all: Vec<(u8, u16)> = COLUMNS.iter().map(|c| (c.priority, c.width)).collect();
        let at_80 = choose(&all, 52, 1);
        for title in ["node", "status", "hints"] {
            let i = COLUMNS.iter().position(|c| c.title == title).unwrap();
            assert!(at_80[i], "{title} shows at 80x24");
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

    #[test]
    fn a_short_table_keeps_the_selection_and_the_notable_nodes() {
        let none = [false; 12];
        assert_eq!(shown_rows(0, 20, &none), (0..12).collect::<Vec<_>>(), "all fit");
        assert_eq!(shown_rows(0, 5, &none), vec![0, 1, 2, 3, 4]);
        assert_eq!(shown_rows(9, 5, &none), vec![5, 6, 7, 8, 9]);
        let mut dead = none;
        dead[10] = true;
        assert_eq!(shown_rows(0, 5, &dead), vec![0, 1, 2, 3, 10]);
        assert_eq!(shown_rows(9, 5, &dead), vec![6, 7, 8, 9, 10], "already in the window");
        let all = [true; 12];
        let rows = shown_rows(7, 3, &all);
        assert_eq!(rows.len(), 3);
        assert!(rows.contains(&7), "the selection always shows: {rows:?}");
        assert!(shown_rows(0, 0, &none).is_empty());
    }
}
