//! The console's state and what every action does to it. Drawing lives in `view`; keys become
//! action names through the keymap; this module turns action names into changes — through the
//! same audited `Store::update` the command line uses.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::incoming::Incoming;
use super::popup::{Chooser, Confirm, Input, Item, Popup, Purpose};
use super::theme::Theme;
use crate::analytics::{self, Monitoring, Period};
use crate::domain::ranking::RankRow;
use crate::domain::{Appeal, Channel, Quality, Status};
use crate::reference::Reference;
use crate::store::{Actor, Change, Event, Store, StoreError};

/// The three panels of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Incoming,
    Overdue,
    Ranking,
}

/// One appeal opened in full.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub appeal: Appeal,
    pub history: Vec<Event>,
    pub duplicates: Vec<Appeal>,
    pub scroll: u16,
}

/// A change waiting for a confirmation.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    Apply(Vec<i64>, Vec<Change>),
}

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

/// A short message in the status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
    pub at: DateTime<Utc>,
}

/// The whole state of the console.
pub struct App {
    pub store: Store,
    pub reference: Arc<Reference>,
    pub theme: Theme,
    pub clock: Clock,
    pub operator: String,
    /// Shown in the status line.
    pub workspace_label: String,
    pub focus: Panel,
    pub incoming: Incoming,
    pub monitoring: Option<Monitoring>,
    pub ranking: Vec<RankRow>,
    pub ranking_period: Option<Period>,
    pub overdue_selected: usize,
    pub ranking_selected: usize,
    pub detail: Option<Detail>,
    pub popup: Option<Popup>,
    pub flash: Option<Flash>,
    pub last_import: Option<String>,
    /// Rows of the incoming list that fit on screen (set by the view).
    pub list_height: usize,
    /// Something changed since the last frame.
    pub dirty: bool,
    pub quit: bool,
    data_version: i64,
}

