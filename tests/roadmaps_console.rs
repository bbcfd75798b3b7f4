//! The roadmaps' screens in ratatui's `TestBackend`, driven by keys: the list at 80×24 and
//! 160×45 (overdue measures first), one roadmap (fields, progress, effect, measures, linked and
//! proposed appeals), `n`/`e`/`s` there, and `L` on the main list linking the current or the
//! marked appeals to a chosen roadmap or to a new one made from the appeal — checked in the store.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

mod common;
use common::console::{key, screen};

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use crossterm::event::KeyCode;
use mcu::domain::Channel;
use mcu::domain::roadmap::MeasureStatus;
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::roadmaps::{LinkOrigin, NewMeasure, NewRoadmap};
use mcu::store::{Actor, ImportedFile, Store};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::screens::roadmaps::{RoadmapDetail, RoadmapList};
use mcu::tui::theme::Theme;

fn msk(m: u32, d: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, m, d, 10, 0, 0)
        .unwrap()
        .to_utc()
}

fn now() -> DateTime<Utc> {
    msk(12, 7)
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn open_store(db: &Path) -> Store {
    Store::open(db, Arc::new(Reference::embedded().unwrap())).unwrap()
}

/// Appeals (the newest first on the main list is «Снова яма на Школьной»), and two roadmaps:
/// «Освещение» with no overdue measure, «Ямы в Юксарах» with one overdue and a rule.
fn seed(db: &Path) {
    let mut s = open_store(db);
    let rows = [
        (
            "P1",
            msk(9, 10),
            "Яма на дороге у школы",
            "roads",
            "с. Юксары",
        ),
        (
            "P2",
            msk(11, 3),
            "Не горит фонарь у клуба",
            "housing",
            "с. Арда",
        ),
        (
            "P3",
            msk(12, 2),
            "Снова яма на Школьной",
            "roads",
            "с. Юксары",
        ),
    ];
    let actor = Actor::new("seed", "import:seed");
    let mut tx = s.begin_import().unwrap();
    for (i, (id, at, text, block, settlement)) in rows.iter().enumerate() {
        let inc = IncomingAppeal {
            line: i as u64 + 1,
            source_id: (*id).into(),
            received_at: *at,
            text: (*text).into(),
            block: Some((*block).into()),
            settlement: Some((*settlement).into()),
            author: Some("Орлова Вера Ивановна".into()),
            ..Default::default()
        };
        tx.upsert(&inc, Channel::Pos, &actor, now()).unwrap();
    }
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
    let a = Actor::new("petrova", "cli");
    let light = s
        .add_roadmap(
            &NewRoadmap {
                title: "Освещение улиц".into(),
                due: Some(date(12, 20)),
                ..Default::default()
            },
            &a,
            now(),
        )
        .unwrap();
    s.add_measure(
        light,
        &NewMeasure {
            text: "Заменить лампы".into(),
            due: Some(date(12, 15)),
            ..Default::default()
        },
        &a,
        now(),
    )
    .unwrap();
    let pits = s
        .add_roadmap(
            &NewRoadmap {
                title: "Ямы в Юксарах".into(),
                block: Some("roads".into()),
                settlements: vec!["с. Юксары".into()],
                responsible: Some("Отдел дорожного хозяйства".into()),
                start: Some(date(10, 1)),
                due: Some(date(12, 31)),
                target: Some(1),
                rule_words: Some("яма".into()),
                ..Default::default()
            },
            &a,
            now(),
        )
        .unwrap();
    for (text, due) in [("Ямочный ремонт", date(11, 30)), ("Асфальт", date(12, 25))]
    {
        s.add_measure(
            pits,
            &NewMeasure {
                text: text.into(),
                due: Some(due),
                responsible: Some("ООО «Дорстрой»".into()),
            },
            &a,
            now(),
        )
        .unwrap();
    }
    let p1 = s.find("pos:P1").unwrap().id;
    s.link_appeals(pits, &[p1], &a, now()).unwrap();
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
    app.load().unwrap();
    Console::new(app, Keymap::builtin().unwrap())
}

fn ch(c: &mut Console, s: &str) {
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

fn line_of(s: &str, needle: &str) -> usize {
    s.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("«{needle}» not on screen:\n{s}"))
}

#[test]
fn the_list_at_80x24_puts_overdue_measures_first_and_the_wide_one_adds_columns() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::F(2));
    assert!(c.app.top().as_any().downcast_ref::<RoadmapList>().is_some());
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Дорожные карты (2)"), "{s}");
    // The one with an overdue measure first, though its due date is later.
    assert!(
        line_of(&s, "Ямы в Юксарах") < line_of(&s, "Освещение улиц"),
        "{s}"
    );
    assert!(s.contains("0/2"), "{s}");
    assert!(s.contains("n Новая"), "{s}");
    assert!(!s.contains("Ответственный"), "{s}");
    let wide = screen(&mut c, 160, 45);
    assert!(wide.contains("Ответственный"), "{wide}");
    assert!(wide.contains("Отдел дорожного хозяйства"), "{wide}");
    assert!(wide.contains("≤1/мес ✓"), "{wide}");
    assert!(wide.contains("(+1 предложено)"), "{wide}");
    key(&mut c, KeyCode::Esc);
    assert!(c.app.top().as_any().downcast_ref::<RoadmapList>().is_none());
}

