//! Staff pages' server functions and the session check every one of them makes first.

use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use opendocket_core::staff_routes::Verb::{Get, Post};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub id: i64,
    pub version: i64,
    pub docket_id: String,
    pub docket_title: String,
    pub received_at: String,
    pub late: bool,
    pub submitter_type: String,
    pub name: String,
    pub email: Option<String>,
    pub body: String,
    /// The beginning of a long comment, shown in the queue with the rest a click away.
    pub excerpt: Option<String>,
    pub flags: Vec<String>,
    /// (campaign id, comments in it) when the comment is a copy of a form letter.
    pub campaign: Option<(i64, i64)>,
    /// Attached files as moderators see them.
    pub attachments: Vec<opendocket_core::attachment::AttachmentInfo>,
    pub held: bool,
}

/// Comments from one network in one burst window, with what the hold form sends back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BurstEntry {
    pub docket_id: String,
    pub network: String,
    pub window: i64,
    pub comments: i64,
    pub held: i64,
    /// "between … and …" in the agency's zone.
    pub between: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub header: StaffHeader,
    pub can_moderate: bool,
    pub pending_total: i64,
    pub bursts: Vec<BurstEntry>,
    pub entries: Vec<QueueEntry>,
    pub filter: opendocket_core::moderation::QueueFilter,
    pub counts: opendocket_core::moderation::WorkCounts,
    /// This page (from 1) and how many there are under the filter.
    pub page: i64,
    pub pages: i64,
    /// The first entry's position in the list (from 1).
    pub first: i64,
    /// The zone the arrival days are read in.
    pub zone: String,
    /// This page's address, where its decision forms return.
    pub href: String,
    /// The decision just made from this page, with undo.
    pub done: Option<DoneLine>,
}

/// "Comment 21: Posted as FTC-2023-0018-0021 by …", and what undoing it sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoneLine {
    pub id: i64,
    pub outcome: String,
    /// The version an undo applies to, when the comment is decided (and may be undone).
    pub undo_version: Option<i64>,
}

/// A refused staff form, rendered back with its reason (no-JavaScript path, like the comment form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffNotice {
    pub message: String,
    pub email: String,
}

#[cfg(feature = "ssr")]
pub mod guard {
    use super::*;
    use opendocket_core::accounts::StaffIdentity;
    use opendocket_core::services::Services;
    use opendocket_core::staff_routes::StaffAccess;

    /// Every staff server function starts here. The server's route table has already decided
    /// whether this request may reach it (`StaffAccess`); a function reached by a path outside the
    /// table is refused.
    pub async fn require() -> Result<(Services, StaffIdentity), AppError> {
        let services = crate::server_fns::public::services()?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        let identity = parts.extensions.get::<StaffIdentity>().cloned();
        let refusal = match (parts.extensions.get::<StaffAccess>().copied(), identity) {
            (Some(StaffAccess::Granted), Some(identity)) => return Ok((services, identity)),
            (Some(StaffAccess::Forbidden), _) | (None, Some(_)) => AppError::Forbidden,
            _ => AppError::SignInRequired,
        };
        crate::pages::set_status(match refusal {
            AppError::SignInRequired => 401,
            _ => 403,
        });
        Err(refusal)
    }

    /// The signed-in person, whatever the page: their own menu on a page they may not see.
    /// Nothing but who they are is given, which the route table grants to anyone signed in.
    pub async fn signed_in() -> Result<StaffIdentity, AppError> {
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        let identity = parts.extensions.get::<StaffIdentity>().cloned();
        identity.ok_or_else(|| {
            crate::pages::set_status(401);
            AppError::SignInRequired
        })
    }
}

