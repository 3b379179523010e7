//! Moderation: the queue of received comments, decisions to post or withhold them (refused when
//! made on a stale view), and what the public may see of posted comments.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommentStatus {
    Pending,
    Posted,
    Withheld,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pending",
            CommentStatus::Posted => "posted",
            CommentStatus::Withheld => "withheld",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Posted, Self::Withheld]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WithholdReason {
    PersonalInformation,
    AbusiveLanguage,
    OffTopic,
    Spam,
    DuplicateSubmission,
    Other,
    /// Its submitter never followed the e-mail confirmation link before the close (set by the
    /// scheduler, never chosen by a moderator).
    NotConfirmed,
}

impl WithholdReason {
    /// The reasons a moderator chooses from.
    pub const MODERATOR_CHOICES: [WithholdReason; 6] = [
        Self::PersonalInformation,
        Self::AbusiveLanguage,
        Self::OffTopic,
        Self::Spam,
        Self::DuplicateSubmission,
        Self::Other,
    ];
    pub const ALL: [WithholdReason; 7] = {
        let c = Self::MODERATOR_CHOICES;
        [c[0], c[1], c[2], c[3], c[4], c[5], Self::NotConfirmed]
    };

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PersonalInformation => "personal_information",
            Self::AbusiveLanguage => "abusive_language",
            Self::OffTopic => "off_topic",
            Self::Spam => "spam",
            Self::DuplicateSubmission => "duplicate_submission",
            Self::Other => "other",
            Self::NotConfirmed => "not_confirmed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::PersonalInformation => "Personal information",
            Self::AbusiveLanguage => "Abusive language",
            Self::OffTopic => "Off-topic",
            Self::Spam => "Spam",
            Self::DuplicateSubmission => "Duplicate submission",
            Self::Other => "Other",
            Self::NotConfirmed => "Not confirmed by e-mail",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// A reason a moderator may give (a form naming any other is refused).
    pub fn chosen(raw: &str) -> Option<Self> {
        Self::MODERATOR_CHOICES
            .into_iter()
            .find(|r| r.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Post, with every occurrence of these phrases replaced by "[redacted]" in public.
    Post { redact: Vec<String> },
    Withhold {
        reason: WithholdReason,
        note: Option<String>,
    },
    /// Undo a decision: the comment leaves public view and goes back to the queue.
    Restore,
}

/// A comment as a moderator sees it: everything, including contact details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub id: i64,
    pub version: i64,
    pub docket_id: String,
    pub docket_title: String,
    pub time_zone: String,
    pub received_at: DateTime<Utc>,
    pub late: bool,
    pub submitter_type: String,
    pub name: String,
    pub email: Option<String>,
    pub body: String,
    /// What the text looked like it contained when it arrived (suggestions only).
    pub flags: Vec<String>,
    /// The form-letter campaign it belongs to: (campaign id, comments in it).
    pub campaign: Option<(i64, i64)>,
    /// Needs the moderator's own decision: listed after the others, never posted in bulk.
    pub held: bool,
}

/// Comments awaiting a decision that came from one network within one burst window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Burst {
    pub docket_id: String,
    pub time_zone: String,
    /// The docket's keyed hash of the network: names the burst, never an address.
    pub network: String,
    /// Which `BURST_WINDOW_MS` window of time since 1970.
    pub window: i64,
    pub comments: i64,
    pub held: i64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

/// Comments from one network are grouped in windows of this many milliseconds (ten minutes).
pub const BURST_WINDOW_MS: i64 = 600_000;
/// A window with at least this many comments from one network is shown as a burst.
pub const BURST_MIN_COMMENTS: i64 = 5;

/// A comment someone has decided on, for undoing the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedComment {
    pub id: i64,
    pub version: i64,
    pub docket_id: String,
    pub status: CommentStatus,
    pub reason: Option<WithholdReason>,
    pub public_id: Option<String>,
    pub body: String,
    pub decided_by: Option<String>,
    pub decided_at: DateTime<Utc>,
    pub time_zone: String,
    pub submitter_type: String,
    /// The organization, the person, or "Anonymous".
    pub name: String,
}

/// One comment as staff see it on its own page: what the queue shows, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffComment {
    pub item: QueueItem,
    pub status: CommentStatus,
    pub public_id: Option<String>,
    pub reason: Option<WithholdReason>,
    /// The text as posted when a moderator redacted part of it.
    pub redacted_body: Option<String>,
    pub decided_by: Option<String>,
}

/// A posted comment as the public sees it: never e-mail or contact details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicComment {
    pub public_id: String,
    pub docket_id: String,
    pub received_at: DateTime<Utc>,
    pub posted_at: DateTime<Utc>,
    pub submitter: String,
    pub body: String,
}

