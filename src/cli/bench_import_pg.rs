//! `mcu bench import --db postgres://…`: mcu's import of the benchmark's CSV into a fresh
//! municipality of a PostgreSQL database (a child process of this executable, as on SQLite)
//! against PostgreSQL's own `COPY` of the same file — `psql -c "\copy … FROM file CSV"` into a
//! plain table of the file's columns, all `text` — in alternating pairs; the pair with the median
//! ratio is reported with every pair listed, the server's version and durability settings.
//!
//! Each mcu run gets a municipality of its own, `bench_<pid>_<run>`, dropped afterwards (its
//! schema and its rows of `mcu_region`, but not its audit anchors: that table is append-only), so
//! run it against a scratch database. With `--keep` the last run's municipality stays, its
//! workspace folder (`DIR/mcu-ws`, whose `config.toml` names it) ready for `mcu bench console`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use super::CmdResult;
use super::bench::{
    Generated, ImportBench, Machine, Measured, NOW, fail, machine, median_index, prepare_csv,
    run_mcu_in,
};
use super::output::print_json;
use crate::store::db::pg::PgConn;
use crate::store::db::pg::sql::quote_ident;

/// The peer's table, in the database's `public` schema.
const COPY_TABLE: &str = "mcu_bench_copy";

#[derive(Debug, Serialize)]
struct Report {
    machine: Machine,
    rows: u64,
    csv: String,
    csv_bytes: u64,
    /// Generating the CSV (absent when an earlier run's file was reused).
    generate: Option<Generated>,
    /// The database, without its password.
    database: String,
    /// `SELECT version()`.
    postgres_version: String,
    /// The server's durability settings (`fsync`, `synchronous_commit`, …).
    settings: Vec<(String, String)>,
    mcu: Measured,
    mcu_peak_rss_kb: Option<u64>,
    /// The municipality's schema on disk (tables, indexes, TOAST).
    mcu_db_bytes: u64,
    copy: Measured,
    copy_db_bytes: u64,
    /// mcu's rows per second divided by COPY's (the median pair).
    ratio: f64,
    /// Every pair measured, in order.
    runs: Vec<Pair>,
}

/// One mcu import and one `\copy`, back to back.
#[derive(Debug, Serialize)]
struct Pair {
    mcu_first: bool,
    municipality: String,
    mcu: Measured,
    copy: Measured,
    ratio: f64,
}

