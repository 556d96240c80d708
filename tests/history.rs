//! Issue 21: the version history of a key, built from a run's trace alone.
//! Figure 3 of the Dynamo paper (the version-evolution preset) and the seed
//! notes' cart story (conflicting-writes) are asserted version by version:
//! value, clock, coordinator, parents (direct descent only), marks and
//! holders.

use ringside::core::ids::Names;
use ringside::history::{History, Mark, render};
use ringside::scenario::Scenario;
use ringside::scenario::history_run::{KeyHistory, history_of};

fn history(preset: &str, key: &str) -> KeyHistory {
    let scenario = Scenario::load(preset).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(history_of(&scenario, None, key))
        .unwrap()
}

/// One version as a row: value, clock (with dot), coordinator, parents,
/// marks (in words), holders.
fn rows(h: &History, names: &Names) -> Vec<(String, String, String, String, String, String)> {
    let json = render::json(h, names);
    h.versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let j = &json["versions"][i];
            assert_eq!(j["label"], v.label.as_str());
            let list = |field: &str| {
                j[field]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x["node"].as_str().unwrap().to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            };
            (
                v.label.clone(),
                format!("{} {}", v.version.value, render::clock_text(&v.version, names)),
                j["coordinator"].as_str().unwrap().to_string(),
                list("parents"),
                v.marks
                    .iter()
                    .map(|&m| render::mark_text(h, m))
                    .collect::<Vec<_>>()
                    .join(", "),
                list("holders"),
            )
        })
        .collect()
}

fn row(
    label: &str,
    version: &str,
    by: &str,
    parents: &str,
    marks: &str,
    holders: &str,
) -> (String, String, String, String, String, String) {
    (
        label.into(),
        version.into(),
        by.into(),
        parents.into(),
        marks.into(),
        holders.into(),
    )
}

#[test]
fn figure_3_of_the_dynamo_paper_is_d1_to_d5_with_the_papers_clocks_and_edges() {
    let h = history("version-evolution", "cart");
    assert_eq!(
        rows(&h.history, &h.names),
        vec![
            row("D1", "D1 {Sx:1}", "Sx", "", "", ""),
            row("D2", "D2 {Sx:2}", "Sx", "D1", "", ""),
            row("D3", "D3 {Sx:2, Sy:1}", "Sy", "D2", "sibling, replaced by D5", ""),
            row("D4", "D4 {Sx:2, Sz:1}", "Sz", "D2", "sibling, replaced by D5", ""),
            row("D5", "D5 {Sx:3, Sy:1, Sz:1}", "Sx", "D3,D4", "", "Sx,Sy,Sz"),
        ]
    );
}

#[test]
fn the_cart_story_has_car_cart_the_carm_carr_siblings_and_carmr() {
    let h = history("conflicting-writes", "cart");
    assert_eq!(
        rows(&h.history, &h.names),
        vec![
            row("D1", "CAR {s1:1}", "s1", "", "", ""),
            row("D2", "CART {s1:2}", "s1", "D1", "", ""),
            row("D3", "CARM {s1:2, s2:1}", "s2", "D2", "sibling, replaced by D5", ""),
            row("D4", "CARR {s1:2, s3:1}", "s3", "D2", "sibling, replaced by D5", ""),
            row("D5", "CARMR {s1:3, s2:1, s3:1}", "s1", "D3,D4", "", "s1,s2,s3"),
        ]
    );
}

#[test]
fn a_write_lost_in_the_same_coordinator_race_is_marked_overwritten_by_the_winner() {
    let h = history("same-coordinator-race", "cart");
    let r = rows(&h.history, &h.names);
    let milk = r.iter().find(|x| x.1.starts_with("CAR-milk")).unwrap();
    let eggs = r.iter().find(|x| x.1.starts_with("CAR-eggs")).unwrap();
    // Both were written from the context {cart#1:1}: both descend from CAR alone.
    assert_eq!((milk.3.as_str(), eggs.3.as_str()), ("D1", "D1"));
    assert_eq!(milk.4, format!("overwritten by {}", eggs.0));
    assert_eq!(milk.5, "", "nobody holds the lost write");
    assert!(!eggs.5.is_empty());
}

#[test]
fn the_json_lists_every_field_the_issue_names() {
    let h = history("version-evolution", "cart");
    let json = render::json(&h.history, &h.names);
    let d5 = &json["versions"][4];
    for field in [
        "label",
        "value",
        "clock",
        "parents",
        "marks",
        "holders",
        "coordinator",
        "t_us",
    ] {
        assert!(!d5[field].is_null(), "{field} missing: {d5}");
    }
    assert_eq!(d5["clock"], serde_json::json!({"Sx": 3, "Sy": 1, "Sz": 1}));
    assert_eq!(
        json["versions"][2]["marks"][1],
        serde_json::json!({"kind": "replaced", "by": "D5"})
    );
    assert!(
        h.history
            .versions
            .iter()
            .all(|v| !v.marks.contains(&Mark::Sibling) || v.label != "D5")
    );
}
