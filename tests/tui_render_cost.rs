//! What a frame costs to draw: the whole screen at 200x60, 64 nodes, a full
//! log and messages in flight, every detail pane. The figures are the
//! benchmark's (`ringside bench tui`, in release: the budget is 2 ms a
//! frame); this test only holds the benchmark to drawing the busy screen it
//! claims to draw (the cluster, the log, the messages, every pane, every
//! frame counted), so it times nothing and asserts no constant.

use ringside::bench::tui::{NODES, measure};
use ringside::tui::DetailView;

#[test]
fn the_benchmark_draws_a_busy_frame_at_200x60_with_64_nodes_for_every_pane() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let f = rt.block_on(measure(2)).unwrap();
    assert_eq!(f.nodes, NODES, "the cluster drawn is the size the benchmark names");
    assert!(f.log_lines >= 4_000, "the log is busy: {}", f.log_lines);
    assert!(f.flights > 20, "messages fly: {}", f.flights);
    let views: Vec<DetailView> = f.views.iter().map(|v| v.view).collect();
    assert_eq!(views, DetailView::ORDER);
    for v in &f.views {
        println!("{:?}: {:.3} ms per frame (unoptimized build)", v.view, v.ms_per_frame);
        assert_eq!(v.frames, 2);
    }
}
