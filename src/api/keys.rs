//! API keys: made and revoked by admins (audited), kept only as digests, looked up per request.

use crate::accounts::{audit, Actor, AuditRecord};
use crate::roles::{random_token, token_digest};
use crate::store::{from_millis, to_millis, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

/// What a key's name may be.
pub const NAME_LIMIT: usize = 100;
/// The prefix of every key, so a leaked one is recognisable.
pub const KEY_PREFIX: &str = "odk_";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// Requests an hour; `None` for the configured default.
    pub hourly_limit: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error("Give the key a name (who or what uses it), at most {NAME_LIMIT} characters.")]
    BadName,
    #[error("The hourly limit must be a whole number from 1 to 1,000,000.")]
    BadLimit,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn key_from_row(row: &AnyRow) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        hourly_limit: row.try_get("hourly_limit")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        revoked_at: row
            .try_get::<Option<i64>, _>("revoked_at")?
            .map(from_millis)
            .transpose()?,
    })
}

impl Store {
    /// Makes a key; returns it with the secret, which is shown once and never stored.
    pub async fn create_api_key(
        &self,
        name: &str,
        hourly_limit: Option<i64>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(ApiKey, String), ApiKeyError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_LIMIT {
            return Err(ApiKeyError::BadName);
        }
        if hourly_limit.is_some_and(|n| !(1..=1_000_000).contains(&n)) {
            return Err(ApiKeyError::BadLimit);
        }
        let secret = format!("{KEY_PREFIX}{}", random_token());
        let mut tx = self.begin_write().await.map_err(StoreError::from)?;
        let row = sqlx::query(
            "INSERT INTO api_keys (name, key_digest, hourly_limit, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id, name, hourly_limit, created_at, revoked_at",
        )
        .bind(name)
        .bind(token_digest(&secret))
        .bind(hourly_limit)
        .bind(to_millis(now))
        .fetch_one(&mut **tx)
        .await
        .map_err(StoreError::from)?;
        let key = key_from_row(&row)?;
        let record = AuditRecord {
            action: "apikey.create",
            object_type: "api_key",
            object_id: &key.id.to_string(),
            before: None,
            after: Some(name),
        };
        audit(&mut tx, actor, record, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok((key, secret))
    }

    /// The key this secret opens, revoked or not (`None` for no such key).
    pub async fn api_key_by_secret(&self, secret: &str) -> Result<Option<ApiKey>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, hourly_limit, created_at, revoked_at FROM api_keys WHERE key_digest = $1",
        )
        .bind(token_digest(secret.trim()))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(key_from_row).transpose()
    }

    pub async fn api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, hourly_limit, created_at, revoked_at FROM api_keys ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(key_from_row).collect()
    }

    /// Revokes a key for good. Returns false when there is no such key still in use.
    pub async fn revoke_api_key(
        &self,
        id: i64,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let revoked =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(to_millis(now))
                .bind(id)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        if revoked == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        let record = AuditRecord {
            action: "apikey.revoke",
            object_type: "api_key",
            object_id: &id.to_string(),
            before: None,
            after: Some("revoked"),
        };
        audit(&mut tx, actor, record, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
