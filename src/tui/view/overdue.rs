//! The «Просрочено по блокам» panel.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row, Table};

use super::{focused, panel};
use crate::textwidth::{fit, sparkline};
use crate::tui::app::{App, Panel};

/// Draws the per-block monitoring.
pub fn draw(f: &mut Frame, area: Rect, app: &App, wide: bool) {
    let t = &app.theme;
    let block = panel(
        app,
        "Просрочено по блокам".into(),
        focused(app, Panel::Overdue),
    );
    let Some(m) = &app.monitoring else {
        f.render_widget(block, area);
        return;
    };
    let visible = area.height.saturating_sub(3) as usize;
    let sel = app.overdue_selected;
    let start = sel.saturating_sub(visible.saturating_sub(1));
    let name_w = if wide { 13 } else { 9 };
    let rows: Vec<Row> = m
        .blocks
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(i, b)| {
            let overdue_style = if b.overdue > 0 { t.bad() } else { t.dim() };
            let risk_style = if b.at_risk > 0 { t.warn() } else { t.dim() };
            let mut cells = vec![
                Cell::from(fit(&b.name, name_w)),
                Cell::from(format!("{:>5}", b.open)),
                Cell::from(format!("{:>4}", b.at_risk)).style(risk_style),
                Cell::from(format!("{:>5}", b.overdue)).style(overdue_style),
            ];
            if wide {
                cells.push(Cell::from(
                    b.oldest_overdue_wd
                        .map_or("—".to_string(), |d| format!("{d} р.д.")),
                ));
                cells.push(Cell::from(sparkline(&b.weekly)).style(t.ok()));
            }
            let row = Row::new(cells);
            if i == sel && focused(app, Panel::Overdue) {
                row.style(t.selected())
            } else {
                row
            }
        })
        .collect();
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec!["Блок", "Откр", "Риск", "Проср", "Старейш", "8 недель"],
            vec![
                Constraint::Length(name_w as u16),
                Constraint::Length(5),
                Constraint::Length(4),
                Constraint::Length(5),
                Constraint::Length(8),
                Constraint::Length(8),
            ],
        )
    } else {
        (
            vec!["Блок", "Откр", "Риск", "Просрк"],
            vec![
                Constraint::Length(name_w as u16),
                Constraint::Length(5),
                Constraint::Length(4),
                Constraint::Length(6),
            ],
        )
    };
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.header()))
            .column_spacing(1)
            .block(block),
        area,
    );
}
