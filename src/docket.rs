//! Dockets and their documents: identifiers in the regulations.gov style and the data a docket is created from.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// A docket identifier such as `FTC-2023-0018`: an agency code (optionally with sub-office
/// segments, as in `EPA-HQ-OAR-2021-0317`), a four-digit year and a four-digit sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocketId(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("a docket id looks like FTC-2023-0018: an agency code in capitals, a four-digit year and a four-digit number")]
pub struct DocketIdError;

fn is_code_segment(segment: &str) -> bool {
    (1..=10).contains(&segment.len())
        && segment
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && segment.as_bytes()[0].is_ascii_uppercase()
}

fn is_digits(segment: &str, len: usize) -> bool {
    segment.len() == len && segment.bytes().all(|b| b.is_ascii_digit())
}

impl DocketId {
    pub fn parse(raw: &str) -> Result<Self, DocketIdError> {
        let raw = raw.trim();
        let segments: Vec<&str> = raw.split('-').collect();
        let n = segments.len();
        let ok = (3..=6).contains(&n)
            && segments[..n - 2].iter().all(|s| is_code_segment(s))
            && is_digits(segments[n - 2], 4)
            && is_digits(segments[n - 1], 4);
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DocketIdError)
        }
    }

    /// The agency's code: the first segment (`FTC` in `FTC-2023-0018`).
    pub fn agency_code(&self) -> &str {
        self.0.split('-').next().unwrap_or_default()
    }

    /// The id of the docket's `n`th document, as regulations.gov numbers them (`FTC-2023-0018-0001`).
    pub fn document_id(&self, n: u32) -> String {
        format!("{}-{n:04}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An agency: the code that starts its docket ids, its name, and the zone its deadlines are in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub code: String,
    pub name: String,
    pub time_zone: chrono_tz::Tz,
}

/// The document a docket asks the public to comment on (the proposed order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDocument {
    pub title: String,
    pub summary: String,
    pub body_markdown: String,
    pub federal_register_citation: Option<String>,
}

/// Everything needed to open a docket for comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDocket {
    pub id: DocketId,
    pub title: String,
    pub agency_name: String,
    pub time_zone: chrono_tz::Tz,
    pub document: NewDocument,
    pub window: crate::window::CommentWindow,
}

/// A docket as typed into a form or given as command-line flags, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocketDraft {
    pub id: String,
    pub title: String,
    pub agency_name: String,
    pub time_zone: String,
    /// An RFC 3339 instant, or a local time (`2023-03-14T09:00`) on the agency's clock.
    pub opens_at: String,
    /// `YYYY-MM-DD`; the window takes comments through that whole day. Empty: 30 days.
    pub due_date: String,
    /// An exact closing instant, instead of a due date.
    pub closes_at: String,
    pub allow_late: bool,
}

/// Which part of a draft is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct DraftError {
    pub field: DraftField,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DraftField {
    Id,
    Title,
    Agency,
    TimeZone,
    OpensAt,
    DueDate,
    ClosesAt,
}

/// An instant from a form or a flag: RFC 3339, or a local time on the agency's clock.
pub fn parse_instant_in_zone(
    raw: &str,
    zone: chrono_tz::Tz,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let raw = raw.trim();
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Some(instant.with_timezone(&chrono::Utc));
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(raw, format).ok())
        .and_then(|local| zone.from_local_datetime(&local).earliest())
        .map(|t| t.with_timezone(&chrono::Utc))
}

