//! On both engines: answer templates, interim and final answers, the formal-reply check: from the command line
//! (`mcu templates …`, `mcu answers check`, `mcu set --answer/--interim-answer`, `mcu show`,
//! `mcu export`) and from the console (the chooser → input → save → grade confirmation, and the
//! templates' screen), each checked in the store, the files and the audit trail.

#![allow(clippy::unwrap_used)] // a panic is a failed test

mod common;
use common::console::{key, screen};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mcu::domain::{Quality, Status};
use mcu::store::Store;
use mcu::tui::app::{App, Clock};
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;
use serde_json::Value;

const NOW: &str = "2026-11-28T12:00:00+03:00";

use common::engine::{Engine, fresh_workspace, on_both_engines};
use common::pg::TestDb;

/// The workspace's store as a console opens it: its `[store]`, its reference data.
fn open_store(ws: &Path) -> Store {
    mcu::workspace::Workspace::open_existing(ws)
        .unwrap()
        .store()
        .unwrap()
}

fn mcu(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env_remove("MCU_AS")
        .env("MCU_LOG", ws.with_extension("log"))
        .output()
        .expect("mcu runs")
}

fn ok(ws: &Path, args: &[&str]) -> String {
    let out = mcu(ws, args);
    assert!(
        out.status.success(),
        "mcu {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(ws: &Path, args: &[&str]) -> Value {
    let out = ok(ws, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

/// A workspace with two appeals: №1 a road pit in Юркино (block roads), №2 no light.
fn workspace(engine: Engine, dir: &Path) -> (PathBuf, Option<TestDb>) {
    let (ws, db) = fresh_workspace(engine, dir, "ws");
    ok(&ws, &["init"]);
    let file = dir.join("in.csv");
    fs::write(
        &file,
        "id;channel;received_at;text;author;settlement;address;block\n\
         J-1;im;2026-11-27 10:00;Яма на дороге у школы;Иванова Мария Алексеевна;Юркино;ул. Лесная, 3;roads\n\
         J-2;im;2026-11-27 11:00;Нет света в подъезде;Петров П. П.;Липовка;;housing\n",
    )
    .unwrap();
    ok(&ws, &["import", &file.display().to_string(), "--now", NOW]);
    (ws, db)
}

fn templates_list_for_an_appeal_most_specific_first_with_their_json_shape(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let all = json(&ws, &["templates", "list", "--json"]);
    let all = all.as_array().unwrap();
    assert!(all.len() >= 6);
    for t in all {
        for key in [
            "id", "entry", "title", "kind", "block", "category", "status", "scope", "origin",
            "text",
        ] {
            assert!(t.get(key).is_some(), "{key} in {t}");
        }
        assert_eq!(t["origin"], "shipped");
    }
    let fit = json(
        &ws,
        &[
            "templates",
            "list",
            "--for",
            "1",
            "--kind",
            "final",
            "--json",
        ],
    );
    let ids: Vec<&str> = fit
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&"roads_final"), "{ids:?}");
    assert!(ids.contains(&"final_general"));
    assert!(!ids.contains(&"housing_final"), "another block: {ids:?}");
    assert!(!ids.iter().any(|i| i.contains("interim")), "kind: {ids:?}");
}

fn templates_show_fills_the_placeholders_for_an_appeal(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    ok(
        &ws,
        &[
            "templates",
            "add",
            "pit",
            "--kind",
            "final",
            "--block",
            "Дороги",
            "--title",
            "Яма",
            "--text",
            "Обращение {id} от {received}: яма в {settlement} ({address}) засыпана {date}.",
            "--now",
            NOW,
        ],
    );
    let text = ok(
        &ws,
        &["templates", "show", "pit", "--for", "im:J-1", "--now", NOW],
    );
    assert_eq!(
        text.trim(),
        "Обращение J-1 от 27.11.2026: яма в Юркино (ул. Лесная, 3) засыпана 28.11.2026."
    );
    let v = json(
        &ws,
        &[
            "templates",
            "show",
            "pit",
            "--for",
            "1",
            "--now",
            NOW,
            "--json",
        ],
    );
    assert_eq!(v["block"], "roads");
    assert_eq!(v["origin"], "workspace");
    assert!(v["filled"].as_str().unwrap().contains("Юркино"));
}

fn add_and_edit_write_the_workspace_file_and_the_audit_trail(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let added = json(
        &ws,
        &[
            "templates",
            "add",
            "lights",
            "--kind",
            "interim",
            "--status",
            "in_progress",
            "--text",
            "Заявка {id} принята, электрик придёт до {deadline}.",
            "--now",
            NOW,
            "--json",
        ],
    );
    let entry = added["entry"].as_i64().unwrap();
    let file = fs::read_to_string(ws.join("templates.toml")).unwrap();
    assert!(file.contains("id = \"lights\""), "{file}");
    assert!(
        !ws.join("templates.toml.tmp").exists(),
        "written through a temporary file"
    );
    // Editing a shipped template puts its edited copy into the workspace file.
    ok(
        &ws,
        &[
            "templates",
            "edit",
            "final_general",
            "--text",
            "Сделано: [что]. {responsible}.",
            "--now",
            NOW,
        ],
    );
    ok(
        &ws,
        &[
            "templates",
            "edit",
            "lights",
            "--text",
            "Электрик придёт до {deadline}.",
            "--now",
            NOW,
        ],
    );
    let list = json(&ws, &["templates", "list", "--json"]);
    let get = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(get("final_general")["origin"], "workspace");
    assert_eq!(
        get("final_general")["text"],
        "Сделано: [что]. {responsible}."
    );
    assert_eq!(get("lights")["text"], "Электрик придёт до {deadline}.");
    assert_eq!(
        list.as_array()
            .unwrap()
            .iter()
            .filter(|t| t["id"] == "final_general")
            .count(),
        1,
        "the workspace's copy replaces the shipped one"
    );

    let log = json(
        &ws,
        &[
            "audit",
            "log",
            "--register",
            "template",
            "--entry",
            &entry.to_string(),
            "--json",
        ],
    );
    let fields: Vec<(&str, Option<&str>, Option<&str>)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap(),
                e["old"].as_str(),
                e["new"].as_str(),
            )
        })
        .collect();
    assert!(
        fields.contains(&("created", None, Some("cli"))),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("kind", None, Some("interim"))),
        "{fields:?}"
    );
    assert!(
        fields.contains(&(
            "text",
            Some("Заявка {id} принята, электрик придёт до {deadline}."),
            Some("Электрик придёт до {deadline}.")
        )),
        "{fields:?}"
    );
    let verify = mcu(&ws, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

fn a_bad_template_is_refused_naming_the_template_and_a_bad_file_naming_the_file(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let out = mcu(
        &ws,
        &[
            "templates",
            "add",
            "bad",
            "--kind",
            "final",
            "--text",
            "Срок {dedline}",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("«bad»") && err.contains("{dedline}"), "{err}");
    assert!(!ws.join("templates.toml").exists(), "nothing written");
    let dup = mcu(
        &ws,
        &[
            "templates",
            "add",
            "roads_final",
            "--kind",
            "final",
            "--text",
            "x",
        ],
    );
    assert_eq!(dup.status.code(), Some(1), "an existing id");

    fs::write(
        ws.join("templates.toml"),
        "[[template]]\nid = \"mine\"\nkind = \"final\"\ntext = \"До {when}\"\n",
    )
    .unwrap();
    let out = mcu(&ws, &["templates", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("templates.toml") && err.contains("«mine»") && err.contains("{when}"),
        "{err}"
    );
}

fn interim_and_final_answers_are_both_kept_and_shown(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    ok(
        &ws,
        &[
            "set",
            "1",
            "--interim-at",
            "2026-11-27 12:00",
            "--interim-answer",
            "Принято, выезд мастера 28 ноября",
            "--now",
            NOW,
        ],
    );
    let out = ok(
        &ws,
        &[
            "set",
            "1",
            "--answered-at",
            "2026-11-28 11:00",
            "--answer",
            "Яма у школы засыпана щебнем 28.11.2026, асфальтирование участка включено в план на май 2027 года.",
            "--now",
            NOW,
        ],
    );
    assert!(
        out.contains("answer check: по существу") && out.contains("--quality substantive"),
        "{out}"
    );
    let v = json(&ws, &["show", "1", "--json", "--now", NOW]);
    assert_eq!(v["interim_answer"], "Принято, выезд мастера 28 ноября");
    assert!(
        v["answer"]
            .as_str()
            .unwrap()
            .starts_with("Яма у школы засыпана")
    );
    assert_eq!(v["status"], "answered");
    let fields: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"interim_answer") && fields.contains(&"answer"),
        "{fields:?}"
    );
    let text = ok(&ws, &["show", "1", "--now", NOW]);
    assert!(
        text.contains("Промежуточный ответ: Принято, выезд мастера 28 ноября")
            && text.contains("Ответ: Яма у школы засыпана"),
        "{text}"
    );
    let csv = dir.path().join("out.csv");
    ok(&ws, &["export", "--output", &csv.display().to_string()]);
    let exported = fs::read_to_string(&csv).unwrap();
    let header = exported.lines().next().unwrap();
    assert!(
        header.ends_with("first_response_at;interim_answer"),
        "{header}"
    );
    assert!(exported.contains("Принято, выезд мастера 28 ноября"));
}

fn the_set_json_carries_the_check_and_answers_check_runs_alone(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let v = json(
        &ws,
        &[
            "set",
            "2",
            "--answer",
            "Ваше обращение рассмотрено и принято к сведению.",
            "--answered-at",
            "2026-11-28 10:00",
            "--now",
            NOW,
            "--json",
        ],
    );
    assert_eq!(v["answer_check"]["grade"], "formal");
    let ids: Vec<&str> = v["answer_check"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"only_promise") && ids.contains(&"no_term"),
        "{ids:?}"
    );
    assert!(v["answer_check"]["reasons"][0]["reason"].is_string());
    assert_eq!(
        v["appeal"]["quality"],
        Value::Null,
        "only proposed, not set"
    );

    let alone = json(&ws, &["answers", "check", "--appeal", "2", "--json"]);
    assert_eq!(alone["grade"], "formal");
    let good = json(
        &ws,
        &[
            "answers",
            "check",
            "--json",
            "--text",
            "Фонарь на улице Лесной заменён 27.11.2026 бригадой МБУ «Свет», линия проверена.",
        ],
    );
    assert_eq!(good["grade"], "substantive");
    assert_eq!(good["reasons"], serde_json::json!([]));
    assert_eq!(good["found"].as_array().unwrap().len(), 2);
    let line = ok(&ws, &["answers", "check", "--text", "Спасибо, уточним."]);
    assert!(line.starts_with("формальный (отписка): "), "{line}");
}

