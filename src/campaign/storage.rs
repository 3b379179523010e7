//! Campaigns in the database: placing each comment as it arrives, listing campaigns and their
//! copies, and staff changes (merge, split, leave, moderate a whole campaign), each audited.

use super::edits::personal_edits;
use super::signature::{Signature, BANDS};
use super::{
    best_match, Campaign, CampaignError, CampaignMember, Candidate, MAX_DETECTION_CHARS,
    SEED_BELOW, SUBSTANTIAL_WORDS,
};
use crate::accounts::{audit, Actor, AuditRecord};
use crate::moderation::{Decision, ModerationError, WithholdReason};
use crate::store::{
    from_millis, insert_changes, placeholders, record_change, to_millis, Backend, ChangeKind,
    Store, StoreError,
};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CampaignStoreError {
    #[error(transparent)]
    Campaign(#[from] CampaignError),
    #[error(transparent)]
    Moderation(#[from] ModerationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CampaignStoreError {
    fn from(e: sqlx::Error) -> Self {
        CampaignStoreError::Store(e.into())
    }
}

/// How staff moderate a whole campaign at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignChoice {
    /// Post every copy still waiting.
    PostEveryCopy,
    /// Post the representative letter; the other copies are withheld as duplicates and counted
    /// on it, as agencies usually do.
    PostRepresentative,
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// How many times a placement is prepared outside the lock before it is finished under it.
const PLACEMENT_ATTEMPTS: usize = 3;

/// Placements of waiting comments written in one transaction.
const PLACEMENTS_PER_TRANSACTION: usize = 64;

enum Prepared {
    /// Placed already (by another server, or earlier): its campaign.
    Done(Option<i64>),
    Pending(Box<Placement>),
}

/// A comment's placement worked out outside the write lock.
struct Placement {
    docket_id: String,
    body: String,
    /// `None` when the comment is too short or was taken out of campaigns.
    signature: Option<Signature>,
    choice: Option<LetterChoice>,
    /// What the comment adds to `choice`'s letter.
    added_words: Option<i64>,
}

/// The comment a new comment resembles most, and the letter it would be compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LetterChoice {
    best: Option<Candidate>,
    /// `best` is the oldest exact copy (same normalised words).
    exact: bool,
    /// The campaign's letter, or the matched comment itself when it starts a campaign.
    letter: Option<i64>,
}

/// Runs text work on a blocking thread; `what` names it if that thread fails.
async fn blocking<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Corrupt(format!("{what} failed: {e}")))
}

/// What one write transaction of placements has learned, so copies of one text placed in it
/// share the work: the exact-copy choices that placing more copies cannot change, and the
/// change rows for the search index, written together at the end.
#[derive(Default)]
struct PlacementRound {
    exact_choices: HashMap<(String, u64), LetterChoice>,
    changes: Vec<(i64, DateTime<Utc>)>,
}

impl PlacementRound {
    async fn finish(self, tx: &mut Tx) -> Result<(), StoreError> {
        insert_changes(tx, &self.changes, ChangeKind::Campaign).await
    }
}

/// `column` cut to the characters campaign detection reads.
fn capped(column: &str) -> String {
    format!("substr({column}, 1, {MAX_DETECTION_CHARS})")
}

const CAMPAIGN_SELECT: &str = "SELECT k.id, k.docket_id, k.representative_id, r.body AS letter,
        COUNT(c.id) AS received,
        SUM(CASE WHEN c.status = 'posted' THEN 1 ELSE 0 END) AS posted,
        SUM(CASE WHEN c.status = 'pending' THEN 1 ELSE 0 END) AS pending,
        SUM(CASE WHEN c.added_words >= $SUBSTANTIAL THEN 1 ELSE 0 END) AS substantial,
        MIN(c.received_at) AS first_received, MAX(c.received_at) AS last_received
    FROM campaigns k
    JOIN comments r ON r.id = k.representative_id
    JOIN comments c ON c.campaign_id = k.id";

/// The campaign query for the campaigns `filter` (a WHERE clause) picks, in `order`.
fn campaign_sql(filter: &str, order: &str) -> String {
    let select = CAMPAIGN_SELECT.replace("$SUBSTANTIAL", &SUBSTANTIAL_WORDS.to_string());
    format!("{select} {filter} GROUP BY k.id, k.docket_id, k.representative_id, r.body {order}")
}

fn campaign_from_row(row: &AnyRow) -> Result<Campaign, StoreError> {
    Ok(Campaign {
        id: row.try_get("id")?,
        docket_id: row.try_get("docket_id")?,
        representative_id: row.try_get("representative_id")?,
        letter: row.try_get("letter")?,
        received: row.try_get("received")?,
        posted: row.try_get("posted")?,
        pending: row.try_get("pending")?,
        substantial: row.try_get("substantial")?,
        first_received: from_millis(row.try_get("first_received")?)?,
        last_received: from_millis(row.try_get("last_received")?)?,
    })
}

