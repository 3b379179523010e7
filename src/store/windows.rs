//! Comment windows in the database: extending, rescheduling and reopening, and the transitions
//! the scheduler makes when a window opens or closes.

use super::*;

impl Store {
    /// Moves the docket's current window's deadline later. Only a window that has not closed
    /// can be extended (a closed one is reopened instead); the extension is kept and shown publicly.
    pub async fn extend_window(
        &self,
        docket_id: &DocketId,
        new_closes_at: DateTime<Utc>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), ExtendError> {
        let mut tx = self.begin_write().await?;
        let CurrentWindow {
            id: window_id,
            closes_at,
            ..
        } = current_window(&mut tx, docket_id).await?;
        if closes_at <= now {
            return Err(ExtendError::AlreadyClosed);
        }
        if new_closes_at <= closes_at {
            return Err(ExtendError::NotLater);
        }
        sqlx::query("UPDATE comment_windows SET closes_at = $1 WHERE id = $2")
            .bind(to_millis(new_closes_at))
            .bind(window_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO window_extensions (window_id, from_closes_at, to_closes_at, extended_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(window_id)
        .bind(to_millis(closes_at))
        .bind(to_millis(new_closes_at))
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?;
        let (before, after) = (closes_at.to_rfc3339(), new_closes_at.to_rfc3339());
        audit_docket(
            &mut tx,
            actor,
            "docket.extend",
            docket_id,
            Some(&before),
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves the opening of a window that has not opened yet.
    pub async fn reschedule_opening(
        &self,
        docket_id: &DocketId,
        opens_at: DateTime<Utc>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), ExtendError> {
        let mut tx = self.begin_write().await?;
        let CurrentWindow {
            id: window_id,
            opens_at: current,
            closes_at,
        } = current_window(&mut tx, docket_id).await?;
        if current <= now {
            return Err(ExtendError::AlreadyOpen);
        }
        if opens_at <= now || opens_at >= closes_at {
            return Err(ExtendError::OpeningOutsideWindow);
        }
        sqlx::query("UPDATE comment_windows SET opens_at = $1 WHERE id = $2")
            .bind(to_millis(opens_at))
            .bind(window_id)
            .execute(&mut **tx)
            .await?;
        let (before, after) = (current.to_rfc3339(), opens_at.to_rfc3339());
        audit_docket(
            &mut tx,
            actor,
            "docket.schedule",
            docket_id,
            Some(&before),
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a new window on a docket whose current window has closed. Earlier windows are kept,
    /// and each comment records the window it came in.
    pub async fn reopen_docket(
        &self,
        docket_id: &DocketId,
        window: &CommentWindow,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), ExtendError> {
        let mut tx = self.begin_write().await?;
        if current_window(&mut tx, docket_id).await?.closes_at > now {
            return Err(ExtendError::StillOpen);
        }
        if window.closes_at <= now {
            return Err(ExtendError::NotLater);
        }
        sqlx::query("INSERT INTO comment_windows (docket_id, opens_at, closes_at, allow_late) VALUES ($1, $2, $3, $4)")
            .bind(docket_id.as_str())
            .bind(to_millis(window.opens_at))
            .bind(to_millis(window.closes_at))
            .bind(i64::from(window.allow_late))
            .execute(&mut **tx)
            .await?;
        let after = format!(
            "new window {} to {}",
            window.opens_at.to_rfc3339(),
            window.closes_at.to_rfc3339()
        );
        audit_docket(
            &mut tx,
            actor,
            "docket.reopen",
            docket_id,
            Some("closed"),
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many windows the docket has had (more than one once it was reopened).
    pub async fn window_count(&self, docket_id: &DocketId) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM comment_windows WHERE docket_id = $1")
                .bind(docket_id.as_str())
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    /// The deadline extensions of the docket's current window, oldest first: (from, to).
    pub async fn window_extensions(
        &self,
        docket_id: &DocketId,
    ) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.from_closes_at, e.to_closes_at FROM window_extensions e
             WHERE e.window_id = (SELECT MAX(id) FROM comment_windows WHERE docket_id = $1) ORDER BY e.id",
        )
        .bind(docket_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    from_millis(row.try_get("from_closes_at")?)?,
                    from_millis(row.try_get("to_closes_at")?)?,
                ))
            })
            .collect()
    }

    /// Records the opening of every scheduled window whose opening time has come.
    pub async fn open_due_windows(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<WindowTransition>, StoreError> {
        self.transition(
            "UPDATE comment_windows SET status = 'open', opened_at = $1
             WHERE status = 'scheduled' AND opens_at <= $1 AND closes_at > $1
             RETURNING id, docket_id, opens_at AS at",
            now,
        )
        .await
    }

    /// Closes every window whose deadline has passed. Idempotent, and safe to run from several
    /// processes at once: the conditional UPDATE lets exactly one of them close each window.
    pub async fn close_due_windows(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<WindowTransition>, StoreError> {
        self.transition(
            "UPDATE comment_windows SET status = 'closed', closed_at = $1
             WHERE status <> 'closed' AND closes_at <= $1
             RETURNING id, docket_id, closes_at AS at",
            now,
        )
        .await
    }

    async fn transition(
        &self,
        sql: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<WindowTransition>, StoreError> {
        let rows = sqlx::query(sql)
            .bind(to_millis(now))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(WindowTransition {
                    window_id: row.try_get("id")?,
                    docket_id: row.try_get("docket_id")?,
                    at: from_millis(row.try_get("at")?)?,
                })
            })
            .collect()
    }

    /// The next instant at which some window opens or closes.
    pub async fn next_window_transition(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query(
            "SELECT MIN(CASE WHEN status = 'scheduled' THEN opens_at ELSE closes_at END) AS next
             FROM comment_windows WHERE status <> 'closed'",
        )
        .fetch_one(&self.pool)
        .await?;
        row.try_get::<Option<i64>, _>("next")?
            .map(from_millis)
            .transpose()
    }
}

/// The docket's current (latest) window, inside a transaction that will change it.
pub(super) struct CurrentWindow {
    id: i64,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
}

pub(super) async fn current_window(
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
