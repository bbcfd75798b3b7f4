//! Placeholder for the lead's engine layer (pg-driver branch only): just enough to compile the
//! PostgreSQL driver beside the values. The lead's db/mod.rs replaces this file at merge.

pub mod pg;
pub mod value;
