//! Running a search from its URL parameters for staff or the public: checking the parameters,
//! resolving tag names and days, asking the index, and reading the page of hits from the database.

use super::index::{Filters, Scope, SearchSpec, Sort, SUBMITTER_TYPES};
use super::query::{parse_public_query, parse_query, Query};
use super::request::{
    FacetGroup, FacetValue, SearchHitView, SearchOutcome, SearchParams, RESULTS_PER_PAGE,
};
use super::SearchError;
use super::SearchService;
use crate::docket::DocketId;
use crate::moderation::CommentStatus;
use crate::store::{from_millis, Store, StoreError};
use crate::window::format_in_zone;
use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::Row;
use std::collections::HashMap;

/// A search ready to hand to the index, or the sentence saying why it cannot run.
pub struct PreparedSearch {
    pub spec: SearchSpec,
    pub zone: Tz,
}

fn refuse(message: impl Into<String>) -> Result<PreparedSearch, String> {
    Err(message.into())
}

/// Checks a search's parameters and turns them into what the index needs. `Ok(Err(sentence))`
/// is a search someone typed wrong.
/// A day on the agency's clock as UTC milliseconds [start, end), with the offset in force on it:
/// a day with a daylight-saving change is 23 or 25 hours long.
fn local_day_range(day: NaiveDate, zone: chrono_tz::Tz) -> (i64, i64) {
    let start = crate::window::closing_instant(day.pred_opt().unwrap_or(day), zone);
    let end = crate::window::closing_instant(day, zone);
    (start.timestamp_millis(), end.timestamp_millis())
}

pub async fn prepare(
    store: &Store,
    params: &SearchParams,
    scope: Scope,
) -> Result<Result<PreparedSearch, String>, StoreError> {
    let query = match scope {
        Scope::Staff => parse_query(&params.q),
        Scope::Public => parse_public_query(&params.q),
    };
    let query: Query = match query {
        Ok(q) => q,
        Err(e) => return Ok(refuse(e.to_string())),
    };
    let mut zone = chrono_tz::UTC;
    let mut filters = Filters::default();
    if !params.docket.is_empty() {
        let Ok(id) = DocketId::parse(&params.docket) else {
            return Ok(refuse(format!("There is no docket {}.", params.docket)));
        };
        match store.docket_title_and_zone(&id).await? {
            Some((_, docket_zone)) => zone = docket_zone,
            None => return Ok(refuse(format!("There is no docket {}.", params.docket))),
        }
        filters.docket = Some(id.as_str().to_owned());
    } else if scope == Scope::Public {
        return Ok(refuse("Choose a docket to search."));
    }
    for (key, value) in &params.facets {
        let staff_only = !matches!(key.as_str(), "type" | "day");
        if scope == Scope::Public && staff_only {
            return Ok(refuse(format!("Filtering by {key} is for staff only.")));
        }
        match key.as_str() {
            "status" => match CommentStatus::parse(value) {
                Some(status) => filters.status.push(status),
                None => return Ok(refuse(format!("Unknown status {value:?}."))),
            },
            "type" if SUBMITTER_TYPES.contains(&value.as_str()) => {
                filters.submitter_type.push(value.clone())
            }
            "type" => return Ok(refuse(format!("Unknown submitter type {value:?}."))),
            "tag" => match value.parse() {
                Ok(id) => filters.tag.push(id),
                Err(_) => return Ok(refuse(format!("Unknown tag {value:?}."))),
            },
            "campaign" => match value.parse() {
                Ok(id) => filters.campaign.push(id),
                Err(_) => return Ok(refuse(format!("Unknown campaign {value:?}."))),
            },
            "flag" => match crate::flags::FlagKind::parse(value) {
                Some(flag) => filters.flag.push(flag),
                None => return Ok(refuse(format!("Unknown flag {value:?}."))),
            },
            "state" => filters.state.push(value.clone()),
            "country" => filters.country.push(value.clone()),
            "late" => match value.as_str() {
                "yes" => filters.late = Some(true),
                "no" => filters.late = Some(false),
                _ => return Ok(refuse("late is yes or no.")),
            },
            "day" => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Ok(day) => filters.received = Some(local_day_range(day, zone)),
                Err(_) => return Ok(refuse(format!("{value:?} is not a day like 2023-03-14."))),
            },
            _ => {}
        }
    }
    let tag_ids = store
        .tag_ids_by_name(filters.docket.as_deref(), &query.tag_names())
        .await?;
    let sort = match Sort::parse(&params.sort) {
        Some(sort) => sort,
        None => return Ok(refuse("Sort by relevance, newest or oldest.")),
    };
    Ok(Ok(PreparedSearch {
        spec: SearchSpec {
            scope,
            query,
            tag_ids,
            filters,
            sort,
            offset: (params.page.max(1) as usize - 1) * RESULTS_PER_PAGE,
            limit: RESULTS_PER_PAGE,
            day_zone: zone,
        },
        zone,
    }))
}

