//! Drawing the roadmaps' screens: the list as columns (wider terminals add the target and the
//! responsible), one roadmap as lines with the cursor's row highlighted and kept on screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::detail::{RoadmapDetail, Row};
use super::list::RoadmapList;
use crate::domain::roadmap::{Effect, MeasureStatus, rule_text};
use crate::textwidth::fit;
use crate::tui::screens::Env;
use crate::tui::view::panel;

/// Terminals at least this wide show the extra columns.
const WIDE: u16 = 120;

fn ru_date(d: Option<chrono::NaiveDate>) -> String {
    d.map_or("—".into(), |d| d.format("%d.%m.%Y").to_string())
}

/// One bar per month, every month visible: an empty month is the lowest bar, the others rise
/// with their count (the month with the most is the highest); «│» stands before the start's month.
fn month_bars(e: &Effect) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = e.monthly.iter().map(|c| c.count).max().unwrap_or(0).max(1);
    let mut out = String::new();
    let mut before = true;
    for c in &e.monthly {
        if before && c.after {
            out.push('│');
            before = false;
        }
        let bar = if c.count == 0 {
            BARS[0]
        } else {
            BARS[(1 + (c.count * (BARS.len() - 2)) / max).min(BARS.len() - 1)]
        };
        out.push(bar);
    }
    out
}

