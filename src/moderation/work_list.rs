//! The moderation queue as a work list: which waiting (or decided) comments a moderator asks for
//! (filters kept in the page's address), where a decision returns to, and how long a comment
//! they take stays theirs.

use crate::comment::SUBMITTER_TYPES;
use crate::docket::DocketId;
use crate::flags::FlagKind;
use crate::window::closing_instant;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
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
/// Decided comments shown per page of the decided list.
pub const DECIDED_PAGE: i64 = 50;
/// The decided list counts this many matching comments at most ("more than 10,000"): counting a
/// million decisions on every page would cost more than the page. Older ones are reached by
/// narrowing the filter (a docket, an arrival range).
pub const DECIDED_COUNT_CAP: i64 = 10_000;

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
    /// Arrived on or after this day, on the agency's calendar (`from=YYYY-MM-DD`).
    pub arrived_from: Option<NaiveDate>,
    /// Arrived on or before this day, on the agency's calendar (`to=YYYY-MM-DD`).
    pub arrived_to: Option<NaiveDate>,
}

/// A day as a date field sends it (`2023-03-02`), within years a docket can have.
fn day(raw: &str) -> Option<NaiveDate> {
    if raw.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| (1990..=9999).contains(&d.year()))
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
    /// `campaign`, `from`, `to`); `get` gives a parameter's value.
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
            arrived_from: value("from").and_then(|raw| day(&raw)),
            arrived_to: value("to").and_then(|raw| day(&raw)),
        }
    }

    /// The arrival range as instants, `[from, to)`, with days read on `zone`'s calendar.
    pub fn arrival_bounds(&self, zone: Tz) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        // A day starts when the day before it closes.
        let start = self
            .arrived_from
            .map(|d| closing_instant(d.pred_opt().unwrap_or(d), zone));
        let end = self.arrived_to.map(|d| closing_instant(d, zone));
        (start, end)
    }

    pub fn has_arrival_range(&self) -> bool {
        self.arrived_from.is_some() || self.arrived_to.is_some()
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
        if let Some(from) = self.arrived_from {
            pairs.push(("from", from.to_string()));
        }
        if let Some(to) = self.arrived_to {
            pairs.push(("to", to.to_string()));
        }
        pairs
    }

    /// The queue's address with this filter and `page` (from 1; the first is left out).
    pub fn queue_href(&self, page: i64) -> String {
        self.queue_href_with(page, None)
    }

    /// The queue's address, saying which comment was just `decided` when there is one.
    pub fn queue_href_with(&self, page: i64, decided: Option<i64>) -> String {
        address("/staff", self.pairs(), page, ("decided", decided))
    }

    /// A comment's staff page opened from the queue under this filter: it offers the previous
    /// and next comments in the same queue.
    pub fn comment_href(&self, comment: i64) -> String {
        let mut pairs = vec![("in", "queue".to_owned())];
        pairs.extend(self.pairs());
        address(&format!("/staff/comments/{comment}"), pairs, 1, ("", None))
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The page's address: `path` with the filter's `pairs`, the `page` (from 1; the first is left
/// out) and a last `(name, id)` parameter when it has a value.
fn address(
    path: &str,
    mut pairs: Vec<(&'static str, String)>,
    page: i64,
    (name, id): (&'static str, Option<i64>),
) -> String {
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    if let Some(id) = id {
        pairs.push((name, id.to_string()));
    }
    if pairs.is_empty() {
        return path.to_owned();
    }
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE)))
        .collect::<Vec<_>>()
        .join("&");
    format!("{path}?{query}")
}

/// How a decided comment was decided, as the decided list filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Posted,
    Withheld,
}

impl Outcome {
    pub const ALL: [Outcome; 2] = [Outcome::Posted, Outcome::Withheld];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Posted => "posted",
            Outcome::Withheld => "withheld",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Posted => "Posted",
            Outcome::Withheld => "Withheld",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == raw)
    }
}

/// Which decided comments to list: the queue's filter and how they were decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedFilter {
    pub comments: QueueFilter,
    pub outcome: Option<Outcome>,
}

impl DecidedFilter {
    /// Reads the queue's parameters and `outcome` (`posted` or `withheld`).
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            outcome: get("outcome").and_then(|raw| Outcome::parse(raw.trim())),
            comments: QueueFilter::parse(get),
        }
    }

    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.comments.pairs();
        if let Some(outcome) = self.outcome {
            pairs.push(("outcome", outcome.as_str().to_owned()));
        }
        pairs
    }

    /// The decided list's address at `page`, saying which comment was just `returned` to the
    /// queue when there is one.
    pub fn href(&self, page: i64, returned: Option<i64>) -> String {
        address("/staff/decided", self.pairs(), page, ("returned", returned))
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The longest page address a decision form may name to return to; a longer one returns to
/// the queue's first page.
const MAX_RETURN_CHARS: usize = 2_000;

/// The parameters of an address's query, decoded.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let value = percent_encoding::percent_decode_str(&value.replace('+', " "))
                .decode_utf8()
                .ok()?
                .into_owned();
            Some((name.to_owned(), value))
        })
        .collect()
}

