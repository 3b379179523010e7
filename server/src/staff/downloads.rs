//! Every comment of a docket for staff (all statuses, contact details left out), as CSV or JSON
//! Lines, streamed a page at a time.

use super::extract::ManagedDocket;
use crate::streaming::{download, sending, streamed};
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use opendocket_core::api::export::{write_staff_comments, ExportFormat};

/// Every comment of the docket for staff, as a body.
pub(crate) fn staff_body(state: &AppState, docket: &str, format: ExportFormat) -> Body {
    let store = state.services.store.clone();
    let docket = docket.to_owned();
    streamed("staff comments", move |sender| async move {
        write_staff_comments(&store, &docket, format, sending(sender)).await
    })
}

pub async fn comments(
    format: ExportFormat,
    State(state): State<AppState>,
    ManagedDocket(docket): ManagedDocket,
) -> Response {
    let file = format!("{}-all-comments.{}", docket.id, format.extension());
    download(
        staff_body(&state, docket.id.as_str(), format),
        format.content_type(),
        &file,
    )
}
