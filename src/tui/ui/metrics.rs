//! The metrics view: the run's rates over the last minute of virtual time,
//! a point a second, read from the [`Metrics`] the engine's trace tap
//! keeps. Two faces: a detail pane (`v`), a row a figure with a sparkline
//! and the last second's numbers beside it, and a full-screen view (`M`)
//! with charts of operations, latency and availability, a latency
//! histogram of the last [`WINDOW`] seconds and the repair work. Every
//! chart has its numbers beside it, so the view reads without colour.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, LegendPosition, Paragraph, Sparkline, Widget};

use crate::core::message::MsgKind;
use crate::core::time::Time;
use crate::metrics::columns::value;
use crate::metrics::{Metrics, Totals};
use crate::tui::theme;
use crate::tui::view::DetailView;

use super::frame::pane;
use super::tabs::detail_title;

/// Seconds the charts and sparklines span.
pub const SPAN: u64 = 60;
/// Seconds the histogram and the full view's averages sum.
pub const WINDOW: u64 = 10;

const GET: Color = Color::Cyan;
const PUT: Color = Color::Yellow;
const BAD: Color = Color::LightRed;
const GOOD: Color = Color::Green;

/// The metrics view, as a detail pane or full screen.
pub struct MetricsPane<'a> {
    /// `None` when the engine keeps no metrics.
    pub metrics: Option<&'a Metrics>,
    pub now: Time,
    /// Virtual seconds per real second: below 1x the view says how slowly
    /// its seconds pass.
    pub speed: f64,
    /// The full-screen view (`M`) rather than the detail pane.
    pub full: bool,
    pub focused: bool,
}

/// The complete seconds of the last [`SPAN`], oldest first; a second
/// with no row counts as nothing happening.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// The second `seconds[0]` is.
    pub first: u64,
    pub seconds: Vec<Totals>,
}

impl Series {
    /// The last `span` complete seconds before `now`'s.
    pub fn of(metrics: &Metrics, now: Time, span: u64) -> Series {
        let current = now.micros() / 1_000_000;
        let first = current.saturating_sub(span);
        let mut seconds = vec![Totals::default(); (current - first) as usize];
        for row in metrics.rows().rev().take_while(|r| r.second >= first) {
            if row.second < current {
                seconds[(row.second - first) as usize] = row.totals.clone();
            }
        }
        // Hints pending carry over seconds with no row.
        for i in 1..seconds.len() {
            if seconds[i] == Totals::default() {
                seconds[i].hints_pending = seconds[i - 1].hints_pending;
            }
        }
        Series { first, seconds }
    }

    /// The last complete second.
    pub fn last(&self) -> Totals {
        self.seconds.last().cloned().unwrap_or_default()
    }

    /// The last `n` seconds summed, and how many there were.
    pub fn recent(&self, n: u64) -> (Totals, u64) {
        let mut t = Totals::default();
        let from = self.seconds.len().saturating_sub(n as usize);
        for s in &self.seconds[from..] {
            t.add(s);
        }
        (t, (self.seconds.len() - from) as u64)
    }

    /// Column `name` a second, as chart points (x: the second).
    pub fn points(&self, name: &str) -> Vec<(f64, f64)> {
        self.seconds
            .iter()
            .enumerate()
            .map(|(i, t)| ((self.first + i as u64) as f64, value(t, name).unwrap_or(0.0)))
            .collect()
    }

    /// Column `name` a second, the last `width` of them, scaled by `scale`
    /// for a sparkline.
    pub fn bars(&self, name: &str, width: usize, scale: f64) -> Vec<u64> {
        let from = self.seconds.len().saturating_sub(width);
        self.seconds[from..]
            .iter()
            .map(|t| (value(t, name).unwrap_or(0.0) * scale).round() as u64)
            .collect()
    }
}

/// A share as a percentage: 99.5%.
fn pct(share: f64) -> String {
    if share >= 0.9995 || share == 0.0 {
        format!("{:.0}%", share * 100.0)
    } else {
        format!("{:.1}%", share * 100.0)
    }
}

/// Milliseconds, short: 0.8, 12, 140.
fn ms(v: f64) -> String {
    if v < 10.0 { format!("{v:.1}") } else { format!("{v:.0}") }
}

