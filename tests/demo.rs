//! `mcu demo` end to end: the real binary fills a demo workspace through the real import pipeline
//! and reuses it on a second run.

#![allow(clippy::unwrap_used)] // a panic is a failed test

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const NOW: &str = "2026-11-28T12:00:00+03:00";

/// The appeals of a demo of 300: the exports' and the comments of its votes.
const TOTAL: i64 = 300 + mcu::demo::votes::COMMENTS.len() as i64;

fn mcu(ws: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .output()
        .expect("mcu runs");
    assert!(
        out.status.success(),
        "mcu {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stats(ws: &Path) -> Value {
    let out = mcu(ws, &["stats", "--json", "--now", NOW]);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                files_in(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn demo_fills_a_workspace_through_the_import_and_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo ws");
    let out = mcu(
        &ws,
        &["demo", "--summary", "--now", NOW, "--appeals", "300"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&ws.display().to_string()), "{text}");
    assert!(text.contains("list --overdue"), "{text}");
    // Every appeal has its auto-triage suggestion before the console opens.
    assert!(
        text.contains(&format!("разобрано автоматически: {TOTAL}")),
        "{text}"
    );

    let s = stats(&ws);
    assert_eq!(s["total"], TOTAL, "{s}");
    for ch in ["im", "pos", "letter", "messenger", "page", "phone", "other"] {
        assert!(
            s["by_channel"][ch].as_i64().unwrap_or(0) > 0,
            "no {ch}: {s}"
        );
    }
    let sum = |v: &Value| -> i64 {
        v.as_object()
            .unwrap()
            .values()
            .map(|x| x.as_i64().unwrap())
            .sum()
    };
    assert_eq!(sum(&s["by_channel"]), TOTAL);
    assert_eq!(sum(&s["by_block"]), TOTAL);
    assert_eq!(sum(&s["by_status"]), TOTAL);
    for b in [
        "housing",
        "roads",
        "transport",
        "education",
        "culture",
        "sport",
        "safety",
        "property",
        "economy",
        "other",
    ] {
        assert!(s["by_block"][b].as_i64().unwrap_or(0) > 0, "no {b}: {s}");
    }
    assert!(s["overdue"].as_i64().unwrap() > 0, "{s}");
    assert!(s["open"].as_i64().unwrap() > s["overdue"].as_i64().unwrap());

    // Auto-triage routes to the demo okrug's own recipients (its routing.toml), so that `A`
    // assigns one the workspace knows.
    let known = mcu(&ws, &["recipients", "--json"]);
    let known: Value = serde_json::from_slice(&known.stdout).unwrap();
    let known = known.to_string();
    let db = rusqlite::Connection::open(ws.join("mcu.db")).unwrap();
    let proposed: Vec<String> = db
        .prepare("SELECT DISTINCT responsible FROM triage WHERE responsible IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(proposed.len() >= 5, "{proposed:?}");
    for r in &proposed {
        assert!(
            known.contains(r.as_str()),
            "«{r}» proposed, not a recipient: {known}"
        );
    }

    // Everything went through the inbox and was imported: nothing left, nothing quarantined.
    assert_eq!(files_in(&ws.join("inbox")), 0);
    assert_eq!(files_in(&ws.join("quarantine")), 0);
    assert!(files_in(&ws.join("processed")) >= 5);

    // Officers left a history: a block set by hand, an answer graded.
    let list = mcu(&ws, &["list", "--json", "--limit", "1000", "--now", NOW]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len() as i64, TOTAL);
    let graded = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["channel"] == "im" && a["quality"].is_string())
        .expect("a graded ИМ appeal");
    let show = mcu(
        &ws,
        &["show", &graded["id"].to_string(), "--json", "--now", NOW],
    );
    let show: Value = serde_json::from_slice(&show.stdout).unwrap();
    let fields: Vec<&str> = show["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "demo")
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(fields.contains(&"block"), "{show}");
    assert!(fields.contains(&"quality"), "{show}");

    // Comments on the administration's pages that nobody answered in time show in the pages'
    // check; pages without comments do not get the finding.
    let check = mcu(&ws, &["pages", "check", "--json", "--now", NOW]);
    let check: Value = serde_json::from_slice(&check.stdout).unwrap();
    let unanswered: Vec<&str> = check
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["id"] == "unanswered_comments")
        })
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    assert!(!unanswered.is_empty(), "{check}");
    assert!(
        unanswered.iter().all(|u| u.ends_with("/okrug_adm")),
        "{unanswered:?}"
    );

    // A second run reuses the workspace: no duplicates.
    let again = mcu(&ws, &["demo", "--summary", "--appeals", "300"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("уже заполнен"));
    assert_eq!(stats(&ws)["total"], TOTAL);
}

#[test]
fn demo_refuses_a_workspace_that_is_not_a_demo() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    let f = ws.join("one.jsonl");
    std::fs::write(
        &f,
        r#"{"id":"1","channel":"messenger","received_at":"2026-11-27 10:00","text":"Нет воды"}"#,
    )
    .unwrap();
    mcu(ws, &["import", f.to_str().unwrap()]);
    let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(["demo", "--summary", "--appeals", "10", "--now", NOW])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a demo workspace"));
}
