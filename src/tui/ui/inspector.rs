//! The key inspector pane: the selected key's position and preference list,
//! each replica's versions with their vector clocks (siblings and stale
//! replicas marked), the last get or put on the key, and, when that get
//! returned siblings, how to resolve them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::core::ids::Names;
use crate::core::message::{MsgKind, Outcome};
use crate::core::ring::Ring;
use crate::core::version::Version;
use crate::engine::Engine;
use crate::tui::hint_book::HintBook;
use crate::tui::inspector::{Inspector, LastOp, Standing};
use crate::tui::theme;

use super::fit::{Priority, fit};
use super::frame::pane;
use super::tabs::detail_title;
use crate::tui::view::DetailView;

pub struct InspectorPane<'a> {
    pub inspector: &'a Inspector,
    /// The copies of the key that stand-ins keep.
    pub hints: &'a HintBook,
    /// Names, the ring, settings and who is alive.
    pub engine: &'a Engine,
    /// The pane has the focus.
    pub focused: bool,
}

fn version_spans<'a>(versions: &[Version], names: &Names, alive: bool) -> Vec<Span<'a>> {
    let value_style = if alive {
        Style::new().fg(Color::White).add_modifier(Modifier::BOLD)
    } else {
        theme::dim()
    };
    let clock_style = if alive {
        Style::new().fg(Color::Gray)
    } else {
        theme::dim()
    };
    let mut spans = Vec::new();
    if versions.is_empty() {
        spans.push(Span::styled("—", theme::dim()));
    }
    for (i, v) in versions.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" ‖ ", Style::new().fg(Color::LightYellow)));
        }
        spans.push(Span::styled(v.value.to_string(), value_style));
        let mut history = format!(" {}", v.clock.display(names));
        // Dotted versions show their own event after their context.
        if let Some(d) = v.dot {
            history.push_str(&format!("+{}:{}", names.node(d.node), d.counter));
        }
        spans.push(Span::styled(history, clock_style));
    }
    spans
}

fn last_op_lines<'a>(op: &LastOp, names: &Names) -> Vec<(Priority, Line<'a>)> {
    let mut lines = Vec::new();
    let who = names.client(op.client);
    let by = op
        .coordinator
        .map(|n| names.node(n).to_string())
        .unwrap_or_else(|| "no one".into());
    let answered: Vec<&str> = op.replicas.iter().map(|n| names.node(*n)).collect();
    let verb = if op.put { "stored by" } else { "answered" };
    let head = if op.put {
        format!(
            "last put by {who}: {} · {} · coordinator {by}",
            op.value.as_deref().unwrap_or("?"),
            op.latency
        )
    } else {
        format!("last get by {who} · {} · coordinator {by}", op.latency)
    };
    lines.push((1, Line::styled(head, theme::title())));
    let ok = op.outcome.is_ok();
    let status = if ok {
        Span::styled("ok", theme::pass())
    } else {
        Span::styled(
            format!(
                "FAILED: {}",
                op.outcome.failure().map(|f| f.to_string()).unwrap_or_default()
            ),
            theme::fail(),
        )
    };
    lines.push((
        if ok { 4 } else { 1 },
        Line::from(vec![
            Span::raw("  "),
            status,
            Span::styled(format!(" · {verb}: {}", answered.join(" ")), theme::dim()),
        ]),
    ));
    match &op.outcome {
        Outcome::Put { clock, .. } => {
            lines.push((
                1,
                Line::from(vec![
                    Span::raw("  new clock "),
                    Span::styled(clock.display(names).to_string(), theme::bold()),
                ]),
            ));
            if let Some(ctx) = &op.context {
                lines.push((
                    5,
                    Line::styled(format!("  context sent {}", ctx.display(names)), theme::dim()),
                ));
            }
        }
        Outcome::Get { versions, context, .. } => {
            if versions.is_empty() {
                lines.push((1, Line::styled("  not found", theme::dim())));
            } else if versions.len() == 1 {
                let mut spans = vec![Span::raw("  value ")];
                spans.extend(version_spans(versions, names, true));
                lines.push((1, Line::from(spans)));
            } else {
                lines.push((
                    3,
                    Line::styled(
                        format!("  {} siblings:", versions.len()),
                        Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD),
                    ),
                ));
                for (i, v) in versions.iter().enumerate() {
                    let mut spans = vec![Span::styled(format!("   {} ", i + 1), theme::key_hint())];
                    spans.extend(version_spans(std::slice::from_ref(v), names, true));
                    lines.push((1, Line::from(spans)));
                }
            }
            lines.push((
                4,
                Line::styled(format!("  context {}", context.display(names)), theme::dim()),
            ));
        }
        Outcome::Unavailable(_) => {}
    }
    lines
}

