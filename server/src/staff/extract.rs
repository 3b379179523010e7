//! Extractors for staff handlers: the signed-in `StaffSession`, a `CsrfForm<T>` checked against
//! the session's token and parsed into a typed form, the multipart equivalent for forms with a
//! file, and the `ManagedDocket` a docket form names.

use super::refusal::Refusal;
use crate::form::parse_urlencoded;
use crate::uploads::{read_multipart, UploadedFile};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use opendocket_core::accounts::StaffIdentity;
use opendocket_core::docket::DocketId;
use opendocket_core::store::DocketRecord;
use std::str::FromStr;

/// The staff member signed in for this request, as the session layer found them.
pub struct StaffSession(pub StaffIdentity);

impl<S: Send + Sync> FromRequestParts<S> for StaffSession {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Refusal> {
        parts
            .extensions
            .get::<StaffIdentity>()
            .cloned()
            .map(StaffSession)
            .ok_or_else(Refusal::sign_in_first)
    }
}

/// A form's fields in the order sent.
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Result<Self, Refusal> {
        Ok(Self(parse_urlencoded(body)?))
    }

    /// The first value sent under `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value under `name`, or empty.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    /// Every value sent under `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn number<T: FromStr>(&self, name: &str) -> Option<T> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A two-way choice (`name=on` or `name=off`, say); `None` for anything else.
    pub fn switch(&self, name: &str, (on, off): (&str, &str)) -> Option<bool> {
        match self.get(name) {
            Some(value) if value == on => Some(true),
            Some(value) if value == off => Some(false),
            _ => None,
        }
    }
}

impl From<Vec<(String, String)>> for Fields {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }
}

/// A staff form's typed contents, read from its fields.
pub trait StaffForm: Sized {
    fn parse(fields: &Fields) -> Result<Self, Refusal>;
}

impl StaffForm for Fields {
    fn parse(fields: &Fields) -> Result<Self, Refusal> {
        Ok(fields.clone())
    }
}

/// A URL-encoded staff form whose CSRF token matches the session's, parsed into `T`.
pub struct CsrfForm<T>(pub T);

impl<T: StaffForm, S: Send + Sync> FromRequest<S> for CsrfForm<T> {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &S) -> Result<Self, Refusal> {
        let identity = request
            .extensions()
            .get::<StaffIdentity>()
            .cloned()
            .ok_or_else(Refusal::sign_in_first)?;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| Refusal::new(rejection.status(), rejection.body_text()))?;
        let fields = Fields::parse(&body)?;
        check_csrf(&identity, fields.get("csrf_token"))?;
        T::parse(&fields).map(CsrfForm)
    }
}

/// Refuses a form unless it carries the session's CSRF token.
pub fn check_csrf(identity: &StaffIdentity, sent: Option<&str>) -> Result<(), Refusal> {
    let sent = sent.map(str::as_bytes).unwrap_or_default();
    let expected = identity.csrf_token.as_bytes();
    // Compared without an early exit, so timing does not reveal how much of the token matched.
    let matches = sent.len() == expected.len()
        && sent
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if matches {
        Ok(())
    } else {
        Err(Refusal::new(
            axum::http::StatusCode::FORBIDDEN,
            "This form has expired. Reload the page and try again.",
        ))
    }
}

/// A staff form sent as multipart because it carries a file under `file_field`: read within the
/// attachment limits (the session and permission were checked before the body), then the CSRF
/// token. The form's fields and files.
pub async fn staff_multipart(
    state: &AppState,
    identity: &StaffIdentity,
    request: Request,
    file_field: &str,
) -> Result<(Fields, Vec<UploadedFile>), Refusal> {
    let received = read_multipart(state, request, file_field, true, &|_| true)
        .await
        .map_err(|refusal| Refusal::new(refusal.status, refusal.message))?;
    let fields = Fields::from(received.pairs);
    check_csrf(identity, fields.get("csrf_token"))?;
    if received.short_of_space {
        return Err(Refusal::new(
            axum::http::StatusCode::INSUFFICIENT_STORAGE,
            crate::disk::SHORT_OF_SPACE,
        ));
    }
    Ok((fields, received.files))
}

/// The existing docket named by the route's `{id}`.
pub struct ManagedDocket(pub DocketRecord);

impl FromRequestParts<AppState> for ManagedDocket {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Refusal::no_such_docket())?;
        let Ok(id) = DocketId::parse(&id) else {
            return Err(Refusal::no_such_docket());
        };
        match state.services.store.docket(&id).await {
            Ok(Some(docket)) => Ok(Self(docket)),
            Ok(None) => Err(Refusal::no_such_docket()),
            Err(error) => Err(Refusal::unavailable("Try again in a minute.", error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_order_and_repeats() {
        let fields = Fields::parse(b"comment=1&comment=2&allow_late=on&n=%2042").unwrap();
        assert_eq!(fields.all("comment").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(fields.get("comment"), Some("1"));
        assert_eq!(fields.switch("allow_late", ("on", "off")), Some(true));
        assert_eq!(fields.switch("missing", ("on", "off")), None);
        assert_eq!(fields.number::<i64>("n"), Some(42));
        assert!(Fields::parse(b"a=%FF").is_err());
    }

    #[test]
    fn csrf_tokens_must_match_exactly() {
        let identity = StaffIdentity {
            user_id: 1,
            email: "a@b.gov".into(),
            role: opendocket_core::roles::Role::Admin,
            csrf_token: "abc".into(),
            must_change_password: false,
        };
        assert!(check_csrf(&identity, Some("abc")).is_ok());
        for sent in [None, Some(""), Some("ab"), Some("abd"), Some("abcd")] {
            assert!(check_csrf(&identity, sent).is_err(), "{sent:?}");
        }
    }
}
