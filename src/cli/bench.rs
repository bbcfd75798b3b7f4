//! `mcu bench import`: generates a canonical CSV of realistic appeals and measures, in the same
//! run, `mcu import` (a child process of this executable, into a fresh workspace) against the
//! `sqlite3` shell's own `.import` of the same file into a plain table of a fresh database: wall
//! time, rows per second, their ratio, and mcu's peak resident memory (its own `VmHWM`).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::output::print_json;
use super::{CmdResult, Failure};
use crate::demo::{CanonicalCsv, DemoConfig, Generator};
use crate::reference::Reference;

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchCommand,
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// mcu import against the sqlite3 shell's .import, on the same generated CSV (with --db
    /// postgres://…: into a fresh municipality, against psql's \copy)
    Import(ImportBench),
    /// The console and the monitoring figures on a (big) workspace
    Console(super::bench_console::ConsoleBench),
    /// The reports: a month's analytical note and the month's ЦУР workbook on a (big) workspace
    Report(super::bench_report::ReportBench),
    /// Auto-triage: classification speed, training time, duplicate search on a large index
    Triage(super::triage::BenchTriageArgs),
}

#[derive(Args, Debug)]
pub(super) struct ImportBench {
    /// How many appeals the CSV holds
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub rows: u64,
    /// Where the CSV, the workspace and the database go (the CSV is kept and reused)
    #[arg(long, value_name = "DIR", default_value = "bench-out")]
    pub dir: PathBuf,
    /// The generator's seed
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Pairs of runs (mcu and its peer back to back, the order alternating); the pair with the
    /// median ratio is reported, every pair listed
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub runs: usize,
    /// Keep the workspace and the database afterwards (they are large); with --db, the last
    /// run's municipality and the peer's table
    #[arg(long)]
    pub keep: bool,
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
}

/// The instant the benchmark's appeals end at, fixed so that every run imports the same data.
pub(super) const NOW: &str = "2026-11-28T12:00:00+03:00";

/// The peak resident set size of this process in KiB (`VmHWM` in `/proc/self/status`); `None`
/// where the kernel does not report it.
pub fn peak_rss_kb() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What this process has passed to `write`-like system calls so far, in bytes (`wchar` in
/// `/proc/self/io`: WAL, checkpoints and journal included); `None` where the kernel does not say.
pub fn written_bytes() -> Option<u64> {
    let io = fs::read_to_string("/proc/self/io").ok()?;
    let line = io.lines().find(|l| l.starts_with("wchar:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `db`: the global `--db` (`MCU_DB`): `bench import` then measures mcu's import into a fresh
/// municipality of that PostgreSQL database against `psql`'s `\copy` of the same file.
pub fn run(a: BenchArgs, db: Option<String>) -> CmdResult {
    match a.what {
        BenchCommand::Import(b) => match db.filter(|u| !u.is_empty()) {
            Some(url) => super::bench_import_pg::run(&b, &url),
            None => import(b),
        },
        BenchCommand::Console(b) => super::bench_console::run(b),
        BenchCommand::Report(b) => super::bench_report::run(b),
        BenchCommand::Triage(b) => super::triage::bench(b),
    }
}

pub(super) fn fail(msg: impl Into<String>) -> Failure {
    Failure {
        code: 1,
        message: msg.into(),
    }
}

/// One measured run.
#[derive(Debug, Serialize)]
pub(super) struct Measured {
    pub seconds: f64,
    pub rows_per_sec: f64,
}

impl Measured {
    pub(super) fn new(rows: u64, seconds: f64) -> Self {
        Self {
            seconds,
            rows_per_sec: rows as f64 / seconds.max(1e-9),
        }
    }
}

/// Generating the data: the generator alone (in memory, a sample) and writing the whole CSV.
#[derive(Debug, Serialize)]
pub(super) struct Generated {
    generator: Measured,
    csv: Measured,
}

#[derive(Debug, Serialize)]
pub(super) struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub ram_gib: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    machine: Machine,
    rows: u64,
    csv: String,
    csv_bytes: u64,
    /// Generating the CSV (absent when an earlier run's file was reused).
    generate: Option<Generated>,
    mcu: Measured,
    mcu_peak_rss_kb: Option<u64>,
    mcu_db_bytes: u64,
    /// `None` when the sqlite3 shell is not installed.
    sqlite3: Option<Measured>,
    sqlite3_version: Option<String>,
    sqlite3_db_bytes: Option<u64>,
    /// mcu's rows per second divided by sqlite3's (the median pair).
    ratio: Option<f64>,
    /// Every pair measured, in order.
    runs: Vec<Pair>,
}

/// One mcu import and one sqlite3 `.import`, back to back.
#[derive(Debug, Serialize)]
struct Pair {
    mcu_first: bool,
    mcu: Measured,
    sqlite3: Option<Measured>,
    ratio: Option<f64>,
}

pub(super) fn machine() -> Machine {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or_else(|| "unknown".to_string(), |(_, v)| v.trim().to_string());
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let kb: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        ram_gib: (kb / 1024.0 / 1024.0 * 10.0).round() / 10.0,
    }
}

fn size_of(p: &Path) -> u64 {
    fs::metadata(p).map_or(0, |m| m.len())
}

/// The total size of a folder's files (a workspace: the database and its WAL).
pub(super) fn dir_size(p: &Path) -> u64 {
    fs::read_dir(p).map_or(0, |rd| {
        rd.flatten()
            .map(|e| {
                let path = e.path();
                if path.is_dir() {
                    dir_size(&path)
                } else {
                    size_of(&path)
                }
            })
            .sum()
    })
}

pub(super) fn remove(p: &Path) -> Result<(), Failure> {
    let r = if p.is_dir() {
        fs::remove_dir_all(p)
    } else {
        fs::remove_file(p)
    };
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(fail(format!("{}: {e}", p.display())))
        }
        _ => Ok(()),
    }
}

