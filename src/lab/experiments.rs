//! [`EXPERIMENTS`]: the one table every list of experiments is read from
//! (`ringside lab` alone, the command's errors, the playground's `:lab`).

use super::experiment::Experiment;
use super::{balance, detector, gossip, merkle, quorum, staleness};

/// Every experiment, in the order `ringside lab` lists them.
pub const EXPERIMENTS: &[Experiment] = &[
    Experiment {
        name: "balance",
        about: "how evenly 10 nodes share the ring with random tokens or equal partitions, 1 to 256 tokens each, \
                and how much moves to a node that joins (against H_n and 1/(n+1))",
        x: "vnodes",
        log_x: true,
        run: balance::run,
    },
    Experiment {
        name: "staleness",
        about: "how often a get started t ms after a put's ack returns it, N=3 and every R, W in 1..3 \
                (against the WARS model and the closed form C(N-W,R)/C(N,R))",
        x: "t_ms",
        log_x: false,
        run: staleness::run,
    },
    Experiment {
        name: "quorum",
        about: "the share of puts and gets that succeed with f of 5 nodes dead, strict against sloppy quorum \
                (against the hypergeometric and live-node counts)",
        x: "f",
        log_x: false,
        run: quorum::run,
    },
    Experiment {
        name: "gossip",
        about: "rounds for a join to reach every node of 16 to 1,024, with 1, 2 or 3 gossip peers a round, beside push-pull theory",
        x: "nodes",
        log_x: true,
        run: gossip::run,
    },
    Experiment {
        name: "merkle",
        about: "hashes compared and keys exchanged by one anti-entropy session against the differing keys and the tree depth, beside the 2d+1 bound",
        x: "differing",
        log_x: true,
        run: merkle::run,
    },
    Experiment {
        name: "detector",
        about: "heartbeat and phi accrual detectors: time to see a crash down against false suspicions per node-hour",
        x: "silence_s",
        log_x: false,
        run: detector::run,
    },
];

/// The experiment called `name`, if there is one.
pub fn experiment(name: &str) -> Option<&'static Experiment> {
    EXPERIMENTS.iter().find(|e| e.name == name)
}
