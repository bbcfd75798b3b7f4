//! Key notation: parsing `a`, `A`, `<C-x>`, `<S-Tab>`, `<A-x>`, `<Enter>`, `<F1>`… and printing it
//! back, plus turning crossterm key events into the same normal form so the two compare equal.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key with its modifiers, in a normal form shared by the keymap file and the terminal.
///
/// The normal form: a character key carries its case in the character (`A`, never Shift + `a`) and
/// never the Shift modifier; Shift-Tab is `Tab` with Shift (terminals report it as `BackTab`); only
/// Ctrl, Alt and Shift are kept (Super, Hyper and Meta are dropped); keys that cannot be bound
/// (lone modifiers, media keys, Caps Lock…) have no `Key` at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    mods: KeyModifiers,
}

/// A key notation that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad key «{text}»: {reason}")]
pub struct KeyError {
    /// The notation as written.
    pub text: String,
    /// Why it is wrong.
    pub reason: String,
}

impl KeyError {
    fn new(text: &str, reason: impl Into<String>) -> Self {
        Self {
            text: text.to_string(),
            reason: reason.into(),
        }
    }
}

const KEPT_MODIFIERS: KeyModifiers = KeyModifiers::CONTROL
    .union(KeyModifiers::ALT)
    .union(KeyModifiers::SHIFT);

/// Named keys: (notation name, label in help, code). The first name of a code is the one printed.
const NAMED: &[(&str, &str, KeyCode)] = &[
    ("Enter", "Enter", KeyCode::Enter),
    ("Esc", "Esc", KeyCode::Esc),
    ("Space", "Space", KeyCode::Char(' ')),
    ("Tab", "Tab", KeyCode::Tab),
    ("Backspace", "Backspace", KeyCode::Backspace),
    ("Delete", "Del", KeyCode::Delete),
    ("Insert", "Ins", KeyCode::Insert),
    ("Up", "Up", KeyCode::Up),
    ("Down", "Down", KeyCode::Down),
    ("Left", "Left", KeyCode::Left),
    ("Right", "Right", KeyCode::Right),
    ("PageUp", "PgUp", KeyCode::PageUp),
    ("PageDown", "PgDn", KeyCode::PageDown),
    ("Home", "Home", KeyCode::Home),
    ("End", "End", KeyCode::End),
];

/// Other spellings accepted in a keymap file (vim's and common abbreviations), lower-case.
const ALIASES: &[(&str, KeyCode)] = &[
    ("cr", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("escape", KeyCode::Esc),
    ("bs", KeyCode::Backspace),
    ("del", KeyCode::Delete),
    ("ins", KeyCode::Insert),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("pgdown", KeyCode::PageDown),
    ("lt", KeyCode::Char('<')),
    ("gt", KeyCode::Char('>')),
];

/// The highest function key accepted (`<F24>`).
const MAX_F: u8 = 24;

impl Key {
    /// A key from a crossterm code and modifiers, normalised; `None` for keys that cannot be bound.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Option<Key> {
        let mut mods = modifiers & KEPT_MODIFIERS;
        let code = match code {
            KeyCode::BackTab => {
                mods |= KeyModifiers::SHIFT;
                KeyCode::Tab
            }
            KeyCode::Char(c) if c.is_control() => return None,
            KeyCode::Char(c) => {
                // Terminals with the kitty protocol may report Shift + `a`; legacy ones send `A`.
                let c = if mods.contains(KeyModifiers::SHIFT) {
                    upper(c).unwrap_or(c)
                } else {
                    c
                };
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            KeyCode::F(n) if (1..=MAX_F).contains(&n) => code,
            KeyCode::Enter
            | KeyCode::Esc
            | KeyCode::Tab
            | KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Insert
            | KeyCode::Up
            | KeyCode::Down
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::PageUp
            | KeyCode::PageDown
            | KeyCode::Home
            | KeyCode::End => code,
            _ => return None,
        };
        Some(Key { code, mods })
    }

    /// A plain character key (`'j'`, `'G'`, `'?'`, `'о'`).
    pub fn char(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::NONE,
        }
    }

    /// The key of a terminal event, whatever its kind (press, repeat or release).
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        Key::new(event.code, event.modifiers)
    }

    /// The key code (`Char('x')`, `Enter`, `F(1)`…).
    pub fn code(&self) -> KeyCode {
        self.code
    }

    /// The modifiers: only Ctrl, Alt and Shift, and Shift never with a character key.
    pub fn modifiers(&self) -> KeyModifiers {
        self.mods
    }

    /// The character it types when it is a plain character key (no Ctrl or Alt), space included.
    pub fn printable(&self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if self.mods.is_empty() => Some(c),
            _ => None,
        }
    }

    /// Whether this is `Esc` (with any modifiers).
    pub fn is_esc(&self) -> bool {
        self.code == KeyCode::Esc
    }

    /// The same key with another character (modifiers kept); used by the layout fallback.
    pub(crate) fn with_char(self, c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: self.mods,
        }
    }

    /// How help and hints show the key: `j`, `G`, `Ctrl-s`, `Alt-a`, `Shift-Tab`, `Enter`, `PgDn`.
    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("Alt-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            s.push_str("Shift-");
        }
        match self.code {
            KeyCode::Char(' ') => s.push_str("Space"),
            KeyCode::Char(c) => s.push(c),
            KeyCode::F(n) => s.push_str(&format!("F{n}")),
            code => s.push_str(
                NAMED
                    .iter()
                    .find(|(_, _, c)| *c == code)
                    .map_or("?", |(_, label, _)| label),
            ),
        }
        s
    }
}

