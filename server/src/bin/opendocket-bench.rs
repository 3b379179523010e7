//! The search benchmark: builds corpora of comments from real public comment texts with synthetic
//! variation, indexes them with tantivy (the production index code) and with SQLite FTS5, runs the
//! same staff query mix on both, and prints a table. Not a test: it reports what it measures.

#[path = "bench/adversarial.rs"]
mod adversarial;
#[path = "bench/api.rs"]
mod api;
#[path = "bench/campaigns.rs"]
mod campaigns;
#[path = "bench/flood.rs"]
mod flood;
#[path = "bench/pages.rs"]
mod pages;
#[path = "bench/submissions.rs"]
mod submissions;

use anyhow::{Context, Result};
use clap::Parser;
use opendocket_core::moderation::CommentStatus;
use opendocket_core::search::index::{
    Filters, IndexedComment, Scope, SearchIndex, SearchSpec, Sort,
};
use opendocket_core::search::query::parse_query;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const FULL_CORPUS: &str =
    "../shared/data/ice-2015-0002-opt-stem-comments-v3/ICEB-2015-0002_documents.jsonl";
const SAMPLE_CORPUS: &str = "server/bench-data/iceb-2015-0002-sample.jsonl";
const DOCKET: &str = "ICEB-2015-0002";
const STATES: [&str; 12] = [
    "CA", "NY", "TX", "WA", "MA", "IL", "NJ", "PA", "FL", "GA", "MI", "OH",
];
const TAGS: u64 = 8;
const DAY_MS: i64 = 86_400_000;
/// 2015-10-19T04:00:00Z, the opening of the real docket's window.
const OPENS_MS: i64 = 1_445_227_200_000;
const BATCH: usize = 10_000;

#[derive(Parser)]
#[command(
    name = "opendocket-bench",
    about = "Search benchmark (tantivy against SQLite FTS5 on the same corpus and queries), and campaign detection: quality, clustering speed and the docket summary."
)]
struct Args {
    /// Corpus sizes to build, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
    sizes: Vec<usize>,
    /// JSON Lines file of real comments (`commentText`, `title`); defaults to the full
    /// ICEB-2015-0002 corpus beside the repository, else the sample in the repository.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// How many times the whole query mix runs per engine and size.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// What to measure, comma-separated: tantivy, fts5, campaigns, api (the v4 API and the bulk
    /// download on the docket the campaign benchmark stores), adversarial (hostile input at n and
    /// 4n, and a server's memory under concurrent uploads; not in the default set), flood (comment
    /// floods against a release server's per-network limits; not in the default set), pages
    /// (public pages over dockets of 0, 100,000 and 1,000,000 comments; not in the default set),
    /// submissions (the comment write path at 16, 128 and 1,024 connections and a 75,000-comment
    /// burst; not in the default set).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "tantivy,fts5,campaigns,api"
    )]
    engines: Vec<String>,
    /// Where to build the indexes (a temporary directory by default).
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

struct Source {
    texts: Vec<String>,
    names: Vec<String>,
}

fn load_corpus(path: &Path) -> Result<Source> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read the corpus {}", path.display()))?;
    let mut texts = Vec::new();
    let mut names = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let body = value["commentText"].as_str().unwrap_or_default().trim();
        if body.len() < 20 {
            continue;
        }
        texts.push(body.to_owned());
        if let Some(name) = value["title"]
            .as_str()
            .and_then(|t| t.strip_prefix("Comment Submitted by "))
        {
            names.push(name.trim().to_owned());
        }
    }
    anyhow::ensure!(!texts.is_empty(), "no comment texts in {}", path.display());
    if names.is_empty() {
        names.push("Anonymous".into());
    }
    Ok(Source { texts, names })
}

