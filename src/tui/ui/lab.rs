//! The `:lab` view: the running experiment as a full-screen chart
//! (ratatui's `Chart`). Each series of the metric shown is drawn in its
//! colour: the measured points as dots with their spread as a vertical
//! bar, the prediction as a line. The legend names both; below the chart,
//! how far the run is, the theory behind the line and the footnotes.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Chart, Clear, Dataset, GraphType, LegendPosition, Paragraph, Widget, Wrap,
};

use crate::lab::Point;
use crate::tui::lab_run::LabRun;
use crate::tui::theme;

/// The colours series take in turn.
const PALETTE: [Color; 6] = [
    Color::Cyan,
    Color::Yellow,
    Color::Magenta,
    Color::Green,
    Color::LightRed,
    Color::LightBlue,
];

/// The view of one run.
pub struct LabView<'a> {
    pub run: &'a LabRun,
}

/// The series of one metric: its name, its points as (x, point), sorted by x.
type Series<'a> = (&'a str, Vec<(f64, &'a Point)>);

fn series_of<'a>(run: &'a LabRun, metric: &str) -> Vec<Series<'a>> {
    let x_key = run.experiment.x;
    let log_x = run.experiment.log_x;
    let mut out: Vec<Series<'a>> = Vec::new();
    for p in run.points.iter().filter(|p| p.metric == metric) {
        let Some(x) = p.params.get(x_key) else { continue };
        let x = if log_x {
            if x <= 0.0 {
                continue;
            }
            x.log10()
        } else {
            x
        };
        match out.iter_mut().find(|(name, _)| *name == p.series) {
            Some((_, points)) => points.push((x, p)),
            None => out.push((&p.series, vec![(x, p)])),
        }
    }
    for (_, points) in &mut out {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// One series as drawn: its name, colour, dots, spread bars and predicted line.
type Drawn = (String, Color, Vec<(f64, f64)>, Vec<[(f64, f64); 2]>, Vec<(f64, f64)>);

/// A number for an axis label: short, whole where it is whole.
fn label(v: f64) -> String {
    if v.abs() >= 100.0 || (v - v.round()).abs() < 1e-6 * v.abs().max(1.0) {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Five labels from `lo` to `hi` (shown as 10^v on a log axis).
fn labels(lo: f64, hi: f64, log: bool) -> Vec<Span<'static>> {
    (0..5)
        .map(|i| {
            let v = lo + (hi - lo) * i as f64 / 4.0;
            Span::raw(label(if log { 10f64.powf(v) } else { v }))
        })
        .collect()
}

/// Low and high bounds with a margin above (and below, unless that would
/// go under a floor of 0 the values do not cross), never empty.
fn padded(lo: f64, hi: f64) -> [f64; 2] {
    if !lo.is_finite() || !hi.is_finite() {
        return [0.0, 1.0];
    }
    let span = (hi - lo).max(hi.abs() * 0.1).max(1e-9);
    let low = lo - span * 0.05;
    [if lo >= 0.0 { low.max(0.0) } else { low }, hi + span * 0.05]
}

/// The x axis runs exactly over the points (so its end labels are theirs),
/// unless they all stand at one x.
fn x_range(lo: f64, hi: f64) -> [f64; 2] {
    if lo.is_finite() && hi.is_finite() && hi > lo {
        [lo, hi]
    } else {
        padded(lo, hi)
    }
}

impl Widget for LabView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        Clear.render(area, buf);
        let run = self.run;
        let metrics = run.metrics();
        let metric = run.shown_metric();
        let which = match metric {
            Some(m) if metrics.len() > 1 => format!(
                " {m} ({} of {}; ←/→ another) ",
                metrics.iter().position(|x| *x == m).unwrap_or(0) + 1,
                metrics.len()
            ),
            Some(m) => format!(" {m} "),
            None => String::new(),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme::focused_border())
            .title(Line::styled(format!(" lab: {} ", run.experiment.name), theme::title()))
            .title(Line::styled(which, theme::bold()))
            .title_bottom(Line::styled(" Esc closes ", theme::key_hint()));
        let inner = block.inner(area);
        block.render(area, buf);
        let footer = footer_lines(run);
        let footer_height = (footer.len() as u16 + 1).min(inner.height / 3).max(2);
        let [chart_area, footer_area] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(footer_height)]).areas(inner);
        Paragraph::new(footer)
            .wrap(Wrap { trim: false })
            .render(footer_area, buf);
        let Some(metric) = metric else {
            Paragraph::new(Line::styled(
                format!("measuring the first point of {}…", run.experiment.name),
                theme::dim(),
            ))
            .render(chart_area, buf);
            return;
        };
        let series = series_of(run, metric);
        // Everything a dataset borrows: per series the dots, each spread's
        // bar and the prediction's line.
        let mut drawn: Vec<Drawn> = Vec::new();
        let (mut x_lo, mut x_hi, mut y_lo, mut y_hi) = (f64::INFINITY, f64::NEG_INFINITY, 0f64, f64::NEG_INFINITY);
        for (i, (name, points)) in series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let mut dots = Vec::new();
            let mut bars = Vec::new();
            let mut line = Vec::new();
            for &(x, p) in points {
                x_lo = x_lo.min(x);
                x_hi = x_hi.max(x);
                if p.measured.is_finite() {
                    dots.push((x, p.measured));
                    y_hi = y_hi.max(p.measured);
                }
                if p.low.is_finite() && p.high.is_finite() {
                    bars.push([(x, p.low), (x, p.high)]);
                    y_lo = y_lo.min(p.low);
                    y_hi = y_hi.max(p.high);
                }
                if let Some(v) = p.predicted.filter(|v| v.is_finite()) {
                    line.push((x, v));
                    y_lo = y_lo.min(v);
                    y_hi = y_hi.max(v);
                }
            }
            drawn.push((name.to_string(), colour, dots, bars, line));
        }
        let mut datasets = Vec::new();
        for (name, colour, dots, bars, line) in &drawn {
            if !line.is_empty() {
                datasets.push(
                    Dataset::default()
                        .name(format!("{name}: predicted"))
                        .marker(Marker::Braille)
                        .graph_type(GraphType::Line)
                        .style(Style::default().fg(*colour).add_modifier(ratatui::style::Modifier::DIM))
                        .data(line),
                );
            }
            for bar in bars {
                datasets.push(
                    Dataset::default()
                        .marker(Marker::Braille)
                        .graph_type(GraphType::Line)
                        .style(Style::default().fg(*colour))
                        .data(bar),
                );
            }
            datasets.push(
                Dataset::default()
                    .name(format!("{name}: measured"))
                    .marker(Marker::Dot)
                    .graph_type(GraphType::Scatter)
                    .style(
                        Style::default()
                            .fg(*colour)
                            .add_modifier(ratatui::style::Modifier::BOLD),
                    )
                    .data(dots),
            );
        }
        let x_bounds = x_range(x_lo, x_hi);
        let y_bounds = padded(y_lo, y_hi);
        let x_title = if run.experiment.log_x {
            format!("{} (log)", run.experiment.x)
        } else {
            run.experiment.x.to_string()
        };
        Chart::new(datasets)
            .x_axis(
                Axis::default()
                    .title(Span::styled(x_title, theme::dim()))
                    .bounds(x_bounds)
                    .labels(labels(x_bounds[0], x_bounds[1], run.experiment.log_x)),
            )
            .y_axis(
                Axis::default()
                    .title(Span::styled(metric, theme::dim()))
                    .bounds(y_bounds)
                    .labels(labels(y_bounds[0], y_bounds[1], false)),
            )
            .legend_position(Some(LegendPosition::TopLeft))
            .hidden_legend_constraints((Constraint::Percentage(60), Constraint::Percentage(60)))
            .render(chart_area, buf);
    }
}

