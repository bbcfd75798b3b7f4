//! Personal data inside free text (an appeal's text, its answer, a note) is masked for roles
//! without the personal-data right everywhere the text is shown or exported — the console's list
//! and detail, `mcu list`, `show`, `export`, `conflicts`, `dups`, `hot`, `rank --explain` — and
//! nothing from a file's rows reaches the log.
//!
//! The command-line tests play each operator with `MCU_AS`, honoured only for root (CI runs as
//! root); as another user they say so and stop early.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::ops::Deref;
use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mcu::domain::Channel;
use mcu::domain::access::{Grants, Role};
use mcu::ingest::IncomingAppeal;
use mcu::store::{Actor, Change, ImportedFile, Store};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::{Console, bindings_for};
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;

mod common;
use common::engine::{Engine, TestStore, on_both_engines};
use common::operators::{AsOperator, is_root};

/// A citizen's text with their name, address, phone and e-mail in it.
const TEXT: &str = "Иванова Мария Алексеевна, ул. Центральная, д. 42, кв. 7, тел. +7 999 555 12 34, \
                    m.ivanova@mail.ru: во дворе огромная яма, 12.11.2026 сломала ногу, лечение 3 500 руб.";
/// The answer names her too.
const ANSWER: &str = "Ответ направлен Ивановой М. А. по адресу ул. Центральная, д. 42";
/// A note with a phone.
const NOTE: &str = "Перезвонить по номеру 8 (999) 555-12-34";
/// None of these may show where personal data is masked.
const PLANTED: &[&str] = &[
    "555",
    "Иванова",
    "Ивановой",
    "Мария",
    "Алексеевна",
    "д. 42",
    "кв. 7",
    "m.ivanova",
];
/// What masking keeps: the street, the date, the amount, the problem.
const KEPT: &[&str] = &[
    "ул. Центральная",
    "12.11.2026",
    "3 500 руб.",
    "огромная яма",
];

fn leaks(out: &str) -> Vec<&'static str> {
    PLANTED
        .iter()
        .copied()
        .filter(|p| out.contains(p))
        .collect()
}

fn now() -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 11, 27, 12, 0, 0)
        .unwrap()
        .to_utc()
}

struct Ws(AsOperator);

impl Deref for Ws {
    type Target = AsOperator;
    fn deref(&self) -> &AsOperator {
        &self.0
    }
}

impl Ws {
    fn file(&self, name: &str, content: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }
}

fn new_ws(engine: Engine) -> Ws {
    Ws(AsOperator::on(engine))
}

/// Two appeals with the same text (a proposed duplicate), a conflict, an answer and a note.
fn workspace(engine: Engine) -> Ws {
    let ws = new_ws(engine);
    ws.ok("boss", &["init"]);
    let csv = ws.file(
        "in.csv",
        &format!(
            "id;received_at;text;block;author;contact\n\
             R-1;2026-11-24 10:00;{TEXT};roads;Иванова Мария Алексеевна;+7 999 555 12 34\n\
             R-2;2026-11-24 11:00;{TEXT};roads;Иванова Мария Алексеевна;+7 999 555 12 34\n"
        ),
    );
    ws.ok(
        "boss",
        &[
            "import",
            "--channel",
            "pos",
            "--no-triage",
            csv.to_str().unwrap(),
        ],
    );
    ws.ok(
        "boss",
        &["classify", "--pending", "--now", "2026-11-24 12:00"],
    );
    ws.ok("boss", &["recipients", "add", "Отдел дорог"]);
    ws.ok(
        "boss",
        &[
            "set",
            "pos:R-1",
            "--responsible",
            "Отдел дорог",
            "--conflict",
            "true",
            "--answer",
            ANSWER,
            "--answered-at",
            "2026-11-26 10:00",
            "--note",
            NOTE,
        ],
    );
    for (login, role) in [
        ("obs", "observer"),
        ("pg", "pages"),
        ("coord", "coordinator"),
    ] {
        ws.ok(
            "boss",
            &[
                "operator",
                "add",
                login,
                "--name",
                "Оператор",
                "--role",
                role,
            ],
        );
    }
    ws
}

/// Every command that shows or exports an appeal's text.
const SHOWING: &[&[&str]] = &[
    &["list"],
    &["list", "--json"],
    &["show", "pos:R-1"],
    &["show", "pos:R-1", "--json"],
    &["show", "pos:R-2"],
    &["export"],
    &["conflicts", "--from", "2026-11-01", "--to", "2026-11-30"],
    &[
        "conflicts",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--json",
    ],
    &["dups"],
    &["dups", "--json"],
    &["hot", "--now", "2026-11-27 12:00", "--all"],
    &["hot", "--now", "2026-11-27 12:00", "--json"],
    &[
        "rank",
        "--explain",
        "Отдел дорог",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
    ],
    &[
        "rank",
        "--explain",
        "Отдел дорог",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--json",
    ],
];

