//! The machine-readable forms of a run: `--json` (one object per point and
//! line, the shape of [`Point`]) and `--csv` (the same columns, `params`
//! written `name=value` pairs joined by `;`).

use super::point::Point;

/// The CSV header: the JSON object's keys, in its order.
pub const CSV_HEADER: &str = "experiment,series,params,metric,measured,low,high,predicted,trials";

/// One point as a line of JSON.
pub fn json_line(point: &Point) -> String {
    serde_json::to_string(point).expect("a point serializes")
}

/// A float as JSON would print it (no trailing `.0` lost, NaN as empty).
fn number(x: f64) -> String {
    if x.is_finite() {
        serde_json::to_string(&x).expect("a finite float serializes")
    } else {
        String::new()
    }
}

/// A CSV field, quoted when it must be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// `nodes=10;vnodes=1`, whole numbers without a fraction.
pub fn params_text(point: &Point) -> String {
    point
        .params
        .0
        .iter()
        .map(|(name, value)| {
            if value.fract() == 0.0 && value.abs() < 9.0e15 {
                format!("{name}={}", *value as i64)
            } else {
                format!("{name}={value}")
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// One point as a CSV row.
pub fn csv_row(point: &Point) -> String {
    [
        field(point.experiment),
        field(&point.series),
        field(&params_text(point)),
        field(point.metric),
        number(point.measured),
        number(point.low),
        number(point.high),
        point.predicted.map(number).unwrap_or_default(),
        point.trials.to_string(),
    ]
    .join(",")
}

#[cfg(test)]
mod tests {
    use super::super::point::Params;
    use super::*;

    fn point(predicted: Option<f64>) -> Point {
        Point {
            experiment: "balance",
            series: "random tokens".into(),
            params: Params::default().with("nodes", 10.0).with("vnodes", 1.0),
            metric: "max_share_ratio",
            measured: 2.95,
            low: 2.81,
            high: 3.09,
            predicted,
            trials: 400,
        }
    }

    #[test]
    fn json_has_the_documented_shape() {
        let v: serde_json::Value = serde_json::from_str(&json_line(&point(Some(2.929)))).unwrap();
        let expected = serde_json::json!({
            "experiment": "balance", "series": "random tokens", "params": {"nodes": 10, "vnodes": 1},
            "metric": "max_share_ratio", "measured": 2.95, "low": 2.81, "high": 3.09,
            "predicted": 2.929, "trials": 400
        });
        assert_eq!(v, expected);
        let line = json_line(&point(None));
        let keys: Vec<&str> = line.split('"').skip(1).step_by(2).take(3).collect();
        assert_eq!(
            keys,
            ["experiment", "balance", "series"],
            "keys in the documented order"
        );
        let v: serde_json::Value = serde_json::from_str(&json_line(&point(None))).unwrap();
        assert!(v["predicted"].is_null());
    }

    #[test]
    fn csv_has_the_same_columns() {
        assert_eq!(CSV_HEADER.split(',').count(), 9);
        assert_eq!(
            csv_row(&point(Some(2.929))),
            "balance,random tokens,nodes=10;vnodes=1,max_share_ratio,2.95,2.81,3.09,2.929,400"
        );
        let mut p = point(None);
        p.series = "a, \"b\"".into();
        assert_eq!(
            csv_row(&p),
            "balance,\"a, \"\"b\"\"\",nodes=10;vnodes=1,max_share_ratio,2.95,2.81,3.09,,400"
        );
    }
}
