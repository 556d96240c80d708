//! Loading a preset: from a path or by the name of a bundled one, with
//! errors that name the file, the line and column, and what is allowed.

use std::path::Path;

use serde::Deserialize;

use super::parse_context::ParseContext;
use super::plan::Plan;
use super::presets;
use super::seeded::{Seed, parse_struct, plain};
use super::settings_patch::ClusterSection;
use super::step::{Step, StepKind};
use super::text::Text;

/// The largest preset file accepted.
pub const MAX_FILE: usize = 4 << 20;

/// A parsed, validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub cluster: ClusterSection,
    pub steps: Vec<Step>,
    /// Clients to create, in this order, before the first step (a replay
    /// needs the same client ids as the run it replays).
    pub clients: Vec<String>,
    /// Where it came from: a path, or `bundled:NAME`.
    pub source: String,
    /// Its `cluster:` and `clients:` sections as YAML, as written (a saved
    /// session starts from them).
    pub cluster_yaml: String,
}

/// Why a preset could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct LoadError {
    /// `file`, or `file:line:column` where YAML gives the position.
    pub place: String,
    pub message: String,
}

parse_struct! {
    struct ScenarioWire, "a preset: name, description, seed, cluster, clients and steps" {
        name: Option<Text> = None,
        description: Option<String> = None,
        seed: Option<u64> = None,
        cluster: Option<ClusterSection> = None,
        clients: Vec<Text> = Vec::new(),
        steps: Vec<Step>,
    }
}

plain!(ClusterSection);

/// Only the cluster, read first so that steps can be checked against its nodes.
#[derive(Deserialize)]
struct ClusterFirst {
    cluster: Option<ClusterSection>,
}

impl Scenario {
    /// Loads `preset`: a path to a YAML file, or the name of a bundled preset.
    pub fn load(preset: &str) -> Result<Scenario, LoadError> {
        let path = Path::new(preset);
        if path.is_file() {
            let bytes = read_bounded(path).map_err(|message| LoadError {
                place: preset.to_string(),
                message,
            })?;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            return Scenario::parse_bytes(&bytes, preset, &stem);
        }
        if let Some(text) = presets::bundled(preset) {
            return Scenario::parse(text, &format!("bundled:{preset}"), preset);
        }
        let looks_like_path = preset.contains('/') || preset.ends_with(".yaml") || preset.ends_with(".yml");
        let message = if looks_like_path || path.exists() {
            "no such file (or it is not a regular file)".to_string()
        } else {
            format!(
                "no bundled preset with this name; the bundled presets are {} (or give a path to a .yaml file)",
                presets::names().join(", ")
            )
        };
        Err(LoadError {
            place: preset.to_string(),
            message,
        })
    }

