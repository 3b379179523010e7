//! The write queue for new comments (group commit): submissions arriving together are stored
//! together, in one transaction with one sync to disk, and each is answered only after that
//! commit. A full queue refuses at once (the caller answers 503 with the text given back), and
//! a submission that waited too long is refused unstored rather than left hanging.

use crate::store::{Acknowledgement, Store, StoreError, Stored, Submission, SubmitError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, Mutex, Notify};

/// Seconds a person refused because the queue is full is asked to wait before sending again.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// How the queue is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSettings {
    /// Submissions that may wait to be stored; one more is refused.
    pub capacity: usize,
    /// The most stored in one transaction.
    pub max_batch: usize,
    /// A submission still waiting after this long is refused unstored.
    pub max_wait: Duration,
    /// Tasks storing batches at once (1 on SQLite, whose writes are one at a time anyway; more
    /// may help on PostgreSQL).
    pub writers: usize,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            capacity: 4096,
            max_batch: 512,
            max_wait: Duration::from_secs(10),
            writers: 1,
        }
    }
}

/// What the comment writers tell background work: that comments were stored (the campaign
/// placement worker wakes), and how many senders are waiting for a receipt now (background
/// writers give way to them while there are any, for a bounded time).
#[derive(Debug, Default)]
pub struct ReceiptSignals {
    stored: Notify,
    awaiting: AtomicUsize,
}

impl ReceiptSignals {
    /// Senders whose comment is queued or being stored and who have no answer yet.
    pub fn awaiting(&self) -> usize {
        self.awaiting.load(Ordering::Relaxed)
    }

    /// Resolves after the next commit that stored a comment (or at once if one happened since
    /// the last wait).
    pub async fn stored(&self) {
        self.stored.notified().await
    }
}

/// One sender counted in `ReceiptSignals::awaiting` until answered or gone.
pub(crate) struct Awaiting<'a>(&'a ReceiptSignals);

impl<'a> Awaiting<'a> {
    pub(crate) fn start(signals: &'a ReceiptSignals) -> Self {
        signals.awaiting.fetch_add(1, Ordering::Relaxed);
        Self(signals)
    }
}

impl Drop for Awaiting<'_> {
    fn drop(&mut self) {
        self.0.awaiting.fetch_sub(1, Ordering::Relaxed);
    }
}

struct Queued {
    submission: Arc<Submission>,
    queued_at: Instant,
    reply: oneshot::Sender<Result<Stored, SubmitError>>,
}

/// The sending side; cloned into every request handler. The writers stop when the last clone
/// is dropped.
#[derive(Clone)]
pub struct SubmissionQueue {
    sender: mpsc::Sender<Queued>,
    settings: QueueSettings,
    signals: Arc<ReceiptSignals>,
}

/// Metric names, in one place for the exporter's descriptions.
pub mod metric {
    pub const RECEIVED: &str = "opendocket_comments_received_total";
    pub const STORED: &str = "opendocket_comments_stored_total";
    pub const BATCH_SIZE: &str = "opendocket_submission_batch_size";
    pub const QUEUE_WAIT: &str = "opendocket_submission_queue_wait_seconds";
    pub const QUEUE_DEPTH: &str = "opendocket_submission_queue_depth";
    pub const REFUSED: &str = "opendocket_comments_refused_total";
}

impl SubmissionQueue {
    /// Starts the writer tasks. `signals` is notified after each commit that stored a comment
    /// (the campaign placement worker waits on it) and counts the senders awaiting a receipt.
    pub fn start(store: Store, settings: QueueSettings, signals: Arc<ReceiptSignals>) -> Self {
        let settings = QueueSettings {
            capacity: settings.capacity.max(1),
            max_batch: settings.max_batch.max(1),
            writers: settings.writers.max(1),
            ..settings
        };
        let (sender, receiver) = mpsc::channel(settings.capacity);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..settings.writers {
            tokio::spawn(write_batches(
                store.clone(),
                receiver.clone(),
                settings,
                signals.clone(),
            ));
        }
        Self {
            sender,
            settings,
            signals,
        }
    }

    pub fn settings(&self) -> QueueSettings {
        self.settings
    }

    /// Submissions waiting now.
    pub fn depth(&self) -> usize {
        self.settings.capacity - self.sender.capacity()
    }

