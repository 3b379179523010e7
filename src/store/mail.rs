//! E-mail in the database: messages waiting to be sent (written in the transaction that makes
//! them due, deleted once sent), confirmation links (kept as hashes), confirming a comment, and
//! withholding comments still unconfirmed when their window has closed.

use super::*;
use crate::confirmation::{ConfirmationToken, Message};

/// A message is tried this many times (over about a day) before it is given up.
pub const MAIL_ATTEMPTS: i64 = 10;

/// A message waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub id: i64,
    pub message: Message,
    pub attempts: i64,
}

/// What following a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The comment now awaits a moderator like any other.
    Now(TrackingNumber),
    /// The link is unknown, already used, or its comment period closed before it was followed.
    NoSuchLink,
}

pub(super) async fn queue_mail(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    message: &Message,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outgoing_mail (to_address, subject, body, created_at, attempts, next_attempt_at)
         VALUES ($1, $2, $3, $4, 0, $4)",
    )
    .bind(&message.to)
    .bind(&message.subject)
    .bind(&message.body)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn insert_confirmation(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    comment_id: i64,
    now: DateTime<Utc>,
) -> Result<ConfirmationToken, StoreError> {
    let token = ConfirmationToken::generate();
    sqlx::query(
        "INSERT INTO comment_confirmations (token_hash, comment_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token.hash())
    .bind(comment_id)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

impl Store {
    /// Messages due at `now`, oldest first.
    pub async fn due_mail(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, to_address, subject, body, attempts FROM outgoing_mail
             WHERE next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(to_millis(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QueuedMail {
                    id: row.try_get("id")?,
                    message: Message {
                        to: row.try_get("to_address")?,
                        subject: row.try_get("subject")?,
                        body: row.try_get("body")?,
                    },
                    attempts: row.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// When the next message falls due, if any is waiting.
    pub async fn next_mail_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query("SELECT MIN(next_attempt_at) AS next FROM outgoing_mail")
            .fetch_one(&self.pool)
            .await?;
        row.try_get::<Option<i64>, _>("next")?
            .map(from_millis)
            .transpose()
    }

    /// Takes a due message for sending, so that another instance does not send it too: it is
    /// not due again for ten minutes unless `mail_failed` says sooner. False if another took it.
    pub async fn claim_mail(
        &self,
        mail: &QueuedMail,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE outgoing_mail SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at <= $3",
        )
        .bind(to_millis(now + chrono::Duration::minutes(10)))
        .bind(mail.id)
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    /// A message was sent, or given up: it (and its address) is deleted.
    pub async fn forget_mail(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM outgoing_mail WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A message could not be sent: tried again later (2, 4, 8… minutes, at most four hours),
    /// or given up after `MAIL_ATTEMPTS` tries. Returns whether it will be tried again.
    pub async fn mail_failed(
        &self,
        mail: &QueuedMail,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let attempts = mail.attempts + 1;
        if attempts >= MAIL_ATTEMPTS {
            self.forget_mail(mail.id).await?;
            return Ok(false);
        }
        let wait = chrono::Duration::minutes((1i64 << attempts.min(7)).min(240));
        sqlx::query("UPDATE outgoing_mail SET attempts = $1, next_attempt_at = $2 WHERE id = $3")
            .bind(attempts)
            .bind(to_millis(now + wait))
            .bind(mail.id)
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    /// Follows a confirmation link: once only, and only while its comment still waits for it.
    pub async fn confirm_comment(
        &self,
        token: &ConfirmationToken,
        now: DateTime<Utc>,
    ) -> Result<Confirmed, StoreError> {
        // An unknown link is answered from a read: guessing links never takes the write lock.
        let known = sqlx::query("SELECT 1 FROM comment_confirmations WHERE token_hash = $1")
            .bind(token.hash())
            .fetch_optional(&self.pool)
            .await?;
        if known.is_none() {
            return Ok(Confirmed::NoSuchLink);
        }
        let mut tx = self.begin_write().await?;
        let found = sqlx::query(
            "DELETE FROM comment_confirmations WHERE token_hash = $1 RETURNING comment_id",
        )
        .bind(token.hash())
        .fetch_optional(&mut **tx)
        .await?;
        let Some(found) = found else {
            return Ok(Confirmed::NoSuchLink);
        };
        let comment_id: i64 = found.try_get("comment_id")?;
        let confirmed = sqlx::query(
            "UPDATE comments SET awaiting_confirmation = 0, version = version + 1
             WHERE id = $1 AND awaiting_confirmation = 1 AND status = 'pending'
             RETURNING tracking_number",
        )
        .bind(comment_id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(confirmed) = confirmed else {
            tx.commit().await?;
            return Ok(Confirmed::NoSuchLink);
        };
        record_change(&mut tx, comment_id, ChangeKind::Moderated, now).await?;
        tx.commit().await?;
        let tracking: String = confirmed.try_get("tracking_number")?;
        TrackingNumber::parse(&tracking)
            .map(Confirmed::Now)
            .map_err(|_| StoreError::Corrupt("tracking number".into()))
    }

    /// Withholds, as "not confirmed", every comment sent on time that still awaits its
    /// confirmation once its window has closed, and forgets their links. Returns how many.
    pub async fn withhold_unconfirmed(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let due: Vec<i64> = sqlx::query(
            "SELECT c.id FROM comments c JOIN comment_windows w ON w.id = c.window_id
             WHERE c.awaiting_confirmation = 1 AND c.status = 'pending'
               AND w.status = 'closed' AND c.received_at < w.closes_at",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| row.try_get("id"))
        .collect::<Result<_, _>>()?;
        let mut withheld = 0;
        // A transaction per comment keeps each write short while thousands are withheld.
        for id in due {
            let mut tx = self.begin_write().await?;
            let changed = sqlx::query(
                "UPDATE comments SET status = 'withheld', withheld_reason = 'not_confirmed',
                     awaiting_confirmation = 0, moderated_at = $1, version = version + 1
                 WHERE id = $2 AND awaiting_confirmation = 1 AND status = 'pending'",
            )
            .bind(to_millis(now))
            .bind(id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            sqlx::query("DELETE FROM comment_confirmations WHERE comment_id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            if changed == 1 {
                record_change(&mut tx, id, ChangeKind::Moderated, now).await?;
                withheld += 1;
            }
            tx.commit().await?;
        }
        Ok(withheld)
    }
}
