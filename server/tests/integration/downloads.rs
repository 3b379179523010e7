//! Bulk downloads through the real router: the public files hold posted comments as the API shows
//! them, the staff files every comment; both stream a page at a time.

use crate::common::{instant, Harness};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use opendocket_core::api::export::{PUBLIC_COLUMNS, STAFF_COLUMNS};
use opendocket_core::moderation::Decision;
use opendocket_core::roles::Role;
use serde_json::Value;
use tower::ServiceExt;

const DOCKET: &str = "FTC-2023-0018";

async fn harness() -> Harness {
    Harness::with_open_docket(DOCKET).await
}

async fn comment(h: &Harness, name: &str, text: &str) -> i64 {
    h.submit_comment(DOCKET, "individual", name, "NY", text)
        .await;
    h.count("SELECT MAX(id) FROM comments").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_files_hold_posted_comments_as_the_api_shows_them() {
    let h = harness().await;
    let posted = comment(
        &h,
        "Jane",
        "My therapist Dr. Smith agrees, \"quoted\", and so do I.",
    )
    .await;
    h.decide(
        posted,
        Decision::Post {
            redact: vec!["Dr. Smith".to_owned()],
        },
    )
    .await;
    comment(&h, "Pending", "Not decided yet.").await;

    let csv = h.get(&format!("/dockets/{DOCKET}/comments.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        csv.headers.get("content-disposition").unwrap(),
        "attachment; filename=\"FTC-2023-0018-comments.csv\""
    );
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        PUBLIC_COLUMNS
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "only the posted comment");
    let comment_column = PUBLIC_COLUMNS.iter().position(|c| *c == "Comment").unwrap();
    assert_eq!(
        &rows[0][comment_column],
        "My therapist [redacted] agrees, \"quoted\", and so do I."
    );
    assert!(
        !csv.body.contains("someone@example.org"),
        "never an e-mail address"
    );
    assert!(!csv.body.contains("Not decided yet."));

    let jsonl = h.get(&format!("/dockets/{DOCKET}/comments.jsonl")).await;
    assert_eq!(jsonl.status, StatusCode::OK);
    let lines: Vec<Value> = jsonl
        .body
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    let id = lines[0]["data"]["id"].as_str().unwrap();
    let api = h
        .get(&format!("/v4/comments/{id}?include=attachments"))
        .await;
    let api: Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(
        lines[0], api,
        "each line is the API's answer for that comment"
    );

    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(page
        .body
        .contains(&format!("href=\"/dockets/{DOCKET}/comments.csv\"")));
    assert!(page
        .body
        .contains(&format!("href=\"/dockets/{DOCKET}/comments.jsonl\"")));
    assert_eq!(
        h.get("/dockets/EPA-2020-0001/comments.csv").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_files_hold_every_comment_for_staff_only() {
    let h = harness().await;
    comment(&h, "Pending", "Not decided yet.").await;
    let path = format!("/staff/dockets/{DOCKET}/comments.jsonl");
    assert_eq!(h.get(&path).await.status, StatusCode::UNAUTHORIZED);
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let jsonl = h.staff_get(&analyst, &path).await;
    assert_eq!(jsonl.status, StatusCode::OK);
    let line: Value = serde_json::from_str(jsonl.body.lines().next().unwrap()).unwrap();
    let keys: Vec<&str> = line
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = STAFF_COLUMNS.to_vec();
    expected.sort_unstable();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    assert_eq!(keys_sorted, expected);
    assert_eq!(line["Status"], "pending");
    assert_eq!(line["Comment"], "Not decided yet.");
    let csv = h
        .staff_get(&analyst, &format!("/staff/dockets/{DOCKET}/comments.csv"))
        .await;
    assert!(csv
        .body
        .starts_with("Document ID,Agency ID,Docket ID,Tracking Number"));
    assert!(!csv.body.contains("someone@example.org"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_docket_streams_a_page_at_a_time() {
    let h = harness().await;
    let total = 12_000;
    let body = "A comment long enough to make the file large. ".repeat(10);
    let start = instant("2023-03-21T12:00:00Z").timestamp_millis();
    h.insert_posted(DOCKET, total, &body, |i| start + i as i64)
        .await;

    let request = Request::get(format!("/dockets/{DOCKET}/comments.jsonl"))
        .body(Body::empty())
        .unwrap();
    let response = h.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let (mut chunks, mut largest, mut lines, mut bytes) = (0, 0, 0, 0);
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.unwrap().into_data() else {
            continue;
        };
        chunks += 1;
        largest = largest.max(data.len());
        bytes += data.len();
        lines += data.iter().filter(|b| **b == b'\n').count();
    }
    assert_eq!(lines, total, "every comment arrives");
    assert!(
        chunks >= 6,
        "written and sent a page at a time, not all at once: {chunks} chunks"
    );
    // A page is 2,000 comments: the whole file (over 20 MB) is never held at once.
    assert!(
        largest * 5 < bytes,
        "largest chunk {largest} bytes of {bytes}"
    );
}
