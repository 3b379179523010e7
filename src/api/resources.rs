//! The API's records and the JSON:API documents made of them, with regulations.gov's attribute
//! names, nulls and date formats (checked field by field against real responses in the tests).

use super::format_instant;
use super::request::ListRequest;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// A posted comment as the API shows it: only what is public.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiComment {
    pub id: i64,
    pub public_id: String,
    pub object_id: String,
    pub title: String,
    pub category: Option<String>,
    pub duplicate_comments: i64,
    pub tracking_number: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub organization: Option<String>,
    pub city: Option<String>,
    pub state_province_region: Option<String>,
    pub country: Option<String>,
    /// The text as posted (redacted where a moderator redacted it).
    pub body: String,
    pub received_at: DateTime<Utc>,
    pub posted_at: Option<DateTime<Utc>>,
    pub last_modified_at: Option<DateTime<Utc>>,
    pub docket_id: String,
    pub agency_id: String,
    pub document_id: String,
    pub document_object_id: String,
    pub attachments: Vec<ApiAttachment>,
}

/// A file of a posted comment, as the public downloads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiAttachment {
    pub object_id: String,
    pub file_id: i64,
    pub order: i64,
    pub title: String,
    pub format: &'static str,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiDocument {
    pub id: String,
    pub object_id: String,
    pub docket_id: String,
    pub agency_id: String,
    pub title: String,
    pub summary: String,
    pub fr_doc_num: Option<String>,
    pub document_type: String,
    pub posted_at: DateTime<Utc>,
    pub last_modified_at: Option<DateTime<Utc>>,
    pub comment_start: DateTime<Utc>,
    pub comment_end: DateTime<Utc>,
    pub allow_late: bool,
    pub open_for_comment: bool,
    pub withdrawn: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiDocket {
    pub id: String,
    pub object_id: String,
    pub title: String,
    pub agency_id: String,
    pub docket_type: String,
    pub summary: Option<String>,
    pub last_modified_at: Option<DateTime<Utc>>,
}

fn instant(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| Value::String(format_instant(at)))
}

/// An object with each of `names` set to null, to be filled in.
fn nulls(names: &[&str]) -> Map<String, Value> {
    names
        .iter()
        .map(|name| ((*name).to_owned(), Value::Null))
        .collect()
}

fn set(map: &mut Map<String, Value>, name: &str, value: impl Into<Value>) {
    map.insert(name.to_owned(), value.into());
}

fn resource(
    kind: &str,
    id: &str,
    attributes: Map<String, Value>,
    base: &str,
) -> Map<String, Value> {
    let mut item = Map::new();
    set(&mut item, "id", id);
    set(&mut item, "type", kind);
    set(&mut item, "attributes", attributes);
    set(
        &mut item,
        "links",
        json!({ "self": format!("{base}/v4/{kind}/{id}") }),
    );
    item
}

/// Every attribute of a comment in regulations.gov's detail response.
const COMMENT_DETAIL: &[&str] = &[
    "address1",
    "address2",
    "agencyId",
    "category",
    "city",
    "comment",
    "commentOn",
    "commentOnDocumentId",
    "country",
    "displayProperties",
    "docAbstract",
    "docketId",
    "documentType",
    "duplicateComments",
    "email",
    "fax",
    "field1",
    "field2",
    "fileFormats",
    "firstName",
    "govAgency",
    "govAgencyType",
    "lastName",
    "legacyId",
    "modifyDate",
    "objectId",
    "openForComment",
    "organization",
    "originalDocumentId",
    "pageCount",
    "phone",
    "postedDate",
    "postmarkDate",
    "reasonWithdrawn",
    "receiveDate",
    "restrictReason",
    "restrictReasonType",
    "stateProvinceRegion",
    "submitterRep",
    "submitterRepAddress",
    "submitterRepCityState",
    "subtype",
    "title",
    "trackingNbr",
    "withdrawn",
    "zip",
];

/// A comment in a listing.
pub fn comment_item(c: &ApiComment, base: &str) -> Value {
    let mut attributes = Map::new();
    set(&mut attributes, "agencyId", c.agency_id.as_str());
    set(&mut attributes, "documentType", "Public Submission");
    set(&mut attributes, "highlightedContent", Value::Null);
    set(
        &mut attributes,
        "lastModifiedDate",
        instant(c.last_modified_at),
    );
    set(&mut attributes, "objectId", c.object_id.as_str());
    set(&mut attributes, "postedDate", instant(c.posted_at));
    set(&mut attributes, "title", c.title.as_str());
    set(&mut attributes, "withdrawn", false);
    Value::Object(resource("comments", &c.public_id, attributes, base))
}

