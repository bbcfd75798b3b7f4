//! Keys arrive over SSH as bytes: they are parsed by termina's input parser (helix's terminal
//! library, a port of crossterm's own Unix parser, which crossterm does not expose for a source
//! other than the process's terminal) into the crossterm events the console understands. UTF-8
//! (Cyrillic), Alt (ESC-prefixed), function keys, arrows and bracketed paste all come through.
//!
//! termwiz's `InputParser` was the other candidate: it parses as well, but brings terminfo,
//! regex and image crates with it; termina depends on next to nothing.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A byte-to-event parser for one SSH channel.
#[derive(Debug, Default)]
pub struct InputParser {
    inner: termina::Parser,
}

impl InputParser {
    /// Parses one chunk the client sent. A chunk ends what the client wrote at once, so a lone
    /// ESC at its end is the Escape key (an escape sequence arrives in one piece).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.inner.parse(bytes, false);
        let mut out = Vec::new();
        while let Some(ev) = self.inner.pop() {
            if let Some(e) = convert(ev) {
                out.push(e);
            }
        }
        out
    }
}

fn convert(ev: termina::Event) -> Option<Event> {
    match ev {
        termina::Event::Key(k) => key(k).map(Event::Key),
        termina::Event::Paste(s) => Some(Event::Paste(s)),
        _ => None,
    }
}

fn key(k: termina::event::KeyEvent) -> Option<KeyEvent> {
    use termina::event::KeyCode as T;
    let code = match k.code {
        T::Char(c) => KeyCode::Char(c),
        T::Enter => KeyCode::Enter,
        T::Backspace => KeyCode::Backspace,
        T::Tab => KeyCode::Tab,
        T::BackTab => KeyCode::BackTab,
        T::Escape => KeyCode::Esc,
        T::Left => KeyCode::Left,
        T::Right => KeyCode::Right,
        T::Up => KeyCode::Up,
        T::Down => KeyCode::Down,
        T::Home => KeyCode::Home,
        T::End => KeyCode::End,
        T::PageUp => KeyCode::PageUp,
        T::PageDown => KeyCode::PageDown,
        T::Insert => KeyCode::Insert,
        T::Delete => KeyCode::Delete,
        T::Function(n) => KeyCode::F(n),
        T::Null => KeyCode::Null,
        _ => return None,
    };
    let kind = match k.kind {
        termina::event::KeyEventKind::Press => KeyEventKind::Press,
        termina::event::KeyEventKind::Repeat => KeyEventKind::Repeat,
        termina::event::KeyEventKind::Release => KeyEventKind::Release,
    };
    let m = k.modifiers;
    let mut modifiers = KeyModifiers::NONE;
    for (t, c) in [
        (termina::event::Modifiers::SHIFT, KeyModifiers::SHIFT),
        (termina::event::Modifiers::ALT, KeyModifiers::ALT),
        (termina::event::Modifiers::CONTROL, KeyModifiers::CONTROL),
        (termina::event::Modifiers::SUPER, KeyModifiers::SUPER),
        (termina::event::Modifiers::HYPER, KeyModifiers::HYPER),
        (termina::event::Modifiers::META, KeyModifiers::META),
    ] {
        if m.contains(t) {
            modifiers |= c;
        }
    }
    let mut e = KeyEvent::new(code, modifiers);
    e.kind = kind;
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(bytes: &[u8]) -> Vec<(KeyCode, KeyModifiers)> {
        InputParser::default()
            .feed(bytes)
            .into_iter()
            .map(|e| match e {
                Event::Key(k) => (k.code, k.modifiers),
                other => panic!("not a key: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn letters_cyrillic_and_control_keys() {
        assert_eq!(
            keys("aй".as_bytes()),
            vec![
                (KeyCode::Char('a'), KeyModifiers::NONE),
                (KeyCode::Char('й'), KeyModifiers::NONE)
            ]
        );
        assert_eq!(keys(b"\r"), vec![(KeyCode::Enter, KeyModifiers::NONE)]);
        assert_eq!(
            keys(b"\x7f"),
            vec![(KeyCode::Backspace, KeyModifiers::NONE)]
        );
        assert_eq!(keys(b"\t"), vec![(KeyCode::Tab, KeyModifiers::NONE)]);
        assert_eq!(
            keys(b"\x03"),
            vec![(KeyCode::Char('c'), KeyModifiers::CONTROL)]
        );
        assert_eq!(keys(b"\x1b"), vec![(KeyCode::Esc, KeyModifiers::NONE)]);
    }

    #[test]
    fn a_cyrillic_letter_split_over_two_chunks_is_one_key() {
        let mut p = InputParser::default();
        let bytes = "ж".as_bytes();
        // The first byte alone is not a character yet: nothing, and nothing lost.
        let first = p.feed(&bytes[..1]);
        let second = p.feed(&bytes[1..]);
        let all: Vec<_> = first.into_iter().chain(second).collect();
        assert_eq!(
            all,
            vec![Event::Key(KeyEvent::new(
                KeyCode::Char('ж'),
                KeyModifiers::NONE
            ))]
        );
    }

    #[test]
    fn alt_arrows_and_function_keys() {
        assert_eq!(
            keys(b"\x1bx"),
            vec![(KeyCode::Char('x'), KeyModifiers::ALT)]
        );
        assert_eq!(
            keys("\x1bф".as_bytes()),
            vec![(KeyCode::Char('ф'), KeyModifiers::ALT)]
        );
        assert_eq!(
            keys(b"\x1b[A\x1b[B\x1bOD\x1b[C"),
            vec![
                (KeyCode::Up, KeyModifiers::NONE),
                (KeyCode::Down, KeyModifiers::NONE),
                (KeyCode::Left, KeyModifiers::NONE),
                (KeyCode::Right, KeyModifiers::NONE)
            ]
        );
        assert_eq!(
            keys(b"\x1bOP\x1b[15~\x1b[24~"),
            vec![
                (KeyCode::F(1), KeyModifiers::NONE),
                (KeyCode::F(5), KeyModifiers::NONE),
                (KeyCode::F(12), KeyModifiers::NONE)
            ]
        );
        assert_eq!(
            keys(b"\x1b[5~\x1b[6~\x1b[Z"),
            vec![
                (KeyCode::PageUp, KeyModifiers::NONE),
                (KeyCode::PageDown, KeyModifiers::NONE),
                (KeyCode::BackTab, KeyModifiers::SHIFT)
            ]
        );
    }

    #[test]
    fn bracketed_paste_is_one_event() {
        let ev = InputParser::default().feed("\x1b[200~Ямы у школы\r\nдва\x1b[201~".as_bytes());
        assert_eq!(ev, vec![Event::Paste("Ямы у школы\r\nдва".into())]);
    }
}
