//! Security headers: a Content-Security-Policy that allows nothing from other hosts, and friends.

use axum::extract::Request;
use axum::http::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
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

/// How long a shared cache may keep a public read page or API answer.
const PUBLIC_MAX_AGE: &str = "public, max-age=60";

/// Sets `Cache-Control` on answers that have none: never stored when they are for staff, carry a
/// form's one-time key (the docket page), a receipt or contact details, or answer a write; public
/// read pages, the read API and bulk downloads may be kept briefly by shared caches, but not for
/// someone signed in (their pages show staff links).
pub async fn add_cache_headers(request: Request, next: Next) -> Response {
    let policy = cache_policy(
        request.method(),
        request.uri().path(),
        request.headers().contains_key(COOKIE),
    );
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

fn cache_policy(method: &Method, path: &str, has_cookie: bool) -> &'static str {
    if method != Method::GET && method != Method::HEAD {
        return "no-store";
    }
    if path.starts_with("/pkg/") {
        // Asset names carry no hash: check for a newer one each time (cheap with Last-Modified).
        return "public, no-cache";
    }
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let public_read = matches!(
        parts.as_slice(),
        [] | [""]
            | ["comments", _]
            | [
                "dockets",
                _,
                "search" | "summary" | "comments.csv" | "comments.jsonl"
            ]
            | ["v4", ..]
    );
    match (public_read, has_cookie) {
        (true, false) => PUBLIC_MAX_AGE,
        (true, true) => "private, no-cache",
        (false, _) => "no-store",
    }
}

/// Context every rendered page gets: the services, and the nonce `add_security_headers` minted
/// for this answer (replacing the one Leptos made), so the page's inline scripts and its header
/// agree.
pub fn provide_page_context(services: Services) {
    provide_context(services);
    let minted = use_context::<Parts>().and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = minted {
        provide_context(nonce);
    }
}

tokio::task_local! {
    /// The nonce of the answer being made, for pages rendered from a handler (a refused form's
    /// page is rendered from a request of its own, which must carry the same nonce).
    static ANSWER_NONCE: Nonce;
}

/// Runs `work` (such as a handler moved to a task of its own) with the answer's nonce.
pub async fn with_answer_nonce<T>(nonce: Nonce, work: impl std::future::Future<Output = T>) -> T {
    ANSWER_NONCE.scope(nonce, work).await
}

/// The nonce `add_security_headers` minted for the answer being made.
pub fn answer_nonce() -> Option<Nonce> {
    ANSWER_NONCE.try_with(Clone::clone).ok()
}

/// Mints the answer's nonce before anything renders and sets the policy afterwards: the page
/// policy with that nonce on every HTML answer, the default policy on everything else. Setting it
/// here, rather than while the page renders, means an HTML answer can never go out without it.
pub async fn add_security_headers(mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = ANSWER_NONCE.scope(nonce.clone(), next.run(request)).await;
    let headers = response.headers_mut();
    let is_html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = if is_html {
        HeaderValue::from_str(&page_policy(&nonce)).ok()
    } else {
        None
    };
    match policy {
        Some(policy) => {
            headers.insert(CONTENT_SECURITY_POLICY, policy);
        }
        None if !headers.contains_key(CONTENT_SECURITY_POLICY) => {
            headers.insert(
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(DEFAULT_POLICY),
            );
        }
        None => {}
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_forms_and_receipts_are_never_stored() {
        let get = &Method::GET;
        for path in [
            "/staff",
            "/staff/dockets/X/summary",
            "/dockets/FTC-2023-0018",
            "/receipts/ABC",
            "/staff/attachments/1",
            "/api/whatever",
            "/healthz",
        ] {
            assert_eq!(cache_policy(get, path, false), "no-store", "{path}");
        }
        assert_eq!(
            cache_policy(&Method::POST, "/v4/comments", false),
            "no-store"
        );
        for path in ["/", "/comments/X-1", "/dockets/X/search", "/v4/comments"] {
            assert_eq!(cache_policy(get, path, false), PUBLIC_MAX_AGE, "{path}");
            assert_eq!(cache_policy(get, path, true), "private, no-cache", "{path}");
        }
    }
}
