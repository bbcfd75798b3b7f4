//! The console over a working day: the write queue under a locked database (the screen keeps
//! answering, «сохраняю…», the change lands after the lock is released, or is reported as not
//! saved), undo of the officer's own last change, the source link (OSC 8) and copying (OSC 52).

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::KeyCode;
use mcu::domain::Channel;
use mcu::store::{Actor, Change};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;
use mcu::tui::writes::Policy;

mod common;
use common::console::{
    appeal, chars, console_as, hold_lock, key, msk, open_store, screen, seed, seed_as,
};

fn now() -> DateTime<Utc> {
    msk(2026, 11, 27, 12, 0)
}

fn at(d: u32, h: u32) -> DateTime<Utc> {
    msk(2026, 11, d, h, 0)
}

const URL: &str = "https://vk.com/wall-1_2";

/// Two appeals; the newest, first on screen, is «Нет воды» (with a source address).
fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcu.db");
    let one = |id, t, text, url: Option<&str>| {
        let mut a = appeal(id, t, text);
        a.url = url.map(Into::into);
        a.author = Some("Орлова Вера Ивановна".into());
        (Channel::Im, a)
    };
    seed(
        &db,
        now(),
        &[
            one("I-1", at(26, 9), "Не горит фонарь на улице Лесной", None),
            one("I-2", at(27, 9), "Нет воды в колонке с утра", Some(URL)),
        ],
    );
    (dir, db)
}

fn console(db: &Path) -> Console {
    console_as(db, now(), "petrova")
}

/// The id of the appeal with this source id.
fn id_of(db: &Path, source: &str) -> i64 {
    open_store(db).find(&format!("im:{source}")).unwrap().id
}

fn block_of(db: &Path, id: i64) -> Option<String> {
    open_store(db).get(id).unwrap().unwrap().block
}

#[test]
fn a_locked_database_does_not_stop_the_console_and_the_change_lands_after_release() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    c.app
        .queue_writes(Policy {
            attempts: 3,
            pause: Duration::from_millis(10),
            busy_wait: None,
        })
        .unwrap();
    let holder = hold_lock(&db);
    // b, 1: the first block for «Нет воды» — sent to the queue, the key returns at once.
    key(&mut c, KeyCode::Char('b'));
    key(&mut c, KeyCode::Char('1'));
    assert_eq!(c.app.env.writes.pending(), 1);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("сохраняю…"), "{s}");
    // The screen keeps answering keys while the write waits: the cursor moves, help opens.
    key(&mut c, KeyCode::Char('j'));
    assert_ne!(c.app.main.incoming.current().map(|a| a.id), Some(water));
    key(&mut c, KeyCode::Char('?'));
    assert!(c.app.popup().is_some());
    key(&mut c, KeyCode::Esc);
    assert_eq!(
        block_of(&db, water),
        None,
        "not saved while the lock is held"
    );
    // The other writer finishes: the change lands and is reported.
    holder.execute_batch("COMMIT").unwrap();
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    assert_eq!(c.app.env.writes.pending(), 0);
    assert!(block_of(&db, water).is_some());
    let s = screen(&mut c, 120, 24);
    assert!(s.contains("Сохранено: блок «"), "{s}");
    assert!(!s.contains("сохраняю…"), "{s}");
}

#[test]
fn a_database_locked_through_every_attempt_is_reported_with_what_was_not_saved() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    c.app
        .queue_writes(Policy {
            attempts: 2,
            pause: Duration::from_millis(1),
            busy_wait: Some(Duration::from_millis(1)),
        })
        .unwrap();
    let holder = hold_lock(&db);
    key(&mut c, KeyCode::Char('u')); // urgent: yes
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    holder.execute_batch("ROLLBACK").unwrap();
    let m = c.app.env.messages.shown(now()).unwrap();
    assert!(m.is_error());
    assert_eq!(
        m.text,
        format!(
            "Не сохранено: срочно для №{water} — база данных занята другим процессом, повторите"
        )
    );
    assert!(!open_store(&db).get(water).unwrap().unwrap().urgent);
    // Nothing saved, nothing to undo.
    assert!(c.app.env.last_change.is_none());
}

