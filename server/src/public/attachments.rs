//! An attached file for the public: only once its comment is posted and the file not withheld,
//! and then the redacted version if there is one.

use crate::file_response::{not_found, send, unreadable};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;

pub async fn public_file(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    match state.services.store.attachment_file(id).await {
        Ok(Some(file)) if file.comment_status == "posted" && !file.info.withheld => {
            let (name, kind, digest) = file.public_version();
            send(&state, id, &name, kind, digest).await
        }
        Ok(_) => not_found(),
        Err(error) => {
            tracing::error!(%error, "attachment lookup failed");
            unreadable()
        }
    }
}
