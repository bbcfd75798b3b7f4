//! The console rendered into ratatui's `TestBackend` and driven by key events: the main screen at
//! 80×24 and wide, detail, help, choosers, triage through keys (checked in the store), the Russian
//! layout, read-only bindings, stale writes and two consoles on one workspace.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mcu::domain::{Channel, Status};
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, Change, ImportedFile, Store};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;

mod common;
use common::console::{key, screen};

fn now() -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 11, 27, 12, 0, 0)
        .unwrap()
        .to_utc()
}

fn at(d: u32, h: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 11, d, h, 0, 0)
        .unwrap()
        .to_utc()
}

fn open_store(db: &Path) -> Store {
    Store::open(db, Arc::new(Reference::embedded().unwrap())).unwrap()
}

/// A workspace with a few appeals: the newest first on screen is «Нет воды».
fn seed(db: &Path) {
    let mut store = open_store(db);
    let rows = [
        (
            "P-1",
            Channel::Pos,
            at(20, 10),
            "Яма на дороге у моста, машины бьют колёса",
            Some("Отдел дорожного хозяйства"),
            Some("с. Заречное"),
        ),
        (
            "I-1",
            Channel::Im,
            at(26, 9),
            "Не горит фонарь на улице Лесной третью неделю",
            Some("Отдел ЖКХ и благоустройства"),
            Some("д. Липовка"),
        ),
        (
            "I-2",
            Channel::Im,
            at(27, 9),
            "Нет воды в колонке с утра, дети без воды",
            None,
            Some("с. Заречное"),
        ),
    ];
    let actor = Actor::new("seed", "import:seed");
    let mut tx = store.begin_import().unwrap();
    for (id, ch, t, text, r, s) in rows {
        let inc = IncomingAppeal {
            line: 1,
            source_id: id.into(),
            received_at: t,
            text: text.into(),
            responsible: r.map(Into::into),
            settlement: s.map(Into::into),
            author: Some("Орлова Вера Ивановна".into()),
            ..Default::default()
        };
        tx.upsert(&inc, ch, &actor, now()).unwrap();
    }
    tx.finish(&new_file("seed.csv", "seed", 3)).unwrap();
}

/// The record of a CSV file of `rows` new appeals, imported at `now()`.
fn new_file(name: &str, hash: &str, rows: i64) -> ImportedFile {
    ImportedFile {
        name: name.into(),
        hash: hash.into(),
        format: "csv".into(),
        channel: None,
        imported_at: now(),
        rows,
        inserted: rows,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    }
}

fn console(db: &Path, keymap: Keymap) -> Console {
    let mut app = App::new(
        open_store(db),
        Theme::new(false, false),
        Clock::Fixed(now()),
        "petrova".into(),
        "okrug".into(),
    );
    app.env.views_path = Some(db.with_file_name("views.toml"));
    app.load().unwrap();
    Console::new(app, keymap)
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

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcu.db");
    seed(&db);
    (dir, db)
}

#[test]
fn main_screen_at_80x24_shows_three_panels_status_and_hints() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    let s = screen(&mut c, 80, 24);
    for needle in [
        "Входящие",
        "Просрочено по блокам",
        "Рейтинг",
        "Нет воды в колонке",
        "okrug",
        "petrova",
        "27.11.2026 12:00",
        "Справка",
    ] {
        assert!(s.contains(needle), "{needle} missing:\n{s}");
    }
    // Newest first.
    let water = s.find("Нет воды").unwrap();
    let pit = s.find("Яма на дороге").unwrap();
    assert!(water < pit, "{s}");
    // Time left: the ИМ appeal of 27.11 09:00 is due within the working day.
    assert!(s.contains("ИМ"), "{s}");
}

#[test]
fn a_wide_terminal_shows_settlement_and_recipient_columns() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    let narrow = screen(&mut c, 80, 24);
    assert!(!narrow.contains("Нас. пункт"));
    let wide = screen(&mut c, 220, 50);
    assert!(
        wide.contains("Нас. пункт") && wide.contains("Ответственный"),
        "{wide}"
    );
    assert!(
        wide.contains("с. Заречное") && wide.contains("Отдел ЖКХ и благоустройства"),
        "{wide}"
    );
}

