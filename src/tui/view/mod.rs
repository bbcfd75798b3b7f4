//! Drawing the console's frame: the screen on top (each screen draws itself, `screens/`), the
//! status line, the hint bar and the pop-up, plus the pieces every screen draws with (a panel's
//! frame, the time left to a deadline). A pure function of the state: the event loop decides when
//! to draw (only after a change), this decides what.

mod wrap;

pub(crate) use wrap::wrap;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::app::App;
use super::screens::Env;
use super::theme::Theme;
use crate::domain::WorkCalendar;
use crate::textwidth::fit;

/// Key hints for the bottom bar and the help screen, built from the bindings in force.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// Short `(keys, what)` pairs for the bottom bar, most important first.
    pub bar: Vec<(String, String)>,
    /// Help sections: a title and its `(keys, what)` lines.
    pub help: Vec<(String, Vec<(String, String)>)>,
}

/// Draws one frame.
pub fn draw(f: &mut Frame, app: &mut App, hints: &Hints) {
    let area = f.area();
    let [body, status, bar] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    app.draw_top(f, body);
    status_line(f, status, &app.env, app.main.incoming.marked.len());
    hint_bar(f, bar, &app.env, hints);
    if let Some(mut p) = app.env.popup.take() {
        super::popup::draw(f, area, &app.env, &mut p, hints);
        app.env.popup = Some(p);
    }
    if app.env.theme.ascii {
        asciify(f.buffer_mut());
    }
}

/// `--ascii`: every border, mark, arrow and sparkline bar drawn anywhere becomes its ASCII
/// look-alike, in one place after the frame is drawn (letters — Cyrillic too — stay).
fn asciify(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        let sym = cell.symbol();
        let mut chars = sym.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            continue;
        };
        if let Some(a) = ascii_of(c) {
            cell.set_char(a);
        }
    }
}

/// The ASCII stand-in of a non-ASCII symbol the console draws, if it is one.
pub(crate) fn ascii_of(c: char) -> Option<char> {
    Some(match c {
        '…' => '~',
        '▲' | '↑' => '^',
        '▼' | '↓' => 'v',
        '●' | '★' | '•' => '*',
        '›' | '→' | '▶' => '>',
        '‹' | '←' | '◀' => '<',
        '—' | '–' | '−' => '-',
        '·' => '|',
        '×' => 'x',
        '▁' => '_',
        '▂' => '.',
        '▃' => ':',
        '▄' => '-',
        '▅' => '=',
        '▆' => '+',
        '▇' => '*',
        '█' => '#',
        '│' | '┃' | '║' => '|',
        '─' | '━' | '═' => '-',
        '\u{2500}'..='\u{257F}' => '+',
        _ => return None,
    })
}

/// A bordered panel block with its title, highlighted when focused.
pub(crate) fn panel<'a>(t: &Theme, title: String, focused: bool) -> Block<'a> {
    Block::bordered()
        .border_set(t.border())
        .border_style(if focused {
            t.focused_border()
        } else {
            t.border_style()
        })
        .title(Span::styled(format!(" {title} "), t.title()))
}

/// The status line: where and who, the clock, the read-only mark, the marks, then the message
/// in force — which takes the rest of the line before the last import's name does, so an
/// officer's message or an error is never cut off by it.
fn status_line(f: &mut Frame, area: Rect, env: &Env, marked: usize) {
    let t = &env.theme;
    let tz = env.reference.calendar.timezone();
    let local = env.now().with_timezone(&tz);
    let mut flags = String::new();
    if env.read_only {
        flags.push_str(" · только просмотр");
    }
    if marked > 0 {
        flags.push_str(&format!(" · отмечено: {marked}"));
    }
    if env.writes.pending() > 0 {
        flags.push_str(" · сохраняю…");
    }
    let width = usize::from(area.width);
    // Where and who give way before the clock does (the date before the time): at any width
    // what is shown of the clock is all of it.
    let date = local.format("%d.%m.%Y %H:%M").to_string();
    let time = local.format("%H:%M").to_string();
    let (ws, op) = (&env.workspace_label, &env.operator);
    let candidates = [
        format!(" МЦУ · {ws} · {op} · {date}{flags}"),
        format!(" {ws} · {op} · {date}{flags}"),
        format!(" {op} · {date}{flags}"),
        format!(" {date}{flags}"),
        format!(" {time}{flags}"),
    ];
    let left = candidates
        .iter()
        .find(|c| display_width(c) <= width)
        .unwrap_or(&candidates[4]);
    let left = fit(left, width).trim_end().to_string();
    let room = width.saturating_sub(display_width(&left) + 3);
    let mut spans = vec![Span::raw(left)];
    if room > 0 {
        if let Some(m) = env.messages.shown(env.now()) {
            spans.push(Span::raw(" · "));
            spans.push(Span::styled(
                fit(&m.text, room).trim_end().to_string(),
                t.flash(m.is_error()),
            ));
        } else if let Some(i) = &env.last_import {
            spans.push(Span::raw(" · "));
            spans.push(Span::raw(
                fit(&format!("импорт: {i}"), room).trim_end().to_string(),
            ));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(t.status()), area);
}

fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// The hint bar: the keys of the screen in force, or — while a chord is unfinished — the keys
/// that may follow.
fn hint_bar(f: &mut Frame, area: Rect, env: &Env, hints: &Hints) {
    let t = &env.theme;
    if let Some(chord) = &env.chord {
        let text = fit(&format!(" {chord}"), usize::from(area.width));
        f.render_widget(Paragraph::new(Span::styled(text, t.key())), area);
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (k, d) in &hints.bar {
        let w = unicode_width::UnicodeWidthStr::width(k.as_str())
            + unicode_width::UnicodeWidthStr::width(d.as_str())
            + 3;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(format!(" {k}"), t.key()));
        spans.push(Span::raw(format!(" {d} ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Time left to a deadline, over working time: «3 р.д.», «5 ч», «−2 р.д.», with its colour —
/// `wording::TimeLeft`, what `mcu show` says too.
pub(crate) fn time_left(
    t: &Theme,
    cal: &WorkCalendar,
    now: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
    open: bool,
) -> (String, Style) {
    use crate::domain::wording::TimeLeft;
    let left = TimeLeft::of(cal, now, due, open);
    let style = match left {
        TimeLeft::None => t.dim(),
        TimeLeft::Expired | TimeLeft::Overdue(_) => t.bad(),
        TimeLeft::Left(s) if s <= 8 * 3600 => t.warn(),
        TimeLeft::Left(_) => t.ok(),
    };
    (left.short(), style)
}
