//! `mcu bench report`: how long the reports take on a big workspace — a month's analytical note
//! (figures, HTML with its SVG charts; DOCX with PNG charts) and the month's ЦУР workbook
//! (streamed), with the peak memory after each. The workbook alternates, pair by pair, with its
//! peer: the `sqlite3` shell writing the same month's rows of the appeals table to CSV (reading
//! them and no more — the floor). Run it on the workspace `mcu bench import --keep` leaves
//! (1,000,000 appeals over a year: about 86,000 in November; 1,200,000 give 100,000 or more).

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
    /// Repetitions of the note, and pairs of the workbook and its sqlite3 peer (the order
    /// alternating)
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
    /// The median over the pairs.
    workbook_s: f64,
    workbook_rows: u64,
    workbook_bytes: u64,
    peak_rss_after_workbook_mib: Option<f64>,
    /// Every pair: (workbook, sqlite3 CSV of the same rows) seconds; sqlite3 `None` when the
    /// shell is not installed.
    pairs: Vec<(f64, Option<f64>)>,
    /// The peer's median and the workbook's median over it.
    sqlite3_csv_s: Option<f64>,
    ratio: Option<f64>,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// The peer: the `sqlite3` shell writes the period's rows of the appeals table to a CSV file;
/// its wall time, `None` when the shell is missing or fails.
fn sqlite3_csv(db: &std::path::Path, lo: i64, hi: i64, out: &std::path::Path) -> Option<f64> {
    let file = std::fs::File::create(out).ok()?;
    let t = Instant::now();
    let status = std::process::Command::new("sqlite3")
        .args(["-readonly", "-csv", "-header"])
        .arg(db)
        .arg(format!(
            "SELECT * FROM appeals WHERE received_at >= {lo} AND received_at < {hi};"
        ))
        .stdout(file)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    let s = secs(t.elapsed());
    status.success().then_some(s)
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
    let csv = path.with_extension("csv");
    let grants = Grants::new("bench", vec![Role::Observer], vec![]);
    let req = cur::Request {
        period,
        now,
        grants: &grants,
        with_personal_data: false,
    };
    let (lo, hi) = period.bounds(tz);
    let db = ws.db_path();
    let mut pairs = Vec::new();
    let mut workbook_rows = 0;
    let mut workbook_bytes = 0;
    for i in 0..b.runs.max(1) {
        let peer_first = i % 2 == 1;
        let mut peer = None;
        if peer_first {
            peer = sqlite3_csv(&db, lo.timestamp(), hi.timestamp(), &csv);
        }
        let t = Instant::now();
        let written = cur::write(&store, &req, &mut cur::Xlsx::new(&path))?;
        let w = secs(t.elapsed());
        if !peer_first {
            peer = sqlite3_csv(&db, lo.timestamp(), hi.timestamp(), &csv);
        }
        workbook_rows = written.appeals;
        workbook_bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
        pairs.push((w, peer));
    }
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&csv);
    let workbook_s = median(pairs.iter().map(|p| p.0).collect()).unwrap_or(0.0);
    let peers: Vec<f64> = pairs.iter().filter_map(|p| p.1).collect();
    let sqlite3_csv_s = if peers.len() == pairs.len() {
        median(peers)
    } else {
        None
    };
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
        workbook_rows,
        workbook_bytes,
        peak_rss_after_workbook_mib: super::bench::peak_rss_kb().map(|k| k as f64 / 1024.0),
        ratio: sqlite3_csv_s.filter(|p| *p > 0.0).map(|p| workbook_s / p),
        sqlite3_csv_s,
        pairs,
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
        "ЦУР workbook: median {:.3} s over {} runs, {} appeals, {} bytes; peak RSS after it: {}",
        report.workbook_s,
        report.pairs.len(),
        report.workbook_rows,
        report.workbook_bytes,
        mib(report.peak_rss_after_workbook_mib)
    );
    for (i, (w, p)) in report.pairs.iter().enumerate() {
        println!(
            "  pair {}: workbook {w:.3} s, sqlite3 CSV {}{}",
            i + 1,
            p.map_or("—".into(), |p| format!("{p:.3} s")),
            if i % 2 == 1 { " (sqlite3 first)" } else { "" }
        );
    }
    match (report.sqlite3_csv_s, report.ratio) {
        (Some(p), Some(r)) => println!(
            "peer, sqlite3 shell writing the same rows as CSV: median {p:.3} s; the workbook takes {r:.1}× as long"
        ),
        _ => println!("peer: the sqlite3 shell is not installed (apt-get install sqlite3)"),
    }
    Ok(0)
}
