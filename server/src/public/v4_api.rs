//! The regulations.gov v4-compatible API under `/v4`: a key (or none) and a rate limit on every
//! request, listings and single records as JSON:API, errors in regulations.gov's shape.

use crate::form::parse_urlencoded;
use crate::limits::ClientAddress;
use crate::network::Verdict;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use opendocket_core::api::request::{parse_detail, parse_list, ListRequest};
use opendocket_core::api::resources::{
    attachment_item, comment_document, comment_item, docket_document, docket_item,
    document_document, document_item, list_document,
};
use opendocket_core::api::{storage, ApiError, Collection, JSON_API};
use opendocket_core::flags::{Arrival, FlagKind};
use opendocket_core::store::{StoreError, Submission};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

type KeyedLimiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// Requests an hour for each key and for each address reading without one. Kept in this
/// process's memory: several instances each count their own share.
pub struct ApiLimits {
    pub key_limit: NonZeroU32,
    pub anonymous_limit: NonZeroU32,
    /// One limiter for each hourly limit in use, keyed by who is asking.
    limiters: Mutex<HashMap<u32, Arc<KeyedLimiter>>>,
}

/// How many distinct callers a limiter remembers before forgetting those at full capacity.
const REMEMBERED_CALLERS: usize = 10_000;

impl ApiLimits {
    pub fn new(key_limit: u32, anonymous_limit: u32) -> Self {
        let one = NonZeroU32::MIN;
        Self {
            key_limit: NonZeroU32::new(key_limit).unwrap_or(one),
            anonymous_limit: NonZeroU32::new(anonymous_limit).unwrap_or(one),
            limiters: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request by `caller` against `limit`: the requests left, or how long to wait.
    fn check(&self, caller: &str, limit: NonZeroU32) -> Result<u32, std::time::Duration> {
        let limiter = {
            let mut limiters = self.limiters.lock().unwrap_or_else(|e| e.into_inner());
            limiters
                .entry(limit.get())
                .or_insert_with(|| {
                    Arc::new(
                        RateLimiter::keyed(Quota::per_hour(limit))
                            .with_middleware::<StateInformationMiddleware>(),
                    )
                })
                .clone()
        };
        if limiter.len() > REMEMBERED_CALLERS {
            limiter.retain_recent();
        }
        match limiter.check_key(&caller.to_owned()) {
            Ok(snapshot) => Ok(snapshot.remaining_burst_capacity()),
            Err(not_until) => Err(not_until.wait_time_from(DefaultClock::default().now())),
        }
    }
}

fn api_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_API));
    response
}

fn error(e: ApiError) -> Response {
    api_response(e.status, e.body())
}

fn document(value: Value) -> Response {
    api_response(200, value.to_string())
}

fn unavailable(error: StoreError) -> Response {
    tracing::error!(%error, "an API read failed");
    self::error(ApiError::unavailable())
}

/// The query string as (name, value) pairs.
fn query_pairs(raw: Option<String>) -> Result<Vec<(String, String)>, ApiError> {
    parse_urlencoded(raw.unwrap_or_default().as_bytes()).map_err(|error| match error {
        crate::form::FormError::InvalidUtf8 => {
            ApiError::bad_request("the query string is not valid UTF-8")
        }
        too_many => ApiError::bad_request(too_many.to_string()),
    })
}

/// The key a request carries: the `X-Api-Key` header, else the `api_key` parameter.
fn sent_key(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(value) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(value.trim().to_owned()).filter(|k| !k.is_empty());
    }
    parse_urlencoded(query.unwrap_or_default().as_bytes())
        .ok()?
        .into_iter()
        .find(|(name, _)| name == "api_key")
        .map(|(_, value)| value.trim().to_owned())
        .filter(|k| !k.is_empty())
}

/// Who is asking without a key: the client's address (forwarded only by a trusted proxy).
fn anonymous_caller(address: Option<std::net::IpAddr>) -> String {
    match address {
        Some(ip) => format!("address:{ip}"),
        None => "address:unknown".to_owned(),
    }
}