/// Generates the CSV unless an earlier run left the same one (same rows, seed and `now`).
pub(super) fn prepare_csv(
    b: &ImportBench,
    now: DateTime<Utc>,
) -> Result<(PathBuf, Option<Generated>), Failure> {
    prepare_csv_in(
        &CsvSpec {
            dir: &b.dir,
            rows: b.rows,
            seed: b.seed,
            quiet: b.json,
        },
        now,
    )
}

/// Where and what a benchmark's CSV is.
pub(super) struct CsvSpec<'a> {
    pub dir: &'a Path,
    pub rows: u64,
    pub seed: u64,
    /// No progress on stderr.
    pub quiet: bool,
}

/// [`prepare_csv`] for any benchmark: the demo generator's canonical CSV of `rows` appeals.
pub(super) fn prepare_csv_in(
    b: &CsvSpec<'_>,
    now: DateTime<Utc>,
) -> Result<(PathBuf, Option<Generated>), Failure> {
    let csv = b.dir.join(format!("appeals-{}-seed{}.csv", b.rows, b.seed));
    let stamp = b
        .dir
        .join(format!("appeals-{}-seed{}.csv.done", b.rows, b.seed));
    let want = format!("rows={} seed={} now={NOW} generator=2\n", b.rows, b.seed);
    if csv.exists() && fs::read_to_string(&stamp).is_ok_and(|s| s == want) {
        return Ok((csv, None));
    }
    let reference = Arc::new(Reference::embedded()?);
    let tz = reference.calendar.timezone();
    // The generator's own speed, in memory, on a sample of the rows.
    let sample = b.rows.min(200_000);
    let started = Instant::now();
    let sampled = Generator::new(
        DemoConfig {
            seed: b.seed,
            count: sample,
            now,
            days: 365,
        },
        Arc::clone(&reference),
    )?
    .map(|g| g.appeal.text.len())
    .sum::<usize>();
    let generator = Measured::new(sample, started.elapsed().as_secs_f64());
    if !b.quiet {
        eprintln!(
            "generator alone: {:.0} rows/s ({sample} rows in memory, {sampled} bytes of text)",
            generator.rows_per_sec
        );
    }
    let partial = csv.with_extension("csv.part");
    let started = Instant::now();
    let file = crate::workspace::create_file(&partial)
        .map_err(|e| fail(format!("{}: {e}", partial.display())))?;
    let mut out = CanonicalCsv::new(BackgroundWriter::new(file), tz)?;
    let all = Generator::new(
        DemoConfig {
            seed: b.seed,
            count: b.rows,
            now,
            days: 365,
        },
        reference,
    )?;
    for g in all {
        out.write(g.channel, &g.appeal)?;
    }
    let (writer, rows) = out.into_inner()?;
    writer.finish()?;
    let secs = started.elapsed().as_secs_f64();
    if !b.quiet {
        eprintln!(
            "generated {rows} rows in {secs:.2} s ({:.0} rows/s)",
            rows as f64 / secs.max(1e-9)
        );
    }
    fs::rename(&partial, &csv)?;
    crate::workspace::write_file(&stamp, want)?;
    Ok((
        csv,
        Some(Generated {
            generator,
            csv: Measured::new(rows, secs),
        }),
    ))
}

