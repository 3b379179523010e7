//! The search service: one indexer task owns the only `IndexWriter` and follows the database's
//! comment change sequence; searches run on blocking threads. The database is the truth: the
//! index records in its commits how far it follows, catches up from there on start-up, and can be
//! rebuilt from the database at any time.

use super::index::{
    payload, IndexError, IndexedComment, SearchHits, SearchIndex, SearchSpec, Snippet,
};
use crate::moderation::CommentStatus;
use crate::store::{Store, StoreError};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tantivy::IndexWriter;
use thiserror::Error;
use tokio::sync::{watch, Notify};

/// The index's directory inside the data directory. Each server instance keeps its own.
pub const INDEX_DIR_NAME: &str = "search-index";
/// How often the indexer looks for changes made by other processes.
const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// Changes read per round.
const CHANGES_PER_ROUND: i64 = 2_000;
/// Missing sequence numbers looked for again per round.
const MISSING_PER_ROUND: usize = 500;
/// Comments read per query while rebuilding.
const REBUILD_BATCH: i64 = 2_000;
/// A sequence number not seen for this long belongs to a transaction that rolled back.
const GAP_PATIENCE: Duration = Duration::from_secs(10);
/// After a rebuild, changes this far back are applied again, in case their transactions were
/// still running when the rebuild read the comments.
const REBUILD_LOOKBACK: i64 = 1_000;
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum SearchError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the search index is held by another process (is a server running on this data directory?)"
    )]
    Locked,
    #[error("a search task failed: {0}")]
    Task(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        match e {
            tantivy::TantivyError::LockFailure(..) => SearchError::Locked,
            other => SearchError::Index(other.into()),
        }
    }
}

impl From<sqlx::Error> for SearchError {
    fn from(e: sqlx::Error) -> Self {
        SearchError::Store(e.into())
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SearchError::Task(e.to_string()))?
}

#[derive(Clone)]
pub struct SearchService {
    index: Arc<SearchIndex>,
    nudge: Arc<Notify>,
    /// The highest change sequence number applied and visible to searches.
    applied: watch::Receiver<i64>,
    stop: watch::Sender<bool>,
    stopped: Arc<tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl SearchService {
    /// Opens (or creates) the index in `dir` and starts the indexer. A new or outdated index is
    /// rebuilt from the database in the background; searches see it fill up.
    pub async fn start(store: Store, dir: &Path) -> Result<Self, SearchError> {
        let dir = dir.to_owned();
        let (index, writer, from) = blocking(move || {
            let (index, created) = SearchIndex::open_or_create(&dir)?;
            let writer: IndexWriter = index.index().writer(WRITER_MEMORY)?;
            let from = if created { None } else { index.checkpoint() };
            Ok((index, writer, from))
        })
        .await?;
        let index = Arc::new(index);
        let (applied_tx, applied) = watch::channel(from.unwrap_or(0));
        let (stop, stop_rx) = watch::channel(false);
        let nudge = Arc::new(Notify::new());
        let follower = Follower {
            store,
            index: index.clone(),
            writer: Some(writer),
            progress: SeqProgress::from(from.unwrap_or(0)),
            applied: applied_tx,
        };
        let task = tokio::spawn(follower.run(from.is_none(), nudge.clone(), stop_rx));
        Ok(Self {
            index,
            nudge,
            applied,
            stop,
            stopped: Arc::new(tokio::sync::Mutex::new(Some(task))),
        })
    }

    /// Tells the indexer this process just changed a comment, so it need not wait for its poll.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// The highest change sequence number the index has applied.
    pub fn applied_seq(&self) -> i64 {
        *self.applied.borrow()
    }

    /// Waits (at most `timeout`) until the index has applied change `seq`.
    pub async fn wait_for(&self, seq: i64, timeout: Duration) -> bool {
        self.nudge();
        let mut applied = self.applied.clone();
        tokio::time::timeout(timeout, applied.wait_for(|s| *s >= seq))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Waits (at most `timeout`) until the index holds every change committed so far.
    pub async fn catch_up(&self, store: &Store, timeout: Duration) -> Result<bool, SearchError> {
        let seq = store.max_change_seq().await?;
        Ok(self.wait_for(seq, timeout).await)
    }

    /// Stops the indexer and releases the index's writer lock.
    pub async fn stop(&self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.stopped.lock().await.take() {
            let _ = task.await;
        }
    }

    pub async fn search(&self, spec: SearchSpec) -> Result<SearchHits, SearchError> {
        let index = self.index.clone();
        blocking(move || Ok(index.search(&spec)?)).await
    }

    pub async fn all_ids(&self, spec: SearchSpec) -> Result<Vec<i64>, SearchError> {
        let index = self.index.clone();
        blocking(move || Ok(index.all_ids(&spec)?)).await
    }

    /// Highlighted excerpts of each text for the search.
    pub async fn snippets(
        &self,
        spec: SearchSpec,
        texts: Vec<String>,
    ) -> Result<Vec<Snippet>, SearchError> {
        let index = self.index.clone();
        blocking(move || Ok(index.snippets(&spec, &texts)?)).await
    }
}

struct Follower {
    store: Store,
    index: Arc<SearchIndex>,
    /// Taken out while a blocking thread uses it, and put back.
    writer: Option<IndexWriter>,
    /// Every change up to here is applied.
    progress: SeqProgress,
    applied: watch::Sender<i64>,
}

impl Follower {
    async fn run(mut self, rebuild: bool, nudge: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        if rebuild {
            let Some(writer) = self.writer.take() else {
                return;
            };
            let started = Instant::now();
            match rebuild_index(&self.store, &self.index, writer, |_, _| {}).await {
                Ok((writer, through)) => {
                    tracing::info!(
                        seconds = started.elapsed().as_secs(),
                        "search index built from the database"
                    );
                    self.writer = Some(writer);
                    self.progress = SeqProgress::from(through);
                }
                Err(error) => {
                    tracing::error!(%error, "could not build the search index; searches will be empty until `opendocket reindex`");
                    return;
                }
            }
        }
        loop {
            if *stop.borrow() {
                break;
            }
            let wait = match self.round().await {
                Ok(true) => Duration::ZERO,
                Ok(false) => POLL_INTERVAL,
                Err(error) => {
                    tracing::warn!(%error, "search indexer could not apply changes; retrying");
                    Duration::from_secs(1)
                }
            };
            if self.writer.is_none() {
                tracing::error!("search indexer lost its writer; stopping");
                break;
            }
            if !wait.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = nudge.notified() => {}
                    _ = stop.changed() => {}
                }
            }
        }
        // Dropping the writer releases the directory lock.
        if let Some(writer) = self.writer.take() {
            let _ = tokio::task::spawn_blocking(move || drop(writer)).await;
        }
    }

