//! `/metrics`: what the server counts (comments received, stored and refused, batch sizes, queue
//! wait) and what it measures when asked (queue depth, search lag, placement lag), in the
//! Prometheus text format, for a scraper that holds `OPENDOCKET_METRICS_TOKEN`.

use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use opendocket_core::submission_queue::metric;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub const SEARCH_LAG: &str = "opendocket_search_lag_changes";
pub const PLACEMENT_LAG: &str = "opendocket_campaign_placement_waiting";

/// The process's recorder, installed on first use (several routers in one test process share it).
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first; /metrics will be empty");
        }
        metrics::describe_counter!(metric::RECEIVED, "Comments sent to be stored.");
        metrics::describe_counter!(metric::STORED, "Comments committed to the database.");
        metrics::describe_counter!(metric::REFUSED, "Comments refused, by reason.");
        metrics::describe_histogram!(metric::BATCH_SIZE, "Comments stored per transaction.");
        metrics::describe_histogram!(metric::QUEUE_WAIT, "Seconds a comment waited to be stored.");
        metrics::describe_gauge!(metric::QUEUE_DEPTH, "Comments waiting to be stored.");
        metrics::describe_gauge!(SEARCH_LAG, "Changes the search index has yet to apply.");
        metrics::describe_gauge!(
            PLACEMENT_LAG,
            "Comments waiting to be placed in a campaign."
        );
        handle
    })
}

/// Counts a comment refused, by a short reason such as `closed` or `busy`.
pub fn count_refusal(reason: &'static str) {
    metrics::counter!(metric::REFUSED, "reason" => reason).increment(1);
}

fn token_matches(headers: &HeaderMap, expected: &str) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compared as digests, so the time taken says nothing about the token.
    Sha256::digest(given.trim().as_bytes()) == Sha256::digest(expected.as_bytes())
}

/// For a request carrying the metrics token, a `Server-Timing: app;dur=…` header saying how
/// long the server took to produce the answer (the pages are rendered whole before their
/// headers leave), so a benchmark can tell server time from its own. Others get nothing.
pub async fn add_server_timing(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let asked = request.headers().contains_key(header::AUTHORIZATION)
        && state
            .metrics_token
            .as_deref()
            .is_some_and(|expected| token_matches(request.headers(), expected));
    if !asked {
        return next.run(request).await;
    }
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    let took = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = header::HeaderValue::from_str(&format!("app;dur={took:.2}")) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("server-timing"), value);
    }
    response
}

pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = &state.metrics_token else {
        return (
            StatusCode::NOT_FOUND,
            "Metrics are off: set OPENDOCKET_METRICS_TOKEN.\n",
        )
            .into_response();
    };
    if !token_matches(&headers, expected) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "Send the metrics token as Authorization: Bearer TOKEN.\n",
        )
            .into_response();
    }
    let store = &state.services.store;
    metrics::gauge!(metric::QUEUE_DEPTH).set(state.submissions.depth() as f64);
    match store.max_change_seq().await {
        Ok(newest) => metrics::gauge!(SEARCH_LAG)
            .set((newest - state.services.search.applied_seq()).max(0) as f64),
        Err(error) => tracing::warn!(%error, "metrics: could not read the change sequence"),
    }
    match store.unplaced_count().await {
        Ok(waiting) => metrics::gauge!(PLACEMENT_LAG).set(waiting as f64),
        Err(error) => tracing::warn!(%error, "metrics: could not count unplaced comments"),
    }
    let handle = recorder();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
