//! The submission benchmark: a release server on a fresh data directory (SQLite with
//! `synchronous = FULL`, or PostgreSQL when `OPENDOCKET_TEST_POSTGRES_URL` is set) takes comment
//! forms with valid tokens and unique keys from many loopback source addresses over kept-alive
//! HTTP/1.1 connections (hyper's client). Prints the trivial endpoint's rate, the submission rate
//! and latency at 16, 128 and 1,024 connections, and a 75,000-comment burst: how long it took to
//! absorb, receipts, refusals, and whether every receipt is in the database. The per-network
//! comment limits are set out of the way: this measures the write path, not the abuse limits.

use crate::flood::start_server_with;
use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use opendocket_core::docket::DocketId;
use opendocket_core::form_token::FormTokenKey;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DOCKET: &str = "FTC-2023-0018";
const SECONDS: u64 = 5;
const BURST: usize = 75_000;
const METRICS_TOKEN: &str = "bench";
const PLACEMENT_WATCH: Duration = Duration::from_secs(30);

/// The server's `/metrics` page.
async fn metrics(server: SocketAddr) -> Result<String> {
    let mut connection = connect(0, server).await?;
    let request = hyper::Request::get("/metrics")
        .header(hyper::header::HOST, server.to_string())
        .header(
            hyper::header::AUTHORIZATION,
            format!("Bearer {METRICS_TOKEN}"),
        )
        .body(Full::new(Bytes::new()))?;
    connection.sender.ready().await?;
    let body = connection
        .sender
        .send_request(request)
        .await?
        .into_body()
        .collect()
        .await?;
    Ok(String::from_utf8_lossy(&body.to_bytes()).into_owned())
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

const WAITING_FOR_PLACEMENT: &str = "opendocket_campaign_placement_waiting";

/// The server's own account of its write queue: comments per transaction, and comments still
/// waiting for campaign placement.
async fn queue_report(server: SocketAddr) -> Result<String> {
    let text = metrics(server).await?;
    Ok(format!(
        "{:.0} transactions, {:.1} comments each on average; {:.0} comments waiting for campaign placement",
        metric(&text, "opendocket_submission_batch_size_count"),
        metric(&text, "opendocket_submission_batch_size_sum")
            / metric(&text, "opendocket_submission_batch_size_count"),
        metric(&text, WAITING_FOR_PLACEMENT),
    ))
}

/// Watches the placement worker work through what the burst left, with nothing else arriving,
/// for at most `PLACEMENT_WATCH`: how many comments it placed a second.
async fn placement_report(server: SocketAddr) -> Result<String> {
    let started = Instant::now();
    let waiting_at_start = metric(&metrics(server).await?, WAITING_FOR_PLACEMENT);
    let mut waiting = waiting_at_start;
    while waiting > 0.0 && started.elapsed() < PLACEMENT_WATCH {
        tokio::time::sleep(Duration::from_millis(500)).await;
        waiting = metric(&metrics(server).await?, WAITING_FOR_PLACEMENT);
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(format!(
        "Campaign placement afterwards: {:.0} comments placed in {seconds:.1} s ({:.0}/s), {waiting:.0} still waiting",
        waiting_at_start - waiting,
        (waiting_at_start - waiting) / seconds,
    ))
}

/// Connection `i`'s source address: 127.1.0.0/16 and up, so each 256 connections share a /24.
fn source(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(
        127,
        1 + (i / 65_536) as u8,
        (i / 256 % 256) as u8,
        (i % 256) as u8,
    )
}

struct Connection {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
}

async fn connect(i: usize, server: SocketAddr) -> Result<Connection> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::V4(source(i)), 0))?;
    let stream = socket.connect(server).await?;
    let (sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(Connection { sender })
}

/// What one request got: its status, the receipt it pointed to, and how long it took.
struct Answer {
    status: u16,
    receipt: Option<String>,
    retry_after: bool,
    millis: f64,
}

async fn send(connection: &mut Connection, request: hyper::Request<Full<Bytes>>) -> Result<Answer> {
    let started = Instant::now();
    connection.sender.ready().await?;
    let response = connection.sender.send_request(request).await?;
    let status = response.status().as_u16();
    let receipt = response
        .headers()
        .get(hyper::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("/receipts/"))
        .map(str::to_owned);
    let retry_after = response.headers().contains_key(hyper::header::RETRY_AFTER);
    response.into_body().collect().await?;
    Ok(Answer {
        status,
        receipt,
        retry_after,
        millis: started.elapsed().as_secs_f64() * 1000.0,
    })
}

