//! Making a report file: the note or the ЦУР materials for a period written to a path, and the
//! run recorded in the audit trail. The command line and the console's «Отчёты» screen both
//! call these.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::render::Format;
use super::{Note, cur, period};
use crate::analytics::Period;
use crate::domain::access::Grants;
use crate::store::{Actor, ReportRun, Store};

/// The ЦУР materials' formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CurFormat {
    /// One workbook.
    Xlsx,
    /// One CSV file per sheet, in a folder.
    Csv,
}

impl CurFormat {
    pub fn extension(self) -> &'static str {
        match self {
            CurFormat::Xlsx => "xlsx",
            CurFormat::Csv => "csv",
        }
    }
}

/// The default file name in `reports/`: `note_2026-11-23_2026-11-29.html`,
/// `cur_2026-11-01_2026-11-30.xlsx`, `cur_…` (a folder) for CSV.
pub fn note_name(p: Period, f: Format) -> String {
    format!("note_{}.{}", period::slug(p), f.extension())
}

/// See [`note_name`].
pub fn cur_name(p: Period, f: CurFormat) -> String {
    match f {
        CurFormat::Xlsx => format!("cur_{}.xlsx", period::slug(p)),
        CurFormat::Csv => format!("cur_{}", period::slug(p)),
    }
}

/// A report written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    pub path: PathBuf,
    /// Its entry in the `report` register of the audit trail.
    pub audit_entry: i64,
}

fn parent(path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(())
}

fn period_text(p: Period) -> String {
    format!("{} — {}", p.from, p.to)
}

/// Writes the note for `period` at `now` into `path` and audits the run (at `audit_at`).
pub fn note_file(
    store: &mut Store,
    actor: &Actor,
    path: &Path,
    p: Period,
    now: DateTime<Utc>,
    format: Format,
    audit_at: DateTime<Utc>,
) -> Result<(Note, Made), String> {
    let reference = store.reference().clone();
    let note = super::compute(store, p, now).map_err(|e| e.to_string())?;
    let bytes = format.render(&note, &reference)?;
    parent(path)?;
    let io = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut f = crate::workspace::create_file(path).map_err(io)?;
    f.write_all(&bytes).map_err(io)?;
    let run = ReportRun {
        kind: "note".into(),
        format: format.extension().into(),
        period: period_text(p),
        file: path.display().to_string(),
        personal_data: false,
    };
    let audit_entry = store
        .record_report(actor, audit_at, &run)
        .map_err(|e| e.to_string())?;
    Ok((
        note,
        Made {
            path: path.to_path_buf(),
            audit_entry,
        },
    ))
}

/// Writes the ЦУР materials into `path` (a workbook, or a folder of CSV files) for `grants`
/// and audits the run. The caller has checked that `with_personal_data` is allowed.
#[allow(clippy::too_many_arguments)]
pub fn cur_file(
    store: &mut Store,
    actor: &Actor,
    grants: &Grants,
    path: &Path,
    p: Period,
    now: DateTime<Utc>,
    format: CurFormat,
    with_personal_data: bool,
    audit_at: DateTime<Utc>,
) -> Result<(cur::Written, Made), String> {
    let req = cur::Request {
        period: p,
        now,
        grants,
        with_personal_data,
    };
    let written = match format {
        CurFormat::Xlsx => {
            parent(path)?;
            cur::write(store, &req, &mut cur::Xlsx::new(path))
        }
        CurFormat::Csv => {
            let mut sink = cur::CsvDir::new(path)?;
            cur::write(store, &req, &mut sink)
        }
    }
    .map_err(|e| format!("{}: {e}", path.display()))?;
    let run = ReportRun {
        kind: "cur".into(),
        format: format.extension().into(),
        period: period_text(p),
        file: path.display().to_string(),
        personal_data: with_personal_data,
    };
    let audit_entry = store
        .record_report(actor, audit_at, &run)
        .map_err(|e| e.to_string())?;
    Ok((
        written,
        Made {
            path: path.to_path_buf(),
            audit_entry,
        },
    ))
}
