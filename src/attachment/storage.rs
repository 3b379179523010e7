//! Attachments in the database: stored with their comment in one transaction, listed per comment,
//! and looked up (with the comment's status) before a file is served.

use super::{AttachmentInfo, AttachmentKind};
use crate::accounts::{audit, Actor, AuditRecord};
use crate::store::{placeholders, record_change, ChangeKind, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// A file already on disk, to be recorded with its comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    pub file_name: String,
    pub kind: AttachmentKind,
    pub sha256: String,
    pub size_bytes: i64,
}

/// What serving a file needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentFile {
    pub info: AttachmentInfo,
    pub comment_id: i64,
    pub sha256: String,
    /// The status of the comment that carries it.
    pub comment_status: String,
}

fn info_from_row(row: &AnyRow) -> Result<AttachmentInfo, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(AttachmentInfo {
        id: row.try_get("id")?,
        file_name: row.try_get("file_name")?,
        kind: AttachmentKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("attachment kind {kind:?}")))?,
        size_bytes: row.try_get("size_bytes")?,
        withheld: row.try_get::<i64, _>("withheld")? != 0,
        text: row.try_get("extracted_text")?,
        text_problem: row.try_get("extraction_error")?,
    })
}

/// Records a new comment's attachments, in the transaction that stores the comment.
pub(crate) async fn insert_attachments(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    comment_id: i64,
    attachments: &[StoredAttachment],
) -> Result<(), StoreError> {
    for (position, a) in attachments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO attachments (comment_id, position, sha256, file_name, kind, size_bytes)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(comment_id)
        .bind(position as i64)
        .bind(&a.sha256)
        .bind(&a.file_name)
        .bind(a.kind.as_str())
        .bind(a.size_bytes)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The attachments of each of these comments, in the order they were attached.
    pub async fn attachments_of(
        &self,
        comment_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<AttachmentInfo>>, StoreError> {
        let mut out: HashMap<i64, Vec<AttachmentInfo>> = HashMap::new();
        if comment_ids.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT id, comment_id, file_name, kind, size_bytes, withheld, extracted_text, extraction_error
             FROM attachments WHERE comment_id IN ({}) ORDER BY comment_id, position",
            placeholders(1, comment_ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in comment_ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(self.pool()).await? {
            out.entry(row.try_get("comment_id")?)
                .or_default()
                .push(info_from_row(&row)?);
        }
        Ok(out)
    }

    /// The files the public may download from the posted comment `public_id`.
    pub async fn public_attachments(
        &self,
        public_id: &str,
    ) -> Result<Vec<AttachmentInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.file_name, a.kind, a.size_bytes, a.withheld, CAST(NULL AS TEXT) AS extracted_text,
                    CAST(NULL AS TEXT) AS extraction_error
             FROM attachments a JOIN comments c ON c.id = a.comment_id
             WHERE c.public_id = $1 AND c.status = 'posted' AND a.withheld = 0
             ORDER BY a.position",
        )
        .bind(public_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(info_from_row).collect()
    }

    /// Withholds a file from the public (or gives it back), separately from its comment.
    /// Returns false when there is no such attachment.
    pub async fn set_attachment_withheld(
        &self,
        id: i64,
        withheld: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let row =
            sqlx::query("UPDATE attachments SET withheld = $1 WHERE id = $2 RETURNING comment_id")
                .bind(i64::from(withheld))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(false);
        };
        record_change(
            &mut tx,
            row.try_get("comment_id")?,
            ChangeKind::Attachment,
            now,
        )
        .await?;
        let record = AuditRecord {
            action: if withheld {
                "attachment.withhold"
            } else {
                "attachment.release"
            },
            object_type: "attachment",
            object_id: &id.to_string(),
            before: None,
            after: Some(if withheld {
                "withheld"
            } else {
                "public with its comment"
            }),
        };
        audit(&mut tx, actor, record, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Attachments whose text has not been extracted yet, oldest first: (id, kind, sha256).
    pub async fn attachments_waiting_for_text(
        &self,
        limit: i64,
    ) -> Result<Vec<(i64, AttachmentKind, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, sha256 FROM attachments WHERE extraction = 'waiting' ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok((
                    row.try_get("id")?,
                    AttachmentKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("attachment kind {kind:?}")))?,
                    row.try_get("sha256")?,
                ))
            })
            .collect()
    }

    /// Records what extracting an attachment's text gave: `Ok(text)`, `Ok(None)` for a file
    /// without text (an image), or the reason it failed. The comment is then indexed again, and
    /// if it is in no campaign yet it is placed again with the file's text (see
    /// `assign_campaign`): a form letter sent as a PDF behind "See attached" joins its campaign.
    pub async fn record_extraction(
        &self,
        id: i64,
        outcome: Result<Option<String>, String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let has_text = matches!(&outcome, Ok(Some(text)) if !text.trim().is_empty());
        let (state, text, error) = match outcome {
            Ok(Some(text)) => ("done", Some(text), None),
            Ok(None) => ("none", None, None),
            Err(reason) => ("failed", None, Some(reason)),
        };
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE attachments SET extraction = $1, extracted_text = $2, extraction_error = $3
             WHERE id = $4 AND extraction = 'waiting' RETURNING comment_id",
        )
        .bind(state)
        .bind(text)
        .bind(error)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let mut place_again = None;
        if let Some(row) = row {
            let comment_id: i64 = row.try_get("comment_id")?;
            record_change(&mut tx, comment_id, ChangeKind::Attachment, now).await?;
            if has_text {
                // Not in a campaign means no copy joined it either, so its example can go.
                let reset = sqlx::query(
                    "UPDATE comments SET campaign_checked = 0, text_hash = NULL
                     WHERE id = $1 AND campaign_id IS NULL AND campaign_excluded = 0",
                )
                .bind(comment_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if reset > 0 {
                    for table in ["campaign_bands", "campaign_examples"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE comment_id = $1"))
                            .bind(comment_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    place_again = Some(comment_id);
                }
            }
        }
        tx.commit().await?;
        if let Some(comment_id) = place_again {
            self.assign_campaign(comment_id, now).await?;
        }
        Ok(())
    }

    /// The extracted text of each comment's attachments, for the search index: (all of it, the
    /// part the public may search once the comment is posted).
    pub async fn attachment_texts(
        &self,
        comment_ids: &[i64],
    ) -> Result<HashMap<i64, (String, String)>, StoreError> {
        let mut out: HashMap<i64, (String, String)> = HashMap::new();
        if comment_ids.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT comment_id, extracted_text, withheld FROM attachments
             WHERE extraction = 'done' AND comment_id IN ({}) ORDER BY comment_id, position",
            placeholders(1, comment_ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in comment_ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(self.pool()).await? {
            let text: String = row
                .try_get::<Option<String>, _>("extracted_text")?
                .unwrap_or_default();
            let entry = out.entry(row.try_get("comment_id")?).or_default();
            entry.0.push_str(&text);
            entry.0.push('\n');
            if row.try_get::<i64, _>("withheld")? == 0 {
                entry.1.push_str(&text);
                entry.1.push('\n');
            }
        }
        Ok(out)
    }

    /// Whether any attachment is stored with these bytes.
    pub async fn attachment_bytes_in_use(&self, sha256: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM attachments WHERE sha256 = $1 LIMIT 1")
            .bind(sha256)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// One attachment with what serving it needs.
    pub async fn attachment_file(&self, id: i64) -> Result<Option<AttachmentFile>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.comment_id, a.file_name, a.kind, a.size_bytes, a.withheld, a.sha256,
                    a.extracted_text, a.extraction_error, c.status AS comment_status
             FROM attachments a JOIN comments c ON c.id = a.comment_id WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(AttachmentFile {
                info: info_from_row(&row)?,
                comment_id: row.try_get("comment_id")?,
                sha256: row.try_get("sha256")?,
                comment_status: row.try_get("comment_status")?,
            })
        })
        .transpose()
    }
}
