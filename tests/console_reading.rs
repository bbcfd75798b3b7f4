//! Reading the console at any size, in ratatui's `TestBackend`: the help's key column and its own
//! keys, help and detail stopping at their last row, Tab in the detail, Esc taking back a search
//! or a filter, and numbers that are never cut at narrow widths (text is).

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mcu::domain::Channel;
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, ImportedFile, Store};
use mcu::tui::app::{App, Clock, Panel};
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

fn open_store(db: &Path) -> Store {
    Store::open(db, Arc::new(Reference::embedded().unwrap())).unwrap()
}

/// The recipients of the seeded appeals (a dozen: the ranking's places take two digits).
const RECIPIENTS: [&str; 12] = [
    "Отдел ЖКХ и благоустройства",
    "Отдел дорожного хозяйства",
    "Управление образования",
    "Отдел культуры",
    "Отдел транспорта",
    "Отдел по делам молодёжи",
    "Комитет по имуществу",
    "Отдел экономики",
    "Отдел безопасности",
    "Отдел спорта",
    "Липовский территориальный отдел",
    "Заречный территориальный отдел",
];

/// `n` appeals of block ЖКХ received over the weeks before `now()` (most of them overdue: the
/// per-block figures take three digits), and «Нет воды…», the newest, with a long text.
fn seed(db: &Path, n: usize) {
    let mut store = open_store(db);
    let actor = Actor::new("seed", "import:seed");
    let mut tx = store.begin_import().unwrap();
    for i in 0..n {
        let hours = 2 + (i as i64 * 7) % (24 * 40);
        let inc = IncomingAppeal {
            line: i as u64 + 1,
            source_id: format!("H-{i}"),
            received_at: now() - chrono::Duration::hours(hours),
            text: format!("Не вывозят мусор с площадки у дома {i}"),
            block: Some("housing".into()),
            responsible: Some(RECIPIENTS[i % RECIPIENTS.len()].into()),
            ..Default::default()
        };
        tx.upsert(&inc, Channel::Im, &actor, now()).unwrap();
    }
    // Long words (photo links) wrap a row each: more rows than the text's width divided by the
    // row's.
    let links: Vec<String> = (0..10)
        .map(|i| format!("https://gorod.example.ru/obrashcheniya/2026/{i:04}/foto-{i}.jpg"))
        .collect();
    let long = format!(
        "{}\nФото: {}",
        "Нет воды в колонке с утра, дети без воды. ".repeat(12),
        links.join(" ")
    );
    let inc = IncomingAppeal {
        line: n as u64 + 1,
        source_id: "W-1".into(),
        received_at: now() - chrono::Duration::minutes(30),
        text: long.trim_end().into(),
        author: Some("Орлова Вера Ивановна".into()),
        ..Default::default()
    };
    tx.upsert(&inc, Channel::Im, &actor, now()).unwrap();
    tx.finish(&ImportedFile {
        name: "seed.csv".into(),
        hash: "seed".into(),
        format: "csv".into(),
        channel: None,
        imported_at: now(),
        rows: n as i64 + 1,
        inserted: n as i64 + 1,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
}

fn setup(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcu.db");
    seed(&db, n);
    (dir, db)
}

fn console(db: &Path, keymap: Keymap) -> Console {
    let mut app = App::new(
        open_store(db),
        Theme::new(false, false),
        Clock::Fixed(now()),
        "petrova".into(),
        "okrug".into(),
    );
    app.load().unwrap();
    Console::new(app, keymap)
}

fn ch(c: &mut Console, s: &str) {
    for x in s.chars() {
        key(c, KeyCode::Char(x));
    }
}

fn shift_tab(c: &mut Console) {
    c.key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT))
        .unwrap();
}

