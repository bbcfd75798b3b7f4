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
    // Numbers are never cut: each number column is as wide as its header or its widest value,
    // whichever is wider, and the block's name takes what is left (cut if it must be).
    let digits = |v: &dyn Fn(&crate::analytics::BlockLine) -> u64, header: &str| {
        let widest = mon
            .blocks
            .iter()
            .map(|b| v(b).to_string().len())
            .max()
            .unwrap_or(1);
        u16::try_from(widest.max(header.chars().count())).unwrap_or(u16::MAX)
    };
    let (open_h, risk_h, over_h) = if wide {
        ("Откр", "Риск", "Проср")
    } else {
        ("Откр", "Риск", "Просрк")
    };
    let open_w = digits(&|b| u64::from(b.open), open_h);
    let risk_w = digits(&|b| u64::from(b.at_risk), risk_h);
    let over_w = digits(&|b| u64::from(b.overdue), over_h);
    let inner = area.width.saturating_sub(2);
    let mut columns: Vec<Column> = vec![
        ("Блок", 0),
        (open_h, open_w),
        (risk_h, risk_w),
        (over_h, over_w),
    ];
    if wide {
        columns.extend([("Старейш", 8), ("8 недель", 8)]);
    }
    // Without room for a short name, the trailing columns go before a digit would.
    loop {
        let used: u16 = columns[1..].iter().map(|(_, w)| *w + 1).sum();
        if inner.saturating_sub(used) >= 4 || columns.len() <= 2 {
            break;
        }
        columns.pop();
    }
    let used: u16 = columns[1..].iter().map(|(_, w)| *w + 1).sum();
    let name_w = inner
        .saturating_sub(used)
        .clamp(3, if wide { 16 } else { 12 });
    columns[0].1 = name_w;
    let shown = columns.len();
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
            let num = |v: u32, w: u16| format!("{v:>w$}", w = usize::from(w));
            let mut cells = vec![
                Cell::from(fit(&b.name, usize::from(name_w))),
                Cell::from(num(b.open, open_w)),
                Cell::from(num(b.at_risk, risk_w)).style(risk_style),
                Cell::from(num(b.overdue, over_w)).style(overdue_style),
            ];
            if wide {
                cells.push(Cell::from(
                    b.oldest_overdue_wd
                        .map_or("—".to_string(), |d| format!("{d} р.д.")),
                ));
                cells.push(Cell::from(sparkline(&b.weekly)).style(t.ok()));
            }
            cells.truncate(shown);
            cells
        },
    );
}
