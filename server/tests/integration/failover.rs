//! Three server processes on one PostgreSQL behind HAProxy, one killed with SIGKILL during a burst
//! of comments: every receipt is stored exactly once, a client that sends its form again after a
//! dropped connection or a refusal gets the one receipt for it, and a comment taken by one
//! instance is found by another's search within a second (measured, p99).

use crate::common::{encode_form, is_postgres, Harness, ServerProcess};
use chrono::{Duration, Utc};
use opendocket_core::docket::DocketId;
use opendocket_core::form_token::FormTokenKey;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DOCKET: &str = "FTC-2026-0001";
const CLIENTS: usize = 24;
const FORMS_PER_CLIENT: usize = 40;
const VISIBILITY_SAMPLES: usize = 40;

/// HAProxy from the operating system's packages, in the foreground, stopped when dropped.
struct LoadBalancer {
    addr: SocketAddr,
    child: Child,
}

impl LoadBalancer {
    fn start(dir: &std::path::Path, backends: &[SocketAddr]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let servers: String = backends
            .iter()
            .enumerate()
            .map(|(n, backend)| {
                format!("  server instance{n} {backend} check inter 100ms fall 1 rise 2\n")
            })
            .collect();
        // Retries and redispatch only cover failing to connect: a request already sent to an
        // instance that dies is answered 502, and the client decides to send it again.
        let config = format!(
            "global\n  maxconn 2048\n\
             defaults\n  mode http\n  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n  retries 3\n  option redispatch\n\
             frontend public\n  bind {addr}\n  default_backend instances\n\
             backend instances\n  balance roundrobin\n  option httpchk GET /healthz\n{servers}"
        );
        let path = dir.join("haproxy.cfg");
        std::fs::write(&path, config).unwrap();
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("haproxy.log")).unwrap())
            .spawn()
            .expect("haproxy is installed by the test command (apt package haproxy)");
        let balancer = Self { addr, child };
        for _ in 0..100 {
            if std::net::TcpStream::connect(addr).is_ok() {
                return balancer;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "haproxy did not start: {}",
            std::fs::read_to_string(dir.join("haproxy.log")).unwrap_or_default()
        );
    }
}