#[test]
fn enter_opens_the_detail_with_text_deadlines_and_history() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 100, 40);
    for needle in [
        "Обращение №3",
        "Нет воды в колонке с утра, дети без воды",
        "Ответ до",
        "Первый ответ до",
        "История",
        "создано",
        "Орлова Вера Ивановна",
    ] {
        assert!(s.contains(needle), "{needle} missing:\n{s}");
    }
    key(&mut c, KeyCode::Esc);
    assert!(screen(&mut c, 100, 40).contains("Просрочено по блокам"));
}

#[test]
fn the_detail_steps_through_the_list_and_back_leaves_the_selection_where_it_went() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    let first = c.app.main.incoming.rows[0].id;
    let second = c.app.main.incoming.rows[1].id;
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.app.detail().map(|d| d.appeal.id), Some(first));
    ch(&mut c, "J");
    assert_eq!(c.app.detail().map(|d| d.appeal.id), Some(second));
    assert!(screen(&mut c, 100, 40).contains(&format!("Обращение №{second}")));
    ch(&mut c, "K");
    assert_eq!(c.app.detail().map(|d| d.appeal.id), Some(first));
    ch(&mut c, "J");
    key(&mut c, KeyCode::Esc);
    assert!(c.app.detail().is_none());
    assert_eq!(c.app.main.incoming.current().map(|a| a.id), Some(second));
    // A triage key in the detail acts on the appeal shown, not on the list's marks.
    key(&mut c, KeyCode::Char(' '));
    key(&mut c, KeyCode::Enter);
    let shown = c
        .app
        .detail()
        .map(|d| (d.appeal.id, d.appeal.urgent))
        .unwrap();
    assert_ne!(shown.0, second, "the mark moved the selection on");
    let marked_urgent = open_store(&db).get(second).unwrap().unwrap().urgent;
    ch(&mut c, "u");
    let store = open_store(&db);
    assert_eq!(
        store.get(shown.0).unwrap().unwrap().urgent,
        !shown.1,
        "toggled in detail"
    );
    assert_eq!(
        store.get(second).unwrap().unwrap().urgent,
        marked_urgent,
        "marked: untouched"
    );
}

#[test]
fn the_detail_of_a_reopened_appeal_shows_the_new_term_and_the_first_answer() {
    let (_d, db) = setup();
    {
        // «Нет воды» (ИМ, 27.11 09:00) answered at 10:00, reopened at 11:00: the new term is 8
        // working hours from 11:00 — 1 before lunch, 4 after, 3 on Monday: 30.11 11:00.
        let mut store = open_store(&db);
        let actor = Actor::new("petrova", "console");
        store
            .update(
                3,
                &[
                    Change::AnsweredAt(Some(at(27, 10))),
                    Change::Answer(Some("Подвезли воду".into())),
                ],
                None,
                &actor,
                at(27, 10),
            )
            .unwrap();
        store
            .update(
                3,
                &[Change::Status(Status::InProgress)],
                None,
                &actor,
                at(27, 11),
            )
            .unwrap();
    }
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 120, 60);
    for needle in [
        "Обращение №3",
        "Переоткрыто       27.11.2026 11:00 (×1)",
        "Ответ до          30.11.2026 11:00",
        "ответ дан: 27.11.2026 10:00 → (пусто)",
        "текст ответа: Подвезли воду → (пусто)",
        "переоткрыто раз: 0 → 1",
    ] {
        assert!(s.contains(needle), "{needle} missing:\n{s}");
    }
}

