//! The query string of a v4 listing (`filter[...]`, `sort`, `page[...]`), checked against what
//! each collection accepts, with regulations.gov's date formats read in its time zone.

use super::{ApiError, Collection, API_TIME_ZONE};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

pub const DEFAULT_PAGE_SIZE: i64 = 25;
pub const PAGE_SIZES: std::ops::RangeInclusive<i64> = 5..=250;

/// A date filter as `[start, end)` in UTC; either side may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// The fields a listing can be sorted by, across collections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    PostedDate,
    LastModifiedDate,
    CommentEndDate,
    DocumentId,
    DocketId,
    Title,
}

impl SortKey {
    fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "postedDate" => Self::PostedDate,
            "lastModifiedDate" => Self::LastModifiedDate,
            "commentEndDate" => Self::CommentEndDate,
            "documentId" => Self::DocumentId,
            "docketId" => Self::DocketId,
            "title" => Self::Title,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::PostedDate => "postedDate",
            Self::LastModifiedDate => "lastModifiedDate",
            Self::CommentEndDate => "commentEndDate",
            Self::DocumentId => "documentId",
            Self::DocketId => "docketId",
            Self::Title => "title",
        }
    }
}

/// A checked listing request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListRequest {
    pub agency_id: Option<String>,
    pub docket_id: Option<String>,
    /// A document's objectId (comments on it).
    pub comment_on_id: Option<String>,
    pub document_type: Option<String>,
    pub docket_type: Option<String>,
    pub fr_doc_num: Option<String>,
    pub subtype: Option<String>,
    pub search_term: Option<String>,
    pub within_comment_period: bool,
    pub posted: Option<Range>,
    pub last_modified: Option<Range>,
    pub comment_end: Option<Range>,
    /// (key, descending), in order of precedence.
    pub sort: Vec<(SortKey, bool)>,
    pub page_size: i64,
    pub page_number: i64,
}

/// How a date filter's value is written.
#[derive(Clone, Copy)]
enum DateFormat {
    /// `yyyy-MM-dd`: the whole day.
    Day,
    /// `yyyy-MM-dd HH:mm:ss`: that second.
    Second,
}

fn filters_of(collection: Collection) -> &'static [&'static str] {
    match collection {
        Collection::Comments => &[
            "agencyId",
            "searchTerm",
            "postedDate",
            "lastModifiedDate",
            "commentOnId",
            "docketId",
        ],
        Collection::Documents => &[
            "agencyId",
            "commentEndDate",
            "docketId",
            "documentType",
            "frDocNum",
            "searchTerm",
            "postedDate",
            "lastModifiedDate",
            "subtype",
            "withinCommentPeriod",
        ],
        Collection::Dockets => &["agencyId", "searchTerm", "lastModifiedDate", "docketType"],
    }
}

fn sorts_of(collection: Collection) -> &'static [SortKey] {
    match collection {
        Collection::Comments => &[
            SortKey::PostedDate,
            SortKey::LastModifiedDate,
            SortKey::DocumentId,
        ],
        Collection::Documents => &[
            SortKey::CommentEndDate,
            SortKey::PostedDate,
            SortKey::LastModifiedDate,
            SortKey::DocumentId,
            SortKey::Title,
        ],
        Collection::Dockets => &[SortKey::Title, SortKey::DocketId, SortKey::LastModifiedDate],
    }
}

fn list(names: impl IntoIterator<Item = &'static str>) -> String {
    names.into_iter().collect::<Vec<_>>().join(", ")
}

