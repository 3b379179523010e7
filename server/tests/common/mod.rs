//! Test harness: the real router over a real SQLite file in a temporary directory, with a fake clock.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use chrono::{DateTime, Duration, Utc};
use http_body_util::BodyExt;
use opendocket_core::clock::{FakeClock, SharedClock};
use opendocket_core::docket::{DocketId, NewDocket, NewDocument};
use opendocket_core::services::Services;
use opendocket_core::store::Store;
use opendocket_core::window::CommentWindow;
use opendocket_server::{app, config::Config, AppState};
use std::sync::Arc;
use tower::ServiceExt;

pub fn instant(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub database_url: String,
    pub clock: FakeClock,
    pub services: Services,
    pub router: axum::Router,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The idempotency key rendered into the comment form.
    pub fn form_key(&self) -> String {
        let marker = "name=\"idempotency_key\" value=\"";
        let start = self.body.find(marker).expect("the page has a comment form") + marker.len();
        self.body[start..start + 32].to_owned()
    }

    pub fn has_comment_form(&self) -> bool {
        self.body.contains("name=\"idempotency_key\"")
    }
}

impl Harness {
    pub async fn new(now: DateTime<Utc>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database_url = format!("sqlite://{}", dir.path().join("opendocket.db").display());
        Self::with_dir(dir, database_url, now).await
    }

    /// A new server process's worth of state over the same database file (a restart).
    pub async fn restart(self, now: DateTime<Utc>) -> Self {
        let Harness {
            dir,
            database_url,
            services,
            ..
        } = self;
        services.store.pool().close().await;
        Self::with_dir(dir, database_url, now).await
    }

    async fn with_dir(dir: tempfile::TempDir, database_url: String, now: DateTime<Utc>) -> Self {
        let store = Store::open(&database_url).await.unwrap();
        let clock = FakeClock::new(now);
        let shared: SharedClock = Arc::new(clock.clone());
        let services = Services::new(store, shared);
        let leptos_options = Config::from_env().unwrap().leptos_options();
        let router = app(AppState {
            leptos_options,
            services: services.clone(),
        });
        Self {
            dir,
            database_url,
            clock,
            services,
            router,
        }
    }

    pub fn store(&self) -> &Store {
        &self.services.store
    }

    pub async fn create_docket(
        &self,
        id: &str,
        opens_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
        allow_late: bool,
    ) {
        let docket = NewDocket {
            id: DocketId::parse(id).unwrap(),
            title: format!("Test docket {id}"),
            agency_name: "Federal Trade Commission".into(),
            time_zone: chrono_tz::America::New_York,
            document: NewDocument {
                title: "Proposed order".into(),
                summary: "A summary.".into(),
                body_markdown:
                    "## Terms\n\nThe **order** says things.\n\n<script>alert('doc')</script>".into(),
                federal_register_citation: Some("88 FR 15717".into()),
            },
            window: CommentWindow::new(opens_at, closes_at, allow_late).unwrap(),
        };
        self.store()
            .create_docket(&docket, opens_at - Duration::days(1))
            .await
            .unwrap();
    }

    pub async fn send(&self, request: Request<Body>) -> Page {
        let label = format!("{} {}", request.method(), request.uri());
        let response: Response<Body> = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            self.router.clone().oneshot(request),
        )
        .await
        .unwrap_or_else(|_| panic!("{label} did not answer within 20 seconds"))
        .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post_form(&self, path: &str, body: impl Into<Vec<u8>>) -> Page {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.into()))
            .unwrap();
        self.send(request).await
    }

    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .fetch_one(self.store().pool())
            .await
            .unwrap()
            .get(0)
    }

    pub async fn comment_count(&self) -> i64 {
        self.count("SELECT COUNT(*) FROM comments").await
    }

    pub async fn window_status(&self, docket: &str) -> String {
        use sqlx::Row;
        sqlx::query("SELECT status FROM comment_windows WHERE docket_id = $1")
            .bind(docket)
            .fetch_one(self.store().pool())
            .await
            .unwrap()
            .get("status")
    }
}

/// Percent-encodes form fields the way a browser does.
pub fn encode_form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                k,
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}
