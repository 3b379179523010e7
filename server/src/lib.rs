//! The OpenDocket server: the router that tests drive with `oneshot`, form handling, security headers and the CLI.

pub mod assets;
pub mod cli;
pub mod config;
mod cross_site;
pub mod disk;
mod file_response;
pub mod form;
pub mod http;
mod limits;
pub mod mail;
mod metrics;
mod network;
mod public;
mod render;
mod security;
pub mod staff;
mod streaming;
mod uploads;

use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use opendocket_app::{shell, App};
use opendocket_core::services::Services;
use public::v4_api as api;
use std::sync::{Arc, OnceLock};

/// Large enough for a 5,000-character comment in any script after percent-encoding, and the other fields.
pub(crate) const FORM_BODY_LIMIT: usize = 256 * 1024;
/// Staff forms that carry one file (an import, a redacted version): a file at the largest upload
/// size and the form around it. The file itself is held to the attachment limit as it arrives.
pub(crate) const STAFF_UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// What every handler shares, behind one reference count: a request clones the handle, not the
/// fields.
#[derive(Clone)]
pub struct AppState(Arc<SiteState>);

impl std::ops::Deref for AppState {
    type Target = SiteState;

    fn deref(&self) -> &SiteState {
        &self.0
    }
}

/// Changing a field (tests reconfigure a running router's state) copies the state first if
/// another handle shares it.
impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut SiteState {
        Arc::make_mut(&mut self.0)
    }
}

#[derive(Clone)]
pub struct SiteState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    /// Where people reach this site, for absolute links in API answers.
    pub public_url: String,
    pub api_limits: Arc<api::ApiLimits>,
    /// Forms with files being received at once (`OPENDOCKET_MAX_UPLOADS`).
    pub upload_slots: Arc<tokio::sync::Semaphore>,
    /// A comment form sent sooner than this after it was shown is marked as suspected
    /// automation (`OPENDOCKET_FORM_MIN_SECONDS`).
    pub form_min_age: chrono::Duration,
    /// Per-network limits on comments, sign-ins and expensive reads.
    pub limits: Arc<limits::AbuseLimits>,
    /// The free space and per-docket quota files must respect.
    pub disk: disk::DiskGuard,
    /// How mail is sent, when it is (`OPENDOCKET_SMTP_URL`).
    pub mailer: Option<mail::Mailer>,
    /// New comments wait here to be stored together.
    pub submissions: opendocket_core::submission_queue::SubmissionQueue,
    /// The bearer token `/metrics` asks for; without one it answers 404.
    pub metrics_token: Option<String>,
    /// The browser bundle under its versioned path, when the site has been built.
    pub assets: Option<Arc<assets::StaticAssets>>,
}

impl AppState {
    pub fn new(config: &config::Config, services: Services) -> Self {
        let assets = assets::StaticAssets::load(
            &std::path::Path::new(&config.site_root).join(&config.site_pkg_dir),
        )
        .map(Arc::new);
        let mut leptos_options = config.leptos_options();
        if let Some(assets) = &assets {
            // Pages name the bundle by its version, so browsers may keep it for good.
            leptos_options.site_pkg_dir =
                format!("{}/{}", config.site_pkg_dir, assets.version()).into();
        }
        Self(Arc::new(SiteState {
            leptos_options,
            assets,
            services: services.clone(),
            public_url: config.public_url.clone(),
            api_limits: Arc::new(api::ApiLimits::new(
                config.api_key_limit,
                config.api_anonymous_limit,
            )),
            upload_slots: Arc::new(tokio::sync::Semaphore::new(config.max_uploads)),
            form_min_age: chrono::Duration::seconds(config.form_min_seconds.into()),
            disk: disk::DiskGuard {
                dir: config.attachments_dir(),
                floor: config.min_free_space,
                docket_quota: config
                    .docket_attachment_quota_mb
                    .map(|mb| u64::from(mb) * 1024 * 1024),
            },
            mailer: config.mailer.clone(),
            submissions: opendocket_core::submission_queue::SubmissionQueue::start(
                services.store.clone(),
                config.submit_queue,
                services.receipts.clone(),
            ),
            metrics_token: {
                metrics::recorder();
                config.metrics_token.clone()
            },
            limits: Arc::new(limits::AbuseLimits::new(
                config.trusted_proxies.clone(),
                config.comment_limits,
                config.sign_in_limits,
                config.read_limits,
            )),
        }))
    }
}

impl FromRef<AppState> for Option<Arc<assets::StaticAssets>> {
    fn from_ref(state: &AppState) -> Self {
        state.assets.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The app's routes, generated once per process. Generating them renders the app with resource
/// loading suppressed by a process-wide flag, so a page rendering at that moment in another router
/// (several routers exist in the test suite) would wait for ever; doing it once avoids that.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The paths of every page the app renders, for tests that must cover them all.
pub fn page_paths() -> Vec<String> {
    route_list().iter().map(|r| r.path().to_owned()).collect()
}

pub fn app(state: AppState) -> Router {
    let routes = route_list();
    let page_context = {
        let services = state.services.clone();
        move || security::provide_page_context(services.clone())
    };
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/pkg/{version}/{file}", get(assets::serve_asset))
        .merge(public::routes(&state))
        .merge(staff::routes(&state))
        .leptos_routes_with_context(&state, routes, page_context.clone(), move || {
            shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, shell))
        .layer(axum::middleware::from_fn(staff::grant_app_access))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            staff::resolve_session,
        ))
        .layer(axum::middleware::from_fn(finish_writes))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::apply_network_limits,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cross_site::refuse_cross_site_posts,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            answer_panic,
        ))
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
        .layer(axum::middleware::from_fn(security::add_security_headers))
        .layer(axum::middleware::from_fn(security::add_cache_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::add_server_timing,
        ))
        .with_state(state)
}

/// Runs every POST to completion even if the browser gives up on it (a double click cancels the
/// first request). Dropping a handler half-way could leave a database transaction open on a
/// pooled connection; the person can still find the result again by its idempotency key.
async fn finish_writes(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    // The handler moves to a task of its own: it takes the answer's nonce along.
    let nonce = request.extensions().get::<leptos::nonce::Nonce>().cloned();
    let work = async move {
        match nonce {
            Some(nonce) => security::with_answer_nonce(nonce, next.run(request)).await,
            None => next.run(request).await,
        }
    };
    match tokio::spawn(work).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "a request handler failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; please try again.",
            )
                .into_response()
        }
    }
}

/// Logs a handler's panic (a bug, never an answer to input) with its cause.
pub(crate) fn log_panic(cause: &(dyn std::any::Any + Send + 'static)) {
    let cause = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(cause, "a request handler panicked");
}

/// A handler that panicked is logged and answered as a 500, rather than dropping the connection.
fn answer_panic(cause: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    log_panic(cause.as_ref());
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        "Something went wrong on our side; please try again.",
    )
        .into_response()
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.services.store.docket_count().await {
        Ok(_) => (StatusCode::OK, "ok\n"),
        Err(error) => {
            tracing::warn!(%error, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_handler_that_panics_is_answered_with_a_500_and_the_connection_kept() {
        let router = Router::new()
            .route(
                "/boom",
                get(|| async { "x".parse::<u8>().expect("a bug").to_string() }),
            )
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(
                answer_panic,
            ));
        let request = axum::http::Request::get("/boom")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = router.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response
                .headers()
                .get(axum::http::header::CACHE_CONTROL)
                .unwrap(),
            "no-store"
        );
    }
}
