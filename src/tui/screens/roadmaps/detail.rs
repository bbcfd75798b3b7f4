//! One roadmap: its fields, progress and effect, then its measures, the appeals linked to it and
//! those its rule proposes. Enter on an appeal opens it; `n` adds a measure; `e` changes the
//! measure under the cursor (elsewhere: a field of the roadmap); `s` marks the measure done (on a
//! proposed appeal: links it; elsewhere: the roadmap's status).

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{
    ask_new_measure, choose_measure_field, choose_roadmap_field, choose_roadmap_status, link_to,
    toggle_measure,
};
use crate::domain::Appeal;
use crate::domain::roadmap::{Effect as RoadmapEffect, Measure, Progress, Roadmap};
use crate::store::StoreError;
use crate::store::roadmaps::Link;
use crate::tui::keymap::{Action, Context};
use crate::tui::screens::{Effect, Env, Screen};

/// A row the cursor can be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Measure(usize),
    Linked(usize),
    Proposed(usize),
}

/// The screen of one roadmap.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadmapDetail {
    pub id: i64,
    pub roadmap: Option<Roadmap>,
    pub measures: Vec<Measure>,
    /// The linked appeals, each with the appeal when the operator may see it.
    pub links: Vec<(Link, Option<Appeal>)>,
    /// What the rule proposes (those the operator may see).
    pub proposed: Vec<Appeal>,
    pub progress: Progress,
    pub effect: Option<RoadmapEffect>,
    pub selected: usize,
    /// Lines that fit, as last drawn.
    pub page: usize,
}

impl RoadmapDetail {
    /// The screen of roadmap `id` (read when it opens).
    pub fn new(id: i64) -> Self {
        Self {
            id,
            roadmap: None,
            measures: Vec::new(),
            links: Vec::new(),
            proposed: Vec::new(),
            progress: Progress::default(),
            effect: None,
            selected: 0,
            page: 0,
        }
    }

    /// Every row the cursor can be on, in order.
    pub fn rows(&self) -> Vec<Row> {
        (0..self.measures.len())
            .map(Row::Measure)
            .chain((0..self.links.len()).map(Row::Linked))
            .chain((0..self.proposed.len()).map(Row::Proposed))
            .collect()
    }

    /// The row under the cursor.
    pub fn current_row(&self) -> Option<Row> {
        self.rows().get(self.selected).copied()
    }

    /// The appeal under the cursor, linked or proposed.
    fn appeal_under_cursor(&self) -> Option<i64> {
        match self.current_row()? {
            Row::Linked(i) => self.links.get(i).map(|(l, _)| l.appeal_id),
            Row::Proposed(i) => self.proposed.get(i).map(|a| a.id),
            Row::Measure(_) => None,
        }
    }

    fn move_by(&mut self, delta: isize) {
        let n = self.rows().len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, n as isize - 1) as usize;
    }
}

impl Screen for RoadmapDetail {
    fn context(&self) -> Context {
        Context::Register
    }

    fn help_title(&self) -> &'static str {
        "Дорожная карта"
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        super::view::draw_detail(f, area, env, self);
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        let id = self.id;
        match action {
            Action::Back | Action::Cancel | Action::No => env.request(Effect::Close),
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::Arrow(step) => self.move_by(step.rows(self.page.max(1))),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = self.rows().len().saturating_sub(1),
            Action::Open => match self.current_row() {
                Some(Row::Measure(i)) => {
                    if let Some(m) = self.measures.get(i) {
                        choose_measure_field(env, id, m.n);
                    }
                }
                Some(Row::Linked(i)) if self.links.get(i).is_some_and(|(_, a)| a.is_none()) => {
                    env.say("Это обращение вам недоступно", true);
                }
                Some(_) => {
                    if let Some(a) = self.appeal_under_cursor() {
                        env.request(Effect::Open(a));
                    }
                }
                None => {}
            },
            Action::NewEntry => ask_new_measure(env, id),
            Action::EditEntry => match self.current_row() {
                Some(Row::Measure(i)) => {
                    if let Some(m) = self.measures.get(i) {
                        choose_measure_field(env, id, m.n);
                    }
                }
                _ => choose_roadmap_field(env, id),
            },
            Action::EntryStatus => match self.current_row() {
                Some(Row::Measure(i)) => {
                    if let Some(m) = self.measures.get(i) {
                        let (n, status) = (m.n, m.status);
                        toggle_measure(env, id, n, status)?;
                    }
                }
                Some(Row::Proposed(i)) => {
                    if let Some(a) = self.proposed.get(i).map(|a| a.id) {
                        link_to(env, id, &[a])?;
                    }
                }
                _ => choose_roadmap_status(env, id),
            },
            Action::RemoveEntry => match self.current_row() {
                Some(Row::Linked(i)) => {
                    if let Some(a) = self.links.get(i).map(|(l, _)| l.appeal_id) {
                        super::unlink_from(env, id, a, "Отвязано от дорожной карты")?;
                    }
                }
                Some(Row::Proposed(i)) => {
                    if let Some(a) = self.proposed.get(i).map(|a| a.id) {
                        super::unlink_from(env, id, a, "Предложение отклонено")?;
                    }
                }
                _ => env.say("Убрать можно связанное или предложенное обращение", false),
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
        let roadmap = match env.store.roadmap(self.id) {
            Ok(r) => r,
            Err(StoreError::NotFound(_)) => {
                env.request(Effect::Close);
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let tz = env.reference.calendar.timezone();
        let now = env.now();
        let today = now.with_timezone(&tz).date_naive();
        let visible = |a: Option<Appeal>| {
            a.filter(|a| env.grants.may_see(a))
                .map(|a| crate::domain::access::redact(&a, &env.grants))
        };
        self.measures = env.store.measures(self.id)?;
        self.progress = Progress::of(&self.measures, today);
        let mut links = Vec::new();
        for l in env.store.roadmap_links(self.id)? {
            let a = visible(env.store.get(l.appeal_id)?);
            links.push((l, a));
        }
        self.links = links;
        let mut proposed = Vec::new();
        for id in env.store.roadmap_proposals(&roadmap)? {
            if let Some(a) = visible(env.store.get(id)?) {
                proposed.push(a);
            }
        }
        self.proposed = proposed;
        self.effect = Some(env.store.roadmap_effect(&roadmap, now)?);
        self.roadmap = Some(roadmap);
        self.selected = self.selected.min(self.rows().len().saturating_sub(1));
        Ok(())
    }

    fn targets(&self) -> Vec<i64> {
        self.appeal_under_cursor().into_iter().collect()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
