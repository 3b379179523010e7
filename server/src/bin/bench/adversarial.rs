//! The hostile-input benchmark: for each family of input an attacker controls, the time at n and
//! at 4n and their ratio (near 4 is linear), and the memory a server process gains while five
//! people each upload twenty 10 MB files at once.

use anyhow::{Context, Result};
use opendocket_core::campaign::edits::personal_edits;
use opendocket_core::campaign::normalise::normalised_words;
use opendocket_core::redaction::find_phrase;
use opendocket_core::search::query::parse_query;
use opendocket_core::search::request::SearchParams;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// One input family: its name, what n counts, the n measured, and the work for a given n.
struct Family {
    name: &'static str,
    unit: &'static str,
    n: usize,
    run: Box<dyn Fn(usize)>,
}

/// The best of a few runs, so a stray pause does not decide the ratio.
fn time(run: &dyn Fn(usize), n: usize) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            run(n);
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn families() -> Vec<Family> {
    vec![
        Family {
            name: "many `<` without `>` (normalise)",
            unit: "characters",
            n: 1_000_000,
            run: Box::new(|n| {
                let _ = normalised_words(&"<a".repeat(n / 2));
            }),
        },
        Family {
            name: "many sentences (personal edits)",
            unit: "sentences",
            n: 2_000,
            run: Box::new(|n| {
                let letter: String = (0..n).map(|i| format!("Line {i} of a letter.\n")).collect();
                let copy: String = (0..n).map(|i| format!("Other words {i} here.\n")).collect();
                let _ = personal_edits(&letter, &copy);
            }),
        },
        Family {
            name: "a phrase found everywhere (redaction)",
            unit: "characters",
            n: 200_000,
            run: Box::new(|n| {
                let _ = find_phrase(&"é ".repeat(n / 2), "é");
            }),
        },
        Family {
            name: "nested and long queries (parse, capped)",
            unit: "characters",
            n: 250,
            run: Box::new(|n| {
                for _ in 0..1_000 {
                    let _ = parse_query(&format!("{}a", "-".repeat(n - 1)));
                    let _ = parse_query(&"(a OR b) ".repeat(n / 9));
                }
            }),
        },
        Family {
            name: "many facet parameters (search URL)",
            unit: "parameters",
            n: 50_000,
            run: Box::new(|n| {
                let values: Vec<String> = (0..n).map(|i| format!("S{i}")).collect();
                let _ = SearchParams::from_pairs(values.iter().map(|v| ("state", v.as_str())));
            }),
        },
        Family {
            name: "many form fields (urlencoded, capped)",
            unit: "fields",
            n: 250,
            run: Box::new(|n| {
                let body = "field=value&".repeat(n);
                for _ in 0..1_000 {
                    let _ = opendocket_server::form::parse_urlencoded(body.as_bytes());
                }
            }),
        },
    ]
}

pub async fn report() -> Result<()> {
    println!();
    println!(
        "Hostile input: time at n and at 4n (a ratio near 4 is linear; capped inputs stop growing)"
    );
    println!(
        "{:<42} {:>10} {:>11} {:>11} {:>11} {:>6}",
        "input", "unit", "n", "time n", "time 4n", "ratio"
    );
    for family in families() {
        let small = time(&family.run, family.n);
        let large = time(&family.run, family.n * 4);
        println!(
            "{:<42} {:>10} {:>11} {:>9.1}ms {:>9.1}ms {:>6.2}",
            family.name,
            family.unit,
            family.n,
            small.as_secs_f64() * 1e3,
            large.as_secs_f64() * 1e3,
            large.as_secs_f64() / small.as_secs_f64().max(1e-9)
        );
    }
    upload_memory().await
}

