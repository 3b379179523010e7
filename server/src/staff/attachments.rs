//! Attached files for staff: the original whatever the comment's state (or the redacted version
//! the public gets), withholding one file, and giving the public a redacted version.

use super::extract::{staff_multipart, CsrfForm, Fields, StaffSession};
use super::refusal::Refusal;
use crate::file_response::{not_found, send, unreadable};
use crate::uploads::{keep_files, status_of};
use crate::AppState;
use axum::extract::{Path, Query, Request, State};
use axum::response::{Redirect, Response};
use opendocket_core::accounts::Actor;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct StaffFileQuery {
    version: Option<String>,
}

/// The original file, or with `?version=redacted` the redacted version the public gets.
pub async fn staff_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<StaffFileQuery>,
) -> Response {
    let redacted = query.version.as_deref() == Some("redacted");
    match state.services.store.attachment_file(id).await {
        Ok(Some(file)) if redacted => match file.info.redacted {
            Some(_) => {
                let (name, kind, digest) = file.public_version();
                send(&state, id, &name, kind, digest).await
            }
            None => not_found(),
        },
        Ok(Some(file)) => {
            let info = &file.info;
            send(&state, id, &info.file_name, info.kind, &file.sha256).await
        }
        Ok(None) => not_found(),
        Err(error) => {
            tracing::error!(%error, "attachment lookup failed");
            unreadable()
        }
    }
}

fn no_such_file() -> Refusal {
    Refusal::not_found("There is no such file.")
}

/// A moderator withholds one file from the public (`withhold=yes`) or gives it back (`no`).
pub async fn withhold_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let withheld = form
        .switch("withhold", ("yes", "no"))
        .ok_or_else(|| Refusal::bad_request("Choose to withhold the file or not."))?;
    let services = &state.services;
    let changed = services
        .store
        .set_attachment_withheld(id, withheld, &Actor::of(&identity), services.clock.now())
        .await?;
    if changed {
        Ok(Redirect::to("/staff"))
    } else {
        Err(no_such_file())
    }
}

/// A moderator gives the public a redacted version of a file (a multipart form with the file under
/// `redacted`), or the original again (`remove=yes`). The original is kept for staff.
pub async fn redact_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffSession(identity): StaffSession,
    request: Request,
) -> Result<Redirect, Refusal> {
    let (form, mut files) = staff_multipart(&state, &identity, request, "redacted").await?;
    let remove = form.get("remove") == Some("yes");
    if remove != files.is_empty() || files.len() > 1 {
        return Err(Refusal::bad_request(
            "Choose one redacted file to upload, or remove the redacted version.",
        ));
    }
    // Files nothing refers to (a replaced redacted version, or one stored for a refused change)
    // are removed later by the sweep of unreferenced files.
    let stored = match files.pop() {
        None => None,
        Some(file) => keep_files(&state, vec![file])
            .await
            .map_err(|error| Refusal::new(status_of(&error), error.to_string()))?
            .pop(),
    };
    let services = &state.services;
    let replaced = services
        .store
        .set_attachment_redaction(
            id,
            stored.as_ref(),
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await?;
    match replaced {
        Some(_) => Ok(Redirect::to("/staff")),
        None => Err(no_such_file()),
    }
}
