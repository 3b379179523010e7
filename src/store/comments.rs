//! Comments in the database: admission against the window, storing a comment (with its files)
//! under its tracking number, the change feed the index follows, and receipts.

use super::*;

impl Store {
    /// Stores a comment without attachments; see `submit_comment_with_attachments`.
    pub async fn submit_comment(
        &self,
        docket_id: &DocketId,
        comment: &NewComment,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Receipt, SubmitError> {
        self.submit_comment_with_attachments(docket_id, comment, &[], key, now)
            .await
    }

    /// Stores a comment and its attachments (already on disk) if the docket's window admits it
    /// at `now`.
    ///
    /// The deadline is checked by the same INSERT statement that stores the comment, so it
    /// holds in that statement's transaction however many servers share the database.
    /// Submitting the same idempotency key again returns the first receipt.
    pub async fn submit_comment_with_attachments(
        &self,
        docket_id: &DocketId,
        comment: &NewComment,
        attachments: &[crate::attachment::StoredAttachment],
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Receipt, SubmitError> {
        let arrival = crate::flags::Arrival::default();
        self.submit_comment_with_signals(docket_id, comment, attachments, &arrival, key, now)
            .await
    }

    /// Stores a comment as `submit_comment_with_attachments` does, with what was seen of how it
    /// arrived: signs of automation among its flags, whether it is held, and its network's hash.
    pub async fn submit_comment_with_signals(
        &self,
        docket_id: &DocketId,
        comment: &NewComment,
        attachments: &[crate::attachment::StoredAttachment],
        arrival: &crate::flags::Arrival,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Receipt, SubmitError> {
        let submission = Submission {
            docket_id: docket_id.clone(),
            comment: comment.clone(),
            attachments: attachments.to_vec(),
            arrival: arrival.clone(),
            key: key.clone(),
            received_at: now,
        };
        self.submit(&submission).await
    }

    /// Stores one submission in its own transaction and returns its receipt. Submitting the same
    /// idempotency key again returns the first receipt.
    pub async fn submit(&self, submission: &Submission) -> Result<Receipt, SubmitError> {
        // A tracking-number collision (1 in 10^17 per pair) is retried with a new number.
        for _ in 0..5 {
            let stored = self
                .store_submissions(&[submission])
                .await
                .pop()
                .ok_or_else(|| StoreError::Corrupt("a stored batch lost its comment".into()))??;
            if let Some(stored) = self.finish_submission(submission, stored).await? {
                return Ok(self
                    .receipt(&stored.tracking_number)
                    .await?
                    .ok_or_else(|| {
                        StoreError::Corrupt("a comment vanished after it was stored".into())
                    })?);
            }
        }
        Err(StoreError::Corrupt("could not store the comment after several attempts".into()).into())
    }

    /// The receipt of the comment stored under this idempotency key, if any.
    pub async fn receipt_for_key(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<Receipt>, StoreError> {
        self.receipt_where("c.idempotency_key = $1", key.as_str())
            .await
    }

    /// Stores several submissions in one write transaction (one commit, one sync to disk). If
    /// any of them fails, the transaction is rolled back and each is stored in a transaction of
    /// its own, so one failing leaves the others stored (comment text is checked before it gets
    /// here, so this is rare).
    ///
    /// The deadline is checked by the INSERT that stores each comment, against that comment's
    /// own arrival instant, so it holds however many servers share the database. Campaign
    /// placement is not done here: the placement worker does it after the commit.
    pub async fn store_submissions(
        &self,
        batch: &[&Submission],
    ) -> Vec<Result<Stored, StoreError>> {
        match self.store_together(batch).await {
            Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
            Err(error) if batch.len() == 1 => vec![Err(error)],
            Err(error) => {
                tracing::warn!(%error, size = batch.len(), "a batch of comments failed; storing each alone");
                let mut outcomes = Vec::with_capacity(batch.len());
                for submission in batch {
                    outcomes.push(
                        self.store_together(&[submission])
                            .await
                            .map(|mut stored| stored.remove(0)),
                    );
                }
                outcomes
            }
        }
    }

    /// All of `batch` in one transaction, or nothing.
    async fn store_together(&self, batch: &[&Submission]) -> Result<Vec<Stored>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut from = 0;
        for size in insert_chunks(batch.len()) {
            outcomes.extend(insert_submissions(&mut tx, &batch[from..from + size]).await?);
            from += size;
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// What a submission's sender is told after its batch committed, read only when it was not
    /// inserted. `None` when it was not stored for no reason it can be told (a tracking-number
    /// collision): the caller tries again.
    pub async fn finish_submission(
        &self,
        submission: &Submission,
        stored: Stored,
    ) -> Result<Option<Acknowledgement>, SubmitError> {
        match stored {
            Stored::Inserted(tracking_number) => Ok(Some(Acknowledgement {
                tracking_number,
                received_at: submission.received_at,
            })),
            // Nothing stored: a conflict on the key (the first receipt is the answer), the
            // window refused it, or a conflict on the tracking number.
            Stored::NotInserted => {
                if let Some(receipt) = self.receipt_for_key(&submission.key).await? {
                    return Ok(Some(Acknowledgement {
                        tracking_number: receipt.tracking_number,
                        received_at: receipt.received_at,
                    }));
                }
                self.check_admission(&submission.docket_id, submission.received_at)
                    .await?;
                Ok(None)
            }
        }
    }

    /// How many stored comments have not yet been looked at for a campaign.
    pub async fn unplaced_count(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS n FROM comments WHERE campaign_checked = 0")
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?,
        )
    }

    /// How many of a docket's comments wait to be placed in a campaign.
    pub async fn unplaced_in(&self, docket_id: &str) -> Result<i64, StoreError> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM comments WHERE docket_id = $1 AND campaign_checked = 0",
        )
        .bind(docket_id)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?)
    }

    /// Changes to comments after `after_seq`, oldest first, for followers of the change sequence.
    pub async fn comment_changes_since(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<CommentChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, comment_id, kind, changed_at FROM comment_changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(change_from_row).collect()
    }

    /// The changes with these sequence numbers that exist (committed) now.
    pub async fn comment_changes_numbered(
        &self,
        seqs: &[i64],
    ) -> Result<Vec<CommentChange>, StoreError> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(1, seqs.len());
        let sql = format!(
            "SELECT seq, comment_id, kind, changed_at FROM comment_changes WHERE seq IN ({list}) ORDER BY seq"
        );
        let mut query = sqlx::query(&sql);
        for seq in seqs {
            query = query.bind(*seq);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(change_from_row).collect()
    }

    pub async fn receipt(&self, tracking: &TrackingNumber) -> Result<Option<Receipt>, StoreError> {
        self.receipt_where("c.tracking_number = $1", tracking.as_str())
            .await
    }

    async fn receipt_where(
        &self,
        condition: &str,
        value: &str,
    ) -> Result<Option<Receipt>, StoreError> {
        let sql = format!(
            "SELECT c.id, c.tracking_number, c.docket_id, d.title, a.time_zone, c.received_at, c.late,
                    c.submitter_type, c.first_name, c.last_name, c.organization, c.city,
                    c.state_province_region, c.country, c.email, c.body, c.awaiting_confirmation
             FROM comments c
             JOIN dockets d ON d.id = c.docket_id
             JOIN agencies a ON a.code = d.agency_code
             WHERE {condition}"
        );
        let row = sqlx::query(&sql)
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut receipt = receipt_from_row(&row)?;
        let id: i64 = row.try_get("id")?;
        receipt.attachments = self
            .attachments_of(&[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        Ok(Some(receipt))
    }
}

/// A comment waiting to be stored, with all that storing it needs.
#[derive(Debug, Clone)]
pub struct Submission {
    pub docket_id: DocketId,
    pub comment: NewComment,
    /// Its files, already written and synced to disk.
    pub attachments: Vec<crate::attachment::StoredAttachment>,
    pub arrival: crate::flags::Arrival,
    pub key: IdempotencyKey,
    /// When it arrived: the window is checked against this instant.
    pub received_at: DateTime<Utc>,
}

/// What the sender of a stored comment is told: its tracking number and when it was received
/// (for a form sent again, the first one's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub tracking_number: TrackingNumber,
    pub received_at: DateTime<Utc>,
}

/// What a storing transaction did with one submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Inserted(TrackingNumber),
    /// The window refused it, or its key or tracking number was taken.
    NotInserted,
}

/// Inserts one submission (its comment, change, files and any confirmation message) inside
/// `tx`; `None` when the INSERT's conditions refused it.
/// How many comments one INSERT statement stores: a batch is cut into chunks of these sizes, so
/// that each connection prepares only these few statements, and a batch costs a few round trips
/// to the database rather than two per comment.
const INSERT_CHUNKS: [usize; 4] = [64, 16, 4, 1];
/// Values bound for each arriving comment.
const ARRIVING_VALUES: usize = 20;

/// The chunk sizes, largest first, that add up to `len`.
fn insert_chunks(len: usize) -> Vec<usize> {
    let mut left = len;
    let mut sizes = Vec::new();
    for size in INSERT_CHUNKS {
        while left >= size {
            sizes.push(size);
            left -= size;
        }
    }
    sizes
}

/// The INSERT of `rows` arriving comments. Each row is checked against its docket's latest window
/// at that comment's own arrival instant; a row whose key (or tracking number) is already stored,
/// also earlier in the same statement, is skipped.
fn insert_comments_sql(backend: Backend, rows: usize) -> String {
    let values = (0..rows)
        .map(|row| {
            let p = |i: usize| backend.placeholder(row * ARRIVING_VALUES + i);
            format!(
                "(CAST({} AS BIGINT), {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, \
                 CAST({} AS BIGINT), {}, {}, CAST({} AS INTEGER), CAST({} AS BIGINT), {}, CAST({} AS BIGINT))",
                p(1), p(2), p(3), p(4), p(5), p(6), p(7), p(8), p(9), p(10), p(11), p(12), p(13),
                p(14), p(15), p(16), p(17), p(18), p(19), p(20)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "WITH arriving (n, tracking_number, idempotency_key, docket_id, submitter_type, first_name,
             last_name, organization, city, state_province_region, country, email, body, received_at,
             flags, category, items_received, held, network_hash, wants_confirmation) AS (VALUES {values})
         INSERT INTO comments (tracking_number, idempotency_key, docket_id, window_id, document_id,
             submitter_type, first_name, last_name, organization, city, state_province_region, country,
             email, body, received_at, late, status, flags, category, items_received, held, network_hash,
             awaiting_confirmation)
         SELECT a.tracking_number, a.idempotency_key, w.docket_id, w.id,
             (SELECT MIN(doc.id) FROM documents doc WHERE doc.docket_id = w.docket_id),
             a.submitter_type, a.first_name, a.last_name, a.organization, a.city,
             a.state_province_region, a.country, a.email, a.body, a.received_at,
             CASE WHEN a.received_at >= w.closes_at THEN 1 ELSE 0 END, 'pending', a.flags, a.category,
             a.items_received, a.held, a.network_hash,
             CASE WHEN a.wants_confirmation = 1
                   AND EXISTS (SELECT 1 FROM dockets d WHERE d.id = w.docket_id AND d.confirm_by_email = 1)
                  THEN 1 ELSE 0 END
         FROM arriving a
         JOIN comment_windows w ON w.id = (SELECT MAX(id) FROM comment_windows WHERE docket_id = a.docket_id)
         WHERE NOT EXISTS (SELECT 1 FROM dockets d WHERE d.id = w.docket_id AND d.withdrawn_at IS NOT NULL)
           AND a.received_at >= w.opens_at
           AND (a.received_at < w.closes_at OR w.allow_late = 1)
         ORDER BY a.n
         ON CONFLICT DO NOTHING
         RETURNING id, tracking_number, received_at, awaiting_confirmation"
    )
}

/// Stores `chunk` (one of `INSERT_CHUNKS` long) with one INSERT, then each stored comment's
/// change, files and mail. `None` for a submission not stored.
async fn insert_submissions(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    chunk: &[&Submission],
) -> Result<Vec<Stored>, StoreError> {
    let tracking: Vec<TrackingNumber> = chunk.iter().map(|_| TrackingNumber::generate()).collect();
    let flags: Vec<String> = chunk
        .iter()
        .map(|s| {
            crate::flags::flag_kinds(&s.comment.body)
                .iter()
                .chain(&s.arrival.signals)
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let sql = insert_comments_sql(Backend::of_connection(tx), chunk.len());
    let mut query = sqlx::query(&sql);
    for (n, submission) in chunk.iter().enumerate() {
        let Submission {
            docket_id,
            comment,
            arrival,
            key,
            received_at,
            ..
        } = submission;
        query = query
            .bind(n as i64)
            .bind(tracking[n].as_str())
            .bind(key.as_str())
            .bind(docket_id.as_str());
        query = bind_person(query, comment)
            .bind(comment.email.as_deref())
            .bind(&comment.body)
            .bind(to_millis(*received_at))
            .bind(&flags[n])
            .bind(comment.details.category.as_deref())
            .bind(comment.details.items_received)
            .bind(i64::from(arrival.held))
            .bind(arrival.network.as_deref())
            .bind(i64::from(
                comment.email.is_some() && arrival.mail_links.is_some(),
            ));
    }
    let rows = query.fetch_all(&mut **tx).await?;
    let mut outcomes: Vec<Stored> = chunk.iter().map(|_| Stored::NotInserted).collect();
    let mut changes = Vec::with_capacity(rows.len());
    for row in &rows {
        let stored: String = row.try_get("tracking_number")?;
        let n = tracking
            .iter()
            .position(|t| t.as_str() == stored)
            .ok_or_else(|| {
                StoreError::Corrupt("the INSERT returned a comment it was not given".into())
            })?;
        let comment_id: i64 = row.try_get("id")?;
        changes.push((comment_id, from_millis(row.try_get("received_at")?)?));
        let awaiting = row.try_get::<i64, _>("awaiting_confirmation")? == 1;
        after_insert(tx, chunk[n], comment_id, &tracking[n], awaiting).await?;
        outcomes[n] = Stored::Inserted(tracking[n].clone());
    }
    // The feed follows the order comments were stored in.
    changes.sort_unstable_by_key(|(comment_id, _)| *comment_id);
    insert_changes(tx, &changes, ChangeKind::Received).await?;
    Ok(outcomes)
}

/// A stored comment's files, and the e-mail it asked for.
async fn after_insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    submission: &Submission,
    comment_id: i64,
    tracking: &TrackingNumber,
    awaiting: bool,
) -> Result<(), StoreError> {
    let Submission {
        docket_id,
        comment,
        attachments,
        arrival,
        received_at: now,
        ..
    } = submission;
    attachments::insert_attachments(tx, comment_id, attachments).await?;
    if let (Some(base), Some(email)) = (&arrival.mail_links, &comment.email) {
        if awaiting || arrival.email_receipt {
            let title: String = sqlx::query("SELECT title FROM dockets WHERE id = $1")
                .bind(docket_id.as_str())
                .fetch_one(&mut **tx)
                .await?
                .try_get("title")?;
            let about = crate::confirmation::AboutComment {
                docket_id: docket_id.as_str(),
                docket_title: &title,
                tracking_number: tracking.as_str(),
            };
            let message = match awaiting {
                true => {
                    let token = mail::insert_confirmation(tx, comment_id, *now).await?;
                    let link = crate::confirmation::confirmation_link(base, &token);
                    crate::confirmation::confirmation_message(email, &about, &link)
                }
                false => crate::confirmation::receipt_message(email, &about),
            };
            mail::queue_mail(tx, &message, *now).await?;
        }
    }
    Ok(())
}

pub(super) fn change_from_row(row: &AnyRow) -> Result<CommentChange, StoreError> {
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
    insert_change(tx, comment_id, kind, at).await?;
    sqlx::query("UPDATE comments SET last_modified_at = $1 WHERE id = $2")
        .bind(to_millis(at))
        .bind(comment_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Adds a change to the feed the search index follows (the comment's own `last_modified_at` is
/// the caller's to set).
async fn insert_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    comment_id: i64,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    insert_changes(tx, &[(comment_id, at)], kind).await
}

/// Adds one change of `kind` for each comment, in order, with as few statements as
/// `INSERT_CHUNKS` allows.
pub(crate) async fn insert_changes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    changes: &[(i64, DateTime<Utc>)],
    kind: ChangeKind,
) -> Result<(), StoreError> {
    let mut from = 0;
    for size in insert_chunks(changes.len()) {
        let backend = Backend::of_connection(tx);
        let values = (0..size)
            .map(|i| {
                let p = |n: usize| backend.placeholder(3 * i + n);
                format!("({}, {}, {})", p(1), p(2), p(3))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("INSERT INTO comment_changes (comment_id, kind, changed_at) VALUES {values}");
        let mut query = sqlx::query(&sql);
        for (comment_id, at) in &changes[from..from + size] {
            query = query
                .bind(*comment_id)
                .bind(kind.as_str())
                .bind(to_millis(*at));
        }
        query.execute(&mut **tx).await?;
        from += size;
    }
    Ok(())
}

pub(super) fn receipt_from_row(row: &AnyRow) -> Result<Receipt, StoreError> {
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
        time_zone: super::dockets::parse_zone(&row.try_get::<String, _>("time_zone")?)?,
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
        awaiting_confirmation: row.try_get::<i64, _>("awaiting_confirmation")? == 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_cut_into_few_chunks_of_the_prepared_sizes() {
        assert!(insert_chunks(0).is_empty());
        assert_eq!(insert_chunks(1), [1]);
        assert_eq!(insert_chunks(77), [64, 4, 4, 4, 1]);
        for len in 0..=600 {
            let chunks = insert_chunks(len);
            assert_eq!(chunks.iter().sum::<usize>(), len);
            assert!(chunks.iter().all(|c| INSERT_CHUNKS.contains(c)));
            assert!(chunks.windows(2).all(|w| w[0] >= w[1]));
            assert!(chunks.len() <= len / 64 + 9, "{len}: {chunks:?}");
        }
    }

    #[test]
    fn each_arriving_comment_binds_its_own_numbered_values() {
        let sql = insert_comments_sql(Backend::Postgres, 2);
        assert!(sql.contains("(CAST($1 AS BIGINT), $2,"));
        assert!(sql.contains("(CAST($21 AS BIGINT), $22,"));
        assert!(sql.contains("CAST($40 AS BIGINT))"));
        assert!(!sql.contains("$41"));
        let sql = insert_comments_sql(Backend::Sqlite, 2);
        assert_eq!(sql.matches('?').count(), 40);
        assert!(!sql.contains('$'));
    }
}
