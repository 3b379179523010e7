//! Files sent in forms: reading a multipart form within the attachment limits, checking each file
//! and writing it to disk (synced) before anything refers to it, and removing files again when
//! what they came with was refused.

use crate::AppState;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use opendocket_core::attachment::files::ReceivedFile;
use opendocket_core::attachment::{safe_file_name, AttachmentError, StoredAttachment};

/// A form as sent: its text fields in order, and the files chosen under the file field (on the
/// disk, not in memory).
pub(crate) struct Received {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
    /// Files were sent but not kept because too many uploads were under way.
    pub files_dropped: bool,
    /// Files were sent but not kept because the disk is short of space.
    pub short_of_space: bool,
    /// Files were sent but not kept because the text fields before them did not admit them
    /// (the comment form's token must come before its files).
    pub files_not_admitted: bool,
}

/// Decides, from the text fields read so far, whether the files that follow are kept.
pub(crate) type AdmitFiles<'a> = &'a (dyn Fn(&[(String, String)]) -> bool + Sync);

/// A file as sent: the name it came with and its content, received to a temporary file.
pub(crate) struct UploadedFile {
    pub name: String,
    pub file: ReceivedFile,
}

/// Text fields a form may have; the comment form has about a dozen.
pub(crate) const MAX_FORM_FIELDS: usize = 64;

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

/// Reads a multipart form, stopping as soon as a file passes the size limit or there are too many
/// files or fields. Parts named `file_field` are files, written to temporary files as they arrive
/// (a file input left empty is skipped); with `keep_files` false they are read and dropped, so the
/// text can still be answered with.
pub(crate) async fn read_multipart(
    state: &AppState,
    request: Request,
    file_field: &str,
    keep_files: bool,
    admit_files: AdmitFiles<'_>,
) -> Result<Received, UploadRefusal> {
    let limits = state.services.attachment_limits;
    let incomplete = || refusal(StatusCode::BAD_REQUEST, INCOMPLETE);
    let too_large = |message: String| {
        refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{message} Nothing was stored."),
        )
    };
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| incomplete())?;
    let mut received = Received {
        pairs: Vec::new(),
        files: Vec::new(),
        files_dropped: false,
        short_of_space: false,
        files_not_admitted: false,
    };
    let mut keep_files = keep_files;
    let mut admission_asked = false;
    let mut files_sent = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| incomplete())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name != file_field {
            if received.pairs.len() == MAX_FORM_FIELDS {
                return Err(refusal(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "The form has more than {MAX_FORM_FIELDS} fields, so nothing was stored."
                    ),
                ));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| incomplete())? {
                if bytes.len() + chunk.len() > TEXT_FIELD_LIMIT {
                    return Err(too_large(INCOMPLETE.to_owned()));
                }
                bytes.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(bytes)
                .map_err(|_| refusal(StatusCode::BAD_REQUEST, INVALID_UTF8))?;
            received.pairs.push((name, text));
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().to_owned();
        // Asked once, as the first file starts: a form that is refused anyway writes nothing.
        if keep_files && !admission_asked {
            admission_asked = true;
            if !admit_files(&received.pairs) {
                keep_files = false;
                received.files_not_admitted = true;
            }
        }
        let mut incoming = None;
        let mut size = 0;
        while let Some(chunk) = field.chunk().await.map_err(|_| incomplete())? {
            size += chunk.len();
            if size > limits.max_bytes {
                return Err(too_large(
                    AttachmentError::TooLarge {
                        name: safe_file_name(&file_name),
                        max_mb: limits.max_bytes / (1024 * 1024),
                    }
                    .to_string(),
                ));
            }
            if !keep_files {
                continue;
            }
            // The floor is checked as each file starts and at every megabyte it grows by; short
            // of space, the rest is read and dropped so the text can still be given back.
            let crossed_a_megabyte = size / (1024 * 1024) != (size - chunk.len()) / (1024 * 1024);
            if (incoming.is_none() || crossed_a_megabyte)
                && !state.disk.has_room_for(chunk.len() as u64)
            {
                keep_files = false;
                received.short_of_space = true;
                incoming = None;
                continue;
            }
            if incoming.is_none() {
                if files_sent == limits.max_files {
                    let message = AttachmentError::TooMany {
                        max: limits.max_files,
                    };
                    return Err(too_large(message.to_string()));
                }
                incoming = Some(state.services.attachments.incoming().map_err(not_stored)?);
            }
            if let Some(incoming) = incoming.as_mut() {
                incoming.write(&chunk).map_err(not_stored)?;
            }
        }
        if size == 0 && file_name.is_empty() {
            continue;
        }
        files_sent += 1;
        match incoming {
            Some(incoming) => {
                let file = tokio::task::spawn_blocking(move || incoming.finish())
                    .await
                    .map_err(|e| not_stored(std::io::Error::other(e)))?
                    .map_err(not_stored)?;
                received.files.push(UploadedFile {
                    name: file_name,
                    file,
                });
            }
            None if keep_files => {
                return Err(refusal(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    AttachmentError::Empty {
                        name: safe_file_name(&file_name),
                    }
                    .to_string(),
                ))
            }
            None => received.files_dropped = true,
        }
    }
    Ok(received)
}

fn not_stored(error: std::io::Error) -> UploadRefusal {
    tracing::error!(%error, "could not write an uploaded file");
    refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("{} Nothing was stored.", AttachmentError::NotStored),
    )
}

/// Checks every received file and stores the accepted ones (synced, under their digest) before
/// anything is committed. A file of a kind not allowed refuses them all.
pub(crate) async fn keep_files(
    state: &AppState,
    files: Vec<UploadedFile>,
) -> Result<Vec<StoredAttachment>, AttachmentError> {
    let mut checked = Vec::with_capacity(files.len());
    for UploadedFile { name, file } in files {
        let file_name = safe_file_name(&name);
        let kind = file.kind.ok_or_else(|| AttachmentError::NotAllowed {
            name: file_name.clone(),
        })?;
        checked.push((file_name, kind, file));
    }
    let store = state.services.attachments.clone();
    let kept = tokio::task::spawn_blocking(move || {
        checked
            .into_iter()
            .map(|(file_name, kind, file)| {
                let stored = StoredAttachment {
                    file_name,
                    kind,
                    sha256: file.sha256.clone(),
                    size_bytes: file.size as i64,
                };
                store.keep(file)?;
                Ok(stored)
            })
            .collect::<std::io::Result<Vec<_>>>()
    })
    .await;
    match kept {
        Ok(Ok(kept)) => Ok(kept),
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
