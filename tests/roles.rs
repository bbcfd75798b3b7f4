//! On both engines: operators, roles, the audit trail and personal data: what each role may do through the
//! library, the command line and the console; a corrupted audit row is named; two stale writers;
//! a planted phone number appears only where it is allowed.
//!
//! The command-line tests play each role with `MCU_AS`, which mcu honours only for root (root can
//! become any account anyway); CI runs as root. Run as another user they say so and stop early.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::ops::Deref;
use std::process::Command;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mcu::domain::Channel;
use mcu::domain::access::{Grants, Role};
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, Change, ImportedFile, Store, StoreError};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::{Console, bindings_for};
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;

mod common;
use common::engine::{Engine, TestStore, on_both_engines};
use common::operators::{AsOperator, is_root};

const PHONE: &str = "+7 999 555 12 34";
const PHONE_TAIL: &str = "555 12 34";

fn now() -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 11, 27, 12, 0, 0)
        .unwrap()
        .to_utc()
}

/// Three appeals: a roads ПОС one, a housing ИМ one, a page comment; each with the planted phone.
fn seeded_store(engine: Engine) -> TestStore {
    let mut store = TestStore::new(engine, Arc::new(Reference::embedded().unwrap()));
    let actor = Actor::new("seed", "import:seed");
    let mut tx = store.begin_import().unwrap();
    for (id, ch, block) in [
        ("R-1", Channel::Pos, "roads"),
        ("H-1", Channel::Im, "housing"),
        ("P-1", Channel::Page, "culture"),
    ] {
        let inc = IncomingAppeal {
            line: 1,
            source_id: id.into(),
            received_at: now(),
            text: format!("Обращение {id}"),
            block: Some(block.into()),
            author: Some("Иванова Мария Алексеевна".into()),
            contact: Some(PHONE.into()),
            ..Default::default()
        };
        tx.upsert(&inc, ch, &actor, now()).unwrap();
    }
    tx.finish(&ImportedFile {
        name: "seed".into(),
        hash: "seed".into(),
        format: "csv".into(),
        channel: None,
        imported_at: now(),
        rows: 3,
        inserted: 3,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
    store
}

fn as_role(login: &str, roles: &[Role], blocks: &[&str]) -> Actor {
    Actor::operator(
        Grants::new(
            login,
            roles.to_vec(),
            blocks.iter().map(|b| b.to_string()).collect(),
        ),
        "cli",
    )
}

fn each_role_through_the_library(engine: Engine) {
    let mut store = seeded_store(engine);
    let id = |store: &Store, k: &str| store.find(k).unwrap().id;
    let (roads, housing, page) = (
        id(&store, "pos:R-1"),
        id(&store, "im:H-1"),
        id(&store, "page:P-1"),
    );
    let urgent = [Change::Urgent(true)];
    let mut try_as = |actor: Actor, appeal: i64| store.update(appeal, &urgent, None, &actor, now());

    for role in [Role::Head, Role::Coordinator] {
        assert!(
            try_as(as_role("x", &[role], &[]), housing).is_ok(),
            "{role}"
        );
    }
    for role in [Role::Curator, Role::Observer] {
        let e = try_as(as_role("x", &[role], &[]), housing).unwrap_err();
        assert!(matches!(e, StoreError::Denied(_)), "{role}: {e}");
    }
    // The pages officer changes page comments only.
    assert!(try_as(as_role("p", &[Role::Pages], &[]), page).is_ok());
    assert!(matches!(
        try_as(as_role("p", &[Role::Pages], &[]), roads).unwrap_err(),
        StoreError::Denied(_)
    ));
    // A block lead acts on their block; another block's appeal does not exist for them.
    assert!(try_as(as_role("l", &[Role::BlockLead], &["roads"]), roads).is_ok());
    assert!(matches!(
        try_as(as_role("l", &[Role::BlockLead], &["roads"]), housing).unwrap_err(),
        StoreError::NotFound(_)
    ));
    // Nor can their appeal be linked to it as its duplicate.
    let e = store
        .update(
            roads,
            &[Change::DuplicateOf(Some(housing))],
            None,
            &as_role("l", &[Role::BlockLead], &["roads"]),
            now(),
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
}

fn the_console_of_a_read_only_role_has_no_dangerous_keys_and_masks_personal_data(engine: Engine) {
    let db = seeded_store(engine);
    let store = db.open_again();
    let observer = Grants::new("obs", vec![Role::Observer], vec![]);
    let keymap = bindings_for(Keymap::builtin().unwrap(), &observer, false);
    let mut app = App::new(
        store,
        Theme::new(false, false),
        Clock::Fixed(now()),
        "obs".into(),
        "w".into(),
    );
    app.set_grants(observer);
    app.load().unwrap();
    let mut c = Console::new(app, keymap);
    let screen = |c: &mut Console| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 60)).unwrap();
        t.draw(|f| c.draw(f)).unwrap();
        let b = t.backend().buffer().clone();
        (0..60)
            .map(|y| {
                (0..120)
                    .map(|x| b[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect::<String>()
    };
    c.key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE))
        .unwrap();
    let help = screen(&mut c);
    for absent in [
        "Назначить ответственного",
        "Отклонить",
        "Тематический блок",
        "Добавить заметку",
    ] {
        assert!(
            !help.contains(absent),
            "{absent} in the observer's help:\n{help}"
        );
    }
    assert!(help.contains("Поиск"), "{help}");
    c.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))
        .unwrap();
    c.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
        .unwrap();
    let detail = screen(&mut c);
    assert!(
        detail.contains("+7 *** *** 12 34") && detail.contains("И*** М. А."),
        "{detail}"
    );
    assert!(
        !detail.contains(PHONE_TAIL.split(' ').next().unwrap_or("555")) || !detail.contains(PHONE),
        "{detail}"
    );

    // A block lead sees only their block's appeals.
    let store = db.open_again();
    let mut app = App::new(
        store,
        Theme::new(false, false),
        Clock::Fixed(now()),
        "lead".into(),
        "w".into(),
    );
    app.set_grants(Grants::new(
        "lead",
        vec![Role::BlockLead],
        vec!["roads".into()],
    ));
    app.load().unwrap();
    let keys: Vec<_> = app.main.incoming.rows.iter().map(|a| a.key()).collect();
    assert_eq!(keys, ["pos:R-1"]);
}

