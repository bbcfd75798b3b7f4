//! On both engines: the 59-ФЗ registration of a letter: recorded from the console (`W`) and with `mcu set
//! --registration`, audited as register `registration`, shown in the detail and in `mcu show`;
//! refused for an appeal that is not 59-ФЗ, a date in the future or before receipt.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use crossterm::event::KeyCode;
use mcu::domain::Channel;
use mcu::ingest::IncomingAppeal;
use mcu::store::{Actor, ImportedFile, Registration, Store};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;

mod common;
use common::console::{key, screen};
use common::engine::{Engine, EngineWs, on_both_engines};

fn now() -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 11, 27, 12, 0, 0)
        .unwrap()
        .to_utc()
}

fn at(d: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 11, d, 9, 0, 0)
        .unwrap()
        .to_utc()
}

fn open_store(ws: &EngineWs) -> Store {
    ws.store()
}

/// A workspace with a letter (received 25.11) and an appeal of the ИМ (not 59-ФЗ).
fn setup(engine: Engine) -> (EngineWs, i64, i64) {
    let ws = EngineWs::new(engine, "okrug");
    let mut store = open_store(&ws);
    let actor = Actor::new("seed", "import:seed");
    let mut tx = store.begin_import().unwrap();
    for (id, ch, t, text) in [
        (
            "L-1",
            Channel::Letter,
            at(25),
            "Письмо о ремонте крыши дома культуры",
        ),
        ("I-1", Channel::Im, at(26), "Нет света на улице Лесной"),
    ] {
        let inc = IncomingAppeal {
            line: 1,
            source_id: id.into(),
            received_at: t,
            text: text.into(),
            ..Default::default()
        };
        tx.upsert(&inc, ch, &actor, now()).unwrap();
    }
    tx.finish(&ImportedFile {
        name: "seed.csv".into(),
        hash: "seed".into(),
        format: "csv".into(),
        channel: None,
        imported_at: now(),
        rows: 2,
        inserted: 2,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
    let letter = store.find("letter:L-1").unwrap().id;
    let im = store.find("im:I-1").unwrap().id;
    (ws, letter, im)
}

fn console(db: &EngineWs) -> Console {
    let mut app = App::new(
        open_store(db),
        Theme::new(false, false),
        Clock::Fixed(now()),
        "petrova".into(),
        "okrug".into(),
    );
    app.load().unwrap();
    Console::new(app, Keymap::builtin().unwrap())
}

fn typed(c: &mut Console, s: &str) {
    for x in s.chars() {
        key(c, KeyCode::Char(x));
    }
}

/// Moves the list's cursor to the appeal `id`.
fn select(c: &mut Console, id: i64) {
    key(c, KeyCode::Home);
    for _ in 0..5 {
        if c.app.main.incoming.current().map(|a| a.id) == Some(id) {
            return;
        }
        key(c, KeyCode::Char('j'));
    }
    panic!("appeal {id} not in the list");
}

fn last_message(c: &Console) -> String {
    c.app.env.messages.last().unwrap().text.clone()
}

fn w_records_a_letters_registration_shown_in_the_detail_and_audited(engine: Engine) {
    let (ws, letter, _) = setup(engine);
    let db = &ws;
    let mut c = console(db);
    select(&mut c, letter);
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 100, 40);
    assert!(s.contains("не записана (W — записать)"), "{s}");
    key(&mut c, KeyCode::Char('W'));
    typed(&mut c, "123-П 26.11.2026");
    key(&mut c, KeyCode::Enter);
    assert_eq!(
        last_message(&c),
        format!("Зарегистрировано: №{letter} — № 123-П от 26.11.2026")
    );
    assert_eq!(
        open_store(db).registration(letter).unwrap(),
        Some(Registration {
            number: "123-П".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
        })
    );
    let s = screen(&mut c, 100, 40);
    assert!(s.contains("№ 123-П от 26.11.2026 (59-ФЗ)"), "{s}");
    // Corrected: the input shows what is recorded; without a date, today.
    key(&mut c, KeyCode::Char('W'));
    match c.app.popup() {
        Some(mcu::tui::popup::Popup::Input(i)) => assert_eq!(i.text, "123-П 26.11.2026"),
        other => panic!("{other:?}"),
    }
    for _ in 0..16 {
        key(&mut c, KeyCode::Backspace);
    }
    typed(&mut c, "124-П");
    key(&mut c, KeyCode::Enter);
    let r = open_store(db).registration(letter).unwrap().unwrap();
    assert_eq!(
        (r.number.as_str(), r.date.to_string().as_str()),
        ("124-П", "2026-11-27")
    );
    // Audited: one entry per changed field, by the officer from the console.
    let h = open_store(db)
        .register_history("registration", letter)
        .unwrap();
    let fields: Vec<(&str, Option<&str>, Option<&str>)> = h
        .iter()
        .map(|e| (e.field.as_str(), e.old.as_deref(), e.new.as_deref()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("number", None, Some("123-П")),
            ("registered_on", None, Some("2026-11-26")),
            ("number", Some("123-П"), Some("124-П")),
            ("registered_on", Some("2026-11-26"), Some("2026-11-27")),
        ]
    );
    assert!(
        h.iter()
            .all(|e| e.operator == "petrova" && e.source == "console")
    );
    assert!(
        open_store(db).verify_audit().unwrap().intact,
        "the chain holds"
    );
}

fn a_registration_is_refused_for_a_future_date_before_receipt_and_for_a_non_fz59_appeal(
    engine: Engine,
) {
    let (ws, letter, im) = setup(engine);
    let db = &ws;
    let mut c = console(db);
    select(&mut c, letter);
    key(&mut c, KeyCode::Char('W'));
    typed(&mut c, "5 28.11.2026");
    key(&mut c, KeyCode::Enter);
    assert_eq!(
        last_message(&c),
        "Регистрация не записана: дата ещё не наступила"
    );
    // The input is open again with what was typed.
    match c.app.popup() {
        Some(mcu::tui::popup::Popup::Input(i)) => assert_eq!(i.text, "5 28.11.2026"),
        other => panic!("{other:?}"),
    }
    key(&mut c, KeyCode::Esc);
    key(&mut c, KeyCode::Char('W'));
    typed(&mut c, "5 24.11.2026");
    key(&mut c, KeyCode::Enter);
    assert_eq!(
        last_message(&c),
        "Регистрация не записана: дата раньше поступления обращения"
    );
    key(&mut c, KeyCode::Esc);
    assert_eq!(open_store(db).registration(letter).unwrap(), None);
    select(&mut c, im);
    key(&mut c, KeyCode::Char('W'));
    assert!(c.app.popup().is_none());
    assert_eq!(
        last_message(&c),
        format!("№{im}: не по 59-ФЗ (не письмо) — регистрация не ведётся")
    );
}

fn mcu(ws: &EngineWs, args: &[&str]) -> std::process::Output {
    ws.mcu(args)
}

fn mcu_set_registers_and_mcu_show_shows_it(engine: Engine) {
    let (ws, letter, im) = setup(engine);
    let id = letter.to_string();
    let out = mcu(
        &ws,
        &[
            "set",
            &id,
            "--registration",
            "77/МЦУ",
            "--registered-on",
            "26.11.2026",
            "--now",
            "2026-11-27T12:00:00+03:00",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("appeal {letter}: registered № 77/МЦУ от 26.11.2026")
    );
    let show = mcu(&ws, &["show", &id, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(
        v["registration"],
        serde_json::json!({"number": "77/МЦУ", "date": "2026-11-26"})
    );
    let text = mcu(&ws, &["show", &id]);
    assert!(
        String::from_utf8_lossy(&text.stdout)
            .contains("Регистрация (59-ФЗ): № 77/МЦУ от 26.11.2026")
    );
    // Not a letter: refused with the reason; a date that is not one: a usage error.
    let out = mcu(&ws, &["set", &im.to_string(), "--registration", "1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a 59-ФЗ appeal"));
    let out = mcu(
        &ws,
        &[
            "set",
            &id,
            "--registration",
            "1",
            "--registered-on",
            "вчера",
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--registered-on: «вчера» is not DD.MM.YYYY")
    );
    let show = mcu(&ws, &["show", &im.to_string(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(v["registration"], serde_json::Value::Null);
}

on_both_engines!(
    w_records_a_letters_registration_shown_in_the_detail_and_audited,
    a_registration_is_refused_for_a_future_date_before_receipt_and_for_a_non_fz59_appeal,
    mcu_set_registers_and_mcu_show_shows_it,
);
