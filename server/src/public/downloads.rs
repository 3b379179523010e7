//! The public bulk downloads linked from the docket page: posted comments only, as CSV or JSON
//! Lines, streamed a page at a time.

use crate::streaming::{download, sending, streamed};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use opendocket_core::api::export::{write_public_comments, ExportFormat};
use opendocket_core::docket::DocketId;

/// The docket, if it exists; otherwise the response saying so.
async fn existing(state: &AppState, docket: &str) -> Result<DocketId, Response> {
    let missing = || (StatusCode::NOT_FOUND, "There is no such docket.").into_response();
    let Ok(id) = DocketId::parse(docket) else {
        return Err(missing());
    };
    match state.services.store.docket_title_and_zone(&id).await {
        Ok(Some(_)) => Ok(id),
        Ok(None) => Err(missing()),
        Err(error) => {
            tracing::error!(%error, "looking up a docket for a download failed");
            Err((
                StatusCode::SERVICE_UNAVAILABLE,
                "The download cannot be made just now; try again in a minute.",
            )
                .into_response())
        }
    }
}

pub async fn comments(
    format: ExportFormat,
    State(state): State<AppState>,
    Path(docket): Path<String>,
) -> Result<Response, Response> {
    let id = existing(&state, &docket).await?;
    let store = state.services.store.clone();
    let base = state.public_url.clone();
    let docket = id.to_string();
    let file = format!("{docket}-comments.{}", format.extension());
    let body = streamed("public comments", move |sender| async move {
        write_public_comments(&store, &docket, &base, format, sending(sender)).await
    });
    Ok(download(body, format.content_type(), &file))
}
