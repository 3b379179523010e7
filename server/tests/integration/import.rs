//! Importing comments: real regulations.gov v4 comments come back out of the API unchanged,
//! importing again adds nothing, broken rows are reported without stopping the rest, and paper
//! comments arrive pending.

use crate::common::{instant, Harness};
use opendocket_core::import::{import_file, ImportReport};
use serde_json::Value;

const DOCKET: &str = "USTR-2015-0010";
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/regulationsgov-v4"
);
const COMMENTS: [&str; 2] = [
    "comment-USTR-2015-0010-0002.json",
    "comment-USTR-2015-0010-0011.json",
];

async fn harness() -> Harness {
    // The real docket's comment period: 2015-08-10 to 2015-09-24 (Eastern).
    let h = Harness::new(instant("2016-01-05T15:00:00Z")).await;
    h.create_docket(
        DOCKET,
        instant("2015-08-10T04:00:00Z"),
        instant("2015-09-24T04:00:00Z"),
        false,
    )
    .await;
    h
}

async fn import(h: &Harness, name: &str, bytes: &[u8]) -> ImportReport {
    let mut report = ImportReport::default();
    import_file(
        h.store(),
        DOCKET,
        chrono_tz::America::New_York,
        name,
        bytes,
        instant("2016-01-05T15:00:00Z"),
        &mut report,
    )
    .await
    .unwrap();
    report
}

fn fixture(name: &str) -> (Vec<u8>, Value) {
    let bytes = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
    let value = serde_json::from_slice(&bytes).unwrap();
    (bytes, value)
}

