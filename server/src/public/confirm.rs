//! Following a confirmation link: the button on `/confirm/{token}` posts here; the comment then
//! waits for a moderator like any other, and its receipt says so.

use crate::render::render_page_with;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use opendocket_app::views::ConfirmationRefused;
use opendocket_core::confirmation::ConfirmationToken;
use opendocket_core::store::Confirmed;

const NO_SUCH_LINK: &str = "This link confirms nothing: it was already used, it was mistyped, or the comment period closed before it was followed. A comment confirmed once stays confirmed.";

pub async fn confirm_comment(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let services = &state.services;
    let outcome = match ConfirmationToken::parse(&raw) {
        Some(token) => {
            services
                .store
                .confirm_comment(&token, services.clock.now())
                .await
        }
        None => Ok(Confirmed::NoSuchLink),
    };
    let (status, message) = match outcome {
        Ok(Confirmed::Now(tracking)) => {
            return Redirect::to(&format!("/receipts/{tracking}")).into_response()
        }
        Ok(Confirmed::NoSuchLink) => (StatusCode::NOT_FOUND, NO_SUCH_LINK.to_owned()),
        Err(error) => {
            tracing::error!(%error, "could not confirm a comment");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Your comment could not be confirmed just now. Please press the button again in a minute.".to_owned(),
            )
        }
    };
    let path = format!(
        "/confirm/{}",
        percent_encoding::utf8_percent_encode(&raw, percent_encoding::NON_ALPHANUMERIC)
    );
    render_page_with(
        &state,
        &path,
        (None, None),
        status,
        ConfirmationRefused(message),
    )
    .await
}
