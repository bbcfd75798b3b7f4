//! mcu — the terminal operator console of a municipal control center (МЦУ).
//!
//! Layers (data flows one way): `ingest` parses export files into canonical records, `store` is the
//! only module that speaks SQL, `domain` holds the pure rules (calendar, deadlines, statuses),
//! `reference` loads the shipped `data/` files with a workspace's overrides, and `cli` is a thin
//! layer of commands over the library.

pub mod analytics;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod ingest;
pub mod logging;
pub mod reference;
pub mod report;
pub mod serve;
pub mod store;
pub mod textwidth;
pub mod tui;
pub mod workspace;