/// Who is calling, for handlers that need a key: the key's number, if one was sent.
#[derive(Debug, Clone, Copy)]
pub struct ApiCaller {
    pub key_id: Option<i64>,
}

fn set_limit_headers(response: &mut Response, limit: NonZeroU32, remaining: u32) {
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(limit.get()));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
}

/// Checks the key (if any) and the caller's rate limit before every API request, and says how
/// many requests are left on every answer.
pub async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let address = crate::network::client_address(&parts, &state.limits.proxies);
    let mut request = Request::from_parts(parts, body);
    let limits = &state.api_limits;
    let key = sent_key(request.headers(), request.uri().query());
    let mut key_id = None;
    let (caller, limit, refusal) = match key {
        None => (anonymous_caller(address), limits.anonymous_limit, None),
        Some(secret) => match state.services.store.api_key_by_secret(&secret).await {
            Ok(Some(key)) if key.revoked_at.is_none() => {
                let limit = key
                    .hourly_limit
                    .and_then(|n| u32::try_from(n).ok())
                    .and_then(NonZeroU32::new)
                    .unwrap_or(limits.key_limit);
                key_id = Some(key.id);
                (format!("key:{}", key.id), limit, None)
            }
            Ok(_) => (
                anonymous_caller(address),
                limits.anonymous_limit,
                Some(error(ApiError::forbidden(
                    "The API key is not valid or has been revoked. Leave the key out to read with the anonymous limit, or ask the agency for a new key.",
                ))),
            ),
            Err(e) => return unavailable(e),
        },
    };
    request.extensions_mut().insert(ApiCaller { key_id });
    match limits.check(&caller, limit) {
        Ok(remaining) => {
            let mut response = match refusal {
                Some(refusal) => refusal,
                None => next.run(request).await,
            };
            set_limit_headers(&mut response, limit, remaining);
            response
        }
        Err(wait) => {
            let seconds = wait.as_secs() + 1;
            let mut response = error(ApiError {
                status: 429,
                title: "Too Many Requests",
                detail: format!(
                    "The rate limit of {} requests an hour is used up; try again in {seconds} seconds.",
                    limit.get()
                ),
            });
            set_limit_headers(&mut response, limit, 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}

async fn list(state: &AppState, collection: Collection, raw: Option<String>) -> Response {
    let request: ListRequest = match query_pairs(raw).and_then(|p| parse_list(collection, &p)) {
        Ok(request) => request,
        Err(e) => return error(e),
    };
    let services = &state.services;
    let base = state.public_url.as_str();
    let page = match collection {
        Collection::Comments => match storage::list_comments(services, &request).await {
            Ok(Ok(page)) => Ok((
                page.items.iter().map(|c| comment_item(c, base)).collect(),
                page.total,
            )),
            Ok(Err(refused)) => return error(refused),
            Err(e) => Err(e),
        },
        Collection::Documents => storage::list_documents(services, &request)
            .await
            .map(|page| {
                let items = page.items.iter().map(|d| document_item(d, base)).collect();
                (items, page.total)
            }),
        Collection::Dockets => storage::list_dockets(services, &request).await.map(|page| {
            let items = page.items.iter().map(|d| docket_item(d, base)).collect();
            (items, page.total)
        }),
    };
    match page {
        Ok((items, total)) => document(list_document(items, total, &request)),
        Err(e) => unavailable(e),
    }
}

async fn list_comments(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    list(&state, Collection::Comments, raw).await
}

async fn list_documents(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    list(&state, Collection::Documents, raw).await
}

async fn list_dockets(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    list(&state, Collection::Dockets, raw).await
}

/// Answers a single-record request: its document, or a 404 naming what is missing.
fn one<T>(
    found: Result<Option<T>, StoreError>,
    missing: String,
    show: impl Fn(&T) -> Value,
) -> Response {
    match found {
        Ok(Some(record)) => document(show(&record)),
        Ok(None) => error(ApiError::not_found(missing)),
        Err(e) => unavailable(e),
    }
}

async fn comment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let include = match query_pairs(raw).and_then(|p| parse_detail(&p)) {
        Ok(include) => include,
        Err(e) => return error(e),
    };
    let found = storage::comment(&state.services, &id, include).await;
    let missing = format!("There is no posted comment {id}.");
    one(found, missing, |c| {
        comment_document(c, &state.public_url, include)
    })
}

async fn comment_attachments(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let found = storage::comment(&state.services, &id, true).await;
    let missing = format!("There is no posted comment {id}.");
    one(found, missing, |c| {
        let items: Vec<Value> = c
            .attachments
            .iter()
            .map(|a| attachment_item(a, &state.public_url))
            .collect();
        json!({ "data": items })
    })
}

async fn attachment(State(state): State<AppState>, Path(object_id): Path<String>) -> Response {
    let found = storage::public_attachment(&state.services, &object_id).await;
    let missing = format!("There is no public attachment {object_id}.");
    one(
        found,
        missing,
        |a| json!({ "data": attachment_item(a, &state.public_url) }),
    )
}

async fn document_detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(e) = query_pairs(raw).and_then(|p| parse_detail(&p)) {
        return error(e);
    }
    let found = storage::document(&state.services, &id).await;
    let missing = format!("There is no document {id}.");
    one(found, missing, |d| document_document(d, &state.public_url))
}

