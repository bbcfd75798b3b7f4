//! The note as one self-contained HTML file: inline CSS and SVG charts, no scripts, A4 print
//! styles.

use super::Block;
use crate::report::charts;

const CSS: &str = "
body { font-family: 'DejaVu Sans', 'PT Sans', Arial, sans-serif; font-size: 11pt; color: #222;
  max-width: 190mm; margin: 1em auto; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 .4em; }
h2 { font-size: 13pt; margin: 1.1em 0 .4em; border-bottom: 1px solid #999; page-break-after: avoid; }
h3 { font-size: 11.5pt; margin: .8em 0 .3em; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 .8em; font-size: 9.5pt; }
th, td { border: 1px solid #bbb; padding: 2px 5px; text-align: left; vertical-align: top; }
th { background: #eef; }
td.n { text-align: right; }
tr { page-break-inside: avoid; }
figure { margin: .5em 0; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; }
@page { size: A4; margin: 15mm; }
@media print { body { max-width: none; margin: 0; } }
";

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn numeric(s: &str) -> bool {
    let t = s.trim_end_matches('%');
    !t.is_empty()
        && t.replace(['−', '+', '.', ','], "")
            .chars()
            .all(|c| c.is_ascii_digit())
}

/// The page.
pub fn render(blocks: &[Block]) -> Result<String, String> {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Title(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("Аналитическая записка");
    let mut o = format!(
        "<!DOCTYPE html>\n<html lang=\"ru\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(title)
    );
    for b in blocks {
        match b {
            Block::Title(t) => o.push_str(&format!("<h1>{}</h1>\n", escape(t))),
            Block::Heading(t) => o.push_str(&format!("<h2>{}</h2>\n", escape(t))),
            Block::Subheading(t) => o.push_str(&format!("<h3>{}</h3>\n", escape(t))),
            Block::Para(t) => o.push_str(&format!("<p>{}</p>\n", escape(t))),
            Block::Bullets(v) => {
                o.push_str("<ul>\n");
                for l in v {
                    o.push_str(&format!("<li>{}</li>\n", escape(l)));
                }
                o.push_str("</ul>\n");
            }
            Block::Table(h, rows) => {
                o.push_str("<table>\n<thead><tr>");
                for c in h {
                    o.push_str(&format!("<th>{}</th>", escape(c)));
                }
                o.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    o.push_str("<tr>");
                    for c in r {
                        let class = if numeric(c) { " class=\"n\"" } else { "" };
                        o.push_str(&format!("<td{class}>{}</td>", escape(c)));
                    }
                    o.push_str("</tr>\n");
                }
                o.push_str("</tbody>\n</table>\n");
            }
            Block::Chart(c) => {
                let svg = charts::svg(c)?;
                // The SVG's own XML declaration is not wanted inside HTML.
                let svg = match svg.find("<svg") {
                    Some(i) => &svg[i..],
                    None => svg.as_str(),
                };
                o.push_str("<figure>");
                o.push_str(svg);
                o.push_str("</figure>\n");
            }
        }
    }
    o.push_str("</body>\n</html>\n");
    Ok(o)
}
