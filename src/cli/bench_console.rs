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
    /// A refresh right after another connection changed an appeal of the current month (the
    /// usual case: the console refreshes because something was committed).
    refresh_after_change: Spread,
    monitoring: Spread,
    /// p50 of each part of a refresh, in the order they run.
    parts: Vec<(&'static str, f64)>,
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
    app.env.views_path = None;
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
    let changed = after_changes(&b.ws, &mut console, &mut term, now, b.iterations)?;
    let mut monitoring = Vec::with_capacity(b.iterations);
    for _ in 0..b.iterations {
        let t = Instant::now();
        let m = analytics::monitoring(&console.app.env.store, now)?;
        let r = analytics::ranking(&console.app.env.store, Period::month_to_date(now, tz), now)?;
        monitoring.push(t.elapsed());
        std::hint::black_box((m, r));
    }
    let parts = breakdown(&console.app, now, b.iterations)?;
    let report = Report {
        appeals,
        first_frame_ms: first_frame.as_secs_f64() * 1000.0,
        refresh: spread(refresh),
        refresh_after_change: spread(changed),
        monitoring: spread(monitoring),
        parts,
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
            "refresh after another console's change: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            report.refresh_after_change.p50_ms,
            report.refresh_after_change.p99_ms,
            report.refresh_after_change.max_ms
        );
        println!(
            "monitoring per block + month's ranking: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            report.monitoring.p50_ms, report.monitoring.p99_ms, report.monitoring.max_ms
        );
        let parts: Vec<String> = report
            .parts
            .iter()
            .map(|(name, ms)| format!("{name} {ms:.2}"))
            .collect();
        println!("parts, p50 ms: {}", parts.join(", "));
        if let Some(r) = report.peak_rss_mib {
            println!("peak RSS: {r:.1} MiB");
        }
    }
    Ok(0)
}

/// Refreshes timed right after a second connection (another officer's console) toggled the
/// urgent mark of an appeal received this month, through the audited store function: the
/// summaries of the month change, the page cache of the console's connection is dropped. Each
/// appeal is toggled twice, so the workspace ends as it was (plus the audit entries).
fn after_changes(
    ws: &std::path::Path,
    console: &mut Console,
    term: &mut Terminal<TestBackend>,
    now: chrono::DateTime<chrono::Utc>,
    iterations: usize,
) -> Result<Vec<Duration>, Failure> {
    let mut other = Workspace::open(ws)?.store()?;
    let tz = other.reference().calendar.timezone();
    let (from, _) = Period::month_to_date(now, tz).bounds(tz);
    let filter = crate::store::ListFilter {
        from: Some(from),
        ..Default::default()
    };
    let appeals = other.list(&filter, None, iterations.div_ceil(2).max(1))?;
    let actor = crate::store::Actor::new("bench", "bench");
    let mut times = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let Some(a) = appeals.get(i / 2) else { break };
        let urgent = if i % 2 == 0 { !a.urgent } else { a.urgent };
        other.update(
            a.id,
            &[crate::store::Change::Urgent(urgent)],
            None,
            &actor,
            now,
        )?;
        let t = Instant::now();
        console.app.refresh()?;
        term.draw(|f| console.draw(f))?;
        times.push(t.elapsed());
    }
    Ok(times)
}

/// The median time of each query behind a refresh, to see where the time goes.
fn breakdown(
    app: &App,
    now: chrono::DateTime<chrono::Utc>,
    iterations: usize,
) -> Result<Vec<(&'static str, f64)>, Failure> {
    let store = &app.env.store;
    let reference = store.reference().clone();
    let cal = &reference.calendar;
    let tz = cal.timezone();
    let risk_end = cal.add_working_hours(now, 8).unwrap_or(now);
    let month = Period::month_to_date(now, tz);
    let (from, to) = month.bounds(tz);
    let (pfrom, pto) = month.previous().bounds(tz);
    type Part<'a> = Box<dyn Fn() -> Result<(), crate::store::StoreError> + 'a>;
    let parts: Vec<(&'static str, Part<'_>)> = vec![
        (
            "incoming",
            Box::new(|| store.list(&Default::default(), None, 50).map(drop)),
        ),
        (
            "open_by_block",
            Box::new(|| store.open_by_block(now, risk_end).map(drop)),
        ),
        (
            "weekly_by_block",
            Box::new(|| store.weekly_by_block(now, 8).map(drop)),
        ),
        (
            "open_by_recipient",
            Box::new(|| store.open_by_recipient(now, risk_end).map(drop)),
        ),
        (
            "first_response",
            Box::new(|| store.first_response_counts(from, to, now).map(drop)),
        ),
        (
            "facts_month",
            Box::new(|| store.ranking_facts(from, to, now, cal).map(drop)),
        ),
        (
            "facts_previous",
            Box::new(|| store.ranking_facts(pfrom, pto, now, cal).map(drop)),
        ),
        (
            "rank_month",
            Box::new(|| {
                let f = store.ranking_facts(from, to, now, cal)?;
                std::hint::black_box(crate::domain::ranking::rank(&f, &reference.ranking));
                Ok(())
            }),
        ),
    ];
    let mut out = Vec::new();
    for (name, f) in parts {
        let mut times = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let t = Instant::now();
            f()?;
            times.push(t.elapsed());
        }
        out.push((name, spread(times).p50_ms));
    }
    Ok(out)
}
