//! The regulations.gov v4-compatible API: its collections, its error shape, how its dates are
//! written and read, and (with `ssr`) the queries and JSON:API documents it answers with.

use serde::Serialize;

pub mod export;
pub mod keys;
pub mod request;
pub mod resources;
pub mod storage;
pub mod submission;

/// regulations.gov reads and shows the dates people type in filters in Eastern time; scripts
/// written for it convert to that zone, so OpenDocket reads them the same way.
pub const API_TIME_ZONE: chrono_tz::Tz = chrono_tz::America::New_York;

/// The media type of every answer.
pub const JSON_API: &str = "application/vnd.api+json";

/// The three collections the read API lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Dockets,
    Documents,
    Comments,
}

impl Collection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dockets => "dockets",
            Self::Documents => "documents",
            Self::Comments => "comments",
        }
    }
}

/// An error as regulations.gov writes it: `{"errors":[{"status","title","detail"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{status} {title}: {detail}")]
pub struct ApiError {
    pub status: u16,
    pub title: &'static str,
    pub detail: String,
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self {
            status: 400,
            title: "Bad Request",
            detail: detail.into(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self {
            status: 404,
            title: "Not Found",
            detail: detail.into(),
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self {
            status: 403,
            title: "Forbidden",
            detail: detail.into(),
        }
    }

    /// A bug on our side (a handler that panicked), said without its details.
    pub fn internal() -> Self {
        Self {
            status: 500,
            title: "Internal Server Error",
            detail: "Something went wrong on our side; please try again.".to_owned(),
        }
    }

    pub fn unavailable() -> Self {
        Self {
            status: 503,
            title: "Service Unavailable",
            detail: "The records cannot be read just now; try again in a minute.".to_owned(),
        }
    }

    /// The error document.
    pub fn body(&self) -> String {
        #[derive(Serialize)]
        struct Document<'a> {
            errors: [&'a ApiError; 1],
        }
        serde_json::to_string(&Document { errors: [self] }).unwrap_or_default()
    }
}

/// An instant as regulations.gov writes it: `2015-09-30T04:00:00Z`.
pub fn format_instant(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A stable 16-hex-digit objectId for a record made here (imported records keep theirs).
pub fn derived_object_id(kind: &str, id: &str) -> String {
    let hash = xxhash_rust::xxh3::xxh3_64(format!("{kind}:{id}").as_bytes());
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_regulations_gov_shape() {
        let body = ApiError::bad_request("page[size] must be between 5 and 250, not 4").body();
        assert_eq!(
            body,
            r#"{"errors":[{"status":400,"title":"Bad Request","detail":"page[size] must be between 5 and 250, not 4"}]}"#
        );
    }

    #[test]
    fn instants_are_written_to_the_second_in_utc() {
        let at = "2015-09-30T04:00:00.750Z".parse().unwrap();
        assert_eq!(format_instant(at), "2015-09-30T04:00:00Z");
    }
}
