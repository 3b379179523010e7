//! Campaign and summary forms and downloads: merge, split, leave, moderate a whole campaign,
//! publish the docket summary, and the summary as Markdown, CSV or JSON. Each handler checks the
//! session and permission (and the CSRF token for changes) first.

use crate::staff::{authorise, authorise_read, fields, notice};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use opendocket_core::accounts::{Actor, StaffIdentity};
use opendocket_core::api::export::ExportFormat;
use opendocket_core::campaign::{CampaignChoice, CampaignError, CampaignStoreError};
use opendocket_core::docket::DocketId;
use opendocket_core::search::request::decode_query;
use opendocket_core::staff::Permission;
use opendocket_core::summary::{Audience, SummaryReason};

/// The refusal for a failed campaign change, shown on `page`.
async fn refused(
    state: &AppState,
    page: &str,
    headers: &HeaderMap,
    identity: &StaffIdentity,
    error: CampaignStoreError,
) -> Response {
    let (status, message) = match error {
        CampaignStoreError::Campaign(e) => {
            let status = match e {
                CampaignError::NotFound | CampaignError::NotAMember => StatusCode::NOT_FOUND,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (status, format!("{e} Nothing was changed."))
        }
        CampaignStoreError::Moderation(error) => {
            tracing::error!(%error, "moderating a campaign failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Some copies could not be decided; reload the page to see which, and try again."
                    .to_owned(),
            )
        }
        CampaignStoreError::Store(error) => {
            tracing::error!(%error, "changing a campaign failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The change could not be saved; try again in a minute.".to_owned(),
            )
        }
    };
    notice(
        state,
        page,
        headers,
        status,
        message,
        identity.email.clone(),
    )
    .await
}

/// Checks the form, then runs `change` on the campaign's docket and redirects to `next(docket)`.
async fn change_campaign<F, Fut>(
    state: AppState,
    campaign_id: i64,
    headers: HeaderMap,
    body: Bytes,
    permission: Permission,
    change: F,
) -> Response
where
    F: FnOnce(AppState, String, Vec<(String, String)>, Actor) -> Fut,
    Fut: std::future::Future<Output = Result<String, CampaignStoreError>>,
{
    // Split takes the comment field many times, so the pairs are kept in order as sent.
    let pairs = crate::form::parse_urlencoded(&body).unwrap_or_default();
    let form = pairs.iter().cloned().collect();
    let identity = match authorise(&state, &headers, &form, Some(permission)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let docket = match state.services.store.campaign_docket(campaign_id).await {
        Ok(Some(docket)) => docket,
        Ok(None) => return (StatusCode::NOT_FOUND, "There is no such campaign.").into_response(),
        Err(error) => {
            let page = "/staff/search";
            return refused(&state, page, &headers, &identity, error.into()).await;
        }
    };
    let page = format!("/staff/dockets/{docket}/campaigns/{campaign_id}");
    match change(state.clone(), docket, pairs, Actor::of(&identity)).await {
        Ok(next) => Redirect::to(&next).into_response(),
        Err(error) => refused(&state, &page, &headers, &identity, error).await,
    }
}

fn number(pairs: &[(String, String)], name: &str) -> Option<i64> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

pub async fn merge(
    State(state): State<AppState>,
    Path(campaign): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change_campaign(
        state,
        campaign,
        headers,
        body,
        Permission::Tag,
        |state, docket, form, actor| async move {
            let into = number(&form, "into").ok_or(CampaignError::NotFound)?;
            let services = &state.services;
            services
                .store
                .merge_campaigns(&docket, campaign, into, &actor, services.clock.now())
                .await?;
            Ok(format!("/staff/dockets/{docket}/campaigns/{into}"))
        },
    )
    .await
}

pub async fn split(
    State(state): State<AppState>,
    Path(campaign): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change_campaign(
        state,
        campaign,
        headers,
        body,
        Permission::Tag,
        |state, docket, form, actor| async move {
            let chosen: Vec<i64> = form
                .iter()
                .filter(|(k, _)| k == "comment")
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
            let services = &state.services;
            let new = services
                .store
                .split_campaign(&docket, campaign, &chosen, &actor, services.clock.now())
                .await?;
            Ok(format!("/staff/dockets/{docket}/campaigns/{new}"))
        },
    )
    .await
}

pub async fn leave(
    State(state): State<AppState>,
    Path(campaign): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change_campaign(
        state,
        campaign,
        headers,
        body,
        Permission::Tag,
        |state, docket, form, actor| async move {
            let comment = number(&form, "comment").ok_or(CampaignError::NotAMember)?;
            let services = &state.services;
            services
                .store
                .leave_campaign(&docket, campaign, comment, &actor, services.clock.now())
                .await?;
            Ok(format!("/staff/dockets/{docket}/campaigns/{campaign}"))
        },
    )
    .await
}

pub async fn moderate(
    State(state): State<AppState>,
    Path(campaign): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change_campaign(
        state,
        campaign,
        headers,
        body,
        Permission::Moderate,
        |state, docket, form, actor| async move {
            let choice = match form
                .iter()
                .find(|(k, _)| k == "choice")
                .map(|(_, v)| v.as_str())
            {
                Some("every") => CampaignChoice::PostEveryCopy,
                Some("representative") => CampaignChoice::PostRepresentative,
                _ => return Err(CampaignError::NoChoice.into()),
            };
            let services = &state.services;
            services
                .store
                .moderate_campaign(&docket, campaign, choice, &actor, services.clock.now())
                .await?;
            Ok(format!("/staff/dockets/{docket}/campaigns/{campaign}"))
        },
    )
    .await
}

/// Keeps the public version of the docket summary as it is now and shows it on the docket.
pub async fn publish_summary(
    State(state): State<AppState>,
    Path(docket): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::ManageDockets)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let page = format!("/staff/dockets/{docket}/summary");
    let services = &state.services;
    let known = match DocketId::parse(&docket) {
        Ok(id) => !matches!(services.store.docket_title_and_zone(&id).await, Ok(None)),
        Err(_) => false,
    };
    if !known {
        return (StatusCode::NOT_FOUND, "There is no such docket.").into_response();
    }
    match services
        .store
        .save_summary(
            &docket,
            SummaryReason::Published,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/dockets/{docket}/summary")).into_response(),
        Err(error) => {
            tracing::error!(%error, "publishing the summary failed");
            let message = "The summary could not be published; try again in a minute.".to_owned();
            notice(
                &state,
                &page,
                &headers,
                StatusCode::SERVICE_UNAVAILABLE,
                message,
                identity.email,
            )
            .await
        }
    }
}

/// `/staff/dockets/{id}/summary?format=markdown|csv|json` is a download; without `format` it is
/// the page. Answers the downloads and passes everything else on.
pub async fn summary_downloads(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let docket = request
        .uri()
        .path()
        .strip_prefix("/staff/dockets/")
        .and_then(|rest| rest.strip_suffix("/summary"))
        .map(str::to_owned);
    let format = decode_query(request.uri().query().unwrap_or(""))
        .into_iter()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v);
    let saved = decode_query(request.uri().query().unwrap_or(""))
        .into_iter()
        .find(|(k, _)| k == "saved")
        .map(|(_, v)| v.parse::<i64>().unwrap_or(-1));
    match (docket, format) {
        (Some(docket), Some(format)) if request.method() == axum::http::Method::GET => {
            download(&state, request.headers(), &docket, &format, saved).await
        }
        _ => next.run(request).await,
    }
}

