//! Server functions of the search pages (staff search, the tag vocabulary, public docket search).

use crate::error::AppError;
use crate::server_fns::staff::StaffHeader;
use leptos::prelude::*;
use opendocket_core::search::request::SearchOutcome;
#[cfg(feature = "ssr")]
use opendocket_core::staff_routes::Verb::Post;
use opendocket_core::tags::{BulkTagJob, Tag};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSearchView {
    pub header: StaffHeader,
    pub outcome: SearchOutcome,
    /// (id, title) of every docket, for the docket choice.
    pub dockets: Vec<(String, String)>,
    /// The chosen docket's tags that can still be applied.
    pub tags: Vec<Tag>,
    pub can_tag: bool,
    /// The bulk tag the analyst just ran, when the URL names it.
    pub job: Option<BulkTagJob>,
}

#[server(endpoint = "staff/search")]
pub async fn staff_search(query: String) -> Result<StaffSearchView, AppError> {
    use crate::server_fns::staff::guard;
    use opendocket_core::search::index::Scope;
    use opendocket_core::search::request::{decode_query, SearchParams};
    use opendocket_core::search::run::run_search;
    let (services, identity) = guard::require().await?;
    let params = SearchParams::from_query_string(&query);
    let outcome = run_search(&services.store, &services.search, &params, Scope::Staff).await?;
    let dockets = services.store.docket_titles().await?;
    let (tags, job) = if params.docket.is_empty() {
        (Vec::new(), None)
    } else {
        let tags = services.store.tags(&params.docket).await?;
        let job_id: Option<i64> = decode_query(&query)
            .into_iter()
            .find(|(k, _)| k == "job")
            .and_then(|(_, v)| v.parse().ok());
        let job = match job_id {
            Some(id) => services
                .store
                .bulk_tag_jobs(&params.docket, services.clock.now())
                .await?
                .into_iter()
                .find(|j| j.id == id),
            None => None,
        };
        (tags.into_iter().filter(|t| !t.retired).collect(), job)
    };
    Ok(StaffSearchView {
        header: StaffHeader::of(&services, &identity).await?,
        can_tag: identity.may(Post, "/staff/search/tag"),
        outcome,
        dockets,
        tags,
        job,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagsView {
    pub header: StaffHeader,
    pub docket_id: String,
    pub docket_title: String,
    pub tags: Vec<Tag>,
    pub jobs: Vec<BulkTagJob>,
    pub can_tag: bool,
    pub can_publish: bool,
}

#[server(endpoint = "staff/tags")]
pub async fn staff_tags(id: String) -> Result<Option<TagsView>, AppError> {
    use crate::server_fns::staff::guard;
    use opendocket_core::docket::DocketId;
    let (services, identity) = guard::require().await?;
    let Ok(id) = DocketId::parse(&id) else {
        return Ok(None);
    };
    let Some(record) = services.store.docket(&id).await? else {
        return Ok(None);
    };
    Ok(Some(TagsView {
        header: StaffHeader::of(&services, &identity).await?,
        docket_id: id.as_str().to_owned(),
        docket_title: record.title,
        tags: services.store.tags(id.as_str()).await?,
        jobs: services
            .store
            .bulk_tag_jobs(id.as_str(), services.clock.now())
            .await?,
        can_tag: identity.may(Post, "/staff/dockets/{id}/tags"),
        can_publish: identity.may(Post, "/staff/tags/{id}/publish"),
    }))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSearchView {
    pub docket_id: String,
    pub docket_title: String,
    pub outcome: SearchOutcome,
}

#[server(endpoint = "public/search")]
pub async fn public_search(
    docket: String,
    query: String,
) -> Result<Option<PublicSearchView>, AppError> {
    use opendocket_core::docket::DocketId;
    use opendocket_core::search::index::Scope;
    use opendocket_core::search::request::SearchParams;
    use opendocket_core::search::run::run_search;
    let services = crate::server_fns::public::services()?;
    let Ok(id) = DocketId::parse(&docket) else {
        return Ok(None);
    };
    let Some((title, _)) = services.store.docket_title_and_zone(&id).await? else {
        return Ok(None);
    };
    let mut params = SearchParams::from_query_string(&query);
    params.docket = id.as_str().to_owned();
    let outcome = run_search(&services.store, &services.search, &params, Scope::Public).await?;
    Ok(Some(PublicSearchView {
        docket_id: id.as_str().to_owned(),
        docket_title: title,
        outcome,
    }))
}
