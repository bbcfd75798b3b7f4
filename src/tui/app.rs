//! The console's state and what every action does to it. Drawing lives in `view`; keys become
//! action names through the keymap; this module turns action names into changes — through the
//! same audited `Store::update` the command line uses.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::incoming::Incoming;
use super::keymap::{Action, Step};
use super::popup::{Chooser, Confirm, Input, Item, Popup, Purpose};
use super::theme::Theme;
use crate::analytics::{self, Monitoring, Period};
use crate::domain::access::{Grants, Role};
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
    pub suggestion: Option<Suggested>,
    pub history: Vec<Event>,
    pub duplicates: Vec<Appeal>,
    pub scroll: u16,
}

/// What mcu proposes for an appeal.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggested {
    pub block: String,
    /// How sure the model is (none for the plain keyword lexicon).
    pub confidence: Option<f32>,
    pub responsible: Option<String>,
    /// A proposed original this appeal duplicates.
    pub duplicate_of: Option<i64>,
    /// «Повторное»: the same author's earlier appeal on the same problem.
    pub repeat_of: Option<i64>,
    /// Why it is urgent or conflict.
    pub reasons: Vec<String>,
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
    /// Where saved views are kept (`~/.config/mcu/views.toml`).
    pub views_path: Option<std::path::PathBuf>,
    /// What the operator may do: which appeals they see, whose personal data, what they change.
    pub grants: Grants,
    /// The auto-triage model (built at start with the officers' corrections so far).
    pub triage: Option<std::sync::Arc<crate::domain::triage::Triage>>,
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
            operator: operator.clone(),
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
            views_path: super::views::default_path(),
            grants: Grants::new(operator.clone(), vec![Role::Head], vec![]),
            triage: None,
            data_version: 0,
        }
    }

    /// Sets what the operator may do (the default is the head's full rights, for tests and the
    /// demo); a block lead's list shows only their blocks.
    pub fn set_grants(&mut self, grants: Grants) {
        self.incoming.base_blocks = (!grants.sees_everything()).then(|| grants.blocks.clone());
        self.incoming.filter.blocks_in = self.incoming.base_blocks.clone();
        self.grants = grants;
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
        let Some(appeal) = self.store.get(id)?.filter(|a| self.grants.may_see(a)) else {
            self.detail = None;
            return Ok(());
        };
        let history = self.store.history(id)?;
        let duplicates = self.store.duplicates_of(id)?;
        let suggestion = self.suggestion(&appeal)?;
        self.detail = Some(Detail {
            suggestion,
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

    /// Performs an action (from the keymap).
    pub fn perform(&mut self, action: &Action) -> Result<(), StoreError> {
        self.dirty = true;
        let page = self.list_height.max(1) as isize;
        match action {
            Action::Noop => {}
            Action::Quit => self.quit = true,
            Action::Help => self.popup = Some(Popup::Help { scroll: 0 }),
            Action::Back | Action::Cancel | Action::No => {
                if matches!(self.popup, Some(Popup::Confirm(_))) {
                    self.confirm(false)?;
                } else if self.popup.is_some() {
                    self.popup = None;
                } else if self.detail.is_some() {
                    self.detail = None;
                } else if !self.incoming.marked.is_empty() {
                    self.incoming.marked.clear();
                }
            }
            Action::Yes => self.confirm(true)?,
            Action::Down => self.move_by(1)?,
            Action::Up => self.move_by(-1)?,
            Action::Arrow(step) => {
                let d = match step {
                    Step::Lines(n) => *n as isize,
                    Step::Percent(p) => (page * *p as isize / 100).max(1) * p.signum() as isize,
                };
                self.move_by(d)?
            }
            Action::Top => self.top()?,
            Action::Bottom => self.bottom()?,
            Action::NextPanel => self.focus = next_panel(self.focus, 1),
            Action::PrevPanel => self.focus = next_panel(self.focus, -1),
            Action::Open => self.open()?,
            Action::NextAppeal | Action::PrevAppeal => {
                let d = if *action == Action::NextAppeal { 1 } else { -1 };
                self.incoming.move_by(&self.store, d, self.list_height)?;
                if self.detail.is_some()
                    && let Some(id) = self.incoming.current().map(|a| a.id)
                {
                    self.open_detail(id)?;
                }
            }
            Action::NextUntriaged => self.next_untriaged()?,
            Action::Refresh => {
                self.refresh()?;
                self.say("Обновлено", false);
            }
            Action::Search => {
                self.popup = Some(Popup::Input(
                    Input::new(
                        "Поиск по тексту (любая форма слова)",
                        false,
                        Purpose::Search,
                    )
                    .with_text(self.incoming.filter.text.as_deref().unwrap_or("")),
                ))
            }
            Action::Command => {
                self.popup = Some(Popup::Input(Input::new(":", false, Purpose::Command)))
            }
            Action::Filter(kind) => self.filter(Some(kind.id()))?,
            Action::View(name) => self.view(name.as_deref())?,
            Action::SaveView => {
                self.popup = Some(Popup::Input(Input::new(
                    "Сохранить вид как",
                    false,
                    Purpose::SaveView,
                )))
            }
            Action::ToggleMark => {
                if let Some(a) = self.incoming.current().map(|a| a.id) {
                    if !self.incoming.marked.remove(&a) {
                        self.incoming.marked.insert(a);
                    }
                    self.move_by(1)?;
                }
            }
            Action::MarkAll => {
                let all: Vec<i64> = self.incoming.rows.iter().map(|a| a.id).collect();
                self.incoming.marked.extend(all);
            }
            Action::UnmarkAll => self.incoming.marked.clear(),
            Action::SetBlock(b) => self.with_targets(|app, t| app.choose_block(t, b.as_deref()))?,
            Action::Assign(r) => self.with_targets(|app, t| match r {
                Some(r) => app.apply(t, vec![Change::Responsible(Some(r.clone()))]),
                None => app.choose_recipient(t),
            })?,
            Action::SetStatus(s) => self.with_targets(|app, t| app.choose_status(t, *s))?,
            Action::Reject => {
                self.with_targets(|app, t| app.apply(t, vec![Change::Status(Status::Rejected)]))?
            }
            Action::Grade(q) => self.with_targets(|app, t| app.grade(t, *q))?,
            Action::Rate(r) => self.with_targets(|app, t| app.rate(t, *r))?,
            Action::InterimAnswer => self.with_targets(|app, t| {
                app.ask_text(
                    "Промежуточный ответ (Ctrl-S — сохранить)",
                    true,
                    Purpose::Interim(t),
                );
                Ok(())
            })?,
            Action::FinalAnswer => self.with_targets(|app, t| {
                app.ask_text("Ответ (Ctrl-S — сохранить)", true, Purpose::Answer(t));
                Ok(())
            })?,
            Action::AddNote => self.with_targets(|app, t| {
                app.ask_text("Заметка (Ctrl-S — сохранить)", true, Purpose::Note(t));
                Ok(())
            })?,
            Action::ExtendDeadline => self.with_targets(|app, t| {
                app.ask_text("Продлить срок по 59-ФЗ: причина", false, Purpose::Extend(t));
                Ok(())
            })?,
            Action::LinkDuplicate => self.with_targets(|app, t| {
                app.ask_text(
                    "Дубль обращения № (или канал:номер)",
                    false,
                    Purpose::Duplicate(t),
                );
                Ok(())
            })?,
            Action::ToggleUrgent => self.with_targets(|app, t| app.toggle(t, true))?,
            Action::ToggleConflict => self.with_targets(|app, t| app.toggle(t, false))?,
            Action::Accept => self.accept_suggestion()?,
            Action::ApplyMarked => {
                if self.incoming.marked.is_empty() {
                    self.say("Ничего не отмечено: отметьте обращения пробелом", true);
                } else {
                    self.popup = Some(Popup::Chooser(Chooser::new(
                        format!("Действие для {} отмеченных", self.incoming.marked.len()),
                        bulk_items(),
                        Purpose::ApplyMarked,
                    )));
                }
            }
            Action::Pick(n) => self.pick(*n)?,
            Action::Submit => self.submit(false)?,
            Action::Save => self.submit(true)?,
            Action::Complete => self.complete(),
        }
        Ok(())
    }

    fn top(&mut self) -> Result<(), StoreError> {
        if let Some(Popup::Chooser(c)) = &mut self.popup {
            c.selected = 0;
        } else if let Some(Popup::Help { scroll }) = &mut self.popup {
            *scroll = 0;
        } else if self.detail.is_some() {
            self.scroll_detail(-10_000);
        } else {
            match self.focus {
                Panel::Incoming => self.incoming.top(&self.store)?,
                Panel::Overdue => self.overdue_selected = 0,
                Panel::Ranking => self.ranking_selected = 0,
            }
        }
        Ok(())
    }

    fn bottom(&mut self) -> Result<(), StoreError> {
        if let Some(Popup::Chooser(c)) = &mut self.popup {
            c.selected = c.visible().len().saturating_sub(1);
        } else if self.detail.is_some() {
            self.scroll_detail(10_000);
        } else {
            match self.focus {
                Panel::Incoming => self.incoming.bottom(&self.store, self.list_height)?,
                Panel::Overdue => self.overdue_selected = self.overdue_len().saturating_sub(1),
                Panel::Ranking => self.ranking_selected = self.ranking.len().saturating_sub(1),
            }
        }
        Ok(())
    }

    /// A chooser's item was taken (the highlighted one, or by number).
    fn pick(&mut self, n: Option<u8>) -> Result<(), StoreError> {
        let Some(Popup::Chooser(c)) = &self.popup else {
            return Ok(());
        };
        let item = match n {
            Some(n) => c
                .visible()
                .get(usize::from(n).saturating_sub(1))
                .map(|i| (*i).clone()),
            None => c.current().cloned(),
        };
        let purpose = c.purpose.clone();
        if let Some(item) = item {
            self.submit_chooser(item.value, purpose)?;
        }
        Ok(())
    }

    /// Enter (`save = false`) or Ctrl-S (`save = true`) in a text input: Enter adds a line to a
    /// multi-line text, otherwise the text is submitted.
    fn submit(&mut self, save: bool) -> Result<(), StoreError> {
        let Some(Popup::Input(i)) = &mut self.popup else {
            return Ok(());
        };
        if i.multiline && !save {
            i.insert('\n');
            return Ok(());
        }
        let (text, purpose) = (i.text.clone(), i.purpose.clone());
        self.submit_input(text, purpose)
    }

    /// Tab in the command line: completes the command word.
    fn complete(&mut self) {
        const COMMANDS: [&str; 12] = [
            "block",
            "status",
            "channel",
            "recipient",
            "settlement",
            "overdue",
            "urgent",
            "search",
            "clear",
            "goto",
            "view",
            "refresh",
        ];
        if let Some(Popup::Input(i)) = &mut self.popup
            && i.purpose == Purpose::Command
            && !i.text.contains(' ')
        {
            let hits: Vec<&str> = COMMANDS
                .iter()
                .copied()
                .filter(|c| c.starts_with(i.text.as_str()))
                .collect();
            if let [one] = hits.as_slice() {
                i.text = format!("{one} ");
                i.cursor = i.text.chars().count();
            }
        }
    }

    /// Switches to a saved view, or lists them to pick one.
    fn view(&mut self, name: Option<&str>) -> Result<(), StoreError> {
        let Some(path) = self.views_path.clone() else {
            self.say("Нет каталога настроек для сохранённых видов", true);
            return Ok(());
        };
        let views = match super::views::load(&path) {
            Ok(v) => v,
            Err(e) => {
                self.say(e, true);
                return Ok(());
            }
        };
        match name {
            Some(n) => match views.get(n) {
                Some(v) => {
                    self.incoming.filter = v.to_filter(self.now());
                    self.apply_filter()?;
                    self.say(format!("Вид «{n}»"), false);
                }
                None => self.say(format!("Нет сохранённого вида «{n}»"), true),
            },
            None if views.is_empty() => self.say(
                "Сохранённых видов нет: настройте фильтры и сохраните (V)",
                false,
            ),
            None => {
                let items = views
                    .keys()
                    .map(|k| Item {
                        value: k.clone(),
                        label: k.clone(),
                    })
                    .collect();
                self.popup = Some(Popup::Chooser(Chooser::new(
                    "Сохранённые виды",
                    items,
                    Purpose::LoadView,
                )));
            }
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
                    self.apply_filter()?;
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
                    self.apply_filter()?;
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
            "urgent" => {
                self.incoming.filter.urgent = !self.incoming.filter.urgent;
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
        // A block lead's own blocks always stay in the filter.
        self.incoming.filter.blocks_in = self.incoming.base_blocks.clone();
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
        if f.urgent {
            parts.push("срочные".into());
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

    fn choose_status(&mut self, targets: Vec<i64>, arg: Option<Status>) -> Result<(), StoreError> {
        if let Some(s) = arg {
            return self.apply(targets, vec![Change::Status(s)]);
        }
        self.popup = Some(Popup::Chooser(Chooser::new(
            "Статус",
            status_items(),
            Purpose::SetStatus(targets),
        )));
        Ok(())
    }

    fn grade(&mut self, targets: Vec<i64>, arg: Option<Quality>) -> Result<(), StoreError> {
        if let Some(q) = arg {
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

    fn rate(&mut self, targets: Vec<i64>, arg: Option<u8>) -> Result<(), StoreError> {
        if let Some(r) = arg {
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
        let Some(sug) = self.suggestion(&a)? else {
            self.say("Нет подсказки для этого обращения: выберите блок (b)", true);
            return Ok(());
        };
        let mut changes = Vec::new();
        if a.block.is_none() {
            changes.push(Change::Block(Some(sug.block.clone())));
        }
        if a.responsible.is_none()
            && let Some(r) = sug.responsible
            && self.store.resolve_recipient(&r).is_ok()
        {
            changes.push(Change::Responsible(Some(r)));
        }
        if !changes.is_empty() {
            self.apply(vec![a.id], changes)?;
        } else if a.block.as_deref() == Some(sug.block.as_str()) {
            // Auto-triage set the block; the officer's confirmation teaches the model.
            let actor = Actor::operator(self.grants.clone(), "console");
            self.store.confirm_block(a.id, &actor, self.now())?;
            self.refresh()?;
            self.say("Блок подтверждён", false);
        } else {
            self.say("Уже разобрано", false);
        }
        self.next_untriaged()
    }

    /// The suggestion for an appeal: what auto-triage stored when it was imported, else a fresh
    /// one from the model, else (no model loaded) the keyword lexicon with the recipient who
    /// handled most appeals of that block.
    pub fn suggestion(&self, a: &Appeal) -> Result<Option<Suggested>, StoreError> {
        let stored = self.store.suggestion(a.id)?;
        if stored.as_ref().is_some_and(|s| s.error.is_some()) {
            // Auto-triage failed on this appeal: no suggestion, the officer decides.
            return Ok(None);
        }
        if let Some(s) = stored {
            return Ok(Some(Suggested {
                block: s.block,
                confidence: Some(s.confidence),
                responsible: s.responsible,
                duplicate_of: s.duplicate_of.map(|l| l.id),
                repeat_of: s.repeat_of.map(|l| l.id),
                reasons: s
                    .urgent_reasons
                    .into_iter()
                    .chain(s.conflict_reasons)
                    .collect(),
            }));
        }
        if let Some(t) = &self.triage {
            let s = t.suggest_appeal(a);
            return Ok(Some(Suggested {
                block: s.block,
                confidence: Some(s.confidence),
                responsible: s.responsible,
                duplicate_of: None,
                repeat_of: None,
                reasons: s
                    .urgent_reasons
                    .iter()
                    .chain(s.conflict_reasons.iter())
                    .map(|r| r.to_string())
                    .collect(),
            }));
        }
        let Some(block) = crate::domain::block::suggest(&self.reference.blocks, &a.text) else {
            return Ok(None);
        };
        let responsible = self.store.usual_recipient(&block)?;
        Ok(Some(Suggested {
            block,
            confidence: None,
            responsible,
            duplicate_of: None,
            repeat_of: None,
            reasons: Vec::new(),
        }))
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
        let actor = Actor::operator(self.grants.clone(), "console");
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
                Err(StoreError::Invalid(m) | StoreError::NotFound(m) | StoreError::Denied(m)) => {
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
            Purpose::LoadView => self.view(Some(&value))?,
            Purpose::ApplyMarked => {
                let action: Action = value.parse().unwrap_or(Action::Noop);
                self.perform(&action)?;
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
            Purpose::SaveView => {
                if t.is_empty() {
                    self.say("Виду нужно имя", true);
                } else if let Some(path) = self.views_path.clone() {
                    let v = super::views::SavedView::from_filter(&self.incoming.filter);
                    match super::views::save(&path, &t, v) {
                        Ok(()) => self.say(format!("Вид «{t}» сохранён"), false),
                        Err(e) => self.say(e, true),
                    }
                }
            }
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
            "urgent" => self.filter(Some("urgent"))?,
            "view" => self.view((!rest.is_empty()).then_some(rest))?,
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
                    "Неизвестная команда «{other}» (есть: block, status, channel, recipient, settlement, overdue, urgent, search, clear, goto, view, refresh, q)"
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

/// The triage actions a bulk apply offers (values are keymap `run` notations).
fn bulk_items() -> Vec<Item> {
    [
        ("set_block", "Тематический блок"),
        ("assign", "Назначить ответственного"),
        ("set_status", "Сменить статус"),
        ("grade", "Оценить ответ"),
        ("toggle_urgent", "Срочное: да / нет"),
        ("toggle_conflict", "Конфликтное: да / нет"),
        ("add_note", "Добавить заметку"),
        ("reject", "Отклонить"),
    ]
    .iter()
    .map(|(v, l)| Item {
        value: (*v).into(),
        label: (*l).into(),
    })
    .collect()
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
