//! Campaign detection in the benchmark: precision and recall on a labelled set built from real
//! comments used as letters with realistic edits, clustering speed at scale, and how long the
//! docket summary takes on a stored docket of that size.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use opendocket_core::accounts::Actor;
use opendocket_core::campaign::clusterer::Clusterer;
use opendocket_core::campaign::signature::Signature;
use opendocket_core::docket::{DocketId, NewDocket, NewDocument};
use opendocket_core::store::Store;
use opendocket_core::summary::Audience;
use opendocket_core::window::CommentWindow;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Connection;
use std::collections::HashMap;
use std::time::Instant;

/// Letters of the labelled set and of the scale runs.
pub const LETTERS: usize = 12;
const SCALE_LETTERS: usize = 50;

pub struct Labelled {
    pub texts: Vec<String>,
    /// The letter each text copies, or `None` for a comment of its own.
    pub labels: Vec<Option<usize>>,
}

fn sentences(text: &str) -> Vec<String> {
    text.split_inclusive(['.', '!', '?', '\n'])
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Real comments of 80 to 300 words, no two of them alike, to serve as letters.
pub fn pick_letters(texts: &[String], n: usize, seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut letters: Vec<(String, Signature)> = Vec::new();
    for _ in 0..texts.len() * 4 {
        if letters.len() == n {
            break;
        }
        let text = &texts[rng.random_range(0..texts.len())];
        let words = text.split_whitespace().count();
        if !(80..=300).contains(&words) {
            continue;
        }
        let Some(signature) = Signature::of(text) else {
            continue;
        };
        if letters.iter().all(|(_, s)| s.similarity(&signature) < 0.2) {
            letters.push((text.clone(), signature));
        }
    }
    letters.into_iter().map(|(t, _)| t).collect()
}

fn typo(word: &str, rng: &mut StdRng) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    let i = rng.random_range(1..chars.len() - 1);
    let mut out = chars.clone();
    if rng.random_bool(0.5) {
        out.swap(i, i + 1);
    } else {
        out.remove(i);
    }
    out.into_iter().collect()
}

/// A copy of `letter` as people send them: typos, a personal sentence or two from another real
/// comment, sentences moved or dropped, greetings and signature blocks, escaped markup.
pub fn edited_copy(letter: &str, others: &[String], names: &[String], rng: &mut StdRng) -> String {
    let mut parts = sentences(letter);
    if parts.len() > 3 && rng.random_bool(0.3) {
        let (a, b) = (
            rng.random_range(0..parts.len()),
            rng.random_range(0..parts.len()),
        );
        parts.swap(a, b);
    }
    if parts.len() > 4 && rng.random_bool(0.15) {
        parts.remove(rng.random_range(0..parts.len()));
    }
    if rng.random_bool(0.7) {
        for _ in 0..rng.random_range(1..=4) {
            let i = rng.random_range(0..parts.len());
            let words: Vec<&str> = parts[i].split(' ').collect();
            let w = rng.random_range(0..words.len());
            let mut words: Vec<String> = words.iter().map(|s| (*s).to_owned()).collect();
            words[w] = typo(&words[w], rng);
            parts[i] = words.join(" ");
        }
    }
    if rng.random_bool(0.5) {
        let other = sentences(&others[rng.random_range(0..others.len())]);
        for _ in 0..rng.random_range(1..=2) {
            if let Some(s) = other.get(rng.random_range(0..other.len().max(1))) {
                let at = rng.random_range(0..=parts.len());
                parts.insert(at, s.clone());
            }
        }
    }
    let mut text = parts.join(" ");
    if rng.random_bool(0.2) {
        text = format!("Dear Sir or Madam,\n\n{text}");
    }
    if rng.random_bool(0.6) {
        let name = &names[rng.random_range(0..names.len())];
        text = format!("{text}\n\nSincerely,\n{name}");
    }
    if rng.random_bool(0.2) {
        text = text.replace('&', "&amp;amp;").replace('\n', "<br/>");
    }
    if rng.random_bool(0.05) {
        text = text.to_uppercase();
    }
    text
}

