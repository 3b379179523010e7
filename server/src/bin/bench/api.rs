//! The v4 API and the bulk download on a large stored docket, through the real router: how long
//! listing pages (first, sorted, deep, keyset), date filters and one comment take, and how fast the
//! public JSON Lines file streams and how much memory that adds.

use anyhow::Result;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures_util::StreamExt;
use opendocket_core::accounts::Actor;
use opendocket_core::attachment::files::AttachmentFiles;
use opendocket_core::clock::{SharedClock, SystemClock};
use opendocket_core::search::SearchService;
use opendocket_core::services::Services;
use opendocket_core::store::Store;
use opendocket_server::config::Config;
use opendocket_server::{app, AppState};
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

const ROUNDS: usize = 15;

pub struct ApiTimings {
    /// (request, median ms, slowest ms)
    pub requests: Vec<(&'static str, f64, f64)>,
    pub export_seconds: f64,
    pub export_mb: f64,
    pub export_lines: usize,
    /// How much the process grew while the export streamed.
    pub export_rss_growth_mb: f64,
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Times the API on the docket stored at `path` (made by the campaign benchmark).
pub async fn time_api(path: &std::path::Path, work: &std::path::Path) -> Result<ApiTimings> {
    let store = Store::open(&format!("sqlite://{}", path.display())).await?;
    let clock: SharedClock = Arc::new(SystemClock);
    let search = SearchService::start(store.clone(), &work.join("api-search-index")).await?;
    // The API's listings never touch the index; keep its rebuild from competing.
    search.stop().await;
    let services = Services::new(
        store.clone(),
        clock,
        search,
        AttachmentFiles::new(work.join("api-attachments")),
        store.form_token_key().await?,
    );
    let (_, key) = store
        .create_api_key(
            "benchmark",
            Some(1_000_000),
            &Actor::CommandLine,
            chrono::Utc::now(),
        )
        .await?;
    let router = app(AppState::new(&Config::from_env()?, services));
    let docket = super::DOCKET;
    let posted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE status = 'posted'")
        .fetch_one(store.pool())
        .await?;
    let some_comment: String = sqlx::query_scalar(
        "SELECT public_id FROM comments WHERE status = 'posted' ORDER BY id LIMIT 1 OFFSET $1",
    )
    .bind(posted / 2)
    .fetch_one(store.pool())
    .await?;
    let requests: Vec<(&'static str, String)> = vec![
        (
            "first page of 250",
            format!("/v4/comments?filter[docketId]={docket}&page[size]=250"),
        ),
        (
            "sorted -postedDate",
            format!("/v4/comments?filter[docketId]={docket}&page[size]=250&sort=-postedDate"),
        ),
        (
            "page 1000 of 250",
            format!("/v4/comments?filter[docketId]={docket}&page[size]=250&page[number]=1000&sort=lastModifiedDate,documentId"),
        ),
        (
            "keyset page (recipe)",
            format!("/v4/comments?filter[docketId]={docket}&page[size]=250&sort=lastModifiedDate,documentId&filter[lastModifiedDate][ge]=2015-11-02%2012:00:00"),
        ),
        (
            "one posted day",
            format!("/v4/comments?filter[docketId]={docket}&filter[postedDate]=2015-11-02&page[size]=250"),
        ),
        (
            "one comment",
            format!("/v4/comments/{some_comment}?include=attachments"),
        ),
    ];
    let mut timings = Vec::new();
    for (label, path) in &requests {
        let mut samples = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let request = Request::get(path.as_str())
                .header("x-api-key", &key)
                .body(Body::empty())?;
            let began = Instant::now();
            let response = router.clone().oneshot(request).await?;
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            samples.push(began.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(
                status == StatusCode::OK,
                "{path}: {status} {}",
                String::from_utf8_lossy(&body)
            );
        }
        samples.sort_by(f64::total_cmp);
        timings.push((
            *label,
            samples[samples.len() / 2],
            samples[samples.len() - 1],
        ));
    }

    let baseline = rss_mb();
    let mut peak = baseline;
    let began = Instant::now();
    let request = Request::get(format!("/dockets/{docket}/comments.jsonl")).body(Body::empty())?;
    let mut body = router
        .clone()
        .oneshot(request)
        .await?
        .into_body()
        .into_data_stream();
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(data) = body.next().await {
        let data = data?;
        bytes += data.len();
        lines += data.iter().filter(|b| **b == b'\n').count();
        peak = peak.max(rss_mb());
    }
    let export_seconds = began.elapsed().as_secs_f64();
    store.pool().close().await;
    Ok(ApiTimings {
        requests: timings,
        export_seconds,
        export_mb: bytes as f64 / 1e6,
        export_lines: lines,
        export_rss_growth_mb: peak - baseline,
    })
}
