//! Presets the loader accepts run in bounded memory (issue 18 item 8): a
//! fill's value is one allocation shared by every key it writes.

use std::sync::Arc;

use ringside::core::trace::Event;
use ringside::scenario::Scenario;
use ringside::scenario::headless::{RunOptions, run};

#[test]
fn a_fill_shares_one_value_between_its_keys() {
    let text = "steps:\n  - fill: {prefix: k, keys: 40, value: VALUE}\n    expect: {ok: true}\n";
    let scenario = Scenario::parse(text, "fill.yaml", "fill").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut values = Vec::new();
    let summary = rt
        .block_on(run(&scenario, &RunOptions::default(), &mut std::io::sink(), |ev| {
            if let Event::OpStarted { value: Some(v), .. } = &ev.event {
                values.push(v.clone());
            }
        }))
        .unwrap();
    assert_eq!((summary.passed, summary.failed), (1, 0));
    assert_eq!(values.len(), 40);
    assert!(
        values.windows(2).all(|w| Arc::ptr_eq(&w[0], &w[1])),
        "each key got its own copy of the value"
    );
}
