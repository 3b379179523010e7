//! Form-letter campaigns: which comments are copies of the same letter (exact after normalisation,
//! or near copies found by MinHash over word shingles), what each person added, and staff control.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[cfg(feature = "ssr")]
pub mod clusterer;
#[cfg(feature = "ssr")]
pub mod edits;
#[cfg(feature = "ssr")]
pub mod normalise;
#[cfg(feature = "ssr")]
pub mod signature;
#[cfg(feature = "ssr")]
mod storage;
#[cfg(feature = "ssr")]
mod sweep;

#[cfg(feature = "ssr")]
pub use storage::{CampaignChoice, CampaignStoreError};
#[cfg(feature = "ssr")]
pub use sweep::place_waiting_comments;

/// Estimated shingle overlap from which a comment joins the campaign of the comment it resembles.
/// Personalised copies of a letter stay above 0.6; letters of different campaigns on the same
/// docket share well under 0.2.
pub const JOIN_SIMILARITY: f64 = 0.5;
/// A comment that joins a campaign less similar than this is remembered as another example of the
/// campaign, so copies that drift further from the first letter are still found.
pub const SEED_BELOW: f64 = 0.8;
/// Campaign detection reads at most this many characters of a comment: its typed text, then its
/// files' text. Form letters are a few thousand characters; this keeps a 20 MB attachment from
/// costing more than a long letter.
pub const MAX_DETECTION_CHARS: usize = 100_000;
/// Words added to a form letter from which the edit counts as substantial.
pub const SUBSTANTIAL_WORDS: usize = 10;

/// A comment (or, in batch clustering, a remembered example) that a new comment may join.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub comment_id: i64,
    pub campaign_id: Option<i64>,
    pub similarity: f64,
}

/// The candidate a new comment joins: the most similar one at or above `JOIN_SIMILARITY`,
/// preferring one that already belongs to a campaign when two are equally similar.
pub fn best_match(candidates: impl IntoIterator<Item = Candidate>) -> Option<Candidate> {
    candidates
        .into_iter()
        .filter(|c| c.similarity >= JOIN_SIMILARITY)
        .max_by(|a, b| {
            a.similarity
                .total_cmp(&b.similarity)
                .then(a.campaign_id.is_some().cmp(&b.campaign_id.is_some()))
                .then(b.comment_id.cmp(&a.comment_id))
        })
}

/// What a comment in a campaign adds to or changes in the campaign's letter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalEdits {
    /// Sentences the letter does not have.
    pub added: Vec<String>,
    /// (the letter's sentence, as this person wrote it).
    pub reworded: Vec<(String, String)>,
    /// Sentences of the letter this person left out.
    pub left_out: Vec<String>,
    pub added_words: usize,
}

/// "1 copy adds" / "3 copies add": how many copies add something substantial, as a sentence part.
pub fn personalised_copies(n: i64) -> String {
    if n == 1 {
        "1 copy adds".to_owned()
    } else {
        format!("{} copies add", crate::text::thousands(n.max(0) as u64))
    }
}

impl PersonalEdits {
    pub fn is_substantial(&self) -> bool {
        self.added_words >= SUBSTANTIAL_WORDS
    }
}

/// A campaign as staff see it in lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: i64,
    pub docket_id: String,
    /// The comment whose text stands for the campaign (its letter).
    pub representative_id: i64,
    pub letter: String,
    pub received: i64,
    pub posted: i64,
    pub pending: i64,
    /// Copies whose personal additions are substantial.
    pub substantial: i64,
    pub first_received: DateTime<Utc>,
    pub last_received: DateTime<Utc>,
}

/// A comment of a campaign, for the campaign's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignMember {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub status: String,
    pub name: String,
    pub added_words: i64,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum CampaignError {
    #[error("There is no such campaign on this docket.")]
    NotFound,
    #[error("That comment is not part of this campaign.")]
    NotAMember,
    #[error("Choose at least one comment to move.")]
    NothingChosen,
    #[error("Every comment of a campaign cannot be split off; merge or leave it instead.")]
    WholeCampaign,
    #[error("A campaign cannot be merged into itself.")]
    MergeIntoItself,
    #[error("Choose to post every copy, or the letter once with the count.")]
    NoChoice,
    #[error("Tick the box to confirm moving the comments.")]
    NotConfirmed,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(comment_id: i64, campaign_id: Option<i64>, similarity: f64) -> Candidate {
        Candidate {
            comment_id,
            campaign_id,
            similarity,
        }
    }

    #[test]
    fn copies_are_counted_in_words() {
        assert_eq!(personalised_copies(1), "1 copy adds");
        assert_eq!(personalised_copies(0), "0 copies add");
        assert_eq!(personalised_copies(2500), "2,500 copies add");
    }

    #[test]
    fn nothing_below_the_threshold_is_joined() {
        assert_eq!(best_match([candidate(1, Some(1), 0.49)]), None);
        assert_eq!(best_match([]), None);
    }

    #[test]
    fn the_most_similar_candidate_wins() {
        let best = best_match([
            candidate(1, Some(1), 0.6),
            candidate(2, None, 0.9),
            candidate(3, Some(2), JOIN_SIMILARITY),
        ]);
        assert_eq!(best, Some(candidate(2, None, 0.9)));
    }

    #[test]
    fn on_a_tie_a_campaign_beats_a_lone_comment() {
        let best = best_match([candidate(1, None, 0.7), candidate(2, Some(5), 0.7)]);
        assert_eq!(best.and_then(|c| c.campaign_id), Some(5));
    }
}