    /// Applies one round of changes; returns whether there may be more waiting.
    async fn round(&mut self) -> Result<bool, SearchError> {
        let mut changes = self
            .store
            .comment_changes_since(self.progress.highest(), CHANGES_PER_ROUND)
            .await?;
        let full = changes.len() as i64 == CHANGES_PER_ROUND;
        let missing = self.progress.missing(MISSING_PER_ROUND);
        changes.extend(self.store.comment_changes_numbered(&missing).await?);
        let fresh: Vec<_> = changes
            .iter()
            .filter(|c| !self.progress.seen.contains(&c.seq))
            .collect();
        if !fresh.is_empty() {
            let mut ids: Vec<i64> = fresh.iter().map(|c| c.comment_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let docs = self.store.indexed_comments(&ids).await?;
            for change in &fresh {
                self.progress.seen.insert(change.seq);
            }
            self.progress.advance(Instant::now(), GAP_PATIENCE);
            let through = self.progress.low_water;
            self.apply(ids, docs, through).await?;
        } else if self.progress.advance(Instant::now(), GAP_PATIENCE) {
            let through = self.progress.low_water;
            self.apply(Vec::new(), Vec::new(), through).await?;
        }
        let max = self.progress.highest();
        self.applied.send_if_modified(|v| {
            let changed = *v != max;
            *v = max;
            changed
        });
        Ok(full)
    }

    async fn apply(
        &mut self,
        ids: Vec<i64>,
        docs: Vec<IndexedComment>,
        through: i64,
    ) -> Result<(), SearchError> {
        let Some(mut writer) = self.writer.take() else {
            return Err(SearchError::Task("the index writer is gone".into()));
        };
        let index = self.index.clone();
        let (writer, result) = tokio::task::spawn_blocking(move || {
            let result = (|| -> Result<(), SearchError> {
                for id in &ids {
                    writer.delete_term(index.id_term(*id));
                }
                for doc in index.documents(&docs) {
                    writer.add_document(doc)?;
                }
                let mut commit = writer.prepare_commit()?;
                commit.set_payload(&payload(through));
                commit.commit()?;
                index.reload()?;
                Ok(())
            })();
            if result.is_err() {
                let _ = writer.rollback();
            }
            (writer, result)
        })
        .await
        .map_err(|e| SearchError::Task(e.to_string()))?;
        self.writer = Some(writer);
        result
    }
}

/// How far the indexer has followed the change sequence, which may have gaps: PostgreSQL hands
/// out numbers before commit, so a later number can be seen before an earlier one.
#[derive(Debug, Default)]
struct SeqProgress {
    /// Every change up to here is applied.
    low_water: i64,
    /// Changes above `low_water` already applied.
    seen: BTreeSet<i64>,
    /// When the oldest missing sequence number above `low_water` was first noticed.
    gap_since: Option<Instant>,
}

impl SeqProgress {
    fn from(low_water: i64) -> Self {
        Self {
            low_water,
            ..Self::default()
        }
    }