struct HitRow {
    id: i64,
    public_id: Option<String>,
    docket_id: String,
    status: String,
    submitter_type: String,
    submitter: String,
    place: String,
    received_at: i64,
    late: bool,
    /// What the searcher may read: the posted (redacted) text for the public.
    text: String,
}

fn place(state: &str, country: &str) -> String {
    [state, country]
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a state or country value from the index is shown: short codes in capitals.
fn place_label(value: &str) -> String {
    if value.chars().count() <= 3 {
        return value.to_uppercase();
    }
    value
        .split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn hit_rows(store: &Store, ids: &[i64], scope: Scope) -> Result<Vec<HitRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::store::placeholders(1, ids.len());
    let public = if scope == Scope::Public {
        " AND c.status = 'posted'"
    } else {
        ""
    };
    let sql = format!(
        "SELECT c.id, c.public_id, c.docket_id, c.status, c.submitter_type, c.first_name, c.last_name,
                c.organization, c.state_province_region, c.country, c.received_at, c.late, c.body,
                c.redacted_body
         FROM comments c WHERE c.id IN ({list}){public}"
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(store.pool()).await?;
    let mut by_id = HashMap::new();
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let kind: String = row.try_get("submitter_type")?;
        let first: Option<String> = row.try_get("first_name")?;
        let last: Option<String> = row.try_get("last_name")?;
        let organization: Option<String> = row.try_get("organization")?;
        let redacted_body: Option<String> = row.try_get("redacted_body")?;
        let body: String = row.try_get("body")?;
        let text = match (scope, redacted_body) {
            (Scope::Public, Some(redacted)) => redacted,
            _ => body,
        };
        let submitter = match (kind.as_str(), scope) {
            ("organization", _) => organization.clone().unwrap_or_default(),
            ("individual", _) => [first, last]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            _ => "Anonymous".to_owned(),
        };
        let state: Option<String> = row.try_get("state_province_region")?;
        let country: Option<String> = row.try_get("country")?;
        by_id.insert(
            id,
            HitRow {
                id,
                public_id: row.try_get("public_id")?,
                docket_id: row.try_get("docket_id")?,
                status: row.try_get("status")?,
                submitter_type: kind,
                submitter,
                place: place(
                    state.as_deref().unwrap_or_default(),
                    country.as_deref().unwrap_or_default(),
                ),
                received_at: row.try_get("received_at")?,
                late: row.try_get::<i64, _>("late")? == 1,
                text,
            },
        );
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Runs a search for staff or (on a docket page) the public.
pub async fn run_search(
    store: &Store,
    search: &SearchService,
    params: &SearchParams,
    scope: Scope,
) -> Result<SearchOutcome, SearchError> {
    let mut outcome = SearchOutcome {
        params: params.clone(),
        query: params.to_query_string(),
        ..Default::default()
    };
    let prepared = match prepare(store, params, scope).await? {
        Ok(prepared) => prepared,
        Err(sentence) => {
            outcome.error = Some(sentence);
            return Ok(outcome);
        }
    };
    let spec = prepared.spec;
    let found = search.search(spec.clone()).await?;
    let rows = hit_rows(store, &found.ids, scope).await?;
    let snippets = search
        .snippets(spec.clone(), rows.iter().map(|r| r.text.clone()).collect())
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut tags = store.comment_tags(&ids, scope == Scope::Public).await?;
    outcome.total = found.total;
    outcome.pages = found.total.div_ceil(RESULTS_PER_PAGE).max(1) as u32;
    outcome.hits = rows
        .into_iter()
        .zip(snippets)
        .map(|(row, snippet)| {
            Ok(SearchHitView {
                id: row.id,
                public_id: row.public_id,
                docket_id: row.docket_id,
                status: row.status,
                submitter_type: row.submitter_type,
                submitter: row.submitter,
                place: if scope == Scope::Staff {
                    row.place
                } else {
                    String::new()
                },
                received_at: format_in_zone(from_millis(row.received_at)?, prepared.zone),
                late: row.late,
                snippet: snippet.parts,
                snippet_truncated: snippet.truncated,
                tags: tags.remove(&row.id).unwrap_or_default(),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let facets = found.facets;
    let group = |key: &str, label: &str, values: Vec<(String, String, u64)>| FacetGroup {
        key: key.to_owned(),
        label: label.to_owned(),
        values: values
            .into_iter()
            .map(|(value, label, count)| FacetValue {
                selected: params.has_facet(key, &value),
                query: params.toggled(key, &value).to_query_string(),
                label,
                count,
            })
            .collect(),
    };
    let mut groups = Vec::new();
    if scope == Scope::Staff {
        groups.push(group(
            "status",
            "Status",
            facets
                .status
                .iter()
                .map(|(s, n)| (s.as_str().to_owned(), title_case(s.as_str()), *n))
                .collect(),
        ));
    }
    groups.push(group(
        "type",
        "Submitted by",
        facets
            .submitter_type
            .iter()
            .map(|(t, n)| (t.clone(), title_case(t), *n))
            .collect(),
    ));
    if scope == Scope::Staff {
        let tag_ids: Vec<i64> = facets.tag.iter().map(|(id, _)| *id).collect();
        let names = store.tag_names(&tag_ids).await?;
        groups.push(group(
            "tag",
            "Tag",
            facets
                .tag
                .iter()
                .filter_map(|(id, n)| Some((id.to_string(), names.get(id)?.clone(), *n)))
                .collect(),
        ));
        groups.push(group(
            "campaign",
            "Campaign",
            facets
                .campaign
                .iter()
                .map(|(id, n)| (id.to_string(), format!("Campaign {id}"), *n))
                .collect(),
        ));
        groups.push(group(
            "flag",
            "Check for",
            facets
                .flag
                .iter()
                .map(|(flag, n)| (flag.as_str().to_owned(), flag.label().to_owned(), *n))
                .collect(),
        ));
        groups.push(group(
            "state",
            "State or region",
            facets
                .state
                .iter()
                .map(|(s, n)| (s.clone(), place_label(s), *n))
                .collect(),
        ));
        groups.push(group(
            "country",
            "Country",
            facets
                .country
                .iter()
                .map(|(s, n)| (s.clone(), place_label(s), *n))
                .collect(),
        ));
        groups.push(group(
            "late",
            "Late",
            facets
                .late
                .iter()
                .map(|(late, n)| {
                    let (value, label) = if *late {
                        ("yes", "Late")
                    } else {
                        ("no", "On time")
                    };
                    (value.to_owned(), label.to_owned(), *n)
                })
                .collect(),
        ));
    }
    groups.push(group(
        "day",
        "Received",
        facets
            .received_days
            .iter()
            .filter_map(|(start, n)| {
                // Each day is counted on the agency's calendar and keyed by its date.
                let day = Utc.timestamp_millis_opt(*start).single()?.date_naive();
                Some((
                    day.format("%Y-%m-%d").to_string(),
                    day.format("%b %-d, %Y").to_string(),
                    *n,
                ))
            })
            .collect(),
    ));
    outcome.facets = groups
        .into_iter()
        .filter(|g| !g.values.is_empty())
        .collect();
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_filter_uses_that_days_offset() {
        let new_york = chrono_tz::America::New_York;
        let ms = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        let spring_forward = NaiveDate::from_ymd_opt(2023, 3, 12).unwrap();
        assert_eq!(
            local_day_range(spring_forward, new_york),
            (ms("2023-03-12T05:00:00Z"), ms("2023-03-13T04:00:00Z")),
            "a 23-hour day"
        );
        let summer = NaiveDate::from_ymd_opt(2023, 7, 4).unwrap();
        assert_eq!(
            local_day_range(summer, new_york),
            (ms("2023-07-04T04:00:00Z"), ms("2023-07-05T04:00:00Z"))
        );
    }

    #[test]
    fn places_read_well() {
        assert_eq!(place(" CA ", "United States"), "CA, United States");
        assert_eq!(place("", ""), "");
        assert_eq!(place_label("ca"), "CA");
        assert_eq!(place_label("united states"), "United States");
    }
}
