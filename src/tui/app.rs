//! The console's state: the shared environment, the main screen and the screens opened over it,
//! and the pop-up layer. Keys become action names through the keymap; this module routes each
//! action — to the pop-up when one is open, else to the top screen, else to the triage actions
//! on that screen's appeals — and carries out what screens ask of it ([`Effect`]).

use chrono::{DateTime, Utc};

use super::keymap::{Action, Context};
use super::popup::{Outcome, Popup, Purpose};
use super::screens::detail::Detail;
use super::screens::main::Main;
use super::screens::triage::{self, Pending};
use super::screens::{Effect, Env, Screen};
use super::theme::Theme;
use crate::domain::access::{Grants, Role};
use crate::store::{Store, StoreError};

pub use super::screens::Clock;
pub use super::screens::error_text;
pub use super::screens::main::Panel;
pub use super::screens::triage::{Suggested, describe};

/// The whole state of the console.
pub struct App {
    /// What every screen shares.
    pub env: Env,
    /// The main screen, always at the bottom.
    pub main: Main,
    /// Screens opened over the main one, the top last.
    stack: Vec<Box<dyn Screen>>,
    data_version: i64,
    /// Quit was asked for while writes were pending (a second time leaves).
    quit_asked: bool,
}

impl App {
    /// A console over an open store.
    pub fn new(store: Store, theme: Theme, clock: Clock, operator: String, label: String) -> Self {
        let grants = Grants::new(operator, vec![Role::Head], vec![]);
        Self {
            env: Env::new(store, theme, clock, grants, label),
            main: Main::default(),
            stack: Vec::new(),
            data_version: 0,
            quit_asked: false,
        }
    }

    /// Sets what the operator may do (the default is the head's full rights, for tests and the
    /// demo); a block lead's list shows only their blocks.
    pub fn set_grants(&mut self, grants: Grants) {
        let incoming = &mut self.main.incoming;
        incoming.base_blocks = (!grants.sees_everything()).then(|| grants.blocks.clone());
        incoming.filter.blocks_in = incoming.base_blocks.clone();
        self.env.grants = grants;
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.env.now()
    }

    /// Sends the officer's changes to a writer thread with its own connection (`tui::writes`),
    /// so a locked database never stops the screen; without it (tests) they are saved at once.
    pub fn queue_writes(&mut self, policy: crate::tui::writes::Policy) -> Result<(), StoreError> {
        if let Some(location) = self.env.store.location().cloned() {
            self.env.writes = crate::tui::writes::Writes::queued(
                location,
                self.env.store.reference().clone(),
                policy,
            )?;
        }
        Ok(())
    }

