//! Staff sessions: the layer that looks a request's session up once and leaves the identity in
//! the request, the access check each staff route gets from the route table, and signing in,
//! signing out and changing one's password.

use super::extract::{CsrfForm, Fields, StaffForm, StaffSession};
use super::refusal::{page_notice, Refusal};
use crate::limits::ClientAddress;
use crate::network::{lock_network, Verdict};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use opendocket_core::accounts::{
    session_token, SignInError, StaffIdentity, SESSION_COOKIE, SESSION_LIFETIME,
};
use opendocket_core::staff_routes::{Access, AnsweredBy, StaffAccess, Verb, STAFF_ROUTES};
use std::sync::OnceLock;

/// The session token a request's cookie carries, kept beside the identity for signing out.
#[derive(Debug, Clone)]
pub struct SessionToken(pub String);

fn token_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(session_token)
        .map(str::to_owned)
}

/// Paths where a session means something: staff pages, forms and downloads, and the staff server
/// functions. Elsewhere a session cookie (or a forged one) costs no database lookup.
fn uses_session(path: &str) -> bool {
    path == "/staff" || path.starts_with("/staff/") || path.starts_with("/api/staff/")
}

/// Looks the session cookie up once per staff request and puts the `StaffIdentity` (and the
/// token) in the request for handlers, pages and server functions. A request without the cookie,
/// or outside the staff paths, costs nothing; an unknown or expired token leaves it anonymous.
pub async fn resolve_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    // Only the layer may say who is signed in.
    request.extensions_mut().remove::<StaffIdentity>();
    let token = uses_session(request.uri().path())
        .then(|| token_of(request.headers()))
        .flatten();
    if let Some(token) = token {
        let services = &state.services;
        match services.store.identity(&token, services.clock.now()).await {
            Ok(Some(identity)) => {
                if identity.must_change_password && !may_wait_for_new_password(&request) {
                    return choose_a_password_first(&request);
                }
                request.extensions_mut().insert(identity);
                request.extensions_mut().insert(SessionToken(token));
            }
            Ok(None) => {}
            Err(error) => {
                return Refusal::unavailable(
                    "The database is unreachable; try again in a minute.",
                    error,
                )
                .into_response()
            }
        }
    }
    next.run(request).await
}

/// What someone whose password an admin reset may still do: choose a new one, or sign out.
fn may_wait_for_new_password(request: &Request) -> bool {
    matches!(
        request.uri().path(),
        "/staff/password" | "/staff/logout" | "/api/staff/signed-in"
    )
}

/// Sends pages to the password form and refuses everything else until a new password is chosen.
fn choose_a_password_first(request: &Request) -> Response {
    if request.method() == axum::http::Method::GET {
        return Redirect::to("/staff/password").into_response();
    }
    Refusal::new(
        StatusCode::FORBIDDEN,
        "An admin reset your password: choose your own at /staff/password before anything else.",
    )
    .into_response()
}

fn decide(access: Access, identity: Option<&StaffIdentity>) -> StaffAccess {
    access.decide(identity.map(|identity| identity.role))
}

/// The check a staff route the server answers gets from its row in the route table, before its
/// handler runs.
pub async fn require_access(access: Access, request: Request, next: Next) -> Response {
    match decide(access, request.extensions().get::<StaffIdentity>()) {
        StaffAccess::Granted => next.run(request).await,
        StaffAccess::SignInRequired => Refusal::sign_in_first().into_response(),
        StaffAccess::Forbidden => Refusal::new(
            StatusCode::FORBIDDEN,
            "Your account does not have permission to do this.",
        )
        .into_response(),
    }
}

/// The app's staff pages and server functions from the route table, by path.
fn app_routes() -> &'static matchit::Router<Vec<(Verb, Access)>> {
    static ROUTES: OnceLock<matchit::Router<Vec<(Verb, Access)>>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let mut by_path: Vec<(&str, Vec<(Verb, Access)>)> = Vec::new();
        let app_rows = STAFF_ROUTES
            .iter()
            .filter(|r| r.answered_by == AnsweredBy::App);
        for route in app_rows {
            let entry = (route.verb, route.access);
            match by_path.iter_mut().find(|(path, _)| *path == route.path) {
                Some((_, entries)) => entries.push(entry),
                None => by_path.push((route.path, vec![entry])),
            }
        }
        let mut router = matchit::Router::new();
        for (path, entries) in by_path {
            router
                .insert(path, entries)
                .expect("the staff route table's app paths do not overlap");
        }
        router
    })
}

/// What the route table grants this request, when the app answers its path: `None` for a path
/// outside the table (the app's staff functions then refuse it).
pub fn app_access(
    method: &axum::http::Method,
    path: &str,
    identity: Option<&StaffIdentity>,
) -> Option<StaffAccess> {
    let verb = match *method {
        axum::http::Method::GET => Verb::Get,
        axum::http::Method::POST => Verb::Post,
        _ => return None,
    };
    let matched = app_routes().at(path).ok()?;
    let (_, access) = matched.value.iter().find(|(v, _)| *v == verb)?;
    Some(decide(*access, identity))
}

