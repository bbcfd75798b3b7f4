//! `mcu migrate`: a hand-made SQLite workspace (imports, history, answers and grades, a
//! registration, a roadmap with links and a measure, official pages, a vote, operators and an
//! SSH key) moved into a municipality of a fresh PostgreSQL database — then the same commands
//! must answer the same on both, the audit chain must end at the same head, new rows must get new
//! ids; a second migrate into the now non-empty municipality is refused; a migrate that fails or
//! is killed half-way leaves nothing in the database; the workspace itself is never changed.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::engine::{Engine, EngineWs, text, write};
use common::pg::TestDb;

const NOW: &str = "2026-11-28T12:00:00+03:00";
const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIENXXyOy3g3kscJu1KwxInY1kFpY/Z4GeEtiww5yghkd petrova@okrug";

/// An ИМ-style export of the okrug (UTF-8, `;`).
fn im_csv() -> &'static str {
    "Номер сообщения;Дата создания;Категория;Текст сообщения;Населённый пункт;ФИО заявителя;Обращение по 59-ФЗ;Ответственный;Статус;Дата ответа;Оценка\n\
     8101;02.11.2026 09:15;Дороги;\"Мост через ручей в деревне Сосновка разбит,\nпроехать нельзя\";д. Сосновка;Петухова Алла Викторовна;Нет;Отдел дорожного хозяйства;В работе;;\n\
     8102;03.11.2026 14:40;ЖКХ;Нет воды в колонке у дома 7 по улице Луговой;с. Ивановка;Карпов Д. Е.;Да;Отдел ЖКХ;Новое;;\n\
     8103;05.11.2026 08:05;Образование;В школе холодно, батареи еле тёплые;с. Ивановка;Лосева Г.;Нет;Отдел образования;Дан ответ;06.11.2026 10:00;4\n\
     8104;12.11.2026 19:20;ЖКХ;Не вывозят мусор с контейнерной площадки на Луговой;с. Ивановка;Карпов Д. Е.;Нет;Отдел ЖКХ;Новое;;\n\
     8105;21.11.2026 07:45;Дороги;Яма на дороге у магазина, машины бьют колёса;д. Сосновка;Юдин А.;Нет;Отдел дорожного хозяйства;Новое;;\n"
}

fn registry_csv() -> &'static str {
    "Наименование органа;Площадка;Ссылка;Категория\n\
     Администрация округа;ВКонтакте;https://vk.ru/okrug_adm;флагманский\n\
     Школа села Ивановка;Одноклассники;https://ok.ru/ivanovka_school;визитка\n"
}

fn vote_csv() -> &'static str {
    "Номер голосования;Название;Тип голосования;Дата окончания;Вариант ответа;Количество голосов;Число участников;Комментарий\n\
     ОПР-9;Где поставить детскую площадку;Опрос;25.11.2026;У школы;70;120;\n\
     ОПР-9;;;;У клуба;50;;\n"
}

/// The workspace an okrug has worked in: everything that ends up in its tables.
fn okrug() -> EngineWs {
    let ws = EngineWs::new(Engine::Sqlite, "unused");
    let csv = write(&ws.root, "im_export.csv", im_csv().as_bytes());
    let out = ws.json(&[
        "import",
        "--channel",
        "im",
        "--now",
        NOW,
        csv.to_str().unwrap(),
    ]);
    assert_eq!(out[0]["inserted"], 5, "{out}");
    ws.ok(&["set", "im:8104", "--status", "in_progress", "--now", NOW]);
    ws.ok(&[
        "set",
        "im:8101",
        "--interim-at",
        "2026-11-02T15:00:00+03:00",
        "--interim-answer",
        "Ремонт моста включён в план на декабрь",
        "--note",
        "Выезд на место 03.11",
        "--now",
        NOW,
    ]);
    ws.ok(&[
        "set",
        "im:8103",
        "--quality",
        "substantive",
        "--rating",
        "4",
        "--now",
        NOW,
    ]);
    ws.ok(&[
        "set",
        "im:8102",
        "--registration",
        "59-12/2026",
        "--registered-on",
        "03.11.2026",
        "--now",
        NOW,
    ]);
    ws.ok(&["set", "im:8105", "--urgent", "true", "--now", NOW]);
    let rm = ws.json(&[
        "roadmap",
        "add",
        "--title",
        "Дороги Сосновки",
        "--block",
        "roads",
        "--settlement",
        "Сосновка",
        "--start",
        "2026-11-01",
        "--due",
        "2026-12-31",
        "--now",
        NOW,
    ]);
    let id = rm["id"].as_i64().unwrap().to_string();
    ws.ok(&["roadmap", "link", &id, "im:8101", "im:8105", "--now", NOW]);
    ws.ok(&[
        "roadmap",
        "measure",
        "add",
        &id,
        "--text",
        "Восстановить мост",
        "--due",
        "2026-12-15",
        "--now",
        NOW,
    ]);
    let reg = write(&ws.root, "реестр.csv", registry_csv().as_bytes());
    ws.ok(&["pages", "import", reg.to_str().unwrap()]);
    let vote = write(&ws.root, "опрос.csv", vote_csv().as_bytes());
    ws.ok(&["votes", "import", vote.to_str().unwrap(), "--now", NOW]);
    ws.ok(&[
        "operator",
        "add",
        "petrova",
        "--name",
        "Петрова Анна Сергеевна",
        "--role",
        "coordinator",
    ]);
    let key = write(&ws.root, "petrova.pub", KEY.as_bytes());
    ws.ok(&[
        "operator",
        "key",
        "add",
        "petrova",
        "--key",
        key.to_str().unwrap(),
    ]);
    ws
}

