//! The presets bundled into the binary (every presets/*.yaml file).

/// Name and text of every bundled preset, in the order `ringside presets` lists them.
pub const BUNDLED: &[(&str, &str)] = &[
    ("playground", include_str!("../../presets/playground.yaml")),
    ("quorum-basics", include_str!("../../presets/quorum-basics.yaml")),
    ("coordinator-down", include_str!("../../presets/coordinator-down.yaml")),
    (
        "conflicting-writes",
        include_str!("../../presets/conflicting-writes.yaml"),
    ),
    ("stale-read", include_str!("../../presets/stale-read.yaml")),
    (
        "failed-write-survives",
        include_str!("../../presets/failed-write-survives.yaml"),
    ),
    (
        "same-coordinator-race",
        include_str!("../../presets/same-coordinator-race.yaml"),
    ),
    ("hinted-handoff", include_str!("../../presets/hinted-handoff.yaml")),
    ("strict-vs-sloppy", include_str!("../../presets/strict-vs-sloppy.yaml")),
    (
        "sloppy-split-brain",
        include_str!("../../presets/sloppy-split-brain.yaml"),
    ),
    (
        "failure-detection",
        include_str!("../../presets/failure-detection.yaml"),
    ),
    ("node-join", include_str!("../../presets/node-join.yaml")),
    ("node-leave", include_str!("../../presets/node-leave.yaml")),
    ("split-views", include_str!("../../presets/split-views.yaml")),
    ("merkle-repair", include_str!("../../presets/merkle-repair.yaml")),
    (
        "anti-entropy-vs-read-repair",
        include_str!("../../presets/anti-entropy-vs-read-repair.yaml"),
    ),
    (
        "sibling-explosion",
        include_str!("../../presets/sibling-explosion.yaml"),
    ),
    (
        "version-evolution",
        include_str!("../../presets/version-evolution.yaml"),
    ),
    (
        "availability-under-partition",
        include_str!("../../presets/availability-under-partition.yaml"),
    ),
    ("stale-reads", include_str!("../../presets/stale-reads.yaml")),
    ("slow-node-tail", include_str!("../../presets/slow-node-tail.yaml")),
];

/// The preset `ringside` opens with no arguments.
pub const DEFAULT: &str = "playground";

/// The text of bundled preset `name`.
pub fn bundled(name: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// The names of the bundled presets.
pub fn names() -> Vec<&'static str> {
    BUNDLED.iter().map(|(n, _)| *n).collect()
}
