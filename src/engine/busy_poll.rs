//! Waiting for the next message on a channel without parking at once.
//!
//! The engine's windows are short (a millisecond of virtual time takes
//! some hundred microseconds of work at full speed), and between two of
//! them each side waits for the other: the engine for the batches, a node
//! task for its next batch. A task that waits on an empty channel lets its
//! worker thread go to sleep, and waking a sleeping thread is a system call
//! and a switch that cost more than a short window's gap. When the engine
//! has the runtime to itself and runs flat out (a benchmark, say), the
//! waiting side instead tries the channel a bounded number of times,
//! yielding to the runtime between tries so that every other task keeps
//! running, and parks only if nothing came. Elsewhere (the playground,
//! many engines sharing threads) the count is 0 and a wait parks at once.

use tokio::sync::mpsc::UnboundedReceiver;

/// Tries before parking when busy polling is on: enough to cover the
/// engine's serial part of a window at the benchmark's load.
pub const TRIES: u32 = 200;

/// The next message of `rx`, tried `tries` times (yielding between tries)
/// before waiting for it. `None` when the channel is closed.
pub async fn recv<T>(rx: &mut UnboundedReceiver<T>, tries: u32) -> Option<T> {
    for _ in 0..tries {
        match rx.try_recv() {
            Ok(message) => return Some(message),
            Err(tokio::sync::mpsc::error::TryRecvError::Empty) => tokio::task::yield_now().await,
            Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => return None,
        }
    }
    rx.recv().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn takes_what_is_queued_and_waits_for_what_comes_later() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        tx.send(1).unwrap();
        assert_eq!(recv(&mut rx, TRIES).await, Some(1));
        // Sent by another task after the tries began: received all the same,
        // whether it comes while polling or after parking.
        for delay in [0, 5, 500] {
            let tx = tx.clone();
            let sender = tokio::spawn(async move {
                for _ in 0..delay {
                    tokio::task::yield_now().await;
                }
                tx.send(delay).unwrap();
            });
            assert_eq!(recv(&mut rx, 10).await, Some(delay));
            sender.await.unwrap();
        }
        drop(tx);
        assert_eq!(recv(&mut rx, TRIES).await, None, "closed and empty");
    }
}
