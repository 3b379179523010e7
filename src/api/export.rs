//! Bulk download of a docket's comments, as CSV or JSON Lines, read from the database a page at
//! a time and handed out as each page is written, so memory stays flat however large the docket.
//! The public version holds posted comments as the v4 API shows them; the staff version every
//! comment in every state (never e-mail addresses).

use super::format_instant;
use super::resources::{comment_document, ApiComment};
use super::storage::posted_comments_after;
use crate::comment::SubmitterType;
use crate::store::{from_millis, Store, StoreError};
use serde_json::{Map, Value};
use sqlx::Row;

/// Comments read per round.
const PAGE: i64 = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    JsonLines,
}

impl ExportFormat {
    /// `csv` or `jsonl`, as the file's extension says.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "csv" => Some(Self::Csv),
            "jsonl" => Some(Self::JsonLines),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::JsonLines => "jsonl",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::JsonLines => "application/jsonl; charset=utf-8",
        }
    }
}

/// The public file's columns: a regulations.gov bulk download's names.
pub const PUBLIC_COLUMNS: [&str; 18] = [
    "Document ID",
    "Agency ID",
    "Docket ID",
    "Document Type",
    "Posted Date",
    "Received Date",
    "Comment on Document ID",
    "Title",
    "First Name",
    "Last Name",
    "City",
    "State/Province",
    "Country",
    "Organization Name",
    "Category",
    "Comment",
    "Duplicate Comments",
    "Attachment Files",
];

/// The staff file's columns: a regulations.gov bulk download's names where it has the field,
/// then ours.
pub const STAFF_COLUMNS: [&str; 22] = [
    "Document ID",
    "Agency ID",
    "Docket ID",
    "Tracking Number",
    "Document Type",
    "Posted Date",
    "Received Date",
    "Comment on Document ID",
    "First Name",
    "Last Name",
    "City",
    "State/Province",
    "Country",
    "Organization Name",
    "Category",
    "Comment",
    "Status",
    "Withheld Reason",
    "Late",
    "Campaign",
    "Words Added to Letter",
    "Tags",
];

fn csv_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("could not write the export: {e}"))
}

/// Rows turned into bytes in the chosen format.
struct Rows {
    format: ExportFormat,
    columns: &'static [&'static str],
    csv: csv::Writer<Vec<u8>>,
    lines: Vec<u8>,
}

impl Rows {
    fn new(format: ExportFormat, columns: &'static [&'static str]) -> Result<Self, StoreError> {
        let mut rows = Self {
            format,
            columns,
            csv: csv::Writer::from_writer(Vec::new()),
            lines: Vec::new(),
        };
        if format == ExportFormat::Csv {
            rows.csv.write_record(columns).map_err(csv_error)?;
        }
        Ok(rows)
    }

    /// One row of values in column order (as an object keyed by column in JSON Lines).
    fn record(&mut self, values: Vec<String>) -> Result<(), StoreError> {
        match self.format {
            ExportFormat::Csv => self
                .csv
                .write_record(
                    values
                        .iter()
                        .map(|v| crate::text::spreadsheet_safe(v).into_owned()),
                )
                .map_err(csv_error),
            ExportFormat::JsonLines => {
                let object: Map<String, Value> = self
                    .columns
                    .iter()
                    .zip(values)
                    .map(|(column, value)| ((*column).to_owned(), Value::String(value)))
                    .collect();
                self.line(&Value::Object(object))
            }
        }
    }

    fn line(&mut self, value: &Value) -> Result<(), StoreError> {
        serde_json::to_writer(&mut self.lines, value).map_err(csv_error)?;
        self.lines.push(b'\n');
        Ok(())
    }

    /// Hands what was written since the last call to `emit` (if anything); answers whether the
    /// reader is still there.
    async fn send<F, Fut>(&mut self, emit: &mut F) -> Result<bool, StoreError>
    where
        F: FnMut(Vec<u8>) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let bytes = self.take()?;
        Ok(bytes.is_empty() || emit(bytes).await)
    }

    /// The bytes written since the last call.
    fn take(&mut self) -> Result<Vec<u8>, StoreError> {
        match self.format {
            ExportFormat::Csv => {
                let page = std::mem::replace(&mut self.csv, csv::Writer::from_writer(Vec::new()));
                page.into_inner().map_err(csv_error)
            }
            ExportFormat::JsonLines => Ok(std::mem::take(&mut self.lines)),
        }
    }
}

fn public_record(c: &ApiComment, base: &str) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let files: Vec<String> = c
        .attachments
        .iter()
        .map(|file| format!("{base}/attachments/{}", file.file_id))
        .collect();
    vec![
        c.public_id.clone(),
        c.agency_id.clone(),
        c.docket_id.clone(),
        "Public Submission".to_owned(),
        c.posted_at.map(format_instant).unwrap_or_default(),
        format_instant(c.received_at),
        c.document_id.clone(),
        c.title.clone(),
        text(&c.first_name),
        text(&c.last_name),
        text(&c.city),
        text(&c.state_province_region),
        text(&c.country),
        text(&c.organization),
        text(&c.category),
        c.body.clone(),
        c.duplicate_comments.to_string(),
        files.join(","),
    ]
}

