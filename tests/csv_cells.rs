//! CSV files meant for Excel (`mcu export`, `quarantine/*.errors.csv`) never carry a live
//! formula: a cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is written with
//! a leading `'`.

#![allow(clippy::unwrap_used)] // a panic is a failed test

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const NOW: &str = "2026-11-28T12:00:00+03:00";

fn mcu(ws: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env("MCU_LOG", ws.with_extension("log"))
        .output()
        .expect("mcu runs");
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "mcu {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Reads back a `;` CSV with a BOM, as Excel would see its cells.
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = fs::read(path).unwrap();
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).expect("a BOM");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap()
}

const HOSTILE: &str = "id;channel;received_at;text;author;contact;address;rating\n\
    =cmd|' /C calc'!A0;pos;2026-11-27 10:00;\"=HYPERLINK(\"\"http://evil.example\"\";\"\"Нажмите\"\")\";@Иванов;+7 999 123-45-67;-ул. Лесная;5\n\
    P-2;pos;2026-11-27 11:00;-5;Петров;\t=1+1;ул. Садовая;\n\
    =2+5;pos;2026-11-27 12:00;Оценка не та;Сидоров;=1+1;@SUM(A1);-5\n";

#[test]
fn export_neutralises_cells_that_excel_would_run_as_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    mcu(&ws, &["init"]);
    let file = dir.path().join("hostile.csv");
    fs::write(&file, HOSTILE).unwrap();
    mcu(&ws, &["import", &file.display().to_string(), "--now", NOW]);
    let out = dir.path().join("export.csv");
    mcu(
        &ws,
        &[
            "export",
            "--with-personal-data",
            "-o",
            &out.display().to_string(),
        ],
    );
    let rows = read_csv(&out);
    assert_eq!(rows.len(), 3, "{rows:?}");
    let row = |source: &str| {
        rows.iter()
            .find(|r| r[column(&rows, "source_id")] == source)
            .unwrap_or_else(|| panic!("no {source} in {rows:?}"))
    };
    let first = row("'=cmd|' /C calc'!A0");
    assert_eq!(
        first[column(&rows, "text")],
        "'=HYPERLINK(\"http://evil.example\";\"Нажмите\")"
    );
    assert_eq!(first[column(&rows, "author")], "'@Иванов");
    assert_eq!(first[column(&rows, "contact")], "'+7 999 123-45-67");
    assert_eq!(first[column(&rows, "address")], "'-ул. Лесная");
    // A number in a numeric column stays a number; a citizen's «-5» in a text column does not.
    assert_eq!(first[column(&rows, "rating")], "5");
    let second = row("P-2");
    assert_eq!(second[column(&rows, "text")], "'-5");
    assert_eq!(second[column(&rows, "author")], "Петров");
    // No cell of the file begins like a formula.
    for r in &rows {
        for c in r {
            assert!(
                !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "live cell {c:?} in {r:?}"
            );
        }
    }
}

#[test]
fn quarantined_rows_are_written_without_live_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    mcu(&ws, &["init"]);
    let file = dir.path().join("hostile.csv");
    fs::write(&file, HOSTILE).unwrap();
    mcu(&ws, &["import", &file.display().to_string(), "--now", NOW]);
    let errors = ws.join("quarantine/hostile.csv.errors.csv");
    let rows = read_csv(&errors);
    // The header line, then the row refused for its rating.
    assert_eq!(rows.len(), 2, "{rows:?}");
    let bad = &rows[1];
    assert_eq!(bad[column(&rows, "field")], "rating");
    assert_eq!(bad[column(&rows, "id")], "'=2+5");
    assert_eq!(bad[column(&rows, "contact")], "'=1+1");
    assert_eq!(bad[column(&rows, "address")], "'@SUM(A1)");
    assert_eq!(bad[column(&rows, "rating")], "'-5");
    for r in &rows {
        for c in r {
            assert!(
                !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "live cell {c:?} in {r:?}"
            );
        }
    }
}