fn sentences(text: &str) -> Vec<&str> {
    text.split_inclusive(['.', '!', '?'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Comment `i` of the synthetic corpus: a real comment, with sentences of another mixed in and
/// dropped, and a distribution of submitters, places, statuses, tags and days. The same `i`
/// always gives the same comment, so both engines index the same corpus.
fn synthetic(source: &Source, i: usize) -> IndexedComment {
    let mut rng = StdRng::seed_from_u64(i as u64);
    let base = &source.texts[i % source.texts.len()];
    let other = &source.texts[rng.random_range(0..source.texts.len())];
    let mut parts: Vec<&str> = sentences(base);
    if parts.len() > 2 && rng.random_bool(0.5) {
        let drop = rng.random_range(0..parts.len());
        parts.remove(drop);
    }
    let extra = sentences(other);
    if !extra.is_empty() && rng.random_bool(0.6) {
        let at = rng.random_range(0..=parts.len());
        parts.insert(at, extra[rng.random_range(0..extra.len())]);
    }
    let kind = match rng.random_range(0..100) {
        0..80 => "individual",
        80..95 => "organization",
        _ => "anonymous",
    };
    let name = source.names[rng.random_range(0..source.names.len())].clone();
    let status = match rng.random_range(0..10) {
        0..6 => CommentStatus::Posted,
        6..9 => CommentStatus::Pending,
        _ => CommentStatus::Withheld,
    };
    let tags = (0..rng.random_range(0..3))
        .map(|_| rng.random_range(1..=TAGS) as i64)
        .collect();
    IndexedComment {
        id: i as i64 + 1,
        docket_id: DOCKET.into(),
        window_id: 1,
        status,
        submitter_type: kind.into(),
        name: if kind == "individual" {
            name.clone()
        } else {
            String::new()
        },
        organization: if kind == "organization" {
            format!("{name} Association")
        } else {
            String::new()
        },
        state: STATES[rng.random_range(0..STATES.len())].into(),
        country: if rng.random_bool(0.9) {
            "United States".into()
        } else {
            "India".into()
        },
        body: parts.join(" "),
        redacted_body: None,
        late: rng.random_bool(0.03),
        received_at_ms: OPENS_MS + rng.random_range(0..30 * DAY_MS),
        tags,
        campaign: None,
        flags: Vec::new(),
        attachment_text: String::new(),
        public_attachment_text: String::new(),
    }
}

/// One query of the mix, as staff type it, with the facet filters they clicked.
struct MixQuery {
    label: &'static str,
    typed: &'static str,
    fts5: &'static str,
    filters: fn() -> Filters,
    sort: Sort,
}

fn no_filters() -> Filters {
    Filters::default()
}

fn posted_in_california() -> Filters {
    Filters {
        status: vec![CommentStatus::Posted],
        state: vec!["ca".into()],
        ..Filters::default()
    }
}

fn organizations() -> Filters {
    Filters {
        submitter_type: vec!["organization".into()],
        ..Filters::default()
    }
}

fn tagged() -> Filters {
    Filters {
        tag: vec![3],
        ..Filters::default()
    }
}

fn query_mix() -> Vec<MixQuery> {
    vec![
        MixQuery {
            label: "word",
            typed: "students",
            fts5: "students",
            filters: no_filters,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "word",
            typed: "economy",
            fts5: "economy",
            filters: no_filters,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "rare word",
            typed: "visa",
            fts5: "visa",
            filters: no_filters,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "phrase",
            typed: "\"american workers\"",
            fts5: "\"american workers\"",
            filters: no_filters,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "phrase",
            typed: "\"stem extension\"",
            fts5: "\"stem extension\"",
            filters: no_filters,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "boolean",
            typed: "students AND (jobs OR economy) -china",
            fts5: "students AND (jobs OR economy) NOT china",
            filters: no_filters,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "boolean",
            typed: "opt OR stem",
            fts5: "opt OR stem",
            filters: no_filters,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "prefix",
            typed: "educat*",
            fts5: "educat*",
            filters: no_filters,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "facet filter",
            typed: "students",
            fts5: "students",
            filters: posted_in_california,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "facet filter",
            typed: "support",
            fts5: "support",
            filters: organizations,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "tag filter",
            typed: "jobs",
            fts5: "jobs",
            filters: tagged,
            sort: Sort::Relevance,
        },
        MixQuery {
            label: "sort by date",
            typed: "jobs",
            fts5: "jobs",
            filters: no_filters,
            sort: Sort::Newest,
        },
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

struct Row_ {
    size: usize,
    engine: &'static str,
    build_rate: f64,
    index_mb: f64,
    latencies: Vec<Duration>,
    by_kind: Vec<(&'static str, f64, usize)>,
}

fn build_tantivy(source: &Source, size: usize, dir: &Path) -> Result<(SearchIndex, f64)> {
    let (index, _) = SearchIndex::open_or_create(dir)?;
    let mut writer: tantivy::IndexWriter = index.index().writer(256 * 1024 * 1024)?;
    let mut spent = Duration::ZERO;
    let mut batch = Vec::with_capacity(BATCH);
    for start in (0..size).step_by(BATCH) {
        batch.clear();
        batch.extend((start..(start + BATCH).min(size)).map(|i| synthetic(source, i)));
        let began = Instant::now();
        for doc in index.documents(&batch) {
            writer.add_document(doc)?;
        }
        spent += began.elapsed();
    }
    let began = Instant::now();
    writer.commit()?;
    writer.wait_merging_threads()?;
    spent += began.elapsed();
    index.reload()?;
    // Searches run a thread per segment, so how many there are shows in the latencies.
    eprintln!(
        "{size}: {} segments",
        index.index().searchable_segment_ids()?.len()
    );
    Ok((index, size as f64 / spent.as_secs_f64()))
}

async fn build_fts5(source: &Source, size: usize, path: &Path) -> Result<(SqlitePool, f64)> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await?;
    for ddl in [
        "CREATE TABLE comments (id INTEGER PRIMARY KEY, status TEXT, submitter_type TEXT, state TEXT,
             country TEXT, late INTEGER, received_at INTEGER)",
        "CREATE TABLE comment_tags (comment_id INTEGER, tag_id INTEGER, PRIMARY KEY (tag_id, comment_id))",
        "CREATE VIRTUAL TABLE comments_fts USING fts5(body, name, organization)",
    ] {
        sqlx::query(ddl).execute(&pool).await?;
    }
    let mut spent = Duration::ZERO;
    for start in (0..size).step_by(BATCH) {
        let docs: Vec<IndexedComment> = (start..(start + BATCH).min(size))
            .map(|i| synthetic(source, i))
            .collect();
        let began = Instant::now();
        let mut tx = pool.begin().await?;
        for d in &docs {
            sqlx::query("INSERT INTO comments VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(d.id)
                .bind(d.status.as_str())
                .bind(&d.submitter_type)
                .bind(d.state.to_lowercase())
                .bind(d.country.to_lowercase())
                .bind(i64::from(d.late))
                .bind(d.received_at_ms)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO comments_fts (rowid, body, name, organization) VALUES ($1, $2, $3, $4)")
                .bind(d.id)
                .bind(&d.body)
                .bind(&d.name)
                .bind(&d.organization)
                .execute(&mut *tx)
                .await?;
            for tag in &d.tags {
                sqlx::query("INSERT OR IGNORE INTO comment_tags VALUES ($1, $2)")
                    .bind(d.id)
                    .bind(tag)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        spent += began.elapsed();
    }
    let began = Instant::now();
    for ddl in [
        "CREATE INDEX comments_status ON comments (status)",
        "CREATE INDEX comments_state ON comments (state)",
        "CREATE INDEX comments_type ON comments (submitter_type)",
        "CREATE INDEX comments_received ON comments (received_at)",
        "INSERT INTO comments_fts (comments_fts) VALUES ('optimize')",
    ] {
        sqlx::query(ddl).execute(&pool).await?;
    }
    spent += began.elapsed();
    Ok((pool, size as f64 / spent.as_secs_f64()))
}

fn tantivy_spec(q: &MixQuery) -> Result<SearchSpec> {
    Ok(SearchSpec {
        scope: Scope::Staff,
        query: parse_query(q.typed).map_err(|e| anyhow::anyhow!("{}: {e}", q.typed))?,
        tag_ids: HashMap::new(),
        filters: (q.filters)(),
        sort: q.sort,
        offset: 0,
        limit: 20,
        day_zone: chrono_tz::America::New_York,
    })
}

/// The FTS5 equivalent of a staff search: the page of hits, the count, and every facet count.
async fn fts5_search(pool: &SqlitePool, q: &MixQuery) -> Result<usize> {
    let f = (q.filters)();
    let mut conditions = vec!["comments_fts MATCH $1".to_owned()];
    if !f.status.is_empty() {
        conditions.push(format!("c.status = '{}'", f.status[0].as_str()));
    }
    if !f.state.is_empty() {
        conditions.push(format!("c.state = '{}'", f.state[0]));
    }
    if !f.submitter_type.is_empty() {
        conditions.push(format!("c.submitter_type = '{}'", f.submitter_type[0]));
    }
    if !f.tag.is_empty() {
        conditions.push(format!(
            "c.id IN (SELECT comment_id FROM comment_tags WHERE tag_id = {})",
            f.tag[0]
        ));
    }
    let from = format!(
        "FROM comments_fts JOIN comments c ON c.id = comments_fts.rowid WHERE {}",
        conditions.join(" AND ")
    );
    let order = match q.sort {
        Sort::Relevance => "rank",
        Sort::Newest => "c.received_at DESC",
        Sort::Oldest => "c.received_at",
    };
    let hits = sqlx::query(&format!("SELECT c.id {from} ORDER BY {order} LIMIT 20"))
        .bind(q.fts5)
        .fetch_all(pool)
        .await?;
    let total: i64 = sqlx::query(&format!("SELECT COUNT(*) {from}"))
        .bind(q.fts5)
        .fetch_one(pool)
        .await?
        .get(0);
    for facet in [
        "c.status",
        "c.submitter_type",
        "c.state",
        "c.country",
        "c.late",
        &format!("(c.received_at - {}) / {DAY_MS}", 4 * 3_600_000),
    ] {
        sqlx::query(&format!("SELECT {facet}, COUNT(*) {from} GROUP BY 1"))
            .bind(q.fts5)
            .fetch_all(pool)
            .await?;
    }
    sqlx::query(&format!(
        "SELECT t.tag_id, COUNT(*) FROM comment_tags t WHERE t.comment_id IN (SELECT c.id {from}) GROUP BY 1"
    ))
    .bind(q.fts5)
    .fetch_all(pool)
    .await?;
    std::hint::black_box(hits);
    Ok(total as usize)
}

fn summarise(
    size: usize,
    engine: &'static str,
    build_rate: f64,
    index_mb: f64,
    samples: Vec<(&'static str, Duration)>,
) -> Row_ {
    let mut kinds: Vec<(&'static str, Vec<Duration>)> = Vec::new();
    for (label, d) in &samples {
        match kinds.iter_mut().find(|(l, _)| l == label) {
            Some((_, v)) => v.push(*d),
            None => kinds.push((label, vec![*d])),
        }
    }
    let mut latencies: Vec<Duration> = samples.into_iter().map(|(_, d)| d).collect();
    latencies.sort();
    Row_ {
        size,
        engine,
        build_rate,
        index_mb,
        latencies,
        by_kind: kinds
            .into_iter()
            .map(|(label, mut v)| {
                v.sort();
                (label, percentile(&v, 99.0), v.len())
            })
            .collect(),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.engines.iter().any(|e| e == "adversarial") {
        adversarial::report().await?;
        if args.engines.len() == 1 {
            return Ok(());
        }
    }
    if args.engines.iter().any(|e| e == "flood") {
        flood::report().await?;
        if args.engines.len() == 1 {
            return Ok(());
        }
    }
    if args.engines.iter().any(|e| e == "submissions") {
        submissions::report().await?;
    }
    if args.engines.iter().any(|e| e == "pages") {
        pages::report().await?;
        if args.engines.len() == 1 {
            return Ok(());
        }
    }
    let corpus = args.corpus.clone().unwrap_or_else(|| {
        let full = PathBuf::from(FULL_CORPUS);
        if full.exists() {
            full
        } else {
            PathBuf::from(SAMPLE_CORPUS)
        }
    });
    let source = load_corpus(&corpus)?;
    eprintln!(
        "corpus: {} real comments from {} (synthetic variation on top)",
        source.texts.len(),
        corpus.display()
    );
    let temp = tempfile::tempdir()?;
    let work = args
        .work_dir
        .clone()
        .unwrap_or_else(|| temp.path().to_owned());
    let mix = query_mix();
    let mut rows = Vec::new();
    for &size in &args.sizes {
        let dir = work.join(format!("tantivy-{size}"));
        if !args.engines.iter().any(|e| e == "tantivy") {
            eprintln!("{size}: tantivy skipped");
        } else {
            let _ = std::fs::remove_dir_all(&dir);
            eprintln!("{size}: building the tantivy index…");
            let (index, rate) = build_tantivy(&source, size, &dir)?;
            let size_mb = dir_size(&dir) as f64 / 1e6;
            let specs = mix.iter().map(tantivy_spec).collect::<Result<Vec<_>>>()?;
            for spec in &specs {
                index.search(spec)?; // warm up
            }
            let mut samples = Vec::new();
            for _ in 0..args.rounds {
                for (q, spec) in mix.iter().zip(&specs) {
                    let began = Instant::now();
                    let hits = index.search(spec)?;
                    samples.push((q.label, began.elapsed()));
                    std::hint::black_box(hits);
                }
            }
            rows.push(summarise(size, "tantivy", rate, size_mb, samples));
            drop(index);
            let _ = std::fs::remove_dir_all(&dir);
        }
        if !args.engines.iter().any(|e| e == "fts5") {
            eprintln!("{size}: SQLite FTS5 skipped");
            continue;
        }

        let db = work.join(format!("fts5-{size}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        eprintln!("{size}: building the SQLite FTS5 index…");
        let (pool, rate) = build_fts5(&source, size, &db).await?;
        let size_mb = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        for q in &mix {
            fts5_search(&pool, q).await?;
        }
        let mut samples = Vec::new();
        for _ in 0..args.rounds {
            for q in &mix {
                let began = Instant::now();
                let found = fts5_search(&pool, q).await?;
                samples.push((q.label, began.elapsed()));
                std::hint::black_box(found);
            }
        }
        rows.push(summarise(size, "sqlite-fts5", rate, size_mb, samples));
        pool.close().await;
        let _ = std::fs::remove_file(&db);
    }

    println!();
    println!(
        "Staff query mix: {} queries x {} rounds per engine; each query returns count, top 20 and every facet.",
        mix.len(),
        args.rounds
    );
    println!(
        "{:>9}  {:<12} {:>12} {:>10} {:>9} {:>9} {:>9}",
        "comments", "engine", "build/s", "index MB", "p50 ms", "p95 ms", "p99 ms"
    );
    for r in &rows {
        println!(
            "{:>9}  {:<12} {:>12.0} {:>10.0} {:>9.2} {:>9.2} {:>9.2}",
            r.size,
            r.engine,
            r.build_rate,
            r.index_mb,
            percentile(&r.latencies, 50.0),
            percentile(&r.latencies, 95.0),
            percentile(&r.latencies, 99.0)
        );
    }
    println!();
    println!("p99 ms by kind of query:");
    let kinds: Vec<&str> = rows
        .first()
        .map(|r| r.by_kind.iter().map(|k| k.0).collect())
        .unwrap_or_default();
    print!("{:>9}  {:<12}", "comments", "engine");
    for k in &kinds {
        print!(" {:>13}", k);
    }
    println!();
    for r in &rows {
        print!("{:>9}  {:<12}", r.size, r.engine);
        for (_, p99, _) in &r.by_kind {
            print!(" {:>13.2}", p99);
        }
        println!();
    }
    let with_api = args.engines.iter().any(|e| e == "api");
    if with_api || args.engines.iter().any(|e| e == "campaigns") {
        campaign_report(&source, &args.sizes, &work, with_api).await?;
    }
    println!();
    println!("Peak memory of this process: {:.0} MB", peak_rss_mb());
    Ok(())
}

async fn campaign_report(
    source: &Source,
    sizes: &[usize],
    work: &Path,
    with_api: bool,
) -> Result<()> {
    let letters = campaigns::pick_letters(&source.texts, campaigns::LETTERS, 2015);
    let labelled = campaigns::labelled_set(&source.texts, &source.names, &letters, 400, 5_000, 1);
    let (predicted, _) = opendocket_core::campaign::clusterer::cluster_all(&labelled.texts);
    let (precision, recall) = campaigns::pair_scores(&labelled.labels, &predicted);
    println!();
    println!(
        "Campaign detection on a labelled set: {} real comments as letters, 400 edited copies of each \
         (typos, added sentences, moved and dropped sentences, greetings, signatures, escaped markup), \
         and {} other real comments.",
        letters.len(),
        labelled.labels.iter().filter(|l| l.is_none()).count()
    );
    println!("  pairwise precision {precision:.4}, recall {recall:.4} (in memory, all at once)");
    let db = work.join("arrivals.db");
    let (seconds, placed) = campaigns::time_arrivals(&db, &labelled.texts).await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let (precision, recall) = campaigns::pair_scores(&labelled.labels, &placed);
    println!(
        "  pairwise precision {precision:.4}, recall {recall:.4} placed one by one through SQLite \
         as they arrive: {:.0} comments/s ({:.2} ms each)",
        placed.len() as f64 / seconds,
        seconds * 1000.0 / placed.len() as f64
    );
    println!();
    println!(
        "{:>9}  {:>12} {:>12} {:>10} {:>12} {:>12}",
        "comments", "cluster s", "comments/s", "campaigns", "in campaigns", "summary s"
    );
    let mut api_runs = Vec::new();
    for &size in sizes {
        let mut rows: Vec<(String, Option<u32>)> = Vec::with_capacity(size);
        let run = campaigns::cluster_at_scale(
            size,
            &source.texts,
            &source.names,
            |i| synthetic(source, i).body,
            |_, text, cluster| rows.push((text.to_owned(), cluster)),
        )?;
        let db = work.join(format!("summary-{size}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        eprintln!("{size}: storing the docket to time its summary…");
        let summary_s = campaigns::time_summary(&db, &rows).await?;
        if with_api {
            eprintln!("{size}: timing the API and the bulk download…");
            api_runs.push((size, api::time_api(&db, work).await?));
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        println!(
            "{:>9}  {:>12.1} {:>12.0} {:>10} {:>12} {:>12.2}",
            run.size,
            run.seconds,
            run.size as f64 / run.seconds,
            run.campaigns,
            run.in_campaigns,
            summary_s
        );
        drop(run.assigned);
    }
    if !api_runs.is_empty() {
        println!();
        println!("v4 API through the router (SQLite, 60% of comments posted), median / slowest of 15, ms:");
        print!("{:>9}", "comments");
        for (label, _, _) in &api_runs[0].1.requests {
            print!(" {:>22}", label);
        }
        println!();
        for (size, t) in &api_runs {
            print!("{size:>9}");
            for (_, median, slowest) in &t.requests {
                print!(" {:>22}", format!("{median:.1} / {slowest:.1}"));
            }
            println!();
        }
        println!();
        println!(
            "{:>9}  {:>14} {:>10} {:>10} {:>10} {:>16}",
            "comments", "export lines", "MB", "seconds", "MB/s", "memory added MB"
        );
        for (size, t) in &api_runs {
            println!(
                "{size:>9}  {:>14} {:>10.0} {:>10.1} {:>10.1} {:>16.0}",
                t.export_lines,
                t.export_mb,
                t.export_seconds,
                t.export_mb / t.export_seconds,
                t.export_rss_growth_mb
            );
        }
    }
    Ok(())
}
