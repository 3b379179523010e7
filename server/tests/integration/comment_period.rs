//! The public comment period through the real router and a real SQLite file: submission,
//! receipts, deadlines, late comments, idempotency, bad input, and the window scheduler.

use crate::common::{encode_form, instant, Harness};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Duration;
use opendocket_core::scheduler::apply_due_transitions;

const DOCKET: &str = "FTC-2023-0018";
const OPENS: &str = "2023-03-14T13:00:00Z";
/// The first instant after April 13, 2023 in New York (the window closes then).
const CLOSES: &str = "2023-04-14T04:00:00Z";

async fn open_docket(allow_late: bool) -> Harness {
    let h = Harness::new(instant("2023-03-20T15:00:00Z")).await;
    h.create_docket(DOCKET, instant(OPENS), instant(CLOSES), allow_late)
        .await;
    h
}

fn individual(key: &str, comment: &str) -> String {
    encode_form(&[
        ("form_token", key),
        ("submitter_type", "individual"),
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("email", "ada@example.org"),
        ("city", "Baltimore"),
        ("state_province_region", "MD"),
        ("country", "United States"),
        ("comment", comment),
    ])
}

async fn fresh_key(h: &Harness) -> String {
    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.form_key()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submission_is_stored_and_the_receipt_shows_it() {
    let h = open_docket(false).await;
    let key = fresh_key(&h).await;
    let response = h
        .post_form(
            &format!("/dockets/{DOCKET}"),
            individual(&key, "Keep health data private.\r\nThank you."),
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let location = response.location().to_owned();
    let tracking = location
        .strip_prefix("/receipts/")
        .expect("redirects to a receipt");
    assert!(
        opendocket_core::tracking::TrackingNumber::parse(tracking).is_ok(),
        "{tracking}"
    );
    assert_eq!(h.comment_count().await, 1);

    let receipt = h.get(&location).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(receipt.body.contains("Tracking number"));
    assert!(receipt.body.contains(tracking));
    assert!(
        receipt
            .body
            .contains("Keep health data private.\nThank you."),
        "newlines normalised and text copied back"
    );
    assert!(receipt.body.contains("Ada Lovelace"));
    assert!(
        receipt.body.contains("March 20, 2023, 11:00:00 AM EDT"),
        "received time in the agency's zone"
    );
    assert!(
        !receipt.body.contains("ada@example.org"),
        "the email address is never shown"
    );
    assert!(receipt.body.contains("Provided (never published)"));

    use sqlx::Row;
    let row = sqlx::query("SELECT late, status, email, received_at FROM comments")
        .fetch_one(h.store().pool())
        .await
        .unwrap();
    assert_eq!(row.get::<i64, _>("late"), 0);
    assert_eq!(row.get::<String, _>("status"), "pending");
    assert_eq!(row.get::<String, _>("email"), "ada@example.org");
    assert_eq!(
        row.get::<i64, _>("received_at"),
        instant("2023-03-20T15:00:00Z").timestamp_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docket_page_shows_the_deadline_in_the_agencys_zone_and_safe_markdown() {
    let h = open_docket(false).await;
    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("April 13, 2023, 11:59:59 PM EDT"),
        "due date with zone abbreviation"
    );
    assert!(
        page.body.contains("<strong>order</strong>"),
        "markdown rendered"
    );
    assert!(
        !page.body.contains("alert('doc')"),
        "script in the document removed"
    );
    for label in [
        "Comment",
        "First name",
        "Last name",
        "Organization",
        "Email (optional, never published)",
        "Submit comment",
    ] {
        assert!(page.body.contains(&format!(">{label}<")), "label {label:?}");
    }
    assert!(
        page.body.contains(r#"value="individual" checked"#),
        "Individual is preselected"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resubmitting_the_same_form_stores_one_comment() {
    let h = open_docket(false).await;
    let key = fresh_key(&h).await;
    let first = h
        .post_form(&format!("/dockets/{DOCKET}"), individual(&key, "Once."))
        .await;
    let second = h
        .post_form(&format!("/dockets/{DOCKET}"), individual(&key, "Once."))
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    assert_eq!(first.location(), second.location());
    assert_eq!(h.comment_count().await, 1);

    let other = h
        .post_form(
            &format!("/dockets/{DOCKET}"),
            individual(&fresh_key(&h).await, "Twice."),
        )
        .await;
    assert_ne!(other.location(), first.location());
    assert_eq!(h.comment_count().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_double_submit_stores_one_comment() {
    let h = open_docket(false).await;
    let key = fresh_key(&h).await;
    let body = individual(&key, "Double click.");
    let path = format!("/dockets/{DOCKET}");
    let (a, b) = tokio::join!(h.post_form(&path, body.clone()), h.post_form(&path, body));
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(b.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location(), b.location());
    assert_eq!(h.comment_count().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comment_after_the_deadline_is_refused_and_not_stored() {
    let h = open_docket(false).await;
    h.clock.set(instant(CLOSES));
    let key = h.form_token(DOCKET);
    let response = h
        .post_form(&format!("/dockets/{DOCKET}"), individual(&key, "Too late."))
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert!(response.body.contains("The comment period closed on April 13, 2023, 11:59:59 PM EDT. Your comment was not stored."));
    assert!(
        response.body.contains("Too late."),
        "the person's text is shown back so it is not lost"
    );
    assert_eq!(h.comment_count().await, 0);

    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(!page.has_comment_form(), "a closed docket shows no form");
    assert!(page.body.contains("This comment period is closed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_millisecond_before_the_deadline_is_on_time() {
    let h = open_docket(false).await;
    h.clock.set(instant(CLOSES) - Duration::milliseconds(1));
    let key = h.form_token(DOCKET);
    let response = h
        .post_form(
            &format!("/dockets/{DOCKET}"),
            individual(&key, "Just in time."),
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(h.count("SELECT late FROM comments").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_comments_are_accepted_and_flagged_where_allowed() {
    let h = open_docket(true).await;
    h.clock.set(instant(CLOSES) + Duration::hours(2));
    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(page.has_comment_form());
    let key = page.form_key();
    h.clock.advance(Duration::minutes(2));
    assert!(page.body.contains("marked as late"));
    let response = h
        .post_form(
            &format!("/dockets/{DOCKET}"),
            individual(&key, "Late but relevant."),
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    assert_eq!(h.count("SELECT late FROM comments").await, 1);
    let receipt = h.get(response.location()).await;
    assert!(receipt.body.contains("accepted as a late comment"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comment_before_the_window_opens_is_refused() {
    let h = Harness::new(instant("2023-03-10T00:00:00Z")).await;
    h.create_docket(DOCKET, instant(OPENS), instant(CLOSES), false)
        .await;
    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(!page.has_comment_form());
    let response = h
        .post_form(
            &format!("/dockets/{DOCKET}"),
            individual(&h.form_token(DOCKET), "Early."),
        )
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert!(response
        .body
        .contains("This comment period opens on March 14, 2023, 9:00:00 AM EDT"));
    assert_eq!(h.comment_count().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_come_back_inline_with_the_typed_values() {
    let h = open_docket(false).await;
    let key = fresh_key(&h).await;
    let body = encode_form(&[
        ("form_token", &key),
        ("submitter_type", "individual"),
        ("first_name", ""),
        ("last_name", "<b>Bold</b>"),
        ("comment", "My comment </textarea><script>alert(1)</script>"),
    ]);
    let response = h.post_form(&format!("/dockets/{DOCKET}"), body).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .body
        .contains("First name is required for a comment from an individual."));
    assert!(
        response.body.contains("value=\"&lt;b&gt;Bold&lt;/b&gt;\""),
        "typed values kept, escaped"
    );
    assert!(response
        .body
        .contains("My comment &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>"));
    assert!(!response.body.contains("<script>alert(1)"));
    assert!(
        !response.body.contains("modulepreload"),
        "a refused no-JS submission is rendered without hydration"
    );
    assert_eq!(h.comment_count().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organization_and_anonymous_rules() {
    let h = open_docket(false).await;
    let no_org = encode_form(&[
        ("form_token", &fresh_key(&h).await),
        ("submitter_type", "organization"),
        ("comment", "We object."),
    ]);
    let response = h.post_form(&format!("/dockets/{DOCKET}"), no_org).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .body
        .contains("Organization is required for a comment from an organization."));

    let anonymous = encode_form(&[
        ("form_token", &fresh_key(&h).await),
        ("submitter_type", "anonymous"),
        ("first_name", "Secret"),
        ("comment", "Anonymous view."),
    ]);
    let response = h.post_form(&format!("/dockets/{DOCKET}"), anonymous).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(h.count("SELECT COUNT(*) FROM comments WHERE first_name IS NULL AND submitter_type = 'anonymous'").await, 1);
    let receipt = h.get(response.location()).await;
    assert!(!receipt.body.contains("Secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_4xx_and_stores_nothing() {
    let h = open_docket(false).await;
    let key = fresh_key(&h).await;
    let path = format!("/dockets/{DOCKET}");

    let over_long = "x".repeat(5001);
    let cases: Vec<(Vec<u8>, StatusCode, &str)> = vec![
        (
            individual(&key, "").into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Comment is required.",
        ),
        (
            individual(&key, &over_long).into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the limit is 5000",
        ),
        (
            individual(&key, "bell\u{7}").into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "control character",
        ),
        (
            format!("form_token={key}&submitter_type=anonymous&comment=%FF%FE").into_bytes(),
            StatusCode::BAD_REQUEST,
            "not valid text (UTF-8)",
        ),
        (
            b"submitter_type=anonymous&comment=no+key".to_vec(),
            StatusCode::BAD_REQUEST,
            "missing its token",
        ),
        (
            individual("not-a-key", "hello").into_bytes(),
            StatusCode::BAD_REQUEST,
            "not valid for this docket",
        ),
    ];
    for (body, status, needle) in cases {
        let response = h.post_form(&path, body).await;
        assert_eq!(response.status, status, "expecting {needle:?}");
        assert!(
            response.body.contains(needle),
            "expecting {needle:?} in the page"
        );
    }

    let wrong_type = Request::post(&path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let response = h.send(wrong_type).await;
    assert_eq!(response.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let unknown = h
        .post_form("/dockets/FTC-2099-0001", individual(&key, "hello"))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let malformed = h
        .post_form("/dockets/%3Cscript%3E", individual(&key, "hello"))
        .await;
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);

    let huge = h.post_form(&path, vec![b'a'; 2 * 1024 * 1024]).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(h.comment_count().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_are_404_and_health_is_200() {
    let h = open_docket(false).await;
    assert_eq!(
        h.get("/dockets/FTC-2099-0001").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/dockets/not-an-id").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/receipts/aaa-aaaa-aaaa").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/receipts/nonsense").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(h.get("/no/such/page").await.status, StatusCode::NOT_FOUND);
    let health = h.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_csp_that_allows_only_this_origin() {
    let h = open_docket(false).await;
    let docket = format!("/dockets/{DOCKET}");
    // Many answers, some at once: every HTML answer carries the page policy with its own nonce.
    let mut pages = futures_util::future::join_all((0..40).map(|i| {
        let path = if i % 2 == 0 { "/" } else { docket.as_str() };
        let h = &h;
        async move { (path, h.get(path).await) }
    }))
    .await;
    // A refused form's page is rendered from a request of its own: it carries the same nonce.
    let refused = h.post_form(&docket, individual("", "No token.")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    pages.push((docket.as_str(), refused));
    for (path, page) in pages {
        let csp = page
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .expect("CSP header")
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
        assert!(!csp.contains("http"), "no other host is allowed: {csp}");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        assert!(
            page.body.contains(&format!("nonce=\"{nonce}\"")),
            "inline scripts carry the header's nonce"
        );
        for tag in page.body.split("<script").skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: a script without the header's nonce: <script{tag}>"
            );
        }
        for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
            assert!(
                !page.body.contains(attr),
                "{path} references another host via {attr}"
            );
        }
    }
    let health = h.get("/healthz").await;
    assert!(health.headers.contains_key(header::CONTENT_SECURITY_POLICY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_lists_open_upcoming_and_closed_dockets() {
    let h = Harness::new(instant("2023-03-20T15:00:00Z")).await;
    h.create_docket("FTC-2023-0001", instant(OPENS), instant(CLOSES), false)
        .await;
    h.create_docket(
        "FTC-2023-0002",
        instant("2023-04-01T13:00:00Z"),
        instant("2023-05-01T04:00:00Z"),
        false,
    )
    .await;
    h.create_docket(
        "FTC-2023-0003",
        instant("2023-01-01T13:00:00Z"),
        instant("2023-02-01T05:00:00Z"),
        false,
    )
    .await;
    let home = h.get("/").await;
    let open = home.body.find("Open for comment").unwrap();
    let upcoming = home.body.find("Opening soon").unwrap();
    let closed = home.body.find(">Closed<").unwrap();
    let at = |id: &str| home.body.find(id).unwrap();
    assert!(open < at("FTC-2023-0001") && at("FTC-2023-0001") < upcoming);
    assert!(upcoming < at("FTC-2023-0002") && at("FTC-2023-0002") < closed);
    assert!(closed < at("FTC-2023-0003"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduler_closes_the_window_at_the_deadline_with_a_fake_clock() {
    let h = open_docket(false).await;
    let scheduler = tokio::spawn(h.services.scheduler.clone().run());
    wait_for_status(&h, "open").await;

    h.clock.set(instant(CLOSES) - Duration::seconds(1));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(
        h.window_status(DOCKET).await,
        "open",
        "not closed a second early"
    );

    h.clock.set(instant(CLOSES));
    wait_for_status(&h, "closed").await;
    use sqlx::Row;
    let closed_at: i64 = sqlx::query("SELECT closed_at FROM comment_windows")
        .fetch_one(h.store().pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        closed_at,
        instant(CLOSES).timestamp_millis(),
        "closed at the deadline itself"
    );
    scheduler.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_is_idempotent() {
    let h = open_docket(false).await;
    let after = instant(CLOSES) + Duration::seconds(1);
    let first = apply_due_transitions(h.store(), after).await.unwrap();
    assert_eq!(first.closed.len(), 1);
    let second = apply_due_transitions(h.store(), after + Duration::seconds(1))
        .await
        .unwrap();
    assert!(second.closed.is_empty() && second.opened.is_empty());
    assert_eq!(h.window_status(DOCKET).await, "closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_after_a_missed_deadline_closes_the_window_on_start_up() {
    let h = open_docket(false).await;
    apply_due_transitions(h.store(), instant("2023-03-20T15:00:00Z"))
        .await
        .unwrap();
    assert_eq!(h.window_status(DOCKET).await, "open");
    // The server is down across the deadline and comes back a day later.
    let h = h.restart(instant(CLOSES) + Duration::days(1)).await;
    assert_eq!(h.window_status(DOCKET).await, "open");
    let scheduler = tokio::spawn(h.services.scheduler.clone().run());
    wait_for_status(&h, "closed").await;
    scheduler.abort();
    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(!page.has_comment_form());
}

async fn wait_for_status(h: &Harness, status: &str) {
    for _ in 0..200 {
        if h.window_status(DOCKET).await == status {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!(
        "window never became {status}; it is {}",
        h.window_status(DOCKET).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_docket_is_created_once_per_installation() {
    use opendocket_core::demo::{create_demo_docket_on_first_start, DEMO_DOCKET_ID};
    let h = Harness::new(instant("2023-03-14T14:00:00Z")).await;
    h.create_docket(
        "FTC-2022-0001",
        instant("2022-01-03T14:00:00Z"),
        instant("2022-02-03T05:00:00Z"),
        false,
    )
    .await;
    assert!(create_demo_docket_on_first_start(
        h.store(),
        opendocket_core::clock::Clock::now(&h.clock)
    )
    .await
    .unwrap());
    assert!(!create_demo_docket_on_first_start(
        h.store(),
        opendocket_core::clock::Clock::now(&h.clock)
    )
    .await
    .unwrap());
    let page = h.get(&format!("/dockets/{DEMO_DOCKET_ID}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("FTC File No. 202 3169"));
    assert!(
        page.body.contains("April 13, 2023, 11:59:59 PM EDT"),
        "30 days from March 14, 2023"
    );
    assert_eq!(h.count("SELECT COUNT(*) FROM dockets").await, 2);
}
