//! Admin forms for people and keys: adding a staff account and controlling it (disable, enable,
//! role, unlock, end sessions, reset password), making and revoking API keys, and the audit log
//! as CSV.

use super::extract::{CsrfForm, Fields, StaffForm, StaffSession};
use super::refusal::{page_notice, Refusal};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use opendocket_core::accounts::{AccountControl, Actor};
use opendocket_core::api::keys::ApiKeyError;
use opendocket_core::roles::Role;

pub struct NewUserForm {
    email: String,
    role: Role,
    password: String,
}

impl StaffForm for NewUserForm {
    fn parse(fields: &Fields) -> Result<Self, Refusal> {
        let role = fields
            .get("role")
            .and_then(Role::parse)
            .ok_or_else(|| Refusal::bad_request("Choose a role: admin, moderator or analyst."))?;
        Ok(Self {
            email: fields.text("email"),
            role,
            password: fields.text("password"),
        })
    }
}

pub async fn add_user(
    State(state): State<AppState>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<NewUserForm>,
) -> Result<Redirect, Refusal> {
    let services = &state.services;
    let added = services
        .store
        .add_staff_user(
            &form.email,
            form.role,
            &form.password,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await;
    added.map_err(|error| Refusal::from(error).on("/staff/users"))?;
    Ok(Redirect::to("/staff/users"))
}

/// What an admin does to an account from its row on the accounts page.
impl StaffForm for AccountControl {
    fn parse(fields: &Fields) -> Result<Self, Refusal> {
        Ok(match fields.get("action").unwrap_or("") {
            "disable" => Self::Disable,
            "enable" => Self::Enable,
            "role" => Self::Role(
                fields
                    .get("role")
                    .and_then(Role::parse)
                    .ok_or_else(|| Refusal::bad_request("Choose a role: admin, moderator or analyst."))?,
            ),
            "unlock" => Self::Unlock,
            "sessions" => Self::EndSessions,
            "reset" => Self::ResetPassword(fields.text("password")),
            _ => {
                return Err(Refusal::bad_request(
                    "Choose what to do: disable, enable, change role, unlock, end sessions or reset the password.",
                ))
            }
        })
    }
}

pub async fn control_user(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffSession(identity): StaffSession,
    CsrfForm(control): CsrfForm<AccountControl>,
) -> Result<Redirect, Refusal> {
    let services = &state.services;
    let on_page = |refusal: Refusal| refusal.on("/staff/users");
    let account = services.store.staff_user(id).await?.ok_or_else(|| {
        on_page(Refusal::new(
            StatusCode::NOT_FOUND,
            "There is no such staff account.",
        ))
    })?;
    let keeps_own_access = matches!(control, AccountControl::Disable)
        || matches!(control, AccountControl::Role(role) if role != Role::Admin);
    if account.id == identity.user_id && keeps_own_access {
        return Err(on_page(Refusal::new(
            StatusCode::CONFLICT,
            "You cannot disable your own account or give it a lesser role: ask another admin.",
        )));
    }
    let done = services
        .store
        .control_staff_user(
            &account.email,
            &control,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await;
    done.map_err(|error| on_page(Refusal::from(error)))?;
    Ok(Redirect::to("/staff/users"))
}

pub struct ApiKeyForm {
    name: String,
    /// Requests an hour; a limit that is not a number is refused like one out of range.
    limit: Option<i64>,
}

impl StaffForm for ApiKeyForm {
    fn parse(fields: &Fields) -> Result<Self, Refusal> {
        let limit = fields
            .get("limit")
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|raw| raw.parse::<i64>().unwrap_or(0));
        Ok(Self {
            name: fields.text("name"),
            limit,
        })
    }
}

/// An admin makes an API key: the page comes back showing the key, this once.
pub async fn create_api_key(
    State(state): State<AppState>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<ApiKeyForm>,
) -> Result<Response, Refusal> {
    let services = &state.services;
    let made = services
        .store
        .create_api_key(
            &form.name,
            form.limit,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await;
    let page = "/staff/api-keys";
    match made {
        Ok((key, secret)) => {
            let message = format!(
                "The key for {} is {secret} — copy it now: it is not shown again.",
                key.name
            );
            Ok(page_notice(StatusCode::CREATED, message, page))
        }
        Err(error @ (ApiKeyError::BadName | ApiKeyError::BadLimit)) => {
            Err(Refusal::unprocessable(format!("No key was made: {error}")).on(page))
        }
        Err(ApiKeyError::Store(error)) => Err(Refusal::unavailable(
            "The key could not be saved; try again in a minute.",
            error,
        )
        .on(page)),
    }
}

pub async fn revoke_api_key(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffSession(identity): StaffSession,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let services = &state.services;
    let revoked = services
        .store
        .revoke_api_key(id, &Actor::of(&identity), services.clock.now())
        .await?;
    if revoked {
        Ok(Redirect::to("/staff/api-keys"))
    } else {
        Err(Refusal::not_found("There is no such key in use."))
    }
}

pub async fn audit_csv(State(state): State<AppState>) -> Result<Response, Refusal> {
    let entries = state
        .services
        .store
        .audit_log(i64::MAX)
        .await
        .map_err(|error| {
            Refusal::unavailable("The audit log could not be read; try again.", error)
        })?;
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
    let bytes = result
        .map_err(|e| e.to_string())
        .and_then(|_| writer.into_inner().map_err(|e| e.to_string()))
        .map_err(|error| {
            Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("The audit log could not be exported: {error}."),
            )
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-log.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
