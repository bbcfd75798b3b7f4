//! Fitting text into columns by display width (Cyrillic letters take one cell, emoji and CJK two),
//! never by bytes or characters.

use unicode_width::UnicodeWidthChar;

/// Truncates to a display width (Cyrillic is narrow, emoji and CJK wide), adding «…» when cut.
pub fn fit(s: &str, width: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = String::new();
    let mut w = 0;
    for c in flat.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > width.saturating_sub(1) {
            // Does the rest fit exactly?
            let rest: usize = flat
                .chars()
                .skip(out.chars().count())
                .map(|c| c.width().unwrap_or(0))
                .sum();
            if w + rest <= width {
                out.extend(flat.chars().skip(out.chars().count()));
                return pad(out, width);
            }
            out.push('…');
            return pad(out, width);
        }
        out.push(c);
        w += cw;
    }
    pad(out, width)
}

fn pad(mut s: String, width: usize) -> String {
    let w: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    for _ in w..width {
        s.push(' ');
    }
    s
}

/// A text sparkline: one block character per value, scaled to the largest.
pub fn sparkline(v: &[u32]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = v.iter().copied().max().unwrap_or(0).max(1);
    v.iter()
        .map(|&x| {
            if x == 0 {
                ' '
            } else {
                BARS[((x as usize * (BARS.len() - 1)) / max as usize).min(BARS.len() - 1)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_by_display_width_and_pads() {
        assert_eq!(fit("яма на дороге", 6), "яма н…");
        assert_eq!(fit("яма", 5), "яма  ");
        assert_eq!(fit("ямы", 3), "ямы");
        // A wide emoji takes two cells.
        assert_eq!(fit("ок😤да", 4), "ок… ");
    }

    #[test]
    fn sparkline_scales_to_the_largest_and_leaves_zero_blank() {
        assert_eq!(sparkline(&[0, 1, 2, 4]), " ▂▄█");
    }
}