    /// Stores `submission` with whatever else is waiting and answers, only after the commit,
    /// with its tracking number (a form sent again gets the first one's).
    pub async fn submit(
        &self,
        store: &Store,
        submission: Submission,
    ) -> Result<Acknowledgement, SubmitError> {
        metrics::counter!(metric::RECEIVED).increment(1);
        let _awaiting = Awaiting::start(&self.signals);
        let submission = Arc::new(submission);
        let (reply, answer) = oneshot::channel();
        let queued = Queued {
            submission: submission.clone(),
            queued_at: Instant::now(),
            reply,
        };
        self.sender.try_send(queued).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => SubmitError::Busy,
            mpsc::error::TrySendError::Closed(_) => {
                StoreError::Unavailable("the comment writer has stopped".into()).into()
            }
        })?;
        metrics::gauge!(metric::QUEUE_DEPTH).set(self.depth() as f64);
        let stored = answer.await.map_err(|_| {
            StoreError::Unavailable("the comment writer stopped before answering".into())
        })??;
        match store.finish_submission(&submission, stored).await? {
            Some(stored) => Ok(stored),
            // A tracking-number collision: stored alone, with a new number.
            None => store
                .submit(&submission)
                .await
                .map(|receipt| Acknowledgement {
                    tracking_number: receipt.tracking_number,
                    received_at: receipt.received_at,
                }),
        }
    }
}

/// One writer: takes whatever is waiting (up to a batch), stores it in one transaction, answers
/// each submission, and goes back for more. While one batch commits the next one gathers, so a
/// lone comment waits for nobody and a crowd shares its syncs.
async fn write_batches(
    store: Store,
    receiver: Arc<Mutex<mpsc::Receiver<Queued>>>,
    settings: QueueSettings,
    signals: Arc<ReceiptSignals>,
) {
    loop {
        let mut batch = Vec::new();
        {
            let mut receiver = receiver.lock().await;
            match receiver.recv().await {
                Some(queued) => batch.push(queued),
                None => return,
            }
            while batch.len() < settings.max_batch {
                match receiver.try_recv() {
                    Ok(queued) => batch.push(queued),
                    Err(_) => break,
                }
            }
        }
        let (fresh, stale): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .partition(|queued| queued.queued_at.elapsed() <= settings.max_wait);
        for queued in stale {
            let _ = queued.reply.send(Err(SubmitError::Busy));
        }
        if fresh.is_empty() {
            continue;
        }
        for queued in &fresh {
            metrics::histogram!(metric::QUEUE_WAIT)
                .record(queued.queued_at.elapsed().as_secs_f64());
        }
        metrics::histogram!(metric::BATCH_SIZE).record(fresh.len() as f64);
        let submissions: Vec<&Submission> = fresh.iter().map(|q| &*q.submission).collect();
        let outcomes = store.store_submissions(&submissions).await;
        let inserted = outcomes
            .iter()
            .filter(|o| matches!(o, Ok(Stored::Inserted(_))))
            .count();
        metrics::counter!(metric::STORED).increment(inserted as u64);
        if inserted > 0 {
            signals.stored.notify_one();
        }
        for (queued, outcome) in fresh.into_iter().zip(outcomes) {
            if let Err(error) = &outcome {
                tracing::error!(%error, "a comment could not be stored");
            }
            let _ = queued.reply.send(outcome.map_err(SubmitError::from));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comment::{IdempotencyKey, NewComment, Submitter};
    use crate::docket::DocketId;
    use chrono::{TimeZone, Utc};

    fn submission(docket: &DocketId, key: &str, body: &str) -> Submission {
        Submission {
            docket_id: docket.clone(),
            comment: NewComment {
                submitter: Submitter::Anonymous,
                city: None,
                state_province_region: None,
                country: None,
                email: None,
                body: body.into(),
                details: Default::default(),
            },
            attachments: Vec::new(),
            arrival: Default::default(),
            key: IdempotencyKey::parse(key).unwrap(),
            received_at: Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap(),
        }
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("queue.db").display());
        let store = Store::open(&url).await.unwrap();
        let docket = DocketId::parse("FTC-2026-0001").unwrap();
        // No writer takes from this queue: its one place fills and the next is refused.
        let (sender, _receiver) = mpsc::channel(1);
        let queue = SubmissionQueue {
            sender,
            settings: QueueSettings {
                capacity: 1,
                ..Default::default()
            },
            signals: Default::default(),
        };
        let first = queue.clone();
        let waiting = {
            let store = store.clone();
            let docket = docket.clone();
            tokio::spawn(async move {
                first
                    .submit(
                        &store,
                        submission(&docket, "00000000000000000000000000000001", "one"),
                    )
                    .await
            })
        };
        while queue.depth() < 1 {
            tokio::task::yield_now().await;
        }
        let refused = queue
            .submit(
                &store,
                submission(&docket, "00000000000000000000000000000002", "two"),
            )
            .await;
        assert!(matches!(refused, Err(SubmitError::Busy)), "{refused:?}");
        assert_eq!(
            queue.signals.awaiting(),
            1,
            "the queued sender awaits a receipt; the refused one does not"
        );
        waiting.abort();
        let _ = waiting.await;
        assert_eq!(queue.signals.awaiting(), 0, "a sender gone is not awaited");
    }
}