impl DocketDraft {
    /// Checks the draft; `document` is what the docket asks the public to comment on.
    pub fn parse(&self, document: NewDocument) -> Result<NewDocket, DraftError> {
        use crate::window::{closing_instant, default_due_date, parse_time_zone, CommentWindow};
        let fail = |field, message: String| DraftError { field, message };
        let id = DocketId::parse(&self.id).map_err(|e| fail(DraftField::Id, e.to_string()))?;
        let title = self.title.trim();
        if title.is_empty() {
            return Err(fail(DraftField::Title, "the title is required".into()));
        }
        let agency_name = self.agency_name.trim();
        if agency_name.is_empty() {
            return Err(fail(
                DraftField::Agency,
                "the agency's name is required".into(),
            ));
        }
        let zone = parse_time_zone(&self.time_zone)
            .map_err(|e| fail(DraftField::TimeZone, e.to_string()))?;
        let instant_help =
            "such as 2023-03-14T09:00:00-04:00, or 2023-03-14T09:00 on the agency's clock";
        let opens_at = parse_instant_in_zone(&self.opens_at, zone).ok_or_else(|| {
            fail(
                DraftField::OpensAt,
                format!(
                    "the opening time must be an instant {instant_help}, not {:?}",
                    self.opens_at
                ),
            )
        })?;
        let closes_at = if !self.closes_at.trim().is_empty() {
            parse_instant_in_zone(&self.closes_at, zone).ok_or_else(|| {
                fail(
                    DraftField::ClosesAt,
                    format!(
                        "the closing time must be an instant {instant_help}, not {:?}",
                        self.closes_at
                    ),
                )
            })?
        } else if !self.due_date.trim().is_empty() {
            let date = chrono::NaiveDate::parse_from_str(self.due_date.trim(), "%Y-%m-%d")
                .map_err(|_| {
                    fail(
                        DraftField::DueDate,
                        format!(
                            "the due date must look like 2023-04-13, not {:?}",
                            self.due_date
                        ),
                    )
                })?;
            closing_instant(date, zone)
        } else {
            closing_instant(default_due_date(opens_at, zone), zone)
        };
        let window = CommentWindow::new(opens_at, closes_at, self.allow_late).map_err(|e| {
            fail(
                if self.closes_at.trim().is_empty() {
                    DraftField::DueDate
                } else {
                    DraftField::ClosesAt
                },
                e.to_string(),
            )
        })?;
        let document = NewDocument {
            title: if document.title.trim().is_empty() {
                title.to_owned()
            } else {
                document.title
            },
            ..document
        };
        Ok(NewDocket {
            id,
            title: title.to_owned(),
            agency_name: agency_name.to_owned(),
            time_zone: zone,
            document,
            window,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocumentFileError {
    #[error("the front matter opened with +++ is never closed with +++")]
    UnclosedFrontMatter,
    #[error("the front matter is not valid TOML: {0}")]
    FrontMatter(String),
}

/// A document file: Markdown, optionally opened by TOML front matter between `+++` lines
/// giving `title`, `summary` and `federal_register`.
#[cfg(feature = "ssr")]
pub fn parse_document_file(
    text: &str,
    default_title: &str,
) -> Result<NewDocument, DocumentFileError> {
    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct FrontMatter {
        title: Option<String>,
        summary: Option<String>,
        federal_register: Option<String>,
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (front, body) = match text.strip_prefix("+++") {
        Some(rest) => {
            let end = rest
                .find("\n+++")
                .ok_or(DocumentFileError::UnclosedFrontMatter)?;
            let after = &rest[end + 4..];
            let body = after.split_once('\n').map(|(_, b)| b).unwrap_or("");
            let front: FrontMatter = toml::from_str(&rest[..end])
                .map_err(|e| DocumentFileError::FrontMatter(e.message().to_owned()))?;
            (front, body)
        }
        None => (FrontMatter::default(), text),
    };
    Ok(NewDocument {
        title: front.title.unwrap_or_else(|| default_title.to_owned()),
        summary: front.summary.unwrap_or_default().trim().to_owned(),
        body_markdown: body.trim().to_owned(),
        federal_register_citation: front.federal_register,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_agency_year_number() {
        let id = DocketId::parse("FTC-2023-0018").unwrap();
        assert_eq!(id.agency_code(), "FTC");
        assert_eq!(id.document_id(1), "FTC-2023-0018-0001");
        let nested = DocketId::parse("EPA-HQ-OAR-2021-0317").unwrap();
        assert_eq!(nested.agency_code(), "EPA");
    }

    #[test]
    fn refuses_malformed_ids() {
        for bad in [
            "",
            "FTC",
            "ftc-2023-0018",
            "FTC-23-0018",
            "FTC-2023-18",
            "FTC-2023-0018-",
            "-2023-0018",
            "FTC-2023-001x",
            "<b>-2023-0001",
        ] {
            assert!(DocketId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    fn draft() -> DocketDraft {
        DocketDraft {
            id: "FTC-2023-0018".into(),
            title: "BetterHelp".into(),
            agency_name: "Federal Trade Commission".into(),
            time_zone: "America/New_York".into(),
            opens_at: "2023-03-14T09:00".into(),
            due_date: "2023-04-13".into(),
            ..Default::default()
        }
    }

    fn empty_document() -> NewDocument {
        NewDocument {
            title: String::new(),
            summary: String::new(),
            body_markdown: String::new(),
            federal_register_citation: None,
        }
    }

    #[test]
    fn drafts_take_local_times_on_the_agencys_clock() {
        let docket = draft().parse(empty_document()).unwrap();
        assert_eq!(
            docket.window.opens_at.to_rfc3339(),
            "2023-03-14T13:00:00+00:00"
        );
        assert_eq!(
            docket.window.closes_at.to_rfc3339(),
            "2023-04-14T04:00:00+00:00"
        );
        assert_eq!(
            docket.document.title, "BetterHelp",
            "an untitled document takes the docket's title"
        );
    }

    #[test]
    fn drafts_name_the_field_that_is_wrong() {
        let cases = [
            (
                DocketDraft {
                    id: "nope".into(),
                    ..draft()
                },
                DraftField::Id,
            ),
            (
                DocketDraft {
                    title: " ".into(),
                    ..draft()
                },
                DraftField::Title,
            ),
            (
                DocketDraft {
                    agency_name: "".into(),
                    ..draft()
                },
                DraftField::Agency,
            ),
            (
                DocketDraft {
                    time_zone: "Mars/Base".into(),
                    ..draft()
                },
                DraftField::TimeZone,
            ),
            (
                DocketDraft {
                    opens_at: "soon".into(),
                    ..draft()
                },
                DraftField::OpensAt,
            ),
            (
                DocketDraft {
                    due_date: "13/04/2023".into(),
                    ..draft()
                },
                DraftField::DueDate,
            ),
            (
                DocketDraft {
                    due_date: "2023-03-01".into(),
                    ..draft()
                },
                DraftField::DueDate,
            ),
            (
                DocketDraft {
                    closes_at: "2023-03-01T00:00:00Z".into(),
                    ..draft()
                },
                DraftField::ClosesAt,
            ),
        ];
        for (draft, field) in cases {
            assert_eq!(
                draft.parse(empty_document()).unwrap_err().field,
                field,
                "{draft:?}"
            );
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn document_file_with_front_matter() {
        let doc = parse_document_file(
            "+++\ntitle = \"Proposed order\"\nsummary = \"Short.\"\nfederal_register = \"88 FR 15717\"\n+++\n# Body\n",
            "Fallback",
        )
        .unwrap();
        assert_eq!(doc.title, "Proposed order");
        assert_eq!(doc.summary, "Short.");
        assert_eq!(
            doc.federal_register_citation.as_deref(),
            Some("88 FR 15717")
        );
        assert_eq!(doc.body_markdown, "# Body");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn document_file_without_front_matter_takes_the_docket_title() {
        let doc = parse_document_file("Just text.", "Fallback").unwrap();
        assert_eq!(doc.title, "Fallback");
        assert_eq!(doc.body_markdown, "Just text.");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn document_file_errors_are_reported() {
        assert_eq!(
            parse_document_file("+++\ntitle = 1\n", "x"),
            Err(DocumentFileError::UnclosedFrontMatter)
        );
        assert!(matches!(
            parse_document_file("+++\nnope = 1\n+++\n", "x"),
            Err(DocumentFileError::FrontMatter(_))
        ));
    }
}
