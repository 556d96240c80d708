//! The run as a Lamport diagram in SVG, drawn with the `svg` crate.
//!
//! One vertical line per participant (clients dashed, nodes solid), time
//! flowing down; messages are arrows from send to delivery, coloured by
//! kind (a legend at the top names them), a dropped one ends in a cross
//! where it was lost, one in flight at the end is dashed. Dead nodes and
//! partition groups are shaded spans along their lines, faults are red
//! labels, captions sit in the right margin at the height they were shown.
//! Hovering over an arrow or a dot shows what it is (an SVG `<title>`).
//!
//! Time is drawn at a readable scale rather than a linear one: each instant
//! at which something happens sits below the one before by a gap that
//! grows with the time between them but is bounded, so that a burst of
//! messages a few milliseconds apart stays legible and a quiet second does
//! not leave a page of white.

use svg::Document;
use svg::node::element::{Circle, Definitions, Group, Line, Marker, Path, Rectangle, Text, Title};

use super::diagram::{Diagram, Fate, Point, SpanKind};
use crate::core::ids::{Endpoint, Names};
use crate::core::message::MsgKind;
use crate::core::time::Time;

const LEFT: f64 = 80.0;
const COLUMN: f64 = 96.0;
const TOP: f64 = 118.0;
const CAPTION_WIDTH: f64 = 400.0;
const CAPTION_CHARS: usize = 58;
const LINE_HEIGHT: f64 = 14.0;
/// Arrows are labelled when there are at most this many (else hover only).
const LABEL_LIMIT: usize = 80;

/// The colour families of the message kinds, in legend order.
const FAMILIES: [(&str, &str, &[MsgKind]); 8] = [
    (
        "client request / reply",
        "#1f77b4",
        &[
            MsgKind::ClientRequest,
            MsgKind::ClientReply,
            MsgKind::Forward,
            MsgKind::ForwardReply,
        ],
    ),
    ("replicate / ack", "#ff7f0e", &[MsgKind::Replicate, MsgKind::Ack]),
    ("read / read-reply", "#9467bd", &[MsgKind::Read, MsgKind::ReadReply]),
    ("read repair", "#d62728", &[MsgKind::ReadRepair]),
    ("hinted handoff", "#17becf", &[MsgKind::Handoff, MsgKind::HandoffAck]),
    ("transfer", "#8c564b", &[MsgKind::Transfer, MsgKind::TransferAck]),
    ("anti-entropy", "#7f7f00", &[MsgKind::Merkle]),
    ("gossip", "#b0b0b0", &[MsgKind::Gossip, MsgKind::GossipReply]),
];

const GROUP_COLOURS: [&str; 4] = ["#e45756", "#4c78a8", "#54a24b", "#eeca3b"];

fn family(kind: MsgKind) -> usize {
    FAMILIES.iter().position(|(_, _, ks)| ks.contains(&kind)).unwrap_or(0)
}

/// Where each instant is drawn.
struct Scale {
    times: Vec<u64>,
    ys: Vec<f64>,
}

impl Scale {
    /// `roomy`: instants with a label to draw (a fault), which get room
    /// above them.
    fn new(mut times: Vec<u64>, roomy: &[u64]) -> Scale {
        times.sort_unstable();
        times.dedup();
        let mut ys = Vec::with_capacity(times.len());
        let mut y = TOP + 16.0;
        for (i, &t) in times.iter().enumerate() {
            if i > 0 {
                let ms = (t - times[i - 1]) as f64 / 1000.0;
                y += 5.0 + (ms * 2.5).min(50.0);
                if roomy.contains(&t) {
                    y += 18.0;
                }
            }
            ys.push(y);
        }
        Scale { times, ys }
    }

    fn y(&self, t: Time) -> f64 {
        let t = t.micros();
        match self.times.binary_search(&t) {
            Ok(i) => self.ys[i],
            Err(0) => self.ys.first().copied().unwrap_or(TOP),
            Err(i) if i >= self.times.len() => self.ys.last().copied().unwrap_or(TOP),
            Err(i) => {
                let (t0, t1) = (self.times[i - 1] as f64, self.times[i] as f64);
                let f = (t as f64 - t0) / (t1 - t0);
                self.ys[i - 1] + f * (self.ys[i] - self.ys[i - 1])
            }
        }
    }

