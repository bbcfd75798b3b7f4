//! End to end over the built-in SSH server: `mcu serve` on 127.0.0.1, real OpenSSH clients in
//! tmux with keys made by ssh-keygen. The three panels appear, a triage key changes the store
//! as the key's operator, a second client with another key sees the change, an unregistered key
//! is refused, resizing the window redraws. Waiting is by polling with a deadline.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::ssh::{Server, keygen, mcu, ok, ssh};
use common::tmux::Tmux;

fn show(ws: &Path, id: &str) -> serde_json::Value {
    serde_json::from_slice(&mcu(ws, &["show", id, "--json"]).stdout)
        .unwrap_or(serde_json::Value::Null)
}

fn wait_until(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < end, "{what}: not in time");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn open_window(tmux: &Tmux, name: &str, cmd: &str, w: u16, h: u16) {
    let (ws, hs) = (w.to_string(), h.to_string());
    let out = tmux.run(&["new-session", "-d", "-s", name, "-x", &ws, "-y", &hs, cmd]);
    assert!(out.status.success(), "{out:?}");
}

fn screen_of(tmux: &Tmux, name: &str) -> String {
    String::from_utf8_lossy(&tmux.run(&["capture-pane", "-p", "-t", name]).stdout).into_owned()
}

fn wait_screen(tmux: &Tmux, name: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        let s = screen_of(tmux, name);
        if ok(&s) {
            return s;
        }
        assert!(
            Instant::now() < end,
            "{name}: the screen did not show it:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn officers_reach_the_console_over_the_built_in_ssh_server() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("okrug");
    ok(&mcu(&ws, &["init"]));
    ok(&mcu(
        &ws,
        &[
            "operator",
            "add",
            "petrova",
            "--name",
            "Петрова А. В.",
            "--role",
            "coordinator",
        ],
    ));
    ok(&mcu(
        &ws,
        &[
            "operator",
            "add",
            "sidorov",
            "--name",
            "Сидоров П. П.",
            "--role",
            "observer",
        ],
    ));
    let k1 = keygen(dir.path(), "petrova");
    let k2 = keygen(dir.path(), "sidorov");
    let stranger = keygen(dir.path(), "stranger");
    ok(&mcu(
        &ws,
        &[
            "operator",
            "key",
            "add",
            "petrova",
            "--key",
            &format!("{}.pub", k1.display()),
        ],
    ));
    let line = std::fs::read_to_string(format!("{}.pub", k2.display())).unwrap();
    ok(&mcu(
        &ws,
        &["operator", "key", "add", "sidorov", "--key", line.trim()],
    ));
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "id;received_at;text;settlement\nSSH-1;2026-11-27 09:00;Провалился асфальт у остановки «Школа»;с. Заречное\n",
    )
    .unwrap();
    ok(&mcu(
        &ws,
        &["import", csv.to_str().unwrap(), "--channel", "pos"],
    ));

    let server = Server::start(&ws);
    let tmux = Tmux {
        socket: dir.path().join("tmux.sock"),
    };

    // An unregistered key is refused, and nothing of the console is shown.
    let refused = Command::new("sh")
        .arg("-c")
        .arg(ssh(&stranger, server.port, "-T"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!refused.status.success(), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("Permission denied"), "{said}");
    assert!(!String::from_utf8_lossy(&refused.stdout).contains("Входящие"));

    // Petrova: the three panels, at 90 columns.
    open_window(&tmux, "one", &ssh(&k1, server.port, "-t"), 90, 30);
    let s = wait_screen(&tmux, "one", 30, |s| {
        s.contains("Входящие") && s.contains("Просрочено по блокам") && s.contains("Рейтинг")
    });
    assert!(s.contains("Провалился асфальт"), "{s}");

    // A triage key: block «Дороги» (2 in the chooser), saved as petrova.
    tmux.run(&["send-keys", "-t", "one", "b"]);
    wait_screen(&tmux, "one", 20, |s| s.contains("Блок (1–9, 0)"));
    tmux.run(&["send-keys", "-t", "one", "2"]);
    wait_until("the block saved", 30, || {
        show(&ws, "pos:SSH-1")["block"] == "roads"
    });
    let a = show(&ws, "pos:SSH-1");
    let by_petrova = a["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["field"] == "block" && e["new"] == "roads" && e["operator"] == "petrova");
    assert!(by_petrova, "{a}");

    // Sidorov, with the other key, sees the change.
    open_window(&tmux, "two", &ssh(&k2, server.port, "-t"), 100, 30);
    wait_screen(&tmux, "two", 30, |s| {
        s.contains("Входящие") && s.contains("Дороги")
    });

    // Both are listed as connected, over ssh, with their keys.
    let sessions: serde_json::Value =
        serde_json::from_str(&ok(&mcu(&ws, &["operator", "sessions", "--json"]))).unwrap();
    let logins: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["via"] == "ssh")
        .filter_map(|s| s["login"].as_str())
        .collect();
    assert!(
        logins.contains(&"petrova") && logins.contains(&"sidorov"),
        "{sessions}"
    );

    // Presence: both open the appeal; each detail names the other.
    tmux.run(&["send-keys", "-t", "one", "Enter"]);
    wait_screen(&tmux, "one", 20, |s| s.contains("Обращение №"));
    tmux.run(&["send-keys", "-t", "two", "Enter"]);
    wait_screen(&tmux, "two", 20, |s| {
        s.contains("Сейчас открыто также у: petrova")
    });
    wait_screen(&tmux, "one", 20, |s| {
        s.contains("Сейчас открыто также у: sidorov")
    });
    tmux.run(&["send-keys", "-t", "one", "Escape"]);
    tmux.run(&["send-keys", "-t", "two", "Escape"]);
    wait_screen(&tmux, "one", 20, |s| s.contains("Входящие"));

    // Resizing the window redraws: the frame reaches the new right edge.
    let widest = |s: &str| {
        s.lines()
            .map(|l| l.trim_end().chars().count())
            .max()
            .unwrap_or(0)
    };
    assert!(widest(&screen_of(&tmux, "one")) <= 90);
    assert!(
        tmux.run(&["resize-window", "-t", "one", "-x", "130", "-y", "30"])
            .status
            .success()
    );
    wait_screen(&tmux, "one", 20, |s| {
        widest(s) > 100 && s.contains("Входящие")
    });

    // Quitting ends the session: the client exits, the session ends in the audit trail.
    tmux.run(&["send-keys", "-t", "one", "q"]);
    wait_until("petrova's ssh to exit", 20, || {
        !tmux.run(&["has-session", "-t", "one"]).status.success()
    });
    let log = ok(&mcu(
        &ws,
        &["audit", "log", "--register", "console_session", "--json"],
    ));
    let log: serde_json::Value = serde_json::from_str(&log).unwrap();
    let ended = log
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["field"] == "ended" && e["operator"] == "petrova");
    assert!(ended, "{log}");
    drop(server);
}

