//! The demonstration docket created on first start: the FTC's proposed consent order against BetterHelp.

use crate::accounts::Actor;
use crate::docket::{parse_document_file, DocketId, NewDocket};
use crate::store::{Store, StoreError};
use crate::window::{closing_instant, default_due_date, CommentWindow};
use chrono::{DateTime, Utc};

pub const DEMO_DOCKET_ID: &str = "FTC-2023-0018";
const DEMO_DOCUMENT: &str = include_str!("demo/betterhelp.md");

/// The demo docket, opening at `now` for the default 30 days, in the same form the CLI builds.
pub fn betterhelp_docket(now: DateTime<Utc>) -> NewDocket {
    let time_zone = chrono_tz::America::New_York;
    let title = "BetterHelp, Inc.; Proposed Consent Order (FTC File No. 202 3169)";
    let document = parse_document_file(DEMO_DOCUMENT, title)
        .expect("the bundled demo document is well-formed");
    let closes_at = closing_instant(default_due_date(now, time_zone), time_zone);
    NewDocket {
        id: DocketId::parse(DEMO_DOCKET_ID).expect("the demo docket id is well-formed"),
        title: title.to_owned(),
        agency_name: "Federal Trade Commission".to_owned(),
        time_zone,
        document,
        window: CommentWindow::new(now, closes_at, false)
            .expect("a 30-day window closes after it opens"),
    }
}

/// On an installation's first start creates the demo docket, once: it does not come back after
/// staff remove it. Returns whether it was created now.
pub async fn create_demo_docket_on_first_start(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    match store
        .create_docket_once(
            "demo_docket_created_at",
            &betterhelp_docket(now),
            &Actor::System,
            now,
        )
        .await
    {
        // A docket with the demo's id was created by hand before the first start: leave it be.
        Err(StoreError::DocketExists(_)) => Ok(false),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_docket_names_the_ftc_file_and_runs_thirty_days() {
        let now = DateTime::parse_from_rfc3339("2023-03-14T14:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let docket = betterhelp_docket(now);
        assert!(docket.title.contains("FTC File No. 202 3169"));
        assert_eq!(
            docket.document.federal_register_citation.as_deref(),
            Some("88 FR 15717")
        );
        assert_eq!(
            docket.window.closes_at,
            DateTime::parse_from_rfc3339("2023-04-14T04:00:00Z").unwrap()
        );
        assert!(docket.document.body_markdown.contains("$7.8 million"));
    }
}
