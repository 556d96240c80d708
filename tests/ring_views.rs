//! Ring views are shared between nodes (issue 18, item 8): after a join or
//! a leave has settled, every node holds the same ring allocation, not a
//! copy of its own (a thousand nodes of 64 tokens would otherwise hold a
//! thousand rings of 64,000 tokens and their preference lists).

use std::sync::Arc;

use ringside::core::config::Settings;
use ringside::core::ids::NodeId;
use ringside::core::ring::Ring;
use ringside::core::time::Dur;
use ringside::engine::{ClusterSpec, Engine};

/// Every live member's ring, by node.
async fn views(e: &mut Engine) -> Vec<(NodeId, Arc<Ring>)> {
    let mut out = Vec::new();
    for n in e.node_ids() {
        if e.is_alive(n) && !e.status(n).left {
            out.push((n, e.membership(n).await.ring));
        }
    }
    out
}

fn assert_one_allocation(views: &[(NodeId, Arc<Ring>)], members: usize) {
    let (first, ring) = &views[0];
    assert_eq!(ring.members().len(), members, "the change has settled");
    for (n, other) in views {
        assert_eq!(**other, **ring, "{n:?} and {first:?} see the same ring");
        assert!(
            Arc::ptr_eq(other, ring),
            "{n:?} holds a copy of its own of {first:?}'s ring"
        );
    }
}

#[test]
fn after_a_join_and_a_leave_every_node_holds_the_same_ring_allocation() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let mut e = Engine::new(&ClusterSpec::numbered(12, 8, Settings::default()), 7).expect("the cluster starts");
        e.run_for(Dur::from_secs(1)).await;
        assert_one_allocation(&views(&mut e).await, 12);

        e.join("n13", None).expect("n13 joins");
        e.run_for(Dur::from_secs(20)).await;
        let joined = views(&mut e).await;
        assert_eq!(joined.len(), 13);
        assert_one_allocation(&joined, 13);

        e.leave(NodeId(3)).expect("n4 leaves");
        e.run_for(Dur::from_secs(60)).await;
        let left = views(&mut e).await;
        assert_eq!(left.len(), 12, "n4 left");
        assert_one_allocation(&left, 12);
    });
}
