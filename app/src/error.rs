//! The one error type server functions send over the wire: a sentence for the person, never internals.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("The service is busy or its database is unreachable. Please try again in a minute.")]
    Unavailable,
    #[error("Something went wrong on our side. It has been logged; please try again.")]
    Internal,
    #[error("Please sign in to see this page.")]
    SignInRequired,
    #[error("Your account does not have permission to do this.")]
    Forbidden,
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<opendocket_core::store::StoreError> for AppError {
    fn from(error: opendocket_core::store::StoreError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(%error, "database unavailable");
            AppError::Unavailable
        } else {
            tracing::error!(%error, "storage failure");
            AppError::Internal
        }
    }
}

#[cfg(feature = "ssr")]
impl From<opendocket_core::search::SearchError> for AppError {
    fn from(error: opendocket_core::search::SearchError) -> Self {
        match error {
            opendocket_core::search::SearchError::Store(store) => store.into(),
            other => {
                tracing::error!(error = %other, "search failure");
                AppError::Internal
            }
        }
    }
}
