//! The `opendocket` binary's admin commands, run as a person would run them, on a temporary data directory.

use std::path::Path;
use std::process::{Command, Output};

fn opendocket(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opendocket"))
        .args(args)
        .env("OPENDOCKET_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn create_list_and_show_a_docket_from_flags_and_a_document_file() {
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("order.md");
    std::fs::write(
        &document,
        "+++\ntitle = \"Analysis of Proposed Consent Order\"\nsummary = \"Short summary.\"\nfederal_register = \"88 FR 15717\"\n+++\n## Order\n\nText.\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let created = opendocket(
        &data,
        &[
            "docket",
            "create",
            "--id",
            "FTC-2023-0018",
            "--title",
            "BetterHelp, Inc. (FTC File No. 202 3169)",
            "--agency",
            "Federal Trade Commission",
            "--time-zone",
            "America/New_York",
            "--opens-at",
            "2023-03-14T09:00:00-04:00",
            "--due-date",
            "2023-04-13",
            "--document",
            document.to_str().unwrap(),
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let out = stdout(&created);
    assert!(
        out.contains("closes:    April 13, 2023, 11:59:59 PM EDT (2023-04-14T04:00:00+00:00)"),
        "{out}"
    );
    assert!(out.contains("late:      refused"), "{out}");

    let listed = stdout(&opendocket(&data, &["docket", "list"]));
    assert!(
        listed.contains("FTC-2023-0018") && listed.contains("closed"),
        "{listed}"
    );

    let shown = opendocket(&data, &["docket", "show", "FTC-2023-0018"]);
    assert!(shown.status.success());
    let shown = stdout(&shown);
    assert!(shown.contains("document:  FTC-2023-0018-0001"), "{shown}");
    assert!(shown.contains("comments:  0 received"), "{shown}");
    assert!(
        shown.contains("proof of work asked of: crowded networks"),
        "{shown}"
    );

    // At 2 a.m., in a flood: every browser is asked for a proof of work.
    let work = opendocket(&data, &["docket", "proof-of-work", "FTC-2023-0018", "on"]);
    assert!(work.status.success(), "{}", stderr(&work));
    assert!(stdout(&work).contains("asked of every browser"));
    let shown = stdout(&opendocket(&data, &["docket", "show", "FTC-2023-0018"]));
    assert!(
        shown.contains("proof of work asked of: every browser"),
        "{shown}"
    );
    let nonsense = opendocket(
        &data,
        &["docket", "proof-of-work", "FTC-2023-0018", "maybe"],
    );
    assert!(!nonsense.status.success());
    let unknown = opendocket(&data, &["docket", "proof-of-work", "FTC-2099-0001", "on"]);
    assert!(stderr(&unknown).contains("there is no docket FTC-2099-0001"));

    let again = opendocket(
        &data,
        &[
            "docket",
            "create",
            "--id",
            "FTC-2023-0018",
            "--title",
            "Again",
            "--agency",
            "Federal Trade Commission",
            "--time-zone",
            "America/New_York",
            "--opens-at",
            "2023-03-14T09:00:00-04:00",
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("docket FTC-2023-0018 already exists"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn closes_at_sets_an_exact_instant_and_allow_late_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let created = opendocket(
        dir.path(),
        &[
            "docket",
            "create",
            "--id",
            "FTC-2030-0001",
            "--title",
            "Soon",
            "--agency",
            "Federal Trade Commission",
            "--time-zone",
            "America/New_York",
            "--opens-at",
            "2030-01-01T00:00:00Z",
            "--closes-at",
            "2030-01-01T00:00:30Z",
            "--allow-late",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let out = stdout(&created);
    assert!(out.contains("(2030-01-01T00:00:30+00:00)"), "{out}");
    assert!(out.contains("accepted, marked late"), "{out}");
    assert!(out.contains("state:     scheduled"), "{out}");
}

#[test]
fn bad_arguments_get_a_clear_error_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "docket",
        "create",
        "--title",
        "T",
        "--agency",
        "Federal Trade Commission",
    ];
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--id",
                "ftc-1",
                "--time-zone",
                "America/New_York",
                "--opens-at",
                "2023-03-14T09:00:00Z",
            ],
            "a docket id looks like",
        ),
        (
            &[
                "--id",
                "FTC-2023-0001",
                "--time-zone",
                "Mars/Olympus",
                "--opens-at",
                "2023-03-14T09:00:00Z",
            ],
            "unknown time zone",
        ),
        (
            &[
                "--id",
                "FTC-2023-0001",
                "--time-zone",
                "America/New_York",
                "--opens-at",
                "yesterday",
            ],
            "--opens-at: the opening time must be an instant",
        ),
        (
            &[
                "--id",
                "FTC-2023-0001",
                "--time-zone",
                "America/New_York",
                "--opens-at",
                "2023-03-14T09:00:00Z",
                "--closes-at",
                "2023-03-01T00:00:00Z",
            ],
            "the window must close after it opens",
        ),
        (
            &[
                "--id",
                "FTC-2023-0001",
                "--time-zone",
                "America/New_York",
                "--opens-at",
                "2023-03-14T09:00:00Z",
                "--document",
                "/no/such/file.md",
            ],
            "could not read /no/such/file.md",
        ),
    ];
    for (extra, needle) in cases {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let output = opendocket(dir.path(), &args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let err = stderr(&output);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let missing = opendocket(dir.path(), &["docket", "show", "FTC-2023-0099"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("there is no docket FTC-2023-0099"));
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_opendocket"))
        .args(["docket", "list"])
        .env(
            "DATABASE_URL",
            format!(
                "sqlite://{}/missing-dir/x.db",
                dir.path().join("file-not-dir").display()
            ),
        )
        .env("OPENDOCKET_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("error: could not open the database"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn serve_with_an_unreachable_postgres_exits_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there, so the connection is refused.
    let output = Command::new(env!("CARGO_BIN_EXE_opendocket"))
        .arg("serve")
        .env(
            "DATABASE_URL",
            "postgres://opendocket:secret-password@127.0.0.1:1/opendocket",
        )
        .env("OPENDOCKET_DATA_DIR", dir.path())
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("error: could not open the database"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !err.contains("secret-password"),
        "the password is not printed: {err}"
    );
}

#[test]
fn an_unsupported_database_url_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_opendocket"))
        .args(["docket", "list"])
        .env("DATABASE_URL", "mysql://root:hunter2@localhost/db")
        .env("OPENDOCKET_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("unsupported DATABASE_URL"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

fn opendocket_with_stdin(data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    crate::common::run_opendocket(data_dir, None, args, stdin)
}

#[test]
fn user_add_reads_the_password_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["user", "add", "--email", "Admin@FTC.gov", "--role", "admin"];
    let added = opendocket_with_stdin(dir.path(), &args, "a long enough passphrase\n");
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(stdout(&added).contains("Added admin@ftc.gov as admin"));

    let again = opendocket_with_stdin(dir.path(), &args, "a long enough passphrase\n");
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("a staff account for admin@ftc.gov already exists"),
        "{}",
        stderr(&again)
    );

    let short = opendocket_with_stdin(
        dir.path(),
        &["user", "add", "--email", "m@ftc.gov", "--role", "moderator"],
        "short\n",
    );
    assert_eq!(short.status.code(), Some(1));
    assert!(stderr(&short).contains("a password needs at least 12 characters"));

    let role = opendocket_with_stdin(
        dir.path(),
        &["user", "add", "--email", "m@ftc.gov", "--role", "root"],
        "a long enough passphrase\n",
    );
    assert_eq!(role.status.code(), Some(1));
    assert!(stderr(&role).contains("unknown role \"root\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_rebuilds_the_search_index_and_refuses_while_it_is_in_use() {
    use opendocket_core::comment::{validate, CommentForm, IdempotencyKey};
    use opendocket_core::docket::DocketId;
    use opendocket_core::search::SearchService;
    use opendocket_core::store::Store;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let created = opendocket(
        &data,
        &[
            "docket",
            "create",
            "--id",
            "FTC-2023-0018",
            "--title",
            "BetterHelp",
            "--agency",
            "Federal Trade Commission",
            "--time-zone",
            "America/New_York",
            "--opens-at",
            "2020-01-01T00:00:00Z",
            "--closes-at",
            "2099-01-01T00:00:00Z",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let url = format!("sqlite://{}", data.join("opendocket.db").display());
    let store = Store::open(&url).await.unwrap();
    let docket = DocketId::parse("FTC-2023-0018").unwrap();
    for i in 0..25 {
        let comment = validate(&CommentForm {
            submitter_type: "anonymous".into(),
            comment: format!("Comment number {i} about consent."),
            ..Default::default()
        })
        .unwrap();
        store
            .submit_comment(
                &docket,
                &comment,
                &IdempotencyKey::generate(),
                chrono::Utc::now(),
            )
            .await
            .unwrap();
    }
    let rebuilt = opendocket(&data, &["reindex"]);
    assert!(rebuilt.status.success(), "{}", stderr(&rebuilt));
    assert!(
        stdout(&rebuilt).contains("Indexed 25 comments"),
        "{}",
        stdout(&rebuilt)
    );

    // A running server holds the index: reindex says so instead of fighting over it.
    let running = SearchService::start(store.clone(), &data.join("search-index"))
        .await
        .unwrap();
    let refused = opendocket(&data, &["reindex"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("stop the server first"),
        "{}",
        stderr(&refused)
    );
    running.stop().await;
}

#[test]
fn the_summary_is_written_as_markdown_json_or_csv_and_published() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let created = opendocket(
        &data,
        &[
            "docket",
            "create",
            "--id",
            "FTC-2023-0018",
            "--title",
            "BetterHelp, Inc.",
            "--agency",
            "Federal Trade Commission",
            "--time-zone",
            "America/New_York",
            "--opens-at",
            "2023-03-14T09:00:00-04:00",
            "--due-date",
            "2023-04-13",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));

    let markdown = opendocket(&data, &["summary", "FTC-2023-0018"]);
    assert!(markdown.status.success(), "{}", stderr(&markdown));
    let text = stdout(&markdown);
    assert!(
        text.starts_with("# Docket summary: BetterHelp, Inc. (FTC-2023-0018)"),
        "{text}"
    );
    assert!(text.contains("| Received | 0 |"));
    assert!(text.contains("No form-letter campaigns were found."));

    let file = dir.path().join("summary.json");
    let json = opendocket(
        &data,
        &[
            "summary",
            "FTC-2023-0018",
            "--format",
            "json",
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(value["received"], 0);

    let csv = opendocket(&data, &["summary", "FTC-2023-0018", "--format", "csv"]);
    assert!(csv.status.success(), "{}", stderr(&csv));
    assert_eq!(
        stdout(&csv).lines().count(),
        1,
        "only the header on an empty docket"
    );
    assert!(stdout(&csv).starts_with("Document ID,Agency ID,Docket ID,Tracking Number"));

    let published = opendocket(&data, &["summary", "FTC-2023-0018", "--publish"]);
    assert!(published.status.success(), "{}", stderr(&published));
    assert!(stdout(&published).contains("/dockets/FTC-2023-0018/summary"));

    let bad = opendocket(&data, &["summary", "FTC-2023-0018", "--format", "pdf"]);
    assert!(!bad.status.success());
    let missing = opendocket(&data, &["summary", "NOPE-2023-0001"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("there is no docket NOPE-2023-0001"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn apikey_create_prints_the_key_once_and_revoke_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let created = opendocket(
        data,
        &[
            "apikey",
            "create",
            "--name",
            "Research lab",
            "--limit",
            "500",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let secret = stdout(&created).trim().to_owned();
    assert!(secret.starts_with("odk_") && secret.len() > 40, "{secret}");
    assert!(stderr(&created).contains("not shown again"));
    let listed = stdout(&opendocket(data, &["apikey", "list"]));
    assert!(listed.contains("Research lab\t500 an hour"), "{listed}");
    assert!(!listed.contains(&secret), "the key itself is never listed");
    let revoked = opendocket(data, &["apikey", "revoke", "1"]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    assert!(stdout(&opendocket(data, &["apikey", "list"])).contains("revoked"));
    let again = opendocket(data, &["apikey", "revoke", "1"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("no key 1 in use"),
        "{}",
        stderr(&again)
    );
    let unnamed = opendocket(data, &["apikey", "create", "--name", " "]);
    assert!(!unnamed.status.success());
    assert!(
        stderr(&unnamed).contains("Give the key a name"),
        "{}",
        stderr(&unnamed)
    );
}

#[test]
fn import_reads_a_mirrulations_directory_once_and_lists_rejected_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let created = opendocket(
        &data,
        &[
            "docket",
            "create",
            "--id",
            "USTR-2015-0010",
            "--title",
            "China's WTO compliance",
            "--agency",
            "Office of the United States Trade Representative",
            "--time-zone",
            "America/New_York",
            "--opens-at",
            "2015-08-10T00:00:00-04:00",
            "--closes-at",
            "2015-09-23T23:59:59-04:00",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    // The Mirrulations layout: comments, documents and dockets in folders of their own.
    let export = dir.path().join("USTR");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/regulationsgov-v4");
    for (folder, file) in [
        (
            "comments/USTR/USTR-2015-0010/USTR-2015-0010-0002",
            "comment-USTR-2015-0010-0002.json",
        ),
        (
            "comments/USTR/USTR-2015-0010/USTR-2015-0010-0011",
            "comment-USTR-2015-0010-0011.json",
        ),
        (
            "documents/USTR/USTR-2015-0010/USTR-2015-0010-0001",
            "document-USTR-2015-0010-0001.json",
        ),
    ] {
        std::fs::create_dir_all(export.join(folder)).unwrap();
        std::fs::copy(fixtures.join(file), export.join(folder).join(file)).unwrap();
    }
    let path = export.to_str().unwrap();
    let imported = opendocket(&data, &["import", path, "--docket", "USTR-2015-0010"]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(
        stdout(&imported)
            .contains("Imported 2 comments into USTR-2015-0010; 0 were already there; 0 rejected."),
        "{}",
        stdout(&imported)
    );
    let again = opendocket(&data, &["import", path, "--docket", "USTR-2015-0010"]);
    assert!(
        stdout(&again).contains("Imported 0 comments into USTR-2015-0010; 2 were already there")
    );

    let paper = dir.path().join("paper.csv");
    std::fs::write(
        &paper,
        "Received Date,Comment\n2015-09-20,A letter.\nlast week,Another.\n",
    )
    .unwrap();
    let partly = opendocket(
        &data,
        &[
            "import",
            paper.to_str().unwrap(),
            "--docket",
            "USTR-2015-0010",
        ],
    );
    assert_eq!(
        partly.status.code(),
        Some(2),
        "rejected rows make the exit code 2"
    );
    assert!(
        stdout(&partly).contains("Imported 1 comments"),
        "{}",
        stdout(&partly)
    );
    assert!(stdout(&partly).contains("paper.csv row 3: Received Date \"last week\" is not a date"));

    let nowhere = opendocket(&data, &["import", path, "--docket", "USTR-2016-0001"]);
    assert!(!nowhere.status.success());
    assert!(stderr(&nowhere).contains("there is no docket USTR-2016-0001"));
}
