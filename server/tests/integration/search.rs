//! Search and tagging through the real router and database: the index follows the database,
//! catches up after a crash, never shows the public what it may not see, and bulk tagging covers
//! every match of a search.

use crate::common::{encode_form, Harness, StaffSession};
use axum::http::StatusCode;
use chrono::Duration;
use opendocket_core::accounts::Actor;
use opendocket_core::clock::Clock;
use opendocket_core::moderation::Decision;
use opendocket_core::roles::Role;
use opendocket_core::search::SearchService;
use opendocket_core::tags::TagName;
use std::time::Duration as StdDuration;

const DOCKET: &str = "FTC-2023-0018";

async fn harness() -> Harness {
    Harness::with_open_docket(DOCKET).await
}

async fn submit(h: &Harness, kind: &str, name: &str, state: &str, text: &str) {
    h.submit_comment(DOCKET, kind, name, state, text).await;
}

/// Waits until the index holds every change in the database.
async fn caught_up(h: &Harness) {
    assert!(h
        .services
        .search
        .catch_up(h.store(), StdDuration::from_secs(5))
        .await
        .unwrap());
}

async fn search(h: &Harness, analyst: &StaffSession, query: &str) -> crate::common::Page {
    h.staff_get(analyst, &format!("/staff/search?{query}"))
        .await
}

fn result_count(body: &str) -> String {
    let at = body
        .find("id=\"result-count\"")
        .unwrap_or_else(|| panic!("no result count in {body}"));
    let start = at + body[at..].find('>').unwrap() + 1;
    body[start..start + body[start..].find('<').unwrap()].to_owned()
}

