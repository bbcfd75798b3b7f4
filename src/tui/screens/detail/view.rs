//! One appeal in full: every field, both deadlines with the time left, the answer, the history
//! of changes, duplicates.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Detail;
use crate::domain::Quality;
use crate::tui::screens::Env;
use crate::tui::view::{panel, time_left};

/// Draws the detail screen.
pub fn draw(f: &mut Frame, area: Rect, env: &Env, d: &mut Detail) {
    let t = &env.theme;
    // Personal data only for those who may see it (152-ФЗ).
    let shown = crate::domain::access::redact(&d.appeal, &env.grants);
    let a = &shown;
    let pd = env.grants.may_see_personal_data(&d.appeal);
    let cal = &env.reference.calendar;
    let tz = cal.timezone();
    let now = env.now();
    let when = |x: Option<chrono::DateTime<chrono::Utc>>| {
        x.map_or("—".to_string(), |x| {
            x.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string()
        })
    };
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<18}"), t.dim()),
            Span::raw(v),
        ])
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    // What an officer reads first, even at 80×24: one line of where it stands, then the text
    // and the answer; every field after them.
    let (left, left_style) = time_left(t, cal, now, a.deadlines.answer_due, a.status.is_open());
    let block_name = a.block.as_deref().map_or("без блока".to_string(), |b| {
        env.reference.blocks.name_of(b).to_string()
    });
    let mut head = vec![
        Line::from(vec![
            Span::raw(format!(
                "{} · {} · {} · {} · срок: ",
                a.channel.label_ru(),
                when(Some(a.received_at)),
                block_name,
                a.status.label_ru()
            )),
            Span::styled(left, left_style),
        ]),
        Line::raw(""),
        Line::styled("Текст", t.header()),
    ];
    // Who else has this appeal open now (a decision is better not taken twice).
    if !env.presence.is_empty() {
        head.insert(
            1,
            Line::styled(
                format!("Сейчас открыто также у: {}", env.presence.join(", ")),
                t.dim(),
            ),
        );
    }
    // Where each section starts (Tab moves between them): after the text at the top, the
    // answers, the fields, the deadlines, the history — line indices here, rows once wrapped.
    let mut sections = Vec::new();
    head.extend(a.text.lines().map(|l| Line::raw(l.to_string())));
    if let Some(ans) = &a.interim_answer {
        head.push(Line::raw(""));
        sections.push(head.len());
        head.push(Line::styled("Промежуточный ответ", t.header()));
        head.extend(ans.lines().map(|l| Line::raw(l.to_string())));
    }
    if let Some(ans) = &a.answer {
        head.push(Line::raw(""));
        sections.push(head.len());
        head.push(Line::styled("Ответ", t.header()));
        head.extend(ans.lines().map(|l| Line::raw(l.to_string())));
    }
    head.push(Line::raw(""));
    let mut lines = vec![
        field("Поступило", when(Some(a.received_at))),
        field("Канал", format!("{} ({})", a.channel.label_ru(), a.key())),
        field(
            "Блок",
            a.block.as_deref().map_or("—".into(), |b| {
                env.reference.blocks.name_of(b).to_string()
            }),
        ),
        field("Статус", a.status.label_ru().into()),
        field("Ответственный", opt(&a.responsible)),
        field("Населённый пункт", opt(&a.settlement)),
        field("Адрес", opt(&a.address)),
        field("Автор", opt(&a.author)),
        field("Контакт", opt(&a.contact)),
        field("Категория", opt(&a.category)),
        field("Ссылка", opt(&a.url)),
    ];
    let mut marks = Vec::new();
    if a.fz59 {
        marks.push(Span::raw("59-ФЗ "));
    }
    if a.urgent {
        marks.push(Span::styled("срочно ", t.bad()));
    }
    if a.conflict {
        marks.push(Span::styled("конфликт ", t.marked()));
    }
    if a.reopen_count > 0 {
        marks.push(Span::raw(format!("переоткрыто ×{} ", a.reopen_count)));
    }
    let mut l = vec![Span::styled(format!("{:<18}", "Отметки"), t.dim())];
    if marks.is_empty() {
        l.push(Span::raw("—"));
    }
    l.extend(marks);
    lines.push(Line::from(l));
    lines.push(Line::raw(""));
    let deadlines_at = lines.len();
    for (label, due) in [
        ("Регистрация до", a.deadlines.register_due),
        ("Первый ответ до", a.deadlines.first_response_due),
        ("Ответ до", a.deadlines.answer_due),
    ] {
        if due.is_none() {
            continue;
        }
        let done = if label == "Первый ответ до" {
            a.first_response_at.is_none()
        } else {
            a.status.is_open()
        };
        let (left, style) = time_left(&env.theme, cal, now, due, done);
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<18}"), t.dim()),
            Span::raw(format!("{}  ", when(due))),
            Span::styled(left, style),
        ]));
    }
    if let Some(r) = a.reopened_at {
        // The answer deadline above is the new term's, counted from here.
        lines.push(field(
            "Переоткрыто",
            format!(
                "{} (×{}), срок ответа — от переоткрытия; прежний ответ — в истории",
                when(Some(r)),
                a.reopen_count
            ),
        ));
    }
    if let Some(r) = &a.extension_reason {
        lines.push(field("Продлено", r.clone()));
    }
    match &d.registration {
        Some(r) => lines.push(field(
            "Регистрация",
            format!("№ {} от {} (59-ФЗ)", r.number, r.date.format("%d.%m.%Y")),
        )),
        None if env.reference.sla.is_fz59(a.channel, a.fz59) => {
            lines.push(field("Регистрация", "не записана (W — записать)".into()))
        }
        None => {}
    }
    lines.push(field("Первый ответ", when(a.first_response_at)));
    if let Some(i) = a.interim_after_reopen_at {
        lines.push(field(
            "Промежуточный",
            format!("{} (после переоткрытия)", when(Some(i))),
        ));
    }
    lines.push(field("Ответ дан", when(a.answered_at)));
    lines.push(field(
        "Качество",
        a.quality.map_or("—", Quality::label_ru).to_string(),
    ));
    lines.push(field(
        "Оценка",
        a.rating.map_or("—".into(), |r| r.to_string()),
    ));
    if let Some(o) = a.duplicate_of {
        lines.push(field("Дубль обращения", format!("№{o}")));
    }
    if !d.duplicates.is_empty() {
        let ids: Vec<String> = d.duplicates.iter().map(|x| format!("№{}", x.id)).collect();
        lines.push(field("Его дубли", ids.join(", ")));
    }
    if let Some(sg) = &d.suggestion {
        let mut parts = vec![format!(
            "блок {}{}",
            env.reference.blocks.name_of(&sg.block),
            sg.confidence
                .map_or(String::new(), |c| format!(" ({:.0}%)", c * 100.0))
        )];
        if let Some(r) = &sg.responsible {
            parts.push(format!("ответственный {r}"));
        }
        if let Some(o) = sg.duplicate_of {
            parts.push(match &sg.duplicate {
                Some((score, text)) => format!(
                    "дубль №{o}? (оценка {score:.2}: «{}»)",
                    crate::textwidth::fit(text, 50).trim_end()
                ),
                None => format!("дубль №{o}?"),
            });
        }
        if let Some(o) = sg.repeat_of {
            parts.push(format!("повторное, ранее №{o}"));
        }
        if !sg.reasons.is_empty() {
            parts.push(format!("признаки: {}", sg.reasons.join(", ")));
        }
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled(format!("{:<18}", "Предложение"), t.dim()),
            Span::styled(parts.join(" · "), t.warn()),
        ]));
    }
    lines.push(Line::raw(""));
    let history_at = lines.len();
    lines.push(Line::styled("История", t.header()));
    for e in &d.history {
        let mut e = e.clone();
        if !pd {
            e.mask_personal_data();
        }
        // Field names and values as an officer reads them; times in the workspace's zone.
        let label = crate::domain::wording::field_label(&e.field);
        let v =
            |x: &str| crate::domain::wording::value_label(&e.field, x, &env.reference.blocks, tz);
        let change = match (&e.old, &e.new) {
            (None, Some(n)) => format!("{label}: {}", v(n)),
            (Some(o), Some(n)) => format!("{label}: {} → {}", v(o), v(n)),
            (Some(o), None) => format!("{label}: {} → (пусто)", v(o)),
            (None, None) => label.to_string(),
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{} {} ({}) ",
                    e.at.with_timezone(&tz).format("%d.%m %H:%M"),
                    e.operator,
                    e.source
                ),
                t.dim(),
            ),
            Span::raw(change),
        ]));
    }
    let fields_at = head.len();
    sections.extend([fields_at, fields_at + deadlines_at, fields_at + history_at]);
    head.extend(lines);
    let lines = head;
    // Wrapped here, so the rows are known exactly: scrolling stops at the last one, and each
    // section's first row is where Tab goes.
    let inner_h = area.height.saturating_sub(2);
    let width = area.width.saturating_sub(2);
    let mut row = 0usize;
    d.sections.clear();
    for (i, l) in lines.iter().enumerate() {
        if sections.contains(&i) {
            d.sections.push(u16::try_from(row).unwrap_or(u16::MAX));
        }
        row += crate::tui::view::wrap(std::slice::from_ref(l), width, 0).len();
    }
    let shown = d.pager.fit_wrapped(&lines, width, inner_h, 0);
    let rows = shown.len();
    let first = usize::from(d.pager.scroll) + 1;
    let last = (usize::from(d.pager.scroll) + usize::from(inner_h)).min(rows);
    let title = if rows > usize::from(inner_h) {
        format!("Обращение №{} · строки {first}–{last} из {rows}", a.id)
    } else {
        format!("Обращение №{}", a.id)
    };
    let block = panel(&env.theme, title, true);
    f.render_widget(
        Paragraph::new(shown)
            .block(block)
            .scroll((d.pager.scroll, 0)),
        area,
    );
}
