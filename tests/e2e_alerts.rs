//! End to end in a real terminal: an urgent appeal dropped into the inbox while the console runs
//! is highlighted in the list and rings the terminal bell (tmux's `#{window_bell_flag}`); with
//! `[alerts] bell = false` in console.toml it is highlighted without the bell. Waiting is by
//! polling for what must appear, with a deadline — never a fixed sleep.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::tmux::Tmux;

fn start(dir: &Path, bell: bool) -> (Tmux, std::path::PathBuf) {
    let ws = dir.join("okrug");
    let init = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(&ws)
        .arg("init")
        .output()
        .unwrap();
    assert!(init.status.success(), "{init:?}");
    if !bell {
        std::fs::write(ws.join("console.toml"), "[alerts]\nbell = false\n").unwrap();
    }
    let tmux = Tmux {
        socket: dir.join("tmux.sock"),
    };
    let cmd = format!(
        "TERM=xterm-256color {} --workspace {} console",
        env!("CARGO_BIN_EXE_mcu"),
        ws.display()
    );
    let home = dir.join("home");
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
    (tmux, ws)
}

/// Drops an export with one urgent appeal and one ordinary into the inbox, as a copy tool does.
fn drop_export(ws: &Path) {
    let tmp = ws.join("inbox/pos/.upload.csv");
    std::fs::write(
        &tmp,
        "id;received_at;text;urgent\n\
         E2E-1;2026-11-27 09:00;Упало дерево на провода у школы;true\n\
         E2E-2;2026-11-26 09:00;Просьба покосить траву в сквере;false\n",
    )
    .unwrap();
    std::fs::rename(&tmp, ws.join("inbox/pos/export.csv")).unwrap();
}

fn bell_flag(tmux: &Tmux) -> String {
    let out = tmux.run(&["display-message", "-p", "-t", "mcu", "#{window_bell_flag}"]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The screen with its colours (SGR sequences kept), the line showing `needle`.
fn line_with_colours(tmux: &Tmux, needle: &str) -> String {
    let out = tmux.run(&["capture-pane", "-p", "-e", "-t", "mcu"]);
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_default()
        .to_string()
}

/// A red background (SGR 41, 101, or 48;5;1 / 48;5;9 as tmux writes it back) before the text
/// on that line.
fn red_before(line: &str, needle: &str) -> bool {
    let head = &line[..line.find(needle).unwrap_or(line.len())];
    head.split("\x1b[").any(|sgr| {
        let params: Vec<&str> = sgr.split('m').next().unwrap_or("").split(';').collect();
        params.iter().any(|p| *p == "41" || *p == "101")
            || params
                .windows(3)
                .any(|w| w[0] == "48" && w[1] == "5" && (w[2] == "1" || w[2] == "9"))
    })
}

fn quit(tmux: &Tmux) {
    tmux.keys(&["q"]);
    let end = Instant::now() + Duration::from_secs(5);
    while tmux.run(&["has-session", "-t", "mcu"]).status.success() {
        assert!(Instant::now() < end, "mcu did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_dropped_urgent_appeal_is_highlighted_and_rings_the_bell() {
    let dir = tempfile::tempdir().unwrap();
    let (tmux, ws) = start(dir.path(), true);
    assert_eq!(bell_flag(&tmux), "0");
    drop_export(&ws);
    tmux.wait_for("Упало дерево", 30);
    tmux.wait_for("Новое срочное обращение", 30);
    let end = Instant::now() + Duration::from_secs(10);
    while bell_flag(&tmux) != "1" {
        assert!(Instant::now() < end, "no bell");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The urgent row is highlighted (the newest is selected: move the cursor off it first).
    tmux.keys(&["j"]);
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let line = line_with_colours(&tmux, "Упало дерево");
        if red_before(&line, "Упало дерево") {
            break;
        }
        assert!(Instant::now() < end, "not highlighted: {line:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let other = line_with_colours(&tmux, "Просьба покосить");
    assert!(!red_before(&other, "Просьба покосить"), "{other:?}");
    quit(&tmux);
}

#[test]
fn with_the_bell_off_the_urgent_appeal_is_highlighted_silently() {
    let dir = tempfile::tempdir().unwrap();
    let (tmux, ws) = start(dir.path(), false);
    drop_export(&ws);
    tmux.wait_for("Новое срочное обращение", 30);
    tmux.keys(&["j"]);
    let end = Instant::now() + Duration::from_secs(10);
    while !red_before(&line_with_colours(&tmux, "Упало дерево"), "Упало дерево")
    {
        assert!(Instant::now() < end, "not highlighted");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(bell_flag(&tmux), "0");
    quit(&tmux);
}
