use ringside::core::client::OpKind;
use ringside::core::config::{Latency, Settings};
use ringside::core::time::{Dur, Time};
use ringside::engine::{ClusterSpec, Engine};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let tracing = std::env::args().nth(1).as_deref() == Some("trace");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let settings = Settings {
            latency: Latency {
                min: Dur(1000),
                max: Dur(10_000),
            },
            ..Settings::default()
        };
        let mut e = Engine::new(&ClusterSpec::numbered(5, 8, settings), 1).unwrap();
        e.set_tracing(tracing);
        let keys: Vec<Arc<str>> = (0..100_000).map(|i| Arc::from(format!("key-{i:012}"))).collect();
        let value: Arc<str> = Arc::from("v".repeat(64));
        let clients: Vec<_> = (0..1000).map(|i| e.client(&format!("c{i}"))).collect();
        let total = 200_000u64;
        let mut started = 0u64;
        let mut done = 0u64;
        let mut sink = Vec::new();
        let t0 = Instant::now();
        for c in &clients {
            let k = keys[(started as usize * 7919) % keys.len()].clone();
            let kind = if started % 2 == 0 {
                OpKind::Put {
                    value: value.clone(),
                    w: None,
                    context: None,
                }
            } else {
                OpKind::Get { r: None }
            };
            e.submit(*c, k, kind, None);
            started += 1;
        }
        while done < total {
            let t = e.now() + Dur(1000);
            e.run_until(t).await;
            for r in e.take_finished() {
                done += 1;
                if started < total {
                    let k = keys[(started as usize * 7919) % keys.len()].clone();
                    let kind = if started % 2 == 0 {
                        OpKind::Put {
                            value: value.clone(),
                            w: None,
                            context: None,
                        }
                    } else {
                        OpKind::Get { r: None }
                    };
                    e.submit(r.client, k, kind, None);
                    started += 1;
                }
            }
            sink.clear();
            e.drain_trace(&mut sink);
        }
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "tracing={tracing} ops={done} wall={secs:.2}s ops/s={:.0} virtual={}",
            done as f64 / secs,
            e.now()
        );
        let _ = Time(0);
    });
}
