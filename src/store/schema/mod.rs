//! The schema of each engine, kept and migrated apart: SQLite's (one workspace file) in
//! [`sqlite`], PostgreSQL's (a region, one schema per municipality) in [`postgres`].

pub(crate) mod postgres;
mod sqlite;

pub use sqlite::{CURRENT_VERSION, DIGESTS_AT, HASH_CHAIN_AT, migrate};
