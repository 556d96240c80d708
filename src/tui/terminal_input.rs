//! Reading the terminal's input: a thread of its own blocks in crossterm's
//! `read` and hands each event to the loop through a bounded channel; the
//! loop takes every event already waiting, up to [`BATCH`], before it
//! draws again.
//!
//! Why a thread and `use-dev-tty`: crossterm's default event source waits
//! on an edge-triggered epoll and, once a read of its 1 KiB buffer yields
//! an event, returns without reading the rest. A burst larger than that (a
//! paste of 4,000 characters) left its tail, Enter included, in the
//! terminal until another key made a new edge. The `use-dev-tty` source
//! waits with poll(2), which reports the terminal readable as long as bytes
//! wait, so nothing stays behind. Its `read` never returns an event parsed
//! but unread, unlike its zero-timeout poll (which `EventStream` relies on),
//! hence a blocking reader on a thread rather than the stream. The channel
//! holds what the loop has not taken yet: waiting events wake it at once,
//! whatever the batch size.

use std::io;

use crossterm::event::Event;
use tokio::sync::mpsc;

/// Events the reader may be ahead of the loop; it waits when the loop is
/// this far behind (a huge paste is taken in steps, never all in memory).
pub const QUEUE: usize = 4096;

/// Events the loop handles between two frames: enough for a paste to take
/// a few frames, few enough for the screen to follow.
pub const BATCH: usize = 512;

/// Starts the reader thread. The channel closes when input ends or fails
/// (the failure is its last item). The thread is left blocked in `read`
/// when the playground ends; the process exits right after.
pub fn spawn() -> io::Result<mpsc::Receiver<io::Result<Event>>> {
    let (tx, rx) = mpsc::channel(QUEUE);
    std::thread::Builder::new()
        .name("terminal-input".into())
        .spawn(move || {
            loop {
                let event = crossterm::event::read();
                let failed = event.is_err();
                if tx.blocking_send(event).is_err() || failed {
                    break;
                }
            }
        })?;
    Ok(rx)
}

/// `first` and the events already waiting behind it, at most `max` in all.
/// The rest stay in the channel, where the loop's next `recv` finds them at
/// once: a burst is never left waiting for another key.
pub fn ready_batch<T>(first: T, rx: &mut mpsc::Receiver<T>, max: usize) -> Vec<T> {
    let mut batch = vec![first];
    while batch.len() < max {
        match rx.try_recv() {
            Ok(next) => batch.push(next),
            Err(_) => break,
        }
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_burst_is_taken_in_batches_with_nothing_left_behind() {
        let (tx, mut rx) = mpsc::channel(QUEUE);
        let burst = 4000 + 1;
        for i in 0..burst {
            tx.send(i).await.unwrap();
        }
        let mut taken = Vec::new();
        let mut batches = 0;
        // Every batch starts from a `recv` that must find the next event
        // waiting: no new input arrives while the burst is taken.
        while taken.len() < burst {
            let first = rx.try_recv().expect("the rest of the burst is waiting");
            let batch = ready_batch(first, &mut rx, BATCH);
            assert!(batch.len() <= BATCH);
            taken.extend(batch);
            batches += 1;
        }
        assert_eq!(taken, (0..burst).collect::<Vec<_>>(), "in order, none lost");
        assert_eq!(batches, burst.div_ceil(BATCH));
        assert!(rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_single_event_is_a_batch_of_one() {
        let (tx, mut rx) = mpsc::channel::<u8>(4);
        tx.send(1).await.unwrap();
        let first = rx.recv().await.unwrap();
        assert_eq!(ready_batch(first, &mut rx, BATCH), vec![1]);
    }
}
