//! Tags in the database: the vocabulary of a docket, tagging comments one by one or in bulk
//! jobs, and what the search index needs to know.

use super::*;
use crate::accounts::{audit, Actor, AuditRecord};
use crate::store::{from_millis, placeholders, to_millis, ChangeKind, Store, StoreError};
use sqlx::Row;
use std::collections::HashMap;

#[derive(Debug, Error)]
pub enum TagStoreError {
    #[error(transparent)]
    Tag(#[from] TagError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TagStoreError {
    fn from(e: sqlx::Error) -> Self {
        TagStoreError::Store(e.into())
    }
}

struct TagRow {
    docket_id: String,
    name: String,
    retired: bool,
}

impl Store {
    /// A docket's tags with how many comments carry each; merged tags are left out.
    pub async fn tags(&self, docket_id: &str) -> Result<Vec<Tag>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.id, t.docket_id, t.name, t.retired_at, t.published,
                        (SELECT COUNT(*) FROM comment_tags ct WHERE ct.tag_id = t.id) AS n
                 FROM tags t WHERE t.docket_id = $1 AND t.merged_into IS NULL ORDER BY t.name_key",
        )
        .bind(docket_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(tag_from_row).collect()
    }

    /// One tag (merged tags included, marked retired).
    pub async fn tag(&self, tag_id: i64) -> Result<Option<Tag>, StoreError> {
        let row = sqlx::query(
            "SELECT t.id, t.docket_id, t.name, t.retired_at, t.published,
                        (SELECT COUNT(*) FROM comment_tags ct WHERE ct.tag_id = t.id) AS n
                 FROM tags t WHERE t.id = $1",
        )
        .bind(tag_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(tag_from_row).transpose()
    }

    /// Tag ids for lower-cased names, on one docket or (without one) on every docket.
    pub async fn tag_ids_by_name(
        &self,
        docket_id: Option<&str>,
        names: &[String],
    ) -> Result<HashMap<String, Vec<i64>>, StoreError> {
        let mut out: HashMap<String, Vec<i64>> = HashMap::new();
        for name in names {
            let key = name.to_lowercase();
            let rows = sqlx::query(
                "SELECT id FROM tags WHERE name_key = $1 AND ($2 = '' OR docket_id = $2)",
            )
            .bind(&key)
            .bind(docket_id.unwrap_or(""))
            .fetch_all(self.pool())
            .await?;
            let ids = rows
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<Result<Vec<i64>, _>>()?;
            out.insert(key, ids);
        }
        Ok(out)
    }

    /// Tag names by id, for showing facet values.
    pub async fn tag_names(&self, ids: &[i64]) -> Result<HashMap<i64, String>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT id, name FROM tags WHERE id IN ({})",
            placeholders(1, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect()
    }

    async fn tag_row(&self, tag_id: i64) -> Result<TagRow, TagStoreError> {
        let row = sqlx::query(
            "SELECT docket_id, name, retired_at FROM tags WHERE id = $1 AND merged_into IS NULL",
        )
        .bind(tag_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(TagError::NotFound)?;
        Ok(TagRow {
            docket_id: row.try_get("docket_id")?,
            name: row.try_get("name")?,
            retired: row.try_get::<Option<i64>, _>("retired_at")?.is_some(),
        })
    }

    pub async fn create_tag(
        &self,
        docket_id: &str,
        name: &TagName,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, TagStoreError> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO tags (docket_id, name, name_key, created_at)
                 SELECT id, $2, $3, $4 FROM dockets WHERE id = $1
                 ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(docket_id)
        .bind(name.as_str())
        .bind(name.key())
        .bind(to_millis(now))
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = inserted else {
            tx.rollback().await?;
            let exists = sqlx::query("SELECT 1 FROM dockets WHERE id = $1")
                .bind(docket_id)
                .fetch_optional(self.pool())
                .await?;
            return Err(match exists {
                Some(_) => TagError::Duplicate(name.as_str().to_owned()),
                None => TagError::NotFound,
            }
            .into());
        };
        let id: i64 = row.try_get("id")?;
        audit_tag(
            &mut tx,
            actor,
            "tag.create",
            id,
            None,
            Some(name.as_str()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn rename_tag(
        &self,
        tag_id: i64,
        name: &TagName,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), TagStoreError> {
        let before = self.tag_row(tag_id).await?;
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
                "UPDATE tags SET name = $1, name_key = $2 WHERE id = $3
                 AND NOT EXISTS (SELECT 1 FROM tags o WHERE o.docket_id = tags.docket_id AND o.name_key = $2 AND o.id <> $3)",
            )
            .bind(name.as_str())
            .bind(name.key())
            .bind(tag_id)
            .execute(&mut **tx)
            .await?;
        if updated.rows_affected() == 0 {
            tx.rollback().await?;
            return Err(TagError::Duplicate(name.as_str().to_owned()).into());
        }
        let (old, new) = (before.name.as_str(), name.as_str());
        audit_tag(
            &mut tx,
            actor,
            "tag.rename",
            tag_id,
            Some(old),
            Some(new),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Retires a tag (it stays on its comments but can no longer be applied), or brings it back.
    pub async fn set_tag_retired(
        &self,
        tag_id: i64,
        retired: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), TagStoreError> {
        let action = if retired {
            "tag.retire"
        } else {
            "tag.unretire"
        };
        let sql = "UPDATE tags SET retired_at = $1 WHERE id = $2";
        let at = retired.then(|| to_millis(now));
        self.set_tag_flag(tag_id, sql, at, action, actor, now).await
    }

    /// Publishes a tag (the public then sees it on posted comments) or takes it back.
    pub async fn set_tag_published(
        &self,
        tag_id: i64,
        published: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), TagStoreError> {
        let action = if published {
            "tag.publish"
        } else {
            "tag.unpublish"
        };
        let sql = "UPDATE tags SET published = $1 WHERE id = $2";
        let value = Some(i64::from(published));
        self.set_tag_flag(tag_id, sql, value, action, actor, now)
            .await
    }

    async fn set_tag_flag(
        &self,
        tag_id: i64,
        sql: &str,
        value: Option<i64>,
        action: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), TagStoreError> {
        let tag = self.tag_row(tag_id).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(sql)
            .bind(value)
            .bind(tag_id)
            .execute(&mut **tx)
            .await?;
        audit_tag(&mut tx, actor, action, tag_id, Some(&tag.name), None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves every comment of `from` to `into` and retires `from` for good.
    pub async fn merge_tags(
        &self,
        from: i64,
        into: i64,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64, TagStoreError> {
        if from == into {
            return Err(TagError::MergeIntoItself.into());
        }
        let (source, target) = (self.tag_row(from).await?, self.tag_row(into).await?);
        if source.docket_id != target.docket_id {
            return Err(TagError::DifferentDockets.into());
        }
        let mut tx = self.begin_write().await?;
        let at = to_millis(now);
        sqlx::query(
            "INSERT INTO comment_changes (comment_id, kind, changed_at)
                 SELECT comment_id, $1, $2 FROM comment_tags WHERE tag_id = $3 ORDER BY comment_id",
        )
        .bind(ChangeKind::Tagged.as_str())
        .bind(at)
        .bind(from)
        .execute(&mut **tx)
        .await?;
        let moved = sqlx::query(
            "INSERT INTO comment_tags (comment_id, tag_id, tagged_at, tagged_by)
                 SELECT comment_id, $1, $2, $3 FROM comment_tags WHERE tag_id = $4
                 ON CONFLICT DO NOTHING",
        )
        .bind(into)
        .bind(at)
        .bind(actor.id())
        .bind(from)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM comment_tags WHERE tag_id = $1")
            .bind(from)
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE tags SET merged_into = $1, retired_at = $2 WHERE id = $3")
            .bind(into)
            .bind(at)
            .bind(from)
            .execute(&mut **tx)
            .await?;
        let after = format!("merged into {} ({into})", target.name);
        audit_tag(
            &mut tx,
            actor,
            "tag.merge",
            from,
            Some(&source.name),
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Puts a tag on comments (or takes it off), recording each change for the index.
    /// Returns how many comments changed.
    pub async fn set_comment_tag(
        &self,
        comment_ids: &[i64],
        tag_id: i64,
        tagged: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64, TagStoreError> {
        let tag = self.tag_row(tag_id).await?;
        if tagged && tag.retired {
            return Err(TagError::Retired(tag.name).into());
        }
        let mut tx = self.begin_write().await?;
        let changed = tag_in_tx(
            &mut tx,
            &tag.docket_id,
            comment_ids,
            tag_id,
            tagged,
            actor,
            now,
        )
        .await?;
        if comment_ids.len() == 1 && changed == 0 {
            let exists = sqlx::query("SELECT 1 FROM comments WHERE id = $1 AND docket_id = $2")
                .bind(comment_ids[0])
                .bind(&tag.docket_id)
                .fetch_optional(&mut **tx)
                .await?;
            if exists.is_none() {
                tx.rollback().await?;
                return Err(TagError::NoComment.into());
            }
        }
        if comment_ids.len() == 1 {
            let action = if tagged {
                "comment.tag"
            } else {
                "comment.untag"
            };
            let record = AuditRecord {
                action,
                object_type: "comment",
                object_id: &comment_ids[0].to_string(),
                before: None,
                after: Some(&tag.name),
            };
            audit(&mut tx, actor, record, now).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Records the start of a bulk tag of `total` matches of `search`.
    pub async fn start_bulk_tag(
        &self,
        tag_id: i64,
        search: &str,
        total: usize,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, TagStoreError> {
        let tag = self.tag_row(tag_id).await?;
        if tag.retired {
            return Err(TagError::Retired(tag.name).into());
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
                "INSERT INTO bulk_tag_jobs (docket_id, tag_id, search, total, started_by, started_at, heartbeat_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(&tag.docket_id)
            .bind(tag_id)
            .bind(search)
            .bind(total as i64)
            .bind(actor.id())
            .bind(to_millis(now))
            .fetch_one(&mut **tx)
            .await?;
        let job: i64 = row.try_get("id")?;
        let after = format!("bulk tag job {job}: {total} matches of {search}");
        audit_tag(
            &mut tx,
            actor,
            "tag.bulk_start",
            tag_id,
            Some(&tag.name),
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(job)
    }

    /// Tags one batch of a bulk job and moves its count on, in one transaction.
    pub async fn bulk_tag_batch(
        &self,
        job_id: i64,
        tag_id: i64,
        comment_ids: &[i64],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), TagStoreError> {
        let tag = self.tag_row(tag_id).await?;
        let mut tx = self.begin_write().await?;
        tag_in_tx(
            &mut tx,
            &tag.docket_id,
            comment_ids,
            tag_id,
            true,
            actor,
            now,
        )
        .await?;
        sqlx::query("UPDATE bulk_tag_jobs SET done = done + $1, heartbeat_at = $2 WHERE id = $3")
            .bind(comment_ids.len() as i64)
            .bind(to_millis(now))
            .bind(job_id)
            .execute(&mut **tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn finish_bulk_tag(
        &self,
        job_id: i64,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), TagStoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE bulk_tag_jobs SET finished_at = $1, heartbeat_at = $1 WHERE id = $2
                 RETURNING tag_id, done, total",
        )
        .bind(to_millis(now))
        .bind(job_id)
        .fetch_one(&mut **tx)
        .await?;
        let (tag_id, done, total): (i64, i64, i64) = (
            row.try_get("tag_id")?,
            row.try_get("done")?,
            row.try_get("total")?,
        );
        let after = format!("bulk tag job {job_id}: tagged {done} of {total}");
        audit_tag(
            &mut tx,
            actor,
            "tag.bulk_finish",
            tag_id,
            None,
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A docket's bulk tags, newest first.
    pub async fn bulk_tag_jobs(
        &self,
        docket_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<BulkTagJob>, StoreError> {
        let rows = sqlx::query(
            "SELECT j.id, j.docket_id, t.name, j.search, j.total, j.done, j.started_at,
                        j.heartbeat_at, j.finished_at
                 FROM bulk_tag_jobs j JOIN tags t ON t.id = j.tag_id
                 WHERE j.docket_id = $1 ORDER BY j.id DESC LIMIT 20",
        )
        .bind(docket_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let heartbeat: i64 = row.try_get("heartbeat_at")?;
                let state = if row.try_get::<Option<i64>, _>("finished_at")?.is_some() {
                    BulkTagState::Finished
                } else if to_millis(now) - heartbeat > BULK_TAG_HEARTBEAT_MS {
                    BulkTagState::Interrupted
                } else {
                    BulkTagState::Running
                };
                Ok(BulkTagJob {
                    id: row.try_get("id")?,
                    docket_id: row.try_get("docket_id")?,
                    tag_name: row.try_get("name")?,
                    search: row.try_get("search")?,
                    total: row.try_get("total")?,
                    done: row.try_get("done")?,
                    started_at: from_millis(row.try_get("started_at")?)?,
                    state,
                })
            })
            .collect()
    }

    /// The tags on each of these comments (only published ones if `published_only`).
    pub async fn comment_tags(
        &self,
        comment_ids: &[i64],
        published_only: bool,
    ) -> Result<HashMap<i64, Vec<(i64, String)>>, StoreError> {
        let mut out: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        if comment_ids.is_empty() {
            return Ok(out);
        }
        let sql = format!(
                "SELECT ct.comment_id, t.id, t.name FROM comment_tags ct JOIN tags t ON t.id = ct.tag_id
                 WHERE ct.comment_id IN ({}){} ORDER BY t.name_key",
                placeholders(1, comment_ids.len()),
                if published_only { " AND t.published = 1" } else { "" }
            );
        let mut query = sqlx::query(&sql);
        for id in comment_ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(self.pool()).await? {
            out.entry(row.try_get("comment_id")?)
                .or_default()
                .push((row.try_get("id")?, row.try_get("name")?));
        }
        Ok(out)
    }
}

fn tag_from_row(row: &sqlx::any::AnyRow) -> Result<Tag, StoreError> {
    Ok(Tag {
        id: row.try_get("id")?,
        docket_id: row.try_get("docket_id")?,
        name: row.try_get("name")?,
        retired: row.try_get::<Option<i64>, _>("retired_at")?.is_some(),
        published: row.try_get::<i64, _>("published")? == 1,
        comments: row.try_get("n")?,
    })
}

async fn tag_in_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    docket_id: &str,
    comment_ids: &[i64],
    tag_id: i64,
    tagged: bool,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<u64, TagStoreError> {
    let mut changed = 0;
    for chunk in comment_ids.chunks(BULK_TAG_BATCH) {
        let sql;
        let mut query = if tagged {
            sql = format!(
                "INSERT INTO comment_tags (comment_id, tag_id, tagged_at, tagged_by)
                     SELECT id, $1, $2, $3 FROM comments WHERE docket_id = $4 AND id IN ({})
                     ON CONFLICT DO NOTHING RETURNING comment_id",
                placeholders(5, chunk.len())
            );
            sqlx::query(&sql)
                .bind(tag_id)
                .bind(to_millis(now))
                .bind(actor.id())
                .bind(docket_id)
        } else {
            sql = format!(
                "DELETE FROM comment_tags WHERE tag_id = $1 AND comment_id IN ({})
                     RETURNING comment_id",
                placeholders(2, chunk.len())
            );
            sqlx::query(&sql).bind(tag_id)
        };
        for id in chunk {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&mut **tx).await?;
        for row in &rows {
            crate::store::record_change(tx, row.try_get("comment_id")?, ChangeKind::Tagged, now)
                .await?;
        }
        changed += rows.len() as u64;
    }
    Ok(changed)
}

async fn audit_tag(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    action: &str,
    tag_id: i64,
    before: Option<&str>,
    after: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let record = AuditRecord {
        action,
        object_type: "tag",
        object_id: &tag_id.to_string(),
        before,
        after,
    };
    audit(tx, actor, record, now).await
}