#[server(endpoint = "staff/queue")]
pub async fn staff_queue(
    filter: Option<opendocket_core::moderation::QueueFilter>,
    page: Option<i64>,
    decided: Option<i64>,
) -> Result<QueueView, AppError> {
    use opendocket_core::moderation::QUEUE_PAGE;
    let (services, identity) = guard::require().await?;
    let now = services.clock.now();
    let filter = filter.unwrap_or_default();
    let page = page.unwrap_or(1).clamp(1, i64::MAX / QUEUE_PAGE);
    let (items, counts) = services
        .store
        .work_list(
            &filter,
            identity.user_id,
            now,
            QUEUE_PAGE,
            (page - 1) * QUEUE_PAGE,
        )
        .await?;
    let pages = ((counts.open + QUEUE_PAGE - 1) / QUEUE_PAGE).max(1);
    let zone = services.store.filter_zone(&filter).await?;
    let done = match decided {
        Some(id) => services
            .store
            .staff_comment(&id.to_string())
            .await?
            .map(|comment| DoneLine {
                id,
                outcome: outcome_of(&comment),
                undo_version: (comment.status
                    != opendocket_core::moderation::CommentStatus::Pending)
                    .then_some(comment.item.version),
            }),
        None => None,
    };
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let mut attachments = services.store.attachments_of(&ids).await?;
    let pending_total = services.store.pending_count().await?;
    let may_decide = identity.may(Post, "/staff/comments/{id}/decision");
    let bursts = services
        .store
        .bursts(20)
        .await?
        .into_iter()
        .map(|b| BurstEntry {
            between: format!(
                "between {} and {}",
                in_zone(b.first, &b.time_zone),
                in_zone(b.last, &b.time_zone)
            ),
            docket_id: b.docket_id,
            network: b.network,
            window: b.window,
            comments: b.comments,
            held: b.held,
        })
        .collect();
    Ok(QueueView {
        header: StaffHeader::of(&services, &identity).await?,
        can_moderate: may_decide,
        pending_total,
        bursts,
        href: filter.queue_href(page),
        filter,
        counts,
        page,
        pages,
        first: (page - 1) * QUEUE_PAGE + 1,
        zone: zone.name().to_owned(),
        done,
        entries: items
            .into_iter()
            .map(|item| {
                let files = attachments.remove(&item.id).unwrap_or_default();
                QueueEntry::of(item, files, may_decide)
            })
            .collect(),
    })
}

#[cfg(feature = "ssr")]
fn in_zone(at: chrono::DateTime<chrono::Utc>, zone: &str) -> String {
    zone.parse::<chrono_tz::Tz>()
        .map(|zone| opendocket_core::window::format_in_zone(at, zone))
        .unwrap_or_else(|_| at.to_rfc3339())
}

/// Characters of a long comment the queue shows before "Show the whole comment".
#[cfg(feature = "ssr")]
const QUEUE_EXCERPT_CHARS: usize = 400;

#[cfg(feature = "ssr")]
impl QueueEntry {
    /// Contact details only for those who may decide on the comment.
    fn of(
        item: opendocket_core::moderation::QueueItem,
        attachments: Vec<opendocket_core::attachment::AttachmentInfo>,
        may_decide: bool,
    ) -> Self {
        Self {
            id: item.id,
            version: item.version,
            received_at: in_zone(item.received_at, &item.time_zone),
            docket_id: item.docket_id,
            docket_title: item.docket_title,
            late: item.late,
            submitter_type: item.submitter_type,
            name: item.name,
            email: item.email.filter(|_| may_decide),
            excerpt: (item.body.chars().count() > QUEUE_EXCERPT_CHARS)
                .then(|| opendocket_core::text::one_line_excerpt(&item.body, QUEUE_EXCERPT_CHARS)),
            body: item.body,
            flags: item.flags,
            campaign: item.campaign,
            attachments,
            held: item.held,
        }
    }
}

/// One line of a comment's history, from the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub after: String,
}

/// A comment on its own staff page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffCommentView {
    pub header: StaffHeader,
    pub entry: QueueEntry,
    /// `pending`, `posted` or `withheld`.
    pub status: String,
    /// "Waiting for a decision", "Posted as FTC-2023-0018-0019 by …", "Withheld (Spam) by …".
    pub outcome: String,
    pub public_id: Option<String>,
    /// The text as posted, when a moderator redacted part of it.
    pub posted_text: Option<String>,
    pub can_moderate: bool,
    pub tags: Vec<(i64, String)>,
    /// The docket's tags that may be added, for staff who may tag.
    pub tag_choices: Option<Vec<opendocket_core::tags::Tag>>,
    pub history: Vec<HistoryLine>,
    /// Opened from the queue: the comments before and after it there.
    pub in_queue: Option<QueuePlace>,
    /// The redaction asked to be previewed: what was asked (`|` between phrases) and the text
    /// as it would be posted, or why it cannot be.
    pub preview: Option<RedactionPreview>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactionPreview {
    pub request: String,
    pub posted: Result<String, String>,
}

