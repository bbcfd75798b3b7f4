//! One table written to one file, as people open it in Excel: the writer `mcu pages export`,
//! `mcu roadmap export` and `mcu votes export` share. CSV: UTF-8 with BOM (so Excel does not
//! take it for Windows-1251), `;`, and every cell through [`csv_cell::text`] (a cell that begins
//! like a formula gets a leading `'`, which mcu's imports drop again); XLSX: one sheet of string
//! cells, never a formula.

use std::io::Write;
use std::path::Path;

use super::{Failure, usage};
use crate::domain::csv_cell;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    Xlsx,
    Csv,
}

impl TableFormat {
    /// The format asked for; else the file's extension (`.xlsx`: XLSX); else CSV.
    pub fn of(asked: Option<TableFormat>, path: &Path) -> TableFormat {
        asked.unwrap_or_else(|| {
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
            {
                TableFormat::Xlsx
            } else {
                TableFormat::Csv
            }
        })
    }
}

/// Writes `header` and `rows` to `path` (XLSX: into a sheet named `sheet`). A failure names the
/// file.
pub fn write(
    path: &Path,
    format: TableFormat,
    sheet: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<(), Failure> {
    let shown = path.display().to_string();
    match format {
        TableFormat::Xlsx => {
            let fail = |e: rust_xlsxwriter::XlsxError| usage(format!("{shown}: {e}"));
            let mut book = rust_xlsxwriter::Workbook::new();
            let ws = book.add_worksheet();
            ws.set_name(sheet).map_err(fail)?;
            for (c, h) in header.iter().enumerate() {
                ws.write_string(0, col(c), *h).map_err(fail)?;
            }
            for (r, row) in rows.iter().enumerate() {
                let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
                for (c, v) in row.iter().enumerate() {
                    ws.write_string(r, col(c), v).map_err(fail)?;
                }
            }
            book.save(path).map_err(fail)
        }
        TableFormat::Csv => {
            let fail = |e: std::io::Error| usage(format!("{shown}: {e}"));
            let f = crate::workspace::create_file(path).map_err(fail)?;
            let mut out = std::io::BufWriter::new(f);
            out.write_all("\u{feff}".as_bytes()).map_err(fail)?;
            let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
            let csv_fail = |e: csv::Error| usage(format!("{shown}: {e}"));
            w.write_record(header).map_err(csv_fail)?;
            for row in rows {
                w.write_record(row.iter().map(|v| csv_cell::text(v).into_owned()))
                    .map_err(csv_fail)?;
            }
            w.flush().map_err(fail)
        }
    }
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_the_one_asked_else_the_extension() {
        let p = Path::new("out.XLSX");
        assert_eq!(TableFormat::of(None, p), TableFormat::Xlsx);
        assert_eq!(TableFormat::of(Some(TableFormat::Csv), p), TableFormat::Csv);
        assert_eq!(TableFormat::of(None, Path::new("out")), TableFormat::Csv);
    }

    #[test]
    fn csv_has_a_bom_semicolons_and_formula_cells_as_text() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("t.csv");
        let rows = vec![vec!["=1+1".to_string(), "Яма; большая".to_string()]];
        write(&p, TableFormat::Csv, "Лист", &["А", "Б"], &rows).expect("written");
        let text = std::fs::read_to_string(&p).expect("read");
        assert_eq!(text, "\u{feff}А;Б\n'=1+1;\"Яма; большая\"\n");
    }
}
