//! The audit trail against tampering with the database (on both engines: the SQLite file, the
//! PostgreSQL municipality's tables): an entry edited, deleted in the
//! middle or swapped (the chain), the last entries or all of them deleted and the chain edited and
//! recomputed (the anchor file, a head kept elsewhere), an appeal changed without an entry (the
//! replay of its history), the anchor file truncated or edited. And the other side: a workspace
//! used normally — imports with auto-triage, changes from the command line and the console, a
//! re-import — verifies intact.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use mcu::store::{Actor, Change, KeptHead, Store, Verification};
use serde_json::Value;

const NOW: &str = "2026-11-28T12:00:00+03:00";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW).unwrap().to_utc()
}

mod common;
use common::engine::{Engine, EngineWs, on_both_engines};
use mcu::store::db::{Db, params};

fn ok(ws: &EngineWs, args: &[&str]) -> String {
    ws.ok(args)
}

fn mcu(ws: &EngineWs, args: &[&str]) -> std::process::Output {
    ws.mcu(args)
}

fn open(ws: &EngineWs) -> Store {
    ws.store()
}

fn verify(ws: &EngineWs) -> Verification {
    open(ws).verify_audit().unwrap()
}

/// The database past mcu: what someone tampering with it has.
fn db(ws: &EngineWs) -> Db {
    ws.raw()
}

fn anchor(ws: &EngineWs) -> PathBuf {
    ws.path("mcu.anchor")
}

fn id_of(ws: &EngineWs, key: &str) -> i64 {
    open(ws).find(key).unwrap().id
}

/// A workspace used the ordinary way: two imports (auto-triage on), a re-import of the first
/// file, changes through `mcu set` and through the console's path (the library, source
/// `console`), a block confirmation, and settlement and recipient names spelled differently from
/// the stored ones.
fn workspace(engine: Engine) -> EngineWs {
    // Built once per engine, copied for each test (each tampers with its own copy).
    static SQLITE: std::sync::OnceLock<EngineWs> = std::sync::OnceLock::new();
    static POSTGRES: std::sync::OnceLock<EngineWs> = std::sync::OnceLock::new();
    let template = match engine {
        Engine::Sqlite => &SQLITE,
        Engine::Postgres => &POSTGRES,
    };
    template.get_or_init(|| build_workspace(engine)).copy()
}

fn build_workspace(engine: Engine) -> EngineWs {
    let ws = EngineWs::new(engine, "okrug");
    let src = tempfile::tempdir().unwrap();
    let a = src.path().join("a.csv");
    fs::write(
        &a,
        "id;received_at;text;settlement;responsible;author\n\
         A-1;2026-11-02 10:00;Яма на дороге у школы;с. Заречное;Отдел дорожного хозяйства;Орлова Вера\n\
         A-2;2026-11-02 11:00;Нет воды в колонке на улице Садовой;С. ЗАРЕЧНОЕ;;Громов П. С.\n\
         A-3;2026-11-03 09:30;Не вывозят мусор третью неделю;д. Липовка;отдел ЖКХ;\n\
         A-4;2026-11-03 12:00;Просим отремонтировать крыльцо клуба;;;Белова Н.\n\
         A-5;2026-11-04 08:05;Упало дерево на провода;д. липовка;;\n",
    )
    .unwrap();
    ok(
        &ws,
        &[
            "import",
            "--channel",
            "pos",
            "--now",
            NOW,
            a.to_str().unwrap(),
        ],
    );
    ok(
        &ws,
        &[
            "set",
            "pos:A-2",
            "--block",
            "housing",
            "--responsible",
            "ЖКХ",
            "--note",
            "по телефону",
            "--now",
            NOW,
        ],
    );
    {
        let mut store = open(&ws);
        let console = Actor::new("dispatcher", "console");
        let id = store.find("pos:A-4").unwrap().id;
        store
            .update(
                id,
                &[
                    Change::Urgent(true),
                    Change::Status(mcu::domain::Status::InProgress),
                ],
                None,
                &console,
                now(),
            )
            .unwrap();
        store
            .update(
                id,
                &[
                    Change::AnsweredAt(Some(now())),
                    Change::Answer(Some("Крыльцо отремонтируют в декабре".into())),
                    Change::Rating(Some(4)),
                    Change::Note("звонили заявителю".into()),
                ],
                None,
                &console,
                now(),
            )
            .unwrap();
        let a1 = store.find("pos:A-1").unwrap().id;
        store
            .update(
                a1,
                &[Change::Block(Some("roads".into()))],
                None,
                &console,
                now(),
            )
            .unwrap();
        store.confirm_block(a1, &console, now()).unwrap();
    }
    let b = src.path().join("b.csv");
    fs::write(
        &b,
        "id;received_at;text;status;answered_at;answer\n\
         A-1;2026-11-02 10:00;Яма на дороге у школы;Дан ответ;2026-11-05 10:00;Яму засыпали\n\
         A-6;2026-11-06 10:00;Не горят фонари на улице Мира;Новое;;\n",
    )
    .unwrap();
    for f in [&b, &a] {
        ok(
            &ws,
            &[
                "import",
                "--channel",
                "pos",
                "--now",
                NOW,
                f.to_str().unwrap(),
            ],
        );
    }
    ws
}

