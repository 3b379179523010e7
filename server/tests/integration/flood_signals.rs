//! Flood signals through the real router: the proof of work a form asks for (on a docket that
//! asks every browser, or from a crowded network), bursts from one network grouped in the queue
//! and held together, held comments left out of bulk posting, and flags as search facets.

use crate::common::{encode_form, Harness, PROOF_BITS};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use opendocket_core::proof_of_work;
use opendocket_core::roles::Role;
use std::time::Duration as StdDuration;

const DOCKET: &str = "FTC-2023-0018";

fn path() -> String {
    format!("/dockets/{DOCKET}")
}

fn form(token: &str, proof: &str, comment: &str) -> String {
    encode_form(&[
        ("form_token", token),
        ("proof", proof),
        ("submitter_type", "anonymous"),
        ("comment", comment),
    ])
}

/// The token of the comment form on the docket page, as shown to `address`.
async fn token_shown_to(h: &Harness, address: &str) -> String {
    let request = Request::get(path()).body(Body::empty()).unwrap();
    let page = h.send_from(address, request).await;
    assert_eq!(page.status, StatusCode::OK);
    page.form_key()
}

fn solve(token: &str) -> String {
    let bits = proof_of_work::asked_bits(token);
    proof_of_work::search(token, bits, 0, 1 << 30)
        .unwrap()
        .to_string()
}