/// A rate a second, short: 3, 0.4, 1.2k.
fn rate(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v >= 1000.0 {
        format!("{:.1}k", v / 1000.0)
    } else if v.fract() == 0.0 || v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn v(t: &Totals, name: &str) -> f64 {
    value(t, name).unwrap_or(0.0)
}

/// One row of the detail pane: a label, a sparkline, the numbers.
struct Figure {
    label: &'static str,
    column: &'static str,
    /// Sparkline scale: shares by 1000, the rest as they are.
    scale: f64,
    /// A fixed top for the sparkline (shares), or the data's own.
    max: Option<u64>,
    color: Color,
    text: String,
}

/// The detail pane's rows, most telling first: a short pane keeps the top.
fn figures(last: &Totals) -> Vec<Figure> {
    let f = |label, column, scale, max, color, text| Figure {
        label,
        column,
        scale,
        max,
        color,
        text,
    };
    vec![
        f(
            "ops/s",
            "ops",
            1.0,
            None,
            GET,
            format!(
                "{} (get {} put {}) failed {}",
                last.ops(),
                last.gets,
                last.puts,
                last.failed()
            ),
        ),
        f(
            "available",
            "availability",
            1000.0,
            Some(1000),
            GOOD,
            format!("{} of ops succeeded", pct(last.availability())),
        ),
        f(
            "p99 ms",
            "p99_ms",
            10.0,
            None,
            PUT,
            format!(
                "get {} put {} (p50 {}/{}, max {})",
                ms(v(last, "get_p99_ms")),
                ms(v(last, "put_p99_ms")),
                ms(v(last, "get_p50_ms")),
                ms(v(last, "put_p50_ms")),
                ms(v(last, "max_ms"))
            ),
        ),
        f(
            "stale",
            "stale_reads",
            1000.0,
            None,
            BAD,
            format!(
                "{} of gets, {:.1} versions / {} ms behind",
                pct(last.stale_share()),
                v(last, "stale_versions"),
                ms(v(last, "stale_ms"))
            ),
        ),
        f(
            "siblings",
            "siblings",
            1000.0,
            None,
            Color::Magenta,
            format!("{} of gets saw siblings", pct(v(last, "siblings"))),
        ),
        f(
            "hints",
            "hints_pending",
            1.0,
            None,
            Color::Indexed(213),
            format!("{} pending, {} handed off", last.hints_pending, last.hints_handed_off),
        ),
        f(
            "repairs",
            "read_repairs",
            1.0,
            None,
            Color::Magenta,
            format!(
                "{} read repairs, {} keys by anti-entropy",
                last.read_repairs, last.ae_keys
            ),
        ),
        f(
            "msgs/s",
            "messages",
            1.0,
            None,
            Color::Gray,
            format!("{} {}", v(last, "messages"), busiest_kinds(last, 3)),
        ),
    ]
}

/// The `n` kinds that sent the most, with their counts: `repl 400 ack 390`.
fn busiest_kinds(t: &Totals, n: usize) -> String {
    let mut kinds: Vec<(MsgKind, u64)> = MsgKind::ALL
        .iter()
        .map(|k| (*k, t.sent[*k as usize]))
        .filter(|(_, c)| *c > 0)
        .collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then((a.0 as usize).cmp(&(b.0 as usize))));
    kinds
        .iter()
        .take(n)
        .map(|(k, c)| format!("{} {c}", theme::kind_look(*k).short))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Label columns of the detail pane's rows.
const LABEL: u16 = 11;

impl Widget for MetricsPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let series = self.metrics.map(|m| Series::of(m, self.now, SPAN)).unwrap_or_default();
        let slow = slow_note(self.speed);
        if self.full {
            full(&series, self.metrics.is_some(), slow.as_deref(), area, buf);
        } else {
            detail(&series, self.metrics.is_some(), self.focused, area, buf);
        }
    }
}

/// Below 1x a virtual second takes longer than a second to draw: says so,
/// and how to speed up (the playground opens at 0.05x, for single messages).
pub fn slow_note(speed: f64) -> Option<String> {
    (speed < 0.999).then(|| {
        format!(
            "· at {} a point takes {:.0} s of yours: :speed 1 ",
            crate::tui::pacing::format_speed(speed),
            1.0 / speed
        )
    })
}

/// What the view says when there is nothing to draw yet.
fn empty_note(kept: bool, series: &Series) -> Option<&'static str> {
    if !kept {
        Some("this run keeps no metrics")
    } else if series.seconds.iter().all(|t| t.ops() == 0) {
        Some("no operation finished in the last minute: :traffic 200 starts a workload")
    } else {
        None
    }
}

