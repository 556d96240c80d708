//! The metrics' columns: one name for the CSV header, the expectation
//! forms (`expect: {metrics: {p99_ms: {at_most: 50}}}`) and the view.

use std::io::Write;

use super::{Row, Totals, share};
use crate::core::message::MsgKind;

/// The columns every row has, after `second`, in CSV order; then one
/// `msgs_KIND` column per message kind.
pub const COLUMNS: &[&str] = &[
    "ops",
    "failed",
    "gets",
    "puts",
    "gets_failed",
    "puts_failed",
    "availability",
    "p50_ms",
    "p99_ms",
    "max_ms",
    "get_p50_ms",
    "get_p99_ms",
    "get_max_ms",
    "put_p50_ms",
    "put_p99_ms",
    "put_max_ms",
    "stale_reads",
    "stale_versions",
    "stale_ms",
    "siblings",
    "hints_pending",
    "hints_handed_off",
    "read_repairs",
    "ae_keys",
    "messages",
];

/// The column of messages of `kind` sent: `msgs_read_repair`.
pub fn kind_column(kind: MsgKind) -> String {
    format!("msgs_{}", kind.name().replace(['-', ' '], "_"))
}

/// Every column name, in CSV order (without `second`).
pub fn all() -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(MsgKind::ALL.iter().map(|k| kind_column(*k)))
        .collect()
}

/// The value of column `name` over `t`; `None` for an unknown name.
pub fn value(t: &Totals, name: &str) -> Option<f64> {
    let latency = t.latency();
    Some(match name {
        "ops" => t.ops() as f64,
        "failed" => t.failed() as f64,
        "gets" => t.gets as f64,
        "puts" => t.puts as f64,
        "gets_failed" => t.gets_failed as f64,
        "puts_failed" => t.puts_failed as f64,
        "availability" => t.availability(),
        "p50_ms" => latency.quantile_ms(0.5),
        "p99_ms" => latency.quantile_ms(0.99),
        "max_ms" => latency.max_ms(),
        "get_p50_ms" => t.get_latency.quantile_ms(0.5),
        "get_p99_ms" => t.get_latency.quantile_ms(0.99),
        "get_max_ms" => t.get_latency.max_ms(),
        "put_p50_ms" => t.put_latency.quantile_ms(0.5),
        "put_p99_ms" => t.put_latency.quantile_ms(0.99),
        "put_max_ms" => t.put_latency.max_ms(),
        "stale_reads" => t.stale_share(),
        "stale_versions" => share(t.stale_versions, t.stale, 0.0),
        "stale_ms" => {
            if t.stale == 0 {
                0.0
            } else {
                t.stale_ms / t.stale as f64
            }
        }
        "siblings" => share(t.sibling_gets, t.gets - t.gets_failed, 0.0),
        "hints_pending" => t.hints_pending as f64,
        "hints_handed_off" => t.hints_handed_off as f64,
        "read_repairs" => t.read_repairs as f64,
        "ae_keys" => t.ae_keys as f64,
        "messages" => t.sent.iter().sum::<u64>() as f64,
        other => {
            let kind = MsgKind::ALL.iter().find(|k| kind_column(**k) == other)?;
            t.sent[*kind as usize] as f64
        }
    })
}

/// What a column means, for the expectation error and the README.
pub fn is_known(name: &str) -> bool {
    COLUMNS.contains(&name) || MsgKind::ALL.iter().any(|k| kind_column(*k) == name)
}

/// A value as the CSV writes it: whole numbers plain, shares and
/// milliseconds to four decimals.
fn cell(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.4}")
    }
}

/// The CSV header line.
pub fn header() -> String {
    let mut out = String::from("second");
    for c in all() {
        out.push(',');
        out.push_str(&c);
    }
    out
}

/// One CSV line for `row`.
pub fn line(row: &Row) -> String {
    let mut out = row.second.to_string();
    for c in all() {
        out.push(',');
        out.push_str(&cell(value(&row.totals, &c).expect("a known column")));
    }
    out
}

/// Writes the header then `rows`.
pub fn write_csv<'a>(out: &mut dyn Write, rows: impl IntoIterator<Item = &'a Row>) -> std::io::Result<()> {
    writeln!(out, "{}", header())?;
    for r in rows {
        writeln!(out, "{}", line(r))?;
    }
    Ok(())
}
