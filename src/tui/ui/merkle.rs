//! The Merkle pane: for the selected key's range, the top levels of one
//! replica's tree beside another's, each tree node as a short hash centred
//! over its subtree. Nodes whose hashes differ are red; those the last
//! anti-entropy session found differing are marked as it descends (red
//! background while they still differ, green once repaired). Under the
//! trees, the session's counters and the totals of every session.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::core::ids::Names;
use crate::core::message::MsgKind;
use crate::core::node::MerkleTop;
use crate::core::plural::count;
use crate::engine::{AntiEntropyTotals, Engine};
use crate::tui::merkle::{CellState, LEVELS, MerkleModel, ReplicaTree, SessionTrace, compare};
use crate::tui::theme;
use crate::tui::view::DetailView;

use super::fit::{Priority, fit};
use super::frame::pane;
use super::tabs::detail_title;

pub struct MerklePane<'a> {
    pub merkle: &'a MerkleModel,
    /// Names, settings and the anti-entropy counters.
    pub engine: &'a Engine,
    /// The pane has the focus.
    pub focused: bool,
}

/// Columns before each tree row: the level, `L0`.
const PREFIX: u16 = 4;
/// Columns between the two trees.
const GAP: u16 = 3;

/// A ring position as a percentage.
fn pct(pos: u64) -> f64 {
    pos as f64 / 2f64.powi(64) * 100.0
}

/// One row of the pane.
enum Row {
    Text(Line<'static>),
    /// The two trees' headings.
    Labels,
    /// One level of both trees.
    Level(usize),
}

/// A count with thousands separators: 1,102.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How a tree node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Empty,
    Equal,
    Differs,
    /// The session found it differing, and it still does.
    Descending,
    /// The session found it differing, and now it does not.
    Repaired,
}

/// The mark of a tree node given how the two trees compare and whether the
/// session found it differing.
pub fn mark(state: CellState, found: bool) -> Mark {
    match (state, found) {
        (CellState::Differs, true) => Mark::Descending,
        (CellState::Differs, false) => Mark::Differs,
        (_, true) => Mark::Repaired,
        (CellState::Equal, false) => Mark::Equal,
        (CellState::Empty, false) => Mark::Empty,
    }
}

fn mark_style(m: Mark) -> Style {
    match m {
        Mark::Empty => theme::dim(),
        Mark::Equal => Style::new().fg(Color::Gray),
        Mark::Differs => Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD),
        Mark::Descending => Style::new()
            .fg(Color::White)
            .bg(Color::Red)
            .add_modifier(Modifier::BOLD),
        Mark::Repaired => Style::new().fg(Color::Black).bg(Color::Green),
    }
}

/// The text of a tree node in a slot `slot` columns wide: as many hex
/// digits of its hash as fit (up to 8) with a column to spare, `·` for an
/// empty subtree.
pub fn node_text(hash: Option<u64>, slot: usize) -> String {
    match hash {
        None | Some(0) => "·".into(),
        Some(h) => {
            let n = slot.saturating_sub(1).clamp(1, 8);
            format!("{h:016x}")[..n].to_string()
        }
    }
}

fn hash_at(top: Option<&MerkleTop>, level: usize, index: usize) -> Option<u64> {
    top.and_then(|t| t.rows.get(level)).and_then(|r| r.get(index)).copied()
}

/// Draws one level of a tree `width` columns wide at (x, y).
#[allow(clippy::too_many_arguments)]
fn draw_level(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    width: u16,
    level: usize,
    mine: Option<&MerkleTop>,
    theirs: Option<&MerkleTop>,
    found: Option<&[u32]>,
) {
    let n = 1usize << level;
    let slot = (width as usize / n).max(1);
    for i in 0..n {
        let text = node_text(hash_at(mine, level, i), slot);
        let state = compare(mine, theirs, level as u8, i);
        let hit = found.is_some_and(|f| f.contains(&(i as u32)));
        let w = text.chars().count().min(slot);
        let start = x + (i * slot + (slot - w) / 2) as u16;
        if start + (w as u16) <= x + width {
            buf.set_stringn(start, y, &text, w, mark_style(mark(state, hit)));
        }
    }
}