/// Where a decision returns to: the page the form was on (`back`, an address of the queue or of
/// the decided list), with the same filter and page, saying which comment was `decided` (so the
/// queue can offer to undo it, and the decided list can say it went back to the queue); the
/// queue also at the comment that followed it (`next`). Only the page's own parameters are kept
/// from `back`, re-encoded: the answer is always an address on this site's staff pages.
pub fn decision_return(back: &str, decided: i64, next: Option<i64>) -> String {
    let back = if back.len() <= MAX_RETURN_CHARS {
        back
    } else {
        ""
    };
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let pairs = query_pairs(query);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let page = get("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let from_queue = get("in").as_deref() == Some("queue");
    match path {
        "/staff/decided" => DecidedFilter::parse(get).href(page, Some(decided)),
        // The comment's own page opened from the queue: shown again, still in the queue.
        p if from_queue && p == format!("/staff/comments/{decided}") => {
            QueueFilter::parse(get).comment_href(decided)
        }
        "/staff" => {
            let anchor = next.map(|id| format!("#item-{id}")).unwrap_or_default();
            let queue = QueueFilter::parse(get).queue_href_with(page, Some(decided));
            format!("{queue}{anchor}")
        }
        _ => QueueFilter::default().queue_href_with(1, Some(decided)),
    }
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
            decision_return("/staff", 7, Some(8)),
            "/staff?decided=7#item-8"
        );
        assert_eq!(
            decision_return("/staff?late=yes&type=organization&page=3", 7, None),
            "/staff?type=organization&late=yes&page=3&decided=7"
        );
        // Anything but the queue's own address and parameters is dropped.
        for hostile in [
            "https://evil.example/staff",
            "//evil.example",
            "/staffing?late=yes",
            "/staff?docket=%22%3E%3Cscript%3E&page=-4&evil=1",
        ] {
            let to = decision_return(hostile, 7, None);
            assert!(to.starts_with("/staff?"), "{hostile} -> {to}");
            assert!(!to.contains("evil") && !to.contains("script"), "{to}");
        }
        let long = format!("/staff?late=yes&x={}", "a".repeat(10_000));
        assert_eq!(decision_return(&long, 7, None), "/staff?decided=7");
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

    #[test]
    fn an_arrival_range_is_read_as_days_on_the_agency_calendar() {
        let f = filter(&[("from", "2023-03-02"), ("to", "2023-03-12")]);
        assert_eq!(f.arrived_from, NaiveDate::from_ymd_opt(2023, 3, 2));
        assert_eq!(
            f.pairs(),
            vec![("from", "2023-03-02".into()), ("to", "2023-03-12".into())]
        );
        let (start, end) = f.arrival_bounds(chrono_tz::America::New_York);
        // Midnight EST on March 2; midnight EDT after March 12 (clocks went forward that day).
        assert_eq!(start.unwrap().to_rfc3339(), "2023-03-02T05:00:00+00:00");
        assert_eq!(end.unwrap().to_rfc3339(), "2023-03-13T04:00:00+00:00");
        for hostile in [
            "2023-02-30",
            "23-03-02",
            "0001-01-01",
            "2023-03-02T00:00",
            "",
            "x",
        ] {
            assert!(
                !filter(&[("from", hostile)]).has_arrival_range(),
                "{hostile}"
            );
        }
        assert!(!filter(&[("to", &"2".repeat(100_000))]).has_arrival_range());
    }

    #[test]
    fn a_decided_list_filter_keeps_its_outcome_and_an_undo_returns_to_it() {
        let get = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let f = DecidedFilter::parse(get(&[("outcome", "withheld"), ("docket", "FTC-2023-0018")]));
        assert_eq!(f.outcome, Some(Outcome::Withheld));
        assert_eq!(
            f.href(2, None),
            "/staff/decided?docket=FTC-2023-0018&outcome=withheld&page=2"
        );
        assert!(DecidedFilter::parse(get(&[("outcome", "deleted")])).is_empty());
        assert_eq!(
            decision_return("/staff/decided?outcome=posted&page=4&evil=1", 9, Some(10)),
            "/staff/decided?outcome=posted&page=4&returned=9"
        );
        assert_eq!(
            decision_return("/staff/decided", 9, None),
            "/staff/decided?returned=9"
        );
        assert_eq!(
            decision_return("/staff/decidedx?outcome=posted", 9, None),
            "/staff?decided=9"
        );
    }

    #[test]
    fn a_comment_opened_from_the_queue_keeps_the_queue_filter() {
        let f = filter(&[("late", "yes"), ("docket", "FTC-2023-0018")]);
        let href = f.comment_href(12);
        assert_eq!(
            href,
            "/staff/comments/12?in=queue&docket=FTC-2023-0018&late=yes"
        );
        assert_eq!(decision_return(&href, 12, Some(13)), href);
        // Another comment's page, or one not opened from the queue, is not where it returns.
        assert_eq!(
            decision_return("/staff/comments/99?in=queue&late=yes", 12, None),
            "/staff?decided=12"
        );
        assert_eq!(
            decision_return("/staff/comments/12", 12, None),
            "/staff?decided=12"
        );
    }
}
