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
        "context-counter-too-large.yaml",
        ":3:41",
        "counter 4294967295 for cart#1 is too large; a context counter is at most 2147483647",
    ),
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
    // Issue 18 item 9: what used to pass `check` and fail only when run.
    (
        "join-unknown-field.yaml",
        ":2:22",
        "unknown field `tokns`, expected `node` or `tokens`",
    ),
    (
        "w-above-n.yaml",
        ":2:5",
        "w=99 is more than N=3 (replicas) at this step",
    ),
    ("pw-above-n.yaml", ":3:5", "pw=4 is more than N=3"),
    ("r-above-n.yaml", ":2:5", "r=4 is more than N=3"),
    ("pr-above-n-after-set.yaml", ":3:5", "pr=3 is more than N=2"),
    (
        "set-replicas-above-nodes.yaml",
        ":2:5",
        "set: replicas (N) is 10 but the cluster has only 5 nodes",
    ),
    (
        "set-write-quorum-above-n.yaml",
        ":2:5",
        "set: write_quorum (W) is 4 but replicas (N) is 3",
    ),
    (
        "leave-below-n.yaml",
        ":4:5",
        "leave: the ring has 3 nodes at this step and N=3 (replicas); a leave may not leave fewer than N",
    ),
    (
        "revive-left-node.yaml",
        ":5:5",
        "revive: n1 left the cluster at an earlier step",
    ),
    ("kill-dead-node.yaml", ":3:5", "kill: n1 is already dead"),
    (
        "at-already-passed.yaml",
        ":3:5",
        "at 1800s has passed by then: the steps before it take at least 3600s",
    ),
    // Issue 18 item 8: limits that keep every accepted preset bounded.
    (
        "too-many-tokens.yaml",
        ":2:3",
        "the nodes have 4194304 ring tokens between them (1024 nodes); a cluster may have at most 65536",
    ),
    (
        "too-many-operations.yaml",
        ":12:5",
        "the steps up to here issue 1100000 operations",
    ),
    (
        "too-many-fill-bytes.yaml",
        ":2:5",
        "the fills up to here write 300000000 bytes",
    ),
    (
        "too-long-in-virtual-time.yaml",
        ":26:5",
        "may take 90000s of virtual time",
    ),
    (
        "too-long-for-a-large-cluster.yaml",
        ":4:5",
        "less with more (864s with 100)",
    ),
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

/// A one-node cluster works with the defaults (issue 18 item 9): N, R, W and
/// down_confirmations the preset leaves out fit the cluster.
#[test]
fn a_one_node_cluster_runs_with_the_defaults() {
    let text = "cluster: {nodes: 1}\nsteps:\n  - put: {key: k, value: v}\n    expect: {ok: true}\n  - wait: 10s\n  - get: {key: k}\n    expect: {values: [v]}\n";
    let scenario = Scenario::parse(text, "one.yaml", "one").expect("a one-node cluster loads");
    let s = &scenario.cluster.spec.settings;
    assert_eq!(
        (s.replicas, s.read_quorum, s.write_quorum, s.down_confirmations),
        (1, 1, 1, 1)
    );
    let path = std::env::temp_dir().join(format!("ringside-one-node-{}.yaml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ringside"))
        .args(["run", path.to_str().unwrap()])
        .output()
        .unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // Written out, a setting is checked as before.
    let err = Scenario::parse(
        "cluster: {nodes: 1, down_confirmations: 2}\nsteps: [{say: hi}]\n",
        "x.yaml",
        "x",
    )
    .unwrap_err();
    assert!(err.message.contains("down_confirmations is 2"), "{err}");
}

/// `check` exits 2 and names the place for what used to fail only at run time.
#[test]
fn check_exits_2_on_a_quorum_above_n() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ringside"))
        .args(["check", "tests/fixtures/invalid/set-replicas-above-nodes.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("set-replicas-above-nodes.yaml:2:5: steps[0]: set: replicas (N) is 10"),
        "{err}"
    );
}
