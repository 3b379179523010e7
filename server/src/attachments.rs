//! Serving attached files: to staff whatever the comment's state, to the public only once the
//! comment is posted and the file not withheld. Always as a download, with the content type of the
//! kind the file was recognised as, never from a path that reveals where it is stored.

use crate::staff::{authorise, authorise_read, fields, switch};
use crate::uploads::{keep_files, staff_multipart, status_of};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use opendocket_core::accounts::Actor;
use opendocket_core::attachment::AttachmentKind;
use opendocket_core::staff::Permission;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Deserialize;

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "There is no such file.").into_response()
}

fn unreadable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The file cannot be read just now.",
    )
        .into_response()
}

/// Sends the file stored under `digest` as a download named `name`, of type `kind`.
async fn send(
    state: &AppState,
    id: i64,
    name: &str,
    kind: AttachmentKind,
    digest: &str,
) -> Response {
    let files = state.services.attachments.clone();
    let digest = digest.to_owned();
    let bytes = match tokio::task::spawn_blocking(move || files.read(&digest)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) => {
            tracing::error!(%error, attachment = id, "an attachment's file is missing");
            return unreadable();
        }
        Err(error) => {
            tracing::error!(%error, "reading an attachment failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let name = &kind.served_name(name);
    // A plain ASCII fallback name, and the real one encoded as RFC 6266 allows.
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, NON_ALPHANUMERIC)
    );
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kind.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

pub async fn public_file(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    match state.services.store.attachment_file(id).await {
        Ok(Some(file)) if file.comment_status == "posted" && !file.info.withheld => {
            let (name, kind, digest) = file.public_version();
            send(&state, id, &name, kind, digest).await
        }
        Ok(_) => not_found(),
        Err(error) => {
            tracing::error!(%error, "attachment lookup failed");
            unreadable()
        }
    }
}

#[derive(Deserialize)]
pub struct StaffFileQuery {
    version: Option<String>,
}

/// The original file, or with `?version=redacted` the redacted version the public gets.
pub async fn staff_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<StaffFileQuery>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = authorise_read(&state, &headers, Some(Permission::ReadComments)).await {
        return refusal;
    }
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

/// A moderator withholds one file from the public (`withhold=yes`) or gives it back (`no`).
pub async fn withhold_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::Moderate)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let Some(withheld) = switch(&form, "withhold", ("yes", "no")) else {
        let question = "Choose to withhold the file or not.";
        return (StatusCode::BAD_REQUEST, question).into_response();
    };
    let services = &state.services;
    match services
        .store
        .set_attachment_withheld(id, withheld, &Actor::of(&identity), services.clock.now())
        .await
    {
        Ok(true) => Redirect::to("/staff").into_response(),
        Ok(false) => not_found(),
        Err(error) => {
            tracing::error!(%error, "withholding an attachment failed");
            not_saved()
        }
    }
}

fn not_saved() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The change could not be saved; try again in a minute.",
    )
        .into_response()
}

/// A moderator gives the public a redacted version of a file (a multipart form with the file under
/// `redacted`), or the original again (`remove=yes`). The original is kept for staff.
pub async fn redact_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (identity, form, mut files) =
        match staff_multipart(&state, &headers, request, "redacted", Permission::Moderate).await {
            Ok(sent) => sent,
            Err(refusal) => return refusal,
        };
    let remove = form.get("remove").map(String::as_str) == Some("yes");
    if remove != files.is_empty() || files.len() > 1 {
        let question = "Choose one redacted file to upload, or remove the redacted version.";
        return (StatusCode::BAD_REQUEST, question).into_response();
    }
    // Files nothing refers to (a replaced redacted version, or one stored for a refused change)
    // are removed later by the sweep of unreferenced files.
    let stored = match files.pop() {
        None => None,
        Some(file) => match keep_files(&state, vec![file]).await {
            Ok(mut stored) => stored.pop(),
            Err(error) => return (status_of(&error), error.to_string()).into_response(),
        },
    };
    let services = &state.services;
    let changed = services
        .store
        .set_attachment_redaction(
            id,
            stored.as_ref(),
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await;
    match changed {
        Ok(Some(_replaced)) => Redirect::to("/staff").into_response(),
        Ok(None) => not_found(),
        Err(error) => {
            tracing::error!(%error, "storing a redacted attachment failed");
            not_saved()
        }
    }
}
