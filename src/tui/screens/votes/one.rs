//! One vote: what, where and when, its options as bars with their shares (the leader marked),
//! and the comments left in it as appeals (Enter opens one).

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{IMPORTED_ONLY, ended, step};
use crate::domain::Appeal;
use crate::domain::votes::Vote;
use crate::store::StoreError;
use crate::textwidth::fit;
use crate::tui::keymap::{Action, Context};
use crate::tui::screens::{Effect, Env, Screen};
use crate::tui::view::panel;

/// The screen of one vote.
#[derive(Debug, Clone, PartialEq)]
pub struct VoteScreen {
    pub vote_id: String,
    pub vote: Option<Vote>,
    /// The appeals made of its comments that the operator may see, oldest first.
    pub comments: Vec<Appeal>,
    /// The comment under the cursor.
    pub selected: usize,
}

impl VoteScreen {
    /// The screen of the vote with this id at its source (read on refresh).
    pub fn new(vote_id: &str) -> Self {
        Self {
            vote_id: vote_id.to_string(),
            vote: None,
            comments: Vec::new(),
            selected: 0,
        }
    }
}

/// A bar of `share` (0..=1) in `width` cells.
fn bar(share: f64, width: usize, ascii: bool) -> String {
    let full = ((share.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    let (on, off) = if ascii { ('#', '.') } else { ('█', '░') };
    let mut s: String = std::iter::repeat_n(on, full).collect();
    s.extend(std::iter::repeat_n(off, width - full));
    s
}

impl Screen for VoteScreen {
    fn context(&self) -> Context {
        Context::Register
    }

    fn help_title(&self) -> &'static str {
        "Голосование"
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        let t = &env.theme;
        let Some(v) = &self.vote else {
            f.render_widget(
                panel(t, format!("Голосование {}", self.vote_id), true),
                area,
            );
            return;
        };
        let block = panel(t, format!("{}: {}", v.kind.label_ru(), v.vote_id), true);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = usize::from(inner.width);
        let tz = env.reference.calendar.timezone();
        let day =
            |x: chrono::DateTime<chrono::Utc>| x.with_timezone(&tz).format("%d.%m.%Y").to_string();
        let mut lines = vec![
            Line::styled(fit(&v.title, w), t.header()),
            Line::raw(fit(
                &format!(
                    "{} · {} — {} · участников: {} · голосов: {}",
                    v.settlement.as_deref().unwrap_or("—"),
                    v.started_at.map_or("?".into(), day),
                    ended(v, env),
                    v.participants.map_or("—".into(), |p| p.to_string()),
                    v.votes_cast()
                ),
                w,
            )),
            Line::raw(""),
        ];
        let leader = v.leader().map(|l| l.option.clone());
        // Option · bar · share · votes.
        let option_w = (w / 3).clamp(10, 48);
        let bar_w = w.saturating_sub(option_w + 2 + 1 + 7 + 8).max(4);
        if v.options.is_empty() {
            lines.push(Line::styled("Вариантов нет (обсуждение)", t.dim()));
        }
        for o in v.shares() {
            let is_leader = leader.as_deref() == Some(o.option.as_str());
            let mark = if is_leader {
                if t.ascii { "*" } else { "★" }
            } else {
                " "
            };
            let label = Span::styled(
                format!("{mark} {} ", fit(&o.option, option_w)),
                if is_leader { t.ok() } else { t.status() },
            );
            lines.push(Line::from(vec![
                label,
                Span::styled(bar(o.share, bar_w, t.ascii), t.key()),
                Span::raw(format!(" {:>5.1} % {:>7}", o.share * 100.0, o.votes)),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Комментарии — обращения ПОС: {}", self.comments.len()),
            t.header(),
        ));
        let head = lines.len();
        let rows = usize::from(inner.height).saturating_sub(head);
        let offset = (self.selected + 1).saturating_sub(rows);
        for (i, a) in self.comments.iter().enumerate().skip(offset).take(rows) {
            let shown = crate::domain::access::redact(a, &env.grants);
            let text = format!(
                "№{:<6} {} {:<12} {}",
                a.id,
                day(a.received_at),
                fit(a.status.label_ru(), 12),
                shown.text.replace('\n', " ")
            );
            lines.push(if i == self.selected {
                Line::styled(fit(&text, w), t.selected())
            } else {
                Line::raw(fit(&text, w))
            });
        }
        f.render_widget(Paragraph::new(lines), inner);
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        match action {
            Action::Back | Action::Cancel | Action::No => env.request(Effect::Close),
            Action::Open => match self.comments.get(self.selected) {
                Some(a) => env.request(Effect::Open(a.id)),
                None => env.say("У голосования нет комментариев", false),
            },
            Action::NewEntry | Action::EditEntry | Action::EntryStatus => {
                env.say(IMPORTED_ONLY, false)
            }
            a => {
                let n = self.comments.len();
                return Ok(step(&mut self.selected, n, a, 10));
            }
        }
        Ok(true)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), StoreError> {
        self.vote = env.store.vote(&self.vote_id)?;
        if self.vote.is_none() {
            env.request(Effect::Close);
            return Ok(());
        }
        let mut comments = Vec::new();
        for id in env.store.vote_comments(&self.vote_id)? {
            if let Some(a) = env.store.get(id)?.filter(|a| env.grants.may_see(a)) {
                comments.push(a);
            }
        }
        self.comments = comments;
        self.selected = self.selected.min(self.comments.len().saturating_sub(1));
        Ok(())
    }

    fn targets(&self) -> Vec<i64> {
        self.comments
            .get(self.selected)
            .map(|a| vec![a.id])
            .unwrap_or_default()
    }

    fn current(&self) -> Option<&Appeal> {
        self.comments.get(self.selected)
    }

    fn seen(&self, id: i64) -> Option<&Appeal> {
        self.comments.iter().find(|a| a.id == id)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
