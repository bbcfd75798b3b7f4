//! The «Просрочено по блокам» panel.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Cell;

use super::focused;
use super::summary::{self, Column};
use super::{Main, Panel};
use crate::textwidth::{fit, sparkline};
use crate::tui::screens::Env;
use crate::tui::view::panel;

/// Draws the per-block monitoring.
pub fn draw(f: &mut Frame, area: Rect, env: &Env, m: &Main, wide: bool) {
    let t = &env.theme;
    let block = panel(
        &env.theme,
        "Просрочено по блокам".into(),
        focused(m, Panel::Overdue),
    );
    let Some(mon) = &m.monitoring else {
        f.render_widget(block, area);
        return;
    };
    let name_w: u16 = if wide { 13 } else { 9 };
    let columns: Vec<Column> = if wide {
        vec![
            ("Блок", name_w),
            ("Откр", 5),
            ("Риск", 4),
            ("Проср", 5),
            ("Старейш", 8),
            ("8 недель", 8),
        ]
    } else {
        vec![("Блок", name_w), ("Откр", 5), ("Риск", 4), ("Просрк", 6)]
    };
    summary::table(
        f,
        area,
        &env.theme,
        (block, m.overdue_selected, focused(m, Panel::Overdue)),
        &columns,
        &mon.blocks,
        |b| {
            let overdue_style = if b.overdue > 0 { t.bad() } else { t.dim() };
            let risk_style = if b.at_risk > 0 { t.warn() } else { t.dim() };
            let mut cells = vec![
                Cell::from(fit(&b.name, usize::from(name_w))),
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
            cells
        },
    );
}