fn attachments_relationship(kind: &str, id: &str, base: &str) -> Value {
    json!({
        "attachments": {
            "links": {
                "related": format!("{base}/v4/{kind}/{id}/attachments"),
                "self": format!("{base}/v4/{kind}/{id}/relationships/attachments"),
            }
        }
    })
}

/// One comment: `{"data": ...}`, with `included` attachments when asked for.
pub fn comment_document(c: &ApiComment, base: &str, include: bool) -> Value {
    let mut a = nulls(COMMENT_DETAIL);
    set(&mut a, "agencyId", c.agency_id.as_str());
    set(&mut a, "category", c.category.clone());
    set(&mut a, "city", c.city.clone());
    set(&mut a, "comment", c.body.as_str());
    set(&mut a, "commentOn", c.document_object_id.as_str());
    set(&mut a, "commentOnDocumentId", c.document_id.as_str());
    set(&mut a, "country", c.country.clone());
    set(&mut a, "docketId", c.docket_id.as_str());
    set(&mut a, "documentType", "Public Submission");
    set(&mut a, "duplicateComments", c.duplicate_comments);
    set(&mut a, "firstName", c.first_name.clone());
    set(&mut a, "lastName", c.last_name.clone());
    set(&mut a, "modifyDate", instant(c.last_modified_at));
    set(&mut a, "objectId", c.object_id.as_str());
    set(&mut a, "openForComment", false);
    set(&mut a, "organization", c.organization.clone());
    set(&mut a, "pageCount", 0);
    set(&mut a, "postedDate", instant(c.posted_at));
    set(&mut a, "receiveDate", instant(Some(c.received_at)));
    set(
        &mut a,
        "stateProvinceRegion",
        c.state_province_region.clone(),
    );
    set(&mut a, "title", c.title.as_str());
    set(&mut a, "trackingNbr", c.tracking_number.clone());
    set(&mut a, "withdrawn", false);
    let mut data = resource("comments", &c.public_id, a, base);
    let mut relationships = attachments_relationship("comments", &c.public_id, base);
    let mut document = Map::new();
    if include {
        relationships["attachments"]["data"] = c
            .attachments
            .iter()
            .map(|file| json!({ "type": "attachments", "id": file.object_id }))
            .collect();
        set(
            &mut document,
            "included",
            c.attachments
                .iter()
                .map(|file| attachment_item(file, base))
                .collect::<Vec<_>>(),
        );
    }
    set(&mut data, "relationships", relationships);
    set(&mut document, "data", data);
    Value::Object(document)
}

/// A file in `included` or an attachments listing.
pub fn attachment_item(file: &ApiAttachment, base: &str) -> Value {
    json!({
        "id": file.object_id,
        "type": "attachments",
        "attributes": {
            "agencyNote": null,
            "authors": null,
            "docAbstract": null,
            "docOrder": file.order,
            "fileFormats": [{
                "fileUrl": format!("{base}/attachments/{}", file.file_id),
                "format": file.format,
                "size": file.size_bytes,
            }],
            "modifyDate": null,
            "publication": null,
            "restrictReason": null,
            "restrictReasonType": null,
            "title": file.title,
        },
        "links": { "self": format!("{base}/v4/attachments/{}", file.object_id) },
    })
}

/// Every attribute of a document in regulations.gov's detail response.
const DOCUMENT_DETAIL: &[&str] = &[
    "additionalRins",
    "address1",
    "address2",
    "agencyId",
    "allowLateComments",
    "authorDate",
    "authors",
    "category",
    "cfrPart",
    "city",
    "comment",
    "commentEndDate",
    "commentStartDate",
    "country",
    "displayProperties",
    "docAbstract",
    "docketId",
    "documentType",
    "effectiveDate",
    "email",
    "exhibitLocation",
    "exhibitType",
    "fax",
    "field1",
    "field2",
    "fileFormats",
    "firstName",
    "frDocNum",
    "frVolNum",
    "govAgency",
    "govAgencyType",
    "implementationDate",
    "lastName",
    "legacyId",
    "media",
    "modifyDate",
    "objectId",
    "ombApproval",
    "openForComment",
    "organization",
    "originalDocumentId",
    "pageCount",
    "paperLength",
    "paperWidth",
    "phone",
    "postedDate",
    "postmarkDate",
    "reasonWithdrawn",
    "receiveDate",
    "regWriterInstruction",
    "restrictReason",
    "restrictReasonType",
    "sourceCitation",
    "startEndPage",
    "stateProvinceRegion",
    "subject",
    "submitterRep",
    "submitterRepAddress",
    "submitterRepCityState",
    "subtype",
    "title",
    "topics",
    "trackingNbr",
    "withdrawn",
    "zip",
];

