//! The ring pane: the consistent-hashing ring as a circle, every token a
//! tick in its node's colour, node names beside their tokens, the selected
//! key's position and preference list, messages moving along their chords
//! and drops flashing where they died. A node joining or leaving is drawn
//! dimmed, its name marked with how many live views list it, until every
//! view agrees; gossip can be hidden (`g`). During a partition every
//! node's name carries its side's letter (`n1·A`, `n3·B`), which reads
//! without colour, and the title says how the cluster is split.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Circle, Context, Line as CanvasLine, Points};

use std::time::Duration;

use crate::core::ids::NodeId;
use crate::core::message::MsgKind;
use crate::core::ring::{NodeList, Ring};
use crate::core::version::Key;
use crate::engine::Engine;
use crate::tui::anchors::{DrawnRing, angle, token_from};
use crate::tui::flights::{FLASH_LIFE, Flights};
use crate::tui::gossip::GossipShown;
use crate::tui::members::{Members, Spread};
use crate::tui::theme;

use super::frame::pane;
use super::ring_geometry::RingGeometry;

/// The colour of a token not every live view agrees on yet.
const SPREADING: Color = Color::Indexed(240);

/// Messages drawn at most (the newest); the rest are in the log.
const DRAWN_FLIGHTS: usize = 400;
/// Background traffic's messages drawn at most: past it the ring draws
/// one in [`traffic_stride`] of them (picked by message number, so a
/// message drawn stays drawn), and the legend says so.
pub const TRAFFIC_DRAWN: usize = 48;

/// With `in_flight` traffic messages in flight, the ring draws one in
/// this many (1: all of them).
pub fn traffic_stride(in_flight: usize) -> u64 {
    in_flight.div_ceil(TRAFFIC_DRAWN).max(1) as u64
}
/// Where node labels sit, in ring radii.
const LABEL_RADIUS: f64 = 1.2;
/// The longest label drawn.
const LABEL_MAX: usize = 8;
/// Up to this many tokens, every token gets its node's name (room allowing);
/// beyond it, only each node's home token does.
const LABEL_EVERY_TOKEN: usize = 24;

pub struct RingPane<'a> {
    /// Who is alive, the partition, names, settings and virtual time.
    pub engine: &'a Engine,
    /// The ring drawn (the cluster's and the nodes leaving it) and homes.
    pub drawn: &'a DrawnRing,
    pub flights: &'a Flights,
    /// How far a ring change has spread through the views.
    pub members: &'a Members,
    /// The inspector's key: its place and preference list are marked.
    pub key: Option<&'a Key>,
    pub selected: NodeId,
    pub gossip: GossipShown,
    /// The app's real time, which flashes and the legend age by.
    pub real_now: Duration,
    /// The pane has the focus.
    pub focused: bool,
}

/// The selected key's place on the ring.
struct KeyMarks {
    pos: u64,
    prefs: NodeList,
    /// The token that put each preference-list node in the list.
    tokens: Vec<u64>,
}

fn key_marks(p: &RingPane<'_>) -> Option<KeyMarks> {
    let key = p.key?;
    let ring = p.engine.ring();
    let pos = Ring::position(key);
    let prefs = ring.preference_list(key, p.engine.settings().replicas);
    let tokens = prefs.iter().filter_map(|&n| token_from(ring, n, pos)).collect();
    Some(KeyMarks { pos, prefs, tokens })
}