async fn latest(h: &Harness) -> (bool, String) {
    let (held, flags): (i64, String) =
        sqlx::query_as("SELECT held, flags FROM comments ORDER BY id DESC LIMIT 1")
            .fetch_one(h.store().pool())
            .await
            .unwrap();
    (held == 1, flags)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docket_asking_for_proof_of_work_holds_forms_sent_without_it() {
    let h = Harness::with_open_docket(DOCKET).await;
    let me = "203.0.113.5";
    assert_eq!(
        proof_of_work::asked_bits(&token_shown_to(&h, me).await),
        0,
        "not asked by default"
    );
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let switched = h
        .staff_form(
            &admin,
            &format!("/staff/dockets/{DOCKET}/proof-of-work"),
            &[("ask_proof_of_work", "on")],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER, "{}", switched.body);
    let dockets = h.staff_get(&admin, "/staff/dockets").await;
    assert!(dockets
        .body
        .contains("proof of work asked of every browser"));

    // Without JavaScript (no proof): a normal receipt, the comment held for a moderator.
    let token = token_shown_to(&h, me).await;
    assert_eq!(proof_of_work::asked_bits(&token), PROOF_BITS);
    h.clock.advance(Duration::seconds(30));
    let sent = h
        .post_form_from(me, &path(), form(&token, "", "Sent without scripts."))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(h.get(sent.location()).await.status, StatusCode::OK);
    assert_eq!(latest(&h).await, (true, "unproven".to_owned()));

    // A proof that does not hold is the same as none.
    let token = token_shown_to(&h, me).await;
    let wrong = (0..)
        .map(|n: u64| n.to_string())
        .find(|n| !proof_of_work::proves(&token, n, PROOF_BITS))
        .unwrap();
    h.clock.advance(Duration::seconds(30));
    let sent = h
        .post_form_from(me, &path(), form(&token, &wrong, "A wrong proof."))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(latest(&h).await, (true, "unproven".to_owned()));

    // With the proof the browser finds: taken as any comment.
    let token = token_shown_to(&h, me).await;
    h.clock.advance(Duration::seconds(30));
    let sent = h
        .post_form_from(me, &path(), form(&token, &solve(&token), "Proven."))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(latest(&h).await, (false, String::new()));

    // The token cannot be edited to ask for less.
    let lowered = token_shown_to(&h, me)
        .await
        .replacen(&format!(".{PROOF_BITS}."), ".0.", 1);
    let refused = h
        .post_form_from(me, &path(), form(&lowered, "", "Lowered."))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Lowered."), "the text comes back");

    // A hostile proof: ten thousand digits are refused without work (held, not an error).
    let token = token_shown_to(&h, me).await;
    h.clock.advance(Duration::seconds(30));
    let sent = h
        .post_form_from(
            me,
            &path(),
            form(&token, &"7".repeat(10_000), "Huge proof."),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(latest(&h).await, (true, "unproven".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crowded_network_is_asked_for_proof_of_work_and_a_proven_form_is_not_held() {
    let h = Harness::with_open_docket(DOCKET).await;
    let busy = "198.51.100.9";
    // The default soft limit is 6 a minute from one address.
    for i in 0..7 {
        let body = form(&h.form_token(DOCKET), "", &format!("Busy {i}."));
        let sent = h.post_form_from(busy, &path(), body).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(latest(&h).await, (true, "burst,unproven".to_owned()));
    let token = token_shown_to(&h, busy).await;
    assert_eq!(proof_of_work::asked_bits(&token), PROOF_BITS);
    assert_eq!(
        proof_of_work::asked_bits(&token_shown_to(&h, "203.0.113.1").await),
        0,
        "other networks are not asked"
    );
    // The server function behind the page asks the same.
    let request = Request::post("/api/public/docket")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("id={DOCKET}&page=1")))
        .unwrap();
    let data = h.send_from(busy, request).await;
    assert_eq!(data.status, StatusCode::OK, "{}", data.body);
    assert!(
        data.body.contains(&format!(".{PROOF_BITS}.")),
        "{}",
        data.body
    );

    h.clock.advance(Duration::seconds(30));
    let sent = h
        .post_form_from(busy, &path(), form(&token, &solve(&token), "Proven."))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(latest(&h).await, (false, "burst".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_are_grouped_in_the_queue_held_together_and_never_posted_in_bulk() {
    let h = Harness::with_open_docket(DOCKET).await;
    for n in 1..=6 {
        let body = form(&h.form_token(DOCKET), "", &format!("Burst letter {n}."));
        let sent = h
            .post_form_from(&format!("192.0.2.{n}"), &path(), body)
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
    }
    for n in 1..=2 {
        let body = form(&h.form_token(DOCKET), "", &format!("Someone else {n}."));
        h.post_form_from(&format!("203.0.{n}.1"), &path(), body)
            .await;
    }
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT network_hash FROM comments WHERE network_hash IS NOT NULL ORDER BY id",
    )
    .fetch_all(h.store().pool())
    .await
    .unwrap();
    assert_eq!(stored.len(), 8);
    assert!(stored
        .iter()
        .all(|hash| !hash.contains("192.0") && !hash.contains("203.0")));

    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;
    let queue = h.staff_get(&moderator, "/staff").await;
    assert!(
        queue.body.contains("Bursts from one network"),
        "{}",
        queue.body
    );
    assert!(queue
        .body
        .contains("6 comments on FTC-2023-0018 from one network between"));
    let field = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = queue.body.find(&marker).unwrap() + marker.len();
        queue.body[start..start + queue.body[start..].find('"').unwrap()].to_owned()
    };
    let (network, window) = (field("network"), field("window"));
    assert_eq!(network, stored[0]);

    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let hold = [
        ("docket", DOCKET),
        ("network", network.as_str()),
        ("window", window.as_str()),
    ];
    let refused = h.staff_form(&analyst, "/staff/bursts/hold", &hold).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let incomplete = h
        .staff_form(&moderator, "/staff/bursts/hold", &hold[..2])
        .await;
    assert_eq!(incomplete.status, StatusCode::BAD_REQUEST);
    let held = h.staff_form(&moderator, "/staff/bursts/hold", &hold).await;
    assert_eq!(held.status, StatusCode::OK, "{}", held.body);
    assert!(held.body.contains("Held 6 comments from the burst"));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE held = 1")
            .await,
        6
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'comments.hold_burst'")
            .await,
        1
    );
    // Held comments are listed last.
    let queue = h.staff_get(&moderator, "/staff").await;
    let first_held = queue.body.find("Held: decide on it alone").unwrap();
    assert!(queue.body.find("Someone else 2.").unwrap() < first_held);

    // Posting everything in bulk posts only the comments not held.
    let ticks: Vec<(i64, i64)> = sqlx::query_as("SELECT id, version FROM comments")
        .fetch_all(h.store().pool())
        .await
        .unwrap();
    let values: Vec<String> = ticks.iter().map(|(i, v)| format!("{i}:{v}")).collect();
    let mut fields = vec![("decision", "post")];
    fields.extend(values.iter().map(|v| ("selected", v.as_str())));
    let bulk = h
        .staff_form(&moderator, "/staff/comments/bulk", &fields)
        .await;
    assert!(
        bulk.body.contains("Posted 2 of 8 selected comments."),
        "{}",
        bulk.body
    );
    assert!(bulk.body.contains("6 held comments were left as they were"));
    // Withholding held comments in bulk works.
    let refreshed: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, version FROM comments WHERE held = 1")
            .fetch_all(h.store().pool())
            .await
            .unwrap();
    let values: Vec<String> = refreshed.iter().map(|(i, v)| format!("{i}:{v}")).collect();
    let mut fields = vec![
        ("decision", "withhold"),
        ("reason", "spam"),
        ("confirm", "yes"),
    ];
    fields.extend(values.iter().map(|v| ("selected", v.as_str())));
    let bulk = h
        .staff_form(&moderator, "/staff/comments/bulk", &fields)
        .await;
    assert!(
        bulk.body.contains("Withheld 6 of 6 selected comments."),
        "{}",
        bulk.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_are_search_facets_for_staff_only() {
    let h = Harness::with_open_docket(DOCKET).await;
    let honeypot = encode_form(&[
        ("form_token", &h.form_token(DOCKET)),
        ("submitter_type", "anonymous"),
        ("website", "https://pills.example"),
        ("comment", "Buy now."),
    ]);
    h.post_form(&path(), honeypot).await;
    h.submit_comment(DOCKET, "individual", "Ada", "CA", "A real comment.")
        .await;
    assert!(h
        .services
        .search
        .catch_up(h.store(), StdDuration::from_secs(5))
        .await
        .unwrap());
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let all = h
        .staff_get(&analyst, &format!("/staff/search?docket={DOCKET}"))
        .await;
    assert!(all.body.contains("Check for"), "{}", all.body);
    assert!(all.body.contains("a hidden field only scripts fill in"));
    let filtered = h
        .staff_get(
            &analyst,
            &format!("/staff/search?docket={DOCKET}&flag=honeypot"),
        )
        .await;
    assert!(filtered.body.contains("Buy now."));
    assert!(!filtered.body.contains("A real comment."));
    let unknown = h
        .staff_get(
            &analyst,
            &format!("/staff/search?docket={DOCKET}&flag=nonsense"),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let public = h
        .get(&format!("/dockets/{DOCKET}/search?flag=honeypot"))
        .await;
    assert_eq!(public.status, StatusCode::BAD_REQUEST);
    assert!(public.body.contains("for staff only"));
}