/// Reads a date filter's value in the API's time zone: the instants it covers with `modifier`.
fn date_range(
    parameter: &str,
    raw: &str,
    format: DateFormat,
    modifier: Option<&str>,
) -> Result<Range, ApiError> {
    let zone = API_TIME_ZONE;
    let (start, length) = match format {
        DateFormat::Day => {
            let day = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
                ApiError::bad_request(format!(
                    "{parameter} must be a date formatted as yyyy-MM-dd, not {raw:?}"
                ))
            })?;
            (
                day.and_hms_opt(0, 0, 0).unwrap_or_default(),
                Duration::days(1),
            )
        }
        DateFormat::Second => {
            let instant = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%d %H:%M:%S")
                .map_err(|_| {
                    ApiError::bad_request(format!(
                        "{parameter} must be a date and time formatted as yyyy-MM-dd HH:mm:ss (Eastern time), not {raw:?}"
                    ))
                })?;
            (instant, Duration::seconds(1))
        }
    };
    // chrono reads years beyond four digits (`+262142`); the API's dates have four, and at the
    // edge of chrono's range the arithmetic below would overflow.
    if !(1..=9999).contains(&start.year()) {
        return Err(ApiError::bad_request(format!(
            "{parameter} must have a year from 0001 to 9999, not {raw:?}"
        )));
    }
    let local = |naive: NaiveDateTime| {
        // A time skipped by a daylight-saving change is read as the moment after it.
        zone.from_local_datetime(&naive)
            .earliest()
            .or_else(|| {
                let later = naive.checked_add_signed(Duration::hours(1))?;
                zone.from_local_datetime(&later).earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                ApiError::bad_request(format!("{parameter} {raw:?} is not a time that exists"))
            })
    };
    let from = local(start)?;
    let to = local(
        start
            .checked_add_signed(length)
            .unwrap_or(NaiveDateTime::MAX),
    )?;
    Ok(match modifier {
        None => Range {
            start: Some(from),
            end: Some(to),
        },
        Some("ge") => Range {
            start: Some(from),
            end: None,
        },
        Some("le") => Range {
            start: None,
            end: Some(to),
        },
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "{parameter} has the modifier [{other}]; the modifiers are [ge] and [le]"
            )))
        }
    })
}

/// Narrows `slot` to also satisfy `range` (a [ge] and a [le] on the same field combine).
fn narrow(slot: &mut Option<Range>, range: Range) {
    let merged = match *slot {
        None => range,
        Some(old) => Range {
            start: old.start.max(range.start),
            end: match (old.end, range.end) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        },
    };
    *slot = Some(merged);
}

/// Splits `filter[name][modifier]` into its name and modifier.
fn filter_name(key: &str) -> Option<(&str, Option<&str>)> {
    let rest = key.strip_prefix("filter[")?;
    let (name, rest) = rest.split_once(']')?;
    if rest.is_empty() {
        return Some((name, None));
    }
    let modifier = rest.strip_prefix('[')?.strip_suffix(']')?;
    Some((name, Some(modifier)))
}

fn number(parameter: &str, raw: &str) -> Result<i64, ApiError> {
    raw.trim().parse().map_err(|_| {
        ApiError::bad_request(format!("{parameter} must be a whole number, not {raw:?}"))
    })
}