#[test]
fn undo_takes_back_the_officers_last_change_through_the_audited_store() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('b'));
    key(&mut c, KeyCode::Char('1'));
    key(&mut c, KeyCode::Char('u'));
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert!(a.block.is_some() && a.urgent);
    // z: the last change (urgent) is taken back, the block stays.
    key(&mut c, KeyCode::Char('z'));
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert!(!a.urgent);
    assert!(a.block.is_some());
    let m = c.app.env.messages.shown(now()).unwrap();
    assert_eq!(m.text, "Отменено: срочно");
    // The history shows the change and its undo, both by the officer from the console.
    let h = open_store(&db).history(water).unwrap();
    let urgent: Vec<_> = h.iter().filter(|e| e.field == "urgent").collect();
    assert_eq!(urgent.len(), 2, "{h:?}");
    assert!(
        urgent
            .iter()
            .all(|e| e.operator == "petrova" && e.source == "console")
    );
    // Only once: the undone change is not undone again.
    key(&mut c, KeyCode::Char('z'));
    assert!(
        c.app
            .env
            .messages
            .shown(now())
            .unwrap()
            .text
            .starts_with("Нечего отменять")
    );
}

#[test]
fn undo_of_a_status_restores_the_derived_fields_too() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    let before = open_store(&db).get(water).unwrap().unwrap();
    // An answer moves the appeal to «answered» and records the times.
    c.app
        .apply(
            vec![water],
            vec![
                Change::Answer(Some("Воду подвезли, колонку чинят до 1 декабря".into())),
                Change::AnsweredAt(Some(now())),
            ],
        )
        .unwrap();
    c.app.env.popup = None; // the formal-reply check's question
    key(&mut c, KeyCode::Char('z'));
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert_eq!(a.status, before.status);
    assert_eq!(a.answer, None);
    assert_eq!(a.answered_at, None);
    assert_eq!(a.first_response_at, None);
}

#[test]
fn undo_refuses_when_someone_changed_the_appeal_since() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('u'));
    // Another officer changes the same appeal.
    let mut other = open_store(&db);
    other
        .update(
            water,
            &[Change::Conflict(true)],
            None,
            &Actor::new("ivanov", "cli"),
            now(),
        )
        .unwrap();
    key(&mut c, KeyCode::Char('z'));
    let m = c.app.env.messages.shown(now()).unwrap();
    assert!(m.is_error());
    assert!(
        m.text
            .starts_with(&format!("Не отменено: №{water} изменено после вашего")),
        "{}",
        m.text
    );
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert!(a.urgent && a.conflict, "nothing was taken back");
}

#[test]
fn undo_through_the_queue_lands_like_any_change() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    c.app.queue_writes(Policy::default()).unwrap();
    key(&mut c, KeyCode::Char('c'));
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    c.app.tick().unwrap();
    assert!(open_store(&db).get(water).unwrap().unwrap().conflict);
    key(&mut c, KeyCode::Char('z'));
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    assert!(!open_store(&db).get(water).unwrap().unwrap().conflict);
    assert_eq!(
        c.app.env.messages.shown(now()).unwrap().text,
        "Отменено: конфликт"
    );
}

#[test]
fn the_detail_shows_the_source_address_as_an_osc8_link() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 120, 40);
    assert!(s.contains(URL), "{s}");
    let out = String::from_utf8(c.app.take_output()).unwrap();
    assert!(
        out.contains(&format!(
            "\x1b]8;;{URL}\x1b\\\x1b[4m{URL}\x1b[24m\x1b]8;;\x1b\\"
        )),
        "{out:?}"
    );
    // Saved and restored cursor around it, at the address's row and column.
    let row = s.lines().position(|l| l.contains(URL)).unwrap() + 1;
    let line = s.lines().nth(row - 1).unwrap();
    let col = line[..line.find(URL).unwrap()].chars().count() + 1;
    assert!(
        out.starts_with(&format!("\x1b7\x1b[{row};{col}H")),
        "{out:?}"
    );
    // Nothing drawn, nothing sent.
    assert!(c.app.take_output().is_empty());
}

