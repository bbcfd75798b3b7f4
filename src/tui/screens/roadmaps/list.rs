//! The list of roadmaps: those with overdue measures first, then by due date. Enter opens one;
//! `n` a new roadmap, `e` a field of the one under the cursor, `s` its status.

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{RoadmapDetail, ask_new_roadmap, choose_roadmap_field, choose_roadmap_status};
use crate::domain::roadmap::{Progress, Roadmap, list_key};
use crate::store::StoreError;
use crate::tui::keymap::{Action, Context};
use crate::tui::screens::{Effect, Env, Screen};

/// One roadmap of the list with what the list shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub roadmap: Roadmap,
    pub progress: Progress,
    pub linked: usize,
    pub proposed: usize,
    /// Whether the last full month kept to the target.
    pub met: Option<bool>,
}

/// The roadmaps' list screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoadmapList {
    pub rows: Vec<ListRow>,
    pub selected: usize,
    /// The first row shown (kept so the cursor stays on screen).
    pub offset: usize,
    /// Rows that fit, as last drawn.
    pub page: usize,
}

impl RoadmapList {
    /// The roadmap under the cursor.
    pub fn current(&self) -> Option<&Roadmap> {
        self.rows.get(self.selected).map(|r| &r.roadmap)
    }

    fn move_by(&mut self, delta: isize) {
        let n = self.rows.len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, n as isize - 1) as usize;
    }
}

impl Screen for RoadmapList {
    fn context(&self) -> Context {
        Context::Register
    }

    fn help_title(&self) -> &'static str {
        "Дорожные карты"
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        super::view::draw_list(f, area, env, self);
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        match action {
            Action::Back | Action::Cancel | Action::No => env.request(Effect::Close),
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::Arrow(step) => self.move_by(step.rows(self.page.max(1))),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = self.rows.len().saturating_sub(1),
            Action::Open => {
                if let Some(r) = self.current() {
                    env.push_screen(Box::new(RoadmapDetail::new(r.id)));
                }
            }
            Action::NewEntry => ask_new_roadmap(env),
            Action::EditEntry => match self.current() {
                Some(r) => choose_roadmap_field(env, r.id),
                None => env.say("Нет дорожных карт: n — новая", true),
            },
            Action::EntryStatus => match self.current() {
                Some(r) => choose_roadmap_status(env, r.id),
                None => env.say("Нет дорожных карт: n — новая", true),
            },
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn on_result(
        &mut self,
        purpose: &crate::tui::popup::Purpose,
        value: &str,
        env: &mut Env,
    ) -> Result<bool, StoreError> {
        super::on_result(purpose, value, env)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), StoreError> {
        let keep = self.current().map(|r| r.id);
        let tz = env.reference.calendar.timezone();
        let now = env.now();
        let today = now.with_timezone(&tz).date_naive();
        let mut rows = Vec::new();
        for roadmap in env.store.roadmaps()? {
            let progress = Progress::of(&env.store.measures(roadmap.id)?, today);
            let linked = env.store.roadmap_links(roadmap.id)?.len();
            let proposed = env.store.roadmap_proposals(&roadmap)?.len();
            let met = env.store.roadmap_effect(&roadmap, now)?.met;
            rows.push(ListRow {
                roadmap,
                progress,
                linked,
                proposed,
                met,
            });
        }
        rows.sort_by_key(|r| list_key(&r.roadmap, &r.progress));
        // The cursor stays on the roadmap it was on (a new one is the newest id).
        let newest = rows.iter().map(|r| r.roadmap.id).max();
        let grew = rows.len() > self.rows.len() && !self.rows.is_empty();
        let want = if grew { newest } else { keep };
        self.rows = rows;
        self.selected = want
            .and_then(|id| self.rows.iter().position(|r| r.roadmap.id == id))
            .unwrap_or(self.selected.min(self.rows.len().saturating_sub(1)));
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