pub fn document_item(d: &ApiDocument, base: &str) -> Value {
    let mut a = Map::new();
    set(&mut a, "agencyId", d.agency_id.as_str());
    set(&mut a, "commentEndDate", instant(Some(d.comment_end)));
    set(&mut a, "commentStartDate", instant(Some(d.comment_start)));
    set(&mut a, "docketId", d.docket_id.as_str());
    set(&mut a, "documentType", d.document_type.as_str());
    set(&mut a, "frDocNum", d.fr_doc_num.clone());
    set(&mut a, "highlightedContent", "");
    set(&mut a, "lastModifiedDate", instant(d.last_modified_at));
    set(&mut a, "objectId", d.object_id.as_str());
    set(&mut a, "openForComment", d.open_for_comment);
    set(&mut a, "postedDate", instant(Some(d.posted_at)));
    set(&mut a, "subtype", Value::Null);
    set(&mut a, "title", d.title.as_str());
    set(&mut a, "withdrawn", d.withdrawn);
    Value::Object(resource("documents", &d.id, a, base))
}

pub fn document_document(d: &ApiDocument, base: &str) -> Value {
    let mut a = nulls(DOCUMENT_DETAIL);
    set(&mut a, "agencyId", d.agency_id.as_str());
    set(&mut a, "allowLateComments", d.allow_late);
    set(&mut a, "commentEndDate", instant(Some(d.comment_end)));
    set(&mut a, "commentStartDate", instant(Some(d.comment_start)));
    set(&mut a, "docAbstract", d.summary.as_str());
    set(&mut a, "docketId", d.docket_id.as_str());
    set(&mut a, "documentType", d.document_type.as_str());
    set(&mut a, "frDocNum", d.fr_doc_num.clone());
    set(&mut a, "modifyDate", instant(d.last_modified_at));
    set(&mut a, "objectId", d.object_id.as_str());
    set(&mut a, "openForComment", d.open_for_comment);
    set(&mut a, "pageCount", 0);
    set(&mut a, "paperLength", 0);
    set(&mut a, "paperWidth", 0);
    set(&mut a, "postedDate", instant(Some(d.posted_at)));
    set(&mut a, "receiveDate", instant(Some(d.posted_at)));
    set(&mut a, "title", d.title.as_str());
    set(&mut a, "withdrawn", d.withdrawn);
    let mut data = resource("documents", &d.id, a, base);
    set(
        &mut data,
        "relationships",
        attachments_relationship("documents", &d.id, base),
    );
    json!({ "data": data })
}

/// Every attribute of a docket in regulations.gov's detail response.
const DOCKET_DETAIL: &[&str] = &[
    "agencyId",
    "category",
    "dkAbstract",
    "docketType",
    "effectiveDate",
    "field1",
    "field2",
    "generic",
    "keywords",
    "legacyId",
    "modifyDate",
    "objectId",
    "organization",
    "petitionNbr",
    "program",
    "rin",
    "shortTitle",
    "subType",
    "subType2",
    "title",
];

pub fn docket_item(d: &ApiDocket, base: &str) -> Value {
    let mut a = Map::new();
    set(&mut a, "agencyId", d.agency_id.as_str());
    set(&mut a, "docketType", d.docket_type.as_str());
    set(&mut a, "highlightedContent", Value::Null);
    set(&mut a, "lastModifiedDate", instant(d.last_modified_at));
    set(&mut a, "objectId", d.object_id.as_str());
    set(&mut a, "title", d.title.as_str());
    Value::Object(resource("dockets", &d.id, a, base))
}