/// Recomputes every entry's hash from the first on, as anyone who can write `mcu.db` can.
fn recompute_chain(ws: &EngineWs) {
    let conn = db(ws);
    type Row = (
        i64,
        i64,
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = conn
        .prepare(
            "SELECT id, appeal_id, at, operator, source, field, old, new, through_id, digest \
             FROM events ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = String::new();
    for (id, appeal, at, op, src, field, old, new, through, digest) in rows {
        let h = mcu::store::entry_hash(
            &prev,
            id,
            appeal,
            at,
            &op,
            &src,
            &field,
            old.as_deref(),
            new.as_deref(),
            through,
            digest.as_deref(),
        );
        conn.execute("UPDATE events SET hash = ?2 WHERE id = ?1", params![id, h])
            .unwrap();
        prev = h;
    }
}

/// Removes the anchors of entries from `first` on (all of them for `i64::MIN`), as someone who
/// can write where they are kept would: lines of the anchor file, rows of the region's table.
fn keep_anchors_before(ws: &EngineWs, first: i64) {
    match ws.engine {
        Engine::Sqlite if first == i64::MIN => fs::remove_file(anchor(ws)).unwrap(),
        Engine::Sqlite => {
            let text = fs::read_to_string(anchor(ws)).unwrap();
            let kept: Vec<&str> = text
                .lines()
                .filter(|l| l.split(' ').nth(2).unwrap().parse::<i64>().unwrap() < first)
                .collect();
            fs::write(anchor(ws), kept.join("\n") + "\n").unwrap();
        }
        Engine::Postgres => {
            db(ws)
                .execute(
                    "DELETE FROM mcu_region.audit_anchors WHERE municipality = 'okrug' \
                     AND last_id >= ?1",
                    [first],
                )
                .unwrap();
        }
    }
}

fn kinds(v: &Verification) -> Vec<&str> {
    v.problems.iter().map(|p| p.kind).collect()
}

fn problem<'a>(v: &'a Verification, kind: &str) -> &'a mcu::store::Problem {
    v.problems
        .iter()
        .find(|p| p.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} problem in {v:#?}"))
}

/// `mcu audit verify` fails with exit 1 and says `what`; its JSON says the same.
fn verify_fails(ws: &EngineWs, what: &str) {
    let out = mcu(ws, &["audit", "verify"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(what), "{err}");
    let out = mcu(ws, &["audit", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["intact"], false);
    assert!(v["problems"].to_string().contains(what), "{v}");
}

fn a_workspace_used_normally_verifies_intact(engine: Engine) {
    let ws = workspace(engine);
    let v = verify(&ws);
    assert!(v.intact, "{v:#?}");
    assert_eq!(v.first_broken, None);
    assert_eq!(v.appeals.checked, 6);
    assert_eq!(v.appeals.without_digest, 0);
    let a = v.anchor.clone().unwrap();
    assert!(a.exists);
    assert_eq!(a.anchored, v.checked);
    // One anchor per import, per change, per triage batch: not one per row.
    assert!(a.lines < v.checked, "{a:?} for {} entries", v.checked);

    let out = ok(&ws, &["audit", "verify"]);
    assert!(out.contains("audit trail intact"), "{out}");
    let j: Value = serde_json::from_str(&ok(&ws, &["audit", "verify", "--json"])).unwrap();
    assert_eq!(j["intact"], true);
    assert_eq!(j["appeals"]["checked"], 6);

    // The head, kept elsewhere, verifies; so does the JSON form.
    let head = ok(&ws, &["audit", "head"]);
    let head = head.trim();
    let k: KeptHead = head.parse().unwrap();
    assert_eq!(k.count, v.checked);
    ok(&ws, &["audit", "verify", "--head", head]);
    let j: Value = serde_json::from_str(&ok(&ws, &["audit", "head", "--json"])).unwrap();
    assert_eq!(j["head"], head);
    assert_eq!(j["count"], v.checked);
    // A later change moves the head on; the old one still verifies (it is a prefix).
    ok(&ws, &["set", "pos:A-5", "--urgent", "true", "--now", NOW]);
    ok(&ws, &["audit", "verify", "--head", head]);
    assert!(verify(&ws).intact);
}

fn an_edited_entry_is_named(engine: Engine) {
    let ws = workspace(engine);
    let target: i64 = db(&ws)
        .query_row(
            "SELECT id FROM events WHERE new = 'по телефону'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db(&ws)
        .execute("UPDATE events SET new = 'подделка' WHERE id = ?1", [target])
        .unwrap();
    let v = verify(&ws);
    assert_eq!(v.first_broken, Some(target));
    assert_eq!(problem(&v, "entry").entry, Some(target));
    verify_fails(&ws, &format!("broken at entry {target}"));
}

fn an_entry_deleted_in_the_middle_is_named(engine: Engine) {
    let ws = workspace(engine);
    let max: i64 = db(&ws)
        .query_row("SELECT MAX(id) FROM events", [], |r| r.get(0))
        .unwrap();
    let mid = max / 2;
    let conn = db(&ws);
    conn.execute("DELETE FROM events WHERE id = ?1", [mid])
        .unwrap();
    let v = verify(&ws);
    assert_eq!(v.first_broken, Some(mid + 1), "{v:#?}");
    verify_fails(&ws, &format!("broken at entry {}", mid + 1));
}

fn swapped_entries_are_named(engine: Engine) {
    let ws = workspace(engine);
    let conn = db(&ws);
    // Two changes of appeal A-4: swap what they say.
    let ids: Vec<i64> = conn
        .prepare(
            "SELECT id FROM events WHERE appeal_id = (SELECT id FROM appeals WHERE source_id = 'A-4') \
             AND field IN ('urgent', 'status') ORDER BY id LIMIT 2",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids.len(), 2);
    conn.execute_batch(&format!(
        "UPDATE events SET id = -1 WHERE id = {a}; UPDATE events SET id = {a} WHERE id = {b}; \
         UPDATE events SET id = {b} WHERE id = -1;",
        a = ids[0],
        b = ids[1]
    ))
    .unwrap();
    let v = verify(&ws);
    assert_eq!(v.first_broken, Some(ids[0]), "{v:#?}");
}

fn deleting_the_last_entries_is_caught_by_the_anchor(engine: Engine) {
    let ws = workspace(engine);
    let max: i64 = db(&ws)
        .query_row("SELECT MAX(id) FROM events", [], |r| r.get(0))
        .unwrap();
    db(&ws)
        .execute("DELETE FROM events WHERE id > ?1", [max - 2])
        .unwrap();
    let v = verify(&ws);
    assert_eq!(v.first_broken, None, "the chain itself is intact");
    assert_eq!(v.checked as i64, max - 2);
    let p = problem(&v, "anchor");
    assert!(p.message.contains("removed from its end"), "{}", p.message);
    assert!(p.entry.unwrap() > max - 2, "{p:?}");
    verify_fails(&ws, "removed from its end");
}

fn an_emptied_trail_is_caught_by_the_anchor(engine: Engine) {
    let ws = workspace(engine);
    let conn = db(&ws);
    conn.execute_batch("DELETE FROM events;").unwrap();
    let v = verify(&ws);
    assert_eq!((v.checked, v.first_broken), (0, None));
    let p = problem(&v, "anchor");
    assert!(p.message.contains("trail is empty"), "{}", p.message);
    // And every appeal has lost its creation entry.
    let a = problem(&v, "appeal");
    assert!(a.message.contains("no creation entry"), "{}", a.message);
    verify_fails(&ws, "trail is empty");
}

fn an_edit_with_the_chain_recomputed_is_caught_by_the_anchor_and_a_kept_head(engine: Engine) {
    let ws = workspace(engine);
    let head = ok(&ws, &["audit", "head"]).trim().to_string();
    let target: i64 = db(&ws)
        .query_row(
            "SELECT id FROM events WHERE new = 'звонили заявителю'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db(&ws)
        .execute(
            "UPDATE events SET new = 'не звонили' WHERE id = ?1",
            [target],
        )
        .unwrap();
    recompute_chain(&ws);
    let v = verify(&ws);
    assert_eq!(v.first_broken, None, "the recomputed chain links up");
    let p = problem(&v, "anchor");
    assert!(p.message.contains("rewritten"), "{}", p.message);
    assert!(p.entry.unwrap() >= target);
    verify_fails(&ws, "rewritten");

    // Even with the anchors gone, the head kept elsewhere catches it.
    keep_anchors_before(&ws, i64::MIN);
    let v = open(&ws)
        .verify_audit_against(Some(&head.parse().unwrap()))
        .unwrap();
    let p = problem(&v, "head");
    assert!(p.message.contains("rewritten"), "{}", p.message);
    let out = mcu(&ws, &["audit", "verify", "--head", &head]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("head kept elsewhere"));
}

fn entries_removed_from_the_end_with_the_anchor_cut_to_match_are_caught_by_a_kept_head(
    engine: Engine,
) {
    let ws = workspace(engine);
    // The last change is a note on its own: removing it leaves every appeal consistent.
    ok(
        &ws,
        &["set", "pos:A-3", "--note", "проверено", "--now", NOW],
    );
    let head = ok(&ws, &["audit", "head"]).trim().to_string();
    let max: i64 = db(&ws)
        .query_row("SELECT MAX(id) FROM events", [], |r| r.get(0))
        .unwrap();
    db(&ws)
        .execute("DELETE FROM events WHERE id = ?1", [max])
        .unwrap();
    keep_anchors_before(&ws, max);
    assert!(verify(&ws).intact, "undetectable from the workspace alone");
    let out = mcu(&ws, &["audit", "verify", "--head", &head]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("entries were removed"), "{err}");
}

fn an_appeal_changed_without_an_entry_is_named_with_its_field(engine: Engine) {
    let ws = workspace(engine);
    // A field no one ever changed through mcu, on an appeal in the middle of an import run.
    let a3 = id_of(&ws, "pos:A-3");
    db(&ws)
        .execute(
            "UPDATE appeals SET text = 'Всё хорошо, претензий нет' WHERE id = ?1",
            [a3],
        )
        .unwrap();
    let v = verify(&ws);
    assert_eq!(v.first_broken, None);
    assert_eq!(kinds(&v), ["appeal"]);
    let p = problem(&v, "appeal");
    assert_eq!(p.appeal, Some(a3));
    assert_eq!(p.appeal_key.as_deref(), Some("pos:A-3"));
    assert_eq!(p.field.as_deref(), Some("text"));
    verify_fails(&ws, "pos:A-3");
    verify_fails(&ws, "«text»");
}

fn a_changed_field_changed_again_without_an_entry_is_named(engine: Engine) {
    let ws = workspace(engine);
    // A-4's status was changed from the console; set it back behind mcu's back.
    let a4 = id_of(&ws, "pos:A-4");
    db(&ws)
        .execute(
            "UPDATE appeals SET status = 'new', rating = 5 WHERE id = ?1",
            [a4],
        )
        .unwrap();
    let v = verify(&ws);
    let p = problem(&v, "appeal");
    assert_eq!(
        (p.appeal, p.field.as_deref()),
        (Some(a4), Some("status")),
        "{p:?}"
    );
    // A block set by auto-triage or an officer, and the responsible, on another appeal.
    let ws = workspace(engine);
    let a2 = id_of(&ws, "pos:A-2");
    db(&ws)
        .execute(
            "UPDATE appeals SET responsible_id = NULL WHERE id = ?1",
            [a2],
        )
        .unwrap();
    let v = verify(&ws);
    let p = problem(&v, "appeal");
    assert_eq!(
        (p.appeal, p.field.as_deref()),
        (Some(a2), Some("responsible"))
    );
}

fn an_appeal_deleted_or_added_behind_mcus_back_is_named(engine: Engine) {
    let ws = workspace(engine);
    let a5 = id_of(&ws, "pos:A-5");
    let conn = db(&ws);
    for t in ["triage", "triage_signatures"] {
        conn.execute(&format!("DELETE FROM {t} WHERE appeal_id = ?1"), [a5])
            .unwrap();
    }
    conn.execute("DELETE FROM appeals WHERE id = ?1", [a5])
        .unwrap();
    let v = verify(&ws);
    let p = problem(&v, "appeal");
    assert_eq!(p.appeal, Some(a5), "{p:?}");
    assert!(p.message.contains("deleted"), "{}", p.message);

    let ws = workspace(engine);
    db(&ws)
        .execute(
            "INSERT INTO appeals (channel, source_id, received_at, text, status, is_open, \
             created_at, updated_at) VALUES ('pos', 'X-1', 0, 'подброшено', 'closed', 0, 0, 0)",
            [],
        )
        .unwrap();
    let v = verify(&ws);
    let p = problem(&v, "appeal");
    assert_eq!(p.appeal_key.as_deref(), Some("pos:X-1"));
    assert!(p.message.contains("no creation entry"), "{}", p.message);
}

/// The anchor file of an SQLite workspace (PostgreSQL's anchors are rows of an append-only table).
#[test]
fn a_truncated_anchor_file_is_caught() {
    let ws = workspace(Engine::Sqlite);
    let text = fs::read_to_string(anchor(&ws)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 3, "{text}");
    fs::write(anchor(&ws), lines[..lines.len() - 2].join("\n") + "\n").unwrap();
    let v = verify(&ws);
    let p = problem(&v, "anchor");
    assert!(p.message.contains("not anchored"), "{}", p.message);
    verify_fails(&ws, "not anchored");
    // Deleted altogether.
    fs::remove_file(anchor(&ws)).unwrap();
    verify_fails(&ws, "is missing");
}

/// The anchor file of an SQLite workspace.
#[test]
fn an_edited_anchor_file_is_caught() {
    let ws = workspace(Engine::Sqlite);
    let text = fs::read_to_string(anchor(&ws)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // A hash changed in the second line.
    let l = &mut lines[1];
    let last = l.pop().unwrap();
    l.push(if last == '0' { '1' } else { '0' });
    fs::write(anchor(&ws), lines.join("\n") + "\n").unwrap();
    let v = verify(&ws);
    let p = problem(&v, "anchor");
    assert!(p.message.contains("line 2"), "{}", p.message);
    verify_fails(&ws, "line 2");
    // A line that is not an anchor at all.
    lines[1] = "anchored everything, trust me".into();
    fs::write(anchor(&ws), lines.join("\n") + "\n").unwrap();
    verify_fails(&ws, "line 2");
}

/// The anchor file of an SQLite workspace (a row of PostgreSQL's table is never cut short).
#[test]
fn a_line_cut_short_by_a_crash_is_not_an_edit_and_the_next_anchor_starts_a_new_line() {
    let ws = workspace(Engine::Sqlite);
    let path = anchor(&ws);
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("2026-12-07T00:00:00Z 12 1");
    fs::write(&path, &text).unwrap();
    assert!(verify(&ws).intact);
    ok(&ws, &["set", "pos:A-5", "--note", "ещё одна", "--now", NOW]);
    let v = verify(&ws);
    assert!(v.intact, "{v:#?}");
    let after = fs::read_to_string(&path).unwrap();
    assert!(
        after.contains("2026-12-07T00:00:00Z 12 1 cut-short\n"),
        "{after}"
    );
}

/// A workspace made before anchoring and creation digests (schema 9): the upgrade starts the
/// anchor with the head it has then; its appeals are checked from their first recorded change on,
/// appeals created after the upgrade fully.
/// SQLite's schema versions (`user_version`).
#[test]
fn a_workspace_from_before_the_anchor_is_anchored_at_the_upgrade() {
    let ws = workspace(Engine::Sqlite);
    let conn = db(&ws);
    conn.execute_batch("UPDATE events SET digest = NULL; UPDATE appeals SET created_tags = NULL;")
        .unwrap();
    drop(conn);
    recompute_chain(&ws);
    db(&ws)
        .execute_batch(
            "ALTER TABLE events DROP COLUMN digest; ALTER TABLE appeals DROP COLUMN created_tags; \
             PRAGMA user_version = 11;",
        )
        .unwrap();
    fs::remove_file(anchor(&ws)).unwrap();

    let v = verify(&ws);
    assert!(v.intact, "{v:#?}");
    assert_eq!(v.appeals.without_digest, 6);
    let a = v.anchor.unwrap();
    assert_eq!((a.exists, a.lines, a.anchored), (true, 1, v.checked));

    let src = tempfile::tempdir().unwrap();
    let c = src.path().join("c.csv");
    fs::write(
        &c,
        "id;received_at;text\nA-7;2026-11-07 10:00;Сломана скамейка в сквере\n",
    )
    .unwrap();
    ok(
        &ws,
        &[
            "import",
            "--channel",
            "pos",
            "--now",
            NOW,
            c.to_str().unwrap(),
        ],
    );
    let v = verify(&ws);
    assert!(v.intact, "{v:#?}");
    assert_eq!((v.appeals.checked, v.appeals.without_digest), (7, 6));

    // A field changed through mcu is still checked on an old appeal.
    let a4 = id_of(&ws, "pos:A-4");
    db(&ws)
        .execute("UPDATE appeals SET status = 'new' WHERE id = ?1", [a4])
        .unwrap();
    let p = problem(&verify(&ws), "appeal").clone();
    assert_eq!((p.appeal, p.field.as_deref()), (Some(a4), Some("status")));
}

on_both_engines!(
    a_workspace_used_normally_verifies_intact,
    an_edited_entry_is_named,
    an_entry_deleted_in_the_middle_is_named,
    swapped_entries_are_named,
    deleting_the_last_entries_is_caught_by_the_anchor,
    an_emptied_trail_is_caught_by_the_anchor,
    an_edit_with_the_chain_recomputed_is_caught_by_the_anchor_and_a_kept_head,
    entries_removed_from_the_end_with_the_anchor_cut_to_match_are_caught_by_a_kept_head,
    an_appeal_changed_without_an_entry_is_named_with_its_field,
    a_changed_field_changed_again_without_an_entry_is_named,
    an_appeal_deleted_or_added_behind_mcus_back_is_named,
);