async fn document_attachments(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    // A docket's document is its page here; it has no attached files.
    let found = storage::document(&state.services, &id).await;
    let missing = format!("There is no document {id}.");
    one(found, missing, |_| json!({ "data": [] }))
}

async fn docket_detail(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let found = storage::docket(&state.services, &id).await;
    let missing = format!("There is no docket {id}.");
    one(found, missing, |d| docket_document(d, &state.public_url))
}

/// An organisation posts a comment it collected: the same checks as regulations.gov, then the
/// same deadline and moderation queue as a comment from the web form. The answer's `id` is the
/// tracking number; posting the same submissionKey again answers with the same comment.
async fn create_comment(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    ClientAddress(address): ClientAddress,
    body: Bytes,
) -> Response {
    use opendocket_core::api::submission::parse_submission;
    use opendocket_core::comment::IdempotencyKey;
    use opendocket_core::docket::DocketId;
    use opendocket_core::store::SubmitError;
    let Some(key_id) = caller.key_id else {
        return error(ApiError::forbidden(
            "Posting a comment needs an API key: send it as the X-Api-Key header.",
        ));
    };
    let crowded = match state.limits.comments.check(address) {
        Verdict::Refused(wait) => {
            let seconds = wait.as_secs().max(1);
            let mut response = error(ApiError {
                status: 429,
                title: "Too Many Requests",
                detail: format!("Too many comments came from your network just now; try again in {seconds} seconds."),
            });
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return response;
        }
        Verdict::Crowded => true,
        Verdict::Allowed => false,
    };
    let submission = match parse_submission(&body) {
        Ok(submission) => submission,
        Err(e) => return error(e),
    };
    let services = &state.services;
    let docket = match storage::document_docket(services, &submission.document_id).await {
        Ok(Some(docket)) => docket,
        Ok(None) => {
            return error(ApiError::not_found(format!(
                "There is no document {}.",
                submission.document_id
            )))
        }
        Err(e) => return unavailable(e),
    };
    let Ok(docket) = DocketId::parse(&docket) else {
        return error(ApiError::not_found(format!("There is no docket {docket}.")));
    };
    let idempotency = match &submission.submission_key {
        Some(seed) => IdempotencyKey::derived(&format!("api:{key_id}:{seed}")),
        None => IdempotencyKey::generate(),
    };
    let now = services.clock.now();
    let closed = |what: &str, at: chrono::DateTime<chrono::Utc>| {
        error(ApiError::bad_request(format!(
            "{} is not open for comment: the comment period {what} {}.",
            submission.document_id,
            opendocket_core::api::format_instant(at)
        )))
    };
    let arrival = Arrival {
        signals: match crowded {
            true => vec![FlagKind::Burst],
            false => Vec::new(),
        },
        network: crate::limits::docket_network(&state, &docket, address),
        mail_links: state.mailer.as_ref().map(|_| state.public_url.clone()),
        email_receipt: submission.send_email_receipt,
        ..Default::default()
    };
    let stored = Submission {
        docket_id: docket.clone(),
        comment: submission.comment.clone(),
        attachments: Vec::new(),
        arrival,
        key: idempotency,
        received_at: now,
    };
    match state.submissions.submit(&services.store, stored).await {
        Ok(receipt) => {
            if let Some(mailer) = &state.mailer {
                mailer.ring();
            }
            let mut attributes = submission.echo;
            attributes.insert(
                "receiveDate".to_owned(),
                Value::String(opendocket_core::api::format_instant(receipt.received_at)),
            );
            let body = json!({
                "data": {
                    "id": receipt.tracking_number.to_string(),
                    "type": "comments",
                    "attributes": attributes,
                }
            });
            api_response(201, body.to_string())
        }
        Err(SubmitError::NotYetOpen { opens_at, .. }) => closed("opens", opens_at),
        Err(SubmitError::Closed { closes_at, .. }) => closed("closed", closes_at),
        Err(SubmitError::Withdrawn) => error(ApiError::bad_request(format!(
            "{} is not open for comment: the agency withdrew its docket.",
            submission.document_id
        ))),
        Err(SubmitError::UnknownDocket(docket)) => {
            error(ApiError::not_found(format!("There is no docket {docket}.")))
        }
        Err(SubmitError::Busy) => {
            crate::metrics::count_refusal("busy");
            let mut response = error(ApiError::unavailable());
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(opendocket_core::submission_queue::RETRY_AFTER_SECONDS),
            );
            response
        }
        Err(SubmitError::Store(e)) => unavailable(e),
    }
}

