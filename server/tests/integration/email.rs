//! E-mail confirmation through the real router, with a real SMTP conversation on loopback: a
//! docket that confirms by e-mail keeps a comment out of the queue until its link is followed
//! (once), withholds it as "not confirmed" at the close, and the API's `sendEmailReceipt` sends
//! a receipt. Without SMTP the option cannot be switched on.

use crate::common::smtp::TestSmtp;
use crate::common::{encode_form, instant, Harness};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use opendocket_core::accounts::Actor;
use opendocket_core::roles::Role;
use opendocket_core::scheduler::apply_due_transitions;
use opendocket_server::mail::Mailer;

const DOCKET: &str = "FTC-2023-0018";

fn comment_with_email(h: &Harness, email: &str, text: &str) -> String {
    encode_form(&[
        ("form_token", &h.form_token(DOCKET)),
        ("submitter_type", "anonymous"),
        ("email", email),
        ("comment", text),
    ])
}

/// The `/confirm/…` path in a message.
fn link_in(message: &str) -> String {
    let start = message.find("/confirm/").expect("a confirmation link");
    message[start..start + "/confirm/".len() + 32].to_owned()
}

/// A harness whose server sends mail to a loopback SMTP server, from a running mail task when
/// `running` (otherwise the test sends what is due itself).
async fn with_mail(running: bool) -> (Harness, TestSmtp, Mailer) {
    let mut h = Harness::with_open_docket(DOCKET).await;
    let smtp = TestSmtp::start().await;
    let mailer = Mailer::new(&smtp.url(), "OpenDocket <comments@ftc.example>").unwrap();
    if running {
        tokio::spawn(
            mailer
                .clone()
                .run(h.store().clone(), h.services.clock.clone()),
        );
    }
    h.reconfigure(|state| state.mailer = Some(mailer.clone()));
    (h, smtp, mailer)
}

