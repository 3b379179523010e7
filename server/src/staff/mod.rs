//! The `/staff` forms and downloads the server answers: each handler is routed from its row in the
//! core's staff route table, behind that row's access check.

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

pub use session::{grant_app_access, resolve_session};

use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use campaigns::CampaignChange;
use opendocket_core::api::export::ExportFormat;
use opendocket_core::staff_routes::{AnsweredBy, Verb, STAFF_ROUTES};
use opendocket_core::store::DocketSwitch;

/// Forms that carry a file read it themselves, within the attachment limits.
fn with_file(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.layer(DefaultBodyLimit::max(crate::STAFF_UPLOAD_LIMIT))
}

fn campaign_route(change: CampaignChange) -> MethodRouter<AppState> {
    post(move |state, path, session, form| campaigns::change(change, state, path, session, form))
}

/// The handler of a route the server answers. Only rows of the route table are routed, so a
/// handler cannot be reached without its row's check.
fn handler(verb: Verb, path: &str) -> Option<MethodRouter<AppState>> {
    use Verb::{Get, Post};
    Some(match (verb, path) {
        (Post, "/staff/login") => post(session::sign_in),
        (Post, "/staff/logout") => post(session::sign_out),
        (Post, "/staff/password") => post(session::change_password),
        (Post, "/staff/comments/{id}/decision") => post(moderation::decide),
        (Post, "/staff/comments/bulk") => post(moderation::decide_bulk),
        (Post, "/staff/users") => post(accounts::add_user),
        (Post, "/staff/users/{id}") => post(accounts::control_user),
        (Post, "/staff/api-keys") => post(accounts::create_api_key),
        (Post, "/staff/api-keys/{id}/revoke") => post(accounts::revoke_api_key),
        (Get, "/staff/audit.csv") => get(accounts::audit_csv),
        (Post, "/staff/import") => with_file(post(imports::import_upload)),
        (Post, "/staff/dockets") => post(dockets::create),
        (Post, "/staff/dockets/{id}") => post(dockets::edit),
        (Post, "/staff/dockets/{id}/extend") => post(dockets::extend),
        (Post, "/staff/dockets/{id}/reopen") => post(dockets::reopen),
        (Post, "/staff/dockets/{id}/schedule") => post(dockets::schedule),
        (Post, "/staff/dockets/{id}/late-policy") => {
            post(|s, d, i, f| dockets::switch(DocketSwitch::LateComments, s, d, i, f))
        }
        (Post, "/staff/dockets/{id}/proof-of-work") => {
            post(|s, d, i, f| dockets::switch(DocketSwitch::ProofOfWork, s, d, i, f))
        }
        (Post, "/staff/dockets/{id}/email-confirmation") => {
            post(|s, d, i, f| dockets::switch(DocketSwitch::EmailConfirmation, s, d, i, f))
        }
        (Post, "/staff/bursts/hold") => post(moderation::hold_burst),
        (Post, "/staff/queue/claim") => post(moderation::claim_next),
        (Post, "/staff/queue/release") => post(moderation::release_claims),
        (Post, "/staff/dockets/{id}/withdraw") => post(dockets::withdraw),
        (Post, "/staff/dockets/{id}/tags") => post(tags::create_tag),
        (Post, "/staff/tags/{id}") => post(tags::change_tag),
        (Post, "/staff/tags/{id}/publish") => post(tags::publish_tag),
        (Post, "/staff/comments/{id}/tags") => post(tags::tag_comment),
        (Post, "/staff/search/tag") => post(tags::bulk_tag),
        (Post, "/staff/campaigns/{id}/merge") => campaign_route(CampaignChange::Merge),
        (Post, "/staff/campaigns/{id}/split") => campaign_route(CampaignChange::Split),
        (Post, "/staff/campaigns/{id}/leave") => campaign_route(CampaignChange::Leave),
        (Post, "/staff/campaigns/{id}/moderate") => campaign_route(CampaignChange::Moderate),
        (Get, "/staff/attachments/{id}") => get(attachments::staff_file),
        (Post, "/staff/attachments/{id}/withhold") => post(attachments::withhold_file),
        (Post, "/staff/attachments/{id}/redacted") => with_file(post(attachments::redact_file)),
        (Post, "/staff/dockets/{id}/summary") => post(summary::publish),
        (Get, "/staff/dockets/{id}/summary/download") => get(summary::download),
        (Get, "/staff/dockets/{id}/comments.csv") => {
            get(|state, docket| downloads::comments(ExportFormat::Csv, state, docket))
        }
        (Get, "/staff/dockets/{id}/comments.jsonl") => {
            get(|state, docket| downloads::comments(ExportFormat::JsonLines, state, docket))
        }
        _ => return None,
    })
}

/// The staff routes the server answers, each behind the access its row in the route table needs;
/// refusals that name a page are rendered on it. (The app's rows are checked by
/// `grant_app_access`.)
pub fn routes(state: &AppState) -> Router<AppState> {
    STAFF_ROUTES
        .iter()
        .filter(|route| route.answered_by == AnsweredBy::Server)
        .fold(Router::new(), |router, route| {
            let access = route.access;
            let checked = handler(route.verb, route.path)
                .unwrap_or_else(|| panic!("{} {} has no handler", route.verb.as_str(), route.path))
                .route_layer(axum::middleware::from_fn(move |request, next| {
                    session::require_access(access, request, next)
                }));
            router.route(route.path, checked)
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            refusal::render_refused_pages,
        ))
}