    /// Parses a preset's bytes; `place` names it in errors, `default_name`
    /// is its name when the file gives none.
    pub fn parse_bytes(bytes: &[u8], place: &str, default_name: &str) -> Result<Scenario, LoadError> {
        let fail = |message: String| LoadError {
            place: place.to_string(),
            message,
        };
        if bytes.len() > MAX_FILE {
            return Err(fail(format!(
                "the file is {} bytes; a preset may be at most {MAX_FILE}",
                bytes.len()
            )));
        }
        if bytes.contains(&0) {
            return Err(fail("this is a binary file, not a YAML preset".into()));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            fail(format!(
                "the file is not UTF-8 text (invalid byte at offset {}); a preset is a YAML text file",
                e.valid_up_to()
            ))
        })?;
        Scenario::parse(text, place, default_name)
    }

    /// Parses a preset's text.
    pub fn parse(text: &str, place: &str, default_name: &str) -> Result<Scenario, LoadError> {
        if text.trim().is_empty()
            || text
                .lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            return Err(LoadError {
                place: place.to_string(),
                message: "the file is empty; a preset needs at least `steps:` (see presets/README.md)".into(),
            });
        }
        let located = |e: serde_yaml::Error| locate(place, text, e);
        let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(located)?;
        if !doc.is_mapping() {
            return Err(LoadError {
                place: place.to_string(),
                message: "a preset is a YAML map with the keys name, description, seed, cluster and steps".into(),
            });
        }
        let first: ClusterFirst = serde_yaml::from_str(text).map_err(located)?;
        let cluster = first.cluster.unwrap_or_default();
        let nodes: Vec<String> = cluster.spec.nodes.iter().map(|n| n.name.clone()).collect();
        let plan = Plan::new(
            &nodes,
            cluster.tokens(),
            cluster.spec.vnodes,
            cluster.spec.settings.clone(),
        );
        let mut ctx = ParseContext {
            nodes,
            max_nodes: cluster.spec.nodes.len(),
            plan: Some(plan),
        };
        let wire: ScenarioWire = {
            use serde::de::DeserializeSeed;
            Seed::<ScenarioWire>::new(&mut ctx)
                .deserialize(serde_yaml::Deserializer::from_str(text))
                .map_err(located)?
        };
        let mut clients = Vec::new();
        for c in wire.clients {
            if let Err(e) = crate::engine::check_name(&c.0) {
                return Err(LoadError {
                    place: place.to_string(),
                    message: format!("clients: {}", e.replace("node name", "client name")),
                });
            }
            clients.push(c.0);
        }
        let mut sections = serde_yaml::Mapping::new();
        for key in ["cluster", "clients"] {
            if let Some(v) = doc.get(key) {
                sections.insert(key.into(), v.clone());
            }
        }
        let cluster_yaml = if sections.is_empty() {
            String::new()
        } else {
            serde_yaml::to_string(&sections).unwrap_or_default()
        };
        Ok(Scenario {
            cluster_yaml,
            name: wire.name.map(|t| t.0).unwrap_or_else(|| default_name.to_string()),
            description: wire.description.unwrap_or_default(),
            seed: wire.seed.unwrap_or(1),
            cluster: wire.cluster.unwrap_or_default(),
            steps: wire.steps,
            clients,
            source: place.to_string(),
        })
    }

    /// Starts the scenario's cluster with `seed` and creates its clients.
    pub fn start_engine(&self, seed: u64) -> Result<crate::engine::Engine, String> {
        let mut engine = crate::engine::Engine::new(&self.cluster.spec, seed)?;
        // The metrics read every traced event: `expect: {metrics: ...}`,
        // `run --metrics` and the playground's metrics view use them.
        engine.set_trace_tap(Some(Box::new(crate::metrics::Metrics::new())));
        for c in &self.clients {
            engine.client(c);
        }
        Ok(engine)
    }

    /// How many expectations the scenario checks.
    pub fn expectation_count(&self) -> usize {
        fn count(steps: &[Step]) -> usize {
            steps
                .iter()
                .map(|s| {
                    s.expect.as_ref().map_or(0, |e| e.count())
                        + match &s.kind {
                            StepKind::Concurrently(inner) => count(inner),
                            _ => 0,
                        }
                })
                .sum()
        }
        count(&self.steps)
    }
}

/// Reads a preset file, refusing one larger than [`MAX_FILE`] before
/// reading it: by its size when it is a regular file, and by reading at most
/// one byte past the limit otherwise (a pipe, a device).
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let too_big = |size: u64| format!("the file is {size} bytes; a preset may be at most {MAX_FILE}");
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() > MAX_FILE as u64
    {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() > MAX_FILE {
        return Err(format!(
            "the file is more than {MAX_FILE} bytes; a preset may be at most {MAX_FILE}"
        ));
    }
    Ok(bytes)
}

/// Turns serde_yaml's error into `place:line:column: message`. An error
/// YAML gives without a place (aliases that expand too far) is placed at
/// the first alias in `source`.
fn locate(place: &str, source: &str, e: serde_yaml::Error) -> LoadError {
    let text = e.to_string();
    if e.location().is_none()
        && text.contains("repetition limit exceeded")
        && let Some((line, column)) = first_alias(source)
    {
        return LoadError {
            place: format!("{place}:{line}:{column}"),
            message: "the aliases (*name) from here on expand to too many values; \
                      a preset may repeat anchored values only a limited number of times"
                .into(),
        };
    }
    match e.location() {
        Some(loc) => {
            let at = format!(" at line {} column {}", loc.line(), loc.column());
            let message = text.replacen(&at, "", 1);
            LoadError {
                place: format!("{place}:{}:{}", loc.line(), loc.column()),
                message,
            }
        }
        None => LoadError {
            place: place.to_string(),
            message: text,
        },
    }
}

/// Line and column (from 1) of the first YAML alias (`*name`) in `text`,
/// outside comments and quotes.
fn first_alias(text: &str) -> Option<(usize, usize)> {
    for (i, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (col, c) in line.chars().enumerate() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '#' && prev.is_whitespace() => break,
                None if c == '\'' || c == '"' => quote = Some(c),
                None if c == '*' && (prev.is_whitespace() || "[{,:".contains(prev)) => {
                    return Some((i + 1, col + 1));
                }
                None => {}
            }
            prev = c;
        }
    }
    None
}
