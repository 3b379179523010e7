//! Docket management forms: creating and editing a docket, moving its window (extend, reopen,
//! reschedule the opening), the late-comment policy, and withdrawing it.

use super::extract::{CsrfForm, Fields, ManagedDocket, StaffSession};
use super::refusal::Refusal;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Redirect;
use opendocket_core::accounts::Actor;
use opendocket_core::docket::{parse_instant_in_zone, DocketDraft, NewDocument};
use opendocket_core::store::{DocketSwitch, ExtendError, StoreError};
use opendocket_core::text::normalise_newlines;
use opendocket_core::window::{closing_instant, CommentWindow};

const DOCKETS: &str = "/staff/dockets";

fn trimmed(fields: &Fields, name: &str) -> String {
    normalise_newlines(fields.get(name).unwrap_or_default())
        .trim()
        .to_owned()
}

fn citation(fields: &Fields) -> Option<String> {
    Some(trimmed(fields, "federal_register")).filter(|c| !c.is_empty())
}

pub async fn create(
    State(state): State<AppState>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let draft = DocketDraft {
        id: form.text("id"),
        title: form.text("title"),
        agency_name: form.text("agency_name"),
        time_zone: form.text("time_zone"),
        opens_at: form.text("opens_at"),
        due_date: form.text("due_date"),
        closes_at: String::new(),
        allow_late: form.has("allow_late"),
    };
    let document = NewDocument {
        title: form.text("document_title").trim().to_owned(),
        summary: trimmed(&form, "summary"),
        body_markdown: trimmed(&form, "body_markdown"),
        federal_register_citation: citation(&form),
    };
    let docket = draft.parse(document).map_err(|e| {
        Refusal::unprocessable(format!("The docket was not created: {e}.")).on(DOCKETS)
    })?;
    let services = &state.services;
    let created = services
        .store
        .create_docket(&docket, &Actor::of(&identity), services.clock.now())
        .await;
    match created {
        Ok(()) => {
            services.scheduler.wake();
            Ok(Redirect::to(DOCKETS))
        }
        Err(e @ (StoreError::DocketExists(_) | StoreError::AgencyConflict { .. })) => {
            Err(Refusal::new(
                StatusCode::CONFLICT,
                format!("The docket was not created: {e}."),
            )
            .on(DOCKETS))
        }
        Err(error) => Err(Refusal::unavailable(
            "The docket could not be saved; try again in a minute.",
            error,
        )
        .on(DOCKETS)),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    ManagedDocket(docket): ManagedDocket,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let title = trimmed(&form, "title");
    if title.is_empty() || title.contains('\n') {
        let message = format!(
            "{} was not changed: the title is required and fits on one line.",
            docket.id
        );
        return Err(
            Refusal::unprocessable(message).on(format!("/staff/dockets/{}/edit", docket.id))
        );
    }
    let document_title = trimmed(&form, "document_title");
    let document = NewDocument {
        title: if document_title.is_empty() {
            title.clone()
        } else {
            document_title
        },
        summary: trimmed(&form, "summary"),
        body_markdown: trimmed(&form, "body_markdown"),
        federal_register_citation: citation(&form),
    };
    let services = &state.services;
    services
        .store
        .edit_docket(
            &docket.id,
            &title,
            &document,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await?;
    Ok(Redirect::to(DOCKETS))
}

#[derive(Clone, Copy)]
enum WindowChange {
    Extend,
    Reopen,
}

pub async fn extend(
    state: State<AppState>,
    docket: ManagedDocket,
    session: StaffSession,
    form: CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    change_window(state, docket, session, form, WindowChange::Extend).await
}

pub async fn reopen(
    state: State<AppState>,
    docket: ManagedDocket,
    session: StaffSession,
    form: CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    change_window(state, docket, session, form, WindowChange::Reopen).await
}

/// Extends the deadline of an open docket, or reopens a closed one from now to a new due date.
async fn change_window(
    State(state): State<AppState>,
    ManagedDocket(docket): ManagedDocket,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
    change: WindowChange,
) -> Result<Redirect, Refusal> {
    let id = &docket.id;
    let verb = match change {
        WindowChange::Extend => "extended",
        WindowChange::Reopen => "reopened",
    };
    let raw = form.text("due_date");
    let date = chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        Refusal::unprocessable(format!(
            "{id} was not {verb}: the new due date must look like 2023-05-13."
        ))
        .on(DOCKETS)
    })?;
    let closes_at = closing_instant(date, docket.agency.time_zone);
    let services = &state.services;
    let now = services.clock.now();
    let actor = Actor::of(&identity);
    let changed = match change {
        WindowChange::Extend => {
            services
                .store
                .extend_window(id, closes_at, &actor, now)
                .await
        }
        WindowChange::Reopen => {
            match CommentWindow::new(now, closes_at, docket.window.allow_late) {
                Ok(window) => services.store.reopen_docket(id, &window, &actor, now).await,
                Err(_) => Err(ExtendError::NotLater),
            }
        }
    };
    changed.map_err(|e| window_refusal(e, &format!("{id} was not {verb}")))?;
    services.scheduler.wake();
    Ok(Redirect::to(DOCKETS))
}

