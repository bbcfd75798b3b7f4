//! The answer templates' screen (F6, `:templates`): the templates in force with kind and scope;
//! `Enter` shows one with its text; `e` edits the text, `n` adds one (kind, block, then text).
//! Changes go to the workspace's `templates.toml` and the audit trail
//! (`reference::templates::save`, action `KeepRegisters`).

mod view;

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Env, Screen};
use crate::domain::templates::{Kind, Template};
use crate::reference::Reference;
use crate::reference::templates::{TemplateChange, save};
use crate::store::{Actor, StoreError};
use crate::tui::keymap::{Action, Context};
use crate::tui::popup::{Chooser, Input, Item, Pager, Popup, Purpose};
use crate::tui::writes::{Job, Reply};

/// The templates' screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplatesScreen {
    pub list: Vec<Template>,
    pub selected: usize,
    /// One template shown in full (its index), or the list.
    pub open: Option<usize>,
    pub pager: Pager,
    /// The template a change was sent for: selected again when the screen is read after it
    /// lands.
    keep: Option<String>,
}

impl TemplatesScreen {
    /// The screen before its first read (the app refreshes a pushed screen).
    pub fn new() -> Self {
        Self::default()
    }

    /// The highlighted template.
    pub fn current(&self) -> Option<&Template> {
        self.list.get(self.open.unwrap_or(self.selected))
    }

    fn select_id(&mut self, id: &str) {
        if let Some(i) = self.list.iter().position(|t| t.id == id) {
            self.selected = i;
            if self.open.is_some() {
                self.open = Some(i);
            }
        }
    }

    /// Writes a change and shows its result.
    fn save(&mut self, env: &mut Env, change: TemplateChange) -> Result<(), StoreError> {
        let Some(file) = env.reference.templates_file.clone() else {
            env.say(
                "Нет папки рабочего пространства: шаблоны не сохранить",
                true,
            );
            return Ok(());
        };
        let actor = Actor::operator(env.grants.clone(), "console");
        let now = env.now();
        // Through the write queue: the list is read again once it lands, this one selected.
        self.keep = Some(match &change {
            TemplateChange::Add(t) => t.id.clone(),
            TemplateChange::Text { id, .. } => id.clone(),
        });
        let mut change = Some(change);
        let job = Job::op("шаблон", actor.clone(), now, move |store| {
            let Some(c) = change.clone() else {
                return Ok(Reply::default());
            };
            match save(store, &actor, now, &file, c) {
                Ok(t) => {
                    change = None;
                    Ok(Reply::saved(format!("Шаблон «{}» сохранён", t.label())))
                }
                Err(e) if e.is_busy() => Err(e),
                Err(
                    e @ (StoreError::Invalid(_) | StoreError::Denied(_) | StoreError::NotFound(_)),
                ) => Ok(Reply::refused(super::error_text(&e, None))),
                Err(e) => Err(e),
            }
        });
        super::triage::submit_op(env, job)
    }

    /// An id for a new template that is not taken: `<block or general>_<kind>_<n>`.
    fn new_id(&self, kind: Kind, block: Option<&str>) -> String {
        let base = format!("{}_{}", block.unwrap_or("general"), kind.id());
        (1..)
            .map(|n| format!("{base}_{n}"))
            .find(|id| self.list.iter().all(|t| t.id != *id))
            .unwrap_or(base)
    }
}

impl Screen for TemplatesScreen {
    fn context(&self) -> Context {
        Context::Register
    }

    fn help_title(&self) -> &'static str {
        "Шаблоны ответов"
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        view::draw(f, area, env, self);
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        // The officer moves on: a change landing later no longer moves the selection.
        self.keep = None;
        let n = self.list.len();
        match action {
            Action::Back | Action::Cancel | Action::No => match self.open {
                Some(_) => self.open = None,
                None => env.request(super::Effect::Close),
            },
            Action::Down | Action::Up | Action::Arrow(_) | Action::Top | Action::Bottom
                if self.open.is_some() =>
            {
                self.pager.perform(action)
            }
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Arrow(step) => {
                let to = self.selected as isize + step.rows(10);
                self.selected = to.clamp(0, n.saturating_sub(1) as isize) as usize;
            }
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = n.saturating_sub(1),
            Action::Open => {
                if n > 0 {
                    self.open = Some(self.selected);
                    self.pager = Pager::default();
                }
            }
            Action::EditEntry => {
                if let Some(t) = self.current() {
                    let input = Input::new(
                        format!("Текст шаблона «{}» (Ctrl-S — сохранить)", t.label()),
                        true,
                        Purpose::TemplateText(t.id.clone()),
                    )
                    .with_text(&t.text);
                    env.open(Popup::Input(input));
                }
            }
            Action::NewEntry => env.open(Popup::Chooser(Chooser::new(
                "Новый шаблон: для какого ответа",
                [Kind::Interim, Kind::Final]
                    .iter()
                    .map(|k| Item {
                        value: k.id().into(),
                        label: k.label_ru().into(),
                    })
                    .collect(),
                Purpose::TemplateKind,
            ))),
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
        match purpose {
            Purpose::TemplateText(id) => {
                if value.trim().is_empty() {
                    env.say("Пустой текст не сохранён", true);
                } else {
                    let change = TemplateChange::Text {
                        id: id.clone(),
                        text: value.trim().to_string(),
                    };
                    self.save(env, change)?;
                }
            }
            Purpose::TemplateKind => {
                let Ok(kind) = value.parse::<Kind>() else {
                    return Ok(true);
                };
                let mut items = vec![Item {
                    value: String::new(),
                    label: "любой блок".into(),
                }];
                items.extend(super::triage::block_items(env));
                env.open(Popup::Chooser(Chooser::new(
                    "Новый шаблон: блок",
                    items,
                    Purpose::TemplateBlock(kind),
                )));
            }
            Purpose::TemplateBlock(kind) => {
                let block = (!value.is_empty()).then(|| value.to_string());
                env.open(Popup::Input(Input::new(
                    "Текст нового шаблона: {settlement}, {deadline}, {responsible}… (Ctrl-S — сохранить)",
                    true,
                    Purpose::TemplateNew(*kind, block),
                )));
            }
            Purpose::TemplateNew(kind, block) => {
                if value.trim().is_empty() {
                    env.say("Пустой шаблон не сохранён", true);
                } else {
                    let t = Template {
                        id: self.new_id(*kind, block.as_deref()),
                        title: None,
                        kind: *kind,
                        block: block.clone(),
                        category: None,
                        status: None,
                        text: value.trim().to_string(),
                        origin: Default::default(),
                    };
                    self.save(env, TemplateChange::Add(t))?;
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), StoreError> {
        match Reference::load_templates(
            env.reference.templates_file.as_deref(),
            &env.reference.blocks,
        ) {
            Ok(t) => self.list = t.list,
            Err(e) => env.say(format!("Шаблоны ответов не прочитаны: {e}"), true),
        }
        // Kept until it is there (a refresh on the clock may come before the write lands).
        if let Some(id) = self.keep.clone()
            && self.list.iter().any(|t| t.id == id)
        {
            self.select_id(&id);
            self.keep = None;
        }
        self.selected = self.selected.min(self.list.len().saturating_sub(1));
        if self.open.is_some_and(|i| i >= self.list.len()) {
            self.open = None;
        }
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