async fn unknown(request: Request) -> Response {
    error(ApiError::not_found(format!(
        "{} is not part of the API; see /v4/dockets, /v4/documents and /v4/comments.",
        request.uri().path()
    )))
}

/// Lets notebooks and pages on other sites read the API from a browser (the records are public
/// and a key is never a cookie, so no credentials are involved); answers browsers' preflight
/// requests before keys and limits are checked.
fn cross_origin() -> tower_http::cors::CorsLayer {
    use axum::http::{HeaderName, Method};
    use tower_http::cors::{Any, CorsLayer};
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([HeaderName::from_static("x-api-key"), header::CONTENT_TYPE])
        .expose_headers([
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            header::RETRY_AFTER,
        ])
        .max_age(std::time::Duration::from_secs(3600))
}

/// The `/v4` routes, each behind `gate`, and cross-origin reads allowed.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/v4/dockets", get(list_dockets))
        .route("/v4/dockets/{id}", get(docket_detail))
        .route("/v4/documents", get(list_documents))
        .route("/v4/documents/{id}", get(document_detail))
        .route("/v4/documents/{id}/attachments", get(document_attachments))
        .route("/v4/comments", get(list_comments).post(create_comment))
        .route("/v4/comments/{id}", get(comment))
        .route("/v4/comments/{id}/attachments", get(comment_attachments))
        .route("/v4/attachments/{id}", get(attachment))
        .route("/v4/{*rest}", get(unknown))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |cause: Box<dyn std::any::Any + Send + 'static>| {
                crate::log_panic(cause.as_ref());
                error(ApiError::internal())
            },
        ))
        .layer(axum::middleware::from_fn_with_state(state, gate))
        .layer(cross_origin())
}
