//! `--json` on every command, on both engines: the output parses and carries the documented fields.

#![allow(clippy::unwrap_used)] // a panic is a failed test

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

const NOW: &str = "2026-11-28T12:00:00+03:00";

mod common;
use common::engine::{Engine, fresh_workspace as fresh, on_both_engines};
use common::pg::TestDb;

fn command(ws: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcu"));
    c.arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env_remove("MCU_AS")
        .env("MCU_LOG", ws.with_extension("log"));
    c
}

fn mcu(ws: &Path, args: &[&str]) -> Output {
    command(ws, args).output().expect("mcu runs")
}

fn json(ws: &Path, args: &[&str]) -> Value {
    let out = mcu(ws, args);
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "mcu {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn login() -> String {
    uzers::get_current_username()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("uid:{}", uzers::get_current_uid()))
}

/// A workspace with two appeals.
fn workspace(engine: Engine, dir: &Path) -> (std::path::PathBuf, Option<TestDb>) {
    let (ws, db) = fresh(engine, dir, "ws");
    json(&ws, &["init", "--json"]);
    let file = dir.join("in.csv");
    fs::write(
        &file,
        "id;channel;received_at;text;author\n\
         J-1;pos;2026-11-27 10:00;Яма на дороге;Иванова Мария Алексеевна\n\
         J-2;im;2026-11-27 11:00;Нет света;Петров П. П.\n",
    )
    .unwrap();
    json(
        &ws,
        &[
            "import",
            &file.display().to_string(),
            "--json",
            "--now",
            NOW,
        ],
    );
    (ws, db)
}

fn init_json_names_the_workspace_and_the_first_head(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, db) = fresh(engine, dir.path(), "new");
    let v = json(&ws, &["init", "--json"]);
    assert_eq!(v["workspace"], ws.display().to_string());
    match &db {
        None => assert_eq!(v["database"], ws.join("mcu.db").display().to_string()),
        Some(db) => {
            let shown = v["database"].as_str().unwrap();
            assert!(shown.contains(db.name()) && shown.contains("okrug"), "{v}");
        }
    }
    assert_eq!(v["inbox"], ws.join("inbox").display().to_string());
    assert_eq!(v["operator"], login());
    assert_eq!(v["roles"], serde_json::json!(["head"]));
}