#[test]
fn one_roadmap_shows_fields_progress_effect_measures_and_appeals() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::F(2));
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Дорожная карта №2: Ямы в Юксарах"), "{s}");
    assert!(s.contains("исполняется") || s.contains("черновик"), "{s}");
    assert!(s.contains("слова «яма»; блок Дороги; с. Юксары"), "{s}");
    assert!(s.contains("выполнено 0 из 2 · просрочено 1"), "{s}");
    assert!(
        s.contains("Ямочный ремонт · срок 30.11.2026 · ООО «Дорстрой» · ПРОСРОЧЕНО"),
        "{s}"
    );
    assert!(s.contains("Яма на дороге у школы"), "{s}");
    assert!(s.contains("Предложены правилом (1)"), "{s}");
    assert!(s.contains("Снова яма на Школьной"), "{s}");
    let wide = screen(&mut c, 160, 45);
    assert!(wide.contains("Отдел дорожного хозяйства"), "{wide}");
    assert!(
        wide.contains("не более 1 обращения в месяц — достигнута (ноя 2026: 0)"),
        "{wide}"
    );

    // Enter on the linked appeal opens it; back returns to the roadmap.
    key(&mut c, KeyCode::Down);
    key(&mut c, KeyCode::Down);
    key(&mut c, KeyCode::Enter);
    assert!(c.app.detail().is_some(), "{}", screen(&mut c, 80, 24));
    assert!(screen(&mut c, 80, 24).contains("Яма на дороге у школы"));
    key(&mut c, KeyCode::Esc);
    assert!(
        c.app
            .top()
            .as_any()
            .downcast_ref::<RoadmapDetail>()
            .is_some()
    );
}

#[test]
fn measures_and_fields_change_with_n_e_s_and_a_proposal_is_linked_with_s() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::F(2));
    key(&mut c, KeyCode::Enter);
    // s on the first measure: done.
    ch(&mut c, "s");
    // n: a new measure.
    ch(&mut c, "n");
    ch(&mut c, "Знаки «Неровная дорога»");
    key(&mut c, KeyCode::Enter);
    // e on the roadmap's linked appeal row: a field of the roadmap — the target.
    key(&mut c, KeyCode::End);
    key(&mut c, KeyCode::Up);
    ch(&mut c, "e");
    ch(&mut c, "цель");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Цель: не более N"), "{s}");
    key(&mut c, KeyCode::Backspace);
    ch(&mut c, "3");
    key(&mut c, KeyCode::Enter);
    // s on the proposal: linked as the rule's.
    key(&mut c, KeyCode::End);
    ch(&mut c, "s");
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Связано с дорожной картой №2"), "{s}");

    let store = open_store(&db);
    let ms = store.measures(2).unwrap();
    assert_eq!(ms[0].status, MeasureStatus::Done);
    assert_eq!(ms[2].text, "Знаки «Неровная дорога»");
    let r = store.roadmap(2).unwrap();
    assert_eq!(r.target.map(|t| t.max_per_month), Some(3));
    let links = store.roadmap_links(2).unwrap();
    let p3 = store.find("pos:P3").unwrap().id;
    assert!(
        links
            .iter()
            .any(|l| l.appeal_id == p3 && l.origin == LinkOrigin::Rule)
    );
    let h = store.register_history("roadmap", 2).unwrap();
    assert!(
        h.iter()
            .any(|e| e.field == "target" && e.source == "console" && e.operator == "petrova")
    );
    // A bad date is refused with the reason, nothing saved.
    drop(store);
    ch(&mut c, "e");
    ch(&mut c, "Начало");
    key(&mut c, KeyCode::Enter);
    for _ in 0..12 {
        key(&mut c, KeyCode::Backspace);
    }
    ch(&mut c, "32.13.2026");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 120, 30);
    assert!(s.contains("«32.13.2026» — не дата"), "{s}");
    assert_eq!(open_store(&db).roadmap(2).unwrap().start, Some(date(10, 1)));
}

