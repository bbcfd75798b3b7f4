//! The store on both engines (an SQLite file; a PostgreSQL database): audited changes,
//! re-import, paging, search, staleness.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

mod common;
use common::engine::{Engine, TestStore, on_both_engines};

use chrono::{DateTime, Duration, TimeZone, Utc};
use mcu::domain::{Channel, Status};
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, Change, Cursor, ListFilter, SaveKind, Store, StoreError};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

/// An SQLite-only test's store in `dir`.
fn store_in(dir: &tempfile::TempDir) -> Store {
    Store::open(
        &dir.path().join("mcu.db"),
        Arc::new(Reference::embedded().unwrap()),
    )
    .unwrap()
}

fn incoming(id: &str, text: &str, received: DateTime<Utc>) -> IncomingAppeal {
    IncomingAppeal {
        line: 2,
        source_id: id.into(),
        received_at: received,
        text: text.into(),
        ..Default::default()
    }
}

fn import(store: &mut Store, rows: &[IncomingAppeal], ch: Channel) -> Vec<SaveKind> {
    let actor = Actor::new("tester", "import:test.csv");
    let mut tx = store.begin_import().unwrap();
    let kinds = rows
        .iter()
        .map(|r| {
            tx.upsert(r, ch, &actor, at(2026, 11, 28, 9, 0))
                .unwrap()
                .kind
        })
        .collect();
    tx.finish(&mcu::store::ImportedFile {
        name: "test.csv".into(),
        hash: format!("hash-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
        format: "csv".into(),
        channel: Some(ch.id().into()),
        imported_at: at(2026, 11, 28, 9, 0),
        rows: rows.len() as i64,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
    kinds
}

fn reimporting_the_same_key_updates_and_records_what_changed(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    let first = incoming("P-1", "Яма на дороге у школы", at(2026, 11, 2, 10, 0));
    assert_eq!(
        import(&mut store, std::slice::from_ref(&first), Channel::Pos),
        [SaveKind::Inserted]
    );

    let mut later = first.clone();
    later.status = Some(Status::Answered);
    later.answered_at = Some(at(2026, 11, 5, 11, 0));
    later.answer = Some("Яму засыпали щебнем".into());
    let kinds = import(&mut store, &[later.clone()], Channel::Pos);
    assert!(
        matches!(kinds[0], SaveKind::Updated(n) if n >= 3),
        "{kinds:?}"
    );
    assert_eq!(store.count().unwrap(), 1);

    let a = store.find("pos:P-1").unwrap();
    assert_eq!(a.status, Status::Answered);
    let history = store.history(a.id).unwrap();
    let status = history.iter().find(|e| e.field == "status").unwrap();
    assert_eq!(status.old.as_deref(), Some("new"));
    assert_eq!(status.new.as_deref(), Some("answered"));
    assert_eq!(status.source, "import:test.csv");

    // The same content a third time changes nothing.
    assert_eq!(
        import(&mut store, &[later], Channel::Pos),
        [SaveKind::Unchanged]
    );
}

fn the_same_source_id_in_two_channels_is_two_appeals(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    let r = incoming("42", "Не горит фонарь", at(2026, 11, 2, 10, 0));
    import(&mut store, std::slice::from_ref(&r), Channel::Pos);
    import(&mut store, &[r], Channel::Im);
    assert_eq!(store.count().unwrap(), 2);
}

fn every_operator_change_is_audited_with_who_and_from_where(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    import(
        &mut store,
        &[incoming(
            "P-1",
            "Не вывозят мусор третью неделю",
            at(2026, 11, 2, 10, 0),
        )],
        Channel::Pos,
    );
    let now = at(2026, 11, 3, 9, 0);
    store.add_recipient("Отдел ЖКХ", now).unwrap();
    let a = store.find("pos:P-1").unwrap();
    let actor = Actor::new("petrova", "cli");
    let (after, outcome) = store
        .update(
            a.id,
            &[
                Change::Block(Some("жкх".into())),
                Change::Responsible(Some("отдел жкх".into())),
                Change::Note("звонила заявительница".into()),
            ],
            Some(a.version),
            &actor,
            now,
        )
        .unwrap();
    assert_eq!(after.block.as_deref(), Some("housing"));
    assert_eq!(after.responsible.as_deref(), Some("Отдел ЖКХ"));
    assert_eq!(
        after.status,
        Status::Assigned,
        "assigning a new appeal assigns it"
    );
    assert_eq!(after.version, a.version + 1);
    assert!(matches!(outcome.kind, SaveKind::Updated(3)), "{outcome:?}");

    let h = store.history(a.id).unwrap();
    let fields: Vec<_> = h.iter().skip(1).map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["block", "responsible", "status", "note"]);
    assert!(
        h.iter()
            .skip(1)
            .all(|e| e.operator == "petrova" && e.source == "cli")
    );
}

fn a_save_against_a_stale_version_is_refused(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    import(
        &mut store,
        &[incoming("P-1", "Сломана скамейка", at(2026, 11, 2, 10, 0))],
        Channel::Pos,
    );
    let seen = store.find("pos:P-1").unwrap();
    let now = at(2026, 11, 3, 9, 0);
    store
        .update(
            seen.id,
            &[Change::Urgent(true)],
            Some(seen.version),
            &Actor::new("a", "cli"),
            now,
        )
        .unwrap();
    let err = store
        .update(
            seen.id,
            &[Change::Conflict(true)],
            Some(seen.version),
            &Actor::new("b", "cli"),
            now,
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale { expected, actual, .. } if actual == expected + 1));
    assert!(
        !store.find("pos:P-1").unwrap().conflict,
        "nothing was overwritten"
    );
}

fn unknown_block_and_recipient_are_refused_with_what_is_known(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    import(
        &mut store,
        &[incoming("P-1", "Текст", at(2026, 11, 2, 10, 0))],
        Channel::Pos,
    );
    let now = at(2026, 11, 3, 9, 0);
    store.add_recipient("Отдел образования", now).unwrap();
    let actor = Actor::new("a", "cli");
    let e = store
        .update(
            1,
            &[Change::Block(Some("космос".into()))],
            None,
            &actor,
            now,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("космос") && e.contains("roads"), "{e}");
    let e = store
        .update(
            1,
            &[Change::Responsible(Some("Отдел культуры".into()))],
            None,
            &actor,
            now,
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Отдел культуры") && e.contains("Отдел образования"),
        "{e}"
    );
    let e = store
        .update(1, &[Change::Rating(Some(7))], None, &actor, now)
        .unwrap_err()
        .to_string();
    assert!(e.contains('7'), "{e}");
    assert_eq!(
        store.history(1).unwrap().len(),
        1,
        "only the creation is recorded"
    );
}

fn reopening_an_answered_appeal_counts_a_reopen(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    let mut r = incoming("P-1", "Текст", at(2026, 11, 2, 10, 0));
    r.status = Some(Status::Answered);
    r.answered_at = Some(at(2026, 11, 3, 10, 0));
    import(&mut store, &[r], Channel::Pos);
    let (a, _) = store
        .update(
            1,
            &[Change::Status(Status::InProgress)],
            None,
            &Actor::new("a", "cli"),
            at(2026, 11, 4, 9, 0),
        )
        .unwrap();
    assert_eq!(a.reopen_count, 1);
}

fn keyset_pages_cover_every_appeal_once_newest_first(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    let base = at(2026, 11, 2, 10, 0);
    // Several appeals share a timestamp, so the id must break ties.
    let rows: Vec<_> = (0..53)
        .map(|i| incoming(&format!("P-{i}"), "Текст", base + Duration::minutes(i / 3)))
        .collect();
    import(&mut store, &rows, Channel::Pos);
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.list(&ListFilter::default(), cursor, 10).unwrap();
        if page.is_empty() {
            break;
        }
        cursor = page.last().map(Cursor::after);
        seen.extend(page);
    }
    assert_eq!(seen.len(), 53);
    let mut ids: Vec<_> = seen.iter().map(|a| a.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 53);
    assert!(
        seen.windows(2)
            .all(|w| (w[0].received_at, w[0].id) > (w[1].received_at, w[1].id))
    );
}

