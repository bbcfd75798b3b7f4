//! XLSX, XLSB, XLS and ODS through calamine: the first sheet; its first non-empty row is the
//! header. Cells become the strings a person sees: dates as `YYYY-MM-DD HH:MM:SS` (local time, as
//! Excel stores it), whole numbers without `.0` (ids like 12050000001 stay whole).
//!
//! A sheet is read by its real cells, never as a rectangle from A1 to its farthest cell (one cell
//! at XFD1048576 would make that 17 billion cells): XLSX and XLSB stream cell by cell on a thread
//! of their own, a row at a time; calamine reads an XLS or ODS sheet whole, and its used cells are
//! then taken the same way. Cells right of the header's last column have no field and are
//! ignored without being kept. What exceeds the caps ([`MAX_COLUMNS`] in the header,
//! [`MAX_SHEET_ROWS`], [`MAX_SHEET_CELLS`]) puts the file in quarantine with the reason; a cell
//! over [`MAX_FIELD_BYTES`] or a row over [`MAX_ROW_BYTES`] puts its row there.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use calamine::{Data, DataRef, ExcelDateTime, Ods, Range, Reader, Xls, Xlsb, Xlsx};
use chrono::{Duration, NaiveDate};

use super::{MAX_COLUMNS, MAX_FIELD_BYTES, MAX_ROW_BYTES, Rows, size_text};
use crate::ingest::format::{SpreadsheetKind, spreadsheet_kind};
use crate::ingest::{FileError, RawRow, ReadItem, RowError};

/// Rows a sheet may have: Excel's own limit; a cell numbered past it means a damaged file.
pub const MAX_SHEET_ROWS: u32 = 1_048_576;
/// Columns a cell may sit in: Excel's own limit (XFD); past it the file is damaged.
pub const MAX_SHEET_COLUMNS: u32 = 16_384;
/// Cells (empty ones included) read from a sheet before giving up on it: a million rows of fifty
/// columns fit.
pub const MAX_SHEET_CELLS: u64 = 60_000_000;
/// Distinct strings an XLSX may declare in its shared-strings table: calamine reserves room for
/// the declared count before reading one, so a lying count of billions would abort the process.
pub const MAX_SHARED_STRINGS: u64 = 16_777_216;

/// Opens the first sheet of a workbook.
pub(super) fn open(path: &Path) -> Result<Rows, FileError> {
    match spreadsheet_kind(path)? {
        SpreadsheetKind::Xlsx => {
            check_shared_strings(path)?;
            let mut book: Xlsx<_> = open_book(path, "XLSX")?;
            let sheet = first_sheet_name(&book, "XLSX")?;
            stream(move |cells| {
                let mut reader = book
                    .worksheet_cells_reader(&sheet)
                    .map_err(|e| sheet_error("XLSX", &e))?;
                while let Some(cell) = reader.next_cell().map_err(|e| sheet_error("XLSX", &e))? {
                    let (r, c) = cell.get_position();
                    if !cells(r, c, cell.get_value())? {
                        break;
                    }
                }
                Ok(())
            })
        }
        SpreadsheetKind::Xlsb => {
            let mut book: Xlsb<_> = open_book(path, "XLSB")?;
            let sheet = first_sheet_name(&book, "XLSB")?;
            stream(move |cells| {
                let mut reader = book
                    .worksheet_cells_reader(&sheet)
                    .map_err(|e| sheet_error("XLSB", &e))?;
                while let Some(cell) = reader.next_cell().map_err(|e| sheet_error("XLSB", &e))? {
                    let (r, c) = cell.get_position();
                    if !cells(r, c, cell.get_value())? {
                        break;
                    }
                }
                Ok(())
            })
        }
        SpreadsheetKind::Xls => whole(first_range::<Xls<_>>(path, "XLS")?),
        SpreadsheetKind::Ods => whole(first_range::<Ods<_>>(path, "ODS")?),
    }
}