pub(super) fn run(b: &ImportBench, url: &str) -> CmdResult {
    crate::workspace::create_dir(&b.dir).map_err(|e| fail(format!("{}: {e}", b.dir.display())))?;
    let now = DateTime::parse_from_rfc3339(NOW)
        .map(|t| Utc.from_utc_datetime(&t.naive_utc()))
        .map_err(|e| fail(e.to_string()))?;
    let pg = PgConn::connect(url)?;
    let version: String = pg.query_one("SELECT version()", &[])?.get(0)?;
    let mut settings = Vec::new();
    for name in [
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "shared_buffers",
    ] {
        let v: String = pg
            .query_one("SELECT current_setting(?1)", &[&name])?
            .get(0)?;
        settings.push((name.to_string(), v));
    }
    if Command::new("psql").arg("--version").output().is_err() {
        return Err(fail(
            "psql is not installed, so there is nothing to compare with: install the client \
             (Debian: apt-get install -y postgresql-client) and run again",
        ));
    }
    if !b.json {
        eprintln!("preparing {} appeals in {} …", b.rows, b.dir.display());
    }
    let (csv, generate) = prepare_csv(b, now)?;
    let csv_abs = std::fs::canonicalize(&csv)?;
    let columns = csv_columns(&csv_abs)?;
    let exe = std::env::current_exe()?;
    let ws = b.dir.join("mcu-ws");

    let mut pairs: Vec<Pair> = Vec::new();
    let mut last = None;
    let runs = b.runs.max(1);
    for run in 0..runs {
        let mcu_first = run % 2 == 0;
        let code = format!("bench_{}_{run}", std::process::id());
        let (mut mcu, mut copy) = (None, None);
        for step in 0..2 {
            if (step == 0) == mcu_first {
                let config = format!(
                    "[store]\nurl = {}\nmunicipality = \"{code}\"\n",
                    toml_string(url)
                );
                let (m, peak) = run_mcu_in(b, &exe, &csv_abs, &ws, Some(&config))?;
                let bytes = schema_bytes(&pg, &crate::store::schema_of(&code))?;
                mcu = Some((m, peak, bytes));
            } else {
                copy = Some(run_copy(b, &pg, url, &csv_abs, &columns)?);
            }
        }
        let (Some((m, peak, mcu_bytes)), Some((c, copy_bytes))) = (mcu, copy) else {
            return Err(fail("nothing was measured"));
        };
        // With --keep, the last run's municipality stays for `mcu bench console`.
        if !(b.keep && run + 1 == runs) {
            drop_municipality(&pg, &code)?;
        }
        last = Some((peak, mcu_bytes, copy_bytes));
        pairs.push(Pair {
            mcu_first,
            municipality: code,
            ratio: m.rows_per_sec / c.rows_per_sec,
            mcu: m,
            copy: c,
        });
    }
    if !b.keep {
        crate::cli::bench::remove(&ws)?;
        pg.batch_execute(&format!("DROP TABLE IF EXISTS {COPY_TABLE}"))?;
    }
    let Some((peak, mcu_db_bytes, copy_db_bytes)) = last else {
        return Err(fail("nothing was measured"));
    };
    let median = median_index(&pairs.iter().map(|p| Some(p.ratio)).collect::<Vec<_>>());
    let Some(p) = pairs.get(median) else {
        return Err(fail("nothing was measured"));
    };
    let report = Report {
        machine: machine(),
        rows: b.rows,
        csv: csv.display().to_string(),
        csv_bytes: std::fs::metadata(&csv).map_or(0, |m| m.len()),
        generate,
        database: crate::store::db::pg::redacted_target(url),
        postgres_version: version,
        settings,
        mcu: Measured::new(b.rows, p.mcu.seconds),
        mcu_peak_rss_kb: peak,
        mcu_db_bytes,
        copy: Measured::new(b.rows, p.copy.seconds),
        copy_db_bytes,
        ratio: p.ratio,
        runs: pairs,
    };
    if b.json {
        print_json(&report)?;
    } else {
        print_report(&report);
    }
    Ok(0)
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The columns of the CSV's header line (`;`-separated).
fn csv_columns(csv: &Path) -> Result<Vec<String>, super::Failure> {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(std::fs::File::open(csv)?).read_line(&mut line)?;
    let cols: Vec<String> = line
        .trim_start_matches('\u{feff}')
        .trim_end()
        .split(';')
        .map(str::to_string)
        .collect();
    if cols.iter().any(String::is_empty) {
        return Err(fail(format!(
            "{}: line 1: the header has an empty column name",
            csv.display()
        )));
    }
    Ok(cols)
}

/// The bytes of a schema's tables with their indexes and TOAST.
fn schema_bytes(pg: &PgConn, schema: &str) -> Result<u64, super::Failure> {
    let n: Option<i64> = pg
        .query_one(
            "SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = ?1 AND c.relkind IN ('r', 'm')",
            &[&schema],
        )?
        .get(0)?;
    Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
}

/// Removes a benchmark's municipality: its schema and its rows of the region's tables (not its
/// audit anchors: append-only).
fn drop_municipality(pg: &PgConn, code: &str) -> Result<(), super::Failure> {
    pg.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {} CASCADE",
        quote_ident(&crate::store::schema_of(code))
    ))?;
    pg.execute(
        "DELETE FROM mcu_region.schema_versions WHERE municipality = ?1",
        &[&code],
    )?;
    pg.execute(
        "DELETE FROM mcu_region.municipalities WHERE code = ?1",
        &[&code],
    )?;
    Ok(())
}

