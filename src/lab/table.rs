//! The human-readable table of a run: each point's measured value, its
//! spread, the prediction and a mark where they disagree, with the theory
//! named above and the footnotes, trials and wall time below.

use super::experiment::Experiment;
use super::point::{Outcome, Point};
use super::sample_spread::{CONFIDENCE, LEVEL};

/// The mark beside a point whose prediction lies outside its spread.
pub const MARK: &str = "✗";

/// A number with four significant decimals at most.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    if x != 0.0 && x.abs() < 0.001 {
        return format!("{x:.2e}");
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn param(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        num(x)
    }
}

/// The whole table.
pub fn render(experiment: &Experiment, outcome: &Outcome, jobs: usize, seconds: f64) -> String {
    let mut out = String::new();
    out.push_str(&format!("ringside lab {}: {}\n", experiment.name, experiment.about));
    for line in &outcome.theory {
        out.push_str(&format!("theory: {line}\n"));
    }
    out.push('\n');
    // Every parameter any point has, in the order they first appear.
    let mut names: Vec<&str> = Vec::new();
    for p in &outcome.points {
        for (n, _) in &p.params.0 {
            if !names.contains(n) {
                names.push(n);
            }
        }
    }
    let mut rows: Vec<Vec<String>> = vec![
        ["series"]
            .into_iter()
            .map(String::from)
            .chain(names.iter().map(|n| n.to_string()))
            .chain(["metric", "measured", "spread", "predicted", "", "trials"].map(String::from))
            .collect(),
    ];
    for p in &outcome.points {
        rows.push(row(p, &names));
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                let pad = w - cell.chars().count();
                // Text left, numbers right.
                if c == 0 || c == names.len() + 1 {
                    format!("{cell}{}", " ".repeat(pad))
                } else {
                    format!("{}{cell}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out.push('\n');
    let marked = outcome.points.iter().filter(|p| p.disagrees()).count();
    out.push_str(&format!(
        "{MARK}: the prediction lies outside the measured spread ({marked} of {} points; every spread is a \
         {CONFIDENCE} interval, so about one point in {} misses a right prediction by chance alone)\n",
        outcome.points.len(),
        (1.0 / (1.0 - LEVEL)).round()
    ));
    for (i, note) in outcome.notes.iter().enumerate() {
        out.push_str(&format!("[{}] {note}\n", i + 1));
    }
    let mut trials: Vec<u64> = outcome.points.iter().map(|p| p.trials).collect();
    trials.sort_unstable();
    trials.dedup();
    let trials = match (trials.first(), trials.last()) {
        (Some(a), Some(b)) if a == b => format!("{a}"),
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "none".into(),
    };
    out.push_str(&format!("trials per point: {trials}\n"));
    out.push_str(&format!(
        "took {seconds:.1} s on {jobs} job{}\n",
        if jobs == 1 { "" } else { "s" }
    ));
    out
}

fn row(p: &Point, names: &[&str]) -> Vec<String> {
    let mut r = vec![p.series.clone()];
    r.extend(names.iter().map(|n| p.params.get(n).map(param).unwrap_or_default()));
    r.push(p.metric.to_string());
    r.push(num(p.measured));
    r.push(format!("{}..{}", num(p.low), num(p.high)));
    r.push(p.predicted.map(num).unwrap_or_else(|| "-".into()));
    r.push(if p.disagrees() { MARK.into() } else { String::new() });
    r.push(p.trials.to_string());
    r
}

#[cfg(test)]
mod tests {
    use super::super::point::Params;
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(2.928968), "2.929");
        assert_eq!(num(1.0), "1");
        assert_eq!(num(0.0909), "0.0909");
        assert_eq!(num(0.00012), "1.20e-4");
    }

    #[test]
    fn a_disagreeing_point_is_marked_and_counted() {
        let p = |predicted| Point {
            experiment: "x",
            series: "s".into(),
            params: Params::default().with("n", 3.0),
            metric: "m",
            measured: 0.5,
            low: 0.4,
            high: 0.6,
            predicted: Some(predicted),
            trials: 10,
        };
        let outcome = Outcome {
            points: vec![p(0.5), p(0.9)],
            theory: vec!["a formula".into()],
            notes: vec!["a note".into()],
        };
        let e = Experiment {
            name: "x",
            about: "about",
            x: "n",
            log_x: false,
            run: |_, _| Ok(Outcome::default()),
        };
        let text = render(&e, &outcome, 2, 1.25);
        let lines: Vec<&str> = text.lines().collect();
        let rows: Vec<&&str> = lines.iter().filter(|l| l.starts_with("s ")).collect();
        assert_eq!(rows.len(), 2);
        assert!(!rows[0].contains(MARK) && rows[1].contains(MARK), "{text}");
        assert!(
            text.contains("(1 of 2 points; every spread is a 99 % interval"),
            "{text}"
        );
        assert!(text.contains("about one point in 100 misses"), "{text}");
        assert!(
            text.contains("theory: a formula") && text.contains("[1] a note"),
            "{text}"
        );
        assert!(
            text.contains("trials per point: 10") && text.contains("took 1.2 s on 2 jobs"),
            "{text}"
        );
    }
}
