//! `mcu bench triage --end-to-end N`: auto-triage on the path users run. A fresh workspace of N
//! realistic appeals from the demo generator is imported with auto-triage, and the same file
//! without it; a copy of the untriaged workspace is then triaged by `mcu classify --pending`; and
//! the `sqlite3` shell's own `.import` of the same file is the peer of the plain import. Every step
//! is a child process of this executable; the bytes each wrote are its own `wchar` (everything
//! passed to `write`/`pwrite`: the database, WAL, checkpoints). Pairs of imports alternate their
//! order (the speed of a shared machine drifts); the medians over the runs are reported.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use super::bench::{
    CsvSpec, Machine, NOW, dir_size, fail, machine, prepare_csv_in, remove, sqlite3_import,
};
use super::output::print_json;
use super::{CmdResult, Failure};

/// What to measure.
pub struct EndToEnd {
    pub rows: u64,
    pub dir: PathBuf,
    pub seed: u64,
    pub runs: usize,
    pub keep: bool,
    pub json: bool,
}

/// One child process: its wall time and what it wrote.
#[derive(Debug, Clone, Copy, Serialize)]
struct Step {
    seconds: f64,
    written_bytes: Option<u64>,
}

/// One run: both imports (in the order given), then classify --pending and sqlite3.
#[derive(Debug, Serialize)]
struct Run {
    triage_first: bool,
    import_plain: Step,
    import_triage: Step,
    classify_pending: Step,
    /// Appeals `classify --pending` triaged.
    classified: u64,
    sqlite3_seconds: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Report {
    machine: Machine,
    rows: u64,
    csv: String,
    runs: Vec<Run>,
    /// Medians over the runs.
    import_plain_seconds: f64,
    import_triage_seconds: f64,
    /// Import with triage ÷ import without (target ≤ 2).
    triage_over_plain: f64,
    classify_seconds: f64,
    /// Appeals per second of `classify --pending` (target ≥ 5,000), the whole process.
    classify_per_sec: f64,
    /// Bytes written per triaged appeal by `classify --pending` (target ≤ 10 KB)…
    classify_bytes_per_appeal: Option<f64>,
    /// …and by the triage of an import (its bytes less those of the import without triage).
    import_triage_bytes_per_appeal: Option<f64>,
    sqlite3_seconds: Option<f64>,
    /// Rows per second of the import without triage ÷ those of sqlite3 (target ≥ 1/3).
    plain_over_sqlite3: Option<f64>,
    workspace_bytes: u64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn median_opt(v: Vec<Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = v.into_iter().collect::<Option<_>>()?;
    (!v.is_empty()).then(|| median(v))
}

/// Copies a folder (a workspace) with everything in it.
fn copy_dir(from: &Path, to: &Path) -> Result<(), Failure> {
    crate::workspace::create_dir(to).map_err(|e| fail(format!("{}: {e}", to.display())))?;
    for e in fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            fs::copy(&src, &dst).map_err(|x| fail(format!("{}: {x}", src.display())))?;
        }
    }
    Ok(())
}