    fn bottom(&self) -> f64 {
        self.ys.last().copied().unwrap_or(TOP) + 30.0
    }
}

fn x_of(col: usize) -> f64 {
    LEFT + COLUMN * col as f64 + COLUMN / 2.0
}

fn text(x: f64, y: f64, size: f64, content: impl Into<String>) -> Text {
    Text::new(content.into())
        .set("x", x)
        .set("y", y)
        .set("font-size", size)
        .set("font-family", "Helvetica, Arial, sans-serif")
}

/// Breaks `s` into lines of at most `width` characters, at spaces.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The SVG document of `d`, headed by `title`.
pub fn render(d: &Diagram, names: &Names, title: &str) -> String {
    let mut times: Vec<u64> = d.points.iter().map(|(t, _)| t.micros()).collect();
    times.push(0);
    times.push(d.end.micros());
    let roomy: Vec<u64> = d
        .points
        .iter()
        .filter(|(_, p)| matches!(p, Point::Fault { .. }))
        .map(|(t, _)| t.micros())
        .collect();
    let scale = Scale::new(times, &roomy);
    let cols = d.participants.len();
    let width = LEFT + COLUMN * cols as f64 + CAPTION_WIDTH;
    let captions_x = LEFT + COLUMN * cols as f64 + 16.0;

    // Captions first: they may push the bottom down.
    let mut captions = Group::new();
    let mut free_y = TOP + 10.0;
    for (t, p) in &d.points {
        let Point::Caption(c) = p else { continue };
        let at = scale.y(*t);
        let y = at.max(free_y);
        let lines = wrap(c, CAPTION_CHARS);
        if y > at + 2.0 {
            captions = captions.add(
                Line::new()
                    .set("x1", captions_x - 14.0)
                    .set("y1", at)
                    .set("x2", captions_x - 4.0)
                    .set("y2", y - 4.0)
                    .set("stroke", "#999")
                    .set("stroke-width", 0.8),
            );
        }
        captions = captions.add(
            Line::new()
                .set("x1", captions_x - 24.0)
                .set("y1", at)
                .set("x2", captions_x - 14.0)
                .set("y2", at)
                .set("stroke", "#999")
                .set("stroke-width", 0.8),
        );
        for (k, l) in lines.iter().enumerate() {
            captions = captions.add(text(captions_x, y + k as f64 * LINE_HEIGHT, 11.5, l.as_str()).set("fill", "#333"));
        }
        free_y = y + lines.len() as f64 * LINE_HEIGHT + 6.0;
    }
    let height = scale.bottom().max(free_y + 20.0);

    let mut doc = Document::new()
        .set("viewBox", (0, 0, width.ceil() as u64, height.ceil() as u64))
        .set("width", width.ceil() as u64)
        .set("height", height.ceil() as u64);
    doc = doc.add(
        Rectangle::new()
            .set("width", "100%")
            .set("height", "100%")
            .set("fill", "white"),
    );

    // Arrowheads, one per colour.
    let mut defs = Definitions::new();
    for (i, (_, colour, _)) in FAMILIES.iter().enumerate() {
        defs = defs.add(
            Marker::new()
                .set("id", format!("head{i}"))
                .set("viewBox", "0 0 10 10")
                .set("refX", 9)
                .set("refY", 5)
                .set("markerWidth", 7)
                .set("markerHeight", 7)
                .set("orient", "auto-start-reverse")
                .add(Path::new().set("d", "M0,0 L10,5 L0,10 z").set("fill", *colour)),
        );
    }
    doc = doc.add(defs);

    // Title and legend.
    doc = doc.add(text(12.0, 22.0, 15.0, title).set("font-weight", "bold"));
    let mut lx = 12.0;
    for (i, (name, colour, kinds)) in FAMILIES.iter().enumerate() {
        if !d.messages.iter().any(|m| kinds.contains(&m.kind)) {
            continue;
        }
        doc = doc.add(
            Line::new()
                .set("x1", lx)
                .set("y1", 42.0)
                .set("x2", lx + 26.0)
                .set("y2", 42.0)
                .set("stroke", *colour)
                .set("stroke-width", 2)
                .set("marker-end", format!("url(#head{i})")),
        );
        doc = doc.add(text(lx + 32.0, 46.0, 11.0, *name));
        lx += 44.0 + name.len() as f64 * 6.2;
    }
    doc = doc.add(cross(lx + 8.0, 42.0));
    doc = doc.add(text(lx + 18.0, 46.0, 11.0, "dropped"));
    lx += 74.0;
    doc = doc.add(
        Rectangle::new()
            .set("x", lx)
            .set("y", 36.0)
            .set("width", 12)
            .set("height", 12)
            .set("fill", "#555")
            .set("fill-opacity", 0.45),
    );
    doc = doc.add(text(lx + 18.0, 46.0, 11.0, "node down"));
    lx += 86.0;
    doc = doc.add(
        Rectangle::new()
            .set("x", lx)
            .set("y", 36.0)
            .set("width", 12)
            .set("height", 12)
            .set("fill", GROUP_COLOURS[0])
            .set("fill-opacity", 0.3),
    );
    doc = doc.add(text(lx + 18.0, 46.0, 11.0, "partition group"));

    // Time axis: a label where there is room for one.
    let mut axis = Group::new();
    let mut last_label = f64::NEG_INFINITY;
    for (&t, &y) in scale.times.iter().zip(&scale.ys) {
        if y - last_label >= 36.0 {
            axis = axis.add(
                text(LEFT - 8.0, y + 4.0, 10.0, format!("{}", Time(t)))
                    .set("text-anchor", "end")
                    .set("fill", "#666"),
            );
            axis = axis.add(
                Line::new()
                    .set("x1", LEFT - 4.0)
                    .set("y1", y)
                    .set("x2", LEFT + COLUMN * cols as f64)
                    .set("y2", y)
                    .set("stroke", "#eee")
                    .set("stroke-width", 1),
            );
            last_label = y;
        }
    }
    doc = doc.add(axis);

    // Shaded spans under everything else.
    for s in &d.spans {
        let Some(c) = d.column(Endpoint::Node(s.node)) else {
            continue;
        };
        let y0 = scale.y(s.from);
        let y1 = s.to.map_or(height - 10.0, |t| scale.y(t));
        let (half, fill, opacity) = match s.kind {
            SpanKind::Dead => (7.0, "#555", 0.45),
            SpanKind::Partitioned(g) => (14.0, GROUP_COLOURS[g % GROUP_COLOURS.len()], 0.22),
        };
        doc = doc.add(
            Rectangle::new()
                .set("x", x_of(c) - half)
                .set("y", y0)
                .set("width", 2.0 * half)
                .set("height", (y1 - y0).max(2.0))
                .set("fill", fill)
                .set("fill-opacity", opacity),
        );
    }

    // Lifelines and their names.
    for (c, &e) in d.participants.iter().enumerate() {
        let x = x_of(c);
        let client = matches!(e, Endpoint::Client(_));
        let mut line = Line::new()
            .set("x1", x)
            .set("y1", TOP)
            .set("x2", x)
            .set("y2", height - 10.0)
            .set("stroke", if client { "#888" } else { "#333" })
            .set("stroke-width", if client { 1.0 } else { 1.5 });
        if client {
            line = line.set("stroke-dasharray", "4 3");
        }
        doc = doc.add(line);
        doc = doc.add(
            text(x, TOP - 10.0, 12.5, names.endpoint(e))
                .set("text-anchor", "middle")
                .set("font-weight", if client { "normal" } else { "bold" })
                .set("font-style", if client { "italic" } else { "normal" }),
        );
    }

    // Messages.
    let label = d.messages.len() <= LABEL_LIMIT;
    for m in &d.messages {
        let (Some(a), Some(b)) = (d.column(m.from), d.column(m.to)) else {
            continue;
        };
        let f = family(m.kind);
        let colour = FAMILIES[f].1;
        let (x1, y1) = (x_of(a), scale.y(m.sent));
        let full = (x_of(b), scale.y(m.arrives.max(m.sent)));
        let (x2, y2, how) = match m.fate {
            Fate::Delivered(t) => (full.0, scale.y(t), "delivered".to_string()),
            Fate::Dropped(t, reason) => {
                let span = m.arrives.micros().saturating_sub(m.sent.micros());
                let frac = if span == 0 {
                    0.35
                } else {
                    ((t.micros() - m.sent.micros()) as f64 / span as f64).clamp(0.2, 1.0)
                };
                let y = if span == 0 { y1 + 8.0 } else { scale.y(t) };
                (x1 + frac * (full.0 - x1), y, format!("dropped: {}", reason.name()))
            }
            Fate::InFlight => (full.0, full.1, "in flight".to_string()),
        };
        let mut g = Group::new().add(Title::new(format!(
            "{} → {} {} ({how}, sent {})",
            names.endpoint(m.from),
            names.endpoint(m.to),
            m.label(),
            m.sent
        )));
        let mut line = Line::new()
            .set("x1", x1)
            .set("y1", y1)
            .set("x2", x2)
            .set("y2", y2)
            .set("stroke", colour)
            .set("stroke-width", if m.key.is_some() { 1.6 } else { 1.1 });
        match m.fate {
            Fate::Delivered(_) => line = line.set("marker-end", format!("url(#head{f})")),
            Fate::InFlight => line = line.set("stroke-dasharray", "5 3"),
            Fate::Dropped(..) => {}
        }
        g = g.add(line);
        if let Fate::Dropped(..) = m.fate {
            g = g.add(cross(x2, y2));
        }
        if label && m.key.is_some() {
            let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
            g = g.add(
                text(mx, my - 3.0, 9.0, m.kind.name())
                    .set("text-anchor", "middle")
                    .set("fill", colour),
            );
        }
        doc = doc.add(g);
    }

    // Local events as dots, faults as red labels.
    for (t, p) in &d.points {
        let y = scale.y(*t);
        match p {
            Point::Local { at, text: what } => {
                let Some(c) = d.column(*at) else { continue };
                let fill = if what.contains("OVERWROTE") || what.contains("SHADOWED") {
                    "#d62728"
                } else if what.starts_with("stored") {
                    "#2ca02c"
                } else {
                    "#333"
                };
                doc = doc.add(
                    Group::new().add(Title::new(what.as_str())).add(
                        Circle::new()
                            .set("cx", x_of(c))
                            .set("cy", y)
                            .set("r", 3.2)
                            .set("fill", fill),
                    ),
                );
            }
            Point::Fault { nodes, text: what } => {
                let cols: Vec<usize> = nodes.iter().filter_map(|&n| d.column(Endpoint::Node(n))).collect();
                let label = format!("⚡ {what}");
                let backing = |x: f64| {
                    Rectangle::new()
                        .set("x", x - 2.0)
                        .set("y", y - 15.0)
                        .set("width", label.chars().count() as f64 * 6.6 + 4.0)
                        .set("height", 14.0)
                        .set("fill", "white")
                        .set("fill-opacity", 0.85)
                };
                if cols.len() == 1 {
                    let x = x_of(cols[0]) + 6.0;
                    doc = doc.add(backing(x));
                    doc = doc.add(
                        text(x, y - 4.0, 11.0, label.as_str())
                            .set("fill", "#c00")
                            .set("font-weight", "bold"),
                    );
                } else {
                    doc = doc.add(
                        Line::new()
                            .set("x1", LEFT)
                            .set("y1", y)
                            .set("x2", LEFT + COLUMN * cols_len(d) as f64)
                            .set("y2", y)
                            .set("stroke", "#c00")
                            .set("stroke-width", 1)
                            .set("stroke-dasharray", "6 4"),
                    );
                    doc = doc.add(backing(LEFT + 4.0));
                    doc = doc.add(
                        text(LEFT + 4.0, y - 4.0, 11.0, label.as_str())
                            .set("fill", "#c00")
                            .set("font-weight", "bold"),
                    );
                }
            }
            _ => {}
        }
    }
    doc = doc.add(captions);
    doc.to_string()
}

fn cols_len(d: &Diagram) -> usize {
    d.participants.len()
}

/// A cross centred on (x, y): a lost message.
fn cross(x: f64, y: f64) -> Path {
    let r = 4.5;
    Path::new()
        .set(
            "d",
            format!(
                "M{} {} L{} {} M{} {} L{} {}",
                x - r,
                y - r,
                x + r,
                y + r,
                x - r,
                y + r,
                x + r,
                y - r
            ),
        )
        .set("stroke", "#000")
        .set("stroke-width", 2)
}
