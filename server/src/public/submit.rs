//! The comment form's POST handler: works without JavaScript, redirects to the receipt only after
//! the comment is committed, and otherwise renders the docket page again with the reason. The
//! form's signed token must be good for the docket; a form sent too fast, or with the hidden
//! field filled in, is stored with a flag for the moderator.

use crate::form::{parse_urlencoded, FormError};
use crate::limits::ClientAddress;
use crate::network::Verdict;
use crate::render::render_page_with;
use crate::uploads::{
    keep_files, read_multipart, status_of, AdmitFiles, Received, INCOMPLETE, INVALID_UTF8,
};
use crate::{AppState, FORM_BODY_LIMIT};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use opendocket_app::views::RejectedSubmission;
use opendocket_core::comment::{validate, CommentForm, HONEYPOT_FIELD, PROOF_FIELD};
use opendocket_core::docket::DocketId;
use opendocket_core::flags::{Arrival, FlagKind};
use opendocket_core::form_token::FormToken;
use opendocket_core::proof_of_work;
use opendocket_core::store::{Submission, SubmitError};
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
    /// A refusal giving back the form with `token` (empty: a fresh one is issued).
    fn new(
        status: StatusCode,
        form: CommentForm,
        token: String,
        message: impl Into<String>,
    ) -> Self {
        let submission = RejectedSubmission {
            form,
            form_token: token,
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

struct SentForm {
    form: CommentForm,
    token: String,
    honeypot: String,
    proof: String,
}

fn form_from_pairs(pairs: Vec<(String, String)>) -> SentForm {
    let mut form = CommentForm::default();
    let mut token = String::new();
    let mut honeypot = String::new();
    let mut proof = String::new();
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
            "form_token" => &mut token,
            HONEYPOT_FIELD => &mut honeypot,
            PROOF_FIELD => &mut proof,
            _ => continue,
        };
        *slot = value;
    }
    SentForm {
        form,
        token,
        honeypot,
        proof,
    }
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
    Rejection::new(status, CommentForm::default(), String::new(), message)
}

/// Reads the form, urlencoded (no files) or multipart (with files), within the size limits.
/// With `keep_files` false, files sent are read and dropped.
async fn receive(
    state: &AppState,
    request: Request,
    keep_files: bool,
    admit_files: AdmitFiles<'_>,
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
                short_of_space: false,
                files_not_admitted: false,
            })
        }
        "multipart/form-data" => read_multipart(state, request, "attachments", keep_files, admit_files)
            .await
            .map_err(|refusal| unreadable(refusal.status, &refusal.message)),
        _ => Err(unreadable(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The comment could not be read: the form must be sent as application/x-www-form-urlencoded or multipart/form-data.",
        )),
    }
}

