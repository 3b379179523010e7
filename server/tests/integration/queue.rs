//! The moderation queue as a work list through the real router: moderators take batches that
//! others do not see until the claim runs out, filters narrow the list, and pages count.

use crate::common::Harness;
use axum::http::StatusCode;
use opendocket_core::roles::Role;

const DOCKET: &str = "FTC-2023-0018";

/// Stores `n` waiting comments straight into the database, oldest first: every 5th from an
/// organization, every 7th late, every 10th flagged as carrying a phone number.
async fn waiting(h: &Harness, n: usize) {
    let mut tx = h.store().pool().begin().await.unwrap();
    for i in 0..n {
        sqlx::query(
            "INSERT INTO comments (tracking_number, idempotency_key, docket_id, window_id, document_id,
                 submitter_type, organization, body, received_at, status, late, flags)
             SELECT $1, $2, w.docket_id, w.id, $3, $4, $5, $6, $7, 'pending', $8, $9
             FROM comment_windows w WHERE w.docket_id = $10",
        )
        .bind(format!("queue-{i}"))
        .bind(format!("queue-key-{i}"))
        .bind(format!("{DOCKET}-0001"))
        .bind(if i % 5 == 0 { "organization" } else { "anonymous" })
        .bind((i % 5 == 0).then_some("Consumer Reports"))
        .bind(format!("Waiting comment number {i}."))
        .bind(1_679_000_000_000_i64 + i as i64 * 1_000)
        .bind(i64::from(i % 7 == 0))
        .bind(if i % 10 == 0 { "phone" } else { "" })
        .bind(DOCKET)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The comment numbers a queue page lists, in order.
fn listed(body: &str) -> Vec<i64> {
    body.split("<h2 id=\"comment-")
        .skip(1)
        .filter_map(|item| item.split('"').next()?.parse().ok())
        .collect()
}

fn counts_line(body: &str) -> String {
    let at = body.find("id=\"queue-counts\"").expect("a counts line");
    let start = at + body[at..].find('>').unwrap() + 1;
    body[start..start + body[start..].find("</p>").unwrap()]
        .replace("<!>", "")
        .replace("<!---->", "")
}

async fn claimed_by(h: &Harness, email: &str) -> Vec<i64> {
    use sqlx::Row;
    sqlx::query(
        "SELECT c.id FROM comments c JOIN staff_users u ON u.id = c.claimed_by
         WHERE u.email = $1 AND c.status = 'pending' ORDER BY c.id",
    )
    .bind(email)
    .fetch_all(h.store().pool())
    .await
    .unwrap()
    .iter()
    .map(|row| row.get::<i64, _>("id"))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_moderators_take_batches_at_once_and_never_see_each_others() {
    let h = Harness::with_open_docket(DOCKET).await;
    waiting(&h, 500).await;
    let ada = h.staff_session("ada@ftc.gov", Role::Moderator).await;
    let bo = h.staff_session("bo@ftc.gov", Role::Moderator).await;
    let take = [("count", "20")];
    let (a, b) = tokio::join!(
        h.staff_form(&ada, "/staff/queue/claim", &take),
        h.staff_form(&bo, "/staff/queue/claim", &take)
    );
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(b.status, StatusCode::SEE_OTHER, "{}", b.body);
    let (ada_has, bo_has) = (
        claimed_by(&h, "ada@ftc.gov").await,
        claimed_by(&h, "bo@ftc.gov").await,
    );
    assert_eq!((ada_has.len(), bo_has.len()), (20, 20));
    // (the helper counts waiting comments; decided ones leave the queue whoever held them)
    assert!(ada_has.iter().all(|id| !bo_has.contains(id)));

    let page = h.staff_get(&ada, "/staff").await;
    assert_eq!(page.status, StatusCode::OK);
    let shown = listed(&page.body);
    assert_eq!(shown.len(), 50);
    assert_eq!(&shown[..20], &ada_has[..], "her own first, oldest first");
    assert!(shown.iter().all(|id| !bo_has.contains(id)), "never Bo's");
    assert_eq!(
        counts_line(&page.body),
        "Showing 1–50 of 480 waiting; 20 taken by you, listed first; 20 more taken by other moderators for now."
    );
    // Every page of Bo's queue leaves Ada's out.
    for n in 1..=10 {
        let page = h.staff_get(&bo, &format!("/staff?page={n}")).await;
        assert!(listed(&page.body).iter().all(|id| !ada_has.contains(id)));
    }
    // Deciding keeps one's place: the decided comment leaves, the next of hers comes first.
    h.decide(
        ada_has[0],
        opendocket_core::moderation::Decision::Post { redact: vec![] },
    )
    .await;
    let page = h.staff_get(&ada, "/staff").await;
    assert_eq!(listed(&page.body)[0], ada_has[1]);

    // Claims run out: after 30 minutes Bo sees what Ada took and did not decide.
    h.clock.advance(chrono::Duration::minutes(31));
    let bo = h.staff_session_again("bo@ftc.gov").await;
    let page = h.staff_get(&bo, "/staff").await;
    assert!(
        counts_line(&page.body).starts_with("Showing 1–50 of 499 waiting."),
        "{}",
        counts_line(&page.body)
    );
    assert!(listed(&page.body).contains(&ada_has[1]));

    // Giving back: Ada takes 5 more, then gives them back.
    let ada = h.staff_session_again("ada@ftc.gov").await;
    let again = h
        .staff_form(&ada, "/staff/queue/claim", &[("count", "5")])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let page = h.staff_get(&ada, "/staff").await;
    assert!(
        counts_line(&page.body).contains("; 5 taken by you, listed first."),
        "{}",
        counts_line(&page.body)
    );
    let back = h.staff_form(&ada, "/staff/queue/release", &[]).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert!(claimed_by(&h, "ada@ftc.gov").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_narrow_the_queue_and_pages_count() {
    let h = Harness::with_open_docket(DOCKET).await;
    waiting(&h, 120).await;
    let moderator = h.staff_session("mo@ftc.gov", Role::Moderator).await;
    let line = |path: &'static str| {
        let h = &h;
        let moderator = &moderator;
        async move {
            let page = h.staff_get(moderator, path).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            (counts_line(&page.body), listed(&page.body))
        }
    };
    let (all, first) = line("/staff").await;
    assert_eq!(all, "Showing 1–50 of 120 waiting.");
    assert_eq!(first.len(), 50);
    let (last, ids) = line("/staff?page=3").await;
    assert_eq!(last, "Showing 101–120 of 120 waiting.");
    assert_eq!(ids.len(), 20);
    for (path, expected) in [
        ("/staff?type=organization", "Showing 1–24 of 24"),
        ("/staff?flag=phone&type=organization", "Showing 1–12 of 12"),
        ("/staff?late=yes", "Showing 1–18 of 18"),
        ("/staff?files=yes", "Nothing to show"),
        (
            "/staff?docket=FTC-2023-0018&files=no",
            "Showing 1–50 of 120",
        ),
    ] {
        assert_eq!(
            line(path).await.0,
            format!("{expected} waiting matching the filter."),
            "{path}"
        );
    }
    // What the queue does not know is left out, never an error.
    let hostile = format!(
        "/staff?campaign={}&docket=%27%3B--&flag=nope&page=-9",
        "9".repeat(60_000)
    );
    let page = h.staff_get(&moderator, &hostile).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(counts_line(&page.body), "Showing 1–50 of 120 waiting.");

    // Taking under a filter takes only what it shows.
    let taken = h
        .staff_form(
            &moderator,
            "/staff/queue/claim",
            &[("count", "100"), ("late", "yes")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER);
    assert_eq!(taken.location(), "/staff?late=yes");
    assert_eq!(claimed_by(&h, "mo@ftc.gov").await.len(), 18);
    for count in ["0", "101", "lots", ""] {
        let refused = h
            .staff_form(&moderator, "/staff/queue/claim", &[("count", count)])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{count}");
        assert!(refused.body.contains("Say how many comments to take"));
    }
    assert_eq!(
        claimed_by(&h, "mo@ftc.gov").await.len(),
        18,
        "nothing more taken"
    );
    let analyst = h.staff_session("an@ftc.gov", Role::Analyst).await;
    let refused = h
        .staff_form(&analyst, "/staff/queue/claim", &[("count", "5")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_returns_to_the_same_filtered_page_at_the_next_comment_with_undo() {
    let h = Harness::with_open_docket(DOCKET).await;
    waiting(&h, 150).await;
    let moderator = h.staff_session("mo@ftc.gov", Role::Moderator).await;
    let page = h
        .staff_get(&moderator, "/staff?type=anonymous&page=2")
        .await;
    let shown = listed(&page.body);
    let (decided, next) = (shown[3], shown[4]);
    let version = "0";
    let sent = h
        .staff_form(
            &moderator,
            &format!("/staff/comments/{decided}/decision"),
            &[
                ("version", version),
                ("decision", "post"),
                ("redact", ""),
                ("back", "/staff?type=anonymous&page=2"),
                ("next", &next.to_string()),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let back = format!("/staff?type=anonymous&page=2&decided={decided}#item-{next}");
    assert_eq!(sent.location(), back);
    let page = h
        .staff_get(&moderator, back.split('#').next().unwrap())
        .await;
    assert!(page.body.contains(&format!("id=\"item-{next}\"")));
    let done = &page.body[page
        .body
        .find("id=\"decision-done\"")
        .expect("a line saying what was done")..];
    let done = &done[..done.find("</div>").unwrap()];
    assert!(
        done.contains(&format!("Comment {decided}: Posted as {DOCKET}-")),
        "{done}"
    );
    assert!(done.contains(">Undo<"), "{done}");
    assert!(!listed(&page.body).contains(&decided));

    // Undo returns it to the queue, and says so, with nothing more to undo.
    let undone = h
        .staff_form(
            &moderator,
            &format!("/staff/comments/{decided}/decision"),
            &[
                ("version", "1"),
                ("decision", "restore"),
                ("back", "/staff?type=anonymous&page=2"),
            ],
        )
        .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.body);
    let page = h.staff_get(&moderator, undone.location()).await;
    let done = &page.body[page.body.find("id=\"decision-done\"").unwrap()..];
    let done = &done[..done.find("</div>").unwrap()];
    assert!(
        done.contains(&format!("Comment {decided}: Waiting for a decision.")),
        "{done}"
    );
    assert!(!done.contains("Undo"));
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM comments WHERE id = {decided} AND status = 'pending'"
        ))
        .await,
        1
    );
    // A return address off the site is never followed.
    let elsewhere = h
        .staff_form(
            &moderator,
            &format!("/staff/comments/{next}/decision"),
            &[
                ("version", "0"),
                ("decision", "post"),
                ("back", "https://evil.example/staff"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
    assert_eq!(elsewhere.location(), format!("/staff?decided={next}"));
}