/// `psql`'s `\copy` of the CSV into a fresh plain table of its columns (all `text`), timed from
/// starting psql to its exit; the time and the table's size.
fn run_copy(
    b: &ImportBench,
    pg: &PgConn,
    url: &str,
    csv_abs: &Path,
    columns: &[String],
) -> Result<(Measured, u64), super::Failure> {
    let cols: Vec<String> = columns
        .iter()
        .map(|c| format!("{} text", quote_ident(c)))
        .collect();
    pg.batch_execute(&format!(
        "DROP TABLE IF EXISTS {COPY_TABLE}; CREATE TABLE {COPY_TABLE} ({})",
        cols.join(", ")
    ))?;
    if !b.json {
        eprintln!("psql \\copy …");
    }
    let path = csv_abs.display().to_string().replace('\'', "''");
    let started = Instant::now();
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c"])
        .arg(format!(
            "\\copy {COPY_TABLE} FROM '{path}' WITH (FORMAT csv, DELIMITER ';', HEADER true)"
        ))
        .stdin(Stdio::null())
        .output()?;
    let secs = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(fail(format!(
            "psql \\copy failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let n: i64 = pg
        .query_one(&format!("SELECT count(*) FROM {COPY_TABLE}"), &[])?
        .get(0)?;
    if u64::try_from(n).ok() != Some(b.rows) {
        return Err(fail(format!("psql \\copy stored {n} rows of {}", b.rows)));
    }
    let bytes = copy_table_bytes(pg)?;
    Ok((Measured::new(b.rows, secs), bytes))
}

fn copy_table_bytes(pg: &PgConn) -> Result<u64, super::Failure> {
    let n: i64 = pg
        .query_one(
            &format!("SELECT pg_total_relation_size('{COPY_TABLE}')::bigint"),
            &[],
        )?
        .get(0)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn print_report(r: &Report) {
    let mib = |b: u64| b as f64 / 1024.0 / 1024.0;
    println!(
        "machine: {}, {} cores, {} GiB RAM",
        r.machine.cpu, r.machine.cores, r.machine.ram_gib
    );
    println!("server:  {}", r.postgres_version);
    println!(
        "         {}",
        r.settings
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "rows:    {} ({}, {:.0} MiB)",
        r.rows,
        r.csv,
        mib(r.csv_bytes)
    );
    println!(
        "mcu import:  {:>8.2} s  {:>10.0} rows/s  peak RSS {}  municipality {:.0} MiB",
        r.mcu.seconds,
        r.mcu.rows_per_sec,
        r.mcu_peak_rss_kb.map_or("unknown".into(), |kb| format!(
            "{:.1} MiB",
            kb as f64 / 1024.0
        )),
        mib(r.mcu_db_bytes)
    );
    println!(
        "psql \\copy: {:>8.2} s  {:>10.0} rows/s  table {:.0} MiB",
        r.copy.seconds,
        r.copy.rows_per_sec,
        mib(r.copy_db_bytes)
    );
    println!(
        "ratio (mcu rows/s ÷ COPY rows/s): {:.3}{}  (target ≥ 0.333: {})",
        r.ratio,
        if r.runs.len() > 1 {
            format!(", the median of {} pairs", r.runs.len())
        } else {
            String::new()
        },
        if r.ratio >= 1.0 / 3.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    if r.runs.len() > 1 {
        for (i, p) in r.runs.iter().enumerate() {
            println!(
                "  pair {}: mcu {:.2} s, COPY {:.2} s, ratio {:.3} ({} first)",
                i + 1,
                p.mcu.seconds,
                p.copy.seconds,
                p.ratio,
                if p.mcu_first { "mcu" } else { "COPY" }
            );
        }
    }
}