fn search_finds_other_word_forms_and_yo(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    let t = at(2026, 11, 2, 10, 0);
    import(
        &mut store,
        &[
            incoming("1", "Огромная яма на улице Лесной", t),
            incoming("2", "Ёлку на площади так и не убрали", t),
            incoming("3", "Не работает уличное освещение", t),
        ],
        Channel::Pos,
    );
    let find = |q: &str| -> Vec<String> {
        store
            .list(
                &ListFilter {
                    text: Some(q.into()),
                    ..Default::default()
                },
                None,
                10,
            )
            .unwrap()
            .into_iter()
            .map(|a| a.source_id)
            .collect()
    };
    assert_eq!(find("ямы"), ["1"]);
    assert_eq!(find("ЯМОЙ лесная"), ["1"]);
    assert_eq!(find("елка"), ["2"]);
    assert!(find("снег").is_empty());
    // FTS syntax typed by an officer is taken as words, not as a query language.
    assert!(find("\"яма OR ").len() <= 1);
}

/// How long a console may take to hear of another's commit (PostgreSQL's notification comes over
/// its own connection): a bound on a wait that ends as soon as it arrives, not a measurement.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

/// Every kind of write by one console is noticed by another — on PostgreSQL the single
/// statements outside a transaction (a recipient, an operator, a session's heartbeat) as well as
/// the transactions' commits.
fn every_kind_of_write_is_noticed_by_another_console(engine: Engine) {
    use mcu::domain::access::Role;
    use mcu::store::sessions::SessionOrigin;

    let mut store = TestStore::embedded(engine);
    let other = store.open_again();
    let mut seen = other.data_version().unwrap();
    let mut noticed = |what: &str| {
        let now = other.wait_data_version(seen, PATIENCE).unwrap();
        assert_ne!(now, seen, "{engine:?}: the other console missed {what}");
        seen = now;
    };
    let now = at(2026, 11, 3, 9, 0);
    import(
        &mut store,
        &[incoming("N-1", "Не горит фонарь", at(2026, 11, 2, 10, 0))],
        Channel::Pos,
    );
    noticed("an import");
    let a = store.find("pos:N-1").unwrap();
    store
        .update(
            a.id,
            &[Change::Urgent(true)],
            Some(a.version),
            &Actor::new("a", "cli"),
            now,
        )
        .unwrap();
    noticed("a change of an appeal");
    store.add_recipient("Отдел ЖКХ", now).unwrap();
    noticed("a new recipient");
    store
        .put_operator("ivanova", "Иванова И. И.", &[Role::Coordinator], &[], now)
        .unwrap();
    noticed("an operator added");
    store.remove_operator("ivanova").unwrap();
    noticed("an operator removed");
    let origin = SessionOrigin {
        via: "local".into(),
        address: String::new(),
        fingerprint: String::new(),
    };
    let session = store.start_console_session("a", &origin, now).unwrap();
    noticed("a console session started");
    store
        .touch_console_session(session, Some(a.id), now + Duration::minutes(1))
        .unwrap();
    noticed("a console session's heartbeat");
}

