//! The comment form's POST handler: works without JavaScript, redirects to the receipt only after
//! the comment is committed, and otherwise renders the docket page again with the reason.

use crate::form::{parse_urlencoded, FormError};
use crate::render::render_page_with;
use crate::uploads::{keep_files, read_multipart, status_of, Received, INCOMPLETE, INVALID_UTF8};
use crate::{AppState, FORM_BODY_LIMIT};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use opendocket_app::views::RejectedSubmission;
use opendocket_core::comment::{validate, CommentForm, IdempotencyKey};
use opendocket_core::docket::DocketId;
use opendocket_core::store::SubmitError;
use opendocket_core::window::{format_deadline, format_in_zone};

struct Rejection {
    status: StatusCode,
    submission: RejectedSubmission,
    /// Seconds after which sending again should work.
    retry_after: Option<u32>,
}

/// How long someone whose files were not received because of a crowd is asked to wait.
const UPLOAD_RETRY_SECONDS: u32 = 30;

impl Rejection {
    fn new(status: StatusCode, form: CommentForm, key: String, message: impl Into<String>) -> Self {
        let submission = RejectedSubmission {
            form,
            idempotency_key: key,
            message: Some(message.into()),
            ..Default::default()
        };
        Self {
            status,
            submission,
            retry_after: None,
        }
    }
}

fn form_from_pairs(pairs: Vec<(String, String)>) -> (CommentForm, String) {
    let mut form = CommentForm::default();
    let mut key = String::new();
    for (name, value) in pairs {
        let slot = match name.as_str() {
            "submitter_type" => &mut form.submitter_type,
            "first_name" => &mut form.first_name,
            "last_name" => &mut form.last_name,
            "organization" => &mut form.organization,
            "city" => &mut form.city,
            "state_province_region" => &mut form.state_province_region,
            "country" => &mut form.country,
            "email" => &mut form.email,
            "comment" => &mut form.comment,
            "idempotency_key" => &mut key,
            _ => continue,
        };
        *slot = value;
    }
    (form, key)
}

fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn unreadable(status: StatusCode, message: &str) -> Rejection {
    Rejection::new(
        status,
        CommentForm::default(),
        IdempotencyKey::generate().as_str().to_owned(),
        message,
    )
}

/// Reads the form, urlencoded (no files) or multipart (with files), within the size limits.
/// With `keep_files` false, files sent are read and dropped.
async fn receive(
    state: &AppState,
    request: Request,
    keep_files: bool,
) -> Result<Received, Rejection> {
    match media_type(request.headers()).as_str() {
        "application/x-www-form-urlencoded" => {
            let body = axum::body::to_bytes(request.into_body(), FORM_BODY_LIMIT)
                .await
                .map_err(|_| unreadable(StatusCode::PAYLOAD_TOO_LARGE, INCOMPLETE))?;
            let pairs = parse_urlencoded(&body).map_err(|error| match error {
                FormError::InvalidUtf8 => unreadable(StatusCode::BAD_REQUEST, INVALID_UTF8),
                FormError::TooManyFields { .. } => {
                    unreadable(StatusCode::BAD_REQUEST, &format!("{error} Nothing was stored."))
                }
            })?;
            Ok(Received {
                pairs,
                files: Vec::new(),
                files_dropped: false,
            })
        }
        "multipart/form-data" => read_multipart(state, request, "attachments", keep_files)
            .await
            .map_err(|refusal| unreadable(refusal.status, &refusal.message)),
        _ => Err(unreadable(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The comment could not be read: the form must be sent as application/x-www-form-urlencoded or multipart/form-data.",
        )),
    }
}

/// Why a docket did not take a comment, as a status and a sentence.
fn refusal_of(error: &SubmitError) -> (StatusCode, String) {
    match error {
        SubmitError::Withdrawn => (
            StatusCode::CONFLICT,
            "The agency withdrew this docket; it no longer takes comments. Your comment was not stored."
                .to_owned(),
        ),
        SubmitError::UnknownDocket(_) => {
            (StatusCode::NOT_FOUND, "There is no such docket.".to_owned())
        }
        SubmitError::NotYetOpen {
            opens_at,
            time_zone,
        } => (
            StatusCode::CONFLICT,
            format!(
                "This comment period opens on {}. Your comment was not stored.",
                format_in_zone(*opens_at, *time_zone)
            ),
        ),
        SubmitError::Closed {
            closes_at,
            time_zone,
        } => (
            StatusCode::CONFLICT,
            format!(
                "The comment period closed on {}. Your comment was not stored.",
                format_deadline(*closes_at, *time_zone)
            ),
        ),
        SubmitError::Store(e) => {
            let status = if e.is_unavailable() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            tracing::error!(error = %e, "could not store a comment");
            (status, "Your comment could not be saved just now, and nothing was stored. Please try again in a minute.".to_owned())
        }
    }
}

