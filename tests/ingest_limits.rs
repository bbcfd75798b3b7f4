//! What a reader holds of an input is bounded: a sheet is read by its real cells (one cell at
//! XFD1048576 is one cell, not 17 billion), a huge cell, row, line or JSON element puts its row in
//! quarantine with the reason while the rest of the file goes on, and what exceeds the caps of a
//! whole file (header width, sheet size) is refused with the reason. Fixtures are generated here.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

mod common;

use common::{import, write};
use mcu::ingest::readers::{MAX_COLUMNS, MAX_FIELD_BYTES, MAX_ROW_BYTES};
use rust_xlsxwriter::Workbook;

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

const HEADER: &str = "id;channel;received_at;text\n";

fn csv_row(id: &str, text: &str) -> String {
    format!("{id};pos;2026-11-02 10:00;{text}\n")
}

fn ids(out: &common::Outcome) -> Vec<&str> {
    out.appeals.iter().map(|a| a.source_id.as_str()).collect()
}

#[test]
fn a_stray_cell_at_xfd1048576_is_one_cell_and_the_rows_import() {
    let dir = tempdir();
    let path = dir.path().join("far.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["id", "channel", "received_at", "text"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..3u32 {
        sheet.write_string(r, 0, format!("X-{r}")).unwrap();
        sheet.write_string(r, 1, "pos").unwrap();
        sheet.write_string(r, 2, "2026-11-02 10:00").unwrap();
        sheet.write_string(r, 3, "Яма у остановки").unwrap();
    }
    // The last cell a sheet can have: read as a rectangle from A1 this was a 512 GiB allocation.
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 64 * 1024);

    let out = import(&path).expect("readable");
    assert_eq!(ids(&out), ["X-1", "X-2"]);
    assert_eq!(out.errors, []);
}

#[test]
fn a_header_reaching_past_the_column_cap_is_refused_with_the_reason() {
    let dir = tempdir();
    let path = dir.path().join("only-far.xlsx");
    let mut book = Workbook::new();
    book.add_worksheet()
        .write_string(1_048_575, 16_383, "x")
        .unwrap();
    book.save(&path).unwrap();
    let err = import(&path).expect_err("refused");
    assert!(
        err.reason.contains("column 16384") && err.reason.contains(&MAX_COLUMNS.to_string()),
        "{}",
        err.reason
    );
}

#[test]
fn a_spreadsheet_row_over_the_row_cap_goes_to_quarantine_and_the_rest_imports() {
    let dir = tempdir();
    let path = dir.path().join("wide.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let width = 200u16;
    for c in 0..width {
        let h = match c {
            0 => "id".to_string(),
            1 => "channel".into(),
            2 => "received_at".into(),
            3 => "text".into(),
            _ => format!("extra{c}"),
        };
        sheet.write_string(0, c, h).unwrap();
    }
    for r in 1..4u32 {
        sheet.write_string(r, 0, format!("W-{r}")).unwrap();
        sheet.write_string(r, 1, "pos").unwrap();
        sheet.write_string(r, 2, "2026-11-02 10:00").unwrap();
        sheet.write_string(r, 3, "Не горит фонарь").unwrap();
    }
    // Row 3 (sheet line 3): 196 cells of 30,000 characters, about 5.6 MiB.
    let long = "ж".repeat(15_000);
    for c in 4..width {
        sheet.write_string(2, c, &long).unwrap();
    }
    book.save(&path).unwrap();
    let out = import(&path).expect("readable");
    assert_eq!(ids(&out), ["W-1", "W-3"]);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].line, 3);
    assert!(out.errors[0].reason.contains("4 MiB"), "{:?}", out.errors);
}

#[test]
fn a_csv_cell_over_the_cap_puts_its_row_in_quarantine_and_the_rest_goes_on() {
    let dir = tempdir();
    let huge = "я".repeat(MAX_FIELD_BYTES as usize); // two bytes a letter: 2 MiB
    let text = format!(
        "{HEADER}{}{}{}",
        csv_row("A-1", "Яма"),
        csv_row("A-2", &huge),
        csv_row("A-3", "Фонарь")
    );
    let path = write(dir.path(), "huge.csv", text.as_bytes());
    let out = import(&path).expect("readable");
    assert_eq!(ids(&out), ["A-1", "A-3"]);
    assert_eq!(out.errors.len(), 1);
    let e = &out.errors[0];
    assert_eq!((e.line, e.field.as_str()), (3, "text"));
    assert!(
        e.reason.contains("2 MiB") && e.reason.contains("1 MiB"),
        "{}",
        e.reason
    );
}

#[test]
fn a_csv_row_over_the_cap_goes_to_quarantine_even_when_every_cell_is_small() {
    let dir = tempdir();
    let cell = "ф".repeat(400_000); // 800,000 bytes, under the cell cap
    let cells = (0..6).map(|_| cell.as_str()).collect::<Vec<_>>().join(";");
    let text = format!(
        "id;channel;received_at;text;a;b;c;d;e\n{}B-2;pos;2026-11-02 10:00;{cells}\n{}",
        csv_row("B-1", "Яма"),
        csv_row("B-3", "Фонарь")
    );
    assert!(text.len() as u64 > MAX_ROW_BYTES);
    let path = write(dir.path(), "wide.csv", text.as_bytes());
    let out = import(&path).expect("readable");
    assert_eq!(ids(&out), ["B-1", "B-3"]);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].line, 3);
    assert!(out.errors[0].reason.contains("4 MiB"), "{:?}", out.errors);
}

