//! The tour following the user. A scenario's captions say what to type; a
//! user who types it, now or before the tour asks, is not asked again and
//! the tour moves on to its next caption. A step counts as done by the user
//! in two ways:
//!
//! - A typed put or get that asks for nothing the tour's next step does not
//!   do (the same key and value; no other client, entry node, quorum or
//!   context) is run *as* that step, with its checks, instead of alongside
//!   it ([`runs_as`]).
//! - A step without checks whose change already holds in the cluster (a
//!   kill of a node that is down, a revive of one that is up, a partition
//!   into the groups there are, a cut link, a heal with nothing to heal, a
//!   node already slowed by as much) is passed over when the tour gets to
//!   it, saying why in the log ([`already_holds`]). Only once the user has
//!   typed a step: a tour played with `n` alone plays as `ringside run`
//!   does, and a preset that kills a dead node still fails there.

use crate::core::ids::NodeId;
use crate::engine::Engine;
use crate::scenario::noderef::NodeRef;
use crate::scenario::step::{DEFAULT_CLIENT, Step, StepKind};

/// The node `node` names now, if it names one.
fn node(engine: &Engine, node: &NodeRef) -> Option<NodeId> {
    node.resolve(engine.names(), engine.ring()).ok()
}

/// A typed option asks for nothing else when it is left out or the same.
fn same_or_unasked<T: PartialEq>(typed: &Option<T>, tour: &Option<T>) -> bool {
    typed.is_none() || typed == tour
}

/// A typed entry node asks for nothing else when it is left out or names
/// the node the tour's does.
fn same_node_or_unasked(engine: &Engine, typed: &Option<NodeRef>, tour: &Option<NodeRef>) -> bool {
    match (typed, tour) {
        (None, _) => true,
        (Some(t), Some(s)) => node(engine, t).is_some_and(|t| Some(t) == node(engine, s)),
        (Some(_), None) => false,
    }
}

/// A client left at the default asks for none in particular.
fn same_client_or_unasked(typed: &str, tour: &str) -> bool {
    typed == DEFAULT_CLIENT || typed == tour
}

/// True when the typed step `typed` asks for nothing the tour's step `tour`
/// does not do: running `tour` in its place does what the user asked.
pub fn runs_as(typed: &Step, tour: &Step, engine: &Engine) -> bool {
    if typed.expect.is_some() {
        return false;
    }
    match (&typed.kind, &tour.kind) {
        (StepKind::Put(a), StepKind::Put(b)) => {
            a.key == b.key
                && a.value == b.value
                && same_client_or_unasked(&a.client, &b.client)
                && same_node_or_unasked(engine, &a.via, &b.via)
                && same_or_unasked(&a.w, &b.w)
                && same_or_unasked(&a.pw, &b.pw)
                && same_or_unasked(&a.context, &b.context)
                && a.nowait == b.nowait
        }
        (StepKind::Get(a), StepKind::Get(b)) => {
            a.key == b.key
                && same_client_or_unasked(&a.client, &b.client)
                && same_node_or_unasked(engine, &a.via, &b.via)
                && same_or_unasked(&a.r, &b.r)
                && same_or_unasked(&a.pr, &b.pr)
                && a.nowait == b.nowait
        }
        _ => false,
    }
}

/// Groups as sets: each sorted, then the list sorted.
fn normalized(mut groups: Vec<Vec<NodeId>>) -> Vec<Vec<NodeId>> {
    for g in &mut groups {
        g.sort();
    }
    groups.retain(|g| !g.is_empty());
    groups.sort();
    groups
}