/// `mcu migrate …` run on its own (no workspace of the caller's environment).
fn migrate(args: &[&str], fault: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcu"));
    c.arg("migrate")
        .args(args)
        .env_remove("MCU_HOME")
        .env_remove("MCU_DB")
        .env_remove("MCU_MUNICIPALITY")
        .env_remove("MCU_FAULT");
    if let Some(f) = fault {
        c.env("MCU_FAULT", f);
    }
    c.output().expect("mcu runs")
}

/// The same workspace folder, its data read from the municipality instead of `mcu.db`.
fn on_pg(ws: &EngineWs, db: &TestDb, code: &str, args: &[&str]) -> Output {
    let mut all = vec!["--db", db.url(), "--municipality", code];
    all.extend_from_slice(args);
    ws.mcu(&all)
}

fn json_of(out: &Output, what: &str) -> Value {
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", text(&out.stdout)))
}

/// The files of the workspace's database, byte for byte.
fn db_files(root: &Path) -> Vec<(String, Vec<u8>)> {
    ["mcu.db", "mcu.anchor"]
        .iter()
        .map(|n| {
            (
                n.to_string(),
                std::fs::read(root.join(n)).unwrap_or_default(),
            )
        })
        .collect()
}

/// What a municipality holds in the region's database: is it registered, does its schema exist.
fn traces(db: &TestDb, code: &str) -> (i64, i64) {
    let c = db.connect();
    let schema: i64 = c
        .query_one(
            "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?1",
            &[&format!("mo_{code}")],
        )
        .unwrap()
        .get(0)
        .unwrap();
    let region: i64 = c
        .query_one(
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = 'mcu_region' AND table_name = 'municipalities'",
            &[],
        )
        .unwrap()
        .get(0)
        .unwrap();
    let registered: i64 = if region > 0 {
        c.query_one(
            "SELECT COUNT(*) FROM mcu_region.municipalities WHERE code = ?1",
            &[&code],
        )
        .unwrap()
        .get(0)
        .unwrap()
    } else {
        0
    };
    (schema, registered)
}

/// What differs between the two by nature: where the data lives, and the anchor (a file beside
/// `mcu.db`).
fn comparable(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("database");
        o.remove("anchor");
    }
    v
}

