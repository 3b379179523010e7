//! Campaign forms: merge, split, leave, and moderating a whole campaign at once.

use super::extract::{CsrfForm, Fields, StaffSession};
use super::refusal::Refusal;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Redirect;
use opendocket_core::accounts::Actor;
use opendocket_core::campaign::{CampaignChoice, CampaignError, CampaignStoreError};

/// What a campaign form does; each is its own route with its own permission.
#[derive(Debug, Clone, Copy)]
pub enum CampaignChange {
    /// Into the campaign `into`.
    Merge,
    /// The ticked `comment`s become a campaign of their own.
    Split,
    /// One `comment` is not a copy after all.
    Leave,
    /// Post every copy, or one representative (`choice`).
    Moderate,
}

/// Runs `change` on the campaign's docket and redirects to the campaign it leaves; a refusal is
/// shown on the campaign's page.
pub async fn change(
    change: CampaignChange,
    State(state): State<AppState>,
    Path(campaign): Path<i64>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let services = &state.services;
    let docket = services
        .store
        .campaign_docket(campaign)
        .await
        .map_err(|error| Refusal::from(error).on("/staff/search"))?
        .ok_or_else(|| Refusal::not_found("There is no such campaign."))?;
    let applied = apply(
        &state,
        change,
        &docket,
        campaign,
        &form,
        &Actor::of(&identity),
    )
    .await;
    let shown = applied.map_err(|error| {
        Refusal::from(error).on(format!("/staff/dockets/{docket}/campaigns/{campaign}"))
    })?;
    Ok(Redirect::to(&format!(
        "/staff/dockets/{docket}/campaigns/{shown}"
    )))
}

/// The campaign to show afterwards.
async fn apply(
    state: &AppState,
    change: CampaignChange,
    docket: &str,
    campaign: i64,
    form: &Fields,
    actor: &Actor,
) -> Result<i64, CampaignStoreError> {
    let (store, now) = (&state.services.store, state.services.clock.now());
    // Merging and splitting move many comments at once: the form asks the person to confirm.
    if matches!(change, CampaignChange::Merge | CampaignChange::Split)
        && form.get("confirm") != Some("yes")
    {
        return Err(CampaignError::NotConfirmed.into());
    }
    match change {
        CampaignChange::Merge => {
            let into = form.number("into").ok_or(CampaignError::NotFound)?;
            store
                .merge_campaigns(docket, campaign, into, actor, now)
                .await?;
            Ok(into)
        }
        CampaignChange::Split => {
            let chosen: Vec<i64> = form.all("comment").filter_map(|v| v.parse().ok()).collect();
            Ok(store
                .split_campaign(docket, campaign, &chosen, actor, now)
                .await?)
        }
        CampaignChange::Leave => {
            let comment = form.number("comment").ok_or(CampaignError::NotAMember)?;
            store
                .leave_campaign(docket, campaign, comment, actor, now)
                .await?;
            Ok(campaign)
        }
        CampaignChange::Moderate => {
            let choice = match form.get("choice") {
                Some("every") => CampaignChoice::PostEveryCopy,
                Some("representative") => CampaignChoice::PostRepresentative,
                _ => return Err(CampaignError::NoChoice.into()),
            };
            store
                .moderate_campaign(docket, campaign, choice, actor, now)
                .await?;
            Ok(campaign)
        }
    }
}
