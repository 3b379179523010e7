//! Importing comments: regulations.gov v4 comment JSON (already public: they arrive posted and
//! keep their ids, tracking numbers, text and dates) and CSV files of paper comments typed in by
//! staff (they arrive pending, for moderation). Every row is checked on its own; a broken row is
//! reported with its reason and the others go on. Importing the same file twice adds nothing.

mod storage;

pub use storage::Imported;

use crate::comment::{validate, CommentForm, NewComment};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// A comment from a regulations.gov export, as it will be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicRecord {
    pub public_id: String,
    pub object_id: Option<String>,
    pub tracking_number: String,
    pub docket_id: String,
    pub document_id: String,
    pub document_object_id: Option<String>,
    pub agency_id: Option<String>,
    pub submitter_type: &'static str,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub organization: Option<String>,
    pub city: Option<String>,
    pub state_province_region: Option<String>,
    pub country: Option<String>,
    pub category: Option<String>,
    pub title: Option<String>,
    /// Verbatim, as regulations.gov published it.
    pub body: String,
    pub received_at: DateTime<Utc>,
    pub posted_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    pub duplicate_comments: i64,
}

/// A paper comment typed in by staff, as it will be stored (pending moderation).
#[derive(Debug, Clone, PartialEq)]
pub struct PaperRecord {
    pub comment: NewComment,
    pub received_at: DateTime<Utc>,
    /// What makes importing the same row again harmless.
    pub seed: String,
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// "file.json", "file.jsonl line 3", "letters.csv row 4".
    pub source: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: u64,
    /// Rows already imported before (the same id or the same paper row).
    pub already_there: u64,
    pub rejected: Vec<Rejected>,
}

fn text(attributes: &Value, name: &str) -> Result<Option<String>, String> {
    match attributes.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
        Some(other) => Err(format!("{name} should be text, not {other}")),
    }
}

fn instant(attributes: &Value, name: &str) -> Result<Option<DateTime<Utc>>, String> {
    text(attributes, name)?
        .map(|raw| {
            DateTime::parse_from_rfc3339(&raw)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| format!("{name} {raw:?} is not a date like 2015-09-30T04:00:00Z"))
        })
        .transpose()
}

/// Reads one regulations.gov v4 comment: `{"data": {"id", "type": "comments", "attributes"}}`
/// (a detail answer) or the `data` object alone. `docket` is the docket being imported into.
pub fn read_v4_comment(value: &Value, docket: &str) -> Result<PublicRecord, String> {
    let data = value.get("data").unwrap_or(value);
    if data["type"] != "comments" {
        return Err("this is not a comment (its type is not \"comments\")".to_owned());
    }
    let Some(public_id) = data["id"].as_str().map(str::trim).filter(|s| !s.is_empty()) else {
        return Err("the comment has no id".to_owned());
    };
    let a = &data["attributes"];
    if !a.is_object() {
        return Err(format!("{public_id} has no attributes"));
    }
    let docket_id = text(a, "docketId")?.ok_or(format!("{public_id} has no docketId"))?;
    if docket_id != docket {
        return Err(format!(
            "{public_id} belongs to docket {docket_id}, not {docket}"
        ));
    }
    if a["withdrawn"] == true {
        return Err(format!("{public_id} was withdrawn on regulations.gov"));
    }
    let document_id =
        text(a, "commentOnDocumentId")?.ok_or(format!("{public_id} has no commentOnDocumentId"))?;
    let tracking_number =
        text(a, "trackingNbr")?.ok_or(format!("{public_id} has no trackingNbr"))?;
    let received_at =
        instant(a, "receiveDate")?.ok_or(format!("{public_id} has no receiveDate"))?;
    let posted_at = instant(a, "postedDate")?.ok_or(format!(
        "{public_id} has no postedDate (only posted comments are in a regulations.gov export)"
    ))?;
    let modified_at = instant(a, "modifyDate")?
        .or(instant(a, "lastModifiedDate")?)
        .unwrap_or(posted_at);
    let first_name = text(a, "firstName")?;
    let last_name = text(a, "lastName")?;
    let organization = text(a, "organization")?;
    let submitter_type = if organization.is_some() {
        "organization"
    } else if first_name.is_some() || last_name.is_some() {
        "individual"
    } else {
        "anonymous"
    };
    let duplicate_comments = match &a["duplicateComments"] {
        Value::Null => 0,
        value => value.as_i64().filter(|n| *n >= 0).ok_or(format!(
            "{public_id}: duplicateComments should be a whole number"
        ))?,
    };
    // The text exactly as published; "See attached" comments may have none.
    let body = match &a["comment"] {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => return Err(format!("{public_id}: comment should be text, not {other}")),
    };
    Ok(PublicRecord {
        public_id: public_id.to_owned(),
        object_id: text(a, "objectId")?,
        tracking_number,
        docket_id,
        document_id,
        document_object_id: text(a, "commentOn")?,
        agency_id: text(a, "agencyId")?,
        submitter_type,
        first_name,
        last_name,
        organization,
        city: text(a, "city")?,
        state_province_region: text(a, "stateProvinceRegion")?,
        country: text(a, "country")?,
        category: text(a, "category")?,
        title: text(a, "title")?,
        body,
        received_at,
        posted_at,
        modified_at,
        duplicate_comments,
    })
}