impl Widget for RingPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let p = &self;
        let marks = key_marks(p);
        let spreads = spreads(p);
        let mut title = vec![Span::styled(
            match (&marks, p.key) {
                (Some(m), Some(k)) => format!(" ring · {k} at {:.1}% ", m.pos as f64 / 2f64.powi(64) * 100.0),
                _ => " ring ".to_string(),
            },
            theme::title(),
        )];
        let groups = p.engine.network().groups();
        if groups.len() > 1 {
            let sizes: Vec<String> = groups
                .iter()
                .enumerate()
                .map(|(i, g)| format!("{}:{}", side_letter(i), g.len()))
                .collect();
            title.push(Span::styled(
                format!("· split {} ", sizes.join("|")),
                Style::new().fg(Color::LightMagenta),
            ));
        }
        if let Some((node, s)) = spreads.iter().find_map(|(n, s)| s.map(|s| (n, s))) {
            let verb = if p.engine.ring().contains(*node) {
                "joining"
            } else {
                "leaving"
            };
            title.push(Span::styled(
                format!(
                    "· {} {verb}: in {}/{} views ",
                    p.engine.names().node(*node),
                    s.have,
                    s.of
                ),
                Style::new().fg(Color::Yellow),
            ));
        }
        // As many kinds as the border has room for, those seen lately
        // first, and always the drops.
        let stride = traffic_stride(p.flights.traffic_len());
        let sampled = (stride > 1).then(|| format!("traffic: 1 msg in {stride} drawn "));
        let room = (area.width.saturating_sub(4 + 7) as usize)
            .saturating_sub(sampled.as_ref().map_or(0, |s| s.chars().count()));
        let recent = |k: MsgKind| {
            p.flights
                .last_sent(k)
                .is_some_and(|t| p.real_now.saturating_sub(t) < RECENT)
                && (p.gossip.on_ring() || !theme::is_gossip(k))
        };
        let mut legend: Vec<Span> = vec![Span::raw(" ")];
        if let Some(sampled) = sampled {
            legend.push(Span::styled(sampled, Style::new().fg(Color::LightYellow)));
        }
        for kind in legend_kinds(room, recent) {
            let look = theme::kind_look(kind);
            let mut style = Style::new().fg(look.color);
            if !p.gossip.on_ring() && theme::is_gossip(kind) {
                style = style.add_modifier(Modifier::CROSSED_OUT);
            }
            legend.push(Span::styled(look.short, style));
            legend.push(Span::raw(" "));
        }
        legend.push(Span::styled("✗drop ", Style::new().fg(theme::DROP)));
        let block = pane(Line::from(title), p.focused).title_bottom(Line::from(legend));
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.width < 4 || inner.height < 3 {
            return;
        }
        let g = RingGeometry::new(inner);
        Canvas::default()
            .marker(Marker::Braille)
            .x_bounds(g.x_bounds)
            .y_bounds(g.y_bounds)
            .paint(|ctx| {
                draw_ring(ctx, p, marks.as_ref(), &spreads);
                ctx.layer();
                draw_messages(ctx, p);
            })
            .render(inner, buf);
        draw_labels(buf, &g, p, marks.as_ref(), &spreads);
    }
}

/// How long a kind counts as seen lately, for the legend (real time).
const RECENT: Duration = Duration::from_secs(10);

/// The kinds the legend names in `room` columns: those `recent` says were
/// seen lately first, then the rest, each as long as it fits; listed in
/// the legend's usual order.
pub fn legend_kinds(room: usize, recent: impl Fn(MsgKind) -> bool) -> Vec<MsgKind> {
    let mut left = room;
    let mut chosen = [false; theme::LEGEND.len()];
    for pass_recent in [true, false] {
        for (i, &kind) in theme::LEGEND.iter().enumerate() {
            if chosen[i] || recent(kind) != pass_recent {
                continue;
            }
            let w = theme::kind_look(kind).short.chars().count() + 1;
            if w <= left {
                left -= w;
                chosen[i] = true;
            }
        }
    }
    theme::LEGEND
        .iter()
        .zip(chosen)
        .filter(|(_, c)| *c)
        .map(|(k, _)| *k)
        .collect()
}

/// For every node drawn on the ring, how far its place has spread when
/// some live view does not agree yet: a joiner not every view lists, or a
/// leaver some view still lists. `None` when every live view agrees.
type Spreads = Vec<(NodeId, Option<Spread>)>;

