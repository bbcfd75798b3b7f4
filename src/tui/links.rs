//! Links and the clipboard through the terminal, which works over SSH: the terminal on the
//! officer's machine opens the link and holds the clipboard.
//!
//! - Every web address visible on the frame becomes an OSC 8 hyperlink: after the frame, the
//!   cells holding it are written again inside `ESC ] 8 ; ; URL ESC \` … `ESC ] 8 ; ; ESC \`
//!   (cursor saved and restored around it). An address cut at the panel's edge («https://vk.com/wa…»)
//!   links to the full address of the appeal on screen.
//! - `y` copies the appeal's number, source address or text with OSC 52
//!   (`ESC ] 52 ; c ; BASE64 BEL`).
//!
//! The bytes go into the app's output ([`crate::tui::screens::Env::output`]), which the event
//! loop writes after the frame; nothing is sent when nothing is drawn.

use ratatui::buffer::Buffer;

/// The OSC 8 sequences that make the web addresses on the frame links: for each row, each
/// `http://`/`https://` run of cells. `known` are full addresses of what is shown, for runs cut
/// short with an ellipsis.
pub fn hyperlinks(buf: &Buffer, known: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let row: Vec<&str> = (area.left()..area.right())
            .map(|x| buf[(x, y)].symbol())
            .collect();
        let mut x = 0;
        while x < row.len() {
            if !starts_url(&row[x..]) {
                x += 1;
                continue;
            }
            let start = x;
            let mut text = String::new();
            while x < row.len() && is_url_cell(row[x]) {
                text.push_str(row[x]);
                x += 1;
            }
            let cut = text.trim_end_matches(['…', '~']);
            // A known address it begins (cut at the edge, or covered by a pop-up) wins.
            let whole = known.iter().find(|k| k.starts_with(cut)).cloned();
            let target = if cut.len() < text.len() {
                whole
            } else {
                whole.or_else(|| Some(text.clone()))
            };
            if let Some(url) = target {
                let col = area.left() + start as u16;
                out.extend_from_slice(
                    format!(
                        "\x1b7\x1b[{};{}H{}\x1b[4m{text}\x1b[24m{}\x1b8",
                        y + 1,
                        col + 1,
                        osc8_open(&url),
                        OSC8_CLOSE
                    )
                    .as_bytes(),
                );
            }
        }
    }
    out
}

/// The end of an OSC 8 link.
pub const OSC8_CLOSE: &str = "\x1b]8;;\x1b\\";

/// The start of an OSC 8 link to `url` (control characters dropped: they would end the sequence).
pub fn osc8_open(url: &str) -> String {
    let clean: String = url.chars().filter(|c| !c.is_control()).collect();
    format!("\x1b]8;;{clean}\x1b\\")
}

fn starts_url(cells: &[&str]) -> bool {
    let mut s = String::new();
    for c in cells.iter().take(8) {
        s.push_str(c);
    }
    s.starts_with("https://") || s.starts_with("http://")
}

fn is_url_cell(c: &str) -> bool {
    let mut chars = c.chars();
    matches!((chars.next(), chars.next()), (Some(ch), None) if !ch.is_whitespace() && ch != '│' && ch != '|')
}

/// OSC 52: puts `text` on the clipboard of the officer's terminal.
pub fn osc52(text: &str) -> Vec<u8> {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes())).into_bytes()
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64("№12".as_bytes()), "4oSWMTI=");
    }

    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(osc52("foo"), b"\x1b]52;c;Zm9v\x07".to_vec());
    }

    #[test]
    fn a_visible_address_becomes_a_link_at_its_cells() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 3));
        buf.set_string(
            2,
            1,
            "Ссылка: https://vk.com/wall-1_2 ",
            ratatui::style::Style::default(),
        );
        let out = String::from_utf8(hyperlinks(&buf, &[])).unwrap();
        assert_eq!(
            out,
            "\x1b7\x1b[2;11H\x1b]8;;https://vk.com/wall-1_2\x1b\\\x1b[4mhttps://vk.com/wall-1_2\
             \x1b[24m\x1b]8;;\x1b\\\x1b8"
        );
    }

    #[test]
    fn a_cut_address_links_to_the_full_one() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        buf.set_string(0, 0, "https://vk.com/wa…", ratatui::style::Style::default());
        let full = "https://vk.com/wall-1_2".to_string();
        let out = String::from_utf8(hyperlinks(&buf, std::slice::from_ref(&full))).unwrap();
        assert!(
            out.contains("\x1b]8;;https://vk.com/wall-1_2\x1b\\"),
            "{out:?}"
        );
        // Unknown and cut: no link to a wrong address.
        assert!(hyperlinks(&buf, &[]).is_empty());
    }

    #[test]
    fn no_address_no_bytes() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        buf.set_string(0, 0, "Обращение №12", ratatui::style::Style::default());
        assert!(hyperlinks(&buf, &[]).is_empty());
    }
}
