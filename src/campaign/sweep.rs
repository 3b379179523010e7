//! The background task that places stored comments in campaigns: woken as comments are stored
//! (placement is off the receipt's path), and every few seconds for comments another server
//! stored, comments left when a server stopped, and comments from before campaigns existed.
//! Receipts come first: while people wait for one, placement waits too, for a bounded time, then
//! places a small round and waits again, and catches up at full speed once the crowd has gone.

use crate::clock::SharedClock;
use crate::store::Store;
use crate::submission_queue::ReceiptSignals;
use std::sync::Arc;
use std::time::Duration;

/// Comments placed per round; a full round is followed at once by the next.
const BATCH: i64 = 500;
/// Comments placed per round while senders are waiting for receipts.
const BATCH_WHILE_BUSY: i64 = 64;
/// The longest placement gives way to waiting senders before a round of its own.
const PATIENCE: Duration = Duration::from_secs(1);
/// How often a giving-way worker looks again.
const GIVE_WAY_POLL: Duration = Duration::from_millis(10);
/// How long to wait when nothing (or not a full round) was waiting.
const INTERVAL: Duration = Duration::from_secs(5);

/// Runs for ever beside the scheduler, never delaying a deadline; a commit that stored comments
/// wakes it early.
pub async fn place_waiting_comments(
    store: Store,
    clock: SharedClock,
    receipts: Arc<ReceiptSignals>,
) {
    loop {
        let limit = give_way_to_receipts(&receipts).await;
        let pause = match store.assign_waiting_campaigns(limit, clock.now()).await {
            Ok(placed) if placed as i64 == limit => {
                tracing::debug!(
                    placed,
                    "placed waiting comments in campaigns; more are waiting"
                );
                Duration::ZERO
            }
            Ok(0) => INTERVAL,
            Ok(placed) => {
                tracing::debug!(placed, "placed waiting comments in campaigns");
                INTERVAL
            }
            Err(error) => {
                tracing::warn!(%error, "could not place waiting comments in campaigns; retrying");
                INTERVAL
            }
        };
        if pause.is_zero() {
            tokio::task::yield_now().await;
        } else {
            tokio::select! {
                _ = receipts.stored() => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// Waits while senders await receipts, at most `PATIENCE`; returns how many comments the next
/// round may place.
async fn give_way_to_receipts(receipts: &ReceiptSignals) -> i64 {
    let started = tokio::time::Instant::now();
    while receipts.awaiting() > 0 {
        if started.elapsed() >= PATIENCE {
            return BATCH_WHILE_BUSY;
        }
        tokio::time::sleep(GIVE_WAY_POLL).await;
    }
    BATCH
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submission_queue::Awaiting;

    #[tokio::test(start_paused = true)]
    async fn placement_waits_for_receipts_but_not_for_ever() {
        let receipts = ReceiptSignals::default();
        let started = tokio::time::Instant::now();
        assert_eq!(give_way_to_receipts(&receipts).await, BATCH);
        assert_eq!(started.elapsed(), Duration::ZERO, "nobody waits: no delay");

        let sender = Awaiting::start(&receipts);
        assert_eq!(give_way_to_receipts(&receipts).await, BATCH_WHILE_BUSY);
        let waited = started.elapsed();
        assert!(
            (PATIENCE..PATIENCE + GIVE_WAY_POLL * 2).contains(&waited),
            "{waited:?}"
        );
        drop(sender);

        let sender = Awaiting::start(&receipts);
        let (placed, ()) = tokio::join!(give_way_to_receipts(&receipts), async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            drop(sender);
        });
        assert_eq!(placed, BATCH, "the crowd left before the patience ran out");
        let second = started.elapsed() - waited;
        assert!(second < Duration::from_millis(400), "{second:?}");
    }
}
