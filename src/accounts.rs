//! Staff accounts in the database: creating them, signing in (with lock-outs by network),
//! sessions, the admin controls over an account, and the audit log.

pub use crate::lockouts::{NetworkId, SignInLockouts};
use crate::roles::{
    check_new_password, password_work, random_token, token_digest, Role, StaffEmail, StaffError,
};
pub use crate::store::audit::{audit, Actor, AuditEntry, AuditRecord};
use crate::store::{from_millis, to_millis, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use thiserror::Error;

/// How long a staff session lasts from sign-in.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);

/// The cookie that carries a staff session token.
pub const SESSION_COOKIE: &str = "opendocket_session";

/// The session token in a `Cookie` header's value, if there is one.
pub fn session_token(cookie_header: &str) -> Option<&str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

#[derive(Debug, Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] StaffError),
    #[error("a staff account for {0} already exists")]
    Exists(String),
    #[error("there is no staff account for {0}")]
    Unknown(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Store(e.into())
    }
}

async fn end_sessions(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM staff_sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// A staff account as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    /// Wrong passwords since the last good one (from every network).
    pub failed_sign_ins: i64,
}

fn account_from_row(row: &sqlx::any::AnyRow) -> Result<StaffAccount, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(StaffAccount {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        failed_sign_ins: row.try_get("failed_logins")?,
    })
}

/// Removes expired staff sessions once an hour, for as long as the server runs.
pub async fn purge_expired_sessions_hourly(store: Store, clock: crate::clock::SharedClock) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match store.purge_expired_sessions(clock.now()).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "removed expired staff sessions"),
            Err(error) => tracing::warn!(%error, "could not remove expired staff sessions"),
        }
    }
}

/// What an admin does to an account (from the accounts page or the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountControl {
    /// Its sessions end at once and it cannot sign in.
    Disable,
    Enable,
    /// A new role, applied to its open sessions at their next request.
    Role(Role),
    /// Ends every sign-in lock on the account, on every instance.
    Unlock,
    /// Ends every open session of the account.
    EndSessions,
    /// A new password given to its owner by the admin, to be changed at the next sign-in; its
    /// sessions and locks end.
    ResetPassword(String),
}

