//! Rendering a page in answer to a refused form: the page the form came from, with the reason
//! provided as context and without hydration scripts, and the status code that fits.

use crate::security::provide_page_context;
use crate::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;
use opendocket_core::accounts::StaffIdentity;
use opendocket_core::staff_routes::StaffAccess;

/// Renders `path` as a GET would, with `context` available to its components. A staff page is
/// rendered for `identity`, the staff member whose form was refused, with the `access` the staff
/// route table grants them there.
pub async fn render_page_with<T>(
    state: &AppState,
    path: &str,
    (identity, access): (Option<StaffIdentity>, Option<StaffAccess>),
    status: StatusCode,
    context: T,
) -> Response
where
    T: Clone + Send + Sync + 'static,
{
    let services = state.services.clone();
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_page_context(services.clone());
            provide_context(context.clone());
        },
        move || opendocket_app::shell(options.clone()),
    );
    let mut request = match Request::get(path).body(Body::empty()) {
        Ok(request) => request,
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    };
    if let Some(nonce) = crate::security::answer_nonce() {
        request.extensions_mut().insert(nonce);
    }
    if let Some(identity) = identity {
        request.extensions_mut().insert(identity);
    }
    if let Some(access) = access {
        request.extensions_mut().insert(access);
    }
    let mut response = render(request).await;
    if response.status().is_success() {
        *response.status_mut() = status;
    }
    response
}
