//! The moderation queue as a work list: which waiting comments a moderator asks for (filters
//! kept in the page's address) and how long a comment they take stays theirs.

use crate::comment::SUBMITTER_TYPES;
use crate::docket::DocketId;
use crate::flags::FlagKind;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

/// What a value in a queue address escapes: everything but letters, digits and `-_.~`, so a
/// docket id reads as itself.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// How long comments a moderator takes stay out of other moderators' queues.
pub const CLAIM_MINUTES: i64 = 30;
/// The most comments one "take" claims.
pub const MAX_CLAIM: i64 = 100;
/// Waiting comments shown per page of the queue.
pub const QUEUE_PAGE: i64 = 50;

/// Which waiting comments to list or take. Every part is optional; a value that is not one
/// the queue knows is left out (the filter form shows what is in force).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub docket: Option<String>,
    pub flag: Option<FlagKind>,
    pub submitter_type: Option<String>,
    pub late: Option<bool>,
    /// With files attached (`Some(true)`) or without (`Some(false)`).
    pub files: Option<bool>,
    pub campaign: Option<i64>,
}

fn yes_no(raw: &str) -> Option<bool> {
    match raw {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

impl QueueFilter {
    /// Reads the filter from a page's parameters (`docket`, `flag`, `type`, `late`, `files`,
    /// `campaign`); `get` gives a parameter's value.
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Self {
        let value = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            docket: value("docket")
                .and_then(|raw| DocketId::parse(&raw).ok())
                .map(|id| id.as_str().to_owned()),
            flag: value("flag").and_then(|raw| FlagKind::parse(&raw)),
            submitter_type: value("type").filter(|t| SUBMITTER_TYPES.contains(&t.as_str())),
            late: value("late").and_then(|raw| yes_no(&raw)),
            files: value("files").and_then(|raw| yes_no(&raw)),
            campaign: value("campaign")
                .and_then(|raw| raw.parse::<i64>().ok())
                .filter(|id| *id > 0),
        }
    }

    /// The filter as page parameters, in a fixed order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let word = |b: bool| if b { "yes" } else { "no" }.to_owned();
        let mut pairs = Vec::new();
        if let Some(docket) = &self.docket {
            pairs.push(("docket", docket.clone()));
        }
        if let Some(flag) = self.flag {
            pairs.push(("flag", flag.as_str().to_owned()));
        }
        if let Some(kind) = &self.submitter_type {
            pairs.push(("type", kind.clone()));
        }
        if let Some(late) = self.late {
            pairs.push(("late", word(late)));
        }
        if let Some(files) = self.files {
            pairs.push(("files", word(files)));
        }
        if let Some(campaign) = self.campaign {
            pairs.push(("campaign", campaign.to_string()));
        }
        pairs
    }

    /// The queue's address with this filter and `page` (from 1; the first is left out).
    pub fn queue_href(&self, page: i64) -> String {
        self.queue_href_with(page, None)
    }

    /// The queue's address, saying which comment was just `decided` when there is one.
    pub fn queue_href_with(&self, page: i64, decided: Option<i64>) -> String {
        let mut pairs = self.pairs();
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        if let Some(decided) = decided {
            pairs.push(("decided", decided.to_string()));
        }
        if pairs.is_empty() {
            return "/staff".to_owned();
        }
        let query = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE)))
            .collect::<Vec<_>>()
            .join("&");
        format!("/staff?{query}")
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The longest queue address a decision form may name to return to; a longer one returns to
/// the queue's first page.
const MAX_RETURN_CHARS: usize = 2_000;

