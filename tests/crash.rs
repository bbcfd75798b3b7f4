//! Crash safety: the importer dies in the middle of a file, or right after committing it; the next
//! run must end with exactly what a clean import gives, the file imported once and out of the inbox.
//!
//! The crash is injected deterministically with `MCU_FAULT` (see `ingest::pipeline`), which aborts
//! the process — no unwinding, no rollback by mcu, just like `kill -9`.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const NOW: &str = "2026-11-28T12:00:00+03:00";
const ROWS: usize = 3000;

fn mcu(ws: &Path, args: &[&str], fault: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcu"));
    c.arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME");
    match fault {
        Some(f) => c.env("MCU_FAULT", f),
        None => c.env_remove("MCU_FAULT"),
    };
    c.output().expect("mcu runs")
}

fn big_csv() -> String {
    let mut s = String::from("id;received_at;text;settlement;status\n");
    for i in 0..ROWS {
        s.push_str(&format!(
            "C-{i};2026-11-{:02} {:02}:{:02};Обращение номер {i}: не горит фонарь у дома {};с. Заречное;{}\n",
            1 + i % 27,
            8 + i % 9,
            i % 60,
            i % 40,
            if i % 3 == 0 { "Дан ответ" } else { "В работе" }
        ));
    }
    s
}

fn everything(ws: &Path) -> Value {
    let out = mcu(
        ws,
        &["list", "--json", "--limit", "100000", "--now", NOW],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The internal number and version may differ between workspaces; the content may not.
    for a in v.as_array_mut().unwrap() {
        let o = a.as_object_mut().unwrap();
        o.remove("id");
    }
    v
}

fn drop_in_inbox(ws: &Path) {
    assert!(mcu(ws, &["init"], None).status.success());
    fs::write(ws.join("inbox/pos/big.csv"), big_csv()).unwrap();
}

#[test]
fn a_crash_in_the_middle_of_a_file_loses_nothing_and_imports_nothing_twice() {
    let clean = tempfile::tempdir().unwrap();
    drop_in_inbox(clean.path());
    assert!(
        mcu(clean.path(), &["import", "--inbox", "--now", NOW], None)
            .status
            .success()
    );

    let ws = tempfile::tempdir().unwrap();
    drop_in_inbox(ws.path());
    let crashed = mcu(
        ws.path(),
        &["import", "--inbox", "--now", NOW],
        Some(&format!("abort-after-rows:{}", ROWS / 2)),
    );
    assert!(!crashed.status.success(), "the importer died");
    assert!(
        ws.path().join("inbox/pos/big.csv").exists(),
        "the file stays in the inbox"
    );
    assert_eq!(
        everything(ws.path()).as_array().unwrap().len(),
        0,
        "nothing half-imported"
    );

    let out = mcu(
        ws.path(),
        &["import", "--inbox", "--json", "--now", NOW],
        None,
    );
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r[0]["inserted"], ROWS as i64);
    assert!(!ws.path().join("inbox/pos/big.csv").exists());
    assert!(ws.path().join("processed/2026-11-28/big.csv").exists());
    assert_eq!(everything(ws.path()), everything(clean.path()));
}

#[test]
fn a_crash_after_the_commit_moves_the_file_on_the_next_run_without_reimporting() {
    let ws = tempfile::tempdir().unwrap();
    drop_in_inbox(ws.path());
    let crashed = mcu(
        ws.path(),
        &["import", "--inbox", "--now", NOW],
        Some("abort-after-commit"),
    );
    assert!(!crashed.status.success());
    assert!(ws.path().join("inbox/pos/big.csv").exists());
    assert_eq!(everything(ws.path()).as_array().unwrap().len(), ROWS);

    let out = mcu(
        ws.path(),
        &["import", "--inbox", "--json", "--now", NOW],
        None,
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r[0]["outcome"], "already_imported");
    assert!(ws.path().join("processed/2026-11-28/big.csv").exists());
    assert_eq!(everything(ws.path()).as_array().unwrap().len(), ROWS);
}

/// A CSV of `rows` rows for the pos inbox; every third row has no text when `bad_rows`.
fn csv_of(prefix: &str, rows: usize, bad_rows: bool) -> String {
    let mut s = String::from("id;received_at;text\n");
    for i in 0..rows {
        let text = if bad_rows && i % 3 == 2 {
            String::new()
        } else {
            format!("Обращение {prefix}-{i}: яма у дома {}", i % 40)
        };
        s.push_str(&format!(
            "{prefix}-{i};2026-11-{:02} 10:00;{text}\n",
            1 + i % 27
        ));
    }
    s
}

