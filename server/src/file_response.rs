//! Sending a stored attachment: always as a download, with the content type of the kind the file
//! was recognised as, never from a path that reveals where it is stored.

use crate::AppState;
use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use opendocket_core::attachment::AttachmentKind;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

pub(crate) fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "There is no such file.").into_response()
}

pub(crate) fn unreadable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The file cannot be read just now.",
    )
        .into_response()
}

/// Sends the file stored under `digest` as a download named `name`, of type `kind`.
pub(crate) async fn send(
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
