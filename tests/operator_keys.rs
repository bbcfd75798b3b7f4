//! `mcu operator key add|list|remove`: keys for the built-in SSH server, from a .pub file or the
//! line itself, with the fingerprint ssh-keygen shows; bad lines and unknown operators refused
//! with a reason; every change in the audit trail.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::process::Command;

mod common;
use common::ssh::{keygen, mcu, ok};

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn keys_are_added_listed_and_removed_with_their_fingerprints_and_audited() {
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
    let key = keygen(dir.path(), "petrova");
    let pubfile = format!("{}.pub", key.display());
    // ssh-keygen's own fingerprint of the key.
    let lf = Command::new("ssh-keygen")
        .args(["-l", "-f", &pubfile])
        .output()
        .unwrap();
    let expected = String::from_utf8_lossy(&lf.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    assert!(expected.starts_with("SHA256:"), "{expected}");

    let added: serde_json::Value = serde_json::from_str(&ok(&mcu(
        &ws,
        &[
            "operator", "key", "add", "petrova", "--key", &pubfile, "--json",
        ],
    )))
    .unwrap();
    assert_eq!(added["fingerprint"], expected.as_str());
    assert_eq!(added["comment"], "petrova@test");

    // The same key again: refused, naming who has it.
    let twice = mcu(
        &ws,
        &["operator", "key", "add", "petrova", "--key", &pubfile],
    );
    assert_eq!(twice.status.code(), Some(1));
    assert!(
        err(&twice).contains("already registered for «petrova»"),
        "{}",
        err(&twice)
    );

    // A second key as a line, with a comment of our own.
    let other = keygen(dir.path(), "laptop");
    let line = std::fs::read_to_string(format!("{}.pub", other.display())).unwrap();
    ok(&mcu(
        &ws,
        &[
            "operator",
            "key",
            "add",
            "petrova",
            "--key",
            line.trim(),
            "--comment",
            "ноутбук",
        ],
    ));
    let list: serde_json::Value =
        serde_json::from_str(&ok(&mcu(&ws, &["operator", "key", "list", "--json"]))).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["comment"], "ноутбук");
    let text = ok(&mcu(&ws, &["operator", "key", "list"]));
    assert!(text.contains(&expected), "{text}");

    ok(&mcu(
        &ws,
        &["operator", "key", "remove", "petrova", &expected],
    ));
    let list: serde_json::Value =
        serde_json::from_str(&ok(&mcu(&ws, &["operator", "key", "list", "--json"]))).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let gone = mcu(&ws, &["operator", "key", "remove", "petrova", &expected]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(err(&gone).contains("has no key"), "{}", err(&gone));

    let log: serde_json::Value = serde_json::from_str(&ok(&mcu(
        &ws,
        &["audit", "log", "--register", "operator_key", "--json"],
    )))
    .unwrap();
    let fields: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"fingerprint") && fields.contains(&"removed"),
        "{log}"
    );
    ok(&mcu(&ws, &["audit", "verify"]));
}

#[test]
fn a_bad_key_or_an_unknown_operator_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("okrug");
    ok(&mcu(&ws, &["init"]));
    let bad = mcu(
        &ws,
        &[
            "operator",
            "key",
            "add",
            "anyone",
            "--key",
            "ssh-ed25519 AAAA-not-a-key",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        err(&bad).contains("not an OpenSSH public key line"),
        "{}",
        err(&bad)
    );

    let file = dir.path().join("broken.pub");
    std::fs::write(&file, "# my key\nssh-rsa ???\n").unwrap();
    let bad_file = mcu(
        &ws,
        &[
            "operator",
            "key",
            "add",
            "anyone",
            "--key",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(bad_file.status.code(), Some(2));
    let e = err(&bad_file);
    assert!(e.contains("broken.pub, line 2"), "{e}");

    let missing = mcu(
        &ws,
        &[
            "operator",
            "key",
            "add",
            "anyone",
            "--key",
            "/nonexistent.pub",
        ],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        err(&missing).contains("/nonexistent.pub"),
        "{}",
        err(&missing)
    );

    let key = keygen(dir.path(), "k");
    let nobody = mcu(
        &ws,
        &[
            "operator",
            "key",
            "add",
            "nobody",
            "--key",
            &format!("{}.pub", key.display()),
        ],
    );
    assert_eq!(nobody.status.code(), Some(1));
    assert!(
        err(&nobody).contains("no operator «nobody»"),
        "{}",
        err(&nobody)
    );
    let list = ok(&mcu(&ws, &["operator", "key", "list", "--json"]));
    assert_eq!(list.trim(), "[]");
}
