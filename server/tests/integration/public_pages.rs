//! Public pages whose cost does not grow with the docket: counts kept by the database with every
//! change (checked against a full count after each kind of change), and posted comments paged by
//! key.

use crate::common::Harness;
use axum::http::StatusCode;
use opendocket_core::moderation::{Decision, WithholdReason};

const DOCKET: &str = "FTC-2023-0018";

/// The kept counts agree with counting every comment.
async fn assert_counts_agree(h: &Harness, step: &str) {
    let kept: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT docket_id, status, reason, n FROM comment_counts WHERE n <> 0
         ORDER BY docket_id, status, reason",
    )
    .fetch_all(h.store().pool())
    .await
    .unwrap();
    let counted: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT docket_id, status,
                CASE WHEN awaiting_confirmation = 1 THEN 'awaiting_confirmation' ELSE COALESCE(withheld_reason, '') END AS reason,
                COUNT(*) AS n
         FROM comments GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )
    .fetch_all(h.store().pool())
    .await
    .unwrap();
    assert_eq!(kept, counted, "after {step}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_are_kept_with_every_change() {
    let h = Harness::with_open_docket(DOCKET).await;
    assert_counts_agree(&h, "nothing").await;
    for i in 0..4 {
        h.submit_comment(DOCKET, "individual", "Ada", "CA", &format!("Comment {i}."))
            .await;
    }
    assert_counts_agree(&h, "submissions").await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM comments ORDER BY id")
        .fetch_all(h.store().pool())
        .await
        .unwrap();
    h.decide(ids[0], Decision::Post { redact: Vec::new() })
        .await;
    h.decide(
        ids[1],
        Decision::Withhold {
            reason: WithholdReason::Spam,
            note: None,
        },
    )
    .await;
    assert_counts_agree(&h, "decisions").await;
    h.decide(ids[1], Decision::Restore).await;
    h.decide(
        ids[2],
        Decision::Withhold {
            reason: WithholdReason::Other,
            note: Some("Sent twice.".into()),
        },
    )
    .await;
    assert_counts_agree(&h, "a restore").await;
    h.insert_posted(DOCKET, 30, "Bulk.", |i| 1_679_000_000_000 + i as i64)
        .await;
    assert_counts_agree(&h, "an import").await;

    let page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(
        page.body.contains("34 received, 31 posted"),
        "{}",
        page.body
    );
    let moderator = h
        .staff_session("mod@ftc.gov", opendocket_core::roles::Role::Moderator)
        .await;
    let queue = h.staff_get(&moderator, "/staff").await;
    assert!(
        queue
            .body
            .replace("<!>", "")
            .contains("2 comments awaiting a decision"),
        "{}",
        queue.body
    );
}

/// The `href` of the pager link with `rel`.
fn pager_link(body: &str, rel: &str) -> Option<String> {
    let at = body.find(&format!("rel=\"{rel}\" href=\""))?;
    let start = at + body[at..].find("href=\"")? + 6;
    Some(body[start..start + body[start..].find('"')?].replace("&amp;", "&"))
}

/// The public ids of the posted comments a page shows (`FTC-2023-0018-00061`), in order.
fn shown_ids(body: &str) -> Vec<String> {
    body.match_indices(&format!(">{DOCKET}-"))
        .map(|(at, _)| &body[at + 1..at + 1 + DOCKET.len() + 7])
        .filter(|id| {
            id[DOCKET.len() + 1..DOCKET.len() + 6]
                .bytes()
                .all(|b| b.is_ascii_digit())
                && id.ends_with('<')
        })
        .map(|id| id.trim_end_matches('<').to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_comments_are_paged_by_key() {
    let h = Harness::with_open_docket(DOCKET).await;
    h.insert_posted(DOCKET, 60, "Posted.", |i| {
        1_679_000_000_000 + i as i64 * 1000
    })
    .await;
    let first = h.get(&format!("/dockets/{DOCKET}")).await;
    let newest = shown_ids(&first.body);
    assert_eq!(newest.len(), 25);
    assert_eq!(newest[0], format!("{DOCKET}-00061"), "newest first");
    let older = pager_link(&first.body, "next").unwrap();
    assert!(older.contains("before="), "{older}");
    let second = h.get(&older).await;
    let second_ids = shown_ids(&second.body);
    assert_eq!(second_ids.len(), 25);
    assert_eq!(second_ids[0], format!("{DOCKET}-00036"));
    let pager = &second.body[second.body.find("class=\"pager\"").unwrap()..];
    assert!(
        pager[..pager.find("</nav>").unwrap()]
            .replace("<!>", "")
            .contains("Page 2 of 3"),
        "{pager:.300}"
    );
    let third = h.get(&pager_link(&second.body, "next").unwrap()).await;
    let third_ids = shown_ids(&third.body);
    assert_eq!(third_ids.len(), 10);
    assert_eq!(third_ids.last().unwrap(), &format!("{DOCKET}-00002"));
    assert!(pager_link(&third.body, "next").is_none(), "the last page");
    let back = h.get(&pager_link(&third.body, "prev").unwrap()).await;
    assert_eq!(shown_ids(&back.body), second_ids, "newer again");
    let home = pager_link(&back.body, "prev").unwrap();
    assert_eq!(home, format!("/dockets/{DOCKET}"));
    // A typed page number still works; an unknown or hostile key gives a page, never an error.
    assert_eq!(
        shown_ids(&h.get(&format!("/dockets/{DOCKET}?page=2")).await.body),
        second_ids
    );
    // A typed page past the middle is read from the oldest end: the same comments, newest first.
    assert_eq!(
        shown_ids(&h.get(&format!("/dockets/{DOCKET}?page=3")).await.body),
        third_ids
    );
    for query in [
        "page=2&before=FTC-2099-0001-00001".to_owned(),
        format!("page=2&before={}", "x".repeat(10_000)),
        "page=-5&after=%00".to_owned(),
    ] {
        let page = h.get(&format!("/dockets/{DOCKET}?{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query:.40}");
        assert_eq!(shown_ids(&page.body).len(), 25, "{query:.40}");
    }
    for path in ["/comments/%00", "/comments/a%20b"] {
        assert_eq!(h.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}
