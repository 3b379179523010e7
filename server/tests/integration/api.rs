//! The regulations.gov v4-compatible API through the real router: the shapes of real responses
//! field by field, only posted comments and public fields, filters, sorting, paging, the keyset
//! recipe past 5,000 comments, keys and rate limits, and errors in regulations.gov's shape.

use crate::common::{instant, Harness, Multipart};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use opendocket_core::accounts::Actor;
use opendocket_core::moderation::Decision;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};

const DOCKET: &str = "FTC-2023-0018";
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/regulationsgov-v4"
);

fn fixture(name: &str) -> Value {
    let bytes = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
    // One real file has line breaks inside strings; read it as the importer does.
    opendocket_core::import::parse_saved_json(&bytes).unwrap()
}

async fn harness() -> Harness {
    Harness::with_open_docket(DOCKET).await
}

/// Submits a comment and posts it; returns its public id.
async fn posted(h: &Harness, name: &str, text: &str) -> String {
    h.submit_comment(DOCKET, "individual", name, "NY", text)
        .await;
    let id = h.count("SELECT MAX(id) FROM comments").await;
    h.decide(id, Decision::Post { redact: Vec::new() }).await;
    public_id(h, id).await
}

async fn public_id(h: &Harness, id: i64) -> String {
    h.public_id(id).await
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: Value,
}

async fn call(h: &Harness, path: &str, key: Option<&str>) -> Answer {
    let mut request = Request::get(path);
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let page = h.send(request.body(Body::empty()).unwrap()).await;
    let json = serde_json::from_str(&page.body)
        .unwrap_or_else(|e| panic!("GET {path} is not JSON ({e}): {}", page.body));
    Answer {
        status: page.status,
        headers: page.headers,
        json,
    }
}

