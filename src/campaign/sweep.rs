//! The background task that places stored comments in campaigns: woken as comments are stored
//! (placement is off the receipt's path), and every few seconds for comments another server
//! stored, comments left when a server stopped, and comments from before campaigns existed.

use crate::clock::SharedClock;
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Comments placed per round; a full round is followed at once by the next.
const BATCH: i64 = 500;
/// How long to wait when nothing (or not a full round) was waiting.
const INTERVAL: Duration = Duration::from_secs(5);

/// Runs for ever beside the scheduler, never delaying a deadline; `stored` wakes it early.
pub async fn place_waiting_comments(store: Store, clock: SharedClock, stored: Arc<Notify>) {
    loop {
        let pause = match store.assign_waiting_campaigns(BATCH, clock.now()).await {
            Ok(placed) if placed as i64 == BATCH => {
                tracing::info!(
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
                _ = stored.notified() => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}