/// Grading feeds the ranking: a block lead (who answers their block's appeals) and the pages
/// officer get no grading or rating keys, the coordinator does; the store refuses a lead's grade.
fn only_the_head_and_the_coordinator_grade_answers(engine: Engine) {
    let mut db = seeded_store(engine);
    let store = &mut *db;
    let roads = store.find("pos:R-1").unwrap().id;
    let lead = as_role("l", &[Role::BlockLead], &["roads"]);
    for grade in [
        Change::Quality(Some(mcu::domain::Quality::Substantive)),
        Change::Rating(Some(5)),
    ] {
        let e = store
            .update(roads, &[grade], None, &lead, now())
            .unwrap_err();
        assert!(matches!(e, StoreError::Denied(_)), "{e}");
    }
    // The same lead still records answers for their block.
    store
        .update(
            roads,
            &[Change::Answer(Some("Сделано".into()))],
            None,
            &lead,
            now(),
        )
        .unwrap();

    let help = |grants: Grants| {
        let store = db.open_again();
        let keymap = bindings_for(Keymap::builtin().unwrap(), &grants, false);
        let mut app = App::new(
            store,
            Theme::new(false, false),
            Clock::Fixed(now()),
            grants.login.clone(),
            "w".into(),
        );
        app.set_grants(grants);
        app.load().unwrap();
        let mut c = Console::new(app, keymap);
        c.key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE))
            .unwrap();
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 60)).unwrap();
        t.draw(|f| c.draw(f)).unwrap();
        let b = t.backend().buffer().clone();
        (0..60)
            .map(|y| {
                (0..120)
                    .map(|x| b[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for grants in [
        Grants::new("l", vec![Role::BlockLead], vec!["roads".into()]),
        Grants::new("p", vec![Role::Pages], vec![]),
    ] {
        let h = help(grants);
        assert!(
            !h.contains("Оценить ответ") && !h.contains("Оценка ответа жителем"),
            "{h}"
        );
        assert!(h.contains("Тематический блок"), "{h}");
    }
    let h = help(Grants::new("c", vec![Role::Coordinator], vec![]));
    assert!(h.contains("Оценить ответ"), "{h}");
}

fn a_corrupted_audit_row_is_named_by_verify(engine: Engine) {
    let mut db = seeded_store(engine);
    let store = &mut *db;
    let a = store.find("pos:R-1").unwrap();
    for i in 0..3 {
        store
            .update(
                a.id,
                &[Change::Note(format!("заметка {i}"))],
                None,
                &Actor::new("x", "cli"),
                now(),
            )
            .unwrap();
    }
    assert_eq!(store.verify_audit().unwrap().first_broken, None);
    let conn = db.raw();
    let target: i64 = conn
        .query_row(
            "SELECT id FROM events WHERE new = 'заметка 1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute("UPDATE events SET new = 'подделка' WHERE id = ?1", [target])
        .unwrap();
    drop(conn);
    let store = db.open_again();
    assert_eq!(store.verify_audit().unwrap().first_broken, Some(target));
    // Deleting a row breaks the chain at the next one.
    let conn = db.raw();
    conn.execute(
        "UPDATE events SET new = 'заметка 1' WHERE id = ?1",
        [target],
    )
    .unwrap();
    conn.execute("DELETE FROM events WHERE id = ?1", [target - 1])
        .unwrap();
    drop(conn);
    let store = db.open_again();
    assert_eq!(store.verify_audit().unwrap().first_broken, Some(target));
}

/// An import records its new appeals as one audit entry per run of ids; every appeal's history
/// still begins with its creation, the log of one appeal shows the run, and editing the run's
/// last id breaks the chain there.
fn an_import_audits_its_new_appeals_as_one_run(engine: Engine) {
    let mut db = seeded_store(engine);
    let store = &mut *db;
    let runs = store
        .audit_log(&mcu::store::AuditFilter::default())
        .unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let first = store.find("pos:R-1").unwrap().id;
    let last = store.find("page:P-1").unwrap().id;
    assert_eq!(
        (
            runs[0].field.as_str(),
            runs[0].appeal_id,
            runs[0].through_id
        ),
        ("created", Some(first), Some(last))
    );
    for id in first..=last {
        let h = store.history(id).unwrap();
        assert_eq!(h.len(), 1, "{id}: {h:?}");
        assert_eq!(
            (h[0].field.as_str(), h[0].source.as_str()),
            ("created", "import:seed")
        );
    }
    // A later change of the middle appeal follows its creation in its history and log.
    let mid = store.find("im:H-1").unwrap().id;
    store
        .update(
            mid,
            &[Change::Urgent(true)],
            None,
            &Actor::new("x", "cli"),
            now(),
        )
        .unwrap();
    let fields: Vec<String> = store
        .history(mid)
        .unwrap()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["created", "urgent"]);
    let log = store
        .audit_log(&mcu::store::AuditFilter {
            appeal: Some(mid),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    // Another import of one new appeal and a known one: a run of one, the update on its own.
    let actor = Actor::new("seed", "import:second");
    let mut tx = store.begin_import().unwrap();
    for (id, ch) in [("R-2", Channel::Pos), ("R-1", Channel::Pos)] {
        let inc = IncomingAppeal {
            line: 1,
            source_id: id.into(),
            received_at: now(),
            text: format!("Обращение {id}, дополнено"),
            ..Default::default()
        };
        tx.upsert(&inc, ch, &actor, now()).unwrap();
    }
    tx.finish(&ImportedFile {
        name: "second".into(),
        hash: "second".into(),
        format: "csv".into(),
        channel: None,
        imported_at: now(),
        rows: 2,
        inserted: 1,
        updated: 1,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
    let r2 = store.find("pos:R-2").unwrap().id;
    assert_eq!(store.history(r2).unwrap().len(), 1);
    assert_eq!(store.history(first).unwrap().len(), 2);
    assert_eq!(store.verify_audit().unwrap().first_broken, None);

    let conn = db.raw();
    let run: i64 = conn
        .query_row(
            "SELECT id FROM events WHERE through_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE events SET through_id = through_id + 1 WHERE id = ?1",
        [run],
    )
    .unwrap();
    drop(conn);
    let store = db.open_again();
    assert_eq!(store.verify_audit().unwrap().first_broken, Some(run));
}

/// Erasing an entry's hash after editing it does not get it re-hashed by the next start (only
/// the upgrade that introduced the chain seals old entries): verify names it.
fn an_erased_hash_is_not_resealed_on_the_next_start(engine: Engine) {
    let mut db = seeded_store(engine);
    let store = &mut *db;
    let a = store.find("pos:R-1").unwrap();
    store
        .update(
            a.id,
            &[Change::Note("настоящая заметка".into())],
            None,
            &Actor::new("x", "cli"),
            now(),
        )
        .unwrap();
    let conn = db.raw();
    let target: i64 = conn
        .query_row(
            "SELECT id FROM events WHERE new = 'настоящая заметка'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE events SET new = 'подделка', hash = NULL WHERE id = ?1",
        [target],
    )
    .unwrap();
    drop(conn);
    for _ in 0..2 {
        let store = db.open_again();
        assert_eq!(store.verify_audit().unwrap().first_broken, Some(target));
    }
}

// ---- the command line, as each role (root only: MCU_AS) ----

struct Ws(AsOperator);

impl Deref for Ws {
    type Target = AsOperator;
    fn deref(&self) -> &AsOperator {
        &self.0
    }
}

impl Ws {
    fn refused(&self, who: &str, args: &[&str]) -> String {
        let out = self.mcu(who, args);
        assert!(!out.status.success(), "{who} {args:?} should be refused");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

fn workspace(engine: Engine) -> Ws {
    let ws = Ws(AsOperator::on(engine));
    ws.ok("boss", &["init"]);
    let csv = ws.root.join("in.csv");
    std::fs::write(
        &csv,
        format!(
            "id;received_at;text;block;author;contact\n\
             R-1;2026-11-26 10:00;Яма у моста;roads;Иванова Мария Алексеевна;{PHONE}\n\
             H-1;2026-11-26 11:00;Нет воды;housing;Петров Иван;{PHONE}\n"
        ),
    )
    .unwrap();
    ws.ok(
        "boss",
        &["import", "--channel", "pos", csv.to_str().unwrap()],
    );
    for (login, role, blocks) in [
        ("cur", "curator", ""),
        ("coord", "coordinator", ""),
        ("pg", "pages", ""),
        ("lead", "block_lead", "roads"),
        ("obs", "observer", ""),
    ] {
        let mut args = vec![
            "operator",
            "add",
            login,
            "--name",
            "Тестовый Оператор",
            "--role",
            role,
        ];
        if !blocks.is_empty() {
            args.extend(["--blocks", blocks]);
        }
        ws.ok("boss", &args);
    }
    ws
}

fn each_role_through_the_command_line(engine: Engine) {
    if !is_root() {
        return;
    }
    let ws = workspace(engine);
    // Whoever made the workspace is its first head.
    let ops = ws.ok("boss", &["operator", "list"]);
    assert!(
        ops.contains("boss") && ops.contains("руководитель МЦУ"),
        "{ops}"
    );

    // A stranger is told what to ask for.
    let e = ws.refused("stranger", &["list"]);
    assert!(
        e.contains("stranger") && e.contains("mcu operator add stranger"),
        "{e}"
    );

    // Observer: reads, changes nothing, sees no personal data, no audit.
    assert!(
        ws.refused("obs", &["set", "pos:R-1", "--urgent", "true"])
            .contains("may not change")
    );
    let shown = ws.ok("obs", &["show", "pos:R-1"]);
    assert!(
        shown.contains("+7 *** *** 12 34") && !shown.contains(PHONE),
        "{shown}"
    );
    assert!(ws.refused("obs", &["audit", "log"]).contains("not allowed"));
    assert!(
        ws.refused("obs", &["import", "--inbox"])
            .contains("not allowed")
    );

    // Curator: manages operators, cannot triage.
    ws.ok(
        "cur",
        &[
            "operator", "add", "new1", "--name", "Н. Н.", "--role", "observer",
        ],
    );
    assert!(
        ws.refused("cur", &["set", "pos:R-1", "--block", "housing"])
            .contains("may not change")
    );
    ws.ok("cur", &["audit", "verify"]);

    // Coordinator: triages, sees and exports personal data when asked.
    ws.ok("coord", &["set", "pos:R-1", "--urgent", "true"]);
    assert!(ws.ok("coord", &["show", "pos:R-1"]).contains(PHONE));
    assert!(
        ws.ok("coord", &["export", "--with-personal-data"])
            .contains(PHONE)
    );
    assert!(
        ws.refused(
            "coord",
            &["operator", "add", "x", "--name", "X", "--role", "head"]
        )
        .contains("not allowed")
    );

    // Pages: no personal data, no export with it, no change outside page comments.
    assert!(
        ws.refused("pg", &["export", "--with-personal-data"])
            .contains("not allowed")
    );
    assert!(
        ws.refused("pg", &["set", "pos:R-1", "--urgent", "false"])
            .contains("may not change")
    );

    // Block lead: their block only.
    let listed = ws.ok("lead", &["list", "--json"]);
    assert!(
        listed.contains("R-1") && !listed.contains("H-1"),
        "{listed}"
    );
    assert!(
        ws.refused("lead", &["show", "pos:H-1"])
            .contains("no appeal")
    );
    ws.ok(
        "lead",
        &[
            "set",
            "pos:R-1",
            "--answered-at",
            "2026-11-27 10:00",
            "--answer",
            "Отремонтировано",
        ],
    );

    // The history says who did what, from where.
    let log = ws.ok("boss", &["audit", "log", "--appeal", "pos:R-1", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&log).unwrap();
    let who: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["operator"].as_str().unwrap(),
                e["field"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        who.contains(&("coord", "urgent")) && who.contains(&("lead", "answered_at")),
        "{who:?}"
    );
    assert!(ws.mcu("boss", &["audit", "verify"]).status.success());
}

fn two_stale_writers_the_second_is_refused(engine: Engine) {
    if !is_root() {
        return;
    }
    let ws = workspace(engine);
    let v: serde_json::Value =
        serde_json::from_str(&ws.ok("coord", &["show", "pos:R-1", "--json"])).unwrap();
    let seen = v["version"].as_i64().unwrap().to_string();
    ws.ok(
        "coord",
        &[
            "set",
            "pos:R-1",
            "--urgent",
            "true",
            "--expect-version",
            &seen,
        ],
    );
    let e = ws.refused(
        "boss",
        &[
            "set",
            "pos:R-1",
            "--conflict",
            "true",
            "--expect-version",
            &seen,
        ],
    );
    assert!(e.contains("changed by someone else"), "{e}");
    let v: serde_json::Value =
        serde_json::from_str(&ws.ok("boss", &["show", "pos:R-1", "--json"])).unwrap();
    assert_eq!(
        (v["urgent"].as_bool(), v["conflict"].as_bool()),
        (Some(true), Some(false))
    );
}

fn a_planted_phone_number_appears_only_where_allowed(engine: Engine) {
    if !is_root() {
        return;
    }
    let ws = workspace(engine);
    let mut seen_by_observer = String::new();
    for args in [
        vec!["list", "--json"],
        vec!["show", "pos:R-1", "--json"],
        vec!["show", "pos:R-1"],
        vec!["export"],
        vec!["conflicts", "--from", "2026-11-01", "--json"],
        vec!["stats", "--json"],
    ] {
        seen_by_observer.push_str(&ws.ok("obs", &args));
    }
    seen_by_observer.push_str(&ws.ok("coord", &["export"]));
    seen_by_observer.push_str(&ws.ok("pg", &["show", "pos:R-1", "--json"]));
    assert!(!seen_by_observer.contains(PHONE_TAIL), "{seen_by_observer}");
    // Allowed: the coordinator's own view and an export asked for with personal data.
    assert!(ws.ok("coord", &["show", "pos:R-1"]).contains(PHONE));
    assert!(
        ws.ok("boss", &["export", "--with-personal-data"])
            .contains(PHONE)
    );
    // Never in the log, whatever was run.
    let log = std::fs::read_to_string(&ws.log).unwrap();
    assert!(log.contains("import") && !log.contains(PHONE_TAIL), "{log}");
}

/// The SQLite file's permissions (on PostgreSQL the server keeps the data).
#[test]
fn workspace_files_are_for_the_owner_and_the_group_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("okrug");
    let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(&root)
        .arg("init")
        .env_remove("MCU_AS")
        .output()
        .unwrap();
    assert!(out.status.success());
    for p in [
        root.clone(),
        root.join("inbox"),
        root.join("quarantine"),
        root.join("mcu.db"),
    ] {
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o007,
            0,
            "{} is open to others: {mode:o}",
            p.display()
        );
    }
}

on_both_engines!(
    each_role_through_the_library,
    the_console_of_a_read_only_role_has_no_dangerous_keys_and_masks_personal_data,
    only_the_head_and_the_coordinator_grade_answers,
    a_corrupted_audit_row_is_named_by_verify,
    an_import_audits_its_new_appeals_as_one_run,
    an_erased_hash_is_not_resealed_on_the_next_start,
    each_role_through_the_command_line,
    two_stale_writers_the_second_is_refused,
    a_planted_phone_number_appears_only_where_allowed,
);