impl App {
    /// A console over an open store.
    pub fn new(store: Store, theme: Theme, clock: Clock, operator: String, label: String) -> Self {
        let reference = store.reference().clone();
        Self {
            store,
            reference,
            theme,
            clock,
            operator,
            workspace_label: label,
            focus: Panel::Incoming,
            incoming: Incoming::default(),
            monitoring: None,
            ranking: Vec::new(),
            ranking_period: None,
            overdue_selected: 0,
            ranking_selected: 0,
            detail: None,
            popup: None,
            flash: None,
            last_import: None,
            list_height: 10,
            dirty: true,
            quit: false,
            data_version: 0,
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Loads every panel.
    pub fn load(&mut self) -> Result<(), StoreError> {
        self.incoming.reload_top(&self.store)?;
        self.reload_panels()?;
        self.data_version = self.store.data_version()?;
        self.dirty = true;
        Ok(())
    }

    fn reload_panels(&mut self) -> Result<(), StoreError> {
        let now = self.now();
        self.monitoring = Some(analytics::monitoring(&self.store, now)?);
        let tz = self.reference.calendar.timezone();
        let period = Period::month_to_date(now, tz);
        self.ranking = analytics::ranking(&self.store, period, now)?;
        self.ranking_period = Some(period);
        self.last_import = self.store.last_import()?.map(|f| {
            format!(
                "{} {}",
                f.name,
                f.imported_at.with_timezone(&tz).format("%d.%m %H:%M")
            )
        });
        Ok(())
    }

    /// Everything shown again from the database (after a change here or elsewhere).
    pub fn refresh(&mut self) -> Result<(), StoreError> {
        self.incoming.refresh(&self.store)?;
        self.reload_panels()?;
        if let Some(d) = &self.detail {
            let id = d.appeal.id;
            let scroll = d.scroll;
            self.open_detail(id)?;
            if let Some(d) = &mut self.detail {
                d.scroll = scroll;
            }
        }
        self.data_version = self.store.data_version()?;
        self.dirty = true;
        Ok(())
    }

    /// Called on every tick: refreshes when another process (a console of another officer, the
    /// importer) committed something. `PRAGMA data_version` makes this cheap.
    pub fn tick(&mut self) -> Result<bool, StoreError> {
        let v = self.store.data_version()?;
        if v != self.data_version {
            self.refresh()?;
            return Ok(true);
        }
        if let Some(f) = &self.flash
            && (self.now() - f.at).num_seconds() >= 5
            && matches!(self.clock, Clock::Real)
        {
            self.flash = None;
            self.dirty = true;
        }
        Ok(false)
    }

    /// Shows a message in the status line.
    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        self.flash = Some(Flash {
            text: text.into(),
            error,
            at: self.now(),
        });
        self.dirty = true;
    }

    fn open_detail(&mut self, id: i64) -> Result<(), StoreError> {
        let Some(appeal) = self.store.get(id)? else {
            self.detail = None;
            return Ok(());
        };
        let history = self.store.history(id)?;
        let duplicates = self.store.duplicates_of(id)?;
        self.detail = Some(Detail {
            appeal,
            history,
            duplicates,
            scroll: 0,
        });
        Ok(())
    }

    /// The appeals an action applies to: the one open in detail, else the marked ones, else the
    /// selected one.
    pub fn targets(&self) -> Vec<i64> {
        match &self.detail {
            Some(d) => vec![d.appeal.id],
            None if self.focus == Panel::Incoming => self.incoming.targets(),
            None => Vec::new(),
        }
    }

    /// Performs a named action (from the keymap or the command line of the console).
    pub fn perform(&mut self, action: &str, arg: Option<&str>) -> Result<(), StoreError> {
        self.dirty = true;
        let h = self.list_height.max(1) as isize;
        match action {
            "quit" => self.quit = true,
            "help" => self.popup = Some(Popup::Help { scroll: 0 }),
            "back" | "escape" => {
                if self.popup.is_some() {
                    self.popup = None;
                } else if self.detail.is_some() {
                    self.detail = None;
                } else if !self.incoming.marked.is_empty() {
                    self.incoming.marked.clear();
                }
            }
            "down" => self.move_by(1)?,
            "up" => self.move_by(-1)?,
            "page_down" => self.move_by(h)?,
            "page_up" => self.move_by(-h)?,
            "top" => {
                if self.detail.is_some() {
                    self.scroll_detail(-10_000);
                } else {
                    match self.focus {
                        Panel::Incoming => self.incoming.top(&self.store)?,
                        Panel::Overdue => self.overdue_selected = 0,
                        Panel::Ranking => self.ranking_selected = 0,
                    }
                }
            }
            "bottom" => {
                if self.detail.is_some() {
                    self.scroll_detail(10_000);
                } else {
                    match self.focus {
                        Panel::Incoming => self.incoming.bottom(&self.store, self.list_height)?,
                        Panel::Overdue => {
                            self.overdue_selected = self.overdue_len().saturating_sub(1)
                        }
                        Panel::Ranking => {
                            self.ranking_selected = self.ranking.len().saturating_sub(1)
                        }
                    }
                }
            }
            "next_panel" => self.focus = next_panel(self.focus, 1),
            "prev_panel" => self.focus = next_panel(self.focus, -1),
            "open" => self.open()?,
            "refresh" => {
                self.refresh()?;
                self.say("Обновлено", false);
            }
            "search" => {
                self.popup = Some(Popup::Input(
                    Input::new("Поиск по тексту", false, Purpose::Search)
                        .with_text(self.incoming.filter.text.as_deref().unwrap_or("")),
                ))
            }
            "command" => self.popup = Some(Popup::Input(Input::new(":", false, Purpose::Command))),
            "filter" => self.filter(arg)?,
            "mark" => {
                if let Some(a) = self.incoming.current().map(|a| a.id) {
                    if !self.incoming.marked.remove(&a) {
                        self.incoming.marked.insert(a);
                    }
                    self.move_by(1)?;
                }
            }
            "mark_all" => {
                let all: Vec<i64> = self.incoming.rows.iter().map(|a| a.id).collect();
                if all.iter().all(|id| self.incoming.marked.contains(id)) {
                    self.incoming.marked.clear();
                } else {
                    self.incoming.marked.extend(all);
                }
            }
            "set_block" => self.with_targets(|app, t| app.choose_block(t, arg))?,
            "assign" => self.with_targets(|app, t| app.choose_recipient(t))?,
            "set_status" => self.with_targets(|app, t| app.choose_status(t, arg))?,
            "grade" => self.with_targets(|app, t| app.grade(t, arg))?,
            "rate" => self.with_targets(|app, t| app.rate(t, arg))?,
            "interim" => self.with_targets(|app, t| {
                app.ask_text("Промежуточный ответ", true, Purpose::Interim(t));
                Ok(())
            })?,
            "answer" => self.with_targets(|app, t| {
                app.ask_text("Ответ (Ctrl-S — сохранить)", true, Purpose::Answer(t));
                Ok(())
            })?,
            "note" => self.with_targets(|app, t| {
                app.ask_text("Заметка", true, Purpose::Note(t));
                Ok(())
            })?,
            "extend" => self.with_targets(|app, t| {
                app.ask_text("Продлить срок (59-ФЗ): причина", false, Purpose::Extend(t));
                Ok(())
            })?,
            "link_duplicate" => self.with_targets(|app, t| {
                app.ask_text(
                    "Дубль обращения № (или канал:номер)",
                    false,
                    Purpose::Duplicate(t),
                );
                Ok(())
            })?,
            "toggle_urgent" => self.with_targets(|app, t| app.toggle(t, true))?,
            "toggle_conflict" => self.with_targets(|app, t| app.toggle(t, false))?,
            "accept" => self.accept_suggestion()?,
            "goto" => {
                if let Some(r) = arg {
                    self.goto(r)?;
                }
            }
            "noop" => {}
            other => self.say(format!("Неизвестное действие «{other}»"), true),
        }
        Ok(())
    }

    fn with_targets(
        &mut self,
        f: impl FnOnce(&mut Self, Vec<i64>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let t = self.targets();
        if t.is_empty() {
            self.say("Нет выбранного обращения", true);
            return Ok(());
        }
        f(self, t)
    }

    fn overdue_len(&self) -> usize {
        self.monitoring.as_ref().map_or(0, |m| m.blocks.len())
    }

    fn move_by(&mut self, delta: isize) -> Result<(), StoreError> {
        if let Some(p) = &mut self.popup {
            match p {
                Popup::Chooser(c) => c.move_by(delta),
                Popup::Help { scroll } => {
                    *scroll = (*scroll as isize + delta).max(0) as u16;
                }
                _ => {}
            }
            return Ok(());
        }
        if self.detail.is_some() {
            self.scroll_detail(delta);
            return Ok(());
        }
        match self.focus {
            Panel::Incoming => self
                .incoming
                .move_by(&self.store, delta, self.list_height)?,
            Panel::Overdue => {
                let n = self.overdue_len() as isize;
                self.overdue_selected =
                    (self.overdue_selected as isize + delta).clamp(0, (n - 1).max(0)) as usize;
            }
            Panel::Ranking => {
                let n = self.ranking.len() as isize;
                self.ranking_selected =
                    (self.ranking_selected as isize + delta).clamp(0, (n - 1).max(0)) as usize;
            }
        }
        Ok(())
    }

    fn scroll_detail(&mut self, delta: isize) {
        if let Some(d) = &mut self.detail {
            d.scroll = (d.scroll as isize + delta).clamp(0, 10_000) as u16;
        }
    }

    /// `Enter`: an appeal opens in detail; a block or a recipient filters the incoming list.
    fn open(&mut self) -> Result<(), StoreError> {
        match self.focus {
            Panel::Incoming => {
                if let Some(id) = self.incoming.current().map(|a| a.id) {
                    self.open_detail(id)?;
                }
            }
            Panel::Overdue => {
                let block = self
                    .monitoring
                    .as_ref()
                    .and_then(|m| m.blocks.get(self.overdue_selected))
                    .map(|b| b.block.clone());
                if let Some(b) = block {
                    self.incoming.filter = Default::default();
                    self.incoming.filter.block = Some(b);
                    self.incoming.filter.open = true;
                    self.focus = Panel::Incoming;
                    self.incoming.reload_top(&self.store)?;
                }
            }
            Panel::Ranking => {
                if let Some(r) = self
                    .ranking
                    .get(self.ranking_selected)
                    .map(|r| r.recipient.clone())
                {
                    self.incoming.filter = Default::default();
                    self.incoming.filter.responsible = Some(r);
                    self.focus = Panel::Incoming;
                    self.incoming.reload_top(&self.store)?;
                }
            }
        }
        Ok(())
    }

    fn goto(&mut self, r: &str) -> Result<(), StoreError> {
        match self.store.find(r) {
            Ok(a) => {
                self.open_detail(a.id)?;
                Ok(())
            }
            Err(e) => {
                self.say(e.to_string(), true);
                Ok(())
            }
        }
    }

    /// Filters of the incoming list: `block`, `status`, `channel`, `recipient`, `settlement` open
    /// a chooser; `overdue` toggles; `clear` drops every filter.
    fn filter(&mut self, kind: Option<&str>) -> Result<(), StoreError> {
        match kind.unwrap_or("clear") {
            "overdue" => {
                self.incoming.filter.overdue_at = match self.incoming.filter.overdue_at {
                    Some(_) => None,
                    None => Some(self.now()),
                };
                self.apply_filter()?;
            }
            "clear" => {
                self.incoming.filter = Default::default();
                self.apply_filter()?;
            }
            "block" => {
                let mut items = self.block_items();
                items.push(Item {
                    value: "-".into(),
                    label: "без блока".into(),
                });
                self.popup = Some(Popup::Chooser(Chooser::new(
                    "Фильтр: блок",
                    items,
                    Purpose::FilterBlock,
                )));
            }
            "status" => {
                self.popup = Some(Popup::Chooser(Chooser::new(
                    "Фильтр: статус",
                    status_items(),
                    Purpose::FilterStatus,
                )))
            }
            "channel" => {
                let items = Channel::ALL
                    .iter()
                    .map(|c| Item {
                        value: c.id().into(),
                        label: c.label_ru().into(),
                    })
                    .collect();
                self.popup = Some(Popup::Chooser(Chooser::new(
                    "Фильтр: канал",
                    items,
                    Purpose::FilterChannel,
                )));
            }
            "recipient" => {
                let items = self.recipient_items()?;
                self.popup = Some(Popup::Chooser(Chooser::new(
                    "Фильтр: ответственный",
                    items,
                    Purpose::FilterRecipient,
                )));
            }
            "settlement" => {
                let items = self
                    .store
                    .settlements()?
                    .into_iter()
                    .map(|s| Item {
                        value: s.clone(),
                        label: s,
                    })
                    .collect();
                self.popup = Some(Popup::Chooser(Chooser::new(
                    "Фильтр: населённый пункт",
                    items,
                    Purpose::FilterSettlement,
                )));
            }
            other => self.say(format!("Неизвестный фильтр «{other}»"), true),
        }
        Ok(())
    }

    fn apply_filter(&mut self) -> Result<(), StoreError> {
        self.detail = None;
        self.focus = Panel::Incoming;
        self.incoming.marked.clear();
        self.incoming.reload_top(&self.store)
    }

    /// A one-line description of the filters in force, for the panel title.
    pub fn filter_label(&self) -> String {
        let f = &self.incoming.filter;
        let mut parts = Vec::new();
        match &f.block {
            Some(Some(b)) => parts.push(self.reference.blocks.name_of(b).to_string()),
            Some(None) => parts.push("без блока".into()),
            None => {}
        }
        if let Some(s) = f.status {
            parts.push(s.label_ru().to_lowercase());
        }
        if let Some(c) = f.channel {
            parts.push(c.label_ru().into());
        }
        if let Some(r) = &f.responsible {
            parts.push(r.clone());
        }
        if let Some(s) = &f.settlement {
            parts.push(s.clone());
        }
        if f.open {
            parts.push("открытые".into());
        }
        if f.overdue_at.is_some() {
            parts.push("просроченные".into());
        }
        if let Some(t) = &f.text {
            parts.push(format!("«{t}»"));
        }
        parts.join(" · ")
    }

    fn block_items(&self) -> Vec<Item> {
        self.reference
            .blocks
            .all()
            .iter()
            .map(|b| Item {
                value: b.id.clone(),
                label: b.name.clone(),
            })
            .collect()
    }

    fn recipient_items(&self) -> Result<Vec<Item>, StoreError> {
        Ok(self
            .store
            .recipients()?
            .into_iter()
            .map(|r| Item {
                value: r.clone(),
                label: r,
            })
            .collect())
    }

    fn choose_block(&mut self, targets: Vec<i64>, arg: Option<&str>) -> Result<(), StoreError> {
        if let Some(b) = arg {
            return self.apply(targets, vec![Change::Block(Some(b.to_string()))]);
        }
        self.popup = Some(Popup::Chooser(Chooser::new(
            "Блок (1–9, 0)",
            self.block_items(),
            Purpose::SetBlock(targets),
        )));
        Ok(())
    }

    fn choose_recipient(&mut self, targets: Vec<i64>) -> Result<(), StoreError> {
        let items = self.recipient_items()?;
        if items.is_empty() {
            self.say(
                "Нет ответственных: добавьте их (mcu recipients add) или импортируйте",
                true,
            );
            return Ok(());
        }
        self.popup = Some(Popup::Chooser(Chooser::new(
            "Ответственный (начните вводить название)",
            items,
            Purpose::Assign(targets),
        )));
        Ok(())
    }

    fn choose_status(&mut self, targets: Vec<i64>, arg: Option<&str>) -> Result<(), StoreError> {
        if let Some(s) = arg.and_then(|s| s.parse::<Status>().ok()) {
            return self.apply(targets, vec![Change::Status(s)]);
        }
        self.popup = Some(Popup::Chooser(Chooser::new(
            "Статус",
            status_items(),
            Purpose::SetStatus(targets),
        )));
        Ok(())
    }

    fn grade(&mut self, targets: Vec<i64>, arg: Option<&str>) -> Result<(), StoreError> {
        if let Some(q) = arg.and_then(|s| s.parse::<Quality>().ok()) {
            return self.apply(targets, vec![Change::Quality(Some(q))]);
        }
        let items = [Quality::Substantive, Quality::Formal]
            .iter()
            .map(|q| Item {
                value: q.id().into(),
                label: q.label_ru().into(),
            })
            .collect();
        self.popup = Some(Popup::Chooser(Chooser::new(
            "Качество ответа",
            items,
            Purpose::Grade(targets),
        )));
        Ok(())
    }

    fn rate(&mut self, targets: Vec<i64>, arg: Option<&str>) -> Result<(), StoreError> {
        if let Some(r) = arg.and_then(|s| s.parse::<u8>().ok()) {
            return self.apply(targets, vec![Change::Rating(Some(r))]);
        }
        let items = (1..=5)
            .map(|r| Item {
                value: r.to_string(),
                label: format!("{r} {}", "★".repeat(r)),
            })
            .collect();
        self.popup = Some(Popup::Chooser(Chooser::new(
            "Оценка гражданина",
            items,
            Purpose::Rate(targets),
        )));
        Ok(())
    }

    fn ask_text(&mut self, title: &str, multiline: bool, purpose: Purpose) {
        self.popup = Some(Popup::Input(Input::new(title, multiline, purpose)));
    }

    fn toggle(&mut self, targets: Vec<i64>, urgent: bool) -> Result<(), StoreError> {
        // The new value follows the first target, so a mixed selection becomes uniform.
        let first = targets
            .first()
            .and_then(|id| self.store.get(*id).ok().flatten());
        let Some(first) = first else { return Ok(()) };
        let change = if urgent {
            Change::Urgent(!first.urgent)
        } else {
            Change::Conflict(!first.conflict)
        };
        self.apply(targets, vec![change])
    }

    /// Accepts the suggested block (and the recipient usually handling it) for the selected
    /// appeal and moves to the next appeal without a block.
    fn accept_suggestion(&mut self) -> Result<(), StoreError> {
        let Some(a) = self.current_appeal() else {
            return Ok(());
        };
        let Some((block, recipient)) = self.suggestion(&a)? else {
            self.say("Нет подсказки для этого обращения: выберите блок (b)", true);
            return Ok(());
        };
        let mut changes = Vec::new();
        if a.block.is_none() {
            changes.push(Change::Block(Some(block)));
        }
        if a.responsible.is_none()
            && let Some(r) = recipient
        {
            changes.push(Change::Responsible(Some(r)));
        }
        if changes.is_empty() {
            self.say("Уже разобрано", false);
        } else {
            self.apply(vec![a.id], changes)?;
        }
        self.next_untriaged()
    }

    /// The suggested block and recipient of an appeal: the block whose keywords its text matches
    /// most, and the recipient who handled most appeals of that block.
    pub fn suggestion(&self, a: &Appeal) -> Result<Option<(String, Option<String>)>, StoreError> {
        let Some(block) = crate::domain::block::suggest(&self.reference.blocks, &a.text) else {
            return Ok(None);
        };
        let recipient = self.store.usual_recipient(&block)?;
        Ok(Some((block, recipient)))
    }

    fn current_appeal(&self) -> Option<Appeal> {
        match &self.detail {
            Some(d) => Some(d.appeal.clone()),
            None => self.incoming.current().cloned(),
        }
    }

    fn next_untriaged(&mut self) -> Result<(), StoreError> {
        let start = self.incoming.selected;
        let n = self.incoming.rows.len();
        let next = (start + 1..n).find(|&i| self.incoming.rows[i].block.is_none());
        if let Some(i) = next {
            let delta = (i - start) as isize;
            self.incoming
                .move_by(&self.store, delta, self.list_height)?;
            if self.detail.is_some() {
                let id = self.incoming.current().map(|a| a.id);
                if let Some(id) = id {
                    self.open_detail(id)?;
                }
            }
        } else {
            self.say("Неразобранных обращений ниже нет", false);
        }
        Ok(())
    }

    /// Applies changes to appeals, asking first when the change is hard to undo or touches
    /// several appeals.
    pub fn apply(&mut self, targets: Vec<i64>, changes: Vec<Change>) -> Result<(), StoreError> {
        let dangerous = changes.iter().any(|c| {
            matches!(
                c,
                Change::Status(Status::Rejected | Status::Duplicate | Status::Redirected)
                    | Change::DuplicateOf(Some(_))
                    | Change::Extend(_)
            )
        });
        if dangerous || targets.len() > 1 {
            let what = if targets.len() > 1 {
                format!("{} обращений", targets.len())
            } else {
                format!("обращение №{}", targets[0])
            };
            self.popup = Some(Popup::Confirm(Confirm {
                message: format!("Изменить {what}: {}?", describe(&changes)),
                then: Box::new(Pending::Apply(targets, changes)),
            }));
            return Ok(());
        }
        self.apply_now(targets, changes)
    }

    /// Applies changes without asking.
    pub fn apply_now(&mut self, targets: Vec<i64>, changes: Vec<Change>) -> Result<(), StoreError> {
        let actor = Actor::new(self.operator.clone(), "console");
        let now = self.now();
        let mut done = 0;
        let mut problems = Vec::new();
        for id in &targets {
            // The version the officer saw: a change made meanwhile by someone else is not
            // silently overwritten.
            let seen = self.seen_version(*id);
            match self.store.update(*id, &changes, seen, &actor, now) {
                Ok(_) => done += 1,
                Err(StoreError::Stale { id, .. }) => problems.push(format!(
                    "№{id} изменено другим оператором — показано текущее состояние, повторите"
                )),
                Err(StoreError::Invalid(m) | StoreError::NotFound(m)) => {
                    problems.push(format!("№{id}: {m}"))
                }
                Err(e) => return Err(e),
            }
        }
        self.incoming.marked.clear();
        self.refresh()?;
        if problems.is_empty() {
            self.say(
                if done == 1 {
                    format!("Сохранено: {}", describe(&changes))
                } else {
                    format!("Сохранено для {done} обращений: {}", describe(&changes))
                },
                false,
            );
        } else {
            self.say(problems.join("; "), true);
        }
        Ok(())
    }

    fn seen_version(&self, id: i64) -> Option<i64> {
        if let Some(d) = &self.detail
            && d.appeal.id == id
        {
            return Some(d.appeal.version);
        }
        self.incoming
            .rows
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.version)
    }

    /// The pop-up's result came in.
    pub fn submit_chooser(&mut self, value: String, purpose: Purpose) -> Result<(), StoreError> {
        self.popup = None;
        match purpose {
            Purpose::SetBlock(t) => self.apply(t, vec![Change::Block(Some(value))])?,
            Purpose::Assign(t) => self.apply(t, vec![Change::Responsible(Some(value))])?,
            Purpose::SetStatus(t) => {
                if let Ok(s) = value.parse() {
                    self.apply(t, vec![Change::Status(s)])?
                }
            }
            Purpose::Grade(t) => {
                if let Ok(q) = value.parse() {
                    self.apply(t, vec![Change::Quality(Some(q))])?
                }
            }
            Purpose::Rate(t) => {
                if let Ok(r) = value.parse() {
                    self.apply(t, vec![Change::Rating(Some(r))])?
                }
            }
            Purpose::FilterBlock => {
                self.incoming.filter.block = Some((value != "-").then_some(value));
                self.apply_filter()?;
            }
            Purpose::FilterStatus => {
                self.incoming.filter.status = value.parse().ok();
                self.apply_filter()?;
            }
            Purpose::FilterChannel => {
                self.incoming.filter.channel = value.parse().ok();
                self.apply_filter()?;
            }
            Purpose::FilterRecipient => {
                self.incoming.filter.responsible = Some(value);
                self.apply_filter()?;
            }
            Purpose::FilterSettlement => {
                self.incoming.filter.settlement = Some(value);
                self.apply_filter()?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The text input was submitted.
    pub fn submit_input(&mut self, text: String, purpose: Purpose) -> Result<(), StoreError> {
        self.popup = None;
        let t = text.trim().to_string();
        let now = self.now();
        match purpose {
            Purpose::Search => {
                self.incoming.filter.text = (!t.is_empty()).then_some(t);
                self.apply_filter()?;
            }
            Purpose::Command => self.command(&t)?,
            Purpose::Interim(ids) => {
                let mut c = vec![Change::InterimAt(Some(now))];
                if !t.is_empty() {
                    c.push(Change::Answer(Some(t)));
                }
                self.apply(ids, c)?;
            }
            Purpose::Answer(ids) => {
                if t.is_empty() {
                    self.say("Пустой ответ не сохранён", true);
                } else {
                    self.apply(
                        ids,
                        vec![Change::Answer(Some(t)), Change::AnsweredAt(Some(now))],
                    )?;
                }
            }
            Purpose::Note(ids) if !t.is_empty() => self.apply(ids, vec![Change::Note(t)])?,
            Purpose::Extend(ids) => {
                if t.is_empty() {
                    self.say("Продление требует причины", true);
                } else {
                    self.apply(ids, vec![Change::Extend(t)])?;
                }
            }
            Purpose::Duplicate(ids) => match self.store.find(&t) {
                Ok(orig) => self.apply(ids, vec![Change::DuplicateOf(Some(orig.id))])?,
                Err(e) => self.say(e.to_string(), true),
            },
            _ => {}
        }
        Ok(())
    }

    /// The confirmation was answered.
    pub fn confirm(&mut self, yes: bool) -> Result<(), StoreError> {
        let Some(Popup::Confirm(c)) = self.popup.take() else {
            return Ok(());
        };
        if yes {
            match *c.then {
                Pending::Apply(t, ch) => self.apply_now(t, ch)?,
            }
        } else {
            self.say("Отменено", false);
        }
        Ok(())
    }

    /// `:` commands: `block ID`, `status S`, `channel C`, `recipient NAME`, `settlement NAME`,
    /// `overdue`, `search WORDS`, `clear`, `goto N`, `refresh`, `q`.
    pub fn command(&mut self, line: &str) -> Result<(), StoreError> {
        let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        match cmd {
            "q" | "quit" => self.quit = true,
            "goto" | "g" => self.goto(rest)?,
            "overdue" => {
                self.incoming.filter.overdue_at = Some(self.now());
                self.apply_filter()?;
            }
            "clear" => self.filter(Some("clear"))?,
            "refresh" => self.refresh()?,
            "search" => {
                self.incoming.filter.text = (!rest.is_empty()).then(|| rest.to_string());
                self.apply_filter()?;
            }
            "block" => match rest {
                "" => self.filter(Some("block"))?,
                "none" | "-" => {
                    self.incoming.filter.block = Some(None);
                    self.apply_filter()?;
                }
                b => match self.reference.blocks.resolve(b) {
                    Some(b) => {
                        self.incoming.filter.block = Some(Some(b.id.clone()));
                        self.apply_filter()?;
                    }
                    None => self.say(
                        format!("Нет блока «{b}» (есть: {})", self.reference.blocks.ids()),
                        true,
                    ),
                },
            },
            "status" => match rest.parse::<Status>() {
                Ok(s) => {
                    self.incoming.filter.status = Some(s);
                    self.apply_filter()?;
                }
                Err(e) => self.say(e.to_string(), true),
            },
            "channel" => match rest.parse::<Channel>() {
                Ok(c) => {
                    self.incoming.filter.channel = Some(c);
                    self.apply_filter()?;
                }
                Err(e) => self.say(e.to_string(), true),
            },
            "recipient" => match self.store.resolve_recipient(rest) {
                Ok(r) => {
                    self.incoming.filter.responsible = Some(r);
                    self.apply_filter()?;
                }
                Err(e) => self.say(e.to_string(), true),
            },
            "settlement" => {
                self.incoming.filter.settlement = Some(rest.to_string());
                self.apply_filter()?;
            }
            "" => {}
            other => self.say(
                format!(
                    "Неизвестная команда «{other}» (есть: block, status, channel, recipient, settlement, overdue, search, clear, goto, refresh, q)"
                ),
                true,
            ),
        }
        Ok(())
    }
}

fn next_panel(p: Panel, d: i32) -> Panel {
    let all = [Panel::Incoming, Panel::Overdue, Panel::Ranking];
    let i = all.iter().position(|x| *x == p).unwrap_or(0) as i32;
    all[((i + d).rem_euclid(3)) as usize]
}

fn status_items() -> Vec<Item> {
    Status::ALL
        .iter()
        .map(|s| Item {
            value: s.id().into(),
            label: s.label_ru().into(),
        })
        .collect()
}

/// A short Russian description of changes, for messages and confirmations.
pub fn describe(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| match c {
            Change::Block(Some(b)) => format!("блок {b}"),
            Change::Block(None) => "блок снят".into(),
            Change::Responsible(Some(r)) => format!("ответственный {r}"),
            Change::Responsible(None) => "ответственный снят".into(),
            Change::Status(s) => format!("статус «{}»", s.label_ru()),
            Change::Urgent(u) => if *u {
                "срочно"
            } else {
                "не срочно"
            }
            .into(),
            Change::Conflict(c) => if *c {
                "конфликт"
            } else {
                "не конфликт"
            }
            .into(),
            Change::InterimAt(_) => "промежуточный ответ".into(),
            Change::AnsweredAt(_) => "ответ дан".into(),
            Change::Answer(_) => "текст ответа".into(),
            Change::Quality(Some(q)) => format!("качество «{}»", q.label_ru()),
            Change::Quality(None) => "качество снято".into(),
            Change::Rating(Some(r)) => format!("оценка {r}"),
            Change::Rating(None) => "оценка снята".into(),
            Change::DuplicateOf(Some(d)) => format!("дубль №{d}"),
            Change::DuplicateOf(None) => "не дубль".into(),
            Change::Extend(_) => "срок продлён на 30 дней".into(),
            Change::Note(_) => "заметка".into(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
