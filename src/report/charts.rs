//! The note's charts, drawn with plotters: to SVG (inline in HTML) and to PNG (in DOCX, with
//! the embedded DejaVu Sans so Cyrillic labels never depend on the system's fonts).

use plotters::coord::Shift;
use plotters::prelude::*;

/// The font the charts' text uses, shipped in the binary (`data/fonts/`, with its licence).
pub const FONT: &[u8] = include_bytes!("../../data/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

/// What a chart shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Horizontal bars, one per label; `percent` scales 0–1 values to per cent.
    Bars {
        title: String,
        labels: Vec<String>,
        values: Vec<f64>,
        percent: bool,
    },
    /// One line per series over the x labels.
    Lines {
        title: String,
        x: Vec<String>,
        series: Vec<(String, Vec<u32>)>,
    },
}

/// Width and height in pixels.
pub const SIZE: (u32, u32) = (900, 420);

fn register() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // A font that fails to load leaves plotters without text: the chart still draws.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, chart: &Chart) -> Result<(), String> {
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    match chart {
        Chart::Bars {
            title,
            labels,
            values,
            percent,
        } => {
            let n = labels.len().max(1);
            let k = if *percent { 100.0 } else { 1.0 };
            let max = values.iter().fold(0.0f64, |m, v| m.max(v * k));
            let top = if *percent {
                100.0
            } else {
                (max * 1.1).max(1.0)
            };
            let mut c = ChartBuilder::on(&root)
                .caption(title.as_str(), (FAMILY, 24))
                .margin(10)
                .margin_right(30)
                .x_label_area_size(34)
                .y_label_area_size(270)
                // An integer range counts both ends: 0..n-1 is n bars (one bar: 0..1, an empty
                // segment above it, since an empty range draws nothing).
                .build_cartesian_2d(0.0..top, (0..(n - 1).max(1)).into_segmented())
                .map_err(e)?;
            let labels_for_axis = labels.clone();
            c.configure_mesh()
                .disable_y_mesh()
                .y_labels(n)
                .y_label_style((FAMILY, 16))
                .x_label_style((FAMILY, 15))
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => (n - 1)
                        .checked_sub(*i)
                        .and_then(|j| labels_for_axis.get(j))
                        .map(|s| cut(s, 30))
                        .unwrap_or_default(),
                    _ => String::new(),
                })
                .x_label_formatter(&|v| {
                    if *percent {
                        format!("{v:.0}%")
                    } else {
                        format!("{v:.0}")
                    }
                })
                .draw()
                .map_err(e)?;
            // The first label on top.
            c.draw_series(values.iter().enumerate().map(|(i, v)| {
                let y = n - 1 - i;
                let mut r = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(y)),
                        (v * k, SegmentValue::Exact(y + 1)),
                    ],
                    PALETTE[0].filled(),
                );
                r.set_margin(3, 3, 0, 0);
                r
            }))
            .map_err(e)?;
        }
        Chart::Lines { title, x, series } => {
            let n = x.len().max(1);
            let max = series
                .iter()
                .flat_map(|(_, v)| v.iter().copied())
                .max()
                .unwrap_or(0);
            let top = (f64::from(max) * 1.15).max(1.0);
            let mut c = ChartBuilder::on(&root)
                .caption(title.as_str(), (FAMILY, 24))
                .margin(10)
                .margin_right(30)
                .x_label_area_size(34)
                .y_label_area_size(50)
                .build_cartesian_2d(0..n.saturating_sub(1).max(1), 0.0..top)
                .map_err(e)?;
            let xs = x.clone();
            c.configure_mesh()
                .x_labels(n)
                .x_label_style((FAMILY, 15))
                .y_label_style((FAMILY, 15))
                .x_label_formatter(&|i| xs.get(*i).cloned().unwrap_or_default())
                .y_label_formatter(&|v| format!("{v:.0}"))
                .draw()
                .map_err(e)?;
            for (j, (name, values)) in series.iter().enumerate() {
                let color = PALETTE[j % PALETTE.len()];
                c.draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(i, v)| (i, f64::from(*v))),
                    color.stroke_width(2),
                ))
                .map_err(e)?
                .label(cut(name, 28))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
            }
            if !series.is_empty() {
                c.configure_series_labels()
                    .label_font((FAMILY, 16))
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK)
                    .position(SeriesLabelPosition::UpperLeft)
                    .draw()
                    .map_err(e)?;
            }
        }
    }
    root.present().map_err(e)
}

