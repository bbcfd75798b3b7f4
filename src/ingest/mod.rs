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

/// The warning for a register file's columns that map to no field (blank headers aside), if any:
/// `fields[i]` is what `headers[i]` maps to.
pub(crate) fn ignored_columns<F>(headers: &[String], fields: &[Option<F>]) -> Option<String> {
    let unknown: Vec<&str> = headers
        .iter()
        .zip(fields)
        .filter(|(h, f)| f.is_none() && !h.trim().is_empty())
        .map(|(h, _)| h.as_str())
        .collect();
    (!unknown.is_empty()).then(|| format!("ignored columns: {}", unknown.join(", ")))
}