#[derive(Debug, Error)]
pub enum SignInError {
    #[error("the e-mail address or password is not right")]
    WrongCredentials,
    #[error("too many wrong passwords; this account is locked until {0}")]
    Locked(DateTime<Utc>),
    #[error(transparent)]
    Invalid(StaffError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for SignInError {
    fn from(e: sqlx::Error) -> Self {
        SignInError::Store(e.into())
    }
}

/// Who is making a staff request, from their session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffIdentity {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    /// Must accompany every state-changing request made in this session.
    pub csrf_token: String,
    /// An admin reset the password: its owner must choose one before doing anything else.
    pub must_change_password: bool,
}

impl StaffIdentity {
    /// Whether this staff member may use a route of the staff route table: pages offer a form
    /// only to those the form's route admits.
    pub fn may(&self, verb: crate::staff_routes::Verb, path: &str) -> bool {
        crate::staff_routes::allows(self.role, verb, path)
    }
}

impl Actor {
    pub fn of(identity: &StaffIdentity) -> Self {
        Actor::Staff {
            user_id: identity.user_id,
            email: identity.email.clone(),
        }
    }
}

impl Store {
    pub async fn add_staff_user(
        &self,
        email: &str,
        role: Role,
        password: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, AccountError> {
        let email = StaffEmail::parse(email)?;
        check_new_password(password)?;
        let hash = password_work::hash(password).await;
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO staff_users (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(email.as_str())
        .bind(role.as_str())
        .bind(&hash)
        .bind(to_millis(now))
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = inserted else {
            return Err(AccountError::Exists(email.as_str().to_owned()));
        };
        let id: i64 = row.try_get("id")?;
        let after = format!("{} ({})", email.as_str(), role.as_str());
        let record = AuditRecord {
            action: "user.create",
            object_type: "staff_user",
            object_id: &id.to_string(),
            before: None,
            after: Some(&after),
        };
        audit(&mut tx, actor, record, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks the password and opens a session; returns the session token for the cookie.
    /// Wrong passwords count against the account for `network` only (see `lockouts`); a locked
    /// pair is refused before any hashing. Sign-ins, failures and lock-outs are audited.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        network: NetworkId,
        lockouts: &SignInLockouts,
        now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        let row = match StaffEmail::parse(email) {
            Ok(email) => {
                sqlx::query(
                    "SELECT id, email, password_hash, disabled, unlocked_at FROM staff_users WHERE email = $1",
                )
                .bind(email.as_str())
                .fetch_optional(self.pool())
                .await?
            }
            Err(_) => None,
        };
        let Some(row) = row else {
            password_work::verify_against_nothing(password).await;
            return Err(SignInError::WrongCredentials);
        };
        let id: i64 = row.try_get("id")?;
        let actor = Actor::Staff {
            user_id: id,
            email: row.try_get("email")?,
        };
        let unlocked_at = row
            .try_get::<Option<i64>, _>("unlocked_at")?
            .map(from_millis)
            .transpose()?;
        if let Some(until) = lockouts.locked_until(network, id, unlocked_at, now) {
            return Err(SignInError::Locked(until));
        }
        let hash: String = row.try_get("password_hash")?;
        let disabled = row.try_get::<i64, _>("disabled")? != 0;
        let good = password_work::verify(&hash, password).await && !disabled;
        let mut tx = self.begin_write().await?;
        let object_id = id.to_string();
        let record = |action, after| AuditRecord {
            action,
            object_type: "staff_user",
            object_id: &object_id,
            before: None,
            after,
        };
        if !good {
            let locked = lockouts.fail(network, id, unlocked_at, now);
            sqlx::query("UPDATE staff_users SET failed_logins = failed_logins + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            let why = if disabled {
                "account disabled"
            } else {
                "wrong password"
            };
            audit(
                &mut tx,
                &actor,
                record("user.sign_in_failed", Some(why)),
                now,
            )
            .await?;
            if let Some(until) = locked {
                let after = format!(
                    "locked for the network that failed until {}",
                    until.format("%Y-%m-%d %H:%M UTC")
                );
                audit(
                    &mut tx,
                    &actor,
                    record("user.locked_out", Some(&after)),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            return Err(SignInError::WrongCredentials);
        }
        lockouts.succeed(network, id);
        let token = random_token();
        sqlx::query("UPDATE staff_users SET failed_logins = 0 WHERE id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO staff_sessions (token_digest, user_id, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_digest(&token))
        .bind(id)
        .bind(random_token())
        .bind(to_millis(now))
        .bind(to_millis(now + SESSION_LIFETIME))
        .execute(&mut **tx)
        .await?;
        audit(&mut tx, &actor, record("user.sign_in", None), now).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The account with this address, for the admin controls below.
    async fn account_id(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        email: &str,
    ) -> Result<(i64, String), AccountError> {
        let email = StaffEmail::parse(email)?;
        let row = sqlx::query("SELECT id, role FROM staff_users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| AccountError::Unknown(email.as_str().to_owned()))?;
        Ok((row.try_get("id")?, row.try_get("role")?))
    }

    /// Applies one admin control to an account in one transaction, with its audit row.
    pub async fn control_staff_user(
        &self,
        email: &str,
        change: &AccountControl,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), AccountError> {
        let mut tx = self.begin_write().await?;
        let (id, role) = self.account_id(&mut tx, email).await?;
        let (action, before, after) = match change {
            AccountControl::Disable => {
                sqlx::query("UPDATE staff_users SET disabled = 1 WHERE id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                end_sessions(&mut tx, id).await?;
                ("user.disable", None, "disabled; sessions ended".to_owned())
            }
            AccountControl::Enable => {
                sqlx::query("UPDATE staff_users SET disabled = 0 WHERE id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                ("user.enable", None, "enabled".to_owned())
            }
            AccountControl::Role(new_role) => {
                let new_role = *new_role;
                sqlx::query("UPDATE staff_users SET role = $1 WHERE id = $2")
                    .bind(new_role.as_str())
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                ("user.role", Some(role), new_role.as_str().to_owned())
            }
            AccountControl::Unlock => {
                sqlx::query(
                    "UPDATE staff_users SET unlocked_at = $1, failed_logins = 0 WHERE id = $2",
                )
                .bind(to_millis(now))
                .bind(id)
                .execute(&mut **tx)
                .await?;
                ("user.unlock", None, "sign-in locks ended".to_owned())
            }
            AccountControl::EndSessions => {
                let ended = end_sessions(&mut tx, id).await?;
                ("user.sessions", None, format!("{ended} sessions ended"))
            }
            AccountControl::ResetPassword(password) => {
                check_new_password(password)?;
                let hash = password_work::hash(password).await;
                sqlx::query(
                    "UPDATE staff_users SET password_hash = $1, unlocked_at = $2, must_change_password = 1
                     WHERE id = $3",
                )
                .bind(hash)
                .bind(to_millis(now))
                .bind(id)
                .execute(&mut **tx)
                .await?;
                end_sessions(&mut tx, id).await?;
                (
                    "user.password_reset",
                    None,
                    "password reset, to be changed at the next sign-in; sessions ended".to_owned(),
                )
            }
        };
        let object_id = id.to_string();
        let record = AuditRecord {
            action,
            object_type: "staff_user",
            object_id: &object_id,
            before: before.as_deref(),
            after: Some(&after),
        };
        audit(&mut tx, actor, record, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes sessions that have expired (they open nothing already; this keeps the table small).
    pub async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1")
                .bind(to_millis(now))
                .execute(self.pool())
                .await?
                .rows_affected(),
        )
    }

    /// The staff member whose unexpired session this token opens.
    pub async fn identity(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StaffIdentity>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.role, u.must_change_password, s.csrf_token FROM staff_sessions s
             JOIN staff_users u ON u.id = s.user_id
             WHERE s.token_digest = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_digest(token))
        .bind(to_millis(now))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let role: String = row.try_get("role")?;
        Ok(Some(StaffIdentity {
            user_id: row.try_get("id")?,
            email: row.try_get("email")?,
            role: Role::parse(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
            csrf_token: row.try_get("csrf_token")?,
            must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        }))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM staff_sessions WHERE token_digest = $1")
            .bind(token_digest(token))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Replaces a staff member's password after checking the current one, and ends their other sessions.
    pub async fn change_password(
        &self,
        identity: &StaffIdentity,
        current_token: &str,
        current_password: &str,
        new_password: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SignInError> {
        let hash: String = sqlx::query("SELECT password_hash FROM staff_users WHERE id = $1")
            .bind(identity.user_id)
            .fetch_one(self.pool())
            .await?
            .try_get("password_hash")?;
        if !password_work::verify(&hash, current_password).await {
            return Err(SignInError::WrongCredentials);
        }
        check_new_password(new_password).map_err(SignInError::Invalid)?;
        let new_hash = password_work::hash(new_password).await;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE staff_users SET password_hash = $1, must_change_password = 0 WHERE id = $2",
        )
        .bind(new_hash)
        .bind(identity.user_id)
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM staff_sessions WHERE user_id = $1 AND token_digest <> $2")
            .bind(identity.user_id)
            .bind(token_digest(current_token))
            .execute(&mut **tx)
            .await?;
        let record = AuditRecord {
            action: "user.password",
            object_type: "staff_user",
            object_id: &identity.user_id.to_string(),
            before: None,
            after: Some("password changed; other sessions ended"),
        };
        audit(&mut tx, &Actor::of(identity), record, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every staff account, by e-mail address.
    pub async fn staff_users(&self) -> Result<Vec<StaffAccount>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, email, role, disabled, failed_logins FROM staff_users ORDER BY email",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(account_from_row).collect()
    }

    /// One staff account by its number.
    pub async fn staff_user(&self, id: i64) -> Result<Option<StaffAccount>, StoreError> {
        sqlx::query(
            "SELECT id, email, role, disabled, failed_logins FROM staff_users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(account_from_row)
        .transpose()
    }
}
