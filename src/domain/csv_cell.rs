//! Cells of the CSV files mcu writes for people to open in Excel or LibreOffice (`mcu export`,
//! `quarantine/*.errors.csv`). A spreadsheet takes a cell that begins with `=`, `+`, `-` or `@`
//! for a formula — and a leading tab or carriage return is skipped before it looks — so a
//! citizen's text `=HYPERLINK(…)` or a source id `=cmd|' /C calc'!A0` would come alive on the
//! officer's machine. Such cells are written with a leading `'` (the spreadsheet's own mark for
//! "this is text"), which is the only change: remove that one `'` to get the value back.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula (or skip on to one).
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell (anything a citizen, an officer or a source system wrote): neutralised whenever
/// it begins like a formula, even when it looks like a number («-5» stays text).
pub fn text(s: &str) -> Cow<'_, str> {
    if s.starts_with(TRIGGERS) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The value behind a cell [`text`] wrote: one leading `'` before a formula start is removed,
/// anything else is left as it is («'уже текст» stays). Used where mcu reads back its own CSV.
pub fn untext(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) => rest,
        _ => s,
    }
}

/// A cell of a numeric column: a plain number (`-5`, `+3`, `-2.5`, `-2,5`) stays as it is so
/// that the spreadsheet still sees a number; anything else is treated as [`text`].
pub fn number(s: &str) -> Cow<'_, str> {
    if is_plain_number(s) {
        Cow::Borrowed(s)
    } else {
        text(s)
    }
}

/// An optional sign, digits, and at most one decimal point or comma between digits.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = match digits.split_once(['.', ',']) {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && frac.is_none_or(all_digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised() {
        for s in [
            "=HYPERLINK(\"http://evil\",\"ссылка\")",
            "=cmd|' /C calc'!A0",
            "+7 999 123-45-67",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1+1",
            "\r=1+1",
            "-5",
        ] {
            assert_eq!(text(s), format!("'{s}"), "{s:?}");
        }
    }

    #[test]
    fn untext_undoes_text_only() {
        for s in ["=1+1", "-", "@SUM(A1)", "'уже текст", "Яма", "'"] {
            assert_eq!(untext(&text(s)), s, "{s:?}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for s in [
            "Яма на дороге",
            "",
            "5",
            "a=b",
            " =1",
            "'уже текст",
            "2026-11-28 12:00",
        ] {
            assert_eq!(text(s), s, "{s:?}");
        }
    }

    #[test]
    fn plain_numbers_stay_numbers_in_numeric_columns() {
        for s in ["-5", "+3", "-2.5", "-2,5", "17"] {
            assert_eq!(number(s), s, "{s:?}");
        }
        for s in ["-", "-2+3", "=1", "-.5", "-5e3", "-1,2,3", "+7 999"] {
            assert_eq!(number(s), format!("'{s}"), "{s:?}");
        }
    }
}
