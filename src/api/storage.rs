//! The API's reads: the public records of each collection, filtered, sorted and paged in SQL
//! (the search index answers `filter[searchTerm]` on comments), never a field that is not public.

use super::request::{ListRequest, Range, SortKey};
use super::resources::{ApiAttachment, ApiComment, ApiDocket, ApiDocument};
use super::{derived_object_id, ApiError};
use crate::attachment::public_info;
use crate::attachment::AttachmentInfo;
use crate::comment::SubmitterType;
use crate::search::index::{Filters, Scope, SearchSpec, Sort};
use crate::search::query::parse_public_query;
use crate::services::Services;
use crate::store::{from_millis, to_millis, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

/// One page of a listing and how many records match in all.
#[derive(Debug, Clone)]
pub struct ApiPage<T> {
    pub items: Vec<T>,
    pub total: i64,
}

enum Bind {
    Text(String),
    Int(i64),
}

/// WHERE clauses with their values, numbered as they are added.
#[derive(Default)]
struct Conditions {
    clauses: Vec<String>,
    binds: Vec<Bind>,
    /// Ids the search index matched, written to the connection's `SEARCH_IDS` table for the
    /// clauses to name, rather than into the SQL text.
    search_ids: Option<Vec<i64>>,
}

/// A temporary table (one per connection) holding a request's search matches.
const SEARCH_IDS: &str = "api_search_ids";
/// Ids written per INSERT.
const SEARCH_IDS_BATCH: usize = 500;

impl Conditions {
    fn new(always: &str) -> Self {
        Self {
            clauses: vec![always.to_owned()],
            ..Default::default()
        }
    }

    /// Adds `clause` with `?` standing for `value`.
    fn add(&mut self, clause: &str, value: Bind) {
        self.add_all(clause, vec![value]);
    }

    /// Adds `clause` whose `?`s stand for `values`, in order.
    fn add_all(&mut self, clause: &str, values: Vec<Bind>) {
        let mut numbered = String::with_capacity(clause.len() + 8);
        for (i, part) in clause.split('?').enumerate() {
            if i > 0 {
                numbered.push_str(&format!("${}", self.binds.len() + i));
            }
            numbered.push_str(part);
        }
        self.binds.extend(values);
        self.clauses.push(numbered);
    }

    fn text(&mut self, clause: &str, value: &Option<String>) {
        if let Some(value) = value {
            self.add(clause, Bind::Text(value.clone()));
        }
    }

    fn range(&mut self, column: &str, range: &Option<Range>) {
        let Some(range) = range else { return };
        if let Some(start) = range.start {
            self.add(&format!("{column} >= ?"), Bind::Int(to_millis(start)));
        }
        if let Some(end) = range.end {
            self.add(&format!("{column} < ?"), Bind::Int(to_millis(end)));
        }
    }

    fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    fn query<'q>(
        &'q self,
        sql: &'q str,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let mut query = sqlx::query(sql);
        for bind in &self.binds {
            query = match bind {
                Bind::Text(v) => query.bind(v.as_str()),
                Bind::Int(v) => query.bind(*v),
            };
        }
        query
    }

    /// The requested page of `select` from `table.from`, and how many match in all.
    async fn page(
        &self,
        services: &Services,
        select: &str,
        table: Table<'_>,
        order: String,
        request: &ListRequest,
    ) -> Result<(Vec<AnyRow>, i64), StoreError> {
        let mut connection = services.store.pool().acquire().await?;
        if let Some(ids) = &self.search_ids {
            fill_search_ids(&mut connection, ids).await?;
        }
        let where_sql = self.sql();
        let Table { from, narrow, key } = table;
        let count_sql = format!("SELECT COUNT(*) AS n FROM {narrow} WHERE {where_sql}");
        let total: i64 = self
            .query(&count_sql)
            .fetch_one(&mut *connection)
            .await?
            .try_get("n")?;
        let offset = (request.page_number - 1).saturating_mul(request.page_size);
        // The page's keys are found first (from an index alone where one fits), then only
        // those rows are read: a deep page costs index steps, not whole rows.
        let rows_sql = format!(
            "SELECT {select} FROM {from} WHERE {key} IN (
                 SELECT {key} FROM {narrow} WHERE {where_sql} ORDER BY {order} LIMIT {} OFFSET {offset})
             ORDER BY {order}",
            request.page_size
        );
        let rows = self.query(&rows_sql).fetch_all(&mut *connection).await?;
        if self.search_ids.is_some() {
            sqlx::query(&format!("DELETE FROM {SEARCH_IDS}"))
                .execute(&mut *connection)
                .await?;
        }
        Ok((rows, total))
    }
}

