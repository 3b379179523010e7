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
    h.reconfigure(|state| {
        state.submissions = opendocket_core::submission_queue::SubmissionQueue::start(
            state.services.store.clone(),
            QueueSettings {
                capacity: 1,
                max_batch: 1,
                ..Default::default()
            },
            state.services.comments_stored.clone(),
        )
    });
    // Another writer holds the database: the queue's writer waits behind it with one comment, and
    // one more comment waits in the queue.
    let mut blocker = h.store().begin_write().await.unwrap();
    if h.store().backend() == Backend::Postgres {
        sqlx::query("LOCK TABLE comments IN EXCLUSIVE MODE")
            .execute(&mut *blocker)
            .await
            .unwrap();
    }
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
        h.services.comments_stored.clone(),
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_crossed_during_a_burst_stores_nothing_at_or_after_it() {
    let closes = instant("2023-04-14T04:00:00Z");
    let h = Harness::new(closes - chrono::Duration::milliseconds(40)).await;
    h.create_docket(DOCKET, instant("2023-03-14T13:00:00Z"), closes, false)
        .await;
    let path = format!("/dockets/{DOCKET}");
    let forms: Vec<String> = (0..80)
        .map(|i| anonymous_form(&h, &format!("Comment {i} sent as the period closes.")))
        .collect();
    let ticking = async {
        // One millisecond of the docket's time passes between arrivals, across the deadline.
        for _ in 0..80 {
            tokio::time::sleep(Duration::from_millis(2)).await;
            h.clock.advance(chrono::Duration::milliseconds(1));
        }
    };
    let h = &h;
    let sending = futures_util::future::join_all(forms.iter().enumerate().map(|(i, form)| {
        let path = &path;
        async move {
            tokio::time::sleep(Duration::from_millis(2 * i as u64)).await;
            h.post_form(path, form.clone()).await
        }
    }));
    let (pages, ()) = tokio::join!(sending, ticking);
    let statuses: Vec<u16> = pages.iter().map(|p| p.status.as_u16()).collect();
    let receipts = pages
        .iter()
        .filter(|p| p.status == StatusCode::SEE_OTHER)
        .count();
    let refused = pages
        .iter()
        .filter(|p| p.status == StatusCode::CONFLICT)
        .count();
    assert!(
        receipts > 0 && refused > 0,
        "the burst spans the deadline: {statuses:?}"
    );
    assert_eq!(
        receipts + refused,
        80,
        "every form is answered with a receipt or the closing"
    );
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM comments WHERE received_at >= {}",
            closes.timestamp_millis()
        ))
        .await,
        0,
        "nothing stored at or after the closing instant"
    );
    assert_eq!(h.comment_count().await as usize, receipts);
}
