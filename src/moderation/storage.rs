//! Moderation in the database: the queue, decisions with their version checks, and what the
//! public may read of posted comments.

use super::*;
use crate::accounts::{audit, Actor, AuditRecord};
use crate::redaction::{encode, redact_phrases, RedactionError};
use crate::store::{from_millis, record_change, to_millis, ChangeKind, Store, StoreError};
use sqlx::Row;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ModerationError {
    #[error("there is no such comment")]
    NotFound,
    #[error("someone else changed this comment first; it is now {current:?}")]
    Stale {
        current: CommentStatus,
        by: Option<String>,
    },
    #[error("withholding for another reason needs a note saying why")]
    NoteRequired,
    #[error(transparent)]
    Redaction(RedactionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ModerationError {
    fn from(e: sqlx::Error) -> Self {
        ModerationError::Store(e.into())
    }
}

pub(super) fn display_name(
    kind: &str,
    first: Option<String>,
    last: Option<String>,
    organization: Option<String>,
) -> String {
    match kind {
        "organization" => organization.unwrap_or_default(),
        "individual" => [first, last]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        _ => "Anonymous".to_owned(),
    }
}

/// The name shown for the submitter of the comment in `row` (its name columns), of `kind`.
pub(super) fn name_in_row(row: &sqlx::any::AnyRow, kind: &str) -> Result<String, sqlx::Error> {
    Ok(display_name(
        kind,
        row.try_get("first_name")?,
        row.try_get("last_name")?,
        row.try_get("organization")?,
    ))
}

/// What the queue and a comment's staff page read of a comment, and from where.
pub(super) const STAFF_COLUMNS: &str =
    "c.id, c.version, c.docket_id, d.title, a.time_zone, c.received_at, c.late,
        c.submitter_type, c.first_name, c.last_name, c.organization, c.email, c.body, c.flags,
        c.campaign_id, c.held,
        (SELECT COUNT(*) FROM comments m WHERE m.campaign_id = c.campaign_id) AS copies";
pub(super) const STAFF_FROM: &str =
    "FROM comments c JOIN dockets d ON d.id = c.docket_id JOIN agencies a ON a.code = d.agency_code";

pub(super) fn queue_item_from_row(row: &sqlx::any::AnyRow) -> Result<QueueItem, StoreError> {
    let kind: String = row.try_get("submitter_type")?;
    Ok(QueueItem {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        docket_id: row.try_get("docket_id")?,
        docket_title: row.try_get("title")?,
        time_zone: row.try_get("time_zone")?,
        received_at: from_millis(row.try_get("received_at")?)?,
        late: row.try_get::<i64, _>("late")? != 0,
        name: name_in_row(row, &kind)?,
        submitter_type: kind,
        email: row.try_get("email")?,
        body: row.try_get("body")?,
        flags: row
            .try_get::<String, _>("flags")?
            .split(',')
            .filter_map(crate::flags::FlagKind::parse)
            .map(|k| k.label().to_owned())
            .collect(),
        campaign: row
            .try_get::<Option<i64>, _>("campaign_id")?
            .map(|id| Ok::<_, sqlx::Error>((id, row.try_get("copies")?)))
            .transpose()?,
        held: row.try_get::<i64, _>("held")? != 0,
    })
}

impl Store {
    /// Comments awaiting a decision, oldest first.
    pub async fn moderation_queue(
        &self,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<QueueItem>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS} {STAFF_FROM}
             WHERE c.status = 'pending' AND c.awaiting_confirmation = 0
             ORDER BY c.held, c.received_at, c.id LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(queue_item_from_row).collect()
    }

    /// One comment as staff see it, found by its number or its public id; `None` when there is
    /// no such comment.
    pub async fn staff_comment(&self, id: &str) -> Result<Option<StaffComment>, StoreError> {
        let number = id.parse::<i64>().ok();
        // Anything else that cannot be a public id (a NUL byte, which PostgreSQL refuses in
        // text, or 10,000 characters) is no comment, without asking the database.
        if number.is_none() && !could_be_public_id(id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {STAFF_COLUMNS}, c.status, c.public_id, c.withheld_reason, c.redacted_body,
                 u.email AS moderator
             {STAFF_FROM} LEFT JOIN staff_users u ON u.id = c.moderated_by WHERE {} = $1",
            if number.is_some() {
                "c.id"
            } else {
                "c.public_id"
            }
        );
        let query = sqlx::query(&sql);
        let query = match number {
            Some(number) => query.bind(number),
            None => query.bind(id),
        };
        let Some(row) = query.fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let status: String = row.try_get("status")?;
        Ok(Some(StaffComment {
            item: queue_item_from_row(&row)?,
            status: CommentStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?,
            public_id: row.try_get("public_id")?,
            reason: row
                .try_get::<Option<String>, _>("withheld_reason")?
                .as_deref()
                .and_then(WithholdReason::parse),
            redacted_body: row.try_get("redacted_body")?,
            decided_by: row.try_get("moderator")?,
        }))
    }

    /// Bursts among the comments awaiting a decision, largest first.
    pub async fn bursts(&self, limit: i64) -> Result<Vec<Burst>, StoreError> {
        // The window length is a constant written into the statement, so that the grouping
        // expression is the same in SELECT and GROUP BY for every database.
        let sql = format!(
            "SELECT c.docket_id, a.time_zone, c.network_hash, c.received_at / {BURST_WINDOW_MS} AS burst_window,
                    COUNT(*) AS n, COUNT(CASE WHEN c.held = 1 THEN 1 END) AS held,
                    MIN(c.received_at) AS first, MAX(c.received_at) AS last
             FROM comments c JOIN dockets d ON d.id = c.docket_id JOIN agencies a ON a.code = d.agency_code
             WHERE c.status = 'pending' AND c.awaiting_confirmation = 0 AND c.network_hash IS NOT NULL
             GROUP BY c.docket_id, a.time_zone, c.network_hash, c.received_at / {BURST_WINDOW_MS}
             HAVING COUNT(*) >= $1
             ORDER BY n DESC, first LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(BURST_MIN_COMMENTS)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Burst {
                    docket_id: row.try_get("docket_id")?,
                    time_zone: row.try_get("time_zone")?,
                    network: row.try_get("network_hash")?,
                    window: row.try_get("burst_window")?,
                    comments: row.try_get("n")?,
                    held: row.try_get("held")?,
                    first: from_millis(row.try_get("first")?)?,
                    last: from_millis(row.try_get("last")?)?,
                })
            })
            .collect()
    }

    /// Holds every comment awaiting a decision in one burst; returns how many were held now.
    pub async fn hold_burst(
        &self,
        docket_id: &str,
        network: &str,
        window: i64,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let start = window.saturating_mul(BURST_WINDOW_MS);
        let mut tx = self.begin_write().await?;
        let held = sqlx::query(
            "UPDATE comments SET held = 1, version = version + 1
             WHERE docket_id = $1 AND network_hash = $2 AND received_at >= $3 AND received_at < $4
               AND status = 'pending' AND held = 0",
        )
        .bind(docket_id)
        .bind(network)
        .bind(start)
        .bind(start.saturating_add(BURST_WINDOW_MS))
        .execute(&mut **tx)
        .await?
        .rows_affected();
        let after = format!("{held} comments held");
        let record = AuditRecord {
            action: "comments.hold_burst",
            object_type: "docket",
            object_id: docket_id,
            before: None,
            after: Some(&after),
        };
        audit(&mut tx, actor, record, now).await?;
        tx.commit().await?;
        Ok(held)
    }

    /// Which of these comments are held (a bulk decision to post leaves them).
    pub async fn held_among(&self, ids: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut held = Vec::new();
        // In slices, so a form with thousands of ticks stays within the database's parameter limit.
        for slice in ids.chunks(500) {
            let list = (1..=slice.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT id FROM comments WHERE held = 1 AND id IN ({list})");
            let mut query = sqlx::query(&sql);
            for id in slice {
                query = query.bind(*id);
            }
            for row in query.fetch_all(self.pool()).await? {
                held.push(row.try_get("id")?);
            }
        }
        Ok(held)
    }

    pub async fn pending_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM comment_counts
             WHERE status = 'pending' AND reason = ''",
        )
        .fetch_one(self.pool())
        .await?
        .try_get(0)?)
    }

    /// Applies a decision made while looking at `expected_version` of the comment. If anyone
    /// changed the comment since, nothing is written and the current state is returned in the error.
    pub async fn moderate(
        &self,
        comment_id: i64,
        expected_version: i64,
        decision: &Decision,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CommentStatus, ModerationError> {
        if let Decision::Withhold {
            reason: WithholdReason::Other,
            note,
        } = decision
        {
            if note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                return Err(ModerationError::NoteRequired);
            }
        }
        let actor_id = actor.id();
        for _ in 0..5 {
            let mut tx = self.begin_write().await?;
            let current = sqlx::query(
                "SELECT docket_id, status, version, body, public_id FROM comments WHERE id = $1",
            )
            .bind(comment_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(ModerationError::NotFound)?;
            let before: String = current.try_get("status")?;
            let docket_id: String = current.try_get("docket_id")?;
            let body: String = current.try_get("body")?;
            let (redactions, redacted_body) = match decision {
                Decision::Post { redact } => {
                    match redact_phrases(&body, redact).map_err(ModerationError::Redaction)? {
                        Some((spans, posted)) => (spans, Some(posted)),
                        None => (Vec::new(), None),
                    }
                }
                _ => (Vec::new(), None),
            };
            let (status, reason, note, public_id) = match decision {
                Decision::Post { .. } => (
                    CommentStatus::Posted,
                    None,
                    None,
                    match current.try_get::<Option<String>, _>("public_id")? {
                        Some(numbered) => Some(numbered),
                        None => Some(next_public_id(&mut tx, &docket_id).await?),
                    },
                ),
                Decision::Withhold { reason, note } => (
                    CommentStatus::Withheld,
                    Some(reason.as_str()),
                    note.as_deref(),
                    None,
                ),
                Decision::Restore => (CommentStatus::Pending, None, None, None),
            };
            let updated = sqlx::query(
                "UPDATE comments SET status = $1, withheld_reason = $2, moderation_note = $3,
                     public_id = COALESCE(public_id, $4),
                     posted_at = CASE WHEN $1 = 'posted' THEN COALESCE(posted_at, $5) ELSE posted_at END,
                     moderated_by = $6, moderated_at = $5, version = version + 1,
                     redactions = $9, redacted_body = $10
                 WHERE id = $7 AND version = $8",
            )
            .bind(status.as_str())
            .bind(reason)
            .bind(note)
            .bind(public_id.as_deref())
            .bind(to_millis(now))
            .bind(actor_id)
            .bind(comment_id)
            .bind(expected_version)
            .bind((!redactions.is_empty()).then(|| encode(&redactions)))
            .bind(redacted_body.as_deref())
            .execute(&mut **tx)
            .await;
            let updated = match updated {
                Ok(result) => result.rows_affected(),
                // Two posts on one docket drew the same public number: draw again.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
                Err(e) => return Err(e.into()),
            };
            if updated == 0 {
                tx.rollback().await?;
                return Err(self.stale(comment_id).await?);
            }
            let after = match (reason, redactions.is_empty()) {
                (Some(reason), _) => format!("withheld ({reason})"),
                (None, true) => status.as_str().to_owned(),
                (None, false) => format!("posted with redactions {}", encode(&redactions)),
            };
            let record = AuditRecord {
                action: if matches!(decision, Decision::Restore) {
                    "comment.restore"
                } else {
                    "comment.moderate"
                },
                object_type: "comment",
                object_id: &comment_id.to_string(),
                before: Some(&before),
                after: Some(&after),
            };
            audit(&mut tx, actor, record, now).await?;
            record_change(&mut tx, comment_id, ChangeKind::Moderated, now).await?;
            tx.commit().await?;
            return Ok(status);
        }
        Err(StoreError::Corrupt("could not number the posted comment".into()).into())
    }

    async fn stale(&self, comment_id: i64) -> Result<ModerationError, StoreError> {
        let row = sqlx::query(
            "SELECT c.status, u.email FROM comments c LEFT JOIN staff_users u ON u.id = c.moderated_by WHERE c.id = $1",
        )
        .bind(comment_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(ModerationError::NotFound);
        };
        let status: String = row.try_get("status")?;
        Ok(ModerationError::Stale {
            current: CommentStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?,
            by: row.try_get("email")?,
        })
    }

    /// Posted comments on a docket, newest first.
    pub async fn posted_comments(
        &self,
        docket_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<PublicComment>, StoreError> {
        self.posted_in_order(docket_id, "DESC", limit, offset).await
    }

    /// The posted comments at `offset` (newest first) of a docket that has `posted` of them. A
    /// page nearer the oldest end is read from that end, so a typed page number costs at most
    /// half the docket's posted comments in skipped index entries, and the oldest pages almost
    /// nothing.
    pub async fn posted_comments_at(
        &self,
        docket_id: &str,
        limit: i64,
        offset: i64,
        posted: i64,
    ) -> Result<Vec<PublicComment>, StoreError> {
        let Some((oldest_first_offset, count)) = from_the_oldest_end(limit, offset, posted) else {
            return self.posted_comments(docket_id, limit, offset).await;
        };
        let mut page = self
            .posted_in_order(docket_id, "ASC", count, oldest_first_offset)
            .await?;
        page.reverse();
        Ok(page)
    }

    /// `direction` is `ASC` (oldest first) or `DESC`.
    async fn posted_in_order(
        &self,
        docket_id: &str,
        direction: &'static str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<PublicComment>, StoreError> {
        // The offset is skipped in the inner query, which reads only the (docket, status,
        // posted_at) index: SQLite would otherwise read every skipped comment's row.
        let rows = sqlx::query(&format!(
            "{PUBLIC_SELECT} WHERE c.id IN (
                 SELECT id FROM comments WHERE docket_id = $1 AND status = 'posted'
                 ORDER BY posted_at {direction}, id {direction} LIMIT $2 OFFSET $3)
             ORDER BY c.posted_at {direction}, c.id {direction}"
        ))
        .bind(docket_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(public_from_row).collect()
    }

    /// A page of a docket's posted comments, newest first, read by key from `from` (an unknown
    /// key gives the newest page).
    pub async fn posted_comments_from(
        &self,
        docket_id: &str,
        limit: i64,
        from: &PostedPage,
    ) -> Result<Vec<PublicComment>, StoreError> {
        let (key, newer) = match from {
            PostedPage::Newest => return self.posted_comments(docket_id, limit, 0).await,
            PostedPage::Before(key) => (key, false),
            PostedPage::After(key) => (key, true),
        };
        let found = sqlx::query(
            "SELECT posted_at, id FROM comments WHERE public_id = $1 AND docket_id = $2 AND status = 'posted'",
        )
        .bind(key)
        .bind(docket_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(found) = found else {
            return self.posted_comments(docket_id, limit, 0).await;
        };
        let (posted_at, id): (i64, i64) = (found.try_get("posted_at")?, found.try_get("id")?);
        // A range on the (docket, status, posted_at) index, in its order, then the tie on id.
        let (range, order) = match newer {
            true => (
                "c.posted_at >= $2 AND (c.posted_at > $2 OR c.id > $3)",
                "ASC",
            ),
            false => (
                "c.posted_at <= $2 AND (c.posted_at < $2 OR c.id < $3)",
                "DESC",
            ),
        };
        let sql = format!(
            "{PUBLIC_SELECT} WHERE c.docket_id = $1 AND c.status = 'posted' AND {range}
             ORDER BY c.posted_at {order}, c.id {order} LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(docket_id)
            .bind(posted_at)
            .bind(id)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        let mut page = rows
            .iter()
            .map(public_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if page.is_empty() {
            return self.posted_comments(docket_id, limit, 0).await;
        }
        if newer {
            page.reverse();
        }
        Ok(page)
    }

    pub async fn public_comment(
        &self,
        public_id: &str,
    ) -> Result<Option<PublicComment>, StoreError> {
        let row = sqlx::query(&format!(
            "{PUBLIC_SELECT} WHERE c.public_id = $1 AND c.status = 'posted'"
        ))
        .bind(public_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(public_from_row).transpose()
    }

    pub async fn docket_counts(&self, docket_id: &str) -> Result<DocketCounts, StoreError> {
        // Kept by the database's triggers with every change: one read however large the docket.
        let rows = sqlx::query(
            "SELECT status, reason AS withheld_reason, n FROM comment_counts
             WHERE docket_id = $1 AND n <> 0",
        )
        .bind(docket_id)
        .fetch_all(self.pool())
        .await?;
        let mut counts = DocketCounts::default();
        for row in rows {
            let n: i64 = row.try_get("n")?;
            let status: String = row.try_get("status")?;
            counts.received += n;
            match CommentStatus::parse(&status) {
                Some(CommentStatus::Posted) => counts.posted += n,
                Some(CommentStatus::Pending) => counts.pending += n,
                Some(CommentStatus::Withheld) => {
                    let reason: Option<String> = row.try_get("withheld_reason")?;
                    let reason = reason
                        .as_deref()
                        .and_then(WithholdReason::parse)
                        .unwrap_or(WithholdReason::Other);
                    counts.withheld.push((reason, n));
                }
                None => return Err(StoreError::Corrupt(format!("status {status:?}"))),
            }
        }
        counts
            .withheld
            .sort_by_key(|(reason, _)| WithholdReason::ALL.iter().position(|r| r == reason));
        Ok(counts)
    }
}

/// Where the page `offset..offset + limit` of `posted` comments (newest first) starts and how
/// long it is when read oldest first, if that end is nearer.
fn from_the_oldest_end(limit: i64, offset: i64, posted: i64) -> Option<(i64, i64)> {
    if offset * 2 <= posted || offset >= posted {
        return None;
    }
    let start = (posted - offset - limit).max(0);
    Some((start, posted - offset - start))
}

const PUBLIC_SELECT: &str =
    "SELECT c.public_id, c.docket_id, c.received_at, c.posted_at, c.submitter_type,
        c.first_name, c.last_name, c.organization, COALESCE(c.redacted_body, c.body) AS body
        FROM comments c";

fn public_from_row(row: &sqlx::any::AnyRow) -> Result<PublicComment, StoreError> {
    let kind: String = row.try_get("submitter_type")?;
    let posted_at: Option<i64> = row.try_get("posted_at")?;
    Ok(PublicComment {
        public_id: row
            .try_get::<Option<String>, _>("public_id")?
            .unwrap_or_default(),
        docket_id: row.try_get("docket_id")?,
        received_at: from_millis(row.try_get("received_at")?)?,
        posted_at: from_millis(
            posted_at.ok_or_else(|| StoreError::Corrupt("posted without a date".into()))?,
        )?,
        submitter: display_name(
            &kind,
            row.try_get("first_name")?,
            row.try_get("last_name")?,
            row.try_get("organization")?,
        ),
        body: row.try_get("body")?,
    })
}

/// The next free public id on a docket: the docket's counter moves on past any number
/// already taken (imported comments keep their regulations.gov ids). Each taken number is
/// skipped once, since the counter stays past it.
async fn next_public_id(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    docket_id: &str,
) -> Result<String, StoreError> {
    loop {
        let number: i64 = sqlx::query(
            "UPDATE dockets SET last_comment_number = last_comment_number + 1 WHERE id = $1
                 RETURNING last_comment_number",
        )
        .bind(docket_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
        let candidate = format!("{docket_id}-{number:04}");
        let taken = sqlx::query("SELECT 1 FROM comments WHERE public_id = $1")
            .bind(&candidate)
            .fetch_optional(&mut **tx)
            .await?
            .is_some();
        if !taken {
            return Ok(candidate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::from_the_oldest_end;

    #[test]
    fn pages_past_the_middle_are_read_from_the_oldest_end() {
        // 100 posted, 25 a page: pages 1–2 newest first, 3–4 from the oldest end.
        assert_eq!(from_the_oldest_end(25, 0, 100), None);
        assert_eq!(from_the_oldest_end(25, 50, 100), None);
        assert_eq!(from_the_oldest_end(25, 60, 100), Some((15, 25)));
        assert_eq!(from_the_oldest_end(25, 75, 100), Some((0, 25)));
        // A short last page.
        assert_eq!(from_the_oldest_end(25, 75, 90), Some((0, 15)));
        // Past the end: nothing to read either way.
        assert_eq!(from_the_oldest_end(25, 100, 100), None);
    }
}
