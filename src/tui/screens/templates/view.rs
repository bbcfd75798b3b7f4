//! Drawing the templates' screen: the list (kind, title, scope, whose) or one template in full.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::TemplatesScreen;
use crate::domain::templates::{Origin, PLACEHOLDERS};
use crate::tui::screens::Env;
use crate::tui::view::panel;

fn origin_ru(o: Origin) -> &'static str {
    match o {
        Origin::Shipped => "поставка",
        Origin::Workspace => "свой",
    }
}

/// Draws the screen.
pub fn draw(f: &mut Frame, area: Rect, env: &Env, s: &mut TemplatesScreen) {
    match s.open {
        Some(i) => draw_one(f, area, env, s, i),
        None => draw_list(f, area, env, s),
    }
}

fn draw_list(f: &mut Frame, area: Rect, env: &Env, s: &TemplatesScreen) {
    let t = &env.theme;
    let blocks = &env.reference.blocks;
    let rows: Vec<Row> = s
        .list
        .iter()
        .map(|x| {
            Row::new(vec![
                Cell::from(x.kind.label_ru()),
                Cell::from(x.label().to_string()),
                Cell::from(x.scope_ru(blocks)),
                Cell::from(origin_ru(x.origin)),
            ])
        })
        .collect();
    let title = format!(
        "Шаблоны ответов · {} · Enter — открыть, e — изменить текст, n — новый",
        s.list.len()
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(13),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(8),
        ],
    )
    .header(Row::new(vec!["Ответ", "Шаблон", "Для", "Чей"]).style(t.header()))
    .row_highlight_style(t.selected())
    .block(panel(t, title, true));
    let mut state = TableState::default().with_selected((!s.list.is_empty()).then_some(s.selected));
    f.render_stateful_widget(table, area, &mut state);
}

fn draw_one(f: &mut Frame, area: Rect, env: &Env, s: &mut TemplatesScreen, i: usize) {
    let t = &env.theme;
    let Some(x) = s.list.get(i) else { return };
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<14}"), t.dim()),
            Span::raw(v),
        ])
    };
    let mut lines = vec![
        field("Шаблон", format!("{} ({})", x.label(), x.id)),
        field("Ответ", x.kind.label_ru().to_string()),
        field("Для", x.scope_ru(&env.reference.blocks)),
        field(
            "Чей",
            format!("{} · запись журнала {}", origin_ru(x.origin), x.entry_id()),
        ),
        Line::raw(""),
        Line::styled("Текст", t.header()),
    ];
    lines.extend(x.text.lines().map(|l| Line::raw(l.to_string())));
    lines.push(Line::raw(""));
    lines.push(Line::styled("Подстановки", t.header()));
    lines.extend(
        PLACEHOLDERS
            .iter()
            .map(|(p, what)| field(&format!("{{{p}}}"), what.to_string())),
    );
    let inner_h = area.height.saturating_sub(2);
    let rows = s
        .pager
        .fit_wrapped(&lines, area.width.saturating_sub(2), inner_h, 0);
    let title = format!(
        "Шаблон «{}» · e — изменить текст, Esc — к списку",
        x.label()
    );
    f.render_widget(
        Paragraph::new(rows)
            .block(panel(t, title, true))
            .scroll((s.pager.scroll, 0)),
        area,
    );
}