/// `copies` edited copies of each letter and `uniques` other real comments, shuffled.
pub fn labelled_set(
    texts: &[String],
    names: &[String],
    letters: &[String],
    copies: usize,
    uniques: usize,
    seed: u64,
) -> Labelled {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut items: Vec<(String, Option<usize>)> = Vec::new();
    for (l, letter) in letters.iter().enumerate() {
        for _ in 0..copies {
            items.push((edited_copy(letter, texts, names, &mut rng), Some(l)));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut pool: Vec<&String> = texts
        .iter()
        .filter(|t| !letters.contains(t))
        .filter(|t| seen.insert(opendocket_core::campaign::normalise::normalised_words(t)))
        .collect();
    for i in (1..pool.len()).rev() {
        pool.swap(i, rng.random_range(0..=i));
    }
    items.extend(pool.into_iter().take(uniques).map(|t| (t.clone(), None)));
    for i in (1..items.len()).rev() {
        items.swap(i, rng.random_range(0..=i));
    }
    let (texts, labels) = items.into_iter().unzip();
    Labelled { texts, labels }
}

/// Pairwise precision and recall: of the pairs put in one campaign, how many copy the same letter;
/// of the pairs copying the same letter, how many were put in one campaign.
pub fn pair_scores(labels: &[Option<usize>], predicted: &[Option<u32>]) -> (f64, f64) {
    fn pairs(n: u64) -> u64 {
        n * n.saturating_sub(1) / 2
    }
    let mut cells: HashMap<(usize, u32), u64> = HashMap::new();
    let mut truth: HashMap<usize, u64> = HashMap::new();
    let mut found: HashMap<u32, u64> = HashMap::new();
    for (label, cluster) in labels.iter().zip(predicted) {
        if let Some(l) = label {
            *truth.entry(*l).or_default() += 1;
        }
        if let Some(c) = cluster {
            *found.entry(*c).or_default() += 1;
        }
        if let (Some(l), Some(c)) = (label, cluster) {
            *cells.entry((*l, *c)).or_default() += 1;
        }
    }
    let together: u64 = cells.values().map(|n| pairs(*n)).sum();
    let predicted_pairs: u64 = found.values().map(|n| pairs(*n)).sum();
    let true_pairs: u64 = truth.values().map(|n| pairs(*n)).sum();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    (
        ratio(together, predicted_pairs),
        ratio(together, true_pairs),
    )
}

pub struct ScaleRun {
    pub size: usize,
    pub seconds: f64,
    pub campaigns: usize,
    pub in_campaigns: usize,
    /// Cluster of each comment (for storing the docket afterwards).
    pub assigned: Vec<Option<u32>>,
}

/// Clusters `size` comments (70 % edited copies of 50 letters, 30 % other comments from
/// `unique(i)`), generated and placed 100,000 at a time; only placing is timed.
pub fn cluster_at_scale(
    size: usize,
    texts: &[String],
    names: &[String],
    unique: impl Fn(usize) -> String,
    mut keep: impl FnMut(usize, &str, Option<u32>),
) -> Result<ScaleRun> {
    let letters = pick_letters(texts, SCALE_LETTERS, 7);
    anyhow::ensure!(
        !letters.is_empty(),
        "the corpus has no comments long enough to be letters"
    );
    let mut clusterer = Clusterer::default();
    let mut assigned = Vec::with_capacity(size);
    let mut seconds = 0.0;
    let mut start = 0;
    while start < size {
        let end = (start + 100_000).min(size);
        let chunk: Vec<String> = (start..end)
            .map(|i| {
                let mut rng = StdRng::seed_from_u64(i as u64 ^ 0xCA11);
                if rng.random_bool(0.7) {
                    let letter = &letters[rng.random_range(0..letters.len())];
                    edited_copy(letter, texts, names, &mut rng)
                } else {
                    unique(i)
                }
            })
            .collect();
        let began = Instant::now();
        let placed = clusterer.add_all(&chunk);
        seconds += began.elapsed().as_secs_f64();
        for (i, (text, cluster)) in chunk.iter().zip(&placed).enumerate() {
            keep(start + i, text, *cluster);
        }
        assigned.extend(placed);
        start = end;
    }
    let campaigns = clusterer.sizes.iter().filter(|n| **n >= 2).count();
    let in_campaigns = clusterer
        .sizes
        .iter()
        .filter(|n| **n >= 2)
        .map(|n| *n as usize)
        .sum();
    Ok(ScaleRun {
        size,
        seconds,
        campaigns,
        in_campaigns,
        assigned,
    })
}

/// Stores `rows` (text, cluster) as a docket's comments in a SQLite file: placed in campaigns
/// already when `placed`, otherwise waiting to be placed as if they had just arrived.
async fn stored_docket(
    path: &std::path::Path,
    rows: &[(String, Option<u32>)],
    placed: bool,
) -> Result<(Store, DocketId, DateTime<Utc>)> {
    let opens = DateTime::<Utc>::from_timestamp_millis(super::OPENS_MS).unwrap_or_default();
    let store = Store::open(&format!("sqlite://{}", path.display())).await?;
    let id = DocketId::parse(super::DOCKET)?;
    let docket = NewDocket {
        id: id.clone(),
        title: "Improving and Expanding Training Opportunities for F-1 Students".into(),
        agency_name: "U.S. Immigration and Customs Enforcement".into(),
        time_zone: chrono_tz::America::New_York,
        document: NewDocument {
            title: "Proposed rule".into(),
            summary: "Benchmark docket.".into(),
            body_markdown: "Benchmark docket.".into(),
            federal_register_citation: None,
        },
        window: CommentWindow::new(opens, opens + Duration::days(30), false)?,
    };
    store
        .create_docket(&docket, &Actor::CommandLine, opens)
        .await?;
    let mut first_of: HashMap<u32, usize> = HashMap::new();
    let mut sizes: HashMap<u32, usize> = HashMap::new();
    for (i, (_, cluster)) in rows.iter().enumerate() {
        if let Some(c) = cluster {
            first_of.entry(*c).or_insert(i);
            *sizes.entry(*c).or_default() += 1;
        }
    }
    let mut conn = store.pool().acquire().await?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA synchronous = OFF")
        .execute(&mut *conn)
        .await?;
    let mut tx = conn.begin().await?;
    for (cluster, first) in &first_of {
        if placed && sizes[cluster] >= 2 {
            sqlx::query("INSERT INTO campaigns (id, docket_id, representative_id, created_at) VALUES ($1, $2, $3, $4)")
                .bind(i64::from(*cluster) + 1)
                .bind(super::DOCKET)
                .bind(*first as i64 + 1)
                .bind(super::OPENS_MS)
                .execute(&mut *tx)
                .await?;
        }
    }
    let document: String = sqlx::query_scalar("SELECT id FROM documents LIMIT 1")
        .fetch_one(&mut *tx)
        .await?;
    let window: i64 = sqlx::query_scalar("SELECT id FROM comment_windows LIMIT 1")
        .fetch_one(&mut *tx)
        .await?;
    for (i, (text, cluster)) in rows.iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(i as u64);
        let campaign = cluster
            .filter(|c| placed && sizes[c] >= 2)
            .map(|c| i64::from(c) + 1);
        let status = match rng.random_range(0..10) {
            0..6 => "posted",
            6..9 => "pending",
            _ => "withheld",
        };
        let kind = if rng.random_bool(0.85) {
            "individual"
        } else {
            "organization"
        };
        let received = super::OPENS_MS + rng.random_range(0..30 * super::DAY_MS);
        sqlx::query(
            "INSERT INTO comments (id, tracking_number, idempotency_key, docket_id, window_id, document_id,
                 submitter_type, first_name, organization, state_province_region, country, body, received_at,
                 late, status, withheld_reason, public_id, campaign_checked, campaign_id, added_words,
                 posted_at, last_modified_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'United States', $11, $12, 0, $13, $14, $15, $16, $17, $18,
                 $19, $19)",
        )
        .bind(i as i64 + 1)
        .bind(format!("bench-{i}"))
        .bind(format!("bench-key-{i}"))
        .bind(super::DOCKET)
        .bind(window)
        .bind(&document)
        .bind(kind)
        .bind((kind == "individual").then_some("Pat"))
        .bind((kind == "organization").then(|| format!("Organization {}", i % 500)))
        .bind(super::STATES[i % super::STATES.len()])
        .bind(text)
        .bind(received)
        .bind(status)
        .bind((status == "withheld").then_some("spam"))
        .bind((status == "posted").then(|| format!("{}-{:07}", super::DOCKET, i + 2)))
        .bind(i64::from(placed))
        .bind(campaign)
        .bind(campaign.map(|_| if rng.random_bool(0.1) { 25i64 } else { 0 }))
        .bind((status == "posted").then_some(received + super::DAY_MS))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    drop(conn);
    Ok((store, id, opens + Duration::days(31)))
}

/// How long the docket summary takes on `rows` stored as a docket, campaigns included.
pub async fn time_summary(path: &std::path::Path, rows: &[(String, Option<u32>)]) -> Result<f64> {
    let (store, id, after_close) = stored_docket(path, rows, true).await?;
    let began = Instant::now();
    let summary = store
        .docket_summary(&id, Audience::Staff, after_close)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the benchmark docket vanished"))?;
    let seconds = began.elapsed().as_secs_f64();
    anyhow::ensure!(
        summary.received == rows.len() as i64,
        "the summary counted {} of {}",
        summary.received,
        rows.len()
    );
    store.pool().close().await;
    Ok(seconds)
}

/// Places `texts` one by one through the database, as comments are placed when they arrive.
/// Returns the seconds it took and each text's campaign.
pub async fn time_arrivals(
    path: &std::path::Path,
    texts: &[String],
) -> Result<(f64, Vec<Option<u32>>)> {
    let rows: Vec<(String, Option<u32>)> = texts.iter().map(|t| (t.clone(), None)).collect();
    let (store, _, after_close) = stored_docket(path, &rows, false).await?;
    let began = Instant::now();
    let placed = store
        .assign_waiting_campaigns(rows.len() as i64, after_close)
        .await?;
    let seconds = began.elapsed().as_secs_f64();
    anyhow::ensure!(placed == rows.len(), "placed {placed} of {}", rows.len());
    let assigned: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, campaign_id FROM comments ORDER BY id")
            .fetch_all(store.pool())
            .await?;
    store.pool().close().await;
    Ok((
        seconds,
        assigned
            .into_iter()
            .map(|(_, c)| c.map(|c| c as u32))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_scores_count_pairs() {
        let labels = [Some(0), Some(0), Some(0), None, None];
        assert_eq!(
            pair_scores(&labels, &[Some(1), Some(1), Some(1), None, Some(2)]),
            (1.0, 1.0)
        );
        let (p, r) = pair_scores(&labels, &[Some(1), Some(1), Some(2), Some(2), None]);
        assert_eq!((p, r), (0.5, 1.0 / 3.0));
    }
}
