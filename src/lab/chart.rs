//! `--svg FILE`: a run drawn as a chart with plotters' SVG backend: one
//! panel per metric, the experiment's x parameter along the bottom (on a
//! log scale where [`Experiment::log_x`]), each series in its own colour:
//! the measured points with their spread as error bars, the prediction as
//! a line through the same x values.

use plotters::prelude::*;

use super::experiment::Experiment;
use super::point::{Outcome, Point};

/// Width of the chart, and height of one panel, in pixels.
const WIDTH: u32 = 1000;
const PANEL: u32 = 560;

/// The x of a point on the chart's axis: log2 of the parameter on a log axis.
fn x_of(experiment: &Experiment, p: &Point) -> Option<f64> {
    let x = p.params.get(experiment.x)?;
    if experiment.log_x {
        (x > 0.0).then(|| x.log2())
    } else {
        Some(x)
    }
}

/// The metrics of the run, in the order they first appear.
fn metrics(outcome: &Outcome) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for p in &outcome.points {
        if !out.contains(&p.metric) {
            out.push(p.metric);
        }
    }
    out
}

/// The chart as SVG text.
pub fn render(experiment: &Experiment, outcome: &Outcome) -> anyhow::Result<String> {
    let metrics = metrics(outcome);
    anyhow::ensure!(!metrics.is_empty(), "the run measured no point to draw");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, PANEL * metrics.len() as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
        let panels = root.split_evenly((metrics.len(), 1));
        for (area, metric) in panels.iter().zip(&metrics) {
            panel(experiment, outcome, area, metric).map_err(|e| anyhow::anyhow!("drawing the chart: {e}"))?;
        }
        root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(svg)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn panel(
    experiment: &Experiment,
    outcome: &Outcome,
    area: &Area<'_>,
    metric: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let points: Vec<&Point> = outcome.points.iter().filter(|p| p.metric == metric).collect();
    let xs: Vec<f64> = points.iter().filter_map(|p| x_of(experiment, p)).collect();
    let (mut x0, mut x1) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    if !(x0.is_finite() && x1.is_finite()) {
        return Err(format!("no point has the parameter {}", experiment.x).into());
    }
    if x1 - x0 < 1e-9 {
        x0 -= 1.0;
        x1 += 1.0;
    }
    let pad = (x1 - x0) * 0.03;
    let ys: Vec<f64> = points
        .iter()
        .flat_map(|p| [p.low, p.high, p.measured].into_iter().chain(p.predicted))
        .filter(|y| y.is_finite())
        .collect();
    // Values over more than two orders of magnitude, all above 0, are
    // read on a log scale (merkle's hashes from 1 to thousands).
    let (lo, hi) = ys
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| (a.min(y), b.max(y)));
    let log_y = lo > 0.0 && hi / lo >= 100.0;
    let fy = move |y: f64| if log_y { y.log10() } else { y };
    let (mut y0, mut y1) = (fy(lo), fy(hi));
    if !(y0.is_finite() && y1.is_finite()) {
        (y0, y1) = (0.0, 1.0);
    }
    if y1 - y0 < 1e-9 {
        y0 -= 0.5;
        y1 += 0.5;
    }
    let ypad = (y1 - y0) * 0.08;
    // The legend goes to a corner with no point under it; when every
    // corner has some, to the upper one with fewer, above the data: the y
    // range grows at the top by the legend's share of the panel's height.
    let (corner, free) = legend_corner(&points, experiment, (x0, x1), (y0, y1), &fy);
    let top = if free {
        ypad
    } else {
        let entries = legend_entries(&points) as f64;
        let share = ((entries * 17.0 + 24.0) / (PANEL as f64 - 100.0)).min(0.6);
        ypad + (y1 - y0 + ypad) * share / (1.0 - share)
    };
    let log_x = experiment.log_x;
    let x_name = experiment.x;
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("ringside lab {} · {metric}", experiment.name),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d((x0 - pad)..(x1 + pad), (y0 - ypad)..(y1 + top))?;
    let x_label = move |v: &f64| {
        if log_x {
            let x = v.exp2();
            if (x - x.round()).abs() < 1e-6 {
                format!("{}", x.round())
            } else {
                format!("{x:.1}")
            }
        } else if (v - v.round()).abs() < 1e-9 {
            format!("{}", v.round())
        } else {
            format!("{v:.1}")
        }
    };
    let y_label = move |v: &f64| {
        // The room made for the legend above the data has no values.
        if *v > y1 + ypad * 1.5 {
            return String::new();
        }
        let y = if log_y { 10f64.powf(*v) } else { *v };
        let magnitude = (y1 - y0).abs();
        if log_y || magnitude >= 5.0 {
            // Whole numbers where the axis spans whole numbers.
            let r = if log_y { significant(y) } else { y.round() };
            format!("{r}")
        } else {
            let s = format!("{y:.3}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    };
    chart
        .configure_mesh()
        .x_desc(if log_x {
            format!("{x_name} (log scale)")
        } else {
            x_name.to_string()
        })
        .y_desc(if log_y {
            format!("{metric} (log scale)")
        } else {
            metric.to_string()
        })
        .y_label_formatter(&y_label)
        .x_labels(if log_x { (x1 - x0).round() as usize + 1 } else { 12 })
        .x_label_formatter(&x_label)
        .draw()?;
    let mut series: Vec<&str> = Vec::new();
    for p in &points {
        if !series.contains(&p.series.as_str()) {
            series.push(&p.series);
        }
    }
    for (i, name) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let mine: Vec<&&Point> = points.iter().filter(|p| p.series == *name).collect();
        let mut predicted: Vec<(f64, f64)> = mine
            .iter()
            .filter_map(|p| Some((x_of(experiment, p)?, fy(p.predicted?))))
            .collect();
        predicted.sort_by(|a, b| a.0.total_cmp(&b.0));
        if !predicted.is_empty() {
            chart
                .draw_series(LineSeries::new(predicted, color.stroke_width(2)))?
                .label(format!("{name} · predicted"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        }
        let measured: Vec<(f64, &Point)> = mine.iter().filter_map(|p| Some((x_of(experiment, p)?, **p))).collect();
        chart.draw_series(measured.iter().map(|(x, p)| {
            ErrorBar::new_vertical(*x, fy(p.low), fy(p.measured), fy(p.high), color.stroke_width(1), 8)
        }))?;
        chart
            .draw_series(
                measured
                    .iter()
                    .map(|(x, p)| Circle::new((*x, fy(p.measured)), 4, color.filled())),
            )?
            .label(format!("{name} · measured"))
            .legend(move |(x, y)| Circle::new((x + 9, y), 4, color.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .position(corner)
        .draw()?;
    Ok(())
}

/// `y` rounded to two significant digits (a log axis's labels).
fn significant(y: f64) -> f64 {
    if y <= 0.0 || !y.is_finite() {
        return y;
    }
    let scale = 10f64.powi(y.log10().floor() as i32 - 1);
    (y / scale).round() * scale
}

/// Lines of the legend: a measured entry per series, and a predicted one
/// for a series with a prediction.
fn legend_entries(points: &[&Point]) -> usize {
    let mut series: Vec<(&str, bool)> = Vec::new();
    for p in points {
        match series.iter_mut().find(|(s, _)| *s == p.series) {
            Some(entry) => entry.1 |= p.predicted.is_some(),
            None => series.push((&p.series, p.predicted.is_some())),
        }
    }
    series.iter().map(|(_, predicted)| 1 + usize::from(*predicted)).sum()
}

/// The corner of the panel for the legend, and whether no point lies
/// under it: the one with the fewest points, else the upper one with fewer.
fn legend_corner(
    points: &[&Point],
    experiment: &Experiment,
    x: (f64, f64),
    y: (f64, f64),
    fy: &dyn Fn(f64) -> f64,
) -> (SeriesLabelPosition, bool) {
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let (w, h) = (x.1 - x.0, y.1 - y.0);
    let under = |right: bool, upper: bool| {
        points
            .iter()
            .filter_map(|p| Some((x_of(experiment, p)?, p)))
            .flat_map(|(px, p)| {
                [Some(p.measured), p.predicted]
                    .into_iter()
                    .flatten()
                    .map(move |py| (px, fy(py)))
            })
            .filter(|&(px, py)| {
                let in_x = if right {
                    px >= x.1 - 0.4 * w
                } else {
                    px <= x.0 + 0.4 * w
                };
                let in_y = if upper {
                    py >= y.1 - 0.5 * h
                } else {
                    py <= y.0 + 0.5 * h
                };
                in_x && in_y
            })
            .count()
    };
    let best = corners.into_iter().min_by_key(|&(_, right, upper)| under(right, upper));
    match best {
        Some((corner, right, upper)) if under(right, upper) == 0 => (corner, true),
        _ => {
            let right_first = under(true, true) <= under(false, true);
            let corner = if right_first {
                SeriesLabelPosition::UpperRight
            } else {
                SeriesLabelPosition::UpperLeft
            };
            (corner, false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::point::Params;
    use super::*;

    #[test]
    fn a_chart_has_its_axes_legend_points_and_prediction() {
        let p = |vnodes: f64, measured: f64| Point {
            experiment: "balance",
            series: "random tokens".into(),
            params: Params::default().with("nodes", 10.0).with("vnodes", vnodes),
            metric: "max_share_ratio",
            measured,
            low: measured - 0.1,
            high: measured + 0.1,
            predicted: Some(measured + 0.01),
            trials: 100,
        };
        let outcome = Outcome {
            points: vec![p(1.0, 2.9), p(4.0, 1.8), p(16.0, 1.3)],
            ..Outcome::default()
        };
        let e = Experiment {
            name: "balance",
            about: "",
            x: "vnodes",
            log_x: true,
            run: |_, _| Ok(Outcome::default()),
        };
        let svg = render(&e, &outcome).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
        assert!(svg.contains("vnodes (log scale)") && svg.contains("max_share_ratio"));
        assert!(svg.contains("random tokens · predicted") && svg.contains("random tokens · measured"));
        assert!(svg.contains("<circle"), "measured points");
        assert!(svg.contains("<polyline"), "the prediction's line");
        assert!(svg.contains("\n16\n"), "a log axis labels powers of two: {svg}");
    }

    #[test]
    fn values_over_orders_of_magnitude_get_a_log_axis_with_plain_labels() {
        let p = |k: f64, measured: f64| Point {
            experiment: "merkle",
            series: "hashes".into(),
            params: Params::default().with("differing", k),
            metric: "hashes_compared",
            measured,
            low: measured,
            high: measured,
            predicted: Some(measured),
            trials: 10,
        };
        let e = Experiment {
            name: "merkle",
            about: "",
            x: "differing",
            log_x: true,
            run: |_, _| Ok(Outcome::default()),
        };
        let wide = Outcome {
            points: vec![p(1.0, 13.0), p(16.0, 300.0), p(1024.0, 9000.0)],
            ..Outcome::default()
        };
        let svg = render(&e, &wide).unwrap();
        assert!(svg.contains("hashes_compared (log scale)"), "{svg}");
        assert!(!svg.contains(".0\n"), "no needless decimals");
        let narrow = Outcome {
            points: vec![p(1.0, 1000.0), p(16.0, 5000.0), p(1024.0, 9000.0)],
            ..Outcome::default()
        };
        let svg = render(&e, &narrow).unwrap();
        assert!(!svg.contains("(log scale)\n</text>") || !svg.contains("hashes_compared (log"));
        assert!(!svg.contains("9000.0") && svg.contains("\n8000\n"), "{svg}");
    }

    #[test]
    fn with_points_in_every_corner_the_legend_goes_above_the_data() {
        let p = |x: f64, y: f64| Point {
            experiment: "t",
            series: "s".into(),
            params: Params::default().with("t", x),
            metric: "m",
            measured: y,
            low: y,
            high: y,
            predicted: None,
            trials: 1,
        };
        let e = Experiment {
            name: "t",
            about: "",
            x: "t",
            log_x: false,
            run: |_, _| Ok(Outcome::default()),
        };
        let all = [p(0.0, 0.0), p(0.0, 1.0), p(1.0, 0.0), p(1.0, 1.0)];
        let refs: Vec<&Point> = all.iter().collect();
        let (corner, free) = legend_corner(&refs, &e, (0.0, 1.0), (0.0, 1.0), &|y| y);
        assert!(!free);
        assert!(matches!(
            corner,
            SeriesLabelPosition::UpperRight | SeriesLabelPosition::UpperLeft
        ));
        let (corner, free) = legend_corner(&refs[..3], &e, (0.0, 1.0), (0.0, 1.0), &|y| y);
        assert!(free && matches!(corner, SeriesLabelPosition::UpperRight));
    }

    #[test]
    fn nothing_to_draw_is_an_error() {
        let e = Experiment {
            name: "x",
            about: "",
            x: "t",
            log_x: false,
            run: |_, _| Ok(Outcome::default()),
        };
        assert!(render(&e, &Outcome::default()).is_err());
    }
}