/// Refuses an XLSX whose shared-strings table declares more than [`MAX_SHARED_STRINGS`] entries
/// (`<sst uniqueCount="N">`), before calamine reserves memory for them. Only the first 4 KiB of the
/// table are read; a table that cannot be read is left for calamine to judge.
fn check_shared_strings(path: &Path) -> Result<(), FileError> {
    use std::io::Read;
    let Ok(file) = File::open(path) else {
        return Ok(());
    };
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) else {
        return Ok(());
    };
    let tables: Vec<String> = zip
        .file_names()
        .flatten()
        .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .map(|n| n.into_owned())
        .collect();
    for name in tables {
        let mut head = Vec::with_capacity(4096);
        let Ok(entry) = zip.by_name(&name) else {
            continue;
        };
        if entry.take(4096).read_to_end(&mut head).is_err() {
            continue;
        }
        if let Some(n) = declared_unique_count(&head)
            && n > MAX_SHARED_STRINGS
        {
            return Err(FileError::new(format!(
                "the workbook declares {n} shared strings, more than the {MAX_SHARED_STRINGS} mcu \
                 reads: the file is damaged or too large"
            )));
        }
    }
    Ok(())
}

/// The `uniqueCount` of the `sst` element at the start of a shared-strings table, if stated.
fn declared_unique_count(xml: &[u8]) -> Option<u64> {
    let start = memchr::memmem::find(xml, b"sst")?;
    let tag = &xml[start..];
    let tag = &tag[..memchr::memchr(b'>', tag).unwrap_or(tag.len())];
    let at = memchr::memmem::find(tag, b"uniqueCount")?;
    let rest = &tag[at + "uniqueCount".len()..];
    let digits: Vec<u8> = rest
        .iter()
        .skip_while(|b| matches!(b, b'=' | b'"' | b'\'' | b' '))
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    if digits.is_empty() {
        return None;
    }
    // More digits than a u64 holds is more than any cap.
    Some(
        std::str::from_utf8(&digits)
            .ok()?
            .parse()
            .unwrap_or(u64::MAX),
    )
}

fn open_book<R>(path: &Path, kind: &str) -> Result<R, FileError>
where
    R: Reader<BufReader<File>>,
    R::Error: std::fmt::Display,
{
    calamine::open_workbook(path)
        .map_err(|e| FileError::new(format!("cannot read the {kind} workbook: {e}")))
}

fn first_sheet_name<R>(book: &R, kind: &str) -> Result<String, FileError>
where
    R: Reader<BufReader<File>>,
{
    book.sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| FileError::new(format!("the {kind} workbook has no sheets")))
}

fn sheet_error(kind: &str, e: &dyn std::fmt::Display) -> FileError {
    FileError::new(format!(
        "cannot read the first sheet of the {kind} workbook: {e}"
    ))
}

fn first_range<R>(path: &Path, kind: &str) -> Result<Range<Data>, FileError>
where
    R: Reader<BufReader<File>>,
    R::Error: std::fmt::Display,
{
    let mut book: R = open_book(path, kind)?;
    match book.worksheet_range_at(0) {
        None => Err(FileError::new(format!("the {kind} workbook has no sheets"))),
        Some(Err(e)) => Err(sheet_error(kind, &e)),
        Some(Ok(range)) => Ok(range),
    }
}

/// The callback a sheet's cells are fed to, in the order of the file: `Ok(false)` asks to stop
/// (nobody reads the rows any more), an error ends the file.
type CellSink<'a> = dyn FnMut(u32, u32, &DataRef<'_>) -> Result<bool, FileError> + 'a;

/// Reads a sheet's cells on a thread of its own and hands out its rows, a few at a time.
fn stream<F>(read: F) -> Result<Rows, FileError>
where
    F: FnOnce(&mut CellSink<'_>) -> Result<(), FileError> + Send + 'static,
{
    let (send, receive) = mpsc::sync_channel::<Result<ReadItem, FileError>>(64);
    let cancelled = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&cancelled);
    std::thread::Builder::new()
        .name("mcu-import-sheet".into())
        .spawn(move || {
            // A panic in calamine on a malformed file ends this file, not the importer, and
            // never passes for the end of the sheet.
            let send_rows = &send;
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut rows = RowBuilder::default();
                let mut sink = |r: u32, c: u32, d: &DataRef<'_>| -> Result<bool, FileError> {
                    if stop.load(Ordering::Relaxed) {
                        return Ok(false);
                    }
                    Ok(match rows.push(r, c, Value::Ref(d))? {
                        Some(item) => send_rows.send(Ok(item)).is_ok(),
                        None => true,
                    })
                };
                read(&mut sink)?;
                rows.finish()
            }))
            .unwrap_or_else(|_| Err(FileError::new(super::READER_FAILED)));
            match result {
                Ok(Some(item)) => {
                    let _ = send.send(Ok(item));
                }
                Ok(None) => {}
                Err(e) => {
                    let _ = send.send(Err(e));
                }
            }
        })
        .map_err(|e| FileError::new(format!("cannot start reading the sheet: {e}")))?;
    Ok(Box::new(Streamed { receive, cancelled }))
}

