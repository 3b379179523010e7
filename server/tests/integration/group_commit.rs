//! The comment write queue through the real router and database: comments sent together are
//! stored together with a receipt each, one failing comment leaves its batch stored, a full
//! queue answers 503 with `Retry-After` and the text back (nothing stored), campaign placement
//! follows the commit, and `/metrics` counts it all for the holder of its token.

use crate::common::{encode_form, instant, Harness};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use opendocket_core::comment::{IdempotencyKey, NewComment, Submitter};
use opendocket_core::docket::DocketId;
use opendocket_core::store::{Backend, Stored, Submission};
use opendocket_core::submission_queue::QueueSettings;
use std::time::Duration;

const DOCKET: &str = "FTC-2023-0018";

fn submission(docket: &str, key: &IdempotencyKey, body: &str) -> Submission {
    Submission {
        docket_id: DocketId::parse(docket).unwrap(),
        comment: NewComment {
            submitter: Submitter::Anonymous,
            city: None,
            state_province_region: None,
            country: None,
            email: None,
            body: body.into(),
            details: Default::default(),
        },
        attachments: Vec::new(),
        arrival: Default::default(),
        key: key.clone(),
        received_at: instant("2023-03-20T15:00:00Z"),
    }
}

fn anonymous_form(h: &Harness, text: &str) -> String {
    encode_form(&[
        ("form_token", &h.form_token(DOCKET)),
        ("submitter_type", "anonymous"),
        ("comment", text),
    ])
}

/// Makes the database refuse one comment's text with an error (a trigger), as a failure inside a
/// batch would.
async fn poison(h: &Harness, text: &str) {
    let pool = h.store().pool();
    match h.store().backend() {
        Backend::Sqlite => {
            sqlx::query(&format!(
                "CREATE TRIGGER poison BEFORE INSERT ON comments WHEN NEW.body = '{text}'
                 BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
            ))
            .execute(pool)
            .await
            .unwrap();
        }
        Backend::Postgres => {
            sqlx::query(&format!(
                "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN
                   IF NEW.body = '{text}' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW;
                 END $$ LANGUAGE plpgsql"
            ))
            .execute(pool)
            .await
            .unwrap();
            sqlx::query(
                "CREATE TRIGGER poison BEFORE INSERT ON comments FOR EACH ROW EXECUTE FUNCTION poison()",
            )
            .execute(pool)
            .await
            .unwrap();
        }
    }
}

/// Gives the router a write queue of `capacity` that stores one comment per transaction.
fn small_queue(
    h: &mut Harness,
    capacity: usize,
) -> opendocket_core::submission_queue::SubmissionQueue {
    let queue = opendocket_core::submission_queue::SubmissionQueue::start(
        h.services.store.clone(),
        QueueSettings {
            capacity,
            max_batch: 1,
            ..Default::default()
        },
        h.services.receipts.clone(),
    );
    let ours = queue.clone();
    h.reconfigure(move |state| state.submissions = ours);
    queue
}

