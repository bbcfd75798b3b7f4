//! The console finds today's work: today's view (`t`, `:today`, first in `v`), sorting the list
//! (`o`, `:sort`), the position and count in the panel title, the status column, «без блока» and
//! «не назначено» as filter values, `Enter` on a block's overdue figure, and deleting a saved view
//! (`D`) — in ratatui's TestBackend at 80×24 and wide, with a fixed clock.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::KeyCode;
use mcu::domain::{Channel, Status};
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, ImportedFile, Store};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;

mod common;
use common::console::{key, screen};

/// Friday 27.11.2026 12:00 in Moscow.
fn now() -> DateTime<Utc> {
    at(27, 12)
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

struct Row {
    id: &'static str,
    channel: Channel,
    received: DateTime<Utc>,
    text: &'static str,
    block: Option<&'static str>,
    recipient: Option<&'static str>,
    status: Option<Status>,
}

/// Six appeals. At Friday 27.11 12:00 today's work is, by deadline: «Фонарь» (ИМ of 26.11 09:00,
/// due 27.11 09:00: overdue), «Колонка» and «Автобус» (ИМ of 27.11 09:00 and 11:00, due on Monday
/// within the next 8 working hours: at risk), «Свалка» (a letter with no block yet: untriaged, due
/// in December). Not today's: «Ремонт школы» (a letter with a block, due in
/// December) and «Скамейка» (answered).
fn seed(db: &Path) {
    let mut store = open_store(db);
    let rows = [
        Row {
            id: "I-1",
            channel: Channel::Im,
            received: at(26, 9),
            text: "Фонарь не горит на Лесной",
            block: Some("housing"),
            recipient: Some("Отдел ЖКХ и благоустройства"),
            status: None,
        },
        Row {
            id: "I-2",
            channel: Channel::Im,
            received: at(27, 9),
            text: "Колонка без воды с утра",
            block: Some("housing"),
            recipient: None,
            status: None,
        },
        Row {
            id: "L-1",
            channel: Channel::Letter,
            received: at(25, 10),
            text: "Свалка у оврага за фермой",
            block: None,
            recipient: None,
            status: None,
        },
        Row {
            id: "L-2",
            channel: Channel::Letter,
            received: at(20, 10),
            text: "Ремонт школы к весне",
            block: Some("education"),
            recipient: Some("Управление образования"),
            status: None,
        },
        Row {
            id: "I-3",
            channel: Channel::Im,
            received: at(24, 10),
            text: "Скамейка сломана в сквере",
            block: Some("housing"),
            recipient: Some("Отдел ЖКХ и благоустройства"),
            status: Some(Status::Answered),
        },
        Row {
            id: "I-4",
            channel: Channel::Im,
            received: at(27, 11),
            text: "Автобус не пришёл утром",
            block: Some("transport"),
            recipient: None,
            status: Some(Status::InProgress),
        },
    ];
    let actor = Actor::new("seed", "import:seed");
    let mut tx = store.begin_import().unwrap();
    for r in &rows {
        let inc = IncomingAppeal {
            line: 1,
            source_id: r.id.into(),
            received_at: r.received,
            text: r.text.into(),
            block: r.block.map(Into::into),
            responsible: r.recipient.map(Into::into),
            status: r.status,
            answered_at: (r.status == Some(Status::Answered)).then(|| at(24, 12)),
            ..Default::default()
        };
        tx.upsert(&inc, r.channel, &actor, now()).unwrap();
    }
    tx.finish(&ImportedFile {
        name: "seed.csv".into(),
        hash: "seed".into(),
        format: "csv".into(),
        channel: None,
        imported_at: now(),
        rows: 6,
        inserted: 6,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcu.db");
    seed(&db);
    (dir, db)
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

fn command(c: &mut Console, line: &str) {
    key(c, KeyCode::Char(':'));
    ch(c, line);
    key(c, KeyCode::Enter);
}

/// Where each text shows on the screen, in order; panics naming the missing one.
fn in_order(s: &str, texts: &[&str]) {
    let at: Vec<usize> = texts
        .iter()
        .map(|t| s.find(t).unwrap_or_else(|| panic!("«{t}» missing:\n{s}")))
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "{texts:?} out of order:\n{s}"
    );
}

const TODAY: [&str; 4] = ["Фонарь", "Колонка", "Автобус", "Свалка"];
const NOT_TODAY: [&str; 2] = ["Ремонт школы", "Скамейка"];

#[test]
fn t_opens_todays_view_by_deadline_and_the_title_says_so() {
    let (_d, db) = setup();
    for (w, h) in [(80, 24), (200, 50)] {
        let mut c = console(&db);
        let before = screen(&mut c, w, h);
        assert!(before.contains("Входящие · 1/6"), "{before}");
        key(&mut c, KeyCode::Char('t'));
        let s = screen(&mut c, w, h);
        assert!(s.contains("Сегодня · 1/4 · по сроку"), "{w}: {s}");
        in_order(&s, &TODAY);
        for t in NOT_TODAY {
            assert!(!s.contains(t), "«{t}» is not today's:\n{s}");
        }
        // Moving down shows the place in the list.
        key(&mut c, KeyCode::Char('j'));
        assert!(screen(&mut c, w, h).contains("Сегодня · 2/4"));
        // Esc leaves today's view: the whole list again, still by deadline as the title says.
        key(&mut c, KeyCode::Esc);
        let s = screen(&mut c, w, h);
        assert!(s.contains("Входящие · 1/6 · по сроку"), "{s}");
    }
}

#[test]
fn the_today_command_and_the_views_chooser_open_the_same_view() {
    let (_d, db) = setup();
    let mut c = console(&db);
    command(&mut c, "today");
    let by_command = screen(&mut c, 80, 24);
    assert!(by_command.contains("Сегодня · 1/4"), "{by_command}");
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('v'));
    let chooser = screen(&mut c, 80, 24);
    assert!(
        chooser.contains("Сегодня: что требует действия"),
        "{chooser}"
    );
    key(&mut c, KeyCode::Enter);
    assert_eq!(screen(&mut c, 80, 24), by_command);
}

#[test]
fn todays_view_follows_the_clock_it_is_given() {
    // At Thursday 26.11 17:00 «Фонарь» is due within the next 8 working hours (Friday 09:00) and
    // «Свалка» has no block; «Колонка» and «Автобус» (already in the store) are due on Monday,
    // later than the day and its 8 working hours.
    let (_d, db) = setup();
    let mut app = App::new(
        open_store(&db),
        Theme::new(false, false),
        Clock::Fixed(at(26, 17)),
        "petrova".into(),
        "okrug".into(),
    );
    app.load().unwrap();
    let mut c = Console::new(app, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('t'));
    let s = screen(&mut c, 200, 50);
    assert!(s.contains("Сегодня · 1/2"), "{s}");
    in_order(&s, &["Фонарь", "Свалка"]);
    for t in ["Колонка", "Автобус", "Ремонт школы", "Скамейка"] {
        assert!(!s.contains(t), "«{t}» is not the 26th's:\n{s}");
    }
    // The view stays open while the clock runs on to Friday 12:00: on the tick it is Friday's.
    c.app.env.clock = Clock::Fixed(now());
    assert!(c.app.tick().unwrap());
    let s = screen(&mut c, 200, 50);
    assert!(s.contains("Сегодня · 1/4"), "{s}");
    in_order(&s, &TODAY);
}

#[test]
fn o_sorts_the_list_and_the_title_names_the_order() {
    let (_d, db) = setup();
    for (w, h) in [(80, 24), (200, 50)] {
        let mut c = console(&db);
        // Newest first by default.
        in_order(&screen(&mut c, w, h), &["Автобус", "Колонка", "Фонарь"]);
        key(&mut c, KeyCode::Char('o'));
        let chooser = screen(&mut c, w, h);
        assert!(chooser.contains("Сортировка"), "{chooser}");
        assert!(chooser.contains("по поступлению (сейчас)"), "{chooser}");
        key(&mut c, KeyCode::Char('2'));
        let s = screen(&mut c, w, h);
        assert!(s.contains("Входящие · 1/6 · по сроку"), "{s}");
        in_order(&s, &["Фонарь", "Колонка"]);
        // By block: the order of the blocks' list (ЖКХ, транспорт, образование), «без блока»
        // last; newest first in each.
        command(&mut c, "sort block");
        let s = screen(&mut c, w, h);
        assert!(s.contains("по блоку"), "{s}");
        in_order(
            &s,
            &[
                "Колонка",
                "Фонарь",
                "Скамейка",
                "Автобус",
                "Ремонт школы",
                "Свалка",
            ],
        );
        // By recipient: by name, «не назначено» last.
        command(&mut c, "sort recipient");
        let s = screen(&mut c, w, h);
        assert!(s.contains("по ответственному"), "{s}");
        in_order(&s, &["Фонарь", "Ремонт школы", "Автобус"]);
        // A bad order is named.
        command(&mut c, "sort срок");
        let s = screen(&mut c, w, h);
        assert!(s.contains("Нет сортировки «срок»"), "{s}");
    }
}

#[test]
fn paging_a_sorted_list_keeps_the_position_in_the_title() {
    // 450 appeals (more than two pages of 200): G goes to the last, the title says 450/450; gg
    // back to 1/450; sorted by deadline too.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcu.db");
    {
        let mut store = open_store(&db);
        let actor = Actor::new("seed", "import:seed");
        let mut tx = store.begin_import().unwrap();
        for i in 0..450i64 {
            let inc = IncomingAppeal {
                line: 1,
                source_id: format!("P-{i}"),
                received_at: at(1, 9) + chrono::Duration::minutes(i * 37),
                text: format!("Обращение {i:03}"),
                ..Default::default()
            };
            tx.upsert(&inc, Channel::Im, &actor, now()).unwrap();
        }
        tx.finish(&ImportedFile {
            name: "many.csv".into(),
            hash: "many".into(),
            format: "csv".into(),
            channel: None,
            imported_at: now(),
            rows: 450,
            inserted: 450,
            updated: 0,
            unchanged: 0,
            quarantined: 0,
        })
        .unwrap();
    }
    let mut c = console(&db);
    for order in ["received", "deadline", "block"] {
        command(&mut c, &format!("sort {order}"));
        assert!(screen(&mut c, 80, 24).contains("· 1/450"), "{order}");
        key(&mut c, KeyCode::Char('G'));
        let s = screen(&mut c, 80, 24);
        assert!(s.contains("· 450/450"), "{order}: {s}");
        // Up a page from the end and down again crosses the page boundary.
        for _ in 0..260 {
            key(&mut c, KeyCode::Char('k'));
        }
        assert!(screen(&mut c, 80, 24).contains("· 190/450"), "{order}");
        key(&mut c, KeyCode::Char('g'));
        key(&mut c, KeyCode::Char('g'));
        assert!(screen(&mut c, 80, 24).contains("· 1/450"), "{order}");
        for _ in 0..300 {
            key(&mut c, KeyCode::Char('j'));
        }
        assert!(screen(&mut c, 80, 24).contains("· 301/450"), "{order}");
    }
    // Newest first, the 301st is number 149.
    command(&mut c, "sort received");
    for _ in 0..300 {
        key(&mut c, KeyCode::Char('j'));
    }
    let s = screen(&mut c, 200, 50);
    assert!(s.contains("Обращение 149"), "{s}");
}

#[test]
fn the_status_column_shows_when_wide_and_gives_way_at_80_columns() {
    let (_d, db) = setup();
    let mut c = console(&db);
    // The list's header row (the hint bar says «Статус» too, for `s`).
    let header = |s: &str| {
        s.lines()
            .find(|l| l.contains("Поступило"))
            .unwrap()
            .to_string()
    };
    let wide = screen(&mut c, 200, 50);
    assert!(header(&wide).contains("Статус"), "{wide}");
    assert!(
        wide.contains("В работе") && wide.contains("Дан ответ"),
        "{wide}"
    );
    let narrow = screen(&mut c, 80, 24);
    assert!(!header(&narrow).contains("Статус"), "{narrow}");
    // The «Срок» column keeps its figures at 80.
    assert!(narrow.contains("Срок"), "{narrow}");
    // Between, a list as wide as the terminal takes the status once the text keeps 30 cells.
    let mid = screen(&mut c, 120, 30);
    assert!(
        header(&mid).contains("Ответственный") && header(&mid).contains("Статус"),
        "{mid}"
    );
}

#[test]
fn without_a_block_and_not_assigned_are_filter_values() {
    let (_d, db) = setup();
    for (w, h) in [(80, 24), (200, 50)] {
        // The block chooser: «без блока» typed, Enter.
        let mut c = console(&db);
        ch(&mut c, "fb");
        ch(&mut c, "без блока");
        key(&mut c, KeyCode::Enter);
        let s = screen(&mut c, w, h);
        assert!(s.contains("Входящие · 1/1 — без блока"), "{s}");
        assert!(s.contains("Свалка"), "{s}");
        // The recipient chooser: «не назначено».
        let mut c = console(&db);
        ch(&mut c, "fr");
        ch(&mut c, "не назн");
        key(&mut c, KeyCode::Enter);
        let s = screen(&mut c, w, h);
        assert!(s.contains("Входящие · 1/3 — не назначено"), "{s}");
        in_order(&s, &["Автобус", "Колонка", "Свалка"]);
        // And as commands.
        let mut c = console(&db);
        command(&mut c, "recipient none");
        assert!(screen(&mut c, w, h).contains("Входящие · 1/3 — не назначено"));
        command(&mut c, "block none");
        assert!(screen(&mut c, w, h).contains("Входящие · 1/1 — без блока · не назначено"));
    }
}

#[test]
fn enter_on_a_blocks_overdue_figure_lists_exactly_those_appeals() {
    let (_d, db) = setup();
    let store = open_store(&db);
    let mon = mcu::analytics::monitoring(&store, now()).unwrap();
    let housing = mon
        .blocks
        .iter()
        .position(|b| b.block.as_deref() == Some("housing"))
        .unwrap();
    let figure = mon.blocks[housing].overdue;
    assert_eq!(figure, 1, "the seed has one overdue ЖКХ appeal");
    for (w, h) in [(80, 24), (200, 50)] {
        let mut c = console(&db);
        key(&mut c, KeyCode::Tab);
        for _ in 0..housing {
            key(&mut c, KeyCode::Char('j'));
        }
        key(&mut c, KeyCode::Enter);
        let s = screen(&mut c, w, h);
        assert!(
            s.contains(&format!("Входящие · 1/{figure} — ЖКХ")),
            "{w}: {s}"
        );
        assert!(s.contains("просроченные"), "{s}");
        assert!(s.contains("Фонарь"), "{s}");
        assert!(!s.contains("Колонка"), "due today, not overdue:\n{s}");
    }
}

#[test]
fn d_deletes_a_saved_view_after_a_yes_and_enter_keeps_it() {
    let (_d, db) = setup();
    let views = db.with_file_name("views.toml");
    let mut c = console(&db);
    command(&mut c, "block none");
    key(&mut c, KeyCode::Char('V'));
    ch(&mut c, "мои");
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Вид «мои» · 1/1"), "{s}");
    assert!(std::fs::read_to_string(&views).unwrap().contains("мои"));

    // D, the view, then Enter: the first choice is «Нет», the view stays.
    key(&mut c, KeyCode::Char('D'));
    assert!(screen(&mut c, 80, 24).contains("Удалить сохранённый вид"));
    key(&mut c, KeyCode::Enter);
    let s = screen(&mut c, 80, 24);
    assert!(
        s.contains("Удалить вид «мои»?") && s.contains("Нет, оставить"),
        "{s}"
    );
    key(&mut c, KeyCode::Enter);
    assert!(std::fs::read_to_string(&views).unwrap().contains("мои"));

    // D again and «2» (Да, удалить): gone from the file and from the views chooser.
    key(&mut c, KeyCode::Char('D'));
    key(&mut c, KeyCode::Enter);
    key(&mut c, KeyCode::Char('2'));
    assert!(!std::fs::read_to_string(&views).unwrap().contains("мои"));
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Вид «мои» удалён"), "{s}");
    assert!(s.contains("Входящие · 1/1 — без блока"), "{s}");
    key(&mut c, KeyCode::Char('v'));
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("Сегодня: что требует действия"), "{s}");
    assert!(
        s.lines()
            .filter(|l| l.contains("мои"))
            .all(|l| l.contains("удалён")),
        "{s}"
    );
}

#[test]
fn help_lists_the_new_keys_and_commands() {
    let (_d, db) = setup();
    let mut c = console(&db);
    key(&mut c, KeyCode::Char('?'));
    let mut all = String::new();
    for _ in 0..40 {
        all.push_str(&screen(&mut c, 200, 50));
        key(&mut c, KeyCode::PageDown);
    }
    for needle in [
        "Сегодня: просроченные, на сегодня, под угрозой, неразобранные",
        "Сортировка: по сроку, поступлению, блоку, ответственному",
        "Удалить сохранённый вид",
        ":today",
        ":sort ПОРЯДОК",
        ":delview ИМЯ",
    ] {
        assert!(all.contains(needle), "{needle} missing from help");
    }
}

#[test]
fn the_count_in_the_title_follows_changes_here_and_elsewhere() {
    let (_d, db) = setup();
    let mut a = console(&db);
    let mut b = console(&db);
    command(&mut a, "block none");
    command(&mut b, "block none");
    assert!(screen(&mut a, 80, 24).contains("Входящие · 1/1 — без блока"));
    // A sorts «Свалка» into a block: it leaves A's list at once…
    key(&mut a, KeyCode::Char('b'));
    key(&mut a, KeyCode::Char('2'));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("Входящие · 0/0 — без блока"), "{s}");
    // …and B's on its next tick.
    assert!(b.app.tick().unwrap());
    let s = screen(&mut b, 80, 24);
    assert!(s.contains("Входящие · 0/0 — без блока"), "{s}");
    // A new appeal without a block arrives from another connection.
    {
        let mut store = open_store(&db);
        let actor = Actor::new("seed", "import:more");
        let mut tx = store.begin_import().unwrap();
        let inc = IncomingAppeal {
            line: 2,
            source_id: "I-9".into(),
            received_at: at(27, 11),
            text: "Гололёд на тротуаре у школы".into(),
            ..Default::default()
        };
        tx.upsert(&inc, Channel::Im, &actor, now()).unwrap();
        tx.finish(&ImportedFile {
            name: "more.csv".into(),
            hash: "more".into(),
            format: "csv".into(),
            channel: None,
            imported_at: now(),
            rows: 1,
            inserted: 1,
            updated: 0,
            unchanged: 0,
            quarantined: 0,
        })
        .unwrap();
    }
    assert!(a.app.tick().unwrap());
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("Входящие · 1/1 — без блока") && s.contains("Гололёд"),
        "{s}"
    );
}