#[test]
fn l_links_the_current_appeal_to_a_chosen_roadmap_and_the_marked_ones_to_a_new_one() {
    let (_d, db) = setup();
    let mut c = console(&db);
    // The current appeal (the newest: P3) to «Освещение улиц», found by typing.
    ch(&mut c, "L");
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Новая дорожная карта из обращения"), "{s}");
    ch(&mut c, "освещ");
    key(&mut c, KeyCode::Enter);
    let store = open_store(&db);
    let p3 = store.find("pos:P3").unwrap().id;
    assert_eq!(store.roadmaps_of(p3).unwrap(), vec![1]);
    drop(store);

    // The two newest marked (P3, P1 — the list is newest first; m marks and moves down, j skips
    // P2; the cursor ends on P1): a new roadmap from them, the title prefilled from the current one's
    // text, the block
    // and the settlement taken from them.
    ch(&mut c, "m");
    ch(&mut c, "j");
    ch(&mut c, "m");
    ch(&mut c, "L");
    assert!(screen(&mut c, 80, 24).contains("Связать 2 обращения"));
    ch(&mut c, "новая");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("│Яма на дороге у школы"), "{s}");
    key(&mut c, KeyCode::Enter);
    let store = open_store(&db);
    let all = store.roadmaps().unwrap();
    let new = all.last().unwrap();
    assert_eq!(new.title, "Яма на дороге у школы");
    assert_eq!(new.block.as_deref(), Some("roads"));
    assert_eq!(new.settlements, vec!["с. Юксары".to_string()]);
    let p1 = store.find("pos:P1").unwrap().id;
    let mut linked: Vec<i64> = store
        .roadmap_links(new.id)
        .unwrap()
        .iter()
        .map(|l| l.appeal_id)
        .collect();
    linked.sort();
    assert_eq!(linked, vec![p1, p3]);
}

/// `x` on a proposal declines it (audited, never proposed again); on a linked appeal it unlinks
/// it (the rule does not bring it back either).
#[test]
fn x_declines_a_proposal_and_unlinks_a_linked_appeal() {
    let (_d, db) = setup();
    let p3 = open_store(&db).find("pos:P3").unwrap().id;
    let r = open_store(&db).roadmap(2).unwrap();
    assert!(open_store(&db).roadmap_proposals(&r).unwrap().contains(&p3));
    let linked_before = open_store(&db).roadmap_links(2).unwrap().len();
    assert!(linked_before > 0);

    let mut c = console(&db);
    key(&mut c, KeyCode::F(2));
    key(&mut c, KeyCode::Enter);
    key(&mut c, KeyCode::End);
    ch(&mut c, "x");
    let s = screen(&mut c, 80, 24);
    assert!(s.contains(&format!("Предложение отклонено: №{p3}")), "{s}");

    let store = open_store(&db);
    let r = store.roadmap(2).unwrap();
    assert!(!store.roadmap_proposals(&r).unwrap().contains(&p3));
    assert!(
        store
            .roadmap_links(2)
            .unwrap()
            .iter()
            .all(|l| l.appeal_id != p3),
        "a declined proposal is not linked"
    );
    let h = store.register_history("roadmap", 2).unwrap();
    assert!(
        h.iter().any(|e| e.field == "declined"
            && e.new.as_deref() == Some(p3.to_string().as_str())
            && e.operator == "petrova"),
        "{h:?}"
    );
    drop(store);

    // The last row now is a linked appeal: x unlinks it.
    key(&mut c, KeyCode::End);
    ch(&mut c, "x");
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Отвязано от дорожной карты"), "{s}");
    let store = open_store(&db);
    assert_eq!(store.roadmap_links(2).unwrap().len(), linked_before - 1);
    let r = store.roadmap(2).unwrap();
    assert!(store.roadmap_proposals(&r).unwrap().is_empty());
}

/// The bars of the «По месяцам» line (every sparkline bar on the screen).
fn bars(s: &str) -> String {
    s.chars().filter(|c| ('▁'..='█').contains(c)).collect()
}

#[test]
fn the_effect_names_months_in_russian_with_one_bar_a_month_at_80x24_and_160x45() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::F(2));
    key(&mut c, KeyCode::Enter);
    // Six months before the start (October) through today's (December): April to December.
    let months = [
        "апр 2026: 0",
        "май 2026: 0",
        "июн 2026: 0",
        "июл 2026: 0",
        "авг 2026: 0",
        "сен 2026: 1",
        "│ окт 2026: 0",
        "ноя 2026: 0",
        "дек 2026: 1",
    ];
    for (w, h) in [(80, 24), (160, 45)] {
        let s = screen(&mut c, w, h);
        for m in months {
            assert!(s.contains(m), "{w}×{h}: «{m}»\n{s}");
        }
        assert!(!s.contains("2026-11"), "{w}×{h}\n{s}");
        assert!(!s.contains("04:0"), "{w}×{h}\n{s}");
        assert!(s.contains("(ноя 2026: 0)"), "{w}×{h}\n{s}");
        // One bar a month, the empty ones too; «│» before the start's month.
        assert_eq!(bars(&s), "▁▁▁▁▁█▁▁█", "{w}×{h}\n{s}");
        assert!(s.contains("▁▁▁▁▁█│▁▁█"), "{w}×{h}\n{s}");
        // The measures and appeals still fit below.
        assert!(s.contains("Снова яма на Школьной"), "{w}×{h}\n{s}");
    }
}