#[test]
fn shift_o_shows_the_address_as_a_link_in_the_status_line() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('O'));
    let s = screen(&mut c, 120, 24);
    assert!(s.contains("Источник №"), "{s}");
    let out = String::from_utf8(c.app.take_output()).unwrap();
    assert!(out.contains(&format!("\x1b]8;;{URL}\x1b\\")), "{out:?}");
}

#[test]
fn y_copies_the_number_url_or_text_with_osc52() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    let b64 = |s: &str| mcu::tui::links::base64(s.as_bytes());
    // 1: the number.
    key(&mut c, KeyCode::Char('y'));
    key(&mut c, KeyCode::Char('1'));
    assert_eq!(
        c.app.take_output(),
        format!("\x1b]52;c;{}\x07", b64(&water.to_string())).into_bytes()
    );
    // 2: the address.
    key(&mut c, KeyCode::Char('y'));
    key(&mut c, KeyCode::Char('2'));
    assert_eq!(
        c.app.take_output(),
        format!("\x1b]52;c;{}\x07", b64(URL)).into_bytes()
    );
    // 3: the text.
    key(&mut c, KeyCode::Char('y'));
    key(&mut c, KeyCode::Char('3'));
    assert_eq!(
        c.app.take_output(),
        format!("\x1b]52;c;{}\x07", b64("Нет воды в колонке с утра")).into_bytes()
    );
    assert_eq!(
        c.app.env.messages.shown(now()).unwrap().text,
        format!("Скопировано в буфер обмена: текст обращения №{water}")
    );
}

/// Another process imports one appeal (urgent or not) received at `t`.
fn import_one(db: &Path, source: &str, text: &str, urgent: bool, t: DateTime<Utc>) -> i64 {
    let mut a = appeal(source, t, text);
    a.urgent = Some(urgent);
    let actor = Actor::new("watch", "import:new.csv");
    seed_as(
        db,
        &actor,
        &format!("{source}.csv"),
        now(),
        &[(Channel::Im, a)],
    );
    id_of(db, source)
}

/// The style of the first cell of the list row showing `needle`.
fn row_style(c: &mut Console, needle: &str) -> ratatui::style::Style {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 24)).unwrap();
    t.draw(|f| c.draw(f)).unwrap();
    let buf = t.backend().buffer().clone();
    for y in 0..24 {
        let line: String = (0..120).map(|x| buf[(x, y)].symbol()).collect();
        if let Some(pos) = line.find(needle) {
            let x = line[..pos].chars().count() as u16;
            return buf[(x, y)].style();
        }
    }
    panic!("«{needle}» not on screen");
}

#[test]
fn a_new_urgent_appeal_from_another_process_is_highlighted_and_rings_once() {
    let (_d, db) = setup();
    let mut app = App::new(
        open_store(&db),
        Theme::new(true, false),
        Clock::Fixed(now()),
        "petrova".into(),
        "okrug".into(),
    );
    app.load().unwrap();
    let mut c = Console::new(app, Keymap::builtin().unwrap());
    assert!(c.app.take_output().is_empty(), "no bell for what was there");
    // Not urgent: no alert.
    import_one(
        &db,
        "I-3",
        "Просьба покосить траву у школы",
        false,
        at(25, 9),
    );
    c.app.tick().unwrap();
    assert!(!c.app.take_output().contains(&0x07));
    // Urgent: highlighted, said, one bell.
    let id = import_one(&db, "I-4", "Упало дерево на провода", true, at(24, 9));
    assert!(c.app.tick().unwrap());
    let m = c.app.env.messages.last().unwrap().text.clone();
    assert_eq!(m, format!("Новое срочное обращение №{id}"));
    let style = row_style(&mut c, "Упало дерево");
    assert_eq!(style.bg, Some(ratatui::style::Color::Red), "{style:?}");
    let out = c.app.take_output();
    assert_eq!(out.iter().filter(|&&b| b == 0x07).count(), 1, "{out:?}");
    // Next tick, nothing new: no bell again; the row stays highlighted until opened.
    c.app.refresh().unwrap();
    assert!(!c.app.take_output().contains(&0x07));
    assert_eq!(
        row_style(&mut c, "Упало дерево").bg,
        Some(ratatui::style::Color::Red)
    );
    assert_ne!(
        row_style(&mut c, "Просьба покосить").bg,
        Some(ratatui::style::Color::Red)
    );
    c.app.perform(&mcu::tui::keymap::Action::Noop).unwrap();
    assert!(c.app.env.alerts.is_fresh(id));
    c.app.env.alerts.seen(id);
    assert!(!c.app.env.alerts.is_fresh(id));
}

