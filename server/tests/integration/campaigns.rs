//! Form-letter campaigns and the docket summary through the real router and database: comments
//! join campaigns as they arrive, staff merge, split and take comments out, moderate a whole
//! campaign, and the summary's numbers are the database's.

use crate::common::{instant, Harness, StaffSession};
use axum::http::StatusCode;
use chrono::Duration;
use opendocket_core::clock::Clock;
use opendocket_core::roles::Role;
use std::time::Duration as StdDuration;

const DOCKET: &str = "FTC-2023-0018";
const CLOSES: &str = "2023-04-14T04:00:00Z";

const LETTER_A: &str = "Dear Commission, I support the proposed order against BetterHelp. People who \
    seek therapy online must be able to trust that their health information stays private.\n\n\
    Sharing e-mail addresses and intake questionnaires with advertisers betrays that trust. Please \
    make the ban on sharing health data permanent and require the company to delete what it shared.";

const LETTER_B: &str = "The order does not go far enough. The Commission should require an \
    independent audit of every advertising integration for twenty years, and notify each affected \
    user by mail of exactly what was shared and with whom.";

async fn harness() -> Harness {
    Harness::with_open_docket(DOCKET).await
}

async fn submit(h: &Harness, name: &str, state: &str, text: &str) -> i64 {
    h.submit_comment(DOCKET, "individual", name, state, text)
        .await;
    h.place_waiting().await;
    h.count("SELECT MAX(id) FROM comments").await
}

async fn campaign_of(h: &Harness, comment: i64) -> Option<i64> {
    let n = h
        .count(&format!(
            "SELECT COALESCE(campaign_id, 0) FROM comments WHERE id = {comment}"
        ))
        .await;
    (n != 0).then_some(n)
}

struct Docket {
    a: Vec<i64>,
    b: Vec<i64>,
    unique: i64,
    short: Vec<i64>,
}

/// Letter A three times (as written, shouted with markup, personalised with typos and a story),
/// letter B twice, one unique comment and three "See attached".
async fn fill(h: &Harness) -> Docket {
    let first = submit(h, "Ann", "NY", LETTER_A).await;
    assert_eq!(
        campaign_of(h, first).await,
        None,
        "one letter is not a campaign"
    );
    let unique = submit(
        h,
        "Raj",
        "CA",
        "I used a different therapy app and it asked for consent before sharing anything; the \
         Commission should hold every provider to that standard, not only this one.",
    )
    .await;
    let mut short = Vec::new();
    for name in ["Li", "Bo", "Cy"] {
        short.push(submit(h, name, "TX", "See attached").await);
    }
    let shouted = submit(
        h,
        "Eve",
        "NY",
        &LETTER_A.to_uppercase().replace("\n\n", "<br/><br/>"),
    )
    .await;
    let campaign = campaign_of(h, shouted)
        .await
        .expect("an exact copy joins at once");
    assert_eq!(
        campaign_of(h, first).await,
        Some(campaign),
        "the first copy joins too"
    );
    let personalised = format!(
        "{} My sister used BetterHelp in 2020 and was shown advertisements about anxiety \
         medication for months afterwards.\n\nSincerely, Maria Lopez, Tucson",
        LETTER_A
            .replace("private", "privat")
            .replace("permanent", "permanant")
    );
    let edited = submit(h, "Maria", "AZ", &personalised).await;
    assert_eq!(
        campaign_of(h, edited).await,
        Some(campaign),
        "a near copy joins"
    );
    let b1 = submit(h, "Joe", "OH", LETTER_B).await;
    let b2 = submit(h, "Kim", "OH", &format!("{LETTER_B} Thank you.")).await;
    let b = campaign_of(h, b1).await.expect("letter B is a campaign");
    assert_ne!(b, campaign);
    assert_eq!(campaign_of(h, b2).await, Some(b));
    assert_eq!(campaign_of(h, unique).await, None);
    for id in &short {
        assert_eq!(
            campaign_of(h, *id).await,
            None,
            "See attached is no form letter"
        );
    }
    Docket {
        a: vec![first, shouted, edited],
        b: vec![b1, b2],
        unique,
        short,
    }
}

