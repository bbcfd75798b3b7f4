//! The note as a DOCX file (docx-rs): real heading styles (Word's «Заголовок 1» and the
//! navigation pane find them), tables, and the charts as PNG images.

use std::io::Cursor;

use docx_rs::{
    Docx, Paragraph, Pic, Run, Shading, Style, StyleType, Table, TableCell, TableRow, WidthType,
};

use super::Block;
use crate::report::charts;

/// EMU per pixel at 96 dpi.
const EMU_PER_PX: u32 = 9525;
/// Charts are shown 16 cm wide.
const CHART_WIDTH_EMU: u32 = 5_760_000;

fn styles(d: Docx) -> Docx {
    d.add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .size(32)
            .bold(),
    )
    .add_style(
        Style::new("Heading1", StyleType::Paragraph)
            .name("heading 1")
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .outline_lvl(0)
            .size(28)
            .bold(),
    )
    .add_style(
        Style::new("Heading2", StyleType::Paragraph)
            .name("heading 2")
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .outline_lvl(1)
            .size(24)
            .bold(),
    )
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

pub fn render(blocks: &[Block]) -> Result<Vec<u8>, String> {
    let mut d = styles(Docx::new());
    for b in blocks {
        d = match b {
            Block::Title(t) => d.add_paragraph(para(t).style("Title")),
            Block::Heading(t) => d.add_paragraph(para(t).style("Heading1")),
            Block::Subheading(t) => d.add_paragraph(para(t).style("Heading2")),
            Block::Para(t) => d.add_paragraph(para(t)),
            Block::Bullets(v) => v
                .iter()
                .fold(d, |d, l| d.add_paragraph(para(&format!("• {l}")))),
            Block::Table(h, rows) => {
                let head = TableRow::new(
                    h.iter()
                        .map(|c| {
                            TableCell::new()
                                .shading(Shading::new().fill("EEEEFF"))
                                .add_paragraph(
                                    Paragraph::new().add_run(Run::new().add_text(c).bold()),
                                )
                        })
                        .collect(),
                );
                let body = rows.iter().map(|r| {
                    TableRow::new(
                        r.iter()
                            .map(|c| TableCell::new().add_paragraph(para(c)))
                            .collect(),
                    )
                });
                let table = Table::new(std::iter::once(head).chain(body).collect())
                    .width(5000, WidthType::Pct);
                d.add_table(table).add_paragraph(Paragraph::new())
            }
            Block::Chart(c) => {
                let png = charts::png(c)?;
                let (w, h) = charts::SIZE;
                let height =
                    u32::try_from(u64::from(CHART_WIDTH_EMU) * u64::from(h) / u64::from(w))
                        .unwrap_or(h * EMU_PER_PX);
                let pic = Pic::new_with_dimensions(png, w, h).size(CHART_WIDTH_EMU, height);
                d.add_paragraph(Paragraph::new().add_run(Run::new().add_image(pic)))
            }
        };
    }
    let mut out = Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