fn free_text_personal_data_is_masked_wherever_it_is_shown(engine: Engine) {
    if !is_root() {
        return;
    }
    let ws = workspace(engine);
    let mut wrong = Vec::new();
    for who in ["obs", "pg"] {
        for args in SHOWING {
            let out = ws.ok(who, args);
            let l = leaks(&out);
            if !l.is_empty() {
                wrong.push(format!("{who} {args:?} shows {l:?}:\n{out}"));
            }
        }
        // Masking keeps what the officer needs: the street, the date, the amount.
        let shown = ws.ok(who, &["show", "pos:R-1"]);
        for k in KEPT {
            assert!(shown.contains(k), "{who}: «{k}» lost:\n{shown}");
        }
    }
    // An export without --with-personal-data is masked whoever runs it.
    let exported = ws.ok("coord", &["export"]);
    if !leaks(&exported).is_empty() {
        wrong.push(format!("coordinator's plain export: {exported}"));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    // Those with the right see it all: text, answer, note.
    let shown = ws.ok("coord", &["show", "pos:R-1"]);
    for p in [TEXT, ANSWER, NOTE] {
        assert!(shown.contains(p), "{p} not in:\n{shown}");
    }
    assert!(
        ws.ok("coord", &["export", "--with-personal-data"])
            .contains(TEXT)
    );
}

/// The console of an observer: the list row and the detail (text, answer, history) masked.
fn the_console_masks_free_text_in_the_list_and_the_detail(engine: Engine) {
    let mut seeded_store = TestStore::embedded(engine);
    seed(&mut seeded_store);
    let mut store = seeded_store.open_again();
    let id = store.find("pos:R-1").unwrap().id;
    store
        .update(
            id,
            &[
                Change::Answer(Some(ANSWER.into())),
                Change::Note(NOTE.into()),
            ],
            None,
            &Actor::new("boss", "cli"),
            now(),
        )
        .unwrap();
    let observer = Grants::new("obs", vec![Role::Observer], vec![]);
    let keymap = bindings_for(Keymap::builtin().unwrap(), &observer, false);
    let mut app = App::new(
        store,
        Theme::new(false, false),
        Clock::Fixed(now()),
        "obs".into(),
        "w".into(),
    );
    app.set_grants(observer);
    app.load().unwrap();
    let mut c = Console::new(app, keymap);
    let (w, h) = (220u16, 70u16);
    let screen = |c: &mut Console| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
        t.draw(|f| c.draw(f)).unwrap();
        let b = t.backend().buffer().clone();
        (0..h)
            .map(|y| {
                (0..w)
                    .map(|x| b[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect::<String>()
    };
    let list = screen(&mut c);
    assert!(
        list.contains("И*** М. А."),
        "the row's text is not drawn:\n{list}"
    );
    assert!(leaks(&list).is_empty(), "{:?}:\n{list}", leaks(&list));
    c.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
        .unwrap();
    let detail = screen(&mut c);
    assert!(detail.contains("огромная яма"), "{detail}");
    assert!(leaks(&detail).is_empty(), "{:?}:\n{detail}", leaks(&detail));
}

fn seed(store: &mut Store) {
    let actor = Actor::new("seed", "import:seed");
    let mut tx = store.begin_import().unwrap();
    let inc = IncomingAppeal {
        line: 1,
        source_id: "R-1".into(),
        received_at: now(),
        text: TEXT.into(),
        block: Some("roads".into()),
        ..Default::default()
    };
    tx.upsert(&inc, Channel::Pos, &actor, now()).unwrap();
    tx.finish(&ImportedFile {
        name: "seed".into(),
        hash: "seed".into(),
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

/// A CSV without a header line: its first row is read as headers and refused; the refusal is
/// kept beside the file in quarantine, and nothing of the row reaches the log.
fn a_headerless_file_leaves_nothing_of_its_rows_in_the_log(engine: Engine) {
    if !is_root() {
        return;
    }
    let ws = new_ws(engine);
    ws.ok("boss", &["init"]);
    let csv = ws.file(
        "headerless.csv",
        "R-1;2026-11-24 10:00;Яма у дома;Иванова Мария Алексеевна;+7 999 555 12 34;ул. Центральная, д. 42\n\
         R-2;2026-11-24 11:00;Нет воды;Петров Иван Сергеевич;m.ivanova@mail.ru;кв. 7\n",
    );
    let out = ws.mcu(
        "boss",
        &["import", "--channel", "pos", csv.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let log = std::fs::read_to_string(&ws.log).unwrap();
    assert!(log.contains("quarantined whole"), "{log}");
    // What the lines say, without their timestamps: «555» in the nanoseconds is not a phone.
    let said = log
        .lines()
        .map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest))
        .collect::<Vec<_>>()
        .join("\n");
    for p in PLANTED
        .iter()
        .chain(&["Петров", "Яма у дома", "Центральная", "2026-11-24"])
    {
        assert!(!said.contains(p), "«{p}» in the log:\n{log}");
    }
    // Nothing lost: the file and the reason (with what it read as headers) are in quarantine.
    let q = ws.root.join("quarantine");
    let note = std::fs::read_dir(&q)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".error.txt"))
        .unwrap();
    let note = std::fs::read_to_string(note).unwrap();
    assert!(note.contains("no column for"), "{note}");
}

on_both_engines!(
    free_text_personal_data_is_masked_wherever_it_is_shown,
    the_console_masks_free_text_in_the_list_and_the_detail,
    a_headerless_file_leaves_nothing_of_its_rows_in_the_log,
);
