//! Drawing the pop-ups: chooser, text input, confirmation, help.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use unicode_width::UnicodeWidthStr;

use super::{Pager, Popup};
use crate::textwidth::fit;
use crate::tui::messages::Level;
use crate::tui::screens::Env;
use crate::tui::view::{Hints, panel};

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws the pop-up on top of everything.
pub fn draw(f: &mut Frame, area: Rect, env: &Env, p: &mut Popup, hints: &Hints) {
    let t = &env.theme;
    match p {
        Popup::Chooser(c) => {
            let items = c.visible();
            let h = (items.len() as u16 + 4).clamp(6, area.height.saturating_sub(2));
            let r = centered(area, 60, h);
            f.render_widget(Clear, r);
            let block = panel(&env.theme, c.title.clone(), true);
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [q, list] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
            f.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::styled("› ", t.key()),
                    Span::raw(c.query.clone()),
                ])),
                q,
            );
            let visible = list.height as usize;
            let start = c.selected.saturating_sub(visible.saturating_sub(1));
            let lines: Vec<Line> = items
                .iter()
                .enumerate()
                .skip(start)
                .take(visible)
                .map(|(i, it)| {
                    let num = match i {
                        0..=8 => format!("{} ", i + 1),
                        9 => "0 ".into(),
                        _ => "  ".into(),
                    };
                    let text = format!("{num}{}", fit(&it.label, list.width as usize - 2));
                    if i == c.selected {
                        Line::styled(text, t.selected())
                    } else {
                        Line::raw(text)
                    }
                })
                .collect();
            f.render_widget(Paragraph::new(lines), list);
        }
        Popup::Input(i) => {
            let h = if i.multiline { 10 } else { 3 };
            let r = centered(area, 70, h);
            f.render_widget(Clear, r);
            let block = panel(&env.theme, i.title.clone(), true);
            let inner = block.inner(r);
            f.render_widget(block, r);
            // The text broken into rows of the box's width (by display cells), so that the
            // cursor's row is known exactly and the box scrolls to keep it in sight.
            let w = usize::from(inner.width.max(1));
            let (rows, (row, col)) = rows_and_cursor(&i.text, i.cursor, w);
            let page = usize::from(inner.height.max(1));
            let first = (row + 1).saturating_sub(page);
            let shown: Vec<Line> = rows
                .iter()
                .skip(first)
                .take(page)
                .map(|l| Line::raw(l.clone()))
                .collect();
            f.render_widget(Paragraph::new(shown), inner);
            if first > 0 {
                // More above: say so on the frame.
                let mark = Rect {
                    x: r.x + r.width.saturating_sub(4),
                    y: r.y,
                    width: 3,
                    height: 1,
                };
                f.render_widget(Paragraph::new("▲").style(t.key()), mark);
            }
            f.set_cursor_position(Position {
                x: inner.x + u16::try_from(col).unwrap_or(0),
                y: inner.y + u16::try_from(row - first).unwrap_or(0),
            });
        }
        Popup::Confirm(c) => {
            // As tall as the question needs (it may quote the other appeal's text).
            let w = area.width.min(72);
            let rows = UnicodeWidthStr::width(c.message.as_str())
                .div_ceil(usize::from(w.saturating_sub(2).max(1)));
            let h = u16::try_from(rows + 4)
                .unwrap_or(u16::MAX)
                .clamp(5, area.height);
            let r = centered(area, w, h);
            f.render_widget(Clear, r);
            let block = panel(&env.theme, "Подтверждение".into(), true);
            f.render_widget(
                Paragraph::new(vec![
                    Line::raw(c.message.clone()),
                    Line::from(vec![
                        Span::styled("y", t.key()),
                        Span::raw(" — да   "),
                        Span::styled("n", t.key()),
                        Span::raw(" / "),
                        Span::styled("Esc", t.key()),
                        Span::raw(" — нет"),
                    ]),
                ])
                .wrap(Wrap { trim: true })
                .block(block),
                r,
            );
        }
        Popup::Help(pager) => {
            // The keys in their own column, as wide as the widest keys (at most 28 cells and half
            // the box): longer ones are cut with «…», never run into the text. A description
            // that wraps goes on under its own column.
            let inner_w = usize::from(pager_rect(area).width.saturating_sub(2));
            let keys_w = hints
                .help
                .iter()
                .flat_map(|(_, e)| e.iter().map(|(k, _)| UnicodeWidthStr::width(k.as_str())))
                .max()
                .unwrap_or(8)
                .clamp(8, 28)
                .min(inner_w.saturating_sub(3) / 2)
                .max(1);
            let mut lines = Vec::new();
            for (section, entries) in &hints.help {
                lines.push(Line::styled(section.clone(), t.header()));
                for (k, d) in entries {
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {} ", fit(k, keys_w)), t.key()),
                        Span::raw(d.clone()),
                    ]));
                }
                lines.push(Line::raw(""));
            }
            lines.pop(); // no blank row after the last section
            pager_box(
                f,
                area,
                env,
                ("Помощь — клавиши (Esc — закрыть)", keys_w + 3),
                lines,
                pager,
            );
        }
        Popup::Messages(pager) => {
            let tz = env.reference.calendar.timezone();
            let lines: Vec<Line> = env
                .messages
                .recent()
                .map(|m| {
                    let at = m.at.with_timezone(&tz).format("%d.%m %H:%M:%S").to_string();
                    let style = match m.level {
                        Level::Error => t.flash(true),
                        Level::Info => ratatui::style::Style::new(),
                        Level::Notice => t.dim(),
                    };
                    Line::from(vec![
                        Span::styled(format!("{at}  "), t.dim()),
                        Span::styled(m.text.clone(), style),
                    ])
                })
                .collect();
            let lines = if lines.is_empty() {
                vec![Line::styled("Сообщений не было", t.dim())]
            } else {
                lines
            };
            pager_box(
                f,
                area,
                env,
                ("Сообщения — новые сверху (Esc — закрыть)", 0),
                lines,
                pager,
            );
        }
    }
}

