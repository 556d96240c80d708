//! `ringside history`: runs a scenario silently and builds the version
//! history of one key from its trace, with the versions the replicas (and
//! stand-ins, as hints) hold at the end.

use crate::core::ids::Names;
use crate::core::trace::TraceEvent;
use crate::history::History;

use super::headless::{RunOptions, run_keeping_engine};
use super::load::Scenario;

/// A finished run's history of one key.
pub struct KeyHistory {
    pub history: History,
    pub names: Names,
    /// Every key some version was stored for, sorted (to name them when the
    /// asked key has none).
    pub keys: Vec<String>,
}

/// Runs `scenario` (with `seed`, or its own) and builds the history of `key`.
pub async fn history_of(scenario: &Scenario, seed: Option<u64>, key: &str) -> anyhow::Result<KeyHistory> {
    let opts = RunOptions {
        seed,
        json: true,
        verbose: false,
        metrics: None,
    };
    let mut history = History::new(key);
    let mut keys = std::collections::BTreeSet::new();
    let keep = |ev: &TraceEvent| {
        if let crate::core::trace::Event::Stored { key, .. } = &ev.event {
            keys.insert(key.to_string());
        }
        history.observe(ev);
    };
    let (_, mut engine) = run_keeping_engine(scenario, &opts, &mut std::io::sink(), keep).await?;
    let mut held = Vec::new();
    for view in engine.key_view(key).await {
        held.extend(view.versions.into_iter().map(|v| (view.node, false, v)));
    }
    for node in engine.node_ids() {
        for (_, k, versions) in engine.hints(node).await {
            if k == key {
                held.extend(versions.into_iter().map(|v| (node, true, v)));
            }
        }
    }
    history.set_holders(held);
    Ok(KeyHistory {
        history,
        names: engine.names().clone(),
        keys: keys.into_iter().collect(),
    })
}
