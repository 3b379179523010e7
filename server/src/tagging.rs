//! Tagging forms: the tag vocabulary of a docket, tagging one comment, and bulk-tagging every match
//! of a search in batches. Each handler checks the session, permission and CSRF token first.

use crate::staff::{authorise, fields, notice};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use opendocket_core::accounts::{Actor, StaffIdentity};
use opendocket_core::search::index::Scope;
use opendocket_core::search::request::SearchParams;
use opendocket_core::search::run::prepare;
use opendocket_core::staff::Permission;
use opendocket_core::tags::{TagError, TagName, TagStoreError, BULK_TAG_BATCH};
use std::time::Duration;

/// How long a tagging form waits for the index to show its change before redirecting.
const INDEX_WAIT: Duration = Duration::from_secs(3);

fn search_url(query: &str) -> String {
    // Re-serialised from its parts, so the redirect cannot be pointed elsewhere.
    let query = SearchParams::from_query_string(query).to_query_string();
    if query.is_empty() {
        "/staff/search".to_owned()
    } else {
        format!("/staff/search?{query}")
    }
}

fn tag_error_status(error: &TagError) -> StatusCode {
    match error {
        TagError::NotFound | TagError::NoComment => StatusCode::NOT_FOUND,
        TagError::Duplicate(_) | TagError::Retired(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The refusal for a failed tag change, shown on `page`.
async fn refused(
    state: &AppState,
    page: &str,
    headers: &HeaderMap,
    identity: &StaffIdentity,
    error: TagStoreError,
) -> Response {
    let (status, message) = match error {
        TagStoreError::Tag(e) => (tag_error_status(&e), format!("{e} Nothing was changed.")),
        TagStoreError::Store(error) => {
            tracing::error!(%error, "changing tags failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The change could not be saved; try again in a minute.".to_owned(),
            )
        }
    };
    notice(
        state,
        page,
        headers,
        status,
        message,
        identity.email.clone(),
    )
    .await
}

/// The tags page of the docket a tag belongs to, or the response refusing the request.
async fn tags_page_of(
    state: &AppState,
    tag_id: i64,
    headers: &HeaderMap,
    identity: &StaffIdentity,
) -> Result<String, Response> {
    match state.services.store.tag(tag_id).await {
        Ok(Some(tag)) => Ok(format!("/staff/dockets/{}/tags", tag.docket_id)),
        Ok(None) => Err((StatusCode::NOT_FOUND, "There is no such tag.").into_response()),
        Err(error) => Err(refused(state, "/staff/search", headers, identity, error.into()).await),
    }
}

async fn wait_for_index(state: &AppState) {
    let services = &state.services;
    match services.search.catch_up(&services.store, INDEX_WAIT).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!("the search index is behind; results will catch up shortly"),
        Err(error) => tracing::warn!(%error, "could not check the search index"),
    }
}

pub async fn create_tag(
    State(state): State<AppState>,
    Path(docket): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::Tag)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let page = format!("/staff/dockets/{docket}/tags");
    let services = &state.services;
    let result = match TagName::parse(form.get("name").map(String::as_str).unwrap_or("")) {
        Ok(name) => {
            services
                .store
                .create_tag(&docket, &name, &Actor::of(&identity), services.clock.now())
                .await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Redirect::to(&page).into_response(),
        Err(error) => refused(&state, &page, &headers, &identity, error).await,
    }
}

pub async fn change_tag(
    State(state): State<AppState>,
    Path(tag_id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::Tag)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let services = &state.services;
    let (actor, now) = (Actor::of(&identity), services.clock.now());
    let page = match tags_page_of(&state, tag_id, &headers, &identity).await {
        Ok(page) => page,
        Err(refusal) => return refusal,
    };
    let store = &services.store;
    // A published tag's name is public text: changing it needs the permission that publishes it.
    let merged_into = form.get("into").and_then(|v| v.parse::<i64>().ok());
    if !identity.role.can(Permission::ManageDockets) {
        for id in std::iter::once(tag_id).chain(merged_into) {
            match store.tag(id).await {
                Ok(Some(tag)) if tag.published => {
                    let message = "This tag is published: only staff who may publish tags can rename, merge or retire it.";
                    return (StatusCode::FORBIDDEN, message).into_response();
                }
                Ok(_) => {}
                Err(error) => {
                    return refused(&state, &page, &headers, &identity, error.into()).await
                }
            }
        }
    }
    let result = match form.get("action").map(String::as_str) {
        Some("rename") => {
            match TagName::parse(form.get("name").map(String::as_str).unwrap_or("")) {
                Ok(name) => store.rename_tag(tag_id, &name, &actor, now).await,
                Err(e) => Err(e.into()),
            }
        }
        Some("merge") => match merged_into {
            Some(into) => store
                .merge_tags(tag_id, into, &actor, now)
                .await
                .map(|_| ()),
            None => Err(TagError::NotFound.into()),
        },
        Some("retire") => store.set_tag_retired(tag_id, true, &actor, now).await,
        Some("unretire") => store.set_tag_retired(tag_id, false, &actor, now).await,
        _ => return (StatusCode::BAD_REQUEST, "Choose rename, merge or retire.").into_response(),
    };
    match result {
        Ok(()) => {
            wait_for_index(&state).await;
            Redirect::to(&page).into_response()
        }
        Err(error) => refused(&state, &page, &headers, &identity, error).await,
    }
}

pub async fn publish_tag(
    State(state): State<AppState>,
    Path(tag_id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::ManageDockets)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let services = &state.services;
    let published = form.get("publish").is_some_and(|v| v == "yes");
    let page = match tags_page_of(&state, tag_id, &headers, &identity).await {
        Ok(page) => page,
        Err(refusal) => return refusal,
    };
    match services
        .store
        .set_tag_published(
            tag_id,
            published,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await
    {
        Ok(()) => Redirect::to(&page).into_response(),
        Err(error) => refused(&state, &page, &headers, &identity, error).await,
    }
}

pub async fn tag_comment(
    State(state): State<AppState>,
    Path(comment_id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::Tag)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let back = search_url(form.get("back").map(String::as_str).unwrap_or(""));
    let tagged = match form.get("action").map(String::as_str) {
        Some("add") => true,
        Some("remove") => false,
        _ => return (StatusCode::BAD_REQUEST, "Choose add or remove.").into_response(),
    };
    let Some(tag_id) = form.get("tag_id").and_then(|v| v.parse().ok()) else {
        return (StatusCode::BAD_REQUEST, "Choose a tag.").into_response();
    };
    let services = &state.services;
    match services
        .store
        .set_comment_tag(
            &[comment_id],
            tag_id,
            tagged,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await
    {
        Ok(_) => {
            wait_for_index(&state).await;
            Redirect::to(&back).into_response()
        }
        Err(error) => refused(&state, &back, &headers, &identity, error).await,
    }
}

/// Tags every match of a search (not just the page shown), in batches. The job record says how
/// far it got, so a restart half-way leaves a visible partial record, never a silent one.
pub async fn bulk_tag(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form = fields(&body);
    let identity = match authorise(&state, &headers, &form, Some(Permission::Tag)).await {
        Ok(identity) => identity,
        Err(refusal) => return refusal,
    };
    let search = form.get("search").map(String::as_str).unwrap_or("");
    let params = SearchParams::from_query_string(search);
    let back = search_url(search);
    let services = &state.services;
    let (actor, now) = (Actor::of(&identity), services.clock.now());
    let say = |status: StatusCode, message: String| {
        let (state, back, headers, email) = (&state, &back, &headers, identity.email.clone());
        async move { notice(state, back, headers, status, message, email).await }
    };
    if params.docket.is_empty() {
        return say(
            StatusCode::BAD_REQUEST,
            "Choose a docket before tagging its comments.".into(),
        )
        .await;
    }
    let chosen = form.get("tag_id").filter(|v| !v.is_empty());
    let tag_id = match chosen.map(|v| v.parse::<i64>()) {
        Some(Ok(id)) => match services.store.tag(id).await {
            Ok(Some(tag)) if tag.docket_id == params.docket => id,
            Ok(_) => {
                return say(
                    StatusCode::NOT_FOUND,
                    "There is no such tag on this docket.".into(),
                )
                .await
            }
            Err(error) => return refused(&state, &back, &headers, &identity, error.into()).await,
        },
        Some(Err(_)) => return say(StatusCode::BAD_REQUEST, "Choose a tag.".into()).await,
        None => {
            let name = match TagName::parse(form.get("new_tag").map(String::as_str).unwrap_or("")) {
                Ok(name) => name,
                Err(_) => {
                    return say(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Choose a tag or type a new tag's name. Nothing was changed.".into(),
                    )
                    .await
                }
            };
            match services
                .store
                .create_tag(&params.docket, &name, &actor, now)
                .await
            {
                Ok(id) => id,
                Err(error) => return refused(&state, &back, &headers, &identity, error).await,
            }
        }
    };
    // The set to tag is the search as the database has it now.
    wait_for_index(&state).await;
    let prepared = match prepare(services, &params, Scope::Staff).await {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(sentence)) => return say(StatusCode::BAD_REQUEST, sentence).await,
        Err(error) => return refused(&state, &back, &headers, &identity, error.into()).await,
    };
    let ids = match services.search.all_ids(prepared.spec).await {
        Ok(ids) => ids,
        Err(error) => {
            tracing::error!(%error, "bulk tag search failed");
            return say(
                StatusCode::SERVICE_UNAVAILABLE,
                "The search could not run; nothing was tagged. Try again.".into(),
            )
            .await;
        }
    };
    let query = params.to_query_string();
    let job = match services
        .store
        .start_bulk_tag(tag_id, &query, ids.len(), &actor, now)
        .await
    {
        Ok(job) => job,
        Err(error) => return refused(&state, &back, &headers, &identity, error).await,
    };
    for batch in ids.chunks(BULK_TAG_BATCH) {
        let result = services
            .store
            .bulk_tag_batch(job, tag_id, batch, &actor, services.clock.now())
            .await;
        if let Err(error) = result {
            tracing::error!(%error, job, "bulk tag stopped part-way");
            return Redirect::to(&format!("{back}&job={job}")).into_response();
        }
    }
    if let Err(error) = services
        .store
        .finish_bulk_tag(job, &actor, services.clock.now())
        .await
    {
        tracing::error!(%error, job, "could not record the end of a bulk tag");
    }
    wait_for_index(&state).await;
    Redirect::to(&format!("{back}&job={job}")).into_response()
}