/// Runs this executable with `args`; its time, what it wrote (`written_bytes:` on its stderr)
/// and its standard output.
fn child(exe: &Path, ws: &Path, args: &[&str]) -> Result<(Step, String), Failure> {
    let started = Instant::now();
    let out = Command::new(exe)
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_FAULT")
        .stdin(Stdio::null())
        .output()?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(fail(format!(
            "mcu {} failed ({}): {stderr}",
            args[0], out.status
        )));
    }
    let written_bytes = stderr
        .lines()
        .find_map(|l| l.strip_prefix("written_bytes: "))
        .and_then(|v| v.trim().parse().ok());
    Ok((
        Step {
            seconds,
            written_bytes,
        },
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

fn import(exe: &Path, ws: &Path, csv: &Path, triage: bool) -> Result<Step, Failure> {
    remove(ws)?;
    // A named workspace must exist (a typo must not become a new one): a fresh, empty folder.
    crate::workspace::create_dir(ws).map_err(|e| fail(format!("{}: {e}", ws.display())))?;
    let csv = csv.display().to_string();
    let mut args = vec!["import", "--peak-rss", "--channel", "pos", "--now", NOW];
    if !triage {
        args.push("--no-triage");
    }
    args.push(&csv);
    Ok(child(exe, ws, &args)?.0)
}

pub fn run(b: EndToEnd) -> CmdResult {
    crate::workspace::create_dir(&b.dir).map_err(|e| fail(format!("{}: {e}", b.dir.display())))?;
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(NOW)
        .map(|t| Utc.from_utc_datetime(&t.naive_utc()))
        .map_err(|e| fail(e.to_string()))?;
    let spec = CsvSpec {
        dir: &b.dir,
        rows: b.rows,
        seed: b.seed,
        quiet: b.json,
    };
    let (csv, _) = prepare_csv_in(&spec, now)?;
    let csv = fs::canonicalize(&csv)?;
    let exe = std::env::current_exe()?;
    let has_sqlite3 = Command::new("sqlite3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let (plain_ws, triage_ws, classify_ws) = (
        b.dir.join("ws-plain"),
        b.dir.join("ws-triage"),
        b.dir.join("ws-classify"),
    );
    let mut runs = Vec::new();
    let mut workspace_bytes = 0;
    for i in 0..b.runs.max(1) {
        let triage_first = i % 2 == 1;
        if !b.json {
            eprintln!("run {} of {} …", i + 1, b.runs.max(1));
        }
        let (import_plain, import_triage) = if triage_first {
            let t = import(&exe, &triage_ws, &csv, true)?;
            (import(&exe, &plain_ws, &csv, false)?, t)
        } else {
            let p = import(&exe, &plain_ws, &csv, false)?;
            (p, import(&exe, &triage_ws, &csv, true)?)
        };
        workspace_bytes = dir_size(&triage_ws);
        remove(&classify_ws)?;
        copy_dir(&plain_ws, &classify_ws)?;
        let (classify_pending, out) = child(
            &exe,
            &classify_ws,
            &["classify", "--pending", "--io-stats", "--now", NOW],
        )?;
        // «разобрано автоматически: N обращений; …»
        let classified = out
            .split_once(": ")
            .and_then(|(_, r)| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let sqlite3_seconds = if has_sqlite3 {
            Some(sqlite3_import(&spec, false, &csv)?.0.seconds)
        } else {
            None
        };
        runs.push(Run {
            triage_first,
            import_plain,
            import_triage,
            classify_pending,
            classified,
            sqlite3_seconds,
        });
    }
    if !b.keep {
        for ws in [&plain_ws, &triage_ws, &classify_ws] {
            remove(ws)?;
        }
    }
    let rows = b.rows as f64;
    let per_appeal = |v: Option<u64>, n: f64| v.map(|v| v as f64 / n.max(1.0));
    let plain = median(runs.iter().map(|r| r.import_plain.seconds).collect());
    let with = median(runs.iter().map(|r| r.import_triage.seconds).collect());
    let classify = median(runs.iter().map(|r| r.classify_pending.seconds).collect());
    let classified = runs.last().map_or(0, |r| r.classified) as f64;
    let sqlite3 = median_opt(runs.iter().map(|r| r.sqlite3_seconds).collect());
    let report = Report {
        machine: machine(),
        rows: b.rows,
        csv: csv.display().to_string(),
        import_plain_seconds: plain,
        import_triage_seconds: with,
        triage_over_plain: with / plain.max(1e-9),
        classify_seconds: classify,
        classify_per_sec: classified / classify.max(1e-9),
        classify_bytes_per_appeal: median_opt(
            runs.iter()
                .map(|r| per_appeal(r.classify_pending.written_bytes, r.classified as f64))
                .collect(),
        ),
        import_triage_bytes_per_appeal: median_opt(
            runs.iter()
                .map(|r| {
                    let (w, p) = (
                        r.import_triage.written_bytes?,
                        r.import_plain.written_bytes?,
                    );
                    per_appeal(Some(w.saturating_sub(p)), rows)
                })
                .collect(),
        ),
        sqlite3_seconds: sqlite3,
        plain_over_sqlite3: sqlite3.map(|s| s / plain.max(1e-9)),
        workspace_bytes,
        runs,
    };
    if b.json {
        print_json(&report)?;
        return Ok(0);
    }
    let m = &report.machine;
    println!(
        "machine: {}, {} cores, {} GiB RAM",
        m.cpu, m.cores, m.ram_gib
    );
    println!(
        "{} appeals ({}), {} run(s), medians:",
        report.rows,
        report.csv,
        report.runs.len()
    );
    println!(
        "  import without triage   {:>8.2} s",
        report.import_plain_seconds
    );
    println!(
        "  import with triage      {:>8.2} s   {:.2}× the import without (target ≤ 2)",
        report.import_triage_seconds, report.triage_over_plain
    );
    println!(
        "  classify --pending      {:>8.2} s   {:.0} appeals/s (target ≥ 5000)",
        report.classify_seconds, report.classify_per_sec
    );
    let kb = |v: Option<f64>| v.map_or("—".into(), |v| format!("{:.1} KB", v / 1000.0));
    println!(
        "  written per appeal      classify --pending {}, import's triage {} (target ≤ 10 KB)",
        kb(report.classify_bytes_per_appeal),
        kb(report.import_triage_bytes_per_appeal)
    );
    match (report.sqlite3_seconds, report.plain_over_sqlite3) {
        (Some(s), Some(r)) => println!(
            "  sqlite3 .import         {s:>8.2} s   import without triage at {r:.2} of its speed (target ≥ 0.33)"
        ),
        _ => println!("  sqlite3 .import         — (the sqlite3 shell is not installed)"),
    }
    for r in &report.runs {
        println!(
            "  run: plain {:.2} s, triage {:.2} s{}, classify {:.2} s ({} appeals), sqlite3 {}",
            r.import_plain.seconds,
            r.import_triage.seconds,
            if r.triage_first { " (first)" } else { "" },
            r.classify_pending.seconds,
            r.classified,
            r.sqlite3_seconds
                .map_or("—".into(), |s| format!("{s:.2} s")),
        );
    }
    Ok(0)
}
