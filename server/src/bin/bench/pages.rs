//! The public pages benchmark: a release server over dockets of 0, 100,000 and 1,000,000 posted
//! comments, its public pages read by 16 clients at once for a few seconds each. Reports each
//! page's rate and latency, and the docket page's rate beside the empty docket's (the goal: at
//! least half of it at any size).

use crate::flood::{exchange, start_server_with};
use anyhow::{Context, Result};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

const DOCKET: &str = "FTC-2023-0018";
const CLIENTS: usize = 16;
const SECONDS: u64 = 5;
/// Lets the benchmark read each answer's `Server-Timing`, the server's own time.
const METRICS_TOKEN: &str = "bench-pages";

/// Adds `n` posted comments to the demo docket, straight into the database (as an import would).
async fn fill(data_dir: &std::path::Path, n: usize) -> Result<()> {
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        data_dir.join("opendocket.db").display()
    ))
    .await?;
    let window: i64 =
        sqlx::query_scalar("SELECT MAX(id) FROM comment_windows WHERE docket_id = $1")
            .bind(DOCKET)
            .fetch_one(&db)
            .await?;
    let now = chrono::Utc::now().timestamp_millis();
    let mut tx = db.begin().await?;
    for i in 0..n {
        let at = now - i as i64;
        sqlx::query(
            "INSERT INTO comments (tracking_number, idempotency_key, docket_id, window_id, document_id,
                 submitter_type, body, received_at, status, public_id, posted_at, last_modified_at)
             VALUES ($1, $2, $3, $4, $5, 'anonymous', $6, $7, 'posted', $8, $7, $7)",
        )
        .bind(format!("bench-{i}"))
        .bind(format!("bench-key-{i}"))
        .bind(DOCKET)
        .bind(window)
        .bind(format!("{DOCKET}-0001"))
        .bind("A posted comment of moderate length about the proposed order and its consent terms.")
        .bind(at)
        .bind(format!("{DOCKET}-{:07}", i + 2))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    db.close().await;
    Ok(())
}

struct Reading {
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    server_p99_ms: f64,
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

/// The `app;dur=` of an answer's `Server-Timing` header, in milliseconds.
fn server_time(answer: &str) -> Option<f64> {
    let head = &answer[..answer.find("\r\n\r\n")?];
    head.lines()
        .find_map(|line| line.strip_prefix("server-timing: app;dur="))?
        .trim()
        .parse()
        .ok()
}

/// `clients` clients reading `path` for `seconds` seconds.
async fn read(server: SocketAddr, path: String, clients: usize, seconds: u64) -> Result<Reading> {
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut running = Vec::new();
    for _ in 0..clients {
        let path = path.clone();
        running.push(tokio::spawn(async move {
            let (mut took, mut server_took) = (Vec::new(), Vec::new());
            while Instant::now() < until {
                let request = format!(
                    "GET {path} HTTP/1.1\r\nHost: {server}\r\nAuthorization: Bearer {METRICS_TOKEN}\r\nConnection: close\r\n\r\n"
                );
                let started = Instant::now();
                let (status, answer) = exchange(Ipv4Addr::LOCALHOST, server, request).await?;
                anyhow::ensure!(status == 200, "{path} answered {status}");
                took.push(started.elapsed().as_secs_f64() * 1000.0);
                server_took.push(server_time(&answer).context("no Server-Timing header")?);
            }
            anyhow::Ok((took, server_took))
        }));
    }
    let (mut took, mut server_took) = (Vec::new(), Vec::new());
    for client in running {
        let (client_took, client_server_took) = client.await??;
        took.extend(client_took);
        server_took.extend(client_server_took);
    }
    took.sort_by(f64::total_cmp);
    server_took.sort_by(f64::total_cmp);
    Ok(Reading {
        rate: took.len() as f64 / seconds as f64,
        p50_ms: quantile(&took, 0.5),
        p99_ms: quantile(&took, 0.99),
        server_p99_ms: quantile(&server_took, 0.99),
    })
}

pub async fn report() -> Result<()> {
    let program = std::env::current_exe()?
        .parent()
        .context("no directory beside the benchmark")?
        .join("opendocket");
    println!("Public pages over dockets of growing size ({CLIENTS} clients, {SECONDS} s each, a new connection per request; then one client alone for 2 s):");
    println!(
        "{:<12} {:<34} {:>9} {:>8} {:>8} {:>15} {:>18} {:>9}",
        "comments",
        "page",
        "pages/s",
        "p50 ms",
        "p99 ms",
        "server p99 ms",
        "alone: server p99",
        "vs empty"
    );
    let mut empty_rate = None;
    for size in [0usize, 100_000, 1_000_000] {
        let dir = tempfile::tempdir()?;
        let environment = [("OPENDOCKET_METRICS_TOKEN", METRICS_TOKEN)];
        let (mut child, _) = start_server_with(&program, dir.path(), &environment).await?;
        let _ = child.kill();
        let _ = child.wait();
        fill(dir.path(), size).await?;
        let (mut child, server) = start_server_with(&program, dir.path(), &environment).await?;
        let deep = (size / 25).max(1);
        let pages = [
            ("docket page", format!("/dockets/{DOCKET}")),
            ("home page", "/".to_owned()),
            (
                "one comment's page",
                format!("/comments/{DOCKET}-{:07}", size / 2 + 2),
            ),
            (
                "an old page of the docket, by key",
                format!(
                    "/dockets/{DOCKET}?page={deep}&before={DOCKET}-{:07}",
                    size.saturating_sub(20)
                ),
            ),
            (
                "a middle page, typed (?page=N)",
                format!("/dockets/{DOCKET}?page={}", (deep / 2).max(1)),
            ),
        ];
        for (name, path) in pages {
            if size == 0 && name != "docket page" && name != "home page" {
                continue;
            }
            let reading = read(server, path.clone(), CLIENTS, SECONDS).await?;
            let alone = read(server, path, 1, 2).await?;
            let versus = match (name, empty_rate) {
                ("docket page", None) => {
                    empty_rate = Some(reading.rate);
                    "1.00".to_owned()
                }
                ("docket page", Some(empty)) => format!("{:.2}", reading.rate / empty),
                _ => String::new(),
            };
            println!(
                "{:<12} {:<34} {:>9.0} {:>8.1} {:>8.1} {:>15.1} {:>18.1} {:>9}",
                size,
                name,
                reading.rate,
                reading.p50_ms,
                reading.p99_ms,
                reading.server_p99_ms,
                alone.server_p99_ms,
                versus
            );
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    println!("Goal: the docket page at 100,000 and 1,000,000 comments at least 0.5 of the empty docket's rate.");
    Ok(())
}
