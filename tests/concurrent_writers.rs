//! Several writers on one database (on both engines): a console saving a change, `mcu import`, `mcu classify
//! --pending`, `mcu watch`. SQLite lets one write at a time; the others must wait for it and
//! then succeed — the campaign found `mcu import` exiting 1 with «database is locked» after its
//! file was committed, and `classify --pending` failing every time another process wrote.
//!
//! Deterministic: a thread of the test holds the write lock, and lets it go only once each
//! process has announced that it waits for it (`MCU_BUSY_NOTICE`, see `store::busy`), or at
//! the exact point where a process is about to triage (`MCU_TRIAGE_GATE`, see `ingest::triage`).

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::engine::{Engine, EngineWs, on_both_engines};

const NOW: &str = "2026-11-28T12:00:00+03:00";

fn command(ws: &EngineWs, args: &[&str]) -> Command {
    let mut c = ws.command(args);
    c.env_remove("MCU_FAULT")
        .env("MCU_LOG", ws.path("mcu.log"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run(ws: &EngineWs, args: &[&str]) -> Output {
    command(ws, args).output().unwrap()
}

fn csv(prefix: &str, n: usize) -> String {
    let mut s = String::from("id;received_at;text\n");
    for i in 0..n {
        s.push_str(&format!(
            "{prefix}-{i};2026-11-{:02} 10:{:02};Нет света на улице {i}, прошу починить фонарь\n",
            1 + i % 27,
            i % 60
        ));
    }
    s
}

fn workspace(engine: Engine) -> EngineWs {
    EngineWs::new(engine, "okrug")
}

fn pending(ws: &EngineWs) -> usize {
    ws.store().triage_pending_count().unwrap()
}

/// A thread holding the database's write lock until told to commit: SQLite's `BEGIN IMMEDIATE`;
/// on PostgreSQL the municipality's write lock (the advisory lock every writer of the store takes
/// first) in an open transaction.
struct Holder {
    release: mpsc::Sender<()>,
    done: thread::JoinHandle<()>,
}

impl Holder {
    fn take(ws: &EngineWs) -> Self {
        let (held_tx, held) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();
        let db = ws.raw();
        let lock = ws
            .url()
            .map(|_| mcu::store::db::pg::advisory_key("mcu-write:mo_okrug"));
        let done = thread::spawn(move || {
            match lock {
                None => db.execute_batch("BEGIN IMMEDIATE").unwrap(),
                Some(key) => {
                    let pg = db.pg().unwrap().conn();
                    pg.begin().unwrap();
                    pg.advisory_xact_lock(key).unwrap();
                }
            }
            // A real write, as a console saving a change would make.
            db.execute_batch(
                "CREATE TABLE IF NOT EXISTS test_holder (x INTEGER); INSERT INTO test_holder VALUES (1)",
            )
            .unwrap();
            held_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            db.execute_batch("COMMIT").unwrap();
        });
        held.recv().unwrap();
        Self { release, done }
    }

    fn release(self) {
        self.release.send(()).unwrap();
        self.done.join().unwrap();
    }
}

/// Waits until `file` exists (the process announced it) or the process ended.
fn announced(file: &Path, child: &mut Child) {
    let guard = Instant::now() + Duration::from_secs(120);
    while !file.exists() && child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < guard, "{} never appeared", file.display());
        thread::sleep(Duration::from_millis(5));
    }
}

fn import_and_classify_pending_wait_for_a_held_write_lock_and_both_succeed(engine: Engine) {
    let ws = &workspace(engine);
    std::fs::write(ws.path("first.csv"), csv("A", 300)).unwrap();
    std::fs::write(ws.path("second.csv"), csv("B", 300)).unwrap();
    let out = run(
        ws,
        &[
            "import",
            "--channel",
            "im",
            "--no-triage",
            "--now",
            NOW,
            ws.path("first.csv").to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert_eq!(pending(ws), 300);

    let holder = Holder::take(ws);
    let mut classify = command(ws, &["classify", "--pending", "--now", NOW])
        .env("MCU_BUSY_NOTICE", ws.path("busy-classify"))
        .spawn()
        .unwrap();
    let mut import = command(
        ws,
        &[
            "import",
            "--channel",
            "im",
            "--json",
            "--now",
            NOW,
            ws.path("second.csv").to_str().unwrap(),
        ],
    )
    .env("MCU_BUSY_NOTICE", ws.path("busy-import"))
    .spawn()
    .unwrap();
    announced(&ws.path("busy-classify"), &mut classify);
    announced(&ws.path("busy-import"), &mut import);
    assert!(ws.path("busy-classify").exists() && ws.path("busy-import").exists());
    holder.release();

    let classify = classify.wait_with_output().unwrap();
    let import = import.wait_with_output().unwrap();
    assert!(
        classify.status.success(),
        "classify --pending: {}",
        String::from_utf8_lossy(&classify.stderr)
    );
    assert!(
        import.status.success(),
        "import: {}",
        String::from_utf8_lossy(&import.stderr)
    );
    let r: Value = serde_json::from_slice(&import.stdout).unwrap();
    assert_eq!(r[0]["inserted"], 300, "{r}");
    assert_eq!(r[0]["triaged"]["pending"], 0, "{r}");
    assert!(r[0]["triaged"].get("stopped").is_none(), "{r}");
    assert_eq!(pending(ws), 0, "every appeal of both files triaged");
    // The writers took turns: the audit chain they appended to links up.
    let verify = String::from_utf8_lossy(&run(ws, &["audit", "verify"]).stdout).into_owned();
    assert!(
        verify.contains("audit trail intact"),
        "{engine:?}: {verify}"
    );
}

fn an_import_whose_triage_finds_the_database_locked_succeeds_and_says_triage_is_pending(
    engine: Engine,
) {
    let ws = &workspace(engine);
    let file = ws.path("appeals.csv");
    std::fs::write(&file, csv("C", 200)).unwrap();
    let args = [
        "import",
        "--channel",
        "im",
        "--json",
        "--now",
        NOW,
        file.to_str().unwrap(),
    ];

    // The import commits its file, then stops at the gate before triaging; the test takes the
    // write lock and keeps it past the import's (shortened) wait.
    let mut import = command(ws, &args)
        .env("MCU_TRIAGE_GATE", ws.dir())
        .env("MCU_BUSY_TIMEOUT_MS", "200")
        .spawn()
        .unwrap();
    announced(&ws.path("triage-ready"), &mut import);
    let holder = Holder::take(ws);
    std::fs::write(ws.path("triage-go"), b"").unwrap();
    let out = import.wait_with_output().unwrap();
    holder.release();

    assert!(
        out.status.success(),
        "the file was committed: the import succeeded ({})",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r[0]["inserted"], 200, "{r}");
    assert_eq!(r[0]["triaged"]["appeals"], 0, "{r}");
    assert_eq!(r[0]["triaged"]["pending"], 200, "{r}");
    assert!(
        r[0]["triaged"]["stopped"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "{r}"
    );
    assert_eq!(pending(ws), 200);

    // The next import (the same file, skipped) does the triage.
    let out = run(ws, &args);
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r[0]["outcome"], "already_imported", "{r}");
    assert_eq!(r[0]["triaged"]["appeals"], 200, "{r}");
    assert_eq!(pending(ws), 0);
}

fn mcu_watch_waits_for_a_held_write_lock_and_reports_the_file_imported(engine: Engine) {
    use std::io::{BufRead, BufReader, Read};

    let ws = &workspace(engine);
    let mut watch = command(ws, &["watch"])
        .env("MCU_BUSY_NOTICE", ws.path("busy-watch"))
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let mut wait_for = |what: &str| -> String {
        for line in lines.by_ref() {
            let line = line.unwrap();
            if line.contains(what) {
                return line;
            }
        }
        panic!("mcu watch ended before printing «{what}»");
    };
    // A first file without contention: once its report is out, the watcher is idle in its loop.
    std::fs::write(ws.path("inbox/im/first.csv"), csv("W", 20)).unwrap();
    wait_for("first.csv: 20 rows");
    wait_for("auto-triage:");

    // The second file lands while another process holds the write lock.
    let holder = Holder::take(ws);
    std::fs::write(ws.path("inbox/im/second.csv"), csv("X", 30)).unwrap();
    announced(&ws.path("busy-watch"), &mut watch);
    assert!(
        ws.path("busy-watch").exists(),
        "the watcher waited for the lock"
    );
    holder.release();
    let report = wait_for("second.csv:");
    assert!(report.contains("imported 30"), "{report}");
    let triage = wait_for("auto-triage:");
    assert!(triage.contains("30 appeals"), "{triage}");

    watch.kill().unwrap();
    let mut stderr = String::new();
    watch
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    watch.wait().unwrap();
    assert!(!stderr.contains("import failed"), "{stderr}");
    assert_eq!(pending(ws), 0);
}

on_both_engines!(
    import_and_classify_pending_wait_for_a_held_write_lock_and_both_succeed,
    an_import_whose_triage_finds_the_database_locked_succeeds_and_says_triage_is_pending,
    mcu_watch_waits_for_a_held_write_lock_and_reports_the_file_imported,
);