// ---- the console ----

fn now() -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 11, 28, 12, 0, 0)
        .unwrap()
        .to_utc()
}

/// A console over the workspace, with its templates file in force.
fn console(ws: &Path) -> Console {
    let store = open_store(ws);
    let mut app = App::new(
        store,
        Theme::new(false, false),
        Clock::Fixed(now()),
        "petrova".into(),
        "okrug".into(),
    );
    app.env.views_path = Some(ws.join("views.toml"));
    app.load().unwrap();
    Console::new(app, Keymap::builtin().unwrap())
}

fn ch(c: &mut Console, s: &str) {
    for x in s.chars() {
        key(c, KeyCode::Char(x));
    }
}

fn ctrl(c: &mut Console, x: char) {
    c.key(KeyEvent::new(KeyCode::Char(x), KeyModifiers::CONTROL))
        .unwrap();
}

fn store(ws: &Path) -> Store {
    open_store(ws)
}

/// Opens appeal №1 (the road pit) in detail: the list shows the newest first, so it is second.
fn open_pit(c: &mut Console) {
    key(c, KeyCode::Char('j'));
    key(c, KeyCode::Enter);
    let s = screen(c, 100, 30);
    assert!(s.contains("Яма на дороге у школы"), "{s}");
}

fn a_final_answer_from_a_template_is_edited_saved_and_graded_after_confirming(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let mut c = console(&ws);
    open_pit(&mut c);
    key(&mut c, KeyCode::Char('r'));
    let s = screen(&mut c, 100, 30);
    assert!(s.contains("Шаблон ответа"), "{s}");
    assert!(s.contains("без шаблона"), "{s}");
    assert!(s.contains("Дороги: ремонт выполнен"), "{s}");
    assert!(
        !s.contains("ЖКХ: неисправность"),
        "another block's template: {s}"
    );
    // The most specific first after «без шаблона»: 2 is the roads template.
    key(&mut c, KeyCode::Char('2'));
    let s = screen(&mut c, 100, 30);
    assert!(
        s.contains("Юркино, ул. Лесная, 3"),
        "filled in the input: {s}"
    );
    ch(&mut c, " Спасибо.");
    ctrl(&mut c, 's');
    let a = store(&ws).get(1).unwrap().unwrap();
    let answer = a.answer.clone().unwrap();
    assert!(
        answer.starts_with("Здравствуйте! Ямочный ремонт по адресу Юркино, ул. Лесная, 3")
            && answer.ends_with("Спасибо."),
        "{answer}"
    );
    assert_eq!(a.status, Status::Answered);
    assert_eq!(a.quality, None, "asked first");
    let s = screen(&mut c, 100, 30);
    assert!(
        s.contains("Похоже на ответ по существу") && s.contains("незаполненные поля"),
        "the check's question, naming the hints left: {s}"
    );
    key(&mut c, KeyCode::Char('y'));
    let a = store(&ws).get(1).unwrap().unwrap();
    assert!(a.quality.is_some());
}