/// A tree's heading: its node, rank, and whether it is alive.
fn tree_label(tree: &ReplicaTree, rank: usize, names: &Names) -> Span<'static> {
    let text = format!(
        "{}{} #{}",
        if tree.alive { "" } else { "✗" },
        names.node(tree.node),
        rank + 1
    );
    Span::styled(
        text,
        Style::new()
            .fg(theme::node_color_alive(tree.node, tree.alive))
            .add_modifier(Modifier::BOLD),
    )
}

/// The session line: where a running session is, or what the last one cost.
fn session_lines(s: &SessionTrace, names: &Names, depth: u8, width: usize) -> Vec<(Priority, Line<'static>)> {
    let who = format!("{}→{}", names.node(s.initiator), names.node(s.peer));
    let mut lines = Vec::new();
    match &s.end {
        None => {
            let level = s.level().unwrap_or(0);
            let (found, compared) = s
                .steps
                .iter()
                .find(|x| x.level == level)
                .map_or((0, 0), |x| (x.differing.len(), x.compared));
            let mut bar = String::new();
            for l in 0..=depth {
                bar.push(if l <= level { '▰' } else { '▱' });
            }
            lines.push((
                0,
                Line::from(vec![
                    Span::styled(format!("session {who} descending "), theme::caption()),
                    Span::styled(bar, Style::new().fg(theme::kind_look(MsgKind::Merkle).color)),
                ]),
            ));
            lines.push((
                1,
                Line::raw(format!(
                    "  level {level} of {depth}: {found} of {} differ · {:#} compared so far",
                    count(compared, "hash"),
                    count(s.compared(), "hash")
                )),
            ));
        }
        Some(end) if end.skipped => lines.push((
            0,
            Line::from(vec![
                Span::styled(format!("last session {who}: "), theme::title()),
                Span::styled(
                    "skipped: the two saw the range differently (their rings disagree)",
                    Style::new().fg(Color::Yellow),
                ),
            ]),
        )),
        Some(end) => {
            let st = end.stats;
            let verdict = if st.keys > 0 {
                Span::styled(format!("repaired {}", count(st.keys, "key")), theme::pass())
            } else {
                Span::styled("already equal", Style::new().fg(Color::Green))
            };
            lines.push((
                0,
                Line::from(vec![
                    Span::styled(format!("last session {who}: "), theme::title()),
                    verdict,
                    Span::raw(format!(" in {}", end.duration)),
                    Span::styled(format!(" (at {})", s.started), theme::dim()),
                ]),
            ));
            let (levels, compared, digests, keys) = (
                st.levels,
                thousands(st.compared as u64),
                thousands(st.digests as u64),
                thousands(st.keys as u64),
            );
            let long = format!(
                "  levels {levels} · hashes compared {compared} · key digests {digests} · keys exchanged {keys}"
            );
            let counters = if long.chars().count() <= width {
                long
            } else {
                format!("  levels {levels} · hashes {compared} · digests {digests} · keys {keys}")
            };
            lines.push((1, Line::styled(counters, Style::new().fg(Color::Gray))));
        }
    }
    lines
}

/// Anti-entropy's totals since the start or the last settings change.
fn totals_line(t: AntiEntropyTotals) -> Line<'static> {
    let mut text = format!(
        "totals: {:#}, {} repairing · {:#} · {:#} exchanged",
        count(t.sessions, "session"),
        thousands(t.repairing),
        count(t.hashes_compared, "hash"),
        count(t.keys_exchanged, "key"),
    );
    if t.skipped > 0 {
        text.push_str(&format!(" · {} skipped", thousands(t.skipped)));
    }
    Line::styled(text, Style::new().fg(theme::kind_look(MsgKind::Merkle).color))
}