/// The effect's lines of at most `room` characters: the bars (cut into pieces when a line cannot
/// hold them all), then each month by name with its count («│» before the start's month), as
/// many to a line as fit.
fn effect_lines(e: &Effect, room: usize) -> Vec<String> {
    let room = room.max(1);
    let bars: Vec<char> = month_bars(e).chars().collect();
    let mut tokens: Vec<String> = bars.chunks(room).map(|c| c.iter().collect()).collect();
    let first_after = e.monthly.iter().find(|x| x.after).map(|x| x.month);
    tokens.extend(e.monthly.iter().map(|c| {
        let mark = if Some(c.month) == first_after {
            "│ "
        } else {
            ""
        };
        format!("{mark}{}: {}", c.month.label_ru(), c.count)
    }));
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for t in tokens {
        let need = cur.chars().count() + usize::from(!cur.is_empty()) + t.chars().count();
        if !cur.is_empty() && need > room {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&t);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// The first line shown so that `line` stays within `height` lines.
fn scroll_to(line: usize, offset: usize, height: usize) -> usize {
    let height = height.max(1);
    if line < offset {
        line
    } else if line >= offset + height {
        line + 1 - height
    } else {
        offset
    }
}

/// Draws the list of roadmaps.
pub fn draw_list(f: &mut Frame, area: Rect, env: &Env, l: &mut RoadmapList) {
    let t = &env.theme;
    let block = panel(t, format!("Дорожные карты ({})", l.rows.len()), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let width = usize::from(inner.width);
    let wide = area.width >= WIDE;
    let mut lines = Vec::new();
    let head = if wide {
        format!(
            "{:>4} {} {} {} {} {} {} {} Название",
            "№",
            fit("Статус", 12),
            fit("Срок", 10),
            fit("Выполн.", 7),
            fit("Проср.", 6),
            fit("Связ.", 5),
            fit("Цель", 22),
            fit("Ответственный", 26),
        )
    } else {
        format!(
            "{:>4} {} {} {} {} {} Название",
            "№",
            fit("Статус", 12),
            fit("Срок", 10),
            fit("Выполн.", 7),
            fit("Проср.", 6),
            fit("Связ.", 5),
        )
    };
    lines.push(Line::styled(fit(&head, width), t.header()));
    if l.rows.is_empty() {
        lines.push(Line::styled(
            "Дорожных карт пока нет: n — новая, L на обращении — связать с новой",
            t.dim(),
        ));
    }
    let height = usize::from(inner.height).saturating_sub(1);
    l.page = height;
    l.offset = scroll_to(l.selected, l.offset, height);
    for (i, row) in l.rows.iter().enumerate().skip(l.offset).take(height) {
        let r = &row.roadmap;
        let p = &row.progress;
        let mut cells = format!(
            "{:>4} {} {} {} {} {} ",
            r.id,
            fit(r.status.label_ru(), 12),
            fit(&ru_date(r.due), 10),
            fit(&format!("{}/{}", p.done, p.total), 7),
            fit(&p.overdue.to_string(), 6),
            fit(&row.linked.to_string(), 5),
        );
        if wide {
            let target = match (r.target, row.met) {
                (None, _) => "—".to_string(),
                (Some(t), Some(true)) => format!("≤{}/мес ✓", t.max_per_month),
                (Some(t), Some(false)) => format!("≤{}/мес ✗", t.max_per_month),
                (Some(t), None) => format!("≤{}/мес", t.max_per_month),
            };
            cells.push_str(&format!(
                "{} {} ",
                fit(&target, 22),
                fit(r.responsible.as_deref().unwrap_or("—"), 26)
            ));
        }
        let mut title = r.title.clone();
        if row.proposed > 0 {
            title.push_str(&format!(" (+{} предложено)", row.proposed));
        }
        cells.push_str(&title);
        let style = if i == l.selected {
            t.selected()
        } else if p.overdue > 0 {
            t.bad()
        } else {
            Style::new()
        };
        lines.push(Line::styled(fit(&cells, width), style));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// Draws one roadmap.
pub fn draw_detail(f: &mut Frame, area: Rect, env: &Env, d: &mut RoadmapDetail) {
    let t = &env.theme;
    let Some(r) = &d.roadmap else {
        f.render_widget(panel(t, format!("Дорожная карта №{}", d.id), true), area);
        return;
    };
    let block = panel(t, format!("Дорожная карта №{}: {}", r.id, r.title), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let width = usize::from(inner.width);
    let tz = env.reference.calendar.timezone();
    let blocks = &env.reference.blocks;
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<14}"), t.dim()),
            Span::raw(fit(&v, width.saturating_sub(14)).trim_end().to_string()),
        ])
    };
    let mut lines: Vec<Line> = Vec::new();
    lines.push(field(
        "Статус",
        format!(
            "{} · {} · {}",
            r.status.label_ru(),
            r.block
                .as_deref()
                .map_or("без блока", |b| blocks.name_of(b)),
            if r.settlements.is_empty() {
                "все населённые пункты".to_string()
            } else {
                r.settlements.join(", ")
            }
        ),
    ));
    lines.push(field(
        "Ответственный",
        r.responsible.clone().unwrap_or_else(|| "—".into()),
    ));
    lines.push(field(
        "Сроки",
        format!("{} – {}", ru_date(r.start), ru_date(r.due)),
    ));
    if let Some(p) = &r.problem {
        lines.push(field("Проблема", p.clone()));
    }
    lines.push(field("Правило", rule_text(r, blocks)));
    let p = &d.progress;
    lines.push(Line::from(vec![
        Span::styled(format!("{:<14}", "Ход"), t.dim()),
        Span::raw(format!("выполнено {} из {}", p.done, p.total)),
        Span::raw(" · "),
        Span::styled(
            format!("просрочено {}", p.overdue),
            if p.overdue > 0 { t.bad() } else { t.ok() },
        ),
    ]));
    if let Some(e) = &d.effect {
        let room = width.saturating_sub(14);
        for (i, text) in effect_lines(e, room).into_iter().enumerate() {
            if i == 0 {
                lines.push(field("По месяцам", text));
            } else {
                lines.push(Line::raw(format!(
                    "{:14}{}",
                    "",
                    fit(&text, room).trim_end()
                )));
            }
        }
        let style = match e.met {
            Some(true) => t.ok(),
            Some(false) => t.bad(),
            None => Style::new(),
        };
        let goal = match (r.target, e.last_full, e.met) {
            (None, _, _) => "не задана".to_string(),
            (Some(g), None, _) => format!("{g}; полного месяца после начала ещё нет"),
            (Some(g), Some(c), Some(true)) => {
                format!("{g} — достигнута ({}: {})", c.month.label_ru(), c.count)
            }
            (Some(g), Some(c), _) => {
                format!("{g} — не достигнута ({}: {})", c.month.label_ru(), c.count)
            }
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:<14}", "Цель"), t.dim()),
            Span::styled(
                fit(
                    &format!("{goal}; до начала {:.1} в месяц", e.before_avg),
                    width.saturating_sub(14),
                )
                .trim_end()
                .to_string(),
                style,
            ),
        ]));
    }
    let rows = d.rows();
    let selected = rows.get(d.selected).copied();
    let mut cursor_line = None;
    let mark =
        |row: Row, line: Line<'static>, lines: &mut Vec<Line<'static>>, cur: &mut Option<usize>| {
            if selected == Some(row) {
                *cur = Some(lines.len());
                lines.push(line.style(t.selected()));
            } else {
                lines.push(line);
            }
        };
    let mut body: Vec<Line<'static>> = Vec::new();
    body.push(Line::raw(""));
    body.push(Line::styled(
        fit(
            &format!(
                "Мероприятия ({}) — n новое, s выполнено, e изменить",
                d.measures.len()
            ),
            width,
        )
        .trim_end()
        .to_string(),
        t.header(),
    ));
    if d.measures.is_empty() {
        body.push(Line::styled("  нет мероприятий: n — добавить", t.dim()));
    }
    let today = env.now().with_timezone(&tz).date_naive();
    for (i, m) in d.measures.iter().enumerate() {
        let check = match m.status {
            MeasureStatus::Done => "[x]",
            MeasureStatus::Cancelled => "[-]",
            _ => "[ ]",
        };
        let mut text = format!("{:>2}. {check} {}", m.n, m.text);
        if let Some(n) = &m.note {
            text.push_str(&format!(" — {n}"));
        }
        let due = format!(
            " · срок {}{}",
            ru_date(m.due),
            m.responsible
                .as_deref()
                .map(|r| format!(" · {r}"))
                .unwrap_or_default()
        );
        let overdue = m.overdue(today);
        let tail = if overdue {
            " · ПРОСРОЧЕНО"
        } else {
            ""
        };
        let room = width.saturating_sub(due.chars().count() + tail.chars().count());
        let line = Line::from(vec![
            Span::raw(fit(&text, room).trim_end().to_string()),
            Span::raw(due),
            Span::styled(tail.to_string(), t.bad()),
        ]);
        mark(Row::Measure(i), line, &mut body, &mut cursor_line);
    }
    body.push(Line::raw(""));
    body.push(Line::styled(
        fit(
            &format!("Связанные обращения ({}) — Enter открыть", d.links.len()),
            width,
        )
        .trim_end()
        .to_string(),
        t.header(),
    ));
    if d.links.is_empty() {
        body.push(Line::styled(
            "  нет: L на обращении в списке — связать",
            t.dim(),
        ));
    }
    let appeal_line = |a: &crate::domain::Appeal| {
        format!(
            "  №{} {} {} · {} · {}",
            a.id,
            a.received_at.with_timezone(&tz).format("%d.%m.%Y"),
            a.channel.label_ru(),
            a.status.label_ru(),
            a.text.lines().next().unwrap_or("")
        )
    };
    for (i, (l, a)) in d.links.iter().enumerate() {
        let mut text = match a {
            Some(a) => appeal_line(a),
            None => format!("  №{} (недоступно)", l.appeal_id),
        };
        if l.origin == crate::store::roadmaps::LinkOrigin::Rule {
            text.push_str(" · по правилу");
        }
        mark(
            Row::Linked(i),
            Line::raw(fit(&text, width).trim_end().to_string()),
            &mut body,
            &mut cursor_line,
        );
    }
    if !d.proposed.is_empty() {
        body.push(Line::raw(""));
        body.push(Line::styled(
            fit(
                &format!(
                    "Предложены правилом ({}) — s связать, Enter открыть",
                    d.proposed.len()
                ),
                width,
            )
            .trim_end()
            .to_string(),
            t.warn(),
        ));
        for (i, a) in d.proposed.iter().enumerate() {
            mark(
                Row::Proposed(i),
                Line::raw(fit(&appeal_line(a), width).trim_end().to_string()),
                &mut body,
                &mut cursor_line,
            );
        }
    }
    // The head stays; the body scrolls to keep the cursor's row in view.
    let height = usize::from(inner.height);
    let head_h = lines.len().min(height);
    let body_h = height - head_h;
    d.page = body_h;
    let offset = cursor_line.map_or(0, |c| scroll_to(c, 0, body_h));
    lines.extend(body.into_iter().skip(offset));
    f.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn every_month_has_one_bar_and_a_name_within_the_width() {
        // Started two years ago: 6 months before and 25 after, 31 in all.
        let received = [d(2024, 8, 3), d(2025, 2, 1), d(2025, 2, 9), d(2026, 11, 5)];
        let e = Effect::compute(d(2024, 12, 1), &received, d(2026, 12, 7), None);
        assert_eq!(e.monthly.len(), 31);
        // The room of the «По месяцам» line at 80 and 160 columns, and a narrow one.
        for room in [64, 142, 20] {
            let lines = effect_lines(&e, room);
            assert!(lines.iter().all(|l| l.chars().count() <= room), "{lines:?}");
            let all = lines.join("\n");
            let bars = all.chars().filter(|c| ('▁'..='█').contains(c)).count();
            assert_eq!(bars, 31, "{room}: {lines:?}");
            assert!(all.contains("июн 2024: 0"), "{lines:?}");
            assert!(all.contains("│ дек 2024: 0"), "{lines:?}");
            assert!(all.contains("фев 2025: 2"), "{lines:?}");
            assert!(all.contains("дек 2026: 0"), "{lines:?}");
        }
        // Empty months are the lowest bar, the busiest the highest.
        assert_eq!(month_bars(&e).chars().filter(|c| *c == '█').count(), 1);
        assert!(
            month_bars(&e).starts_with("▁▁▅▁▁▁│▁▁█"),
            "{}",
            month_bars(&e)
        );
    }
}