/// Writes `ids` to this connection's temporary search table (emptied first: a request that
/// stopped half-way may have left ids behind). Temporary tables are the connection's own, so
/// concurrent requests never see each other's, and no write lock on the database is taken.
async fn fill_search_ids(
    connection: &mut sqlx::pool::PoolConnection<sqlx::Any>,
    ids: &[i64],
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "CREATE TEMPORARY TABLE IF NOT EXISTS {SEARCH_IDS} (id BIGINT PRIMARY KEY)"
    ))
    .execute(&mut **connection)
    .await?;
    sqlx::query(&format!("DELETE FROM {SEARCH_IDS}"))
        .execute(&mut **connection)
        .await?;
    for batch in ids.chunks(SEARCH_IDS_BATCH) {
        let sql = format!(
            "INSERT INTO {SEARCH_IDS} (id) VALUES {} ON CONFLICT DO NOTHING",
            (1..=batch.len())
                .map(|i| format!("(${i})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in batch {
            query = query.bind(*id);
        }
        query.execute(&mut **connection).await?;
    }
    Ok(())
}

/// Where a listing reads from: `from` for the rows shown, `narrow` (only the tables the
/// conditions and the order name) to count and to pick the page's `key`s.
struct Table<'a> {
    from: &'a str,
    narrow: &'a str,
    key: &'a str,
}

/// `ORDER BY` for the requested sort, ending with the record's id so pages never overlap.
fn order_by(request: &ListRequest, column: impl Fn(SortKey) -> &'static str, id: &str) -> String {
    let mut parts: Vec<String> = request
        .sort
        .iter()
        .map(|(key, descending)| {
            format!(
                "{} {}",
                column(*key),
                if *descending { "DESC" } else { "ASC" }
            )
        })
        .collect();
    parts.push(format!("{id} ASC"));
    parts.join(", ")
}

fn millis(row: &AnyRow, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    row.try_get::<Option<i64>, _>(column)?
        .map(from_millis)
        .transpose()
}

const COMMENT_SELECT: &str =
    "c.id, c.public_id, c.object_id, c.title, c.category, c.duplicate_comments,
    c.tracking_number, c.submitter_type, c.first_name, c.last_name, c.organization, c.city,
    c.state_province_region, c.country, COALESCE(c.redacted_body, c.body) AS body, c.received_at,
    c.posted_at, c.last_modified_at, c.docket_id, d.agency_code, c.document_id,
    doc.object_id AS document_object_id";
const COMMENT_FROM: &str =
    "comments c JOIN dockets d ON d.id = c.docket_id JOIN documents doc ON doc.id = c.document_id";