/// A workspace with one operator, `petrova` (a coordinator), whose key is registered; the key.
fn one_officer(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let ws = dir.join("okrug");
    ok(&mcu(&ws, &["init"]));
    ok(&mcu(
        &ws,
        &[
            "operator",
            "add",
            "petrova",
            "--name",
            "Петрова А. В.",
            "--role",
            "coordinator",
        ],
    ));
    let key = keygen(dir, "petrova");
    ok(&mcu(
        &ws,
        &[
            "operator",
            "key",
            "add",
            "petrova",
            "--key",
            &format!("{}.pub", key.display()),
        ],
    ));
    (ws, key)
}

/// `systemctl stop` sends SIGTERM: every session ends as on a disconnect — its end in the audit
/// trail and the sessions table, the client told why and given exit status 0 — and the server
/// exits 0.
#[test]
fn a_stopped_server_ends_its_sessions_cleanly_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, key) = one_officer(dir.path());
    let mut server = Server::start(&ws);
    let tmux = Tmux {
        socket: dir.path().join("tmux.sock"),
    };
    // The pane stays after ssh exits, showing what it printed last and its exit status.
    let cmd = format!(
        "{}; echo \"ssh exited: $?\"; sleep 120",
        ssh(&key, server.port, "-t")
    );
    open_window(&tmux, "one", &cmd, 90, 30);
    wait_screen(&tmux, "one", 30, |s| s.contains("Входящие"));
    let connected = |ws: &Path| -> Vec<String> {
        let v: serde_json::Value =
            serde_json::from_str(&ok(&mcu(ws, &["operator", "sessions", "--json"]))).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .filter(|s| s["via"] == "ssh")
            .filter_map(|s| s["login"].as_str().map(String::from))
            .collect()
    };
    assert_eq!(connected(&ws), ["petrova"]);

    let status = server
        .terminate(30)
        .expect("the server exits after SIGTERM");
    assert_eq!(status.code(), Some(0), "{status}");

    // The client was told, and its ssh ended with the session's exit status 0.
    let s = wait_screen(&tmux, "one", 20, |s| s.contains("ssh exited:"));
    assert!(s.contains("Сервер mcu остановлен"), "{s}");
    assert!(s.contains("ssh exited: 0"), "{s}");

    // The session's end is recorded like a disconnect's: audited with the reason, not listed.
    let log: serde_json::Value = serde_json::from_str(&ok(&mcu(
        &ws,
        &["audit", "log", "--register", "console_session", "--json"],
    )))
    .unwrap();
    let ended: Vec<&serde_json::Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "ended" && e["operator"] == "petrova")
        .collect();
    assert_eq!(ended.len(), 1, "{log}");
    assert!(
        ended[0]["new"]
            .as_str()
            .is_some_and(|r| r.contains("Сервер mcu остановлен")),
        "{log}"
    );
    assert!(connected(&ws).is_empty());
    ok(&mcu(&ws, &["audit", "verify"]));
}

/// The operator's own keys (`ssh/keymaps/LOGIN.toml` in the workspace) are layered over the
/// defaults in their session, as a local console layers `~/.config/mcu/keymap.toml`.
#[test]
fn an_officers_own_keys_apply_in_their_ssh_session() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, key) = one_officer(dir.path());
    let keymaps = ws.join("ssh").join("keymaps");
    std::fs::create_dir_all(&keymaps).unwrap();
    std::fs::write(
        keymaps.join("petrova.toml"),
        "[global]\nprepend_keymap = [ { on = \"Z\", run = \"help\", desc = \"Справка: моя клавиша Z\" } ]\n",
    )
    .unwrap();
    let server = Server::start(&ws);
    let tmux = Tmux {
        socket: dir.path().join("tmux.sock"),
    };
    open_window(&tmux, "one", &ssh(&key, server.port, "-t"), 100, 30);
    // Z, unbound by default, opens the help: first in the hint bar, before the default `?`.
    let s = wait_screen(&tmux, "one", 30, |s| s.contains("Входящие"));
    assert!(s.contains("Z Справка"), "{s}");
    assert!(!s.contains("Помощь — клавиши"), "{s}");
    tmux.run(&["send-keys", "-t", "one", "Z"]);
    wait_screen(&tmux, "one", 20, |s| s.contains("Помощь — клавиши"));
    drop(server);
}
