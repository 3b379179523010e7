//! `POST /v4/comments`: regulations.gov's payload and validation rules, turned into the same
//! comment the web form makes (and then held to the same deadline and moderation queue).

use super::ApiError;
use crate::comment::{validate, CommentForm, Field, NewComment, SubmissionDetails};
use serde_json::{Map, Value};

/// A checked submission: the comment, the document it is on, and the key that makes posting it
/// again harmless.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiSubmission {
    pub document_id: String,
    pub comment: NewComment,
    pub submission_key: Option<String>,
    /// `sendEmailReceipt`: a receipt is sent to the e-mail address given.
    pub send_email_receipt: bool,
    /// The attributes to echo in the answer (what was stored, in the API's names).
    pub echo: Map<String, Value>,
}

/// regulations.gov's limit for each field, applied to characters and bytes alike.
const LIMITS: &[(&str, usize)] = &[
    ("comment", 5000),
    ("email", 100),
    ("firstName", 25),
    ("lastName", 25),
    ("city", 50),
    ("stateProvinceRegion", 50),
    ("phone", 50),
    ("country", 50),
    ("zip", 10),
    ("organization", 120),
];

/// The attributes a submission may carry.
const KNOWN: &[&str] = &[
    "category",
    "city",
    "comment",
    "commentOnDocumentId",
    "country",
    "email",
    "files",
    "firstName",
    "lastName",
    "numItemsReceived",
    "organization",
    "organizationType",
    "phone",
    "sendEmailReceipt",
    "stateProvinceRegion",
    "submissionKey",
    "submissionType",
    "submitterType",
    "zip",
];

fn is_emoji(c: char) -> bool {
    matches!(u32::from(c),
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0xFE0F)
}

/// The API's name for a form field.
fn api_name(field: Field) -> &'static str {
    match field {
        Field::SubmitterType => "submitterType",
        Field::FirstName => "firstName",
        Field::LastName => "lastName",
        Field::Organization => "organization",
        Field::City => "city",
        Field::StateProvinceRegion => "stateProvinceRegion",
        Field::Country => "country",
        Field::Email => "email",
        Field::Comment => "comment",
    }
}