/// One exported comment: a row of values in column order, or a JSON document of its own.
enum Record {
    Values(Vec<String>),
    Document(Value),
}

/// A page of records and the internal number of its last comment (`None` past the end).
type Page = Option<(i64, Vec<Record>)>;

/// Writes pages from `page_after` (given the last comment written) until there are none, handing
/// each page's bytes to `emit`, which answers whether to go on (a download whose reader left stops).
async fn write_pages<P, PFut, F, Fut>(
    mut rows: Rows,
    mut page_after: P,
    mut emit: F,
) -> Result<(), StoreError>
where
    P: FnMut(i64) -> PFut,
    PFut: std::future::Future<Output = Result<Page, StoreError>>,
    F: FnMut(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut after = i64::MIN;
    while let Some((last, records)) = page_after(after).await? {
        after = last;
        for record in records {
            match record {
                Record::Values(values) => rows.record(values)?,
                Record::Document(document) => rows.line(&document)?,
            }
        }
        if !rows.send(&mut emit).await? {
            return Ok(());
        }
    }
    rows.send(&mut emit).await?;
    Ok(())
}

/// Writes the docket's posted comments for anyone: CSV rows, or in JSON Lines each comment as
/// `GET /v4/comments/{id}?include=attachments` answers it. `emit` gets each page's bytes and
/// answers whether to go on.
pub async fn write_public_comments<F, Fut>(
    store: &Store,
    docket_id: &str,
    base: &str,
    format: ExportFormat,
    emit: F,
) -> Result<(), StoreError>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let page_after = |after| async move {
        let page = posted_comments_after(store, docket_id, after, PAGE).await?;
        let Some(last) = page.last().map(|c| c.id) else {
            return Ok(None);
        };
        let records = page
            .iter()
            .map(|comment| match format {
                ExportFormat::Csv => Record::Values(public_record(comment, base)),
                ExportFormat::JsonLines => Record::Document(comment_document(comment, base, true)),
            })
            .collect();
        Ok(Some((last, records)))
    };
    write_pages(Rows::new(format, &PUBLIC_COLUMNS)?, page_after, emit).await
}

/// Writes every comment of the docket for staff (all statuses; never e-mail addresses), one row
/// of `STAFF_COLUMNS` per comment. `emit` as for `write_public_comments`.
pub async fn write_staff_comments<F, Fut>(
    store: &Store,
    docket_id: &str,
    format: ExportFormat,
    emit: F,
) -> Result<(), StoreError>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let page_after = |after| staff_page(store, docket_id, after);
    write_pages(Rows::new(format, &STAFF_COLUMNS)?, page_after, emit).await
}

/// The staff rows of a docket's comments after comment `after`.
async fn staff_page(store: &Store, docket_id: &str, after: i64) -> Result<Page, StoreError> {
    let rows = sqlx::query(
        "SELECT c.id, c.public_id, d.agency_code, c.docket_id, c.tracking_number, c.posted_at,
             c.received_at, c.document_id, c.first_name, c.last_name, c.city, c.state_province_region,
             c.country, c.organization, c.submitter_type, c.body, c.status, c.withheld_reason, c.late,
             c.campaign_id, c.added_words
         FROM comments c JOIN dockets d ON d.id = c.docket_id
         WHERE c.docket_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3",
    )
    .bind(docket_id)
    .bind(after)
    .bind(PAGE)
    .fetch_all(store.pool())
    .await?;
    let Some(last) = rows.last() else {
        return Ok(None);
    };
    let last: i64 = last.try_get("id")?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let tags = store.comment_tags(&ids, false).await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let text = |column: &str| -> Result<String, StoreError> {
            Ok(row
                .try_get::<Option<String>, _>(column)?
                .unwrap_or_default())
        };
        let instant = |column: &str| -> Result<String, StoreError> {
            Ok(match row.try_get::<Option<i64>, _>(column)? {
                Some(ms) => format_instant(from_millis(ms)?),
                None => String::new(),
            })
        };
        let number = |column: &str| -> Result<String, StoreError> {
            Ok(row
                .try_get::<Option<i64>, _>(column)?
                .map(|n| n.to_string())
                .unwrap_or_default())
        };
        let kind = text("submitter_type")?;
        records.push(Record::Values(vec![
            text("public_id")?,
            text("agency_code")?,
            text("docket_id")?,
            text("tracking_number")?,
            "Public Submission".to_owned(),
            instant("posted_at")?,
            instant("received_at")?,
            text("document_id")?,
            text("first_name")?,
            text("last_name")?,
            text("city")?,
            text("state_province_region")?,
            text("country")?,
            text("organization")?,
            SubmitterType::parse(&kind).map_or(kind.clone(), |t| t.label().to_owned()),
            text("body")?,
            text("status")?,
            text("withheld_reason")?,
            if row.try_get::<i64, _>("late")? == 1 {
                "yes".to_owned()
            } else {
                "no".to_owned()
            },
            number("campaign_id")?,
            number("added_words")?,
            tags.get(&id)
                .map(|t| {
                    t.iter()
                        .map(|(_, n)| n.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default(),
        ]));
    }
    Ok(Some((last, records)))
}