/// The columns a paper-comment CSV may have (its first row names them; any order).
pub const PAPER_COLUMNS: [&str; 9] = [
    "Submitter Type",
    "First Name",
    "Last Name",
    "Organization Name",
    "City",
    "State/Province",
    "Country",
    "Received Date",
    "Comment",
];

/// A received date: `2023-04-10` (the start of that day in `zone`) or an RFC 3339 instant.
fn received(raw: &str, zone: chrono_tz::Tz) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| format!("Received Date {raw:?} is not a date like 2023-04-10"))?;
    let midnight: NaiveDateTime = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("Received Date {raw:?} does not exist in {zone}"))
}

/// Reads a CSV of paper comments: each row checked as the web form checks a comment. Returns
/// the good rows (with their row number) and the rejected ones.
pub fn read_paper_csv(
    bytes: &[u8],
    file: &str,
    docket: &str,
    zone: chrono_tz::Tz,
) -> (Vec<(usize, PaperRecord)>, Vec<Rejected>) {
    let mut good = Vec::new();
    let mut rejected = Vec::new();
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => {
            rejected.push(Rejected {
                source: file.to_owned(),
                reason: format!("the first row (the column names) cannot be read: {e}"),
            });
            return (good, rejected);
        }
    };
    if let Some(unknown) = headers.iter().find(|h| !PAPER_COLUMNS.contains(&h.trim())) {
        rejected.push(Rejected {
            source: file.to_owned(),
            reason: format!(
                "{unknown:?} is not a column of a paper-comment file; the columns are {}",
                PAPER_COLUMNS.join(", ")
            ),
        });
        return (good, rejected);
    }
    for column in ["Comment", "Received Date"] {
        if !headers.iter().any(|h| h.trim() == column) {
            rejected.push(Rejected {
                source: file.to_owned(),
                reason: format!("the file has no {column} column"),
            });
            return (good, rejected);
        }
    }
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for (index, row) in reader.records().enumerate() {
        // Row 1 is the column names.
        let number = index + 2;
        let source = format!("{file} row {number}");
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                rejected.push(Rejected {
                    source,
                    reason: format!("the row cannot be read: {e}"),
                });
                continue;
            }
        };
        let get = |column: &str| -> String {
            headers
                .iter()
                .position(|h| h.trim() == column)
                .and_then(|i| row.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        let kind = match get("Submitter Type").trim().to_ascii_lowercase().as_str() {
            "" => {
                if !get("Organization Name").trim().is_empty() {
                    "organization"
                } else if !get("Last Name").trim().is_empty() {
                    "individual"
                } else {
                    "anonymous"
                }
            }
            "individual" => "individual",
            "organization" => "organization",
            "anonymous" => "anonymous",
            other => {
                rejected.push(Rejected {
                    source,
                    reason: format!(
                        "Submitter Type {other:?} is not individual, organization or anonymous"
                    ),
                });
                continue;
            }
        };
        let form = CommentForm {
            submitter_type: kind.to_owned(),
            first_name: get("First Name"),
            last_name: get("Last Name"),
            organization: get("Organization Name"),
            city: get("City"),
            state_province_region: get("State/Province"),
            country: get("Country"),
            email: String::new(),
            comment: get("Comment"),
        };
        let received_at = match received(&get("Received Date"), zone) {
            Ok(at) => at,
            Err(reason) => {
                rejected.push(Rejected { source, reason });
                continue;
            }
        };
        match validate(&form) {
            Ok(comment) => {
                let content = format!("{:?}", row.iter().collect::<Vec<_>>());
                let occurrence = seen.entry(content.clone()).or_default();
                *occurrence += 1;
                good.push((
                    number,
                    PaperRecord {
                        comment,
                        received_at,
                        seed: format!("paper:{docket}:{content}:{occurrence}"),
                    },
                ));
            }
            Err(errors) => rejected.push(Rejected {
                source,
                reason: errors
                    .0
                    .iter()
                    .map(|(_, message)| message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            }),
        }
    }
    (good, rejected)
}

/// The kinds of file an import reads, told by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFile {
    /// A regulations.gov v4 comment (`GET /v4/comments/{id}` as saved, as in a Mirrulations
    /// directory), or a document whose `data` is a list of them.
    V4Json,
    /// One v4 comment document per line (OpenDocket's public JSON Lines download).
    V4JsonLines,
    /// Paper comments typed in by staff.
    PaperCsv,
}

