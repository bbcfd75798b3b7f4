//! End to end in a real terminal: the real `mcu` binary runs in tmux, a file dropped into the
//! inbox appears on screen, an officer triages it with keys, and the store has the result.
//! Waiting is by polling for what must appear, with a deadline — never a fixed sleep.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;
use common::tmux::Tmux;

fn mcu(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .output()
        .unwrap()
}

fn show(ws: &Path, id: &str) -> serde_json::Value {
    let out = mcu(ws, &["show", id, "--json"]);
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// Polls the appeal until `done` holds of it, for at most `secs` seconds: what a key did is
/// checked in the store, not by a message that stays on screen only a few seconds.
fn wait_until(ws: &Path, id: &str, secs: u64, done: impl Fn(&serde_json::Value) -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        let a = show(ws, id);
        if done(&a) {
            return;
        }
        assert!(Instant::now() < end, "not saved in time: {a}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn has_note(a: &serde_json::Value, text: &str) -> bool {
    a["history"].as_array().is_some_and(|h| {
        h.iter()
            .any(|e| e["field"] == "note" && e["new"] == text && e["source"] == "console")
    })
}

#[test]
fn a_dropped_file_appears_and_is_triaged_with_keys() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("okrug");
    assert!(mcu(&ws, &["init"]).status.success());
    let tmux = Tmux {
        socket: dir.path().join("tmux.sock"),
    };
    let cmd = format!(
        "TERM=xterm-256color {} --workspace {} console",
        env!("CARGO_BIN_EXE_mcu"),
        ws.display()
    );
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "mcu",
        "-x",
        "120",
        "-y",
        "30",
        "-e",
        &format!("HOME={}", home.display()),
        &cmd,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux.wait_for("Обращений пока нет", 30);

    // An export lands in the inbox: written aside, then renamed in, as a copy tool does.
    let tmp = ws.join("inbox/pos/.upload.csv");
    std::fs::write(
        &tmp,
        "id;received_at;text;settlement\nE2E-1;2026-11-27 09:00;Провалился асфальт у остановки «Школа»;с. Заречное\n",
    )
    .unwrap();
    std::fs::rename(&tmp, ws.join("inbox/pos/export.csv")).unwrap();
    let s = tmux.wait_for("Провалился асфальт", 30);
    assert!(s.contains("ПОС"), "{s}");

    // Triage by keys: block «Дороги» (2 in the chooser), then a note, saved with Ctrl-S.
    tmux.keys(&["b"]);
    tmux.wait_for("Блок (1–9, 0)", 20);
    tmux.keys(&["2"]);
    wait_until(&ws, "pos:E2E-1", 30, |a| a["block"] == "roads");
    tmux.keys(&["n"]);
    tmux.wait_for("Заметка", 20);
    tmux.keys(&["-l", "позвонили в дорожный отдел"]);
    tmux.keys(&["C-s"]);
    wait_until(&ws, "pos:E2E-1", 30, |a| {
        has_note(a, "позвонили в дорожный отдел")
    });
    let a = show(&ws, "pos:E2E-1");
    assert_eq!(a["block"], "roads", "{a}");
    assert!(
        ws.join("processed").read_dir().unwrap().next().is_some(),
        "the file left the inbox"
    );

    tmux.keys(&["q"]);
    let end = Instant::now() + Duration::from_secs(5);
    while tmux.run(&["has-session", "-t", "mcu"]).status.success() {
        assert!(Instant::now() < end, "mcu did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The SSH connection under `ssh host mcu console` drops: the console gets SIGHUP and ends as on
/// a quit — its session's end is recorded with the signal as the reason, it is no longer listed
/// among the connected, and the audit trail still verifies.
#[test]
fn a_hung_up_local_console_records_the_end_of_its_session() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("okrug");
    assert!(mcu(&ws, &["init"]).status.success());
    let tmux = Tmux {
        socket: dir.path().join("tmux.sock"),
    };
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    // `exec`: the pane's process is the console itself, so the signal reaches it as a hang-up
    // reaches a console started over SSH.
    let cmd = format!(
        "exec env TERM=xterm-256color HOME={} {} --workspace {} console",
        home.display(),
        env!("CARGO_BIN_EXE_mcu"),
        ws.display()
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "mcu",
        "-x",
        "100",
        "-y",
        "30",
        &cmd,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux.wait_for("Входящие", 30);
    let sessions = |ws: &Path| -> serde_json::Value {
        serde_json::from_slice(&mcu(ws, &["operator", "sessions", "--json"]).stdout).unwrap()
    };
    let end = Instant::now() + Duration::from_secs(20);
    while sessions(&ws).as_array().is_none_or(|a| a.is_empty()) {
        assert!(Instant::now() < end, "the console's session is not listed");
        std::thread::sleep(Duration::from_millis(100));
    }

    let pid = String::from_utf8_lossy(
        &tmux
            .run(&["display-message", "-p", "-t", "mcu", "#{pane_pid}"])
            .stdout,
    )
    .trim()
    .to_string();
    let killed = Command::new("kill").args(["-HUP", &pid]).output().unwrap();
    assert!(killed.status.success(), "{killed:?}");
    let end = Instant::now() + Duration::from_secs(20);
    while tmux.run(&["has-session", "-t", "mcu"]).status.success() {
        assert!(Instant::now() < end, "the console did not end on SIGHUP");
        std::thread::sleep(Duration::from_millis(50));
    }

    assert_eq!(sessions(&ws), serde_json::json!([]));
    let out = mcu(
        &ws,
        &["audit", "log", "--register", "console_session", "--json"],
    );
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ended: Vec<&serde_json::Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "ended")
        .collect();
    assert_eq!(ended.len(), 1, "{log}");
    assert!(
        ended[0]["new"]
            .as_str()
            .is_some_and(|r| r.contains("SIGHUP")),
        "{log}"
    );
    assert!(mcu(&ws, &["audit", "verify"]).status.success());
}