/// Where a decision made in the queue returns to: the page the form was on (`back`, a queue
/// address), with the same filter, saying which comment was `decided` (so the page can offer to
/// undo it), at the comment that followed it (`next`). Only the queue's own parameters are kept
/// from `back`, re-encoded: the answer is always an address on this site's queue.
pub fn queue_return(back: &str, decided: i64, next: Option<i64>) -> String {
    let query = match back.strip_prefix("/staff") {
        Some(rest) if back.len() <= MAX_RETURN_CHARS => rest.strip_prefix('?').unwrap_or(""),
        _ => "",
    };
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let value = percent_encoding::percent_decode_str(&value.replace('+', " "))
                .decode_utf8()
                .ok()?
                .into_owned();
            Some((name.to_owned(), value))
        })
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let filter = QueueFilter::parse(get);
    let page = get("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let anchor = next.map(|id| format!("#item-{id}")).unwrap_or_default();
    format!("{}{anchor}", filter.queue_href_with(page, Some(decided)))
}

/// What a moderator's queue holds: a page of the comments they may work on (their own claims
/// first) and the counts behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCounts {
    /// Waiting comments matching the filter that this moderator may work on (unclaimed, theirs,
    /// or claimed by someone whose claim ran out).
    pub open: i64,
    /// Of those, claimed by this moderator and still theirs.
    pub mine: i64,
    /// Matching the filter but taken by another moderator for now.
    pub taken_by_others: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn filter(pairs: &[(&str, &str)]) -> QueueFilter {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        QueueFilter::parse(|name| map.get(name).cloned())
    }

    #[test]
    fn a_filter_reads_what_it_knows_and_leaves_out_the_rest() {
        let f = filter(&[
            ("docket", "FTC-2023-0018"),
            ("flag", "phone"),
            ("type", "organization"),
            ("late", "yes"),
            ("files", "no"),
            ("campaign", "7"),
        ]);
        assert_eq!(f.docket.as_deref(), Some("FTC-2023-0018"));
        assert_eq!(f.submitter_type.as_deref(), Some("organization"));
        assert_eq!(
            (f.late, f.files, f.campaign),
            (Some(true), Some(false), Some(7))
        );
        assert_eq!(QueueFilter::parse(|_| None), QueueFilter::default());
        let garbage = filter(&[
            ("docket", "'; DROP TABLE comments; --"),
            ("flag", "nonsense"),
            ("type", "robot"),
            ("late", "maybe"),
            ("files", ""),
            ("campaign", "-3"),
        ]);
        assert!(garbage.is_empty(), "{garbage:?}");
        let long = "9".repeat(100_000);
        assert!(filter(&[("campaign", &long), ("docket", &long)]).is_empty());
    }

    #[test]
    fn a_decision_returns_to_the_same_page_of_the_same_filter_at_the_next_comment() {
        assert_eq!(
            queue_return("/staff", 7, Some(8)),
            "/staff?decided=7#item-8"
        );
        assert_eq!(
            queue_return("/staff?late=yes&type=organization&page=3", 7, None),
            "/staff?type=organization&late=yes&page=3&decided=7"
        );
        // Anything but the queue's own address and parameters is dropped.
        for hostile in [
            "https://evil.example/staff",
            "//evil.example",
            "/staffing?late=yes",
            "/staff?docket=%22%3E%3Cscript%3E&page=-4&evil=1",
        ] {
            let to = queue_return(hostile, 7, None);
            assert!(to.starts_with("/staff?"), "{hostile} -> {to}");
            assert!(!to.contains("evil") && !to.contains("script"), "{to}");
        }
        let long = format!("/staff?late=yes&x={}", "a".repeat(10_000));
        assert_eq!(queue_return(&long, 7, None), "/staff?decided=7");
    }

    #[test]
    fn the_address_keeps_the_filter_and_the_page() {
        assert_eq!(QueueFilter::default().queue_href(1), "/staff");
        assert_eq!(QueueFilter::default().queue_href(3), "/staff?page=3");
        let f = filter(&[("docket", "FTC-2023-0018"), ("late", "no")]);
        assert_eq!(
            f.queue_href(2),
            "/staff?docket=FTC-2023-0018&late=no&page=2"
        );
        let again = QueueFilter::parse(|name| {
            f.pairs()
                .into_iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v)
        });
        assert_eq!(again, f);
    }
}