impl Store {
    /// Places a comment that has just arrived in the campaign of the letter it copies, if any.
    /// Returns its campaign. Doing it again changes nothing; several servers may race on it.
    ///
    /// The text work (normalising, fingerprinting, comparing with the letter) is done first, on a
    /// blocking thread and outside any transaction; the write transaction then only re-checks the
    /// choice under the lock and writes. If another placement changed the choice meanwhile, the
    /// work is done again (at most `PLACEMENT_ATTEMPTS` times, then under the lock, where it is
    /// still bounded by `MAX_DETECTION_CHARS`).
    pub async fn assign_campaign(
        &self,
        comment_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        for attempt in 1..=PLACEMENT_ATTEMPTS {
            let prepared = match self.prepare_placements(&[comment_id]).await?.pop() {
                Some((_, Prepared::Done(campaign))) => return Ok(campaign),
                Some((_, Prepared::Pending(prepared))) => prepared,
                None => {
                    return Err(StoreError::Corrupt(format!(
                        "comment {comment_id} vanished"
                    )))
                }
            };
            let last = attempt == PLACEMENT_ATTEMPTS;
            if let Some(campaign) = self
                .commit_placement(comment_id, *prepared, last, now)
                .await?
            {
                return Ok(campaign);
            }
        }
        Err(StoreError::Corrupt(format!(
            "comment {comment_id} could not be placed in {PLACEMENT_ATTEMPTS} attempts"
        )))
    }

