//! Staff form handlers: signing in and out, and moderation decisions. Every one checks the
//! session, the permission and the form's CSRF token on the server before changing anything.

use crate::form::parse_urlencoded;
use crate::render::render_page_with;
use crate::AppState;
use crate::{attachments, campaigns, tagging};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use opendocket_app::staff::{guard::identity_from_headers, StaffNotice, SESSION_COOKIE};
use opendocket_core::accounts::{Actor, SignInError, StaffIdentity, SESSION_LIFETIME};
use opendocket_core::moderation::{Decision, ModerationError, WithholdReason};
use opendocket_core::staff::Permission;
use std::collections::HashMap;

/// A staff endpoint: its path, the permission it needs, and its handler.
pub struct StaffEndpoint {
    pub path: &'static str,
    /// `None`: any signed-in staff member.
    pub permission: Option<Permission>,
    route: fn() -> MethodRouter<AppState>,
}

/// Every state-changing staff endpoint (POST, with a CSRF token). The router is built from this
/// table and the authorisation test walks it, so an endpoint cannot be added without a check.
pub const STAFF_FORM_ENDPOINTS: &[StaffEndpoint] = &[
    StaffEndpoint {
        path: "/staff/logout",
        permission: None,
        route: || post(sign_out),
    },
    StaffEndpoint {
        path: "/staff/password",
        permission: None,
        route: || post(change_password),
    },
    StaffEndpoint {
        path: "/staff/comments/{id}/decision",
        permission: Some(Permission::Moderate),
        route: || post(decide),
    },
    StaffEndpoint {
        path: "/staff/comments/bulk",
        permission: Some(Permission::Moderate),
        route: || post(decide_bulk),
    },
    StaffEndpoint {
        path: "/staff/users",
        permission: Some(Permission::ManageUsers),
        route: || post(add_user),
    },
    StaffEndpoint {
        path: "/staff/import",
        permission: Some(Permission::ManageDockets),
        route: || {
            // The handler reads the form itself, within the attachment limits.
            post(crate::imports::import_upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::STAFF_UPLOAD_LIMIT,
            ))
        },
    },
    StaffEndpoint {
        path: "/staff/api-keys",
        permission: Some(Permission::ManageUsers),
        route: || post(create_api_key),
    },
    StaffEndpoint {
        path: "/staff/api-keys/{id}/revoke",
        permission: Some(Permission::ManageUsers),
        route: || post(revoke_api_key),
    },
    StaffEndpoint {
        path: "/staff/dockets",
        permission: Some(Permission::ManageDockets),
        route: || post(create_docket),
    },
    StaffEndpoint {
        path: "/staff/dockets/{id}",
        permission: Some(Permission::ManageDockets),
        route: || post(edit_docket),
    },
    StaffEndpoint {
        path: "/staff/dockets/{id}/extend",
        permission: Some(Permission::ManageDockets),
        route: || post(extend_docket),
    },
    StaffEndpoint {
        path: "/staff/dockets/{id}/reopen",
        permission: Some(Permission::ManageDockets),
        route: || post(reopen_docket),
    },
    StaffEndpoint {
        path: "/staff/dockets/{id}/schedule",
        permission: Some(Permission::ManageDockets),
        route: || post(schedule_docket),
    },
    StaffEndpoint {
        path: "/staff/dockets/{id}/late-policy",
        permission: Some(Permission::ManageDockets),
        route: || post(set_late_policy),
    },
    StaffEndpoint {
        path: "/staff/dockets/{id}/withdraw",
        permission: Some(Permission::ManageDockets),
        route: || post(withdraw_docket),
    },
    StaffEndpoint {
        path: "/staff/dockets/{id}/tags",
        permission: Some(Permission::Tag),
        route: || post(tagging::create_tag),
    },
    StaffEndpoint {
        path: "/staff/tags/{id}",
        permission: Some(Permission::Tag),
        route: || post(tagging::change_tag),
    },
    StaffEndpoint {
        path: "/staff/tags/{id}/publish",
        permission: Some(Permission::ManageDockets),
        route: || post(tagging::publish_tag),
    },
    StaffEndpoint {
        path: "/staff/comments/{id}/tags",
        permission: Some(Permission::Tag),
        route: || post(tagging::tag_comment),
    },
    StaffEndpoint {
        path: "/staff/search/tag",
        permission: Some(Permission::Tag),
        route: || post(tagging::bulk_tag),
    },
    StaffEndpoint {
        path: "/staff/campaigns/{id}/merge",
        permission: Some(Permission::Tag),
        route: || post(campaigns::merge),
    },
    StaffEndpoint {
        path: "/staff/campaigns/{id}/split",
        permission: Some(Permission::Tag),
        route: || post(campaigns::split),
    },
    StaffEndpoint {
        path: "/staff/campaigns/{id}/leave",
        permission: Some(Permission::Tag),
        route: || post(campaigns::leave),
    },
    StaffEndpoint {
        path: "/staff/campaigns/{id}/moderate",
        permission: Some(Permission::Moderate),
        route: || post(campaigns::moderate),
    },
    StaffEndpoint {
        path: "/staff/attachments/{id}/withhold",
        permission: Some(Permission::Moderate),
        route: || post(attachments::withhold_file),
    },
    StaffEndpoint {
        path: "/staff/attachments/{id}/redacted",
        permission: Some(Permission::Moderate),
        route: || {
            // The handler reads the form itself, within the attachment limits.
            post(attachments::redact_file).layer(axum::extract::DefaultBodyLimit::max(
                crate::STAFF_UPLOAD_LIMIT,
            ))
        },
    },
    StaffEndpoint {
        path: "/staff/dockets/{id}/summary",
        permission: Some(Permission::ManageDockets),
        route: || post(campaigns::publish_summary),
    },
];

