//! Moderation forms: one decision on a comment, one decision for every comment ticked in the
//! queue (held comments are never posted that way), holding a burst, and taking comments from
//! the queue (and giving them back).

use super::extract::{CsrfForm, Fields, StaffForm, StaffSession};
use super::refusal::{page_notice, Refusal};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use opendocket_core::accounts::Actor;
use opendocket_core::moderation::{
    decision_return, Decision, ModerationError, QueueFilter, WithholdReason, CLAIM_MINUTES,
    MAX_CLAIM,
};

/// A withhold decision; there is no default reason, so a form without one is refused.
fn withhold(fields: &Fields) -> Result<Decision, Refusal> {
    let reason = fields
        .get("reason")
        .and_then(WithholdReason::chosen)
        .ok_or_else(|| {
            Refusal::unprocessable("Choose a reason for withholding; nothing was changed.")
                .on("/staff")
        })?;
    Ok(Decision::Withhold {
        reason,
        note: fields
            .get("note")
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
    })
}

pub struct DecisionForm {
    version: i64,
    decision: Decision,
    /// `comment` when sent from the comment's own page, which is shown again afterwards; else
    /// the address of the queue or decided page the form was on.
    back: String,
    /// The comment listed after this one, where the queue returns to.
    next: Option<i64>,
}

/// Where a decision on `comment_id` returns to: the comment's page, or the same page of the
/// queue (at the next comment) or of the decided list, saying what was decided.
fn decision_page(comment_id: i64, form: &DecisionForm) -> String {
    match form.back.as_str() {
        "comment" => format!("/staff/comments/{comment_id}"),
        list => decision_return(list, comment_id, form.next),
    }
}

/// Where a refused decision is explained.
fn refusal_page(comment_id: i64, form: &DecisionForm) -> String {
    match form.back.as_str() {
        "comment" => format!("/staff/comments/{comment_id}"),
        decided if decided.starts_with("/staff/decided") => "/staff/decided".to_owned(),
        page if page.starts_with("/staff/comments/") => format!("/staff/comments/{comment_id}"),
        _ => "/staff".to_owned(),
    }
}

impl StaffForm for DecisionForm {
    fn parse(fields: &Fields) -> Result<Self, Refusal> {
        let decision = match fields.get("decision") {
            Some("post") => Some(Decision::Post {
                redact: opendocket_core::redaction::phrases(fields.get("redact").unwrap_or(""))
                    .map_err(|e| {
                        Refusal::unprocessable(format!(
                            "The comment was not posted: {e}. Nothing was changed."
                        ))
                    })?,
            }),
            Some("restore") => Some(Decision::Restore),
            Some("withhold") => Some(withhold(fields)?),
            _ => None,
        };
        match (fields.number("version"), decision) {
            (Some(version), Some(decision)) => Ok(Self {
                version,
                decision,
                back: fields.text("back"),
                next: fields.number("next"),
            }),
            _ => Err(Refusal::bad_request(
                "The decision form was incomplete; reload the queue and try again.",
            )),
        }
    }
}

fn refused(comment_id: i64, error: ModerationError, page: String) -> Refusal {
    match error {
        ModerationError::NotFound => Refusal::not_found(format!("There is no comment {comment_id}.")),
        ModerationError::Stale { current, by } => Refusal::new(
            StatusCode::CONFLICT,
            format!(
                "Comment {comment_id} was already changed by {}: it is now {}. Nothing was changed.",
                by.as_deref().unwrap_or("someone else"),
                current.as_str()
            ),
        ),
        ModerationError::Redaction(e) => Refusal::unprocessable(format!(
            "Comment {comment_id} was not posted: {e}. Nothing was changed."
        )),
        ModerationError::NoteRequired => Refusal::unprocessable(format!(
            "Comment {comment_id}: withholding for another reason needs a note saying why. Nothing was changed."
        )),
        ModerationError::Store(error) => Refusal::unavailable(
            "The decision could not be saved; nothing was changed. Try again.",
            error,
        ),
    }
    .on(page)
}

