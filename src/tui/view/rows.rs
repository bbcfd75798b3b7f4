//! The «Входящие» panel: newest appeals first, only the visible rows drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::{focused, panel, time_left};
use crate::textwidth::fit;
use crate::tui::app::{App, Panel};

/// Draws the incoming list into `area`; `wide` adds the settlement and recipient columns.
pub fn draw(f: &mut Frame, area: Rect, app: &mut App, wide: bool) {
    let filter = app.filter_label();
    let title = if filter.is_empty() {
        "Входящие".to_string()
    } else {
        format!("Входящие — {filter}")
    };
    let block = panel(app, title, focused(app, Panel::Incoming));
    let inner_h = area.height.saturating_sub(3) as usize; // borders + header
    app.list_height = inner_h.max(1);
    app.incoming.scroll_into_view(app.list_height);

    let t = app.theme.clone();
    let cal = app.reference.calendar.clone();
    let tz = cal.timezone();
    let now = app.now();
    let text_w = |fixed: u16| area.width.saturating_sub(fixed + 2) as usize;
    // Column widths; the text takes what is left.
    let (widths, fixed): (Vec<Constraint>, u16) = if wide {
        let w = vec![
            Constraint::Length(1),
            Constraint::Length(11),
            Constraint::Length(3),
            Constraint::Length(11),
            Constraint::Length(14),
            Constraint::Min(10),
            Constraint::Length(18),
            Constraint::Length(8),
            Constraint::Length(2),
        ];
        (w, 1 + 11 + 3 + 11 + 14 + 18 + 8 + 2 + 8)
    } else {
        let w = vec![
            Constraint::Length(1),
            Constraint::Length(11),
            Constraint::Length(3),
            Constraint::Length(8),
            Constraint::Min(10),
            Constraint::Length(8),
            Constraint::Length(2),
        ];
        (w, 1 + 11 + 3 + 8 + 8 + 2 + 6)
    };
    let tw = text_w(fixed).max(10);

    let header: Vec<&str> = if wide {
        vec![
            "",
            "Поступило",
            "Кан",
            "Блок",
            "Нас. пункт",
            "Текст",
            "Ответственный",
            "Срок",
            "",
        ]
    } else {
        vec!["", "Поступило", "Кан", "Блок", "Текст", "Срок", ""]
    };
    let start = app.incoming.offset.min(app.incoming.rows.len());
    let end = (start + app.list_height).min(app.incoming.rows.len());
    let mut rows = Vec::with_capacity(end - start);
    for (i, a) in app.incoming.rows[start..end].iter().enumerate() {
        let idx = start + i;
        let marked = app.incoming.marked.contains(&a.id);
        let (left, left_style) =
            time_left(app, &cal, now, a.deadlines.answer_due, a.status.is_open());
        let block = a.block.as_deref().map_or("—".to_string(), |b| {
            app.reference.blocks.name_of(b).to_string()
        });
        let mut marks = Vec::new();
        if a.urgent {
            marks.push(Span::styled("С", t.bad()));
        }
        if a.conflict {
            marks.push(Span::styled("К", t.marked()));
        }
        let mut cells = vec![
            Cell::from(if marked { "●" } else { " " }).style(t.marked()),
            Cell::from(
                a.received_at
                    .with_timezone(&tz)
                    .format("%d.%m %H:%M")
                    .to_string(),
            ),
            Cell::from(a.channel.short_ru()),
            Cell::from(fit(&block, if wide { 11 } else { 8 })),
        ];
        if wide {
            cells.push(Cell::from(fit(a.settlement.as_deref().unwrap_or("—"), 14)));
        }
        cells.push(Cell::from(fit(&a.text, tw)));
        if wide {
            cells.push(Cell::from(fit(a.responsible.as_deref().unwrap_or("—"), 18)));
        }
        cells.push(Cell::from(left).style(left_style));
        cells.push(Cell::from(Line::from(marks)));
        let mut row = Row::new(cells);
        if idx == app.incoming.selected && focused(app, Panel::Incoming) {
            row = row.style(t.selected());
        } else if idx == app.incoming.selected {
            row = row.style(Style::new().add_modifier(ratatui::style::Modifier::UNDERLINED));
        } else if marked {
            row = row.style(t.marked());
        }
        rows.push(row);
    }
    let empty = app.incoming.rows.is_empty();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.header()))
        .column_spacing(1)
        .block(block);
    f.render_widget(table, area);
    if empty {
        let msg = if app.filter_label().is_empty() {
            "Обращений пока нет: положите файл выгрузки в inbox/"
        } else {
            "Ничего не найдено: снимите фильтр (x)"
        };
        let r = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: 1,
        };
        f.render_widget(ratatui::widgets::Paragraph::new(msg).style(t.dim()), r);
    }
}