#[test]
fn a_csv_header_wider_than_the_cap_is_refused() {
    let dir = tempdir();
    let header: Vec<String> = (0..=MAX_COLUMNS).map(|i| format!("c{i}")).collect();
    let text = format!("{}\n1;2\n", header.join(";"));
    let path = write(dir.path(), "cols.csv", text.as_bytes());
    let err = import(&path).expect_err("refused");
    assert!(err.reason.contains("1025 columns"), "{}", err.reason);
}

#[test]
fn a_json_lines_line_over_the_cap_is_a_bad_row_and_the_rest_goes_on() {
    let dir = tempdir();
    let big = "ы".repeat(MAX_ROW_BYTES as usize / 2 + 10);
    let line = |id: &str, text: &str| {
        format!(
            "{{\"id\": \"{id}\", \"channel\": \"im\", \"received_at\": \"2026-11-02 10:00\", \"text\": \"{text}\"}}\n"
        )
    };
    let text = format!(
        "{}{}{}",
        line("J-1", "Яма"),
        line("J-2", &big),
        line("J-3", "Фонарь")
    );
    let path = write(dir.path(), "big.jsonl", text.as_bytes());
    let out = import(&path).expect("readable");
    assert_eq!(ids(&out), ["J-1", "J-3"]);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].line, 2);
    assert!(out.errors[0].reason.contains("4 MiB"), "{:?}", out.errors);
}

#[test]
fn a_json_element_over_the_cap_is_a_bad_row_in_arrays_and_open311() {
    let dir = tempdir();
    let big = "ы".repeat(MAX_ROW_BYTES as usize / 2 + 10);
    let canonical = format!(
        "[{{\"id\": \"1\", \"channel\": \"im\", \"received_at\": \"2026-11-02 10:00\", \"text\": \"Яма\"}},\
         {{\"id\": \"2\", \"channel\": \"im\", \"received_at\": \"2026-11-02 10:00\", \"text\": \"{big}\"}},\
         {{\"id\": \"3\", \"channel\": \"im\", \"received_at\": \"2026-11-02 10:00\", \"text\": \"Фонарь\"}}]"
    );
    let open311 = format!(
        "[{{\"service_request_id\": \"1\", \"requested_datetime\": \"2026-11-02T10:00:00+03:00\", \"description\": \"Яма\"}},\
         {{\"service_request_id\": \"2\", \"requested_datetime\": \"2026-11-02T10:00:00+03:00\", \"description\": \"{big}\"}},\
         {{\"service_request_id\": \"3\", \"requested_datetime\": \"2026-11-02T10:00:00+03:00\", \"description\": \"Фонарь\"}}]"
    );
    for (name, text) in [("big.json", canonical), ("big311.json", open311)] {
        let path = write(dir.path(), name, text.as_bytes());
        let out = import(&path).expect("readable");
        assert_eq!(ids(&out), ["1", "3"], "{name}");
        assert_eq!(out.errors.len(), 1, "{name}");
        assert_eq!(out.errors[0].line, 2, "{name}");
        assert!(out.errors[0].reason.contains("4 MiB"), "{:?}", out.errors);
    }
}

#[test]
fn an_xlsx_declaring_billions_of_shared_strings_is_refused_before_memory_is_reserved() {
    let dir = tempdir();
    let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let sheet = format!(
        "<worksheet xmlns=\"{ns}\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>"
    );
    // calamine reserved room for the declared count: 24 bytes × 10^11 and the process aborted.
    let strings = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{ns}\" count=\"1\" uniqueCount=\"100000000000\"><si><t>id</t></si></sst>"
    );
    let path = write(
        dir.path(),
        "sst.xlsx",
        &common::minimal_xlsx(sheet.as_bytes(), strings.as_bytes()),
    );
    let err = import(&path).expect_err("refused");
    assert!(
        err.reason.contains("declares 100000000000 shared strings"),
        "{}",
        err.reason
    );
}

#[test]
fn a_sheet_that_breaks_the_xlsx_parser_is_refused_not_taken_for_its_end() {
    let dir = tempdir();
    let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    // Found by tests/fuzz_readers.rs: a cell reference whose column letters overflow calamine's
    // arithmetic (a panic in a debug build, a wrapped column number in a release build). The panic
    // ended the sheet's thread, which read as the end of the sheet: the rows after it were lost
    // without a word.
    let sheet = format!(
        "<worksheet xmlns=\"{ns}\"><sheetData>\
         <row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>text</t></is></c></row>\
         <row r=\"2\"><c r=\"AAAAAAAAAAAAAAAAAAAAAAAA2\" t=\"inlineStr\"><is><t>1</t></is></c></row>\
         </sheetData></worksheet>"
    );
    let strings = format!("<sst xmlns=\"{ns}\" count=\"0\" uniqueCount=\"0\"></sst>");
    let path = write(
        dir.path(),
        "overflow.xlsx",
        &common::minimal_xlsx(sheet.as_bytes(), strings.as_bytes()),
    );
    let err = import(&path).expect_err("refused, not read as an empty sheet");
    assert!(!err.reason.is_empty());
}
