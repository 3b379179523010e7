//! Refuses form posts another website makes a visitor's browser send (a copy of our comment form
//! embedded elsewhere, or a forged staff action). The API under `/v4/` is for other programs and
//! is left to its keys.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN, REFERER};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const REFUSED: &str = "This form was sent from another website, so nothing was stored. To comment, open the docket on this site and use its form.";

/// `host[:port]` of an absolute `scheme://host[:port]/…` address, lower-cased.
fn authority(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    (!authority.is_empty()).then(|| authority.to_ascii_lowercase())
}

/// Whether the browser says, or the headers show, that another site sent this request. The
/// browser's own `Sec-Fetch-Site` is believed first; without it `Origin` (when not `null`) and
/// then `Referer` are compared with this site's addresses (the request's `Host` and the
/// configured public address). A request with none of them (old clients, scripts) passes here;
/// it still needs whatever token its form carries.
pub fn is_cross_site(headers: &HeaderMap, public_url: &str) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site.eq_ignore_ascii_case("cross-site");
    }
    let ours = |url: &str| match authority(url) {
        Some(found) => {
            header(HOST.as_str()).is_some_and(|host| host.eq_ignore_ascii_case(&found))
                || authority(public_url).as_deref() == Some(found.as_str())
        }
        None => false,
    };
    match header(ORIGIN.as_str()).filter(|origin| *origin != "null") {
        Some(origin) => !ours(origin),
        None => header(REFERER.as_str()).is_some_and(|referer| !ours(referer)),
    }
}

/// Answers a cross-site POST with 403 and a sentence before anything is read or stored.
pub async fn refuse_cross_site_posts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let refused = request.method() == Method::POST
        && !request.uri().path().starts_with("/v4/")
        && is_cross_site(request.headers(), &state.public_url);
    if refused {
        return (StatusCode::FORBIDDEN, REFUSED).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    const PUBLIC: &str = "https://comments.agency.gov";

    #[test]
    fn the_browsers_word_comes_first() {
        let cross = |pairs| is_cross_site(&headers(pairs), PUBLIC);
        assert!(cross(&[("sec-fetch-site", "cross-site")]));
        assert!(!cross(&[("sec-fetch-site", "same-origin")]));
        assert!(!cross(&[("sec-fetch-site", "same-site")]));
        assert!(!cross(&[("sec-fetch-site", "none")]));
        // A proxy that rewrites Host does not make our own browser posts look foreign.
        assert!(!cross(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://comments.agency.gov"),
            ("host", "10.0.0.5:3000"),
        ]));
    }

    #[test]
    fn origin_then_referer_are_compared_with_our_addresses() {
        let cross = |pairs| is_cross_site(&headers(pairs), PUBLIC);
        assert!(cross(&[
            ("origin", "https://elsewhere.example"),
            ("host", "comments.agency.gov")
        ]));
        assert!(!cross(&[
            ("origin", "https://comments.agency.gov"),
            ("host", "10.0.0.5:3000")
        ]));
        assert!(!cross(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ]));
        assert!(cross(&[
            ("origin", "http://127.0.0.1:3001"),
            ("host", "127.0.0.1:3000")
        ]));
        assert!(cross(&[
            ("origin", "null"),
            ("referer", "https://evil.example/page?x=1"),
            ("host", "comments.agency.gov"),
        ]));
        assert!(!cross(&[
            ("referer", "https://comments.agency.gov/dockets/X"),
            ("host", "x")
        ]));
        assert!(cross(&[("origin", "not a url"), ("host", "x")]));
        // Nothing to go by: the form's token decides.
        assert!(!cross(&[("host", "comments.agency.gov")]));
        assert!(!cross(&[]));
    }

    #[test]
    fn authorities_ignore_paths_and_user_info() {
        assert_eq!(
            authority("https://u:p@Example.org:8443/x?y").as_deref(),
            Some("example.org:8443")
        );
        assert_eq!(authority("https://"), None);
        assert_eq!(authority("example.org"), None);
    }
}
