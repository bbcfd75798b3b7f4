//! Detecting a file's format from its content. (Stub: being filled in.)

use std::path::Path;

use super::FileError;

/// The formats mcu reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text in any of the supported encodings.
    Csv,
    /// XLSX, XLS or ODS: the first sheet, with a header row.
    Spreadsheet,
    /// One JSON object a line, canonical field names.
    JsonLines,
    /// A JSON array of canonical records.
    JsonArray,
    /// An Open311 GeoReport v2 array of service requests.
    Open311,
}

/// Detects the format of a file by its content (the extension is only a hint).
pub fn detect(_path: &Path) -> Result<Format, FileError> {
    Err(FileError::new("not implemented"))
}
