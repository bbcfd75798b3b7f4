//! The main screen: three live panels — «Входящие» (the appeals paged from SQLite in the order
//! chosen), «Просрочено по блокам» and the ranking — with the filters, search, today's view, saved
//! views, sorting, marks and `:` commands of the incoming list.

mod incoming;
mod overdue;
mod ranking;
mod summary;

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::triage;
use super::{Effect, Env, Screen};
use crate::analytics::{self, Monitoring, Period};
use crate::domain::ranking::RankRow;
use crate::domain::{Appeal, Channel, Status};
use crate::store::{ListFilter, Sort, StoreError, Today};
use crate::tui::incoming::Incoming;
use crate::tui::keymap::{Action, Context};
use crate::tui::popup::{Chooser, Input, Item, Popup, Purpose};

/// The three panels of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Incoming,
    Overdue,
    Ranking,
}

/// The main screen's state.
pub struct Main {
    pub focus: Panel,
    pub incoming: Incoming,
    pub monitoring: Option<Monitoring>,
    pub ranking: Vec<RankRow>,
    pub ranking_period: Option<Period>,
    pub overdue_selected: usize,
    pub ranking_selected: usize,
    /// Rows of the incoming list that fit on screen (set when drawn).
    pub list_height: usize,
    /// The saved view last switched to and its filter: the title names it while the filter is
    /// still that one.
    pub view: Option<(String, ListFilter)>,
}

impl Default for Main {
    fn default() -> Self {
        Self {
            focus: Panel::Incoming,
            incoming: Incoming::default(),
            monitoring: None,
            ranking: Vec::new(),
            ranking_period: None,
            overdue_selected: 0,
            ranking_selected: 0,
            list_height: 10,
            view: None,
        }
    }
}

impl Main {
    /// Loads every panel from the top.
    pub fn load(&mut self, env: &mut Env) -> Result<(), StoreError> {
        self.incoming.reload_top(&env.store)?;
        self.reload_panels(env)
    }

    fn reload_panels(&mut self, env: &mut Env) -> Result<(), StoreError> {
        let now = env.now();
        self.monitoring = Some(analytics::monitoring(&env.store, now)?);
        let tz = env.reference.calendar.timezone();
        let period = Period::month_to_date(now, tz);
        self.ranking = analytics::ranking(&env.store, period, now)?;
        self.ranking_period = Some(period);
        env.last_import = env.store.last_import()?.map(|f| {
            format!(
                "{} {}",
                f.name,
                f.imported_at.with_timezone(&tz).format("%d.%m %H:%M")
            )
        });
        Ok(())
    }

    /// The first deadline of a listed appeal after `t` (the list changes colour then).
    pub fn next_deadline_after(
        &self,
        t: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.incoming
            .rows
            .iter()
            .filter(|a| a.status.is_open())
            .flat_map(|a| [a.deadlines.first_response_due, a.deadlines.answer_due])
            .flatten()
            .filter(|d| *d > t)
            .min()
    }

    /// An officer's change was saved: the marks it applied to are done.
    pub fn saved(&mut self) {
        self.incoming.marked.clear();
    }

    /// Moves the list to the next appeal without a block; `false` when there is none below.
    pub fn next_untriaged(&mut self, env: &mut Env) -> Result<bool, StoreError> {
        let start = self.incoming.selected;
        let n = self.incoming.rows.len();
        let next = (start + 1..n).find(|&i| self.incoming.rows[i].block.is_none());
        let Some(i) = next else {
            env.say("Неразобранных обращений ниже нет", false);
            return Ok(false);
        };
        self.step(env, (i - start) as isize)?;
        Ok(true)
    }

    /// Moves the selection of the incoming list.
    pub fn step(&mut self, env: &Env, delta: isize) -> Result<(), StoreError> {
        self.incoming.move_by(&env.store, delta, self.list_height)
    }

    fn overdue_len(&self) -> usize {
        self.monitoring.as_ref().map_or(0, |m| m.blocks.len())
    }

