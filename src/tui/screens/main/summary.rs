//! The table both summary panels («Просрочено по блокам», «Рейтинг») draw: the rows around the
//! selection that fit, the selected one highlighted while the panel has the focus, under a
//! header whose columns each panel chooses by width.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Cell, Row, Table};

use crate::tui::theme::Theme;

/// A column: its header and width in cells.
pub(crate) type Column = (&'static str, u16);

/// Draws `items` as a table in `area`, one row of `cells` each, `selected` kept in view (and
/// highlighted when `highlight`: the panel has the focus).
pub(crate) fn table<'a, T>(
    f: &mut Frame,
    area: Rect,
    t: &Theme,
    (block, selected, highlight): (Block<'a>, usize, bool),
    columns: &[Column],
    items: &'a [T],
    cells: impl Fn(&'a T) -> Vec<Cell<'a>>,
) {
    let visible = area.height.saturating_sub(3) as usize;
    let start = selected.saturating_sub(visible.saturating_sub(1));
    let rows: Vec<Row> = items
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(i, item)| {
            let row = Row::new(cells(item));
            if i == selected && highlight {
                row.style(t.selected())
            } else {
                row
            }
        })
        .collect();
    let header: Vec<&str> = columns.iter().map(|(h, _)| *h).collect();
    let widths: Vec<Constraint> = columns
        .iter()
        .map(|(_, w)| Constraint::Length(*w))
        .collect();
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.header()))
            .column_spacing(1)
            .block(block),
        area,
    );
}