#[test]
fn help_is_built_from_the_bindings_in_force() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('?'));
    let s = screen(&mut c, 120, 60);
    assert!(s.contains("Помощь"), "{s}");
    assert!(s.contains("Назначить ответственного"), "{s}");
    // A user's binding shows up in help.
    let user = Keymap::with_user(
        "keymap.toml",
        "[list]\nprepend_keymap = [ { on = \"<C-n>\", run = \"next_untriaged\", desc = \"Моя клавиша\" } ]\n",
    )
    .unwrap();
    let mut c = console(&db, user);
    key(&mut c, KeyCode::Char('?'));
    let s = screen(&mut c, 120, 60);
    assert!(s.contains("Моя клавиша") && s.contains("Ctrl-n"), "{s}");
}

#[test]
fn block_chooser_takes_a_number_and_the_store_records_it() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('b'));
    let s = screen(&mut c, 80, 24);
    assert!(
        s.contains("Блок (1–9, 0)") && s.contains("1 ЖКХ") && s.contains("2 Дороги"),
        "{s}"
    );
    key(&mut c, KeyCode::Char('1'));
    let store = open_store(&db);
    let a = store.find("im:I-2").unwrap();
    assert_eq!(a.block.as_deref(), Some("housing"));
    let h = store.history(a.id).unwrap();
    let e = h.iter().find(|e| e.field == "block").unwrap();
    assert_eq!(
        (e.operator.as_str(), e.source.as_str()),
        ("petrova", "console")
    );
    assert!(screen(&mut c, 80, 24).contains("ЖКХ"));
}

#[test]
fn recipient_chooser_is_fuzzy_and_handles_cyrillic() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('a'));
    ch(&mut c, "жкх");
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("› жкх"), "{s}");
    key(&mut c, KeyCode::Enter);
    let a = open_store(&db).find("im:I-2").unwrap();
    assert_eq!(
        a.responsible.as_deref(),
        Some("Отдел ЖКХ и благоустройства")
    );
    assert_eq!(a.status, Status::Assigned);
}

#[test]
fn russian_layout_letters_work_as_their_qwerty_keys() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    assert_eq!(c.app.main.incoming.selected, 0);
    key(&mut c, KeyCode::Char('о')); // о is where j is
    assert_eq!(c.app.main.incoming.selected, 1);
    key(&mut c, KeyCode::Char('г')); // г is where u is: toggle urgent
    let a = open_store(&db).find("im:I-1").unwrap();
    assert!(a.urgent);
}

#[test]
fn marked_appeals_take_one_action_after_a_confirmation() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char(' '));
    key(&mut c, KeyCode::Char(' '));
    assert_eq!(c.app.main.incoming.marked.len(), 2);
    key(&mut c, KeyCode::Char('c'));
    let s = screen(&mut c, 80, 24);
    assert!(
        s.contains("Подтверждение") && s.contains("2 обращения"),
        "{s}"
    );
    key(&mut c, KeyCode::Char('y'));
    let store = open_store(&db);
    assert!(store.find("im:I-2").unwrap().conflict);
    assert!(store.find("im:I-1").unwrap().conflict);
    assert!(!store.find("pos:P-1").unwrap().conflict);
    assert!(c.app.main.incoming.marked.is_empty());
}

#[test]
fn a_multi_line_cyrillic_answer_is_saved_with_ctrl_s() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('r'));
    // The template chooser first: «без шаблона» is the first item.
    key(&mut c, KeyCode::Enter);
    ch(&mut c, "Бригада выехала,");
    key(&mut c, KeyCode::Enter);
    ch(&mut c, "вода будет к 15:00ё");
    key(&mut c, KeyCode::Backspace);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Бригада выехала,"), "{s}");
    ctrl(&mut c, 's');
    let a = open_store(&db).find("im:I-2").unwrap();
    assert_eq!(
        a.answer.as_deref(),
        Some("Бригада выехала,\nвода будет к 15:00")
    );
    assert_eq!(a.status, Status::Answered);
    assert_eq!(a.answered_at, Some(now()));
}

