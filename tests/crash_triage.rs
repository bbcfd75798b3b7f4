//! Crash safety of auto-triage: the importer dies while triaging the appeals of a file it has
//! committed (the campaign killed it there and found thousands of appeals never triaged, and the
//! re-run skipping the file «already imported» without triaging them). The next import — of any
//! file, the same one skipped included — and `mcu watch` at start must triage every pending
//! appeal, with the same result as a run that was never interrupted.
//!
//! The crash is injected deterministically with `MCU_FAULT=abort-in-triage:N` (see
//! `ingest::triage`), which aborts the process — no unwinding, just like `kill -9` — just before
//! the N-th appeal is triaged, after the earlier batches committed.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use mcu::reference::Reference;
use mcu::store::Store;
use serde_json::Value;

const NOW: &str = "2026-11-28T12:00:00+03:00";
const ROWS: usize = 800;
/// The crash comes after some batches committed (at most TRIAGE_BATCH appeals each, fewer on a
/// slow machine), in the middle of another.
const CRASH_AT: usize = 600;

fn mcu(ws: &Path, args: &[&str], fault: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcu"));
    c.arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env("MCU_LOG", ws.join("mcu.log"));
    match fault {
        Some(f) => c.env("MCU_FAULT", f),
        None => c.env_remove("MCU_FAULT"),
    };
    c.output().expect("mcu runs")
}

/// Appeals of several kinds: urgent, conflict, plain, in several settlements.
fn csv() -> String {
    const TEXTS: &[&str] = &[
        "Третий день нет света на улице {n}, дети мёрзнут",
        "Яма на дороге у дома {n}, машины бьют колёса",
        "Снова никто не ответил на обращение про мусор у дома {n}!",
        "Прорвало трубу у дома {n}, вода заливает подвал",
        "Прошу установить скамейку у остановки, дом {n}",
        "Не вывозят мусор уже неделю, дом {n}",
    ];
    let mut s = String::from("id;received_at;text;settlement\n");
    for i in 0..ROWS {
        s.push_str(&format!(
            "T-{i};2026-11-{:02} {:02}:{:02};{};{}\n",
            1 + i % 27,
            8 + i % 9,
            i % 60,
            TEXTS[i % TEXTS.len()].replace("{n}", &(i % 50).to_string()),
            ["с. Заречное", "п. Лесной", ""][i % 3],
        ));
    }
    s
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert!(mcu(dir.path(), &["init"], None).status.success());
    fs::write(dir.path().join("appeals.csv"), csv()).unwrap();
    dir
}

fn pending(ws: &Path) -> usize {
    let store = Store::open(&ws.join("mcu.db"), Arc::new(Reference::embedded().unwrap())).unwrap();
    store.triage_pending_count().unwrap()
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
    for a in v.as_array_mut().unwrap() {
        a.as_object_mut().unwrap().remove("id");
    }
    v
}

fn urgent(v: &Value) -> usize {
    v.as_array()
        .unwrap()
        .iter()
        .filter(|a| a["urgent"] == true)
        .count()
}

fn import(ws: &Path, fault: Option<&str>) -> Output {
    let file = ws.join("appeals.csv");
    mcu(
        ws,
        &[
            "import",
            "--channel",
            "im",
            "--json",
            "--now",
            NOW,
            file.to_str().unwrap(),
        ],
        fault,
    )
}

#[test]
fn a_crash_during_triage_is_finished_by_the_next_import_of_the_same_file() {
    let clean = workspace();
    assert!(import(clean.path(), None).status.success());
    assert_eq!(pending(clean.path()), 0);
    let want = everything(clean.path());
    assert!(urgent(&want) > ROWS / 6, "the file raises urgent flags");

    let ws = workspace();
    let crashed = import(ws.path(), Some(&format!("abort-in-triage:{CRASH_AT}")));
    assert!(!crashed.status.success(), "the importer died");
    let left = pending(ws.path());
    assert!(
        (ROWS - CRASH_AT + 1..=ROWS).contains(&left),
        "the batch in hand is rolled back (a run of fewer appeals than a batch is one batch), the committed ones stay: {left} pending"
    );

    // The same file again: skipped as imported, and the pending appeals are triaged.
    let out = import(ws.path(), None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r[0]["outcome"], "already_imported", "{r}");
    assert_eq!(r[0]["triaged"]["appeals"], left, "{r}");
    assert_eq!(r[0]["triaged"]["pending"], 0, "{r}");
    assert_eq!(pending(ws.path()), 0);
    assert_eq!(everything(ws.path()), want, "as if never interrupted");
}

#[test]
fn a_crash_during_triage_is_finished_by_mcu_watch_at_start() {
    let ws = workspace();
    fs::rename(
        ws.path().join("appeals.csv"),
        ws.path().join("inbox/im/appeals.csv"),
    )
    .unwrap();
    let crashed = mcu(
        ws.path(),
        &["import", "--inbox", "--now", NOW],
        Some(&format!("abort-in-triage:{CRASH_AT}")),
    );
    assert!(!crashed.status.success(), "the importer died");
    assert!(
        !ws.path().join("inbox/im/appeals.csv").exists(),
        "the committed file left the inbox: no import will see it again"
    );
    let left = pending(ws.path());
    assert!(
        (ROWS - CRASH_AT + 1..=ROWS).contains(&left),
        "{left} pending"
    );

    // `mcu watch` with an empty inbox: it triages what is pending before anything else.
    let mut watch = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws.path())
        .arg("watch")
        .env_remove("MCU_HOME")
        .env_remove("MCU_FAULT")
        .env("MCU_LOG", ws.path().join("mcu.log"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let mut report = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if line.contains("auto-triage:") {
            report = Some(line);
            break;
        }
    }
    watch.kill().unwrap();
    watch.wait().unwrap();
    let report = report.expect("mcu watch reports the triage of the pending appeals");
    assert!(report.contains(&format!("{left} appeals")), "{report}");
    assert_eq!(pending(ws.path()), 0);

    // The same flags as an uninterrupted import of the file.
    let clean = workspace();
    assert!(import(clean.path(), None).status.success());
    assert_eq!(
        urgent(&everything(ws.path())),
        urgent(&everything(clean.path()))
    );
}