async fn accept(
    state: &AppState,
    docket_id: &DocketId,
    request: Request,
) -> Result<String, Rejection> {
    let services = &state.services;
    // A docket that takes no comments receives no files (the text is still read, to give back).
    let admission = services
        .store
        .check_admission(docket_id, services.clock.now())
        .await;
    // Files are received only while an upload slot is free; past that the text is still read,
    // so the person gets it back with the request to send the files again shortly.
    let upload_slot = admission
        .is_ok()
        .then(|| state.upload_slots.clone().try_acquire_owned().ok())
        .flatten();
    let Received {
        pairs,
        files,
        files_dropped,
    } = receive(state, request, upload_slot.is_some()).await?;
    let had_files = !files.is_empty() || files_dropped;
    let (form, raw_key) = form_from_pairs(pairs);
    let Ok(key) = IdempotencyKey::parse(&raw_key) else {
        return Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            form,
            IdempotencyKey::generate().as_str().to_owned(),
            "This form was missing its submission key, so nothing was stored. Please check your comment and submit it again.",
        ));
    };
    if let Err(error) = admission {
        let (status, message) = refusal_of(&error);
        return Err(Rejection::new(
            status,
            form,
            key.as_str().to_owned(),
            message,
        ));
    }
    if files_dropped {
        let mut rejection = Rejection::new(
            StatusCode::SERVICE_UNAVAILABLE,
            form,
            key.as_str().to_owned(),
            "Many people are sending files right now, so yours were not received and nothing was stored. Your text is kept below: choose your files again under Attachments and send it in a minute.",
        );
        rejection.retry_after = Some(UPLOAD_RETRY_SECONDS);
        return Err(rejection);
    }
    let files_again = had_files
        .then_some("Your files were not kept: choose them again under Attachments.".to_owned());
    let comment = validate(&form).map_err(|errors| Rejection {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        submission: RejectedSubmission {
            form: form.clone(),
            errors,
            message: files_again.clone(),
            idempotency_key: key.as_str().to_owned(),
        },
        retry_after: None,
    })?;
    let attachments = keep_files(state, files).await.map_err(|error| {
        Rejection::new(
            status_of(&error),
            form.clone(),
            key.as_str().to_owned(),
            format!("{error} Nothing was stored; choose your files again under Attachments."),
        )
    })?;
    drop(upload_slot);
    let now = services.clock.now();
    match services
        .store
        .submit_comment_with_attachments(docket_id, &comment, &attachments, &key, now)
        .await
    {
        Ok(receipt) => Ok(receipt.tracking_number.to_string()),
        Err(error) => {
            // Files stored for a refused comment are removed later by the sweep of unreferenced
            // files, never here: another comment may just have referred to the same bytes.
            let (status, message) = refusal_of(&error);
            let message = match files_again {
                Some(again) => format!("{message} {again}"),
                None => message,
            };
            Err(Rejection::new(
                status,
                form,
                key.as_str().to_owned(),
                message,
            ))
        }
    }
}

pub async fn submit_comment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let Ok(docket_id) = DocketId::parse(&id) else {
        return render_docket_page(
            &state,
            &id,
            StatusCode::NOT_FOUND,
            RejectedSubmission::default(),
        )
        .await;
    };
    match accept(&state, &docket_id, request).await {
        Ok(tracking_number) => {
            Redirect::to(&format!("/receipts/{tracking_number}")).into_response()
        }
        Err(rejection) => {
            let mut response = render_docket_page(
                &state,
                docket_id.as_str(),
                rejection.status,
                rejection.submission,
            )
            .await;
            if let Some(seconds) = rejection.retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, seconds.into());
            }
            response
        }
    }
}

/// Renders the docket page (without hydration scripts) with the refused submission filled in.
async fn render_docket_page(
    state: &AppState,
    id: &str,
    status: StatusCode,
    submission: RejectedSubmission,
) -> Response {
    let path = format!(
        "/dockets/{}",
        percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC)
    );
    render_page_with(state, &path, (None, None), status, submission).await
}
