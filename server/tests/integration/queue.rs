//! The moderation queue as a work list through the real router: moderators take batches that
//! others do not see until the claim runs out, filters narrow the list, and pages count; the
//! decided list pages and filters the same way and undoes from where it is.

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
    line_with_id(body, "queue-counts")
}

/// The text of the paragraph with this id.
fn line_with_id(body: &str, id: &str) -> String {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("a paragraph {id}"));
    let start = at + body[at..].find('>').unwrap() + 1;
    body[start..start + body[start..].find("</p>").unwrap()]
        .replace("<!>", "")
        .replace("<!---->", "")
}

/// The comment numbers a query selects (`id`), its one placeholder bound to `value`.
async fn ids(h: &Harness, sql: &str, value: &str) -> Vec<i64> {
    use sqlx::Row;
    sqlx::query(sql)
        .bind(value)
        .fetch_all(h.store().pool())
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<i64, _>("id"))
        .collect()
}

async fn claimed_by(h: &Harness, email: &str) -> Vec<i64> {
    let sql = "SELECT c.id FROM comments c JOIN staff_users u ON u.id = c.claimed_by
               WHERE u.email = $1 AND c.status = 'pending' ORDER BY c.id";
    ids(h, sql, email).await
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

/// A page's HTML with `&` in attributes read back.
fn unescaped(body: &str) -> String {
    body.replace("&amp;", "&")
}

/// The comment numbers a decided page lists, in order.
fn decided_listed(body: &str) -> Vec<i64> {
    body.split("id=\"decided-")
        .skip(1)
        .filter_map(|item| item.split('"').next()?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_decided_list_pages_filters_by_decision_and_arrival_and_undoes_in_place() {
    use opendocket_core::moderation::{Decision, WithholdReason};
    let h = Harness::with_open_docket(DOCKET).await;
    waiting(&h, 120).await;
    let ids = ids(
        &h,
        "SELECT id FROM comments WHERE docket_id = $1 ORDER BY received_at",
        DOCKET,
    )
    .await;
    // The first 110 decided: every third withheld as spam, the rest posted.
    for (i, id) in ids.iter().take(110).enumerate() {
        let decision = if i % 3 == 0 {
            Decision::Withhold {
                reason: WithholdReason::Spam,
                note: None,
            }
        } else {
            Decision::Post { redact: vec![] }
        };
        h.decide(*id, decision).await;
        h.clock.advance(chrono::Duration::seconds(1));
    }
    let moderator = h.staff_session("mo@ftc.gov", Role::Moderator).await;
    let line = |path: String| {
        let h = &h;
        let moderator = &moderator;
        async move {
            let page = h.staff_get(moderator, &path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
            (
                line_with_id(&page.body, "decided-counts"),
                decided_listed(&page.body),
            )
        }
    };
    let (all, first) = line("/staff/decided".into()).await;
    assert_eq!(
        all,
        "Showing 1–50 of 110 decided comments, latest decision first."
    );
    assert_eq!(first[0], ids[109], "the latest decision first");
    let (last, shown) = line("/staff/decided?page=3".into()).await;
    assert_eq!(
        last,
        "Showing 101–110 of 110 decided comments, latest decision first."
    );
    assert_eq!(shown.last(), Some(&ids[0]));
    for (query, expected) in [
        ("outcome=withheld", "Showing 1–37 of 37"),
        ("outcome=posted&type=organization", "Showing 1–14 of 14"),
        ("from=2023-03-16&to=2023-03-16", "Showing 1–50 of 110"),
    ] {
        assert_eq!(
            line(format!("/staff/decided?{query}")).await.0,
            format!("{expected} decided comments matching the filter, latest decision first."),
            "{query}"
        );
    }
    // The comments arrived on March 16, 2023 in New York (the docket's zone).
    assert_eq!(
        line("/staff/decided?from=2023-03-17".into()).await.0,
        "No decided comments matching the filter."
    );
    assert_eq!(
        counts_line(&h.staff_get(&moderator, "/staff?to=2023-03-15").await.body),
        "Nothing to show waiting matching the filter."
    );
    assert_eq!(
        counts_line(&h.staff_get(&moderator, "/staff?from=2023-03-16").await.body),
        "Showing 1–10 of 10 waiting matching the filter."
    );

    // Each entry says who sent it, what was decided, by whom and when, and links by public id.
    let page = h
        .staff_get(&moderator, "/staff/decided?outcome=posted")
        .await;
    let entry = &page.body[page.body.find("id=\"decided-").unwrap()..];
    let entry = &entry[..entry.find("</li>").unwrap()];
    assert!(
        entry.contains(&format!("href=\"/staff/comments/{DOCKET}-")),
        "{entry}"
    );
    assert!(entry.contains("Anonymous (anonymous)"), "{entry}");
    assert!(entry.contains("Posted as FTC-2023-0018-"), "{entry}");
    assert!(entry.contains(" by someone, March "), "{entry}");

    // Undo from the decided list: back to the queue, and the list says so where it was.
    let undo = ids[109];
    let version = h
        .count(&format!("SELECT version FROM comments WHERE id = {undo}"))
        .await
        .to_string();
    let undone = h
        .staff_form(
            &moderator,
            &format!("/staff/comments/{undo}/decision"),
            &[
                ("version", version.as_str()),
                ("decision", "restore"),
                ("back", "/staff/decided?outcome=posted&page=1"),
            ],
        )
        .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.body);
    assert_eq!(
        undone.location(),
        format!("/staff/decided?outcome=posted&returned={undo}")
    );
    let page = h.staff_get(&moderator, undone.location()).await;
    let done = line_with_id(&page.body, "decision-done");
    assert!(done.contains("is back in the queue"), "{done}");
    assert!(!decided_listed(&page.body).contains(&undo));
    assert_eq!(
        line_with_id(&page.body, "decided-counts"),
        "Showing 1–50 of 72 decided comments matching the filter, latest decision first."
    );

    // What the list does not know is left out, never an error; pages past the end are empty.
    let hostile = format!(
        "/staff/decided?outcome=%3Cscript%3E&from=2023-02-30&to={}&page=99999999999",
        "9".repeat(60_000)
    );
    let (counts, shown) = line(hostile).await;
    assert!(shown.is_empty());
    assert_eq!(counts, "No decided comments.");
    // Analysts read the list but get no undo.
    let analyst = h.staff_session("an@ftc.gov", Role::Analyst).await;
    let page = h.staff_get(&analyst, "/staff/decided").await;
    assert_eq!(decided_listed(&page.body).len(), 50);
    assert!(!page.body.contains("Undo: back to the queue"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_opened_from_the_queue_offers_the_previous_and_next_in_that_queue() {
    let h = Harness::with_open_docket(DOCKET).await;
    waiting(&h, 30).await;
    let moderator = h.staff_session("mo@ftc.gov", Role::Moderator).await;
    let page = h.staff_get(&moderator, "/staff?type=anonymous").await;
    let shown = listed(&page.body);
    let href = |id: i64| format!("/staff/comments/{id}?in=queue&type=anonymous");
    assert!(unescaped(&page.body).contains(&format!("href=\"{}\"", href(shown[1]))));

    let middle = h.staff_get(&moderator, &href(shown[1])).await;
    assert_eq!(middle.status, StatusCode::OK);
    assert!(unescaped(&middle.body).contains(&format!("href=\"{}\" rel=\"prev\"", href(shown[0]))));
    assert!(unescaped(&middle.body).contains(&format!("href=\"{}\" rel=\"next\"", href(shown[2]))));
    assert!(unescaped(&middle.body).contains("href=\"/staff?type=anonymous\">Back to the queue"));
    let first = h.staff_get(&moderator, &href(shown[0])).await;
    assert!(!unescaped(&first.body).contains("rel=\"prev\""));
    let last = h.staff_get(&moderator, &href(*shown.last().unwrap())).await;
    assert!(!unescaped(&last.body).contains("rel=\"next\""));

    // Deciding on the page keeps its place in the queue: the page again, its next still next.
    let decided = h
        .staff_form(
            &moderator,
            &format!("/staff/comments/{}/decision", shown[1]),
            &[
                ("version", "0"),
                ("decision", "post"),
                ("back", &href(shown[1])),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert_eq!(decided.location(), href(shown[1]));
    let again = h.staff_get(&moderator, decided.location()).await;
    assert!(unescaped(&again.body).contains(&format!("href=\"{}\" rel=\"next\"", href(shown[2]))));
    assert!(unescaped(&again.body).contains(&format!("href=\"{}\" rel=\"prev\"", href(shown[0]))));
    // Without the queue, no neighbours; with a hostile filter, still a page.
    let plain = h
        .staff_get(&moderator, &format!("/staff/comments/{}", shown[2]))
        .await;
    assert!(!unescaped(&plain.body).contains("rel=\"next\""));
    let odd = h
        .staff_get(
            &moderator,
            &format!(
                "/staff/comments/{}?in=queue&from=%00&to=9999-99-99&docket=%27",
                shown[2]
            ),
        )
        .await;
    assert_eq!(odd.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redaction_is_previewed_on_the_comment_page_before_it_is_posted() {
    let h = Harness::with_open_docket(DOCKET).await;
    waiting(&h, 3).await;
    let moderator = h.staff_session("mo@ftc.gov", Role::Moderator).await;
    let queue = h.staff_get(&moderator, "/staff?late=no").await;
    let id = listed(&queue.body)[0];
    let here = format!("/staff/comments/{id}?in=queue&late=no");
    assert!(
        unescaped(&queue.body).contains(&format!("href=\"{here}#redact\">Redact and post…")),
        "the queue sends redactions to the comment page"
    );

    let preview = h
        .staff_get(&moderator, &format!("{here}&redact=number%7C%20comment"))
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    let body = unescaped(&preview.body).replace("<!>", "");
    assert!(
        body.contains(
            "id=\"redaction-preview\" class=\"comment-copy\">Waiting [redacted] [redacted] "
        ),
        "{body}"
    );
    assert!(
        body.contains("name=\"redact\" value=\"number| comment\""),
        "{body}"
    );
    assert!(body.contains(">Post with these redactions<"));
    // The preview keeps the page's place in the queue.
    assert!(body.contains("type=\"hidden\" name=\"in\" value=\"queue\""));

    let absent = h
        .staff_get(&moderator, &format!("{here}&redact=Jane"))
        .await;
    let body = absent.body.replace("<!>", "");
    assert!(
        body.contains("This cannot be posted: “Jane” does not appear in the comment."),
        "{body}"
    );
    assert!(!body.contains("Post with these redactions"));
    let too_many = vec!["Waiting"; 51].join("|");
    let refused = h
        .staff_get(
            &moderator,
            &format!(
                "/staff/comments/{id}?redact={}",
                too_many.replace('|', "%7C")
            ),
        )
        .await;
    assert!(refused
        .body
        .contains("at most 50 phrases can be redacted at once"));
    let post_redacting = |redact: String| {
        let (h, moderator, here) = (&h, &moderator, here.clone());
        async move {
            h.staff_form(
                moderator,
                &format!("/staff/comments/{id}/decision"),
                &[
                    ("version", "0"),
                    ("decision", "post"),
                    ("redact", &redact),
                    ("back", &here),
                ],
            )
            .await
        }
    };
    let posted = post_redacting(too_many.clone()).await;
    assert_eq!(posted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM comments WHERE id = {id} AND status = 'pending'"
        ))
        .await,
        1,
        "nothing was changed"
    );

    // Posting what was previewed.
    let posted = post_redacting("number| comment".to_owned()).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    assert_eq!(posted.location(), here);
    let public = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(public.body.contains("Waiting [redacted] [redacted] "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_comment_is_a_compact_row_that_opens_to_the_whole_text() {
    let h = Harness::with_open_docket(DOCKET).await;
    waiting(&h, 2).await;
    let long = format!(
        "{} The end of a long comment.",
        "Sharing health data is wrong. ".repeat(60)
    );
    sqlx::query("UPDATE comments SET body = $1 WHERE tracking_number = 'queue-0'")
        .bind(&long)
        .execute(h.store().pool())
        .await
        .unwrap();
    let moderator = h.staff_session("mo@ftc.gov", Role::Moderator).await;
    let page = h.staff_get(&moderator, "/staff").await;
    let body = page.body.replace("<!>", "");
    assert_eq!(
        body.matches("<summary>Show the whole comment</summary>")
            .count(),
        1
    );
    assert!(
        body.contains("The end of a long comment."),
        "the whole text is one click away"
    );
    assert!(body.contains("Sharing health data is wrong. Sharing"));
    assert!(
        body.contains("Waiting comment number 1."),
        "a short one is shown whole"
    );
}