/// The single upper-case form of a character, when it differs.
fn upper(c: char) -> Option<char> {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) if u != c => Some(u),
        _ => None,
    }
}

/// How help shows a chord: labels joined by spaces (`g g`, `Ctrl-x Ctrl-s`).
pub fn chord_label(keys: &[Key]) -> String {
    keys.iter().map(Key::label).collect::<Vec<_>>().join(" ")
}

/// A chord in keymap notation, for messages: keys joined by spaces (`g g`, `<C-x> s`).
pub fn chord_notation(keys: &[Key]) -> String {
    keys.iter()
        .map(Key::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Key {
    /// The keymap notation: `a`, `A`, `?`, `<Space>`, `<C-x>`, `<A-S-Up>`, `<S-Tab>`, `<F5>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.is_empty()
            && let KeyCode::Char(c) = self.code
            && c != ' '
        {
            return write!(f, "{c}");
        }
        f.write_str("<")?;
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("C-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("A-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("S-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space")?,
            KeyCode::Char(c) => write!(f, "{c}")?,
            KeyCode::F(n) => write!(f, "F{n}")?,
            code => f.write_str(
                NAMED
                    .iter()
                    .find(|(_, _, c)| *c == code)
                    .map_or("?", |(name, _, _)| name),
            )?,
        }
        f.write_str(">")
    }
}

impl FromStr for Key {
    type Err = KeyError;

    /// Parses the keymap notation (see [`Key`]'s `Display`). Modifier letters and key names are
    /// case-insensitive (`<c-x>`, `<ENTER>`); `<S-a>` is the same key as `A`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (None, _) => return Err(KeyError::new(s, "empty key")),
            (Some(c), None) => {
                return if c.is_control() {
                    Err(KeyError::new(s, "a control character is not a key"))
                } else {
                    Ok(Key::char(c))
                };
            }
            _ => {}
        }
        let Some(inner) = s.strip_prefix('<') else {
            return Err(KeyError::new(
                s,
                "not a single key: write named keys in angle brackets (<Tab>, <C-x>) and a chord as a list ([\"g\", \"g\"])",
            ));
        };
        let Some(inner) = inner.strip_suffix('>') else {
            return Err(KeyError::new(s, "no closing «>»"));
        };

        // Modifier prefixes: `C-`, `A-` (or `M-`), `S-`, in any order, as long as a key follows.
        let mut mods = KeyModifiers::NONE;
        let mut rest = inner;
        loop {
            let mut it = rest.chars();
            let (Some(m), Some('-')) = (it.next(), it.next()) else {
                break;
            };
            let after = it.as_str();
            if after.is_empty() {
                break;
            }
            let flag = match m.to_ascii_uppercase() {
                'C' => KeyModifiers::CONTROL,
                'A' | 'M' => KeyModifiers::ALT,
                'S' => KeyModifiers::SHIFT,
                _ => break,
            };
            if mods.contains(flag) {
                return Err(KeyError::new(s, format!("modifier «{m}-» given twice")));
            }
            mods |= flag;
            rest = after;
        }

        let mut it = rest.chars();
        let code = match (it.next(), it.next()) {
            (None, _) => return Err(KeyError::new(s, "no key inside «<>»")),
            (Some(c), None) if c.is_control() => {
                return Err(KeyError::new(s, "a control character is not a key"));
            }
            (Some(c), None) => KeyCode::Char(c),
            _ => named(rest).ok_or_else(|| {
                KeyError::new(
                    s,
                    format!(
                        "unknown key name «{rest}» (known: {}, F1…F{MAX_F})",
                        NAMED
                            .iter()
                            .map(|(n, _, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?,
        };

        if mods.contains(KeyModifiers::SHIFT)
            && let KeyCode::Char(c) = code
            && c != ' '
            && upper(c).is_none()
            && !c.is_uppercase()
        {
            return Err(KeyError::new(
                s,
                format!(
                    "Shift with «{c}»: the terminal sends the shifted character, write that instead (e.g. «!» for Shift-1)"
                ),
            ));
        }
        Key::new(code, mods).ok_or_else(|| KeyError::new(s, "this key cannot be bound"))
    }
}

/// A key name inside `<>` (case-insensitive), `F1`…`F24` included.
fn named(name: &str) -> Option<KeyCode> {
    let lower = name.to_ascii_lowercase();
    if let Some(code) = NAMED
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, _, c)| *c)
        .or_else(|| ALIASES.iter().find(|(n, _)| *n == lower).map(|(_, c)| *c))
    {
        return Some(code);
    }
    let n: u8 = lower.strip_prefix('f')?.parse().ok()?;
    (1..=MAX_F).contains(&n).then_some(KeyCode::F(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().expect(s)
    }

    #[test]
    fn shift_with_a_letter_is_the_upper_case_letter() {
        assert_eq!(key("<S-a>"), key("A"));
        assert_eq!(key("<S-ф>"), key("Ф"));
        assert_eq!(key("<S-a>").to_string(), "A");
    }

    #[test]
    fn shift_with_a_digit_is_refused() {
        let err = "<S-1>".parse::<Key>().expect_err("refused");
        assert!(err.reason.contains("shifted character"), "{err}");
    }

    #[test]
    fn back_tab_from_the_terminal_is_shift_tab() {
        let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(key("<S-Tab>")));
        let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::NONE);
        assert_eq!(Key::from_event(&ev), Some(key("<S-Tab>")));
    }

    #[test]
    fn shifted_letter_events_match_either_report() {
        let legacy = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        let kitty = KeyEvent::new(KeyCode::Char('g'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&legacy), Some(key("G")));
        assert_eq!(Key::from_event(&kitty), Some(key("G")));
    }

    #[test]
    fn lone_modifiers_and_media_keys_are_not_keys() {
        use crossterm::event::{MediaKeyCode, ModifierKeyCode};
        assert_eq!(
            Key::new(
                KeyCode::Modifier(ModifierKeyCode::LeftShift),
                KeyModifiers::SHIFT
            ),
            None
        );
        assert_eq!(
            Key::new(KeyCode::Media(MediaKeyCode::Play), KeyModifiers::NONE),
            None
        );
        assert_eq!(Key::new(KeyCode::CapsLock, KeyModifiers::NONE), None);
    }

    #[test]
    fn super_is_dropped() {
        let k = Key::new(
            KeyCode::Char('x'),
            KeyModifiers::SUPER | KeyModifiers::CONTROL,
        );
        assert_eq!(k, Some(key("<C-x>")));
    }

    #[test]
    fn aliases_and_case_are_accepted() {
        assert_eq!(key("<CR>"), key("<Enter>"));
        assert_eq!(key("<enter>"), key("<Enter>"));
        assert_eq!(key("<c-x>"), key("<C-x>"));
        assert_eq!(key("<M-x>"), key("<A-x>"));
        assert_eq!(key("<PgDn>"), key("<PageDown>"));
        assert_eq!(key("<lt>"), key("<"));
        assert_eq!(key("<a>"), key("a"));
        assert_eq!(key(" "), key("<Space>"));
    }

    #[test]
    fn dash_and_angle_brackets_work_with_modifiers() {
        assert_eq!(key("<C-->").to_string(), "<C-->");
        assert_eq!(key("<A-<>").to_string(), "<A-<>");
        assert_eq!(key("-"), Key::char('-'));
    }

    #[test]
    fn bad_notations_say_why() {
        for (text, why) in [
            ("", "empty"),
            ("<C-", "no closing"),
            ("<>", "no key"),
            ("<C-Foo>", "unknown key name"),
            ("<F25>", "unknown key name"),
            ("Tab", "angle brackets"),
            ("<C-C-x>", "twice"),
        ] {
            let err = text.parse::<Key>().expect_err(text);
            assert!(err.to_string().contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn labels_are_readable() {
        assert_eq!(key("<C-s>").label(), "Ctrl-s");
        assert_eq!(key("<S-Tab>").label(), "Shift-Tab");
        assert_eq!(key("<A-a>").label(), "Alt-a");
        assert_eq!(key("<PageDown>").label(), "PgDn");
        assert_eq!(key("<Space>").label(), "Space");
        assert_eq!(chord_label(&[key("g"), key("g")]), "g g");
    }
}