/// Where a pager's box goes: most of the screen.
fn pager_rect(area: Rect) -> Rect {
    centered(
        area,
        area.width.saturating_sub(4).min(100),
        area.height.saturating_sub(2),
    )
}

/// A framed, scrolled text over most of the screen, wrapped here (continuation rows indented by
/// `indent`) so that the pager's bounds are the rows drawn: it stops at the last one.
fn pager_box(
    f: &mut Frame,
    area: Rect,
    env: &Env,
    (title, indent): (&str, usize),
    lines: Vec<Line>,
    pager: &mut Pager,
) {
    let r = pager_rect(area);
    f.render_widget(Clear, r);
    let block = panel(&env.theme, title.into(), true);
    let inner = block.inner(r);
    let rows = pager.fit_wrapped(&lines, inner.width, inner.height, indent);
    f.render_widget(
        Paragraph::new(rows).block(block).scroll((pager.scroll, 0)),
        r,
    );
}

/// `text` in rows of at most `width` display cells (each line of the text starts a row), and the
/// row and column of the cursor (`cursor` in characters).
fn rows_and_cursor(text: &str, cursor: usize, width: usize) -> (Vec<String>, (usize, usize)) {
    use unicode_width::UnicodeWidthChar;
    let mut rows = vec![String::new()];
    let mut col = 0;
    let mut at = (0, 0);
    for (n, c) in text.chars().enumerate() {
        let cw = if c == '\n' { 0 } else { c.width().unwrap_or(0) };
        if c != '\n' && col + cw > width {
            rows.push(String::new());
            col = 0;
        }
        if n == cursor {
            at = (rows.len() - 1, col.min(width.saturating_sub(1)));
        }
        if c == '\n' {
            rows.push(String::new());
            col = 0;
            continue;
        }
        if let Some(last) = rows.last_mut() {
            last.push(c);
        }
        col += cw;
    }
    if cursor >= text.chars().count() {
        at = if col >= width {
            rows.push(String::new());
            (rows.len() - 1, 0)
        } else {
            (rows.len() - 1, col)
        };
    }
    (rows, at)
}

#[cfg(test)]
mod tests {
    use super::rows_and_cursor;

    #[test]
    fn rows_break_at_the_width_and_at_newlines_and_the_cursor_follows() {
        let (rows, at) = rows_and_cursor("абвгд\nе", 8, 3);
        assert_eq!(rows, ["абв", "гд", "е"]);
        assert_eq!(at, (2, 1), "cursor after «е»");
        let (_, at) = rows_and_cursor("абвгд\nе", 3, 3);
        assert_eq!(at, (1, 0), "cursor on «г», the first of the second row");
        let (_, at) = rows_and_cursor("аб\nв", 2, 5);
        assert_eq!(at, (0, 2), "cursor on the line break");
        let (rows, at) = rows_and_cursor("абв", 3, 3);
        assert_eq!(rows.len(), 2, "a full row puts the cursor on the next");
        assert_eq!(at, (1, 0));
    }
}
