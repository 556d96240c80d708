//! Every malformed preset under tests/fixtures/invalid/ is refused with a
//! message that names the place and what is allowed, and the CLI exits 2.

use std::path::Path;

use ringside::scenario::Scenario;

/// File, where the error must point (`file` or `file:line:col`), and a part of the message.
const CASES: &[(&str, &str, &str)] = &[
    (
        "backwards-latency.yaml",
        ":2:3",
        "latency range 20ms..5ms runs backwards",
    ),
    (
        "bad-duration.yaml",
        ":3:5",
        "unknown unit \"seconds\"; the units are us, ms, s, m and h",
    ),
    ("bad-node-name.yaml", ":2:3", "node name \"1st\" is not allowed"),
    ("bad-token.yaml", ":2:34", "token \"abc\" is not a ring position"),
    ("binary.yaml", "", "binary file"),
    (
        "drop-rate-above-one.yaml",
        ":2:3",
        "drop_rate is 1.5; it must be between 0.0 and 1.0",
    ),
    ("duplicate-node-name.yaml", ":2:3", "node name \"s1\" appears twice"),
    (
        "unknown-failure-detector.yaml",
        ":2:3",
        "unknown failure_detector \"ping\"; use heartbeat or phi",
    ),
    (
        "phi-threshold-below-one.yaml",
        ":4:10",
        "phi_threshold is 0.5; it must be between 1 and 64",
    ),
    ("empty.yaml", "", "the file is empty"),
    ("heal-not-all.yaml", ":2:5", "write `heal: all`"),
    (
        "key-index-beyond-ring.yaml",
        ":4:5",
        "cart#6 is beyond the cluster: it has 5 nodes, so I runs from 1 to 5",
    ),
    ("malformed-yaml.yaml", ":4:8", "did not find expected ',' or '}'"),
    ("missing-steps.yaml", ":1:1", "missing field `steps`"),
    (
        "more-replicas-than-nodes.yaml",
        ":2:3",
        "replicas (N) is 3 but the cluster has only 2 nodes",
    ),
    ("node-in-two-groups.yaml", ":2:5", "partition: n2 is in two groups"),
    ("not-a-map.yaml", "", "a preset is a YAML map"),
    ("only-comments.yaml", "", "the file is empty"),
    (
        "op-expectation-on-a-fault.yaml",
        ":2:5",
        "clock checks an operation's result, so it needs a put or get step",
    ),
    (
        "read-quorum-above-n.yaml",
        ":2:3",
        "read_quorum (R) is 4 but replicas (N) is 3; a quorum must be between 1 and N",
    ),
    ("too-many-nodes.yaml", ":2:10", "a cluster has 1 to 1024 nodes"),
    (
        "too-many-vnodes.yaml",
        ":2:3",
        "vnodes is 5000; it must be between 1 and 4096",
    ),
    ("two-actions-in-one-step.yaml", ":2:5", "has both `put` and `get`"),
    (
        "unknown-node-in-clock.yaml",
        ":3:21",
        "unknown node \"n7\"; the nodes are n1, n2, n3, n4, n5",
    ),
    ("unknown-node-in-expect.yaml", ":2:23", "unknown node \"n9\""),
    (
        "unknown-node.yaml",
        ":5:5",
        "unknown node \"s9\"; the nodes are s1, s2, s3",
    ),
    (
        "unknown-put-field.yaml",
        ":2:22",
        "unknown field `valu`, expected one of `key`, `value`",
    ),
    (
        "unknown-routing.yaml",
        ":2:3",
        "unknown routing \"round-robin\"; use partition-aware or any-node",
    ),
    (
        "unknown-step.yaml",
        ":3:5",
        "unknown step `explode`; a step is one of say, put, get",
    ),
    ("unknown-top-level-field.yaml", ":2:1", "unknown field `stepz`"),
    ("wait-too-long.yaml", ":2:5", "wait 7200s is too long"),
    ("zero-w.yaml", ":2:5", "w must be at least 1"),
    ("zero-write-quorum.yaml", ":2:3", "write_quorum (W) must be at least 1"),
];

fn dir() -> &'static Path {
    Path::new("tests/fixtures/invalid")
}

#[test]
fn each_fixture_fails_with_its_located_message() {
    for (file, place, message) in CASES {
        let path = dir().join(file);
        let path = path.to_str().unwrap();
        let err = Scenario::load(path).expect_err(file);
        assert_eq!(err.place, format!("{path}{place}"), "{file}: {err}");
        assert!(
            err.message.contains(message),
            "{file}: {:?} lacks {message:?}",
            err.message
        );
    }
}

#[test]
fn every_fixture_has_an_expected_message() {
    for entry in std::fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            CASES.iter().any(|(f, _, _)| *f == name),
            "{name} has no expected message in CASES"
        );
    }
}

#[test]
fn cli_exits_2_on_bad_input_and_names_the_place() {
    let bin = env!("CARGO_BIN_EXE_ringside");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).output().unwrap();

    let out = run(&["run", "tests/fixtures/invalid/unknown-node.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown-node.yaml:5:5: steps[1]: unknown node \"s9\""),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing runs: no half-run");

    let out = run(&["run", "no-such-preset"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the bundled presets are playground, quorum-basics"));

    let out = run(&["run", "missing/file.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing/file.yaml: no such file"));

    let out = run(&["check", "tests/fixtures/invalid/binary.yaml"]);
    assert_eq!(out.status.code(), Some(2));

    let out = run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2), "clap refuses unknown commands with 2");
    assert!(String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand 'frobnicate'"));
}