fn legend() -> Line<'static> {
    Line::from(vec![
        Span::styled("abc1", mark_style(Mark::Differs)),
        Span::styled(" differs  ", theme::dim()),
        Span::styled("abc1", mark_style(Mark::Descending)),
        Span::styled(" session descends  ", theme::dim()),
        Span::styled("abc1", mark_style(Mark::Repaired)),
        Span::styled(" repaired  ", theme::dim()),
        Span::styled("·", mark_style(Mark::Empty)),
        Span::styled(" empty", theme::dim()),
    ])
}

impl Widget for MerklePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (model, engine) = (self.merkle, self.engine);
        let names = engine.names();
        let heading = match model.key() {
            Some(k) => format!("merkle · {k}"),
            None => "merkle".to_string(),
        };
        let block = pane(detail_title(DetailView::Merkle, heading), self.focused);
        let inner = block.inner(area);
        block.render(area, buf);
        let totals = engine.anti_entropy_totals();
        let interval = match engine.settings().anti_entropy_interval {
            Some(d) => format!("one every {d} per node"),
            None => "anti-entropy is off".into(),
        };
        let (Some(_), Some(range), Some((a, b))) = (model.key(), model.range(), model.pair()) else {
            let lines = vec![
                Line::from("No key selected yet: put or get one (or ↑↓ in the key pane)."),
                Line::styled(
                    "Its range's Merkle trees show here, one replica's beside another's.",
                    theme::dim(),
                ),
                Line::styled(format!("anti-entropy sessions: {interval}"), theme::dim()),
                totals_line(totals),
            ];
            Paragraph::new(lines).render(inner, buf);
            return;
        };
        let trees = model.trees();
        let left = &trees[a];
        let right = b.map(|i| &trees[i]);
        let depth = left
            .top
            .as_ref()
            .or(right.and_then(|r| r.top.as_ref()))
            .map_or(0, |t| t.depth);
        let session = model.session();
        // Header: the range and the verdict on the two roots.
        let root = |t: &ReplicaTree| hash_at(t.top.as_ref(), 0, 0);
        let mut head = match right {
            Some(r) if root(left) != root(r) => vec![Span::styled("roots differ", mark_style(Mark::Differs))],
            Some(_) => vec![Span::styled("roots equal", theme::pass())],
            None => vec![Span::styled("one replica only", theme::dim())],
        };
        head.push(Span::raw(format!(
            " · range {:.1}%→{:.1}% · depth {depth} ({} leaves)",
            pct(range.0),
            pct(range.1),
            thousands(1u64 << depth.min(63))
        )));
        let mut rows: Vec<(Priority, Row)> = vec![(0, Row::Text(Line::from(head))), (1, Row::Labels)];
        let levels = left
            .top
            .as_ref()
            .map_or(0, |t| t.rows.len())
            .max(right.and_then(|r| r.top.as_ref()).map_or(0, |t| t.rows.len()))
            .min(LEVELS as usize);
        for l in 0..levels {
            rows.push((if l < 2 { 0 } else { l as u8 }, Row::Level(l)));
        }
        let mut text: Vec<(Priority, Line<'static>)> = Vec::new();
        match session {
            Some(s) => {
                text.extend(session_lines(s, names, depth, inner.width as usize));
                if let Some((latest, since)) = model.since_repair() {
                    text.push((
                        3,
                        Line::styled(
                            format!(
                                "  then {since} session{} found nothing to repair (latest {}→{} at {})",
                                if since == 1 { "" } else { "s" },
                                names.node(latest.initiator),
                                names.node(latest.peer),
                                latest.started
                            ),
                            theme::dim(),
                        ),
                    ));
                }
            }
            None => {
                let mut spans = vec![Span::styled(
                    format!("no session on this range yet ({interval})"),
                    theme::dim(),
                )];
                if let Some(l) = model.latest() {
                    spans.push(Span::styled(
                        format!(
                            " · latest: {}→{} on {:.1}%→{:.1}%",
                            names.node(l.initiator),
                            names.node(l.peer),
                            pct(l.range.0),
                            pct(l.range.1)
                        ),
                        theme::dim(),
                    ));
                }
                text.push((1, Line::from(spans)));
            }
        }
        text.push((2, totals_line(totals)));
        let sent = |k: MsgKind| engine.sent_of_kind(k);
        let (merkle, reads, repairs) = (sent(MsgKind::Merkle), sent(MsgKind::Read), sent(MsgKind::ReadRepair));
        if merkle + reads + repairs > 0 {
            text.push((
                3,
                Line::styled(
                    format!(
                        "messages: {} merkle, against {:#} and {:#}",
                        thousands(merkle),
                        count(reads, "read"),
                        count(repairs, "read repair")
                    ),
                    theme::dim(),
                ),
            ));
        }
        text.push((4, legend()));
        rows.extend(text.into_iter().map(|(p, l)| (p, Row::Text(l))));
        let shown = fit(rows, inner.height as usize);
        let tree_w = inner.width.saturating_sub(PREFIX + GAP) / if right.is_some() { 2 } else { 1 };
        let lx = inner.x + PREFIX;
        let rx = lx + tree_w + GAP;
        let current = session.filter(|s| s.end.is_none()).and_then(SessionTrace::level);
        let (mine, theirs) = (left.top.as_ref(), right.and_then(|r| r.top.as_ref()));
        for (i, row) in shown.iter().enumerate() {
            let y = inner.y + i as u16;
            match row {
                Row::Text(line) => {
                    buf.set_line(inner.x, y, line, inner.width);
                }
                Row::Labels => {
                    let label = tree_label(left, a, names);
                    let w = label.content.chars().count() as u16;
                    buf.set_span(lx + tree_w.saturating_sub(w) / 2, y, &label, tree_w);
                    if let (Some(r), Some(bi)) = (right, b) {
                        let label = tree_label(r, bi, names);
                        let w = label.content.chars().count() as u16;
                        buf.set_span(rx + tree_w.saturating_sub(w) / 2, y, &label, tree_w);
                    }
                }
                Row::Level(level) => {
                    let level = *level;
                    let found = session.and_then(|s| s.differing_at(level as u8));
                    let style = if current == Some(level as u8) {
                        theme::caption()
                    } else {
                        theme::dim()
                    };
                    buf.set_stringn(inner.x, y, format!("L{level}"), PREFIX as usize, style);
                    draw_level(buf, lx, y, tree_w, level, mine, theirs, found);
                    if right.is_some() {
                        buf.set_string(lx + tree_w + 1, y, "│", theme::dim());
                        draw_level(buf, rx, y, tree_w, level, theirs, mine, found);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_102), "1,102");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn tree_nodes_show_as_many_hex_digits_as_their_slot_allows() {
        assert_eq!(node_text(Some(0xabcd_ef01_2345_6789), 31), "abcdef01");
        assert_eq!(node_text(Some(0xabcd_ef01_2345_6789), 4), "abc");
        assert_eq!(node_text(Some(0xabcd_ef01_2345_6789), 1), "a");
        assert_eq!(node_text(Some(0), 8), "·");
        assert_eq!(node_text(None, 8), "·");
    }

    #[test]
    fn marks_combine_the_comparison_and_the_session() {
        assert_eq!(mark(CellState::Differs, false), Mark::Differs);
        assert_eq!(mark(CellState::Differs, true), Mark::Descending);
        assert_eq!(mark(CellState::Equal, true), Mark::Repaired);
        assert_eq!(mark(CellState::Empty, true), Mark::Repaired, "a missing key filled in");
        assert_eq!(mark(CellState::Equal, false), Mark::Equal);
        assert_eq!(mark(CellState::Empty, false), Mark::Empty);
    }
}