async fn confirm_by_email(h: &Harness) {
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let on = h
        .staff_form(
            &admin,
            &format!("/staff/dockets/{DOCKET}/email-confirmation"),
            &[("confirm_by_email", "on")],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_email_confirmation_cannot_be_switched_on() {
    let h = Harness::with_open_docket(DOCKET).await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let refused = h
        .staff_form(
            &admin,
            &format!("/staff/dockets/{DOCKET}/email-confirmation"),
            &[("confirm_by_email", "on")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("set OPENDOCKET_SMTP_URL"));
    let record = h
        .store()
        .docket(&opendocket_core::docket::DocketId::parse(DOCKET).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(!record.confirm_by_email);
    let cli = h.run_cli(&["docket", "email-confirmation", DOCKET, "on"], "");
    assert!(!cli.status.success());
    assert!(String::from_utf8_lossy(&cli.stderr).contains("set OPENDOCKET_SMTP_URL"));
    // Without it, comments with an e-mail address go to the queue as before.
    h.post_form(
        &format!("/dockets/{DOCKET}"),
        comment_with_email(&h, "ada@example.org", "No mail here."),
    )
    .await;
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE awaiting_confirmation = 0")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_waits_for_its_link_which_works_once() {
    let (h, smtp, _) = with_mail(true).await;
    confirm_by_email(&h).await;
    let moderator = h.staff_session("mod@ftc.gov", Role::Moderator).await;

    let sent = h
        .post_form(
            &format!("/dockets/{DOCKET}"),
            comment_with_email(&h, "ada@example.org", "Please confirm me."),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let receipt = h.get(sent.location()).await;
    assert!(receipt.body.contains("One more step: confirm by e-mail"));
    let queue = h.staff_get(&moderator, "/staff").await;
    assert!(
        !queue.body.contains("Please confirm me."),
        "not in the queue yet"
    );

    let messages = smtp.wait_for(1).await;
    let message = &messages[0];
    assert!(message.contains("To: ada@example.org"), "{message}");
    assert!(message.contains("Confirm your comment on FTC-2023-0018"));
    let tracking = sent.location().trim_start_matches("/receipts/");
    assert!(
        message.contains(tracking),
        "the tracking number is in the message"
    );
    let link = link_in(message);
    assert!(message.contains(&format!("http://127.0.0.1:3000{link}")));

    // Opening the link confirms nothing by itself (mail scanners open links); the button does.
    let page = h.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Confirm my comment"));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE awaiting_confirmation = 1")
            .await,
        1
    );
    let confirmed = h.post_form(&link, "").await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert_eq!(confirmed.location(), sent.location());
    let receipt = h.get(confirmed.location()).await;
    assert!(!receipt.body.contains("One more step"));
    let queue = h.staff_get(&moderator, "/staff").await;
    assert!(
        queue.body.contains("Please confirm me."),
        "in the queue now"
    );

    // Single use; a made-up or hostile link confirms nothing, with a sentence and a 404.
    for path in [
        link.clone(),
        format!("/confirm/{}", "0".repeat(32)),
        "/confirm/not-a-token".to_owned(),
        format!("/confirm/{}", "a".repeat(10_000)),
    ] {
        let again = h.post_form(&path, "").await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "{path:.40}");
        assert!(
            again.body.contains("This link confirms nothing"),
            "{path:.40}"
        );
    }
    // Sent messages are not kept.
    assert_eq!(h.count("SELECT COUNT(*) FROM outgoing_mail").await, 0);

    // A comment without an address needs no confirmation.
    let anonymous = encode_form(&[
        ("form_token", &h.form_token(DOCKET)),
        ("submitter_type", "anonymous"),
        ("comment", "No address given."),
    ]);
    let sent = h.post_form(&format!("/dockets/{DOCKET}"), anonymous).await;
    let receipt = h.get(sent.location()).await;
    assert!(!receipt.body.contains("One more step"));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE awaiting_confirmation = 1")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_never_confirmed_are_withheld_at_the_close() {
    let (h, smtp, _) = with_mail(true).await;
    confirm_by_email(&h).await;
    h.post_form(
        &format!("/dockets/{DOCKET}"),
        comment_with_email(&h, "bot@example.org", "Never confirmed."),
    )
    .await;
    let link = link_in(&smtp.wait_for(1).await[0]);
    let after_close = instant("2023-04-14T04:00:01Z");
    h.clock.set(after_close);
    apply_due_transitions(h.store(), after_close).await.unwrap();
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE status = 'withheld' AND withheld_reason = 'not_confirmed' AND awaiting_confirmation = 0")
            .await,
        1
    );
    let late = h.post_form(&link, "").await;
    assert_eq!(late.status, StatusCode::NOT_FOUND);
    assert!(late
        .body
        .contains("the comment period closed before it was followed"));
    // Running the scheduler again changes nothing.
    apply_due_transitions(h.store(), after_close).await.unwrap();
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE status = 'withheld'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_sends_a_receipt_when_asked_and_mail_that_cannot_be_sent_waits() {
    let (h, smtp, mailer) = with_mail(false).await;
    let (_, secret) = h
        .store()
        .create_api_key(
            "Patients United",
            None,
            &Actor::CommandLine,
            h.services.clock.now(),
        )
        .await
        .unwrap();
    let post = |key: &str, email: &str, receipt: bool| {
        let body = serde_json::json!({ "data": { "type": "comments", "attributes": {
            "commentOnDocumentId": format!("{DOCKET}-0001"),
            "comment": "Sent through the API.",
            "submissionType": "API",
            "submitterType": "ANONYMOUS",
            "email": email,
            "sendEmailReceipt": receipt,
            "submissionKey": key,
        } } });
        Request::post("/v4/comments")
            .header("content-type", "application/vnd.api+json")
            .header("x-api-key", &secret)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let created = h.send(post("one", "grace@example.org", true)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    mailer.send_due(h.store(), &h.services.clock).await.unwrap();
    let message = &smtp.wait_for(1).await[0];
    assert!(message.contains("To: grace@example.org"));
    assert!(message.contains("Your comment on FTC-2023-0018 was received"));
    let quiet = h.send(post("two", "hopper@example.org", false)).await;
    assert_eq!(quiet.status, StatusCode::CREATED);

    // A mail server that is down: the comment is stored, the message waits for another try.
    let mut h = h;
    let down = Mailer::new("smtp://127.0.0.1:9", "OpenDocket <comments@ftc.example>").unwrap();
    h.reconfigure(|state| state.mailer = Some(down.clone()));
    let created = h.send(post("three", "lin@example.org", true)).await;
    assert_eq!(created.status, StatusCode::CREATED);
    down.send_due(h.store(), &h.services.clock).await.unwrap();
    assert_eq!(
        h.count("SELECT COUNT(*) FROM outgoing_mail").await,
        1,
        "only the receipt asked for waits"
    );
    let (attempts, waiting): (i64, i64) =
        sqlx::query_as("SELECT attempts, next_attempt_at FROM outgoing_mail")
            .fetch_one(h.store().pool())
            .await
            .unwrap();
    assert_eq!(attempts, 1);
    assert!(waiting > h.services.clock.now().timestamp_millis());
    assert_eq!(smtp.wait_for(1).await.len(), 1, "nothing more was sent");
}