#[test]
fn with_the_bell_off_a_new_urgent_appeal_is_highlighted_without_a_bell() {
    let (_d, db) = setup();
    let mut c = console(&db);
    c.app.env.alerts.bell = false;
    let id = import_one(&db, "I-4", "Упало дерево на провода", true, at(24, 9));
    c.app.tick().unwrap();
    assert!(c.app.env.alerts.is_fresh(id));
    assert!(!c.app.take_output().contains(&0x07));
}

#[test]
fn the_officers_own_urgent_mark_does_not_ring() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('u'));
    c.app.tick().unwrap();
    c.app.refresh().unwrap();
    assert!(!c.app.take_output().contains(&0x07));
}

fn typed(c: &mut Console, s: &str) {
    for x in s.chars() {
        key(c, KeyCode::Char(x));
    }
}

fn ctrl_s(c: &mut Console) {
    c.key(crossterm::event::KeyEvent::new(
        KeyCode::Char('s'),
        crossterm::event::KeyModifiers::CONTROL,
    ))
    .unwrap();
}

/// The open input's title and text.
fn input(c: &Console) -> (String, String) {
    match c.app.popup() {
        Some(mcu::tui::popup::Popup::Input(i)) => (i.title.clone(), i.text.clone()),
        other => panic!("no input open: {other:?}"),
    }
}

/// Tab in the answer, the time replaced by `time`, Enter.
fn set_time(c: &mut Console, time: &str) {
    key(c, KeyCode::Tab);
    let (title, shown) = input(c);
    assert!(title.starts_with("Время ответа"), "{title}");
    for _ in 0..shown.chars().count() {
        key(c, KeyCode::Backspace);
    }
    typed(c, time);
    key(c, KeyCode::Enter);
}

#[test]
fn the_answer_time_is_now_by_default_and_editable_in_the_form() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('r'));
    key(&mut c, KeyCode::Enter); // «без шаблона»
    let (title, _) = input(&c);
    assert!(title.contains("Tab — время ответа: сейчас"), "{title}");
    typed(&mut c, "Воду подвезли");
    // Tab: the time, now by default.
    key(&mut c, KeyCode::Tab);
    assert_eq!(input(&c).1, "27.11.2026 12:00");
    // Esc: back to the text, unchanged.
    key(&mut c, KeyCode::Esc);
    assert_eq!(input(&c).1, "Воду подвезли");
    set_time(&mut c, "27.11.2026 10:30");
    let (title, text) = input(&c);
    assert!(title.contains("время ответа: 27.11.2026 10:30"), "{title}");
    assert_eq!(text, "Воду подвезли");
    ctrl_s(&mut c);
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert_eq!(a.answer.as_deref(), Some("Воду подвезли"));
    assert_eq!(
        a.answered_at,
        Some(at(27, 10) + chrono::Duration::minutes(30))
    );
}

