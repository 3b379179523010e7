//! Every `/staff` route the server answers itself, in one table with the access each needs. The
//! router puts each row's access check in front of its handler, and the authorisation test walks
//! the same table, so a route cannot be added without its check.

mod accounts;
mod attachments;
mod campaigns;
mod dockets;
mod downloads;
mod extract;
mod imports;
mod moderation;
mod refusal;
mod session;
mod summary;
mod tags;

pub use session::{grant_app_access, resolve_session, Access};

use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use campaigns::CampaignChange;
use opendocket_core::api::export::ExportFormat;
use opendocket_core::roles::Permission;
use Access::{Anyone, Needs, SignedIn};
use Permission::{ManageDockets, ManageUsers, Moderate, ReadAuditLog, ReadComments, Tag};

/// A staff route: its method and path, who may use it, and its handler (`None`: the app answers
/// it, a page or a server function, honouring the access the table grants).
pub struct StaffRoute {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    route: Option<fn() -> MethodRouter<AppState>>,
}

impl StaffRoute {
    /// The app renders this page or answers this server function.
    pub fn is_app(&self) -> bool {
        self.route.is_none()
    }
}

const fn row(
    method: Method,
    path: &'static str,
    access: Access,
    route: fn() -> MethodRouter<AppState>,
) -> StaffRoute {
    StaffRoute {
        method,
        path,
        access,
        route: Some(route),
    }
}

/// A staff page the app renders (GET).
const fn page(path: &'static str, access: Access) -> StaffRoute {
    StaffRoute {
        method: Method::GET,
        path,
        access,
        route: None,
    }
}

/// A staff server function the app answers (POST).
const fn server_fn(path: &'static str, access: Access) -> StaffRoute {
    StaffRoute {
        method: Method::POST,
        path,
        access,
        route: None,
    }
}

/// Forms that carry a file read it themselves, within the attachment limits.
fn with_file(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.layer(DefaultBodyLimit::max(crate::STAFF_UPLOAD_LIMIT))
}

fn campaign_route(change: CampaignChange) -> MethodRouter<AppState> {
    post(move |state, path, session, form| campaigns::change(change, state, path, session, form))
}

