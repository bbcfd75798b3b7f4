//! Word wrapping of styled lines done here rather than by the widget, so that the number of rows a
//! text takes is known exactly: a pager scrolled to its end shows the last row, never a blank
//! page and never stops short of it.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// `lines` broken into rows of at most `width` display cells, at spaces where a word fits and
/// inside a word only when it is longer than a row. Rows after the first of a line start with
/// `indent` spaces (a hanging indent: the help's descriptions stay in their column). Styles are
/// kept; a line's own style goes to each of its rows.
pub fn wrap(lines: &[Line<'_>], width: u16, indent: usize) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let indent = if indent + 10 > width { 0 } else { indent };
    let mut out = Vec::new();
    for line in lines {
        // Each character with its span's style; words are runs of non-spaces.
        let chars: Vec<(char, ratatui::style::Style)> = line
            .spans
            .iter()
            .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
            .map(|(c, st)| (if c.is_control() { ' ' } else { c }, st))
            .collect();
        let mut rows: Vec<Vec<(char, ratatui::style::Style)>> = vec![Vec::new()];
        let mut col = 0usize;
        let mut i = 0;
        while i < chars.len() {
            // The next word (or run of spaces) and its width.
            let space = chars[i].0 == ' ';
            let mut j = i;
            while j < chars.len() && (chars[j].0 == ' ') == space {
                j += 1;
            }
            let w: usize = chars[i..j]
                .iter()
                .map(|(c, _)| c.width().unwrap_or(0))
                .sum();
            let start = if rows.len() > 1 { indent } else { 0 };
            if space {
                // Spaces at a break are dropped; elsewhere kept.
                if col + w <= width {
                    if let Some(r) = rows.last_mut() {
                        r.extend_from_slice(&chars[i..j]);
                    }
                    col += w;
                } else {
                    rows.push(Vec::new());
                    col = 0;
                    pad(&mut rows, &mut col, indent);
                }
            } else {
                // A word that does not fit goes to the next row, unless this one is still empty;
                // one longer than a row is cut across rows.
                if col + w > width && col > start {
                    rows.push(Vec::new());
                    col = 0;
                    pad(&mut rows, &mut col, indent);
                }
                put_word(&chars[i..j], &mut rows, &mut col, width, indent);
            }
            i = j;
        }
        for r in rows {
            let mut spans: Vec<Span<'static>> = Vec::new();
            for (c, st) in r {
                match spans.last_mut() {
                    Some(s) if s.style == st => s.content.to_mut().push(c),
                    _ => spans.push(Span::styled(c.to_string(), st)),
                }
            }
            out.push(Line::from(spans).style(line.style));
        }
    }
    out
}

/// Spaces of a hanging indent at the start of a continuation row.
fn pad(rows: &mut [Vec<(char, ratatui::style::Style)>], col: &mut usize, indent: usize) {
    if let Some(r) = rows.last_mut() {
        r.extend(std::iter::repeat_n(
            (' ', ratatui::style::Style::new()),
            indent,
        ));
        *col += indent;
    }
}

/// Puts a word in the row, cutting it across rows where it runs past the width.
fn put_word(
    word: &[(char, ratatui::style::Style)],
    rows: &mut Vec<Vec<(char, ratatui::style::Style)>>,
    col: &mut usize,
    width: usize,
    indent: usize,
) {
    for &(c, st) in word {
        let cw = c.width().unwrap_or(0);
        if *col + cw > width {
            rows.push(Vec::new());
            *col = 0;
            pad(rows, col, indent);
        }
        if let Some(r) = rows.last_mut() {
            r.push((c, st));
        }
        *col += cw;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn words_go_whole_to_the_next_row_and_the_row_count_is_exact() {
        let rows = wrap(&[Line::raw("раз два три четыре")], 9, 0);
        assert_eq!(text(&rows), ["раз два ", "три ", "четыре"]);
        // A character count would say two rows (18 cells / 9); the words take three.
        assert_eq!(rows.len(), 3);
    }

    #[test]
    fn a_word_longer_than_a_row_is_cut_across_rows() {
        let rows = wrap(&[Line::raw("абвгдежзик да")], 5, 0);
        assert_eq!(text(&rows), ["абвгд", "ежзик", "да"]);
    }

    #[test]
    fn continuation_rows_keep_a_hanging_indent_and_styles_stay() {
        let key = ratatui::style::Style::new().bold();
        let line = Line::from(vec![
            Span::styled("  Enter ", key),
            Span::raw("Готово (в многострочном тексте — новая строка)"),
        ]);
        let rows = wrap(&[line], 30, 8);
        let t = text(&rows);
        assert_eq!(t[0].trim_end(), "  Enter Готово (в");
        assert!(t[1..].iter().all(|r| r.starts_with("        ")), "{t:?}");
        assert!(t.iter().all(|r| r.chars().count() <= 30), "{t:?}");
        assert_eq!(rows[0].spans[0].style, key);
    }

    #[test]
    fn an_empty_line_is_one_row() {
        assert_eq!(wrap(&[Line::raw("")], 10, 0).len(), 1);
    }
}
