//! The work list in the database: a moderator's page of waiting comments under a filter, its
//! counts, and claims (a moderator takes the next comments; others do not see them until the
//! claim runs out).

use super::storage::{queue_item_from_row, STAFF_COLUMNS, STAFF_FROM};
use super::{QueueFilter, QueueItem, WorkCounts};
use crate::store::{to_millis, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A value bound to a filter's placeholder.
enum Value {
    Text(String),
    Number(i64),
}

/// The WHERE clause of waiting comments under `filter`, its placeholders numbered from `from`,
/// and the values to bind in order.
fn waiting_under(filter: &QueueFilter, from: usize) -> (String, Vec<Value>) {
    let mut clauses = vec![
        "c.status = 'pending'".to_owned(),
        "c.awaiting_confirmation = 0".to_owned(),
    ];
    let mut values = Vec::new();
    let next = |value: Value, values: &mut Vec<Value>| {
        values.push(value);
        format!("${}", from + values.len() - 1)
    };
    if let Some(docket) = &filter.docket {
        let p = next(Value::Text(docket.clone()), &mut values);
        clauses.push(format!("c.docket_id = {p}"));
    }
    if let Some(flag) = filter.flag {
        let p = next(Value::Text(format!("%,{},%", flag.as_str())), &mut values);
        clauses.push(format!("(',' || c.flags || ',') LIKE {p}"));
    }
    if let Some(kind) = &filter.submitter_type {
        let p = next(Value::Text(kind.clone()), &mut values);
        clauses.push(format!("c.submitter_type = {p}"));
    }
    if let Some(late) = filter.late {
        let p = next(Value::Number(i64::from(late)), &mut values);
        clauses.push(format!("c.late = {p}"));
    }
    if let Some(files) = filter.files {
        clauses.push(format!(
            "{} EXISTS (SELECT 1 FROM attachments f WHERE f.comment_id = c.id)",
            if files { "" } else { "NOT" }
        ));
    }
    if let Some(campaign) = filter.campaign {
        let p = next(Value::Number(campaign), &mut values);
        clauses.push(format!("c.campaign_id = {p}"));
    }
    (clauses.join(" AND "), values)
}

fn bind_values<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: &'q [Value],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for value in values {
        query = match value {
            Value::Text(text) => query.bind(text.as_str()),
            Value::Number(n) => query.bind(*n),
        };
    }
    query
}

impl Store {
    /// A page of the waiting comments `moderator` may work on under `filter`: their own claims
    /// first, then unclaimed ones (and ones whose claim ran out), held comments last, oldest
    /// first; with the counts behind it.
    pub async fn work_list(
        &self,
        filter: &QueueFilter,
        moderator: i64,
        now: DateTime<Utc>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<QueueItem>, WorkCounts), StoreError> {
        let now = to_millis(now);
        // $1 the moderator, $2 now; the filter's values follow.
        let (waiting, values) = waiting_under(filter, 3);
        let free = "(c.claimed_by IS NULL OR c.claimed_by = $1 OR c.claimed_until <= $2)";
        let mine = "(c.claimed_by = $1 AND c.claimed_until > $2)";
        let n = values.len();
        let rows = bind_values(
            sqlx::query(&format!(
                "SELECT {STAFF_COLUMNS} {STAFF_FROM}
                 WHERE {waiting} AND {free}
                 ORDER BY CASE WHEN {mine} THEN 0 ELSE 1 END, c.held, c.received_at, c.id
                 LIMIT ${} OFFSET ${}",
                n + 3,
                n + 4
            ))
            .bind(moderator)
            .bind(now),
            &values,
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let items = rows
            .iter()
            .map(queue_item_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let counts = bind_values(
            sqlx::query(&format!(
                "SELECT CAST(COALESCE(SUM(CASE WHEN {free} THEN 1 ELSE 0 END), 0) AS BIGINT) AS open,
                     CAST(COALESCE(SUM(CASE WHEN {mine} THEN 1 ELSE 0 END), 0) AS BIGINT) AS mine,
                     CAST(COALESCE(SUM(CASE WHEN {free} THEN 0 ELSE 1 END), 0) AS BIGINT) AS others
                 FROM comments c WHERE {waiting}"
            ))
            .bind(moderator)
            .bind(now),
            &values,
        )
        .fetch_one(self.pool())
        .await?;
        Ok((
            items,
            WorkCounts {
                open: counts.try_get("open")?,
                mine: counts.try_get("mine")?,
                taken_by_others: counts.try_get("others")?,
            },
        ))
    }

    /// Gives `moderator` the next `n` waiting comments under `filter` that nobody holds (in the
    /// queue's order) until `until`. Returns how many they got: fewer when fewer are free. Two
    /// moderators taking at once never get the same comment: the row is checked again as it is
    /// written.
    pub async fn claim_next(
        &self,
        filter: &QueueFilter,
        moderator: i64,
        n: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        // $1 the moderator, $2 until, $3 now, $4 how many; the filter's values follow.
        let (waiting, values) = waiting_under(filter, 5);
        let unheld = "(claimed_by IS NULL OR claimed_until <= $3)";
        // On PostgreSQL a moderator taking at the same moment as another passes over the rows the
        // other is taking and gets the next ones (SQLite writes one transaction at a time).
        let skip_locked = match self.backend() {
            crate::store::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            crate::store::Backend::Sqlite => "",
        };
        let mut tx = self.begin_write().await?;
        let claimed = bind_values(
            sqlx::query(&format!(
                "WITH next AS MATERIALIZED (
                     SELECT c.id FROM comments c
                     WHERE {waiting} AND (c.claimed_by IS NULL OR c.claimed_until <= $3)
                     ORDER BY c.held, c.received_at, c.id LIMIT $4{skip_locked})
                 UPDATE comments SET claimed_by = $1, claimed_until = $2
                 WHERE status = 'pending' AND {unheld} AND id IN (SELECT id FROM next)"
            ))
            .bind(moderator)
            .bind(to_millis(until))
            .bind(to_millis(now))
            .bind(n),
            &values,
        )
        .execute(&mut **tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(claimed as i64)
    }

    /// Gives back every waiting comment `moderator` holds. Returns how many.
    pub async fn release_claims(&self, moderator: i64) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let released = sqlx::query(
            "UPDATE comments SET claimed_by = NULL, claimed_until = NULL
             WHERE claimed_by = $1 AND status = 'pending'",
        )
        .bind(moderator)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(released as i64)
    }
}