fn detail(series: &Series, kept: bool, focused: bool, area: Rect, buf: &mut Buffer) {
    let title = detail_title(DetailView::Metrics, "metrics: a bar a second".into());
    let block = pane(title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < LABEL + 8 {
        return;
    }
    let last = series.last();
    let spark_w = ((inner.width - LABEL) / 3).clamp(8, SPAN as u16);
    let rows = figures(&last);
    let note = empty_note(kept, series);
    let shown = inner.height as usize - usize::from(note.is_some());
    for (i, f) in rows.iter().take(shown).enumerate() {
        let y = inner.y + i as u16;
        Line::from(Span::styled(
            format!(" {:<w$}", f.label, w = LABEL as usize - 2),
            theme::bold(),
        ))
        .render(Rect::new(inner.x, y, LABEL, 1), buf);
        let data = series.bars(f.column, spark_w as usize, f.scale);
        let mut spark = Sparkline::default().data(&data).style(Style::new().fg(f.color));
        spark = spark.max(f.max.unwrap_or_else(|| data.iter().copied().max().unwrap_or(0).max(1)));
        spark.render(Rect::new(inner.x + LABEL, y, spark_w, 1), buf);
        let text_x = inner.x + LABEL + spark_w + 1;
        let text_w = (inner.x + inner.width).saturating_sub(text_x);
        Line::raw(f.text.as_str()).render(Rect::new(text_x, y, text_w, 1), buf);
    }
    if let Some(note) = note {
        let y = inner.y + inner.height - 1;
        Line::styled(format!(" {note}"), theme::dim()).render(Rect::new(inner.x, y, inner.width, 1), buf);
    }
}

/// The x axis of every chart: the last minute, in seconds of the run.
fn x_axis(series: &Series) -> Axis<'static> {
    let first = series.first as f64;
    let last = (series.first + series.seconds.len().max(1) as u64) as f64;
    Axis::default()
        .bounds([first, last])
        .labels([format!("{}s", series.first), format!("{}s", last as u64)])
        .style(theme::dim())
}

fn y_axis(top: f64, unit: &str) -> Axis<'static> {
    Axis::default()
        .bounds([0.0, top])
        .labels(["0".to_string(), format!("{}{unit}", rate(top))])
        .style(theme::dim())
}

/// One line of a chart: its name, its points, its colour.
type ChartLine = (&'static str, Vec<(f64, f64)>, Color);

/// A chart of `lines` up to `top`.
fn chart<'a>(lines: &'a [ChartLine], series: &Series, top: f64, unit: &str) -> Chart<'a> {
    let sets = lines
        .iter()
        .map(|(name, points, color)| {
            Dataset::default()
                .name(*name)
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(*color))
                .data(points)
        })
        .collect();
    Chart::new(sets)
        .x_axis(x_axis(series))
        .y_axis(y_axis(top, unit))
        .legend_position(Some(LegendPosition::TopLeft))
        .hidden_legend_constraints((Constraint::Percentage(60), Constraint::Percentage(60)))
}

/// The top of a chart over `points`: at least `floor`, a little above the
/// highest point.
fn top(points: &[&[(f64, f64)]], floor: f64) -> f64 {
    let max = points
        .iter()
        .flat_map(|p| p.iter().map(|(_, y)| *y))
        .fold(0.0, f64::max);
    round_up(max.max(floor))
}

/// The smallest of 1, 2 or 5 times a power of ten at or above `x`: a
/// chart's top reads as a round number.
pub fn round_up(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|v| *v >= x * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// A panel: a bordered chart on the left, its numbers on the right.
fn panel(title: &str, area: Rect, buf: &mut Buffer) -> (Rect, Rect) {
    let block = pane(Line::styled(format!(" {title} "), theme::title()), false);
    let inner = block.inner(area);
    block.render(area, buf);
    let numbers_w = 29.min(inner.width / 2);
    let [left, _, right] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(1), Constraint::Length(numbers_w)]).areas(inner);
    (left, right)
}

/// Numbers as `label  last-second  window` lines.
fn numbers(head: Line<'static>, rows: Vec<(String, String, String)>, area: Rect, buf: &mut Buffer) {
    let mut lines = vec![head];
    for (label, a, b) in rows {
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<10}"), theme::bold()),
            Span::raw(format!("{a:>8} {b:>9}")),
        ]));
    }
    Paragraph::new(lines).render(area, buf);
}

