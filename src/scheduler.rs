//! The window scheduler: opens and closes comment windows at their instants, with no one pressing a
//! button, and has the docket summary made at each close.

use crate::accounts::Actor;
use crate::clock::SharedClock;
use crate::store::{Store, StoreError, WindowTransition};
use crate::summary::SummaryReason;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use tokio::sync::Notify;

/// How often the scheduler looks for windows created by another process (the CLI, another
/// instance). Deadlines it already knows about are met to the second, not on this poll.
const DISCOVERY_INTERVAL: Duration = Duration::seconds(5);
/// How long to wait before trying again after the database failed.
const RETRY_AFTER_ERROR: Duration = Duration::seconds(2);

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tick {
    pub opened: Vec<WindowTransition>,
    pub closed: Vec<WindowTransition>,
}

/// Records every opening and closing due at `now`, and withholds the comments of closed windows
/// that were never confirmed by e-mail. Running it again changes nothing.
pub async fn apply_due_transitions(store: &Store, now: DateTime<Utc>) -> Result<Tick, StoreError> {
    let closed = store.close_due_windows(now).await?;
    let opened = store.open_due_windows(now).await?;
    let unconfirmed = store.withhold_unconfirmed(now).await?;
    if unconfirmed > 0 {
        tracing::info!(unconfirmed, "withheld comments never confirmed by e-mail");
    }
    Ok(Tick { opened, closed })
}

#[derive(Clone)]
pub struct WindowScheduler {
    store: Store,
    clock: SharedClock,
    wake: Arc<Notify>,
}

impl WindowScheduler {
    pub fn new(store: Store, clock: SharedClock) -> Self {
        Self {
            store,
            clock,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Tells the scheduler a window was created or changed in this process.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs for ever: applies due transitions (on start-up this catches up on any deadline
    /// that passed while the server was down), then sleeps until the next one.
    pub async fn run(self) {
        loop {
            let now = self.clock.now();
            let wake_at = match self.step(now).await {
                Ok(next) => next.map_or(now + DISCOVERY_INTERVAL, |next| {
                    next.min(now + DISCOVERY_INTERVAL)
                }),
                Err(error) => {
                    tracing::error!(%error, "window scheduler could not reach the database; retrying");
                    now + RETRY_AFTER_ERROR
                }
            };
            tokio::select! {
                _ = self.clock.sleep_until(wake_at) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    async fn step(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StoreError> {
        let tick = apply_due_transitions(&self.store, now).await?;
        for t in &tick.opened {
            tracing::info!(docket = %t.docket_id, window = t.window_id, "comment window opened");
        }
        for t in &tick.closed {
            tracing::info!(docket = %t.docket_id, window = t.window_id, deadline = %t.at, "comment window closed");
            // Made beside the scheduler, so the next deadline is never late because of it.
            let (store, docket) = (self.store.clone(), t.docket_id.clone());
            tokio::spawn(async move {
                match store
                    .save_summary(&docket, SummaryReason::Closed, &Actor::System, now)
                    .await
                {
                    Ok(_) => tracing::info!(%docket, "docket summary made at the close"),
                    Err(error) => {
                        tracing::error!(%error, %docket, "could not make the docket summary at the close")
                    }
                }
            });
        }
        self.store.next_window_transition().await
    }
}
