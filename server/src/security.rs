//! Security headers: a Content-Security-Policy that allows nothing from other hosts, and friends.

use axum::http::header::{
    HeaderValue, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::response::Response;
use leptos::nonce::use_nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::ResponseOptions;
use opendocket_core::services::Services;

/// The policy for HTML pages: scripts only from this origin and with this response's nonce
/// (Leptos's hydration bootstrap is inline), WebAssembly allowed to compile, everything else
/// from this origin only.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self'; font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'"
    )
}

/// For everything that is not a page (files, redirects, health checks).
const DEFAULT_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Context every rendered page gets: the services, and the page's CSP with its nonce.
pub fn provide_page_context(services: Services) {
    provide_context(services);
    if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>()) {
        if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
            response.insert_header(CONTENT_SECURITY_POLICY, value);
        }
    }
}

pub async fn add_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_POLICY),
        );
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
