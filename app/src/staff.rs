//! Staff pages' server functions and the session check every one of them makes first.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The cookie that carries a staff session token.
pub const SESSION_COOKIE: &str = "opendocket_session";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub id: i64,
    pub version: i64,
    pub docket_id: String,
    pub docket_title: String,
    pub received_at: String,
    pub late: bool,
    pub submitter_type: String,
    pub name: String,
    pub email: Option<String>,
    pub body: String,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub email: String,
    pub role: String,
    pub can_moderate: bool,
    pub csrf_token: String,
    pub pending_total: i64,
    pub entries: Vec<QueueEntry>,
}

/// A refused staff form, rendered back with its reason (no-JavaScript path, like the comment form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffNotice {
    pub message: String,
    pub email: String,
}

/// The session token from a request's cookies.
pub fn session_token(cookie_header: &str) -> Option<&str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

#[cfg(feature = "ssr")]
pub mod guard {
    use super::*;
    use opendocket_core::accounts::StaffIdentity;
    use opendocket_core::services::Services;
    use opendocket_core::staff::Permission;

    /// The staff member behind a request's cookie, if the session is valid.
    pub async fn identity_from_headers(
        services: &Services,
        headers: &http::HeaderMap,
    ) -> Result<Option<StaffIdentity>, opendocket_core::store::StoreError> {
        let token = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(session_token)
            .map(str::to_owned);
        match token {
            Some(token) => services.store.identity(&token, services.clock.now()).await,
            None => Ok(None),
        }
    }

    /// Every staff server function starts here: 401 without a session, 403 without the permission.
    pub async fn require(permission: Permission) -> Result<(Services, StaffIdentity), AppError> {
        let services = crate::api::services()?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        match identity_from_headers(&services, &parts.headers).await? {
            None => {
                crate::pages::set_status(401);
                Err(AppError::SignInRequired)
            }
            Some(identity) if !identity.role.can(permission) => {
                crate::pages::set_status(403);
                Err(AppError::Forbidden)
            }
            Some(identity) => Ok((services, identity)),
        }
    }
}

#[server]
pub async fn staff_queue() -> Result<QueueView, AppError> {
    use opendocket_core::staff::Permission;
    use opendocket_core::window::format_in_zone;
    let (services, identity) = guard::require(Permission::ReadComments).await?;
    let items = services.store.moderation_queue(50, 0).await?;
    let pending_total = services.store.pending_count().await?;
    Ok(QueueView {
        email: identity.email.clone(),
        role: identity.role.as_str().to_owned(),
        can_moderate: identity.role.can(Permission::Moderate),
        csrf_token: identity.csrf_token.clone(),
        pending_total,
        entries: items
            .into_iter()
            .map(|item| QueueEntry {
                id: item.id,
                version: item.version,
                docket_id: item.docket_id,
                docket_title: item.docket_title,
                received_at: item
                    .time_zone
                    .parse::<chrono_tz::Tz>()
                    .map(|zone| format_in_zone(item.received_at, zone))
                    .unwrap_or_else(|_| item.received_at.to_rfc3339()),
                late: item.late,
                submitter_type: item.submitter_type,
                name: item.name,
                email: item.email,
                body: item.body,
                flags: item.flags,
            })
            .collect(),
    })
}