/// Reads and checks a `POST /v4/comments` body. Phone, zip and organizationType are checked but
/// not kept: the agency does not need them to read the comment.
pub fn parse_submission(body: &[u8]) -> Result<ApiSubmission, ApiError> {
    let document: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    let data = &document["data"];
    if data["type"] != "comments" {
        return Err(ApiError::bad_request(
            "data.type must be \"comments\" (the body is {\"data\":{\"type\":\"comments\",\"attributes\":{...}}})",
        ));
    }
    let Some(attributes) = data["attributes"].as_object() else {
        return Err(ApiError::bad_request("data.attributes must be an object"));
    };
    if let Some(unknown) = attributes.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "{unknown} is not an attribute of a comment submission"
        )));
    }
    let text = |name: &str| -> Result<String, ApiError> {
        match &attributes.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(ApiError::bad_request(format!("{name} must be a string"))),
        }
    };
    for (name, limit) in LIMITS {
        let value = text(name)?;
        if value.chars().count() > *limit || value.len() > *limit {
            return Err(ApiError::bad_request(format!(
                "{name} must be at most {limit} characters (and {limit} bytes)"
            )));
        }
        if value.chars().any(is_emoji) {
            return Err(ApiError::bad_request(format!(
                "{name} contains an emoji, which is not a valid character"
            )));
        }
    }
    for required in ["commentOnDocumentId", "comment", "submissionType"] {
        if text(required)?.trim().is_empty() {
            return Err(ApiError::bad_request(format!("{required} is required")));
        }
    }
    if text("submissionType")? != "API" {
        return Err(ApiError::bad_request("submissionType must be API"));
    }
    let submitter_type = text("submitterType")?;
    let kind = match submitter_type.as_str() {
        "ANONYMOUS" => "anonymous",
        "INDIVIDUAL" => "individual",
        "ORGANIZATION" => "organization",
        other => {
            return Err(ApiError::bad_request(format!(
                "submitterType must be ANONYMOUS, INDIVIDUAL or ORGANIZATION, not {other:?}"
            )))
        }
    };
    let required_for = |names: &[&str]| -> Result<(), ApiError> {
        for name in names {
            if text(name)?.trim().is_empty() {
                return Err(ApiError::bad_request(format!(
                    "{name} is required when submitterType is {submitter_type}"
                )));
            }
        }
        Ok(())
    };
    match kind {
        "individual" => required_for(&["firstName", "lastName"])?,
        "organization" => required_for(&["organization", "organizationType"])?,
        _ => {}
    }
    let send_receipt = match attributes.get("sendEmailReceipt") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::bad_request(
                "sendEmailReceipt must be true or false",
            ))
        }
    };
    if send_receipt && text("email")?.trim().is_empty() {
        return Err(ApiError::bad_request(
            "email is required when sendEmailReceipt is true",
        ));
    }
    let items_received = match attributes.get("numItemsReceived") {
        None | Some(Value::Null) => 1,
        Some(value) => value
            .as_i64()
            .filter(|n| (1..=10_000_000).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request("numItemsReceived must be a whole number of at least 1")
            })?,
    };
    match attributes.get("files") {
        None | Some(Value::Null) => {}
        Some(Value::Array(files)) if files.is_empty() => {}
        Some(_) => return Err(ApiError::bad_request(
            "files cannot be sent through the API here; attach them on the docket's comment form",
        )),
    }
    let form = CommentForm {
        submitter_type: kind.to_owned(),
        first_name: text("firstName")?,
        last_name: text("lastName")?,
        organization: text("organization")?,
        city: text("city")?,
        state_province_region: text("stateProvinceRegion")?,
        country: text("country")?,
        email: text("email")?,
        comment: text("comment")?,
    };
    let mut comment = validate(&form).map_err(|errors| {
        let details: Vec<String> = errors
            .0
            .iter()
            .map(|(field, message)| format!("{}: {message}", api_name(*field)))
            .collect();
        ApiError::bad_request(details.join(" "))
    })?;
    let category = Some(text("category")?.trim().to_owned()).filter(|c| !c.is_empty());
    comment.details = SubmissionDetails {
        category,
        items_received: Some(items_received),
    };
    let mut echo = Map::new();
    for name in [
        "commentOnDocumentId",
        "comment",
        "submissionType",
        "submitterType",
        "firstName",
        "lastName",
        "organization",
        "organizationType",
        "city",
        "stateProvinceRegion",
        "country",
        "email",
        "category",
    ] {
        let value = text(name)?;
        if !value.is_empty() {
            echo.insert(name.to_owned(), Value::String(value));
        }
    }
    echo.insert("numItemsReceived".to_owned(), Value::from(items_received));
    Ok(ApiSubmission {
        document_id: text("commentOnDocumentId")?.trim().to_owned(),
        comment,
        submission_key: Some(text("submissionKey")?.trim().to_owned()).filter(|k| !k.is_empty()),
        send_email_receipt: send_receipt,
        echo,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(attributes: Value) -> Vec<u8> {
        json!({ "data": { "type": "comments", "attributes": attributes } })
            .to_string()
            .into_bytes()
    }

    fn refused(attributes: Value) -> String {
        parse_submission(&body(attributes)).unwrap_err().detail
    }

    #[test]
    fn each_submitter_type_has_its_required_fields() {
        let base = |kind: &str| {
            json!({
                "commentOnDocumentId": "FTC-2023-0018-0001",
                "comment": "Make the ban permanent.",
                "submissionType": "API",
                "submitterType": kind,
            })
        };
        assert!(parse_submission(&body(base("ANONYMOUS"))).is_ok());
        assert!(refused(base("INDIVIDUAL"))
            .contains("firstName is required when submitterType is INDIVIDUAL"));
        let mut individual = base("INDIVIDUAL");
        individual["firstName"] = json!("Jane");
        individual["lastName"] = json!("Doe");
        let ok = parse_submission(&body(individual)).unwrap();
        assert_eq!(ok.comment.submitter.display_name(), "Jane Doe");
        assert_eq!(ok.echo["numItemsReceived"], 1);
        let mut organization = base("ORGANIZATION");
        organization["organization"] = json!("Patients United");
        assert!(refused(organization.clone()).contains("organizationType is required"));
        organization["organizationType"] = json!("Advocacy");
        organization["numItemsReceived"] = json!(2500);
        organization["category"] = json!("Consumer group");
        let ok = parse_submission(&body(organization)).unwrap();
        assert_eq!(ok.comment.details.items_received, Some(2500));
        assert_eq!(
            ok.comment.details.category.as_deref(),
            Some("Consumer group")
        );
        assert!(refused(base("PERSON")).contains("submitterType must be ANONYMOUS"));
    }

    #[test]
    fn regulations_gov_rules_are_applied() {
        let with = |name: &str, value: Value| {
            let mut a = json!({
                "commentOnDocumentId": "FTC-2023-0018-0001",
                "comment": "Make the ban permanent.",
                "submissionType": "API",
                "submitterType": "ANONYMOUS",
            });
            a[name] = value;
            a
        };
        assert!(
            refused(with("submissionType", json!("WEB"))).contains("submissionType must be API")
        );
        assert!(refused(with("comment", json!("x".repeat(5001)))).contains("at most 5000"));
        assert!(refused(with("comment", json!("é".repeat(2501)))).contains("5000 bytes"));
        assert!(refused(with("comment", json!("Great order 👍"))).contains("emoji"));
        assert!(refused(with("sendEmailReceipt", json!(true))).contains("email is required"));
        assert!(refused(with("numItemsReceived", json!(0))).contains("numItemsReceived"));
        assert!(refused(with("files", json!(["a.pdf"]))).contains("files cannot be sent"));
        assert!(refused(with("color", json!("red"))).contains("color is not an attribute"));
        assert!(refused(with("comment", json!(""))).contains("comment is required"));
        assert!(refused(with("email", json!("not an address"))).contains("email: "));
        assert!(parse_submission(b"{")
            .unwrap_err()
            .detail
            .contains("not valid JSON"));
    }
}
