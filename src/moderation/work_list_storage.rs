//! The work list in the database: a moderator's page of waiting comments under a filter, its
//! counts, claims (a moderator takes the next comments; others do not see them until the claim
//! runs out), and the decided comments under the same filter, newest decision first.

use super::storage::{name_in_row, queue_item_from_row, STAFF_COLUMNS, STAFF_FROM};
use super::{
    CommentStatus, DecidedComment, DecidedFilter, Outcome, QueueFilter, QueueItem, WithholdReason,
    WorkCounts, DECIDED_COUNT_CAP,
};
use crate::store::{from_millis, to_millis, Store, StoreError};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::Row;

/// A value bound to a filter's placeholder.
enum Value {
    Text(String),
    Number(i64),
}

/// The WHERE clause of comments in `state` (SQL conditions) under `filter`, arrival days read on
/// `zone`'s calendar, its placeholders numbered from `from`, and the values to bind in order.
fn comments_under(
    state: &[&str],
    filter: &QueueFilter,
    zone: Tz,
    from: usize,
) -> (String, Vec<Value>) {
    let mut clauses: Vec<String> = state.iter().map(|c| (*c).to_owned()).collect();
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
    let (start, end) = filter.arrival_bounds(zone);
    if let Some(start) = start {
        let p = next(Value::Number(to_millis(start)), &mut values);
        clauses.push(format!("c.received_at >= {p}"));
    }
    if let Some(end) = end {
        let p = next(Value::Number(to_millis(end)), &mut values);
        clauses.push(format!("c.received_at < {p}"));
    }
    (clauses.join(" AND "), values)
}