fn window_refusal(error: ExtendError, what: &str) -> Refusal {
    match error {
        ExtendError::Store(error) => Refusal::unavailable(
            "The change could not be saved; try again in a minute.",
            error,
        ),
        e @ ExtendError::UnknownDocket(_) => Refusal::not_found(format!("{e}.")),
        e => Refusal::new(StatusCode::CONFLICT, format!("{what}: {e}.")),
    }
    .on(DOCKETS)
}

pub async fn schedule(
    State(state): State<AppState>,
    ManagedDocket(docket): ManagedDocket,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let id = &docket.id;
    let opens_at = parse_instant_in_zone(&form.text("opens_at"), docket.agency.time_zone)
        .ok_or_else(|| {
            Refusal::unprocessable(format!(
                "{id} was not rescheduled: the opening must be a time such as 2023-03-14T09:00."
            ))
            .on(DOCKETS)
        })?;
    let services = &state.services;
    services
        .store
        .reschedule_opening(id, opens_at, &Actor::of(&identity), services.clock.now())
        .await
        .map_err(|e| window_refusal(e, &format!("{id} was not rescheduled")))?;
    services.scheduler.wake();
    Ok(Redirect::to(DOCKETS))
}

/// Turns a docket switch on or off (the form sends `on` or `off`); e-mail confirmation only
/// where mail can be sent.
pub async fn switch(
    switch: DocketSwitch,
    State(state): State<AppState>,
    ManagedDocket(docket): ManagedDocket,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let (field, question) = match switch {
        DocketSwitch::LateComments => ("allow_late", "whether late comments are accepted"),
        DocketSwitch::ProofOfWork => (
            "ask_proof_of_work",
            "whether every browser is asked for a proof of work",
        ),
        DocketSwitch::EmailConfirmation => (
            "confirm_by_email",
            "whether comments are confirmed by e-mail",
        ),
    };
    let on = form
        .switch(field, ("on", "off"))
        .ok_or_else(|| Refusal::bad_request(format!("Say {question}: on or off.")))?;
    if switch == DocketSwitch::EmailConfirmation && on && state.mailer.is_none() {
        return Err(Refusal::new(StatusCode::CONFLICT, crate::mail::NO_MAIL).on(DOCKETS));
    }
    let services = &state.services;
    services
        .store
        .set_docket_switch(
            &docket.id,
            switch,
            on,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await?;
    Ok(Redirect::to(DOCKETS))
}

pub async fn withdraw(
    State(state): State<AppState>,
    ManagedDocket(docket): ManagedDocket,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    if form.get("confirm") != Some("yes") {
        let message = format!(
            "{} was not withdrawn: tick “I mean it” to confirm.",
            docket.id
        );
        return Err(Refusal::unprocessable(message).on(DOCKETS));
    }
    let services = &state.services;
    services
        .store
        .withdraw_docket(&docket.id, &Actor::of(&identity), services.clock.now())
        .await?;
    Ok(Redirect::to(DOCKETS))
}