/// Checks a listing's query parameters. `api_key` is the caller's key, not a parameter.
pub fn parse_list(
    collection: Collection,
    pairs: &[(String, String)],
) -> Result<ListRequest, ApiError> {
    let mut request = ListRequest {
        page_size: DEFAULT_PAGE_SIZE,
        page_number: 1,
        ..Default::default()
    };
    for (key, value) in pairs {
        if key == "api_key" {
            continue;
        }
        if key == "sort" {
            request.sort = parse_sort(collection, value)?;
            continue;
        }
        if key == "page[size]" {
            request.page_size = number(key, value)?;
            if !PAGE_SIZES.contains(&request.page_size) {
                return Err(ApiError::bad_request(format!(
                    "page[size] must be between {} and {}, not {}",
                    PAGE_SIZES.start(),
                    PAGE_SIZES.end(),
                    request.page_size
                )));
            }
            continue;
        }
        if key == "page[number]" {
            request.page_number = number(key, value)?;
            if request.page_number < 1 {
                return Err(ApiError::bad_request(format!(
                    "page[number] must be 1 or more, not {}",
                    request.page_number
                )));
            }
            continue;
        }
        let Some((name, modifier)) = filter_name(key) else {
            return Err(ApiError::bad_request(format!(
                "{key} is not a parameter of /v4/{}; use filter[...], sort, page[size], page[number] or api_key",
                collection.as_str()
            )));
        };
        let allowed = filters_of(collection);
        if !allowed.contains(&name) {
            return Err(ApiError::bad_request(format!(
                "filter[{name}] is not a filter of /v4/{}; the filters are {}",
                collection.as_str(),
                list(allowed.iter().copied())
            )));
        }
        let dated = matches!(name, "postedDate" | "lastModifiedDate" | "commentEndDate");
        if modifier.is_some() && !dated {
            return Err(ApiError::bad_request(format!(
                "filter[{name}] takes no modifier; only date filters take [ge] and [le]"
            )));
        }
        let text = || Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        match name {
            "agencyId" => request.agency_id = text(),
            "docketId" => request.docket_id = text(),
            "commentOnId" => request.comment_on_id = text(),
            "documentType" => request.document_type = text(),
            "docketType" => request.docket_type = text(),
            "frDocNum" => request.fr_doc_num = text(),
            "subtype" => request.subtype = text(),
            "searchTerm" => request.search_term = text(),
            "withinCommentPeriod" => match value.trim() {
                "true" => request.within_comment_period = true,
                other => {
                    return Err(ApiError::bad_request(format!(
                        "filter[withinCommentPeriod] can only be true, not {other:?}; leave it out otherwise"
                    )))
                }
            },
            "postedDate" => {
                let range = date_range(key, value, DateFormat::Day, modifier)?;
                narrow(&mut request.posted, range);
            }
            "commentEndDate" => {
                let range = date_range(key, value, DateFormat::Day, modifier)?;
                narrow(&mut request.comment_end, range);
            }
            "lastModifiedDate" => {
                let range = date_range(key, value, DateFormat::Second, modifier)?;
                narrow(&mut request.last_modified, range);
            }
            _ => unreachable!("every allowed filter is handled"),
        }
    }
    Ok(request)
}

fn parse_sort(collection: Collection, raw: &str) -> Result<Vec<(SortKey, bool)>, ApiError> {
    let allowed = sorts_of(collection);
    let mut sort = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, descending) = match part.strip_prefix('-') {
            Some(name) => (name, true),
            None => (part, false),
        };
        match SortKey::parse(name).filter(|key| allowed.contains(key)) {
            Some(key) if !sort.iter().any(|(k, _)| *k == key) => sort.push((key, descending)),
            Some(_) => return Err(ApiError::bad_request(format!("sort names {name} twice"))),
            None => {
                return Err(ApiError::bad_request(format!(
                    "sort by {name} is not supported on /v4/{}; the sort fields are {}",
                    collection.as_str(),
                    list(allowed.iter().map(|k| k.name()))
                )))
            }
        }
    }
    Ok(sort)
}

