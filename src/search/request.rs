//! A search as it travels in a URL (query, docket, facet filters, sort, page), so every search can
//! be bookmarked and shared, and what a search page shows back.

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

pub const RESULTS_PER_PAGE: usize = 20;
/// Pages beyond this are not offered; narrow the search instead.
pub const MAX_PAGE: u32 = 500;
/// Facet values a search may carry; further ones are ignored. Each facet link on a results page
/// repeats them all, so the page grows with this number squared.
pub const MAX_FACETS: usize = 20;
/// The longest facet value kept (the longest real ones, country names, are well below).
pub const MAX_FACET_VALUE_CHARS: usize = 100;

/// The facet filters a URL may carry, by parameter name.
pub const FACET_KEYS: [&str; 9] = [
    "status", "type", "tag", "campaign", "flag", "state", "country", "late", "day",
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchParams {
    pub q: String,
    pub docket: String,
    /// (facet key, value) pairs in the order they were chosen.
    pub facets: Vec<(String, String)>,
    pub sort: String,
    pub page: u32,
}

impl SearchParams {
    /// Reads a search from URL query pairs; unknown parameters are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut params = SearchParams {
            page: 1,
            ..Default::default()
        };
        let mut seen = std::collections::HashSet::new();
        for (key, value) in pairs {
            match key {
                "q" => params.q = value.to_owned(),
                "docket" => params.docket = value.trim().to_uppercase(),
                "sort" => params.sort = value.to_owned(),
                "page" => params.page = value.trim().parse().unwrap_or(1).clamp(1, MAX_PAGE),
                key if FACET_KEYS.contains(&key) => {
                    let value = value.trim();
                    let keep = !value.is_empty()
                        && params.facets.len() < MAX_FACETS
                        && value.chars().count() <= MAX_FACET_VALUE_CHARS;
                    if keep && seen.insert((key, value)) {
                        params.facets.push((key.to_owned(), value.to_owned()));
                    }
                }
                _ => {}
            }
        }
        params
    }

    /// Reads a search from a URL query string (with or without the `?`), as a browser sends it.
    pub fn from_query_string(query: &str) -> Self {
        let pairs = decode_query(query);
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Values chosen for one facet.
    pub fn facet(&self, key: &str) -> impl Iterator<Item = &str> + '_ {
        let key = key.to_owned();
        self.facets
            .iter()
            .filter(move |(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_facet(&self, key: &str, value: &str) -> bool {
        self.facets.iter().any(|(k, v)| k == key && v == value)
    }

    /// The same search with a facet value added, or removed if it was chosen; back to page 1.
    pub fn toggled(&self, key: &str, value: &str) -> Self {
        let mut next = self.clone();
        next.page = 1;
        if self.has_facet(key, value) {
            next.facets.retain(|(k, v)| !(k == key && v == value));
        } else {
            next.facets.push((key.to_owned(), value.to_owned()));
        }
        next
    }

    pub fn on_page(&self, page: u32) -> Self {
        Self {
            page,
            ..self.clone()
        }
    }

    /// The URL query string (without `?`); empty values are left out.
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if !self.docket.is_empty() {
            pairs.push(("docket", self.docket.clone()));
        }
        for (k, v) in &self.facets {
            pairs.push((k.as_str(), v.clone()));
        }
        if !self.sort.is_empty() && self.sort != "relevance" {
            pairs.push(("sort", self.sort.clone()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(&v, NON_ALPHANUMERIC)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The (key, value) pairs of a URL query string: `+` is a space, `%XX` a byte.
pub fn decode_query(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// One facet value with its count, and the search it leads to when clicked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    pub label: String,
    pub count: u64,
    pub selected: bool,
    /// The query string of the search with this value toggled.
    pub query: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetGroup {
    pub key: String,
    pub label: String,
    pub values: Vec<FacetValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHitView {
    pub id: i64,
    /// The public number of a posted comment.
    pub public_id: Option<String>,
    pub docket_id: String,
    pub status: String,
    pub submitter: String,
    pub submitter_type: String,
    pub place: String,
    pub received_at: String,
    pub late: bool,
    /// (text, highlighted) parts of an excerpt.
    pub snippet: Vec<(String, bool)>,
    pub snippet_truncated: bool,
    /// (tag id, name); for the public only published tags.
    pub tags: Vec<(i64, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchOutcome {
    pub params: SearchParams,
    /// What was wrong with the query, in a sentence; the search did not run.
    pub error: Option<String>,
    pub total: usize,
    pub pages: u32,
    pub hits: Vec<SearchHitView>,
    pub facets: Vec<FacetGroup>,
    /// The query string of this search, for links and the bulk tag form.
    pub query: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_url_and_toggles_facets() {
        let params = SearchParams::from_pairs([
            ("q", "consent \"health data\""),
            ("docket", "ftc-2023-0018"),
            ("status", "posted"),
            ("state", "CA"),
            ("state", "CA"),
            ("page", "3"),
            ("utm_source", "ignored"),
        ]);
        assert_eq!(params.docket, "FTC-2023-0018");
        assert_eq!(params.facets.len(), 2);
        assert_eq!(
            params.to_query_string(),
            "q=consent%20%22health%20data%22&docket=FTC%2D2023%2D0018&status=posted&state=CA&page=3"
        );
        let narrowed = params.toggled("type", "organization");
        assert_eq!(narrowed.page, 1);
        assert!(narrowed.has_facet("type", "organization"));
        assert!(!narrowed
            .toggled("type", "organization")
            .has_facet("type", "organization"));
        assert_eq!(
            SearchParams::from_pairs([("page", "999999")]).page,
            MAX_PAGE
        );
        assert_eq!(SearchParams::from_pairs([("page", "x")]).page, 1);
        let typed = SearchParams::from_query_string("?q=consent+%22health+data%22&tag=3&job=9");
        assert_eq!(typed.q, "consent \"health data\"");
        assert_eq!(typed.facets, vec![("tag".to_owned(), "3".to_owned())]);
        assert_eq!(
            SearchParams::from_query_string(&params.to_query_string()),
            params
        );
    }

    #[test]
    fn facets_are_capped_and_deduplicated() {
        let values: Vec<String> = (0..50_000).map(|i| format!("S{}", i % 1_000)).collect();
        let params = SearchParams::from_pairs(values.iter().map(|v| ("state", v.as_str())));
        assert_eq!(params.facets.len(), MAX_FACETS);
        assert_eq!(params.facets[1], ("state".to_owned(), "S1".to_owned()));
        let long = "x".repeat(MAX_FACET_VALUE_CHARS + 1);
        assert!(SearchParams::from_pairs([("state", long.as_str())])
            .facets
            .is_empty());
    }
}