async fn analyst(h: &Harness) -> StaffSession {
    h.staff_session("analyst@ftc.gov", Role::Analyst).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_join_campaigns_as_they_arrive_and_staff_see_what_people_added() {
    let h = harness().await;
    let d = fill(&h).await;
    let a = campaign_of(&h, d.a[0]).await.unwrap();
    let added: i64 = h
        .count(&format!(
            "SELECT added_words FROM comments WHERE id = {}",
            d.a[2]
        ))
        .await;
    assert!(
        added >= 10,
        "the personal story counts as substantial: {added}"
    );
    assert_eq!(
        h.count(&format!(
            "SELECT added_words FROM comments WHERE id = {}",
            d.a[1]
        ))
        .await,
        0
    );

    assert_eq!(h.store().campaign_totals(DOCKET).await.unwrap(), (2, 5));
    let largest = h.store().campaigns(DOCKET, 1, 0).await.unwrap();
    let next = h.store().campaigns(DOCKET, 1, 1).await.unwrap();
    assert_eq!((largest[0].id, largest[0].received), (a, 3));
    assert_eq!(next[0].received, 2);
    let analyst = analyst(&h).await;
    let list = h
        .staff_get(&analyst, &format!("/staff/dockets/{DOCKET}/campaigns"))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(&format!("Campaign {a}")),
        "{}",
        list.body
    );
    assert!(list
        .body
        .contains("9 comments received: 5 in 2 campaigns, 4 not in any campaign."));

    let page = h
        .staff_get(
            &analyst,
            &format!("/staff/dockets/{DOCKET}/campaigns/{a}?substantial=yes"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("My sister used BetterHelp in 2020"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Maria"));
    assert!(
        !page.body.contains(">Eve"),
        "only substantial copies are listed"
    );
    assert!(page.body.contains("privat"), "typos show as rewording");

    // Campaign is a search facet.
    assert!(h
        .services
        .search
        .catch_up(h.store(), StdDuration::from_secs(5))
        .await
        .unwrap());
    let found = h
        .staff_get(
            &analyst,
            &format!("/staff/search?docket={DOCKET}&campaign={a}"),
        )
        .await;
    assert!(found.body.contains("3 comments match"), "{}", found.body);
    let typed = h
        .staff_get(&analyst, &format!("/staff/search?q=campaign%3A{a}"))
        .await;
    assert!(typed.body.contains("3 comments match"), "{}", typed.body);
    let facets = h
        .staff_get(&analyst, &format!("/staff/search?docket={DOCKET}"))
        .await;
    assert!(facets.body.contains(&format!("Campaign {a}")));

    let missing = h
        .staff_get(&analyst, &format!("/staff/dockets/{DOCKET}/campaigns/999"))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_left_unplaced_are_placed_by_the_sweep() {
    let h = harness().await;
    let d = fill(&h).await;
    // As if the server stopped between storing and placing the newest copies.
    sqlx::query(
        "UPDATE comments SET campaign_checked = 0, campaign_id = NULL, text_hash = NULL WHERE id IN ($1, $2)",
    )
    .bind(d.b[0])
    .bind(d.b[1])
    .execute(h.store().pool())
    .await
    .unwrap();
    sqlx::query("DELETE FROM campaign_bands WHERE comment_id IN ($1, $2)")
        .bind(d.b[0])
        .bind(d.b[1])
        .execute(h.store().pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM campaign_examples WHERE comment_id IN ($1, $2)")
        .bind(d.b[0])
        .bind(d.b[1])
        .execute(h.store().pool())
        .await
        .unwrap();
    let sweeper = tokio::spawn(opendocket_core::campaign::place_waiting_comments(
        h.store().clone(),
        h.services.clock.clone(),
        h.services.receipts.clone(),
    ));
    let started = std::time::Instant::now();
    while h
        .count("SELECT COUNT(*) FROM comments WHERE campaign_checked = 0")
        .await
        > 0
    {
        assert!(
            started.elapsed() < StdDuration::from_secs(10),
            "the sweeper placed nothing"
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    sweeper.abort();
    let b = campaign_of(&h, d.b[0]).await.expect("placed again");
    assert_eq!(campaign_of(&h, d.b[1]).await, Some(b));
    assert_eq!(
        h.store()
            .assign_waiting_campaigns(100, h.clock.now())
            .await
            .unwrap(),
        0,
        "nothing is placed twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_merge_split_and_take_comments_out_of_campaigns() {
    let h = harness().await;
    let d = fill(&h).await;
    let (a, b) = (
        campaign_of(&h, d.a[0]).await.unwrap(),
        campaign_of(&h, d.b[0]).await.unwrap(),
    );
    let analyst = analyst(&h).await;

    // Without the box ticked nothing moves.
    let unconfirmed = h
        .staff_form(
            &analyst,
            &format!("/staff/campaigns/{b}/merge"),
            &[("into", &a.to_string())],
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unconfirmed
        .body
        .contains("Tick the box to confirm moving the comments. Nothing was changed."));
    assert_eq!(campaign_of(&h, d.b[0]).await, Some(b));
    let merged = h
        .staff_form(
            &analyst,
            &format!("/staff/campaigns/{b}/merge"),
            &[("into", &a.to_string()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    assert_eq!(
        merged.location(),
        format!("/staff/dockets/{DOCKET}/campaigns/{a}")
    );
    for id in d.a.iter().chain(&d.b) {
        assert_eq!(campaign_of(&h, *id).await, Some(a));
    }
    let campaigns = h.store().campaigns(DOCKET, 50, 0).await.unwrap();
    assert_eq!(campaigns.len(), 1);
    assert_eq!(campaigns[0].received, 5);

    let itself = h
        .staff_form(
            &analyst,
            &format!("/staff/campaigns/{a}/merge"),
            &[("into", &a.to_string()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(itself.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(itself.body.contains("cannot be merged into itself"));

    let split = h
        .staff_form(
            &analyst,
            &format!("/staff/campaigns/{a}/split"),
            &[
                ("comment", &d.b[0].to_string()),
                ("comment", &d.b[1].to_string()),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(split.status, StatusCode::SEE_OTHER, "{}", split.body);
    let new = campaign_of(&h, d.b[0]).await.unwrap();
    assert_ne!(new, a);
    assert_eq!(campaign_of(&h, d.b[1]).await, Some(new));
    assert!(split.location().ends_with(&format!("/campaigns/{new}")));
    let letter = h.store().campaign(DOCKET, new).await.unwrap().unwrap();
    assert_eq!(letter.representative_id, d.b[0]);
    assert_eq!(letter.received, 2);

    let outsider = h
        .staff_form(
            &analyst,
            &format!("/staff/campaigns/{a}/split"),
            &[("comment", &d.unique.to_string()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    let nothing = h
        .staff_form(
            &analyst,
            &format!("/staff/campaigns/{a}/split"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The campaign's own letter leaves: the next copy becomes the letter.
    let left = h
        .staff_form(
            &analyst,
            &format!("/staff/campaigns/{a}/leave"),
            &[("comment", &d.a[0].to_string())],
        )
        .await;
    assert_eq!(left.status, StatusCode::SEE_OTHER, "{}", left.body);
    assert_eq!(campaign_of(&h, d.a[0]).await, None);
    let a_now = h.store().campaign(DOCKET, a).await.unwrap().unwrap();
    assert_eq!(a_now.representative_id, d.a[1]);
    assert_eq!(a_now.received, 2);
    // A comment taken out never comes back, and copies arriving later do not join it.
    sqlx::query("UPDATE comments SET campaign_checked = 0 WHERE id = $1")
        .bind(d.a[0])
        .execute(h.store().pool())
        .await
        .unwrap();
    h.store()
        .assign_waiting_campaigns(10, h.clock.now())
        .await
        .unwrap();
    assert_eq!(campaign_of(&h, d.a[0]).await, None);
    let later = submit(&h, "Zed", "WA", LETTER_A).await;
    assert_eq!(campaign_of(&h, later).await, Some(a));

    let audit = h
        .count("SELECT COUNT(*) FROM audit_log WHERE action IN ('campaign.merge', 'campaign.split', 'comment.leave_campaign')")
        .await;
    assert_eq!(audit, 3);

    // Moderators may not reshape campaigns; analysts may not moderate them.
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let refused = h
        .staff_form(
            &moderator,
            &format!("/staff/campaigns/{a}/merge"),
            &[("into", &new.to_string()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = h
        .staff_form(
            &analyst,
            &format!("/staff/campaigns/{a}/moderate"),
            &[("choice", "every")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let _ = d.short;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_campaign_is_moderated_at_once() {
    let h = harness().await;
    let d = fill(&h).await;
    let (a, b) = (
        campaign_of(&h, d.a[0]).await.unwrap(),
        campaign_of(&h, d.b[0]).await.unwrap(),
    );
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let queue = h.staff_get(&moderator, "/staff").await;
    assert!(
        queue
            .body
            .contains(&format!("Form letter: campaign {a}, 3 copies")),
        "the queue says which comments are copies"
    );
    let once = h
        .staff_form(
            &moderator,
            &format!("/staff/campaigns/{a}/moderate"),
            &[("choice", "representative")],
        )
        .await;
    assert_eq!(once.status, StatusCode::SEE_OTHER, "{}", once.body);
    let status = |id: i64| {
        let h = &h;
        async move {
            let row: (String, Option<String>) =
                sqlx::query_as("SELECT status, withheld_reason FROM comments WHERE id = $1")
                    .bind(id)
                    .fetch_one(h.store().pool())
                    .await
                    .unwrap();
            row
        }
    };
    assert_eq!(status(d.a[0]).await, ("posted".into(), None));
    let public_id: String = sqlx::query_scalar("SELECT public_id FROM comments WHERE id = $1")
        .bind(d.a[0])
        .fetch_one(h.store().pool())
        .await
        .unwrap();
    let letter = h.get(&format!("/comments/{public_id}")).await;
    assert!(
        letter
            .body
            .contains("This is a form letter: 3 comments with this letter were received."),
        "{}",
        letter.body
    );
    for id in &d.a[1..] {
        assert_eq!(
            status(*id).await,
            ("withheld".into(), Some("duplicate_submission".into()))
        );
    }
    let every = h
        .staff_form(
            &moderator,
            &format!("/staff/campaigns/{b}/moderate"),
            &[("choice", "every")],
        )
        .await;
    assert_eq!(every.status, StatusCode::SEE_OTHER);
    for id in &d.b {
        assert_eq!(status(*id).await.0, "posted");
    }
    let unknown = h
        .staff_form(
            &moderator,
            &format!("/staff/campaigns/{b}/moderate"),
            &[("choice", "burn")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let public = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(
        public.body.contains("9 received, 3 posted"),
        "{}",
        public.body
    );
}

async fn download(h: &Harness, session: &StaffSession, format: &str) -> crate::common::Page {
    h.staff_get(
        session,
        &format!("/staff/dockets/{DOCKET}/summary/download?format={format}"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summary_numbers_are_the_database_counts() {
    let h = harness().await;
    let empty = h.store();
    let summary = empty
        .docket_summary(
            &opendocket_core::docket::DocketId::parse(DOCKET).unwrap(),
            opendocket_core::summary::Audience::Staff,
            h.clock.now(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.received, 0);
    assert!(summary.campaigns.is_empty() && summary.per_day.is_empty());

    let d = fill(&h).await;
    h.clock.advance(Duration::days(1));
    submit(&h, "Late", "VT", LETTER_B).await;
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let b = campaign_of(&h, d.b[0]).await.unwrap();
    h.staff_form(
        &moderator,
        &format!("/staff/campaigns/{b}/moderate"),
        &[("choice", "every")],
    )
    .await;
    let analyst = analyst(&h).await;

    let json = download(&h, &analyst, "json").await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(
        json.headers.get("content-disposition").unwrap(),
        "attachment; filename=\"FTC-2023-0018-summary.json\""
    );
    let s: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let db = |sql: &'static str| h.count(sql);
    assert_eq!(s["received"], db("SELECT COUNT(*) FROM comments").await);
    assert_eq!(
        s["posted"],
        db("SELECT COUNT(*) FROM comments WHERE status = 'posted'").await
    );
    assert_eq!(
        s["pending"],
        db("SELECT COUNT(*) FROM comments WHERE status = 'pending'").await
    );
    assert_eq!(
        s["in_campaigns"],
        db("SELECT COUNT(*) FROM comments WHERE campaign_id IS NOT NULL").await
    );
    assert_eq!(
        s["unique"],
        db("SELECT COUNT(*) FROM comments WHERE campaign_id IS NULL").await
    );
    let per_day: i64 = s["per_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["received"].as_i64().unwrap())
        .sum();
    assert_eq!(per_day, 10);
    assert_eq!(s["per_day"].as_array().unwrap().len(), 2);
    let campaigns = s["campaigns"].as_array().unwrap();
    assert_eq!(campaigns.len(), 2);
    assert_eq!(campaigns[0]["received"], 3);
    assert_eq!(campaigns[1]["received"], 3);
    assert_eq!(campaigns[1]["posted"], 3);
    let a = &campaigns
        .iter()
        .find(|c| {
            c["letter_excerpt"]
                .as_str()
                .unwrap()
                .starts_with("Dear Commission")
        })
        .unwrap();
    assert_eq!(a["personalised"], 1);
    assert!(a["additions"][0]
        .as_str()
        .unwrap()
        .contains("My sister used BetterHelp"));
    let types = s["by_submitter"].as_array().unwrap();
    assert_eq!(types[0]["label"], "Individual");
    assert_eq!(types[0]["received"], 10);
    assert_eq!(s["by_state"][0]["label"], "TX");
    assert_eq!(s["by_state"][0]["received"], 3);
    assert_eq!(s["by_state"][1]["label"], "NY");
    assert_eq!(s["by_state"][1]["received"], 2);

    let md = download(&h, &analyst, "markdown").await;
    assert_eq!(md.status, StatusCode::OK);
    assert!(md
        .body
        .starts_with("# Docket summary: Test docket FTC-2023-0018"));
    assert!(md.body.contains("| Received | 10 |"));
    assert!(md.body.contains("| Not in any campaign | 4 |"));

    let csv = download(&h, &analyst, "csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "Document ID");
    assert_eq!(&header[3], "Tracking Number");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 10);
    assert!(
        !csv.body.contains("someone@example.org"),
        "no e-mail in the export"
    );
    let posted = rows.iter().filter(|r| &r[16] == "posted").count();
    assert_eq!(posted, 3);
    assert!(rows.iter().any(|r| r[0].starts_with("FTC-2023-0018-")));

    let page = h
        .staff_get(&analyst, &format!("/staff/dockets/{DOCKET}/summary"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg"), "the page has its chart");
    assert!(page
        .body
        .contains("Comments received per day: 10 over 2 days"));

    assert_eq!(
        download(&h, &analyst, "pdf").await.status,
        StatusCode::BAD_REQUEST
    );
    let anonymous = h
        .get(&format!(
            "/staff/dockets/{DOCKET}/summary/download?format=json"
        ))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        h.staff_get(
            &analyst,
            "/staff/dockets/NOPE-2023-0001/summary/download?format=json"
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_is_kept_at_the_close_and_published_by_an_admin() {
    let h = harness().await;
    fill(&h).await;
    let scheduler = tokio::spawn(h.services.scheduler.clone().run());
    h.clock.set(instant(CLOSES));
    let started = std::time::Instant::now();
    while h.count("SELECT COUNT(*) FROM docket_summaries").await == 0 {
        assert!(
            started.elapsed() < StdDuration::from_secs(10),
            "no summary at the close"
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    scheduler.abort();
    let reason: String = sqlx::query_scalar("SELECT reason FROM docket_summaries")
        .fetch_one(h.store().pool())
        .await
        .unwrap();
    assert_eq!(reason, "closed");

    let public = h.get(&format!("/dockets/{DOCKET}/summary")).await;
    assert_eq!(
        public.status,
        StatusCode::NOT_FOUND,
        "nothing published yet"
    );

    // The letter is posted with a redaction: the public summary quotes it as posted.
    let letter: i64 = h
        .count("SELECT MIN(id) FROM comments WHERE campaign_id IS NOT NULL")
        .await;
    h.decide(
        letter,
        opendocket_core::moderation::Decision::Post {
            redact: vec!["against BetterHelp".into()],
        },
    )
    .await;
    let analyst = analyst(&h).await;
    let refused = h
        .staff_form(&analyst, &format!("/staff/dockets/{DOCKET}/summary"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let page = h
        .staff_get(&admin, &format!("/staff/dockets/{DOCKET}/summary"))
        .await;
    assert!(page.body.contains("Made when the comment period closed"));
    let published = h
        .staff_form(&admin, &format!("/staff/dockets/{DOCKET}/summary"), &[])
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let public = h.get(&format!("/dockets/{DOCKET}/summary")).await;
    assert_eq!(public.status, StatusCode::OK);
    let docket_page = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(docket_page.body.contains("id=\"summary-link\""));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'docket.publish_summary'")
            .await,
        1
    );
    assert!(public.body.contains("| Received |") || public.body.contains("<td>Received</td>"));
    // Nothing is posted yet: the public version quotes no one.
    assert!(!public.body.contains("My sister used BetterHelp"));
    assert!(public
        .body
        .contains("(The letter itself has not been posted.)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_how_many_comments_wait_to_be_placed() {
    let h = harness().await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    // Sent through the form, stored, and not yet looked at by the placement worker.
    for name in ["Ann", "Bo"] {
        h.submit_comment(DOCKET, "individual", name, "NY", LETTER_A)
            .await;
    }
    let list = format!("/staff/dockets/{DOCKET}/campaigns");
    let page = h.staff_get(&analyst, &list).await;
    assert!(
        page.body
            .replace("<!>", "")
            .contains("2 comments are still waiting to be placed in campaigns"),
        "{}",
        page.body
    );
    h.place_waiting().await;
    let page = h.staff_get(&analyst, &list).await;
    assert!(!page.body.contains("waiting to be placed"));
    assert!(page.body.contains("Campaign "), "the two copies form one");
}

#[tokio::test]
async fn copies_of_a_new_letter_placed_in_one_round_form_one_campaign() {
    let h = harness().await;
    // Stored during a burst, before the worker looked at any of them.
    for name in ["Ada", "Ben", "Cal", "Dee"] {
        h.submit_comment(DOCKET, "individual", name, "OR", LETTER_B)
            .await;
    }
    let personalised =
        format!("{LETTER_B} My sister's therapy notes were shared and she never knew.");
    h.submit_comment(DOCKET, "individual", "Eli", "OR", &personalised)
        .await;
    h.place_waiting().await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM comments ORDER BY id")
        .fetch_all(h.store().pool())
        .await
        .unwrap();
    assert_eq!(ids.len(), 5);
    let campaign = campaign_of(&h, ids[0])
        .await
        .expect("copies make a campaign");
    for &id in &ids {
        assert_eq!(campaign_of(&h, id).await, Some(campaign), "comment {id}");
    }
    let added: Vec<i64> = sqlx::query_scalar("SELECT added_words FROM comments ORDER BY id")
        .fetch_all(h.store().pool())
        .await
        .unwrap();
    assert_eq!(&added[..4], &[0, 0, 0, 0]);
    assert!(added[4] >= 8, "{added:?}");
    // The search index hears of each comment's campaign.
    let told = h
        .count("SELECT COUNT(DISTINCT comment_id) FROM comment_changes WHERE kind = 'campaign'")
        .await;
    assert_eq!(told, 5);
}