fn spreads(p: &RingPane<'_>) -> Spreads {
    let engine = &p.engine;
    let live = |n: NodeId| engine.is_alive(n);
    p.drawn
        .ring()
        .members()
        .iter()
        .map(|&node| {
            let s = p.members.spread(node, live);
            let on_ring = engine.ring().contains(node);
            // A leaver's own view no longer lists it.
            let others = if live(node) { s.of.saturating_sub(1) } else { s.of };
            let settled = if on_ring { s.have >= s.of } else { s.have == 0 };
            let shown = Spread {
                have: s.have,
                of: if on_ring { s.of } else { others },
            };
            (node, (!settled).then_some(shown))
        })
        .collect()
}

fn spread_of(spreads: &Spreads, node: NodeId) -> Option<Spread> {
    spreads.iter().find(|(n, _)| *n == node).and_then(|(_, s)| *s)
}

fn draw_ring(ctx: &mut Context, p: &RingPane<'_>, marks: Option<&KeyMarks>, spreads: &Spreads) {
    ctx.draw(&Circle::new(0.0, 0.0, 1.0, Color::DarkGray));
    // Where clients send from; messages and drops are printed over it.
    ctx.print(-0.2, -0.2, Span::styled("clients", theme::dim()));
    let ring = p.drawn.ring();
    // The walk from the key to its last replica: the preference list's arc.
    if let Some(m) = marks
        && let Some(&last) = m.tokens.last()
    {
        let start = angle(m.pos);
        let mut sweep = angle(last) - start;
        if sweep < 0.0 {
            sweep += std::f64::consts::TAU;
        }
        let steps = (sweep * 120.0).ceil().max(1.0) as usize;
        let coords: Vec<(f64, f64)> = (0..=steps)
            .flat_map(|i| {
                let a = start + sweep * i as f64 / steps as f64;
                [RingGeometry::point(a, 1.0), RingGeometry::point(a, 0.97)]
            })
            .collect();
        ctx.draw(&Points::new(&coords, Color::White));
    }
    for t in ring.tokens() {
        let a = angle(t.pos);
        let alive = p.engine.is_alive(t.node);
        let key_token = marks.is_some_and(|m| m.tokens.contains(&t.pos) && m.prefs.contains(&t.node));
        let (r0, r1) = if key_token { (0.84, 1.12) } else { (0.93, 1.07) };
        let (x1, y1) = RingGeometry::point(a, r0);
        let (x2, y2) = RingGeometry::point(a, r1);
        // Not every live view agrees on this token yet: dimmed.
        let color = if spread_of(spreads, t.node).is_some() {
            SPREADING
        } else {
            theme::node_color_alive(t.node, alive)
        };
        ctx.draw(&CanvasLine::new(x1, y1, x2, y2, color));
    }
    if let Some(m) = marks {
        let a = angle(m.pos);
        let (x1, y1) = RingGeometry::point(a, 0.6);
        let (x2, y2) = RingGeometry::point(a, 0.95);
        ctx.draw(&CanvasLine::new(x1, y1, x2, y2, Color::White));
    }
}