/// Staff downloads (GET), from the same kind of table.
pub const STAFF_DOWNLOADS: &[StaffEndpoint] = &[StaffEndpoint {
    path: "/staff/audit.csv",
    permission: Some(Permission::ReadAuditLog),
    route: || get(audit_csv),
}];

pub fn routes() -> Router<AppState> {
    STAFF_FORM_ENDPOINTS.iter().chain(STAFF_DOWNLOADS).fold(
        Router::new().route("/staff/login", post(sign_in)),
        |router, endpoint| router.route(endpoint.path, (endpoint.route)()),
    )
}

pub(crate) fn fields(body: &[u8]) -> HashMap<String, String> {
    parse_urlencoded(body)
        .map(|pairs| pairs.into_iter().collect())
        .unwrap_or_default()
}

/// A two-way choice sent by a form (`name=on` or `name=off`, say); `None` for anything else.
pub(crate) fn switch(
    form: &HashMap<String, String>,
    name: &str,
    (on, off): (&str, &str),
) -> Option<bool> {
    match form.get(name).map(String::as_str) {
        Some(value) if value == on => Some(true),
        Some(value) if value == off => Some(false),
        _ => None,
    }
}

fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn session_cookie(token: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}"
    ))
    .expect("hex tokens make valid cookie values")
}

pub(crate) async fn notice(
    state: &AppState,
    path: &str,
    headers: &HeaderMap,
    status: StatusCode,
    message: String,
    email: String,
) -> Response {
    render_page_with(state, path, headers, status, StaffNotice { message, email }).await
}