/// SQLite's `user_version`; PostgreSQL keeps a municipality's version in the region's table.
#[test]
fn a_database_from_a_newer_mcu_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(store_in(&dir));
    let conn = rusqlite::Connection::open(dir.path().join("mcu.db")).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let err = Store::open(
        &dir.path().join("mcu.db"),
        Arc::new(Reference::embedded().unwrap()),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("999"), "{err}");
}

/// SQLite's `PRAGMA synchronous`: PostgreSQL's commits are durable by the server's settings.
#[test]
fn an_import_commits_with_synchronous_full_and_the_store_goes_back_to_normal() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(&dir);
    assert_eq!(
        store.synchronous().unwrap(),
        1,
        "NORMAL for everyday writes"
    );
    let actor = Actor::new("tester", "import:test.csv");
    let mut tx = store.begin_import().unwrap();
    tx.upsert(
        &incoming("S-1", "Яма на дороге", at(2026, 11, 27, 10, 0)),
        Channel::Pos,
        &actor,
        at(2026, 11, 28, 9, 0),
    )
    .unwrap();
    // The level cannot change inside a transaction: this is the level its COMMIT syncs with.
    assert_eq!(tx.synchronous().unwrap(), 2, "FULL: the commit is on disk");
    tx.finish(&mcu::store::ImportedFile {
        name: "test.csv".into(),
        hash: "hash-sync".into(),
        format: "csv".into(),
        channel: Some("pos".into()),
        imported_at: at(2026, 11, 28, 9, 0),
        rows: 1,
        inserted: 1,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
    assert_eq!(
        store.synchronous().unwrap(),
        1,
        "back to NORMAL after the commit"
    );
    let tx = store.begin_import().unwrap();
    assert_eq!(tx.synchronous().unwrap(), 2);
    drop(tx);
    assert_eq!(store.synchronous().unwrap(), 1, "and after a rollback");
    assert!(store.imported_file("hash-sync").unwrap().is_some());
}

on_both_engines!(
    reimporting_the_same_key_updates_and_records_what_changed,
    the_same_source_id_in_two_channels_is_two_appeals,
    every_operator_change_is_audited_with_who_and_from_where,
    a_save_against_a_stale_version_is_refused,
    unknown_block_and_recipient_are_refused_with_what_is_known,
    reopening_an_answered_appeal_counts_a_reopen,
    keyset_pages_cover_every_appeal_once_newest_first,
    search_finds_other_word_forms_and_yo,
    every_kind_of_write_is_noticed_by_another_console,
);
