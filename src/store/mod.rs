//! The database: connecting and migrating, and every query OpenDocket makes. The database is the truth.

mod admission;
mod attachments;
pub mod audit;
mod comments;
mod dockets;
mod mail;
mod secrets;
mod windows;

pub(crate) use comments::{insert_changes, record_change};
pub use comments::{Acknowledgement, Stored, Submission};
pub(crate) use dockets::audit_docket;
pub use dockets::DocketSwitch;
pub use mail::{Confirmed, QueuedMail, MAIL_ATTEMPTS};

use crate::comment::{IdempotencyKey, NewComment, Submitter, SubmitterType};
use crate::docket::{Agency, DocketId, NewDocket, NewDocument};
use crate::tracking::TrackingNumber;
use crate::window::{Admission, CommentWindow, WindowState};
use audit::{audit, Actor, AuditRecord};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::str::FromStr;
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not apply database migrations: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported DATABASE_URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl(String),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// Storing failed in a way that may pass (a batch's transaction, a stopped writer).
    #[error("the database could not take the write just now: {0}")]
    Unavailable(String),
    #[error("docket {0} already exists")]
    DocketExists(String),
    #[error(
        "agency {code} already exists with name {name:?} and time zone {time_zone}; use those"
    )]
    AgencyConflict {
        code: String,
        name: String,
        time_zone: String,
    },
}

impl StoreError {
    /// Whether the failure is the database being out of reach or busy, so trying again later may work.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Database(
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Tls(_)
            )
        ) || matches!(self, StoreError::Unavailable(_))
            || matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.message().contains("locked") || e.message().contains("busy"))
    }
}

/// Why a comment was not stored.
#[derive(Debug, Error)]
pub enum SubmitError {
    #[error("there is no docket {0}")]
    UnknownDocket(String),
    #[error("the comment period has not opened yet")]
    NotYetOpen {
        opens_at: DateTime<Utc>,
        time_zone: Tz,
    },
    #[error("the comment period is closed")]
    Closed {
        closes_at: DateTime<Utc>,
        time_zone: Tz,
    },
    #[error("the agency withdrew this docket")]
    Withdrawn,
    /// Too many comments are waiting to be stored; nothing was stored.
    #[error("too many comments are arriving at once")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a deadline was not extended.
#[derive(Debug, Error)]
pub enum ExtendError {
    #[error("there is no docket {0}")]
    UnknownDocket(String),
    #[error("the comment period has already closed; reopen it with a new window instead")]
    AlreadyClosed,
    #[error("the new deadline must be later than the current one")]
    NotLater,
    #[error("the comment period is still open; extend it instead")]
    StillOpen,
    #[error("the comment period has already opened")]
    AlreadyOpen,
    #[error("the new opening must be in the future and before the deadline")]
    OpeningOutsideWindow,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ExtendError {
    fn from(e: sqlx::Error) -> Self {
        ExtendError::Store(e.into())
    }
}

impl From<sqlx::Error> for SubmitError {
    fn from(e: sqlx::Error) -> Self {
        SubmitError::Store(e.into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub body_markdown: String,
    pub federal_register_citation: Option<String>,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocketRecord {
    pub id: DocketId,
    pub title: String,
    pub agency: Agency,
    pub document: DocumentRecord,
    /// The docket's current (latest) window.
    pub window: CommentWindow,
    /// What the scheduler last recorded for that window.
    pub recorded_state: WindowState,
    pub comments_received: i64,
    /// When the agency withdrew the docket; it then takes no comments.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Every commenter's browser is asked for a proof of work, not only crowded networks'.
    pub ask_proof_of_work: bool,
    /// A comment giving an e-mail address waits for its submitter to confirm it by e-mail.
    pub confirm_by_email: bool,
}

/// What the public gets back for a stored comment: the tracking number and a copy of what was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub tracking_number: TrackingNumber,
    pub docket_id: DocketId,
    pub docket_title: String,
    pub time_zone: Tz,
    pub received_at: DateTime<Utc>,
    pub late: bool,
    pub comment: NewComment,
    pub attachments: Vec<crate::attachment::AttachmentInfo>,
    /// It waits for its submitter to follow the link sent by e-mail.
    pub awaiting_confirmation: bool,
}

/// What happened to a comment, as recorded in the change sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Received,
    Moderated,
    /// A tag was put on or taken off the comment.
    Tagged,
    /// The comment joined or left a campaign.
    Campaign,
    /// The text of one of its attachments was extracted, or a file was withheld or given back.
    Attachment,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Received => "received",
            ChangeKind::Moderated => "moderated",
            ChangeKind::Tagged => "tagged",
            ChangeKind::Campaign => "campaign",
            ChangeKind::Attachment => "attachment",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "received" => Some(ChangeKind::Received),
            "moderated" => Some(ChangeKind::Moderated),
            "tagged" => Some(ChangeKind::Tagged),
            "campaign" => Some(ChangeKind::Campaign),
            "attachment" => Some(ChangeKind::Attachment),
            _ => None,
        }
    }
}

/// One entry of the comment change sequence: `seq` increases with every change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentChange {
    pub seq: i64,
    pub comment_id: i64,
    pub kind: ChangeKind,
    pub changed_at: DateTime<Utc>,
}