/// Where a comment opened from the queue sits in it: links to its neighbours and back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePlace {
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The queue under the same filter.
    pub queue: String,
    /// This page's address, where a decision made on it returns.
    pub here: String,
    /// The queue's filter as page parameters (`in=queue` first), which a preview keeps.
    pub pairs: Vec<(String, String)>,
}

/// How many history lines a comment's page shows (the newest).
#[cfg(feature = "ssr")]
const HISTORY_SHOWN: i64 = 100;

#[server(endpoint = "staff/comment")]
pub async fn staff_comment(
    id: String,
    from_queue: Option<opendocket_core::moderation::QueueFilter>,
    redact: Option<String>,
) -> Result<Option<StaffCommentView>, AppError> {
    use opendocket_core::redaction::{phrases, redact_phrases};
    let (services, identity) = guard::require().await?;
    let store = &services.store;
    let Some(comment) = store.staff_comment(id.trim()).await? else {
        crate::pages::set_status(404);
        return Ok(None);
    };
    let number = comment.item.id;
    let in_queue = match from_queue {
        Some(filter) => {
            let (previous, next) = store
                .queue_neighbours(&filter, identity.user_id, services.clock.now(), number)
                .await?;
            Some(QueuePlace {
                previous: previous.map(|id| filter.comment_href(id)),
                next: next.map(|id| filter.comment_href(id)),
                queue: filter.queue_href(1),
                here: filter.comment_href(number),
                pairs: [("in".to_owned(), "queue".to_owned())]
                    .into_iter()
                    .chain(filter.pairs().into_iter().map(|(k, v)| (k.to_owned(), v)))
                    .collect(),
            })
        }
        None => None,
    };
    let preview = redact
        .filter(|request| !request.trim().is_empty())
        .map(|request| RedactionPreview {
            posted: phrases(&request)
                .and_then(|asked| redact_phrases(&comment.item.body, &asked))
                .map(|posted| posted.map_or_else(|| comment.item.body.clone(), |(_, text)| text))
                .map_err(|e| format!("This cannot be posted: {e}.")),
            request,
        });
    let may_decide = identity.may(Post, "/staff/comments/{id}/decision");
    let files = store
        .attachments_of(&[number])
        .await?
        .remove(&number)
        .unwrap_or_default();
    let tags = store
        .comment_tags(&[number], false)
        .await?
        .remove(&number)
        .unwrap_or_default();
    let tag_choices = match identity.may(Post, "/staff/comments/{id}/tags") {
        true => Some(
            store
                .tags(&comment.item.docket_id)
                .await?
                .into_iter()
                .filter(|t| !t.retired)
                .collect(),
        ),
        false => None,
    };
    let zone = comment.item.time_zone.clone();
    let history = store
        .history_of("comment", &number.to_string(), HISTORY_SHOWN)
        .await?
        .into_iter()
        .map(|e| HistoryLine {
            at: in_zone(e.at, &zone),
            actor: e.actor,
            action: e.action,
            after: e.after.unwrap_or_default(),
        })
        .collect();
    let outcome = outcome_of(&comment);
    Ok(Some(StaffCommentView {
        header: StaffHeader::of(&services, &identity).await?,
        status: comment.status.as_str().to_owned(),
        outcome,
        public_id: comment.public_id,
        posted_text: comment.redacted_body,
        can_moderate: may_decide,
        tags,
        tag_choices,
        history,
        in_queue,
        preview,
        entry: QueueEntry::of(comment.item, files, may_decide),
    }))
}