/// The rows inside the help's box (between its side borders, under its title).
fn boxed(s: &str) -> Vec<String> {
    let lines: Vec<Vec<char>> = s.lines().map(|l| l.chars().collect()).collect();
    let Some(top) = lines
        .iter()
        .position(|l| l.iter().collect::<String>().contains("┌ Помощь"))
    else {
        return Vec::new();
    };
    let title: String = lines[top].iter().collect();
    let left = title[..title.find("┌ Помощь").unwrap_or(0)].chars().count();
    let right = left
        + lines[top][left..]
            .iter()
            .position(|&c| c == '┐')
            .unwrap_or(0);
    lines[top + 1..]
        .iter()
        .take_while(|l| l.get(left) == Some(&'│'))
        .map(|l| l[left + 1..right.min(l.len())].iter().collect())
        .collect()
}

#[test]
fn the_help_key_column_never_runs_into_the_text_at_any_width() {
    let (_d, db) = setup(3);
    // A user binding with a long list of keys for one action, next to the shipped ones.
    let user = Keymap::with_user(
        "keymap.toml",
        "[list]\nprepend_keymap = [\n\
         { on = \"<C-n>\", run = \"down\", desc = \"Вниз\" },\n\
         { on = \"<C-j>\", run = \"down\", desc = \"Вниз\" },\n\
         { on = \"<F5>\", run = \"down\", desc = \"Вниз\" },\n\
         { on = \"<F6>\", run = \"down\", desc = \"Вниз\" },\n\
         { on = \"<F7>\", run = \"down\", desc = \"Вниз\" },\n\
         { on = \"<F8>\", run = \"down\", desc = \"Вниз\" },\n\
         ]\n",
    )
    .unwrap();
    let mut c = console(&db, user);
    key(&mut c, KeyCode::Char('?'));
    for (w, h) in [(80u16, 24u16), (120, 40), (50, 30)] {
        let s = screen(&mut c, w, h);
        let rows = boxed(&s);
        // Every key row: two spaces, the keys, a space, then the description — which starts in
        // the same column on every row.
        let starts: Vec<usize> = rows
            .iter()
            .filter(|r| r.starts_with("  ") && !r.starts_with("   "))
            .filter_map(|r| {
                ["Вниз", "Вверх", "Страница вниз", "В начало", "В конец"]
                    .iter()
                    .find_map(|d| r.find(&format!(" {d}")))
                    .map(|b| r[..b].chars().count() + 1)
            })
            .collect();
        assert!(!starts.is_empty(), "{s}");
        let col = starts[0];
        assert!(
            starts.iter().all(|&x| x == col),
            "descriptions in one column at {w}x{h}: {starts:?}\n{s}"
        );
        assert!(!s.contains("Ctrl-jВниз") && !s.contains("F8Вниз"), "{s}");
        // A key list wider than its column is cut with «…», the description still after it.
        assert!(
            rows.iter().any(|r| r.contains("… Вниз")),
            "the long keys are cut at {w}x{h}:\n{s}"
        );
    }
}

#[test]
fn a_wrapped_help_description_stays_in_its_column() {
    let (_d, db) = setup(3);
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('?'));
    // Far enough down to show the input section's long «Enter» description.
    let mut seen = false;
    for _ in 0..300 {
        let s = screen(&mut c, 60, 24);
        let rows = boxed(&s);
        if let Some(i) = rows.iter().position(|r| r.contains("Готово (в")) {
            let desc_col = rows[i].find("Готово").unwrap();
            if let Some(next) = rows.get(i + 1) {
                let lead = next.len() - next.trim_start().len();
                assert!(
                    lead >= desc_col,
                    "the continuation starts under the description:\n{s}"
                );
                seen = true;
                break;
            }
        }
        key(&mut c, KeyCode::Char('j'));
    }
    assert!(
        seen,
        "the wrapped description was not found:\n{}",
        screen(&mut c, 60, 24)
    );
}

