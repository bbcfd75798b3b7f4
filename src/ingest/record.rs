//! What format readers produce and what the import pipeline consumes.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::{Channel, Quality, Status};

/// One row of a source file as it was read, before mapping: the file's headers (shared by all rows
/// of a table-shaped file) and this row's values, in column order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawRow {
    /// 1-based line (CSV: the line the record starts on, counting the header as line 1; XLSX: the
    /// sheet row; JSON Lines: the line; JSON array: the element's 1-based index).
    pub line: u64,
    /// Header names as written in the file (JSON: the keys of this record).
    pub headers: Arc<Vec<String>>,
    /// Values, one per header (missing trailing cells are empty strings).
    pub values: Vec<String>,
}

/// A row that cannot be imported, and why. Goes to `quarantine/<file>.errors.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    /// The canonical field (or the file's header) at fault; empty when the whole row is bad.
    pub field: String,
    /// A plain statement of what is wrong, e.g. «no such date: 31.02.2026».
    pub reason: String,
}

/// A file that cannot be read at all (not a known format, broken archive, I/O error…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct FileError {
    pub reason: String,
}

impl FileError {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// One item a reader yields: a row to map, or a row it could not even split into cells.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadItem {
    Row(RawRow),
    Bad(RowError),
}

/// An appeal as a source file states it, with canonical fields typed and validated.
/// Fields the file does not carry are `None` and leave a stored appeal's value untouched.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IncomingAppeal {
    pub line: u64,
    pub source_id: String,
    /// From the row; when `None` the file's channel (from `--channel` or the inbox folder) applies.
    pub channel: Option<Channel>,
    pub received_at: DateTime<Utc>,
    pub text: String,
    pub author: Option<String>,
    pub contact: Option<String>,
    pub settlement: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
    pub category: Option<String>,
    pub fz59: Option<bool>,
    /// A block id already resolved against the blocks in force.
    pub block: Option<String>,
    pub responsible: Option<String>,
    pub status: Option<Status>,
    pub urgent: Option<bool>,
    pub conflict: Option<bool>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub quality: Option<Quality>,
    pub rating: Option<u8>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}