async fn sign_in(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form = fields(&body);
    let email = form.get("email").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let services = &state.services;
    let (status, message) = match services
        .store
        .sign_in(&email, &password, services.clock.now())
        .await
    {
        Ok(token) => {
            let mut response = Redirect::to("/staff").into_response();
            let cookie = session_cookie(&token, SESSION_LIFETIME.num_seconds(), is_https(&headers));
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            return response;
        }
        Err(SignInError::WrongCredentials | SignInError::Invalid(_)) => (
            StatusCode::UNAUTHORIZED,
            "The email address or password is not right.".to_owned(),
        ),
        Err(SignInError::Locked(until)) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many wrong passwords: this account is locked until {} UTC.",
                until.format("%Y-%m-%d %H:%M")
            ),
        ),
        Err(SignInError::Store(error)) => {
            tracing::error!(%error, "sign-in failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Signing in is not possible just now. Please try again in a minute.".to_owned(),
            )
        }
    };
    notice(
        &state,
        "/staff/login",
        &HeaderMap::new(),
        status,
        message,
        email,
    )
    .await
}

/// The session behind the request and a CSRF check of the form, or the response refusing it.
pub(crate) async fn authorise(
    state: &AppState,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
    permission: Option<Permission>,
) -> Result<StaffIdentity, Response> {
    let identity = authorise_read(state, headers, permission).await?;
    match check_csrf(&identity, form) {
        Some(refusal) => Err(refusal),
        None => Ok(identity),
    }
}

/// The response refusing the form, unless it carries the session's CSRF token.
pub(crate) fn check_csrf(
    identity: &StaffIdentity,
    form: &HashMap<String, String>,
) -> Option<Response> {
    let sent = form
        .get("csrf_token")
        .map(String::as_bytes)
        .unwrap_or_default();
    let expected = identity.csrf_token.as_bytes();
    // Compared without an early exit, so timing does not reveal how much of the token matched.
    let matches = sent.len() == expected.len()
        && sent
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    let message = "This form has expired. Reload the page and try again.";
    (!matches).then(|| (StatusCode::FORBIDDEN, message).into_response())
}

/// The session behind a request that changes nothing, checked for `permission`.
pub(crate) async fn authorise_read(
    state: &AppState,
    headers: &HeaderMap,
    permission: Option<Permission>,
) -> Result<StaffIdentity, Response> {
    let identity = match identity_from_headers(&state.services, headers).await {
        Ok(Some(identity)) => identity,
        Ok(None) => {
            let message = "Please sign in first.".to_owned();
            let no_cookies = HeaderMap::new();
            let status = StatusCode::UNAUTHORIZED;
            return Err(notice(
                state,
                "/staff/login",
                &no_cookies,
                status,
                message,
                String::new(),
            )
            .await);
        }
        Err(error) => {
            tracing::error!(%error, "session lookup failed");
            let message = "The database is unreachable; try again in a minute.";
            return Err((StatusCode::SERVICE_UNAVAILABLE, message).into_response());
        }
    };
    if permission.is_some_and(|p| !identity.role.can(p)) {
        let message = "Your account does not have permission to do this.";
        return Err((StatusCode::FORBIDDEN, message).into_response());
    }
    Ok(identity)
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(opendocket_app::staff::session_token)
        .map(str::to_owned)
}

async fn sign_out(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form = fields(&body);
    if let Err(refusal) = authorise(&state, &headers, &form, None).await {
        return refusal;
    }
    if let Some(token) = session_token(&headers) {
        if let Err(error) = state.services.store.sign_out(&token).await {
            tracing::error!(%error, "sign-out failed");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "Signing out failed; try again.",
            )
                .into_response();
        }
    }
    let mut response = Redirect::to("/staff/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie("", 0, is_https(&headers)),
    );
    response
}