fn comment_post(
    server: SocketAddr,
    keys: &FormTokenKey,
    text: &str,
) -> hyper::Request<Full<Bytes>> {
    let docket = DocketId::parse(DOCKET).expect("a docket id");
    // Shown a minute ago: not too fast for a person.
    let shown = chrono::Utc::now() - chrono::Duration::seconds(60);
    let token = keys.issue_asking(&docket, shown, 0);
    let body = format!(
        "form_token={token}&submitter_type=anonymous&comment={}",
        text.replace(' ', "+")
    );
    hyper::Request::post(format!("/dockets/{DOCKET}"))
        .header(hyper::header::HOST, server.to_string())
        .header(
            hyper::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(hyper::header::ORIGIN, format!("http://{server}"))
        .body(Full::new(Bytes::from(body)))
        .expect("a request")
}

fn get(server: SocketAddr, path: &str) -> hyper::Request<Full<Bytes>> {
    hyper::Request::get(path)
        .header(hyper::header::HOST, server.to_string())
        .header(hyper::header::ACCEPT_ENCODING, "gzip, deflate, br")
        .body(Full::new(Bytes::new()))
        .expect("a request")
}

/// The versioned path of the WebAssembly bundle the docket page names, if the site is built.
async fn bundle_path(server: SocketAddr) -> Result<Option<String>> {
    let mut connection = connect(0, server).await?;
    connection.sender.ready().await?;
    let page = connection
        .sender
        .send_request(get(server, &format!("/dockets/{DOCKET}")))
        .await?
        .into_body()
        .collect()
        .await?
        .to_bytes();
    let page = String::from_utf8_lossy(&page);
    Ok(page.find("/pkg/").and_then(|at| {
        let version: String = page[at + 5..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        (version.len() == 16).then(|| format!("/pkg/{version}/opendocket.wasm"))
    }))
}

#[derive(Default)]
struct Tally {
    took: Vec<f64>,
    receipts: Vec<String>,
    refused_with_retry: usize,
    other: usize,
    errors: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.took.extend(other.took);
        self.receipts.extend(other.receipts);
        self.refused_with_retry += other.refused_with_retry;
        self.other += other.other;
        self.errors += other.errors;
    }

    fn quantile(&mut self, q: f64) -> f64 {
        if self.took.is_empty() {
            return f64::NAN;
        }
        self.took.sort_by(f64::total_cmp);
        self.took[((self.took.len() as f64 * q) as usize).min(self.took.len() - 1)]
    }
}

/// `connections` connections each sending what `next` makes until `until`, or until `budget`
/// requests were sent in all.
async fn drive(
    server: SocketAddr,
    connections: usize,
    until: Instant,
    budget: Option<Arc<AtomicUsize>>,
    next: Arc<dyn Fn(usize) -> hyper::Request<Full<Bytes>> + Send + Sync>,
) -> Result<Tally> {
    let mut tasks = Vec::new();
    for i in 0..connections {
        let next = next.clone();
        let budget = budget.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut connection = None;
            while Instant::now() < until {
                let n = match &budget {
                    Some(left) => {
                        match left
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        {
                            Ok(n) => n,
                            Err(_) => break,
                        }
                    }
                    None => 0,
                };
                if connection.is_none() {
                    match connect(i, server).await {
                        Ok(c) => connection = Some(c),
                        Err(_) => {
                            tally.errors += 1;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    }
                }
                let c = connection.as_mut().expect("connected");
                match send(c, next(n)).await {
                    Ok(answer) => {
                        tally.took.push(answer.millis);
                        match (answer.status, answer.receipt) {
                            (303, Some(receipt)) | (200, Some(receipt)) => {
                                tally.receipts.push(receipt)
                            }
                            (200, None) => tally.receipts.push(String::new()),
                            (503, _) if answer.retry_after => tally.refused_with_retry += 1,
                            _ => tally.other += 1,
                        }
                    }
                    Err(_) => {
                        tally.errors += 1;
                        connection = None;
                    }
                }
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for task in tasks {
        all.add(task.await?);
    }
    Ok(all)
}

async fn stored_tracking_numbers(store: &opendocket_core::store::Store) -> Result<HashSet<String>> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT tracking_number FROM comments")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>("tracking_number")?))
        .collect()
}

pub async fn report() -> Result<()> {
    let program = std::env::current_exe()?
        .parent()
        .context("no directory beside the benchmark")?
        .join("opendocket");
    let dir = tempfile::tempdir()?;
    let postgres = std::env::var("OPENDOCKET_TEST_POSTGRES_URL").ok();
    let database_url = match &postgres {
        Some(admin) => {
            let name = format!("bench_{}", std::process::id());
            let store = opendocket_core::store::Store::open(admin).await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(store.pool())
                .await?;
            let (base, _) = admin.rsplit_once('/').context("a database URL")?;
            format!("{base}/{name}")
        }
        None => format!("sqlite://{}", dir.path().join("opendocket.db").display()),
    };
    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite (synchronous = FULL)"
    };
    let (mut child, server) = start_server_with(
        &program,
        dir.path(),
        &[
            ("DATABASE_URL", database_url.as_str()),
            (
                "OPENDOCKET_COMMENT_LIMITS",
                "1000000/1000000,1000000/1000000",
            ),
            ("OPENDOCKET_MAX_CONNECTIONS", "4096"),
            ("OPENDOCKET_METRICS_TOKEN", METRICS_TOKEN),
        ],
    )
    .await?;
    let store = opendocket_core::store::Store::open(&database_url).await?;
    let keys = store.form_token_key().await?;
    println!("Submissions on {backend}, kept-alive connections from many loopback addresses, {SECONDS} s per row:");
    println!(
        "{:<34} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "load", "answers/s", "p50 ms", "p99 ms", "refused", "errors"
    );
    let health: Arc<dyn Fn(usize) -> _ + Send + Sync> = Arc::new(move |_| get(server, "/healthz"));
    let until = Instant::now() + Duration::from_secs(SECONDS);
    let mut trivial = drive(server, 128, until, None, health).await?;
    let trivial_rate = trivial.took.len() as f64 / SECONDS as f64;
    println!(
        "{:<34} {:>10.0} {:>9.1} {:>9.1} {:>9} {:>9}",
        "GET /healthz, 128 connections",
        trivial_rate,
        trivial.quantile(0.5),
        trivial.quantile(0.99),
        trivial.other,
        trivial.errors
    );
    match bundle_path(server).await? {
        Some(path) => {
            let label = "GET the .wasm (brotli), 128 conns";
            let wasm: Arc<dyn Fn(usize) -> _ + Send + Sync> = Arc::new(move |_| get(server, &path));
            let until = Instant::now() + Duration::from_secs(SECONDS);
            let mut files = drive(server, 128, until, None, wasm).await?;
            println!(
                "{:<34} {:>10.0} {:>9.1} {:>9.1} {:>9} {:>9}",
                label,
                files.took.len() as f64 / SECONDS as f64,
                files.quantile(0.5),
                files.quantile(0.99),
                files.other,
                files.errors
            );
        }
        None => println!(
            "(no built bundle under target/site: run `cargo leptos build --release` to measure it)"
        ),
    }
    let mut rate_at_128 = 0.0;
    for connections in [16usize, 128, 1024] {
        let posts: Arc<dyn Fn(usize) -> _ + Send + Sync> = {
            let keys = keys.clone();
            Arc::new(move |_| {
                comment_post(
                    server,
                    &keys,
                    "A comment on the proposed order about health data.",
                )
            })
        };
        let until = Instant::now() + Duration::from_secs(SECONDS);
        let mut tally = drive(server, connections, until, None, posts).await?;
        let rate = tally.receipts.len() as f64 / SECONDS as f64;
        if connections == 128 {
            rate_at_128 = rate;
        }
        println!(
            "{:<34} {:>10.0} {:>9.1} {:>9.1} {:>9} {:>9}",
            format!("POST a comment, {connections} connections"),
            rate,
            tally.quantile(0.5),
            tally.quantile(0.99),
            tally.refused_with_retry + tally.other,
            tally.errors
        );
    }
    println!(
        "Stored comments a second at 128 connections / GET /healthz a second: {:.2}",
        rate_at_128 / trivial_rate
    );
    // The burst: 75,000 forms over 1,024 connections, as fast as they are answered.
    let before = stored_tracking_numbers(&store).await?.len();
    let posts: Arc<dyn Fn(usize) -> _ + Send + Sync> = {
        let keys = keys.clone();
        Arc::new(move |n| comment_post(server, &keys, &format!("Burst comment {n} on the order.")))
    };
    let started = Instant::now();
    let left = Arc::new(AtomicUsize::new(BURST));
    let mut burst = drive(
        server,
        1024,
        Instant::now() + Duration::from_secs(600),
        Some(left),
        posts,
    )
    .await?;
    let absorbed = started.elapsed();
    let stored = stored_tracking_numbers(&store).await?;
    let missing = burst
        .receipts
        .iter()
        .filter(|r| !stored.contains(r.as_str()))
        .count();
    let (p50, p99) = (burst.quantile(0.5), burst.quantile(0.99));
    println!(
        "Burst of {BURST} comments over 1,024 connections: absorbed in {:.1} s ({:.0}/s), {} receipts, {} refused with Retry-After, {} other answers, {} connection errors; p50 {:.0} ms, p99 {:.0} ms; {} comments stored, {} receipts missing from the database",
        absorbed.as_secs_f64(),
        BURST as f64 / absorbed.as_secs_f64(),
        burst.receipts.len(),
        burst.refused_with_retry,
        burst.other,
        burst.errors,
        p50,
        p99,
        stored.len() - before,
        missing,
    );
    println!("Write queue: {}", queue_report(server).await?);
    println!("{}", placement_report(server).await?);
    let _ = child.kill();
    let _ = child.wait();
    anyhow::ensure!(missing == 0, "{missing} receipts are not in the database");
    Ok(())
}
