//! The registry of official pages in the console (F3, `:pages`): the pages with their findings,
//! worst first; Enter opens one page (fields, findings, the last weeks' activity); `e` edits a
//! field (`поле значение`, e.g. `mark да`), `s` marks the page checked today. Changes go through
//! the same audited store path as `mcu pages set`.

use std::any::Any;
use std::path::Path;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{Effect, Env, Screen, error_text};
use crate::domain::access::Action as Grant;
use crate::domain::pages::checks::{Finding, Settings};
use crate::domain::pages::{Page, Stat};
use crate::store::{Actor, StoreError};
use crate::tui::keymap::{Action, Context};
use crate::tui::popup::{Input, Popup, Purpose};
use crate::tui::writes::{Job, Reply};

/// The pages screen.
pub struct PagesScreen {
    rows: Vec<(Page, Vec<Finding>)>,
    selected: usize,
    /// One page open: its statistics.
    open: Option<Vec<Stat>>,
    settings: Settings,
    /// The page a change was sent for: selected again when the screen is read after it lands.
    keep: Option<String>,
}

impl PagesScreen {
    pub fn new(env: &mut Env) -> Result<Self, StoreError> {
        // The workspace's pages.toml over the shipped checks, as `mcu pages check` reads them
        // (an in-memory store has no workspace: the shipped ones). A broken file is named and
        // the shipped checks are shown meanwhile.
        let dir = env
            .store
            .database_path()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        let layered = dir.map(|d| crate::reference::page_checks(&d));
        let settings = match layered {
            Some(Ok(s)) => s,
            other => {
                if let Some(Err(e)) = other {
                    env.say(format!("{e} — показаны проверки по умолчанию"), true);
                }
                Settings::embedded().map_err(StoreError::Invalid)?
            }
        };
        let mut s = Self {
            rows: Vec::new(),
            selected: 0,
            open: None,
            settings,
            keep: None,
        };
        s.refresh(env)?;
        Ok(s)
    }

    /// The URLs on screen in order (for tests).
    pub fn urls(&self) -> Vec<&str> {
        self.rows.iter().map(|(p, _)| p.url.as_str()).collect()
    }

    fn current(&self) -> Option<&Page> {
        self.rows.get(self.selected).map(|(p, _)| p)
    }

    fn today(env: &Env) -> chrono::NaiveDate {
        env.now()
            .with_timezone(&env.reference.calendar.timezone())
            .date_naive()
    }

    fn set(&mut self, env: &mut Env, field: &str, value: &str) -> Result<(), StoreError> {
        let Some(url) = self.current().map(|p| p.url.clone()) else {
            return Ok(());
        };
        if !env.grants.may_all(Grant::KeepPages) {
            env.say(
                "нельзя: реестр страниц ведёт ответственный за госпаблики",
                true,
            );
            return Ok(());
        }
        // Through the write queue: the screen is read again once it lands, this page selected.
        let actor = Actor::operator(env.grants.clone(), "console");
        let (field, value, now) = (field.to_string(), value.to_string(), env.now());
        self.keep = Some(url.clone());
        let job = Job::op(
            format!("страница {url}"),
            actor.clone(),
            now,
            move |store| match store.set_page_field(&actor, now, &url, &field, &value) {
                Ok(_) => Ok(Reply {
                    text: format!("{url}: сохранено"),
                    effects: vec![Effect::Saved],
                    ..Default::default()
                }),
                Err(StoreError::Invalid(e)) => Ok(Reply::refused(e)),
                Err(e) if e.is_busy() => Err(e),
                Err(e) => Ok(Reply::refused(error_text(&e, None))),
            },
        );
        super::triage::submit_op(env, job)
    }

    fn draw_list(&self, f: &mut Frame, area: Rect, env: &Env) {
        let t = &env.theme;
        let width = area.width.saturating_sub(2) as usize;
        let mut lines = vec![Line::styled(
            fit("Замеч.  Страница                          Орган", width),
            t.header(),
        )];
        let visible = area.height.saturating_sub(3) as usize;
        let first = self.selected.saturating_sub(visible.saturating_sub(1));
        for (i, (p, fs)) in self.rows.iter().enumerate().skip(first).take(visible) {
            let text = format!("{:>5}   {:<32}  {}", fs.len(), p.url, p.body);
            let style = if i == self.selected {
                t.selected()
            } else if fs.is_empty() {
                t.ok()
            } else {
                ratatui::style::Style::default()
            };
            lines.push(Line::styled(fit(&text, width), style));
        }
        if self.rows.is_empty() {
            lines.push(Line::raw("реестр пуст: mcu pages import FILE"));
        } else if let Some((_, fs)) = self.rows.get(self.selected) {
            let first = fs
                .first()
                .map(|x| x.reason.as_str())
                .unwrap_or("замечаний нет");
            lines.push(Line::styled(fit(first, width), t.dim()));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border())
            .border_style(t.border_style())
            .title(Span::styled(
                format!(" Официальные страницы: {} ", self.rows.len()),
                t.title(),
            ));
        f.render_widget(Paragraph::new(lines).block(block), area);
    }