/// Under the chart: progress, the theory named, the footnotes.
fn footer_lines(run: &LabRun) -> Vec<Line<'static>> {
    let points = run.points.len();
    let marked = run.points.iter().filter(|p| p.disagrees()).count();
    let mut lines = Vec::new();
    let status = match &run.outcome {
        None => format!("running: {points} points so far (dots: measured, bars: their spread, lines: predicted)"),
        Some(Ok(_)) => format!(
            "done: {points} points; {marked} with the prediction outside the measured spread (dots: measured, bars: their spread, lines: predicted)"
        ),
        Some(Err(e)) => format!("stopped after {points} points: {e}"),
    };
    let style = match &run.outcome {
        Some(Err(_)) => theme::error(),
        _ => theme::bold(),
    };
    lines.push(Line::styled(status, style));
    match &run.outcome {
        Some(Ok(outcome)) => {
            for t in &outcome.theory {
                lines.push(Line::from(vec![
                    Span::styled("theory: ", theme::dim()),
                    Span::raw(t.clone()),
                ]));
            }
            for n in &outcome.notes {
                lines.push(Line::from(vec![
                    Span::styled("note: ", theme::dim()),
                    Span::raw(n.clone()),
                ]));
            }
        }
        None => lines.push(Line::styled(
            format!(
                "{}; the theory and notes follow when the run is over",
                run.experiment.about
            ),
            theme::dim(),
        )),
        Some(Err(_)) => {}
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::{Outcome, Params, experiment};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn point(series: &str, nodes: f64, measured: f64, predicted: f64) -> Point {
        Point {
            experiment: "gossip",
            series: series.into(),
            params: Params::default().with("nodes", nodes).with("fanout", 1.0),
            metric: "rounds",
            measured,
            low: measured - 0.4,
            high: measured + 0.4,
            predicted: Some(predicted),
            trials: 20,
        }
    }

    fn draw(run: &LabRun, w: u16, h: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| f.render_widget(LabView { run }, f.area())).unwrap();
        terminal.backend().to_string()
    }

    #[test]
    fn a_finished_gossip_run_is_charted_with_its_theory() {
        let gossip = experiment("gossip").expect("the gossip experiment");
        let points = vec![
            point("fanout 1", 16.0, 4.1, 4.2),
            point("fanout 1", 64.0, 5.6, 5.8),
            point("fanout 1", 256.0, 7.3, 7.1),
            point("fanout 3", 16.0, 2.2, 2.3),
            point("fanout 3", 64.0, 3.0, 3.1),
            point("fanout 3", 256.0, 3.9, 3.7),
        ];
        let outcome = Outcome {
            points: points.clone(),
            theory: vec!["push-pull model: log3 n + O(log log n)".into()],
            notes: vec!["the mean over trials with its 95% confidence interval".into()],
        };
        let run = LabRun::finished(gossip, points, Ok(outcome));
        let screen = draw(&run, 100, 30);
        insta::assert_snapshot!(screen);
        for needle in [
            "lab: gossip",
            "fanout 1: measured",
            "fanout 3: predicted",
            "theory: push-pull model",
            "nodes (log)",
            "Esc closes",
        ] {
            assert!(screen.contains(needle), "{needle} is not drawn:\n{screen}");
        }
    }

    #[test]
    fn a_run_without_points_says_it_is_measuring() {
        let run = LabRun::finished(experiment("merkle").unwrap(), Vec::new(), Err("stopped".into()));
        let screen = draw(&run, 80, 20);
        assert!(screen.contains("measuring the first point of merkle"), "{screen}");
        assert!(screen.contains("stopped after 0 points: stopped"), "{screen}");
    }
}
