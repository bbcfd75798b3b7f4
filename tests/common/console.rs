//! The console in a test terminal (ratatui's TestBackend): the shared set-up of the console
//! tests — a database seeded as an import would, a console over it at a fixed instant, another
//! process holding the write lock — what it draws as text, and keys pressed without modifiers.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mcu::domain::Channel;
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, ImportedFile, Store};
use mcu::tui::app::{App, Clock};
use mcu::tui::console::Console;
use mcu::tui::keymap::Keymap;
use mcu::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// An instant of Moscow time.
pub fn msk(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .to_utc()
}

/// The database at `db` with the embedded reference data.
pub fn open_store(db: &Path) -> Store {
    Store::open(db, Arc::new(Reference::embedded().unwrap())).unwrap()
}

/// The record of an imported file of `rows` new appeals, named `name`.
pub fn imported_file(name: &str, rows: i64, at: DateTime<Utc>) -> ImportedFile {
    ImportedFile {
        name: name.into(),
        hash: name.into(),
        format: "csv".into(),
        channel: None,
        imported_at: at,
        rows,
        inserted: rows,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    }
}

/// Writes appeals into the database as the import of file `name` by `actor` would, at `at`.
pub fn seed_as(
    db: &Path,
    actor: &Actor,
    name: &str,
    at: DateTime<Utc>,
    appeals: &[(Channel, IncomingAppeal)],
) {
    let mut store = open_store(db);
    let mut tx = store.begin_import().unwrap();
    for (channel, inc) in appeals {
        tx.upsert(inc, *channel, actor, at).unwrap();
    }
    tx.finish(&imported_file(name, appeals.len() as i64, at))
        .unwrap();
}

/// [`seed_as`] by the seed's import, file `seed.csv`.
pub fn seed(db: &Path, at: DateTime<Utc>, appeals: &[(Channel, IncomingAppeal)]) {
    seed_as(
        db,
        &Actor::new("seed", "import:seed"),
        "seed.csv",
        at,
        appeals,
    );
}

/// An appeal as a file brings it: its source id, when it was received, its text.
pub fn appeal(source: &str, received: DateTime<Utc>, text: &str) -> IncomingAppeal {
    IncomingAppeal {
        line: 1,
        source_id: source.into(),
        received_at: received,
        text: text.into(),
        ..Default::default()
    }
}

/// A console of `login` over the database at `db` at the fixed instant `now`, loaded; without
/// colours, with the built-in keys and saved views kept beside the database.
pub fn console_as(db: &Path, now: DateTime<Utc>, login: &str) -> Console {
    let mut app = App::new(
        open_store(db),
        Theme::new(false, false),
        Clock::Fixed(now),
        login.into(),
        "okrug".into(),
    );
    if let Some(dir) = db.parent() {
        app.env.views_path = Some(dir.join("views.toml"));
    }
    app.load().unwrap();
    Console::new(app, Keymap::builtin().unwrap())
}

/// Another process holding the database's write lock (until it commits or rolls back).
pub fn hold_lock(db: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute_batch("BEGIN IMMEDIATE").unwrap();
    c
}

/// The console drawn into a `w`×`h` test terminal, one line of text per row.
pub fn screen(c: &mut Console, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| c.draw(f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Presses one key without modifiers.
pub fn key(c: &mut Console, code: KeyCode) {
    c.key(KeyEvent::new(code, KeyModifiers::NONE)).unwrap();
}

/// Types each character of `s` as a key.
pub fn chars(c: &mut Console, s: &str) {
    for x in s.chars() {
        key(c, KeyCode::Char(x));
    }
}
