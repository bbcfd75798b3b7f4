//! The console in a test terminal (ratatui's TestBackend): what it draws as text, and keys
//! pressed without modifiers.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mcu::tui::console::Console;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The console drawn into a `w`×`h` test terminal, one line of text per row.
pub fn screen(c: &mut Console, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| c.draw(f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Presses one key without modifiers.
pub fn key(c: &mut Console, code: KeyCode) {
    c.key(KeyEvent::new(code, KeyModifiers::NONE)).unwrap();
}