pub fn docket_document(d: &ApiDocket, base: &str) -> Value {
    let mut a = nulls(DOCKET_DETAIL);
    set(&mut a, "agencyId", d.agency_id.as_str());
    set(&mut a, "dkAbstract", d.summary.clone());
    set(&mut a, "docketType", d.docket_type.as_str());
    set(&mut a, "modifyDate", instant(d.last_modified_at));
    set(&mut a, "objectId", d.object_id.as_str());
    set(&mut a, "title", d.title.as_str());
    json!({ "data": resource("dockets", &d.id, a, base) })
}

/// A listing: `{"data": [...], "meta": {...}}` with regulations.gov's paging fields.
pub fn list_document(items: Vec<Value>, total: i64, request: &ListRequest) -> Value {
    let size = request.page_size;
    let number = request.page_number;
    let total_pages = (total + size - 1) / size;
    json!({
        "data": items.clone(),
        "meta": {
            "hasNextPage": number < total_pages,
            "hasPreviousPage": number > 1,
            "numberOfElements": items.len(),
            "pageNumber": number,
            "pageSize": size,
            "totalElements": total,
            "totalPages": total_pages,
            "firstPage": number == 1,
            "lastPage": number >= total_pages,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_comment() -> ApiComment {
        ApiComment {
            id: 7,
            public_id: "FTC-2023-0018-0002".into(),
            object_id: "00000000000000aa".into(),
            title: "Comment from Jane Doe".into(),
            category: None,
            duplicate_comments: 0,
            tracking_number: None,
            first_name: Some("Jane".into()),
            last_name: Some("Doe".into()),
            organization: None,
            city: Some("Albany".into()),
            state_province_region: Some("NY".into()),
            country: Some("United States".into()),
            body: "Make the ban permanent.".into(),
            received_at: "2023-03-20T15:00:00Z".parse().unwrap(),
            posted_at: Some("2023-03-21T15:00:00Z".parse().unwrap()),
            last_modified_at: Some("2023-03-21T15:00:00.250Z".parse().unwrap()),
            docket_id: "FTC-2023-0018".into(),
            agency_id: "FTC".into(),
            document_id: "FTC-2023-0018-0001".into(),
            document_object_id: "00000000000000bb".into(),
            attachments: vec![ApiAttachment {
                object_id: "00000000000000cc".into(),
                file_id: 3,
                order: 1,
                title: "letter.pdf".into(),
                format: "pdf",
                size_bytes: 1234,
            }],
        }
    }

    #[test]
    fn a_comment_has_exactly_the_real_detail_fields() {
        let doc = comment_document(&sample_comment(), "https://example.gov", true);
        let attributes = doc["data"]["attributes"].as_object().unwrap();
        let names: Vec<&str> = attributes.keys().map(String::as_str).collect();
        let mut expected = COMMENT_DETAIL.to_vec();
        expected.sort_unstable();
        assert_eq!(names, expected);
        for private in ["email", "phone", "fax", "address1", "address2", "zip"] {
            assert!(
                attributes[private].is_null(),
                "{private} is never published"
            );
        }
        assert_eq!(attributes["postedDate"], "2023-03-21T15:00:00Z");
        assert_eq!(attributes["modifyDate"], "2023-03-21T15:00:00Z");
        assert_eq!(
            doc["data"]["links"]["self"],
            "https://example.gov/v4/comments/FTC-2023-0018-0002"
        );
        assert_eq!(
            doc["included"][0]["attributes"]["fileFormats"][0]["format"],
            "pdf"
        );
        assert_eq!(
            doc["data"]["relationships"]["attachments"]["data"][0]["id"],
            "00000000000000cc"
        );
        let without = comment_document(&sample_comment(), "https://example.gov", false);
        assert!(without.get("included").is_none());
    }

    #[test]
    fn paging_meta_describes_the_page() {
        let request = ListRequest {
            page_size: 250,
            page_number: 2,
            ..Default::default()
        };
        let doc = list_document(vec![json!({}); 10], 260, &request);
        let meta = &doc["meta"];
        assert_eq!(meta["totalPages"], 2);
        assert_eq!(meta["hasNextPage"], false);
        assert_eq!(meta["hasPreviousPage"], true);
        assert_eq!(meta["lastPage"], true);
        assert_eq!(meta["firstPage"], false);
        assert_eq!(meta["numberOfElements"], 10);
        let empty = list_document(
            Vec::new(),
            0,
            &ListRequest {
                page_size: 25,
                page_number: 1,
                ..Default::default()
            },
        );
        assert_eq!(empty["meta"]["totalPages"], 0);
        assert_eq!(empty["meta"]["lastPage"], true);
    }
}
