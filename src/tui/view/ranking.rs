//! The «Рейтинг» panel: the current month's ranking with ▲/▼ against the previous period.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row, Table};

use super::{focused, panel};
use crate::textwidth::fit;
use crate::tui::app::{App, Panel};

/// Draws the ranking.
pub fn draw(f: &mut Frame, area: Rect, app: &App, wide: bool) {
    let t = &app.theme;
    let title = match app.ranking_period {
        Some(p) => format!(
            "Рейтинг {}–{}",
            p.from.format("%d.%m"),
            p.to.format("%d.%m")
        ),
        None => "Рейтинг".into(),
    };
    let block = panel(app, title, focused(app, Panel::Ranking));
    let visible = area.height.saturating_sub(3) as usize;
    let sel = app.ranking_selected;
    let start = sel.saturating_sub(visible.saturating_sub(1));
    let name_w: usize = if wide {
        (area.width as usize)
            .saturating_sub(2 + 3 + 2 + 6 + 4 + 5 + 6)
            .max(10)
    } else {
        (area.width as usize)
            .saturating_sub(2 + 3 + 2 + 5 + 4)
            .max(8)
    };
    let rows: Vec<Row> = app
        .ranking
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(i, r)| {
            let (arrow, style) = match r.prev_rank {
                Some(p) if p > r.rank => ("▲", t.ok()),
                Some(p) if p < r.rank => ("▼", t.bad()),
                Some(_) => ("=", t.dim()),
                None => ("·", t.dim()),
            };
            let mut cells = vec![
                Cell::from(format!("{:>2}", r.rank)),
                Cell::from(arrow).style(style),
                Cell::from(fit(&r.recipient, name_w)),
                Cell::from(format!("{:>5.1}", r.score)),
            ];
            if wide {
                cells.push(Cell::from(format!("{:>4}", r.volume)));
                cells
                    .push(Cell::from(r.timeliness.map_or("  —".to_string(), |v| {
                        format!("{:>3.0}%", v * 100.0)
                    })));
            }
            let row = Row::new(cells);
            if i == sel && focused(app, Panel::Ranking) {
                row.style(t.selected())
            } else {
                row
            }
        })
        .collect();
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec!["№", "", "Ответственный", "Балл", "Обр", "Срок"],
            vec![
                Constraint::Length(2),
                Constraint::Length(1),
                Constraint::Length(name_w as u16),
                Constraint::Length(5),
                Constraint::Length(4),
                Constraint::Length(4),
            ],
        )
    } else {
        (
            vec!["№", "", "Ответственный", "Балл"],
            vec![
                Constraint::Length(2),
                Constraint::Length(1),
                Constraint::Length(name_w as u16),
                Constraint::Length(5),
            ],
        )
    };
    let empty = app.ranking.is_empty();
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.header()))
            .column_spacing(1)
            .block(block),
        area,
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
