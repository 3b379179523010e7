//! The audit log: who did what to which object, appended inside the transaction that makes the
//! change, and read back newest first.

use super::{from_millis, to_millis, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// Who did something, for the audit log: a staff member, or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Staff {
        user_id: i64,
        email: String,
    },
    CommandLine,
    /// OpenDocket itself, such as creating the demo docket on the first start.
    System,
}

impl Actor {
    pub fn id(&self) -> Option<i64> {
        match self {
            Actor::Staff { user_id, .. } => Some(*user_id),
            Actor::CommandLine | Actor::System => None,
        }
    }

    fn label(&self) -> &str {
        match self {
            Actor::Staff { email, .. } => email,
            Actor::CommandLine => "command line",
            Actor::System => "system",
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What an audit row says happened.
pub struct AuditRecord<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// Appends to the audit log inside the transaction that makes the change.
pub async fn audit(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    record: AuditRecord<'_>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, action, object_type, object_id, before_state, after_state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(to_millis(at))
    .bind(actor.id())
    .bind(actor.label())
    .bind(record.action)
    .bind(record.object_type)
    .bind(record.object_id)
    .bind(record.before)
    .bind(record.after)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The newest audit entries first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(&format!("{AUDIT_SELECT} ORDER BY id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(audit_entry_from_row).collect()
    }

    /// What was done to one object, oldest first, at most `limit` entries (the newest of them).
    pub async fn history_of(
        &self,
        object_type: &str,
        object_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(&format!(
            "{AUDIT_SELECT} WHERE object_type = $1 AND object_id = $2 ORDER BY id DESC LIMIT $3"
        ))
        .bind(object_type)
        .bind(object_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut entries = rows
            .iter()
            .map(audit_entry_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        entries.reverse();
        Ok(entries)
    }
}

const AUDIT_SELECT: &str = "SELECT id, at, actor, action, object_type, object_id, before_state,
        after_state FROM audit_log";

fn audit_entry_from_row(row: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: from_millis(row.try_get("at")?)?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        object_type: row.try_get("object_type")?,
        object_id: row.try_get("object_id")?,
        before: row.try_get("before_state")?,
        after: row.try_get("after_state")?,
    })
}
