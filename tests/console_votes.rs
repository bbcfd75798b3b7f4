//! The votes screens (F4: the list at 80×24 and wide, one vote with its bars and its comments,
//! Enter on a comment opens the appeal) and the form of an appeal taken by hand (`N` in the main
//! list: the appeal is created, triaged at once, shown), in ratatui's `TestBackend`.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

mod common;
use common::console::{key, screen};

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mcu::domain::Channel;
use mcu::domain::votes::{VoteKind, VoteOption, comment_source_id};
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, Store, VoteInput};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;

fn at(d: u32, h: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 11, d, h, 0, 0)
        .unwrap()
        .to_utc()
}

fn now() -> DateTime<Utc> {
    at(27, 12)
}

fn open_store(db: &Path) -> Store {
    Store::open(db, Arc::new(Reference::embedded().unwrap())).unwrap()
}

const COMMENT: &str = "Сквер нужен, но сначала уберите свалку у реки";

/// Two votes: a finished vote with one comment, an older survey.
fn seed(db: &Path) {
    let mut store = open_store(db);
    let actor = Actor::new("seed", "import:votes.csv");
    let option = |o: &str, v: i64| VoteOption {
        option: o.into(),
        votes: v,
    };
    store
        .save_votes(
            &actor,
            now(),
            &[
                VoteInput {
                    vote_id: "ГЛС-17".into(),
                    title: Some("Какую территорию благоустроить в 2027 году".into()),
                    kind: Some(VoteKind::Vote),
                    started_at: Some(at(1, 9)),
                    ended_at: Some(at(20, 18)),
                    settlement: Some("с. Заречное".into()),
                    participants: Some(412),
                    options: vec![option("Сквер у школы", 250), option("Набережная", 194)],
                },
                VoteInput {
                    vote_id: "ОПР-5".into(),
                    title: Some("Как часто вывозить мусор".into()),
                    kind: Some(VoteKind::Survey),
                    started_at: Some(at(2, 9)),
                    ended_at: Some(at(10, 18)),
                    settlement: None,
                    participants: Some(90),
                    options: vec![option("Раз в неделю", 45), option("Два раза", 45)],
                },
            ],
        )
        .unwrap();
    let mut tx = store.begin_import().unwrap();
    let comment = IncomingAppeal {
        line: 5,
        source_id: comment_source_id("ГЛС-17", None, COMMENT, None),
        channel: Some(Channel::Pos),
        received_at: at(20, 18),
        text: COMMENT.into(),
        category: Some("ГЛС-17".into()),
        ..Default::default()
    };
    tx.upsert(&comment, Channel::Pos, &actor, now()).unwrap();
    tx.commit().unwrap();
}

fn console(db: &Path) -> Console {
    let mut app = App::new(
        open_store(db),
        Theme::new(false, false),
        Clock::Fixed(now()),
        "petrova".into(),
        "okrug".into(),
    );
    app.env.views_path = Some(db.with_file_name("views.toml"));
    let triage = app.env.store.load_triage(None).unwrap();
    app.env.triage = Some(Arc::new(triage));
    app.load().unwrap();
    Console::new(app, Keymap::builtin().unwrap())
}

fn text(c: &mut Console, s: &str) {
    for x in s.chars() {
        key(c, KeyCode::Char(x));
    }
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcu.db");
    seed(&db);
    (dir, db)
}

#[test]
fn f4_lists_the_votes_latest_first_at_80x24_and_wide() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::F(4));
    let s = screen(&mut c, 80, 24);
    for needle in [
        "Голосования и обсуждения ПОС: 2",
        "Голосование",
        "Опрос",
        "Какую территорию",
        "20.11.2026",
        "412",
    ] {
        assert!(s.contains(needle), "{needle} missing:\n{s}");
    }
    assert!(
        s.find("Какую территорию").unwrap() < s.find("Как часто").unwrap(),
        "{s}"
    );
    assert!(!s.contains("ГЛС-17"), "the id is for wide terminals:\n{s}");
    for line in s.lines() {
        assert!(line.chars().count() <= 80);
    }

    let wide = screen(&mut c, 160, 40);
    for needle in ["ГЛС-17", "с. Заречное", "Сквер у школы", "56 %", "Лидер"]
    {
        assert!(wide.contains(needle), "{needle} missing:\n{wide}");
    }
    // A tie has no leader.
    let survey = wide.lines().find(|l| l.contains("ОПР-5")).unwrap();
    assert!(survey.contains('—'), "{survey}");
}

