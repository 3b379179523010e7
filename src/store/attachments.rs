//! Attachments in the database: stored with their comment in one transaction, listed per comment,
//! and looked up (with the comment's status) before a file is served.

use super::audit::{audit, Actor, AuditRecord};
use super::{placeholders, record_change, ChangeKind, Store, StoreError};
use crate::attachment::{
    public_info, AttachmentFile, AttachmentInfo, AttachmentKind, AttachmentVersion, RedactedFile,
    StoredAttachment, SHOWN_TEXT_CHARS,
};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

fn kind_from(raw: &str) -> Result<AttachmentKind, StoreError> {
    AttachmentKind::parse(raw)
        .ok_or_else(|| StoreError::Corrupt(format!("attachment kind {raw:?}")))
}

/// The columns `info_from_row` reads, prefixed with the attachments table's alias. A file's text
/// is read only as far as pages show it (one character more, to know it was cut).
const INFO_COLUMNS: &str = "a.id, a.comment_id, a.file_name, a.kind, a.size_bytes, a.withheld,
    substr(a.extracted_text, 1, 2001) AS extracted_text, a.extraction_error, a.redacted_kind,
    a.redacted_size_bytes, a.redacted_error";

fn info_from_row(row: &AnyRow) -> Result<AttachmentInfo, StoreError> {
    let kind: String = row.try_get("kind")?;
    let redacted = match row.try_get::<Option<String>, _>("redacted_kind")? {
        Some(kind) => Some(RedactedFile {
            kind: kind_from(&kind)?,
            size_bytes: row.try_get("redacted_size_bytes")?,
            text_problem: row.try_get("redacted_error")?,
        }),
        None => None,
    };
    let mut text: Option<String> = row.try_get("extracted_text")?;
    let text_cut =
        text.as_mut()
            .is_some_and(|text| match text.char_indices().nth(SHOWN_TEXT_CHARS) {
                Some((cut, _)) => {
                    text.truncate(cut);
                    true
                }
                None => false,
            });
    Ok(AttachmentInfo {
        id: row.try_get("id")?,
        file_name: row.try_get("file_name")?,
        kind: kind_from(&kind)?,
        size_bytes: row.try_get("size_bytes")?,
        withheld: row.try_get::<i64, _>("withheld")? != 0,
        text,
        text_cut,
        text_problem: row.try_get("extraction_error")?,
        redacted,
    })
}

