//! The «Входящие» panel: the list in its order, only the visible rows drawn; the title says the
//! view, the position and the order.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::focused;
use super::{Main, Panel};
use crate::textwidth::fit;
use crate::tui::screens::Env;
use crate::tui::view::{panel, time_left};

/// The status column's width: «В работе», «Назначено» whole, longer ones cut.
const STATUS_W: usize = 10;

/// Draws the incoming list into `area`; `wide` adds the settlement and recipient columns.
pub fn draw(f: &mut Frame, area: Rect, env: &Env, m: &mut Main, wide: bool) {
    let title = m.title(env);
    let block = panel(&env.theme, title, focused(m, Panel::Incoming));
    let inner_h = area.height.saturating_sub(3) as usize; // borders + header
    m.list_height = inner_h.max(1);
    m.incoming.scroll_into_view(m.list_height);

    let t = env.theme.clone();
    let cal = env.reference.calendar.clone();
    let tz = cal.timezone();
    let now = env.now();
    // Columns: mark, received, channel, block, [settlement], text, [recipient], time left, marks.
    // The optional ones come in only when the text keeps at least 30 cells.
    let inner_w = area.width.saturating_sub(2) as usize;
    let block_w: usize = if wide { 11 } else { 8 };
    let base = 1 + 11 + 3 + block_w + 8 + 2;
    let gaps = |n: usize| n - 1;
    // In order of priority: the recipient, the status, the settlement; each only while the text
    // keeps its 30 cells.
    let mut with_recipient = false;
    let mut with_status = false;
    let mut with_settlement = false;
    let text_left = |extra: usize, cols: usize| inner_w.saturating_sub(base + extra + gaps(cols));
    if text_left(18, 8) >= 30 {
        with_recipient = true;
        if text_left(18 + STATUS_W, 9) >= 30 {
            with_status = true;
            if text_left(18 + STATUS_W + 14, 10) >= 30 {
                with_settlement = true;
            }
        }
    }
    let extra = 18 * usize::from(with_recipient)
        + STATUS_W * usize::from(with_status)
        + 14 * usize::from(with_settlement);
    let cols =
        7 + usize::from(with_recipient) + usize::from(with_status) + usize::from(with_settlement);
    // The time left as wide as its longest visible value («−123 р.д.»): a number is never cut.
    let start = m.incoming.offset.min(m.incoming.rows.len());
    let end = (start + m.list_height).min(m.incoming.rows.len());
    let lefts: Vec<(String, Style)> = m.incoming.rows[start..end]
        .iter()
        .map(|a| {
            time_left(
                &env.theme,
                &cal,
                now,
                a.deadlines.answer_due,
                a.status.is_open(),
            )
        })
        .collect();
    let left_w = lefts
        .iter()
        .map(|(l, _)| unicode_width::UnicodeWidthStr::width(l.as_str()))
        .max()
        .unwrap_or(0)
        .max(8);
    let mut tw = text_left(extra + left_w - 8, cols).max(8);
    // Narrower than every column needs: the text gives way first, then the block's name (both
    // cut with «…»), then whole columns — the received time, the channel, the block — so that
    // what is shown of a date or a time left is always all of it.
    let mut block_w = block_w;
    let (mut with_received, mut with_channel, mut with_block, mut with_text) =
        (true, true, true, true);
    let needed = |tw: usize, bw: usize, r: bool, ch: bool, b: bool, tx: bool| {
        let cols = [
            (true, 1),
            (r, 11),
            (ch, 3),
            (b, bw),
            (tx, tw),
            (true, left_w),
            (true, 2),
        ];
        let shown: Vec<usize> = cols.iter().filter(|(on, _)| *on).map(|(_, w)| *w).collect();
        shown.iter().sum::<usize>() + shown.len() - 1 + extra
    };
    if !with_recipient {
        while needed(
            tw,
            block_w,
            with_received,
            with_channel,
            with_block,
            with_text,
        ) > inner_w
        {
            if with_text && tw > 4 {
                tw -= 1;
            } else if with_block && block_w > 3 {
                block_w -= 1;
            } else if with_received {
                with_received = false;
                tw = 8;
                block_w = block_w.max(6);
            } else if with_channel {
                with_channel = false;
            } else if with_block {
                with_block = false;
            } else if with_text {
                with_text = false;
            } else {
                break;
            }
        }
    }
    // A very wide list gives the names room too: the text keeps at least 50 cells.
    let mut grow = |cap: usize, on: bool| {
        let g = if on {
            cap.min(tw.saturating_sub(50))
        } else {
            0
        };
        tw -= g;
        g
    };
    let recipient_w = if with_recipient {
        18 + grow(18, true)
    } else {
        0
    };
    let settlement_w = if with_settlement {
        14 + grow(6, true)
    } else {
        0
    };
    let mut widths = vec![Constraint::Length(1)];
    let mut header = vec![""];
    if with_received {
        widths.push(Constraint::Length(11));
        header.push("Поступило");
    }
    if with_channel {
        widths.push(Constraint::Length(3));
        header.push("Кан");
    }
    if with_block {
        widths.push(Constraint::Length(block_w as u16));
        header.push("Блок");
    }
    if with_settlement {
        widths.push(Constraint::Length(settlement_w as u16));
        header.push("Нас. пункт");
    }
    if with_text {
        widths.push(Constraint::Length(tw as u16));
        header.push("Текст");
    }
    if with_recipient {
        widths.push(Constraint::Length(recipient_w as u16));
        header.push("Ответственный");
    }
    if with_status {
        widths.push(Constraint::Length(STATUS_W as u16));
        header.push("Статус");
    }
    widths.push(Constraint::Length(left_w as u16));
    widths.push(Constraint::Length(2));
    header.push("Срок");
    header.push("");
    let mut rows = Vec::with_capacity(end - start);
    for (i, a) in m.incoming.rows[start..end].iter().enumerate() {
        let idx = start + i;
        let marked = m.incoming.marked.contains(&a.id);
        let (left, left_style) = lefts[i].clone();
        // No block yet: the suggestion, marked «~», when auto-triage left one.
        let (block, block_style) = match a.block.as_deref() {
            Some(b) => (env.reference.blocks.name_of(b).to_string(), Style::new()),
            None => match env
                .store
                .suggestion(a.id)
                .ok()
                .flatten()
                .filter(|sg| sg.error.is_none())
            {
                Some(sg) => (
                    format!("~{}", env.reference.blocks.name_of(&sg.block)),
                    t.dim(),
                ),
                None => ("—".to_string(), Style::new()),
            },
        };
        let mut marks = Vec::new();
        if a.urgent {
            marks.push(Span::styled("С", t.bad()));
        }
        if a.conflict {
            marks.push(Span::styled("К", t.marked()));
        }
        let mut cells = vec![Cell::from(if marked { "●" } else { " " }).style(t.marked())];
        if with_received {
            cells.push(Cell::from(
                a.received_at
                    .with_timezone(&tz)
                    .format("%d.%m %H:%M")
                    .to_string(),
            ));
        }
        if with_channel {
            cells.push(Cell::from(a.channel.short_ru()));
        }
        if with_block {
            cells.push(Cell::from(fit(&block, block_w)).style(block_style));
        }
        if with_settlement {
            cells.push(Cell::from(fit(
                a.settlement.as_deref().unwrap_or("—"),
                settlement_w,
            )));
        }
        // Only the rows drawn are masked: personal data in the text for those without the right.
        // What shows and a margin (a phone or a name across the cut is still whole in it).
        let text = if env.grants.may_see_personal_data(a) {
            std::borrow::Cow::Borrowed(a.text.as_str())
        } else {
            let cut = a
                .text
                .char_indices()
                .nth(tw + 64)
                .map_or(a.text.len(), |(b, _)| b);
            std::borrow::Cow::Owned(crate::domain::pii::mask_text(&a.text[..cut]))
        };
        if with_text {
            cells.push(Cell::from(fit(&text, tw)));
        }
        if with_recipient {
            cells.push(Cell::from(fit(
                a.responsible.as_deref().unwrap_or("—"),
                recipient_w,
            )));
        }
        if with_status {
            cells.push(Cell::from(fit(a.status.label_ru(), STATUS_W)));
        }
        cells.push(Cell::from(left).style(left_style));
        cells.push(Cell::from(Line::from(marks)));
        let mut row = Row::new(cells);
        if idx == m.incoming.selected && focused(m, Panel::Incoming) {
            row = row.style(t.selected());
        } else if idx == m.incoming.selected {
            row = row.style(Style::new().add_modifier(ratatui::style::Modifier::UNDERLINED));
        } else if marked {
            row = row.style(t.marked());
        } else if env.alerts.is_fresh(a.id) {
            row = row.style(t.alert()); // a new urgent appeal (tui::alerts)
        }
        rows.push(row);
    }
    let empty = m.incoming.rows.is_empty();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.header()))
        .column_spacing(1)
        .block(block);
    f.render_widget(table, area);
    if empty {
        let msg = if m.filter_label(env).is_empty() {
            "Обращений пока нет: положите файл выгрузки в inbox/"
        } else {
            "Ничего не найдено: снимите фильтры (F или Esc)"
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