/// A window the scheduler moved to another state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowTransition {
    pub window_id: i64,
    pub docket_id: String,
    pub at: DateTime<Utc>,
}

pub fn to_millis(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("instant {ms} out of range")))
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    recent_admissions: std::sync::Arc<admission::RecentAdmissions>,
    /// SQLite's write lock handed out in turn within this process: its own waiting (a busy
    /// handler that sleeps and retries) would let a writer that commits and begins again at once,
    /// like the comment writer in a burst, keep the lock from everyone else for seconds.
    write_turns: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction, holding this process's turn at the SQLite write lock until it ends.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::Transaction<'static, sqlx::Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// Which database a `DATABASE_URL` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(database_url: &str) -> Option<Self> {
        let scheme = database_url.split(':').next()?;
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    /// The backend a connection (or a transaction on one) talks to.
    pub(crate) fn of_connection(connection: &sqlx::AnyConnection) -> Self {
        match connection.backend_name() {
            "PostgreSQL" => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// The placeholder for the `i`th value (from 1) of a statement whose values are bound in the
    /// order they appear in its text. On SQLite an anonymous `?`: sqlx finds each `$n` by name,
    /// a scan of every name for each value, which a statement of thousands of values pays for
    /// dearly.
    pub(crate) fn placeholder(self, i: usize) -> String {
        match self {
            Backend::Sqlite => "?".to_owned(),
            Backend::Postgres => format!("${i}"),
        }
    }
}

/// Connections per process. SQLite has one writer anyway; on PostgreSQL the total over all
/// instances must stay under the server's `max_connections`.
/// What one SQLite checkpoint found in the write-ahead log and copied to the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalCheckpoint {
    pub log_frames: i64,
    pub checkpointed_frames: i64,
}