#[test]
fn an_answer_time_in_the_future_or_before_receipt_is_refused_and_nothing_is_lost() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('r'));
    key(&mut c, KeyCode::Enter); // «без шаблона»
    typed(&mut c, "Воду подвезли");
    // Future (now is 12:00).
    set_time(&mut c, "27.11.2026 13:00");
    let m = c.app.env.messages.last().unwrap().clone();
    assert!(m.is_error());
    assert_eq!(m.text, "Время ответа 27.11.2026 13:00 ещё не наступило");
    let (title, text) = input(&c);
    assert!(title.starts_with("Время ответа"));
    assert_eq!(text, "27.11.2026 13:00", "what was typed stays");
    // Before receipt (received 27.11 09:00).
    for _ in 0..text.chars().count() {
        key(&mut c, KeyCode::Backspace);
    }
    typed(&mut c, "27.11.2026 08:00");
    key(&mut c, KeyCode::Enter);
    assert_eq!(
        c.app.env.messages.last().unwrap().text,
        format!(
            "Время ответа 27.11.2026 08:00 раньше поступления обращения №{water} (27.11.2026 09:00)"
        )
    );
    // Nonsense.
    for _ in 0..16 {
        key(&mut c, KeyCode::Backspace);
    }
    typed(&mut c, "вчера");
    key(&mut c, KeyCode::Enter);
    assert!(
        c.app
            .env
            .messages
            .last()
            .unwrap()
            .text
            .starts_with("Время ответа «вчера»: ожидается ДД.ММ.ГГГГ ЧЧ:ММ")
    );
    // Esc: the text is still there; saved with now.
    key(&mut c, KeyCode::Esc);
    assert_eq!(input(&c).1, "Воду подвезли");
    ctrl_s(&mut c);
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert_eq!(a.answered_at, Some(now()));
}

#[test]
fn an_interim_answer_takes_its_time_too() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('i'));
    key(&mut c, KeyCode::Enter); // «без шаблона»
    typed(&mut c, "Передано в водоканал");
    set_time(&mut c, "27.11.2026 11:00");
    ctrl_s(&mut c);
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert_eq!(a.first_response_at, Some(at(27, 11)));
    assert_eq!(a.interim_answer.as_deref(), Some("Передано в водоканал"));
}

#[test]
fn two_changes_queued_one_after_the_other_both_land_without_a_stale_refusal() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    c.app
        .queue_writes(Policy {
            attempts: 3,
            pause: Duration::from_millis(10),
            busy_wait: None,
        })
        .unwrap();
    let holder = hold_lock(&db);
    // Both made against the version on screen, the first not yet saved when the second is made.
    key(&mut c, KeyCode::Char('u'));
    key(&mut c, KeyCode::Char('c'));
    assert_eq!(c.app.env.writes.pending(), 2);
    holder.execute_batch("COMMIT").unwrap();
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert!(a.urgent && a.conflict, "both saved");
    assert!(
        c.app.env.messages.recent().all(|m| !m.is_error()),
        "{:?}",
        c.app.env.messages.recent().collect::<Vec<_>>()
    );
    // Someone else changes another field meanwhile: no conflict, the change lands on theirs.
    let seen = c.app.main.incoming.current().unwrap().version;
    let mut other = open_store(&db);
    let ivanov = Actor::new("ivanov", "cli");
    other
        .update(water, &[Change::Rating(Some(4))], None, &ivanov, now())
        .unwrap();
    assert_eq!(c.app.main.incoming.current().unwrap().version, seen);
    key(&mut c, KeyCode::Char('u'));
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert!(!a.urgent && a.rating == Some(4), "both kept");
    // …and the same field: the change against the old screen is refused.
    let seen = c.app.main.incoming.current().unwrap().version;
    other
        .update(water, &[Change::Conflict(false)], None, &ivanov, now())
        .unwrap();
    assert_eq!(c.app.main.incoming.current().unwrap().version, seen);
    key(&mut c, KeyCode::Char('c'));
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    let m = c.app.env.messages.last().unwrap();
    assert!(
        m.is_error() && m.text.contains("изменено другим оператором"),
        "{m:?}"
    );
    assert!(!open_store(&db).get(water).unwrap().unwrap().conflict);
}

/// A letter (59-ФЗ) received 27.11, imported by another process; first on screen now.
fn import_letter(db: &Path) -> i64 {
    let letter = appeal("L-1", at(27, 11), "Письмо о ремонте крыши дома культуры");
    let actor = Actor::new("seed", "import:letters.csv");
    seed_as(
        db,
        &actor,
        "letters.csv",
        now(),
        &[(Channel::Letter, letter)],
    );
    open_store(db).find("letter:L-1").unwrap().id
}

