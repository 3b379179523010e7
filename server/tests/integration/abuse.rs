//! Abuse of the public comment form: forms without a good signed token, forms posted from other
//! websites, forms sent faster than a person can, and the hidden field only scripts fill in.

use crate::common::{encode_form, Harness, Multipart};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Duration;

const DOCKET: &str = "FTC-2023-0018";

fn anonymous(token: &str, comment: &str) -> String {
    encode_form(&[
        ("form_token", token),
        ("submitter_type", "anonymous"),
        ("comment", comment),
    ])
}

async fn post_with(h: &Harness, headers: &[(&str, &str)], body: String) -> crate::common::Page {
    let mut request = Request::post(format!("/dockets/{DOCKET}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    h.send(request.body(Body::from(body)).unwrap()).await
}

async fn flags_of_latest(h: &Harness) -> String {
    sqlx::query_scalar("SELECT flags FROM comments ORDER BY id DESC LIMIT 1")
        .fetch_one(h.store().pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_without_a_good_token_is_refused_with_the_text_kept_and_a_fresh_token() {
    let h = Harness::with_open_docket(DOCKET).await;
    let other = h.form_token("FTC-2023-0019");
    let forged = format!(
        "{}.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef",
        h.services.clock.now().timestamp()
    );
    let cases = [
        ("", "missing its token"),
        ("made-up", "not valid for this docket"),
        (forged.as_str(), "not valid for this docket"),
        (other.as_str(), "not valid for this docket"),
    ];
    let path = format!("/dockets/{DOCKET}");
    for (token, sentence) in cases {
        let page = h
            .post_form(&path, anonymous(token, "My words, kept for me."))
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{token:?}");
        assert!(page.body.contains(sentence), "{token:?}: {sentence}");
        assert!(page.body.contains("My words, kept for me."), "text kept");
        let fresh = page.form_key();
        assert_ne!(fresh, token);
        // The page's fresh token is good: sending the form again works.
        h.clock.advance(Duration::seconds(30));
        let again = h
            .post_form(&path, anonymous(&fresh, "My words, kept for me."))
            .await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    }
    assert_eq!(
        h.comment_count().await,
        cases.len() as i64,
        "only the resent forms"
    );

    // A token 10,000 characters long is refused at once, not worked on.
    let long = "7".repeat(10_000);
    let page = h.post_form(&path, anonymous(&long, "Long.")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(h.comment_count().await, cases.len() as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_open_for_more_than_a_day_is_refused_and_its_text_kept() {
    let h = Harness::with_open_docket(DOCKET).await;
    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    let token = page.form_key();
    h.clock.advance(Duration::hours(25));
    let sent = h
        .post_form(
            &format!("/dockets/{DOCKET}"),
            anonymous(&token, "Written slowly."),
        )
        .await;
    assert_eq!(sent.status, StatusCode::BAD_REQUEST);
    assert!(sent.body.contains("open for more than a day"));
    assert!(sent.body.contains("Written slowly."));
    assert_eq!(h.comment_count().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_used_once_sending_it_again_gives_the_first_receipt() {
    let h = Harness::with_open_docket(DOCKET).await;
    let token = h.form_token(DOCKET);
    let path = format!("/dockets/{DOCKET}");
    let first = h.post_form(&path, anonymous(&token, "Once.")).await;
    let second = h.post_form(&path, anonymous(&token, "Twice?")).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    assert_eq!(first.location(), second.location());
    assert_eq!(h.comment_count().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_sent_seconds_after_they_were_shown_are_flagged_for_the_moderator() {
    let h = Harness::with_open_docket(DOCKET).await;
    let path = format!("/dockets/{DOCKET}");
    let token = h.get(&path).await.form_key();
    h.clock.advance(Duration::seconds(1));
    let fast = h.post_form(&path, anonymous(&token, "Quick.")).await;
    assert_eq!(fast.status, StatusCode::SEE_OTHER, "stored, not refused");
    assert_eq!(flags_of_latest(&h).await, "automation");

    let token = h.get(&path).await.form_key();
    h.clock.advance(Duration::seconds(45));
    let person = h.post_form(&path, anonymous(&token, "Considered.")).await;
    assert_eq!(person.status, StatusCode::SEE_OTHER);
    assert_eq!(flags_of_latest(&h).await, "");

    let moderator = h
        .staff_session("moderator@ftc.gov", opendocket_core::roles::Role::Moderator)
        .await;
    let queue = h.staff_get(&moderator, "/staff").await;
    assert!(
        queue
            .body
            .contains("a form sent seconds after it was shown"),
        "the queue says why"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hidden_field_filled_in_gets_a_normal_receipt_and_a_held_comment() {
    let h = Harness::with_open_docket(DOCKET).await;
    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    // The field is in the form, out of the tab order and the accessibility tree.
    let field = page
        .body
        .find("name=\"website\"")
        .expect("the form has the field");
    let around = &page.body[field.saturating_sub(200)..field + 100];
    assert!(around.contains("class=\"trap\""), "{around}");
    assert!(around.contains("aria-hidden=\"true\""), "{around}");
    assert!(around.contains("tabindex=\"-1\""), "{around}");
    assert!(around.contains("autocomplete=\"off\""), "{around}");

    let form = Multipart::default()
        .text("form_token", &h.form_token(DOCKET))
        .text("submitter_type", "anonymous")
        .text("website", "https://cheap-pills.example")
        .text("comment", "Great order!!!");
    let sent = h.post_multipart(&format!("/dockets/{DOCKET}"), &form).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let receipt = h.get(sent.location()).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert_eq!(flags_of_latest(&h).await, "honeypot");
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE status = 'pending'")
            .await,
        1,
        "held for a moderator"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_from_other_websites_are_refused_and_nothing_is_stored() {
    let h = Harness::with_open_docket(DOCKET).await;
    let body = || anonymous(&h.form_token(DOCKET), "Embedded elsewhere.");
    for headers in [
        vec![("origin", "https://elsewhere.example")],
        vec![("sec-fetch-site", "cross-site")],
        vec![
            ("origin", "null"),
            ("referer", "https://elsewhere.example/x"),
        ],
    ] {
        let page = post_with(&h, &headers, body()).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(page.body.contains("sent from another website"));
    }
    assert_eq!(h.comment_count().await, 0);

    // Staff forms are refused the same way, before their session is looked at.
    let admin = h
        .staff_session("admin@ftc.gov", opendocket_core::roles::Role::Admin)
        .await;
    let request = Request::post("/staff/logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &admin.cookie)
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(encode_form(&[("csrf_token", &admin.csrf)])))
        .unwrap();
    assert_eq!(h.send(request).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        h.staff_get(&admin, "/staff").await.status,
        StatusCode::OK,
        "still signed in"
    );

    // This site's own pages post fine, by the browser's word or by matching addresses.
    let same = post_with(&h, &[("sec-fetch-site", "same-origin")], body()).await;
    assert_eq!(same.status, StatusCode::SEE_OTHER);
    let local = post_with(
        &h,
        &[
            ("origin", "http://localhost:3000"),
            ("host", "localhost:3000"),
        ],
        body(),
    )
    .await;
    assert_eq!(local.status, StatusCode::SEE_OTHER);
    assert_eq!(h.comment_count().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_is_held_then_refused_while_other_networks_comment_freely() {
    let h = Harness::with_open_docket(DOCKET).await;
    let path = format!("/dockets/{DOCKET}");
    let flood = "198.51.100.7";
    let mut statuses = Vec::new();
    for i in 0..60 {
        let body = anonymous(&h.form_token(DOCKET), &format!("Flood {i}."));
        let page = h.post_form_from(flood, &path, body).await;
        if page.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(page
                .body
                .contains("Too many comments came from your network"));
            assert!(
                page.body.contains(&format!("Flood {i}.")),
                "the text comes back"
            );
            assert!(page.header("retry-after").is_some());
        }
        statuses.push(page.status);
    }
    let stored = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // The defaults: 6 a minute from one address before a flag, 20 before a refusal.
    assert_eq!((stored, refused), (20, 40), "{statuses:?}");
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE flags LIKE '%burst%' AND held = 1")
            .await,
        14,
        "past the soft limit without a proof of work (no JavaScript): held with a flag"
    );
    // Thirty people on thirty other networks each get a normal receipt, unflagged.
    for n in 0..30 {
        let address = format!("203.0.{n}.10");
        let body = anonymous(&h.form_token(DOCKET), &format!("Person {n}."));
        let page = h.post_form_from(&address, &path, body).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{address}");
        assert_eq!(flags_of_latest(&h).await, "", "{address}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_and_expensive_reads_have_per_network_limits_too() {
    let h = Harness::with_open_docket(DOCKET).await;
    let get_from = |address: &'static str, path: String| {
        let h = &h;
        async move {
            let request = Request::get(path).body(Body::empty()).unwrap();
            h.send_from(address, request).await.status
        }
    };
    let search = format!("/dockets/{DOCKET}/search?q=privacy");
    for _ in 0..60 {
        assert_eq!(get_from("192.0.2.50", search.clone()).await, StatusCode::OK);
    }
    assert_eq!(
        get_from("192.0.2.50", search.clone()).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the 61st search in a minute"
    );
    let csv = format!("/dockets/{DOCKET}/comments.csv");
    assert_eq!(
        get_from("192.0.2.50", csv.clone()).await,
        StatusCode::TOO_MANY_REQUESTS,
        "downloads count with searches"
    );
    assert_eq!(
        get_from("192.0.2.51", csv).await,
        StatusCode::OK,
        "a neighbour"
    );
    assert_eq!(get_from("192.0.3.50", search).await, StatusCode::OK);

    // Comments through the API count with the form's, by network.
    let (_, secret) = h
        .store()
        .create_api_key(
            "Patients United",
            None,
            &opendocket_core::accounts::Actor::CommandLine,
            h.services.clock.now(),
        )
        .await
        .unwrap();
    let mut statuses = Vec::new();
    for i in 0..21 {
        let body = serde_json::json!({ "data": { "type": "comments", "attributes": {
            "commentOnDocumentId": format!("{DOCKET}-0001"),
            "comment": format!("Letter {i}."),
            "submissionType": "API",
            "submitterType": "ANONYMOUS",
            "submissionKey": format!("batch-{i}"),
        } } });
        let request = Request::post("/v4/comments")
            .header("content-type", "application/vnd.api+json")
            .header("x-api-key", &secret)
            .body(Body::from(body.to_string()))
            .unwrap();
        statuses.push(h.send_from("2001:db8:1:2::7", request).await.status);
    }
    assert_eq!(statuses[..20], [StatusCode::CREATED; 20], "{statuses:?}");
    assert_eq!(statuses[20], StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE flags LIKE '%burst%'")
            .await,
        14
    );
}