    /// Numbers below the highest seen that have not been seen (yet), oldest first.
    fn missing(&self, limit: usize) -> Vec<i64> {
        (self.low_water + 1..self.highest())
            .filter(|seq| !self.seen.contains(seq))
            .take(limit)
            .collect()
    }

    fn highest(&self) -> i64 {
        self.seen.last().copied().unwrap_or(self.low_water)
    }

    /// Moves `low_water` over every applied number, and over gaps older than `patience`.
    /// Returns whether it moved.
    fn advance(&mut self, now: Instant, patience: Duration) -> bool {
        let before = self.low_water;
        loop {
            while self.seen.remove(&(self.low_water + 1)) {
                self.low_water += 1;
            }
            let Some(&next) = self.seen.first() else {
                self.gap_since = None;
                break;
            };
            let since = *self.gap_since.get_or_insert(now);
            if now.duration_since(since) < patience {
                break;
            }
            // The missing numbers belong to transactions that rolled back.
            self.low_water = next - 1;
            self.gap_since = None;
        }
        self.low_water != before
    }
}

/// Rebuilds the whole index from the database with `writer`, calling `progress(done, total)`
/// as it goes. Returns the writer and the change sequence number the index now follows from.
pub async fn rebuild_index(
    store: &Store,
    index: &Arc<SearchIndex>,
    writer: IndexWriter,
    progress: impl Fn(u64, u64),
) -> Result<(IndexWriter, i64), SearchError> {
    let start_seq = store.max_change_seq().await?;
    let total = store.comment_total().await?;
    let mut writer = writer;
    writer.delete_all_documents()?;
    let mut after_id = 0;
    let mut done = 0u64;
    loop {
        let docs = store
            .indexed_comments_after(after_id, REBUILD_BATCH)
            .await?;
        let Some(last) = docs.last() else {
            break;
        };
        after_id = last.id;
        done += docs.len() as u64;
        let index_ref = index.clone();
        let (returned, result) = tokio::task::spawn_blocking(move || {
            let result = index_ref
                .documents(&docs)
                .into_iter()
                .try_for_each(|doc| writer.add_document(doc).map(|_| ()));
            (writer, result)
        })
        .await
        .map_err(|e| SearchError::Task(e.to_string()))?;
        writer = returned;
        result?;
        progress(done, total.max(done));
    }
    let through = (start_seq - REBUILD_LOOKBACK).max(0);
    let index_ref = index.clone();
    tokio::task::spawn_blocking(move || -> Result<IndexWriter, SearchError> {
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&payload(through));
        commit.commit()?;
        index_ref.reload()?;
        Ok(writer)
    })
    .await
    .map_err(|e| SearchError::Task(e.to_string()))?
    .map(|writer| (writer, through))
}

const INDEXED_SELECT: &str = "SELECT c.id, c.docket_id, c.window_id, c.status, c.submitter_type,
        c.first_name, c.last_name, c.organization, c.state_province_region, c.country, c.body,
        c.redacted_body, c.late, c.received_at, c.campaign_id, c.flags
     FROM comments c";

impl Store {
    /// The newest change sequence number (0 when nothing changed yet).
    pub async fn max_change_seq(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM comment_changes")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("seq")?)
    }

    pub async fn comment_total(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM comments")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<i64, _>("n")?.max(0) as u64)
    }

