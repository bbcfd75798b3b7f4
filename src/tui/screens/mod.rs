//! The console's screens as components (the shape of gitui's `Component`).
//!
//! Each screen owns its state, draws itself, handles the named actions it understands and names
//! its keymap section (so help and the hint bar come from the bindings of the screen in force).
//! The app holds a stack of screens over the main one, the shared environment ([`Env`]: the store,
//! the clock, the operator's grants, the message line, the pop-up layer) and routes each action to
//! the top screen. Screens never reach into each other: what concerns another screen (open an
//! appeal, step to the next one in the list, close, refresh everything) is an [`Effect`] the app
//! carries out after the action.
//!
//! - [`main`]: the three live panels (incoming, overdue by block, ranking);
//! - [`detail`]: one appeal in full;
//! - [`analytics`]: hot topics, targets and conflicts (`:hot`, `:targets`, `:conflicts`);
//! - [`registers`]: the registers' screens (roadmaps, official pages, votes, templates) by name;
//! - [`add`]: the form of an appeal taken by hand (a call, a visitor);
//! - [`answers`]: recording an answer: the template chooser, the input, the formal-reply check;
//! - [`answer_time`]: the time of an answer, now or as the officer sets it (`Tab` in the answer);
//! - [`templates`]: the answer templates;
//! - [`votes`]: the votes and public discussions of ПОС;
//! - [`reports`]: «Отчёты», the note and the ЦУР workbook made with keys, the files in `reports/`;
//! - [`roadmaps`]: the roadmaps' list and one roadmap, and `L` (link appeals to a roadmap);
//! - [`triage`]: the triage actions every screen that shows appeals shares (set block, assign,
//!   status, answers, grades…), through the audited store;
//! - [`undo`]: taking back the officer's own last change;
//! - [`share`]: the source link (OSC 8) and copying to the clipboard (OSC 52);
//! - [`registration`]: the 59-ФЗ registration of a letter (`W`).

pub mod add;
pub mod analytics;
pub mod answer_time;
pub mod answers;
pub mod detail;
pub mod main;
pub mod pages;
pub mod registers;
pub mod registration;
pub mod reports;
pub mod roadmaps;
pub mod share;
pub mod templates;
pub mod triage;
pub mod undo;
pub mod votes;

use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::keymap::{Action, Context};
use super::messages::{Level, Messages};
use super::popup::{Popup, Purpose};
use super::theme::Theme;
use crate::domain::Appeal;
use crate::domain::access::Grants;
use crate::domain::triage::Triage;
use crate::reference::Reference;
use crate::store::{Store, StoreError};

/// The clock: real time, or a fixed instant (`--now`, tests).
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    Real,
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The current instant.
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::Real => Utc::now(),
            Clock::Fixed(t) => t,
        }
    }
}

/// What a screen asks of the app beyond its own state, carried out after the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Open an appeal in detail over the current screen.
    Open(i64),
    /// Close the top screen.
    Close,
    /// Close every screen over the main one.
    CloseAll,
    /// Close the top screen if it is this one (by its help title): a form whose write landed,
    /// unless the officer has gone elsewhere meanwhile.
    CloseTop(&'static str),
    /// Step the main list by this many rows and show the appeal now selected (detail's
    /// next/previous appeal).
    Step(isize),
    /// Move the main list to the next appeal without a block (and show it, in detail).
    NextUntriaged,
    /// Everything on screen is read again.
    Refresh,
    /// The officer's change was saved: the marks it applied to are done, and everything is read
    /// again.
    Saved,
}

/// What every screen shares: the store, the clock, who is working, the message line and the
/// pop-up layer.
pub struct Env {
    pub store: Store,
    pub reference: Arc<Reference>,
    pub theme: Theme,
    pub clock: Clock,
    pub operator: String,
    /// Shown in the status line.
    pub workspace_label: String,
    /// What the operator may do: which appeals they see, whose personal data, what they change.
    pub grants: Grants,
    /// The auto-triage model (built at start with the officers' corrections so far).
    pub triage: Option<Arc<Triage>>,
    /// The officer's messages and the background's notices (the status line shows one).
    pub messages: Messages,
    /// The keys that may follow a started chord, shown in the hint bar until it is finished.
    pub chord: Option<String>,
    pub last_import: Option<String>,
    /// Where saved views are kept (`~/.config/mcu/views.toml`).
    pub views_path: Option<PathBuf>,
    /// The pop-up over the screens (chooser, input, confirmation, help), if any.
    pub popup: Option<Popup>,
    /// Opened read-only, or the operator's roles change nothing: shown in the status line.
    pub read_only: bool,
    /// Something changed since the last frame.
    pub dirty: bool,
    /// The clock's instant when the last frame was drawn (what the screen shows is true then).
    pub drawn_at: DateTime<Utc>,
    pub quit: bool,
    /// The other operators who have the appeal open in detail now (`tui::presence`).
    pub presence: Vec<String>,
    /// Bytes for the terminal after the next frame: the bell, OSC 52 copies, OSC 8 links
    /// (`tui::links`); the event loop writes them.
    pub output: Vec<u8>,
    /// New urgent appeals: highlighted, and the bell (`tui::alerts`).
    pub alerts: crate::tui::alerts::Alerts,
    /// The officer's changes on their way to the database (`tui::writes`).
    pub writes: crate::tui::writes::Writes,
    /// The officer's own last saved change, which `undo` takes back.
    pub last_change: Option<undo::LastChange>,
    effects: Vec<Effect>,
    /// Screens asked to be opened over the current one (a register's list, one entry).
    screens: Vec<Box<dyn Screen>>,
}