#[test]
fn a_workspace_moves_with_its_history_and_answers_the_same_on_postgres() {
    let ws = okrug();
    let before = db_files(&ws.root);
    let db = TestDb::create();
    let from = ws.root.to_str().unwrap();
    let out = migrate(
        &[
            "--from",
            from,
            "--to",
            db.url(),
            "--municipality",
            "sosnovka",
            "--name",
            "Сосновский муниципальный округ",
            "--population",
            "8400",
            "--json",
        ],
        None,
    );
    let report = json_of(&out, "migrate");
    // Every table: the same count on both sides, and something in each that the okrug used.
    let tables = report["tables"].as_array().unwrap();
    let count = |t: &str| -> i64 {
        let row = tables
            .iter()
            .find(|r| r["table"] == t)
            .unwrap_or_else(|| panic!("{t} not in {report}"));
        assert_eq!(row["sqlite"], row["postgres"], "{t}");
        row["postgres"].as_i64().unwrap()
    };
    for t in tables {
        assert_eq!(t["sqlite"], t["postgres"], "{t}");
    }
    assert_eq!(count("appeals"), 5);
    for t in [
        "events",
        "triage",
        "registrations",
        "roadmaps",
        "roadmap_links",
        "roadmap_measures",
        "pages",
        "votes",
        "vote_options",
        "operators",
        "operator_keys",
        "imported_files",
        "agg_day_recipient",
    ] {
        assert!(count(t) > 0, "{t} moved empty: {report}");
    }
    assert_eq!(count("operators"), 2);
    assert_eq!(report["indexed"], 5);
    assert_eq!(report["name"], "Сосновский муниципальный округ");
    assert_eq!(report["population"], 8400);
    assert!(!report["url"].as_str().unwrap().is_empty());

    // The workspace was only read.
    assert!(before == db_files(&ws.root), "mcu.db or mcu.anchor changed");

    // The same answers from both.
    let period = ["--from", "2026-11-01", "--to", "2026-11-28", "--now", NOW];
    let queries: Vec<Vec<&str>> = vec![
        vec!["list", "--limit", "100"],
        vec!["list", "--search", "мост"],
        vec!["list", "--search", "колонке воды"],
        vec!["show", "im:8101", "--now", NOW],
        vec!["show", "im:8102", "--now", NOW],
        vec!["stats", "--now", NOW],
        [&["rank"][..], &period[..]].concat(),
        [&["conflicts"][..], &period[..]].concat(),
        vec!["roadmap", "list", "--now", NOW],
        vec!["roadmap", "show", "1", "--now", NOW],
        vec!["pages", "list"],
        vec!["votes", "list"],
        vec!["operator", "list"],
        vec!["operator", "key", "list"],
        vec!["recipients"],
        vec!["audit", "head"],
        vec!["audit", "log", "--appeal", "im:8101"],
        vec!["audit", "verify"],
    ];
    for q in &queries {
        let mut args = q.clone();
        args.push("--json");
        let a = json_of(&ws.mcu(&args), &format!("SQLite: {}", q.join(" ")));
        let b = json_of(
            &on_pg(&ws, &db, "sosnovka", &args),
            &format!("PostgreSQL: {}", q.join(" ")),
        );
        assert_eq!(
            comparable(a),
            comparable(b),
            "`mcu {}` differs between the workspace (left) and the municipality (right)",
            q.join(" ")
        );
    }
    let verify = json_of(
        &on_pg(&ws, &db, "sosnovka", &["audit", "verify", "--json"]),
        "verify",
    );
    assert_eq!(verify["intact"], true, "{verify}");
    assert_eq!(verify["head"], report["head"], "{verify}");
    // The region knows the municipality by its name and population.
    let me = uzers::get_current_username().unwrap();
    let me = me.to_str().unwrap();
    let added = ws.mcu(&[
        "--db",
        db.url(),
        "region",
        "operator",
        "add",
        me,
        "--name",
        "Куратор ЦУР",
        "--role",
        "head",
    ]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let ms = json_of(
        &ws.mcu(&["--db", db.url(), "region", "municipalities", "--json"]),
        "municipalities",
    );
    let m = ms
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "sosnovka")
        .unwrap_or_else(|| panic!("{ms}"));
    assert_eq!(m["name"], "Сосновский муниципальный округ", "{m}");
    assert_eq!(m["population"], 8400, "{m}");

    // Work goes on on PostgreSQL: a new appeal gets the next id, a change extends the chain.
    let added = json_of(
        &on_pg(
            &ws,
            &db,
            "sosnovka",
            &[
                "add",
                "--channel",
                "phone",
                "--text",
                "Не горит фонарь у остановки",
                "--author",
                "Зуев В. В.",
                "--now",
                NOW,
                "--json",
            ],
        ),
        "add",
    );
    assert_eq!(added["id"], 6, "{added}");
    let set = on_pg(
        &ws,
        &db,
        "sosnovka",
        &["set", "im:8105", "--status", "in_progress", "--now", NOW],
    );
    assert!(set.status.success(), "{}", text(&set.stderr));
    let after = json_of(
        &on_pg(&ws, &db, "sosnovka", &["audit", "verify", "--json"]),
        "verify after",
    );
    assert_eq!(after["intact"], true, "{after}");
    assert!(
        after["head"]["count"].as_i64().unwrap() > report["head"]["count"].as_i64().unwrap(),
        "{after}"
    );

    // Migrating again into the municipality, which now holds appeals, is refused; nothing changes.
    let again = migrate(
        &[
            "--from",
            from,
            "--to",
            db.url(),
            "--municipality",
            "sosnovka",
        ],
        None,
    );
    assert_eq!(again.status.code(), Some(1));
    let err = text(&again.stderr);
    assert!(
        err.contains("уже есть") && err.contains("обращени"),
        "{err}"
    );
    let still = json_of(
        &on_pg(&ws, &db, "sosnovka", &["audit", "head", "--json"]),
        "head",
    );
    assert_eq!(still["count"], after["head"]["count"], "{still}");
}

