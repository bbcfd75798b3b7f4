//! The analytics the console had only on the command line, as screens: hot topics (`:hot`),
//! targets against the actual figures (`:targets`) and conflicts (`:conflicts`, `Enter` opens the
//! appeal) — the same figures as `mcu hot`, `mcu targets` and `mcu conflicts`, for the current
//! month to date (hot topics: the last seven days).

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{Effect, Env, Screen};
use crate::analytics::{self, Period};
use crate::domain::Quality;
use crate::domain::access::redact;
use crate::store::StoreError;
use crate::textwidth::fit;
use crate::tui::keymap::{Action, Context};

/// Which analytics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Hot,
    Targets,
    Conflicts,
}

impl Kind {
    /// The screen's name in `:NAME`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "hot" => Some(Kind::Hot),
            "targets" => Some(Kind::Targets),
            "conflicts" => Some(Kind::Conflicts),
            _ => None,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Hot => "Горячие темы",
            Kind::Targets => "Целевые показатели",
            Kind::Conflicts => "Конфликты и ошибки коммуникации",
        }
    }
}

/// One line, with the appeal it is about (conflicts).
#[derive(Debug, Clone, PartialEq)]
struct Row {
    text: String,
    appeal: Option<i64>,
    bad: bool,
}

/// The screen.
pub struct AnalyticsScreen {
    kind: Kind,
    rows: Vec<Row>,
    selected: usize,
    subtitle: String,
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

fn dates(p: Period) -> String {
    format!(
        "{} — {}",
        p.from.format("%d.%m.%Y"),
        p.to.format("%d.%m.%Y")
    )
}

impl AnalyticsScreen {
    /// The screen, with its figures read.
    pub fn open(kind: Kind, env: &mut Env) -> Result<Self, StoreError> {
        let mut s = Self {
            kind,
            rows: Vec::new(),
            selected: 0,
            subtitle: String::new(),
        };
        s.refresh(env)?;
        Ok(s)
    }

    fn read(&mut self, env: &Env) -> Result<(), StoreError> {
        let now = env.now();
        let tz = env.reference.calendar.timezone();
        let period = Period::month_to_date(now, tz);
        let blocks = &env.reference.blocks;
        self.rows.clear();
        match self.kind {
            Kind::Hot => {
                self.subtitle = "последние 7 дней против среднего за 4 недели до них".into();
                for t in analytics::hot_topics(&env.store, now)? {
                    self.rows.push(Row {
                        text: format!(
                            "{} {:<9} {} {:>4} за неделю / {:>5.1} в среднем",
                            if t.hot { "▲" } else { " " },
                            if t.kind == "block" {
                                "блок"
                            } else {
                                "категория"
                            },
                            fit(&t.name, 40),
                            t.last_week,
                            t.average
                        ),
                        appeal: None,
                        bad: t.hot,
                    });
                    for g in &t.settlements {
                        self.rows.push(Row {
                            text: format!(
                                "      растёт: {} {} (в среднем {:.1})",
                                g.settlement, g.last_week, g.average
                            ),
                            appeal: None,
                            bad: false,
                        });
                    }
                }
            }
            Kind::Targets => {
                self.subtitle = dates(period);
                for l in analytics::targets(&env.store, period, now)? {
                    let share = matches!(
                        l.indicator,
                        crate::domain::targets::Indicator::OnTimeShare
                            | crate::domain::targets::Indicator::QualityShare
                            | crate::domain::targets::Indicator::Satisfaction
                    );
                    let show = |v: f64| {
                        if share {
                            pct(Some(v))
                        } else {
                            format!("{v:.1}")
                        }
                    };
                    let bound = match (l.min, l.max) {
                        (Some(m), _) => format!("≥ {}", show(m)),
                        (None, Some(m)) => format!("≤ {}", show(m)),
                        _ => String::new(),
                    };
                    let scope = l
                        .block
                        .as_deref()
                        .map_or("весь округ", |b| blocks.name_of(b));
                    self.rows.push(Row {
                        text: format!(
                            "{} {} {:>7}  факт {:>6}  {}",
                            fit(&l.label, 30),
                            fit(scope, 16),
                            bound,
                            l.actual.map_or("—".into(), show),
                            match l.met {
                                Some(true) => "выполнен",
                                Some(false) => "НЕ ВЫПОЛНЕН",
                                None => "нет данных",
                            }
                        ),
                        appeal: None,
                        bad: l.met == Some(false),
                    });
                }
            }
            Kind::Conflicts => {
                self.subtitle = dates(period);
                let (from, to) = period.bounds(tz);
                for a in env.store.conflicts(from, to)? {
                    if !env.grants.may_see(&a) {
                        continue;
                    }
                    let x = redact(&a, &env.grants);
                    let mut marks = Vec::new();
                    if x.conflict {
                        marks.push("конфликт".to_string());
                    }
                    if x.reopen_count > 0 {
                        marks.push(format!("переоткрыто ×{}", x.reopen_count));
                    }
                    if x.quality == Some(Quality::Formal) {
                        marks.push("отписка".into());
                    }
                    self.rows.push(Row {
                        text: format!(
                            "{:>7} {} {} {} {}",
                            x.id,
                            x.received_at.with_timezone(&tz).format("%d.%m %H:%M"),
                            fit(x.responsible.as_deref().unwrap_or("(не назначено)"), 28),
                            fit(&marks.join(", "), 24),
                            x.text
                        ),
                        appeal: Some(x.id),
                        bad: x.conflict,
                    });
                }
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        Ok(())
    }
}

impl Screen for AnalyticsScreen {
    fn context(&self) -> Context {
        Context::Register
    }

    fn help_title(&self) -> &'static str {
        self.kind.title()
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        let theme = &env.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border())
            .border_style(theme.focused_border())
            .title(Span::styled(
                format!(" {} — {} ", self.kind.title(), self.subtitle),
                theme.title(),
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = usize::from(inner.width);
        let h = usize::from(inner.height);
        let first = self.selected.saturating_sub(h.saturating_sub(1));
        let lines: Vec<Line> = if self.rows.is_empty() {
            vec![Line::styled("(нет данных за период)", theme.dim())]
        } else {
            self.rows
                .iter()
                .enumerate()
                .skip(first)
                .take(h)
                .map(|(i, r)| {
                    let text = fit(&r.text, w);
                    if i == self.selected {
                        Line::styled(text, theme.selected())
                    } else if r.bad {
                        Line::styled(text, theme.bad())
                    } else {
                        Line::raw(text)
                    }
                })
                .collect()
        };
        f.render_widget(Paragraph::new(lines), inner);
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        let n = self.rows.len();
        match action {
            Action::Back | Action::Cancel | Action::No => env.request(Effect::Close),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = n.saturating_sub(1),
            Action::Open => {
                if let Some(id) = self.rows.get(self.selected).and_then(|r| r.appeal) {
                    env.request(Effect::Open(id));
                }
            }
            _ => return Ok(false),
        }
        env.dirty = true;
        Ok(true)
    }

    fn refresh(&mut self, env: &mut Env) -> Result<(), StoreError> {
        self.read(env)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
