//! What each put's coordinations made, read from the trace the engine
//! already emits: which nodes took the put on as its coordinator, and every
//! version carrying its value that any node stored (as a replica, a
//! stand-in's hint, a repair or a transfer). A client that waited past its
//! first attempt retried through another node; the trace says whether that
//! first attempt was coordinated too, and with which clock, so the checker
//! knows exactly which versions a retried put made instead of guessing.
//!
//! A put's value is unique in a chaos seed (each put adds an item no other
//! put adds), so a stored version is attributed to the put whose value it
//! carries; servers never make a value of their own.

use std::collections::BTreeMap;

use super::record::{Made, SeedRecord};
use crate::core::ids::OpId;
use crate::core::trace::Event;
use crate::core::version::{Key, Value};

/// Collects [`Made`] for every put of a seed from its trace.
#[derive(Debug, Default)]
pub struct MadeLog {
    ops: BTreeMap<OpId, (Key, Value)>,
    puts: BTreeMap<(Key, Value), Made>,
}

impl MadeLog {
    /// Notes one trace event.
    pub fn observe(&mut self, event: &Event) {
        match event {
            Event::OpStarted {
                op,
                key,
                value: Some(value),
                ..
            } => {
                self.ops.insert(*op, (key.clone(), value.clone()));
            }
            Event::Coordinating {
                node, op, put: true, ..
            } => {
                if let Some(put) = self.ops.get(op) {
                    self.puts.entry(put.clone()).or_default().coordinators.push(*node);
                }
            }
            Event::Stored { key, version, .. } | Event::HintStored { key, version, .. } => {
                let made = self.puts.entry((key.clone(), version.value.clone())).or_default();
                if !made
                    .versions
                    .iter()
                    .any(|v| v.clock == version.clock && v.dot == version.dot)
                {
                    made.versions.push((**version).clone());
                }
            }
            _ => {}
        }
    }

    /// What the put of `value` to `key` made.
    pub fn of(&self, key: &Key, value: &str) -> Made {
        self.puts
            .get(&(key.clone(), Value::from(value)))
            .cloned()
            .unwrap_or_default()
    }

    /// Gives every put of `record` what it made.
    pub fn attach(&self, record: &mut SeedRecord) {
        for p in &mut record.acked {
            p.made = self.of(&p.key, &value_of(&p.items));
        }
        for p in &mut record.failed_puts {
            p.made = self.of(&p.key, &value_of(&p.items));
        }
    }
}

/// The value a chaos client writes for a cart holding `items`.
pub fn value_of(items: &std::collections::BTreeSet<String>) -> String {
    items.iter().cloned().collect::<Vec<_>>().join(",")
}