#[test]
fn rejecting_asks_first_and_no_leaves_it_alone() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('x'));
    assert!(screen(&mut c, 80, 24).contains("Подтверждение"));
    key(&mut c, KeyCode::Char('n'));
    assert_eq!(open_store(&db).find("im:I-2").unwrap().status, Status::New);
    key(&mut c, KeyCode::Char('x'));
    key(&mut c, KeyCode::Char('y'));
    assert_eq!(
        open_store(&db).find("im:I-2").unwrap().status,
        Status::Rejected
    );
}

#[test]
fn read_only_bindings_have_no_dangerous_keys() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap().without_dangerous());
    key(&mut c, KeyCode::Char('?'));
    let s = screen(&mut c, 120, 60);
    assert!(!s.contains("Назначить ответственного"), "{s}");
    assert!(!s.contains("Отклонить"), "{s}");
    key(&mut c, KeyCode::Esc);
    key(&mut c, KeyCode::Char('b'));
    assert!(c.app.popup().is_none());
    assert!(
        c.app
            .env
            .messages
            .last()
            .unwrap()
            .text
            .contains("ничего не делает")
    );
    assert_eq!(open_store(&db).find("im:I-2").unwrap().block, None);
    let bar = screen(&mut c, 120, 30);
    assert!(!bar.contains("Назначить"), "{bar}");
}

#[test]
fn a_stale_save_is_refused_and_the_new_state_shown() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    // Another officer changes the same field of the same appeal after this console loaded it.
    let mut other = open_store(&db);
    let a = other.find("im:I-2").unwrap();
    other
        .update(
            a.id,
            &[Change::Conflict(true), Change::Urgent(true)],
            None,
            &Actor::new("ivanov", "console"),
            now(),
        )
        .unwrap();
    key(&mut c, KeyCode::Char('c'));
    let flash = c.app.env.messages.last().cloned().unwrap();
    assert!(
        flash.is_error() && flash.text.contains("изменено другим оператором"),
        "{flash:?}"
    );
    let a = open_store(&db).find("im:I-2").unwrap();
    assert!(a.urgent && a.conflict, "nothing overwritten");
    // The console now shows the current state, and a second try goes through.
    assert!(c.app.main.incoming.current().unwrap().conflict);
    key(&mut c, KeyCode::Char('c'));
    assert!(!open_store(&db).find("im:I-2").unwrap().conflict);
}

#[test]
fn two_consoles_see_each_others_changes_on_the_next_tick() {
    let (_d, db) = setup();
    let mut a = console(&db, Keymap::builtin().unwrap());
    let mut b = console(&db, Keymap::builtin().unwrap());
    key(&mut a, KeyCode::Char('b'));
    key(&mut a, KeyCode::Char('2'));
    assert_eq!(b.app.main.incoming.current().unwrap().block, None);
    assert!(b.app.tick().unwrap(), "B notices A's commit");
    assert_eq!(
        b.app.main.incoming.current().unwrap().block.as_deref(),
        Some("roads")
    );
    assert!(!b.app.tick().unwrap(), "nothing new: no refresh");
}

#[test]
fn search_and_command_mode_filter_the_list() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('/'));
    ch(&mut c, "ямы");
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.app.main.incoming.rows.len(), 1);
    assert!(screen(&mut c, 80, 24).contains("«ямы»"));
    key(&mut c, KeyCode::Char(':'));
    ch(&mut c, "clear");
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.app.main.incoming.rows.len(), 3);
    key(&mut c, KeyCode::Char(':'));
    ch(&mut c, "goto pos:P-1");
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.app.detail().unwrap().appeal.source_id, "P-1");
}

#[test]
fn new_arrivals_show_at_the_top_while_the_selection_stays_on_its_appeal() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    let selected = c.app.main.incoming.current().unwrap().id;
    let mut other = open_store(&db);
    let mut tx = other.begin_import().unwrap();
    let inc = IncomingAppeal {
        line: 1,
        source_id: "NEW-1".into(),
        received_at: at(27, 11),
        text: "Свежее обращение про упавшее дерево".into(),
        ..Default::default()
    };
    tx.upsert(
        &inc,
        Channel::Im,
        &Actor::new("import", "import:new.csv"),
        now(),
    )
    .unwrap();
    tx.finish(&new_file("new.csv", "new", 1)).unwrap();
    assert!(c.app.tick().unwrap());
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Свежее обращение"), "{s}");
    assert_eq!(c.app.main.incoming.current().unwrap().id, selected);
}

