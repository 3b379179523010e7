//! Files sent in forms: reading a multipart form within the attachment limits, checking each file
//! and writing it to disk (synced) before anything refers to it, and removing files again when
//! what they came with was refused.

use crate::AppState;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use opendocket_core::attachment::{
    safe_file_name, AttachmentError, NewAttachment, StoredAttachment,
};

/// A form as sent: its text fields in order, and the files chosen under the file field.
pub(crate) struct Received {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<(String, Vec<u8>)>,
}

/// Why a form could not be read, with the status to answer.
pub(crate) struct UploadRefusal {
    pub status: StatusCode,
    pub message: String,
}

/// The largest text field of a multipart form (a 5,000-character comment in any script fits).
const TEXT_FIELD_LIMIT: usize = 64 * 1024;

pub(crate) const INVALID_UTF8: &str = "Your comment could not be read because it contains characters that are not valid text (UTF-8). Nothing was stored; please type it again.";
pub(crate) const INCOMPLETE: &str =
    "Your comment did not arrive complete, so nothing was stored. Please try again.";

fn refusal(status: StatusCode, message: impl Into<String>) -> UploadRefusal {
    UploadRefusal {
        status,
        message: message.into(),
    }
}

/// The status a refused file is answered with.
pub(crate) fn status_of(error: &AttachmentError) -> StatusCode {
    match error {
        AttachmentError::NotStored => StatusCode::SERVICE_UNAVAILABLE,
        AttachmentError::TooLarge { .. } | AttachmentError::TooMany { .. } => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        AttachmentError::NotAllowed { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        AttachmentError::Empty { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Reads a multipart form, stopping as soon as a file passes the size limit or there are too many.
/// Parts named `file_field` are files; a file input left empty is skipped.
pub(crate) async fn read_multipart(
    state: &AppState,
    request: Request,
    file_field: &str,
) -> Result<Received, UploadRefusal> {
    let limits = state.services.attachment_limits;
    let incomplete = || refusal(StatusCode::BAD_REQUEST, INCOMPLETE);
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| incomplete())?;
    let mut received = Received {
        pairs: Vec::new(),
        files: Vec::new(),
    };
    while let Some(mut field) = multipart.next_field().await.map_err(|_| incomplete())? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let is_file = name == file_field;
        let limit = if is_file {
            limits.max_bytes
        } else {
            TEXT_FIELD_LIMIT
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| incomplete())? {
            if bytes.len() + chunk.len() > limit {
                let message = match &file_name {
                    Some(file) if is_file => AttachmentError::TooLarge {
                        name: safe_file_name(file),
                        max_mb: limits.max_bytes / (1024 * 1024),
                    }
                    .to_string(),
                    _ => INCOMPLETE.to_owned(),
                };
                return Err(refusal(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("{message} Nothing was stored."),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            let file_name = file_name.unwrap_or_default();
            if file_name.is_empty() && bytes.is_empty() {
                continue;
            }
            if received.files.len() == limits.max_files {
                let message = AttachmentError::TooMany {
                    max: limits.max_files,
                };
                return Err(refusal(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("{message} Nothing was stored."),
                ));
            }
            received.files.push((file_name, bytes));
        } else {
            let text = String::from_utf8(bytes)
                .map_err(|_| refusal(StatusCode::BAD_REQUEST, INVALID_UTF8))?;
            received.pairs.push((name, text));
        }
    }
    Ok(received)
}

/// A staff form sent as multipart (it carries a file): the session and `permission` are checked
/// before the body is read, the CSRF token after. The form's fields and files, or the refusal.
pub(crate) async fn staff_multipart(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    request: Request,
    file_field: &str,
    permission: opendocket_core::staff::Permission,
) -> Result<
    (
        opendocket_core::accounts::StaffIdentity,
        std::collections::HashMap<String, String>,
        Vec<(String, Vec<u8>)>,
    ),
    axum::response::Response,
> {
    use axum::response::IntoResponse;
    let identity = crate::staff::authorise_read(state, headers, Some(permission)).await?;
    let received = read_multipart(state, request, file_field)
        .await
        .map_err(|refusal| (refusal.status, refusal.message).into_response())?;
    let form = received.pairs.into_iter().collect();
    if let Some(refusal) = crate::staff::check_csrf(&identity, &form) {
        return Err(refusal);
    }
    Ok((identity, form, received.files))
}

/// Checks every received file and writes the accepted ones to disk (synced) before anything is
/// committed. A file of a kind not allowed refuses them all.
/// Returns the files as stored, and the digests of files this request created (to remove again if
/// what they came with is then refused).
pub(crate) async fn keep_files(
    state: &AppState,
    files: Vec<(String, Vec<u8>)>,
) -> Result<(Vec<StoredAttachment>, Vec<String>), AttachmentError> {
    let limits = state.services.attachment_limits;
    let mut checked = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        checked.push(NewAttachment::check(&name, bytes, &limits)?);
    }
    let store = state.services.attachments.clone();
    let kept = tokio::task::spawn_blocking(move || {
        checked
            .into_iter()
            .map(|file| {
                let (sha256, created) = store.put(&file.bytes)?;
                let stored = StoredAttachment {
                    file_name: file.file_name,
                    kind: file.kind,
                    sha256: sha256.clone(),
                    size_bytes: file.bytes.len() as i64,
                };
                Ok((stored, created.then_some(sha256)))
            })
            .collect::<std::io::Result<Vec<_>>>()
    })
    .await;
    match kept {
        Ok(Ok(kept)) => {
            let (stored, created): (Vec<_>, Vec<_>) = kept.into_iter().unzip();
            Ok((stored, created.into_iter().flatten().collect()))
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "could not write an attachment");
            Err(AttachmentError::NotStored)
        }
        Err(error) => {
            tracing::error!(%error, "writing attachments failed");
            Err(AttachmentError::NotStored)
        }
    }
}

/// Removes files nothing refers to any more (written for a refused comment, or a redacted version
/// that was replaced), unless another attachment has the same bytes.
pub(crate) async fn forget_files(state: &AppState, digests: Vec<String>) {
    for sha256 in digests {
        match state.services.store.attachment_bytes_in_use(&sha256).await {
            Ok(false) => {
                if let Err(error) = state.services.attachments.remove(&sha256) {
                    tracing::warn!(%error, "could not remove a file nothing refers to");
                }
            }
            Ok(true) => {}
            Err(error) => tracing::warn!(%error, "could not check whether a file is in use"),
        }
    }
}