async fn api(h: &Harness, path: &str) -> Value {
    let answer = call(h, path, None).await;
    assert_eq!(answer.status, StatusCode::OK, "GET {path}: {}", answer.json);
    assert_eq!(
        answer.headers.get("content-type").unwrap(),
        "application/vnd.api+json"
    );
    answer.json
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

/// What kind of JSON value, and for strings whether they look like a regulations.gov instant.
fn shape(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(s) if is_instant(s) => "instant",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_instant(s: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").is_ok()
}

/// Every attribute the real record has, ours has, with the same kind of value wherever both
/// have one.
fn assert_same_shape(ours: &Value, real: &Value, what: &str) {
    assert_eq!(keys(ours), keys(real), "{what}: attribute names");
    for (name, real_value) in real.as_object().unwrap() {
        let our_value = &ours[name];
        if !real_value.is_null() && !our_value.is_null() {
            assert_eq!(
                shape(our_value),
                shape(real_value),
                "{what}.{name}: ours {our_value}, real {real_value}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_have_the_shape_of_real_responses_field_by_field() {
    let h = harness().await;
    let id = posted(&h, "Jane", "The Commission should make the ban permanent.").await;

    let real = fixture("comment-USTR-2015-0010-0002.json");
    let ours = api(&h, &format!("/v4/comments/{id}")).await;
    assert_eq!(keys(&ours), keys(&real), "top level");
    assert_eq!(keys(&ours["data"]), keys(&real["data"]), "data");
    assert_same_shape(
        &ours["data"]["attributes"],
        &real["data"]["attributes"],
        "comment",
    );
    assert_eq!(
        keys(&ours["data"]["relationships"]["attachments"]["links"]),
        keys(&real["data"]["relationships"]["attachments"]["links"])
    );
    let attributes = &ours["data"]["attributes"];
    assert_eq!(ours["data"]["id"], id.as_str());
    assert_eq!(ours["data"]["type"], "comments");
    assert_eq!(
        ours["data"]["links"]["self"],
        format!("http://127.0.0.1:3000/v4/comments/{id}")
    );
    assert_eq!(
        attributes["comment"],
        "The Commission should make the ban permanent."
    );
    assert_eq!(attributes["firstName"], "Jane");
    assert_eq!(attributes["docketId"], DOCKET);
    assert_eq!(attributes["commentOnDocumentId"], format!("{DOCKET}-0001"));
    assert_eq!(attributes["documentType"], "Public Submission");
    assert_eq!(attributes["receiveDate"], "2023-03-20T15:00:00Z");
    assert!(
        attributes["email"].is_null(),
        "the e-mail address given is never published"
    );
    assert!(
        attributes["trackingNbr"].is_null(),
        "a tracking number made here opens the unredacted receipt"
    );

    let document = api(&h, &format!("/v4/documents/{DOCKET}-0001")).await;
    let real_document = fixture("document-USTR-2015-0010-0001.json");
    assert_same_shape(
        &document["data"]["attributes"],
        &real_document["data"]["attributes"],
        "document",
    );
    assert_eq!(
        attributes["commentOn"], document["data"]["attributes"]["objectId"],
        "a comment points at its document's objectId"
    );

    let listing = api(&h, "/v4/dockets").await;
    let real_listing = fixture("dockets-listing-page.json");
    assert_same_shape(
        &listing["data"][0]["attributes"],
        &real_listing["data"][0]["attributes"],
        "docket in a listing",
    );
    assert_eq!(keys(&listing["data"][0]), keys(&real_listing["data"][0]));
    let mut real_meta = real_listing["meta"].clone();
    for only_there in ["aggregations", "filters"] {
        real_meta.as_object_mut().unwrap().remove(only_there);
    }
    assert_same_shape(&listing["meta"], &real_meta, "meta");

    let documents = api(&h, "/v4/documents").await;
    let real_documents = fixture("documents-listing-pages.json");
    assert_same_shape(
        &documents["data"][0]["attributes"],
        &real_documents[0]["data"][0]["attributes"],
        "document in a listing",
    );
    let comments = api(&h, "/v4/comments").await;
    let expected: BTreeSet<String> = [
        "agencyId",
        "documentType",
        "highlightedContent",
        "lastModifiedDate",
        "objectId",
        "postedDate",
        "title",
        "withdrawn",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(keys(&comments["data"][0]["attributes"]), expected);
    assert_eq!(
        comments["data"][0]["attributes"]["title"],
        "Comment from Jane Example"
    );
    let docket = api(&h, &format!("/v4/dockets/{DOCKET}")).await;
    assert_eq!(docket["data"]["attributes"]["docketType"], "Nonrulemaking");
    assert_eq!(docket["data"]["attributes"]["agencyId"], "FTC");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_posted_comments_and_their_public_text_are_served() {
    let h = harness().await;
    h.submit_comment(DOCKET, "individual", "Pending", "NY", "Not decided yet.")
        .await;
    let pending = h.count("SELECT MAX(id) FROM comments").await;
    h.submit_comment(DOCKET, "individual", "Withheld", "NY", "Buy cheap pills.")
        .await;
    let spam = h.count("SELECT MAX(id) FROM comments").await;
    h.decide(
        spam,
        Decision::Withhold {
            reason: opendocket_core::moderation::WithholdReason::Spam,
            note: None,
        },
    )
    .await;
    h.submit_comment(
        DOCKET,
        "individual",
        "Redacted",
        "NY",
        "My therapist Dr. Smith helped.",
    )
    .await;
    let redacted = h.count("SELECT MAX(id) FROM comments").await;
    h.decide(
        redacted,
        Decision::Post {
            redact: vec!["Dr. Smith".to_owned()],
        },
    )
    .await;
    let redacted_id = public_id(&h, redacted).await;

    let listing = api(&h, "/v4/comments").await;
    assert_eq!(listing["meta"]["totalElements"], 1, "{listing}");
    let one = api(&h, &format!("/v4/comments/{redacted_id}")).await;
    assert_eq!(
        one["data"]["attributes"]["comment"],
        "My therapist [redacted] helped."
    );
    let _ = pending;
    let missing = call(&h, "/v4/comments/FTC-2023-0018-9999", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json["errors"][0]["status"], 404);
    assert_eq!(missing.json["errors"][0]["title"], "Not Found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_sorting_and_paging_work_like_regulations_gov() {
    let h = harness().await;
    let mut ids = Vec::new();
    for i in 0..12 {
        // Posted on different days: the clock moves a day for each.
        h.clock
            .set(instant("2023-03-20T15:00:00Z") + chrono::Duration::days(i));
        let text = if i == 7 {
            "Health data went to advertisers without consent.".to_owned()
        } else {
            format!("Comment number {i} about the order.")
        };
        ids.push(posted(&h, &format!("Person{i}"), &text).await);
    }
    let page = api(
        &h,
        "/v4/comments?page[size]=5&page[number]=2&sort=postedDate",
    )
    .await;
    let meta = &page["meta"];
    assert_eq!(meta["totalElements"], 12);
    assert_eq!(meta["totalPages"], 3);
    assert_eq!(meta["pageNumber"], 2);
    assert_eq!(meta["pageSize"], 5);
    assert_eq!(meta["numberOfElements"], 5);
    assert_eq!(meta["hasNextPage"], true);
    assert_eq!(meta["hasPreviousPage"], true);
    assert_eq!(meta["firstPage"], false);
    assert_eq!(meta["lastPage"], false);
    let listed: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        ids[5..10].iter().map(String::as_str).collect::<Vec<_>>()
    );

    let newest = api(&h, "/v4/comments?sort=-postedDate,documentId&page[size]=5").await;
    assert_eq!(newest["data"][0]["id"], ids[11].as_str());

    // 2023-03-22 is the third day; Eastern days start at 04:00 UTC in March.
    let range = api(
        &h,
        "/v4/comments?filter[postedDate][ge]=2023-03-22&filter[postedDate][le]=2023-03-23",
    )
    .await;
    assert_eq!(range["meta"]["totalElements"], 2, "{range}");
    let day = api(&h, "/v4/comments?filter[postedDate]=2023-03-22").await;
    assert_eq!(day["data"][0]["id"], ids[2].as_str());

    let document = api(&h, &format!("/v4/documents?filter[docketId]={DOCKET}")).await;
    let object_id = document["data"][0]["attributes"]["objectId"]
        .as_str()
        .unwrap();
    let on = api(&h, &format!("/v4/comments?filter[commentOnId]={object_id}")).await;
    assert_eq!(on["meta"]["totalElements"], 12);
    let none = api(&h, "/v4/comments?filter[commentOnId]=0900006481bce624").await;
    assert_eq!(none["meta"]["totalElements"], 0);
    assert_eq!(none["meta"]["totalPages"], 0);
    let by_docket = api(&h, &format!("/v4/comments?filter[docketId]={DOCKET}")).await;
    assert_eq!(by_docket["meta"]["totalElements"], 12);
    let other_agency = api(&h, "/v4/comments?filter[agencyId]=EPA").await;
    assert_eq!(other_agency["meta"]["totalElements"], 0);

    assert!(h
        .services
        .search
        .catch_up(h.store(), std::time::Duration::from_secs(5))
        .await
        .unwrap());
    let found = api(&h, "/v4/comments?filter[searchTerm]=advertisers").await;
    assert_eq!(found["meta"]["totalElements"], 1, "{found}");
    assert_eq!(found["data"][0]["id"], ids[7].as_str());
    let by_id = api(&h, &format!("/v4/comments?filter[searchTerm]={}", ids[3])).await;
    assert_eq!(
        by_id["data"][0]["id"],
        ids[3].as_str(),
        "a comment id finds that comment"
    );

    let dockets = api(
        &h,
        "/v4/dockets?filter[searchTerm]=TEST%20docket&sort=-title",
    )
    .await;
    assert_eq!(dockets["meta"]["totalElements"], 1);
    let dockets = api(&h, "/v4/dockets?filter[searchTerm]=betterhelp").await;
    assert_eq!(dockets["meta"]["totalElements"], 0);
    let open = api(&h, "/v4/documents?filter[withinCommentPeriod]=true").await;
    assert_eq!(open["meta"]["totalElements"], 1);
    assert_eq!(open["data"][0]["attributes"]["openForComment"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_400_with_a_precise_detail() {
    let h = harness().await;
    for (path, says) in [
        (
            "/v4/comments?filter[color]=red",
            "filter[color] is not a filter",
        ),
        ("/v4/comments?filter[postedDate]=09/01/2020", "yyyy-MM-dd"),
        (
            "/v4/comments?filter[lastModifiedDate][ge]=2020-08-10",
            "HH:mm:ss",
        ),
        ("/v4/comments?page[size]=4", "between 5 and 250"),
        ("/v4/comments?page[size]=251", "between 5 and 250"),
        ("/v4/comments?page[number]=0", "1 or more"),
        ("/v4/comments?sort=title", "sort by title is not supported"),
        (
            "/v4/dockets?sort=postedDate",
            "sort by postedDate is not supported",
        ),
        (
            "/v4/comments?filter[searchTerm]=%22unclosed",
            "filter[searchTerm]",
        ),
        ("/v4/comments/X?include=documents", "include=documents"),
    ] {
        let answer = call(&h, path, None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "GET {path}");
        let error = &answer.json["errors"][0];
        assert_eq!(error["status"], 400, "GET {path}");
        assert_eq!(error["title"], "Bad Request");
        let detail = error["detail"].as_str().unwrap();
        assert!(detail.contains(says), "GET {path}: {detail}");
    }
    let unknown = call(&h, "/v4/agencies", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json["errors"][0]["status"], 404);
}

/// Posts `n` comments straight into the database (three share each second of lastModifiedDate).
async fn many_posted(h: &Harness, n: usize) {
    let start = instant("2023-03-21T12:00:00Z").timestamp_millis();
    h.insert_posted(DOCKET, n, "Bulk comment.", |i| {
        start + (i as i64 / 3) * 1000 + (i as i64 % 3) * 100
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyset_recipe_downloads_more_than_5000_comments() {
    let h = harness().await;
    let total = 5_600;
    many_posted(&h, total).await;
    // regulations.gov's recipe: 20 pages of 250 sorted by lastModifiedDate,documentId, then again
    // from the last comment's lastModifiedDate (in Eastern time, "greater or equal").
    let mut seen = HashSet::new();
    let mut from: Option<String> = None;
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 10, "the recipe does not finish");
        let mut last_modified = None;
        let mut new_in_round = 0;
        for page in 1..=20 {
            let mut path = format!(
                "/v4/comments?filter[docketId]={DOCKET}&page[size]=250&page[number]={page}&sort=lastModifiedDate,documentId"
            );
            if let Some(from) = &from {
                path.push_str(&format!("&filter[lastModifiedDate][ge]={from}"));
            }
            let answer = api(&h, &path.replace(' ', "%20")).await;
            for comment in answer["data"].as_array().unwrap() {
                if seen.insert(comment["id"].as_str().unwrap().to_owned()) {
                    new_in_round += 1;
                }
                last_modified = comment["attributes"]["lastModifiedDate"]
                    .as_str()
                    .map(str::to_owned);
            }
            if answer["meta"]["lastPage"] == true {
                break;
            }
        }
        if new_in_round == 0 {
            break;
        }
        let last: chrono::DateTime<chrono::Utc> = last_modified.unwrap().parse().unwrap();
        from = Some(
            last.with_timezone(&chrono_tz::America::New_York)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
        );
    }
    assert_eq!(seen.len(), total, "every comment, none twice");
    // Paging does not stop at 20 pages here: page 23 of 250 is the last.
    let deep = api(&h, "/v4/comments?page[size]=250&page[number]=23").await;
    assert_eq!(deep["meta"]["numberOfElements"], 100);
    assert_eq!(deep["meta"]["lastPage"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_rate_limits() {
    let h = harness().await;
    let now = instant("2023-03-20T15:00:00Z");
    let (key, secret) = h
        .store()
        .create_api_key("Research lab", Some(3), &Actor::CommandLine, now)
        .await
        .unwrap();
    for remaining in ["2", "1", "0"] {
        let answer = call(&h, "/v4/dockets", Some(&secret)).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.headers.get("x-ratelimit-limit").unwrap(), "3");
        assert_eq!(
            answer.headers.get("x-ratelimit-remaining").unwrap(),
            remaining
        );
    }
    let over = call(&h, "/v4/dockets", Some(&secret)).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.json["errors"][0]["status"], 429);
    let wait: u64 = over
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1200).contains(&wait), "{wait}");
    assert_eq!(over.headers.get("x-ratelimit-remaining").unwrap(), "0");

    // The same key as a query parameter is the same key.
    let by_parameter = call(&h, &format!("/v4/dockets?api_key={secret}"), None).await;
    assert_eq!(by_parameter.status, StatusCode::TOO_MANY_REQUESTS);

    // Reading without a key works, at the anonymous limit.
    let anonymous = call(&h, "/v4/dockets", None).await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(anonymous.headers.get("x-ratelimit-limit").unwrap(), "100");

    let unknown = call(&h, "/v4/dockets", Some("odk_not-a-key")).await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert_eq!(unknown.json["errors"][0]["status"], 403);
    assert!(unknown.headers.get("x-ratelimit-remaining").is_some());
    let (_, other) = h
        .store()
        .create_api_key("Newsroom", None, &Actor::CommandLine, now)
        .await
        .unwrap();
    assert_eq!(
        call(&h, "/v4/dockets", Some(&other))
            .await
            .headers
            .get("x-ratelimit-limit")
            .unwrap(),
        "1000"
    );
    let all = h.store().api_keys().await.unwrap();
    let newsroom = all.iter().find(|k| k.name == "Newsroom").unwrap();
    assert!(h
        .store()
        .revoke_api_key(newsroom.id, &Actor::CommandLine, now)
        .await
        .unwrap());
    let revoked = call(&h, "/v4/dockets", Some(&other)).await;
    assert_eq!(revoked.status, StatusCode::FORBIDDEN);
    assert!(key.revoked_at.is_none());
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE object_type = 'api_key'")
            .await,
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_are_included_when_asked_for() {
    let h = harness().await;
    let pdf: &[u8] = include_bytes!("../fixtures/letter.pdf");
    let form = Multipart::default()
        .text("form_token", &h.form_token(DOCKET))
        .text("submitter_type", "anonymous")
        .text("comment", "See attached")
        .file("attachments", "letter.pdf", pdf)
        .file("attachments", "notes.txt", b"My own notes.\n");
    let sent = h.post_multipart(&format!("/dockets/{DOCKET}"), &form).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let comment = h.count("SELECT MAX(id) FROM comments").await;
    h.decide(comment, Decision::Post { redact: Vec::new() })
        .await;
    let id = public_id(&h, comment).await;
    let notes = h.count("SELECT MAX(id) FROM attachments").await;
    h.store()
        .set_attachment_withheld(notes, true, &Actor::System, instant("2023-03-20T15:00:00Z"))
        .await
        .unwrap();

    let plain = api(&h, &format!("/v4/comments/{id}")).await;
    assert!(plain.get("included").is_none());
    let with = api(&h, &format!("/v4/comments/{id}?include=attachments")).await;
    let included = with["included"].as_array().unwrap();
    assert_eq!(included.len(), 1, "the withheld file is left out: {with}");
    let file = &included[0];
    assert_eq!(file["type"], "attachments");
    assert_eq!(
        with["data"]["relationships"]["attachments"]["data"][0]["id"],
        file["id"]
    );
    let format = &file["attributes"]["fileFormats"][0];
    assert_eq!(format["format"], "pdf");
    assert_eq!(format["size"], pdf.len());
    let url = format["fileUrl"].as_str().unwrap();
    let path = url.strip_prefix("http://127.0.0.1:3000").unwrap();
    let download = h.get(path).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(
        download.headers.get("content-type").unwrap(),
        "application/pdf"
    );

    let self_link = file["links"]["self"].as_str().unwrap();
    let again = api(&h, self_link.strip_prefix("http://127.0.0.1:3000").unwrap()).await;
    assert_eq!(again["data"]["id"], file["id"]);
    let related = with["data"]["relationships"]["attachments"]["links"]["related"]
        .as_str()
        .unwrap();
    let listed = api(&h, related.strip_prefix("http://127.0.0.1:3000").unwrap()).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_makes_and_revokes_keys_on_the_staff_page() {
    use opendocket_core::roles::Role;
    let h = harness().await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let made = h
        .staff_form(
            &admin,
            "/staff/api-keys",
            &[("name", "Newsroom"), ("limit", "50")],
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let secret = made
        .body
        .split("odk_")
        .nth(1)
        .map(|rest| format!("odk_{}", &rest[..64]))
        .expect("the page shows the key");
    let page = h.staff_get(&admin, "/staff/api-keys").await;
    assert!(page.body.contains("Newsroom"));
    assert!(page.body.contains("50 an hour"));
    assert!(!page.body.contains(&secret), "the key is shown only once");
    let answer = call(&h, "/v4/dockets", Some(&secret)).await;
    assert_eq!(answer.headers.get("x-ratelimit-limit").unwrap(), "50");

    let refused = h
        .staff_form(&admin, "/staff/api-keys", &[("name", ""), ("limit", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Give the key a name"));
    let too_many = h
        .staff_form(
            &admin,
            "/staff/api-keys",
            &[("name", "X"), ("limit", "lots")],
        )
        .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);

    let id = h.count("SELECT MAX(id) FROM api_keys").await;
    let revoked = h
        .staff_form(&admin, &format!("/staff/api-keys/{id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        call(&h, "/v4/dockets", Some(&secret)).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn post_comment(h: &Harness, key: Option<&str>, attributes: Value) -> Answer {
    let body = serde_json::json!({ "data": { "type": "comments", "attributes": attributes } });
    let mut request =
        Request::post("/v4/comments").header("content-type", "application/vnd.api+json");
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let page = h
        .send(request.body(Body::from(body.to_string())).unwrap())
        .await;
    Answer {
        status: page.status,
        headers: page.headers,
        json: serde_json::from_str(&page.body).unwrap_or(Value::Null),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisations_post_comments_that_go_through_moderation() {
    let h = harness().await;
    let (_, secret) = h
        .store()
        .create_api_key(
            "Patients United",
            None,
            &Actor::CommandLine,
            instant("2023-03-20T15:00:00Z"),
        )
        .await
        .unwrap();
    let letter = serde_json::json!({
        "commentOnDocumentId": format!("{DOCKET}-0001"),
        "comment": "Our 2,500 members ask the Commission to make the ban permanent.",
        "submissionType": "API",
        "submitterType": "ORGANIZATION",
        "organization": "Patients United",
        "organizationType": "Advocacy group",
        "email": "office@patients.example",
        "numItemsReceived": 2500,
        "submissionKey": "batch-7",
    });
    let anonymous = post_comment(&h, None, letter.clone()).await;
    assert_eq!(anonymous.status, StatusCode::FORBIDDEN);
    assert_eq!(anonymous.json["errors"][0]["status"], 403);

    let created = post_comment(&h, Some(&secret), letter.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let data = &created.json["data"];
    let tracking = data["id"].as_str().unwrap();
    assert_eq!(data["type"], "comments");
    assert_eq!(data["attributes"]["numItemsReceived"], 2500);
    assert_eq!(data["attributes"]["receiveDate"], "2023-03-20T15:00:00Z");
    assert_eq!(data["attributes"]["organization"], "Patients United");
    let stored: (String, String, Option<i64>) = sqlx::query_as(
        "SELECT status, tracking_number, items_received FROM comments WHERE organization = 'Patients United'",
    )
    .fetch_one(h.store().pool())
    .await
    .unwrap();
    assert_eq!(
        stored,
        ("pending".to_owned(), tracking.to_owned(), Some(2500))
    );
    let again = post_comment(&h, Some(&secret), letter.clone()).await;
    assert_eq!(
        again.json["data"]["id"], tracking,
        "the same submissionKey is the same comment"
    );
    assert_eq!(h.comment_count().await, 1);
    assert_eq!(
        api(&h, "/v4/comments").await["meta"]["totalElements"],
        0,
        "not public before a moderator posts it"
    );

    for (change, says) in [
        (
            ("submitterType", serde_json::json!("INDIVIDUAL")),
            "firstName is required",
        ),
        (
            ("organizationType", Value::Null),
            "organizationType is required",
        ),
        (
            ("submissionType", serde_json::json!("WEB")),
            "submissionType must be API",
        ),
        (
            ("comment", serde_json::json!("x".repeat(5001))),
            "at most 5000",
        ),
    ] {
        let mut attributes = letter.clone();
        attributes[change.0] = change.1;
        let refused = post_comment(&h, Some(&secret), attributes).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.json);
        let detail = refused.json["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{detail}");
    }
    let mut elsewhere = letter.clone();
    elsewhere["commentOnDocumentId"] = serde_json::json!("EPA-2020-0001-0001");
    assert_eq!(
        post_comment(&h, Some(&secret), elsewhere).await.status,
        StatusCode::NOT_FOUND
    );

    // After the deadline the same check as the web form refuses it.
    h.clock.set(instant("2023-04-14T04:00:00Z"));
    let mut late = letter.clone();
    late["submissionKey"] = serde_json::json!("batch-8");
    let refused = post_comment(&h, Some(&secret), late).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.json["errors"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("closed 2023-04-14T04:00:00Z"));
    assert_eq!(h.comment_count().await, 1, "nothing half-written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_on_other_sites_may_read_the_api() {
    let h = harness().await;
    let preflight = h
        .send(
            Request::builder()
                .method("OPTIONS")
                .uri("/v4/comments")
                .header("origin", "https://notebook.example")
                .header("access-control-request-method", "GET")
                .header("access-control-request-headers", "x-api-key")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    assert_eq!(
        preflight
            .headers
            .get("access-control-allow-origin")
            .unwrap(),
        "*"
    );
    let allowed = preflight
        .headers
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(allowed.contains("x-api-key"), "{allowed}");
    assert!(
        preflight.headers.get("x-ratelimit-limit").is_none(),
        "preflights are not counted"
    );

    let read = h
        .send(
            Request::get("/v4/dockets")
                .header("origin", "https://notebook.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        read.headers.get("access-control-allow-origin").unwrap(),
        "*"
    );
    assert!(read
        .headers
        .get("access-control-allow-credentials")
        .is_none());
    let exposed = read
        .headers
        .get("access-control-expose-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(exposed.contains("x-ratelimit-remaining"), "{exposed}");
    // The site's own pages are not opened to other origins.
    let page = h
        .send(
            Request::get(format!("/dockets/{DOCKET}"))
                .header("origin", "https://notebook.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(page.headers.get("access-control-allow-origin").is_none());
}