/// Only `include=attachments` exists; anything else on a single resource is refused.
pub fn parse_detail(pairs: &[(String, String)]) -> Result<bool, ApiError> {
    let mut include = false;
    for (key, value) in pairs {
        match key.as_str() {
            "api_key" => {}
            "include" if value == "attachments" => include = true,
            "include" => {
                return Err(ApiError::bad_request(format!(
                    "include={value} is not supported; the only value is attachments"
                )))
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "{other} is not a parameter here; use include=attachments or api_key"
                )))
            }
        }
    }
    Ok(include)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn utc(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap()
    }

    #[test]
    fn defaults_are_the_first_page_of_25() {
        let request = parse_list(Collection::Comments, &[]).unwrap();
        assert_eq!((request.page_size, request.page_number), (25, 1));
        assert!(request.sort.is_empty());
    }

    #[test]
    fn posted_dates_are_eastern_days_and_modifiers_combine() {
        let request = parse_list(
            Collection::Comments,
            &pairs(&[
                ("filter[postedDate][ge]", "2020-09-01"),
                ("filter[postedDate][le]", "2020-09-02"),
            ]),
        )
        .unwrap();
        assert_eq!(
            request.posted,
            Some(Range {
                start: Some(utc("2020-09-01T04:00:00Z")),
                end: Some(utc("2020-09-03T04:00:00Z")),
            })
        );
        let exact = parse_list(
            Collection::Comments,
            &pairs(&[("filter[postedDate]", "2023-01-15")]),
        )
        .unwrap();
        assert_eq!(
            exact.posted,
            Some(Range {
                start: Some(utc("2023-01-15T05:00:00Z")),
                end: Some(utc("2023-01-16T05:00:00Z")),
            }),
            "winter days start at 05:00 UTC"
        );
    }

    #[test]
    fn the_keyset_recipe_reads_last_modified_in_eastern_time() {
        // regulations.gov's own example: 2020-08-10T15:58:52Z is 2020-08-10 11:58:52 Eastern.
        let request = parse_list(
            Collection::Comments,
            &pairs(&[
                ("filter[lastModifiedDate][ge]", "2020-08-10 11:58:52"),
                ("sort", "lastModifiedDate,documentId"),
            ]),
        )
        .unwrap();
        assert_eq!(
            request.last_modified.unwrap().start,
            Some(utc("2020-08-10T15:58:52Z"))
        );
        assert_eq!(
            request.sort,
            vec![
                (SortKey::LastModifiedDate, false),
                (SortKey::DocumentId, false)
            ]
        );
    }

    #[test]
    fn bad_parameters_are_refused_with_a_precise_detail() {
        let refused = |raw: &[(&str, &str)]| {
            parse_list(Collection::Comments, &pairs(raw))
                .unwrap_err()
                .detail
        };
        assert!(refused(&[("filter[color]", "red")]).contains("filter[color] is not a filter"));
        assert!(refused(&[("filter[postedDate]", "09/01/2020")]).contains("yyyy-MM-dd"));
        for far in ["+262142-12-31", "+10000-01-01"] {
            assert!(refused(&[("filter[postedDate]", far)]).contains("year from 0001 to 9999"));
        }
        assert!(
            refused(&[("filter[lastModifiedDate]", "+262142-12-31 23:59:59")])
                .contains("year from 0001 to 9999")
        );
        assert!(refused(&[("filter[lastModifiedDate]", "2020-08-10")]).contains("HH:mm:ss"));
        assert!(refused(&[("filter[postedDate][gt]", "2020-08-10")]).contains("[gt]"));
        assert!(refused(&[("filter[docketId][ge]", "X")]).contains("takes no modifier"));
        assert!(refused(&[("page[size]", "4")]).contains("between 5 and 250"));
        assert!(refused(&[("page[size]", "251")]).contains("between 5 and 250"));
        assert!(refused(&[("page[number]", "0")]).contains("1 or more"));
        assert!(refused(&[("page[number]", "two")]).contains("whole number"));
        assert!(refused(&[("sort", "title")]).contains("sort by title is not supported"));
        assert!(refused(&[("sort", "postedDate,-postedDate")]).contains("twice"));
        assert!(refused(&[("color", "red")]).contains("color is not a parameter"));
        assert_eq!(
            parse_list(Collection::Comments, &pairs(&[("page[size]", "4")]))
                .unwrap_err()
                .status,
            400
        );
    }

    #[test]
    fn each_collection_has_its_own_filters_and_sorts() {
        assert!(parse_list(
            Collection::Documents,
            &pairs(&[
                ("sort", "-commentEndDate,title"),
                ("filter[withinCommentPeriod]", "true")
            ])
        )
        .is_ok());
        assert!(parse_list(
            Collection::Dockets,
            &pairs(&[("filter[docketType]", "Rulemaking"), ("sort", "docketId")])
        )
        .is_ok());
        assert!(parse_list(
            Collection::Dockets,
            &pairs(&[("filter[postedDate]", "2020-01-01")])
        )
        .is_err());
        assert!(parse_list(
            Collection::Documents,
            &pairs(&[("filter[withinCommentPeriod]", "false")])
        )
        .is_err());
    }

    #[test]
    fn only_attachments_can_be_included() {
        assert!(parse_detail(&pairs(&[("include", "attachments")])).unwrap());
        assert!(!parse_detail(&[]).unwrap());
        assert!(parse_detail(&pairs(&[("include", "comments")])).is_err());
    }
}