const WAITING: [&str; 2] = ["c.status = 'pending'", "c.awaiting_confirmation = 0"];

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
        let zone = self.filter_zone(filter).await?;
        let now = to_millis(now);
        // $1 the moderator, $2 now; the filter's values follow.
        let (waiting, values) = comments_under(&WAITING, filter, zone, 3);
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
        let zone = self.filter_zone(filter).await?;
        // $1 the moderator, $2 until, $3 now, $4 how many; the filter's values follow.
        let (waiting, values) = comments_under(&WAITING, filter, zone, 5);
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

    /// The zone whose calendar a filter's arrival days are read on: the chosen docket's agency's,
    /// otherwise the zone most dockets use; UTC when there are none.
    pub async fn filter_zone(&self, filter: &QueueFilter) -> Result<Tz, StoreError> {
        let name: Option<String> =
            match &filter.docket {
                Some(docket) => sqlx::query_scalar(
                    "SELECT a.time_zone FROM dockets d JOIN agencies a ON a.code = d.agency_code
                     WHERE d.id = $1",
                )
                .bind(docket.as_str())
                .fetch_optional(self.pool())
                .await?,
                None => None,
            };
        let name =
            match name {
                Some(name) => Some(name),
                None => sqlx::query_scalar(
                    "SELECT a.time_zone FROM dockets d JOIN agencies a ON a.code = d.agency_code
                     GROUP BY a.time_zone ORDER BY COUNT(*) DESC, a.time_zone LIMIT 1",
                )
                .fetch_optional(self.pool())
                .await?,
            };
        Ok(name
            .and_then(|name| name.parse::<Tz>().ok())
            .unwrap_or(Tz::UTC))
    }

    /// A page of the decided comments under `filter`, the latest decision first, and how many
    /// match (counted up to `DECIDED_COUNT_CAP + 1`, so a count above the cap means "more").
    pub async fn decided_list(
        &self,
        filter: &DecidedFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<DecidedComment>, i64), StoreError> {
        let zone = self.filter_zone(&filter.comments).await?;
        let state = match filter.outcome {
            Some(Outcome::Posted) => "c.status = 'posted'",
            Some(Outcome::Withheld) => "c.status = 'withheld'",
            None => "c.status <> 'pending'",
        };
        // The condition of the partial indexes that keep decisions in order.
        let decided = [state, "c.moderated_at IS NOT NULL"];
        let (clause, values) = comments_under(&decided, &filter.comments, zone, 1);
        let n = values.len();
        let rows = bind_values(
            sqlx::query(&format!(
                "SELECT c.id, c.version, c.docket_id, c.status, c.withheld_reason, c.public_id,
                        c.body, c.moderated_at, c.submitter_type, c.first_name, c.last_name,
                        c.organization, a.time_zone, u.email
                 {STAFF_FROM} LEFT JOIN staff_users u ON u.id = c.moderated_by
                 WHERE {clause}
                 ORDER BY c.moderated_at DESC, c.id DESC LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            )),
            &values,
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let entries = rows
            .iter()
            .map(|row| {
                let status: String = row.try_get("status")?;
                let kind: String = row.try_get("submitter_type")?;
                Ok(DecidedComment {
                    id: row.try_get("id")?,
                    version: row.try_get("version")?,
                    docket_id: row.try_get("docket_id")?,
                    status: CommentStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?,
                    reason: row
                        .try_get::<Option<String>, _>("withheld_reason")?
                        .as_deref()
                        .and_then(WithholdReason::parse),
                    public_id: row.try_get("public_id")?,
                    body: row.try_get("body")?,
                    decided_by: row.try_get("email")?,
                    decided_at: from_millis(row.try_get("moderated_at")?)?,
                    time_zone: row.try_get("time_zone")?,
                    name: name_in_row(row, &kind)?,
                    submitter_type: kind,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let matching: i64 = bind_values(
            sqlx::query(&format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM
                     (SELECT 1 AS one FROM comments c WHERE {clause} LIMIT {}) AS capped",
                DECIDED_COUNT_CAP + 1
            )),
            &values,
        )
        .fetch_one(self.pool())
        .await?
        .try_get(0)?;
        Ok((entries, matching))
    }

    /// The comments listed just before and just after `comment` in `moderator`'s queue under
    /// `filter` (in the queue's order; other moderators' claims left out). The comment itself
    /// need not be waiting any more: its neighbours are found from where it was.
    pub async fn queue_neighbours(
        &self,
        filter: &QueueFilter,
        moderator: i64,
        now: DateTime<Utc>,
        comment: i64,
    ) -> Result<(Option<i64>, Option<i64>), StoreError> {
        let zone = self.filter_zone(filter).await?;
        let now = to_millis(now);
        let mine = "(c.claimed_by = $1 AND c.claimed_until > $2)";
        let rank = format!("CAST(CASE WHEN {mine} THEN 0 ELSE 1 END AS BIGINT)");
        let Some(at) = sqlx::query(&format!(
            "SELECT {rank} AS rank, c.held, c.received_at FROM comments c WHERE c.id = $3"
        ))
        .bind(moderator)
        .bind(now)
        .bind(comment)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok((None, None));
        };
        let (rank_at, held_at, received_at): (i64, i64, i64) = (
            at.try_get("rank")?,
            at.try_get("held")?,
            at.try_get("received_at")?,
        );
        // $1 the moderator, $2 now, $3 the comment, $4–$6 its place; the filter's values follow.
        let (waiting, values) = comments_under(&WAITING, filter, zone, 7);
        let free = "(c.claimed_by IS NULL OR c.claimed_by = $1 OR c.claimed_until <= $2)";
        let mut found = [None, None];
        for (slot, (compare, order)) in [("<", "DESC"), (">", "ASC")].into_iter().enumerate() {
            let sql = format!(
                "SELECT c.id FROM comments c
                 WHERE {waiting} AND {free} AND c.id <> $3
                   AND ({rank}, c.held, c.received_at, c.id) {compare} ($4, $5, $6, $3)
                 ORDER BY {rank} {order}, c.held {order}, c.received_at {order}, c.id {order}
                 LIMIT 1"
            );
            found[slot] = bind_values(
                sqlx::query(&sql)
                    .bind(moderator)
                    .bind(now)
                    .bind(comment)
                    .bind(rank_at)
                    .bind(held_at)
                    .bind(received_at),
                &values,
            )
            .fetch_optional(self.pool())
            .await?
            .map(|row| row.try_get::<i64, _>("id"))
            .transpose()?;
        }
        Ok((found[0], found[1]))
    }
}