fn a_formal_final_answer_is_proposed_formal_and_no_leaves_it_ungraded(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let mut c = console(&ws);
    open_pit(&mut c);
    key(&mut c, KeyCode::Char('r'));
    key(&mut c, KeyCode::Enter); // без шаблона
    ch(&mut c, "Ваше обращение рассмотрено.");
    ctrl(&mut c, 's');
    let s = screen(&mut c, 100, 30);
    assert!(
        s.contains("Похоже на отписку: нет срока, нет конкретных мер"),
        "{s}"
    );
    key(&mut c, KeyCode::Char('n'));
    let a = store(&ws).get(1).unwrap().unwrap();
    assert_eq!(a.answer.as_deref(), Some("Ваше обращение рассмотрено."));
    assert_eq!(a.quality, None);

    // Asked again on a new answer, «да» grades it formal.
    let mut c = console(&ws);
    open_pit(&mut c);
    key(&mut c, KeyCode::Char('r'));
    key(&mut c, KeyCode::Enter);
    ch(&mut c, "Принято к сведению.");
    ctrl(&mut c, 's');
    key(&mut c, KeyCode::Char('y'));
    assert_eq!(
        store(&ws).get(1).unwrap().unwrap().quality,
        Some(Quality::Formal)
    );
}

fn an_interim_answer_is_kept_apart_from_the_final_one(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let mut c = console(&ws);
    open_pit(&mut c);
    key(&mut c, KeyCode::Char('i'));
    let s = screen(&mut c, 100, 30);
    assert!(s.contains("Шаблон промежуточного ответа"), "{s}");
    assert!(s.contains("Дороги: выезд назначен"), "{s}");
    key(&mut c, KeyCode::Enter); // без шаблона
    ch(&mut c, "Мастер выедет 30 ноября.");
    ctrl(&mut c, 's');
    let a = store(&ws).get(1).unwrap().unwrap();
    assert_eq!(
        a.interim_answer.as_deref(),
        Some("Мастер выедет 30 ноября.")
    );
    assert_eq!(a.answer, None);
    assert_eq!(a.status, Status::Interim);
    key(&mut c, KeyCode::Char('r'));
    key(&mut c, KeyCode::Enter);
    ch(
        &mut c,
        "Яма засыпана 30.11.2026 бригадой дорожного участка, участок огорожен до укатки.",
    );
    ctrl(&mut c, 's');
    key(&mut c, KeyCode::Char('y'));
    let a = store(&ws).get(1).unwrap().unwrap();
    assert_eq!(
        a.interim_answer.as_deref(),
        Some("Мастер выедет 30 ноября.")
    );
    assert!(a.answer.as_deref().unwrap().starts_with("Яма засыпана"));
    assert_eq!(a.quality, Some(Quality::Substantive));
    let s = screen(&mut c, 100, 40);
    assert!(
        s.contains("Промежуточный ответ") && s.contains("Мастер выедет 30 ноября."),
        "the detail shows both: {s}"
    );
}