#[test]
fn help_takes_its_own_keys_and_the_list_behind_it_stays() {
    let (_d, db) = setup(40);
    let mut c = console(&db, Keymap::builtin().unwrap());
    let before = c.app.main.incoming.selected;
    key(&mut c, KeyCode::Char('?'));
    let top = screen(&mut c, 80, 24);
    for k in [
        KeyCode::Char('G'),
        KeyCode::End,
        KeyCode::PageDown,
        KeyCode::PageUp,
        KeyCode::Home,
        KeyCode::Char('g'),
        KeyCode::Char('g'),
        KeyCode::Down,
    ] {
        key(&mut c, k);
        assert!(c.app.popup().is_some(), "help stays open after {k:?}");
        assert_eq!(c.app.main.incoming.selected, before, "{k:?} moved the list");
    }
    key(&mut c, KeyCode::Home);
    assert_eq!(screen(&mut c, 80, 24), top, "Home: back to the top");
    key(&mut c, KeyCode::End);
    let end = screen(&mut c, 80, 24);
    assert_ne!(end, top, "End scrolls the help");
    key(&mut c, KeyCode::PageUp);
    assert_ne!(screen(&mut c, 80, 24), end, "PgUp scrolls it back");
    key(&mut c, KeyCode::Esc);
    assert_eq!(c.app.main.incoming.selected, before);
}

#[test]
fn help_stops_at_its_last_row_at_80x24_and_120x40() {
    let (_d, db) = setup(3);
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Char('?'));
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        key(&mut c, KeyCode::Char('G'));
        let end = screen(&mut c, w, h);
        for _ in 0..5 {
            key(&mut c, KeyCode::Char('j'));
        }
        key(&mut c, KeyCode::PageDown);
        assert_eq!(screen(&mut c, w, h), end, "no scrolling past the end");
        let rows = boxed(&end);
        let last = rows.iter().rposition(|r| !r.trim().is_empty()).unwrap_or(0);
        // The last page is full (no blank page) and ends with the help's last section.
        assert!(
            last + 3 >= rows.len(),
            "blank rows at the end at {w}x{h}:\n{end}"
        );
        assert!(
            end.contains("Нет, отменить"),
            "the help's last line:\n{end}"
        );
        key(&mut c, KeyCode::Home);
    }
}

#[test]
fn the_detail_scrolls_to_its_very_last_row_with_long_wrapped_text() {
    let (_d, db) = setup(3);
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Enter);
    assert!(c.app.detail().is_some());
    for (w, h) in [(80u16, 24u16), (120, 40), (47, 24)] {
        screen(&mut c, w, h); // the terminal at this size first, as after a resize
        key(&mut c, KeyCode::Char('G'));
        let s = screen(&mut c, w, h);
        // The history's last line is the creation («создано»): on the last page.
        assert!(
            s.contains("создано"),
            "the last row is reachable at {w}x{h}:\n{s}"
        );
        for _ in 0..3 {
            key(&mut c, KeyCode::Char('j'));
        }
        assert_eq!(screen(&mut c, w, h), s, "nothing past the end at {w}x{h}");
        // The title's count ends at the last row.
        let title = s.lines().next().unwrap_or("");
        if let Some((range, total)) = title
            .split("строки ")
            .nth(1)
            .and_then(|r| r.split_once(" из "))
        {
            let total: String = total.chars().take_while(char::is_ascii_digit).collect();
            assert!(range.ends_with(&format!("–{total}")), "{title}");
        }
        key(&mut c, KeyCode::Home);
    }
}

#[test]
fn tab_in_the_detail_moves_between_its_sections_and_not_the_panels_behind() {
    let (_d, db) = setup(3);
    let mut c = console(&db, Keymap::builtin().unwrap());
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.app.main.focus, Panel::Incoming);
    let top = screen(&mut c, 80, 24);
    key(&mut c, KeyCode::Tab);
    assert_eq!(
        c.app.main.focus,
        Panel::Incoming,
        "the list keeps its focus"
    );
    let fields = screen(&mut c, 80, 24);
    assert_ne!(fields, top, "Tab scrolled the detail");
    // The fields' section is at the top of the page now.
    let first = fields.lines().nth(1).unwrap_or("");
    assert!(first.contains("Поступило"), "{fields}");
    key(&mut c, KeyCode::Tab);
    let deadlines = screen(&mut c, 80, 24);
    assert_ne!(deadlines, fields, "the next section");
    assert!(deadlines.contains("Ответ до"), "{deadlines}");
    shift_tab(&mut c);
    assert_eq!(
        screen(&mut c, 80, 24),
        fields,
        "Shift-Tab: back one section"
    );
    // Past the last section: back to the top.
    for _ in 0..2 {
        key(&mut c, KeyCode::Tab);
        screen(&mut c, 80, 24);
    }
    assert_eq!(screen(&mut c, 80, 24), top, "round to the top");
    assert_eq!(c.app.main.focus, Panel::Incoming);
    key(&mut c, KeyCode::Esc);
    assert!(c.app.detail().is_none());
    assert_eq!(c.app.main.focus, Panel::Incoming);
}