async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::Moderate)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let parsed = (|| {
        let id: i64 = id.parse().ok()?;
        let version: i64 = form.get("version")?.parse().ok()?;
        let decision = match form.get("decision")?.as_str() {
            "post" => Decision::Post {
                redact: form
                    .get("redact")
                    .map(|r| r.split('|').map(str::to_owned).collect())
                    .unwrap_or_default(),
            },
            "restore" => Decision::Restore,
            "withhold" => Decision::Withhold {
                reason: WithholdReason::parse(form.get("reason")?)?,
                note: form
                    .get("note")
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
            },
            _ => return None,
        };
        Some((id, version, decision))
    })();
    let Some((comment_id, version, decision)) = parsed else {
        return (
            StatusCode::BAD_REQUEST,
            "The decision form was incomplete; reload the queue and try again.",
        )
            .into_response();
    };
    let services = &state.services;
    let outcome = services
        .store
        .moderate(
            comment_id,
            version,
            &decision,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await;
    let (status, message) = match outcome {
        Ok(_) => return Redirect::to("/staff").into_response(),
        Err(ModerationError::NotFound) => (StatusCode::NOT_FOUND, format!("There is no comment {comment_id}.")),
        Err(ModerationError::Stale { current, by }) => (
            StatusCode::CONFLICT,
            format!(
                "Comment {comment_id} was already changed by {}: it is now {}. Nothing was changed.",
                by.as_deref().unwrap_or("someone else"),
                current.as_str()
            ),
        ),
        Err(ModerationError::Redaction(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Comment {comment_id} was not posted: {e}. Nothing was changed."),
        ),
        Err(ModerationError::NoteRequired) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Comment {comment_id}: withholding for another reason needs a note saying why. Nothing was changed."),
        ),
        Err(ModerationError::Store(error)) => {
            tracing::error!(%error, "moderation failed");
            (StatusCode::SERVICE_UNAVAILABLE, "The decision could not be saved; nothing was changed. Try again.".to_owned())
        }
    };
    notice(&state, "/staff", &headers, status, message, identity.email).await
}

/// An admin makes an API key: the page comes back showing the key, this once.
async fn create_api_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    use opendocket_core::api::keys::ApiKeyError;
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::ManageUsers)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let name = form.get("name").cloned().unwrap_or_default();
    let limit = match form
        .get("limit")
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
    {
        None => None,
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) => Some(n),
            // Not a number: refused below like any limit out of range.
            Err(_) => Some(0),
        },
    };
    let services = &state.services;
    let made = services
        .store
        .create_api_key(&name, limit, &Actor::of(&identity), services.clock.now())
        .await;
    let (status, message) = match made {
        Ok((key, secret)) => (
            StatusCode::CREATED,
            format!(
                "The key for {} is {secret} — copy it now: it is not shown again.",
                key.name
            ),
        ),
        Err(error @ (ApiKeyError::BadName | ApiKeyError::BadLimit)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("No key was made: {error}"),
        ),
        Err(ApiKeyError::Store(error)) => {
            tracing::error!(%error, "making an API key failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The key could not be saved; try again in a minute.".to_owned(),
            )
        }
    };
    notice(
        &state,
        "/staff/api-keys",
        &headers,
        status,
        message,
        String::new(),
    )
    .await
}

async fn revoke_api_key(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::ManageUsers)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let services = &state.services;
    match services
        .store
        .revoke_api_key(id, &Actor::of(&identity), services.clock.now())
        .await
    {
        Ok(true) => Redirect::to("/staff/api-keys").into_response(),
        Ok(false) => (StatusCode::NOT_FOUND, "There is no such key in use.").into_response(),
        Err(error) => {
            tracing::error!(%error, "revoking an API key failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The change could not be saved; try again in a minute.",
            )
                .into_response()
        }
    }
}