/// `saved`: a kept summary's id instead of the summary as of now.
async fn download(
    state: &AppState,
    headers: &HeaderMap,
    docket: &str,
    format: &str,
    saved: Option<i64>,
) -> Response {
    if let Err(refusal) = authorise_read(state, headers, Some(Permission::ReadComments)).await {
        return refusal;
    }
    let Ok(id) = DocketId::parse(docket) else {
        return (StatusCode::NOT_FOUND, "There is no such docket.").into_response();
    };
    let services = &state.services;
    let unavailable = |error: opendocket_core::store::StoreError| {
        tracing::error!(%error, "summary download failed");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "The summary could not be made; try again in a minute.",
        )
            .into_response()
    };
    let (content_type, extension, body) = match format {
        "csv" => {
            if matches!(services.store.docket_title_and_zone(&id).await, Ok(None)) {
                return (StatusCode::NOT_FOUND, "There is no such docket.").into_response();
            }
            let body = crate::downloads::staff_body(state, docket, ExportFormat::Csv);
            ("text/csv; charset=utf-8", "csv", body)
        }
        "markdown" | "json" => {
            let summary = match saved {
                Some(saved) => services.store.saved_summary(docket, Some(saved)).await,
                None => {
                    services
                        .store
                        .docket_summary(&id, Audience::Staff, services.clock.now())
                        .await
                }
            };
            let summary = match summary {
                Ok(Some(summary)) => summary,
                Ok(None) => {
                    return (StatusCode::NOT_FOUND, "There is no such docket.").into_response()
                }
                Err(error) => return unavailable(error),
            };
            if format == "json" {
                match serde_json::to_vec_pretty(&summary) {
                    Ok(json) => ("application/json", "json", Body::from(json)),
                    Err(error) => {
                        tracing::error!(%error, "summary JSON failed");
                        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                    }
                }
            } else {
                (
                    "text/markdown; charset=utf-8",
                    "md",
                    Body::from(summary.to_markdown()),
                )
            }
        }
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "The format is markdown, csv or json.",
            )
                .into_response()
        }
    };
    let disposition = format!("attachment; filename=\"{docket}-summary.{extension}\"");
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
