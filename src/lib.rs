//! OpenDocket's core: the rules of a public comment period, and (with `ssr`) storage and background jobs.

pub mod attachment;
#[cfg(feature = "ssr")]
pub mod attachment_worker;
pub mod campaign;
pub mod comment;
pub mod docket;
pub mod roles;
pub mod summary;
pub mod text;
pub mod tracking;
pub mod window;

#[cfg(feature = "ssr")]
pub mod accounts;
#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod flags;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod moderation;
pub mod redaction;
#[cfg(feature = "ssr")]
pub mod scheduler;
pub mod search;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod store;
pub mod tags;
