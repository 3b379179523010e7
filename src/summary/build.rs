//! Making a docket summary from the database, keeping summaries, and the one-row-per-comment CSV.

use super::{Audience, CampaignCount, Count, DayCount, DocketSummary, SummaryReason, TagCount};
use crate::accounts::Actor;
use crate::campaign::edits::personal_edits;
use crate::campaign::normalise::plain_text;
use crate::campaign::MAX_DETECTION_CHARS;
use crate::campaign::SUBSTANTIAL_WORDS;
use crate::comment::SubmitterType;
use crate::docket::DocketId;
use crate::moderation::WithholdReason;
use crate::store::{audit_docket, from_millis, to_millis, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeMap;

/// Rows per breakdown (states, countries, organizations).
const TOP: i64 = 15;
const QUARTER_HOUR_MS: i64 = 15 * 60 * 1000;
/// Campaigns described one by one; smaller ones are counted together.
const CAMPAIGNS_IN_DETAIL: usize = 25;
/// Quotes per tag and additions per campaign.
const EXAMPLES: i64 = 3;
const QUOTE_CHARS: usize = 280;
#[derive(Default)]
struct Totals {
    received: i64,
    posted: i64,
    pending: i64,
    late: i64,
    withheld: Vec<(String, i64)>,
    by_submitter: Vec<Count>,
}

/// A kept summary in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSummary {
    pub id: i64,
    pub made_at: DateTime<Utc>,
    pub reason: SummaryReason,
}

/// `text` as one line of at most `QUOTE_CHARS` characters.
fn excerpt(text: &str) -> String {
    crate::text::one_line_excerpt(&plain_text(text), QUOTE_CHARS)
}

