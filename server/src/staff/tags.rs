//! Tagging forms: the tag vocabulary of a docket, tagging one comment, and bulk-tagging every match
//! of a search in batches.

use super::extract::{CsrfForm, Fields, StaffSession};
use super::refusal::Refusal;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Redirect;
use opendocket_core::accounts::Actor;
use opendocket_core::search::index::Scope;
use opendocket_core::search::request::SearchParams;
use opendocket_core::search::run::prepare;
use opendocket_core::staff_routes::Verb;
use opendocket_core::tags::{TagError, TagName, BULK_TAG_BATCH};
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

/// The tags page of the docket a tag belongs to.
async fn tags_page_of(state: &AppState, tag_id: i64) -> Result<String, Refusal> {
    match state.services.store.tag(tag_id).await {
        Ok(Some(tag)) => Ok(format!("/staff/dockets/{}/tags", tag.docket_id)),
        Ok(None) => Err(Refusal::not_found("There is no such tag.")),
        Err(error) => Err(Refusal::from(error).on("/staff/search")),
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
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let page = format!("/staff/dockets/{docket}/tags");
    let services = &state.services;
    let created = match TagName::parse(form.get("name").unwrap_or("")) {
        Ok(name) => {
            services
                .store
                .create_tag(&docket, &name, &Actor::of(&identity), services.clock.now())
                .await
        }
        Err(e) => Err(e.into()),
    };
    created.map_err(|error| Refusal::from(error).on(&page))?;
    Ok(Redirect::to(&page))
}

pub async fn change_tag(
    State(state): State<AppState>,
    Path(tag_id): Path<i64>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let services = &state.services;
    let (actor, now) = (Actor::of(&identity), services.clock.now());
    let page = tags_page_of(&state, tag_id).await?;
    let store = &services.store;
    // A published tag's name is public text: changing it needs the permission that publishes it.
    let merged_into = form.number::<i64>("into");
    if !identity.may(Verb::Post, "/staff/tags/{id}/publish") {
        for id in std::iter::once(tag_id).chain(merged_into) {
            let tag = store
                .tag(id)
                .await
                .map_err(|error| Refusal::from(error).on(&page))?;
            if tag.is_some_and(|tag| tag.published) {
                return Err(Refusal::new(
                    StatusCode::FORBIDDEN,
                    "This tag is published: only staff who may publish tags can rename, merge or retire it.",
                ));
            }
        }
    }
    let changed = match form.get("action") {
        Some("rename") => match TagName::parse(form.get("name").unwrap_or("")) {
            Ok(name) => store.rename_tag(tag_id, &name, &actor, now).await,
            Err(e) => Err(e.into()),
        },
        Some("merge") if form.get("confirm") != Some("yes") => {
            return Err(Refusal::unprocessable(
                "Tick “Yes, merge” to confirm; nothing was changed.",
            )
            .on(&page))
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
        _ => return Err(Refusal::bad_request("Choose rename, merge or retire.")),
    };
    changed.map_err(|error| Refusal::from(error).on(&page))?;
    wait_for_index(&state).await;
    Ok(Redirect::to(&page))
}

pub async fn publish_tag(
    State(state): State<AppState>,
    Path(tag_id): Path<i64>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let services = &state.services;
    let page = tags_page_of(&state, tag_id).await?;
    services
        .store
        .set_tag_published(
            tag_id,
            form.get("publish") == Some("yes"),
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await
        .map_err(|error| Refusal::from(error).on(&page))?;
    Ok(Redirect::to(&page))
}

pub async fn tag_comment(
    State(state): State<AppState>,
    Path(comment_id): Path<i64>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let back = match form.get("back") {
        Some("comment") => format!("/staff/comments/{comment_id}"),
        search => search_url(search.unwrap_or("")),
    };
    let tagged = match form.get("action") {
        Some("add") => true,
        Some("remove") => false,
        _ => return Err(Refusal::bad_request("Choose add or remove.")),
    };
    let tag_id = form
        .number::<i64>("tag_id")
        .ok_or_else(|| Refusal::bad_request("Choose a tag."))?;
    let services = &state.services;
    services
        .store
        .set_comment_tag(
            &[comment_id],
            tag_id,
            tagged,
            &Actor::of(&identity),
            services.clock.now(),
        )
        .await
        .map_err(|error| Refusal::from(error).on(&back))?;
    wait_for_index(&state).await;
    Ok(Redirect::to(&back))
}

/// Tags every match of a search (not just the page shown), in batches. The job record says how
/// far it got, so a restart half-way leaves a visible partial record, never a silent one.
pub async fn bulk_tag(
    State(state): State<AppState>,
    StaffSession(identity): StaffSession,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Redirect, Refusal> {
    let search = form.get("search").unwrap_or("");
    let params = SearchParams::from_query_string(search);
    let back = search_url(search);
    let on_back = |refusal: Refusal| refusal.on(&back);
    let services = &state.services;
    let (actor, now) = (Actor::of(&identity), services.clock.now());
    if params.docket.is_empty() {
        return Err(on_back(Refusal::bad_request(
            "Choose a docket before tagging its comments.",
        )));
    }
    let chosen = form.get("tag_id").filter(|v| !v.is_empty());
    let tag_id = match chosen.map(|v| v.parse::<i64>()) {
        Some(Ok(id)) => match services.store.tag(id).await {
            Ok(Some(tag)) if tag.docket_id == params.docket => id,
            Ok(_) => {
                return Err(on_back(Refusal::not_found(
                    "There is no such tag on this docket.",
                )))
            }
            Err(error) => return Err(on_back(error.into())),
        },
        Some(Err(_)) => return Err(on_back(Refusal::bad_request("Choose a tag."))),
        None => {
            let name = TagName::parse(form.get("new_tag").unwrap_or("")).map_err(|_| {
                on_back(Refusal::unprocessable(
                    "Choose a tag or type a new tag's name. Nothing was changed.",
                ))
            })?;
            services
                .store
                .create_tag(&params.docket, &name, &actor, now)
                .await
                .map_err(|error| on_back(error.into()))?
        }
    };
    // The set to tag is the search as the database has it now.
    wait_for_index(&state).await;
    let prepared = match prepare(&services.store, &params, Scope::Staff).await {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(sentence)) => return Err(on_back(Refusal::bad_request(sentence))),
        Err(error) => return Err(on_back(error.into())),
    };
    let ids = services
        .search
        .all_ids(prepared.spec)
        .await
        .map_err(|error| {
            on_back(Refusal::unavailable(
                "The search could not run; nothing was tagged. Try again.",
                error,
            ))
        })?;
    let query = params.to_query_string();
    let job = services
        .store
        .start_bulk_tag(tag_id, &query, ids.len(), &actor, now)
        .await
        .map_err(|error| on_back(error.into()))?;
    for batch in ids.chunks(BULK_TAG_BATCH) {
        let result = services
            .store
            .bulk_tag_batch(job, tag_id, batch, &actor, services.clock.now())
            .await;
        if let Err(error) = result {
            tracing::error!(%error, job, "bulk tag stopped part-way");
            return Ok(Redirect::to(&format!("{back}&job={job}")));
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
    Ok(Redirect::to(&format!("{back}&job={job}")))
}
