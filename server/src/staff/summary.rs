//! The docket summary: publishing its public version, and downloading it as Markdown, CSV or JSON.

use super::downloads::staff_body;
use super::extract::{CsrfForm, Fields, ManagedDocket, StaffSession};
use super::refusal::Refusal;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Redirect, Response};
use opendocket_core::accounts::Actor;
use opendocket_core::api::export::ExportFormat;
use opendocket_core::summary::{Audience, SummaryReason};
use serde::Deserialize;

/// Keeps the public version of the docket summary as it is now and shows it on the docket.
pub async fn publish(
    State(state): State<AppState>,
    ManagedDocket(docket): ManagedDocket,
    StaffSession(identity): StaffSession,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let services = &state.services;
    services
        .store
        .save_summary(
            docket.id.as_str(),
            SummaryReason::Published,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await
        .map_err(|error| {
            Refusal::unavailable(
                "The summary could not be published; try again in a minute.",
                error,
            )
            .on(format!("/staff/dockets/{}/summary", docket.id))
        })?;
    Ok(Redirect::to(&format!("/dockets/{}/summary", docket.id)))
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    format: String,
    /// A kept summary's id instead of the summary as of now.
    saved: Option<String>,
}

pub async fn download(
    State(state): State<AppState>,
    ManagedDocket(docket): ManagedDocket,
    Query(query): Query<DownloadQuery>,
) -> Result<Response, Refusal> {
    let id = docket.id.as_str();
    let services = &state.services;
    let unavailable = |error| {
        Refusal::unavailable(
            "The summary could not be made; try again in a minute.",
            error,
        )
    };
    let (content_type, extension, body) = match query.format.as_str() {
        "csv" => (
            "text/csv; charset=utf-8",
            "csv",
            staff_body(&state, id, ExportFormat::Csv),
        ),
        format @ ("markdown" | "json") => {
            let summary = match &query.saved {
                Some(saved) => {
                    let saved = saved.parse::<i64>().unwrap_or(-1);
                    services.store.saved_summary(id, Some(saved)).await
                }
                None => {
                    services
                        .store
                        .docket_summary(&docket.id, Audience::Staff, services.clock.now())
                        .await
                }
            }
            .map_err(unavailable)?
            .ok_or_else(Refusal::no_such_docket)?;
            if format == "json" {
                let json = serde_json::to_vec_pretty(&summary).map_err(|error| {
                    Refusal::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!("The summary could not be written as JSON: {error}."),
                    )
                })?;
                ("application/json", "json", Body::from(json))
            } else {
                (
                    "text/markdown; charset=utf-8",
                    "md",
                    Body::from(summary.to_markdown()),
                )
            }
        }
        _ => return Err(Refusal::bad_request("The format is markdown, csv or json.")),
    };
    let disposition = format!("attachment; filename=\"{id}-summary.{extension}\"");
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
