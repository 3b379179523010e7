//! The public routes the server answers itself (pages are the app's): the comment form's POST,
//! confirmation links, posted attachments, bulk downloads and the regulations.gov v4 API.

mod attachments;
mod confirm;
mod downloads;
mod submit;
pub(crate) mod v4_api;

use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use opendocket_core::api::export::ExportFormat;

pub fn routes(state: &AppState) -> Router<AppState> {
    let mut router = Router::new()
        .route("/attachments/{id}", get(attachments::public_file))
        .route("/confirm/{token}", post(confirm::confirm_comment))
        .route(
            "/dockets/{id}",
            post(submit::submit_comment).layer(DefaultBodyLimit::max(upload_limit(state))),
        );
    for format in [ExportFormat::Csv, ExportFormat::JsonLines] {
        router = router.route(
            &format!("/dockets/{{id}}/comments.{}", format.extension()),
            get(move |state, path| downloads::comments(format, state, path)),
        );
    }
    router.merge(v4_api::routes(state.clone()))
}

/// The comment form with every file at its largest, and room for the text fields.
fn upload_limit(state: &AppState) -> usize {
    let limits = state.services.attachment_limits;
    limits.max_files * limits.max_bytes + 1024 * 1024
}
