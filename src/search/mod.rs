//! Search over comments: the query language, and (with `ssr`) the tantivy index, the indexer that
//! follows the database's change sequence, and the service request handlers call.

pub mod query;
pub mod request;

#[cfg(feature = "ssr")]
pub mod index;
#[cfg(feature = "ssr")]
pub mod language;
#[cfg(feature = "ssr")]
pub mod run;
#[cfg(feature = "ssr")]
mod service;

#[cfg(feature = "ssr")]
pub use service::{rebuild_index, SearchError, SearchService, INDEX_DIR_NAME};