impl Env {
    /// The environment of a console over an open store.
    pub fn new(store: Store, theme: Theme, clock: Clock, grants: Grants, label: String) -> Self {
        Self {
            reference: store.reference().clone(),
            store,
            theme,
            clock,
            operator: grants.login.clone(),
            workspace_label: label,
            grants,
            triage: None,
            messages: Messages::default(),
            chord: None,
            last_import: None,
            views_path: super::views::default_path(),
            popup: None,
            read_only: false,
            dirty: true,
            drawn_at: clock.now(),
            quit: false,
            presence: Vec::new(),
            output: Vec::new(),
            alerts: Default::default(),
            writes: Default::default(),
            last_change: None,
            effects: Vec::new(),
            screens: Vec::new(),
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Shows a message in the status line: the answer to the officer's action, or an error.
    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        let level = if error { Level::Error } else { Level::Info };
        let now = self.now();
        self.messages.push(text, level, now);
        self.dirty = true;
    }

    /// A notice from the background (an import came in): shown when the officer's own message
    /// is not, kept in the history either way.
    pub fn notice(&mut self, text: impl Into<String>) {
        let now = self.now();
        self.messages.push(text, Level::Notice, now);
        self.dirty = true;
    }

    /// Sends bytes to the terminal after the next frame (and makes sure there is one).
    pub fn emit(&mut self, bytes: &[u8]) {
        self.output.extend_from_slice(bytes);
        self.dirty = true;
    }

    /// Asks the app for something beyond the screen's own state.
    pub fn request(&mut self, e: Effect) {
        self.effects.push(e);
    }

    /// The requests made since the last call.
    pub(crate) fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Opens a screen over the current one (after the action; the app reads its data first).
    pub fn push_screen(&mut self, s: Box<dyn Screen>) {
        self.screens.push(s);
        self.dirty = true;
    }

    /// The screens asked to be opened since the last call.
    pub(crate) fn take_screens(&mut self) -> Vec<Box<dyn Screen>> {
        std::mem::take(&mut self.screens)
    }

    /// Opens a pop-up.
    pub fn open(&mut self, p: Popup) {
        self.popup = Some(p);
    }
}

/// A store error as the officer reads it, in Russian (the store's own texts are for scripts and
/// logs). `what` names what was looked for, for «not found».
pub fn error_text(e: &StoreError, what: Option<&str>) -> String {
    match e {
        StoreError::NotFound(_) => match what {
            Some(w) => format!("Нет обращения «{w}»"),
            None => "Не найдено".into(),
        },
        StoreError::Stale { id, .. } => {
            format!("№{id} изменено другим оператором — показано текущее состояние, повторите")
        }
        StoreError::Denied(m) => format!("Недоступно вашей роли: {m}"),
        StoreError::Invalid(m) => format!("Не сохранено: {m}"),
        StoreError::Db(e) if e.is_busy() => {
            "База данных занята другим процессом — изменение не сохранено, повторите".into()
        }
        StoreError::Db(_) => "Ошибка базы данных (подробности в журнале)".into(),
        StoreError::Calendar(e) => format!("Календарь: {e}"),
    }
}

/// One screen of the console.
pub trait Screen {
    /// The keymap section in force while this screen is on top.
    fn context(&self) -> Context;

    /// The title of its section in the help screen.
    fn help_title(&self) -> &'static str;

    /// Whether an action of its own keymap section does something here: a screen that shares a
    /// section with others (the «Отчёты» screen and the registers) leaves the rest out of its
    /// hint bar and help. All of them by default.
    fn offers(&self, _action: &Action) -> bool {
        true
    }

    /// The `:` commands this screen takes (listed in help); none by default.
    fn commands(&self) -> &'static [crate::tui::commands::Command] {
        &[]
    }

    /// Draws the screen into `area` (everything but the status line and the hint bar).
    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env);

    /// Performs an action; `false` when the screen has nothing to do with it (the app then
    /// offers it to the triage actions, on [`Screen::targets`]).
    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError>;

    /// The result of a pop-up this screen opened came in (a chosen value or a submitted text);
    /// `false` when the purpose is not the screen's own.
    fn on_result(
        &mut self,
        _purpose: &Purpose,
        _value: &str,
        _env: &mut Env,
    ) -> Result<bool, StoreError> {
        Ok(false)
    }

    /// Reads its data again (a change here or by another process).
    fn refresh(&mut self, env: &mut Env) -> Result<(), StoreError>;

    /// The appeals a triage action applies to.
    fn targets(&self) -> Vec<i64> {
        Vec::new()
    }

    /// The appeal in front of the officer (for «accept the suggestion»), if any.
    fn current(&self) -> Option<&Appeal> {
        None
    }

    /// An appeal as this screen shows it (so a save against a stale view is refused rather
    /// than silently overwriting what someone else changed meanwhile).
    fn seen(&self, _id: i64) -> Option<&Appeal> {
        None
    }

    /// For tests and the app's own routing: the concrete screen.
    fn as_any(&self) -> &dyn Any;
}