/// The rows of a streamed sheet; dropping it tells the reading thread to stop.
struct Streamed {
    receive: mpsc::Receiver<Result<ReadItem, FileError>>,
    cancelled: Arc<AtomicBool>,
}

impl Iterator for Streamed {
    type Item = Result<ReadItem, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.receive.recv().ok()
    }
}

impl Drop for Streamed {
    fn drop(&mut self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

/// The rows of a sheet calamine read whole (XLS, ODS), taken from its used cells only.
fn whole(range: Range<Data>) -> Result<Rows, FileError> {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut rows = RowBuilder::default();
    let mut items = Vec::new();
    for (r, c, d) in range.used_cells() {
        let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
            return Err(FileError::new("the sheet is larger than a sheet can be"));
        };
        if let Some(item) = rows.push(
            row0.saturating_add(r),
            col0.saturating_add(c),
            Value::Owned(d),
        )? {
            items.push(Ok(item));
        }
    }
    if let Some(item) = rows.finish()? {
        items.push(Ok(item));
    }
    Ok(Box::new(items.into_iter()))
}

/// The text of a cell as a person sees it.
pub(crate) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => datetime_text(dt),
        // ODS stores dates as ISO text: `2026-11-28T14:30:00` → `2026-11-28 14:30:00`.
        Data::DateTimeIso(s) => s.replacen('T', " ", 1),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// Whole numbers print without a fractional part and never in exponent form.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// An Excel date-time as `YYYY-MM-DD HH:MM:SS`, rounded to the second; a duration as its number.
fn datetime_text(dt: &ExcelDateTime) -> String {
    if !dt.is_datetime() {
        return float_text(dt.as_f64());
    }
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    let Some(naive) = NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
        .and_then(|date| date.and_hms_opt(u32::from(h), u32::from(mi), u32::from(s)))
    else {
        // Excel's phantom 1900-02-29: keep the number, the date parser will say what is wrong.
        return float_text(dt.as_f64());
    };
    let naive = if ms >= 500 {
        naive + Duration::seconds(1)
    } else {
        naive
    };
    naive.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A cell's value as a reader gives it.
#[derive(Clone, Copy)]
enum Value<'a, 'b> {
    /// From a cell reader (XLSX, XLSB).
    Ref(&'a DataRef<'b>),
    /// From a sheet read whole (XLS, ODS).
    Owned(&'a Data),
}

/// Puts a sheet's cells, as they come (row by row), together into rows: the first row with text
/// is the header, each later one a row of values under it.
#[derive(Default)]
struct RowBuilder {
    headers: Option<Arc<Vec<String>>>,
    /// The sheet row (0-based) being put together, and its non-empty cells so far.
    row: Option<u32>,
    cells: Vec<(u32, String)>,
    row_bytes: u64,
    too_big: Option<RowError>,
    cells_read: u64,
}

impl RowBuilder {
    /// Takes one cell; returns the row it ended, if any.
    fn push(&mut self, r: u32, c: u32, d: Value<'_, '_>) -> Result<Option<ReadItem>, FileError> {
        self.cells_read += 1;
        if self.cells_read > MAX_SHEET_CELLS {
            return Err(FileError::new(format!(
                "the first sheet has more than {MAX_SHEET_CELLS} cells, more than mcu reads; \
                 split the export into smaller files"
            )));
        }
        if r >= MAX_SHEET_ROWS || c >= MAX_SHEET_COLUMNS {
            return Err(FileError::new(format!(
                "a cell at row {}, column {} lies outside any sheet (at most {MAX_SHEET_ROWS} rows \
                 and {MAX_SHEET_COLUMNS} columns): the file is damaged",
                u64::from(r) + 1,
                u64::from(c) + 1
            )));
        }
        let ended = if self.row != Some(r) {
            let ended = self.end_row()?;
            self.row = Some(r);
            ended
        } else {
            None
        };
        if matches!(d, Value::Ref(DataRef::Empty) | Value::Owned(Data::Empty)) {
            return Ok(ended);
        }
        // Right of the header there is no field: such a cell is not kept.
        if let Some(h) = &self.headers
            && c as usize >= h.len()
        {
            return Ok(ended);
        }
        if self.headers.is_none() && c as usize >= MAX_COLUMNS {
            return Err(FileError::new(format!(
                "the header row reaches column {}, more than the {MAX_COLUMNS} columns mcu reads",
                u64::from(c) + 1
            )));
        }
        let text = match d {
            Value::Ref(d) => cell_text(&Data::from(d.clone())),
            Value::Owned(d) => cell_text(d),
        };
        if self.too_big.is_some() {
            return Ok(ended);
        }
        let len = text.len() as u64;
        self.row_bytes += len;
        let line = u64::from(r) + 1;
        if len > MAX_FIELD_BYTES {
            let field = self
                .headers
                .as_ref()
                .and_then(|h| h.get(c as usize).cloned())
                .unwrap_or_default();
            self.too_big = Some(RowError {
                line,
                field,
                reason: format!(
                    "the cell holds {}, more than the {} a cell may: the row is left out (it is \
                     still in the original file)",
                    size_text(len),
                    size_text(MAX_FIELD_BYTES)
                ),
            });
            self.cells = Vec::new();
        } else if self.row_bytes > MAX_ROW_BYTES {
            self.too_big = Some(RowError {
                line,
                field: String::new(),
                reason: format!(
                    "the row holds more than the {} a row may: it is left out (it is still in \
                     the original file)",
                    size_text(MAX_ROW_BYTES)
                ),
            });
            self.cells = Vec::new();
        } else {
            self.cells.push((c, text));
        }
        Ok(ended)
    }

    /// Ends the row being put together: the header, a row of values, a bad row, or nothing (blank).
    fn end_row(&mut self) -> Result<Option<ReadItem>, FileError> {
        let cells = std::mem::take(&mut self.cells);
        self.row_bytes = 0;
        let too_big = self.too_big.take();
        let Some(r) = self.row else {
            return Ok(None);
        };
        let Some(headers) = &self.headers else {
            if let Some(e) = too_big {
                return Err(FileError::new(format!(
                    "the header row is too large: {}",
                    e.reason
                )));
            }
            if cells.iter().all(|(_, t)| t.trim().is_empty()) {
                return Ok(None);
            }
            let width = cells
                .iter()
                .map(|(c, _)| *c as usize + 1)
                .max()
                .unwrap_or(0);
            let mut h = vec![String::new(); width];
            for (c, t) in cells {
                h[c as usize] = t.trim().to_string();
            }
            self.headers = Some(Arc::new(h));
            return Ok(None);
        };
        if let Some(e) = too_big {
            return Ok(Some(ReadItem::Bad(e)));
        }
        if cells.iter().all(|(_, t)| t.trim().is_empty()) {
            return Ok(None);
        }
        let mut values = vec![String::new(); headers.len()];
        for (c, t) in cells {
            if let Some(v) = values.get_mut(c as usize) {
                *v = t;
            }
        }
        Ok(Some(ReadItem::Row(RawRow {
            line: u64::from(r) + 1,
            headers: Arc::clone(headers),
            values,
        })))
    }

    /// Ends the sheet: its last row, or an error if it had no header at all.
    fn finish(&mut self) -> Result<Option<ReadItem>, FileError> {
        let last = self.end_row()?;
        if self.headers.is_none() {
            return Err(FileError::new("the first sheet is empty"));
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_count_of_shared_strings_is_read_from_the_sst_tag() {
        let xml = br#"<?xml version="1.0"?><x:sst xmlns:x="ns" count="9" uniqueCount = "7"><si>"#;
        assert_eq!(declared_unique_count(xml), Some(7));
        assert_eq!(declared_unique_count(b"<sst count='3'><si>"), None);
        assert_eq!(
            declared_unique_count(b"<sst uniqueCount='99999999999999999999999'>"),
            Some(u64::MAX)
        );
    }

    #[test]
    fn whole_numbers_stay_whole() {
        assert_eq!(float_text(12_050_000_001.0), "12050000001");
        assert_eq!(float_text(4.0), "4");
        assert_eq!(float_text(56.95), "56.95");
        assert_eq!(cell_text(&Data::Int(12_050_000_001)), "12050000001");
    }

    #[test]
    fn excel_dates_print_as_local_wall_time() {
        let dt = ExcelDateTime::new(
            46276.40486111111,
            calamine::ExcelDateTimeType::DateTime,
            false,
        );
        assert_eq!(datetime_text(&dt), "2026-09-11 09:43:00");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2026-11-28T14:30:00".into())),
            "2026-11-28 14:30:00"
        );
    }
}
