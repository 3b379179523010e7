//! Tags: each docket's vocabulary (create, rename, merge, retire, publish), tags on comments, and
//! bulk tagging of a whole search result in batches with a record of how far it got.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const MAX_TAG_CHARS: usize = 60;

/// A tag's name: trimmed, inner whitespace collapsed, 1 to 60 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName(String);

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum TagError {
    #[error("A tag needs a name.")]
    EmptyName,
    #[error("A tag name may have at most {max} characters.")]
    NameTooLong { max: usize },
    #[error("This docket already has a tag named {0:?}.")]
    Duplicate(String),
    #[error("There is no such tag on this docket.")]
    NotFound,
    #[error("There is no such comment.")]
    NoComment,
    #[error("The tag {0:?} is retired; it can no longer be put on comments.")]
    Retired(String),
    #[error("A tag cannot be merged into itself.")]
    MergeIntoItself,
    #[error("Tags of different dockets cannot be merged.")]
    DifferentDockets,
}

impl TagName {
    pub fn parse(raw: &str) -> Result<Self, TagError> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(TagError::EmptyName);
        }
        if name.chars().count() > MAX_TAG_CHARS {
            return Err(TagError::NameTooLong { max: MAX_TAG_CHARS });
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive key names are compared by.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub id: i64,
    pub docket_id: String,
    pub name: String,
    pub retired: bool,
    pub published: bool,
    /// How many comments carry the tag.
    pub comments: i64,
}

/// How a bulk tag went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkTagState {
    Running,
    Finished,
    /// It stopped (the server restarted) before tagging every match; `done` says how many it tagged.
    Interrupted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkTagJob {
    pub id: i64,
    pub docket_id: String,
    pub tag_name: String,
    /// The search whose matches were tagged, as its URL query.
    pub search: String,
    pub total: i64,
    pub done: i64,
    pub started_at: DateTime<Utc>,
    pub state: BulkTagState,
}

/// A running job that has not written for this long has stopped.
pub const BULK_TAG_HEARTBEAT_MS: i64 = 60_000;
/// Comments tagged per transaction in a bulk tag.
pub const BULK_TAG_BATCH: usize = 500;

#[cfg(feature = "ssr")]
mod storage;

#[cfg(feature = "ssr")]
pub use storage::TagStoreError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_are_tidied_and_bounded() {
        assert_eq!(
            TagName::parse("  Data   sharing ").unwrap().as_str(),
            "Data sharing"
        );
        assert_eq!(
            TagName::parse("Data sharing").unwrap().key(),
            "data sharing"
        );
        assert_eq!(TagName::parse(" \t"), Err(TagError::EmptyName));
        assert_eq!(
            TagName::parse(&"x".repeat(61)),
            Err(TagError::NameTooLong { max: 60 })
        );
        assert!(TagName::parse(&"é".repeat(60)).is_ok());
    }
}