impl ImportFile {
    pub fn of(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".jsonl") {
            Some(Self::V4JsonLines)
        } else if lower.ends_with(".json") {
            Some(Self::V4Json)
        } else if lower.ends_with(".csv") {
            Some(Self::PaperCsv)
        } else {
            None
        }
    }
}

/// Imports one file's comments into `docket` (in the agency's `zone` for paper dates), adding
/// what happened to `report`. JSON that holds something other than comments (a Mirrulations
/// directory also has dockets and documents) is passed over.
pub async fn import_file(
    store: &crate::store::Store,
    docket: &str,
    zone: chrono_tz::Tz,
    name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<(), crate::store::StoreError> {
    let reject = |report: &mut ImportReport, source: String, reason: String| {
        report.rejected.push(Rejected { source, reason });
    };
    let mut publics: Vec<(String, Result<PublicRecord, String>)> = Vec::new();
    match ImportFile::of(name) {
        None => reject(
            report,
            name.to_owned(),
            "not a .json, .jsonl or .csv file".to_owned(),
        ),
        Some(ImportFile::PaperCsv) => {
            let (good, rejected) = read_paper_csv(bytes, name, docket, zone);
            report.rejected.extend(rejected);
            for (row, record) in good {
                let outcome = store.import_paper_comment(docket, &record, now).await?;
                tally(report, format!("{name} row {row}"), outcome);
            }
        }
        Some(ImportFile::V4Json) => match parse_saved_json(bytes) {
            Err(e) => reject(report, name.to_owned(), format!("not valid JSON: {e}")),
            Ok(value) => match &value["data"] {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if item["type"] != "comments" {
                            continue;
                        }
                        let source = format!("{name} item {}", i + 1);
                        publics.push((source, read_v4_comment(item, docket)));
                    }
                }
                data if data["type"] == "comments" => {
                    publics.push((name.to_owned(), read_v4_comment(&value, docket)));
                }
                _ => {}
            },
        },
        Some(ImportFile::V4JsonLines) => {
            for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let source = format!("{name} line {}", i + 1);
                let record = parse_saved_json(line)
                    .map_err(|e| format!("not valid JSON: {e}"))
                    .and_then(|value| read_v4_comment(&value, docket));
                publics.push((source, record));
            }
        }
    }
    for (source, record) in publics {
        match record {
            Ok(record) => {
                let outcome = store.import_public_comment(&record, now).await?;
                tally(report, source, outcome);
            }
            Err(reason) => reject(report, source, reason),
        }
    }
    Ok(())
}

/// Parses JSON as saved from regulations.gov. Some saved answers hold line breaks and tabs
/// inside strings as they are (which JSON does not allow); those are read as the escapes they
/// stand for, so the text stays exactly as published.
pub fn parse_saved_json(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice(bytes).or_else(|first| {
        let mut fixed = Vec::with_capacity(bytes.len() + 16);
        let (mut in_string, mut escaped) = (false, false);
        for &b in bytes {
            match b {
                b'\\' if in_string => escaped = !escaped,
                b'"' if !escaped => in_string = !in_string,
                _ => escaped = false,
            }
            match b {
                b'\n' if in_string => fixed.extend_from_slice(b"\\n"),
                b'\r' if in_string => fixed.extend_from_slice(b"\\r"),
                b'\t' if in_string => fixed.extend_from_slice(b"\\t"),
                _ => fixed.push(b),
            }
        }
        serde_json::from_slice(&fixed).map_err(|_| first)
    })
}

