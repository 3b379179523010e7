//! Hostile input through the real router: each attack a contested docket draws on its first busy
//! day answers a clear 4xx (or works), never a crash, a stalled docket or a leak. Runs on SQLite,
//! and on PostgreSQL with `OPENDOCKET_TEST_POSTGRES_URL`.

use crate::common::{encode_form, Harness, Multipart, ServerProcess};
use axum::http::StatusCode;
use opendocket_core::docket::DocketId;
use opendocket_core::moderation::Decision;
use opendocket_core::roles::Role;
use opendocket_core::summary::Audience;
use std::time::Duration;

const DOCKET: &str = "FTC-2023-0018";

async fn harness() -> Harness {
    Harness::with_open_docket(DOCKET).await
}

async fn caught_up(h: &Harness) {
    assert!(h
        .services
        .search
        .catch_up(h.store(), Duration::from_secs(10))
        .await
        .unwrap());
}

fn form(h: &Harness, comment: &str) -> Multipart {
    Multipart::default()
        .text("form_token", &h.form_token(DOCKET))
        .text("submitter_type", "anonymous")
        .text("comment", comment)
}

async fn latest_comment(h: &Harness) -> i64 {
    h.count("SELECT MAX(id) FROM comments").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_searches_answer_a_sentence_and_the_server_stays_up() {
    let h = harness().await;
    h.submit_comment(
        DOCKET,
        "anonymous",
        "",
        "",
        "Health data must stay private.",
    )
    .await;
    h.decide(
        latest_comment(&h).await,
        Decision::Post { redact: Vec::new() },
    )
    .await;
    caught_up(&h).await;
    let minus = format!("{}privacy", "%2D".repeat(990));
    let nots = format!("{}privacy", "NOT+".repeat(248));
    for q in [&minus, &nots] {
        let page = h.get(&format!("/dockets/{DOCKET}/search?q={q}")).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{}",
            &page.body[..200]
        );
        assert!(page
            .body
            .contains("nests parentheses and NOT more than 10 deep"));
        let api = h.get(&format!("/v4/comments?filter[searchTerm]={q}")).await;
        assert_eq!(api.status, StatusCode::BAD_REQUEST);
        assert!(api.body.contains("more than 10 deep"), "{}", api.body);
    }
    let many = format!("/dockets/{DOCKET}/search?q={}", "a+".repeat(200));
    let page = h.get(&many).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("more than 64 words"));
    let fine = h.get(&format!("/dockets/{DOCKET}/search?q=health")).await;
    assert!(
        fine.body.contains("1 comment matches"),
        "the server still answers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_at_the_edge_of_the_calendar_are_refused() {
    let h = harness().await;
    for filter in [
        "filter[postedDate]=%2B262142-12-31",
        "filter[postedDate][ge]=%2B262142-12-31",
        "filter[lastModifiedDate]=%2B262142-12-31%2023:59:59",
    ] {
        let answer = h.get(&format!("/v4/comments?{filter}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{filter}");
        assert!(
            answer.body.contains("year from 0001 to 9999"),
            "{}",
            answer.body
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_facets_are_capped_and_answered() {
    let h = harness().await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let facets: String = (0..5_000).map(|i| format!("&state=S{i}")).collect();
    let page = h
        .staff_get(&analyst, &format!("/staff/search?docket={DOCKET}{facets}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("S19"));
    assert!(
        !page.body.contains("S20&"),
        "past the cap facets are ignored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_with_too_many_fields_is_refused_and_nothing_is_stored() {
    let h = harness().await;
    let mut fields: Vec<(String, String)> = vec![
        ("form_token".into(), h.form_token(DOCKET)),
        ("submitter_type".into(), "anonymous".into()),
        ("comment".into(), "Many fields.".into()),
    ];
    fields.extend((0..2_000).map(|i| (format!("x{i}"), "y".to_owned())));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let page = h
        .post_form(&format!("/dockets/{DOCKET}"), encode_form(&pairs))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("more than 1000 fields"));
    let mut multipart = form(&h, "Many parts.");
    for i in 0..100 {
        multipart = multipart.text(&format!("x{i}"), "y");
    }
    let page = h
        .post_multipart(&format!("/dockets/{DOCKET}"), &multipart)
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("more than 64 fields"));
    assert_eq!(h.comment_count().await, 0);
}

/// A 10 MB text file of `<` (quadratic for a naive tag stripper) is received, read and placed
/// while other people's comments keep getting receipts; nothing stalls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_of_angle_brackets_never_stalls_the_docket() {
    let h = harness().await;
    let hostile = vec![b'<'; 10 * 1024 * 1024];
    let sent = h
        .post_multipart(
            &format!("/dockets/{DOCKET}"),
            &form(&h, "See attached.").file("attachments", "brackets.txt", &hostile),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let worker = tokio::spawn(opendocket_core::attachment_worker::extract_waiting_texts(
        h.store().clone(),
        h.services.attachments.clone(),
        opendocket_core::attachment_worker::Extractor {
            program: env!("CARGO_BIN_EXE_opendocket").into(),
        },
        h.services.clock.clone(),
    ));
    let placer = tokio::spawn(opendocket_core::campaign::place_waiting_comments(
        h.store().clone(),
        h.services.clock.clone(),
        h.services.receipts.clone(),
    ));
    for i in 0..10 {
        let letter = format!("Comment {i} from another browser about health data and advertising.");
        let page = h
            .post_multipart(&format!("/dockets/{DOCKET}"), &form(&h, &letter))
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
    let started = std::time::Instant::now();
    while h
        .count(
            "SELECT (SELECT COUNT(*) FROM attachments WHERE extraction = 'waiting')
                 + (SELECT COUNT(*) FROM comments WHERE campaign_checked = 0)",
        )
        .await
        > 0
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "never read and placed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    worker.abort();
    placer.abort();
    // Its text was read and the comment placed (too unlike anything else to join a campaign).
    assert_eq!(
        h.count("SELECT COUNT(*) FROM attachments WHERE extraction = 'done'")
            .await,
        1
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE campaign_checked = 0")
            .await,
        0
    );
    assert_eq!(h.comment_count().await, 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_every_upload_slot_is_busy_the_text_comes_back_with_a_retry_time() {
    let h = harness().await;
    let slots = h.upload_slots.available_permits() as u32;
    let held = h
        .upload_slots
        .clone()
        .acquire_many_owned(slots)
        .await
        .unwrap();
    let page = h
        .post_multipart(
            &format!("/dockets/{DOCKET}"),
            &form(&h, "My careful words about consent.").file("attachments", "a.txt", b"a letter"),
        )
        .await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.header("retry-after"), Some("30"));
    assert!(page.body.contains("My careful words about consent."));
    assert!(page
        .body
        .contains("Many people are sending files right now"));
    assert_eq!(h.comment_count().await, 0);
    drop(held);
    let again = h
        .post_multipart(
            &format!("/dockets/{DOCKET}"),
            &form(&h, "My careful words about consent.").file("attachments", "a.txt", b"a letter"),
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_file_named_as_a_program_downloads_as_text() {
    let h = harness().await;
    let sent = h
        .post_multipart(
            &format!("/dockets/{DOCKET}"),
            &form(&h, "See attached.").file(
                "attachments",
                "letter.hta",
                b"Please read my letter.\n",
            ),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let file = h.count("SELECT id FROM attachments").await;
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let download = h
        .staff_get(&moderator, &format!("/staff/attachments/{file}"))
        .await;
    let disposition = download.header("content-disposition").unwrap();
    assert!(
        disposition.contains("filename=\"letter.txt\""),
        "{disposition}"
    );
    assert!(!disposition.contains(".hta"));
    assert_eq!(
        download.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spreadsheet_formulas_in_comments_are_neutralised_in_every_csv() {
    let h = harness().await;
    for text in [
        "=HYPERLINK(\"http://evil.example\",\"Click\")",
        "+1+2",
        "@SUM(A1:A2)",
    ] {
        h.submit_comment(DOCKET, "individual", "=cmd|' /C calc'!A0", "-CA", text)
            .await;
        h.decide(
            latest_comment(&h).await,
            Decision::Post { redact: Vec::new() },
        )
        .await;
    }
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let public = h.get(&format!("/dockets/{DOCKET}/comments.csv")).await;
    let staff = h
        .staff_get(&admin, &format!("/staff/dockets/{DOCKET}/comments.csv"))
        .await;
    let summary = h
        .staff_get(
            &admin,
            &format!("/staff/dockets/{DOCKET}/summary/download?format=csv"),
        )
        .await;
    let audit = h.staff_get(&admin, "/staff/audit.csv").await;
    for (name, page) in [
        ("public", &public),
        ("staff", &staff),
        ("summary", &summary),
        ("audit", &audit),
    ] {
        assert_eq!(page.status, StatusCode::OK, "{name}");
        let mut reader = csv::Reader::from_reader(page.body.as_bytes());
        let mut cells = 0;
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                cells += 1;
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name}: {cell:?} would run as a formula"
                );
            }
        }
        assert!(cells > 0, "{name} has rows");
    }
    assert!(public.body.contains("'=HYPERLINK"));
    assert!(staff.body.contains("'=cmd"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_pages_and_forms_are_never_cached_and_public_reads_may_be() {
    let h = harness().await;
    h.submit_comment(DOCKET, "anonymous", "", "", "A posted comment.")
        .await;
    let id = latest_comment(&h).await;
    h.decide(id, Decision::Post { redact: Vec::new() }).await;
    let public_id = h.public_id(id).await;
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let docket = h.get(&format!("/dockets/{DOCKET}")).await;
    assert!(docket.has_comment_form());
    assert_eq!(
        docket.header("cache-control"),
        Some("no-store"),
        "a form key"
    );
    let queue = h.staff_get(&moderator, "/staff").await;
    assert_eq!(queue.header("cache-control"), Some("no-store"));
    let login = h.get("/staff/login").await;
    assert_eq!(login.header("cache-control"), Some("no-store"));
    for path in [
        format!("/comments/{public_id}"),
        format!("/dockets/{DOCKET}/search?q=posted"),
        "/v4/comments".to_owned(),
    ] {
        let page = h.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(
            page.header("cache-control"),
            Some("public, max-age=60"),
            "{path}"
        );
    }
    let signed_in = h
        .staff_get(&moderator, &format!("/comments/{public_id}"))
        .await;
    assert_eq!(
        signed_in.header("cache-control"),
        Some("private, no-cache"),
        "a signed-in page is not shared"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analysts_see_names_and_text_but_not_contact_details() {
    let h = harness().await;
    h.submit_comment(
        DOCKET,
        "individual",
        "Ann",
        "CA",
        "My therapy data was shared.",
    )
    .await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let as_analyst = h.staff_get(&analyst, "/staff").await;
    assert!(as_analyst.body.contains("My therapy data was shared."));
    assert!(as_analyst.body.contains("Ann"));
    assert!(!as_analyst.body.contains("someone@example.org"));
    let as_moderator = h.staff_get(&moderator, "/staff").await;
    assert!(as_moderator.body.contains("someone@example.org"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_those_who_publish_tags_may_change_a_published_one() {
    let h = harness().await;
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    for name in ["privacy", "consent"] {
        let made = h
            .staff_form(
                &analyst,
                &format!("/staff/dockets/{DOCKET}/tags"),
                &[("name", name)],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    }
    let privacy = h.count("SELECT id FROM tags WHERE name = 'privacy'").await;
    let consent = h.count("SELECT id FROM tags WHERE name = 'consent'").await;
    let published = h
        .staff_form(
            &admin,
            &format!("/staff/tags/{privacy}/publish"),
            &[("publish", "yes")],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let tag_path = |id: i64| format!("/staff/tags/{id}");
    for fields in [
        vec![("action", "rename"), ("name", "Private matters")],
        vec![("action", "retire")],
    ] {
        let refused = h.staff_form(&analyst, &tag_path(privacy), &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{fields:?}");
        assert!(refused.body.contains("This tag is published"));
    }
    let into_published = privacy.to_string();
    let merge = h
        .staff_form(
            &analyst,
            &tag_path(consent),
            &[
                ("action", "merge"),
                ("into", into_published.as_str()),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(
        merge.status,
        StatusCode::FORBIDDEN,
        "merging into public text"
    );
    let renamed = h
        .staff_form(
            &analyst,
            &tag_path(consent),
            &[("action", "rename"), ("name", "Consent")],
        )
        .await;
    assert_eq!(
        renamed.status,
        StatusCode::SEE_OTHER,
        "an unpublished tag is the analyst's"
    );
    let by_admin = h
        .staff_form(
            &admin,
            &tag_path(privacy),
            &[("action", "rename"), ("name", "Private matters")],
        )
        .await;
    assert_eq!(by_admin.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_summary_counts_places_only_from_posted_comments() {
    let h = harness().await;
    h.submit_comment(
        DOCKET,
        "individual",
        "Ann",
        "Call me at 555-0100",
        "Withheld text.",
    )
    .await;
    h.decide(
        latest_comment(&h).await,
        Decision::Withhold {
            reason: opendocket_core::moderation::WithholdReason::PersonalInformation,
            note: None,
        },
    )
    .await;
    h.submit_comment(DOCKET, "individual", "Bo", "CA", "Posted text.")
        .await;
    h.decide(
        latest_comment(&h).await,
        Decision::Post { redact: Vec::new() },
    )
    .await;
    let now = opendocket_core::clock::Clock::now(&h.clock);
    let id = DocketId::parse(DOCKET).unwrap();
    let public = h
        .store()
        .docket_summary(&id, Audience::Public, now)
        .await
        .unwrap()
        .unwrap();
    let labels: Vec<&str> = public.by_state.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["CA"]);
    let staff = h
        .store()
        .docket_summary(&id, Audience::Staff, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(staff.by_state.len(), 2, "staff see every comment's place");
}

/// Imported regulations.gov comments keep their ids; comments posted here are numbered around
/// them, never colliding and never looping.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_numbers_skip_imported_ids() {
    let h = harness().await;
    for taken in ["0003", "0005"] {
        let key = format!("imported-{taken}");
        sqlx::query(
            "INSERT INTO comments (tracking_number, idempotency_key, docket_id, window_id, document_id,
                 submitter_type, body, received_at, status, public_id, posted_at)
             SELECT $1, $1, w.docket_id, w.id, $2, 'anonymous', 'Imported.', 0, 'posted', $3, 0
             FROM comment_windows w WHERE w.docket_id = $4",
        )
        .bind(&key)
        .bind(format!("{DOCKET}-0001"))
        .bind(format!("{DOCKET}-{taken}"))
        .bind(DOCKET)
        .execute(h.store().pool())
        .await
        .unwrap();
    }
    let mut numbers = Vec::new();
    for i in 0..4 {
        h.submit_comment(DOCKET, "anonymous", "", "", &format!("Comment {i}."))
            .await;
        let id = latest_comment(&h).await;
        h.decide(id, Decision::Post { redact: Vec::new() }).await;
        numbers.push(h.public_id(id).await);
    }
    let expected: Vec<String> = ["0002", "0004", "0006", "0007"]
        .iter()
        .map(|n| format!("{DOCKET}-{n}"))
        .collect();
    assert_eq!(numbers, expected);
}

/// Connections that send their headers one byte a second are closed after the header timeout,
/// and meanwhile everyone else is served.
#[test]
fn slow_headers_are_cut_off_without_slowing_anyone_else() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("slow.db").display());
    let server = ServerProcess::start_with(
        &database,
        dir.path(),
        "slow",
        &[("OPENDOCKET_HEADER_TIMEOUT_SECS", "2")],
    );
    let mut slow: Vec<std::net::TcpStream> = (0..200)
        .map(|_| {
            let stream = std::net::TcpStream::connect(server.addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream
        })
        .collect();
    let mut healthy = 0;
    for byte in b"GET /h" {
        for stream in &mut slow {
            let _ = stream.write_all(&[*byte]);
        }
        if server
            .http("GET", "/healthz", None)
            .is_ok_and(|reply| reply.status == 200)
        {
            healthy += 1;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    assert_eq!(healthy, 6, "others were served throughout");
    let closed = slow
        .iter_mut()
        .filter(|stream| {
            let mut buf = [0u8; 256];
            // A closed connection reads the end (0) or an error; a timed-out server answers 408.
            let mut reader: &std::net::TcpStream = stream;
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => true,
                Ok(n) => String::from_utf8_lossy(&buf[..n]).contains("408"),
            }
        })
        .count();
    assert_eq!(closed, 200, "every slow connection was closed");
}

/// Text extraction runs several files at once: a file whose reading takes long holds one worker,
/// and a file sent after it is read meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_slow_file_never_holds_up_the_others() {
    use std::os::unix::fs::PermissionsExt;
    let h = harness().await;
    // An extractor that takes 30 seconds over any file saying SLOW, as a hostile PDF might.
    let program = h.dir.path().join("slow-extractor.sh");
    std::fs::write(
        &program,
        "#!/bin/sh\nif grep -q SLOW \"$4\"; then sleep 30; fi\ncat \"$4\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (name, text) in [
        ("slow.txt", "SLOW to read.\n"),
        ("quick.txt", "Quick to read.\n"),
    ] {
        let sent = h
            .post_multipart(
                &format!("/dockets/{DOCKET}"),
                &form(&h, "See attached.").file("attachments", name, text.as_bytes()),
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
    }
    let worker = tokio::spawn(opendocket_core::attachment_worker::extract_waiting_texts(
        h.store().clone(),
        h.services.attachments.clone(),
        opendocket_core::attachment_worker::Extractor { program },
        h.services.clock.clone(),
    ));
    let quick_done =
        "SELECT COUNT(*) FROM attachments WHERE file_name = 'quick.txt' AND extraction = 'done'";
    let started = std::time::Instant::now();
    while h.count(quick_done).await == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the quick file waited"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM attachments WHERE file_name = 'slow.txt' AND extraction = 'waiting'")
            .await,
        1,
        "the slow file is still being read"
    );
    worker.abort();
}

/// The staff routes that take a file hold it to the upload limit as it arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_uploads_have_limits_too() {
    let h = harness().await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let big = vec![b'a'; 10 * 1024 * 1024 + 1];
    let import = Multipart::default()
        .text("docket", DOCKET)
        .file("file", "comments.jsonl", &big);
    let refused = h.staff_multipart(&admin, "/staff/import", import).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        refused.body.contains("larger than 10 MB"),
        "{}",
        refused.body
    );
    h.submit_comment(DOCKET, "anonymous", "", "", "With a file below.")
        .await;
    let redact = Multipart::default().file("redacted", "letter.txt", &big);
    let refused = h
        .staff_multipart(&admin, "/staff/attachments/1/redacted", redact)
        .await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments").await,
        1,
        "nothing was imported"
    );
}