fn head() -> Line<'static> {
    Line::styled(
        format!("{:<10}{:>8} {:>9}", "", "last 1s", format!("{WINDOW}s avg")),
        theme::dim(),
    )
}

fn full(series: &Series, kept: bool, slow: Option<&str>, area: Rect, buf: &mut Buffer) {
    let mut title = Line::from(vec![
        Span::styled(" metrics ", theme::title()),
        Span::styled(
            format!("· the last {SPAN} s of virtual time, a point a second · M or Esc closes "),
            theme::dim(),
        ),
    ]);
    if let Some(slow) = slow {
        title.push_span(Span::styled(slow.to_string(), Style::new().fg(Color::LightYellow)));
    }
    let block = pane(title, true);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 6 || inner.width < 40 {
        return;
    }
    let body = match empty_note(kept, series) {
        Some(note) => {
            Line::styled(format!(" {note}"), theme::dim()).render(Rect::new(inner.x, inner.y, inner.width, 1), buf);
            Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1)
        }
        None => inner,
    };
    let [top_row, bottom_row] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    let [ops_area, latency_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top_row);
    let [health_area, histogram_area, repair_area] = Layout::horizontal([
        Constraint::Percentage(50),
        Constraint::Percentage(20),
        Constraint::Percentage(30),
    ])
    .areas(bottom_row);
    let last = series.last();
    let (window, n) = series.recent(WINDOW);
    let per_s = |x: f64| x / n.max(1) as f64;
    ops_panel(series, &last, &window, &per_s, ops_area, buf);
    latency_panel(series, &last, &window, latency_area, buf);
    health_panel(series, &last, &window, health_area, buf);
    histogram_panel(&window, histogram_area, buf);
    repair_panel(series, &last, &window, &per_s, repair_area, buf);
}

fn ops_panel(
    series: &Series,
    last: &Totals,
    window: &Totals,
    per_s: &dyn Fn(f64) -> f64,
    area: Rect,
    buf: &mut Buffer,
) {
    let (left, right) = panel("operations a second", area, buf);
    let lines = [
        ("gets", series.points("gets"), GET),
        ("puts", series.points("puts"), PUT),
        ("failed", series.points("failed"), BAD),
    ];
    let t = top(&[&lines[0].1, &lines[1].1, &lines[2].1], 1.0);
    chart(&lines, series, t, "/s").render(left, buf);
    let row = |label: &str, a: u64, b: u64| (label.to_string(), a.to_string(), rate(per_s(b as f64)));
    numbers(
        head(),
        vec![
            row("gets", last.gets, window.gets),
            row("puts", last.puts, window.puts),
            row("gets fail", last.gets_failed, window.gets_failed),
            row("puts fail", last.puts_failed, window.puts_failed),
        ],
        right,
        buf,
    );
}

fn latency_panel(series: &Series, last: &Totals, window: &Totals, area: Rect, buf: &mut Buffer) {
    let (left, right) = panel("latency, ms", area, buf);
    let lines = [
        ("get p99", series.points("get_p99_ms"), GET),
        ("put p99", series.points("put_p99_ms"), PUT),
        ("get p50", series.points("get_p50_ms"), Color::LightBlue),
        ("put p50", series.points("put_p50_ms"), Color::LightYellow),
    ];
    let t = top(&[&lines[0].1, &lines[1].1, &lines[2].1, &lines[3].1], 1.0);
    chart(&lines, series, t, "ms").render(left, buf);
    let row = |label: &str, col: &str| (label.to_string(), ms(v(last, col)), ms(v(window, col)));
    let mut head = head();
    head.spans[0] = Span::styled(
        format!("{:<10}{:>8} {:>9}", "", "last 1s", format!("last {WINDOW}s")),
        theme::dim(),
    );
    numbers(
        head,
        vec![
            row("get p50", "get_p50_ms"),
            row("get p99", "get_p99_ms"),
            row("get max", "get_max_ms"),
            row("put p50", "put_p50_ms"),
            row("put p99", "put_p99_ms"),
            row("put max", "put_max_ms"),
        ],
        right,
        buf,
    );
}