/// Starts `opendocket serve` beside this benchmark, sends five forms of twenty 10 MB files at
/// once (streamed, never held in memory here) and reports the server's resident memory.
async fn upload_memory() -> Result<()> {
    let program = std::env::current_exe()?
        .parent()
        .context("no directory beside the benchmark")?
        .join("opendocket");
    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = std::process::Command::new(&program)
        .arg("serve")
        .env("OPENDOCKET_DATA_DIR", dir.path())
        .env("LEPTOS_SITE_ADDR", &addr)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("could not start {}", program.display()))?;
    let result = measure_uploads(server.id(), &addr).await;
    let _ = server.kill();
    let _ = server.wait();
    result
}

async fn measure_uploads(pid: u32, addr: &str) -> Result<()> {
    let started = Instant::now();
    let docket_page = loop {
        if let Ok(page) = get(addr, "/dockets/FTC-2023-0018") {
            if form_token_of(&page).is_some() {
                break page;
            }
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = docket_page;
    let before = rss_mb(pid, "VmRSS:");
    let senders: Vec<_> = (0..5)
        .map(|i| {
            let addr = addr.to_owned();
            std::thread::spawn(move || send_upload(&addr, i))
        })
        .collect();
    let mut peak = before;
    while senders.iter().any(|s| !s.is_finished()) {
        peak = peak.max(rss_mb(pid, "VmRSS:"));
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut statuses = Vec::new();
    for sender in senders {
        statuses.push(
            sender
                .join()
                .map_err(|_| anyhow::anyhow!("a sender panicked"))??,
        );
    }
    println!();
    println!("Five concurrent comments with 20 × 10 MB files each (the release server):");
    println!("  answers: {statuses:?}");
    println!(
        "  resident memory before {before:.0} MB, peak while receiving {peak:.0} MB: +{:.0} MB (goal: under +150 MB)",
        peak - before
    );
    Ok(())
}

fn rss_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The signed token of the comment form on a docket page.
fn form_token_of(page: &str) -> Option<String> {
    let marker = "name=\"form_token\" value=\"";
    let start = page.find(marker)? + marker.len();
    let end = start + page[start..].find('"')?;
    Some(page[start..end].to_owned())
}

fn get(addr: &str, path: &str) -> std::io::Result<String> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut page = String::new();
    stream.read_to_string(&mut page)?;
    Ok(page)
}

/// Sends one comment with twenty 10 MB text files, streaming the body; returns the status line.
fn send_upload(addr: &str, sender: usize) -> Result<String> {
    const BOUNDARY: &str = "----opendocket-bench";
    const FILE_BYTES: usize = 10 * 1024 * 1024;
    let page = get(addr, "/dockets/FTC-2023-0018")?;
    let token =
        form_token_of(&page).with_context(|| format!("sender {sender} found no comment form"))?;
    let text_part = |name: &str, value: &str| {
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let head = [
        text_part("form_token", &token),
        text_part("submitter_type", "anonymous"),
        text_part("comment", "Twenty letters attached."),
    ]
    .concat();
    let file_head = |i: usize| {
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"letter-{i}.txt\"\r\nContent-Type: text/plain\r\n\r\n"
        )
    };
    let tail = format!("--{BOUNDARY}--\r\n");
    let length = head.len()
        + (0..20)
            .map(|i| file_head(i).len() + FILE_BYTES + 2)
            .sum::<usize>()
        + tail.len();
    let mut stream = std::net::TcpStream::connect(addr)?;
    write!(
        stream,
        "POST /dockets/FTC-2023-0018 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n\r\n{head}"
    )?;
    let line = format!("letter {sender} says the same thing again and again. ");
    let chunk: Vec<u8> = line.bytes().cycle().take(64 * 1024).collect();
    for i in 0..20 {
        stream.write_all(file_head(i).as_bytes())?;
        let mut left = FILE_BYTES;
        while left > 0 {
            let n = left.min(chunk.len());
            stream.write_all(&chunk[..n])?;
            left -= n;
        }
        stream.write_all(b"\r\n")?;
    }
    stream.write_all(tail.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer.lines().next().unwrap_or_default().to_owned())
}
