//! What the public pages show, as plain serialisable data built on the server from the core's records.

use opendocket_core::comment::{CommentForm, FieldErrors};
use opendocket_core::window::WindowState;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocketCard {
    pub id: String,
    pub title: String,
    pub agency_name: String,
    pub state: WindowState,
    pub withdrawn: bool,
    pub opens_at: String,
    pub closes_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    pub open: Vec<DocketCard>,
    pub upcoming: Vec<DocketCard>,
    pub closed: Vec<DocketCard>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocketView {
    pub id: String,
    pub title: String,
    pub agency_name: String,
    pub document_id: String,
    pub document_title: String,
    pub document_summary: String,
    /// Sanitised on the server.
    pub document_html: String,
    pub federal_register_citation: Option<String>,
    pub state: WindowState,
    /// "Withdrawn by the agency on …", when it was.
    pub withdrawn: Option<String>,
    /// Comments are taken now (on time, or late where the docket allows it).
    pub accepting: bool,
    pub accepting_late: bool,
    pub opens_at: String,
    pub closes_at: String,
    pub closes_at_ms: i64,
    pub rendered_at_ms: i64,
    /// Signed for this docket when the page was made; the form sends it back.
    pub form_token: String,
    pub counts: CountsView,
    /// "Extended from … to …", oldest first.
    pub extensions: Vec<String>,
    pub posted: Vec<PublicCommentView>,
    pub page: i64,
    pub pages: i64,
    /// Whether an admin published a summary of the docket.
    pub has_summary: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountsView {
    pub received: i64,
    pub posted: i64,
    /// Reason label and count, for each reason used.
    pub withheld: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicCommentView {
    pub public_id: String,
    pub docket_id: String,
    pub submitter: String,
    pub received_at: String,
    pub posted_at: String,
    pub body: String,
    /// When this comment is the letter of a form-letter campaign: how many were received.
    pub campaign_copies: i64,
    /// Files the public may download: (attachment id, "letter.pdf (PDF, 84 KB)").
    pub attachments: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub tracking_number: String,
    pub docket_id: String,
    pub docket_title: String,
    pub received_at: String,
    pub late: bool,
    pub submitter_type: String,
    pub name: String,
    pub organization: Option<String>,
    pub location: Option<String>,
    pub email_given: bool,
    pub body: String,
    /// "letter.pdf (PDF, 84 KB)" for each attached file.
    pub attachments: Vec<String>,
    /// It waits for the link sent to the e-mail address given.
    pub awaiting_confirmation: bool,
}

/// Why a confirmation link did nothing, for the confirmation page the server renders back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationRefused(pub String);

/// A submission the server refused, rendered back into the form (only for the no-JavaScript
/// path: such pages are served without hydration scripts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RejectedSubmission {
    pub form: CommentForm,
    pub errors: FieldErrors,
    pub message: Option<String>,
    pub form_token: String,
}

#[cfg(feature = "ssr")]
mod build {
    use super::*;
    use chrono::{DateTime, Utc};
    use opendocket_core::comment::Submitter;
    use opendocket_core::markdown::render_markdown;
    use opendocket_core::moderation::{DocketCounts, PublicComment};
    use opendocket_core::store::{DocketRecord, Receipt};
    use opendocket_core::window::{
        format_date_in_zone, format_deadline, format_in_zone, Admission,
    };

    impl DocketCard {
        pub fn from_record(record: &DocketRecord, now: DateTime<Utc>) -> Self {
            let zone = record.agency.time_zone;
            Self {
                id: record.id.to_string(),
                title: record.title.clone(),
                agency_name: record.agency.name.clone(),
                state: record.window.state_at(now),
                withdrawn: record.withdrawn_at.is_some(),
                opens_at: format_in_zone(record.window.opens_at, zone),
                closes_at: format_deadline(record.window.closes_at, zone),
            }
        }
    }

    impl HomeView {
        pub fn from_records(records: &[DocketRecord], now: DateTime<Utc>) -> Self {
            let mut view = HomeView::default();
            for record in records {
                let card = DocketCard::from_record(record, now);
                match card.state {
                    _ if card.withdrawn => view.closed.push(card),
                    WindowState::Open => view.open.push(card),
                    WindowState::Scheduled => view.upcoming.push(card),
                    WindowState::Closed => view.closed.push(card),
                }
            }
            view.closed.reverse();
            view
        }
    }

    impl CountsView {
        pub fn from_counts(counts: &DocketCounts) -> Self {
            Self {
                received: counts.received,
                posted: counts.posted,
                withheld: counts
                    .withheld
                    .iter()
                    .map(|(r, n)| (r.label().to_owned(), *n))
                    .collect(),
            }
        }
    }

    impl PublicCommentView {
        pub fn from_comment(comment: &PublicComment, zone: chrono_tz::Tz) -> Self {
            Self {
                public_id: comment.public_id.clone(),
                docket_id: comment.docket_id.clone(),
                submitter: comment.submitter.clone(),
                received_at: format_date_in_zone(comment.received_at, zone),
                posted_at: format_date_in_zone(comment.posted_at, zone),
                body: comment.body.clone(),
                campaign_copies: 0,
                attachments: Vec::new(),
            }
        }
    }

    impl DocketView {
        pub fn from_record(record: &DocketRecord, now: DateTime<Utc>) -> Self {
            let zone = record.agency.time_zone;
            let admission = record.window.admission_at(now);
            Self {
                id: record.id.to_string(),
                title: record.title.clone(),
                agency_name: record.agency.name.clone(),
                document_id: record.document.id.clone(),
                document_title: record.document.title.clone(),
                document_summary: record.document.summary.clone(),
                document_html: render_markdown(&record.document.body_markdown),
                federal_register_citation: record.document.federal_register_citation.clone(),
                state: record.window.state_at(now),
                withdrawn: record.withdrawn_at.map(|t| {
                    format!(
                        "The agency withdrew this docket on {}.",
                        format_in_zone(t, zone)
                    )
                }),
                accepting: record.withdrawn_at.is_none()
                    && matches!(admission, Admission::OnTime | Admission::Late),
                accepting_late: admission == Admission::Late,
                opens_at: format_in_zone(record.window.opens_at, zone),
                closes_at: format_deadline(record.window.closes_at, zone),
                closes_at_ms: record.window.closes_at.timestamp_millis(),
                rendered_at_ms: now.timestamp_millis(),
                form_token: String::new(),
                counts: CountsView::default(),
                extensions: Vec::new(),
                posted: Vec::new(),
                page: 1,
                pages: 1,
                has_summary: false,
            }
        }
    }

    impl ReceiptView {
        pub fn from_receipt(receipt: &Receipt) -> Self {
            let c = &receipt.comment;
            let location = [&c.city, &c.state_province_region, &c.country]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            let name = match &c.submitter {
                Submitter::Organization {
                    first_name,
                    last_name,
                    ..
                } => [first_name.as_deref(), last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.display_name(),
            };
            Self {
                tracking_number: receipt.tracking_number.to_string(),
                docket_id: receipt.docket_id.to_string(),
                docket_title: receipt.docket_title.clone(),
                received_at: format_in_zone(receipt.received_at, receipt.time_zone),
                late: receipt.late,
                submitter_type: c.submitter.submitter_type().label().to_owned(),
                name,
                organization: c.submitter.organization().map(str::to_owned),
                location: (!location.is_empty()).then_some(location),
                email_given: c.email.is_some(),
                awaiting_confirmation: receipt.awaiting_confirmation,
                body: c.body.clone(),
                attachments: receipt.attachments.iter().map(|a| a.describe()).collect(),
            }
        }
    }
}
