//! Staff accounts in the database: creating them, signing in with lock-out, sessions, and the audit log.

use crate::roles::{
    check_new_password, hash_password, random_token, token_digest, verify_against_nothing,
    verify_password, Role, StaffEmail, StaffError,
};
pub use crate::store::audit::{audit, Actor, AuditEntry, AuditRecord};
use crate::store::{from_millis, to_millis, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use thiserror::Error;

/// Consecutive wrong passwords before an account is locked, and for how long.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
pub const LOCK_OUT: Duration = Duration::minutes(15);
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
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Store(e.into())
    }
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
        let hash = hash_password(password);
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO staff_users (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(email.as_str())
        .bind(role.as_str())
        .bind(&hash)
        .bind(to_millis(now))
        .fetch_optional(&mut *tx)
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

    /// Checks the password and opens a session. Returns the session token for the cookie.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        let Ok(email) = StaffEmail::parse(email) else {
            verify_against_nothing(password);
            return Err(SignInError::WrongCredentials);
        };
        let row = sqlx::query(
            "SELECT id, password_hash, failed_logins, locked_until, disabled FROM staff_users WHERE email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            verify_against_nothing(password);
            return Err(SignInError::WrongCredentials);
        };
        let id: i64 = row.try_get("id")?;
        if let Some(until) = row.try_get::<Option<i64>, _>("locked_until")? {
            let until = from_millis(until)?;
            if until > now {
                return Err(SignInError::Locked(until));
            }
        }
        let hash: String = row.try_get("password_hash")?;
        let disabled = row.try_get::<i64, _>("disabled")? != 0;
        if disabled || !verify_password(&hash, password) {
            let failures = row.try_get::<i64, _>("failed_logins")? + 1;
            let locked_until = (failures >= MAX_FAILED_SIGN_INS).then(|| to_millis(now + LOCK_OUT));
            sqlx::query(
                "UPDATE staff_users SET failed_logins = $1, locked_until = $2 WHERE id = $3",
            )
            .bind(if locked_until.is_some() { 0 } else { failures })
            .bind(locked_until)
            .bind(id)
            .execute(self.pool())
            .await?;
            return Err(SignInError::WrongCredentials);
        }
        let token = random_token();
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE staff_users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
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
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The staff member whose unexpired session this token opens.
    pub async fn identity(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StaffIdentity>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.role, s.csrf_token FROM staff_sessions s
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
        if !verify_password(&hash, current_password) {
            return Err(SignInError::WrongCredentials);
        }
        check_new_password(new_password).map_err(SignInError::Invalid)?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE staff_users SET password_hash = $1 WHERE id = $2")
            .bind(hash_password(new_password))
            .bind(identity.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM staff_sessions WHERE user_id = $1 AND token_digest <> $2")
            .bind(identity.user_id)
            .bind(token_digest(current_token))
            .execute(&mut *tx)
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

    pub async fn staff_users(&self) -> Result<Vec<(i64, String, Role)>, StoreError> {
        let rows = sqlx::query("SELECT id, email, role FROM staff_users ORDER BY email")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                Ok((
                    row.try_get("id")?,
                    row.try_get("email")?,
                    Role::parse(&role)
                        .ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
                ))
            })
            .collect()
    }
}