fn health_panel(series: &Series, last: &Totals, window: &Totals, area: Rect, buf: &mut Buffer) {
    let (left, right) = panel("availability · stale reads · siblings, %", area, buf);
    let percent =
        |col: &str| -> Vec<(f64, f64)> { series.points(col).into_iter().map(|(x, y)| (x, y * 100.0)).collect() };
    let lines = [
        ("available", percent("availability"), GOOD),
        ("stale", percent("stale_reads"), BAD),
        ("siblings", percent("siblings"), Color::Magenta),
    ];
    chart(&lines, series, 100.0, "%").render(left, buf);
    let share = |label: &str, col: &str| (label.to_string(), pct(v(last, col)), pct(v(window, col)));
    let mut head = head();
    head.spans[0] = Span::styled(
        format!("{:<10}{:>8} {:>9}", "", "last 1s", format!("last {WINDOW}s")),
        theme::dim(),
    );
    numbers(
        head,
        vec![
            share("available", "availability"),
            share("stale", "stale_reads"),
            (
                "versions".into(),
                format!("{:.1}", v(last, "stale_versions")),
                format!("{:.1}", v(window, "stale_versions")),
            ),
            ("ms behind".into(), ms(v(last, "stale_ms")), ms(v(window, "stale_ms"))),
            share("siblings", "siblings"),
        ],
        right,
        buf,
    );
}