/// Why the change `step` makes already holds in the cluster, if it does
/// and the step has no checks to run.
pub fn already_holds(step: &Step, engine: &Engine) -> Option<String> {
    if step.expect.is_some() {
        return None;
    }
    let network = engine.network();
    match &step.kind {
        StepKind::Kill(n) => node(engine, n)
            .filter(|id| !engine.is_alive(*id))
            .map(|_| format!("{n} is down")),
        StepKind::Revive(n) => node(engine, n)
            .filter(|id| engine.is_alive(*id))
            .map(|_| format!("{n} is up")),
        StepKind::Partition(groups) => {
            let wanted: Option<Vec<Vec<NodeId>>> = groups
                .iter()
                .map(|g| g.iter().map(|n| node(engine, n)).collect())
                .collect();
            (wanted.map(normalized) == Some(normalized(network.groups())))
                .then(|| "the network is split so".to_string())
        }
        StepKind::Cut { from, to } => {
            let link = node(engine, from).zip(node(engine, to))?;
            network
                .cuts()
                .any(|c| c == link)
                .then(|| format!("{from} → {to} is cut"))
        }
        StepKind::Heal => (!network.is_partitioned()).then(|| "nothing is partitioned or cut".to_string()),
        StepKind::Slow { node: n, by } => node(engine, n)
            .filter(|id| network.slowness(*id) == *by)
            .map(|_| format!("{n} is slowed by {by}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Scenario, presets};

    fn typed(line: &str) -> Step {
        crate::tui::playback::tests::typed(line, 5)
    }

    #[test]
    fn a_typed_step_runs_as_the_tour_s_only_when_it_asks_for_nothing_else() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _in_runtime = rt.enter();
        let scenario = Scenario::load(presets::DEFAULT).unwrap();
        let engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
        let step = |i: usize| &scenario.steps[i];
        // put: {key: cart, value: CAR, client: alice}
        assert!(runs_as(&typed("put cart CAR"), step(1), &engine));
        assert!(runs_as(&typed("put cart CAR as alice"), step(1), &engine));
        assert!(
            !runs_as(&typed("put cart CAR as bob"), step(1), &engine),
            "another client"
        );
        assert!(!runs_as(&typed("put cart CAT"), step(1), &engine), "another value");
        assert!(!runs_as(&typed("put cart CAR w=1"), step(1), &engine), "another quorum");
        // put: {key: cart, value: CARM, client: alice, via: cart#2, w: 1}
        assert!(runs_as(
            &typed("put cart CARM via cart#2 as alice w=1"),
            step(9),
            &engine
        ));
        assert!(
            !runs_as(&typed("put cart CARM via cart#3 w=1"), step(9), &engine),
            "another node"
        );
        // get: {key: cart, client: bob}
        assert!(runs_as(&typed("get cart"), step(3), &engine));
        assert!(!runs_as(&typed("get cart r=3"), step(3), &engine));
        assert!(
            !runs_as(&typed("kill cart#1"), step(5), &engine),
            "faults are noticed by state"
        );
    }

    #[test]
    fn a_change_already_in_place_is_named() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let scenario = Scenario::load(presets::DEFAULT).unwrap();
        rt.block_on(async {
            let mut engine = Engine::new(&scenario.cluster.spec, 1).unwrap();
            let (kill, partition, heal, revive) = (
                &scenario.steps[5],
                &scenario.steps[7],
                &scenario.steps[12],
                &scenario.steps[13],
            );
            assert_eq!(already_holds(kill, &engine), None);
            assert_eq!(already_holds(partition, &engine), None);
            assert_eq!(
                already_holds(heal, &engine).as_deref(),
                Some("nothing is partitioned or cut")
            );
            assert_eq!(already_holds(revive, &engine).as_deref(), Some("cart#1 is up"));
            let cart1 = NodeRef::Nth {
                key: "cart".into(),
                index: 1,
            };
            engine.kill(node(&engine, &cart1).unwrap()).await.unwrap();
            assert_eq!(already_holds(kill, &engine).as_deref(), Some("cart#1 is down"));
            assert_eq!(already_holds(revive, &engine), None);
            let groups = |i: usize| {
                node(
                    &engine,
                    &NodeRef::Nth {
                        key: "cart".into(),
                        index: i,
                    },
                )
                .unwrap()
            };
            engine.partition(vec![vec![groups(3)], vec![groups(2)]]).unwrap();
            assert!(
                already_holds(partition, &engine).is_some(),
                "the same groups, listed in another order"
            );
            assert_eq!(already_holds(heal, &engine), None);
            // A step with checks is the tour's to run.
            let mut checked = kill.clone();
            checked.expect = scenario.steps[1].expect.clone();
            assert_eq!(already_holds(&checked, &engine), None);
        });
    }
}