async fn add_user(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    use opendocket_core::accounts::AccountError;
    use opendocket_core::staff::Role;
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::ManageUsers)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let email = form.get("email").cloned().unwrap_or_default();
    let Some(role) = form.get("role").and_then(|r| Role::parse(r)) else {
        return (
            StatusCode::BAD_REQUEST,
            "Choose a role: admin, moderator or analyst.",
        )
            .into_response();
    };
    let password = form.get("password").cloned().unwrap_or_default();
    let services = &state.services;
    let added = services
        .store
        .add_staff_user(
            &email,
            role,
            &password,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await;
    let (status, message) = match added {
        Ok(_) => return Redirect::to("/staff/users").into_response(),
        Err(AccountError::Invalid(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("The account was not added: {e}."),
        ),
        Err(AccountError::Exists(email)) => (
            StatusCode::CONFLICT,
            format!("A staff account for {email} already exists."),
        ),
        Err(AccountError::Store(error)) => {
            tracing::error!(%error, "adding a staff account failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The account could not be saved; try again in a minute.".to_owned(),
            )
        }
    };
    notice(
        &state,
        "/staff/users",
        &headers,
        status,
        message,
        identity.email,
    )
    .await
}

async fn audit_csv(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(refusal) = authorise_read(&state, &headers, Some(Permission::ReadAuditLog)).await {
        return refusal;
    }
    let entries = match state.services.store.audit_log(i64::MAX).await {
        Ok(entries) => entries,
        Err(error) => {
            tracing::error!(%error, "audit export failed");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "The audit log could not be read; try again.",
            )
                .into_response();
        }
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "id",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
    ];
    let mut result = writer.write_record(header);
    for e in entries.iter().rev() {
        if result.is_err() {
            break;
        }
        let cells = [
            e.id.to_string().as_str(),
            &e.at.to_rfc3339(),
            &e.actor,
            &e.action,
            &e.object_type,
            &e.object_id,
            e.before.as_deref().unwrap_or(""),
            e.after.as_deref().unwrap_or(""),
        ]
        .map(|cell| opendocket_core::text::spreadsheet_safe(cell).into_owned());
        result = writer.write_record(cells);
    }
    match result
        .map_err(|e| e.to_string())
        .and_then(|_| writer.into_inner().map_err(|e| e.to_string()))
    {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit-log.csv\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "audit export failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The audit log could not be exported.",
            )
                .into_response()
        }
    }
}

async fn create_docket(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    use opendocket_core::docket::{DocketDraft, NewDocument};
    use opendocket_core::store::StoreError;
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::ManageDockets)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let text = |name: &str| form.get(name).cloned().unwrap_or_default();
    let draft = DocketDraft {
        id: text("id"),
        title: text("title"),
        agency_name: text("agency_name"),
        time_zone: text("time_zone"),
        opens_at: text("opens_at"),
        due_date: text("due_date"),
        closes_at: String::new(),
        allow_late: form.contains_key("allow_late"),
    };
    let citation = text("federal_register");
    let document = NewDocument {
        title: text("document_title").trim().to_owned(),
        summary: opendocket_core::text::normalise_newlines(&text("summary"))
            .trim()
            .to_owned(),
        body_markdown: opendocket_core::text::normalise_newlines(&text("body_markdown"))
            .trim()
            .to_owned(),
        federal_register_citation: (!citation.trim().is_empty())
            .then(|| citation.trim().to_owned()),
    };
    let services = &state.services;
    let (status, message) = match draft.parse(document) {
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("The docket was not created: {e}."),
        ),
        Ok(docket) => match services
            .store
            .create_docket(&docket, &Actor::of(&identity), services.clock.now())
            .await
        {
            Ok(()) => {
                services.scheduler.wake();
                return Redirect::to("/staff/dockets").into_response();
            }
            Err(e @ (StoreError::DocketExists(_) | StoreError::AgencyConflict { .. })) => (
                StatusCode::CONFLICT,
                format!("The docket was not created: {e}."),
            ),
            Err(error) => {
                tracing::error!(%error, "creating a docket failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The docket could not be saved; try again in a minute.".to_owned(),
                )
            }
        },
    };
    notice(
        &state,
        "/staff/dockets",
        &headers,
        status,
        message,
        identity.email,
    )
    .await
}

async fn extend_docket(
    state: State<AppState>,
    id: Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change_window(state, id, headers, body, WindowChange::Extend).await
}