fn comment_from_row(row: &AnyRow) -> Result<ApiComment, StoreError> {
    let public_id: String = row.try_get("public_id")?;
    let document_id: String = row.try_get("document_id")?;
    let object_id: Option<String> = row.try_get("object_id")?;
    let imported = object_id.is_some();
    let submitter_type: String = row.try_get("submitter_type")?;
    let first_name: Option<String> = row.try_get("first_name")?;
    let last_name: Option<String> = row.try_get("last_name")?;
    let organization: Option<String> = row.try_get("organization")?;
    let title = match row.try_get::<Option<String>, _>("title")? {
        Some(title) => title,
        None => {
            let name = match SubmitterType::parse(&submitter_type) {
                Some(SubmitterType::Organization) => organization.clone().unwrap_or_default(),
                Some(SubmitterType::Individual) => [first_name.as_deref(), last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => "Anonymous".to_owned(),
            };
            format!("Comment from {name}")
        }
    };
    Ok(ApiComment {
        id: row.try_get("id")?,
        object_id: object_id.unwrap_or_else(|| derived_object_id("comment", &public_id)),
        // A tracking number made here opens its receipt, which shows the text as sent (before
        // any redaction); only numbers regulations.gov already published are served.
        tracking_number: if imported {
            Some(row.try_get("tracking_number")?)
        } else {
            None
        },
        public_id,
        title,
        category: row.try_get("category")?,
        duplicate_comments: row
            .try_get::<Option<i64>, _>("duplicate_comments")?
            .unwrap_or(0),
        first_name,
        last_name,
        organization,
        city: row.try_get("city")?,
        state_province_region: row.try_get("state_province_region")?,
        country: row.try_get("country")?,
        body: row.try_get("body")?,
        received_at: from_millis(row.try_get("received_at")?)?,
        posted_at: millis(row, "posted_at")?,
        last_modified_at: millis(row, "last_modified_at")?,
        docket_id: row.try_get("docket_id")?,
        agency_id: row.try_get("agency_code")?,
        document_object_id: row
            .try_get::<Option<String>, _>("document_object_id")?
            .unwrap_or_else(|| derived_object_id("document", &document_id)),
        document_id,
        attachments: Vec::new(),
    })
}

/// The documents whose objectId is `object_id` (derived or kept from an import).
async fn documents_with_object_id(
    services: &Services,
    object_id: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT id, object_id FROM documents")
        .fetch_all(services.store.pool())
        .await?;
    let mut ids = Vec::new();
    for row in rows {
        let id: String = row.try_get("id")?;
        let kept: Option<String> = row.try_get("object_id")?;
        if kept.unwrap_or_else(|| derived_object_id("document", &id)) == object_id {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// `column IN ('a','b')` for ids we read from the database ourselves (quotes doubled).
fn in_list(column: &str, values: &[String]) -> String {
    if values.is_empty() {
        return "1 = 0".to_owned();
    }
    let quoted: Vec<String> = values
        .iter()
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect();
    format!("{column} IN ({})", quoted.join(","))
}

/// Posted comments, as `/v4/comments` lists them.
pub async fn list_comments(
    services: &Services,
    request: &ListRequest,
) -> Result<Result<ApiPage<ApiComment>, ApiError>, StoreError> {
    // Conditions name the comments table only, so the count reads one index.
    let mut conditions = Conditions::new("c.status = 'posted'");
    conditions.text(
        "c.docket_id IN (SELECT id FROM dockets WHERE agency_code = ?)",
        &request.agency_id,
    );
    conditions.text("c.docket_id = ?", &request.docket_id);
    conditions.range("c.posted_at", &request.posted);
    conditions.range("c.last_modified_at", &request.last_modified);
    if let Some(object_id) = &request.comment_on_id {
        let documents = documents_with_object_id(services, object_id).await?;
        conditions
            .clauses
            .push(in_list("c.document_id", &documents));
    }
    if let Some(term) = &request.search_term {
        let ids = match matching_comments(services, term, request.docket_id.as_deref()).await {
            Ok(ids) => ids,
            Err(error) => return Ok(Err(error)),
        };
        conditions.search_ids = Some(ids);
        conditions.add(
            &format!("(c.id IN (SELECT id FROM {SEARCH_IDS}) OR c.public_id = ?)"),
            Bind::Text(term.clone()),
        );
    }
    let order = order_by(
        request,
        |key| match key {
            SortKey::PostedDate => "c.posted_at",
            SortKey::LastModifiedDate => "c.last_modified_at",
            _ => "c.public_id",
        },
        "c.public_id",
    );
    let (rows, total) = conditions
        .page(
            services,
            COMMENT_SELECT,
            Table {
                from: COMMENT_FROM,
                narrow: "comments c",
                key: "c.id",
            },
            order,
            request,
        )
        .await?;
    let items = rows
        .iter()
        .map(comment_from_row)
        .collect::<Result<_, _>>()?;
    Ok(Ok(ApiPage { items, total }))
}

/// The posted comments whose public text matches `term` (the public search's query language).
async fn matching_comments(
    services: &Services,
    term: &str,
    docket: Option<&str>,
) -> Result<Vec<i64>, ApiError> {
    let query = parse_public_query(term)
        .map_err(|e| ApiError::bad_request(format!("filter[searchTerm]: {e}")))?;
    let spec = SearchSpec {
        scope: Scope::Public,
        query,
        tag_ids: Default::default(),
        filters: Filters {
            docket: docket.map(str::to_owned),
            status: vec![crate::moderation::CommentStatus::Posted],
            ..Default::default()
        },
        sort: Sort::Oldest,
        offset: 0,
        limit: 0,
        day_zone: chrono_tz::UTC,
    };
    services.search.all_ids(spec).await.map_err(|error| {
        tracing::error!(%error, "an API search failed");
        ApiError::unavailable()
    })
}

/// One posted comment, with its public files when `include` is set.
pub async fn comment(
    services: &Services,
    public_id: &str,
    include: bool,
) -> Result<Option<ApiComment>, StoreError> {
    let sql = format!(
        "SELECT {COMMENT_SELECT} FROM {COMMENT_FROM} WHERE c.public_id = $1 AND c.status = 'posted'"
    );
    let row = sqlx::query(&sql)
        .bind(public_id)
        .fetch_optional(services.store.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut comments = vec![comment_from_row(&row)?];
    complete(&services.store, &mut comments, include).await?;
    Ok(comments.pop())
}

/// Fills in what the comments' rows do not hold: how many copies a posted campaign letter
/// stands for, and (with `files`) the files the public may download.
async fn complete(
    store: &Store,
    comments: &mut [ApiComment],
    files: bool,
) -> Result<(), StoreError> {
    let ids: Vec<i64> = comments.iter().map(|c| c.id).collect();
    let copies = store.letter_copies_of(&ids).await?;
    let mut attachments = if files {
        store.attachments_of(&ids).await?
    } else {
        Default::default()
    };
    for comment in comments {
        if comment.duplicate_comments == 0 {
            // A posted campaign letter stands for the copies withheld as its duplicates.
            let copies = copies.get(&comment.id).copied().unwrap_or(0);
            comment.duplicate_comments = (copies - 1).max(0);
        }
        comment.attachments = attachments
            .remove(&comment.id)
            .unwrap_or_default()
            .into_iter()
            .filter(|file| !file.withheld)
            .enumerate()
            .map(|(position, file)| api_attachment(public_info(file), position as i64 + 1))
            .collect();
    }
    Ok(())
}

/// A docket's posted comments after comment `after` (by internal number), `limit` of them, with
/// their files: a page of a bulk download.
pub(super) async fn posted_comments_after(
    store: &Store,
    docket_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<ApiComment>, StoreError> {
    let sql = format!(
        "SELECT {COMMENT_SELECT} FROM {COMMENT_FROM}
         WHERE c.docket_id = $1 AND c.status = 'posted' AND c.id > $2 ORDER BY c.id LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(docket_id)
        .bind(after)
        .bind(limit)
        .fetch_all(store.pool())
        .await?;
    let mut comments = rows
        .iter()
        .map(comment_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    complete(store, &mut comments, true).await?;
    Ok(comments)
}

/// The files the public may download from a posted comment, as the API lists them.
pub async fn public_files(
    services: &Services,
    public_id: &str,
) -> Result<Vec<ApiAttachment>, StoreError> {
    let files = services.store.public_attachments(public_id).await?;
    Ok(files
        .into_iter()
        .enumerate()
        .map(|(position, file)| api_attachment(file, position as i64 + 1))
        .collect())
}

/// An attachment's objectId: its number in hexadecimal, so the API can find it again.
fn attachment_object_id(id: i64) -> String {
    format!("{id:016x}")
}

fn api_attachment(file: AttachmentInfo, order: i64) -> ApiAttachment {
    ApiAttachment {
        object_id: attachment_object_id(file.id),
        file_id: file.id,
        order,
        title: file.file_name,
        format: file.kind.as_str(),
        size_bytes: file.size_bytes,
    }
}

/// One file of a posted comment by its objectId, as the public gets it.
pub async fn public_attachment(
    services: &Services,
    object_id: &str,
) -> Result<Option<ApiAttachment>, StoreError> {
    let Ok(id) = i64::from_str_radix(object_id, 16) else {
        return Ok(None);
    };
    if attachment_object_id(id) != object_id {
        return Ok(None);
    }
    let Some(file) = services.store.attachment_file(id).await? else {
        return Ok(None);
    };
    if file.comment_status != "posted" || file.info.withheld {
        return Ok(None);
    }
    let row = sqlx::query("SELECT public_id FROM comments WHERE id = $1")
        .bind(file.comment_id)
        .fetch_one(services.store.pool())
        .await?;
    let public_id: String = row.try_get("public_id")?;
    Ok(public_files(services, &public_id)
        .await?
        .into_iter()
        .find(|a| a.file_id == id))
}

const DOCUMENT_SELECT: &str =
    "doc.id, doc.docket_id, doc.title, doc.summary, doc.federal_register_citation,
    doc.published_at, doc.last_modified_at, doc.object_id, doc.document_type, d.agency_code,
    w.opens_at, w.closes_at, w.allow_late, d.withdrawn_at";
const DOCUMENT_FROM: &str = "documents doc JOIN dockets d ON d.id = doc.docket_id
    JOIN comment_windows w ON w.id = (SELECT MAX(id) FROM comment_windows WHERE docket_id = d.id)";

fn document_from_row(row: &AnyRow, now: DateTime<Utc>) -> Result<ApiDocument, StoreError> {
    let id: String = row.try_get("id")?;
    let opens_at = from_millis(row.try_get("opens_at")?)?;
    let closes_at = from_millis(row.try_get("closes_at")?)?;
    let withdrawn_at = millis(row, "withdrawn_at")?;
    Ok(ApiDocument {
        object_id: row
            .try_get::<Option<String>, _>("object_id")?
            .unwrap_or_else(|| derived_object_id("document", &id)),
        id,
        docket_id: row.try_get("docket_id")?,
        agency_id: row.try_get("agency_code")?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        fr_doc_num: row.try_get("federal_register_citation")?,
        document_type: row.try_get("document_type")?,
        posted_at: from_millis(row.try_get("published_at")?)?,
        last_modified_at: millis(row, "last_modified_at")?,
        comment_start: opens_at,
        comment_end: crate::window::last_second(closes_at),
        allow_late: row.try_get::<i64, _>("allow_late")? != 0,
        open_for_comment: withdrawn_at.is_none() && opens_at <= now && now < closes_at,
        withdrawn: withdrawn_at.is_some(),
    })
}

/// The documents dockets publish, as `/v4/documents` lists them.
pub async fn list_documents(
    services: &Services,
    request: &ListRequest,
) -> Result<ApiPage<ApiDocument>, StoreError> {
    let now = services.clock.now();
    let mut conditions = Conditions::new("1 = 1");
    conditions.text("d.agency_code = ?", &request.agency_id);
    conditions.text("doc.docket_id = ?", &request.docket_id);
    conditions.text("doc.document_type = ?", &request.document_type);
    conditions.text("doc.federal_register_citation = ?", &request.fr_doc_num);
    if request.subtype.is_some() {
        // Documents here have no subtype.
        conditions.clauses.push("1 = 0".to_owned());
    }
    if let Some(term) = &request.search_term {
        conditions.add_all(
            "(LOWER(doc.title) LIKE ? OR doc.id = ?)",
            vec![
                Bind::Text(format!("%{}%", term.to_lowercase())),
                Bind::Text(term.clone()),
            ],
        );
    }
    conditions.range("doc.published_at", &request.posted);
    conditions.range("doc.last_modified_at", &request.last_modified);
    conditions.range("w.closes_at", &request.comment_end);
    if request.within_comment_period {
        conditions.add("w.opens_at <= ?", Bind::Int(to_millis(now)));
        conditions.add("w.closes_at > ?", Bind::Int(to_millis(now)));
        conditions.clauses.push("d.withdrawn_at IS NULL".to_owned());
    }
    let order = order_by(
        request,
        |key| match key {
            SortKey::PostedDate => "doc.published_at",
            SortKey::LastModifiedDate => "doc.last_modified_at",
            SortKey::CommentEndDate => "w.closes_at",
            SortKey::Title => "doc.title",
            _ => "doc.id",
        },
        "doc.id",
    );
    let (rows, total) = conditions
        .page(
            services,
            DOCUMENT_SELECT,
            Table {
                from: DOCUMENT_FROM,
                narrow: DOCUMENT_FROM,
                key: "doc.id",
            },
            order,
            request,
        )
        .await?;
    let items = rows
        .iter()
        .map(|row| document_from_row(row, now))
        .collect::<Result<_, _>>()?;
    Ok(ApiPage { items, total })
}

pub async fn document(services: &Services, id: &str) -> Result<Option<ApiDocument>, StoreError> {
    let sql = format!("SELECT {DOCUMENT_SELECT} FROM {DOCUMENT_FROM} WHERE doc.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(services.store.pool())
        .await?;
    row.map(|row| document_from_row(&row, services.clock.now()))
        .transpose()
}

const DOCKET_SELECT: &str = "d.id, d.title, d.agency_code, d.docket_type, d.last_modified_at,
    d.object_id, (SELECT MIN(doc.summary) FROM documents doc WHERE doc.docket_id = d.id) AS summary";

fn docket_from_row(row: &AnyRow) -> Result<ApiDocket, StoreError> {
    let id: String = row.try_get("id")?;
    Ok(ApiDocket {
        object_id: row
            .try_get::<Option<String>, _>("object_id")?
            .unwrap_or_else(|| derived_object_id("docket", &id)),
        id,
        title: row.try_get("title")?,
        agency_id: row.try_get("agency_code")?,
        docket_type: row.try_get("docket_type")?,
        summary: row.try_get("summary")?,
        last_modified_at: millis(row, "last_modified_at")?,
    })
}

/// Dockets, as `/v4/dockets` lists them.
pub async fn list_dockets(
    services: &Services,
    request: &ListRequest,
) -> Result<ApiPage<ApiDocket>, StoreError> {
    let mut conditions = Conditions::new("1 = 1");
    conditions.text("d.agency_code = ?", &request.agency_id);
    conditions.text("d.docket_type = ?", &request.docket_type);
    if let Some(term) = &request.search_term {
        conditions.add(
            "LOWER(d.title || ' ' || d.id) LIKE ?",
            Bind::Text(format!("%{}%", term.to_lowercase())),
        );
    }
    conditions.range("d.last_modified_at", &request.last_modified);
    let order = order_by(
        request,
        |key| match key {
            SortKey::Title => "d.title",
            SortKey::LastModifiedDate => "d.last_modified_at",
            _ => "d.id",
        },
        "d.id",
    );
    let (rows, total) = conditions
        .page(
            services,
            DOCKET_SELECT,
            Table {
                from: "dockets d",
                narrow: "dockets d",
                key: "d.id",
            },
            order,
            request,
        )
        .await?;
    let items = rows.iter().map(docket_from_row).collect::<Result<_, _>>()?;
    Ok(ApiPage { items, total })
}

pub async fn docket(services: &Services, id: &str) -> Result<Option<ApiDocket>, StoreError> {
    let sql = format!("SELECT {DOCKET_SELECT} FROM dockets d WHERE d.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(services.store.pool())
        .await?;
    row.as_ref().map(docket_from_row).transpose()
}

/// The docket a document belongs to.
pub async fn document_docket(services: &Services, id: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT docket_id FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(services.store.pool())
        .await?;
    Ok(row.map(|r| r.try_get("docket_id")).transpose()?)
}
