//! Auto-triage of many pending appeals (`mcu classify --pending`, the triage after `mcu import`)
//! finds duplicate candidates in an in-memory index of its time window (`store::triage_window`)
//! instead of asking SQLite for each appeal. Nothing it decides may differ from triaging the same
//! appeals one by one through the SQL path (`Store::triage_appeal`): same suggestions, same
//! proposals, same changes, same audit entries — byte for byte, hashes included (`now` is fixed).

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mcu::demo::{DemoConfig, Generator, write_canonical_csv};
use mcu::reference::Reference;
use mcu::store::{AUTO_TRIAGE_SOURCE, Actor, Store};

const NOW: &str = "2026-11-28T12:00:00+03:00";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&Utc)
}

fn mcu(ws: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env_remove("MCU_FAULT")
        .env("MCU_LOG", ws.join("mcu.log"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mcu {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A workspace of `n` realistic appeals (the demo generator: all channels and blocks, repeated
/// topics, the same authors writing again), imported without triage.
fn workspace(dir: &Path, csv: &Path) -> std::path::PathBuf {
    let ws = dir.to_path_buf();
    mcu(
        &ws,
        &[
            "import",
            "--no-triage",
            "--channel",
            "pos",
            "--now",
            NOW,
            csv.to_str().unwrap(),
        ],
    );
    ws
}

fn dump(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn.prepare(sql).unwrap();
    let n = st.column_count();
    st.query_map([], |r| {
        let mut row = Vec::new();
        for i in 0..n {
            let v: rusqlite::types::Value = r.get(i)?;
            row.push(format!("{v:?}"));
        }
        Ok(row.join("|"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn a_batched_run_decides_exactly_what_one_by_one_triage_does() {
    batched_against_one_by_one(None);
}

/// A write of one appeal's triage fails in the middle of a batch (a trigger refuses its triage
/// row, its last write, after its fields and its index row are written): the batch, which keeps no savepoint per appeal, is run again with one, so only that
/// appeal's writes are undone — it is recorded as failed with the reason, its fields are as
/// before — and every other appeal is triaged exactly as one-by-one triage does when that appeal
/// fails.
#[test]
fn a_failed_write_undoes_only_its_own_appeal() {
    batched_against_one_by_one(Some(1_500));
}

fn integer(s: &str) -> i64 {
    s.trim_start_matches("Integer(")
        .trim_end_matches(')')
        .parse()
        .unwrap()
}

/// `failing`: the position (in received order) of an appeal whose triage row a trigger refuses.
fn batched_against_one_by_one(failing: Option<usize>) {
    let tmp = tempfile::tempdir().unwrap();
    let reference = Arc::new(Reference::embedded().unwrap());
    let csv = tmp.path().join("appeals.csv");
    // 3,000 appeals over 60 days: ~50 a day, so the 14- and 30-day windows hold many candidates
    // and the run spans several batches.
    let items = Generator::new(
        DemoConfig {
            seed: 7,
            count: 3_000,
            now: now(),
            days: 60,
        },
        Arc::clone(&reference),
    )
    .unwrap();
    let tz = reference.calendar.timezone();
    write_canonical_csv(std::fs::File::create(&csv).unwrap(), tz, items).unwrap();

    let batched = workspace(&tmp.path().join("batched"), &csv);
    let single = workspace(&tmp.path().join("single"), &csv);
    let ids: Vec<i64> = dump(
        &single.join("mcu.db"),
        "SELECT id FROM appeals ORDER BY received_at, id",
    )
    .iter()
    .map(|s| integer(s))
    .collect();
    assert_eq!(ids.len(), 3_000);
    let failing = failing.map(|i| ids[i]);
    let before = |ws: &Path, id: i64| {
        dump(
            &ws.join("mcu.db"),
            &format!("SELECT * FROM appeals WHERE id = {id}"),
        )
    };
    let unchanged = failing.map(|id| before(&batched, id));
    if let Some(id) = failing {
        for ws in [&batched, &single] {
            rusqlite::Connection::open(ws.join("mcu.db"))
                .unwrap()
                .execute_batch(&format!(
                    "CREATE TRIGGER refuse BEFORE INSERT ON triage \
                     WHEN NEW.appeal_id = {id} AND NEW.error IS NULL \
                     BEGIN SELECT RAISE(ABORT, 'injected refusal'); END"
                ))
                .unwrap();
        }
    }

    // The batched path, as users run it.
    mcu(&batched, &["classify", "--pending", "--now", NOW]);

    // One by one, oldest received first (the order of a run), through the SQL path.
    {
        let mut store = Store::open(&single.join("mcu.db"), Arc::clone(&reference)).unwrap();
        let t = store.load_triage(Some(&single)).unwrap();
        // The operator `mcu classify` recorded (the login running it).
        let operator = dump(
            &batched.join("mcu.db"),
            "SELECT operator FROM events WHERE source = 'auto-triage' LIMIT 1",
        );
        let operator = operator[0]
            .trim_start_matches("Text(\"")
            .trim_end_matches("\")");
        let actor = Actor::new(operator, AUTO_TRIAGE_SOURCE);
        for &id in &ids {
            let r = store.triage_appeal(&t, id, &actor, now());
            if Some(id) == failing {
                let e = r.expect_err("the trigger refuses it");
                assert!(e.to_string().contains("injected refusal"), "{e}");
            } else {
                r.unwrap();
            }
        }
    }
    if let (Some(id), Some(unchanged)) = (failing, unchanged) {
        let error = dump(
            &batched.join("mcu.db"),
            &format!("SELECT error FROM triage WHERE appeal_id = {id}"),
        );
        assert!(error[0].contains("injected refusal"), "{error:?}");
        assert_eq!(before(&batched, id), unchanged, "its fields are as before");
        let mine = dump(
            &batched.join("mcu.db"),
            &format!(
                "SELECT COUNT(*) FROM events WHERE appeal_id = {id} AND source = 'auto-triage'"
            ),
        );
        assert_eq!(integer(&mine[0]), 0, "none of its changes is recorded");
        let indexed = dump(
            &batched.join("mcu.db"),
            &format!("SELECT COUNT(*) FROM triage_signatures WHERE appeal_id = {id}"),
        );
        assert_eq!(
            integer(&indexed[0]),
            0,
            "its index row, written before, is undone"
        );
    }

    // The failed appeal's triage row (its reason) exists only on the batched path.
    let triage = format!(
        "SELECT * FROM triage WHERE appeal_id != {} ORDER BY appeal_id",
        failing.unwrap_or(0)
    );
    let queries = [
        triage.as_str(),
        "SELECT * FROM triage_signatures ORDER BY appeal_id",
        "SELECT * FROM triage_keys ORDER BY key, at, appeal_id",
        "SELECT * FROM appeals ORDER BY id",
        // The audit trail: every entry with its hash (the chain), in order.
        "SELECT * FROM events ORDER BY id",
    ];
    let proposed = dump(
        &batched.join("mcu.db"),
        "SELECT COUNT(*) FROM triage WHERE duplicate_of IS NOT NULL OR repeat_of IS NOT NULL",
    );
    assert_ne!(
        proposed,
        vec!["Integer(0)".to_string()],
        "the data must exercise duplicates"
    );
    for q in queries {
        let a = dump(&batched.join("mcu.db"), q);
        let b = dump(&single.join("mcu.db"), q);
        assert_eq!(a.len(), b.len(), "{q}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "{q}");
        }
    }
}