fn tally(report: &mut ImportReport, source: String, outcome: Imported) {
    match outcome {
        Imported::Added => report.imported += 1,
        Imported::AlreadyThere => report.already_there += 1,
        Imported::Refused(reason) => report.rejected.push(Rejected { source, reason }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/server/tests/fixtures/regulationsgov-v4/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn a_real_comment_keeps_its_fields() {
        let record = read_v4_comment(
            &fixture("comment-USTR-2015-0010-0002.json"),
            "USTR-2015-0010",
        )
        .unwrap();
        assert_eq!(record.public_id, "USTR-2015-0010-0002");
        assert_eq!(record.tracking_number, "1jz-8l73-5qbv");
        assert_eq!(record.object_id.as_deref(), Some("0900006481c7f7ad"));
        assert_eq!(
            record.document_object_id.as_deref(),
            Some("0900006481bce624")
        );
        assert_eq!(record.body, "See attached. ", "verbatim, spaces and all");
        assert_eq!(record.submitter_type, "organization");
        assert_eq!(
            record.organization.as_deref(),
            Some("US-China Business Council")
        );
        assert_eq!(record.received_at.to_rfc3339(), "2015-09-18T04:00:00+00:00");
        assert_eq!(record.posted_at.to_rfc3339(), "2015-09-30T04:00:00+00:00");
        assert_eq!(record.modified_at.to_rfc3339(), "2015-09-30T20:57:34+00:00");
        assert_eq!(record.title.as_deref(), Some("US China Business Council"));
    }

    #[test]
    fn broken_comments_say_why() {
        let real = fixture("comment-USTR-2015-0010-0002.json");
        let refused = |change: &dyn Fn(&mut Value)| {
            let mut value = real.clone();
            change(&mut value);
            read_v4_comment(&value, "USTR-2015-0010").unwrap_err()
        };
        assert!(read_v4_comment(&real, "FTC-2023-0018")
            .unwrap_err()
            .contains("belongs to docket USTR-2015-0010"));
        assert!(
            refused(&|v| v["data"]["attributes"]["receiveDate"] = "yesterday".into())
                .contains("not a date")
        );
        assert!(
            refused(&|v| v["data"]["attributes"]["postedDate"] = Value::Null)
                .contains("no postedDate")
        );
        assert!(
            refused(&|v| v["data"]["attributes"]["withdrawn"] = true.into()).contains("withdrawn")
        );
        assert!(refused(&|v| v["data"]["type"] = "documents".into()).contains("not a comment"));
        assert!(
            refused(&|v| v["data"]["attributes"]["trackingNbr"] = Value::Null)
                .contains("no trackingNbr")
        );
    }

    #[test]
    fn saved_answers_with_raw_line_breaks_in_strings_are_read_as_published() {
        let saved = b"{\"data\": {\"title\": \"Public \nHearing\", \"x\": \"a\\\"b\"}}";
        let value = parse_saved_json(saved).unwrap();
        assert_eq!(value["data"]["title"], "Public \nHearing");
        assert_eq!(value["data"]["x"], "a\"b");
        assert!(parse_saved_json(b"{not json").is_err());
    }

    #[test]
    fn paper_rows_are_checked_like_the_web_form() {
        let csv = "First Name,Last Name,Organization Name,State/Province,Received Date,Comment\n\
                   Ann,Lee,,NY,2023-04-10,Please keep the ban.\n\
                   ,,,CA,2023-04-11,\n\
                   Bo,Chen,,TX,April 11,Protect health data.\n\
                   ,,Clinic Co,,2023-04-12T15:00:00Z,We agree.\n\
                   Ann,Lee,,NY,2023-04-10,Please keep the ban.\n";
        let (good, rejected) = read_paper_csv(
            csv.as_bytes(),
            "letters.csv",
            "FTC-2023-0018",
            chrono_tz::America::New_York,
        );
        assert_eq!(good.len(), 3);
        assert_eq!(
            good[0].1.received_at.to_rfc3339(),
            "2023-04-10T04:00:00+00:00"
        );
        assert_eq!(good[1].1.comment.submitter.display_name(), "Clinic Co");
        assert_ne!(
            good[0].1.seed, good[2].1.seed,
            "two identical letters are two comments"
        );
        assert_eq!(rejected.len(), 2);
        assert_eq!(rejected[0].source, "letters.csv row 3");
        assert!(
            rejected[0].reason.contains("Comment is required"),
            "{}",
            rejected[0].reason
        );
        assert_eq!(rejected[1].source, "letters.csv row 4");
        assert!(rejected[1].reason.contains("not a date"));
        let (_, wrong) = read_paper_csv(
            b"Name,Comment\nAnn,Hi\n",
            "x.csv",
            "FTC-2023-0018",
            chrono_tz::UTC,
        );
        assert!(wrong[0].reason.contains("\"Name\" is not a column"));
    }
}