#[test]
fn the_suggestion_is_shown_and_accepted_with_one_key() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    c.app.env.triage = Some(std::sync::Arc::new(
        c.app.env.store.load_triage(None).unwrap(),
    ));
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 100, 40);
    assert!(s.contains("Предложение") && s.contains("блок ЖКХ"), "{s}");
    key(&mut c, KeyCode::Char('A'));
    let a = open_store(&db).find("im:I-2").unwrap();
    assert_eq!(a.block.as_deref(), Some("housing"));
    let h = open_store(&db).history(a.id).unwrap();
    assert!(
        h.iter()
            .any(|e| e.field == "block" && e.source == "console")
    );
}

// ---- A whole working day (issue 14): the clock, messages, text entry, detail, ASCII ----

fn msk(d: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 11, d, h, m, s)
        .unwrap()
        .to_utc()
}

/// The «Срок» cell of the row whose text starts with `needle`.
fn row_with<'a>(s: &'a str, needle: &str) -> &'a str {
    s.lines().find(|l| l.contains(needle)).unwrap_or("")
}

#[test]
fn the_screen_follows_the_clock_a_deadline_passing_turns_the_row_overdue() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    // «Нет воды» (ИМ, Friday 27.11 09:00) is due at the first response: Monday 30.11 09:00.
    c.app.env.clock = Clock::Fixed(msk(30, 8, 59, 30));
    c.app.refresh().unwrap();
    let before = screen(&mut c, 120, 30);
    assert!(before.contains("30.11.2026 08:59"), "{before}");
    assert!(!row_with(&before, "Нет воды").contains('−'), "{before}");
    // Same minute, nothing changed: no refresh, nothing to draw.
    c.app.env.clock = Clock::Fixed(msk(30, 8, 59, 50));
    assert!(!c.app.tick().unwrap());
    assert!(!c.app.dirty());
    // The minute turns and the deadline passes: the tick re-reads and the row is overdue.
    c.app.env.clock = Clock::Fixed(msk(30, 9, 0, 20));
    assert!(c.app.tick().unwrap());
    assert!(c.app.dirty());
    let after = screen(&mut c, 120, 30);
    assert!(after.contains("30.11.2026 09:00"), "{after}");
    let row = row_with(&after, "Нет воды");
    assert!(row.contains('−') || row.contains("истёк"), "{row}");
}

#[test]
fn an_error_shows_at_80_columns_and_a_background_notice_does_not_hide_it() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    c.app.env.last_import =
        Some("live-1795902105-2-a-very-long-export-file-name.jsonl 29.11 00:41".into());
    key(&mut c, KeyCode::Char(':'));
    ch(&mut c, "goto 99999");
    key(&mut c, KeyCode::Enter);
    c.app.env.notice("Импорт: новых обращений 3");
    let s = screen(&mut c, 80, 24);
    let status = s.lines().nth(22).unwrap_or("");
    assert!(
        status.contains("99999"),
        "the error is on the status line: {status}"
    );
    assert!(!status.contains("Импорт: новых"), "{status}");
    // Both are kept: `:messages` lists them, newest first.
    key(&mut c, KeyCode::Char(':'));
    ch(&mut c, "messages");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    let notice = s.find("Импорт: новых обращений 3").expect("notice listed");
    let error = s.find("99999").expect("error listed");
    assert!(notice < error, "newest first:\n{s}");
    key(&mut c, KeyCode::Esc);
    assert!(c.app.popup().is_none());
}

