//! The note in Markdown, for pasting into messengers (charts are left out: their figures are
//! in the tables).

use super::Block;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Title(t) => out.push_str(&format!("# {t}\n\n")),
            Block::Heading(t) => out.push_str(&format!("## {t}\n\n")),
            Block::Subheading(t) => out.push_str(&format!("### {t}\n\n")),
            Block::Para(t) => out.push_str(&format!("{t}\n\n")),
            Block::Bullets(v) => {
                for l in v {
                    out.push_str(&format!("- {l}\n"));
                }
                out.push('\n');
            }
            Block::Table(h, rows) => {
                out.push_str(&format!(
                    "| {} |\n",
                    h.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                ));
                out.push_str(&format!("|{}\n", "---|".repeat(h.len())));
                for r in rows {
                    out.push_str(&format!(
                        "| {} |\n",
                        r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                    ));
                }
                out.push('\n');
            }
            Block::Chart(_) => {}
        }
    }
    out
}
