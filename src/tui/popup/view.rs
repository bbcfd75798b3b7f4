//! Drawing the pop-ups: chooser, text input, confirmation, help.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::Popup;
use crate::textwidth::fit;
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
pub fn draw(f: &mut Frame, area: Rect, env: &Env, p: &Popup, hints: &Hints) {
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
            f.render_widget(
                Paragraph::new(i.text.clone()).wrap(Wrap { trim: false }),
                inner,
            );
            // The cursor: count display cells on its line (no wrapping for the cursor math
            // beyond the width; long lines scroll with the text).
            let before: String = i.text.chars().take(i.cursor).collect();
            let line_no = before.matches('\n').count() as u16;
            let col = before
                .rsplit('\n')
                .next()
                .map_or(0, unicode_width::UnicodeWidthStr::width) as u16;
            let w = inner.width.max(1);
            f.set_cursor_position(Position {
                x: inner.x + col % w,
                y: inner.y + (line_no + col / w).min(inner.height.saturating_sub(1)),
            });
        }
        Popup::Confirm(c) => {
            let r = centered(area, 64, 5);
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
        Popup::Help { scroll } => {
            let r = centered(area, area.width.saturating_sub(4).min(100), area.height - 2);
            f.render_widget(Clear, r);
            let block = panel(&env.theme, "Помощь — клавиши (Esc — закрыть)".into(), true);
            let mut lines = Vec::new();
            for (section, entries) in &hints.help {
                lines.push(Line::styled(section.clone(), t.header()));
                for (k, d) in entries {
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {k:<16}"), t.key()),
                        Span::raw(d.clone()),
                    ]));
                }
                lines.push(Line::raw(""));
            }
            f.render_widget(Paragraph::new(lines).block(block).scroll((*scroll, 0)), r);
        }
    }
}
