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