    /// Reads the comments and their best matches without holding any lock, and does the text
    /// work; in `ids`' order. One read transaction serves them all, and copies of one text share
    /// one lookup of their match and one read of its letter: a guess, checked again under the
    /// lock before anything is written.
    async fn prepare_placements(&self, ids: &[i64]) -> Result<Vec<(i64, Prepared)>, StoreError> {
        let mut read = self.pool().begin().await?;
        let sql = format!(
            "SELECT id, docket_id, {} AS body, campaign_checked, campaign_id, campaign_excluded
             FROM comments WHERE id IN ({})",
            capped("body"),
            placeholders(1, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id);
        }
        let mut rows = query.fetch_all(&mut *read).await?;
        rows.sort_by_key(|row| row.try_get::<i64, _>("id").unwrap_or_default());
        if rows.len() != ids.len() {
            return Err(StoreError::Corrupt(format!(
                "{} of the comments to place vanished",
                ids.len() - rows.len()
            )));
        }
        let mut done = Vec::new();
        let mut texts = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            if row.try_get::<i64, _>("campaign_checked")? != 0 {
                done.push((id, Prepared::Done(row.try_get("campaign_id")?)));
                continue;
            }
            let body = with_attachment_text(&mut read, id, row.try_get("body")?).await?;
            let excluded = row.try_get::<i64, _>("campaign_excluded")? != 0;
            texts.push((id, row.try_get::<String, _>("docket_id")?, excluded, body));
        }
        let fingerprinted = blocking("campaign fingerprint", move || {
            texts
                .into_iter()
                .map(|(id, docket_id, excluded, body)| {
                    let signature = Signature::of(&body).filter(|_| !excluded);
                    (id, docket_id, body, signature)
                })
                .collect::<Vec<_>>()
        })
        .await?;
        let mut choices: HashMap<(String, u64), LetterChoice> = HashMap::new();
        let mut letters: HashMap<i64, String> = HashMap::new();
        let mut chosen = Vec::with_capacity(fingerprinted.len());
        for (id, docket_id, body, signature) in fingerprinted {
            let choice = match &signature {
                Some(signature) => {
                    let key = (docket_id.clone(), signature.exact);
                    let shared = choices.get(&key).copied().filter(|choice| {
                        choice.letter != Some(id) && choice.best.is_none_or(|b| b.comment_id != id)
                    });
                    let choice = match shared {
                        Some(choice) => choice,
                        None => {
                            let choice =
                                choose_letter(&mut read, &docket_id, id, signature).await?;
                            choices.insert(key, choice);
                            choice
                        }
                    };
                    if let Some(letter) = choice.letter {
                        if let std::collections::hash_map::Entry::Vacant(entry) =
                            letters.entry(letter)
                        {
                            entry.insert(detection_text(&mut read, letter).await?);
                        }
                    }
                    Some(choice)
                }
                None => None,
            };
            chosen.push((id, docket_id, body, signature, choice));
        }
        read.rollback().await?;
        let mut prepared = blocking("comparing with the letter", move || {
            chosen
                .into_iter()
                .map(|(id, docket_id, body, signature, choice)| {
                    let added_words = choice
                        .and_then(|c| c.letter)
                        .map(|letter| personal_edits(&letters[&letter], &body).added_words as i64);
                    let placement = Placement {
                        docket_id,
                        body,
                        signature,
                        choice,
                        added_words,
                    };
                    (id, Prepared::Pending(Box::new(placement)))
                })
                .collect::<Vec<_>>()
        })
        .await?;
        prepared.extend(done);
        prepared.sort_by_key(|(id, _)| *id);
        Ok(prepared)
    }

    /// Writes a prepared placement in a short transaction if its choice still holds. `None` when
    /// it no longer does and `last` is false (the caller prepares again).
    async fn commit_placement(
        &self,
        comment_id: i64,
        prepared: Placement,
        last: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<Option<i64>>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut round = PlacementRound::default();
        let placed = place_in(
            &mut tx,
            &mut round,
            self.backend(),
            comment_id,
            prepared,
            last,
            now,
        )
        .await?;
        match placed {
            Some(_) => {
                round.finish(&mut tx).await?;
                tx.commit().await?
            }
            None => tx.rollback().await?,
        }
        Ok(placed)
    }

    /// Places comments that were stored but not yet looked at (the worker after each commit, a
    /// server stopped in between, comments from before campaigns), oldest first, at most
    /// `limit`. Returns how many were looked at. The text work is done outside any lock; the
    /// writes go in few transactions (`PLACEMENTS_PER_TRANSACTION` each, so that the comment
    /// writer never waits long for the lock), where a choice that another placement changed
    /// meanwhile is worked out again.
    pub async fn assign_waiting_campaigns(
        &self,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let rows =
            sqlx::query("SELECT id FROM comments WHERE campaign_checked = 0 ORDER BY id LIMIT $1")
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
        let ids = rows
            .iter()
            .map(|row| row.try_get::<i64, _>("id"))
            .collect::<Result<Vec<_>, _>>()?;
        for chunk in ids.chunks(PLACEMENTS_PER_TRANSACTION) {
            let prepared: Vec<_> = self
                .prepare_placements(chunk)
                .await?
                .into_iter()
                .filter_map(|(id, prepared)| match prepared {
                    Prepared::Pending(placement) => Some((id, placement)),
                    Prepared::Done(_) => None,
                })
                .collect();
            if prepared.is_empty() {
                continue;
            }
            let mut tx = self.begin_write().await?;
            let mut round = PlacementRound::default();
            for (id, placement) in prepared {
                place_in(
                    &mut tx,
                    &mut round,
                    self.backend(),
                    id,
                    *placement,
                    true,
                    now,
                )
                .await?;
            }
            round.finish(&mut tx).await?;
            tx.commit().await?;
        }
        Ok(ids.len())
    }

    /// A page of a docket's campaigns, largest first.
    pub async fn campaigns(
        &self,
        docket_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Campaign>, StoreError> {
        let rows = sqlx::query(&campaign_sql(
            "WHERE k.docket_id = $1 AND k.merged_into IS NULL",
            "ORDER BY received DESC, k.id LIMIT $2 OFFSET $3",
        ))
        .bind(docket_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let campaigns = rows
            .iter()
            .map(campaign_from_row)
            .collect::<Result<_, _>>()?;
        self.with_attached_letters(campaigns).await
    }

    /// Appends to each item's text (picked by `text_of` with its comment) the text of the files
    /// attached to that comment, as campaign detection reads it.
    async fn add_file_texts<T>(
        &self,
        items: &mut [T],
        text_of: impl Fn(&mut T) -> (i64, &mut String),
    ) -> Result<(), StoreError> {
        let texts = items
            .iter_mut()
            .map(|item| {
                let (id, text) = text_of(item);
                (id, std::mem::take(text))
            })
            .collect();
        let texts = self
            .with_file_texts(texts, false, MAX_DETECTION_CHARS)
            .await?;
        for (item, (_, full)) in items.iter_mut().zip(texts) {
            *text_of(item).1 = full;
        }
        Ok(())
    }

    /// Adds to each campaign's letter the text of the files attached to it, as detection read
    /// it: a campaign of PDF letters sent behind "See attached" shows the letter itself.
    async fn with_attached_letters(
        &self,
        mut campaigns: Vec<Campaign>,
    ) -> Result<Vec<Campaign>, StoreError> {
        self.add_file_texts(&mut campaigns, |c| (c.representative_id, &mut c.letter))
            .await?;
        Ok(campaigns)
    }

    /// How many campaigns a docket has, and how many comments are in them.
    pub async fn campaign_totals(&self, docket_id: &str) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(DISTINCT campaign_id) AS campaigns, COUNT(campaign_id) AS comments
             FROM comments WHERE docket_id = $1 AND campaign_id IS NOT NULL",
        )
        .bind(docket_id)
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get("campaigns")?, row.try_get("comments")?))
    }

    pub async fn campaign(
        &self,
        docket_id: &str,
        campaign_id: i64,
    ) -> Result<Option<Campaign>, StoreError> {
        let row = sqlx::query(&campaign_sql(
            "WHERE k.docket_id = $1 AND k.id = $2 AND k.merged_into IS NULL",
            "",
        ))
        .bind(docket_id)
        .bind(campaign_id)
        .fetch_optional(self.pool())
        .await?;
        let campaigns = row.as_ref().map(campaign_from_row).transpose()?;
        Ok(self
            .with_attached_letters(campaigns.into_iter().collect())
            .await?
            .pop())
    }

    /// How many comments were received with the letter of the posted comment `public_id`, when it
    /// stands for a campaign (0 otherwise).
    pub async fn letter_copies(&self, public_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(
            // The campaign is found first, so its copies are counted by the campaign index
            // rather than by a walk over every comment.
            "SELECT COUNT(*) AS copies FROM comments m
             WHERE m.campaign_id = (SELECT k.id FROM comments c
                 JOIN campaigns k ON k.representative_id = c.id AND k.merged_into IS NULL
                 WHERE c.public_id = $1)",
        )
        .bind(public_id)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("copies")?)
    }

    /// For each of these comments that is a campaign's letter, how many comments were received
    /// with it.
    pub async fn letter_copies_of(
        &self,
        comment_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, i64>, StoreError> {
        if comment_ids.is_empty() {
            return Ok(Default::default());
        }
        let sql = format!(
            "SELECT k.representative_id, COUNT(m.id) AS copies FROM campaigns k
             JOIN comments m ON m.campaign_id = k.id
             WHERE k.merged_into IS NULL AND k.representative_id IN ({})
             GROUP BY k.representative_id",
            crate::store::placeholders(1, comment_ids.len())
        );
        crate::store::bind_ids(sqlx::query(&sql), comment_ids)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| Ok((row.try_get("representative_id")?, row.try_get("copies")?)))
            .collect()
    }

    /// The docket a campaign belongs to.
    pub async fn campaign_docket(&self, campaign_id: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT docket_id FROM campaigns WHERE id = $1")
            .bind(campaign_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("docket_id")).transpose()?)
    }

    /// Copies of a campaign, oldest first; only those with substantial additions when asked.
    pub async fn campaign_members(
        &self,
        campaign_id: i64,
        substantial_only: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<CampaignMember>, StoreError> {
        let only = if substantial_only {
            format!("AND added_words >= {SUBSTANTIAL_WORDS}")
        } else {
            String::new()
        };
        let rows = sqlx::query(&format!(
            "SELECT id, received_at, status, submitter_type, first_name, last_name, organization,
                 COALESCE(added_words, 0) AS added_words, body
             FROM comments WHERE campaign_id = $1 {only} ORDER BY received_at, id LIMIT $2 OFFSET $3"
        ))
        .bind(campaign_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let mut members = rows
            .iter()
            .map(|row| {
                let organization: Option<String> = row.try_get("organization")?;
                let first: Option<String> = row.try_get("first_name")?;
                let last: Option<String> = row.try_get("last_name")?;
                let name = organization.unwrap_or_else(|| {
                    let name = [first, last]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    if name.is_empty() {
                        "Anonymous".to_owned()
                    } else {
                        name
                    }
                });
                Ok(CampaignMember {
                    id: row.try_get("id")?,
                    received_at: from_millis(row.try_get("received_at")?)?,
                    status: row.try_get("status")?,
                    name,
                    added_words: row.try_get("added_words")?,
                    body: row.try_get("body")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.add_file_texts(&mut members, |m| (m.id, &mut m.body))
            .await?;
        Ok(members)
    }

    /// Moves every comment of campaign `from` into `into` (same docket).
    pub async fn merge_campaigns(
        &self,
        docket_id: &str,
        from: i64,
        into: i64,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64, CampaignStoreError> {
        if from == into {
            return Err(CampaignError::MergeIntoItself.into());
        }
        let mut tx = self.begin_write().await?;
        for id in [from, into] {
            live_campaign(&mut tx, docket_id, id).await?;
        }
        let moved = move_comments(&mut tx, from, into, None, now).await?;
        sqlx::query("UPDATE campaigns SET merged_into = $1 WHERE id = $2")
            .bind(into)
            .bind(from)
            .execute(&mut **tx)
            .await?;
        let after = format!("merged into campaign {into}");
        audit_campaign(&mut tx, actor, "campaign.merge", from, &after, now).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Moves the chosen comments of a campaign into a new campaign whose letter is the earliest of
    /// them. Returns the new campaign.
    pub async fn split_campaign(
        &self,
        docket_id: &str,
        campaign_id: i64,
        comment_ids: &[i64],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, CampaignStoreError> {
        if comment_ids.is_empty() {
            return Err(CampaignError::NothingChosen.into());
        }
        let mut tx = self.begin_write().await?;
        let members = live_campaign(&mut tx, docket_id, campaign_id).await?;
        let sql = format!(
            "SELECT id FROM comments WHERE campaign_id = $1 AND id IN ({}) ORDER BY received_at, id",
            placeholders(2, comment_ids.len())
        );
        let mut query = sqlx::query(&sql).bind(campaign_id);
        for id in comment_ids {
            query = query.bind(*id);
        }
        let chosen: Vec<i64> = query
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        if chosen.len() != comment_ids.len() {
            return Err(CampaignError::NotAMember.into());
        }
        if chosen.len() as i64 == members {
            return Err(CampaignError::WholeCampaign.into());
        }
        let new_campaign = insert_campaign(&mut tx, docket_id, chosen[0], now).await?;
        move_comments(&mut tx, campaign_id, new_campaign, Some(&chosen), now).await?;
        ensure_representative(&mut tx, campaign_id, now).await?;
        let after = format!(
            "{} comments split off into campaign {new_campaign}",
            chosen.len()
        );
        audit_campaign(&mut tx, actor, "campaign.split", campaign_id, &after, now).await?;
        tx.commit().await?;
        Ok(new_campaign)
    }

    /// Takes a comment out of its campaign for good: staff judged it is not a copy of the letter.
    pub async fn leave_campaign(
        &self,
        docket_id: &str,
        campaign_id: i64,
        comment_id: i64,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), CampaignStoreError> {
        let mut tx = self.begin_write().await?;
        live_campaign(&mut tx, docket_id, campaign_id).await?;
        let left = sqlx::query(
            "UPDATE comments SET campaign_id = NULL, campaign_excluded = 1, added_words = NULL
             WHERE id = $1 AND campaign_id = $2",
        )
        .bind(comment_id)
        .bind(campaign_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if left == 0 {
            return Err(CampaignError::NotAMember.into());
        }
        record_change(&mut tx, comment_id, ChangeKind::Campaign, now).await?;
        ensure_representative(&mut tx, campaign_id, now).await?;
        let record = AuditRecord {
            action: "comment.leave_campaign",
            object_type: "comment",
            object_id: &comment_id.to_string(),
            before: Some(&format!("campaign {campaign_id}")),
            after: Some("not part of a campaign"),
        };
        audit(&mut tx, actor, record, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Decides every waiting copy of a campaign at once. Copies someone else decided meanwhile are
    /// left as they are. Returns how many comments were decided.
    pub async fn moderate_campaign(
        &self,
        docket_id: &str,
        campaign_id: i64,
        choice: CampaignChoice,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<usize, CampaignStoreError> {
        let campaign = self
            .campaign(docket_id, campaign_id)
            .await?
            .ok_or(CampaignError::NotFound)?;
        let rows = sqlx::query(
            "SELECT id, version FROM comments WHERE campaign_id = $1 AND status = 'pending'
             ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END, received_at, id",
        )
        .bind(campaign_id)
        .bind(campaign.representative_id)
        .fetch_all(self.pool())
        .await?;
        let post = Decision::Post { redact: Vec::new() };
        let copy_of = Decision::Withhold {
            reason: WithholdReason::DuplicateSubmission,
            note: Some(format!(
                "Copy of campaign {campaign_id}'s letter; counted on its representative comment."
            )),
        };
        let mut decided = 0;
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let decision = match choice {
                CampaignChoice::PostEveryCopy => &post,
                CampaignChoice::PostRepresentative if id == campaign.representative_id => &post,
                CampaignChoice::PostRepresentative => &copy_of,
            };
            match self
                .moderate(id, row.try_get("version")?, decision, actor, now)
                .await
            {
                Ok(_) => decided += 1,
                Err(ModerationError::Stale { .. } | ModerationError::NotFound) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(decided)
    }

    /// Campaign ids by comment, for the search index.
    pub async fn campaign_ids_of(
        &self,
        comment_ids: &[i64],
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        if comment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, campaign_id FROM comments WHERE campaign_id IS NOT NULL AND id IN ({})",
            placeholders(1, comment_ids.len())
        );
        crate::store::bind_ids(sqlx::query(&sql), comment_ids)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("campaign_id")?)))
            .collect()
    }
}

/// Remembered examples sharing a band with the signature, with their similarity to it.
async fn similar_examples(
    tx: &mut Tx,
    docket_id: &str,
    signature: &Signature,
) -> Result<Vec<Candidate>, StoreError> {
    let sql = format!(
        "SELECT DISTINCT e.comment_id, e.minhash, c.campaign_id
         FROM campaign_bands b
         JOIN campaign_examples e ON e.comment_id = b.comment_id
         JOIN comments c ON c.id = e.comment_id
         WHERE b.docket_id = $1 AND c.campaign_excluded = 0 AND b.band_key IN ({})
         LIMIT {}",
        placeholders(2, BANDS),
        super::clusterer::MAX_CANDIDATES
    );
    let mut query = sqlx::query(&sql).bind(docket_id);
    for key in signature.band_keys() {
        query = query.bind(key);
    }
    let rows = query.fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|row| {
            let bytes: Vec<u8> = row.try_get("minhash")?;
            let minhash = Signature::minhash_from_bytes(&bytes)
                .ok_or_else(|| StoreError::Corrupt("a stored MinHash has the wrong size".into()))?;
            let example = Signature {
                exact: 0,
                minhash,
                words: 0,
            };
            Ok(Candidate {
                comment_id: row.try_get("comment_id")?,
                campaign_id: row.try_get("campaign_id")?,
                similarity: signature.similarity(&example),
            })
        })
        .collect()
}

async fn remember_example(
    tx: &mut Tx,
    docket_id: &str,
    comment_id: i64,
    signature: &Signature,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO campaign_examples (comment_id, docket_id, minhash) VALUES ($1, $2, $3)",
    )
    .bind(comment_id)
    .bind(docket_id)
    .bind(signature.minhash_bytes())
    .execute(&mut **tx)
    .await?;
    let sql = format!(
        "INSERT INTO campaign_bands (docket_id, band_key, comment_id) VALUES {}",
        (0..BANDS)
            .map(|i| format!("($1, ${}, $2)", i + 3))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut query = sqlx::query(&sql).bind(docket_id).bind(comment_id);
    for key in signature.band_keys() {
        query = query.bind(key);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

async fn insert_campaign(
    tx: &mut Tx,
    docket_id: &str,
    representative_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO campaigns (docket_id, representative_id, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(docket_id)
    .bind(representative_id)
    .bind(to_millis(now))
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

/// A campaign begins when a second copy of a letter arrives: the first copy is its letter.
async fn start_campaign(
    tx: &mut Tx,
    docket_id: &str,
    first_copy: i64,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let campaign = insert_campaign(tx, docket_id, first_copy, now).await?;
    sqlx::query("UPDATE comments SET campaign_id = $1, added_words = 0 WHERE id = $2")
        .bind(campaign)
        .bind(first_copy)
        .execute(&mut **tx)
        .await?;
    record_change(tx, first_copy, ChangeKind::Campaign, now).await?;
    Ok(campaign)
}

/// A comment's text as campaign detection reads it: the text typed, then the text of its
/// attached files (form letters often arrive as a PDF behind "See attached"), at most
/// `MAX_DETECTION_CHARS` characters in all, so a 20 MB file is never read whole.
async fn with_attachment_text(
    tx: &mut Tx,
    comment_id: i64,
    body: String,
) -> Result<String, StoreError> {
    let mut text = body;
    truncate_chars(&mut text, MAX_DETECTION_CHARS);
    let rows = sqlx::query(&format!(
        "SELECT {} AS extracted_text FROM attachments
         WHERE comment_id = $1 AND extraction = 'done' ORDER BY position",
        capped("extracted_text")
    ))
    .bind(comment_id)
    .fetch_all(&mut **tx)
    .await?;
    for row in rows {
        let used = text.chars().count();
        if used >= MAX_DETECTION_CHARS {
            break;
        }
        if let Some(extracted) = row.try_get::<Option<String>, _>("extracted_text")? {
            text.push_str("\n\n");
            text.extend(extracted.chars().take(MAX_DETECTION_CHARS - used));
        }
    }
    Ok(text)
}

fn truncate_chars(text: &mut String, max: usize) {
    if let Some((cut, _)) = text.char_indices().nth(max) {
        text.truncate(cut);
    }
}

/// A comment's detection text by id.
async fn detection_text(tx: &mut Tx, comment_id: i64) -> Result<String, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {} AS body FROM comments WHERE id = $1",
        capped("body")
    ))
    .bind(comment_id)
    .fetch_one(&mut **tx)
    .await?;
    with_attachment_text(tx, comment_id, row.try_get("body")?).await
}

async fn letter_of(tx: &mut Tx, campaign_id: i64) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT representative_id FROM campaigns WHERE id = $1")
        .bind(campaign_id)
        .fetch_one(&mut **tx)
        .await?;
    detection_text(tx, row.try_get("representative_id")?).await
}

/// The comment the signature resembles most on the docket (an exact copy first) and its letter.
async fn choose_letter(
    tx: &mut Tx,
    docket_id: &str,
    comment_id: i64,
    signature: &Signature,
) -> Result<LetterChoice, StoreError> {
    let exact = sqlx::query(
        "SELECT id, campaign_id FROM comments
         WHERE docket_id = $1 AND text_hash = $2 AND campaign_excluded = 0 AND id <> $3
         ORDER BY id LIMIT 1",
    )
    .bind(docket_id)
    .bind(signature.exact as i64)
    .bind(comment_id)
    .fetch_optional(&mut **tx)
    .await?;
    let is_exact = exact.is_some();
    let best = match exact {
        Some(row) => Some(Candidate {
            comment_id: row.try_get("id")?,
            campaign_id: row.try_get("campaign_id")?,
            similarity: 1.0,
        }),
        None => best_match(similar_examples(tx, docket_id, signature).await?),
    };
    let letter = match best {
        Some(Candidate {
            campaign_id: Some(campaign),
            ..
        }) => Some(
            sqlx::query("SELECT representative_id FROM campaigns WHERE id = $1")
                .bind(campaign)
                .fetch_one(&mut **tx)
                .await?
                .try_get("representative_id")?,
        ),
        Some(best) => Some(best.comment_id),
        None => None,
    };
    Ok(LetterChoice {
        best,
        exact: is_exact,
        letter,
    })
}

/// Checks the campaign is on the docket and not merged away; returns how many comments it has.
async fn live_campaign(
    tx: &mut Tx,
    docket_id: &str,
    campaign_id: i64,
) -> Result<i64, CampaignStoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM comments WHERE campaign_id = k.id) AS members
         FROM campaigns k WHERE k.id = $1 AND k.docket_id = $2 AND k.merged_into IS NULL",
    )
    .bind(campaign_id)
    .bind(docket_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(CampaignError::NotFound)?;
    Ok(row.try_get("members")?)
}

/// Moves comments (all of `from`'s, or only `only`) to campaign `into`, recounting what each adds
/// to its new letter. Returns how many moved.
async fn move_comments(
    tx: &mut Tx,
    from: i64,
    into: i64,
    only: Option<&[i64]>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let rows = sqlx::query("SELECT id, body FROM comments WHERE campaign_id = $1")
        .bind(from)
        .fetch_all(&mut **tx)
        .await?;
    let letter = letter_of(tx, into).await?;
    let mut moved = 0;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        if only.is_some_and(|only| !only.contains(&id)) {
            continue;
        }
        let body = with_attachment_text(tx, id, row.try_get("body")?).await?;
        let added = personal_edits(&letter, &body).added_words as i64;
        sqlx::query("UPDATE comments SET campaign_id = $1, added_words = $2 WHERE id = $3")
            .bind(into)
            .bind(added)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        record_change(tx, id, ChangeKind::Campaign, now).await?;
        moved += 1;
    }
    Ok(moved)
}

/// After comments left a campaign: if its letter left too, the earliest remaining copy becomes
/// its letter and what every copy adds is counted again.
async fn ensure_representative(
    tx: &mut Tx,
    campaign_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT campaign_id FROM comments WHERE id = k.representative_id) AS of_campaign,
             (SELECT id FROM comments WHERE campaign_id = k.id ORDER BY received_at, id LIMIT 1) AS earliest
         FROM campaigns k WHERE k.id = $1",
    )
    .bind(campaign_id)
    .fetch_one(&mut **tx)
    .await?;
    let of_campaign: Option<i64> = row.try_get("of_campaign")?;
    let earliest: Option<i64> = row.try_get("earliest")?;
    if of_campaign == Some(campaign_id) {
        return Ok(());
    }
    let Some(earliest) = earliest else {
        return Ok(());
    };
    sqlx::query("UPDATE campaigns SET representative_id = $1 WHERE id = $2")
        .bind(earliest)
        .bind(campaign_id)
        .execute(&mut **tx)
        .await?;
    move_comments(tx, campaign_id, campaign_id, None, now).await?;
    Ok(())
}

async fn audit_campaign(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    campaign_id: i64,
    after: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let record = AuditRecord {
        action,
        object_type: "campaign",
        object_id: &campaign_id.to_string(),
        before: None,
        after: Some(after),
    };
    audit(tx, actor, record, now).await
}

/// Writes a prepared placement inside `tx` if its choice still holds there. `None` when it no
/// longer does and `last` is false; with `last`, a changed choice is worked out again here, under
/// the lock (bounded by `MAX_DETECTION_CHARS`).
async fn place_in(
    tx: &mut Tx,
    round: &mut PlacementRound,
    backend: Backend,
    comment_id: i64,
    prepared: Placement,
    last: bool,
    now: DateTime<Utc>,
) -> Result<Option<Option<i64>>, StoreError> {
    let Placement {
        docket_id,
        body,
        signature,
        choice,
        added_words,
    } = prepared;
    if backend == Backend::Postgres {
        // One placement at a time per docket, so two copies arriving together on two
        // servers see each other (SQLite's write lock does this already).
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS locked")
            .bind(format!("campaigns/{docket_id}"))
            .fetch_one(&mut **tx)
            .await?;
    }
    let row = sqlx::query("SELECT campaign_checked, campaign_id FROM comments WHERE id = $1")
        .bind(comment_id)
        .fetch_one(&mut **tx)
        .await?;
    if row.try_get::<i64, _>("campaign_checked")? != 0 {
        return Ok(Some(row.try_get("campaign_id")?));
    }
    let Some(signature) = signature else {
        sqlx::query("UPDATE comments SET campaign_checked = 1 WHERE id = $1")
            .bind(comment_id)
            .execute(&mut **tx)
            .await?;
        return Ok(Some(None));
    };
    let key = (docket_id.clone(), signature.exact);
    let current = match round.exact_choices.get(&key) {
        Some(choice) => *choice,
        None => {
            let choice = choose_letter(tx, &docket_id, comment_id, &signature).await?;
            // Placing newer copies of this text does not change which copy is the oldest, nor
            // (when it has one) its campaign.
            if choice.exact
                && choice
                    .best
                    .is_some_and(|b| b.campaign_id.is_some() && b.comment_id < comment_id)
            {
                round.exact_choices.insert(key, choice);
            }
            choice
        }
    };
    let mut added_words = match (choice, added_words) {
        (Some(choice), added) if choice == current => added,
        _ if !last => return Ok(None),
        _ => match current.letter {
            Some(letter_id) => {
                let letter = detection_text(tx, letter_id).await?;
                Some(personal_edits(&letter, &body).added_words as i64)
            }
            None => None,
        },
    };
    let campaign = match current.best {
        Some(best) => Some(match best.campaign_id {
            Some(campaign) => campaign,
            // This comment arrived first but is placed second (its text came from a file
            // read later): it is the letter, and the other copy is compared with it. Rare,
            // and bounded by `MAX_DETECTION_CHARS`, so done under the lock.
            None if comment_id < best.comment_id => {
                let other = detection_text(tx, best.comment_id).await?;
                let campaign = insert_campaign(tx, &docket_id, comment_id, now).await?;
                sqlx::query("UPDATE comments SET campaign_id = $1, added_words = $2 WHERE id = $3")
                    .bind(campaign)
                    .bind(personal_edits(&body, &other).added_words as i64)
                    .bind(best.comment_id)
                    .execute(&mut **tx)
                    .await?;
                record_change(tx, best.comment_id, ChangeKind::Campaign, now).await?;
                added_words = Some(0);
                campaign
            }
            None => start_campaign(tx, &docket_id, best.comment_id, now).await?,
        }),
        None => None,
    };
    let placed = sqlx::query(match campaign {
        // Joining a campaign changes the comment's public record (`last_modified_at`).
        Some(_) => {
            "UPDATE comments SET campaign_checked = 1, text_hash = $1, campaign_id = $2,
                 added_words = $3, last_modified_at = $5 WHERE id = $4"
        }
        None => {
            "UPDATE comments SET campaign_checked = 1, text_hash = $1, campaign_id = $2,
                 added_words = $3 WHERE id = $4"
        }
    })
    .bind(signature.exact as i64)
    .bind(campaign)
    .bind(campaign.and(added_words))
    .bind(comment_id);
    match campaign {
        Some(_) => placed.bind(to_millis(now)),
        None => placed,
    }
    .execute(&mut **tx)
    .await?;
    if current.best.is_none_or(|b| b.similarity < SEED_BELOW) {
        remember_example(tx, &docket_id, comment_id, &signature).await?;
    }
    if campaign.is_some() {
        round.changes.push((comment_id, now));
    }
    Ok(Some(campaign))
}