fn the_templates_screen_lists_opens_edits_and_adds_at_80x24_and_wide(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let mut c = console(&ws);
    key(&mut c, KeyCode::F(6));
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Шаблоны ответов"), "{s}");
    assert!(
        s.contains("промежуточный") && s.contains("Принято в работу"),
        "{s}"
    );
    assert!(s.contains("все обращения"), "{s}");
    let wide = screen(&mut c, 160, 40);
    assert!(
        wide.contains("Дороги: ремонт выполнен") && wide.contains("поставка"),
        "{wide}"
    );

    // One template in full, then its text edited.
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("interim_general") && s.contains("Текст"), "{s}");
    key(&mut c, KeyCode::Char('e'));
    ctrl(&mut c, 'u');
    for _ in 0..400 {
        key(&mut c, KeyCode::Backspace);
    }
    ch(&mut c, "Принято, выезд до {deadline}.");
    ctrl(&mut c, 's');
    let file = fs::read_to_string(ws.join("templates.toml")).unwrap();
    assert!(file.contains("Принято, выезд до {deadline}."), "{file}");
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("свой"), "now the workspace's: {s}");
    let st = store(&ws);
    let entry = mcu::domain::templates::entry_id("interim_general");
    let history = st.register_history("template", entry).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].field, "text");
    assert_eq!(history[0].source, "console");

    // A new one: kind, block, text.
    key(&mut c, KeyCode::Esc);
    key(&mut c, KeyCode::Char('n'));
    key(&mut c, KeyCode::Char('2')); // окончательный
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("любой блок"), "{s}");
    key(&mut c, KeyCode::Enter); // любой блок
    ch(&mut c, "Готово: {settlement}.");
    ctrl(&mut c, 's');
    let file = fs::read_to_string(ws.join("templates.toml")).unwrap();
    assert!(
        file.contains("general_final_1") && file.contains("Готово: {settlement}."),
        "{file}"
    );
    // Back closes the screen.
    key(&mut c, KeyCode::Esc);
    let s = screen(&mut c, 80, 24);
    assert!(!s.contains("Шаблоны ответов"), "{s}");
}