impl Widget for InspectorPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (inspector, engine) = (self.inspector, self.engine);
        let names = engine.names();
        let title = match inspector.selected() {
            Some(k) => format!("key · {k}"),
            None => "key inspector".to_string(),
        };
        let block = pane(detail_title(DetailView::Inspector, title), self.focused);
        let height = block.inner(area).height as usize;
        let Some(key) = inspector.selected() else {
            let lines = vec![
                Line::from("No key selected yet. Try"),
                Line::from(vec![
                    Span::styled("  :put cart CAR", theme::key_hint()),
                    Span::raw("  then  "),
                    Span::styled(":get cart", theme::key_hint()),
                ]),
                Line::styled(
                    "Each key's replicas, versions and vector clocks show here.",
                    theme::dim(),
                ),
            ];
            Paragraph::new(lines).block(block).render(area, buf);
            return;
        };
        let pos = Ring::position(key) as f64 / 2f64.powi(64) * 100.0;
        let n = engine.settings().replicas;
        let prefs: Vec<&str> = engine
            .ring()
            .preference_list(key, n)
            .iter()
            .map(|id| names.node(*id))
            .collect();
        let others = inspector.key_count().saturating_sub(1);
        let mut lines: Vec<(Priority, Line)> = Vec::new();
        lines.push((
            0,
            Line::from(vec![
                Span::raw(format!("at {pos:.1}% · preference list ")),
                Span::styled(prefs.join(" "), theme::bold()),
                Span::styled(
                    if others > 0 {
                        format!(" · ↑↓ {others} other keys")
                    } else {
                        String::new()
                    },
                    theme::dim(),
                ),
            ]),
        ));
        for row in inspector.rows() {
            let alive = row.alive;
            let color = theme::node_color_alive(row.node, alive);
            let rank = row.rank.map_or("  ".to_string(), |r| format!("#{r}"));
            let mut spans = vec![
                Span::styled(format!("{rank} "), theme::dim()),
                Span::styled(format!("{:<6}", names.node(row.node)), Style::new().fg(color)),
                Span::styled(if alive { "  " } else { "✗ " }, theme::fail()),
            ];
            spans.extend(version_spans(&row.versions, names, alive));
            if row.versions.len() > 1 {
                spans.push(Span::styled(
                    "  siblings",
                    Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD),
                ));
            }
            match row.standing {
                Standing::Stale | Standing::Missing => spans.push(Span::styled(
                    format!("  {}", row.standing.label().unwrap_or_default()),
                    Style::new().fg(Color::LightRed),
                )),
                Standing::Concurrent => spans.push(Span::styled("  concurrent", Style::new().fg(Color::LightYellow))),
                Standing::Current => {}
            }
            lines.push((2, Line::from(spans)));
        }
        // Copies kept by stand-ins for down replicas: not replicas of the
        // key, so the store does not show them; the hint book does.
        let hint_style = Style::new().fg(theme::kind_look(MsgKind::Handoff).color);
        for (holder, hint) in self.hints.for_key(key) {
            let alive = engine.is_alive(holder);
            let mut spans = vec![
                Span::styled("↪  ", hint_style),
                Span::styled(
                    format!("{:<6}", names.node(holder)),
                    Style::new().fg(theme::node_color_alive(holder, alive)),
                ),
                Span::styled(if alive { "  " } else { "✗ " }, theme::fail()),
            ];
            spans.extend(version_spans(&hint.versions, names, alive));
            spans.push(Span::styled(
                format!("  hint for {}", names.node(hint.owner)),
                hint_style.add_modifier(Modifier::BOLD),
            ));
            lines.push((2, Line::from(spans)));
        }
        if let Some(op) = inspector.last_op() {
            lines.extend(last_op_lines(op, names));
        }
        if let Some(r) = inspector.resolution() {
            let mut spans = vec![Span::styled("resolve: ", theme::caption())];
            for (i, v) in r.values.iter().enumerate().take(9) {
                spans.push(Span::styled(format!("{}", i + 1), theme::key_hint()));
                spans.push(Span::raw(format!(" keep {v} · ")));
            }
            spans.push(Span::styled("m", theme::key_hint()));
            spans.push(Span::raw(format!(" merge → {} · ", r.merged)));
            spans.push(Span::styled("e", theme::key_hint()));
            spans.push(Span::raw(" edit"));
            lines.push((0, Line::from(spans)));
            lines.push((
                6,
                Line::styled(
                    format!(
                        "  (a put as {} with the get's context supersedes them all)",
                        names.client(r.client)
                    ),
                    theme::dim(),
                ),
            ));
        }
        Paragraph::new(fit(lines, height)).block(block).render(area, buf);
    }
}
