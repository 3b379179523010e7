//! Attachments through the real router: files sent with the comment form are checked by their
//! content, kept on disk before the receipt, shown to staff, and public only once posted.

use crate::common::{instant, Harness, Multipart};
use axum::http::StatusCode;
use opendocket_core::moderation::Decision;
use opendocket_core::roles::Role;
use std::path::Path;

const DOCKET: &str = "FTC-2023-0018";
const CLOSES: &str = "2023-04-14T04:00:00Z";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
    2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PROGRAM: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00program";

async fn harness() -> Harness {
    Harness::with_open_docket(DOCKET).await
}

fn form(h: &Harness, comment: &str) -> Multipart {
    Multipart::default()
        .text("form_token", &h.form_token(DOCKET))
        .text("submitter_type", "anonymous")
        .text("comment", comment)
}

fn stored_files(h: &Harness) -> usize {
    fn walk(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        let path = e.path();
                        if path.is_dir() {
                            walk(&path)
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&h.dir.path().join("attachments"))
}

/// The server's text extraction task, running this test's build of the binary as the extractor.
fn start_extraction(h: &Harness) -> tokio::task::JoinHandle<()> {
    use opendocket_core::attachment_worker::{extract_waiting_texts, Extractor};
    tokio::spawn(extract_waiting_texts(
        h.store().clone(),
        h.services.attachments.clone(),
        Extractor {
            program: env!("CARGO_BIN_EXE_opendocket").into(),
        },
        h.services.clock.clone(),
    ))
}

/// Runs the extraction task until no file (original or redacted version) waits for its text,
/// then brings the search index up to date.
async fn extract_waiting(h: &Harness) {
    let worker = start_extraction(h);
    let started = std::time::Instant::now();
    while h
        .count(
            "SELECT COUNT(*) FROM attachments
             WHERE extraction = 'waiting' OR redacted_extraction = 'waiting'",
        )
        .await
        > 0
    {
        assert!(
            started.elapsed().as_secs() < 60,
            "the texts were not extracted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    assert!(h
        .services
        .search
        .catch_up(h.store(), std::time::Duration::from_secs(5))
        .await
        .unwrap());
}

async fn submit(h: &Harness, form: &Multipart) -> crate::common::Page {
    h.post_multipart(&format!("/dockets/{DOCKET}"), form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_come_with_the_comment_are_kept_and_listed_on_the_receipt() {
    let h = harness().await;
    let sent = submit(
        &h,
        &form(&h, "See attached")
            .file("attachments", "C:\\letters\\letter.pdf", PDF)
            .file(
                "attachments",
                "notes.txt",
                b"Plain notes about the order.\n",
            ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let receipt = h.get(sent.location()).await;
    assert!(
        receipt.body.contains("letter.pdf (PDF, 1 KB)"),
        "{}",
        receipt.body
    );
    assert!(receipt.body.contains("notes.txt (text file, 1 KB)"));
    assert_eq!(h.count("SELECT COUNT(*) FROM attachments").await, 2);
    assert_eq!(stored_files(&h), 2, "both files are on disk");

    // The same bytes again are kept once.
    let again = submit(&h, &form(&h, "Again.").file("attachments", "copy.pdf", PDF)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(stored_files(&h), 2);

    // An empty file input sends an empty part: the comment goes through without attachments.
    let none = submit(&h, &form(&h, "No files.").file("attachments", "", b"")).await;
    assert_eq!(none.status, StatusCode::SEE_OTHER, "{}", none.body);
    assert_eq!(h.count("SELECT COUNT(*) FROM attachments").await, 3);

    // The form still works without files, urlencoded.
    h.submit_comment(DOCKET, "individual", "Ann", "NY", "Plain form.")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_for_staff_until_the_comment_is_posted() {
    let h = harness().await;
    let sent = submit(
        &h,
        &form(&h, "My letter is attached.").file("attachments", "letter.pdf", PDF),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let id = h.count("SELECT MAX(id) FROM attachments").await;
    let public = h.get(&format!("/attachments/{id}")).await;
    assert_eq!(public.status, StatusCode::NOT_FOUND, "not before posting");
    assert_eq!(
        h.get(&format!("/staff/attachments/{id}")).await.status,
        StatusCode::UNAUTHORIZED
    );

    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let staff = h
        .staff_get(&analyst, &format!("/staff/attachments/{id}"))
        .await;
    assert_eq!(staff.status, StatusCode::OK);
    assert_eq!(
        staff.headers.get("content-type").unwrap(),
        "application/pdf"
    );
    assert_eq!(
        staff.headers.get("content-disposition").unwrap(),
        "attachment; filename=\"letter.pdf\"; filename*=UTF-8''letter%2Epdf"
    );
    assert_eq!(staff.body.as_bytes(), PDF);
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let queue = h.staff_get(&moderator, "/staff").await;
    assert!(queue.body.contains(&format!("/staff/attachments/{id}")));

    let comment = h.count("SELECT MAX(id) FROM comments").await;
    h.decide(comment, Decision::Post { redact: Vec::new() })
        .await;
    let public = h.get(&format!("/attachments/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(
        public.headers.get("x-content-type-options").unwrap(),
        "nosniff"
    );
    let public_id: String = sqlx::query_scalar("SELECT public_id FROM comments WHERE id = $1")
        .bind(comment)
        .fetch_one(h.store().pool())
        .await
        .unwrap();
    let page = h.get(&format!("/comments/{public_id}")).await;
    assert!(
        page.body.contains(&format!("href=\"/attachments/{id}\"")),
        "{}",
        page.body
    );
    assert_eq!(
        h.get("/attachments/999").await.status,
        StatusCode::NOT_FOUND
    );

    // A moderator withholds the file alone: the comment stays posted, the file leaves public view.
    let withhold = h
        .staff_form(
            &moderator,
            &format!("/staff/attachments/{id}/withhold"),
            &[("withhold", "yes")],
        )
        .await;
    assert_eq!(withhold.status, StatusCode::SEE_OTHER, "{}", withhold.body);
    assert_eq!(
        h.get(&format!("/attachments/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let page = h.get(&format!("/comments/{public_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&format!("/attachments/{id}")));
    assert_eq!(
        h.staff_get(&analyst, &format!("/staff/attachments/{id}"))
            .await
            .status,
        StatusCode::OK,
        "staff still read it"
    );
    let refused = h
        .staff_form(
            &analyst,
            &format!("/staff/attachments/{id}/withhold"),
            &[("withhold", "no")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    h.staff_form(
        &moderator,
        &format!("/staff/attachments/{id}/withhold"),
        &[("withhold", "no")],
    )
    .await;
    assert_eq!(
        h.get(&format!("/attachments/{id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE object_type = 'attachment'")
            .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_are_not_allowed_are_refused_and_nothing_is_stored() {
    let h = harness().await;
    let disguised = submit(
        &h,
        &form(&h, "Read my letter.")
            .file("attachments", "notes.txt", b"fine")
            .file("attachments", "letter.pdf", PROGRAM),
    )
    .await;
    assert_eq!(disguised.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(disguised.body.contains(
        "letter.pdf is not a PDF, Word (.docx), RTF or text file, or a JPEG or PNG image."
    ));
    assert!(
        disguised.body.contains("Read my letter."),
        "the text is kept in the form"
    );

    let mut many = form(&h, "Many files.");
    for i in 0..21 {
        many = many.file("attachments", &format!("f{i}.txt"), b"text");
    }
    let many = submit(&h, &many).await;
    assert_eq!(many.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(many
        .body
        .contains("At most 20 files can be attached to one comment."));

    let big = vec![b'a'; 10 * 1024 * 1024 + 1];
    let big = submit(&h, &form(&h, "Big.").file("attachments", "big.txt", &big)).await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(big.body.contains("big.txt is larger than 10 MB"));

    let mut cut = form(&h, "Cut short.")
        .file("attachments", "letter.pdf", PDF)
        .body();
    cut.truncate(cut.len() - 40);
    let request = axum::http::Request::post(format!("/dockets/{DOCKET}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={}", Multipart::BOUNDARY),
        )
        .body(axum::body::Body::from(cut))
        .unwrap();
    let cut = h.send(request).await;
    assert_eq!(cut.status, StatusCode::BAD_REQUEST);
    assert!(cut.body.contains("did not arrive complete"));

    assert_eq!(h.comment_count().await, 0);
    assert_eq!(h.count("SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(stored_files(&h), 0, "no file is kept for a refused comment");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_docket_receives_no_files() {
    let h = harness().await;
    h.clock.set(instant(CLOSES));
    let late = submit(
        &h,
        &form(&h, "Too late.").file("attachments", "letter.pdf", PDF),
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(late.body.contains("The comment period closed on"));
    assert_eq!(h.comment_count().await, 0);
    assert_eq!(stored_files(&h), 0, "not even a temporary file was written");
}

/// Removes every stored file no attachment refers to, as the hourly sweep does after its grace.
async fn sweep(h: &Harness) -> usize {
    opendocket_core::attachment_worker::sweep_unreferenced_files(
        h.store(),
        &h.services.attachments,
        std::time::Duration::ZERO,
    )
    .await
    .unwrap()
}

/// A refused comment's files stay until the sweep, which never removes a file a committed comment
/// refers to: here a comment with the same bytes is committed after the refused one's files were
/// written, and both sweeps leave the shared file alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_keeps_files_a_committed_comment_shares_with_a_refused_one() {
    let h = harness().await;
    let invalid = Multipart::default()
        .text("form_token", &h.form_token(DOCKET))
        .text("submitter_type", "individual")
        .text("comment", "")
        .file("attachments", "letter.pdf", PDF);
    let (path, valid) = (
        format!("/dockets/{DOCKET}"),
        form(&h, "Same letter.").file("attachments", "letter.pdf", PDF),
    );
    let (refused, accepted) = tokio::join!(h.post_multipart(&path, &invalid), submit(&h, &valid));
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(sweep(&h).await, 0);
    assert_eq!(stored_files(&h), 1);
    let file = h.count("SELECT id FROM attachments").await;
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let download = h
        .staff_get(&moderator, &format!("/staff/attachments/{file}"))
        .await;
    assert_eq!(download.status, StatusCode::OK);

    // A file written for a comment that was then refused (here: written directly) goes.
    let (orphan, _) = h
        .services
        .attachments
        .put(b"a refused comment's letter")
        .unwrap();
    assert_eq!(stored_files(&h), 2);
    assert_eq!(sweep(&h).await, 1);
    assert!(h.services.attachments.read(&orphan).is_err());
    assert_eq!(stored_files(&h), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_finds_a_comment_by_a_phrase_only_in_its_pdf() {
    let h = harness().await;
    let letter = include_bytes!("../fixtures/letter.pdf");
    let sent = submit(
        &h,
        &form(&h, "See attached").file("attachments", "letter.pdf", letter),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let broken = submit(
        &h,
        &form(&h, "My second letter is attached").file("attachments", "broken.pdf", &letter[..200]),
    )
    .await;
    assert_eq!(
        broken.status,
        StatusCode::SEE_OTHER,
        "a file that cannot be read is kept"
    );
    extract_waiting(&h).await;
    assert_eq!(
        h.count("SELECT COUNT(*) FROM attachments WHERE extraction = 'done'")
            .await,
        1
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM attachments WHERE extraction = 'failed' AND extraction_error IS NOT NULL")
            .await,
        1,
        "the broken file is flagged, not dropped"
    );
    assert!(h
        .services
        .search
        .catch_up(h.store(), std::time::Duration::from_secs(5))
        .await
        .unwrap());
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let found = h
        .staff_get(&analyst, "/staff/search?q=%22anxiety+medication%22")
        .await;
    assert!(found.body.contains("1 comment matches"), "{}", found.body);
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let queue = h.staff_get(&moderator, "/staff").await;
    assert!(queue
        .body
        .contains("shown advertisements about anxiety medication"));
    assert!(queue.body.contains("Its text could not be read"));

    let public_search = format!("/dockets/{DOCKET}/search?q=%22anxiety+medication%22");
    assert!(
        !h.get(&public_search)
            .await
            .body
            .contains("1 comment matches"),
        "not before it is posted"
    );
    let comment = h
        .count("SELECT comment_id FROM attachments WHERE extraction = 'done'")
        .await;
    h.decide(comment, Decision::Post { redact: Vec::new() })
        .await;
    assert!(h
        .services
        .search
        .catch_up(h.store(), std::time::Duration::from_secs(5))
        .await
        .unwrap());
    assert!(h
        .get(&public_search)
        .await
        .body
        .contains("1 comment matches"));
    let file = h
        .count("SELECT id FROM attachments WHERE extraction = 'done'")
        .await;
    h.staff_form(
        &moderator,
        &format!("/staff/attachments/{file}/withhold"),
        &[("withhold", "yes")],
    )
    .await;
    assert!(h
        .services
        .search
        .catch_up(h.store(), std::time::Duration::from_secs(5))
        .await
        .unwrap());
    assert!(
        !h.get(&public_search)
            .await
            .body
            .contains("1 comment matches"),
        "a withheld file's text is not searchable by the public"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_letters_sent_as_pdfs_form_a_campaign_once_read() {
    let h = harness().await;
    let letter = include_bytes!("../fixtures/letter.pdf");
    for note in ["See attached", "Please read the attached letter"] {
        let sent = submit(
            &h,
            &form(&h, note).file("attachments", "letter.pdf", letter),
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE campaign_id IS NOT NULL")
            .await,
        0,
        "the typed text alone is too short to be a form letter"
    );
    let worker = start_extraction(&h);
    let started = std::time::Instant::now();
    while h
        .count("SELECT COUNT(*) FROM comments WHERE campaign_id IS NOT NULL")
        .await
        < 2
    {
        assert!(
            started.elapsed().as_secs() < 60,
            "the copies were not grouped"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    assert_eq!(h.count("SELECT COUNT(*) FROM campaigns").await, 1);
    assert_eq!(
        h.count("SELECT MAX(added_words) FROM comments").await,
        5,
        "only the typed note differs from the letter"
    );
    // Staff see the letter the files carry, not just "See attached".
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let list = h
        .staff_get(&analyst, &format!("/staff/dockets/{DOCKET}/campaigns"))
        .await;
    assert!(
        list.body.contains("My sister used an online therapy app"),
        "{}",
        list.body
    );
    let campaign = h.count("SELECT MAX(id) FROM campaigns").await;
    let page = h
        .staff_get(
            &analyst,
            &format!("/staff/dockets/{DOCKET}/campaigns/{campaign}"),
        )
        .await;
    assert!(page
        .body
        .contains("shown advertisements about anxiety medication"));
    assert!(
        !page.body.contains("<del>My sister"),
        "the copy carries the whole letter: {}",
        page.body
    );
    let summary = h
        .staff_get(
            &analyst,
            &format!("/staff/dockets/{DOCKET}/summary/download?format=markdown"),
        )
        .await;
    assert!(
        summary
            .body
            .contains("My sister used an online therapy app"),
        "{}",
        summary.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_gives_the_public_a_redacted_version_of_a_file() {
    let h = harness().await;
    let letter = include_bytes!("../fixtures/letter.pdf");
    let sent = submit(
        &h,
        &form(&h, "See attached").file("attachments", "letter.pdf", letter),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let file = h.count("SELECT MAX(id) FROM attachments").await;
    let comment = h.count("SELECT MAX(id) FROM comments").await;
    h.decide(comment, Decision::Post { redact: Vec::new() })
        .await;
    extract_waiting(&h).await;
    let public_search = |phrase: &str| format!("/dockets/{DOCKET}/search?q=%22{phrase}%22");
    let hidden = public_search("anxiety+medication");
    assert!(h.get(&hidden).await.body.contains("1 comment matches"));
    let files_before = stored_files(&h);

    let redact = format!("/staff/attachments/{file}/redacted");
    let redacted_text: &[u8] = b"I was shown advertisements about [redacted] after my sessions.\n";
    let analyst = h.staff_session("analyst@ftc.gov", Role::Analyst).await;
    let moderator = h.staff_session("moderator@ftc.gov", Role::Moderator).await;
    let upload = || Multipart::default().file("redacted", "letter-redacted.txt", redacted_text);
    assert_eq!(
        h.staff_multipart(&analyst, &redact, upload()).await.status,
        StatusCode::FORBIDDEN
    );
    let program = Multipart::default().file("redacted", "letter.pdf", PROGRAM);
    let refused = h.staff_multipart(&moderator, &redact, program).await;
    assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(refused.body.contains("is not a PDF"), "{}", refused.body);
    let forged = h.post_multipart(&redact, &upload()).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let nothing = h
        .staff_multipart(&moderator, &redact, Multipart::default())
        .await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
    assert_eq!(stored_files(&h), files_before, "nothing was kept");
    assert_eq!(
        h.count("SELECT COUNT(*) FROM attachments WHERE redacted_sha256 IS NOT NULL")
            .await,
        0
    );

    let queue = h.staff_get(&moderator, "/staff/decided").await;
    let form = format!("action=\"{redact}\" enctype=\"multipart/form-data\"");
    assert!(queue.body.contains(&form), "{}", queue.body);
    let done = h.staff_multipart(&moderator, &redact, upload()).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(stored_files(&h), files_before + 1);
    let public = h.get(&format!("/attachments/{file}")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(
        public.body.as_bytes(),
        redacted_text,
        "the public gets the redacted version"
    );
    assert_eq!(
        public.headers.get("content-type").unwrap(),
        "text/plain; charset=utf-8"
    );
    assert!(public
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("filename=\"letter.txt\""));
    let original = h
        .staff_get(&analyst, &format!("/staff/attachments/{file}"))
        .await;
    assert_eq!(
        original.headers.get("content-type").unwrap(),
        "application/pdf"
    );
    let staff_redacted = h
        .staff_get(
            &analyst,
            &format!("/staff/attachments/{file}?version=redacted"),
        )
        .await;
    assert_eq!(staff_redacted.body.as_bytes(), redacted_text);
    let public_id: String = sqlx::query_scalar("SELECT public_id FROM comments WHERE id = $1")
        .bind(comment)
        .fetch_one(h.store().pool())
        .await
        .unwrap();
    let page = h.get(&format!("/comments/{public_id}")).await;
    assert!(
        page.body.contains("letter.txt (text file, 1 KB)"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("letter.pdf"));
    let queue = h
        .staff_get(&moderator, "/staff/search?q=%22anxiety+medication%22")
        .await;
    assert!(
        queue.body.contains("1 comment matches"),
        "staff still search the original"
    );

    extract_waiting(&h).await;
    assert!(
        !h.get(&hidden).await.body.contains("1 comment matches"),
        "the redacted words are no longer publicly searchable"
    );
    assert!(h
        .get(&public_search("shown+advertisements+about"))
        .await
        .body
        .contains("1 comment matches"));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'attachment.redact'")
            .await,
        1
    );

    let remove = Multipart::default().text("remove", "yes");
    let removed = h.staff_multipart(&moderator, &redact, remove).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    assert_eq!(stored_files(&h), files_before + 1, "kept until the sweep");
    assert_eq!(sweep(&h).await, 1);
    assert_eq!(
        stored_files(&h),
        files_before,
        "the replaced version's file is gone"
    );
    let public = h.get(&format!("/attachments/{file}")).await;
    assert_eq!(
        public.headers.get("content-type").unwrap(),
        "application/pdf"
    );
    assert_eq!(
        h.staff_get(
            &analyst,
            &format!("/staff/attachments/{file}?version=redacted")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_refused_with_the_text_kept_when_the_disk_is_short_of_space() {
    let mut h = harness().await;
    h.reconfigure(|state| {
        state.disk.floor = opendocket_server::disk::FreeSpaceFloor::Bytes(u64::MAX);
    });
    let sent = submit(
        &h,
        &form(&h, "Read my letter.").file("attachments", "letter.pdf", PDF),
    )
    .await;
    assert_eq!(sent.status, StatusCode::INSUFFICIENT_STORAGE);
    assert!(sent.body.contains("short of disk space"));
    assert!(sent.body.contains("Read my letter."), "the text is kept");
    assert_eq!(h.comment_count().await, 0);
    assert_eq!(stored_files(&h), 0, "nothing half-written");
    // A comment without files still goes through.
    let text_only = submit(&h, &form(&h, "No files.")).await;
    assert_eq!(text_only.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docket_past_its_attachment_quota_takes_no_more_files() {
    let mut h = harness().await;
    h.reconfigure(|state| state.disk.docket_quota = Some(PDF.len() as u64));
    let first = submit(
        &h,
        &form(&h, "First.").file("attachments", "letter.pdf", PDF),
    )
    .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "under the quota");
    let second = submit(
        &h,
        &form(&h, "Second.").file("attachments", "other.pdf", PDF),
    )
    .await;
    assert_eq!(second.status, StatusCode::INSUFFICIENT_STORAGE);
    assert!(second.body.contains("all the attached files it can hold"));
    assert!(second.body.contains("Second."));
    assert_eq!(h.comment_count().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_written_only_for_a_form_whose_token_came_first_and_is_good() {
    let h = harness().await;
    // A script that sends the file before the token: the file is not written, and it is told why.
    let late_token = Multipart::default()
        .text("submitter_type", "anonymous")
        .text("comment", "Token last.")
        .file("attachments", "letter.pdf", PDF)
        .text("form_token", &h.form_token(DOCKET));
    let sent = submit(&h, &late_token).await;
    assert_eq!(sent.status, StatusCode::BAD_REQUEST);
    assert!(sent.body.contains("token must come before its files"));
    assert!(sent.body.contains("Token last."));
    // A forged token before the file: refused as a forged token, the file never kept.
    let forged = Multipart::default()
        .text(
            "form_token",
            "1.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef",
        )
        .text("submitter_type", "anonymous")
        .text("comment", "Forged.")
        .file("attachments", "letter.pdf", PDF);
    let sent = submit(&h, &forged).await;
    assert_eq!(sent.status, StatusCode::BAD_REQUEST);
    assert!(sent.body.contains("not valid for this docket"));
    assert!(sent.body.contains("Choose your files again"));
    assert_eq!(h.comment_count().await, 0);
    assert_eq!(stored_files(&h), 0);
}