fn an_imported_answer_is_interim_while_the_appeal_waits_and_final_once_answered(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let file = dir.path().join("again.csv");
    fs::write(
        &file,
        "id;channel;received_at;text;status;first_response_at;answered_at;answer\n\
         J-2;im;2026-11-27 11:00;Нет света в подъезде;interim;2026-11-27 12:00;;Электрик выедет завтра\n",
    )
    .unwrap();
    ok(&ws, &["import", &file.display().to_string(), "--now", NOW]);
    let v = json(&ws, &["show", "im:J-2", "--json", "--now", NOW]);
    assert_eq!(v["interim_answer"], "Электрик выедет завтра");
    assert_eq!(v["answer"], Value::Null);
    fs::write(
        &file,
        "id;channel;received_at;text;status;first_response_at;answered_at;answer\n\
         J-2;im;2026-11-27 11:00;Нет света в подъезде;answered;2026-11-27 12:00;2026-11-28 09:00;Лампа заменена\n",
    )
    .unwrap();
    ok(&ws, &["import", &file.display().to_string(), "--now", NOW]);
    let v = json(&ws, &["show", "im:J-2", "--json", "--now", NOW]);
    assert_eq!(v["interim_answer"], "Электрик выедет завтра");
    assert_eq!(v["answer"], "Лампа заменена");
}

fn the_templates_screen_opens_by_command_too(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let mut c = console(&ws);
    key(&mut c, KeyCode::Char(':'));
    ch(&mut c, "templates");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Шаблоны ответов · 8"), "{s}");
}

on_both_engines!(
    templates_list_for_an_appeal_most_specific_first_with_their_json_shape,
    templates_show_fills_the_placeholders_for_an_appeal,
    add_and_edit_write_the_workspace_file_and_the_audit_trail,
    a_bad_template_is_refused_naming_the_template_and_a_bad_file_naming_the_file,
    interim_and_final_answers_are_both_kept_and_shown,
    the_set_json_carries_the_check_and_answers_check_runs_alone,
    a_final_answer_from_a_template_is_edited_saved_and_graded_after_confirming,
    a_formal_final_answer_is_proposed_formal_and_no_leaves_it_ungraded,
    an_interim_answer_is_kept_apart_from_the_final_one,
    the_templates_screen_lists_opens_edits_and_adds_at_80x24_and_wide,
    an_imported_answer_is_interim_while_the_appeal_waits_and_final_once_answered,
    the_templates_screen_opens_by_command_too,
);