/// Leaves the route table's decision in the request for the app's staff pages and server
/// functions, which honour it instead of stating permissions of their own.
pub async fn grant_app_access(mut request: Request, next: Next) -> Response {
    let access = app_access(
        request.method(),
        request.uri().path(),
        request.extensions().get::<StaffIdentity>(),
    );
    match access {
        Some(access) => request.extensions_mut().insert(access),
        None => request.extensions_mut().remove::<StaffAccess>(),
    };
    next.run(request).await
}

fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn session_cookie(token: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}"
    ))
    .expect("hex tokens make valid cookie values")
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let form = Fields::parse(&body)?;
    let email = form.text("email");
    // Counted before any password is hashed.
    if let Verdict::Refused(wait) = state.limits.sign_ins.check(address) {
        let seconds = wait.as_secs().max(1);
        let refusal = Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many sign-in attempts came from your network just now. Please wait {seconds} seconds and try again."),
        );
        return Err(refusal.on("/staff/login").with_email(email));
    }
    let services = &state.services;
    let signed_in = services
        .store
        .sign_in(
            &email,
            form.get("password").unwrap_or(""),
            lock_network(address),
            &services.sign_in_lockouts,
            services.clock.now(),
        )
        .await;
    let refusal = match signed_in {
        Ok(token) => {
            // Moderators start at the queue; the roles that cannot decide, at search.
            let home = match services.store.identity(&token, services.clock.now()).await {
                Ok(Some(identity)) if !identity.may(Verb::Post, "/staff/comments/{id}/decision") => {
                    "/staff/search"
                }
                _ => "/staff",
            };
            let mut response = Redirect::to(home).into_response();
            let cookie = session_cookie(&token, SESSION_LIFETIME.num_seconds(), is_https(&headers));
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            return Ok(response);
        }
        Err(SignInError::WrongCredentials | SignInError::Invalid(_)) => Refusal::new(
            StatusCode::UNAUTHORIZED,
            "The email address or password is not right.",
        ),
        Err(SignInError::Locked(until)) => Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many wrong passwords came from your network: this account is locked for it until {} UTC. Signing in from another network still works, and an admin can unlock it.",
                until.format("%Y-%m-%d %H:%M")
            ),
        ),
        Err(SignInError::Store(error)) => Refusal::unavailable(
            "Signing in is not possible just now. Please try again in a minute.",
            error,
        ),
    };
    Err(refusal.on("/staff/login").with_email(email))
}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    token: Option<axum::Extension<SessionToken>>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, Refusal> {
    if let Some(axum::Extension(SessionToken(token))) = token {
        state
            .services
            .store
            .sign_out(&token)
            .await
            .map_err(|error| Refusal::unavailable("Signing out failed; try again.", error))?;
    }
    let mut response = Redirect::to("/staff/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie("", 0, is_https(&headers)),
    );
    Ok(response)
}

pub struct PasswordForm {
    current: String,
    new: String,
}

impl StaffForm for PasswordForm {
    fn parse(fields: &Fields) -> Result<Self, Refusal> {
        Ok(Self {
            current: fields.text("current_password"),
            new: fields.text("new_password"),
        })
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    StaffSession(identity): StaffSession,
    axum::Extension(SessionToken(token)): axum::Extension<SessionToken>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, Refusal> {
    let services = &state.services;
    let changed = services
        .store
        .change_password(
            &identity,
            &token,
            &form.current,
            &form.new,
            services.clock.now(),
        )
        .await;
    let refusal = match changed {
        Ok(()) => {
            let message = "Your password was changed; your other sessions were signed out.";
            return Ok(page_notice(StatusCode::OK, message, "/staff/password"));
        }
        Err(SignInError::WrongCredentials) => {
            Refusal::unprocessable("The current password is not right; nothing was changed.")
        }
        Err(SignInError::Invalid(e)) => {
            Refusal::unprocessable(format!("The new password was refused: {e}."))
        }
        Err(SignInError::Locked(_)) => Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            "This account is locked; try again later.",
        ),
        Err(SignInError::Store(error)) => Refusal::unavailable(
            "The password could not be changed; try again in a minute.",
            error,
        ),
    };
    Err(refusal.on("/staff/password"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_looked_up_on_staff_paths_only() {
        for path in [
            "/staff",
            "/staff/login",
            "/staff/dockets/X/summary/download",
            "/api/staff/queue",
        ] {
            assert!(uses_session(path), "{path}");
        }
        for path in [
            "/",
            "/staffing",
            "/dockets/FTC-2023-0018",
            "/pkg/opendocket.wasm",
            "/api/load_home123",
            "/api/staffx",
            "/v4/comments",
        ] {
            assert!(!uses_session(path), "{path}");
        }
    }
}