async fn reopen_docket(
    state: State<AppState>,
    id: Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change_window(state, id, headers, body, WindowChange::Reopen).await
}

#[derive(Clone, Copy)]
enum WindowChange {
    Extend,
    Reopen,
}

/// Extends the deadline of an open docket, or reopens a closed one from now to a new due date.
async fn change_window(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
    change: WindowChange,
) -> Response {
    use opendocket_core::docket::DocketId;
    use opendocket_core::store::ExtendError;
    use opendocket_core::window::{closing_instant, CommentWindow};
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::ManageDockets)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let services = &state.services;
    let docket = match DocketId::parse(&id) {
        Ok(id) => services.store.docket(&id).await,
        Err(_) => Ok(None),
    };
    let docket = match docket {
        Ok(Some(docket)) => docket,
        Ok(None) => return (StatusCode::NOT_FOUND, "There is no such docket.").into_response(),
        Err(error) => {
            tracing::error!(%error, "reading a docket failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "Try again in a minute.").into_response();
        }
    };
    let verb = match change {
        WindowChange::Extend => "extended",
        WindowChange::Reopen => "reopened",
    };
    let raw = form.get("due_date").cloned().unwrap_or_default();
    let Ok(date) = chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") else {
        let message = format!("{id} was not {verb}: the new due date must look like 2023-05-13.");
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return notice(
            &state,
            "/staff/dockets",
            &headers,
            status,
            message,
            identity.email,
        )
        .await;
    };
    let closes_at = closing_instant(date, docket.agency.time_zone);
    let now = services.clock.now();
    let actor = Actor::of(&identity);
    let changed = match change {
        WindowChange::Extend => {
            services
                .store
                .extend_window(&docket.id, closes_at, &actor, now)
                .await
        }
        WindowChange::Reopen => {
            match CommentWindow::new(now, closes_at, docket.window.allow_late) {
                Ok(window) => {
                    services
                        .store
                        .reopen_docket(&docket.id, &window, &actor, now)
                        .await
                }
                Err(_) => Err(ExtendError::NotLater),
            }
        }
    };
    let (status, message) = match changed {
        Ok(()) => {
            services.scheduler.wake();
            return Redirect::to("/staff/dockets").into_response();
        }
        Err(ExtendError::Store(error)) => {
            tracing::error!(%error, "changing a comment window failed");
            let message = "The change could not be saved; try again in a minute.".to_owned();
            (StatusCode::SERVICE_UNAVAILABLE, message)
        }
        Err(e @ ExtendError::UnknownDocket(_)) => (StatusCode::NOT_FOUND, format!("{e}.")),
        Err(e) => (StatusCode::CONFLICT, format!("{id} was not {verb}: {e}.")),
    };
    notice(
        &state,
        "/staff/dockets",
        &headers,
        status,
        message,
        identity.email,
    )
    .await
}

