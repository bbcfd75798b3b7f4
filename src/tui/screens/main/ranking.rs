//! The «Рейтинг» panel: the current month's ranking with ▲/▼ against the previous period.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Cell;

use super::focused;
use super::summary::{self, Column};
use super::{Main, Panel};
use crate::textwidth::fit;
use crate::tui::screens::Env;
use crate::tui::view::panel;

/// Draws the ranking.
pub fn draw(f: &mut Frame, area: Rect, env: &Env, m: &Main, wide: bool) {
    let t = &env.theme;
    let title = match m.ranking_period {
        Some(p) => format!(
            "Рейтинг {}–{}",
            p.from.format("%d.%m"),
            p.to.format("%d.%m")
        ),
        None => "Рейтинг".into(),
    };
    let block = panel(&env.theme, title, focused(m, Panel::Ranking));
    // The place is never cut: as wide as the largest one (100 recipients take three digits).
    let rank_w = m
        .ranking
        .iter()
        .map(|r| r.rank.to_string().len())
        .max()
        .unwrap_or(1)
        .max(2);
    let inner = usize::from(area.width.saturating_sub(2));
    // Numbers keep their width; the name takes what is left. Without room for three letters of
    // it the arrow goes, then the name, then the score — a column is left out, a number never
    // cut.
    let numbers = if wide { 5 + 4 + 4 + 3 } else { 5 + 1 };
    let (mut with_arrow, mut with_name, mut with_score) = (true, true, true);
    let mut name_w = inner.saturating_sub(rank_w + 2 + 1 + numbers);
    if name_w < 3 {
        with_arrow = false;
        name_w += 2;
    }
    if name_w < 3 {
        with_name = false;
    }
    if !with_name && rank_w + 1 + 5 > inner {
        with_score = false;
    }
    if wide {
        // The wide panel's own cap, as before: the name gives the rest of the room to nothing.
        name_w = name_w.max(10);
    }
    let name_cols = u16::try_from(name_w).unwrap_or(u16::MAX);
    let rank_cols = u16::try_from(rank_w).unwrap_or(2);
    let mut columns: Vec<Column> = vec![("№", rank_cols)];
    if with_arrow {
        columns.push(("", 1));
    }
    if with_name {
        columns.push(("Ответственный", name_cols));
    }
    if with_score {
        columns.push(("Балл", 5));
    }
    if wide {
        columns.extend([("Обр", 4), ("Срок", 4)]);
    }
    let empty = m.ranking.is_empty();
    summary::table(
        f,
        area,
        &env.theme,
        (block, m.ranking_selected, focused(m, Panel::Ranking)),
        &columns,
        &m.ranking,
        |r| {
            let (arrow, style) = match r.prev_rank {
                Some(p) if p > r.rank => ("▲", t.ok()),
                Some(p) if p < r.rank => ("▼", t.bad()),
                Some(_) => ("=", t.dim()),
                None => ("·", t.dim()),
            };
            let mut cells = vec![Cell::from(format!("{:>rank_w$}", r.rank))];
            if with_arrow {
                cells.push(Cell::from(arrow).style(style));
            }
            if with_name {
                cells.push(Cell::from(fit(&r.recipient, name_w)));
            }
            if with_score {
                cells.push(Cell::from(format!("{:>5.1}", r.score)));
            }
            if wide {
                cells.push(Cell::from(format!("{:>4}", r.volume)));
                cells
                    .push(Cell::from(r.timeliness.map_or("  —".to_string(), |v| {
                        format!("{:>3.0}%", v * 100.0)
                    })));
            }
            cells
        },
    );
    if empty && area.height > 3 {
        let r = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: 1,
        };
        f.render_widget(
            ratatui::widgets::Paragraph::new("Пока некого ранжировать").style(t.dim()),
            r,
        );
    }
}
