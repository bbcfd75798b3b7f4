//! `mcu bench console`: how fast the console and the monitoring figures are on a big workspace —
//! start to the first full frame, a refresh of all three panels (queries + drawing into an
//! off-screen 200×50 buffer), the monitoring figures alone (per block + the month's ranking),
//! and peak memory. Run it on the workspace `mcu bench import --keep` leaves.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde::Serialize;

use super::{CmdResult, Failure};
use crate::analytics::{self, Period};
use crate::tui::app::{App, Clock};
use crate::tui::console::Console;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct ConsoleBench {
    /// The workspace to measure (e.g. bench-out/mcu-ws after `mcu bench import --keep`)
    #[arg(long, value_name = "DIR")]
    ws: PathBuf,
    /// Repetitions of each measurement
    #[arg(long, value_name = "N", default_value_t = 200)]
    iterations: usize,
    /// The instant to judge at (the import benchmark's data ends 2026-11-28 12:00)
    #[arg(long, value_name = "TS", default_value = "2026-11-28T12:00:00+03:00")]
    now: String,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Spread {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn spread(mut v: Vec<Duration>) -> Spread {
    v.sort();
    let at = |q: f64| {
        let i = ((v.len() as f64 - 1.0) * q).round() as usize;
        v.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Spread {
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: at(1.0),
    }
}

#[derive(Debug, Serialize)]
struct Report {
    appeals: i64,
    first_frame_ms: f64,
    refresh: Spread,
    monitoring: Spread,
    peak_rss_mib: Option<f64>,
}

pub fn run(b: ConsoleBench) -> CmdResult {
    let t0 = Instant::now();
    let ws = Workspace::open(&b.ws)?;
    let store = ws.store()?;
    let tz = store.reference().calendar.timezone();
    let now = super::instant(Some(&b.now), tz, "--now")?;
    let appeals = store.count()?;
    let mut app = App::new(
        store,
        Theme::new(true, false),
        Clock::Fixed(now),
        "bench".into(),
        "bench".into(),
    );
    app.views_path = None;
    app.load()?;
    let keymap = Keymap::builtin().map_err(|e| Failure {
        code: 1,
        message: e.to_string(),
    })?;
    let mut console = Console::new(app, keymap);
    let mut term = Terminal::new(TestBackend::new(200, 50))?;
    term.draw(|f| console.draw(f))?;
    let first_frame = t0.elapsed();

    let mut refresh = Vec::with_capacity(b.iterations);
    for _ in 0..b.iterations {
        let t = Instant::now();
        console.app.refresh()?;
        term.draw(|f| console.draw(f))?;
        refresh.push(t.elapsed());
    }
    let mut monitoring = Vec::with_capacity(b.iterations);
    for _ in 0..b.iterations {
        let t = Instant::now();
        let m = analytics::monitoring(&console.app.store, now)?;
        let r = analytics::ranking(&console.app.store, Period::month_to_date(now, tz), now)?;
        monitoring.push(t.elapsed());
        std::hint::black_box((m, r));
    }
    let report = Report {
        appeals,
        first_frame_ms: first_frame.as_secs_f64() * 1000.0,
        refresh: spread(refresh),
        monitoring: spread(monitoring),
        peak_rss_mib: super::bench::peak_rss_kb().map(|k| k as f64 / 1024.0),
    };
    if b.json {
        super::output::print_json(&report)?;
    } else {
        println!("workspace: {} ({} appeals)", b.ws.display(), report.appeals);
        println!(
            "start to first full frame (200×50): {:.1} ms",
            report.first_frame_ms
        );
        println!(
            "refresh of all three panels + frame: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} runs)",
            report.refresh.p50_ms, report.refresh.p99_ms, report.refresh.max_ms, b.iterations
        );
        println!(
            "monitoring per block + month's ranking: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            report.monitoring.p50_ms, report.monitoring.p99_ms, report.monitoring.max_ms
        );
        if let Some(r) = report.peak_rss_mib {
            println!("peak RSS: {r:.1} MiB");
        }
    }
    Ok(0)
}
