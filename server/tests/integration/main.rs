//! The integration tests, one binary: the real router (in process, on a fake clock) or the real
//! binary, against SQLite, or PostgreSQL when `OPENDOCKET_TEST_POSTGRES_URL` is set.

mod common;

mod abuse;
mod adversarial;
mod api;
mod attachments;
mod campaigns;
mod cli;
mod comment_period;
mod crash;
mod downloads;
mod email;
mod failover;
mod flood_signals;
mod group_commit;
mod import;
mod instances;
mod public_pages;
mod queue;
mod search;
mod sign_in;
mod staff;
mod static_assets;