    /// What the index holds for these comments (those that exist).
    pub async fn indexed_comments(&self, ids: &[i64]) -> Result<Vec<IndexedComment>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = crate::store::placeholders(1, chunk.len());
            let sql = format!("{INDEXED_SELECT} WHERE c.id IN ({list}) ORDER BY c.id");
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            let rows = query.fetch_all(self.pool()).await?;
            let tags_sql =
                format!("SELECT comment_id, tag_id FROM comment_tags WHERE comment_id IN ({list})");
            let mut tags = sqlx::query(&tags_sql);
            for id in chunk {
                tags = tags.bind(*id);
            }
            let tags = tag_map(tags.fetch_all(self.pool()).await?)?;
            let texts = self.attachment_texts(chunk).await?;
            out.extend(indexed_from_rows(rows, tags, texts)?);
        }
        Ok(out)
    }

    /// Up to `limit` comments with ids above `after_id`, in id order, for rebuilding the index.
    pub async fn indexed_comments_after(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<IndexedComment>, StoreError> {
        let rows = sqlx::query(&format!(
            "{INDEXED_SELECT} WHERE c.id > $1 ORDER BY c.id LIMIT $2"
        ))
        .bind(after_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let last = match rows.last() {
            Some(row) => row.try_get::<i64, _>("id")?,
            None => return Ok(Vec::new()),
        };
        let tags = sqlx::query(
            "SELECT comment_id, tag_id FROM comment_tags WHERE comment_id > $1 AND comment_id <= $2",
        )
        .bind(after_id)
        .bind(last)
        .fetch_all(self.pool())
        .await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        let texts = self.attachment_texts(&ids).await?;
        indexed_from_rows(rows, tag_map(tags)?, texts)
    }
}

fn tag_map(rows: Vec<sqlx::any::AnyRow>) -> Result<HashMap<i64, Vec<i64>>, StoreError> {
    let mut tags: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in rows {
        tags.entry(row.try_get("comment_id")?)
            .or_default()
            .push(row.try_get("tag_id")?);
    }
    Ok(tags)
}

fn indexed_from_rows(
    rows: Vec<sqlx::any::AnyRow>,
    mut tags: HashMap<i64, Vec<i64>>,
    mut attachment_texts: HashMap<i64, (String, String)>,
) -> Result<Vec<IndexedComment>, StoreError> {
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let status: String = row.try_get("status")?;
            let kind: String = row.try_get("submitter_type")?;
            let first: Option<String> = row.try_get("first_name")?;
            let last: Option<String> = row.try_get("last_name")?;
            let text = |name: &str| -> Result<String, StoreError> {
                Ok(row.try_get::<Option<String>, _>(name)?.unwrap_or_default())
            };
            Ok(IndexedComment {
                id,
                docket_id: row.try_get("docket_id")?,
                window_id: row.try_get("window_id")?,
                status: CommentStatus::parse(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?,
                name: [first, last]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
                submitter_type: kind,
                organization: text("organization")?,
                state: text("state_province_region")?,
                country: text("country")?,
                body: row.try_get("body")?,
                redacted_body: row.try_get("redacted_body")?,
                late: row.try_get::<i64, _>("late")? == 1,
                received_at_ms: row.try_get("received_at")?,
                tags: tags.remove(&id).unwrap_or_default(),
                campaign: row.try_get("campaign_id")?,
                flags: row
                    .try_get::<String, _>("flags")?
                    .split(',')
                    .filter_map(crate::flags::FlagKind::parse)
                    .collect(),
                attachment_text: attachment_texts
                    .get(&id)
                    .map(|t| t.0.clone())
                    .unwrap_or_default(),
                public_attachment_text: attachment_texts
                    .remove(&id)
                    .map(|t| t.1)
                    .unwrap_or_default(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_in_the_change_sequence_are_waited_for_then_skipped() {
        let start = Instant::now();
        let patience = Duration::from_secs(10);
        let mut progress = SeqProgress::from(0);
        progress.seen.extend([1, 2, 4, 5]);
        assert!(progress.advance(start, patience));
        assert_eq!(progress.low_water, 2, "3 may still commit");
        assert_eq!(progress.highest(), 5);
        assert_eq!(progress.missing(10), vec![3]);
        assert!(!progress.advance(start + Duration::from_secs(5), patience));
        // 3 commits late and is applied: the gap closes.
        progress.seen.insert(3);
        assert!(progress.advance(start + Duration::from_secs(6), patience));
        assert_eq!(progress.low_water, 5);
        // 6 never comes (its transaction rolled back): after the patience it is passed over.
        progress.seen.insert(7);
        assert!(!progress.advance(start + Duration::from_secs(7), patience));
        assert_eq!(progress.low_water, 5);
        assert!(progress.advance(start + Duration::from_secs(18), patience));
        assert_eq!(progress.low_water, 7);
        assert!(progress.seen.is_empty());
    }
}