impl Drop for LoadBalancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn exchange(server: SocketAddr, request: &str) -> std::io::Result<String> {
    let mut stream = tokio::net::TcpStream::connect(server).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[derive(Default)]
struct ClientTally {
    /// Form token → the tracking number of the receipt finally shown.
    receipts: HashMap<String, String>,
    /// Forms sent again after a dropped connection or a 502, with the instant (milliseconds)
    /// the last copy was sent.
    resent_after_drop: Vec<(String, i64)>,
    /// Answers 503 with Retry-After.
    busy: usize,
}

fn comment_request(to: SocketAddr, token: &str, comment: &str) -> String {
    let body = encode_form(&[
        ("form_token", token),
        ("submitter_type", "anonymous"),
        ("comment", comment),
    ]);
    format!(
        "POST /dockets/{DOCKET} HTTP/1.1\r\nHost: {to}\r\nConnection: close\r\nOrigin: http://{to}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// The tracking number a 303 answer sends the browser to.
fn receipt_in(answer: &str) -> Option<String> {
    let at = answer.find("\r\nlocation: /receipts/")?;
    Some(
        answer[at + 22..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect(),
    )
}

/// Sends its forms one after another through the load balancer; a form whose answer is lost, a
/// 502 or a 503 is sent again, unchanged, until a receipt comes back.
async fn send_forms(balancer: SocketAddr, keys: Arc<FormTokenKey>, who: usize) -> ClientTally {
    let docket = DocketId::parse(DOCKET).unwrap();
    let mut tally = ClientTally::default();
    for n in 0..FORMS_PER_CLIENT {
        let token = keys.issue_asking(&docket, Utc::now() - Duration::seconds(30), 0);
        let request = comment_request(
            balancer,
            &token,
            &format!("Failover comment {n} from client {who}."),
        );
        let mut attempts = 0;
        let mut dropped = false;
        loop {
            attempts += 1;
            let sent_at = Utc::now().timestamp_millis();
            assert!(
                attempts < 200,
                "form {n} of client {who} never got a receipt"
            );
            let answer = exchange(balancer, &request).await.unwrap_or_default();
            let status = answer.split_whitespace().nth(1).unwrap_or("");
            if let Some(tracking) = receipt_in(&answer) {
                if dropped {
                    tally.resent_after_drop.push((token.clone(), sent_at));
                }
                tally.receipts.insert(token.clone(), tracking);
                break;
            }
            match status {
                "503" => tally.busy += 1,
                "" | "502" => dropped = true,
                other => panic!("unexpected answer {other}: {answer}"),
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instance_killed_behind_haproxy_loses_nothing_and_search_follows_within_a_second() {
    if !is_postgres() {
        eprintln!("this test needs the PostgreSQL run of the suite (OPENDOCKET_TEST_POSTGRES_URL)");
        return;
    }
    let h = Harness::new(Utc::now()).await;
    let now = Utc::now();
    h.create_docket(
        DOCKET,
        now - Duration::hours(1),
        now + Duration::days(10),
        false,
    )
    .await;
    let limits = [
        (
            "OPENDOCKET_COMMENT_LIMITS",
            "1000000/1000000,1000000/1000000",
        ),
        ("OPENDOCKET_READ_LIMITS", "1000000/1000000,1000000/1000000"),
        ("RUST_LOG", "warn"),
    ];
    let mut instances: Vec<ServerProcess> = ["a", "b", "c"]
        .iter()
        .map(|name| ServerProcess::start_with(&h.database_url, h.dir.path(), name, &limits))
        .collect();
    let balancer = LoadBalancer::start(
        h.dir.path(),
        &instances.iter().map(|i| i.addr).collect::<Vec<_>>(),
    );

    let keys = Arc::new(h.store().form_token_key().await.unwrap());
    let clients: Vec<_> = (0..CLIENTS)
        .map(|who| tokio::spawn(send_forms(balancer.addr, keys.clone(), who)))
        .collect();
    // Kill instance b once the burst is under way.
    let started = std::time::Instant::now();
    while h.comment_count().await < (CLIENTS * FORMS_PER_CLIENT / 4) as i64 {
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let stored_before_kill = h.comment_count().await;
    instances[1].child.kill().unwrap(); // SIGKILL
    instances[1].child.wait().unwrap();

    let mut receipts: HashMap<String, String> = HashMap::new();
    let (mut resent_after_drop, mut busy) = (Vec::new(), 0);
    for client in clients {
        let tally = client.await.unwrap();
        resent_after_drop.extend(tally.resent_after_drop);
        busy += tally.busy;
        for (token, tracking) in tally.receipts {
            assert!(receipts.insert(token, tracking).is_none());
        }
    }
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT tracking_number FROM comments WHERE docket_id = $1")
            .bind(DOCKET)
            .fetch_all(h.store().pool())
            .await
            .unwrap();
    let stored_set: HashSet<&String> = stored.iter().collect();
    // A resent form whose comment arrived before its last copy was sent was stored from an
    // earlier copy whose answer was lost: the last copy was shown that first receipt.
    let mut first_receipt_given_again = 0;
    for (token, last_sent_at) in &resent_after_drop {
        let arrived: i64 =
            sqlx::query_scalar("SELECT received_at FROM comments WHERE tracking_number = $1")
                .bind(&receipts[token])
                .fetch_one(h.store().pool())
                .await
                .unwrap();
        if arrived < *last_sent_at {
            first_receipt_given_again += 1;
        }
    }
    let given: HashSet<&String> = receipts.values().collect();
    println!(
        "failover: {} forms, {} receipts, {} stored ({} before instance b was killed), \
         {} sent again after a dropped connection or 502 ({} of them already stored, given \
         their first receipt), {} refused with 503",
        CLIENTS * FORMS_PER_CLIENT,
        given.len(),
        stored.len(),
        stored_before_kill,
        resent_after_drop.len(),
        first_receipt_given_again,
        busy
    );
    assert_eq!(
        receipts.len(),
        CLIENTS * FORMS_PER_CLIENT,
        "every form got a receipt"
    );
    assert_eq!(given.len(), receipts.len(), "no two forms share a receipt");
    assert_eq!(stored.len(), stored_set.len());
    assert_eq!(
        stored_set, given,
        "every receipt stored exactly once, and nothing stored without a receipt"
    );

    // Hanging up right after sending a form loses the answer, not the comment: sent again, the
    // same form gets the receipt of the comment stored the first time.
    let docket = DocketId::parse(DOCKET).unwrap();
    for n in 0..10 {
        let token = keys.issue_asking(&docket, Utc::now() - Duration::seconds(30), 0);
        let text = format!("Hung up after sending, {n}.");
        let request = comment_request(balancer.addr, &token, &text);
        let mut stream = tokio::net::TcpStream::connect(balancer.addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        drop(stream);
        let stored_first = async {
            loop {
                let tracking: Option<String> =
                    sqlx::query_scalar("SELECT tracking_number FROM comments WHERE body = $1")
                        .bind(&text)
                        .fetch_optional(h.store().pool())
                        .await
                        .unwrap();
                if let Some(tracking) = tracking {
                    return tracking;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        };
        let stored_first = tokio::time::timeout(std::time::Duration::from_secs(10), stored_first)
            .await
            .expect("a form whose sender hung up is stored all the same");
        let again = exchange(balancer.addr, &request).await.unwrap();
        assert_eq!(receipt_in(&again).as_deref(), Some(stored_first.as_str()));
        let copies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE body = $1")
            .bind(&text)
            .fetch_one(h.store().pool())
            .await
            .unwrap();
        assert_eq!(copies, 1, "sent twice, stored once");
    }
    println!("failover: 10 forms whose sender hung up were stored once and sent again got their first receipt");

    // Search on instance c follows comments taken by instance a.
    let (a, c) = (&instances[0], &instances[2]);
    let cookie = a
        .sign_in_new_staff(
            h.store(),
            "analyst@ftc.gov",
            opendocket_core::roles::Role::Analyst,
        )
        .await;
    let mut delays = Vec::new();
    for n in 0..VISIBILITY_SAMPLES {
        let word = format!("visibilityprobe{n}");
        let token = keys.issue_asking(&docket, Utc::now() - Duration::seconds(30), 0);
        let form = encode_form(&[
            ("form_token", &token),
            ("submitter_type", "anonymous"),
            ("comment", &format!("A probe: {word}.")),
        ]);
        let taken = a
            .http("POST", &format!("/dockets/{DOCKET}"), Some(&form))
            .unwrap();
        assert_eq!(taken.status, 303);
        let receipt_at = std::time::Instant::now();
        loop {
            let found = c
                .http_with_cookie(
                    "GET",
                    &format!("/staff/search?q={word}"),
                    None,
                    Some(&cookie),
                )
                .unwrap();
            assert_eq!(found.status, 200);
            if found.body.contains("1 comment matches") {
                delays.push(receipt_at.elapsed());
                break;
            }
            assert!(
                receipt_at.elapsed() < std::time::Duration::from_secs(10),
                "instance c never found {word}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
    delays.sort();
    let percentile = |p: f64| delays[((delays.len() as f64 * p).ceil() as usize).max(1) - 1];
    println!(
        "search on another instance: p50 {} ms, p99 {} ms, max {} ms over {} comments",
        percentile(0.50).as_millis(),
        percentile(0.99).as_millis(),
        delays.last().unwrap().as_millis(),
        delays.len()
    );
    assert!(
        percentile(0.99) < std::time::Duration::from_secs(1),
        "a comment taken by one instance is searchable on another within a second at p99"
    );
    drop(balancer);
}
