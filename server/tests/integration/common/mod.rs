//! Test harness: the real router over a real SQLite file in a temporary directory, with a fake clock.

#![allow(dead_code)]

pub mod smtp;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use chrono::{DateTime, Duration, Utc};
use http_body_util::BodyExt;
use opendocket_core::attachment::files::AttachmentFiles;
use opendocket_core::clock::{FakeClock, SharedClock};
use opendocket_core::docket::{DocketId, NewDocket, NewDocument};
use opendocket_core::search::SearchService;
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
    /// The router's upload slots, for tests that fill them.
    pub upload_slots: Arc<tokio::sync::Semaphore>,
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

    /// The signed token rendered into the comment form.
    pub fn form_key(&self) -> String {
        let marker = "name=\"form_token\" value=\"";
        let start = self.body.find(marker).expect("the page has a comment form") + marker.len();
        let end = self.body[start..].find('"').expect("the value ends") + start;
        self.body[start..end].to_owned()
    }

    pub fn has_comment_form(&self) -> bool {
        self.body.contains("name=\"form_token\"")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Harness {
    /// A fresh database: a SQLite file, or with `OPENDOCKET_TEST_POSTGRES_URL` set, a new
    /// database on that PostgreSQL server, so the whole suite runs on either backend.
    pub async fn new(now: DateTime<Utc>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match std::env::var("OPENDOCKET_TEST_POSTGRES_URL") {
            Ok(admin_url) => fresh_postgres_database(&admin_url).await,
            Err(_) => format!("sqlite://{}", dir.path().join("opendocket.db").display()),
        };
        Self::with_dir(dir, database_url, now).await
    }

    /// A fresh database on the PostgreSQL server at `admin_url`.
    pub async fn on_postgres(admin_url: &str, now: DateTime<Utc>) -> Self {
        let database_url = fresh_postgres_database(admin_url).await;
        Self::with_dir(tempfile::tempdir().unwrap(), database_url, now).await
    }

    /// Another process's view of the same database: its own pool, clock and router.
    pub async fn second_instance(&self, now: DateTime<Utc>) -> Instance {
        let store = Store::open(&self.database_url).await.unwrap();
        let clock = FakeClock::new(now);
        let index_dir = tempfile::tempdir().unwrap();
        let search = SearchService::start(store.clone(), index_dir.path())
            .await
            .unwrap();
        // Instances share the attachment files, as they would on a shared data directory.
        let files = AttachmentFiles::new(self.dir.path().join("attachments"));
        let form_tokens = store.form_token_key().await.unwrap();
        let services = Services::new(store, Arc::new(clock.clone()), search, files, form_tokens);
        Instance {
            clock,
            services,
            index_dir,
        }
    }

    /// A new server process's worth of state over the same database file (a restart).
    pub async fn restart(self, now: DateTime<Utc>) -> Self {
        let Harness {
            dir,
            database_url,
            services,
            ..
        } = self;
        services.search.stop().await;
        services.store.pool().close().await;
        Self::with_dir(dir, database_url, now).await
    }

    async fn with_dir(dir: tempfile::TempDir, database_url: String, now: DateTime<Utc>) -> Self {
        let store = Store::open(&database_url).await.unwrap();
        let clock = FakeClock::new(now);
        let shared: SharedClock = Arc::new(clock.clone());
        let search = SearchService::start(store.clone(), &dir.path().join("search-index"))
            .await
            .unwrap();
        let files = AttachmentFiles::new(dir.path().join("attachments"));
        let form_tokens = store.form_token_key().await.unwrap();
        let mut services = Services::new(store, shared, search, files, form_tokens);
        // A small proof of work keeps the tests quick; its rules are the same at any size.
        services.proof_of_work_bits = PROOF_BITS;
        let state = Self::state_for(&dir, &services);
        let upload_slots = state.upload_slots.clone();
        let router = app(state);
        Self {
            dir,
            database_url,
            clock,
            services,
            router,
            upload_slots,
        }
    }

    /// The server's state as a test gets it: this harness's directories, and no free-space floor
    /// (a test machine's disk is what it is; one test sets a floor of its own).
    fn state_for(dir: &tempfile::TempDir, services: &Services) -> AppState {
        let mut state = AppState::new(&Config::from_env().unwrap(), services.clone());
        state.disk.dir = dir.path().join("attachments");
        state.disk.floor = opendocket_server::disk::FreeSpaceFloor::Bytes(0);
        state
    }

    /// Rebuilds the router with a changed configuration (same database, clock and services).
    pub fn reconfigure(&mut self, change: impl FnOnce(&mut AppState)) {
        let mut state = Self::state_for(&self.dir, &self.services);
        change(&mut state);
        self.upload_slots = state.upload_slots.clone();
        self.router = app(state);
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
            .create_docket(
                &docket,
                &opendocket_core::accounts::Actor::CommandLine,
                opens_at - Duration::days(1),
            )
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
        .unwrap_or_else(|_| panic!("{label} did not answer within 30 seconds"))
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

    /// Sends a request as if it came over a connection from `address` (the listener adds it).
    pub async fn send_from(&self, address: &str, mut request: Request<Body>) -> Page {
        let peer = std::net::SocketAddr::new(address.parse().unwrap(), 40000);
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        self.send(request).await
    }

    /// Posts a urlencoded form from `address`.
    pub async fn post_form_from(
        &self,
        address: &str,
        path: &str,
        body: impl Into<Vec<u8>>,
    ) -> Page {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.into()))
            .unwrap();
        self.send_from(address, request).await
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

    /// Posts a multipart form (as a browser sends the comment form with files).
    pub async fn post_multipart(&self, path: &str, form: &Multipart) -> Page {
        self.send_multipart(None, path, form).await
    }

    /// Posts a multipart form as staff, with the session's CSRF token added to it.
    pub async fn staff_multipart(
        &self,
        session: &StaffSession,
        path: &str,
        form: Multipart,
    ) -> Page {
        let form = form.text("csrf_token", &session.csrf);
        self.send_multipart(Some(session), path, &form).await
    }

    async fn send_multipart(
        &self,
        session: Option<&StaffSession>,
        path: &str,
        form: &Multipart,
    ) -> Page {
        let mut request = Request::post(path).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={}", Multipart::BOUNDARY),
        );
        if let Some(session) = session {
            request = request.header(header::COOKIE, &session.cookie);
        }
        self.send(request.body(Body::from(form.body())).unwrap())
            .await
    }

    /// A harness on 2023-03-20 with docket `id` open from 2023-03-14 to 2023-04-14 (Eastern).
    pub async fn with_open_docket(id: &str) -> Self {
        let h = Self::new(instant("2023-03-20T15:00:00Z")).await;
        h.create_docket(
            id,
            instant("2023-03-14T13:00:00Z"),
            instant("2023-04-14T04:00:00Z"),
            false,
        )
        .await;
        h
    }

    /// The public id of a posted comment.
    pub async fn public_id(&self, comment_id: i64) -> String {
        sqlx::query_scalar("SELECT public_id FROM comments WHERE id = $1")
            .bind(comment_id)
            .fetch_one(self.store().pool())
            .await
            .unwrap()
    }

    /// Stores `n` posted anonymous comments straight into the database (fast, for large dockets):
    /// each says `body`, the i-th posted and last modified at `at(i)` (milliseconds).
    pub async fn insert_posted(
        &self,
        docket: &str,
        n: usize,
        body: &str,
        at: impl Fn(usize) -> i64,
    ) {
        let mut tx = self.store().pool().begin().await.unwrap();
        for i in 0..n {
            sqlx::query(
                "INSERT INTO comments (tracking_number, idempotency_key, docket_id, window_id, document_id,
                     submitter_type, body, received_at, status, public_id, posted_at, last_modified_at)
                 SELECT $1, $2, w.docket_id, w.id, $3, 'anonymous', $4, $5, 'posted', $6, $5, $5
                 FROM comment_windows w WHERE w.docket_id = $7",
            )
            .bind(format!("bulk-{i}"))
            .bind(format!("bulk-key-{i}"))
            .bind(format!("{docket}-0001"))
            .bind(body)
            .bind(at(i))
            .bind(format!("{docket}-{:05}", i + 2))
            .bind(docket)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }

    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .fetch_one(self.store().pool())
            .await
            .unwrap()
            .get(0)
    }

    /// Adds a staff account and signs it in; returns the session cookie and the CSRF token.
    pub async fn staff_session(
        &self,
        email: &str,
        role: opendocket_core::roles::Role,
    ) -> StaffSession {
        use opendocket_core::accounts::Actor;
        let now = opendocket_core::clock::Clock::now(&self.clock);
        self.store()
            .add_staff_user(
                email,
                role,
                "a long enough passphrase",
                &Actor::CommandLine,
                now,
            )
            .await
            .unwrap();
        self.staff_session_again(email).await
    }

    /// Signs an existing account in again (its password is the one `staff_session` gave it).
    pub async fn staff_session_again(&self, email: &str) -> StaffSession {
        self.staff_session_with(email, "a long enough passphrase")
            .await
    }

    /// Signs an existing account in with `password`.
    pub async fn staff_session_with(&self, email: &str, password: &str) -> StaffSession {
        let response = self
            .post_form(
                "/staff/login",
                encode_form(&[("email", email), ("password", password)]),
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "sign-in of {email}");
        self.session_of(&response).await
    }

    async fn session_of(&self, response: &Page) -> StaffSession {
        let set_cookie = response
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        let token = cookie.split_once('=').unwrap().1;
        let now = opendocket_core::clock::Clock::now(&self.clock);
        let identity = self.store().identity(token, now).await.unwrap().unwrap();
        StaffSession {
            cookie,
            csrf: identity.csrf_token,
        }
    }

    /// Runs the `opendocket` binary on this harness's database, with `stdin` as its input.
    pub fn run_cli(&self, args: &[&str], stdin: &str) -> std::process::Output {
        run_opendocket(self.dir.path(), Some(&self.database_url), args, stdin)
    }

    pub async fn staff_get(&self, session: &StaffSession, path: &str) -> Page {
        self.send(
            Request::get(path)
                .header(header::COOKIE, &session.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn staff_post(
        &self,
        session: Option<&StaffSession>,
        path: &str,
        body: String,
    ) -> Page {
        let mut request =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(session) = session {
            request = request.header(header::COOKIE, &session.cookie);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// A comment-form token for `docket` as a page shown a minute ago would carry (a person
    /// takes longer than the few seconds that mark a form as sent by a script).
    pub fn form_token(&self, docket: &str) -> String {
        let docket = opendocket_core::docket::DocketId::parse(docket).unwrap();
        let shown = self.services.clock.now() - chrono::Duration::minutes(1);
        self.services.form_tokens.issue(&docket, shown)
    }

    /// Submits a comment through the public form; `kind` is individual or organization.
    pub async fn submit_comment(
        &self,
        docket: &str,
        kind: &str,
        name: &str,
        state: &str,
        text: &str,
    ) {
        let (first, organization) = if kind == "organization" {
            ("", name)
        } else {
            (name, "")
        };
        let form = encode_form(&[
            ("form_token", &self.form_token(docket)),
            ("submitter_type", kind),
            ("first_name", first),
            ("last_name", if first.is_empty() { "" } else { "Example" }),
            ("organization", organization),
            ("state_province_region", state),
            ("country", "United States"),
            ("email", "someone@example.org"),
            ("comment", text),
        ]);
        let response = self.post_form(&format!("/dockets/{docket}"), form).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    }

    /// Does what the campaign placement worker does after a commit: places every comment
    /// stored but not yet placed.
    pub async fn place_waiting(&self) {
        while self
            .store()
            .assign_waiting_campaigns(500, self.services.clock.now())
            .await
            .unwrap()
            > 0
        {}
    }

    /// Posts a staff form with the session's CSRF token.
    pub async fn staff_form(
        &self,
        session: &StaffSession,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let mut all = vec![("csrf_token", session.csrf.as_str())];
        all.extend_from_slice(fields);
        self.staff_post(Some(session), path, encode_form(&all))
            .await
    }

    /// Decides on a comment as a moderator would, on its current version.
    pub async fn decide(&self, id: i64, decision: opendocket_core::moderation::Decision) {
        let version = self
            .count(&format!("SELECT version FROM comments WHERE id = {id}"))
            .await;
        let now = opendocket_core::clock::Clock::now(&self.clock);
        self.store()
            .moderate(
                id,
                version,
                &decision,
                &opendocket_core::accounts::Actor::System,
                now,
            )
            .await
            .unwrap();
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

pub struct StaffSession {
    /// `opendocket_session=…`, ready for a Cookie header.
    pub cookie: String,
    pub csrf: String,
}

pub struct Instance {
    pub clock: FakeClock,
    pub services: Services,
    pub index_dir: tempfile::TempDir,
}

pub fn is_postgres() -> bool {
    std::env::var("OPENDOCKET_TEST_POSTGRES_URL").is_ok()
}

async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let name = format!(
        "opendocket_test_{}",
        opendocket_core::comment::IdempotencyKey::generate().as_str()
    );
    let mut admin = sqlx::AnyConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL server");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (server, _) = admin_url
        .rsplit_once('/')
        .expect("a URL ending in /DATABASE");
    format!("{server}/{name}")
}

/// Percent-encodes form fields the way a browser does.
/// The proof of work the test server asks for.
pub const PROOF_BITS: u8 = 10;

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

pub struct HttpReply {
    pub status: u16,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A running `opendocket serve` process, stopped when dropped.
pub struct ServerProcess {
    pub addr: std::net::SocketAddr,
    pub log: std::path::PathBuf,
    pub child: std::process::Child,
}

impl ServerProcess {
    pub fn start(database_url: &str, dir: &std::path::Path, name: &str) -> Self {
        Self::start_with(database_url, dir, name, &[])
    }

    /// Starts a server with extra environment variables (such as limits to test).
    pub fn start_with(
        database_url: &str,
        dir: &std::path::Path,
        name: &str,
        env: &[(&str, &str)],
    ) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let log = dir.join(format!("{name}.log"));
        // Each instance keeps its own search index, as in production.
        let data_dir = dir.join(format!("{name}-data"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_opendocket"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("OPENDOCKET_DATA_DIR", &data_dir)
            .env("OPENDOCKET_DEMO_DOCKET", "off")
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let server = Self { addr, log, child };
        for _ in 0..200 {
            if server
                .http("GET", "/healthz", None)
                .is_ok_and(|reply| reply.status == 200)
            {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "{name} did not start: {}",
            std::fs::read_to_string(&server.log).unwrap_or_default()
        );
    }

    /// A minimal HTTP/1.1 exchange.
    pub fn http(&self, method: &str, path: &str, form: Option<&str>) -> std::io::Result<HttpReply> {
        self.http_with_cookie(method, path, form, None)
    }

    pub fn http_with_cookie(
        &self,
        method: &str,
        path: &str,
        form: Option<&str>,
        cookie: Option<&str>,
    ) -> std::io::Result<HttpReply> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(self.addr)?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(20)))?;
        let body = form.unwrap_or("");
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        let content_type = if form.is_some() {
            "Content-Type: application/x-www-form-urlencoded\r\n"
        } else {
            ""
        };
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{cookie}{content_type}Content-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        )?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Ok(HttpReply {
            status,
            headers,
            body: body.to_owned(),
        })
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Adds a staff account with `role`, signs it in on this instance and returns the session
    /// cookie (`name=value`), which every instance on the same database accepts.
    pub async fn sign_in_new_staff(
        &self,
        store: &Store,
        email: &str,
        role: opendocket_core::roles::Role,
    ) -> String {
        let now = opendocket_core::clock::Clock::now(&opendocket_core::clock::SystemClock);
        let password = "a long enough passphrase";
        let actor = opendocket_core::accounts::Actor::CommandLine;
        store
            .add_staff_user(email, role, password, &actor, now)
            .await
            .unwrap();
        let login = encode_form(&[("email", email), ("password", password)]);
        let signed_in = self.http("POST", "/staff/login", Some(&login)).unwrap();
        assert_eq!(signed_in.status, 303);
        signed_in
            .header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A multipart/form-data body: text fields and files, in order.
#[derive(Default)]
pub struct Multipart {
    parts: Vec<(String, Option<String>, Vec<u8>)>,
}

impl Multipart {
    pub const BOUNDARY: &'static str = "----opendocket-test-boundary";

    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.parts
            .push((name.to_owned(), None, value.as_bytes().to_vec()));
        self
    }

    pub fn file(mut self, name: &str, file_name: &str, bytes: &[u8]) -> Self {
        self.parts
            .push((name.to_owned(), Some(file_name.to_owned()), bytes.to_vec()));
        self
    }

    pub fn body(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, file_name, bytes) in &self.parts {
            out.extend_from_slice(format!("--{}\r\n", Self::BOUNDARY).as_bytes());
            match file_name {
                Some(file) => out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                None => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{}--\r\n", Self::BOUNDARY).as_bytes());
        out
    }
}

/// Runs the `opendocket` binary on `data_dir` (and `database_url`, else the directory's SQLite
/// file), with `stdin` as its input.
pub fn run_opendocket(
    data_dir: &std::path::Path,
    database_url: Option<&str>,
    args: &[&str],
    stdin: &str,
) -> std::process::Output {
    use std::io::Write;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_opendocket"));
    command
        .args(args)
        .env("OPENDOCKET_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}
