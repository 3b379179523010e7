//! The per-network limits this server applies: to comments (form and API), to signing in, and to
//! expensive reads (public search and bulk downloads), with the answer past a hard limit.

use crate::network::{client_address, Limit, NetworkLimits, TrustedProxies, Verdict};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// Every per-network limit, with the proxies whose forwarded addresses are believed.
pub struct AbuseLimits {
    pub proxies: TrustedProxies,
    pub comments: NetworkLimits,
    pub sign_ins: NetworkLimits,
    pub reads: NetworkLimits,
}

/// Limits for one kind of request: for one address (or IPv6 /64), and for its /24 (or /48).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitPair {
    pub address: Limit,
    pub network: Limit,
}

impl LimitPair {
    /// `soft/hard,soft/hard` requests a minute: an address's, then its network's.
    pub fn parse(raw: &str) -> Option<Self> {
        let limit = |part: &str| {
            let (soft, hard) = part.trim().split_once('/')?;
            let (soft, hard) = (soft.trim().parse().ok()?, hard.trim().parse().ok()?);
            (0 < soft && soft <= hard).then_some(Limit { soft, hard })
        };
        let (address, network) = raw.split_once(',')?;
        Some(Self {
            address: limit(address)?,
            network: limit(network)?,
        })
    }

    fn limits(self) -> NetworkLimits {
        NetworkLimits::new(self.address, self.network)
    }
}

impl AbuseLimits {
    pub fn new(
        proxies: TrustedProxies,
        comments: LimitPair,
        sign_ins: LimitPair,
        reads: LimitPair,
    ) -> Self {
        Self {
            proxies,
            comments: comments.limits(),
            sign_ins: sign_ins.limits(),
            reads: reads.limits(),
        }
    }
}

/// The address a request comes from (see `network::client_address`), for handlers that count it.
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl axum::extract::FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(client_address(parts, &state.limits.proxies)))
    }
}

/// The network a comment came from as its docket's keyed hash (bursts are grouped by it).
pub fn docket_network(
    state: &AppState,
    docket: &opendocket_core::docket::DocketId,
    address: Option<std::net::IpAddr>,
) -> Option<String> {
    let network = crate::network::wide_network(address?).to_string();
    Some(
        state
            .services
            .form_tokens
            .docket_network_hash(docket, &network),
    )
}

/// Public reads that cost a search or a whole docket's comments.
fn is_expensive_read(method: &Method, path: &str) -> bool {
    let docket_read = path.strip_prefix("/dockets/").is_some_and(|rest| {
        rest.ends_with("/search")
            || rest.ends_with("/comments.csv")
            || rest.ends_with("/comments.jsonl")
    });
    (method == Method::GET && docket_read)
        || (method == Method::POST && path == "/api/public/search")
}

/// 429 with `Retry-After` and a sentence.
pub fn too_many(wait: Duration, what: &str) -> Response {
    let seconds = wait.as_secs().max(1);
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        format!("{what} Please wait {seconds} seconds and try again."),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, seconds.into());
    response
}

/// Requests that show a comment form (the docket page, and the server function behind it).
fn shows_comment_form(method: &Method, path: &str) -> bool {
    let docket_page = path
        .strip_prefix("/dockets/")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'));
    (method == Method::GET && docket_page)
        || (method == Method::POST && path == "/api/public/docket")
}

/// Refuses an expensive read past its network's hard limit, and marks a request for a comment
/// form from a network past its soft comment limit (`CrowdedNetwork`), whose form then asks for a
/// proof of work.
pub async fn apply_network_limits(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if shows_comment_form(request.method(), request.uri().path()) {
        let (mut parts, body) = request.into_parts();
        let limits = &state.limits;
        if limits
            .comments
            .peek(client_address(&parts, &limits.proxies))
            != Verdict::Allowed
        {
            parts
                .extensions
                .insert(opendocket_core::proof_of_work::CrowdedNetwork);
        }
        request = Request::from_parts(parts, body);
    }
    if is_expensive_read(request.method(), request.uri().path()) {
        let (parts, body) = request.into_parts();
        let limits = &state.limits;
        if let Verdict::Refused(wait) = limits.reads.check(client_address(&parts, &limits.proxies))
        {
            return too_many(
                wait,
                "Too many searches and downloads came from your network just now.",
            );
        }
        return next.run(Request::from_parts(parts, body)).await;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_pairs_parse_and_refuse_nonsense() {
        assert_eq!(
            LimitPair::parse("6/20, 30/120"),
            Some(LimitPair {
                address: Limit { soft: 6, hard: 20 },
                network: Limit {
                    soft: 30,
                    hard: 120
                },
            })
        );
        for bad in ["", "6/20", "20/6,30/120", "0/1,1/1", "a/b,c/d", "6/20,30"] {
            assert_eq!(LimitPair::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn searches_and_bulk_downloads_are_expensive_reads() {
        let get = &Method::GET;
        assert!(is_expensive_read(get, "/dockets/FTC-2023-0018/search"));
        assert!(is_expensive_read(
            get,
            "/dockets/FTC-2023-0018/comments.csv"
        ));
        assert!(is_expensive_read(
            get,
            "/dockets/FTC-2023-0018/comments.jsonl"
        ));
        assert!(is_expensive_read(&Method::POST, "/api/public/search"));
        assert!(shows_comment_form(&Method::GET, "/dockets/FTC-2023-0018"));
        assert!(shows_comment_form(&Method::POST, "/api/public/docket"));
        assert!(!shows_comment_form(
            &Method::GET,
            "/dockets/FTC-2023-0018/search"
        ));
        assert!(!shows_comment_form(&Method::GET, "/dockets/"));
        assert!(!is_expensive_read(get, "/dockets/FTC-2023-0018"));
        assert!(!is_expensive_read(get, "/staff/search"));
    }
}
