//! Serving attached files: to staff whatever the comment's state, to the public only once the
//! comment is posted and the file not withheld. Always as a download, with the content type of the
//! kind the file was recognised as, never from a path that reveals where it is stored.

use crate::staff::{authorise, authorise_read, fields, switch};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use opendocket_core::accounts::Actor;
use opendocket_core::attachment::AttachmentFile;
use opendocket_core::staff::Permission;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

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

async fn send(state: &AppState, file: AttachmentFile) -> Response {
    let files = state.services.attachments.clone();
    let digest = file.sha256.clone();
    let bytes = match tokio::task::spawn_blocking(move || files.read(&digest)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) => {
            tracing::error!(%error, attachment = file.info.id, "an attachment's file is missing");
            return unreadable();
        }
        Err(error) => {
            tracing::error!(%error, "reading an attachment failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let name = &file.info.file_name;
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
        HeaderValue::from_static(file.info.kind.content_type()),
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
            send(&state, file).await
        }
        Ok(_) => not_found(),
        Err(error) => {
            tracing::error!(%error, "attachment lookup failed");
            unreadable()
        }
    }
}

pub async fn staff_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = authorise_read(&state, &headers, Some(Permission::ReadComments)).await {
        return refusal;
    }
    match state.services.store.attachment_file(id).await {
        Ok(Some(file)) => send(&state, file).await,
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
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The change could not be saved; try again in a minute.",
            )
                .into_response()
        }
    }
}
