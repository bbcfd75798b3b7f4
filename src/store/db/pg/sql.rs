//! SQL text the store writes for SQLite, made PostgreSQL's: placeholders and statement names.

use std::borrow::Cow;

/// Rewrites SQLite's placeholders (`?NNN` and bare `?`) into PostgreSQL's `$NNN`.
///
/// A bare `?` takes the number one greater than the largest number used so far (SQLite's rule:
/// `?2, ?, ?1, ?` is `$2, $3, $1, $4`). Nothing is touched inside `'…'` string literals
/// (including `E'…'` with backslash escapes), `"…"` identifiers, `$tag$…$tag$` dollar quotes,
/// `-- …` line comments or `/* … */` block comments (nested, as PostgreSQL allows). Text without
/// a `?` outside those is returned borrowed. PostgreSQL's own `?`-operators (jsonb `?`, `?|`, `?&`)
/// cannot be written in the store's SQL for that reason: use `jsonb_exists` and friends.
pub fn translate_placeholders(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut max: u32 = 0;
    let mut copied = 0; // bytes of `sql` already in `out`
    let mut changed = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                let escapes =
                    i > 0 && matches!(b[i - 1], b'E' | b'e') && !ident_byte_before(b, i - 1);
                i = skip_quoted(b, i, b'\'', escapes);
            }
            b'"' => i = skip_quoted(b, i, b'"', false),
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| i + p + 1);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => i = skip_block_comment(b, i),
            b'$' => i = skip_dollar(b, i),
            b'?' => {
                let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                let n = if digits > 0 {
                    let n = sql[i + 1..i + 1 + digits]
                        .parse::<u32>()
                        .unwrap_or(u32::MAX);
                    max = max.max(n);
                    n
                } else {
                    max = max.saturating_add(1);
                    max
                };
                out.push_str(&sql[copied..i]);
                out.push('$');
                out.push_str(&n.to_string());
                i += 1 + digits;
                copied = i;
                changed = true;
            }
            _ => i += 1,
        }
    }
    if !changed {
        return Cow::Borrowed(sql);
    }
    out.push_str(&sql[copied..]);
    Cow::Owned(out)
}