/// The chart as an SVG document.
pub fn svg(chart: &Chart) -> Result<String, String> {
    register();
    let mut s = String::new();
    draw(
        SVGBackend::with_string(&mut s, SIZE).into_drawing_area(),
        chart,
    )?;
    Ok(s)
}

/// The chart as a PNG image.
pub fn png(chart: &Chart) -> Result<Vec<u8>, String> {
    register();
    let (w, h) = SIZE;
    let mut buf = vec![0u8; (w * h * 3) as usize];
    draw(
        BitMapBackend::with_buffer(&mut buf, SIZE).into_drawing_area(),
        chart,
    )?;
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().map_err(|e| e.to_string())?;
        wr.write_image_data(&buf).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// The note's three charts: weekly volume by block, timeliness by recipient, appeals per
/// settlement (those with data).
pub fn of_note(note: &super::note::Note) -> Vec<Chart> {
    let mut out = Vec::new();
    if note
        .weekly
        .series
        .iter()
        .any(|(_, v)| v.iter().any(|c| *c > 0))
    {
        out.push(Chart::Lines {
            title: "Поступление по неделям, по блокам".into(),
            x: note.weekly.weeks.clone(),
            series: note.weekly.series.clone(),
        });
    }
    let timely: Vec<_> = note
        .ranking
        .iter()
        .filter_map(|r| Some((r.recipient.clone(), r.timeliness?)))
        .take(12)
        .collect();
    if !timely.is_empty() {
        out.push(Chart::Bars {
            title: "Доля ответов в срок по ответственным".into(),
            labels: timely.iter().map(|t| t.0.clone()).collect(),
            values: timely.iter().map(|t| t.1).collect(),
            percent: true,
        });
    }
    let places: Vec<_> = note
        .settlements
        .iter()
        .take(12)
        .map(|g| {
            (
                g.key.clone().unwrap_or_else(|| "не указан".into()),
                f64::from(g.total),
            )
        })
        .collect();
    if !places.is_empty() {
        out.push(Chart::Bars {
            title: "Обращения по поселениям".into(),
            labels: places.iter().map(|t| t.0.clone()).collect(),
            values: places.iter().map(|t| t.1).collect(),
            percent: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charts(n: usize) -> Vec<Chart> {
        let labels: Vec<String> = (0..n).map(|i| format!("Отдел №{i}")).collect();
        vec![
            Chart::Bars {
                title: "Доля в срок".into(),
                labels: labels.clone(),
                values: (0..n).map(|i| i as f64 / n as f64).collect(),
                percent: true,
            },
            Chart::Lines {
                title: "По неделям".into(),
                x: labels,
                series: vec![("ЖКХ".into(), (0..n as u32).collect())],
            },
        ]
    }

    #[test]
    fn one_bar_or_many_draw_with_cyrillic_labels() {
        for n in [1, 2, 12] {
            for c in charts(n) {
                let svg = svg(&c).unwrap_or_default();
                assert!(svg.contains("Отдел №0"), "{n}: {svg}");
                let png = png(&c).unwrap_or_default();
                assert_eq!(&png[..4], b"\x89PNG");
            }
        }
    }

    #[test]
    fn bars_are_one_per_label() {
        let c = &charts(3)[0];
        let svg = svg(c).unwrap_or_default();
        // Three labels on the axis, no empty fourth segment.
        for i in 0..3 {
            assert_eq!(svg.matches(&format!("Отдел №{i}")).count(), 1);
        }
    }
}
