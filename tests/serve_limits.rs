//! The built-in SSH server's limits, with a real OpenSSH client: no PTY, a command instead of
//! the console, a terminal smaller than the minimum, the maximum of sessions, failed
//! authentications per address. Each ends with a clear message (or a refusal) and a clean exit.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;

mod common;
use common::ssh::{Server, client, keygen, mcu, ok, ssh};
use common::tmux::Tmux;

fn workspace(dir: &Path, config: &str) -> std::path::PathBuf {
    let ws = dir.join("okrug");
    ok(&mcu(&ws, &["init"]));
    std::fs::write(ws.join("config.toml"), config).unwrap();
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
    ws
}

fn said(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn without_a_terminal_or_too_small_or_over_the_limit_the_session_ends_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "[serve]\nmax_sessions = 1\n");
    let key = keygen(dir.path(), "petrova");
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
    let server = Server::start(&ws);

    let no_pty = client(&key, server.port, "-T", "");
    assert_eq!(no_pty.status.code(), Some(1), "{}", said(&no_pty));
    assert!(
        said(&no_pty).contains("нужен терминал"),
        "{}",
        said(&no_pty)
    );

    let command = client(&key, server.port, "-T", "ls /");
    assert!(!command.status.success());
    assert!(
        said(&command).contains("только консоль"),
        "{}",
        said(&command)
    );

    // -tt without a local terminal: a PTY of 0×0.
    let small = client(&key, server.port, "-tt", "");
    assert!(said(&small).contains("слишком мало"), "{}", said(&small));

    // The session count is back to zero after each: the limit of one still lets one in (it
    // ends at once, too small), so the count did not leak.
    let again = client(&key, server.port, "-tt", "");
    assert!(said(&again).contains("слишком мало"), "{}", said(&again));

    // One console open in a real terminal: the next one is over the limit.
    let tmux = Tmux {
        socket: dir.path().join("tmux.sock"),
    };
    let open = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "mcu",
        "-x",
        "90",
        "-y",
        "30",
        &ssh(&key, server.port, "-t"),
    ]);
    assert!(open.status.success(), "{open:?}");
    tmux.wait_for("Входящие", 30);
    let over = client(&key, server.port, "-tt", "");
    assert_eq!(over.status.code(), Some(1), "{}", said(&over));
    assert!(
        said(&over).contains("больше предела (1)"),
        "{}",
        said(&over)
    );
    drop(server);
}

#[test]
fn an_address_failing_authentication_too_often_is_refused_even_with_a_good_key() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(
        dir.path(),
        "[serve]\nmax_failed_auths = 2\nfailed_auth_window_minutes = 60\n",
    );
    let key = keygen(dir.path(), "petrova");
    let stranger = keygen(dir.path(), "stranger");
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
    let server = Server::start(&ws);

    // Before: the good key gets a session (no PTY: the message says so).
    let before = client(&key, server.port, "-T", "");
    assert!(
        said(&before).contains("нужен терминал"),
        "{}",
        said(&before)
    );
    for _ in 0..2 {
        let o = client(&stranger, server.port, "-T", "");
        assert!(said(&o).contains("Permission denied"), "{}", said(&o));
    }
    let after = client(&key, server.port, "-T", "");
    assert!(!after.status.success());
    assert!(
        said(&after).contains("Permission denied"),
        "{}",
        said(&after)
    );
    drop(server);
}

#[test]
fn the_key_of_an_operator_who_was_removed_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "");
    let key = keygen(dir.path(), "petrova");
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
    ok(&mcu(&ws, &["operator", "remove", "petrova"]));
    let server = Server::start(&ws);
    let o = client(&key, server.port, "-T", "");
    assert!(!o.status.success());
    assert!(said(&o).contains("Permission denied"), "{}", said(&o));
    drop(server);
}