/// A writer that hands full buffers to a thread that writes them to the file, so that generating
/// the rows overlaps the write system calls (two cores: one generates, one copies to the kernel).
struct BackgroundWriter {
    buf: Vec<u8>,
    send: Option<mpsc::SyncSender<Vec<u8>>>,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
}

const CHUNK: usize = 1 << 20;

impl BackgroundWriter {
    fn new(mut file: File) -> Self {
        let (send, receive) = mpsc::sync_channel::<Vec<u8>>(4);
        let thread = std::thread::spawn(move || -> io::Result<()> {
            for chunk in receive {
                file.write_all(&chunk)?;
            }
            file.flush()
        });
        Self {
            buf: Vec::with_capacity(CHUNK),
            send: Some(send),
            thread: Some(thread),
        }
    }

    fn hand_over(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        match &self.send {
            Some(s) if s.send(full).is_ok() => Ok(()),
            // The writing thread stopped: `finish` reports its error.
            _ => Err(io::Error::other("the writing thread stopped")),
        }
    }

    /// Writes what is left, waits for the thread and reports its error, if any.
    fn finish(mut self) -> io::Result<()> {
        let pending = self.hand_over();
        drop(self.send.take());
        let written = match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(io::Error::other("the writing thread panicked")),
            None => Ok(()),
        };
        written.and(pending)
    }
}

impl Write for BackgroundWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.hand_over()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.hand_over()
    }
}

fn import(b: ImportBench) -> CmdResult {
    crate::workspace::create_dir(&b.dir).map_err(|e| fail(format!("{}: {e}", b.dir.display())))?;
    let now = DateTime::parse_from_rfc3339(NOW)
        .map(|t| Utc.from_utc_datetime(&t.naive_utc()))
        .map_err(|e| fail(e.to_string()))?;
    if !b.json {
        eprintln!("preparing {} appeals in {} …", b.rows, b.dir.display());
    }
    let (csv, generate) = prepare_csv(&b, now)?;
    let csv_abs = fs::canonicalize(&csv)?;

    let exe = std::env::current_exe()?;
    let version = Command::new("sqlite3")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if version.is_none() {
        eprintln!(
            "sqlite3 is not installed, so there is nothing to compare with: install the \
             shell (Debian: apt-get install -y sqlite3) and run again"
        );
    }
    // Pairs run back to back, the order alternating (the speed of a shared machine drifts over
    // minutes); the pair with the median ratio is the one reported.
    let mut pairs: Vec<Pair> = Vec::new();
    let mut last_mcu = None;
    let mut sqlite3_db_bytes = None;
    for run in 0..b.runs.max(1) {
        let mcu_first = run % 2 == 0;
        let mut mcu_run = None;
        let mut sqlite3_run = None;
        for step in 0..2 {
            if (step == 0) == mcu_first {
                mcu_run = Some(run_mcu(&b, &exe, &csv_abs)?);
            } else if version.is_some() {
                let (m, bytes) = run_sqlite3(&b, &csv_abs)?;
                sqlite3_db_bytes = Some(bytes);
                sqlite3_run = Some(m);
            }
        }
        let Some(m) = mcu_run else { break };
        pairs.push(Pair {
            mcu_first,
            ratio: sqlite3_run
                .as_ref()
                .map(|s| m.0.rows_per_sec / s.rows_per_sec),
            mcu: Measured::new(b.rows, m.0.seconds),
            sqlite3: sqlite3_run,
        });
        last_mcu = Some(m);
    }
    let Some((_, peak, mcu_db_bytes)) = last_mcu else {
        return Err(fail("nothing was measured"));
    };
    let median = median_index(&pairs.iter().map(|p| p.ratio).collect::<Vec<_>>());
    let (mcu, sqlite3, ratio) = match pairs.get(median) {
        Some(p) => (
            Measured::new(b.rows, p.mcu.seconds),
            p.sqlite3.as_ref().map(|s| Measured::new(b.rows, s.seconds)),
            p.ratio,
        ),
        None => return Err(fail("nothing was measured")),
    };
    let report = Report {
        machine: machine(),
        rows: b.rows,
        csv: csv.display().to_string(),
        csv_bytes: size_of(&csv),
        generate,
        mcu,
        mcu_peak_rss_kb: peak,
        mcu_db_bytes,
        sqlite3,
        sqlite3_version: version,
        sqlite3_db_bytes,
        ratio,
        runs: pairs,
    };
    if b.json {
        print_json(&report)?;
    } else {
        print_report(&report);
    }
    Ok(0)
}

