//! The database: connecting and migrating, and every query OpenDocket makes. The database is the truth.

mod attachments;
pub mod audit;
mod comments;
mod dockets;
mod windows;

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
        ) || matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.message().contains("locked") || e.message().contains("busy"))
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
}

/// Connections per process. SQLite has one writer anyway; on PostgreSQL the total over all
/// instances must stay under the server's `max_connections`.
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
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction that will write. On SQLite it takes the write lock at once (BEGIN
    /// IMMEDIATE), so concurrent writers queue behind `busy_timeout` instead of failing when a
    /// read lock cannot be upgraded.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

async fn insert_docket(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    new: &NewDocket,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let code = new.id.agency_code();
    let existing = sqlx::query("SELECT name, time_zone FROM agencies WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?;
    match existing {
        Some(row) => {
            let name: String = row.try_get("name")?;
            let time_zone: String = row.try_get("time_zone")?;
            if name != new.agency_name || time_zone != new.time_zone.name() {
                return Err(StoreError::AgencyConflict {
                    code: code.to_owned(),
                    name,
                    time_zone,
                });
            }
        }
        None => {
            sqlx::query("INSERT INTO agencies (code, name, time_zone) VALUES ($1, $2, $3)")
                .bind(code)
                .bind(&new.agency_name)
                .bind(new.time_zone.name())
                .execute(&mut **tx)
                .await?;
        }
    }
    let exists = sqlx::query("SELECT 1 FROM dockets WHERE id = $1")
        .bind(new.id.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    if exists.is_some() {
        return Err(StoreError::DocketExists(new.id.to_string()));
    }
    sqlx::query("INSERT INTO dockets (id, agency_code, title, created_at, last_modified_at) VALUES ($1, $2, $3, $4, $4)")
        .bind(new.id.as_str())
        .bind(code)
        .bind(&new.title)
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO documents (id, docket_id, title, summary, body_markdown, federal_register_citation, published_at, last_modified_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(new.id.document_id(1))
    .bind(new.id.as_str())
    .bind(&new.document.title)
    .bind(&new.document.summary)
    .bind(&new.document.body_markdown)
    .bind(new.document.federal_register_citation.as_deref())
    .bind(to_millis(new.window.opens_at))
    .execute(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO comment_windows (docket_id, opens_at, closes_at, allow_late) VALUES ($1, $2, $3, $4)")
        .bind(new.id.as_str())
        .bind(to_millis(new.window.opens_at))
        .bind(to_millis(new.window.closes_at))
        .bind(i64::from(new.window.allow_late))
        .execute(&mut **tx)
        .await?;
    let after = format!(
        "{} ({} to {})",
        new.title,
        new.window.opens_at.to_rfc3339(),
        new.window.closes_at.to_rfc3339()
    );
    let record = AuditRecord {
        action: "docket.create",
        object_type: "docket",
        object_id: new.id.as_str(),
        before: None,
        after: Some(&after),
    };
    audit(tx, actor, record, now).await?;
    Ok(())
}

/// The docket's current (latest) window, inside a transaction that will change it.
struct CurrentWindow {
    id: i64,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
}

async fn current_window(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    docket_id: &DocketId,
) -> Result<CurrentWindow, ExtendError> {
    let row = sqlx::query(
        "SELECT id, opens_at, closes_at FROM comment_windows
         WHERE id = (SELECT MAX(id) FROM comment_windows WHERE docket_id = $1)",
    )
    .bind(docket_id.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ExtendError::UnknownDocket(docket_id.to_string()))?;
    Ok(CurrentWindow {
        id: row.try_get("id")?,
        opens_at: from_millis(row.try_get("opens_at")?)?,
        closes_at: from_millis(row.try_get("closes_at")?)?,
    })
}

/// Records a change to a docket in the audit log, inside the transaction that makes it.
pub(crate) async fn audit_docket(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    action: &str,
    docket_id: &DocketId,
    before: Option<&str>,
    after: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for table in ["dockets", "documents"] {
        let key = if table == "dockets" {
            "id"
        } else {
            "docket_id"
        };
        sqlx::query(&format!(
            "UPDATE {table} SET last_modified_at = $1 WHERE {key} = $2"
        ))
        .bind(to_millis(now))
        .bind(docket_id.as_str())
        .execute(&mut **tx)
        .await?;
    }
    let record = AuditRecord {
        action,
        object_type: "docket",
        object_id: docket_id.as_str(),
        before,
        after,
    };
    audit(tx, actor, record, now).await
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

fn change_from_row(row: &AnyRow) -> Result<CommentChange, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(CommentChange {
        seq: row.try_get("seq")?,
        comment_id: row.try_get("comment_id")?,
        kind: ChangeKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("change kind {kind:?}")))?,
        changed_at: from_millis(row.try_get("changed_at")?)?,
    })
}

pub(crate) async fn record_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    comment_id: i64,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO comment_changes (comment_id, kind, changed_at) VALUES ($1, $2, $3)")
        .bind(comment_id)
        .bind(kind.as_str())
        .bind(to_millis(at))
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE comments SET last_modified_at = $1 WHERE id = $2")
        .bind(to_millis(at))
        .bind(comment_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://…{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

fn parse_zone(name: &str) -> Result<Tz, StoreError> {
    name.parse()
        .map_err(|_| StoreError::Corrupt(format!("unknown time zone {name:?}")))
}

fn docket_from_row(row: &AnyRow) -> Result<DocketRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let recorded_state = match status.as_str() {
        "scheduled" => WindowState::Scheduled,
        "open" => WindowState::Open,
        "closed" => WindowState::Closed,
        other => return Err(StoreError::Corrupt(format!("window status {other:?}"))),
    };
    Ok(DocketRecord {
        id: DocketId::parse(&id)
            .map_err(|e| StoreError::Corrupt(format!("docket id {id:?}: {e}")))?,
        title: row.try_get("title")?,
        agency: Agency {
            code: row.try_get("code")?,
            name: row.try_get("agency_name")?,
            time_zone: parse_zone(&row.try_get::<String, _>("time_zone")?)?,
        },
        document: DocumentRecord {
            id: row.try_get("document_id")?,
            title: row.try_get("document_title")?,
            summary: row.try_get("summary")?,
            body_markdown: row.try_get("body_markdown")?,
            federal_register_citation: row.try_get("federal_register_citation")?,
            published_at: from_millis(row.try_get("published_at")?)?,
        },
        window: CommentWindow {
            opens_at: from_millis(row.try_get("opens_at")?)?,
            closes_at: from_millis(row.try_get("closes_at")?)?,
            allow_late: row.try_get::<i64, _>("allow_late")? != 0,
        },
        recorded_state,
        comments_received: row.try_get("comments_received")?,
        withdrawn_at: row
            .try_get::<Option<i64>, _>("withdrawn_at")?
            .map(from_millis)
            .transpose()?,
    })
}

fn receipt_from_row(row: &AnyRow) -> Result<Receipt, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(what.to_owned());
    let kind: String = row.try_get("submitter_type")?;
    let first_name: Option<String> = row.try_get("first_name")?;
    let last_name: Option<String> = row.try_get("last_name")?;
    let submitter = match SubmitterType::parse(&kind).ok_or_else(|| corrupt("submitter type"))? {
        SubmitterType::Individual => Submitter::Individual {
            first_name: first_name.ok_or_else(|| corrupt("individual without first name"))?,
            last_name: last_name.ok_or_else(|| corrupt("individual without last name"))?,
        },
        SubmitterType::Organization => Submitter::Organization {
            organization: row
                .try_get::<Option<String>, _>("organization")?
                .ok_or_else(|| corrupt("organization without name"))?,
            first_name,
            last_name,
        },
        SubmitterType::Anonymous => Submitter::Anonymous,
    };
    let tracking: String = row.try_get("tracking_number")?;
    let docket_id: String = row.try_get("docket_id")?;
    Ok(Receipt {
        tracking_number: TrackingNumber::parse(&tracking)
            .map_err(|_| corrupt("tracking number"))?,
        docket_id: DocketId::parse(&docket_id).map_err(|_| corrupt("docket id"))?,
        docket_title: row.try_get("title")?,
        time_zone: parse_zone(&row.try_get::<String, _>("time_zone")?)?,
        received_at: from_millis(row.try_get("received_at")?)?,
        late: row.try_get::<i64, _>("late")? != 0,
        comment: NewComment {
            submitter,
            city: row.try_get("city")?,
            state_province_region: row.try_get("state_province_region")?,
            country: row.try_get("country")?,
            email: row.try_get("email")?,
            body: row.try_get("body")?,
            details: Default::default(),
        },
        attachments: Vec::new(),
    })
}