fn export_json_is_a_summary_of_the_file_written(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let file = dir.path().join("out.csv");
    let v = json(
        &ws,
        &["export", "--json", "-o", &file.display().to_string()],
    );
    assert_eq!(v["file"], file.display().to_string());
    assert_eq!(v["rows"], 2);
    assert_eq!(v["personal_data"], false);
    assert_eq!(fs::read_to_string(&file).unwrap().lines().count(), 3);
    // The CSV itself goes to standard output without --output: no room for JSON there.
    let out = mcu(&ws, &["export", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output"));
}

fn operator_add_and_remove_json(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = fresh(engine, dir.path(), "ws");
    json(&ws, &["init", "--json"]);
    let v = json(
        &ws,
        &[
            "operator",
            "add",
            "sidorov",
            "--name",
            "Сидоров П. П.",
            "--role",
            "block_lead",
            "--blocks",
            "housing,roads",
            "--json",
        ],
    );
    assert_eq!(v["login"], "sidorov");
    assert_eq!(v["name"], "Сидоров П. П.");
    assert_eq!(v["roles"], serde_json::json!(["block_lead"]));
    assert_eq!(v["blocks"], serde_json::json!(["housing", "roads"]));
    let v = json(&ws, &["operator", "remove", "sidorov", "--json"]);
    assert_eq!(v["login"], "sidorov");
    assert_eq!(v["removed"], true);
    let list = json(&ws, &["operator", "list", "--json"]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|o| o["login"] != "sidorov")
    );
}

fn recipients_add_json(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = fresh(engine, dir.path(), "ws");
    json(&ws, &["init", "--json"]);
    let v = json(&ws, &["recipients", "add", "Отдел образования", "--json"]);
    assert_eq!(v["recipient"], "Отдел образования");
}

fn set_note_says_it_recorded_the_note(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let out = mcu(
        &ws,
        &[
            "set",
            "pos:J-1",
            "--note",
            "звонили заявителю",
            "--now",
            NOW,
        ],
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.trim(), "appeal 1: note recorded");
    let v = json(
        &ws,
        &[
            "set",
            "pos:J-1",
            "--note",
            "ещё раз",
            "--urgent",
            "true",
            "--json",
            "--now",
            NOW,
        ],
    );
    assert_eq!(v["note_recorded"], true);
    assert_eq!(v["changed_fields"], 1);
    let out = mcu(
        &ws,
        &[
            "set",
            "pos:J-1",
            "--note",
            "третий",
            "--urgent",
            "false",
            "--now",
            NOW,
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "appeal 1: 1 change(s) recorded, note recorded"
    );
    let v = json(
        &ws,
        &[
            "set", "pos:J-1", "--urgent", "false", "--json", "--now", NOW,
        ],
    );
    assert_eq!(v["note_recorded"], false);
    let shown = json(&ws, &["show", "pos:J-1", "--json", "--now", NOW]);
    let notes = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "note")
        .count();
    assert_eq!(notes, 3);
}

fn demo_summary_json(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = fresh(engine, dir.path(), "demo");
    let v = json(
        &ws,
        &[
            "demo",
            "--summary",
            "--json",
            "--now",
            NOW,
            "--appeals",
            "60",
        ],
    );
    assert_eq!(v["workspace"], ws.display().to_string());
    assert_eq!(v["now"], NOW);
    assert_eq!(v["fill"]["created"], true);
    // The exports' 60 and the comments of the demo's votes.
    let total = 60 + mcu::demo::votes::COMMENTS.len() as i64;
    assert_eq!(v["total"], total);
    assert!(v["open"].as_i64().unwrap() <= total);
    assert!(v["by_channel"].as_object().unwrap().len() > 1);
    assert_eq!(v["latest"].as_array().unwrap().len(), 10);
    assert!(v["latest"][0]["id"].as_i64().is_some());
    // Reused the second time.
    let v = json(&ws, &["demo", "--summary", "--json"]);
    assert_eq!(v["fill"]["created"], false);
    assert_eq!(v["total"], total);
    // --json belongs to the summary (the console is not JSON).
    let out = mcu(&ws, &["demo", "--json"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The triage benchmark's own index file, whatever the store.
#[test]
fn bench_triage_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("index.db");
    let v = json(
        dir.path(),
        &[
            "bench",
            "triage",
            "--appeals",
            "300",
            "--queries",
            "5",
            "--classify",
            "20",
            "--officer",
            "10",
            "--index-db",
            &db.display().to_string(),
            "--json",
        ],
    );
    assert!(v["training"]["examples"].as_u64().unwrap() > 0);
    assert_eq!(v["training"]["officer_examples"], 10);
    assert_eq!(v["classification"]["texts"], 20);
    assert!(v["classification"]["per_second"].as_f64().unwrap() > 0.0);
    assert_eq!(v["index"]["appeals"], 300);
    assert!(v["index"]["keys"].as_u64().unwrap() > 0);
    assert_eq!(v["duplicates"]["queries"], 5);
    for k in ["mean_ms", "p50_ms", "p99_ms", "max_ms", "candidates_mean"] {
        assert!(v["duplicates"][k].as_f64().is_some(), "{k}: {v}");
    }
}

fn watch_json_prints_one_object_per_line(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = fresh(engine, dir.path(), "ws");
    json(&ws, &["init", "--json"]);
    fs::write(
        ws.join("inbox/pos/w.csv"),
        "id;received_at;text\nW-1;2026-11-27 10:00;Яма\n;2026-11-27 10:00;Без номера\n",
    )
    .unwrap();
    let mut child = command(&ws, &["watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // Lines until the file's (a generous limit only so that a broken watcher fails, not hangs).
    let mut lines: Vec<Value> = Vec::new();
    while !lines.iter().any(|l| l["event"] == "file") {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => lines.push(serde_json::from_str(&line).expect("a JSON object per line")),
            Err(_) => break,
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(lines[0]["event"], "watching", "{lines:?}");
    assert_eq!(lines[0]["inbox"], ws.join("inbox").display().to_string());
    let file = lines
        .iter()
        .find(|l| l["event"] == "file")
        .expect("a file event");
    assert_eq!(
        file["file"],
        ws.join("inbox/pos/w.csv").display().to_string()
    );
    assert_eq!(file["outcome"], "imported");
    assert_eq!(file["inserted"], 1);
    assert_eq!(file["quarantined"], 1);
    assert!(file["moved_to"].as_str().unwrap().contains("processed/"));
}

on_both_engines!(
    init_json_names_the_workspace_and_the_first_head,
    export_json_is_a_summary_of_the_file_written,
    operator_add_and_remove_json,
    recipients_add_json,
    set_note_says_it_recorded_the_note,
    demo_summary_json,
    watch_json_prints_one_object_per_line,
);
