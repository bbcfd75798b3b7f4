//! Removing old files from `processed/` and `quarantine/`: on every import run the files older
//! than the workspace's retention (`[retention] files`, `domain::retention`), and on demand those
//! before a date (`mcu purge --before DATE`). A file's date is its `processed/YYYY-MM-DD/`
//! folder's, else its modification time in the workspace zone (the pipeline stamps what it puts
//! in quarantine with the time of the import); a file quarantined whole goes by its
//! `.error.txt`. Nothing outside those two folders is touched;
//! symbolic links are removed as links, never followed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::domain::retention::Retention;
use crate::workspace::Workspace;

/// One file removed (or, in a dry run, that would be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// The path inside the workspace, e.g. `processed/2025-01-10/pos_export.csv`.
    pub path: String,
    /// The date it was judged by.
    pub date: NaiveDate,
    pub bytes: u64,
}

/// A file that could not be removed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotRemoved {
    pub path: String,
    pub reason: String,
}

/// What a purge did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// Files dated before this local date were removed.
    pub before: NaiveDate,
    pub dry_run: bool,
    /// How many files, and their bytes.
    pub files: usize,
    pub bytes: u64,
    pub removed: Vec<Removed>,
    pub failed: Vec<NotRemoved>,
}

/// Removes the files of `processed/` and `quarantine/` dated before the workspace's retention
/// allows, as of `now`.
pub fn apply_retention(
    ws: &Workspace,
    retention: &Retention,
    now: DateTime<Utc>,
    tz: Tz,
) -> PurgeReport {
    let today = now.with_timezone(&tz).date_naive();
    purge(ws, retention.cutoff(today), tz, false)
}

/// Removes (with `dry_run`, only lists) the files of `processed/` and `quarantine/` dated before
/// `before`, and the date folders they leave empty.
pub fn purge(ws: &Workspace, before: NaiveDate, tz: Tz, dry_run: bool) -> PurgeReport {
    let mut report = PurgeReport {
        before,
        dry_run,
        files: 0,
        bytes: 0,
        removed: Vec::new(),
        failed: Vec::new(),
    };
    let mut walk = Walk {
        root: ws.root().to_path_buf(),
        before,
        tz,
        dry_run,
        report: &mut report,
    };
    walk.folder(&ws.processed(), None, true);
    walk.folder(&ws.quarantine(), None, false);
    report.files = report.removed.len();
    report.bytes = report.removed.iter().map(|r| r.bytes).sum();
    report
}

struct Walk<'a> {
    root: PathBuf,
    before: NaiveDate,
    tz: Tz,
    dry_run: bool,
    report: &'a mut PurgeReport,
}

impl Walk<'_> {
    fn shown(&self, p: &Path) -> String {
        p.strip_prefix(&self.root)
            .unwrap_or(p)
            .display()
            .to_string()
    }

    /// Walks one folder. `date` is the date of the `processed/YYYY-MM-DD/` folder it is in, if
    /// any; `dated` says whether its sub-folders name dates (the top of `processed/`).
    fn folder(&mut self, dir: &Path, date: Option<NaiveDate>, dated: bool) {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return,
            Err(e) => {
                let path = self.shown(dir);
                self.report.failed.push(NotRemoved {
                    path,
                    reason: e.to_string(),
                });
                return;
            }
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            // `file_type` does not follow a symbolic link: a link is judged and removed itself.
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                let named = dated
                    .then(|| {
                        NaiveDate::parse_from_str(&e.file_name().to_string_lossy(), "%Y-%m-%d").ok()
                    })
                    .flatten();
                self.folder(&p, named.or(date), false);
                if named.is_some_and(|d| d < self.before) && !self.dry_run {
                    // Only when emptied; another officer's import may be writing into it.
                    let _ = fs::remove_dir(&p);
                }
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            // A file quarantined whole is dated by the note mcu wrote beside it: the file itself
            // may belong to the officer who dropped it, and then keeps their time.
            let note = p.with_file_name(format!("{}.error.txt", e.file_name().to_string_lossy()));
            let dated_by = fs::symlink_metadata(&note)
                .ok()
                .filter(|m| m.is_file())
                .unwrap_or_else(|| meta.clone());
            let file_date = date.or_else(|| {
                dated_by.modified().ok().map(|m| {
                    DateTime::<Utc>::from(m)
                        .with_timezone(&self.tz)
                        .date_naive()
                })
            });
            let Some(file_date) = file_date.filter(|d| *d < self.before) else {
                continue;
            };
            let path = self.shown(&p);
            if !self.dry_run
                && let Err(err) = fs::remove_file(&p)
            {
                if err.kind() != io::ErrorKind::NotFound {
                    self.report.failed.push(NotRemoved {
                        path,
                        reason: err.to_string(),
                    });
                }
                continue;
            }
            self.report.removed.push(Removed {
                path,
                date: file_date,
                bytes: meta.len(),
            });
        }
    }
}
