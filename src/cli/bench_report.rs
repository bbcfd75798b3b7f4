//! `mcu bench report`: how long the reports take on a big workspace — a month's analytical note
//! (figures, HTML with its SVG charts; DOCX with PNG charts) and the month's ЦУР workbook
//! (streamed), with the peak memory after each. Run it on the workspace `mcu bench import
//! --keep` leaves (1,000,000 appeals over a year: about 83,000 a month).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use serde::Serialize;

use super::{CmdResult, date_arg};
use crate::analytics::Period;
use crate::domain::access::{Grants, Role};
use crate::report::render::Format;
use crate::report::{compute, cur};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct ReportBench {
    /// The workspace to measure (e.g. bench-out/mcu-ws after `mcu bench import --keep`)
    #[arg(long, value_name = "DIR")]
    ws: PathBuf,
    /// First day of the month measured
    #[arg(long, value_name = "DATE", default_value = "2026-11-01")]
    from: String,
    /// Last day
    #[arg(long, value_name = "DATE", default_value = "2026-11-28")]
    to: String,
    /// The instant to judge at (the import benchmark's data ends 2026-11-28 12:00)
    #[arg(long, value_name = "TS", default_value = "2026-11-28T12:00:00+03:00")]
    now: String,
    /// Repetitions of the note (the workbook is written once)
    #[arg(long, value_name = "N", default_value_t = 5)]
    runs: usize,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    appeals: i64,
    period: Period,
    appeals_in_period: i64,
    note_html_median_s: f64,
    note_html_max_s: f64,
    note_html_bytes: usize,
    note_docx_s: f64,
    note_docx_bytes: usize,
    peak_rss_after_note_mib: Option<f64>,
    workbook_s: f64,
    workbook_rows: u64,
    workbook_bytes: u64,
    peak_rss_after_workbook_mib: Option<f64>,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

pub fn run(b: ReportBench) -> CmdResult {
    let ws = Workspace::open(&b.ws)?;
    let store = ws.store()?;
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let now = super::instant(Some(&b.now), tz, "--now")?;
    let period = Period::new(date_arg(&b.from, "--from")?, date_arg(&b.to, "--to")?)
        .map_err(super::usage)?;
    let appeals = store.count()?;
    let mut times = Vec::new();
    let mut html_bytes = 0;
    let mut received = 0;
    for _ in 0..b.runs.max(1) {
        let t = Instant::now();
        let note = compute(&store, period, now)?;
        let html = Format::Html.render(&note, &reference)?;
        times.push(t.elapsed());
        html_bytes = html.len();
        received = note.totals.received;
    }
    times.sort();
    let t = Instant::now();
    let note = compute(&store, period, now)?;
    let docx = Format::Docx.render(&note, &reference)?;
    let docx_s = secs(t.elapsed());
    let after_note = super::bench::peak_rss_kb().map(|k| k as f64 / 1024.0);

    let path = std::env::temp_dir().join(format!("mcu-bench-report-{}.xlsx", std::process::id()));
    let grants = Grants::new("bench", vec![Role::Observer], vec![]);
    let req = cur::Request {
        period,
        now,
        grants: &grants,
        with_personal_data: false,
    };
    let t = Instant::now();
    let written = cur::write(&store, &req, &mut cur::Xlsx::new(&path))?;
    let workbook_s = secs(t.elapsed());
    let workbook_bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    let _ = std::fs::remove_file(&path);
    let report = Report {
        appeals,
        period,
        appeals_in_period: received,
        note_html_median_s: times.get(times.len() / 2).copied().map_or(0.0, secs),
        note_html_max_s: times.last().copied().map_or(0.0, secs),
        note_html_bytes: html_bytes,
        note_docx_s: docx_s,
        note_docx_bytes: docx.len(),
        peak_rss_after_note_mib: after_note,
        workbook_s,
        workbook_rows: written.appeals,
        workbook_bytes,
        peak_rss_after_workbook_mib: super::bench::peak_rss_kb().map(|k| k as f64 / 1024.0),
    };
    if b.json {
        super::output::print_json(&report)?;
        return Ok(0);
    }
    let mib = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.1} MiB"));
    println!(
        "workspace: {} ({} appeals; {} in {} — {})",
        b.ws.display(),
        report.appeals,
        report.appeals_in_period,
        period.from,
        period.to
    );
    println!(
        "note, HTML with charts: median {:.3} s, max {:.3} s over {} runs ({} bytes)",
        report.note_html_median_s,
        report.note_html_max_s,
        times.len(),
        report.note_html_bytes
    );
    println!(
        "note, DOCX with PNG charts: {:.3} s ({} bytes)",
        report.note_docx_s, report.note_docx_bytes
    );
    println!(
        "peak RSS after the notes: {}",
        mib(report.peak_rss_after_note_mib)
    );
    println!(
        "ЦУР workbook: {:.3} s, {} appeals, {} bytes; peak RSS after it: {}",
        report.workbook_s,
        report.workbook_rows,
        report.workbook_bytes,
        mib(report.peak_rss_after_workbook_mib)
    );
    Ok(0)
}