/// The docket a docket-management form names, or the response refusing the request.
async fn managed_docket(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(StaffIdentity, opendocket_core::docket::DocketId), Response> {
    let identity = authorise(state, headers, form, Some(Permission::ManageDockets)).await?;
    let docket = match opendocket_core::docket::DocketId::parse(id) {
        Ok(id) => state.services.store.docket(&id).await,
        Err(_) => Ok(None),
    };
    match docket {
        Ok(Some(docket)) => Ok((identity, docket.id)),
        Ok(None) => Err((StatusCode::NOT_FOUND, "There is no such docket.").into_response()),
        Err(error) => {
            tracing::error!(%error, "reading a docket failed");
            Err((StatusCode::SERVICE_UNAVAILABLE, "Try again in a minute.").into_response())
        }
    }
}

fn saved_or_unavailable(result: Result<(), opendocket_core::store::StoreError>) -> Response {
    match result {
        Ok(()) => Redirect::to("/staff/dockets").into_response(),
        Err(error) => {
            tracing::error!(%error, "changing a docket failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The change could not be saved; try again in a minute.",
            )
                .into_response()
        }
    }
}

async fn set_late_policy(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let (identity, docket_id) = match managed_docket(&state, &id, &headers, &form).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let Some(allow_late) = switch(&form, "allow_late", ("on", "off")) else {
        let question = "Say whether late comments are accepted: on or off.";
        return (StatusCode::BAD_REQUEST, question).into_response();
    };
    let services = &state.services;
    let result = services
        .store
        .set_late_policy(
            &docket_id,
            allow_late,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await;
    saved_or_unavailable(result)
}

async fn withdraw_docket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let (identity, docket_id) = match managed_docket(&state, &id, &headers, &form).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    if form.get("confirm").map(String::as_str) != Some("yes") {
        let message = format!("{docket_id} was not withdrawn: tick “I mean it” to confirm.");
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return notice(
            &state,
            "/staff/dockets",
            &headers,
            status,
            message,
            identity.email,
        )
        .await;
    }
    let services = &state.services;
    let result = services
        .store
        .withdraw_docket(&docket_id, &Actor::of(&identity), services.clock.now())
        .await;
    saved_or_unavailable(result.map(|_| ()))
}

async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, None).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let token = session_token(&headers).unwrap_or_default();
    let current = form.get("current_password").cloned().unwrap_or_default();
    let new = form.get("new_password").cloned().unwrap_or_default();
    let services = &state.services;
    let changed = services
        .store
        .change_password(&identity, &token, &current, &new, services.clock.now())
        .await;
    let (status, message) = match changed {
        Ok(()) => (
            StatusCode::OK,
            "Your password was changed; your other sessions were signed out.".to_owned(),
        ),
        Err(SignInError::WrongCredentials) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "The current password is not right; nothing was changed.".to_owned(),
        ),
        Err(SignInError::Invalid(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("The new password was refused: {e}."),
        ),
        Err(SignInError::Locked(_)) => (
            StatusCode::TOO_MANY_REQUESTS,
            "This account is locked; try again later.".to_owned(),
        ),
        Err(SignInError::Store(error)) => {
            tracing::error!(%error, "changing a password failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The password could not be changed; try again in a minute.".to_owned(),
            )
        }
    };
    notice(
        &state,
        "/staff/password",
        &headers,
        status,
        message,
        identity.email,
    )
    .await
}

/// One decision for every comment ticked in the queue (`selected` = `ID:VERSION`, repeated).
async fn decide_bulk(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = parse_urlencoded(&body).unwrap_or_default();
    let form: HashMap<String, String> = pairs.iter().cloned().collect();
    let identity = match authorise(&state, &headers, &form, Some(Permission::Moderate)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let selected: Vec<(i64, i64)> = pairs
        .iter()
        .filter(|(name, _)| name == "selected")
        .filter_map(|(_, value)| {
            let (id, version) = value.split_once(':')?;
            Some((id.parse().ok()?, version.parse().ok()?))
        })
        .collect();
    let decision = match form.get("decision").map(String::as_str) {
        Some("post") => Some(Decision::Post { redact: Vec::new() }),
        Some("withhold") => form
            .get("reason")
            .and_then(|r| WithholdReason::parse(r))
            .map(|reason| Decision::Withhold {
                reason,
                note: form
                    .get("note")
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
            }),
        _ => None,
    };
    let status_and_message = match (decision, selected.is_empty()) {
        (_, true) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Tick the comments to decide on first; nothing was changed.".to_owned(),
        ),
        (None, false) => (
            StatusCode::BAD_REQUEST,
            "The bulk decision form was incomplete; nothing was changed.".to_owned(),
        ),
        (Some(decision), false) => {
            let services = &state.services;
            let actor = Actor::of(&identity);
            let (mut done, mut stale, mut failed) = (0, 0, Vec::new());
            for (id, version) in &selected {
                match services
                    .store
                    .moderate(*id, *version, &decision, &actor, services.clock.now())
                    .await
                {
                    Ok(_) => done += 1,
                    Err(ModerationError::Stale { .. } | ModerationError::NotFound) => stale += 1,
                    Err(e) => failed.push(format!("comment {id}: {e}")),
                }
            }
            let verb = if matches!(decision, Decision::Post { .. }) {
                "Posted"
            } else {
                "Withheld"
            };
            let mut message = format!("{verb} {done} of {} selected comments.", selected.len());
            if stale > 0 {
                message.push_str(&format!(
                    " {stale} had already been decided by someone else and were left as they were."
                ));
            }
            if !failed.is_empty() {
                message.push_str(&format!(" Not changed: {}.", failed.join("; ")));
            }
            let status = if failed.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            (status, message)
        }
    };
    let (status, message) = status_and_message;
    notice(&state, "/staff", &headers, status, message, identity.email).await
}

