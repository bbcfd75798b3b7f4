//! End to end in a real terminal: the real `mcu` binary runs in tmux, an officer links the appeal
//! in front of them to a roadmap with keys (`L`, a few letters of its title, Enter), and
//! `mcu roadmap show N --json` has it. Waiting is by polling, with a deadline — never a fixed sleep.

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
        .env_remove("MCU_HOME")
        .output()
        .unwrap()
}

fn json(ws: &Path, args: &[&str]) -> serde_json::Value {
    let out = mcu(ws, args);
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

#[test]
fn an_appeal_is_linked_to_a_roadmap_with_keys() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("okrug");
    assert!(mcu(&ws, &["init"]).status.success());
    let csv = dir.path().join("pos.csv");
    std::fs::write(
        &csv,
        "id;received_at;text;settlement\nE2E-1;2026-11-27 09:00;Провалился асфальт у остановки «Школа»;с. Юксары\n",
    )
    .unwrap();
    assert!(
        mcu(&ws, &["import", csv.to_str().unwrap(), "--channel", "pos"])
            .status
            .success()
    );
    for title in ["Освещение улиц", "Ямы в Юксарах"] {
        assert!(
            mcu(&ws, &["roadmap", "add", "--title", title])
                .status
                .success()
        );
    }
    let appeal = json(&ws, &["show", "pos:E2E-1", "--json"])["id"]
        .as_i64()
        .unwrap();

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
    tmux.wait_for("Провалился асфальт", 30);

    // L, a few letters of the roadmap's title, Enter.
    tmux.keys(&["L"]);
    tmux.wait_for("Новая дорожная карта из обращения", 20);
    tmux.keys(&["-l", "юкс"]);
    tmux.keys(&["Enter"]);
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        let r = json(&ws, &["roadmap", "show", "2", "--json"]);
        if r["linked"] == serde_json::json!([appeal]) {
            assert_eq!(r["links"][0]["origin"], "hand", "{r}");
            break;
        }
        assert!(Instant::now() < end, "not linked in time: {r}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        json(&ws, &["roadmap", "show", "1", "--json"])["linked"],
        serde_json::json!([])
    );
    tmux.wait_for("Связано с дорожной картой №2", 20);

    tmux.keys(&["q"]);
    let end = Instant::now() + Duration::from_secs(5);
    while tmux.run(&["has-session", "-t", "mcu"]).status.success() {
        assert!(Instant::now() < end, "mcu did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
}