/// What was seen of how a form arrived. A form sent too fast, or from a network past its soft
/// limit, is flagged; one with the hidden field filled in, or without the proof of work its form
/// or its crowded network asked for, is held for a moderator's own decision.
#[allow(clippy::too_many_arguments)]
fn arrival_of(
    state: &AppState,
    docket_id: &DocketId,
    token: &FormToken,
    raw_token: &str,
    verdict: Verdict,
    honeypot: &str,
    proof: &str,
    address: Option<std::net::IpAddr>,
) -> Arrival {
    let services = &state.services;
    let mut arrival = Arrival::default();
    if services.clock.now() - token.issued_at < state.form_min_age {
        arrival.signals.push(FlagKind::Automation);
    }
    if !honeypot.is_empty() {
        arrival.signals.push(FlagKind::Honeypot);
        arrival.held = true;
    }
    let crowded = verdict == Verdict::Crowded;
    if crowded {
        arrival.signals.push(FlagKind::Burst);
    }
    let asked = match crowded {
        true => token.proof_bits.max(services.proof_of_work_bits),
        false => token.proof_bits,
    };
    if !proof_of_work::proves(raw_token.trim(), proof, asked) {
        arrival.signals.push(FlagKind::Unproven);
        arrival.held = true;
    }
    arrival.network = crate::limits::docket_network(state, docket_id, address);
    arrival.mail_links = state.mailer.as_ref().map(|_| state.public_url.clone());
    arrival
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
        SubmitError::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "Too many comments are arriving at once, so yours was not stored. Your text is kept below: please send it again in {} seconds.",
                opendocket_core::submission_queue::RETRY_AFTER_SECONDS
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
    verdict: Verdict,
    address: Option<std::net::IpAddr>,
    request: Request,
) -> Result<String, Rejection> {
    let services = &state.services;
    if let Verdict::Refused(wait) = verdict {
        // The text is read (files are not) so the person gets it back.
        let Received { pairs, .. } = receive(state, request, false, &|_| false).await?;
        let SentForm { form, token, .. } = form_from_pairs(pairs);
        let seconds = wait.as_secs().max(1);
        let mut rejection = Rejection::new(
            StatusCode::TOO_MANY_REQUESTS,
            form,
            token,
            format!("Too many comments came from your network just now, so yours was not stored. Your text is kept below: please send it again in {seconds} seconds."),
        );
        rejection.retry_after = Some(seconds as u32);
        return Err(rejection);
    }
    // A docket that takes no comments receives no files (the text is still read, to give back).
    let admission = services
        .store
        .check_admission_recent(docket_id, services.clock.now())
        .await;
    // Files are received only while an upload slot is free; past that the text is still read,
    // so the person gets it back with the request to send the files again shortly.
    // A docket past its attachment quota receives no more files either.
    let quota_reached = match (admission.is_ok(), state.disk.docket_quota) {
        (true, Some(quota)) => match services.store.docket_attachment_bytes(docket_id).await {
            Ok(used) => used >= quota,
            // Storing the comment will meet the same failure and say so.
            Err(error) => {
                tracing::error!(%error, "could not read a docket's attachment total");
                false
            }
        },
        _ => false,
    };
    let upload_slot = (admission.is_ok() && !quota_reached)
        .then(|| state.upload_slots.clone().try_acquire_owned().ok())
        .flatten();
    // Files are written only for a form whose token (sent before them) is good for the docket.
    let token_is_good = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .find(|(name, _)| name == "form_token")
            .is_some_and(|(_, token)| {
                let now = services.clock.now();
                services.form_tokens.check(docket_id, token, now).is_ok()
            })
    };
    let Received {
        pairs,
        files,
        files_dropped,
        short_of_space,
        files_not_admitted,
    } = receive(state, request, upload_slot.is_some(), &token_is_good).await?;
    let had_files = !files.is_empty() || files_dropped;
    let SentForm {
        form,
        token: raw_token,
        honeypot,
        proof,
    } = form_from_pairs(pairs);
    let now = services.clock.now();
    let token = match services.form_tokens.check(docket_id, &raw_token, now) {
        Ok(token) => token,
        Err(error) => {
            let message = match had_files {
                true => format!("{error} Choose your files again under Attachments."),
                false => error.to_string(),
            };
            return Err(Rejection::new(
                StatusCode::BAD_REQUEST,
                form,
                String::new(),
                message,
            ));
        }
    };
    if files_not_admitted {
        // Browsers send the form's fields in order, the token first; only a script sends files
        // before it.
        return Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            form,
            raw_token.clone(),
            "The form's token must come before its files, so nothing was stored. Please send the form again.",
        ));
    }
    let key = token.key.clone();
    let arrival = arrival_of(
        state, docket_id, &token, &raw_token, verdict, &honeypot, &proof, address,
    );
    if let Err(error) = admission {
        let (status, message) = refusal_of(&error);
        return Err(Rejection::new(status, form, raw_token.clone(), message));
    }
    if files_dropped && (short_of_space || quota_reached) {
        let why = match quota_reached {
            true => "This docket has received all the attached files it can hold, so yours were not received and nothing was stored.",
            false => crate::disk::SHORT_OF_SPACE,
        };
        return Err(Rejection::new(
            StatusCode::INSUFFICIENT_STORAGE,
            form,
            raw_token.clone(),
            format!("{why} Your text is kept below: you can send it without the files."),
        ));
    }
    if files_dropped {
        let mut rejection = Rejection::new(
            StatusCode::SERVICE_UNAVAILABLE,
            form,
            raw_token.clone(),
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
            form_token: raw_token.clone(),
        },
        retry_after: None,
    })?;
    let attachments = keep_files(state, files).await.map_err(|error| {
        Rejection::new(
            status_of(&error),
            form.clone(),
            raw_token.clone(),
            format!("{error} Nothing was stored; choose your files again under Attachments."),
        )
    })?;
    drop(upload_slot);
    let submission = Submission {
        docket_id: docket_id.clone(),
        comment,
        attachments,
        arrival,
        key,
        received_at: now,
    };
    match state.submissions.submit(&services.store, submission).await {
        Ok(receipt) => {
            if let Some(mailer) = &state.mailer {
                mailer.ring();
            }
            Ok(receipt.tracking_number.to_string())
        }
        Err(error) => {
            // Files stored for a refused comment are removed later by the sweep of unreferenced
            // files, never here: another comment may just have referred to the same bytes.
            let (status, message) = refusal_of(&error);
            let message = match files_again {
                Some(again) => format!("{message} {again}"),
                None => message,
            };
            let mut rejection = Rejection::new(status, form, raw_token.clone(), message);
            if matches!(error, SubmitError::Busy) {
                rejection.retry_after =
                    Some(opendocket_core::submission_queue::RETRY_AFTER_SECONDS);
            }
            Err(rejection)
        }
    }
}

pub async fn submit_comment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ClientAddress(address): ClientAddress,
    request: Request,
) -> Response {
    // Counted before anything else: a refused docket id costs a flood as much as a good one.
    let verdict = state.limits.comments.check(address);
    let Ok(docket_id) = DocketId::parse(&id) else {
        return render_docket_page(
            &state,
            &id,
            StatusCode::NOT_FOUND,
            RejectedSubmission::default(),
        )
        .await;
    };
    match accept(&state, &docket_id, verdict, address, request).await {
        Ok(tracking_number) => {
            Redirect::to(&format!("/receipts/{tracking_number}")).into_response()
        }
        Err(mut rejection) => {
            crate::metrics::count_refusal(refusal_reason(rejection.status));
            let submission = &mut rejection.submission;
            if submission.form_token.is_empty() {
                let now = state.services.clock.now();
                // A crowded network's fresh form asks for a proof of work.
                let bits = match verdict {
                    Verdict::Allowed => 0,
                    _ => state.services.proof_of_work_bits,
                };
                submission.form_token = state
                    .services
                    .form_tokens
                    .issue_asking(&docket_id, now, bits);
            }
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

/// The short reason `/metrics` counts a refused form under.
fn refusal_reason(status: StatusCode) -> &'static str {
    match status {
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "busy",
        StatusCode::CONFLICT => "not_open",
        StatusCode::NOT_FOUND => "unknown_docket",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::INSUFFICIENT_STORAGE => "no_space",
        s if s.is_server_error() => "failed",
        _ => "bad_form",
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