#[test]
fn a_chord_hint_shows_while_unfinished_and_goes_when_done() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('g'));
    let s = screen(&mut c, 100, 30);
    assert!(c.app.env.chord.is_some(), "g starts a chord");
    let bar = s.lines().last().unwrap_or("");
    assert!(bar.contains("g g"), "{bar}");
    key(&mut c, KeyCode::Char('g'));
    assert!(c.app.env.chord.is_none());
    let s = screen(&mut c, 100, 30);
    assert!(!s.lines().last().unwrap_or("").contains("g g"), "{s}");
}

#[test]
fn the_answer_box_scrolls_to_the_cursor_past_its_eighth_line() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('r'));
    // The template chooser first: «без шаблона» is the first item.
    key(&mut c, KeyCode::Enter);
    for n in 1..=12 {
        ch(&mut c, &format!("строка {n}"));
        if n < 12 {
            key(&mut c, KeyCode::Enter);
        }
    }
    let s = screen(&mut c, 100, 30);
    assert!(s.contains("строка 12"), "the last line is in sight:\n{s}");
    assert!(!s.contains("строка 1 "), "the first scrolled away:\n{s}");
    ctrl(&mut c, 's');
    let a = open_store(&db).get(3).unwrap().unwrap();
    assert_eq!(a.answer.as_deref().map(|t| t.lines().count()), Some(12));
}

#[test]
fn a_pasted_text_with_cr_line_breaks_keeps_its_lines() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('r'));
    // The template chooser first: «без шаблона» is the first item.
    key(&mut c, KeyCode::Enter);
    c.paste("Строка один\rСтрока два");
    ctrl(&mut c, 's');
    let a = open_store(&db).get(3).unwrap().unwrap();
    assert_eq!(a.answer.as_deref(), Some("Строка один\nСтрока два"));
}

#[test]
fn the_detail_at_80x24_shows_the_text_first_and_where_the_page_is() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Нет воды в колонке"), "{s}");
    assert!(s.contains("строки 1–"), "a scroll indicator:\n{s}");
    // Scrolling stops at the end instead of running into blank pages.
    ch(&mut c, "G");
    let end = screen(&mut c, 80, 24);
    ch(&mut c, "jjjj");
    assert_eq!(screen(&mut c, 80, 24), end);
    assert!(end.contains("История"), "{end}");
}

#[test]
fn esc_on_the_main_screen_takes_back_the_marks_then_the_search() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('/'));
    ch(&mut c, "фонарь");
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.app.main.incoming.rows.len(), 1);
    key(&mut c, KeyCode::Char(' '));
    key(&mut c, KeyCode::Esc);
    assert!(c.app.main.incoming.marked.is_empty());
    assert_eq!(
        c.app.main.incoming.rows.len(),
        1,
        "first Esc: only the marks"
    );
    key(&mut c, KeyCode::Esc);
    assert_eq!(c.app.main.incoming.rows.len(), 3, "second Esc: the search");
}

#[test]
fn ascii_mode_draws_no_non_ascii_border_or_mark() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    c.app.env.theme = Theme::new(false, true);
    key(&mut c, KeyCode::Char(' '));
    for (w, h) in [(80, 24), (160, 40)] {
        let s = screen(&mut c, w, h);
        let bad: String = s
            .chars()
            .filter(|c| !c.is_ascii() && !c.is_alphabetic() && !"«»№".contains(*c))
            .collect();
        assert!(bad.is_empty(), "non-ASCII marks {bad:?} at {w}x{h}:\n{s}");
    }
    key(&mut c, KeyCode::Char('?'));
    let s = screen(&mut c, 100, 40);
    assert!(
        s.chars()
            .all(|c| c.is_ascii() || c.is_alphabetic() || "«»№".contains(c)),
        "{s}"
    );
}

#[test]
fn a_read_only_console_says_so_and_why_a_key_does_nothing() {
    let (_d, db) = setup();
    let full = Keymap::builtin().unwrap();
    let mut c = console(&db, full.clone().without_dangerous()).withholding(full);
    c.app.env.read_only = true;
    let s = screen(&mut c, 100, 30);
    assert!(s.contains("только просмотр"), "{s}");
    key(&mut c, KeyCode::Char('b'));
    let m = c.app.env.messages.last().unwrap();
    assert!(m.text.contains("Только просмотр"), "{m:?}");
}