/// The position of the pair with the median ratio (pairs without one count as 0).
pub(super) fn median_index(ratios: &[Option<f64>]) -> usize {
    let mut order: Vec<usize> = (0..ratios.len()).collect();
    order.sort_by(|a, b| {
        let r = |i: &usize| ratios.get(*i).copied().flatten().unwrap_or(0.0);
        r(a).total_cmp(&r(b))
    });
    order.get(order.len() / 2).copied().unwrap_or(0)
}

/// mcu import, as a child process of this executable, into a fresh workspace: the time, peak
/// RSS and the workspace's size.
fn run_mcu(
    b: &ImportBench,
    exe: &Path,
    csv_abs: &Path,
) -> Result<(Measured, Option<u64>, u64), Failure> {
    let ws = b.dir.join("mcu-ws");
    let (m, peak) = run_mcu_in(b, exe, csv_abs, &ws, None)?;
    let bytes = dir_size(&ws);
    if !b.keep {
        remove(&ws)?;
    }
    Ok((m, peak, bytes))
}

/// [`run_mcu`] into the workspace folder `ws` (made afresh); with `store`, its `config.toml`
/// names that store (the `[store]` lines) and `mcu init` makes it first, untimed.
pub(super) fn run_mcu_in(
    b: &ImportBench,
    exe: &Path,
    csv_abs: &Path,
    ws: &Path,
    store: Option<&str>,
) -> Result<(Measured, Option<u64>), Failure> {
    remove(ws)?;
    // A fresh workspace folder: `import` opens only an existing one (a typo must not become a
    // new workspace), and makes its sub-folders and database inside it.
    crate::workspace::create_dir(ws).map_err(|e| fail(format!("{}: {e}", ws.display())))?;
    if let Some(config) = store {
        crate::workspace::write_file(&ws.join("config.toml"), config)?;
        let out = Command::new(exe)
            .arg("--workspace")
            .arg(ws)
            .arg("init")
            .env_remove("MCU_DB")
            .env_remove("MCU_MUNICIPALITY")
            .stdin(Stdio::null())
            .output()?;
        if !out.status.success() {
            return Err(fail(format!(
                "mcu init failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )));
        }
    }
    if !b.json {
        eprintln!("mcu import …");
    }
    let started = Instant::now();
    let out = Command::new(exe)
        .arg("--workspace")
        .arg(ws)
        .args([
            "import",
            "--json",
            "--peak-rss",
            // Auto-triage is measured by `mcu bench triage`; this compares loading with sqlite3.
            "--no-triage",
            "--channel",
            "pos",
            "--now",
            NOW,
        ])
        .arg(csv_abs)
        .env_remove("MCU_FAULT")
        .env_remove("MCU_DB")
        .env_remove("MCU_MUNICIPALITY")
        .stdin(Stdio::null())
        .output()?;
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(fail(format!(
            "mcu import failed ({}): {stderr}",
            out.status
        )));
    }
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let inserted = reports[0]["inserted"].as_u64().unwrap_or(0);
    if inserted != b.rows {
        return Err(fail(format!(
            "mcu imported {inserted} appeals of {}: {}",
            b.rows,
            String::from_utf8_lossy(&out.stdout)
        )));
    }
    let peak = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb: "))
        .and_then(|v| v.trim().parse().ok());
    Ok((Measured::new(b.rows, secs), peak))
}

/// The sqlite3 shell's own CSV import of the same file into a plain table.
fn run_sqlite3(b: &ImportBench, csv_abs: &Path) -> Result<(Measured, u64), Failure> {
    sqlite3_import(
        &CsvSpec {
            dir: &b.dir,
            rows: b.rows,
            seed: b.seed,
            quiet: b.json,
        },
        b.keep,
        csv_abs,
    )
}

/// [`run_sqlite3`] for any benchmark.
pub(super) fn sqlite3_import(
    b: &CsvSpec<'_>,
    keep: bool,
    csv_abs: &Path,
) -> Result<(Measured, u64), Failure> {
    let db = b.dir.join("sqlite3.db");
    remove(&db)?;
    if !b.quiet {
        eprintln!("sqlite3 .import …");
    }
    let script = format!(
        ".mode csv\n.separator \";\"\n.import '{}' appeals\n",
        csv_abs.display().to_string().replace('\'', "''")
    );
    let started = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(script.as_bytes())?;
    }
    let done = child.wait_with_output()?;
    let secs = started.elapsed().as_secs_f64();
    if !done.status.success() {
        return Err(fail(format!(
            "sqlite3 .import failed: {}",
            String::from_utf8_lossy(&done.stderr)
        )));
    }
    let count = Command::new("sqlite3")
        .arg(&db)
        .arg("SELECT count(*) FROM appeals")
        .output()?;
    let n: u64 = String::from_utf8_lossy(&count.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    if n != b.rows {
        return Err(fail(format!(
            "sqlite3 imported {n} rows of {}: {}",
            b.rows,
            String::from_utf8_lossy(&done.stderr)
        )));
    }
    let bytes = size_of(&db);
    if !keep {
        remove(&db)?;
    }
    Ok((Measured::new(b.rows, secs), bytes))
}

fn print_report(r: &Report) {
    let mib = |b: u64| b as f64 / 1024.0 / 1024.0;
    println!(
        "machine: {}, {} cores, {} GiB RAM",
        r.machine.cpu, r.machine.cores, r.machine.ram_gib
    );
    println!(
        "rows:    {} ({}, {:.0} MiB)",
        r.rows,
        r.csv,
        mib(r.csv_bytes)
    );
    if let Some(g) = &r.generate {
        println!(
            "generator alone: {:>10.0} rows/s (in memory); writing the CSV: {:.2} s, {:.0} rows/s",
            g.generator.rows_per_sec, g.csv.seconds, g.csv.rows_per_sec
        );
    }
    println!(
        "mcu import:     {:>8.2} s  {:>10.0} rows/s  peak RSS {}  database {:.0} MiB",
        r.mcu.seconds,
        r.mcu.rows_per_sec,
        r.mcu_peak_rss_kb.map_or("unknown".into(), |kb| format!(
            "{:.1} MiB",
            kb as f64 / 1024.0
        )),
        mib(r.mcu_db_bytes)
    );
    match (&r.sqlite3, &r.sqlite3_version) {
        (Some(s), Some(v)) => {
            println!(
                "sqlite3 .import: {:>7.2} s  {:>10.0} rows/s  database {:.0} MiB  (sqlite3 {})",
                s.seconds,
                s.rows_per_sec,
                mib(r.sqlite3_db_bytes.unwrap_or(0)),
                v.split_whitespace().next().unwrap_or("")
            );
        }
        _ => println!("sqlite3 .import: not measured (sqlite3 is not installed)"),
    }
    if let Some(ratio) = r.ratio {
        println!(
            "ratio (mcu rows/s ÷ sqlite3 rows/s): {ratio:.3}{}  (target ≥ 0.333: {})",
            if r.runs.len() > 1 {
                format!(", the median of {} pairs", r.runs.len())
            } else {
                String::new()
            },
            if ratio >= 1.0 / 3.0 { "met" } else { "NOT met" }
        );
    }
    if r.runs.len() > 1 {
        for (i, p) in r.runs.iter().enumerate() {
            println!(
                "  pair {}: mcu {:.2} s, sqlite3 {}, ratio {} ({} first)",
                i + 1,
                p.mcu.seconds,
                p.sqlite3
                    .as_ref()
                    .map_or("—".into(), |s| format!("{:.2} s", s.seconds)),
                p.ratio.map_or("—".into(), |r| format!("{r:.3}")),
                if p.mcu_first { "mcu" } else { "sqlite3" }
            );
        }
    }
    if let Some(kb) = r.mcu_peak_rss_kb {
        println!(
            "peak RSS target < 200 MB: {}",
            if (kb as f64) * 1024.0 < 200e6 {
                "met"
            } else {
                "NOT met"
            }
        );
    }
}