async fn edit_docket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    use opendocket_core::docket::NewDocument;
    use opendocket_core::text::normalise_newlines;
    let form = fields(&body);
    let (identity, docket_id) = match managed_docket(&state, &id, &headers, &form).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let text = |name: &str| {
        normalise_newlines(form.get(name).map(String::as_str).unwrap_or_default())
            .trim()
            .to_owned()
    };
    let title = text("title");
    if title.is_empty() || title.contains('\n') {
        let message =
            format!("{docket_id} was not changed: the title is required and fits on one line.");
        let path = format!("/staff/dockets/{docket_id}/edit");
        return notice(
            &state,
            &path,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
            identity.email,
        )
        .await;
    }
    let citation = text("federal_register");
    let document_title = text("document_title");
    let document = NewDocument {
        title: if document_title.is_empty() {
            title.clone()
        } else {
            document_title
        },
        summary: text("summary"),
        body_markdown: text("body_markdown"),
        federal_register_citation: (!citation.is_empty()).then_some(citation),
    };
    let services = &state.services;
    let result = services
        .store
        .edit_docket(
            &docket_id,
            &title,
            &document,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await;
    saved_or_unavailable(result.map(|_| ()))
}

async fn schedule_docket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    use opendocket_core::docket::parse_instant_in_zone;
    use opendocket_core::store::ExtendError;
    let form = fields(&body);
    let (identity, docket_id) = match managed_docket(&state, &id, &headers, &form).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let services = &state.services;
    let zone = match services.store.docket(&docket_id).await {
        Ok(Some(docket)) => docket.agency.time_zone,
        Ok(None) => return (StatusCode::NOT_FOUND, "There is no such docket.").into_response(),
        Err(error) => {
            tracing::error!(%error, "reading a docket failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "Try again in a minute.").into_response();
        }
    };
    let raw = form.get("opens_at").cloned().unwrap_or_default();
    let Some(opens_at) = parse_instant_in_zone(&raw, zone) else {
        let message = format!(
            "{docket_id} was not rescheduled: the opening must be a time such as 2023-03-14T09:00."
        );
        return notice(
            &state,
            "/staff/dockets",
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
            identity.email,
        )
        .await;
    };
    let now = services.clock.now();
    let (status, message) = match services
        .store
        .reschedule_opening(&docket_id, opens_at, &Actor::of(&identity), now)
        .await
    {
        Ok(()) => {
            services.scheduler.wake();
            return Redirect::to("/staff/dockets").into_response();
        }
        Err(ExtendError::Store(error)) => {
            tracing::error!(%error, "rescheduling failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The change could not be saved; try again in a minute.".to_owned(),
            )
        }
        Err(e) => (
            StatusCode::CONFLICT,
            format!("{docket_id} was not rescheduled: {e}."),
        ),
    };
    notice(
        &state,
        "/staff/dockets",
        &headers,
        status,
        message,
        identity.email,
    )
    .await
}