    fn move_by(&mut self, env: &Env, delta: isize) -> Result<(), StoreError> {
        match self.focus {
            Panel::Incoming => self.step(env, delta)?,
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

    fn top(&mut self, env: &Env) -> Result<(), StoreError> {
        match self.focus {
            Panel::Incoming => self.incoming.top(&env.store)?,
            Panel::Overdue => self.overdue_selected = 0,
            Panel::Ranking => self.ranking_selected = 0,
        }
        Ok(())
    }

    fn bottom(&mut self, env: &Env) -> Result<(), StoreError> {
        match self.focus {
            Panel::Incoming => self.incoming.bottom(&env.store, self.list_height)?,
            Panel::Overdue => self.overdue_selected = self.overdue_len().saturating_sub(1),
            Panel::Ranking => self.ranking_selected = self.ranking.len().saturating_sub(1),
        }
        Ok(())
    }

    /// `Enter`: an appeal opens in detail; a block or a recipient filters the incoming list.
    fn open(&mut self, env: &mut Env) -> Result<(), StoreError> {
        match self.focus {
            Panel::Incoming => {
                if let Some(id) = self.incoming.current().map(|a| a.id) {
                    env.request(Effect::Open(id));
                }
            }
            // Exactly the appeals of the figure: that block's open ones past their deadline at
            // the instant the figures were counted.
            Panel::Overdue => {
                let picked = self.monitoring.as_ref().and_then(|m| {
                    m.blocks
                        .get(self.overdue_selected)
                        .map(|b| (b.block.clone(), m.now))
                });
                if let Some((b, at)) = picked {
                    self.incoming.filter = Default::default();
                    self.incoming.filter.block = Some(b);
                    self.incoming.filter.overdue_at = Some(at);
                    self.apply_filter(env)?;
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
                    self.apply_filter(env)?;
                }
            }
        }
        Ok(())
    }

    /// Filters of the incoming list: `block`, `status`, `channel`, `recipient`, `settlement` open
    /// a chooser; `overdue` and `urgent` toggle; `clear` drops every filter.
    fn filter(&mut self, kind: Option<&str>, env: &mut Env) -> Result<(), StoreError> {
        let chooser = |title: &str, items: Vec<Item>, purpose: Purpose| {
            Popup::Chooser(Chooser::new(title, items, purpose))
        };
        match kind.unwrap_or("clear") {
            "overdue" => {
                self.incoming.filter.overdue_at = match self.incoming.filter.overdue_at {
                    Some(_) => None,
                    None => Some(env.now()),
                };
                self.apply_filter(env)?;
            }
            "urgent" => {
                self.incoming.filter.urgent = !self.incoming.filter.urgent;
                self.apply_filter(env)?;
            }
            "clear" => {
                self.incoming.filter = Default::default();
                self.apply_filter(env)?;
            }
            "block" => {
                let mut items = triage::block_items(env);
                items.push(Item {
                    value: "-".into(),
                    label: "без блока".into(),
                });
                env.open(chooser("Фильтр: блок", items, Purpose::FilterBlock));
            }
            "status" => env.open(chooser(
                "Фильтр: статус",
                triage::status_items(),
                Purpose::FilterStatus,
            )),
            "channel" => {
                let items = Channel::ALL
                    .iter()
                    .map(|c| Item {
                        value: c.id().into(),
                        label: c.label_ru().into(),
                    })
                    .collect();
                env.open(chooser("Фильтр: канал", items, Purpose::FilterChannel));
            }
            "recipient" => {
                let mut items = triage::recipient_items(env)?;
                items.push(Item {
                    value: "-".into(),
                    label: "не назначено".into(),
                });
                env.open(chooser(
                    "Фильтр: ответственный",
                    items,
                    Purpose::FilterRecipient,
                ));
            }
            "settlement" => {
                let items = env
                    .store
                    .settlements()?
                    .into_iter()
                    .map(|s| Item {
                        value: s.clone(),
                        label: s,
                    })
                    .collect();
                env.open(chooser(
                    "Фильтр: населённый пункт",
                    items,
                    Purpose::FilterSettlement,
                ));
            }
            other => env.say(format!("Неизвестный фильтр «{other}»"), true),
        }
        Ok(())
    }

    fn apply_filter(&mut self, env: &mut Env) -> Result<(), StoreError> {
        // A block lead's own blocks always stay in the filter.
        self.incoming.filter.blocks_in = self.incoming.base_blocks.clone();
        env.request(Effect::CloseAll);
        self.focus = Panel::Incoming;
        self.incoming.marked.clear();
        self.incoming.reload_top(&env.store)
    }

    /// A one-line description of the filters in force (today's view included); empty when none.
    pub fn filter_label(&self, env: &Env) -> String {
        let mut parts = self.filter_parts(env);
        if self.incoming.filter.today.is_some() {
            parts.insert(0, "сегодня".into());
        }
        parts.join(" · ")
    }

    /// The panel's title: the view, the position in the list and its length, the order when it is
    /// not the newest first, and the filters: «Входящие · 12/340 · по сроку — Дороги».
    pub fn title(&self, env: &Env) -> String {
        let inc = &self.incoming;
        let head = match &self.view {
            _ if inc.filter.today.is_some() => "Сегодня".to_string(),
            Some((name, f)) if *f == inc.filter => format!("Вид «{name}»"),
            _ => "Входящие".to_string(),
        };
        let mut t = format!("{head} · {}/{}", inc.position(), inc.total);
        if inc.order.sort != Sort::Received {
            t.push_str(" · ");
            t.push_str(inc.order.sort.label_ru());
        }
        let parts = self.filter_parts(env);
        if !parts.is_empty() {
            t.push_str(" — ");
            t.push_str(&parts.join(" · "));
        }
        t
    }

    /// The filters in force besides today's view, as the title names them.
    fn filter_parts(&self, env: &Env) -> Vec<String> {
        let f = &self.incoming.filter;
        let mut parts = Vec::new();
        match &f.block {
            Some(Some(b)) => parts.push(env.reference.blocks.name_of(b).to_string()),
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
        if f.no_recipient {
            parts.push("не назначено".into());
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
        parts
    }

    /// Today's view: what needs action today — open appeals overdue, due by the end of the local
    /// day or at risk (due within the next 8 working hours, as the overdue panel counts them),
    /// and those not sorted into a block yet — the nearest deadline first.
    pub fn today(&mut self, env: &mut Env) -> Result<(), StoreError> {
        self.incoming.filter = ListFilter {
            today: Some(today_bounds(env)),
            ..Default::default()
        };
        self.incoming.order = env.store.order(Sort::Deadline)?;
        self.apply_filter(env)?;
        let n = self.incoming.total;
        env.say(
            format!(
                "Сегодня: {n} {}",
                crate::domain::wording::plural(n as u64, ["обращение", "обращения", "обращений"])
            ),
            false,
        );
        Ok(())
    }

    /// Orders the list by `sort`, or offers the orders to pick one.
    fn sort(&mut self, sort: Option<Sort>, env: &mut Env) -> Result<(), StoreError> {
        match sort {
            Some(s) => {
                env.request(Effect::CloseAll);
                self.focus = Panel::Incoming;
                self.incoming.sort_by(&env.store, s)?;
                env.say(format!("Сортировка {}", s.label_ru()), false);
            }
            None => {
                let items = Sort::ALL
                    .iter()
                    .map(|s| Item {
                        value: s.id().into(),
                        label: if *s == self.incoming.order.sort {
                            format!("{} (сейчас)", s.label_ru())
                        } else {
                            s.label_ru().to_string()
                        },
                    })
                    .collect();
                env.open(Popup::Chooser(Chooser::new(
                    "Сортировка (1–4)",
                    items,
                    Purpose::Sort,
                )));
            }
        }
        Ok(())
    }

    /// Deletes a saved view after a «да» (a chooser of «Нет» / «Да, удалить», «Нет» first so a
    /// stray Enter keeps it), or lists them to pick one.
    fn delete_view(&mut self, name: Option<&str>, env: &mut Env) {
        let Some(path) = env.views_path.clone() else {
            env.say("Нет каталога настроек для сохранённых видов", true);
            return;
        };
        let views = match crate::tui::views::load(&path) {
            Ok(v) => v,
            Err(e) => {
                env.say(e, true);
                return;
            }
        };
        match name {
            Some(n) if views.contains_key(n) => {
                let items = vec![
                    Item {
                        value: "no".into(),
                        label: "Нет, оставить".into(),
                    },
                    Item {
                        value: "yes".into(),
                        label: "Да, удалить".into(),
                    },
                ];
                env.open(Popup::Chooser(Chooser::new(
                    format!("Удалить вид «{n}»?"),
                    items,
                    Purpose::DeleteViewConfirm(n.to_string()),
                )));
            }
            Some(n) => env.say(format!("Нет сохранённого вида «{n}»"), true),
            None if views.is_empty() => env.say("Сохранённых видов нет", false),
            None => {
                let items = views
                    .keys()
                    .map(|k| Item {
                        value: k.clone(),
                        label: k.clone(),
                    })
                    .collect();
                env.open(Popup::Chooser(Chooser::new(
                    "Удалить сохранённый вид",
                    items,
                    Purpose::DeleteView,
                )));
            }
        }
    }

    /// Switches to a saved view, or lists them to pick one.
    fn view(&mut self, name: Option<&str>, env: &mut Env) -> Result<(), StoreError> {
        let Some(path) = env.views_path.clone() else {
            env.say("Нет каталога настроек для сохранённых видов", true);
            return Ok(());
        };
        let views = match crate::tui::views::load(&path) {
            Ok(v) => v,
            Err(e) => {
                env.say(e, true);
                return Ok(());
            }
        };
        match name {
            Some(TODAY_VIEW) => self.today(env)?,
            Some(n) => match views.get(n) {
                Some(v) => {
                    self.incoming.filter = v.to_filter(env.now());
                    self.incoming.order = env.store.order(v.sort.unwrap_or_default())?;
                    self.apply_filter(env)?;
                    self.view = Some((n.to_string(), self.incoming.filter.clone()));
                    env.say(format!("Вид «{n}»"), false);
                }
                None => env.say(format!("Нет сохранённого вида «{n}»"), true),
            },
            None => {
                // Today's view comes first, built in; then the officer's own.
                let items = std::iter::once(Item {
                    value: TODAY_VIEW.into(),
                    label: "Сегодня: что требует действия".into(),
                })
                .chain(views.keys().map(|k| Item {
                    value: k.clone(),
                    label: k.clone(),
                }))
                .collect();
                env.open(Popup::Chooser(Chooser::new(
                    "Сохранённые виды",
                    items,
                    Purpose::LoadView,
                )));
            }
        }
        Ok(())
    }

    fn save_view(&mut self, name: &str, env: &mut Env) {
        if name.is_empty() {
            env.say("Виду нужно имя", true);
        } else if let Some(path) = env.views_path.clone() {
            let mut v = crate::tui::views::SavedView::from_filter(&self.incoming.filter);
            v.sort =
                (self.incoming.order.sort != Sort::Received).then_some(self.incoming.order.sort);
            match crate::tui::views::save(&path, name, v) {
                Ok(()) => {
                    self.view = Some((name.to_string(), self.incoming.filter.clone()));
                    env.say(format!("Вид «{name}» сохранён"), false)
                }
                Err(e) => env.say(e, true),
            }
        }
    }

    /// `:` commands (the table in [`crate::tui::commands`]): the list's filters, `goto N`,
    /// `view`, `refresh`, `messages`, `q`, and the screens `registers::open` knows.
    pub fn command(&mut self, line: &str, env: &mut Env) -> Result<(), StoreError> {
        let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        match cmd {
            "q" | "quit" => env.quit = true,
            "goto" | "g" => match env.store.find(rest) {
                Ok(a) => env.request(Effect::Open(a.id)),
                Err(e) => env.say(super::error_text(&e, Some(rest)), true),
            },
            "overdue" => {
                self.incoming.filter.overdue_at = Some(env.now());
                self.apply_filter(env)?;
            }
            "clear" => self.filter(Some("clear"), env)?,
            "urgent" => self.filter(Some("urgent"), env)?,
            "view" => self.view((!rest.is_empty()).then_some(rest), env)?,
            "today" => self.today(env)?,
            "sort" if rest.is_empty() => self.sort(None, env)?,
            "sort" => match rest.parse::<Sort>() {
                Ok(s) => self.sort(Some(s), env)?,
                Err(e) => env.say(e, true),
            },
            "delview" => self.delete_view((!rest.is_empty()).then_some(rest), env),
            "refresh" => env.request(Effect::Refresh),
            "messages" | "m" => env.open(Popup::Messages(Default::default())),
            "search" => {
                self.incoming.filter.text = (!rest.is_empty()).then(|| rest.to_string());
                self.apply_filter(env)?;
            }
            "block" => match rest {
                "" => self.filter(Some("block"), env)?,
                "none" | "-" => {
                    self.incoming.filter.block = Some(None);
                    self.apply_filter(env)?;
                }
                b => match env.reference.blocks.resolve(b).map(|b| b.id.clone()) {
                    Some(id) => {
                        self.incoming.filter.block = Some(Some(id));
                        self.apply_filter(env)?;
                    }
                    None => {
                        let known = env.reference.blocks.ids();
                        env.say(format!("Нет блока «{b}» (есть: {known})"), true)
                    }
                },
            },
            "status" => match rest.parse::<Status>() {
                Ok(s) => {
                    self.incoming.filter.status = Some(s);
                    self.apply_filter(env)?;
                }
                Err(e) => env.say(e.to_string(), true),
            },
            "channel" => match rest.parse::<Channel>() {
                Ok(c) => {
                    self.incoming.filter.channel = Some(c);
                    self.apply_filter(env)?;
                }
                Err(e) => env.say(e.to_string(), true),
            },
            "recipient" if matches!(rest, "none" | "-") => {
                self.incoming.filter.responsible = None;
                self.incoming.filter.no_recipient = true;
                self.apply_filter(env)?;
            }
            "recipient" => match env.store.resolve_recipient(rest) {
                Ok(r) => {
                    self.incoming.filter.responsible = Some(r);
                    self.incoming.filter.no_recipient = false;
                    self.apply_filter(env)?;
                }
                Err(e) => env.say(e.to_string(), true),
            },
            "settlement" => {
                self.incoming.filter.settlement = Some(rest.to_string());
                self.apply_filter(env)?;
            }
            "" => {}
            other if super::registers::open(other, env)? => {}
            other => env.say(
                format!(
                    "Неизвестная команда «{other}» (есть: {})",
                    crate::tui::commands::names().join(", ")
                ),
                true,
            ),
        }
        Ok(())
    }
}

/// The value of today's view in the views chooser and for `view` (a name no officer types for a
/// view of their own).
const TODAY_VIEW: &str = ":today";

/// Today's bounds at the console's clock: the later of the end of the local day and the end of
/// the next 8 working hours (the overdue panel's «at risk»).
fn today_bounds(env: &Env) -> Today {
    let now = env.now();
    let cal = &env.reference.calendar;
    let end_of_day = cal
        .local_date(now)
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| d.and_local_timezone(cal.timezone()).earliest())
        .map_or(now, |d| d.to_utc());
    let risk_end = cal.add_working_hours(now, 8).unwrap_or(now);
    Today {
        due_by: end_of_day.max(risk_end),
    }
}

/// Below this width the side panels go under the list instead of beside it.
/// (The list beside the summaries keeps its recipient column — a text of 30 cells, the received
/// time, channel, block, recipient and time left — only from this width on; below it the
/// summaries go under a list as wide as the terminal, which keeps that column from 100.)
pub const WIDE: u16 = 160;

/// Draws the main screen's three panels: beside each other when wide, the summaries under the
/// list when narrow.
fn draw(f: &mut Frame, area: Rect, env: &Env, m: &mut Main) {
    if area.width >= WIDE {
        // The summaries need about 54 columns; the list takes the rest of a wide terminal.
        let side = (area.width * 2 / 5).clamp(54, 72);
        let [left, right] =
            Layout::horizontal([Constraint::Min(50), Constraint::Length(side)]).areas(area);
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(right);
        incoming::draw(f, left, env, m, true);
        overdue::draw(f, top, env, m, true);
        ranking::draw(f, bottom, env, m, true);
    } else {
        // Narrow (80×24): the list on top, the two summaries side by side under it.
        let lower = if area.height >= 20 {
            11
        } else {
            area.height / 2
        };
        let [top, low] =
            Layout::vertical([Constraint::Min(4), Constraint::Length(lower)]).areas(area);
        let [l, r] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(low);
        // A list as wide as the terminal takes the wider block column from 110; each summary
        // its wide columns when it has their 54.
        incoming::draw(f, top, env, m, area.width >= 110);
        overdue::draw(f, l, env, m, l.width >= 54);
        ranking::draw(f, r, env, m, r.width >= 54);
    }
}

/// Which panel of the main screen has the keyboard.
fn focused(m: &Main, p: Panel) -> bool {
    m.focus == p
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

fn next_panel(p: Panel, d: i32) -> Panel {
    let all = [Panel::Incoming, Panel::Overdue, Panel::Ranking];
    let i = all.iter().position(|x| *x == p).unwrap_or(0) as i32;
    all[((i + d).rem_euclid(3)) as usize]
}

impl Screen for Main {
    fn context(&self) -> Context {
        Context::List
    }

    fn help_title(&self) -> &'static str {
        "Главный экран"
    }

    fn commands(&self) -> &'static [crate::tui::commands::Command] {
        crate::tui::commands::COMMANDS
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        draw(f, area, env, self);
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        match action {
            // Esc takes back one thing at a time: the marks, then the search and filters.
            Action::Back | Action::Cancel | Action::No => {
                if !self.incoming.marked.is_empty() {
                    self.incoming.marked.clear();
                } else if !self.filter_label(env).is_empty() {
                    self.incoming.filter = Default::default();
                    self.apply_filter(env)?;
                    env.say("Поиск и фильтры сняты", false);
                }
            }
            Action::Down => self.move_by(env, 1)?,
            Action::Up => self.move_by(env, -1)?,
            Action::Arrow(step) => self.move_by(env, step.rows(self.list_height))?,
            Action::Top => self.top(env)?,
            Action::Bottom => self.bottom(env)?,
            Action::NextPanel => self.focus = next_panel(self.focus, 1),
            Action::PrevPanel => self.focus = next_panel(self.focus, -1),
            Action::Open => self.open(env)?,
            Action::NextAppeal => self.step(env, 1)?,
            Action::PrevAppeal => self.step(env, -1)?,
            Action::NextUntriaged => {
                self.next_untriaged(env)?;
            }
            Action::Search => env.open(Popup::Input(
                Input::new(
                    "Поиск по тексту (любая форма слова)",
                    false,
                    Purpose::Search,
                )
                .with_text(self.incoming.filter.text.as_deref().unwrap_or("")),
            )),
            Action::Command => env.open(Popup::Input(
                Input::new(":", false, Purpose::Command)
                    .with_completions(&crate::tui::commands::names()),
            )),
            Action::Filter(kind) => self.filter(Some(kind.id()), env)?,
            Action::View(name) => self.view(name.as_deref(), env)?,
            Action::Today => self.today(env)?,
            Action::Sort(sort) => self.sort(*sort, env)?,
            Action::DeleteView(name) => self.delete_view(name.as_deref(), env),
            Action::SaveView => env.open(Popup::Input(Input::new(
                "Сохранить вид как",
                false,
                Purpose::SaveView,
            ))),
            Action::ToggleMark => {
                if let Some(a) = self.incoming.current().map(|a| a.id) {
                    if !self.incoming.marked.remove(&a) {
                        self.incoming.marked.insert(a);
                    }
                    self.move_by(env, 1)?;
                }
            }
            Action::MarkAll => {
                let all: Vec<i64> = self.incoming.rows.iter().map(|a| a.id).collect();
                self.incoming.marked.extend(all);
            }
            Action::UnmarkAll => self.incoming.marked.clear(),
            Action::ApplyMarked => {
                if self.incoming.marked.is_empty() {
                    env.say("Ничего не отмечено: отметьте обращения пробелом", true);
                } else {
                    env.open(Popup::Chooser(Chooser::new(
                        format!("Действие для {} отмеченных", self.incoming.marked.len()),
                        bulk_items(),
                        Purpose::ApplyMarked,
                    )));
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn on_result(
        &mut self,
        purpose: &Purpose,
        value: &str,
        env: &mut Env,
    ) -> Result<bool, StoreError> {
        let v = value.trim();
        match purpose {
            Purpose::Search => {
                self.incoming.filter.text = (!v.is_empty()).then(|| v.to_string());
                self.apply_filter(env)?;
            }
            Purpose::Command => self.command(v, env)?,
            Purpose::SaveView => self.save_view(v, env),
            Purpose::LoadView => self.view(Some(v), env)?,
            Purpose::ApplyMarked => {
                let action: Action = v.parse().unwrap_or(Action::Noop);
                let targets = self.targets();
                let current = self.incoming.current().cloned();
                triage::perform(&action, targets, current.as_ref(), env, &|id| {
                    self.seen(id).cloned()
                })?;
            }
            Purpose::FilterBlock => {
                self.incoming.filter.block = Some((v != "-").then(|| v.to_string()));
                self.apply_filter(env)?;
            }
            Purpose::FilterStatus => {
                self.incoming.filter.status = v.parse().ok();
                self.apply_filter(env)?;
            }
            Purpose::FilterChannel => {
                self.incoming.filter.channel = v.parse().ok();
                self.apply_filter(env)?;
            }
            Purpose::FilterRecipient => {
                let none = v == "-";
                self.incoming.filter.responsible = (!none).then(|| v.to_string());
                self.incoming.filter.no_recipient = none;
                self.apply_filter(env)?;
            }
            Purpose::Sort => self.sort(v.parse().ok(), env)?,
            Purpose::DeleteView => self.delete_view(Some(v), env),
            Purpose::DeleteViewConfirm(name) => {
                if v == "yes" {
                    if let Some(path) = env.views_path.clone() {
                        match crate::tui::views::delete(&path, name) {
                            Ok(()) => {
                                if self.view.as_ref().is_some_and(|(n, _)| n == name) {
                                    self.view = None;
                                }
                                env.say(format!("Вид «{name}» удалён"), false)
                            }
                            Err(e) => env.say(e, true),
                        }
                    }
                } else {
                    env.say(format!("Вид «{name}» оставлен"), false);
                }
            }
            Purpose::FilterSettlement => {
                self.incoming.filter.settlement = Some(v.to_string());
                self.apply_filter(env)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), StoreError> {
        // Today's view moves with the clock: what became due or at risk comes in, and after
        // midnight the day is the new one.
        if self.incoming.filter.today.is_some() {
            self.incoming.filter.today = Some(today_bounds(env));
        }
        self.incoming.refresh(&env.store)?;
        self.reload_panels(env)
    }

    fn targets(&self) -> Vec<i64> {
        if self.focus == Panel::Incoming {
            self.incoming.targets()
        } else {
            Vec::new()
        }
    }

    fn current(&self) -> Option<&Appeal> {
        self.incoming.current()
    }

    fn seen(&self, id: i64) -> Option<&Appeal> {
        self.incoming.rows.iter().find(|a| a.id == id)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