/// "Waiting for a decision", "Posted as FTC-2023-0018-0019 by …", "Withheld (Spam) by …".
#[cfg(feature = "ssr")]
fn outcome_of(comment: &opendocket_core::moderation::StaffComment) -> String {
    use opendocket_core::moderation::CommentStatus;
    let by = comment
        .decided_by
        .as_deref()
        .map(|who| format!(" by {who}"))
        .unwrap_or_default();
    match (comment.status, &comment.public_id, comment.reason) {
        (CommentStatus::Pending, _, _) => "Waiting for a decision".to_owned(),
        (CommentStatus::Posted, Some(public_id), _) => format!("Posted as {public_id}{by}"),
        (CommentStatus::Posted, None, _) => format!("Posted{by}"),
        (CommentStatus::Withheld, _, Some(reason)) => {
            format!("Withheld ({}){by}", reason.label())
        }
        (CommentStatus::Withheld, _, None) => format!("Withheld{by}"),
    }
}

/// Links to the staff pages the signed-in role may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffHeader {
    pub email: String,
    pub role: String,
    pub csrf_token: String,
    pub can_manage_users: bool,
    pub can_manage_dockets: bool,
    pub can_read_audit: bool,
    /// May decide on comments: the queue is theirs to work.
    pub can_moderate: bool,
    /// Every docket, the latest to close first: (id, title), for the docket switcher.
    pub dockets: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
