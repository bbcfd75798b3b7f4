//! Import of export files: one reader per format, header mapping through import profiles, value
//! parsing, and the pipeline that writes to the store and moves files to `processed/` or
//! `quarantine/`.

pub mod attempts;
pub mod format;
pub mod hand;
pub mod mapping;
pub mod pages;
pub mod pipeline;
pub mod profile;
pub mod readers;
pub mod record;
pub mod retention;
pub mod roadmaps;
pub mod triage;
pub mod values;
pub mod votes;
pub mod watch;

pub use format::Format;
pub use mapping::Mapper;
pub use pipeline::{FileOutcome, FileReport, Importer};
pub use profile::ImportProfiles;
pub use record::{FileError, IncomingAppeal, RawRow, ReadItem, RowError};
