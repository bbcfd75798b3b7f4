//! Colours for terminals that know only the 16 basic ones. crossterm writes every colour —
//! the 16 named ones too — as a 256-colour code (`ESC[38;5;1m`), which a terminal announcing
//! itself as plain `xterm`, `vt100`, `linux` or `screen` may not understand. The console uses only
//! the 16 named colours, so for such a terminal each frame's bytes are rewritten to the classic
//! SGR codes (`ESC[31m`, `ESC[91m`, `ESC[41m`…) before they leave.

use std::io::{self, Write};

/// Whether the terminal described by `TERM` and `COLORTERM` takes 256-colour codes.
pub fn supports_256(term: Option<&str>, colorterm: Option<&str>) -> bool {
    if colorterm.is_some_and(|c| !c.is_empty()) {
        return true;
    }
    term.is_some_and(|t| t.contains("256") || t.contains("truecolor") || t.contains("direct"))
}

/// A writer that turns 256-colour codes of the 16 basic colours into classic SGR codes. Bytes
/// are held until `flush` (the backend flushes once per frame), so a code split over several
/// writes is still seen whole.
pub struct Ansi16<W: Write> {
    inner: W,
    /// Off: bytes pass straight through (a 256-colour terminal).
    on: bool,
    buf: Vec<u8>,
}

impl<W: Write> Ansi16<W> {
    /// Wraps a writer; `on` rewrites the colours.
    pub fn new(inner: W, on: bool) -> Self {
        Self {
            inner,
            on,
            buf: Vec::new(),
        }
    }

    /// For the terminal this process runs in (`TERM`, `COLORTERM`).
    pub fn for_terminal(inner: W) -> Self {
        let term = std::env::var("TERM").ok();
        let colorterm = std::env::var("COLORTERM").ok();
        Self::new(inner, !supports_256(term.as_deref(), colorterm.as_deref()))
    }
}

impl<W: Write> Write for Ansi16<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if !self.on {
            return self.inner.write(data);
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.on {
            return self.inner.flush();
        }
        let out = downgrade(&self.buf);
        self.buf.clear();
        self.inner.write_all(&out)?;
        self.inner.flush()
    }
}

/// Rewrites `ESC[38;5;Nm` and `ESC[48;5;Nm` with N < 16 to their 16-colour codes; everything
/// else passes unchanged.
pub fn downgrade(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some((code, len)) = colour_at(&bytes[i..]) {
            out.extend_from_slice(format!("\x1b[{code}m").as_bytes());
            i += len;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// A 256-colour code of a basic colour at the start of `b`: its 16-colour SGR number and the
/// length of the code.
fn colour_at(b: &[u8]) -> Option<(u8, usize)> {
    let (fg, rest) = if let Some(r) = b.strip_prefix(b"\x1b[38;5;") {
        (true, r)
    } else if let Some(r) = b.strip_prefix(b"\x1b[48;5;") {
        (false, r)
    } else {
        return None;
    };
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 2 || rest.get(digits) != Some(&b'm') {
        return None;
    }
    let n: u8 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    if n >= 16 {
        return None;
    }
    let base = match (fg, n < 8) {
        (true, true) => 30,
        (true, false) => 90 - 8,
        (false, true) => 40,
        (false, false) => 100 - 8,
    };
    Some((base + n, 7 + digits + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_colours_become_classic_codes_and_the_rest_passes() {
        let s = b"a\x1b[38;5;1mred\x1b[38;5;9mbright\x1b[48;5;7mbg\x1b[48;5;8mdark\x1b[38;5;200mx\x1b[39m";
        let out = String::from_utf8(downgrade(s)).unwrap_or_default();
        assert_eq!(
            out,
            "a\x1b[31mred\x1b[91mbright\x1b[47mbg\x1b[100mdark\x1b[38;5;200mx\x1b[39m"
        );
        assert!(!out.contains("38;5;1m"));
    }

    #[test]
    fn a_code_split_over_writes_is_rewritten_at_flush() {
        let mut w = Ansi16::new(Vec::new(), true);
        let _ = w.write(b"\x1b[38;");
        let _ = w.write(b"5;2mok");
        let _ = w.flush();
        assert_eq!(w.inner, b"\x1b[32mok");
    }

    #[test]
    fn only_terminals_without_256_colours_are_downgraded() {
        assert!(!supports_256(Some("xterm"), None));
        assert!(!supports_256(Some("screen"), None));
        assert!(supports_256(Some("xterm-256color"), None));
        assert!(supports_256(Some("xterm"), Some("truecolor")));
        assert!(!supports_256(None, None));
    }
}