/// Runs `update` on attachment `id`, then notes the change to its comment and audits it.
/// Returns false when there is no such attachment.
async fn change_attachment<'q>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    update: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    action: &'static str,
    after: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if update.execute(&mut **tx).await?.rows_affected() == 0 {
        return Ok(false);
    }
    let row = sqlx::query("SELECT comment_id FROM attachments WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    record_change(tx, row.try_get("comment_id")?, ChangeKind::Attachment, now).await?;
    let record = AuditRecord {
        action,
        object_type: "attachment",
        object_id: &id.to_string(),
        before: None,
        after: Some(after),
    };
    audit(tx, actor, record, now).await?;
    Ok(true)
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
    /// Bytes of the files attached to a docket's comments (a file attached twice counts twice).
    pub async fn docket_attachment_bytes(
        &self,
        docket_id: &crate::docket::DocketId,
    ) -> Result<u64, StoreError> {
        // PostgreSQL sums BIGINT as NUMERIC: cast back so both databases answer an integer.
        let total: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(a.size_bytes), 0) AS BIGINT) FROM attachments a
             JOIN comments c ON c.id = a.comment_id WHERE c.docket_id = $1",
        )
        .bind(docket_id.as_str())
        .fetch_one(self.pool())
        .await?;
        Ok(total.max(0) as u64)
    }

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
            "SELECT {INFO_COLUMNS} FROM attachments a
             WHERE a.comment_id IN ({}) ORDER BY a.comment_id, a.position",
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

    /// The files the public may download from the posted comment `public_id`, each as the public
    /// gets it (the redacted version where there is one), without staff-only details.
    pub async fn public_attachments(
        &self,
        public_id: &str,
    ) -> Result<Vec<AttachmentInfo>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {INFO_COLUMNS} FROM attachments a JOIN comments c ON c.id = a.comment_id
             WHERE c.public_id = $1 AND c.status = 'posted' AND a.withheld = 0
             ORDER BY a.position"
        ))
        .bind(public_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok(public_info(info_from_row(row)?)))
            .collect()
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
        let update = sqlx::query("UPDATE attachments SET withheld = $1 WHERE id = $2")
            .bind(i64::from(withheld))
            .bind(id);
        let (action, after) = if withheld {
            ("attachment.withhold", "withheld")
        } else {
            ("attachment.release", "public with its comment")
        };
        let changed = change_attachment(&mut tx, id, update, action, after, actor, now).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Gives the public a redacted version of a file instead of the original (`Some`, the file
    /// already on disk), or the original again (`None`). The redacted version's text is extracted
    /// in the background like any file's. Returns the digest of the redacted version it replaced
    /// (`Ok(None)` when there is no such attachment).
    pub async fn set_attachment_redaction(
        &self,
        id: i64,
        redacted: Option<&StoredAttachment>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<Option<String>>, StoreError> {
        let mut tx = self.begin_write().await?;
        let previous = sqlx::query("SELECT redacted_sha256 FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(previous) = previous else {
            tx.rollback().await?;
            return Ok(None);
        };
        let previous: Option<String> = previous.try_get("redacted_sha256")?;
        let update = sqlx::query(
            "UPDATE attachments SET redacted_sha256 = $1, redacted_kind = $2,
                    redacted_size_bytes = $3, redacted_extraction = $4, redacted_text = NULL,
                    redacted_error = NULL
             WHERE id = $5",
        )
        .bind(redacted.map(|file| file.sha256.clone()))
        .bind(redacted.map(|file| file.kind.as_str()))
        .bind(redacted.map(|file| file.size_bytes))
        .bind(redacted.map(|_| "waiting"))
        .bind(id);
        let (action, after) = match redacted {
            Some(_) => ("attachment.redact", "redacted version public"),
            None => ("attachment.unredact", "original public"),
        };
        change_attachment(&mut tx, id, update, action, after, actor, now).await?;
        tx.commit().await?;
        Ok(Some(previous))
    }

    /// Files whose text has not been extracted yet, oldest first: (attachment id, which version,
    /// kind, sha256).
    pub async fn attachments_waiting_for_text(
        &self,
        limit: i64,
    ) -> Result<Vec<(i64, AttachmentVersion, AttachmentKind, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, 'original' AS version, kind, sha256 FROM attachments
             WHERE extraction = 'waiting'
             UNION ALL
             SELECT id, 'redacted' AS version, redacted_kind AS kind, redacted_sha256 AS sha256
             FROM attachments WHERE redacted_extraction = 'waiting'
             ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let version = if row.try_get::<String, _>("version")? == "redacted" {
                    AttachmentVersion::Redacted
                } else {
                    AttachmentVersion::Original
                };
                let kind: String = row.try_get("kind")?;
                Ok((
                    row.try_get("id")?,
                    version,
                    kind_from(&kind)?,
                    row.try_get("sha256")?,
                ))
            })
            .collect()
    }

    /// Records what extracting an attachment's text gave: `Ok(text)`, `Ok(None)` for a file
    /// without text (an image), or the reason it failed. The comment is then indexed again, and
    /// if it is in no campaign yet it is placed again with the file's text (see
    /// `assign_campaign`): a form letter sent as a PDF behind "See attached" joins its campaign.
    /// The text of a redacted version only re-indexes the comment (public search reads it).
    pub async fn record_extraction(
        &self,
        id: i64,
        version: AttachmentVersion,
        outcome: Result<Option<String>, String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let has_text = matches!(&outcome, Ok(Some(text)) if !text.trim().is_empty())
            && version == AttachmentVersion::Original;
        let (state, text, error) = match outcome {
            Ok(Some(text)) => ("done", Some(text), None),
            Ok(None) => ("none", None, None),
            Err(reason) => ("failed", None, Some(reason)),
        };
        let (state_column, text_column, error_column) = match version {
            AttachmentVersion::Original => ("extraction", "extracted_text", "extraction_error"),
            AttachmentVersion::Redacted => {
                ("redacted_extraction", "redacted_text", "redacted_error")
            }
        };
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "UPDATE attachments SET {state_column} = $1, {text_column} = $2, {error_column} = $3
             WHERE id = $4 AND {state_column} = 'waiting' RETURNING comment_id"
        ))
        .bind(state)
        .bind(text)
        .bind(error)
        .bind(id)
        .fetch_optional(&mut **tx)
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
                .execute(&mut **tx)
                .await?
                .rows_affected();
                if reset > 0 {
                    for table in ["campaign_bands", "campaign_examples"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE comment_id = $1"))
                            .bind(comment_id)
                            .execute(&mut **tx)
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
        self.attachment_texts_up_to(comment_ids, None).await
    }

    /// `attachment_texts`, each file's text read only up to `max_chars` when given.
    async fn attachment_texts_up_to(
        &self,
        comment_ids: &[i64],
        max_chars: Option<usize>,
    ) -> Result<HashMap<i64, (String, String)>, StoreError> {
        let mut out: HashMap<i64, (String, String)> = HashMap::new();
        if comment_ids.is_empty() {
            return Ok(out);
        }
        let text = |column: &str| match max_chars {
            Some(max) => format!("substr({column}, 1, {max}) AS {column}"),
            None => column.to_owned(),
        };
        let sql = format!(
            "SELECT comment_id, {}, withheld, redacted_sha256, {}
             FROM attachments
             WHERE (extraction = 'done' OR redacted_extraction = 'done') AND comment_id IN ({})
             ORDER BY comment_id, position",
            text("extracted_text"),
            text("redacted_text"),
            placeholders(1, comment_ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in comment_ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(self.pool()).await? {
            let text: Option<String> = row.try_get("extracted_text")?;
            let public = if row.try_get::<i64, _>("withheld")? != 0 {
                None
            } else if row
                .try_get::<Option<String>, _>("redacted_sha256")?
                .is_some()
            {
                row.try_get("redacted_text")?
            } else {
                text.clone()
            };
            let entry = out.entry(row.try_get("comment_id")?).or_default();
            for (all, part) in [(&mut entry.0, text), (&mut entry.1, public)] {
                if let Some(part) = part {
                    all.push_str(&part);
                    all.push('\n');
                }
            }
        }
        Ok(out)
    }

    /// Each comment's text followed by the text of its attached files (only what the public may
    /// search when `public`): a letter sent as a PDF behind "See attached" reads as the letter.
    /// Each file is read up to `max_chars` (campaign detection's `MAX_DETECTION_CHARS`).
    pub async fn with_file_texts(
        &self,
        texts: Vec<(i64, String)>,
        public: bool,
        max_chars: usize,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let ids: Vec<i64> = texts.iter().map(|(id, _)| *id).collect();
        let mut files = self.attachment_texts_up_to(&ids, Some(max_chars)).await?;
        Ok(texts
            .into_iter()
            .map(|(id, text)| {
                let (all, public_part) = files.remove(&id).unwrap_or_default();
                let extra = if public { public_part } else { all };
                if extra.trim().is_empty() {
                    (id, text)
                } else {
                    (id, format!("{text}\n\n{}", extra.trim_end()))
                }
            })
            .collect())
    }

    /// Whether any attachment is stored with these bytes.
    pub async fn attachment_bytes_in_use(&self, sha256: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 FROM attachments WHERE sha256 = $1 OR redacted_sha256 = $1 LIMIT 1",
        )
        .bind(sha256)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// One attachment with what serving it needs.
    pub async fn attachment_file(&self, id: i64) -> Result<Option<AttachmentFile>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {INFO_COLUMNS}, a.sha256, a.redacted_sha256, c.status AS comment_status
             FROM attachments a JOIN comments c ON c.id = a.comment_id WHERE a.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(AttachmentFile {
                info: info_from_row(&row)?,
                comment_id: row.try_get("comment_id")?,
                sha256: row.try_get("sha256")?,
                redacted_sha256: row.try_get("redacted_sha256")?,
                comment_status: row.try_get("comment_status")?,
            })
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_read_one_character_more_of_a_text_than_they_show() {
        assert!(INFO_COLUMNS.contains(&format!(
            "substr(a.extracted_text, 1, {})",
            SHOWN_TEXT_CHARS + 1
        )));
    }
}
