//! The official pages screen rendered into ratatui's `TestBackend`, driven by keys: the list
//! worst first at 80×24 and wide, one page, `s` marks it checked, `e` edits a field (checked in
//! the store).

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

mod common;
use common::console::{key, screen};

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use crossterm::event::KeyCode;
use mcu::domain::pages::{Category, Page, Platform, Stat};
use mcu::reference::Reference;
use mcu::store::{Actor, Store};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).single().unwrap()
}

fn open_store(db: &Path) -> Store {
    Store::open(db, Arc::new(Reference::embedded().unwrap())).unwrap()
}

fn seed(db: &Path) {
    let mut s = open_store(db);
    let actor = Actor::new("petrova", "cli");
    let good = Page {
        id: 0,
        body: "Администрация Юркино".into(),
        platform: Platform::Vk,
        url: "vk.com/mo_yurkino".into(),
        category: Category::Card,
        mark: true,
        widgets: true,
        site_link: true,
        comments_open: true,
        admins: 1,
        admins_2fa: 1,
        checked_at: NaiveDate::from_ymd_opt(2026, 12, 1),
    };
    let bad = Page {
        body: "Школа № 3".into(),
        platform: Platform::Ok,
        url: "ok.ru/school3".into(),
        mark: false,
        checked_at: None,
        ..good.clone()
    };
    s.save_page(&actor, now(), &good).unwrap();
    s.save_page(&actor, now(), &bad).unwrap();
    let stats: Vec<_> = ["vk.com/mo_yurkino", "ok.ru/school3"]
        .iter()
        .map(|u| {
            (
                u.to_string(),
                Stat {
                    date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
                    posts: 3,
                    views: 700,
                    subscribers: 100,
                    likes: 1,
                    comments: 0,
                    reposts: 0,
                },
            )
        })
        .collect();
    s.import_page_stats(&actor, now(), "t.csv", &stats).unwrap();
}

fn console(db: &Path) -> Console {
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

#[test]
fn the_pages_screen_lists_worst_first_opens_one_and_edits_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcu.db");
    seed(&db);
    let mut c = console(&db);
    key(&mut c, KeyCode::F(3));
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Официальные страницы: 2"), "{s}");
    let school = s.find("ok.ru/school3").expect("school listed");
    let yurkino = s.find("vk.com/mo_yurkino").expect("yurkino listed");
    assert!(school < yurkino, "worst first:\n{s}");
    assert!(s.contains("нет отметки «Госорганизация»"), "{s}");
    let wide = screen(&mut c, 160, 40);
    assert!(wide.contains("Школа № 3"), "{wide}");

    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Орган: Школа № 3"), "{s}");
    assert!(s.contains("Активность по неделям"), "{s}");
    assert!(s.contains("публикаций   3"), "{s}");
    assert!(s.contains("Проверена: никогда"), "{s}");

    key(&mut c, KeyCode::Char('s'));
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Проверена: 07.12.2026"), "{s}");

    key(&mut c, KeyCode::Char('e'));
    for x in "mark да".chars() {
        key(&mut c, KeyCode::Char(x));
    }
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Замечания") && s.contains("  нет"), "{s}");

    let store = open_store(&db);
    let p = store.page("ok.ru/school3").unwrap().unwrap();
    assert!(p.mark);
    assert_eq!(p.checked_at, NaiveDate::from_ymd_opt(2026, 12, 7));
    key(&mut c, KeyCode::Esc);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Официальные страницы: 2"), "{s}");
}

/// The screen checks pages with the workspace's `pages.toml` over the shipped checks, as
/// `mcu pages check` does: a check the workspace turns off is not reported.
#[test]
fn the_pages_screen_uses_the_workspace_pages_toml() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcu.db");
    seed(&db);
    let mut c = console(&db);
    key(&mut c, KeyCode::F(3));
    assert!(screen(&mut c, 80, 24).contains("нет отметки «Госорганизация»"));
    key(&mut c, KeyCode::Esc);

    std::fs::write(dir.path().join("pages.toml"), "[checks]\nno_mark = false\n").unwrap();
    key(&mut c, KeyCode::F(3));
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("ok.ru/school3"), "{s}");
    assert!(!s.contains("нет отметки «Госорганизация»"), "{s}");

    std::fs::write(dir.path().join("pages.toml"), "[checks\n").unwrap();
    key(&mut c, KeyCode::Esc);
    key(&mut c, KeyCode::F(3));
    let s = screen(&mut c, 80, 24);
    assert!(
        s.contains("pages.toml"),
        "a broken pages.toml is named:\n{s}"
    );
    assert!(
        s.contains("нет отметки «Госорганизация»"),
        "the shipped checks meanwhile:\n{s}"
    );
}