fn ident_byte_before(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// From an opening quote at `start`, the index after its closing quote (a doubled quote is part of
/// the text; with `escapes`, so is a backslash-escaped one).
fn skip_quoted(b: &[u8], start: usize, q: u8, escapes: bool) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        if escapes && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

fn skip_block_comment(b: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// `$tag$ … $tag$` (tag empty or an identifier not starting with a digit); a `$` that does not
/// open one (`$1`, a `$` inside an identifier) is stepped over.
fn skip_dollar(b: &[u8], start: usize) -> usize {
    if ident_byte_before(b, start) {
        return start + 1;
    }
    let tag_len = b[start + 1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    let close = start + 1 + tag_len;
    if b.get(close) != Some(&b'$') || b.get(start + 1).is_some_and(u8::is_ascii_digit) {
        return start + 1;
    }
    let tag = &b[start..=close];
    let body = close + 1;
    b[body..]
        .windows(tag.len())
        .position(|w| w == tag)
        .map_or(b.len(), |p| body + p + tag.len())
}

/// A text that is only a transaction statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxStatement {
    /// `BEGIN`, `BEGIN TRANSACTION`, `START TRANSACTION`, or SQLite's `BEGIN IMMEDIATE` /
    /// `DEFERRED` / `EXCLUSIVE`: the default transaction.
    Begin,
    /// `BEGIN` or `START TRANSACTION` with PostgreSQL options (`ISOLATION LEVEL …`), run as written.
    BeginNative,
    /// `COMMIT`, `END` (with `TRANSACTION`/`WORK`).
    Commit,
    /// `ROLLBACK` (not `ROLLBACK TO SAVEPOINT`).
    Rollback,
}

/// What transaction statement `sql` is, if it is one alone (case-insensitive, an optional `;`).
pub fn transaction_statement(sql: &str) -> Option<TxStatement> {
    let text = sql.trim().trim_end_matches(';').trim();
    if text.len() > 80 || text.contains(';') {
        return None;
    }
    let words: Vec<String> = text
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["BEGIN"] | ["BEGIN", "TRANSACTION" | "WORK"] | ["START", "TRANSACTION"] => {
            Some(TxStatement::Begin)
        }
        ["BEGIN", "IMMEDIATE" | "DEFERRED" | "EXCLUSIVE"]
        | [
            "BEGIN",
            "IMMEDIATE" | "DEFERRED" | "EXCLUSIVE",
            "TRANSACTION",
        ] => Some(TxStatement::Begin),
        ["BEGIN" | "START", ..] => Some(TxStatement::BeginNative),
        ["COMMIT" | "END"] | ["COMMIT" | "END", "TRANSACTION" | "WORK"] => {
            Some(TxStatement::Commit)
        }
        ["ROLLBACK"] | ["ROLLBACK", "TRANSACTION" | "WORK"] | ["ABORT"] => {
            Some(TxStatement::Rollback)
        }
        _ => None,
    }
}

/// The statement's first non-empty line, trimmed and cut at 120 characters: what an error names
/// (never the parameter values, which may hold personal data).
pub fn first_line(sql: &str) -> String {
    let line = sql
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut out: String = line.chars().take(120).collect();
    if out.len() < line.len() {
        out.push('…');
    }
    out
}

/// `name` as a quoted SQL identifier (`"a""b"`).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        translate_placeholders(s).into_owned()
    }

    #[test]
    fn numbered_and_bare_placeholders_follow_sqlite_numbering() {
        assert_eq!(t("SELECT ?1, ?2"), "SELECT $1, $2");
        assert_eq!(t("VALUES (?, ?, ?)"), "VALUES ($1, $2, $3)");
        // A bare ? takes the number after the largest used so far.
        assert_eq!(t("?2, ?, ?1, ?"), "$2, $3, $1, $4");
        assert_eq!(t("?5 AND ?"), "$5 AND $6");
        assert_eq!(t("a=?1 OR b=?1"), "a=$1 OR b=$1");
        assert_eq!(t("x IN (?10,?)"), "x IN ($10,$11)");
    }

    #[test]
    fn quoted_text_and_comments_are_left_alone() {
        assert_eq!(t("SELECT '?', ?"), "SELECT '?', $1");
        assert_eq!(t("SELECT 'it''s ?' || ?"), "SELECT 'it''s ?' || $1");
        assert_eq!(
            t(r#"SELECT "a?b" FROM t WHERE c = ?"#),
            r#"SELECT "a?b" FROM t WHERE c = $1"#
        );
        assert_eq!(t("SELECT ? -- why?\n, ?"), "SELECT $1 -- why?\n, $2");
        assert_eq!(
            t("SELECT /* ? /* ? */ ? */ ?"),
            "SELECT /* ? /* ? */ ? */ $1"
        );
        assert_eq!(t(r"SELECT E'\'?' , ?"), r"SELECT E'\'?' , $1");
        assert_eq!(
            t("SELECT $$ ? $$, $q$ ?$q$, ?"),
            "SELECT $$ ? $$, $q$ ?$q$, $1"
        );
        // A plain string treats backslash as an ordinary character.
        assert_eq!(t(r"SELECT 'a\', ?"), r"SELECT 'a\', $1");
        // Unterminated quotes swallow the rest rather than panic.
        assert_eq!(t("SELECT '?"), "SELECT '?");
        assert_eq!(t("SELECT ? -- ?"), "SELECT $1 -- ?");
    }

    #[test]
    fn text_without_placeholders_is_borrowed() {
        assert!(matches!(
            translate_placeholders("SELECT 1"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            translate_placeholders("SELECT '?'"),
            Cow::Borrowed(_)
        ));
        assert_eq!(t("SELECT ?, 'ЖКХ?', ?"), "SELECT $1, 'ЖКХ?', $2");
    }

    #[test]
    fn transaction_statements_are_recognised() {
        use TxStatement::*;
        let cases = [
            ("BEGIN", Some(Begin)),
            ("begin immediate;", Some(Begin)),
            ("BEGIN EXCLUSIVE TRANSACTION", Some(Begin)),
            ("START TRANSACTION", Some(Begin)),
            ("BEGIN ISOLATION LEVEL SERIALIZABLE", Some(BeginNative)),
            ("START TRANSACTION READ ONLY", Some(BeginNative)),
            ("COMMIT", Some(Commit)),
            (" end ; ", Some(Commit)),
            ("ROLLBACK", Some(Rollback)),
            ("ROLLBACK TO SAVEPOINT a", None),
            ("COMMIT; SELECT 1", None),
            ("SELECT 1", None),
            ("CREATE TABLE begin_x (a int)", None),
        ];
        for (sql, want) in cases {
            assert_eq!(transaction_statement(sql), want, "{sql}");
        }
    }

    #[test]
    fn first_line_is_trimmed_and_short() {
        assert_eq!(first_line("\n  SELECT a\n  FROM t"), "SELECT a");
        assert_eq!(first_line(&"x".repeat(200)).chars().count(), 121);
        assert_eq!(quote_ident(r#"a"b"#), r#""a""b""#);
    }
}