pub const DEFAULT_POOL_SIZE: u32 = 10;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects to `database_url` (creating a SQLite file if needed) and applies migrations.
    pub async fn open(database_url: &str) -> Result<Self, StoreError> {
        Self::open_with_pool_size(database_url, DEFAULT_POOL_SIZE).await
    }

    pub async fn open_with_pool_size(
        database_url: &str,
        pool_size: u32,
    ) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(database_url)
            .ok_or_else(|| StoreError::UnsupportedUrl(redact_password(database_url)))?;
        let url = match backend {
            Backend::Sqlite if !database_url.contains("mode=") => {
                let separator = if database_url.contains('?') { '&' } else { '?' };
                format!("{database_url}{separator}mode=rwc")
            }
            _ => database_url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(pool_size.max(1))
            // Long enough to ride out a burst of load, short enough that a person whose
            // submission cannot be saved is told so promptly.
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the single writer. synchronous=FULL makes every
                        // commit wait for the WAL to reach the disk, so a receipt shown to the public
                        // means the comment survives a power cut; NORMAL could lose the last commits.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        // The server checkpoints the write-ahead log from its own task
                        // (`checkpoint_wal_continually`), so a commit rarely pays for copying
                        // pages into the database file; this larger threshold is the safety net
                        // when nothing else checkpoints (command-line tools).
                        conn.execute("PRAGMA wal_autocheckpoint = 8000").await?;
                        // After a burst the log file is cut back to 64 MB at the next reset.
                        conn.execute("PRAGMA journal_size_limit = 67108864").await?;
                    } else {
                        // A stuck writer is cut off and logged by the server rather than blocking
                        // everyone: no statement runs past a minute, no lock (advisory locks
                        // included) is waited for past 10 seconds, and a transaction left idle
                        // for a minute is ended.
                        conn.execute("SET statement_timeout = '60s'").await?;
                        conn.execute("SET lock_timeout = '10s'").await?;
                        conn.execute("SET idle_in_transaction_session_timeout = '60s'")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        // On PostgreSQL the migrator holds an advisory lock, so instances starting together
        // apply each migration once.
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Self {
            pool,
            backend,
            recent_admissions: Default::default(),
            write_turns: Default::default(),
        })
    }

    /// Copies the SQLite write-ahead log into the database file every `every`, so commits on
    /// the submission path do not. Nothing to do on PostgreSQL.
    pub async fn checkpoint_wal_continually(self, every: Duration) {
        if self.backend != Backend::Sqlite {
            return;
        }
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = self.checkpoint_wal().await {
                tracing::warn!(%error, "could not checkpoint the write-ahead log; retrying");
            }
        }
    }

    /// One SQLite checkpoint that waits for neither writers nor readers (PASSIVE): it copies
    /// what no reader still needs. `None` on PostgreSQL.
    pub async fn checkpoint_wal(&self) -> Result<Option<WalCheckpoint>, sqlx::Error> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(WalCheckpoint {
            log_frames: row.try_get(1)?,
            checkpointed_frames: row.try_get(2)?,
        }))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction that will write. On SQLite it takes the write lock at once (BEGIN
    /// IMMEDIATE), so concurrent writers queue behind `busy_timeout` instead of failing when a
    /// read lock cannot be upgraded; writers of this process take turns first (`write_turns`).
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                // As long as SQLite's own wait (`busy_timeout`), and failing the same way.
                let turn = tokio::time::timeout(
                    Duration::from_secs(5),
                    self.write_turns.clone().lock_owned(),
                )
                .await
                .map_err(|_| sqlx::Error::PoolTimedOut)?;
                Ok(WriteTx {
                    tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
                    _turn: Some(turn),
                })
            }
            Backend::Postgres => Ok(WriteTx {
                tx: self.pool.begin().await?,
                _turn: None,
            }),
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// `query` with who sent `comment` bound next: submitter type, first name, last name,
/// organization, city, state or region, country.
pub(crate) fn bind_person<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    comment: &'q NewComment,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let submitter = &comment.submitter;
    query
        .bind(submitter.submitter_type().as_str())
        .bind(submitter.first_name())
        .bind(submitter.last_name())
        .bind(submitter.organization())
        .bind(comment.city.as_deref())
        .bind(comment.state_province_region.as_deref())
        .bind(comment.country.as_deref())
}

/// `query` with each of `ids` bound in turn (for an `IN (…)` list made by `placeholders`).
pub(crate) fn bind_ids<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ids: &[i64],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for id in ids {
        query = query.bind(*id);
    }
    query
}

/// `$from,$from+1,…` for `n` values bound in an `IN (…)` list.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://…{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_checkpoint_copies_every_committed_frame_into_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("wal.db").display());
        let store = Store::open(&url).await.unwrap();
        let autocheckpoint: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(
            autocheckpoint, 8000,
            "commits leave checkpoints to the server's task"
        );
        for n in 0..50 {
            sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2)")
                .bind(format!("checkpoint-test-{n}"))
                .bind("x".repeat(64))
                .execute(store.pool())
                .await
                .unwrap();
        }
        let checkpoint = store.checkpoint_wal().await.unwrap().unwrap();
        assert!(checkpoint.log_frames > 0, "{checkpoint:?}");
        assert_eq!(checkpoint.checkpointed_frames, checkpoint.log_frames);
    }
}