fn queued(c: &mut Console, attempts: u32) {
    c.app
        .queue_writes(Policy {
            attempts,
            pause: Duration::from_millis(10),
            busy_wait: Some(Duration::from_millis(20)),
        })
        .unwrap();
}

/// While the lock is held: the key has returned, the write waits, the screen says so and keeps
/// answering keys.
fn waiting(c: &mut Console) {
    assert_eq!(c.app.env.writes.pending(), 1, "sent to the write queue");
    let s = screen(c, 80, 24);
    assert!(s.contains("сохраняю…"), "{s}");
    key(c, KeyCode::Char('?'));
    assert!(matches!(
        c.app.popup(),
        Some(mcu::tui::popup::Popup::Help(_))
    ));
    key(c, KeyCode::Esc);
}

#[test]
fn a_registration_waits_in_the_queue_on_a_locked_database_and_lands_after_release() {
    let (_d, db) = setup();
    let letter = import_letter(&db);
    let mut c = console(&db);
    assert_eq!(c.app.main.incoming.current().map(|a| a.id), Some(letter));
    queued(&mut c, 50);
    let holder = hold_lock(&db);
    key(&mut c, KeyCode::Char('W'));
    typed(&mut c, "123-П 27.11.2026");
    key(&mut c, KeyCode::Enter);
    waiting(&mut c);
    assert_eq!(open_store(&db).registration(letter).unwrap(), None);
    holder.execute_batch("COMMIT").unwrap();
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    assert!(open_store(&db).registration(letter).unwrap().is_some());
    let m = c.app.env.messages.last().unwrap().text.clone();
    assert_eq!(
        m,
        format!("Зарегистрировано: №{letter} — № 123-П от 27.11.2026")
    );
    assert!(!screen(&mut c, 80, 24).contains("сохраняю…"));
}

#[test]
fn a_registration_locked_out_through_every_attempt_is_reported_as_not_saved() {
    let (_d, db) = setup();
    let letter = import_letter(&db);
    let mut c = console(&db);
    queued(&mut c, 2);
    let holder = hold_lock(&db);
    key(&mut c, KeyCode::Char('W'));
    typed(&mut c, "124-П");
    key(&mut c, KeyCode::Enter);
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    holder.execute_batch("ROLLBACK").unwrap();
    let m = c.app.env.messages.shown(now()).unwrap();
    assert!(m.is_error());
    assert_eq!(
        m.text,
        format!(
            "Не сохранено: регистрация №{letter} — база данных занята другим процессом, повторите"
        )
    );
    assert_eq!(open_store(&db).registration(letter).unwrap(), None);
}

#[test]
fn an_appeal_taken_by_hand_waits_with_its_form_open_then_opens_saved() {
    let (_d, db) = setup();
    let mut c = console(&db);
    queued(&mut c, 50);
    let holder = hold_lock(&db);
    key(&mut c, KeyCode::Char('N'));
    typed(&mut c, "Звонок: у остановки на Лесной нет освещения");
    ctrl_s(&mut c);
    // The form: down to «Сохранить», Enter.
    for _ in 0..10 {
        key(&mut c, KeyCode::Char('j'));
    }
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.app.env.writes.pending(), 1);
    let s = screen(&mut c, 80, 24);
    assert!(
        s.contains("сохраняю…") && s.contains("Новое обращение, принятое вручную"),
        "the form stays while it is saved:\n{s}"
    );
    // A second Enter does not take it twice.
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.app.env.writes.pending(), 1);
    holder.execute_batch("COMMIT").unwrap();
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    let m = c.app.env.messages.last().unwrap().text.clone();
    assert!(m.starts_with("Принято обращение №"), "{m}");
    let d = c.app.detail().expect("the new appeal is open");
    assert!(d.appeal.text.contains("нет освещения"));
    assert_eq!(
        open_store(&db).get(d.appeal.id).unwrap().unwrap().id,
        d.appeal.id
    );
    key(&mut c, KeyCode::Esc);
    assert!(
        c.app.detail().is_none(),
        "the form is gone, the list is back"
    );
}

