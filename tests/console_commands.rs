//! The console's `:` commands in ratatui's `TestBackend`: Tab completes a screen command
//! (`:ro` → `:roadmaps`) and Enter opens that screen; every screen command of the table opens a
//! screen; help lists the commands with their descriptions at 80×24, scrolled as help scrolls.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

mod common;
use common::console::{key, screen};

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::KeyCode;
use mcu::reference::Reference;
use mcu::store::Store;
use mcu::tui::app::{App, Clock};
use mcu::tui::commands::COMMANDS;
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::screens::roadmaps::RoadmapList;
use mcu::tui::theme::Theme;

/// Wednesday 02.12.2026 10:00.
fn now() -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 12, 2, 10, 0, 0)
        .unwrap()
        .to_utc()
}

fn setup() -> (tempfile::TempDir, Console) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &dir.path().join("mcu.db"),
        Arc::new(Reference::embedded().unwrap()),
    )
    .unwrap();
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
fn tab_completes_a_screen_command_and_enter_opens_it() {
    let (_d, mut c) = setup();
    ch(&mut c, ":ro");
    key(&mut c, KeyCode::Tab);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("│roadmaps "), "Tab completed :ro\n{s}");
    key(&mut c, KeyCode::Enter);
    assert!(
        c.app.top().as_any().downcast_ref::<RoadmapList>().is_some(),
        "Enter opened the roadmaps screen"
    );
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Дорожные карты"), "{s}");
}

#[test]
fn every_screen_command_of_the_table_opens_a_screen() {
    for cmd in COMMANDS.iter().filter(|c| c.screen) {
        let (_d, mut c) = setup();
        ch(&mut c, &format!(":{}", cmd.name));
        key(&mut c, KeyCode::Enter);
        assert_ne!(
            c.app.top().help_title(),
            "Главный экран",
            ":{} opened no screen",
            cmd.name
        );
        let s = screen(&mut c, 80, 24);
        assert!(!s.contains("Неизвестная команда"), ":{}\n{s}", cmd.name);
    }
}

#[test]
fn an_unknown_command_names_the_screen_commands_too() {
    let (_d, mut c) = setup();
    ch(&mut c, ":nonsense");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 400, 24);
    assert!(s.contains("Неизвестная команда «nonsense»"), "{s}");
    assert!(s.contains("roadmaps") && s.contains("conflicts"), "{s}");
}

#[test]
fn help_lists_the_commands_with_descriptions_at_80x24() {
    let (_d, mut c) = setup();
    key(&mut c, KeyCode::Char('?'));
    // Help is longer than 24 rows: scroll down through it as the officer would, keeping every
    // row seen.
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..200 {
        let s = screen(&mut c, 80, 24);
        seen.extend(s.lines().map(str::to_string));
        key(&mut c, KeyCode::Down);
    }
    let rows =
        |needle: &str| -> Vec<&String> { seen.iter().filter(|l| l.contains(needle)).collect() };
    assert!(!rows("Команды (:)").is_empty(), "no commands section");
    for (usage, desc) in [
        (":roadmaps", "Дорожные карты"),
        (":pages", "Реестр госпабликов"),
        (":votes", "Голосования"),
        (":templates", "Шаблоны ответов"),
        (":reports", "Отчёты"),
        (":hot", "Горячие темы"),
        (":targets", "Целевые показатели"),
        (":conflicts", "Конфликты и ошибки коммуникации"),
        (":block БЛОК", "Фильтр по блоку"),
        (":goto N", "Открыть обращение по номеру"),
        (":q", "Выйти из консоли"),
    ] {
        assert!(
            rows(usage).iter().any(|l| l.contains(desc)),
            "«{usage} — {desc}» not on one row of help:\n{}",
            seen.join("\n")
        );
    }
    // Every command of the table is there.
    for cmd in COMMANDS {
        assert!(
            rows(&format!(":{}", cmd.name))
                .iter()
                .any(|l| l.contains(cmd.desc)),
            ":{} missing from help",
            cmd.name
        );
    }
}