/// Whether `raw` could be a posted comment's public id (`FTC-2023-0018-00042`): anything else
/// (a NUL byte, 10,000 characters) is answered as unknown before it reaches the database.
pub fn could_be_public_id(raw: &str) -> bool {
    (1..=64).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Where a page of posted comments (newest first) starts: read by key, so a page deep in a large
/// docket costs what the first one does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostedPage {
    Newest,
    /// The comments posted before this one (by its public id): the next, older page.
    Before(String),
    /// The comments posted after this one: the previous, newer page.
    After(String),
}

/// How far from either end of a docket's posted list a page can be opened by its number alone
/// (`?page=N`, typed or kept from an old link). Links page by key; a number is read by position,
/// which skips every entry before it, so a deeper number opens the nearest page within reach:
/// at 25 a page that skip is at most 12,500 index entries (about 2 ms), whatever the docket's size.
pub const PAGES_BY_NUMBER: i64 = 500;

/// The page that `?page=page` opens in a list of `pages` pages: itself when it is within
/// `PAGES_BY_NUMBER` of the first or the last page, else the nearest page that is.
pub fn page_by_number(page: i64, pages: i64) -> i64 {
    let pages = pages.max(1);
    let page = page.clamp(1, pages);
    let newest_reach = PAGES_BY_NUMBER.min(pages);
    let oldest_reach = (pages - PAGES_BY_NUMBER + 1).max(1);
    if page <= newest_reach || page >= oldest_reach {
        page
    } else if page - newest_reach <= oldest_reach - page {
        newest_reach
    } else {
        oldest_reach
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocketCounts {
    pub received: i64,
    pub posted: i64,
    pub pending: i64,
    pub withheld: Vec<(WithholdReason, i64)>,
}

#[cfg(feature = "ssr")]
pub use storage::ModerationError;
pub use work_list::{
    decision_return, DecidedFilter, Outcome, QueueFilter, WorkCounts, CLAIM_MINUTES,
    DECIDED_COUNT_CAP, DECIDED_PAGE, MAX_CLAIM, QUEUE_PAGE,
};

mod work_list;
#[cfg(feature = "ssr")]
mod work_list_storage;

#[cfg(feature = "ssr")]
mod storage;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::storage::display_name;
    use super::*;

    #[test]
    fn a_page_number_opens_itself_near_either_end_and_the_nearest_reachable_page_between() {
        assert_eq!(page_by_number(1, 1), 1);
        assert_eq!(page_by_number(7, 3), 3, "past the end: the last page");
        assert_eq!(page_by_number(-4, 3), 1);
        assert_eq!(page_by_number(900, 1000), 900, "a small docket: every page");
        let pages = 40_000; // a million comments
        assert_eq!(page_by_number(PAGES_BY_NUMBER, pages), PAGES_BY_NUMBER);
        assert_eq!(page_by_number(PAGES_BY_NUMBER + 1, pages), PAGES_BY_NUMBER);
        assert_eq!(page_by_number(pages - 10, pages), pages - 10);
        let oldest_reach = pages - PAGES_BY_NUMBER + 1;
        assert_eq!(page_by_number(oldest_reach, pages), oldest_reach);
        assert_eq!(page_by_number(oldest_reach - 1, pages), oldest_reach);
        assert_eq!(page_by_number(20_000, pages), PAGES_BY_NUMBER);
        assert_eq!(page_by_number(30_000, pages), oldest_reach);
    }

    #[test]
    fn public_ids_are_told_from_garbage() {
        assert!(could_be_public_id("FTC-2023-0018-00042"));
        for bad in ["", "a\0b", "a b", "ü", &"9".repeat(65), "1;DROP"] {
            assert!(!could_be_public_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn statuses_and_reasons_round_trip() {
        for s in [
            CommentStatus::Pending,
            CommentStatus::Posted,
            CommentStatus::Withheld,
        ] {
            assert_eq!(CommentStatus::parse(s.as_str()), Some(s));
        }
        for r in WithholdReason::ALL {
            assert_eq!(WithholdReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(WithholdReason::parse("bogus"), None);
        assert_eq!(WithholdReason::chosen("not_confirmed"), None);
        assert_eq!(WithholdReason::chosen("spam"), Some(WithholdReason::Spam));
    }

    #[test]
    fn public_names_follow_the_submitter_type() {
        assert_eq!(
            display_name(
                "individual",
                Some("Ada".into()),
                Some("Lovelace".into()),
                None
            ),
            "Ada Lovelace"
        );
        assert_eq!(
            display_name("organization", Some("Ada".into()), None, Some("EFF".into())),
            "EFF"
        );
        assert_eq!(
            display_name("anonymous", Some("Ada".into()), None, None),
            "Anonymous"
        );
    }
}