#[test]
fn a_new_roadmap_from_an_appeal_waits_in_the_queue_and_lands_linked() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    queued(&mut c, 50);
    let holder = hold_lock(&db);
    // L: no roadmaps yet — «new» is the first item; the title comes prefilled.
    key(&mut c, KeyCode::Char('L'));
    key(&mut c, KeyCode::Char('1'));
    key(&mut c, KeyCode::Enter);
    waiting(&mut c);
    assert!(open_store(&db).roadmaps().unwrap().is_empty());
    holder.execute_batch("COMMIT").unwrap();
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    let store = open_store(&db);
    let maps = store.roadmaps().unwrap();
    assert_eq!(maps.len(), 1);
    let links: Vec<i64> = store
        .roadmap_links(maps[0].id)
        .unwrap()
        .iter()
        .map(|l| l.appeal_id)
        .collect();
    assert_eq!(links, [water]);
    let m = c.app.env.messages.last().unwrap().text.clone();
    assert!(m.contains("создана") && m.contains("Связано"), "{m}");
}

/// The race the tmux test met under load: an appeal shows, then auto-triage (another
/// connection: the importer) marks it urgent; the officer's block, chosen on the screen from
/// before, is no conflict with that mark and lands — the officer's key is not refused.
#[test]
fn a_change_made_on_a_screen_from_before_auto_triage_lands_on_its_marks() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    queued(&mut c, 3);
    let shown = c.app.main.incoming.current().unwrap().clone();
    assert_eq!(shown.id, water);
    let importer = Actor::new("watch", mcu::store::AUTO_TRIAGE_SOURCE);
    open_store(&db)
        .update(water, &[Change::Urgent(true)], None, &importer, now())
        .unwrap();
    // The key comes before the tick that would have shown the mark.
    key(&mut c, KeyCode::Char('b'));
    key(&mut c, KeyCode::Char('1'));
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert!(
        a.block.is_some() && a.urgent,
        "the block and the mark: {a:?}"
    );
    assert!(
        c.app.env.messages.recent().all(|m| !m.is_error()),
        "{:?}",
        c.app.env.messages.recent().collect::<Vec<_>>()
    );
    // Undo takes back the block only, and the mark stays.
    key(&mut c, KeyCode::Char('z'));
    assert!(c.app.wait_writes(Duration::from_secs(30)).unwrap());
    let a = open_store(&db).get(water).unwrap().unwrap();
    assert!(a.block.is_none() && a.urgent, "{a:?}");
}

/// Which fields a change touches decides whether a change meanwhile conflicts with it.
#[test]
fn what_a_change_touches_decides_a_conflict() {
    use mcu::tui::writes::untouched;
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let shown = open_store(&db).get(water).unwrap().unwrap();
    let mut now_ = shown.clone();
    now_.urgent = true;
    now_.version += 1;
    assert!(untouched(
        &shown,
        &now_,
        &[Change::Block(Some("roads".into()))]
    ));
    assert!(untouched(
        &shown,
        &now_,
        &[Change::Note("позвонили".into())]
    ));
    assert!(!untouched(&shown, &now_, &[Change::Urgent(false)]));
    assert!(!untouched(
        &shown,
        &now_,
        &[Change::Extend("сложный вопрос".into())]
    ));
    // An answer given meanwhile moved the status: a status or another answer conflicts.
    let mut answered = shown.clone();
    answered.answer = Some("Ответ".into());
    answered.status = mcu::domain::Status::Answered;
    let status = Change::Status(mcu::domain::Status::InProgress);
    assert!(!untouched(&shown, &answered, &[status]));
    assert!(!untouched(
        &shown,
        &answered,
        &[Change::Answer(Some("Другой".into()))]
    ));
    assert!(untouched(
        &shown,
        &answered,
        &[Change::Responsible(Some("x".into()))]
    ));
}