#[test]
fn esc_takes_back_a_filter_or_a_search_and_says_so() {
    let (_d, db) = setup(5);
    let mut c = console(&db, Keymap::builtin().unwrap());
    let all = c.app.main.incoming.total;
    // f b: a block filter.
    ch(&mut c, "fb");
    key(&mut c, KeyCode::Char('1'));
    assert!(c.app.main.incoming.total < all, "filtered");
    key(&mut c, KeyCode::Esc);
    assert_eq!(c.app.main.incoming.total, all, "Esc: the filter is gone");
    let m = c.app.env.messages.last().unwrap().text.clone();
    assert!(m.contains("сняты"), "{m}");
    let s = screen(&mut c, 80, 24);
    assert!(s.contains("сняты"), "said on the status line:\n{s}");
    // A search likewise.
    key(&mut c, KeyCode::Char('/'));
    ch(&mut c, "колонке");
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.app.main.incoming.total, 1);
    key(&mut c, KeyCode::Esc);
    assert_eq!(c.app.main.incoming.total, all);
    // Nothing to take back: Esc does nothing and says nothing new.
    let n = c.app.env.messages.recent().count();
    key(&mut c, KeyCode::Esc);
    assert_eq!(c.app.env.messages.recent().count(), n);
}

/// Whether `row` shows a number cut short: a date or time without its last digits, a time left
/// without its unit's end («17 р» of «17 р.д.»).
fn cut_number(row: &str) -> Option<String> {
    let tokens: Vec<&str> = row
        .split(|c: char| c.is_whitespace() || c == '│')
        .filter(|t| !t.is_empty())
        .collect();
    for (i, t) in tokens.iter().enumerate() {
        let t = t.trim_start_matches('−');
        let next = tokens.get(i + 1).copied().unwrap_or("");
        if t.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            let digits_only = t.chars().all(|c| c.is_ascii_digit());
            let date = t.len() == 5 && (t.as_bytes()[2] == b'.' || t.as_bytes()[2] == b':');
            let score = t.contains('.') && t.split('.').nth(1).is_some_and(|f| f.len() == 1);
            let percent = t.ends_with('%');
            if !(digits_only || date || score || percent) {
                return Some(format!("«{t}» in «{row}»"));
            }
            if digits_only && next.starts_with('р') && next != "р.д." {
                return Some(format!("«{t} {next}» in «{row}»"));
            }
        }
    }
    None
}

