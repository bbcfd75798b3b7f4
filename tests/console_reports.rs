//! The console's «Отчёты» screen in ratatui's `TestBackend`, driven by keys: opened with
//! `:reports`, `n` and a choice make the note into the workspace's `reports/` (audited), the list
//! shows it, Esc goes back; at 80×24 and wide. And the analytics screens: `:hot`, `:targets`,
//! `:conflicts` (Enter opens the appeal).

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

mod common;
use common::console::{key, screen};

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::KeyCode;
use mcu::domain::Channel;
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, ImportedFile, Store};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;

/// Wednesday 02.12.2026 10:00: last week is 23.11–29.11.
fn now() -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 12, 2, 10, 0, 0)
        .unwrap()
        .to_utc()
}

fn setup() -> (tempfile::TempDir, Console) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcu.db");
    let mut store = Store::open(&db, Arc::new(Reference::embedded().unwrap())).unwrap();
    let actor = Actor::new("seed", "import:seed");
    let mut tx = store.begin_import().unwrap();
    for (i, day) in [24, 25, 26].into_iter().enumerate() {
        let inc = IncomingAppeal {
            line: 1,
            source_id: format!("R-{i}"),
            received_at: chrono_tz::Europe::Moscow
                .with_ymd_and_hms(2026, 11, day, 10, 0, 0)
                .unwrap()
                .to_utc(),
            text: "Яма на дороге у моста".into(),
            block: Some("roads".into()),
            ..Default::default()
        };
        tx.upsert(&inc, Channel::Pos, &actor, now()).unwrap();
    }
    // A conflict of this month (December so far).
    let conflict = IncomingAppeal {
        line: 1,
        source_id: "C-1".into(),
        received_at: chrono_tz::Europe::Moscow
            .with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
            .unwrap()
            .to_utc(),
        text: "Грубо ответили по телефону о вывозе мусора".into(),
        block: Some("housing".into()),
        conflict: Some(true),
        ..Default::default()
    };
    tx.upsert(&conflict, Channel::Pos, &actor, now()).unwrap();
    tx.finish(&ImportedFile {
        name: "seed.csv".into(),
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
    drop(store);
    let store = Store::open(&db, Arc::new(Reference::embedded().unwrap())).unwrap();
    let mut app = App::new(
        store,
        Theme::new(false, false),
        Clock::Fixed(now()),
        "petrova".into(),
        "okrug".into(),
    );
    app.env.views_path = Some(dir.path().join("views.toml"));
    app.load().unwrap();
    (dir, Console::new(app, Keymap::builtin().unwrap()))
}

fn ch(c: &mut Console, s: &str) {
    for x in s.chars() {
        key(c, KeyCode::Char(x));
    }
}

#[test]
fn the_reports_screen_makes_the_note_and_lists_it() {
    let (dir, mut c) = setup();
    ch(&mut c, ":reports");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Отчёты"), "{s}");
    assert!(s.contains("отчётов пока нет"), "{s}");
    assert!(s.contains("создать записку"), "{s}");

    ch(&mut c, "n");
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Записка за прошлую неделю (HTML)"), "{s}");
    key(&mut c, KeyCode::Enter);
    let file = dir
        .path()
        .join("reports")
        .join("note_2026-11-23_2026-11-29.html");
    assert!(file.exists(), "the note is written into reports/");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(
        html.contains("Поступило 3 обращения"),
        "the figures of the period"
    );
    let s = screen(&mut c, 160, 40);
    assert!(s.contains("note_2026-11-23_2026-11-29.html"), "{s}");
    assert!(s.contains("Отчёт записан"), "{s}");

    // The run is in the audit trail.
    let store = Store::open(
        &dir.path().join("mcu.db"),
        Arc::new(Reference::embedded().unwrap()),
    )
    .unwrap();
    let h = store.register_history("report", 1).unwrap();
    assert!(
        !h.is_empty()
            && h.iter()
                .all(|e| e.source == "console" && e.operator == "petrova")
    );
    assert!(
        h.iter()
            .any(|e| e.field == "kind" && e.new.as_deref() == Some("note"))
    );

    // Esc goes back to the main screen.
    key(&mut c, KeyCode::Esc);
    let s = screen(&mut c, 80, 24);
    assert!(!s.contains("создать записку"), "{s}");
}

#[test]
fn hot_targets_and_conflicts_are_screens() {
    let (_dir, mut c) = setup();
    ch(&mut c, ":targets");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Целевые показатели"), "{s}");
    assert!(s.contains("Доля ответов в срок"), "{s}");
    key(&mut c, KeyCode::Esc);

    ch(&mut c, ":hot");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 120, 30);
    assert!(s.contains("Горячие темы"), "{s}");
    assert!(
        s.contains("за неделю"),
        "a topic of the last five weeks: {s}"
    );
    key(&mut c, KeyCode::Esc);

    ch(&mut c, ":conflicts");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 120, 30);
    assert!(s.contains("Конфликты"), "{s}");
    assert!(
        s.contains("конфликт") && s.contains("Грубо ответили"),
        "{s}"
    );
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 120, 30);
    assert!(
        s.contains("pos:C-1") || s.contains("C-1"),
        "the appeal in detail: {s}"
    );
}

/// The «Отчёты» screen shares the registers' keymap section, but its hint bar and help offer
/// only what it does: no «Статус» or «Убрать» that would do nothing there.
#[test]
fn the_reports_screen_offers_only_its_own_keys() {
    let (_dir, mut c) = setup();
    ch(&mut c, ":reports");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 120, 30);
    let bar = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    assert!(bar.contains("Новая"), "{s}");
    for absent in ["Статус", "Убрать", "Изменить"] {
        assert!(!bar.contains(absent), "{absent} in {bar:?}");
    }
    ch(&mut c, "?");
    let help = screen(&mut c, 120, 40);
    assert!(help.contains("Новая запись"), "{help}");
    for absent in [
        "Изменить поле записи",
        "Сменить статус записи",
        "Убрать: отвязать",
    ] {
        assert!(!help.contains(absent), "{absent} in the help: {help}");
    }
}
