//! The metrics read from hand-made traces: every figure checked against
//! what the events say.

use smallvec::SmallVec;

use super::columns::{self, value};
use super::*;
use crate::core::clock::VClock;
use crate::core::ids::{ClientId, OpId};
use crate::core::message::Failure;
use crate::core::time::Dur;
use crate::core::version::Version;

fn at_ms(ms: u64) -> Time {
    Time(ms * 1000)
}

fn clock(c: u32) -> VClock {
    VClock::from_pairs([(NodeId(0), c)])
}

fn put(ms: u64, latency_ms: u64, c: u32, ok: bool) -> TraceEvent {
    TraceEvent {
        at: at_ms(ms),
        event: Event::OpFinished {
            op: OpId(ms),
            client: ClientId(0),
            key: Key::from("k"),
            put: true,
            coordinator: Some(NodeId(0)),
            outcome: Box::new(Outcome::Put {
                clock: clock(c),
                failure: (!ok).then_some(Failure::NoCoordinator),
            }),
            replicas: SmallVec::new(),
            latency: Dur::from_millis(latency_ms),
        },
    }
}

fn get(ms: u64, latency_ms: u64, clocks: &[u32]) -> TraceEvent {
    TraceEvent {
        at: at_ms(ms),
        event: Event::OpFinished {
            op: OpId(ms),
            client: ClientId(1),
            key: Key::from("k"),
            put: false,
            coordinator: Some(NodeId(0)),
            outcome: Box::new(Outcome::Get {
                versions: clocks.iter().map(|c| Version::new("v", clock(*c))).collect(),
                context: VClock::new(),
                failure: None,
            }),
            replicas: SmallVec::new(),
            latency: Dur::from_millis(latency_ms),
        },
    }
}

fn run(events: &[TraceEvent], end_ms: u64) -> Metrics {
    let mut m = Metrics::new();
    for e in events {
        m.observe(e);
    }
    m.finish(at_ms(end_ms));
    m
}

#[test]
fn a_planted_stale_read_is_counted_with_how_far_behind_it_is() {
    let m = run(
        &[
            put(1000, 10, 1, true),
            put(1100, 10, 2, true),
            // Started at 1200: both writes acknowledged; it saw only the first.
            get(1220, 20, &[1]),
            // Started at 1050, before the second write's ack: fresh.
            get(1250, 200, &[1]),
            // Saw the latest.
            get(1300, 20, &[2]),
            // Saw a version that descends from the latest (a later write).
            get(1400, 20, &[3]),
        ],
        2000,
    );
    let (t, n) = m.window(at_ms(2000), 1);
    assert_eq!(n, 1);
    assert_eq!(t.judged, 4);
    assert_eq!(t.stale, 1);
    assert_eq!(value(&t, "stale_reads"), Some(0.25));
    assert_eq!(value(&t, "stale_versions"), Some(1.0));
    assert_eq!(
        value(&t, "stale_ms"),
        Some(100.0),
        "the missed write was acknowledged 100ms before"
    );
}

#[test]
fn a_read_that_missed_two_writes_is_two_versions_behind() {
    let m = run(
        &[
            put(0, 5, 1, true),
            put(100, 5, 2, true),
            put(200, 5, 3, true),
            get(600, 100, &[1]),
        ],
        1000,
    );
    let (t, _) = m.window(at_ms(1000), 1);
    assert_eq!((t.stale, t.stale_versions), (1, 2));
    assert_eq!(
        value(&t, "stale_ms"),
        Some(400.0),
        "the oldest missed write, at 100ms; the get began at 500ms"
    );
}

#[test]
fn a_failed_put_is_not_a_write_to_be_seen_and_counts_against_availability() {
    let m = run(&[put(0, 5, 1, true), put(100, 5, 2, false), get(300, 10, &[1])], 1000);
    let (t, _) = m.window(at_ms(1000), 1);
    assert_eq!((t.judged, t.stale), (1, 0));
    assert_eq!(value(&t, "availability"), Some(2.0 / 3.0));
    assert_eq!(value(&t, "failed"), Some(1.0));
    assert_eq!(value(&t, "siblings"), Some(0.0));
}

#[test]
fn siblings_latencies_and_rows_per_second() {
    let m = run(
        &[
            put(100, 10, 1, true),
            get(1500, 40, &[1, 2]),
            get(1600, 20, &[2]),
            put(3200, 30, 5, true),
        ],
        4000,
    );
    let rows: Vec<u64> = m.rows().map(|r| r.second).collect();
    assert_eq!(rows, vec![0, 1, 3], "a second with no event has no row");
    let (t, n) = m.window(at_ms(4000), 10);
    assert_eq!(n, 3);
    assert_eq!(value(&t, "siblings"), Some(0.5));
    assert_eq!(value(&t, "max_ms"), Some(40.0));
    assert_eq!(value(&t, "get_max_ms"), Some(40.0));
    assert_eq!(value(&t, "put_max_ms"), Some(30.0));
    assert_eq!(value(&t, "ops"), Some(4.0));
    // The window counts complete seconds only: at 1.5s, second 1 is open.
    let (early, _) = m.window(at_ms(1500), 10);
    assert_eq!(early.ops(), 1);
}

#[test]
fn the_csv_names_every_column_and_writes_a_row_per_second() {
    let m = run(&[put(100, 10, 1, true), get(1500, 40, &[1])], 2000);
    let mut out = Vec::new();
    columns::write_csv(&mut out, m.rows()).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    let header: Vec<&str> = lines[0].split(',').collect();
    for name in [
        "second",
        "ops",
        "failed",
        "availability",
        "stale_reads",
        "siblings",
        "p50_ms",
        "p99_ms",
        "max_ms",
        "hints_pending",
        "msgs_read_repair",
    ] {
        assert!(header.contains(&name), "{name} in {header:?}");
    }
    for line in &lines[1..] {
        assert_eq!(line.split(',').count(), header.len());
    }
    let col = |row: &str, name: &str| {
        row.split(',')
            .nth(header.iter().position(|h| *h == name).unwrap())
            .unwrap()
            .to_string()
    };
    assert_eq!(col(lines[1], "second"), "0");
    assert_eq!(col(lines[1], "puts"), "1");
    assert_eq!(col(lines[2], "gets"), "1");
    assert_eq!(col(lines[2], "get_max_ms"), "40");
}

#[test]
fn memory_is_bounded_by_the_ring_of_rows() {
    let mut m = Metrics::new();
    for s in 0..(ROWS_KEPT as u64 + 50) {
        m.observe(&put(s * 1000, 1, s as u32 + 1, true));
    }
    m.finish(at_ms((ROWS_KEPT as u64 + 50) * 1000));
    assert_eq!(m.rows().count(), ROWS_KEPT);
    assert_eq!(m.rows().next().unwrap().second, 50);
}