impl StaffHeader {
    pub(crate) async fn of(
        services: &opendocket_core::services::Services,
        identity: &opendocket_core::accounts::StaffIdentity,
    ) -> Result<Self, AppError> {
        let dockets = services
            .store
            .list_dockets()
            .await?
            .into_iter()
            .rev()
            .map(|d| (d.id.as_str().to_owned(), d.title))
            .collect();
        Ok(Self {
            email: identity.email.clone(),
            role: identity.role.as_str().to_owned(),
            csrf_token: identity.csrf_token.clone(),
            can_manage_users: identity.may(Get, "/staff/users"),
            can_manage_dockets: identity.may(Get, "/staff/dockets"),
            can_read_audit: identity.may(Get, "/staff/audit"),
            can_moderate: identity.may(Post, "/staff/comments/{id}/decision"),
            dockets,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub header: StaffHeader,
    pub rows: Vec<AuditRow>,
}

#[server(endpoint = "staff/audit")]
pub async fn staff_audit() -> Result<AuditView, AppError> {
    let (services, identity) = guard::require().await?;
    let entries = services.store.audit_log(500).await?;
    Ok(AuditView {
        header: StaffHeader::of(&services, &identity).await?,
        rows: entries
            .into_iter()
            .map(|e| AuditRow {
                at: e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                actor: e.actor,
                action: e.action,
                object: format!("{} {}", e.object_type, e.object_id),
                before: e.before.unwrap_or_default(),
                after: e.after.unwrap_or_default(),
            })
            .collect(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersView {
    pub header: StaffHeader,
    pub users: Vec<UserRow>,
}

/// A staff account as the admin page lists it, with what may be done to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub failed_sign_ins: i64,
    /// The signed-in admin's own account: it cannot be disabled or given a lesser role here.
    pub is_self: bool,
}

#[server(endpoint = "staff/users")]
pub async fn staff_users() -> Result<UsersView, AppError> {
    let (services, identity) = guard::require().await?;
    let users = services.store.staff_users().await?;
    Ok(UsersView {
        header: StaffHeader::of(&services, &identity).await?,
        users: users
            .into_iter()
            .map(|account| UserRow {
                is_self: account.id == identity.user_id,
                id: account.id,
                email: account.email,
                role: account.role.as_str().to_owned(),
                disabled: account.disabled,
                failed_sign_ins: account.failed_sign_ins,
            })
            .collect(),
    })
}

/// One API key as the admin page lists it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    /// "1,000 an hour (default)" or "500 an hour".
    pub limit: String,
    pub made: String,
    pub revoked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeysView {
    pub header: StaffHeader,
    pub keys: Vec<ApiKeyRow>,
}

#[server(endpoint = "staff/api-keys")]
pub async fn staff_api_keys() -> Result<ApiKeysView, AppError> {
    let (services, identity) = guard::require().await?;
    let keys = services.store.api_keys().await?;
    let day = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    Ok(ApiKeysView {
        header: StaffHeader::of(&services, &identity).await?,
        keys: keys
            .into_iter()
            .map(|key| ApiKeyRow {
                id: key.id,
                limit: key
                    .hourly_limit
                    .map_or_else(|| "default limit".to_owned(), |n| format!("{n} an hour")),
                made: day(key.created_at),
                revoked: key.revoked_at.map(day),
                name: key.name,
            })
            .collect(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocketRow {
    pub id: String,
    pub title: String,
    pub state: String,
    pub closes_at: String,
    /// Not yet closed, so the deadline can be extended; otherwise it can be reopened.
    pub extendable: bool,
    pub withdrawn: bool,
    pub allow_late: bool,
    pub ask_proof_of_work: bool,
    pub confirm_by_email: bool,
    /// Not yet open, so the opening can be moved.
    pub schedulable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocketsView {
    pub header: StaffHeader,
    pub dockets: Vec<DocketRow>,
    /// Every IANA time zone name, for the new docket's agency.
    pub time_zones: Vec<String>,
}

#[server(endpoint = "staff/dockets")]
pub async fn staff_dockets() -> Result<DocketsView, AppError> {
    use opendocket_core::window::{format_deadline, WindowState};
    let (services, identity) = guard::require().await?;
    let now = services.clock.now();
    let dockets = services.store.list_dockets().await?;
    Ok(DocketsView {
        header: StaffHeader::of(&services, &identity).await?,
        dockets: dockets
            .iter()
            .map(|d| {
                let state = d.window.state_at(now);
                DocketRow {
                    id: d.id.to_string(),
                    title: d.title.clone(),
                    state: state.as_str().to_owned(),
                    closes_at: format_deadline(d.window.closes_at, d.agency.time_zone),
                    extendable: state != WindowState::Closed,
                    withdrawn: d.withdrawn_at.is_some(),
                    schedulable: state == WindowState::Scheduled,
                    allow_late: d.window.allow_late,
                    ask_proof_of_work: d.ask_proof_of_work,
                    confirm_by_email: d.confirm_by_email,
                }
            })
            .collect(),
        time_zones: chrono_tz::TZ_VARIANTS
            .iter()
            .map(|zone| zone.name().to_owned())
            .collect(),
    })
}

#[server(endpoint = "staff/signed-in")]
pub async fn staff_signed_in() -> Result<StaffHeader, AppError> {
    let identity = guard::signed_in().await?;
    let services = crate::server_fns::public::services()?;
    StaffHeader::of(&services, &identity).await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedEntry {
    pub id: i64,
    pub version: i64,
    /// The public-style id where it has one, else "comment N".
    pub label: String,
    /// The comment's staff page.
    pub href: String,
    pub docket_id: String,
    pub submitter: String,
    pub submitter_type: String,
    /// "Posted as FTC-2023-0018-0002" or "Withheld (Spam)".
    pub outcome: String,
    pub decided_by: String,
    /// When, on the agency's clock.
    pub decided_at: String,
    /// The text's beginning, on one line; the staff page has the rest.
    pub excerpt: String,
    pub attachments: Vec<opendocket_core::attachment::AttachmentInfo>,
}

/// A comment just returned to the queue from the decided list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedLine {
    pub label: String,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedView {
    pub header: StaffHeader,
    pub can_moderate: bool,
    pub filter: opendocket_core::moderation::DecidedFilter,
    /// The zone the arrival days are read in.
    pub zone: String,
    pub page: i64,
    pub pages: i64,
    /// The first entry's position (from 1).
    pub first: i64,
    /// Matching decided comments, counted up to `DECIDED_COUNT_CAP + 1`.
    pub matching: i64,
    /// This page's address, where undo returns.
    pub href: String,
    pub returned: Option<ReturnedLine>,
    pub entries: Vec<DecidedEntry>,
}

/// Characters of a decided comment's text shown in the list.
#[cfg(feature = "ssr")]
const DECIDED_EXCERPT_CHARS: usize = 240;

/// Where staff open a comment and what they call it: by its public-style id where it has one.
#[cfg(feature = "ssr")]
fn comment_link(id: i64, public_id: Option<&str>) -> (String, String) {
    match public_id {
        Some(public) => (public.to_owned(), format!("/staff/comments/{public}")),
        None => (format!("comment {id}"), format!("/staff/comments/{id}")),
    }
}

#[server(endpoint = "staff/decided")]
pub async fn staff_decided(
    filter: Option<opendocket_core::moderation::DecidedFilter>,
    page: Option<i64>,
    returned: Option<i64>,
) -> Result<DecidedView, AppError> {
    use opendocket_core::moderation::{CommentStatus, DECIDED_COUNT_CAP, DECIDED_PAGE};
    let (services, identity) = guard::require().await?;
    let filter = filter.unwrap_or_default();
    let last_page = DECIDED_COUNT_CAP / DECIDED_PAGE + 1;
    let page = page.unwrap_or(1).clamp(1, last_page);
    let (decided, matching) = services
        .store
        .decided_list(&filter, DECIDED_PAGE, (page - 1) * DECIDED_PAGE)
        .await?;
    let zone = services.store.filter_zone(&filter.comments).await?;
    let ids: Vec<i64> = decided.iter().map(|d| d.id).collect();
    let mut attachments = services.store.attachments_of(&ids).await?;
    let returned = match returned {
        Some(id) => services
            .store
            .staff_comment(&id.to_string())
            .await?
            .map(|comment| {
                let (label, href) = comment_link(id, comment.public_id.as_deref());
                ReturnedLine { label, href }
            }),
        None => None,
    };
    Ok(DecidedView {
        header: StaffHeader::of(&services, &identity).await?,
        can_moderate: identity.may(Post, "/staff/comments/{id}/decision"),
        zone: zone.name().to_owned(),
        page,
        pages: ((matching + DECIDED_PAGE - 1) / DECIDED_PAGE).clamp(1, last_page),
        first: (page - 1) * DECIDED_PAGE + 1,
        matching,
        href: filter.href(page, None),
        filter,
        returned,
        entries: decided
            .into_iter()
            .map(|d| {
                let (label, href) = comment_link(d.id, d.public_id.as_deref());
                DecidedEntry {
                    id: d.id,
                    version: d.version,
                    label,
                    href,
                    outcome: match (d.status, d.reason, &d.public_id) {
                        (CommentStatus::Posted, _, Some(public)) => format!("Posted as {public}"),
                        (CommentStatus::Withheld, Some(reason), _) => {
                            format!("Withheld ({})", reason.label())
                        }
                        (status, _, _) => status.as_str().to_owned(),
                    },
                    decided_by: d.decided_by.unwrap_or_else(|| "someone".to_owned()),
                    decided_at: in_zone(d.decided_at, &d.time_zone),
                    excerpt: opendocket_core::text::one_line_excerpt(
                        &d.body,
                        DECIDED_EXCERPT_CHARS,
                    ),
                    attachments: attachments.remove(&d.id).unwrap_or_default(),
                    docket_id: d.docket_id,
                    submitter: d.name,
                    submitter_type: d.submitter_type,
                }
            })
            .collect(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocketEditView {
    pub header: StaffHeader,
    pub id: String,
    pub title: String,
    pub document_title: String,
    pub summary: String,
    pub body_markdown: String,
    pub federal_register: String,
}

#[server(endpoint = "staff/docket-for-edit")]
pub async fn staff_docket_for_edit(id: String) -> Result<Option<DocketEditView>, AppError> {
    use opendocket_core::docket::DocketId;
    let (services, identity) = guard::require().await?;
    let Ok(id) = DocketId::parse(&id) else {
        return Ok(None);
    };
    let Some(docket) = services.store.docket(&id).await? else {
        return Ok(None);
    };
    Ok(Some(DocketEditView {
        header: StaffHeader::of(&services, &identity).await?,
        id: docket.id.to_string(),
        title: docket.title,
        document_title: docket.document.title,
        summary: docket.document.summary,
        body_markdown: docket.document.body_markdown,
        federal_register: docket
            .document
            .federal_register_citation
            .unwrap_or_default(),
    }))
}