/// The latency histogram of the window, a bar a bucket (merged to fit).
fn histogram_panel(window: &Totals, area: Rect, buf: &mut Buffer) {
    let block = pane(
        Line::styled(format!(" latency, last {WINDOW}s "), theme::title()),
        false,
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let all = window.latency();
    let rows = histogram_rows(&all.bars().collect::<Vec<_>>(), inner.height as usize);
    let most = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    // "≤ 12ms " then the bar then the count.
    let label_w = 8usize;
    let count_w = rows.iter().map(|r| r.1.to_string().len()).max().unwrap_or(1) + 1;
    let bar_w = (inner.width as usize).saturating_sub(label_w + count_w).max(1);
    let lines: Vec<Line> = rows
        .iter()
        .map(|(upper, n)| {
            let len = ((*n as f64 / most as f64) * bar_w as f64).ceil() as usize;
            Line::from(vec![
                Span::styled(format!("≤{:>5}ms", ms(*upper)), theme::dim()),
                Span::styled("█".repeat(len.min(bar_w)), Style::new().fg(GET)),
                Span::raw(format!(" {n}")),
            ])
        })
        .collect();
    if lines.is_empty() {
        Line::styled("no operation", theme::dim()).render(inner, buf);
    } else {
        Paragraph::new(lines).render(inner, buf);
    }
}

/// Buckets (upper bound in ms, count), merged pairwise until at most
/// `rows` are left (a merged bucket keeps the higher bound).
pub fn histogram_rows(bars: &[(f64, u32)], rows: usize) -> Vec<(f64, u64)> {
    let mut out: Vec<(f64, u64)> = bars.iter().map(|(u, n)| (*u, *n as u64)).collect();
    while out.len() > rows.max(1) {
        out = out
            .chunks(2)
            .map(|c| (c.last().expect("a chunk").0, c.iter().map(|b| b.1).sum()))
            .collect();
    }
    out
}

fn repair_panel(
    series: &Series,
    last: &Totals,
    window: &Totals,
    per_s: &dyn Fn(f64) -> f64,
    area: Rect,
    buf: &mut Buffer,
) {
    let block = pane(Line::styled(" repair work and messages ", theme::title()), false);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < 20 {
        return;
    }
    let label_w = 15.min(inner.width / 2);
    let num_w = 7u16;
    let spark_w = inner.width.saturating_sub(label_w + num_w).max(1);
    let rows: [(&str, &str, String); 5] = [
        ("hints pending", "hints_pending", last.hints_pending.to_string()),
        (
            "handed off/s",
            "hints_handed_off",
            rate(per_s(window.hints_handed_off as f64)),
        ),
        (
            "read repairs/s",
            "read_repairs",
            rate(per_s(window.read_repairs as f64)),
        ),
        ("ae keys/s", "ae_keys", rate(per_s(window.ae_keys as f64))),
        ("messages/s", "messages", rate(per_s(v(window, "messages")))),
    ];
    let mut y = inner.y;
    for (label, col, text) in rows {
        if y >= inner.y + inner.height {
            return;
        }
        Line::styled(format!("{label:<w$}", w = label_w as usize), theme::bold())
            .render(Rect::new(inner.x, y, label_w, 1), buf);
        let data = series.bars(col, spark_w as usize, 1.0);
        let max = data.iter().copied().max().unwrap_or(0).max(1);
        Sparkline::default()
            .data(&data)
            .max(max)
            .style(Style::new().fg(Color::Magenta))
            .render(Rect::new(inner.x + label_w, y, spark_w, 1), buf);
        Line::raw(format!("{text:>w$}", w = num_w as usize))
            .render(Rect::new(inner.x + label_w + spark_w, y, num_w, 1), buf);
        y += 1;
    }
    // Messages a second by kind, over the window, busiest first.
    let mut kinds: Vec<(MsgKind, u64)> = MsgKind::ALL
        .iter()
        .map(|k| (*k, window.sent[*k as usize]))
        .filter(|(_, c)| *c > 0)
        .collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then((a.0 as usize).cmp(&(b.0 as usize))));
    if y < inner.y + inner.height {
        Line::styled(format!("by kind, a second over {WINDOW}s:"), theme::dim())
            .render(Rect::new(inner.x, y, inner.width, 1), buf);
        y += 1;
    }
    let col_w = 14u16;
    let per_row = (inner.width / col_w).max(1) as usize;
    for chunk in kinds.chunks(per_row) {
        if y >= inner.y + inner.height {
            return;
        }
        let spans: Vec<Span> = chunk
            .iter()
            .map(|(k, c)| {
                let look = theme::kind_look(*k);
                Span::styled(
                    format!("{:<7}{:>6} ", look.short, rate(per_s(*c as f64))),
                    Style::new().fg(look.color),
                )
            })
            .collect();
        Line::from(spans).render(Rect::new(inner.x, y, inner.width, 1), buf);
        y += 1;
    }
    let _ = last;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time::Dur;

    #[test]
    fn below_1x_the_view_says_how_long_a_point_takes() {
        assert_eq!(slow_note(1.0), None);
        assert_eq!(slow_note(4.0), None);
        let note = slow_note(0.05).unwrap();
        assert!(note.contains("20 s") && note.contains(":speed 1"), "{note}");
    }

    #[test]
    fn chart_tops_are_round_numbers() {
        assert_eq!(round_up(74.8), 100.0);
        assert_eq!(round_up(100.0), 100.0);
        assert_eq!(round_up(316.0), 500.0);
        assert_eq!(round_up(1.2), 2.0);
        assert_eq!(round_up(0.0), 1.0);
        assert_eq!(round_up(0.04), 0.05);
    }

    #[test]
    fn a_histogram_merges_buckets_to_fit_and_keeps_every_count() {
        let bars: Vec<(f64, u32)> = (1..=9).map(|i| (i as f64, i)).collect();
        let rows = histogram_rows(&bars, 4);
        assert!(rows.len() <= 4, "{rows:?}");
        assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), 45);
        assert_eq!(rows.last().unwrap().0, 9.0, "the last bound is the highest");
        assert_eq!(histogram_rows(&bars, 20).len(), 9, "room for all: untouched");
    }

    #[test]
    fn a_series_spans_the_last_complete_seconds_and_fills_quiet_ones() {
        use crate::core::ids::{ClientId, OpId};
        use crate::core::message::Outcome;
        use crate::core::trace::{Event, TraceEvent};
        let mut m = Metrics::new();
        let get = |at_ms: u64| TraceEvent {
            at: Time(at_ms * 1000),
            event: Event::OpFinished {
                op: OpId(at_ms),
                client: ClientId(0),
                key: "k".into(),
                put: false,
                coordinator: None,
                outcome: Box::new(Outcome::Get {
                    versions: vec![],
                    context: Default::default(),
                    failure: None,
                }),
                replicas: Default::default(),
                latency: Dur::from_millis(2),
            },
        };
        for at in [500, 1500, 1600, 3500, 4200] {
            m.observe(&get(at));
        }
        let s = Series::of(&m, Time(4_300_000), SPAN);
        assert_eq!(s.first, 0);
        assert_eq!(s.seconds.len(), 4, "seconds 0 to 3; the open fourth is left out");
        let gets: Vec<u64> = s.seconds.iter().map(|t| t.gets).collect();
        assert_eq!(gets, vec![1, 2, 0, 1], "second 2 had nothing");
        assert_eq!(s.recent(2).0.gets, 1);
        assert_eq!(s.bars("gets", 2, 1.0), vec![0, 1]);
        let late = Series::of(&m, Time(100_000_000), SPAN);
        assert_eq!(late.first, 40);
        assert_eq!(late.seconds.len(), SPAN as usize);
    }
}