pub async fn decide(
    State(state): State<AppState>,
    Path(comment_id): Path<String>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Redirect, Refusal> {
    let Ok(comment_id) = comment_id.parse::<i64>() else {
        return Err(Refusal::bad_request(
            "The decision form was incomplete; reload the queue and try again.",
        ));
    };
    let services = &state.services;
    services
        .store
        .moderate(
            comment_id,
            form.version,
            &form.decision,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await
        .map_err(|error| refused(comment_id, error, refusal_page(comment_id, &form)))?;
    Ok(Redirect::to(&decision_page(comment_id, &form)))
}

pub struct BulkDecisionForm {
    /// `selected` = `ID:VERSION`, once per ticked comment.
    selected: Vec<(i64, i64)>,
    decision: Option<Decision>,
    /// The box saying the moderator means to withhold every ticked comment.
    confirmed: bool,
}

impl StaffForm for BulkDecisionForm {
    fn parse(fields: &Fields) -> Result<Self, Refusal> {
        let selected = fields
            .all("selected")
            .filter_map(|value| {
                let (id, version) = value.split_once(':')?;
                Some((id.parse().ok()?, version.parse().ok()?))
            })
            .collect();
        let decision = match fields.get("decision") {
            Some("post") => Some(Decision::Post { redact: Vec::new() }),
            Some("withhold") => Some(withhold(fields)?),
            _ => None,
        };
        Ok(Self {
            selected,
            decision,
            confirmed: fields.get("confirm") == Some("yes"),
        })
    }
}

pub async fn decide_bulk(
    State(state): State<AppState>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<BulkDecisionForm>,
) -> Result<Response, Refusal> {
    let selected = form.selected;
    let decision = match (form.decision, selected.is_empty()) {
        (_, true) => {
            return Err(Refusal::unprocessable(
                "Tick the comments to decide on first; nothing was changed.",
            )
            .on("/staff"))
        }
        (None, false) => {
            return Err(Refusal::bad_request(
                "The bulk decision form was incomplete; nothing was changed.",
            )
            .on("/staff"))
        }
        (Some(Decision::Withhold { .. }), false) if !form.confirmed => {
            return Err(Refusal::unprocessable(
                "Tick “Yes, withhold every ticked comment” to confirm; nothing was changed.",
            )
            .on("/staff"))
        }
        (Some(decision), false) => decision,
    };
    let services = &state.services;
    let actor = Actor::of(&identity);
    let held = match decision {
        Decision::Post { .. } => {
            let ids: Vec<i64> = selected.iter().map(|(id, _)| *id).collect();
            services.store.held_among(&ids).await?
        }
        _ => Vec::new(),
    };
    let (mut done, mut stale, mut failed) = (0, 0, Vec::new());
    for (id, version) in selected.iter().filter(|(id, _)| !held.contains(id)) {
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
    if !held.is_empty() {
        message.push_str(&format!(
            " {} held comments were left as they were: post them one by one.",
            held.len()
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
    Ok(page_notice(status, message, "/staff").into_response())
}

pub struct HoldBurstForm {
    docket: String,
    network: String,
    window: i64,
}

impl StaffForm for HoldBurstForm {
    fn parse(fields: &Fields) -> Result<Self, Refusal> {
        let incomplete = || {
            Refusal::bad_request("The form to hold a burst was incomplete; nothing was held.")
                .on("/staff")
        };
        Ok(Self {
            docket: fields.get("docket").ok_or_else(incomplete)?.to_owned(),
            network: fields.get("network").ok_or_else(incomplete)?.to_owned(),
            window: fields
                .get("window")
                .and_then(|w| w.parse().ok())
                .ok_or_else(incomplete)?,
        })
    }
}

/// Holds every comment awaiting a decision in one burst from one network.
pub async fn hold_burst(
    State(state): State<AppState>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<HoldBurstForm>,
) -> Result<Response, Refusal> {
    let services = &state.services;
    let held = services
        .store
        .hold_burst(
            &form.docket,
            &form.network,
            form.window,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await?;
    let message = format!(
        "Held {held} comments from the burst: they are listed after the others and can only be posted one by one."
    );
    Ok(page_notice(StatusCode::OK, message, "/staff").into_response())
}

/// How many of the next waiting comments to take, under the filter the queue showed.
pub struct ClaimForm {
    filter: QueueFilter,
    count: i64,
}

impl StaffForm for ClaimForm {
    fn parse(fields: &Fields) -> Result<Self, Refusal> {
        let count = fields
            .get("count")
            .and_then(|n| n.trim().parse::<i64>().ok())
            .filter(|n| (1..=MAX_CLAIM).contains(n))
            .ok_or_else(|| {
                Refusal::unprocessable(format!(
                    "Say how many comments to take, from 1 to {MAX_CLAIM}; none were taken."
                ))
                .on("/staff")
            })?;
        Ok(Self {
            filter: QueueFilter::parse(|name| fields.get(name).map(str::to_owned)),
            count,
        })
    }
}

/// Takes the next comments for the signed-in moderator: other moderators' queues leave them out
/// for `CLAIM_MINUTES`. Back to the same filtered queue, where they are listed first.
pub async fn claim_next(
    State(state): State<AppState>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<ClaimForm>,
) -> Result<Response, Refusal> {
    let services = &state.services;
    let now = services.clock.now();
    let until = now + chrono::Duration::minutes(CLAIM_MINUTES);
    let taken = services
        .store
        .claim_next(&form.filter, identity.user_id, form.count, now, until)
        .await?;
    if taken == 0 {
        return Ok(page_notice(
            StatusCode::OK,
            "No waiting comment under this filter is free to take: the others are taken by other moderators for now.",
            "/staff",
        ));
    }
    Ok(Redirect::to(&form.filter.queue_href(1)).into_response())
}

/// Gives back every waiting comment the signed-in moderator took.
pub async fn release_claims(
    State(state): State<AppState>,
    StaffSession(identity): StaffSession,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, Refusal> {
    state
        .services
        .store
        .release_claims(identity.user_id)
        .await?;
    Ok(Redirect::to("/staff").into_response())
}