/// Another writer's transaction holding the comments table until it is rolled back.
async fn hold_the_database(h: &Harness) -> opendocket_core::store::WriteTx {
    let mut blocker = h.store().begin_write().await.unwrap();
    if h.store().backend() == Backend::Postgres {
        sqlx::query("LOCK TABLE comments IN EXCLUSIVE MODE")
            .execute(&mut **blocker)
            .await
            .unwrap();
    }
    blocker
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failing_comment_leaves_the_rest_of_its_batch_stored() {
    let h = Harness::with_open_docket(DOCKET).await;
    h.create_docket(
        "FTC-2023-0099",
        instant("2023-02-01T13:00:00Z"),
        instant("2023-03-01T05:00:00Z"),
        false,
    )
    .await;
    poison(&h, "poison").await;
    let (first, second) = (IdempotencyKey::generate(), IdempotencyKey::generate());
    let batch = [
        submission(DOCKET, &first, "Stored first."),
        submission(DOCKET, &IdempotencyKey::generate(), "poison"),
        submission("FTC-2023-0099", &IdempotencyKey::generate(), "Too late."),
        submission(DOCKET, &first, "The same form sent twice."),
        submission(DOCKET, &second, "Stored last."),
    ];
    let refs: Vec<&Submission> = batch.iter().collect();
    let outcomes = h.store().store_submissions(&refs).await;
    assert!(
        matches!(outcomes[0], Ok(Stored::Inserted(_))),
        "{outcomes:?}"
    );
    assert!(outcomes[1].is_err(), "the poisoned one fails: {outcomes:?}");
    assert_eq!(outcomes[2].as_ref().unwrap(), &Stored::NotInserted);
    assert_eq!(outcomes[3].as_ref().unwrap(), &Stored::NotInserted);
    assert!(
        matches!(outcomes[4], Ok(Stored::Inserted(_))),
        "{outcomes:?}"
    );
    assert_eq!(h.comment_count().await, 2, "nothing half-written");
    // The repeat gets the first receipt; the late one its reason.
    let Ok(Stored::Inserted(tracking)) = &outcomes[0] else {
        unreachable!()
    };
    let repeat = h
        .store()
        .finish_submission(&batch[3], Stored::NotInserted)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&repeat.tracking_number, tracking);
    let late = h
        .store()
        .finish_submission(&batch[2], Stored::NotInserted)
        .await;
    assert!(
        matches!(
            late,
            Err(opendocket_core::store::SubmitError::Closed { .. })
        ),
        "{late:?}"
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comment_changes").await,
        2,
        "one change per stored comment, none for the failed ones"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_sent_together_each_get_their_own_receipt_after_the_commit() {
    let h = Harness::with_open_docket(DOCKET).await;
    let forms: Vec<String> = (0..60)
        .map(|i| anonymous_form(&h, &format!("Comment number {i} on health data.")))
        .collect();
    let path = format!("/dockets/{DOCKET}");
    let pages =
        futures_util::future::join_all(forms.iter().map(|form| h.post_form(&path, form.clone())))
            .await;
    let mut receipts = std::collections::BTreeSet::new();
    for page in &pages {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        receipts.insert(page.location().to_owned());
    }
    assert_eq!(receipts.len(), 60, "a receipt of its own for each");
    assert_eq!(h.comment_count().await, 60);
    for receipt in receipts.iter().take(5) {
        let page = h.get(receipt).await;
        assert_eq!(page.status, StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503_with_the_text_back_and_stores_nothing_more() {
    let mut h = Harness::with_open_docket(DOCKET).await;
    small_queue(&mut h, 1);
    // Another writer holds the database: the queue's writer waits behind it with one comment, and
    // one more comment waits in the queue.
    let blocker = hold_the_database(&h).await;
    let path = format!("/dockets/{DOCKET}");
    let (first_form, second_form) = (anonymous_form(&h, "First."), anonymous_form(&h, "Second."));
    let (refused, first, second) = {
        let first = h.post_form(&path, first_form);
        let second = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            h.post_form(&path, second_form).await
        };
        let third = async {
            tokio::time::sleep(Duration::from_millis(600)).await;
            let refused = h
                .post_form(&path, anonymous_form(&h, "My words, kept for me."))
                .await;
            blocker.rollback().await.unwrap();
            refused
        };
        let (first, second, refused) = tokio::join!(first, second, third);
        (refused, first, second)
    };
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    assert_eq!(
        refused.headers.get(header::RETRY_AFTER).unwrap(),
        &opendocket_core::submission_queue::RETRY_AFTER_SECONDS.to_string()
    );
    let body = refused.body.replace("<!>", "");
    assert!(
        body.contains("Too many comments are arriving at once"),
        "{body}"
    );
    assert!(
        body.contains("My words, kept for me."),
        "the text comes back"
    );
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    assert_eq!(h.comment_count().await, 2, "the refused one was not stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_comment_is_placed_by_the_worker_soon_after_its_receipt() {
    let h = Harness::with_open_docket(DOCKET).await;
    let placer = tokio::spawn(opendocket_core::campaign::place_waiting_comments(
        h.store().clone(),
        h.services.clock.clone(),
        h.services.receipts.clone(),
    ));
    // The worker's first round finds nothing; from then on it sleeps until woken.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let page = h
        .post_form(
            &format!("/dockets/{DOCKET}"),
            anonymous_form(&h, "Protect the health data of people in therapy."),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let started = std::time::Instant::now();
    while h.store().unplaced_count().await.unwrap() > 0 {
        // The worker's idle round is five seconds: being placed sooner shows the commit woke it.
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "not placed promptly"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    placer.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_off_without_a_token_and_count_comments_with_one() {
    let mut h = Harness::with_open_docket(DOCKET).await;
    let off = h.get("/metrics").await;
    assert_eq!(off.status, StatusCode::NOT_FOUND);
    h.reconfigure(|state| state.metrics_token = Some("s3cret-scraper-token".into()));
    let page = h
        .post_form(
            &format!("/dockets/{DOCKET}"),
            anonymous_form(&h, "Counted."),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let scrape = |token: &'static str| {
        Request::get("/metrics")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let wrong = h.send(scrape("guess")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(!wrong.body.contains("opendocket_"));
    let metrics = h.send(scrape("s3cret-scraper-token")).await;
    assert_eq!(metrics.status, StatusCode::OK);
    for name in [
        "opendocket_comments_received_total",
        "opendocket_comments_stored_total",
        "opendocket_submission_batch_size",
        "opendocket_submission_queue_wait_seconds",
        "opendocket_search_lag_changes",
        "opendocket_campaign_placement_waiting 1",
    ] {
        assert!(metrics.body.contains(name), "{name} in\n{}", metrics.body);
    }
    // The token holder is told the server's own time for any answer; nobody else is.
    let page_with = |token: Option<&str>| {
        let request = Request::get(format!("/dockets/{DOCKET}"));
        match token {
            Some(token) => request.header(header::AUTHORIZATION, format!("Bearer {token}")),
            None => request,
        }
        .body(Body::empty())
        .unwrap()
    };
    let timed = h.send(page_with(Some("s3cret-scraper-token"))).await;
    assert_eq!(timed.status, StatusCode::OK);
    let timing = timed.headers["server-timing"].to_str().unwrap();
    let ms: f64 = timing.strip_prefix("app;dur=").unwrap().parse().unwrap();
    assert!(ms > 0.0, "{timing}");
    for token in [None, Some("guess")] {
        let page = h.send(page_with(token)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.headers.contains_key("server-timing"), "{token:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_crossed_during_a_burst_stores_nothing_at_or_after_it() {
    let closes = instant("2023-04-14T04:00:00Z");
    let mut h = Harness::new(closes - chrono::Duration::milliseconds(5)).await;
    h.create_docket(DOCKET, instant("2023-03-14T13:00:00Z"), closes, false)
        .await;
    let queue = small_queue(&mut h, 100);
    // The database is busy, so the first forms wait in the queue while the deadline passes.
    let blocker = hold_the_database(&h).await;
    let path = format!("/dockets/{DOCKET}");
    let h = &h;
    let before: Vec<String> = (0..40)
        .map(|i| anonymous_form(h, &format!("Sent before the closing, {i}.")))
        .collect();
    let after: Vec<String> = (0..40)
        .map(|i| anonymous_form(h, &format!("Sent after the closing, {i}.")))
        .collect();
    let early =
        futures_util::future::join_all(before.iter().map(|f| h.post_form(&path, f.clone())));
    let late = async {
        let started = std::time::Instant::now();
        // One is with the writer, behind the busy database; the other 39 wait in the queue.
        while queue.depth() < 39 {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the forms never queued"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        h.clock.set(closes);
        let pages =
            futures_util::future::join_all(after.iter().map(|f| h.post_form(&path, f.clone())))
                .await;
        blocker.rollback().await.unwrap();
        pages
    };
    let (early, late) = tokio::join!(early, late);
    for page in &early {
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "arrived in time: {}",
            page.body
        );
    }
    for page in &late {
        assert_eq!(page.status, StatusCode::CONFLICT, "arrived at the closing");
    }
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM comments WHERE received_at >= {}",
            closes.timestamp_millis()
        ))
        .await,
        0,
        "nothing stored at or after the closing instant"
    );
    assert_eq!(h.comment_count().await, 40);
}