fn lerp(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

fn draw_messages(ctx: &mut Context, p: &RingPane<'_>) {
    let now = p.engine.now();
    let skip = p.flights.len().saturating_sub(DRAWN_FLIGHTS);
    let hidden = |k: MsgKind| !p.gossip.on_ring() && theme::is_gossip(k);
    let stride = traffic_stride(p.flights.traffic_len());
    for f in p.flights.live().skip(skip) {
        if hidden(f.kind) || (f.traffic && !f.msg.0.is_multiple_of(stride)) {
            continue;
        }
        let color = theme::kind_look(f.kind).color;
        let a = RingGeometry::anchor_point(f.from, 1.0);
        let b = RingGeometry::anchor_point(f.to, 1.0);
        let p = f.progress(now);
        let head = lerp(a, b, p);
        let tail = lerp(a, b, (p - 0.18).max(0.0));
        ctx.draw(&CanvasLine::new(tail.0, tail.1, head.0, head.1, color));
        ctx.print(
            head.0,
            head.1,
            Span::styled("●", Style::new().fg(color).add_modifier(Modifier::BOLD)),
        );
    }
    for flash in p.flights.flashes() {
        if hidden(flash.kind) {
            continue;
        }
        let a = RingGeometry::anchor_point(flash.from, 1.0);
        let b = RingGeometry::anchor_point(flash.to, 1.0);
        let (x, y) = lerp(a, b, flash.along.min(0.94));
        let young = p.real_now.saturating_sub(flash.at) < FLASH_LIFE / 2;
        let style = if young {
            Style::new().fg(theme::DROP).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(Color::Red)
        };
        ctx.print(x, y, Span::styled(if young { "✸" } else { "✗" }, style));
    }
}

/// Cells already holding a label.
#[derive(Default)]
struct Taken {
    spans: Vec<(u16, u16, u16)>,
}

impl Taken {
    fn free(&self, row: u16, start: u16, end: u16) -> bool {
        self.spans
            .iter()
            .all(|&(r, s, e)| r != row || end + 2 <= s || start >= e + 2)
    }
}

const SUPERSCRIPTS: [&str; 10] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"];

/// Names beside tokens, placed greedily so they never overlap: each node's
/// name at its home token (where its messages leave and arrive), the
/// preference list marked with its ranks, then, on small rings, every token.
fn draw_labels(buf: &mut Buffer, g: &RingGeometry, p: &RingPane<'_>, marks: Option<&KeyMarks>, spreads: &Spreads) {
    let ring = p.drawn.ring();
    let names = p.engine.names();
    let mut taken = Taken::default();
    let groups = p.engine.network().groups();
    let side = |node: NodeId| groups.iter().position(|g| g.contains(&node));
    let place = |buf: &mut Buffer, pos: u64, node: NodeId, rank: Option<usize>, taken: &mut Taken| -> bool {
        let alive = p.engine.is_alive(node);
        let mut text = String::new();
        if !alive {
            text.push('✗');
        }
        text.extend(names.node(node).chars().take(LABEL_MAX));
        if let Some(r) = rank.filter(|r| *r < 10) {
            text.push_str(SUPERSCRIPTS[r]);
        }
        if let Some(s) = side(node) {
            text.push('·');
            text.push(side_letter(s));
        }
        let spread = spread_of(spreads, node);
        if let Some(s) = spread {
            text.push_str(&format!(" {}/{}", s.have, s.of));
        }
        let width = text.chars().count() as u16;
        let (x, y) = RingGeometry::point(angle(pos), LABEL_RADIUS);
        let Some((c, row)) = g.cell(x, y) else { return false };
        let start = if x < -0.15 {
            (c + 1).saturating_sub(width)
        } else if x <= 0.15 {
            c.saturating_sub(width / 2)
        } else {
            c
        };
        let start = start.max(g.area.x);
        let end = (start + width).min(g.area.x + g.area.width).saturating_sub(1);
        if end < start || end - start + 1 < width {
            return false;
        }
        // Beside its token, or just above or below when a neighbour's
        // label is already there.
        let rows = [Some(row), row.checked_sub(1), row.checked_add(1)];
        let Some(row) = rows
            .into_iter()
            .flatten()
            .filter(|r| (g.area.y..g.area.y + g.area.height).contains(r))
            .find(|&r| taken.free(r, start, end))
        else {
            return false;
        };
        let mut style = Style::new().fg(theme::node_color_alive(node, alive));
        if spread.is_some() {
            style = style.add_modifier(Modifier::ITALIC);
        }
        if rank.is_some() {
            style = style.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
        }
        if node == p.selected {
            style = style.add_modifier(Modifier::REVERSED);
        }
        buf.set_string(start, row, &text, style);
        taken.spans.push((row, start, end));
        true
    };
    let rank_of = |node: NodeId| {
        marks
            .and_then(|m| m.prefs.iter().position(|n| *n == node))
            .map(|i| i + 1)
    };
    if let Some(m) = marks {
        draw_key_label(buf, g, p, m, &mut taken);
    }
    // The selected node and the preference list first: they must show.
    let mut order: Vec<NodeId> = names.node_ids().collect();
    order.sort_by_key(|&n| (n != p.selected, rank_of(n).unwrap_or(usize::MAX)));
    for node in order {
        let Some(home) = p.drawn.homes().home(node) else {
            continue;
        };
        if !place(buf, home, node, rank_of(node), &mut taken) {
            // No room at home: any other token of the node will do.
            for t in ring.tokens().iter().filter(|t| t.node == node && t.pos != home) {
                if place(buf, t.pos, node, rank_of(node), &mut taken) {
                    break;
                }
            }
        }
    }
    if ring.tokens().len() <= LABEL_EVERY_TOKEN {
        for t in ring.tokens() {
            if p.drawn.homes().home(t.node) != Some(t.pos) {
                place(buf, t.pos, t.node, None, &mut taken);
            }
        }
    }
}

/// A partition side's letter: A for the first group, B for the next.
pub fn side_letter(side: usize) -> char {
    (b'A' + (side % 26) as u8) as char
}

fn draw_key_label(buf: &mut Buffer, g: &RingGeometry, p: &RingPane<'_>, m: &KeyMarks, taken: &mut Taken) {
    let Some(key) = p.key else { return };
    let (x, y) = RingGeometry::point(angle(m.pos), 0.5);
    let Some((c, r)) = g.cell(x, y) else { return };
    let text: String = format!("◆{}", key.chars().take(12).collect::<String>());
    let width = text.chars().count() as u16;
    let start = if x < 0.0 { (c + 1).saturating_sub(width) } else { c }.max(g.area.x);
    let end = (start + width).min(g.area.x + g.area.width).saturating_sub(1);
    if taken.free(r, start, end) {
        buf.set_string(
            start,
            r,
            &text,
            Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
        );
        taken.spans.push((r, start, end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_traffic_messages_are_sampled_few_are_all_drawn() {
        assert_eq!(traffic_stride(0), 1);
        assert_eq!(traffic_stride(TRAFFIC_DRAWN), 1, "up to the cap, every one");
        assert_eq!(traffic_stride(TRAFFIC_DRAWN + 1), 2);
        for n in [100, 1000, 4096] {
            let stride = traffic_stride(n);
            let drawn = (0..n as u64).filter(|m| m.is_multiple_of(stride)).count();
            assert!(drawn <= TRAFFIC_DRAWN + 1, "{n}: {drawn} drawn");
            assert!(drawn >= TRAFFIC_DRAWN / 2, "{n}: a sample, not nothing");
        }
    }

    #[test]
    fn the_legend_names_the_kinds_seen_lately_first() {
        let all = legend_kinds(200, |_| false);
        assert_eq!(all, theme::LEGEND.to_vec(), "room for every kind");
        let narrow = legend_kinds(20, |_| false);
        assert_eq!(
            narrow,
            vec![MsgKind::ClientRequest, MsgKind::Replicate, MsgKind::Ack, MsgKind::Read]
        );
        let gossip = legend_kinds(20, |k| k == MsgKind::Gossip || k == MsgKind::Merkle);
        assert!(
            gossip.contains(&MsgKind::Gossip) && gossip.contains(&MsgKind::Merkle),
            "{gossip:?}"
        );
        assert_eq!(gossip.first(), Some(&MsgKind::ClientRequest), "in the usual order");
        let w: usize = gossip
            .iter()
            .map(|k| theme::kind_look(*k).short.chars().count() + 1)
            .sum();
        assert!(w <= 20);
    }
}
