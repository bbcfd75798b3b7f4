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

/// The most a single cell (a CSV field, a spreadsheet cell) may hold, in bytes of UTF-8: a row
/// with a bigger one goes to quarantine with the reason (the reader never holds more than this of
/// it). Real appeals are a few kilobytes; the longest answers a few tens.
pub const MAX_FIELD_BYTES: u64 = 1 << 20;
/// The most a whole row (a CSV record, a JSON Lines line, a JSON array element) may hold.
pub const MAX_ROW_BYTES: u64 = 4 << 20;
/// The most columns a header may have (real exports have a few dozen).
pub const MAX_COLUMNS: usize = 1024;

/// The reason given for a file whose reader failed inside (a panic, caught): the file goes to
/// quarantine like any unreadable one.
pub const READER_FAILED: &str = "the reader failed on this file (an internal error, reported on standard error); it is \
     probably damaged";

/// A size in bytes for messages: `1.5 MiB`, `640 KiB`, `12 bytes`.
pub fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    if bytes >= MIB {
        let tenths = bytes * 10 / MIB;
        if tenths.is_multiple_of(10) {
            format!("{} MiB", tenths / 10)
        } else {
            format!("{}.{} MiB", tenths / 10, tenths % 10)
        }
    } else if bytes >= KIB {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// A stream of rows; an `Err` ends the file (it goes to quarantine whole).
pub type Rows = Box<dyn Iterator<Item = Result<ReadItem, FileError>> + Send>;

/// Opens a file of a known format as a stream of rows, in bounded memory: CSV, JSON Lines, JSON
/// arrays, Open311, XLSX and XLSB stream row by row, a row never held past [`MAX_ROW_BYTES`];
/// an XLS or ODS sheet is read whole by calamine.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(12), "12 bytes");
        assert_eq!(size_text(640 * 1024), "640 KiB");
        assert_eq!(size_text(MAX_FIELD_BYTES), "1 MiB");
        assert_eq!(size_text(3 << 19), "1.5 MiB");
        assert_eq!(size_text(MAX_ROW_BYTES), "4 MiB");
    }
}