#[test]
fn messages_and_history_speak_russian_with_names_not_ids() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('b'));
    key(&mut c, KeyCode::Char('2'));
    let m = c.app.env.messages.last().unwrap().text.clone();
    assert!(m.starts_with("Сохранено: блок «"), "{m}");
    assert!(!m.contains("roads") && !m.contains("housing"), "{m}");
    c.app
        .apply(vec![3], vec![Change::Status(Status::InProgress)])
        .unwrap();
    key(&mut c, KeyCode::Enter);
    ch(&mut c, "G");
    let s = screen(&mut c, 120, 50);
    assert!(
        s.contains("статус: Новое → В работе") || s.contains("статус: Назначено → В работе"),
        "{s}"
    );
    assert!(!s.contains("in_progress"), "{s}");
    assert!(
        !s.contains("+00:00"),
        "times in the workspace zone, not UTC: {s}"
    );
    key(&mut c, KeyCode::Esc);
    key(&mut c, KeyCode::Char(':'));
    ch(&mut c, "goto 99999");
    key(&mut c, KeyCode::Enter);
    let m = c.app.env.messages.last().unwrap().text.clone();
    assert_eq!(m, "Нет обращения «99999»");
}

#[test]
fn accepting_a_suggested_recipient_the_workspace_does_not_know_says_so_and_offers_the_chooser() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    let model = c.app.env.store.load_triage(None).unwrap();
    let shown = c.app.main.incoming.current().cloned().unwrap();
    let proposed = model.suggest_appeal(&shown).responsible;
    let proposed = proposed.expect("the shipped routing proposes a recipient for this text");
    assert!(
        c.app.env.store.resolve_recipient(&proposed).is_err(),
        "«{proposed}» is not a recipient of this workspace"
    );
    c.app.env.triage = Some(std::sync::Arc::new(model));
    key(&mut c, KeyCode::Char('A'));
    let m = c.app.env.messages.last().unwrap().text.clone();
    assert!(m.contains(&proposed) && m.contains("выберите"), "{m}");
    assert!(
        matches!(c.app.popup(), Some(mcu::tui::popup::Popup::Chooser(_))),
        "the recipient chooser is open"
    );
    // The block was still taken.
    assert!(
        open_store(&db)
            .get(shown.id)
            .unwrap()
            .unwrap()
            .block
            .is_some()
    );
}

#[test]
fn linking_a_duplicate_shows_the_other_appeals_text_before_asking() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('d'));
    ch(&mut c, "pos:P-1");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 100, 30);
    assert!(s.contains("Подтверждение"), "{s}");
    assert!(
        s.contains("Яма на дороге у моста"),
        "the original's text is quoted:\n{s}"
    );
    key(&mut c, KeyCode::Char('y'));
    let a = open_store(&db).get(3).unwrap().unwrap();
    assert_eq!(a.duplicate_of, Some(1));
}

#[test]
fn the_recipient_column_stays_at_every_width_from_100_columns() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    for w in [100u16, 110, 120, 130, 140, 150, 160, 200] {
        let s = screen(&mut c, w, 30);
        // The list's own header (the ranking has a column of that name too).
        let header = s.lines().find(|l| l.contains("Поступило")).unwrap_or("");
        let list_part: String = header.split("││").next().unwrap_or("").to_string();
        assert!(
            list_part.contains("Ответственный"),
            "no recipient column in the list at {w} columns:\n{s}"
        );
        assert!(
            s.contains("Просрочено по блокам") && s.contains("Рейтинг"),
            "{s}"
        );
    }
}

