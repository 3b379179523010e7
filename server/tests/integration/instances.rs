//! Several instances on one database: exactly-once closing, the comment change sequence, copies of
//! a letter arriving together joining one campaign, two server processes sharing a database, and a
//! database restart during a run.

use crate::common::{encode_form, instant, is_postgres, Harness, ServerProcess};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use opendocket_core::comment::IdempotencyKey;
use opendocket_core::store::ChangeKind;

const OPENS: &str = "2023-03-14T13:00:00Z";
const CLOSES: &str = "2023-04-14T04:00:00Z";

fn anonymous(key: &str, comment: &str) -> String {
    encode_form(&[
        ("form_token", key),
        ("submitter_type", "anonymous"),
        ("comment", comment),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_closers_racing_close_each_window_exactly_once() {
    let h = Harness::new(instant("2023-03-20T15:00:00Z")).await;
    let ids: Vec<String> = (1..=20).map(|n| format!("FTC-2023-{n:04}")).collect();
    for id in &ids {
        h.create_docket(id, instant(OPENS), instant(CLOSES), false)
            .await;
    }
    let other = h.second_instance(instant(CLOSES)).await;
    let after = instant(CLOSES) + Duration::milliseconds(5);
    let (a, b) = tokio::join!(
        h.store().close_due_windows(after),
        other.services.store.close_due_windows(after)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.len() + b.len(),
        ids.len(),
        "every window closed, none twice"
    );
    let mut closed: Vec<&str> = a
        .iter()
        .chain(b.iter())
        .map(|t| t.docket_id.as_str())
        .collect();
    closed.sort();
    closed.dedup();
    assert_eq!(closed.len(), ids.len());
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comment_windows WHERE status = 'closed'")
            .await,
        20
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_comment_change_gets_the_next_sequence_number() {
    let h = Harness::new(instant("2023-03-20T15:00:00Z")).await;
    h.create_docket("FTC-2023-0018", instant(OPENS), instant(CLOSES), false)
        .await;
    for n in 0..3 {
        let key = h.form_token("FTC-2023-0018");
        let page = h
            .post_form(
                "/dockets/FTC-2023-0018",
                anonymous(&key, &format!("Comment {n}")),
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    let changes = h.store().comment_changes_since(0, 100).await.unwrap();
    assert_eq!(changes.len(), 3);
    assert!(
        changes.windows(2).all(|w| w[0].seq < w[1].seq),
        "strictly increasing"
    );
    assert!(changes.iter().all(|c| c.kind == ChangeKind::Received));
    let later = h
        .store()
        .comment_changes_since(changes[0].seq, 100)
        .await
        .unwrap();
    assert_eq!(later.len(), 2);
    // A refused submission records no change.
    h.clock.set(instant(CLOSES));
    let refused = h
        .post_form(
            "/dockets/FTC-2023-0018",
            anonymous(&h.form_token("FTC-2023-0018"), "Late"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(
        h.store().comment_changes_since(0, 100).await.unwrap().len(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_share_one_database() {
    let h = Harness::new(Utc::now()).await;
    let now = Utc::now();
    h.create_docket(
        "FTC-2026-0001",
        now - Duration::hours(1),
        now + Duration::days(10),
        false,
    )
    .await;
    let closes_soon = now + Duration::seconds(4);
    h.create_docket(
        "FTC-2026-0002",
        now - Duration::hours(1),
        closes_soon,
        false,
    )
    .await;

    let a = ServerProcess::start(&h.database_url, h.dir.path(), "a");
    let b = ServerProcess::start(&h.database_url, h.dir.path(), "b");

    let page = a.http("GET", "/dockets/FTC-2026-0001", None).unwrap();
    assert_eq!(page.status, 200);
    let marker = "name=\"form_token\" value=\"";
    let start = page.body.find(marker).unwrap() + marker.len();
    let key = &page.body[start..start + page.body[start..].find('"').unwrap()];
    let form = anonymous(key, "Sent to A.");
    let taken = a
        .http("POST", "/dockets/FTC-2026-0001", Some(&form))
        .unwrap();
    assert_eq!(taken.status, 303);
    let location = taken.header("location").unwrap().to_owned();

    let receipt = b.http("GET", &location, None).unwrap();
    assert_eq!(
        receipt.status, 200,
        "instance B serves the receipt of a comment taken by instance A"
    );
    assert!(receipt.body.contains("Sent to A."));
    let again = b
        .http("POST", "/dockets/FTC-2026-0001", Some(&form))
        .unwrap();
    assert_eq!(
        again.status, 303,
        "resubmitting to the other instance finds the same comment"
    );
    assert_eq!(again.header("location"), Some(location.as_str()));
    assert_eq!(h.comment_count().await, 1);

    // A staff session opened on A works on B: sessions live in the database.
    let cookie = a
        .sign_in_new_staff(
            h.store(),
            "mod@ftc.gov",
            opendocket_core::roles::Role::Moderator,
        )
        .await;
    let queue = b
        .http_with_cookie("GET", "/staff", None, Some(&cookie))
        .unwrap();
    assert_eq!(
        queue.status, 200,
        "instance B accepts the session from instance A"
    );
    assert!(
        queue.body.contains("Sent to A."),
        "and shows staff the comment taken by A"
    );
    // Each instance keeps its own search index and follows the database's change sequence.
    let started = std::time::Instant::now();
    loop {
        let found = b
            .http_with_cookie(
                "GET",
                "/staff/search?q=%22sent+to+a%22",
                None,
                Some(&cookie),
            )
            .unwrap();
        assert_eq!(found.status, 200);
        if found.body.contains("1 comment matches") {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "instance B's search did not find the comment taken by A: {}",
            found.body
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // Both instances run the scheduler; the deadline is recorded once.
    let wait =
        (closes_soon - Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_secs(2);
    tokio::time::sleep(wait).await;
    assert_eq!(h.window_status("FTC-2026-0002").await, "closed");
    let closings = [a.log_text(), b.log_text()]
        .iter()
        .flat_map(|log| log.lines().map(str::to_owned).collect::<Vec<_>>())
        .filter(|line| line.contains("comment window closed") && line.contains("FTC-2026-0002"))
        .count();
    assert_eq!(closings, 1, "exactly one instance closed the window");
}

/// Starts or stops a PostgreSQL cluster of this test's own, with the test command's script.
fn postgres_ctl(args: &[&str]) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/postgres");
    let status = std::process::Command::new("bash")
        .arg(script)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "postgres {args:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_fail_cleanly_while_the_database_is_down_and_recover() {
    if !is_postgres() {
        eprintln!("this test needs the PostgreSQL run of the suite (OPENDOCKET_TEST_POSTGRES_URL)");
        return;
    }
    // A cluster of its own, so stopping it does not disturb the tests running beside this one.
    let cluster = tempfile::tempdir().unwrap();
    let cluster_dir = cluster.path().to_str().unwrap().to_owned();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    postgres_ctl(&["start", &cluster_dir, &port]);
    let h = Harness::on_postgres(
        &format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        instant("2023-03-20T15:00:00Z"),
    )
    .await;
    h.create_docket("FTC-2023-0018", instant(OPENS), instant(CLOSES), false)
        .await;
    let before = h
        .post_form(
            "/dockets/FTC-2023-0018",
            anonymous(&h.form_token("FTC-2023-0018"), "Before."),
        )
        .await;
    assert_eq!(before.status, StatusCode::SEE_OTHER);

    postgres_ctl(&["stop", &cluster_dir]);
    let during = h
        .post_form(
            "/dockets/FTC-2023-0018",
            anonymous(&h.form_token("FTC-2023-0018"), "During."),
        )
        .await;
    let health = h.get("/healthz").await;
    postgres_ctl(&["start", &cluster_dir, &port]);

    assert!(during.status.is_server_error(), "{}", during.status);
    assert!(
        during.location().is_empty(),
        "no receipt for an unsaved comment"
    );
    assert!(during
        .body
        .contains("Your comment could not be saved just now, and nothing was stored."));
    assert!(
        during.body.contains("During."),
        "what the person typed is kept"
    );
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);

    let after = h
        .post_form(
            "/dockets/FTC-2023-0018",
            anonymous(&h.form_token("FTC-2023-0018"), "After."),
        )
        .await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "the service recovers when the database is back"
    );
    assert_eq!(h.comment_count().await, 2);
    drop(h);
    postgres_ctl(&["stop", &cluster_dir]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_arriving_together_on_two_instances_join_one_campaign() {
    use opendocket_core::comment::{NewComment, Submitter};
    let now = instant("2023-03-20T15:00:00Z");
    let h = Harness::new(now).await;
    h.create_docket("FTC-2023-0018", instant(OPENS), instant(CLOSES), false)
        .await;
    let other = h.second_instance(now).await;
    let docket = opendocket_core::docket::DocketId::parse("FTC-2023-0018").unwrap();
    for round in 0..10 {
        // Each round's letter has words of its own, so the ten letters stay ten campaigns.
        let words: Vec<String> = (0..24).map(|i| format!("r{round}w{i}")).collect();
        let letter = format!("Please protect health data. {}", words.join(" "));
        let comment = NewComment {
            submitter: Submitter::Anonymous,
            city: None,
            state_province_region: None,
            country: None,
            email: None,
            body: letter,
            details: Default::default(),
        };
        let (key_a, key_b) = (IdempotencyKey::generate(), IdempotencyKey::generate());
        let (a, b) = tokio::join!(
            h.store().submit_comment(&docket, &comment, &key_a, now),
            other
                .services
                .store
                .submit_comment(&docket, &comment, &key_b, now)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        // Each instance's placement worker takes the waiting comments at the same moment.
        let (placed_a, placed_b) = tokio::join!(
            h.store().assign_waiting_campaigns(10, now),
            other.services.store.assign_waiting_campaigns(10, now)
        );
        let (_, _) = (placed_a.unwrap(), placed_b.unwrap());
        let campaign_of = |tracking: String| {
            let h = &h;
            async move {
                h.count(&format!(
                    "SELECT COALESCE(campaign_id, 0) FROM comments WHERE tracking_number = '{tracking}'"
                ))
                .await
            }
        };
        let first = campaign_of(a.tracking_number.to_string()).await;
        assert_ne!(first, 0, "round {round}: the copies form a campaign");
        assert_eq!(
            campaign_of(b.tracking_number.to_string()).await,
            first,
            "round {round}: both copies in one campaign"
        );
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM campaigns").await,
        10,
        "one campaign per letter"
    );
}