impl Store {
    /// The docket's summary as of now, for `audience`; `None` if there is no such docket.
    pub async fn docket_summary(
        &self,
        docket_id: &DocketId,
        audience: Audience,
        now: DateTime<Utc>,
    ) -> Result<Option<DocketSummary>, StoreError> {
        let Some(docket) = self.docket(docket_id).await? else {
            return Ok(None);
        };
        let id = docket_id.as_str();
        let zone = docket.agency.time_zone;
        let totals = self.summary_totals(id).await?;
        let public = audience == Audience::Public;
        // Text the audience may read: staff see comments not withheld; the public posted ones as posted.
        let readable = if public {
            "c.status = 'posted'"
        } else {
            "c.status <> 'withheld'"
        };
        let text = if public {
            "COALESCE(c.redacted_body, c.body)"
        } else {
            "c.body"
        };
        // Places and organizations are typed by submitters: the public version counts only posted
        // comments, so nothing typed in a withheld comment is published.
        let posted_only = if public {
            "AND c.status = 'posted'"
        } else {
            ""
        };
        let by_state = self
            .breakdown(id, "c.state_province_region", posted_only, TOP)
            .await?;
        let by_country = self.breakdown(id, "c.country", posted_only, TOP).await?;
        let organizations = self
            .breakdown(id, "c.organization", posted_only, TOP)
            .await?;
        let mut tags = Vec::new();
        for tag in self.tags(id).await? {
            if public && !tag.published {
                continue;
            }
            let rows = sqlx::query(&format!(
                "SELECT {text} AS text FROM comment_tags ct JOIN comments c ON c.id = ct.comment_id
                 WHERE ct.tag_id = $1 AND {readable} ORDER BY c.received_at, c.id LIMIT {EXAMPLES}"
            ))
            .bind(tag.id)
            .fetch_all(self.pool())
            .await?;
            let quotes = rows
                .iter()
                .map(|r| r.try_get::<String, _>("text").map(|t| excerpt(&t)))
                .collect::<Result<_, _>>()?;
            tags.push(TagCount {
                name: tag.name,
                comments: tag.comments,
                quotes,
            });
        }
        let mut campaigns = Vec::new();
        let sizes = self.campaign_sizes(id).await?;
        let in_campaigns = sizes.iter().map(|(_, n)| n).sum();
        let others = sizes.get(CAMPAIGNS_IN_DETAIL..).unwrap_or_default();
        let (other_campaigns, other_campaign_comments) =
            (others.len() as i64, others.iter().map(|(_, n)| n).sum());
        for (campaign_id, _) in sizes.iter().take(CAMPAIGNS_IN_DETAIL) {
            let Some(c) = self.campaign(id, *campaign_id).await? else {
                continue;
            };
            let rows = sqlx::query(&format!(
                "SELECT c.id, {text} AS text FROM comments c
                 WHERE c.campaign_id = $1 AND c.added_words >= {SUBSTANTIAL_WORDS} AND {readable}
                 ORDER BY c.added_words DESC, c.id LIMIT {EXAMPLES}"
            ))
            .bind(c.id)
            .fetch_all(self.pool())
            .await?;
            let bodies = rows
                .iter()
                .map(|row| Ok((row.try_get("id")?, row.try_get("text")?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            let mut additions = Vec::new();
            for (_, body) in self
                .with_file_texts(bodies, public, MAX_DETECTION_CHARS)
                .await?
            {
                let added = personal_edits(&c.letter, &body).added.join(" ");
                if !added.is_empty() {
                    additions.push(excerpt(&added));
                }
            }
            // The public sees the letter only as posted (redacted where a moderator redacted it).
            let letter = if public {
                let typed = sqlx::query(
                    "SELECT COALESCE(redacted_body, body) AS text FROM comments
                     WHERE id = $1 AND status = 'posted'",
                )
                .bind(c.representative_id)
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.try_get::<String, _>("text"))
                .transpose()?;
                match typed {
                    Some(typed) => self
                        .with_file_texts(
                            vec![(c.representative_id, typed)],
                            true,
                            MAX_DETECTION_CHARS,
                        )
                        .await?
                        .pop()
                        .map(|(_, text)| text),
                    None => None,
                }
            } else {
                Some(c.letter.clone())
            };
            campaigns.push(CampaignCount {
                id: c.id,
                received: c.received,
                posted: c.posted,
                share: if totals.received == 0 {
                    0.0
                } else {
                    c.received as f64 * 100.0 / totals.received as f64
                },
                letter_excerpt: letter.map_or_else(
                    || "(The letter itself has not been posted.)".to_owned(),
                    |l| excerpt(&l),
                ),
                first_received: c.first_received,
                last_received: c.last_received,
                personalised: c.substantial,
                additions,
            });
        }
        // Counted in quarter hours in SQL (every zone's offset is a whole number of them), then
        // put on the agency's calendar here, so daylight saving time is exact.
        let mut per_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
        let rows = sqlx::query(&format!(
            "SELECT received_at / {QUARTER_HOUR_MS} AS quarter, COUNT(*) AS n FROM comments
             WHERE docket_id = $1 GROUP BY received_at / {QUARTER_HOUR_MS}"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        for row in rows {
            let quarter: i64 = row.try_get("quarter")?;
            let day = from_millis(quarter * QUARTER_HOUR_MS)?
                .with_timezone(&zone)
                .date_naive();
            *per_day.entry(day).or_default() += row.try_get::<i64, _>("n")?;
        }
        Ok(Some(DocketSummary {
            docket_id: id.to_owned(),
            title: docket.title,
            agency: docket.agency.name,
            time_zone: zone.name().to_owned(),
            opens_at: docket.window.opens_at,
            closes_at: docket.window.closes_at,
            made_at: now,
            audience,
            received: totals.received,
            posted: totals.posted,
            pending: totals.pending,
            late: totals.late,
            withheld: totals.withheld,
            by_submitter: totals.by_submitter,
            by_state,
            by_country,
            organizations,
            tags,
            campaigns,
            other_campaigns,
            other_campaign_comments,
            in_campaigns,
            unique: totals.received - in_campaigns,
            per_day: per_day
                .into_iter()
                .map(|(day, received)| DayCount { day, received })
                .collect(),
        }))
    }

    /// The docket's totals and counts by submitter type, from one pass over its comments.
    async fn summary_totals(&self, docket_id: &str) -> Result<Totals, StoreError> {
        let rows = sqlx::query(
            "SELECT submitter_type, status, withheld_reason, late, COUNT(*) AS n FROM comments
             WHERE docket_id = $1 GROUP BY submitter_type, status, withheld_reason, late",
        )
        .bind(docket_id)
        .fetch_all(self.pool())
        .await?;
        let mut totals = Totals::default();
        let mut withheld: BTreeMap<usize, i64> = BTreeMap::new();
        let mut by_type: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for row in rows {
            let n: i64 = row.try_get("n")?;
            let status: String = row.try_get("status")?;
            let kind: String = row.try_get("submitter_type")?;
            totals.received += n;
            if row.try_get::<i64, _>("late")? == 1 {
                totals.late += n;
            }
            let of_type = by_type.entry(kind).or_default();
            of_type.0 += n;
            match status.as_str() {
                "posted" => {
                    totals.posted += n;
                    of_type.1 += n;
                }
                "pending" => totals.pending += n,
                _ => {
                    let reason = row
                        .try_get::<Option<String>, _>("withheld_reason")?
                        .as_deref()
                        .and_then(WithholdReason::parse)
                        .unwrap_or(WithholdReason::Other);
                    let at = WithholdReason::ALL
                        .iter()
                        .position(|r| *r == reason)
                        .unwrap_or_default();
                    *withheld.entry(at).or_default() += n;
                }
            }
        }
        totals.withheld = withheld
            .into_iter()
            .map(|(at, n)| (WithholdReason::ALL[at].label().to_owned(), n))
            .collect();
        totals.by_submitter = by_type
            .into_iter()
            .map(|(kind, (received, posted))| Count {
                label: SubmitterType::parse(&kind).map_or(kind.clone(), |t| t.label().to_owned()),
                received,
                posted,
            })
            .collect();
        totals
            .by_submitter
            .sort_by(|a, b| b.received.cmp(&a.received).then(a.label.cmp(&b.label)));
        Ok(totals)
    }

    /// Every campaign of the docket with its number of comments, largest first.
    async fn campaign_sizes(&self, docket_id: &str) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT campaign_id, COUNT(*) AS n FROM comments
             WHERE docket_id = $1 AND campaign_id IS NOT NULL
             GROUP BY campaign_id ORDER BY n DESC, campaign_id",
        )
        .bind(docket_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("campaign_id")?, r.try_get("n")?)))
            .collect()
    }

    /// Received and posted counts of a docket's comments by `column`, largest first.
    async fn breakdown(
        &self,
        docket_id: &str,
        column: &str,
        extra: &str,
        limit: i64,
    ) -> Result<Vec<Count>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {column} AS label, COUNT(*) AS received,
                 SUM(CASE WHEN c.status = 'posted' THEN 1 ELSE 0 END) AS posted
             FROM comments c WHERE c.docket_id = $1 AND {column} IS NOT NULL {extra}
             GROUP BY {column} ORDER BY received DESC, label LIMIT $2"
        ))
        .bind(docket_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Count {
                    label: r.try_get("label")?,
                    received: r.try_get("received")?,
                    posted: r.try_get("posted")?,
                })
            })
            .collect()
    }

    /// Makes and keeps the docket's summary: the staff version at a close, the public one when
    /// an admin publishes (recorded in the audit log). Returns the kept summary's id.
    pub async fn save_summary(
        &self,
        docket_id: &str,
        reason: SummaryReason,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let id = DocketId::parse(docket_id)
            .map_err(|_| StoreError::Corrupt(format!("docket id {docket_id:?}")))?;
        let audience = match reason {
            SummaryReason::Closed => Audience::Staff,
            SummaryReason::Published => Audience::Public,
        };
        let summary = self
            .docket_summary(&id, audience, now)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("docket {docket_id} vanished")))?;
        let json = serde_json::to_string(&summary)
            .map_err(|e| StoreError::Corrupt(format!("summary not serialisable: {e}")))?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO docket_summaries (docket_id, made_at, reason, summary_json)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(docket_id)
        .bind(to_millis(now))
        .bind(reason.as_str())
        .bind(json)
        .fetch_one(&mut **tx)
        .await?;
        let kept: i64 = row.try_get("id")?;
        if reason == SummaryReason::Published {
            let after = format!("summary {kept} published");
            audit_docket(
                &mut tx,
                actor,
                "docket.publish_summary",
                &id,
                None,
                Some(&after),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(kept)
    }

    /// Whether an admin has published a summary of the docket.
    pub async fn has_published_summary(&self, docket_id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 FROM docket_summaries WHERE docket_id = $1 AND reason = 'published' LIMIT 1",
        )
        .bind(docket_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// The docket's kept summaries, newest first.
    pub async fn saved_summaries(&self, docket_id: &str) -> Result<Vec<SavedSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, made_at, reason FROM docket_summaries WHERE docket_id = $1 ORDER BY id DESC",
        )
        .bind(docket_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let reason: String = r.try_get("reason")?;
                Ok(SavedSummary {
                    id: r.try_get("id")?,
                    made_at: from_millis(r.try_get("made_at")?)?,
                    reason: SummaryReason::parse(&reason)
                        .ok_or_else(|| StoreError::Corrupt(format!("summary reason {reason:?}")))?,
                })
            })
            .collect()
    }

    /// A kept summary of the docket: the one with `id`, or the latest published one.
    pub async fn saved_summary(
        &self,
        docket_id: &str,
        id: Option<i64>,
    ) -> Result<Option<DocketSummary>, StoreError> {
        let row = match id {
            Some(id) => {
                sqlx::query("SELECT summary_json FROM docket_summaries WHERE docket_id = $1 AND id = $2")
                    .bind(docket_id)
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?
            }
            None => sqlx::query(
                "SELECT summary_json FROM docket_summaries WHERE docket_id = $1 AND reason = 'published'
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(docket_id)
            .fetch_optional(self.pool())
            .await?,
        };
        row.map(|r| {
            let json: String = r.try_get("summary_json")?;
            serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("kept summary unreadable: {e}")))
        })
        .transpose()
    }
}