#[test]
fn the_console_and_mcu_show_say_the_same_time_left() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("okrug");
    let run = |args: &[&str]| {
        let out = common::operators::mcu(&ws, args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["init"]);
    let csv = dir.path().join("pos.csv");
    // Received Monday 02.11 09:00; 10 working days (4.11 a holiday): due 17.11 17:00; at Thursday
    // 19.11 15:00 it is 14 working hours overdue — «1 р.д.» in both, never rounded up to 2.
    std::fs::write(
        &csv,
        "id;received_at;text\nT-1;2026-11-02 09:00;Не вывозят мусор с площадки у школы\n",
    )
    .unwrap();
    let now = "2026-11-19T15:00:00+03:00";
    run(&[
        "import",
        "--no-triage",
        "--channel",
        "pos",
        "--now",
        now,
        csv.to_str().unwrap(),
    ]);
    let shown = run(&["show", "pos:T-1", "--now", now]);
    let cli = shown
        .lines()
        .find_map(|l| l.split("просрочено ").nth(1))
        .unwrap_or_else(|| panic!("no «просрочено» in:\n{shown}"))
        .trim()
        .trim_end_matches(')')
        .to_string();
    let mut app = App::new(
        open_store(&ws.join("mcu.db")),
        Theme::new(false, false),
        Clock::Fixed(chrono::DateTime::parse_from_rfc3339(now).unwrap().to_utc()),
        "petrova".into(),
        "okrug".into(),
    );
    app.env.views_path = None;
    app.load().unwrap();
    let mut c = Console::new(app, Keymap::builtin().unwrap());
    let s = screen(&mut c, 120, 30);
    let row = row_with(&s, "Не вывозят мусор");
    assert!(
        row.contains(&format!("−{cli}")),
        "console «{row}», mcu show «{cli}»"
    );
    assert_eq!(cli, "1 р.д.");
}

#[test]
fn linking_a_duplicate_starts_from_the_original_auto_triage_proposed() {
    let (_d, db) = setup();
    {
        // The same complaint again the next day: auto-triage proposes the first as its original.
        let mut store = open_store(&db);
        let actor = Actor::new("seed", "import:seed2");
        let mut tx = store.begin_import().unwrap();
        let inc = IncomingAppeal {
            line: 1,
            source_id: "I-3".into(),
            received_at: at(28, 9),
            text: "Нет воды в колонке с утра, дети без воды".into(),
            settlement: Some("с. Заречное".into()),
            ..Default::default()
        };
        tx.upsert(&inc, Channel::Im, &actor, now()).unwrap();
        tx.finish(&new_file("seed2.csv", "seed2", 1)).unwrap();
        let model = store.load_triage(None).unwrap();
        let run = store.triage_pending(&model, &Actor::new("seed", "auto-triage"), now(), 100);
        assert!(run.stopped.is_none() && run.failed.is_empty());
        let proposed = store.suggestion(4).unwrap().and_then(|s| s.duplicate_of);
        assert_eq!(proposed.map(|l| l.id), Some(3), "the model proposes №3");
    }
    let mut c = console(&db, Keymap::builtin().unwrap());
    assert_eq!(c.app.main.incoming.current().map(|a| a.id), Some(4));
    key(&mut c, KeyCode::Char('d'));
    match c.app.popup() {
        Some(mcu::tui::popup::Popup::Input(i)) => assert_eq!(i.text, "3"),
        other => panic!("no pre-filled input: {other:?}"),
    }
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 100, 30);
    assert!(
        s.contains("Нет воды в колонке"),
        "the original quoted:\n{s}"
    );
}

#[test]
fn refreshing_keeps_the_marks_and_a_saved_change_takes_them() {
    let (_d, db) = setup();
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char(' '));
    key(&mut c, KeyCode::Char(':'));
    ch(&mut c, "refresh");
    key(&mut c, KeyCode::Enter);
    assert_eq!(
        c.app.main.incoming.marked.len(),
        1,
        "refreshing is not saving"
    );
    key(&mut c, KeyCode::Char('u'));
    assert!(
        c.app.main.incoming.marked.is_empty(),
        "the saved change took the marks"
    );
}
