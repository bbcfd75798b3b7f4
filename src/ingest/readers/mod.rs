//! Format readers: each turns a file into a stream of raw rows.
//!
//! Table-shaped files (CSV, spreadsheets, Open311) share one `Arc` of header names among all their
//! rows, so a mapper resolves headers once per file, not once per row.
//!
//! A `FileError`'s reason does not name the file: the caller, who knows it, prefixes it.

mod csv;
mod json;
mod open311;
mod spreadsheet;

use std::path::Path;

use super::{FileError, Format, ReadItem};

pub use self::csv::{detect_delimiter, detect_encoding};

/// A stream of rows; an `Err` ends the file (it goes to quarantine whole).
pub type Rows = Box<dyn Iterator<Item = Result<ReadItem, FileError>> + Send>;

/// Opens a file of a known format as a stream of rows, in constant memory where the format allows
/// (CSV, JSON Lines and JSON arrays stream; a spreadsheet's first sheet is read whole).
pub fn open(path: &Path, format: Format) -> Result<Rows, FileError> {
    match format {
        Format::Csv => csv::open(path),
        Format::Spreadsheet => spreadsheet::open(path),
        Format::JsonLines => json::open_lines(path),
        Format::JsonArray => json::open_array(path),
        Format::Open311 => open311::open(path),
    }
}

/// Opens a file for reading, with a plain reason when it cannot be.
fn open_file(path: &Path) -> Result<std::fs::File, FileError> {
    std::fs::File::open(path).map_err(|e| FileError::new(format!("cannot open the file: {e}")))
}
