//! Storing imported comments, each in a transaction of its own: a regulations.gov comment posted
//! as it was published, a paper comment pending like any new comment.

use super::{PaperRecord, PublicRecord};
use crate::comment::IdempotencyKey;
use crate::store::{bind_person, record_change, to_millis, ChangeKind, Store, StoreError};
use crate::tracking::TrackingNumber;
use chrono::{DateTime, Utc};
use sqlx::Row;

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    Added,
    /// Imported before: nothing changed.
    AlreadyThere,
    /// Not imported, with the reason.
    Refused(String),
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The docket's agency and its latest window: (agency code, window id, closes at).
async fn docket_window(
    tx: &mut Tx,
    docket: &str,
) -> Result<Option<(String, i64, i64)>, StoreError> {
    let row = sqlx::query(
        "SELECT d.agency_code, w.id, w.closes_at FROM dockets d
         JOIN comment_windows w ON w.id = (SELECT MAX(id) FROM comment_windows WHERE docket_id = d.id)
         WHERE d.id = $1",
    )
    .bind(docket)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("agency_code")?,
            r.try_get("id")?,
            r.try_get("closes_at")?,
        ))
    })
    .transpose()
}

impl Store {
    /// Stores a comment from a regulations.gov export as it was published: posted, with its id,
    /// tracking number, objectId, title, category, text and dates. A document it is on that the
    /// docket does not have yet is added (so `filter[commentOnId]` finds it by its objectId).
    pub async fn import_public_comment(
        &self,
        record: &PublicRecord,
        now: DateTime<Utc>,
    ) -> Result<Imported, StoreError> {
        let mut tx = self.begin_write().await?;
        let Some((agency, window, closes_at)) = docket_window(&mut tx, &record.docket_id).await?
        else {
            tx.rollback().await?;
            return Ok(Imported::Refused(format!(
                "there is no docket {}",
                record.docket_id
            )));
        };
        if let Some(theirs) = &record.agency_id {
            if !theirs.eq_ignore_ascii_case(&agency) {
                tx.rollback().await?;
                return Ok(Imported::Refused(format!(
                    "{} is from agency {theirs}, but the docket is {agency}'s",
                    record.public_id
                )));
            }
        }
        let existing = sqlx::query(
            "SELECT public_id FROM comments WHERE public_id = $1 OR tracking_number = $2",
        )
        .bind(&record.public_id)
        .bind(&record.tracking_number)
        .fetch_all(&mut **tx)
        .await?;
        if let Some(row) = existing.first() {
            let public_id: Option<String> = row.try_get("public_id")?;
            tx.rollback().await?;
            return Ok(if public_id.as_deref() == Some(record.public_id.as_str()) {
                Imported::AlreadyThere
            } else {
                Imported::Refused(format!(
                    "tracking number {} is already used by another comment",
                    record.tracking_number
                ))
            });
        }
        let document = sqlx::query("SELECT docket_id FROM documents WHERE id = $1")
            .bind(&record.document_id)
            .fetch_optional(&mut **tx)
            .await?;
        match document {
            Some(row) if row.try_get::<String, _>("docket_id")? != record.docket_id => {
                tx.rollback().await?;
                return Ok(Imported::Refused(format!(
                    "{} is on document {}, which belongs to another docket",
                    record.public_id, record.document_id
                )));
            }
            Some(_) => {
                sqlx::query(
                    "UPDATE documents SET object_id = $1 WHERE id = $2 AND object_id IS NULL",
                )
                .bind(&record.document_object_id)
                .bind(&record.document_id)
                .execute(&mut **tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO documents (id, docket_id, title, summary, body_markdown, published_at,
                         last_modified_at, object_id, document_type)
                     VALUES ($1, $2, $3, '', '', $4, $4, $5, 'Other')",
                )
                .bind(&record.document_id)
                .bind(&record.docket_id)
                .bind(format!("Document {}", record.document_id))
                .bind(to_millis(record.received_at))
                .bind(&record.document_object_id)
                .execute(&mut **tx)
                .await?;
            }
        }
        let key = IdempotencyKey::derived(&format!("import:{}", record.public_id));
        let row = sqlx::query(
            "INSERT INTO comments (tracking_number, idempotency_key, docket_id, window_id, document_id,
                 submitter_type, first_name, last_name, organization, city, state_province_region,
                 country, body, received_at, late, status, public_id, posted_at, moderated_at,
                 object_id, title, category, duplicate_comments)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'posted', $16,
                 $17, $17, $18, $19, $20, $21)
             RETURNING id",
        )
        .bind(&record.tracking_number)
        .bind(key.as_str())
        .bind(&record.docket_id)
        .bind(window)
        .bind(&record.document_id)
        .bind(record.submitter_type)
        .bind(&record.first_name)
        .bind(&record.last_name)
        .bind(&record.organization)
        .bind(&record.city)
        .bind(&record.state_province_region)
        .bind(&record.country)
        .bind(&record.body)
        .bind(to_millis(record.received_at))
        .bind(i64::from(to_millis(record.received_at) >= closes_at))
        .bind(&record.public_id)
        .bind(to_millis(record.posted_at))
        // Kept for every imported comment: it also marks the comment as published elsewhere
        // first, so its tracking number is public (see the API's comment reader).
        .bind(
            record
                .object_id
                .clone()
                .unwrap_or_else(|| crate::api::derived_object_id("comment", &record.public_id)),
        )
        .bind(&record.title)
        .bind(&record.category)
        .bind(record.duplicate_comments)
        .fetch_one(&mut **tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        record_change(&mut tx, id, ChangeKind::Received, now).await?;
        // Served back unchanged: its lastModifiedDate is regulations.gov's, not the import's.
        sqlx::query("UPDATE comments SET last_modified_at = $1 WHERE id = $2")
            .bind(to_millis(record.modified_at))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        tx.commit().await?;
        Ok(Imported::Added)
    }

    /// Stores a paper comment typed in by staff: pending moderation like any new comment, late
    /// if it was received after the deadline (whatever the day it is typed in).
    pub async fn import_paper_comment(
        &self,
        docket: &str,
        record: &PaperRecord,
        now: DateTime<Utc>,
    ) -> Result<Imported, StoreError> {
        let key = IdempotencyKey::derived(&record.seed);
        let comment = &record.comment;
        // A tracking-number collision (1 in 10^17 per pair) is retried with a new number.
        for _ in 0..5 {
            let mut tx = self.begin_write().await?;
            let Some((_, window, closes_at)) = docket_window(&mut tx, docket).await? else {
                tx.rollback().await?;
                return Ok(Imported::Refused(format!("there is no docket {docket}")));
            };
            let done = sqlx::query("SELECT 1 FROM comments WHERE idempotency_key = $1")
                .bind(key.as_str())
                .fetch_optional(&mut **tx)
                .await?;
            if done.is_some() {
                tx.rollback().await?;
                return Ok(Imported::AlreadyThere);
            }
            let query = sqlx::query(
                "INSERT INTO comments (tracking_number, idempotency_key, docket_id, window_id, document_id,
                     submitter_type, first_name, last_name, organization, city, state_province_region,
                     country, body, received_at, late, status)
                 SELECT $1, $2, $3, $4, (SELECT MIN(doc.id) FROM documents doc WHERE doc.docket_id = $3),
                     $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'pending'
                 ON CONFLICT DO NOTHING
                 RETURNING id",
            )
            .bind(TrackingNumber::generate().as_str().to_owned())
            .bind(key.as_str())
            .bind(docket)
            .bind(window);
            let inserted = bind_person(query, comment)
                .bind(&comment.body)
                .bind(to_millis(record.received_at))
                .bind(i64::from(to_millis(record.received_at) >= closes_at))
                .fetch_optional(&mut **tx)
                .await?;
            let Some(row) = inserted else {
                tx.rollback().await?;
                continue;
            };
            let id: i64 = row.try_get("id")?;
            record_change(&mut tx, id, ChangeKind::Received, now).await?;
            tx.commit().await?;
            return Ok(Imported::Added);
        }
        Err(StoreError::Corrupt(
            "could not find a free tracking number".to_owned(),
        ))
    }
}