#[test]
fn a_failed_or_killed_migrate_leaves_nothing_behind() {
    let ws = okrug();
    let db = TestDb::create();
    let from = ws.root.to_str().unwrap();
    let args = [
        "--from",
        from,
        "--to",
        db.url(),
        "--municipality",
        "sosnovka",
    ];
    for fault in [
        "migrate-fail:after-table:events",
        "migrate-fail:before-commit",
        "migrate-abort:after-table:appeals",
        "migrate-abort:before-commit",
    ] {
        let out = migrate(&args, Some(fault));
        assert!(!out.status.success(), "{fault}: {}", text(&out.stdout));
        assert_eq!(traces(&db, "sosnovka"), (0, 0), "{fault}: left something");
    }
    // A value that did not come over as it was: the comparison names it, nothing is left.
    let out = migrate(&args, Some("migrate-tamper"));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("таблица appeals: строка 1") && err.contains("столбец text"),
        "{err}"
    );
    assert_eq!(traces(&db, "sosnovka"), (0, 0), "tamper: left something");
    // And then it goes through.
    let out = migrate(&args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(traces(&db, "sosnovka"), (1, 1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Журнал аудита сходится"), "{stdout}");
    assert!(stdout.contains("municipality = \"sosnovka\""), "{stdout}");
}

#[test]
fn only_a_head_moves_a_workspace_and_a_broken_trail_is_not_moved() {
    let ws = okrug();
    let db = TestDb::create();
    let from = ws.root.to_str().unwrap();
    let args = [
        "--from",
        from,
        "--to",
        db.url(),
        "--municipality",
        "sosnovka",
    ];
    // MCU_AS is honoured for root only (CI runs as root).
    if uzers::get_current_uid() == 0 {
        let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
            .arg("migrate")
            .args(args)
            .env("MCU_AS", "petrova")
            .env_remove("MCU_DB")
            .env_remove("MCU_MUNICIPALITY")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(err.contains("head"), "{err}");
        assert_eq!(traces(&db, "sosnovka"), (0, 0));
    }
    // An entry edited in the workspace: the migrate refuses before it starts.
    let c = rusqlite::Connection::open(ws.root.join("mcu.db")).unwrap();
    c.execute(
        "UPDATE events SET new = 'closed' WHERE id = (SELECT MAX(id) FROM events WHERE appeal_id IS NOT NULL)",
        [],
    )
    .unwrap();
    drop(c);
    let out = migrate(&args, None);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("журнал аудита рабочей папки"), "{err}");
    assert_eq!(traces(&db, "sosnovka"), (0, 0));
}

/// A municipality of its own database with a few audited changes, each a note (the replay of
/// appeals has nothing to say about notes: what verify finds is the anchors' doing).
fn noted() -> EngineWs {
    let ws = EngineWs::new(Engine::Postgres, "sosnovka");
    let csv = write(&ws.root, "im_export.csv", im_csv().as_bytes());
    ws.ok(&[
        "import",
        "--channel",
        "im",
        "--now",
        NOW,
        csv.to_str().unwrap(),
    ]);
    for (appeal, note) in [
        ("im:8101", "Позвонили заявителю"),
        ("im:8102", "Передано в отдел ЖКХ"),
        ("im:8103", "Ответ согласован"),
    ] {
        ws.ok(&["set", appeal, "--note", note, "--now", NOW]);
    }
    let v = ws.json(&["audit", "verify"]);
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(
        v["anchor"]["file"], "mcu_region.audit_anchors (sosnovka)",
        "{v}"
    );
    assert!(v["anchor"]["lines"].as_i64().unwrap() >= 4, "{v}");
    ws
}

fn pg(ws: &EngineWs) -> mcu::store::db::pg::PgConn {
    mcu::store::db::pg::PgConn::connect(ws.url().unwrap()).unwrap()
}

/// `mcu audit verify --json` that must fail; its problems' kinds and messages.
fn problems(ws: &EngineWs) -> Vec<(String, String)> {
    let out = ws.mcu(&["audit", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn postgres_anchors_catch_a_removed_tail_and_a_rewritten_chain() {
    // The last entry removed: the chain is still consistent, the anchors are not.
    let ws = noted();
    let c = pg(&ws);
    c.execute(
        "DELETE FROM mo_sosnovka.events WHERE id = (SELECT MAX(id) FROM mo_sosnovka.events)",
        &[],
    )
    .unwrap();
    let found = problems(&ws);
    assert!(
        found
            .iter()
            .any(|(k, m)| k == "anchor" && m.contains("removed from its end")),
        "{found:?}"
    );
    assert!(!found.iter().any(|(k, _)| k == "entry"), "{found:?}");
    // And the anchors cannot be removed to match.
    let refused = c.execute("DELETE FROM mcu_region.audit_anchors", &[]);
    assert!(refused.is_err(), "the anchors were deleted");
    assert!(c.execute("TRUNCATE mcu_region.audit_anchors", &[]).is_err());
    assert!(
        c.execute("UPDATE mcu_region.audit_anchors SET count = 1", &[])
            .is_err()
    );

    // An entry edited and every hash after it recomputed: the chain verifies on its own, the
    // anchors name the rewrite.
    let ws = noted();
    let c = pg(&ws);
    c.execute(
        "UPDATE mo_sosnovka.events SET new = 'Заявитель отказался' \
         WHERE id = (SELECT MIN(id) FROM mo_sosnovka.events WHERE field = 'note')",
        &[],
    )
    .unwrap();
    let rows = c
        .query(
            "SELECT id, appeal_id, at, operator, source, field, old, new, through_id, digest \
             FROM mo_sosnovka.events ORDER BY id",
            &[],
        )
        .unwrap();
    let mut prev = String::new();
    for r in rows {
        let id: i64 = r.get(0).unwrap();
        let h = mcu::store::entry_hash(
            &prev,
            id,
            r.get(1).unwrap(),
            r.get(2).unwrap(),
            &r.get::<String>(3).unwrap(),
            &r.get::<String>(4).unwrap(),
            &r.get::<String>(5).unwrap(),
            r.get::<Option<String>>(6).unwrap().as_deref(),
            r.get::<Option<String>>(7).unwrap().as_deref(),
            r.get(8).unwrap(),
            r.get::<Option<String>>(9).unwrap().as_deref(),
        );
        c.execute(
            "UPDATE mo_sosnovka.events SET hash = ?2 WHERE id = ?1",
            &[&id, &h],
        )
        .unwrap();
        prev = h;
    }
    let found = problems(&ws);
    assert!(!found.iter().any(|(k, _)| k == "entry"), "{found:?}");
    assert!(
        found
            .iter()
            .any(|(k, m)| k == "anchor" && m.contains("rewritten")),
        "{found:?}"
    );
}

#[test]
fn a_municipality_registered_beforehand_is_filled_and_keeps_its_name() {
    let ws = okrug();
    let db = TestDb::create();
    let me = uzers::get_current_username().unwrap();
    let me = me.to_str().unwrap();
    let region = |args: &[&str]| {
        let mut all = vec!["--db", db.url(), "region"];
        all.extend_from_slice(args);
        let out = ws.mcu(&all);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    };
    region(&[
        "operator",
        "add",
        me,
        "--name",
        "Куратор ЦУР",
        "--role",
        "head",
    ]);
    region(&[
        "municipality",
        "add",
        "sosnovka",
        "--name",
        "Сосновский округ",
        "--population",
        "8400",
    ]);
    let out = migrate(
        &[
            "--from",
            ws.root.to_str().unwrap(),
            "--to",
            db.url(),
            "--municipality",
            "sosnovka",
            "--json",
        ],
        None,
    );
    let report = json_of(&out, "migrate");
    assert_eq!(report["name"], "Сосновский округ", "{report}");
    assert_eq!(report["population"], 8400, "{report}");
    let v = json_of(
        &on_pg(&ws, &db, "sosnovka", &["audit", "verify", "--json"]),
        "verify",
    );
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["head"], report["head"], "{v}");
    // The moved head is the municipality's first anchor.
    assert_eq!(v["anchor"]["lines"], 1, "{v}");
}
