//! One appeal in full: its fields, deadlines, the answer, the history of changes, duplicates and
//! the auto-triage suggestion. Triage keys act on this appeal.

mod view;

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::triage::{self, Suggested};
use super::{Effect, Env, Screen};
use crate::domain::Appeal;
use crate::store::{Event, StoreError};
use crate::tui::keymap::{Action, Context};
use crate::tui::popup::Pager;

/// The detail screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub appeal: Appeal,
    pub suggestion: Option<Suggested>,
    pub history: Vec<Event>,
    pub duplicates: Vec<Appeal>,
    /// The 59-ФЗ registration, if recorded.
    pub registration: Option<crate::store::Registration>,
    /// The scroll position, bounded by what was drawn.
    pub pager: Pager,
}

impl Detail {
    /// Reads an appeal for the detail screen; `None` when it does not exist or the operator may
    /// not see it.
    pub fn open(id: i64, env: &Env) -> Result<Option<Self>, StoreError> {
        let Some(appeal) = env.store.get(id)?.filter(|a| env.grants.may_see(a)) else {
            return Ok(None);
        };
        Ok(Some(Self {
            suggestion: triage::suggestion(env, &appeal)?,
            history: env.store.history(id)?,
            duplicates: env.store.duplicates_of(id)?,
            registration: env.store.registration(id)?,
            appeal,
            pager: Pager::default(),
        }))
    }
}

impl Screen for Detail {
    fn context(&self) -> Context {
        Context::Detail
    }

    fn help_title(&self) -> &'static str {
        "Обращение"
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        view::draw(f, area, env, self);
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        match action {
            Action::Back | Action::Cancel | Action::No => env.request(Effect::Close),
            Action::Down | Action::Up | Action::Arrow(_) | Action::Top | Action::Bottom => {
                self.pager.perform(action)
            }
            Action::NextAppeal => env.request(Effect::Step(1)),
            Action::PrevAppeal => env.request(Effect::Step(-1)),
            Action::NextUntriaged => env.request(Effect::NextUntriaged),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), StoreError> {
        match Detail::open(self.appeal.id, env)? {
            Some(mut d) => {
                d.pager = self.pager;
                *self = d;
            }
            // Gone or no longer visible to this operator.
            None => env.request(Effect::Close),
        }
        Ok(())
    }

    fn targets(&self) -> Vec<i64> {
        vec![self.appeal.id]
    }

    fn current(&self) -> Option<&Appeal> {
        Some(&self.appeal)
    }

    fn seen_version(&self, id: i64) -> Option<i64> {
        (self.appeal.id == id).then_some(self.appeal.version)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
