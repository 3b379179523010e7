//! kill -9 while comments arrive: the real server binary on one data directory is killed five
//! times in the middle of a stream of comments and started again. Every receipt a client was
//! given must be in the database afterwards, the search index must catch up with it, and the
//! deadlines that fell during the crashes must be met: on time while a server was up, at the next
//! start-up while none was.

use chrono::{DateTime, Utc};
use opendocket_core::accounts::Actor;
use opendocket_core::docket::{DocketId, NewDocket, NewDocument};
use opendocket_core::store::Store;
use opendocket_core::window::CommentWindow;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DOCKET: &str = "FTC-2023-0018";
const TOKEN: &str = "crash-test-metrics";

async fn exchange(server: SocketAddr, request: String) -> std::io::Result<String> {
    let mut stream = tokio::net::TcpStream::connect(server).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

// The child is killed and waited for before the panic; the lint cannot follow that.
#[allow(clippy::zombie_processes)]
async fn start(data: &Path) -> (Child, SocketAddr) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = Command::new(env!("CARGO_BIN_EXE_opendocket"))
        .arg("serve")
        .env("OPENDOCKET_DATA_DIR", data)
        .env_remove("DATABASE_URL")
        .env("LEPTOS_SITE_ADDR", server.to_string())
        .env("OPENDOCKET_COMMENT_LIMITS", "100000/100000,100000/100000")
        .env("OPENDOCKET_METRICS_TOKEN", TOKEN)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let health =
            format!("GET /healthz HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\n\r\n");
        if exchange(server, health)
            .await
            .is_ok_and(|a| a.starts_with("HTTP/1.1 200"))
        {
            return (child, server);
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not start");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Posts comments until the server goes away; each receipt it was shown goes into `receipts`.
async fn keep_commenting(
    server: SocketAddr,
    data: std::path::PathBuf,
    receipts: Arc<Mutex<Vec<String>>>,
    who: usize,
) {
    let store = Store::open(&format!(
        "sqlite://{}",
        data.join("opendocket.db").display()
    ))
    .await
    .unwrap();
    let keys = store.form_token_key().await.unwrap();
    let docket = DocketId::parse(DOCKET).unwrap();
    for n in 0.. {
        let token = keys.issue_asking(
            &docket,
            chrono::Utc::now() - chrono::Duration::seconds(30),
            0,
        );
        let body = format!(
            "form_token={token}&submitter_type=anonymous&comment=Comment+{n}+from+client+{who}"
        );
        let request = format!(
            "POST /dockets/{DOCKET} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\nOrigin: http://{server}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let Ok(answer) = exchange(server, request).await else {
            break;
        };
        if let Some(at) = answer.find("/receipts/") {
            let tracking: String = answer[at + 10..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            receipts.lock().unwrap().push(tracking);
        } else if answer.is_empty() {
            break;
        }
    }
    store.pool().close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_receipt_survives_kill_9_and_the_index_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let receipts = Arc::new(Mutex::new(Vec::new()));
    // Deadlines every half second from two seconds on, while the servers come and go.
    let offsets: Vec<i64> = (1..=12).map(|n| 1_500 + 500 * n).collect();
    let mut deadlines = create_dockets_closing_in(&data, 1, &offsets).await;
    let mut up: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for cycle in 0..5 {
        let (mut server, address) = start(&data).await;
        let ready = Utc::now();
        let clients: Vec<_> = (0..16)
            .map(|who| {
                tokio::spawn(keep_commenting(
                    address,
                    data.clone(),
                    receipts.clone(),
                    who,
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(400 + 150 * cycle)).await;
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        up.push((ready, Utc::now()));
        if cycle == 2 {
            // One deadline certainly falls while no server runs.
            deadlines.extend(create_dockets_closing_in(&data, 100, &[200]).await);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        for client in clients {
            client.await.unwrap();
        }
    }
    let given: HashSet<String> = receipts.lock().unwrap().iter().cloned().collect();
    assert!(given.len() > 50, "few comments were sent: {}", given.len());
    let (mut server, address) = start(&data).await;
    up.push((Utc::now(), Utc::now() + chrono::Duration::days(1)));
    let store = Store::open(&format!(
        "sqlite://{}",
        data.join("opendocket.db").display()
    ))
    .await
    .unwrap();
    let stored: HashSet<String> = sqlx::query_scalar("SELECT tracking_number FROM comments")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .into_iter()
        .collect();
    let lost: Vec<_> = given.difference(&stored).collect();
    println!(
        "kill -9 five times: {} receipts given, {} comments stored, {} receipts lost",
        given.len(),
        stored.len(),
        lost.len()
    );
    assert!(lost.is_empty(), "receipts without a comment: {lost:?}");
    // The index follows the database: its lag reaches zero.
    let started = Instant::now();
    loop {
        let request = format!("GET /metrics HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n");
        let metrics = exchange(address, request).await.unwrap();
        if metrics.contains("\nopendocket_search_lag_changes 0\n") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the index never caught up:\n{metrics}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let last = deadlines.iter().map(|(_, at)| *at).max().unwrap();
    if let Ok(wait) = (last - Utc::now() + chrono::Duration::milliseconds(1_500)).to_std() {
        tokio::time::sleep(wait).await;
    }
    deadlines_were_met(&store, &deadlines, &up).await;
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Creates dockets whose windows close `offsets` (milliseconds) from now.
async fn create_dockets_closing_in(
    data: &Path,
    first_number: usize,
    offsets: &[i64],
) -> Vec<(String, DateTime<Utc>)> {
    std::fs::create_dir_all(data).unwrap();
    let store = Store::open(&format!(
        "sqlite://{}",
        data.join("opendocket.db").display()
    ))
    .await
    .unwrap();
    let now = Utc::now();
    let mut deadlines = Vec::new();
    for (n, offset) in (first_number..).zip(offsets) {
        let id = format!("FTC-2026-{n:04}");
        // Whole milliseconds, as stored.
        let closes_at = DateTime::from_timestamp_millis(
            (now + chrono::Duration::milliseconds(*offset)).timestamp_millis(),
        )
        .unwrap();
        let docket = NewDocket {
            id: DocketId::parse(&id).unwrap(),
            title: format!("Closes during the crashes {n}"),
            agency_name: "Federal Trade Commission".into(),
            time_zone: chrono_tz::America::New_York,
            document: NewDocument {
                title: "Proposed order".into(),
                summary: "A summary.".into(),
                body_markdown: "The order.".into(),
                federal_register_citation: None,
            },
            window: CommentWindow::new(now - chrono::Duration::hours(1), closes_at, false).unwrap(),
        };
        store
            .create_docket(
                &docket,
                &Actor::CommandLine,
                now - chrono::Duration::hours(2),
            )
            .await
            .unwrap();
        deadlines.push((id, closes_at));
    }
    store.pool().close().await;
    deadlines
}

/// Every window is closed; one whose deadline fell while a server ran was closed within a
/// second of it, one whose deadline fell between a kill and the next start within a second of
/// that start.
async fn deadlines_were_met(
    store: &Store,
    deadlines: &[(String, DateTime<Utc>)],
    up: &[(DateTime<Utc>, DateTime<Utc>)],
) {
    let second = chrono::Duration::seconds(1);
    let (mut while_up, mut while_down) = (0, 0);
    for (id, closes_at) in deadlines {
        let closed_at: Option<i64> = sqlx::query_scalar(
            "SELECT closed_at FROM comment_windows WHERE docket_id = $1 AND status = 'closed'",
        )
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .unwrap()
        .flatten();
        let closed_at = DateTime::from_timestamp_millis(
            closed_at.unwrap_or_else(|| panic!("{id}'s window was never closed")),
        )
        .unwrap();
        let allowed = match up
            .iter()
            .find(|(ready, killed)| ready <= closes_at && closes_at < killed)
        {
            Some(_) => {
                while_up += 1;
                *closes_at + second
            }
            None => {
                while_down += 1;
                let next_start = up.iter().map(|(ready, _)| *ready).find(|r| r > closes_at);
                next_start.expect("a server started after every deadline") + second
            }
        };
        assert!(
            *closes_at <= closed_at && closed_at <= allowed,
            "{id} closes at {closes_at} but was closed at {closed_at} (by {allowed} at the latest)"
        );
    }
    println!(
        "kill -9 five times: {while_up} deadlines met while a server ran, {while_down} at the next start-up"
    );
    assert!(while_up > 0 && while_down > 0);
}
