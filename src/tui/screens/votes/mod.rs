//! The votes and public discussions of ПОС (F4, `:votes`): the list, latest first, and one vote
//! ([`one::VoteScreen`]: its options as bars with their shares, its comments as appeals). Votes
//! come from their exports (`mcu votes import`); the screens only read.

pub mod one;

use std::any::Any;
use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Effect, Env, Screen};
use crate::domain::votes::Vote;
use crate::store::StoreError;
use crate::textwidth::fit;
use crate::tui::keymap::{Action, Context};
use crate::tui::view::panel;

/// From this width on, the list shows the vote's id, settlement and the leader's share too.
const WIDE: u16 = 120;

/// What the register's data-changing keys answer: votes are imported, not typed.
pub(crate) const IMPORTED_ONLY: &str =
    "Голосования загружаются из выгрузок ПОС: mcu votes import ФАЙЛ";

/// The list of votes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VotesList {
    pub votes: Vec<Vote>,
    /// Comments per vote (by its id at the source).
    pub comments: HashMap<String, i64>,
    pub selected: usize,
    /// The first row shown.
    offset: usize,
}

impl VotesList {
    /// The vote under the cursor.
    pub fn current(&self) -> Option<&Vote> {
        self.votes.get(self.selected)
    }

    fn move_by(&mut self, delta: isize) {
        let n = self.votes.len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, n as isize - 1) as usize;
    }
}

/// Moves a cursor of `len` rows by a list action; `page` rows make a page. `false` when the
/// action is not a move.
pub(crate) fn step(selected: &mut usize, len: usize, action: &Action, page: usize) -> bool {
    let delta: isize = match action {
        Action::Down => 1,
        Action::Up => -1,
        Action::Arrow(s) => s.rows(page),
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return false,
    };
    if len == 0 {
        *selected = 0;
    } else {
        *selected = (*selected as isize)
            .saturating_add(delta)
            .clamp(0, len as isize - 1) as usize;
    }
    true
}

/// A date of the workspace zone, `DD.MM.YYYY`, or «идёт» for a vote not ended.
pub(crate) fn ended(v: &Vote, env: &Env) -> String {
    let tz = env.reference.calendar.timezone();
    v.ended_at.map_or("идёт".into(), |t| {
        t.with_timezone(&tz).format("%d.%m.%Y").to_string()
    })
}

impl Screen for VotesList {
    fn context(&self) -> Context {
        Context::Register
    }

    fn help_title(&self) -> &'static str {
        "Голосования и обсуждения"
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        let t = &env.theme;
        let block = panel(
            t,
            format!("Голосования и обсуждения ПОС: {}", self.votes.len()),
            true,
        );
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = usize::from(inner.width);
        let wide = area.width >= WIDE;
        // Kind, end, participants, comments; the id, settlement and leader when wide; the title
        // takes the rest.
        let fixed = 11 + 1 + 10 + 1 + 6 + 1 + 5 + 1 + if wide { 17 + 17 + 31 } else { 0 };
        let title_w = w.saturating_sub(fixed).max(8);
        let row = |cells: [String; 7]| -> String {
            let [kind, id, title, end, part, comm, extra] = cells;
            let mut s = format!("{} ", fit(&kind, 11));
            if wide {
                s += &format!("{} ", fit(&id, 16));
            }
            s += &format!(
                "{} {} {:>6} {:>5}",
                fit(&title, title_w),
                fit(&end, 10),
                part,
                comm
            );
            if wide {
                s += &format!(" {}", extra);
            }
            s
        };
        let mut lines = vec![Line::styled(
            row([
                "Вид".into(),
                "Номер".into(),
                "Название".into(),
                "Окончание".into(),
                "Уч.".into(),
                "Комм.".into(),
                format!("{} {}", fit("Нас. пункт", 16), "Лидер"),
            ]),
            t.header(),
        )];
        if self.votes.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "Голосований нет. Загрузите выгрузку ПОС: mcu votes import ФАЙЛ",
                t.dim(),
            ));
        }
        let rows = usize::from(inner.height).saturating_sub(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if rows > 0 && self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        for (i, v) in self.votes.iter().enumerate().skip(self.offset).take(rows) {
            let leader = match v.leader() {
                Some(l) => {
                    let share = v
                        .shares()
                        .into_iter()
                        .find(|s| s.option == l.option)
                        .map_or(0.0, |s| s.share);
                    format!("{} {:.0} %", fit(&l.option, 24), share * 100.0)
                }
                None => "—".into(),
            };
            let text = row([
                v.kind.label_ru().into(),
                v.vote_id.clone(),
                v.title.clone(),
                ended(v, env),
                v.participants.map_or("—".into(), |p| p.to_string()),
                self.comments
                    .get(&v.vote_id)
                    .copied()
                    .unwrap_or(0)
                    .to_string(),
                format!(
                    "{} {}",
                    fit(v.settlement.as_deref().unwrap_or("—"), 16),
                    leader
                ),
            ]);
            lines.push(if i == self.selected {
                Line::from(Span::styled(fit(&text, w), t.selected()))
            } else {
                Line::raw(text)
            });
        }
        f.render_widget(Paragraph::new(lines), inner);
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        match action {
            Action::Back | Action::Cancel | Action::No => env.request(Effect::Close),
            Action::Open => {
                if let Some(v) = self.current() {
                    env.push_screen(Box::new(one::VoteScreen::new(&v.vote_id)));
                }
            }
            Action::NewEntry | Action::EditEntry | Action::EntryStatus => {
                env.say(IMPORTED_ONLY, false)
            }
            a => {
                let n = self.votes.len();
                if !step(&mut self.selected, n, a, 10) {
                    return Ok(false);
                }
                self.move_by(0);
            }
        }
        Ok(true)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), StoreError> {
        let keep = self.current().map(|v| v.vote_id.clone());
        self.votes = env.store.votes()?;
        self.comments = env.store.vote_comment_counts()?;
        if let Some(k) = keep
            && let Some(i) = self.votes.iter().position(|v| v.vote_id == k)
        {
            self.selected = i;
        }
        self.move_by(0);
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
