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
    /// The first row of each section (text, answers, fields, deadlines, history), as drawn.
    pub sections: Vec<u16>,
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
            sections: Vec::new(),
        }))
    }
}

impl Detail {
    /// Scrolls to the next section's first row (`dir` 1) or the previous one's (-1); past the
    /// last section (or when the rest is on the last page already) back to the top.
    fn next_section(&mut self, dir: i32) {
        let at = self.pager.scroll;
        let to = if dir > 0 {
            match self.sections.iter().copied().find(|&s| s > at) {
                Some(s) if at < self.pager.max => s,
                _ => 0,
            }
        } else {
            // The section this row is in starts at or before it: the one before that.
            self.sections
                .iter()
                .copied()
                .rev()
                .find(|&s| s < at)
                .unwrap_or(0)
        };
        self.pager.scroll = to.min(self.pager.max);
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
            // Tab moves between the detail's own sections, never the list's panels behind it.
            Action::NextPanel => self.next_section(1),
            Action::PrevPanel => self.next_section(-1),
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
                d.sections = std::mem::take(&mut self.sections);
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

    fn seen(&self, id: i64) -> Option<&Appeal> {
        (self.appeal.id == id).then_some(&self.appeal)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