    /// Shows a message in the status line.
    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        self.env.say(text, error);
    }

    /// Something changed since the last frame.
    pub fn dirty(&self) -> bool {
        self.env.dirty
    }

    /// The operator asked to leave.
    pub fn quit(&self) -> bool {
        self.env.quit
    }

    /// The open pop-up, if any.
    pub fn popup(&self) -> Option<&Popup> {
        self.env.popup.as_ref()
    }

    /// The appeal open in detail, if the detail screen is on top.
    pub fn detail(&self) -> Option<&Detail> {
        self.stack.last()?.as_any().downcast_ref::<Detail>()
    }

    /// The screen on top.
    pub fn top(&self) -> &dyn Screen {
        match self.stack.last() {
            Some(s) => s.as_ref(),
            None => &self.main,
        }
    }

    /// Which keymap section applies now.
    pub fn context(&self) -> Context {
        match &self.env.popup {
            Some(p) => p.context(),
            None => self.top().context(),
        }
    }

    /// Loads every panel.
    pub fn load(&mut self) -> Result<(), StoreError> {
        self.main.load(&mut self.env)?;
        self.look_for_alerts()?;
        self.run_effects()?;
        self.data_version = self.env.store.data_version()?;
        self.env.dirty = true;
        Ok(())
    }

    /// Everything shown again from the database (after a change here or elsewhere).
    pub fn refresh(&mut self) -> Result<(), StoreError> {
        self.refresh_screens()?;
        self.look_for_alerts()?;
        self.run_effects()?;
        self.data_version = self.env.store.data_version()?;
        self.env.dirty = true;
        Ok(())
    }

    fn refresh_screens(&mut self) -> Result<(), StoreError> {
        self.main.refresh(&mut self.env)?;
        for s in &mut self.stack {
            s.refresh(&mut self.env)?;
        }
        Ok(())
    }

    /// Called on every tick: refreshes when another process (a console of another officer, the
    /// importer) committed something — `PRAGMA data_version` makes this cheap — and when the
    /// clock moved on enough to change what is shown: a new minute (the clock in the status line,
    /// the time left, what is at risk or overdue), a deadline of a shown appeal passing, a message
    /// ageing out. Returns whether the data was read again.
    pub fn tick(&mut self) -> Result<bool, StoreError> {
        self.saved_writes()?;
        let v = self.env.store.data_version()?;
        let now = self.now();
        let drawn = self.env.drawn_at;
        let minute = |t: DateTime<Utc>| t.timestamp().div_euclid(60);
        let deadline_passed = self
            .main
            .next_deadline_after(drawn)
            .is_some_and(|d| d <= now);
        if v != self.data_version || minute(now) != minute(drawn) || deadline_passed {
            self.refresh()?;
            return Ok(true);
        }
        if self.env.messages.changes_between(drawn, now) {
            self.env.dirty = true;
        }
        Ok(false)
    }

    /// New urgent appeals since the last look (`tui::alerts`): highlighted in the list, said,
    /// and the bell rung once.
    fn look_for_alerts(&mut self) -> Result<(), StoreError> {
        let urgent = self.env.store.urgent_open()?;
        let new = self.env.alerts.look(urgent);
        let mut shown = Vec::new();
        for id in new {
            if let Some(a) = self.env.store.get(id)?
                && self.env.grants.may_see(&a)
            {
                shown.push(format!("№{id}"));
            } else {
                self.env.alerts.seen(id);
            }
        }
        if shown.is_empty() {
            return Ok(());
        }
        if self.env.alerts.bell {
            self.env.emit(b"\x07");
        }
        let what = if shown.len() == 1 {
            format!("Новое срочное обращение {}", shown[0])
        } else {
            format!("Новые срочные обращения: {}", shown.join(", "))
        };
        // Above the background's notices (the import's count that brought it comes after).
        self.env.say(what, false);
        Ok(())
    }

    /// The outcomes of the write queue that came in: said, and the screens read again.
    pub fn saved_writes(&mut self) -> Result<(), StoreError> {
        let done = self.env.writes.poll();
        if done.is_empty() {
            return Ok(());
        }
        for d in done {
            triage::finished(&mut self.env, d)?;
        }
        self.run_effects()
    }

    /// For tests: waits (up to `limit` for each) until no write is pending, taking the outcomes
    /// in as the tick would; whether the queue is empty.
    pub fn wait_writes(&mut self, limit: std::time::Duration) -> Result<bool, StoreError> {
        self.saved_writes()?;
        while self.env.writes.pending() > 0 {
            let Some(d) = self.env.writes.wait(limit) else {
                return Ok(false);
            };
            triage::finished(&mut self.env, d)?;
            self.run_effects()?;
        }
        Ok(true)
    }

    /// The bytes for the terminal since the last call (the bell, copies, links), written by the
    /// event loop after the frame.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.env.output)
    }

    /// Performs an action (from the keymap).
    pub fn perform(&mut self, action: &Action) -> Result<(), StoreError> {
        self.env.dirty = true;
        match action {
            Action::Noop => {}
            // Changes still on their way are not dropped by leaving: the first q says so, a
            // second one leaves anyway.
            Action::Quit if self.env.writes.pending() > 0 && !self.quit_asked => {
                self.quit_asked = true;
                self.env.say(
                    format!(
                        "Ещё сохраняю ({}) — дождитесь «Сохранено» или нажмите выход ещё раз: \
                         несохранённое будет потеряно",
                        self.env.writes.pending()
                    ),
                    true,
                );
            }
            Action::Quit => self.env.quit = true,
            Action::Help => self.env.open(Popup::Help(Default::default())),
            Action::Refresh => {
                self.refresh()?;
                self.env.say("Обновлено", false);
            }
            _ if self.env.popup.is_some() => self.popup_action(action)?,
            Action::AddAppeal => super::screens::add::open(&mut self.env),
            Action::Undo => super::screens::undo::perform(&mut self.env)?,
            Action::RegisterFz59 => {
                let current = self.top().current().cloned();
                super::screens::registration::start(current.as_ref(), &mut self.env)?;
            }
            Action::OpenLink | Action::Copy => {
                let current = self.top().current().cloned();
                if matches!(action, Action::OpenLink) {
                    super::screens::share::open_link(current.as_ref(), &mut self.env);
                } else {
                    super::screens::share::copy(current.as_ref(), &mut self.env);
                }
            }
            Action::Screen(name) => {
                if !super::screens::registers::open(name, &mut self.env)? {
                    self.env.say(format!("Нет экрана «{name}»"), true);
                }
            }
            _ => {
                let top: &mut dyn Screen = match self.stack.last_mut() {
                    Some(s) => s.as_mut(),
                    None => &mut self.main,
                };
                if !top.perform(action, &mut self.env)? {
                    let (targets, current) = (top.targets(), top.current().cloned());
                    let (env, main, stack) = (&mut self.env, &self.main, &self.stack);
                    triage::perform(action, targets, current.as_ref(), env, &|id| {
                        seen(main, stack, id)
                    })?;
                }
            }
        }
        self.run_effects()
    }

    /// An action while a pop-up is open goes to it; what it results in goes on.
    fn popup_action(&mut self, action: &Action) -> Result<(), StoreError> {
        if super::screens::answer_time::intercept(action, &mut self.env) {
            return Ok(());
        }
        let Some(popup) = self.env.popup.as_mut() else {
            return Ok(());
        };
        match popup.perform(action) {
            Outcome::Stay => {}
            Outcome::Close => self.env.popup = None,
            Outcome::Done(purpose, value) => {
                self.env.popup = None;
                self.result(&purpose, &value)?;
            }
            Outcome::Answered(yes) => self.confirm(yes)?,
        }
        Ok(())
    }

    /// A pop-up's result: for the screen that opened it, else a triage result.
    fn result(&mut self, purpose: &Purpose, value: &str) -> Result<(), StoreError> {
        if let Purpose::Copy(id) = purpose {
            return super::screens::share::copied(*id, value, &mut self.env);
        }
        if let Purpose::Registration(id) = purpose {
            super::screens::registration::entered(*id, value, &mut self.env)?;
            return self.run_effects();
        }
        let top: &mut dyn Screen = match self.stack.last_mut() {
            Some(s) => s.as_mut(),
            None => &mut self.main,
        };
        if top.on_result(purpose, value, &mut self.env)? {
            return Ok(());
        }
        let (env, main, stack) = (&mut self.env, &self.main, &self.stack);
        if triage::on_result(purpose, value, env, &|id| seen(main, stack, id))? {
            return Ok(());
        }
        // The main screen's own pop-ups (search, filters, `:`) work over any screen.
        self.main.on_result(purpose, value, &mut self.env)?;
        Ok(())
    }

    /// The confirmation was answered.
    pub fn confirm(&mut self, yes: bool) -> Result<(), StoreError> {
        let Some(Popup::Confirm(c)) = self.env.popup.take() else {
            return Ok(());
        };
        let pending: Pending = *c.then;
        let (env, main, stack) = (&mut self.env, &self.main, &self.stack);
        triage::confirm(env, pending, yes, &|id| seen(main, stack, id))?;
        self.run_effects()
    }

    /// Carries out what the screens asked for, until nothing more is asked.
    fn run_effects(&mut self) -> Result<(), StoreError> {
        loop {
            for mut s in self.env.take_screens() {
                s.refresh(&mut self.env)?;
                self.stack.push(s);
            }
            let effects = self.env.take_effects();
            if effects.is_empty() {
                return Ok(());
            }
            for e in effects {
                match e {
                    Effect::Open(id) => self.open_detail(id)?,
                    Effect::Close => {
                        self.stack.pop();
                    }
                    Effect::CloseAll => self.stack.clear(),
                    Effect::CloseTop(title) => {
                        if self.stack.last().is_some_and(|s| s.help_title() == title) {
                            self.stack.pop();
                        }
                    }
                    Effect::Step(d) => {
                        self.main.step(&self.env, d)?;
                        self.show_current_in_detail()?;
                    }
                    Effect::NextUntriaged => {
                        if self.main.next_untriaged(&mut self.env)? {
                            self.show_current_in_detail()?;
                        }
                    }
                    Effect::Refresh | Effect::Saved => {
                        if e == Effect::Saved {
                            self.main.saved();
                        }
                        self.refresh_screens()?;
                        self.data_version = self.env.store.data_version()?;
                    }
                }
            }
        }
    }

    fn open_detail(&mut self, id: i64) -> Result<(), StoreError> {
        self.env.alerts.seen(id);
        if let Some(d) = Detail::open(id, &self.env)? {
            self.stack.push(Box::new(d));
        }
        Ok(())
    }

    /// After the list moved under an open detail: the detail shows the appeal now selected.
    fn show_current_in_detail(&mut self) -> Result<(), StoreError> {
        if self.detail().is_none() {
            return Ok(());
        }
        let Some(id) = self.main.incoming.current().map(|a| a.id) else {
            return Ok(());
        };
        if let Some(d) = Detail::open(id, &self.env)? {
            self.stack.pop();
            self.stack.push(Box::new(d));
        }
        Ok(())
    }

    /// Draws the screen on top into the body of the frame.
    pub(crate) fn draw_top(&mut self, f: &mut ratatui::Frame, area: ratatui::layout::Rect) {
        match self.stack.last_mut() {
            Some(s) => s.draw(f, area, &self.env),
            None => self.main.draw(f, area, &self.env),
        }
    }

    /// Applies changes to appeals (asking first when hard to undo or several) — what a triage
    /// key does, for callers outside the keymap (the demo's simulated officers, tests).
    pub fn apply(
        &mut self,
        targets: Vec<i64>,
        changes: Vec<crate::store::Change>,
    ) -> Result<(), StoreError> {
        let (env, main, stack) = (&mut self.env, &self.main, &self.stack);
        triage::apply(env, targets, changes, &|id| seen(main, stack, id))?;
        self.run_effects()
    }
}

/// An appeal as the officer last saw it: on the top screen showing it, else in the main list.
fn seen(main: &Main, stack: &[Box<dyn Screen>], id: i64) -> Option<crate::domain::Appeal> {
    stack
        .iter()
        .rev()
        .find_map(|s| s.seen(id))
        .or_else(|| main.seen(id))
        .cloned()
}
