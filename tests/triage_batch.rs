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

    // The batched path, as users run it.
    mcu(&batched, &["classify", "--pending", "--now", NOW]);

    // One by one, oldest received first (the order of a run), through the SQL path.
    {
        let mut store = Store::open(&single.join("mcu.db"), Arc::clone(&reference)).unwrap();
        let t = store.load_triage(Some(&single)).unwrap();
        let ids: Vec<i64> = dump(
            &single.join("mcu.db"),
            "SELECT id FROM appeals ORDER BY received_at, id",
        )
        .iter()
        .map(|s| {
            s.trim_start_matches("Integer(")
                .trim_end_matches(')')
                .parse()
                .unwrap()
        })
        .collect();
        assert_eq!(ids.len(), 3_000);
        // The operator `mcu classify` recorded (the login running it).
        let operator = dump(
            &batched.join("mcu.db"),
            "SELECT operator FROM events WHERE source = 'auto-triage' LIMIT 1",
        );
        let operator = operator[0]
            .trim_start_matches("Text(\"")
            .trim_end_matches("\")");
        let actor = Actor::new(operator, AUTO_TRIAGE_SOURCE);
        for id in ids {
            store.triage_appeal(&t, id, &actor, now()).unwrap();
        }
    }

    let queries = [
        "SELECT * FROM triage ORDER BY appeal_id",
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