/// Writes an inbox file whose modification time is `age_secs` in the past (the inbox is imported
/// oldest first).
fn inbox_file(ws: &Path, name: &str, content: &str, age_secs: u64) {
    let p = ws.join("inbox/pos").join(name);
    fs::write(&p, content).unwrap();
    let f = fs::File::options().write(true).open(&p).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(age_secs))
        .unwrap();
}

const INBOX: [&str; 5] = ["import", "--inbox", "--json", "--no-triage", "--now"];

fn import_inbox(ws: &Path, fault: Option<&str>) -> Output {
    let mut args = INBOX.to_vec();
    args.push(NOW);
    mcu(ws, &args, fault)
}

#[test]
fn a_file_that_kills_the_importer_twice_goes_to_quarantine_and_the_files_behind_it_go_on() {
    let ws = tempfile::tempdir().unwrap();
    assert!(mcu(ws.path(), &["init"], None).status.success());
    inbox_file(ws.path(), "deadly.csv", &csv_of("D", 200, false), 100);
    inbox_file(ws.path(), "next.csv", &csv_of("N", 10, false), 50);
    for _ in 0..2 {
        let crashed = import_inbox(ws.path(), Some("abort-after-rows:50"));
        assert!(!crashed.status.success(), "the importer died");
        assert!(ws.path().join("inbox/pos/deadly.csv").exists());
        assert!(
            ws.path().join("inbox/pos/next.csv").exists(),
            "blocked behind it"
        );
    }
    let out = import_inbox(ws.path(), None);
    assert_eq!(out.status.code(), Some(3), "a file went to quarantine");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r[0]["outcome"], "failed");
    assert!(
        r[0]["reason"]
            .as_str()
            .unwrap()
            .contains("import of this file was interrupted 2 times"),
        "{r}"
    );
    let q = ws.path().join("quarantine");
    assert!(q.join("deadly.csv").exists());
    let note = fs::read_to_string(q.join("deadly.csv.error.txt")).unwrap();
    assert!(note.contains("interrupted 2 times"), "{note}");
    assert_eq!(r[1]["inserted"], 10, "the file behind it is imported");
    assert!(!ws.path().join("inbox/pos/deadly.csv").exists());
    assert_eq!(everything(ws.path()).as_array().unwrap().len(), 10);
}

#[test]
fn an_import_that_fails_goes_to_quarantine_instead_of_being_tried_again_forever() {
    let ws = tempfile::tempdir().unwrap();
    assert!(mcu(ws.path(), &["init"], None).status.success());
    inbox_file(ws.path(), "broken.csv", &csv_of("B", 20, false), 100);
    inbox_file(ws.path(), "fine.csv", &csv_of("F", 3, false), 50);
    let out = import_inbox(ws.path(), Some("fail-after-rows:5"));
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r[0]["outcome"], "failed");
    assert!(
        r[0]["reason"].as_str().unwrap().contains("injected fault"),
        "{r}"
    );
    let note = fs::read_to_string(ws.path().join("quarantine/broken.csv.error.txt")).unwrap();
    assert!(note.contains("the import failed"), "{note}");
    assert_eq!(r[1]["inserted"], 3);
    assert!(!ws.path().join("inbox/pos/broken.csv").exists());
    // Its rows were rolled back with its transaction.
    assert_eq!(everything(ws.path()).as_array().unwrap().len(), 3);
}

/// Data lines of a quarantine report (its header line left out).
fn report_rows(path: &Path) -> usize {
    fs::read_to_string(path).unwrap().lines().count() - 1
}

#[test]
fn the_rows_report_appears_with_the_commit_and_complete() {
    const ROWS: usize = 600; // every third has no text: 200 bad rows
    let ws = tempfile::tempdir().unwrap();
    assert!(mcu(ws.path(), &["init"], None).status.success());
    inbox_file(ws.path(), "rows.csv", &csv_of("R", ROWS, true), 10);
    let report = ws.path().join("quarantine/rows.csv.errors.csv");

    let crashed = import_inbox(ws.path(), Some("abort-after-rows:300"));
    assert!(!crashed.status.success());
    assert!(
        !report.exists(),
        "no report of an import that never committed"
    );

    let crashed = import_inbox(ws.path(), Some("abort-after-commit"));
    assert!(!crashed.status.success());
    assert_eq!(everything(ws.path()).as_array().unwrap().len(), 400);

    let out = import_inbox(ws.path(), None);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r[0]["outcome"], "already_imported");
    assert_eq!(report_rows(&report), 200, "every bad row is in the report");
    assert_eq!(r[0]["quarantine"], report.display().to_string());
    let left: Vec<_> = fs::read_dir(ws.path().join("quarantine"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        ["rows.csv.errors.csv"],
        "no temporary file left behind"
    );
}
