//! XLSX, XLSB, XLS and ODS through calamine: the first sheet; its first non-empty row is the
//! header. Cells become the strings a person sees: dates as `YYYY-MM-DD HH:MM:SS` (local time, as
//! Excel stores it), whole numbers without `.0` (ids like 12050000001 stay whole).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use calamine::{Data, ExcelDateTime, Ods, Range, Reader, Xls, Xlsb, Xlsx};
use chrono::{Duration, NaiveDate};

use super::Rows;
use crate::ingest::format::{SpreadsheetKind, spreadsheet_kind};
use crate::ingest::{FileError, RawRow, ReadItem};

/// Opens the first sheet of a workbook.
pub(super) fn open(path: &Path) -> Result<Rows, FileError> {
    let range = match spreadsheet_kind(path)? {
        SpreadsheetKind::Xlsx => first_sheet::<Xlsx<_>>(path, "XLSX")?,
        SpreadsheetKind::Xlsb => first_sheet::<Xlsb<_>>(path, "XLSB")?,
        SpreadsheetKind::Xls => first_sheet::<Xls<_>>(path, "XLS")?,
        SpreadsheetKind::Ods => first_sheet::<Ods<_>>(path, "ODS")?,
    };
    Ok(Box::new(SheetRows::new(range)?))
}

fn first_sheet<R>(path: &Path, kind: &str) -> Result<Range<Data>, FileError>
where
    R: Reader<BufReader<File>>,
    R::Error: std::fmt::Display,
{
    let mut book: R = calamine::open_workbook(path)
        .map_err(|e| FileError::new(format!("cannot read the {kind} workbook: {e}")))?;
    match book.worksheet_range_at(0) {
        None => Err(FileError::new(format!("the {kind} workbook has no sheets"))),
        Some(Err(e)) => Err(FileError::new(format!(
            "cannot read the first sheet of the {kind} workbook: {e}"
        ))),
        Some(Ok(range)) => Ok(range),
    }
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

/// Rows of one sheet, read whole by calamine and handed out one by one.
struct SheetRows {
    range: Range<Data>,
    headers: Arc<Vec<String>>,
    /// Sheet row number (0-based) of the range's first row.
    first_row: u32,
    /// Next row of the range to hand out (relative).
    next: usize,
}

impl SheetRows {
    fn new(range: Range<Data>) -> Result<Self, FileError> {
        let first_row = range.start().map_or(0, |(r, _)| r);
        let (height, width) = range.get_size();
        let is_empty_row = |r: usize| {
            (0..width).all(|c| {
                range
                    .get((r, c))
                    .is_none_or(|d| cell_text(d).trim().is_empty())
            })
        };
        let Some(header_row) = (0..height).find(|&r| !is_empty_row(r)) else {
            return Err(FileError::new("the first sheet is empty"));
        };
        let headers: Vec<String> = (0..width)
            .map(|c| {
                range
                    .get((header_row, c))
                    .map_or_else(String::new, |d| cell_text(d).trim().to_string())
            })
            .collect();
        Ok(Self {
            range,
            headers: Arc::new(headers),
            first_row,
            next: header_row + 1,
        })
    }
}

impl Iterator for SheetRows {
    type Item = Result<ReadItem, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (height, width) = self.range.get_size();
        while self.next < height {
            let r = self.next;
            self.next += 1;
            let values: Vec<String> = (0..width)
                .map(|c| self.range.get((r, c)).map_or_else(String::new, cell_text))
                .collect();
            if values.iter().all(|v| v.trim().is_empty()) {
                continue;
            }
            let line = u64::from(self.first_row) + r as u64 + 1;
            return Some(Ok(ReadItem::Row(RawRow {
                line,
                headers: Arc::clone(&self.headers),
                values,
            })));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