async fn post(
    h: &Harness,
    session: &StaffSession,
    path: &str,
    fields: Vec<(&str, String)>,
) -> crate::common::Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    h.staff_form(session, path, &pairs).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_follows_submissions_and_decisions_within_a_second() {
    let h = harness().await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    submit(
        &h,
        "organization",
        "Consumer Reports",
        "NY",
        "Consent must come before any advertising.",
    )
    .await;
    let started = std::time::Instant::now();
    loop {
        let page = search(&h, &analyst, "q=consent+advertising").await;
        if page.body.contains("Consumer Reports") {
            break;
        }
        assert!(
            started.elapsed() < StdDuration::from_secs(1),
            "a new comment was not searchable within a second"
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    submit(
        &h,
        "individual",
        "Ada",
        "CA",
        "Advertising with my health data is wrong.",
    )
    .await;
    caught_up(&h).await;
    let page = search(&h, &analyst, "q=advertising&docket=FTC-2023-0018").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(result_count(&page.body), "2 comments match");
    assert!(page.body.contains("<mark>Advertising"), "{}", page.body);
    // Facet links narrow the search and live in the URL.
    assert!(page.body.contains(
        "/staff/search?q=advertising&amp;docket=FTC%2D2023%2D0018&amp;type=organization"
    ));
    let narrowed = search(
        &h,
        &analyst,
        "q=advertising&docket=FTC-2023-0018&type=organization",
    )
    .await;
    assert_eq!(result_count(&narrowed.body), "1 comment matches");

    let ids = h.store().moderation_queue(10, 0).await.unwrap();
    h.decide(ids[0].id, Decision::Post { redact: vec![] }).await;
    caught_up(&h).await;
    let posted = search(&h, &analyst, "q=consent&status=posted").await;
    assert_eq!(result_count(&posted.body), "1 comment matches");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_search_never_returns_unposted_or_unredacted_text() {
    let h = harness().await;
    submit(
        &h,
        "individual",
        "Ada",
        "CA",
        "Call me on 555-0100 about consent.",
    )
    .await;
    submit(
        &h,
        "individual",
        "Bo",
        "CA",
        "Consent was never asked. Pending still.",
    )
    .await;
    submit(
        &h,
        "individual",
        "Cy",
        "CA",
        "Consent matters; withheld for spam.",
    )
    .await;
    let queue = h.store().moderation_queue(10, 0).await.unwrap();
    h.decide(
        queue[0].id,
        Decision::Post {
            redact: vec!["555-0100".into()],
        },
    )
    .await;
    h.decide(
        queue[2].id,
        Decision::Withhold {
            reason: opendocket_core::moderation::WithholdReason::Spam,
            note: None,
        },
    )
    .await;
    caught_up(&h).await;
    let page = h.get(&format!("/dockets/{DOCKET}/search?q=consent")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(result_count(&page.body), "1 comment matches");
    assert!(page.body.contains("[redacted]"));
    for secret in [
        "555-0100",
        "Pending still",
        "withheld for spam",
        "someone@example.org",
    ] {
        assert!(
            !page.body.contains(secret),
            "public search shows {secret:?}"
        );
    }
    let redacted_words = h.get(&format!("/dockets/{DOCKET}/search?q=555")).await;
    assert_eq!(result_count(&redacted_words.body), "0 comments match");
    let staff_field = h
        .get(&format!("/dockets/{DOCKET}/search?q=status:pending"))
        .await;
    assert_eq!(staff_field.status, StatusCode::BAD_REQUEST);
    assert!(staff_field.body.contains("for staff only"));
    let staff_filter = h
        .get(&format!("/dockets/{DOCKET}/search?status=pending"))
        .await;
    assert_eq!(staff_filter.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_queries_get_a_sentence_and_a_400_never_a_500() {
    let h = harness().await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let long = "consent+".repeat(1_250);
    for (query, says) in [
        ("q=%22health+data", "quotation mark is not closed"),
        ("q=colour:red", "Unknown field"),
        ("q=(consent", "parenthesis is not closed"),
        (long.as_str(), "too long"),
        ("q=x&status=deleted", "Unknown status"),
        ("q=x&day=yesterday", "is not a day"),
        ("q=x&docket=NOPE-1", "There is no docket"),
        ("q=x&sort=random", "Sort by"),
    ] {
        let query = if query.starts_with("consent") {
            format!("q={query}")
        } else {
            query.to_owned()
        };
        let page = search(&h, &analyst, &query).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains(says), "{query}: {}", page.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_catches_up_after_a_crash_and_rebuilds_when_lost() {
    let h = harness().await;
    submit(&h, "individual", "Ada", "CA", "Before the crash.").await;
    caught_up(&h).await;
    // The indexer dies; comments keep arriving.
    h.services.search.stop().await;
    submit(&h, "individual", "Bo", "CA", "During the outage.").await;
    let ids = h.store().moderation_queue(10, 0).await.unwrap();
    h.decide(ids[0].id, Decision::Post { redact: vec![] }).await;

    let dir = h.dir.path().join("search-index");
    let restarted = SearchService::start(h.store().clone(), &dir).await.unwrap();
    assert!(restarted
        .catch_up(h.store(), StdDuration::from_secs(5))
        .await
        .unwrap());
    let spec = |q: &str| opendocket_core::search::index::SearchSpec {
        scope: opendocket_core::search::index::Scope::Staff,
        query: opendocket_core::search::query::parse_query(q).unwrap(),
        tag_ids: Default::default(),
        filters: Default::default(),
        sort: Default::default(),
        offset: 0,
        limit: 10,
        day_zone: chrono_tz::UTC,
    };
    assert_eq!(restarted.search(spec("outage")).await.unwrap().total, 1);
    let posted = restarted.search(spec("status:posted")).await.unwrap();
    assert_eq!(posted.total, 1, "the decision made while down is indexed");
    restarted.stop().await;

    // The index directory is lost altogether: it is rebuilt from the database.
    std::fs::remove_dir_all(&dir).unwrap();
    let rebuilt = SearchService::start(h.store().clone(), &dir).await.unwrap();
    let started = std::time::Instant::now();
    while rebuilt.search(spec("crash OR outage")).await.unwrap().total < 2 {
        assert!(
            started.elapsed() < StdDuration::from_secs(5),
            "index not rebuilt"
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    rebuilt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_tagging_tags_every_match_not_just_the_page() {
    let h = harness().await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    for i in 0..45 {
        submit(
            &h,
            "individual",
            "Ada",
            "CA",
            &format!("Form letter {i}: protect consent."),
        )
        .await;
    }
    submit(&h, "individual", "Bo", "TX", "Something else entirely.").await;
    caught_up(&h).await;
    let query = "q=consent&docket=FTC-2023-0018";
    let page = search(&h, &analyst, query).await;
    assert_eq!(result_count(&page.body), "45 comments match");
    assert_eq!(
        page.body.matches("class=\"hit\"").count(),
        20,
        "one page shows 20"
    );
    assert!(page.body.contains("Tag all 45 matches"));

    let response = h
        .staff_post(
            Some(&analyst),
            "/staff/search/tag",
            encode_form(&[
                ("csrf_token", &analyst.csrf),
                ("search", query),
                ("tag_id", ""),
                ("new_tag", "Consent"),
            ]),
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    assert!(response.location().contains("job="));
    assert_eq!(h.count("SELECT COUNT(*) FROM comment_tags").await, 45);

    let after = h.staff_get(&analyst, response.location()).await;
    assert!(
        after
            .body
            .contains("Tagged 45 of 45 matching comments with “Consent”."),
        "{}",
        after.body
    );
    let tag = &h.store().tags(DOCKET).await.unwrap()[0];
    let facet_at = after.body.find("data-facet=\"tag\"").expect("a tag facet");
    let facet =
        &after.body[facet_at..facet_at + after.body[facet_at..].find("</section>").unwrap()];
    assert!(facet.contains("Consent"), "{facet}");
    assert!(
        facet.contains("<span class=\"count\">45"),
        "the tag facet counts 45: {facet}"
    );
    let by_tag = search(
        &h,
        &analyst,
        &format!("docket=FTC-2023-0018&tag={}", tag.id),
    )
    .await;
    assert_eq!(result_count(&by_tag.body), "45 comments match");
    let by_name = search(&h, &analyst, "docket=FTC-2023-0018&q=tag:consent").await;
    assert_eq!(result_count(&by_name.body), "45 comments match");
    assert_eq!(
        h.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('tag.bulk_start', 'tag.bulk_finish')"
        )
        .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_bulk_tag_says_how_far_it_got() {
    let h = harness().await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    for i in 0..3 {
        submit(&h, "individual", "Ada", "CA", &format!("Letter {i}")).await;
    }
    let now = h.clock.now();
    let actor = Actor::CommandLine;
    let tag = h
        .store()
        .create_tag(DOCKET, &TagName::parse("Letters").unwrap(), &actor, now)
        .await
        .unwrap();
    let ids: Vec<i64> = h
        .store()
        .moderation_queue(10, 0)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let job = h
        .store()
        .start_bulk_tag(tag, "docket=FTC-2023-0018&q=letter", ids.len(), &actor, now)
        .await
        .unwrap();
    h.store()
        .bulk_tag_batch(job, tag, &ids[..1], &actor, now)
        .await
        .unwrap();
    // The server stops here; a minute later the record says what happened.
    h.clock.advance(Duration::minutes(2));
    let page = h
        .staff_get(&analyst, &format!("/staff/dockets/{DOCKET}/tags"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("“Letters”: 1 of 3 tagged, interrupted"),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tag_vocabulary_renames_merges_retires_and_publishes() {
    let h = harness().await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    submit(&h, "individual", "Ada", "CA", "Privacy first.").await;
    submit(&h, "individual", "Bo", "CA", "Data sharing is bad.").await;
    let ids: Vec<i64> = h
        .store()
        .moderation_queue(10, 0)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let tags_page = format!("/staff/dockets/{DOCKET}/tags");
    for name in ["privacy", "Data sharing"] {
        let r = post(
            &h,
            &analyst,
            &tags_page.clone(),
            vec![("name", name.into())],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let dup = post(
        &h,
        &analyst,
        &tags_page.clone(),
        vec![("name", "PRIVACY".into())],
    )
    .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert!(dup.body.contains("already has a tag named"));
    let tags = h.store().tags(DOCKET).await.unwrap();
    let (sharing, privacy) = (tags[0].id, tags[1].id);
    for (id, tag) in [(ids[0], privacy), (ids[1], sharing)] {
        let r = post(
            &h,
            &analyst,
            &format!("/staff/comments/{id}/tags"),
            vec![
                ("tag_id", tag.to_string()),
                ("action", "add".into()),
                ("back", "q=x".into()),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/staff/search?q=x");
    }
    let r = post(
        &h,
        &analyst,
        &format!("/staff/tags/{privacy}"),
        vec![("action", "rename".into()), ("name", "Privacy".into())],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = post(
        &h,
        &analyst,
        &format!("/staff/tags/{sharing}"),
        vec![("action", "merge".into()), ("into", privacy.to_string())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not confirmed");
    assert!(r
        .body
        .contains("Tick “Yes, merge” to confirm; nothing was changed."));
    let r = post(
        &h,
        &analyst,
        &format!("/staff/tags/{sharing}"),
        vec![
            ("action", "merge".into()),
            ("into", privacy.to_string()),
            ("confirm", "yes".into()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let tags = h.store().tags(DOCKET).await.unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!((tags[0].name.as_str(), tags[0].comments), ("Privacy", 2));
    // Untag one comment, then put the tag back.
    for action in ["remove", "add"] {
        let r = post(
            &h,
            &analyst,
            &format!("/staff/comments/{}/tags", ids[1]),
            vec![("tag_id", privacy.to_string()), ("action", action.into())],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let expected = if action == "remove" { 1 } else { 2 };
        assert_eq!(h.store().tags(DOCKET).await.unwrap()[0].comments, expected);
    }
    let retire = post(
        &h,
        &analyst,
        &format!("/staff/tags/{privacy}"),
        vec![("action", "retire".into())],
    )
    .await;
    assert_eq!(retire.status, StatusCode::SEE_OTHER);
    let refused = post(
        &h,
        &analyst,
        &format!("/staff/comments/{}/tags", ids[0]),
        vec![("tag_id", privacy.to_string()), ("action", "add".into())],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);

    // Tags stay private until an admin publishes one.
    for id in &ids {
        h.decide(*id, Decision::Post { redact: vec![] }).await;
    }
    caught_up(&h).await;
    let public = h.get(&format!("/dockets/{DOCKET}/search?q=privacy")).await;
    assert!(!public.body.contains("Tags: Privacy"));
    let analyst_publish = post(
        &h,
        &analyst,
        &format!("/staff/tags/{privacy}/publish"),
        vec![("publish", "yes".into())],
    )
    .await;
    assert_eq!(analyst_publish.status, StatusCode::FORBIDDEN);
    let publish = post(
        &h,
        &admin,
        &format!("/staff/tags/{privacy}/publish"),
        vec![("publish", "yes".into())],
    )
    .await;
    assert_eq!(publish.status, StatusCode::SEE_OTHER);
    let public = h.get(&format!("/dockets/{DOCKET}/search?q=privacy")).await;
    assert!(public.body.contains("Tags: Privacy"), "{}", public.body);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE object_type = 'tag'")
            .await,
        6,
        "create x2, rename, merge, retire, publish"
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('comment.tag', 'comment.untag')")
            .await,
        4,
        "two tags put on, one taken off and put back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn words_are_found_in_their_other_forms_in_english_and_french() {
    let h = harness().await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    submit(
        &h,
        "anonymous",
        "",
        "",
        "Refunds were promised and never paid.",
    )
    .await;
    submit(
        &h,
        "anonymous",
        "",
        "",
        "Mes données de santé ont été partagées avec des annonceurs sans mon accord.",
    )
    .await;
    caught_up(&h).await;
    for (query, expected) in [
        ("q=refund", "were promised and never paid"),
        ("q=donnees", "annonceurs sans mon accord"),
        ("q=partager", "annonceurs sans mon accord"),
        ("q=%22donnees+de+sante%22", "annonceurs sans mon accord"),
    ] {
        let page = search(&h, &analyst, query).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(result_count(&page.body), "1 comment matches", "{query}");
        assert!(page.body.contains(expected), "{query}");
    }
    // The form that matched is highlighted.
    let page = search(&h, &analyst, "q=refund").await;
    let body = page.body.replace("<!>", "");
    assert!(body.contains("<mark>Refunds</mark>"), "{body}");
    // The public search reads words the same way, once a comment is posted.
    let queue = h.store().moderation_queue(10, 0).await.unwrap();
    for item in &queue {
        h.decide(item.id, Decision::Post { redact: vec![] }).await;
    }
    caught_up(&h).await;
    let public = h.get(&format!("/dockets/{DOCKET}/search?q=donnees")).await;
    assert_eq!(result_count(&public.body), "1 comment matches");
}