/// A report is long: made by the write queue, the screen answers keys meanwhile; «Готовлю
/// отчёт…», then the file's path.
#[test]
fn a_report_made_on_a_locked_database_does_not_stop_the_screen() {
    let (dir, db) = setup();
    let mut c = console(&db);
    queued(&mut c, 50);
    chars(&mut c, ":reports");
    key(&mut c, KeyCode::Enter);
    let holder = hold_lock(&db);
    key(&mut c, KeyCode::Char('n'));
    key(&mut c, KeyCode::Enter); // the note of last week, HTML
    assert_eq!(c.app.env.writes.pending(), 1, "sent to the write queue");
    assert_eq!(
        c.app.env.messages.shown(now()).unwrap().text,
        "Готовлю отчёт…"
    );
    let file = dir
        .path()
        .join("reports")
        .join("note_2026-11-16_2026-11-22.html");
    key(&mut c, KeyCode::Char('?'));
    assert!(c.app.popup().is_some(), "the screen answers keys");
    key(&mut c, KeyCode::Esc);
    holder.execute_batch("COMMIT").unwrap();
    assert!(c.app.wait_writes(Duration::from_secs(60)).unwrap());
    assert!(file.exists(), "written once the lock was released");
    let m = c.app.env.messages.shown(now()).unwrap();
    assert!(!m.is_error(), "{m:?}");
    assert_eq!(m.text, format!("Отчёт записан: {}", file.display()));
    let s = screen(&mut c, 160, 30);
    assert!(s.contains("Последний:"), "{s}");
    // A report is no change of the officer's: nothing for z to speak of (on the main screen).
    key(&mut c, KeyCode::Esc);
    key(&mut c, KeyCode::Char('z'));
    assert!(
        c.app
            .env
            .messages
            .shown(now())
            .unwrap()
            .text
            .starts_with("Нечего отменять"),
    );
}

/// z after a register's change (a roadmap made) says it cannot be undone — and does not take
/// back the appeal's change made before it.
#[test]
fn undo_after_a_register_change_says_it_cannot_and_leaves_the_older_change() {
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('u'));
    assert!(open_store(&db).get(water).unwrap().unwrap().urgent);
    chars(&mut c, ":roadmaps");
    key(&mut c, KeyCode::Enter);
    key(&mut c, KeyCode::Char('n'));
    chars(&mut c, "Ремонт колонок");
    key(&mut c, KeyCode::Enter);
    assert!(
        c.app
            .env
            .messages
            .shown(now())
            .unwrap()
            .text
            .contains("создана"),
        "{:?}",
        c.app.env.messages.shown(now())
    );
    key(&mut c, KeyCode::Esc); // z works on the screens of appeals
    key(&mut c, KeyCode::Char('z'));
    let m = c.app.env.messages.shown(now()).unwrap();
    assert!(m.is_error());
    assert_eq!(
        m.text,
        mcu::tui::screens::undo::cannot("новая дорожная карта")
    );
    assert!(
        open_store(&db).get(water).unwrap().unwrap().urgent,
        "not taken back"
    );
}

/// The presence row is refreshed by a thread of its own: on a locked database the tick does not
/// wait; the row is written once the lock is released.
#[test]
fn the_presence_row_is_refreshed_off_the_screen_on_a_locked_database() {
    use mcu::store::sessions::SessionOrigin;
    use mcu::tui::presence::SessionRow;
    let (_d, db) = setup();
    let water = id_of(&db, "I-2");
    let mut c = console(&db);
    let origin = SessionOrigin {
        via: "local".into(),
        ..Default::default()
    };
    let mut row = SessionRow::start(&mut c, origin).unwrap();
    let id = row.id();
    let appeal_of = |db: &Path| {
        open_store(db)
            .console_sessions(now())
            .unwrap()
            .into_iter()
            .find(|s| s.id == id)
            .and_then(|s| s.appeal)
    };
    let holder = hold_lock(&db);
    key(&mut c, KeyCode::Enter); // the detail of «Нет воды»: the row names it
    row.tick(&mut c);
    assert_eq!(appeal_of(&db), None, "not written while the lock is held");
    holder.execute_batch("COMMIT").unwrap();
    let end = std::time::Instant::now() + Duration::from_secs(30);
    while appeal_of(&db) != Some(water) {
        assert!(std::time::Instant::now() < end, "the refresh never landed");
        std::thread::sleep(Duration::from_millis(20));
    }
    row.end(&mut c, "quit");
    assert!(open_store(&db).console_sessions(now()).unwrap().is_empty());
}