#[test]
fn numbers_are_never_cut_at_narrow_widths_text_is() {
    let (_d, db) = setup(230);
    let mut c = console(&db, Keymap::builtin().unwrap());
    let mon = c.app.main.monitoring.clone().unwrap();
    let housing = mon
        .blocks
        .iter()
        .find(|b| b.block.as_deref() == Some("housing"))
        .unwrap()
        .clone();
    assert!(housing.open >= 100, "three digits: {}", housing.open);
    assert!(c.app.main.ranking.len() >= 10, "two-digit places");
    for (w, h) in [
        (80u16, 24u16),
        (70, 24),
        (60, 24),
        (50, 24),
        (40, 24),
        (36, 24),
        (30, 24),
        (24, 20),
    ] {
        let s = screen(&mut c, w, h);
        let lines: Vec<&str> = s.lines().collect();
        // The list: every row's dates, times and time left whole (or left out).
        let list_end = lines
            .iter()
            .skip(1)
            .position(|l| l.starts_with('└'))
            .unwrap()
            + 1;
        for row in &lines[2..list_end] {
            assert_eq!(cut_number(row), None, "at {w}x{h}:\n{s}");
        }
        // The panels under it: «ЖКХ 149 20 59», never «ЖКХ 14 2 5».
        let head = lines.iter().position(|l| l.contains("Просрочен")).unwrap();
        let header = lines[head + 1];
        let (left_h, right_h) = header.split_once("││").unwrap();
        let row = lines
            .iter()
            .skip(head + 2)
            .find(|l| l.starts_with("│ЖКХ"))
            .unwrap();
        let (left, right) = row.split_once("││").unwrap();
        let nums: Vec<&str> = left.trim_matches('│').split_whitespace().skip(1).collect();
        let expected = [housing.open, housing.at_risk, housing.overdue];
        let shown = ["Откр", "Риск", "Проср"]
            .iter()
            .filter(|h| left_h.contains(*h))
            .count();
        assert_eq!(nums.len(), shown, "one number per column at {w}x{h}:\n{s}");
        for (n, e) in nums.iter().zip(expected) {
            assert_eq!(*n, e.to_string(), "at {w}x{h}:\n{s}");
        }
        // The ranking: the place and the score whole; a column without room is left out.
        for (i, r) in c.app.main.ranking.iter().enumerate().take(3) {
            let line = lines[head + 2 + i];
            let right = line.split_once("││").map_or(right, |(_, r)| r);
            let tokens: Vec<&str> = right.trim_matches('│').split_whitespace().collect();
            assert_eq!(
                tokens.first().copied(),
                Some(r.rank.to_string().as_str()),
                "the place at {w}x{h}:\n{s}"
            );
            if right_h.contains("Балл") {
                assert!(
                    tokens.contains(&format!("{:.1}", r.score).as_str()),
                    "the score at {w}x{h}:\n{s}"
                );
            }
            assert_eq!(cut_number(right), None, "at {w}x{h}:\n{s}");
        }
        // The status line: the clock whole.
        let status = lines[lines.len() - 2];
        assert!(status.contains("12:00"), "the clock at {w}x{h}: «{status}»");
    }
}

#[test]
fn the_list_the_overdue_panel_mcu_show_and_mcu_stats_say_the_same_days_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("okrug");
    let run = |args: &[&str]| {
        let out = common::operators::mcu(&ws, args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["init"]);
    let csv = dir.path().join("pos.csv");
    // Received Monday 02.11 09:00; 10 working days (4.11 a holiday): due Tuesday 17.11 17:00. At
    // Thursday 19.11 15:00 that is 14 working hours — one whole working day — though the dates
    // 17.11 and 19.11 are two working days apart: every view says «1 р.д.».
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
    assert!(shown.contains("просрочено 1 р.д."), "{shown}");
    let stats = run(&["stats", "--now", now]);
    let line = stats
        .lines()
        .find(|l| l.contains("без блока") && l.contains("р.д."))
        .unwrap_or_else(|| panic!("{stats}"));
    assert!(line.contains(" 1 р.д."), "mcu stats: «{line}»");
    let mut app = App::new(
        open_store(&ws.join("mcu.db")),
        Theme::new(false, false),
        Clock::Fixed(DateTime::parse_from_rfc3339(now).unwrap().to_utc()),
        "petrova".into(),
        "okrug".into(),
    );
    app.load().unwrap();
    let mut c = Console::new(app, Keymap::builtin().unwrap());
    let s = screen(&mut c, 200, 40);
    let row = s.lines().find(|l| l.contains("Не вывозят")).unwrap();
    assert!(row.contains("−1 р.д."), "the list: «{row}»");
    let panel = s
        .lines()
        .find(|l| l.contains("│без блока"))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(panel.contains(" 1 р.д."), "the overdue panel: «{panel}»");
    // The detail says it the same way.
    key(&mut c, KeyCode::Enter);
    let d = screen(&mut c, 120, 40);
    assert!(d.contains("−1 р.д."), "{d}");
}