    fn draw_page(&self, f: &mut Frame, area: Rect, env: &Env, stats: &[Stat]) {
        let t = &env.theme;
        let Some((p, fs)) = self.rows.get(self.selected) else {
            return;
        };
        let yes = |b: bool| if b { "да" } else { "нет" };
        let mut lines = vec![
            Line::raw(format!("Орган: {}", p.body)),
            Line::raw(format!(
                "Площадка: {}   Категория: {}",
                p.platform.id(),
                p.category.label()
            )),
            Line::raw(format!(
                "Отметка: {}  Виджеты ПОС: {}  Сайт: {}  Комментарии: {}",
                yes(p.mark),
                yes(p.widgets),
                yes(p.site_link),
                if p.comments_open {
                    "открыты"
                } else {
                    "закрыты"
                }
            )),
            Line::raw(format!(
                "Администраторы: {} (2FA: {})   Проверена: {}",
                p.admins,
                p.admins_2fa,
                p.checked_at
                    .map(|d| d.format("%d.%m.%Y").to_string())
                    .unwrap_or_else(|| "никогда".into())
            )),
            Line::styled("Замечания", t.header()),
        ];
        if fs.is_empty() {
            lines.push(Line::styled("  нет", t.ok()));
        }
        for x in fs {
            lines.push(Line::styled(format!("  {}", x.reason), t.warn()));
        }
        lines.push(Line::styled("Активность по неделям", t.header()));
        let today = Self::today(env);
        for w in 0..6i64 {
            let (posts, views) = stats
                .iter()
                .filter(|s| (today - s.date).num_days().div_euclid(7) == w)
                .fold((0, 0), |(p, v), s| (p + s.posts, v + s.views));
            let start = today - chrono::Days::new((w as u64 + 1) * 7 - 1);
            lines.push(Line::raw(format!(
                "  с {}: публикаций {posts:>3}, просмотров {views:>7}",
                start.format("%d.%m")
            )));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border())
            .border_style(t.border_style())
            .title(Span::styled(format!(" {} ", p.url), t.title()));
        f.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
    }
}

fn fit(s: &str, width: usize) -> String {
    s.chars().take(width).collect()
}

impl Screen for PagesScreen {
    fn context(&self) -> Context {
        Context::Register
    }

    fn help_title(&self) -> &'static str {
        "Официальные страницы"
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        match &self.open {
            Some(stats) => self.draw_page(f, area, env, stats),
            None => self.draw_list(f, area, env),
        }
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        // The officer moves on: a change landing later no longer moves the selection.
        self.keep = None;
        match action {
            Action::Up if self.open.is_none() => self.selected = self.selected.saturating_sub(1),
            Action::Down if self.open.is_none() => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1))
            }
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = self.rows.len().saturating_sub(1),
            Action::Open => {
                if let Some(url) = self.current().map(|p| p.url.clone()) {
                    self.open = Some(env.store.page_stats(&url)?);
                }
            }
            Action::Back => {
                if self.open.take().is_none() {
                    env.request(Effect::Close);
                }
            }
            Action::EditEntry => {
                if self.current().is_some() {
                    env.open(Popup::Input(Input::new(
                        "Поле и значение (mark да, admins_2fa 2, checked_at 07.12.2026…)",
                        false,
                        Purpose::PageEdit,
                    )));
                }
            }
            Action::EntryStatus => {
                let today = Self::today(env).to_string();
                self.set(env, "checked_at", &today)?;
            }
            _ => return Ok(false),
        }
        env.dirty = true;
        Ok(true)
    }

    fn on_result(
        &mut self,
        purpose: &Purpose,
        value: &str,
        env: &mut Env,
    ) -> Result<bool, StoreError> {
        if *purpose != Purpose::PageEdit {
            return Ok(false);
        }
        let value = value.trim();
        let (field, v) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
        self.set(env, field, v.trim())?;
        Ok(true)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), StoreError> {
        let now = env.now();
        let today = Self::today(env);
        self.rows = env.store.checked_pages(&self.settings, now, today)?;
        if let Some(url) = &self.keep
            && let Some(i) = self.rows.iter().position(|(p, _)| p.url == *url)
        {
            self.selected = i;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        if self.open.is_some() {
            self.open = match self.rows.get(self.selected) {
                Some((p, _)) => Some(env.store.page_stats(&p.url)?),
                None => None,
            };
        }
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