fn path_of(url: &Value) -> String {
    let url = url.as_str().unwrap();
    let start = url.find("/v4/").unwrap();
    url[start..].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regulations_gov_export_comes_back_out_of_the_api_unchanged() {
    let h = harness().await;
    for name in COMMENTS {
        let (bytes, _) = fixture(name);
        let report = import(&h, name, &bytes).await;
        assert_eq!(report.imported, 1, "{name}: {:?}", report.rejected);
    }
    for name in COMMENTS {
        let (_, real) = fixture(name);
        let id = real["data"]["id"].as_str().unwrap();
        let page = h.get(&format!("/v4/comments/{id}")).await;
        let ours: Value = serde_json::from_str(&page.body).unwrap();
        assert_eq!(
            ours["data"]["attributes"], real["data"]["attributes"],
            "{id}: every attribute as regulations.gov published it"
        );
        assert_eq!(ours["data"]["id"], real["data"]["id"]);
        assert_eq!(ours["data"]["type"], real["data"]["type"]);
        assert_eq!(
            path_of(&ours["data"]["links"]["self"]),
            path_of(&real["data"]["links"]["self"])
        );
        for link in ["related", "self"] {
            assert_eq!(
                path_of(&ours["data"]["relationships"]["attachments"]["links"][link]),
                path_of(&real["data"]["relationships"]["attachments"]["links"][link])
            );
        }
    }
    // The real recipe: comments on a document by its objectId.
    let page = h
        .get("/v4/comments?filter[commentOnId]=0900006481bce624&sort=-postedDate")
        .await;
    let listing: Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(listing["meta"]["totalElements"], 2, "{listing}");

    for name in COMMENTS {
        let (bytes, _) = fixture(name);
        let again = import(&h, name, &bytes).await;
        assert_eq!(
            (again.imported, again.already_there),
            (0, 1),
            "importing again adds nothing"
        );
    }
    assert_eq!(h.comment_count().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_row_is_reported_and_the_rest_imported() {
    let h = harness().await;
    let (_, good) = fixture(COMMENTS[0]);
    let mut wrong_docket = good.clone();
    wrong_docket["data"]["id"] = "FTC-2023-0018-0002".into();
    wrong_docket["data"]["attributes"]["docketId"] = "FTC-2023-0018".into();
    let mut bad_date = good.clone();
    bad_date["data"]["id"] = "USTR-2015-0010-0099".into();
    bad_date["data"]["attributes"]["trackingNbr"] = "1jz-0000-0000".into();
    bad_date["data"]["attributes"]["receiveDate"] = "Sept 18".into();
    let lines = [
        serde_json::to_string(&wrong_docket).unwrap(),
        "{not json".to_owned(),
        serde_json::to_string(&bad_date).unwrap(),
        serde_json::to_string(&good).unwrap(),
    ]
    .join("\n");
    let report = import(&h, "export.jsonl", lines.as_bytes()).await;
    assert_eq!(report.imported, 1);
    let reasons: Vec<String> = report
        .rejected
        .iter()
        .map(|r| format!("{}: {}", r.source, r.reason))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons[0].starts_with("export.jsonl line 1: ")
            && reasons[0].contains("belongs to docket FTC-2023-0018")
    );
    assert!(reasons[1].starts_with("export.jsonl line 2: not valid JSON"));
    assert!(reasons[2].contains("receiveDate \"Sept 18\" is not a date"));
    assert_eq!(h.comment_count().await, 1, "nothing half-imported");

    // The same tracking number on a different comment is refused, not merged.
    let mut clash = good.clone();
    clash["data"]["id"] = "USTR-2015-0010-0100".into();
    let clash_report = import(&h, "clash.json", clash.to_string().as_bytes()).await;
    assert!(clash_report.rejected[0]
        .reason
        .contains("tracking number 1jz-8l73-5qbv is already used"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_comments_arrive_pending_and_once() {
    let h = harness().await;
    let csv = "Submitter Type,First Name,Last Name,Organization Name,State/Province,Received Date,Comment\n\
               individual,Ann,Lee,,NY,2015-09-20,Please hold China to its commitments.\n\
               organization,,,Pork Producers,IA,2015-09-25,Received after the deadline.\n\
               individual,,,,,2015-09-21,No name given.\n";
    let report = import(&h, "paper.csv", csv.as_bytes()).await;
    assert_eq!(report.imported, 2);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].source, "paper.csv row 4");
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE status = 'pending'")
            .await,
        2,
        "paper comments wait for a moderator"
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM comments WHERE late = 1")
            .await,
        1,
        "received after the deadline"
    );
    let again = import(&h, "paper.csv", csv.as_bytes()).await;
    assert_eq!((again.imported, again.already_there), (0, 2));
    assert_eq!(h.comment_count().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_imports_a_file_on_the_staff_page() {
    use opendocket_core::roles::Role;
    let h = harness().await;
    let admin = h.staff_session("admin@ftc.gov", Role::Admin).await;
    let page = h.staff_get(&admin, "/staff/import").await;
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(page.body.contains(&format!("<option value=\"{DOCKET}\"")));
    let (bytes, _) = fixture(COMMENTS[0]);
    let form = crate::common::Multipart::default()
        .text("docket", DOCKET)
        .file("file", "comment.json", &bytes);
    let done = h.staff_multipart(&admin, "/staff/import", form).await;
    assert_eq!(done.status, axum::http::StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Imported 1 comments into USTR-2015-0010 from comment.json; 0 were already there; 0 rejected."));
    let csv = "Received Date,Comment\nnot a date,Hello.\n";
    let form = crate::common::Multipart::default()
        .text("docket", DOCKET)
        .file("file", "paper.csv", csv.as_bytes());
    let partly = h.staff_multipart(&admin, "/staff/import", form).await;
    assert_eq!(partly.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        partly.body.contains("paper.csv row 2: Received Date"),
        "{}",
        partly.body
    );
    let form = crate::common::Multipart::default()
        .text("docket", "EPA-2020-0001")
        .file("file", "paper.csv", csv.as_bytes());
    let nowhere = h.staff_multipart(&admin, "/staff/import", form).await;
    assert_eq!(nowhere.status, axum::http::StatusCode::NOT_FOUND);
}