#[test]
fn a_vote_shows_bars_with_shares_and_its_comments_open_as_appeals() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::F(4));
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    for needle in [
        "Голосование: ГЛС-17",
        "участников: 412",
        "голосов: 444",
        "★ Сквер у школы",
        "56.3 %",
        "43.7 %",
        "█",
        "Комментарии — обращения ПОС: 1",
        "сначала уберите свалку",
    ] {
        assert!(s.contains(needle), "{needle} missing:\n{s}");
    }
    let wide = screen(&mut c, 160, 40);
    assert!(
        wide.contains("56.3 %") && wide.contains("Набережная"),
        "{wide}"
    );

    key(&mut c, KeyCode::Enter);
    let detail = c.app.detail().expect("the comment opens in detail");
    assert_eq!(detail.appeal.text, COMMENT);
    assert_eq!(detail.appeal.category.as_deref(), Some("ГЛС-17"));
    key(&mut c, KeyCode::Esc);
    assert!(screen(&mut c, 80, 24).contains("★ Сквер у школы"));
    key(&mut c, KeyCode::Esc);
    assert!(screen(&mut c, 80, 24).contains("Голосования и обсуждения ПОС: 2"));
    key(&mut c, KeyCode::Esc);
    assert!(screen(&mut c, 80, 24).contains("Входящие"));
}

#[test]
fn n_takes_an_appeal_down_in_a_form_saves_triages_and_shows_it() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('N'));
    // The text's input opens first.
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Текст обращения"), "{s}");
    text(
        &mut c,
        "Во дворе дома 3 на улице Лесной огромная яма на дороге",
    );
    c.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
        .unwrap();
    let form = screen(&mut c, 80, 24);
    for needle in [
        "Новое обращение, принятое вручную",
        "Канал",
        "Телефон",
        "Во дворе дома 3",
        "Населённый пункт",
        "Сохранить",
    ] {
        assert!(form.contains(needle), "{needle} missing:\n{form}");
    }
    // On to the author: the cursor moved there; Enter edits it.
    key(&mut c, KeyCode::Enter);
    text(&mut c, "Кузнецов Олег");
    key(&mut c, KeyCode::Enter);
    key(&mut c, KeyCode::Char('j'));
    key(&mut c, KeyCode::Enter);
    text(&mut c, "с. Заречное");
    key(&mut c, KeyCode::Enter);
    let wide = screen(&mut c, 160, 40);
    assert!(
        wide.contains("Кузнецов Олег") && wide.contains("с. Заречное"),
        "{wide}"
    );
    key(&mut c, KeyCode::Enter);

    let detail = c
        .app
        .detail()
        .expect("the new appeal is shown")
        .appeal
        .clone();
    assert_eq!(detail.channel, Channel::Phone);
    assert!(
        detail.source_id.ends_with("-000001"),
        "{}",
        detail.source_id
    );
    assert_eq!(detail.author.as_deref(), Some("Кузнецов Олег"));
    assert_eq!(detail.settlement.as_deref(), Some("с. Заречное"));
    assert_eq!(detail.contact, None);
    let store = open_store(&db);
    assert!(
        store.suggestion(detail.id).unwrap().is_some(),
        "triaged at once"
    );
    let h = store.history(detail.id).unwrap();
    assert_eq!(
        (h[0].field.as_str(), h[0].operator.as_str()),
        ("created", "petrova")
    );
    assert_eq!(h[0].source, "console");
    assert!(screen(&mut c, 80, 24).contains("Принято обращение №"));
}

#[test]
fn the_form_refuses_an_empty_text_and_esc_leaves_nothing() {
    let (_d, db) = setup();
    let mut c = console(&db);
    let before = open_store(&db).count().unwrap();
    key(&mut c, KeyCode::Char('N'));
    key(&mut c, KeyCode::Esc); // the text's input
    for _ in 0..5 {
        key(&mut c, KeyCode::Char('j'));
    }
    key(&mut c, KeyCode::Enter);
    assert!(screen(&mut c, 80, 24).contains("Нет текста обращения"));
    key(&mut c, KeyCode::Esc);
    assert!(screen(&mut c, 80, 24).contains("Входящие"));
    assert_eq!(open_store(&db).count().unwrap(), before);
}