/// Every staff route: the forms and downloads the server answers, and the pages and server
/// functions the app answers.
pub const STAFF_ROUTES: &[StaffRoute] = &[
    page("/staff/login", Anyone),
    page("/staff", Needs(ReadComments)),
    page("/staff/audit", Needs(ReadAuditLog)),
    page("/staff/users", Needs(ManageUsers)),
    page("/staff/api-keys", Needs(ManageUsers)),
    page("/staff/import", Needs(ManageDockets)),
    page("/staff/dockets", Needs(ManageDockets)),
    page("/staff/password", SignedIn),
    page("/staff/decided", Needs(ReadComments)),
    page("/staff/dockets/{id}/edit", Needs(ManageDockets)),
    page("/staff/dockets/{id}/tags", Needs(ReadComments)),
    page("/staff/search", Needs(ReadComments)),
    page("/staff/dockets/{id}/campaigns", Needs(ReadComments)),
    page(
        "/staff/dockets/{id}/campaigns/{campaign}",
        Needs(ReadComments),
    ),
    page("/staff/dockets/{id}/summary", Needs(ReadComments)),
    server_fn("/api/staff/signed-in", SignedIn),
    server_fn("/api/staff/queue", Needs(ReadComments)),
    server_fn("/api/staff/audit", Needs(ReadAuditLog)),
    server_fn("/api/staff/users", Needs(ManageUsers)),
    server_fn("/api/staff/api-keys", Needs(ManageUsers)),
    server_fn("/api/staff/dockets", Needs(ManageDockets)),
    server_fn("/api/staff/decided", Needs(ReadComments)),
    server_fn("/api/staff/docket-for-edit", Needs(ManageDockets)),
    server_fn("/api/staff/search", Needs(ReadComments)),
    server_fn("/api/staff/tags", Needs(ReadComments)),
    server_fn("/api/staff/campaigns", Needs(ReadComments)),
    server_fn("/api/staff/campaign", Needs(ReadComments)),
    server_fn("/api/staff/summary", Needs(ReadComments)),
    row(Method::POST, "/staff/login", Anyone, || {
        post(session::sign_in)
    }),
    row(Method::POST, "/staff/logout", SignedIn, || {
        post(session::sign_out)
    }),
    row(Method::POST, "/staff/password", SignedIn, || {
        post(session::change_password)
    }),
    row(
        Method::POST,
        "/staff/comments/{id}/decision",
        Needs(Moderate),
        || post(moderation::decide),
    ),
    row(
        Method::POST,
        "/staff/comments/bulk",
        Needs(Moderate),
        || post(moderation::decide_bulk),
    ),
    row(Method::POST, "/staff/users", Needs(ManageUsers), || {
        post(accounts::add_user)
    }),
    row(Method::POST, "/staff/api-keys", Needs(ManageUsers), || {
        post(accounts::create_api_key)
    }),
    row(
        Method::POST,
        "/staff/api-keys/{id}/revoke",
        Needs(ManageUsers),
        || post(accounts::revoke_api_key),
    ),
    row(Method::GET, "/staff/audit.csv", Needs(ReadAuditLog), || {
        get(accounts::audit_csv)
    }),
    row(Method::POST, "/staff/import", Needs(ManageDockets), || {
        with_file(post(imports::import_upload))
    }),
    row(Method::POST, "/staff/dockets", Needs(ManageDockets), || {
        post(dockets::create)
    }),
    row(
        Method::POST,
        "/staff/dockets/{id}",
        Needs(ManageDockets),
        || post(dockets::edit),
    ),
    row(
        Method::POST,
        "/staff/dockets/{id}/extend",
        Needs(ManageDockets),
        || post(dockets::extend),
    ),
    row(
        Method::POST,
        "/staff/dockets/{id}/reopen",
        Needs(ManageDockets),
        || post(dockets::reopen),
    ),
    row(
        Method::POST,
        "/staff/dockets/{id}/schedule",
        Needs(ManageDockets),
        || post(dockets::schedule),
    ),
    row(
        Method::POST,
        "/staff/dockets/{id}/late-policy",
        Needs(ManageDockets),
        || post(dockets::set_late_policy),
    ),
    row(
        Method::POST,
        "/staff/dockets/{id}/withdraw",
        Needs(ManageDockets),
        || post(dockets::withdraw),
    ),
    row(Method::POST, "/staff/dockets/{id}/tags", Needs(Tag), || {
        post(tags::create_tag)
    }),
    row(Method::POST, "/staff/tags/{id}", Needs(Tag), || {
        post(tags::change_tag)
    }),
    row(
        Method::POST,
        "/staff/tags/{id}/publish",
        Needs(ManageDockets),
        || post(tags::publish_tag),
    ),
    row(
        Method::POST,
        "/staff/comments/{id}/tags",
        Needs(Tag),
        || post(tags::tag_comment),
    ),
    row(Method::POST, "/staff/search/tag", Needs(Tag), || {
        post(tags::bulk_tag)
    }),
    row(
        Method::POST,
        "/staff/campaigns/{id}/merge",
        Needs(Tag),
        || campaign_route(CampaignChange::Merge),
    ),
    row(
        Method::POST,
        "/staff/campaigns/{id}/split",
        Needs(Tag),
        || campaign_route(CampaignChange::Split),
    ),
    row(
        Method::POST,
        "/staff/campaigns/{id}/leave",
        Needs(Tag),
        || campaign_route(CampaignChange::Leave),
    ),
    row(
        Method::POST,
        "/staff/campaigns/{id}/moderate",
        Needs(Moderate),
        || campaign_route(CampaignChange::Moderate),
    ),
    row(
        Method::GET,
        "/staff/attachments/{id}",
        Needs(ReadComments),
        || get(attachments::staff_file),
    ),
    row(
        Method::POST,
        "/staff/attachments/{id}/withhold",
        Needs(Moderate),
        || post(attachments::withhold_file),
    ),
    row(
        Method::POST,
        "/staff/attachments/{id}/redacted",
        Needs(Moderate),
        || with_file(post(attachments::redact_file)),
    ),
    row(
        Method::POST,
        "/staff/dockets/{id}/summary",
        Needs(ManageDockets),
        || post(summary::publish),
    ),
    row(
        Method::GET,
        "/staff/dockets/{id}/summary/download",
        Needs(ReadComments),
        || get(summary::download),
    ),
    row(
        Method::GET,
        "/staff/dockets/{id}/comments.csv",
        Needs(ReadComments),
        || get(|state, docket| downloads::comments(ExportFormat::Csv, state, docket)),
    ),
    row(
        Method::GET,
        "/staff/dockets/{id}/comments.jsonl",
        Needs(ReadComments),
        || get(|state, docket| downloads::comments(ExportFormat::JsonLines, state, docket)),
    ),
];

/// The staff routes the server answers, each behind its access check; refusals that name a page
/// are rendered on it. (The app's rows are checked by `grant_app_access`.)
pub fn routes(state: &AppState) -> Router<AppState> {
    STAFF_ROUTES
        .iter()
        .filter_map(|route| Some((route.path, route.access, route.route?)))
        .fold(Router::new(), |router, (path, access, handler)| {
            let checked = handler().route_layer(axum::middleware::from_fn(move |request, next| {
                session::require_access(access, request, next)
            }));
            router.route(path, checked)
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            refusal::render_refused_pages,
        ))
}
