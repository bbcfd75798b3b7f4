//! The import pipeline: hash → skip if seen → detect → read → map → upsert in one transaction →
//! record the file → commit → only then move it out of the inbox. Bad rows go to
//! `quarantine/<file>.errors.csv` while the good rows are imported; an unreadable file goes to
//! `quarantine/` with a `.error.txt`. A crash before the commit leaves the file in the inbox and the
//! database untouched; a crash after it makes the next run see the hash and just move the file.
//! The commit is durable before the file moves (`synchronous=FULL`), the rows' report appears
//! with it (see `ErrorSink`), a file that imported nothing is not recorded, and an inbox file that
//! interrupted the importer [`MAX_INTERRUPTED`] times, or whose import failed, goes to quarantine
//! ([`Importer::import_inbox_file`]).

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use std::sync::mpsc;

use super::attempts::{Attempts, MAX_INTERRUPTED};
use super::profile::Field;
use super::{
    FileError, Format, IncomingAppeal, Mapper, RawRow, ReadItem, RowError, format, readers,
};
use crate::domain::text::{SearchNormalizer, StemCache};
use crate::domain::{Channel, csv_cell};
use crate::store::{Actor, ImportedFile, SaveKind, SaveOutcome, Store, StoreError};
use crate::workspace::{self, Workspace};

/// How one file went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FileOutcome {
    /// Imported; bad rows (if any) are in quarantine.
    Imported {
        rows: i64,
        inserted: i64,
        updated: i64,
        unchanged: i64,
        quarantined: i64,
    },
    /// The same content was imported before.
    AlreadyImported { name: String, at: DateTime<Utc> },
    /// The file could not be read at all; it is in quarantine with the reason.
    Failed { reason: String },
}

/// The report on one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    pub file: String,
    pub format: Option<String>,
    #[serde(flatten)]
    pub outcome: FileOutcome,
    /// Where bad rows or the file went, if anywhere.
    pub quarantine: Option<String>,
    /// Where the file was moved after import (inbox files only).
    pub moved_to: Option<String>,
    /// Things worth knowing that did not stop the import (ignored columns, missing deadlines…).
    pub warnings: Vec<String>,
    /// What auto-triage did after the file: appeals triaged (the file's and any left pending by an
    /// earlier run), blocks set, failures, appeals still pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triaged: Option<TriageCounts>,
}

/// What auto-triage did after an import (see `ingest::triage`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TriageCounts {
    /// Appeals triaged.
    pub appeals: usize,
    /// Of them, those whose block auto-triage set.
    pub blocks_set: usize,
    /// Appeals whose triage failed: recorded with the reason and skipped.
    pub failed: usize,
    /// Appeals still waiting for triage (the next import, `mcu watch` or `mcu classify --pending`
    /// takes them).
    pub pending: usize,
    /// Why triage stopped before the end (the database stayed locked by another writer…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

impl FileReport {
    /// True when rows or the file itself went to quarantine.
    pub fn has_quarantine(&self) -> bool {
        match &self.outcome {
            FileOutcome::Imported { quarantined, .. } => *quarantined > 0,
            FileOutcome::Failed { .. } => true,
            FileOutcome::AlreadyImported { .. } => false,
        }
    }
}

/// Errors that stop the pipeline itself (not a bad file: the database or the disk failed).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

impl PipelineError {
    /// Whether the fault lies with the surroundings (the database busy, locked, read-only or
    /// broken; the disk full or failing) rather than with the file being imported: such a file is
    /// tried again later instead of being put in quarantine.
    pub fn is_environment(&self) -> bool {
        match self {
            Self::Io { .. } => true,
            Self::Store(StoreError::Db(e)) => e.is_environment(),
            Self::Store(_) => false,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> PipelineError + '_ {
    move |source| PipelineError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Imports files into one workspace.
pub struct Importer<'a> {
    pub workspace: &'a Workspace,
    pub store: &'a mut Store,
    /// The operator's login, for the audit trail.
    pub operator: String,
    /// The instant recorded as the time of the changes.
    pub now: DateTime<Utc>,
    /// Auto-triage run on every pending appeal after each file, once it is committed or skipped
    /// (block, settlement, urgency, conflict, duplicates; see `ingest::triage`); `None` imports
    /// without it (bulk loads, the demo filler).
    pub triage: Option<&'a crate::domain::triage::Triage>,
}

impl Importer<'_> {
    /// Imports every file now in the inbox (and its channel sub-folders), oldest first, moving each
    /// to `processed/YYYY-MM-DD/` or `quarantine/`.
    pub fn import_inbox(&mut self) -> Result<Vec<FileReport>, PipelineError> {
        let files = inbox_files(self.workspace)?;
        let mut out = Vec::with_capacity(files.len());
        for f in files {
            let channel = self.workspace.channel_of_inbox_file(&f);
            out.push(self.import_inbox_file(&f, channel)?);
        }
        Ok(out)
    }

    /// Imports one inbox file, guarded against a file that kills or breaks the importer: an
    /// attempt marker is written before the import and removed once it ends, so a file whose
    /// imports were interrupted [`MAX_INTERRUPTED`] times (the process aborted, ran out of memory,
    /// was killed) goes to quarantine instead of being tried again; a file whose import fails with
    /// an error goes there at once. An error of the surroundings (the database busy or unwritable,
    /// the disk failing: [`PipelineError::is_environment`]) is no fault of the file: it is returned
    /// and the file stays for the next round.
    /// Without the auto-triage that [`Importer::import_inbox_file`] (`ingest::triage`) runs after.
    pub(super) fn import_inbox_file_untriaged(
        &mut self,
        path: &Path,
        channel: Option<Channel>,
    ) -> Result<FileReport, PipelineError> {
        let attempts = Attempts::of(self.workspace, path);
        let before = attempts.unfinished();
        if before >= MAX_INTERRUPTED {
            let reason = format!(
                "import of this file was interrupted {before} times (the importer died while \
                 reading it: out of memory, killed or crashed); it is not tried again"
            );
            let report = self.fail(
                path,
                &file_name(path),
                true,
                blank_report(path),
                FileError::new(reason),
            );
            attempts.clear();
            return report;
        }
        attempts.start(before + 1)?;
        let result = self.import(path, channel, true, Some(&attempts));
        attempts.clear();
        match result {
            Ok(r) => Ok(r),
            Err(e) if e.is_environment() || !path.exists() => Err(e),
            Err(e) => {
                tracing::warn!(file = %file_name(path), error = %e, "import failed");
                self.fail(
                    path,
                    &file_name(path),
                    true,
                    blank_report(path),
                    FileError::new(format!("the import failed: {e}")),
                )
            }
        }
    }

    /// Imports one file without the auto-triage that [`Importer::import_file`]
    /// (`ingest::triage`) runs after it. `channel` applies to rows that do not name theirs. With
    /// `move_file` the file leaves its folder once committed (the inbox); otherwise it is left
    /// where it is.
    pub(super) fn import_file_untriaged(
        &mut self,
        path: &Path,
        channel: Option<Channel>,
        move_file: bool,
    ) -> Result<FileReport, PipelineError> {
        self.import(path, channel, move_file, None)
    }

    /// [`import_file`](Self::import_file); `attempts` is cleared as soon as the import committed
    /// (a crash after that is no failed attempt: the next run finds the file imported).
    fn import(
        &mut self,
        path: &Path,
        channel: Option<Channel>,
        move_file: bool,
        attempts: Option<&Attempts>,
    ) -> Result<FileReport, PipelineError> {
        let name = file_name(path);
        let mut report = blank_report(path);

        let format = match format::detect(path) {
            Ok(f) => f,
            Err(e) => return self.fail(path, &name, move_file, report, e),
        };
        report.format = Some(format_name(format).to_string());
        let rows = match readers::open(path, format) {
            Ok(r) => r,
            Err(e) => return self.fail(path, &name, move_file, report, e),
        };

        let reference = self.store.reference().clone();
        let mapper = Mapper::new(
            &reference.profiles,
            &reference.blocks,
            reference.calendar.timezone(),
        );
        let actor = Actor::new(self.operator.clone(), format!("import:{name}"));
        let mut errors = ErrorSink::new(self.workspace.quarantine(), &name);
        let mut total = 0i64;
        let mut tally = Tally::default();
        let mut checked_headers = false;
        // Rows refused only because no channel applies to them.
        let mut without_channel = 0i64;
        let now = self.now;

        let mut fault = Fault::from_env();
        let mut tx = self.store.begin_import()?;
        // Reading, decoding and mapping the rows, and their search form, are done on a second
        // thread while this one writes to the database; the rows arrive here in file order.
        // The content hash (a file seen before is not imported twice) is computed on a third
        // thread meanwhile, and checked as soon as it is known: a repeated file is abandoned
        // after the first rows, and the one-pass hash no longer delays every import.
        let mut hash: Option<String> = None;
        let stop = std::thread::scope(|scope| -> Result<Option<Stopped>, PipelineError> {
            let spawn_err = |source| PipelineError::Io {
                path: path.display().to_string(),
                source,
            };
            let mut hashing = Some(
                std::thread::Builder::new()
                    .name("mcu-import-hash".into())
                    .spawn_scoped(scope, || hash_file(path))
                    .map_err(spawn_err)?,
            );
            let (send, receive) = mpsc::sync_channel::<Vec<Prepared>>(PREPARED_BATCHES);
            let mapper = &mapper;
            std::thread::Builder::new()
                .name("mcu-import-read".into())
                .spawn_scoped(scope, move || prepare_rows(rows, mapper, channel, &send))
                .map_err(spawn_err)?;
            // Takes the hash once it is ready (or, with `wait`, waits for it) and checks it.
            let mut known = |tx: &crate::store::ImportTx<'_>,
                             wait: bool|
             -> Result<Option<Stopped>, PipelineError> {
                let Some(h) = hashing.take_if(|h| wait || h.is_finished()) else {
                    return Ok(None);
                };
                match h.join() {
                    Ok(Ok(h)) => {
                        if let Some(prev) = tx.imported_file(&h)? {
                            return Ok(Some(Stopped::Repeated(prev)));
                        }
                        hash = Some(h);
                        Ok(None)
                    }
                    Ok(Err(e)) => Ok(Some(Stopped::Unreadable(e.to_string()))),
                    Err(_) => Ok(Some(Stopped::Unreadable(
                        "the hashing thread failed".into(),
                    ))),
                }
            };
            for item in receive.iter().flatten() {
                if total % 256 == 0
                    && let Some(stop) = known(&tx, false)?
                {
                    return Ok(Some(stop));
                }
                let (raw, mapped) = match item {
                    Prepared::Fatal(e) => return Ok(Some(Stopped::File(e))),
                    Prepared::Unsplit(e) => {
                        total += 1;
                        errors.push(&e, None).map_err(io_err(&errors.path))?;
                        continue;
                    }
                    Prepared::Row { raw, mapped } => (raw, mapped),
                };
                total += 1;
                if !checked_headers && matches!(format, Format::Csv | Format::Spreadsheet) {
                    checked_headers = true;
                    // The first row always comes with its cells.
                    if let Some(row) = &raw {
                        if let Err(e) = mapper.check_headers(&row.headers) {
                            return Ok(Some(Stopped::File(e)));
                        }
                        if channel.is_none() && !mapper.has_column(&row.headers, Field::Channel) {
                            return Ok(Some(Stopped::File(FileError::new(
                                "the file has no channel column and no channel was given: pass \
                                 --channel (im, pos, letter, messenger, page, phone, other) or \
                                 drop the file into its inbox sub-folder (inbox/im, inbox/pos, \
                                 inbox/letters, inbox/pages)",
                            ))));
                        }
                        let unknown = mapper.unknown_headers(&row.headers);
                        if !unknown.is_empty() {
                            report
                                .warnings
                                .push(format!("ignored columns: {}", unknown.join(", ")));
                        }
                    }
                }
                let (incoming, search_form) = match mapped {
                    Ok(a) => a,
                    Err(errs) => {
                        for e in &errs {
                            errors.push(e, raw.as_ref()).map_err(io_err(&errors.path))?;
                        }
                        errors.rows += 1;
                        continue;
                    }
                };
                let Some(ch) = incoming.channel.or(channel) else {
                    let e = RowError {
                        line: incoming.line,
                        field: "channel".into(),
                        reason: "no channel: the row names none; pass --channel or drop the file \
                                 into its inbox sub-folder (inbox/im, inbox/pos, inbox/letters, \
                                 inbox/pages)"
                            .into(),
                    };
                    errors
                        .push(&e, raw.as_ref())
                        .map_err(io_err(&errors.path))?;
                    errors.rows += 1;
                    without_channel += 1;
                    continue;
                };
                tx.queue(incoming, ch, &actor, now, search_form, &mut |o| {
                    tally.add(o)
                })?;
                fault.after_row()?;
            }
            let stop = known(&tx, true)?;
            if stop.is_none() {
                tx.flush(&mut |o| tally.add(o))?;
            }
            Ok(stop)
        })?;
        let Tally {
            inserted,
            updated,
            unchanged,
            deadline_problems,
        } = tally;
        let hash: String = match (stop, hash) {
            (None, Some(h)) => h,
            (Some(Stopped::File(e)), _) => {
                drop(tx);
                errors.discard();
                return self.fail(path, &name, move_file, report, e);
            }
            (Some(Stopped::Repeated(prev)), _) => {
                drop(tx);
                errors.discard();
                // A run killed between its commit and publishing its report left it sealed.
                report.quarantine = errors
                    .publish_sealed(&prev.hash)
                    .map_err(io_err(&errors.path))?;
                report.outcome = FileOutcome::AlreadyImported {
                    name: prev.name,
                    at: prev.imported_at,
                };
                if move_file {
                    report.moved_to = Some(self.move_to_processed(path, &name)?);
                }
                return Ok(report);
            }
            (Some(Stopped::Unreadable(e)), _) => {
                drop(tx);
                errors.discard();
                // Nothing to quarantine: the file cannot even be read (or vanished).
                report.outcome = FileOutcome::Failed {
                    reason: format!("cannot read the file: {e}"),
                };
                return Ok(report);
            }
            (None, None) => {
                drop(tx);
                errors.discard();
                report.outcome = FileOutcome::Failed {
                    reason: "cannot read the file: its hash is unknown".into(),
                };
                return Ok(report);
            }
        };
        let quarantined = errors.rows + errors.unsplit;
        if inserted + updated + unchanged == 0 {
            // Nothing imported: the file is not recorded, so that it can be imported again once
            // fixed (or with --channel); the rows' reasons stay in their report.
            drop(tx);
            let reason = if total == 0 {
                "nothing to import: the file has no rows".to_string()
            } else if without_channel == total {
                format!(
                    "nothing imported: no row names a channel ({total} rows) and none was \
                     given: pass --channel (im, pos, letter, messenger, page, phone, other) or \
                     drop the file into its inbox sub-folder (inbox/im, inbox/pos, inbox/letters, \
                     inbox/pages)"
                )
            } else {
                format!("nothing imported: all {total} rows went to quarantine")
            };
            let rows_report = errors.publish().map_err(io_err(path))?;
            let reason = match &rows_report {
                Some(p) => format!("{reason} (the reasons of each row: {p})"),
                None => reason,
            };
            return self.fail(path, &name, move_file, report, FileError::new(reason));
        }
        // The rows' report is complete and on disk before the commit, and published only after it.
        errors.seal(&hash).map_err(io_err(&errors.path))?;
        tx.finish(&ImportedFile {
            name: name.clone(),
            hash: hash.clone(),
            format: format_name(format).into(),
            channel: channel.map(|c| c.id().to_string()),
            imported_at: now,
            rows: total,
            inserted,
            updated,
            unchanged,
            quarantined,
        })?;
        if let Some(a) = attempts {
            a.clear();
        }
        fault.after_commit();
        report.quarantine = errors.publish_sealed(&hash).map_err(io_err(&errors.path))?;
        if let Some(q) = &report.quarantine {
            workspace::stamp(Path::new(q), now);
        }
        for p in deadline_problems {
            report
                .warnings
                .push(format!("saved without deadlines: {p}"));
        }
        tracing::info!(
            file = %name, rows = total, inserted, updated, unchanged, quarantined, "imported"
        );
        report.outcome = FileOutcome::Imported {
            rows: total,
            inserted,
            updated,
            unchanged,
            quarantined,
        };
        if move_file {
            report.moved_to = Some(self.move_to_processed(path, &name)?);
        }
        Ok(report)
    }

    /// Puts an unreadable file in quarantine with a `.error.txt` naming the reason.
    fn fail(
        &self,
        path: &Path,
        name: &str,
        move_file: bool,
        mut report: FileReport,
        e: FileError,
    ) -> Result<FileReport, PipelineError> {
        let q = self.workspace.quarantine();
        let dest = unique_path(&q, name);
        if move_file {
            move_file_to(path, &dest)?;
        } else {
            fs::copy(path, &dest).map_err(io_err(&dest))?;
            workspace::protect(&dest);
        }
        workspace::stamp(&dest, self.now);
        let note = dest.with_file_name(format!(
            "{}.error.txt",
            dest.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        workspace::write_file(
            &note,
            format!(
                "file: {}\nwhen: {}\nreason: {}\n",
                path.display(),
                self.now.to_rfc3339(),
                e.reason
            ),
        )
        .map_err(io_err(&note))?;
        workspace::stamp(&note, self.now);
        report.quarantine = Some(dest.display().to_string());
        // Not the reason: it may quote the file (a headerless CSV's first row is read as its
        // headers, and those are named). The reason is in the note beside the file.
        tracing::warn!(file = %name, "quarantined whole");
        report.outcome = FileOutcome::Failed { reason: e.reason };
        Ok(report)
    }

    fn move_to_processed(&self, path: &Path, name: &str) -> Result<String, PipelineError> {
        let day = self
            .now
            .with_timezone(&self.store.reference().calendar.timezone())
            .format("%Y-%m-%d")
            .to_string();
        let dir = self.workspace.processed().join(day);
        workspace::create_dir(&dir).map_err(io_err(&dir))?;
        let dest = unique_path(&dir, name);
        move_file_to(path, &dest)?;
        Ok(dest.display().to_string())
    }
}

/// A file's name, for messages and for the names of its quarantine files.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The report on a file before anything is known of it.
fn blank_report(path: &Path) -> FileReport {
    FileReport {
        file: path.display().to_string(),
        format: None,
        outcome: FileOutcome::Failed {
            reason: String::new(),
        },
        quarantine: None,
        moved_to: None,
        warnings: Vec::new(),
        triaged: None,
    }
}

/// What the rows of a file came to.
#[derive(Default)]
struct Tally {
    inserted: i64,
    updated: i64,
    unchanged: i64,
    /// Why some were saved without deadlines.
    deadline_problems: std::collections::BTreeSet<String>,
}

impl Tally {
    fn add(&mut self, o: SaveOutcome) {
        if let Some(p) = o.deadline_problem {
            self.deadline_problems.insert(p);
        }
        match o.kind {
            SaveKind::Inserted => self.inserted += 1,
            SaveKind::Updated(_) => self.updated += 1,
            SaveKind::Unchanged => self.unchanged += 1,
        }
    }
}

/// Rows handed from the reading thread to the writing one at a time (a batch ends at 256 rows or
/// once its cells reach 1 MiB), and how many such batches may wait: a few thousand rows and a few
/// MiB in flight at most, so memory stays bounded whatever the file's size.
const PREPARED_BATCH: usize = 256;
const PREPARED_BATCH_BYTES: usize = 1 << 20;
const PREPARED_BATCHES: usize = 8;

/// A row made ready for the writer.
// Nearly every item is a `Row`: boxing it to shrink the rare variants would cost an allocation
// per row.
#[allow(clippy::large_enum_variant)]
enum Prepared {
    /// The reader failed: the file goes to quarantine whole.
    Fatal(FileError),
    /// A row the reader could not split into cells.
    Unsplit(RowError),
    /// A row, mapped (with the search form of its text) or refused. Its cells come along only
    /// where the writer needs them: the first row (its headers are checked) and rows that go to
    /// quarantine.
    Row {
        raw: Option<RawRow>,
        mapped: Result<(IncomingAppeal, String), Vec<RowError>>,
    },
}

/// The reading thread: reads, maps and normalises rows, and sends them on in file order. Stops
/// when the writer hangs up (it stopped early) or after a fatal read error. A panic while reading
/// or mapping (a defect met on a malformed file) is caught and ends the file as unreadable: the
/// import is rolled back and the file quarantined, and the importer goes on.
fn prepare_rows(
    rows: readers::Rows,
    mapper: &Mapper<'_>,
    channel: Option<Channel>,
    send: &mpsc::SyncSender<Vec<Prepared>>,
) {
    let read = std::panic::AssertUnwindSafe(|| prepare_rows_unguarded(rows, mapper, channel, send));
    if std::panic::catch_unwind(read).is_err() {
        let _ = send.send(vec![Prepared::Fatal(FileError::new(
            readers::READER_FAILED,
        ))]);
    }
}

fn prepare_rows_unguarded(
    rows: readers::Rows,
    mapper: &Mapper<'_>,
    channel: Option<Channel>,
    send: &mpsc::SyncSender<Vec<Prepared>>,
) {
    let normalizer = SearchNormalizer::new();
    let mut stems = StemCache::default();
    let mut batch = Vec::with_capacity(PREPARED_BATCH);
    // The cells' bytes in the batch (its rows' mapped copies and search forms are of that order).
    let mut batch_bytes = 0usize;
    let mut first = true;
    for item in rows {
        let prepared = match item {
            Err(e) => {
                batch.push(Prepared::Fatal(e));
                let _ = send.send(batch);
                return;
            }
            Ok(ReadItem::Bad(e)) => Prepared::Unsplit(e),
            Ok(ReadItem::Row(row)) => {
                batch_bytes += row.values.iter().map(String::len).sum::<usize>();
                let mapped = mapper.map(&row).map(|a| {
                    let mut form = String::with_capacity(a.text.len());
                    normalizer.normalize_cached(&a.text, &mut form, &mut stems);
                    (a, form)
                });
                let keep = first
                    || match &mapped {
                        Ok((a, _)) => a.channel.or(channel).is_none(),
                        Err(_) => true,
                    };
                first = false;
                Prepared::Row {
                    raw: keep.then_some(row),
                    mapped,
                }
            }
        };
        batch.push(prepared);
        if batch.len() == PREPARED_BATCH || batch_bytes >= PREPARED_BATCH_BYTES {
            batch_bytes = 0;
            let full = std::mem::replace(&mut batch, Vec::with_capacity(PREPARED_BATCH));
            if send.send(full).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() {
        let _ = send.send(batch);
    }
}

/// Fault injection for the crash-safety tests: `MCU_FAULT=abort-after-rows:N` aborts the process
/// after N rows of a file are written (inside the transaction), `MCU_FAULT=abort-after-commit`
/// right after a file's transaction commits, before the file is moved. `abort()` is as abrupt as
/// `kill -9`: no unwinding, no cleanup. `MCU_FAULT=fail-after-rows:N` makes the import of a file
/// return an error after N rows instead (an import that fails without dying). Unset in normal use.
struct Fault {
    rows_left: Option<u64>,
    fail: bool,
    after_commit: bool,
}

impl Fault {
    fn from_env() -> Self {
        let v = std::env::var("MCU_FAULT").unwrap_or_default();
        let (rows, fail) = match v.strip_prefix("fail-after-rows:") {
            Some(n) => (Some(n), true),
            None => (v.strip_prefix("abort-after-rows:"), false),
        };
        Self {
            rows_left: rows.and_then(|n| n.parse().ok()),
            fail,
            after_commit: v == "abort-after-commit",
        }
    }

    fn after_row(&mut self) -> Result<(), PipelineError> {
        if let Some(n) = self.rows_left.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                if self.fail {
                    self.rows_left = None;
                    return Err(PipelineError::Store(StoreError::Invalid(
                        "injected fault (MCU_FAULT)".into(),
                    )));
                }
                std::process::abort();
            }
        }
        Ok(())
    }

    fn after_commit(&self) {
        if self.after_commit {
            std::process::abort();
        }
    }
}

/// A short name of a format, for reports.
pub fn format_name(f: Format) -> &'static str {
    match f {
        Format::Csv => "csv",
        Format::Spreadsheet => "spreadsheet",
        Format::JsonLines => "jsonl",
        Format::JsonArray => "json",
        Format::Open311 => "open311",
    }
}

/// Files waiting in the inbox and its sub-folders, oldest first. Hidden and partial files
/// (`.name`, `*.part`, `*.tmp`, `*.crdownload`) are left alone: they are still being written.
pub fn inbox_files(ws: &Workspace) -> Result<Vec<PathBuf>, PipelineError> {
    let mut found = Vec::new();
    let inbox = ws.inbox();
    let mut dirs = vec![inbox.clone()];
    let entries = fs::read_dir(&inbox).map_err(io_err(&inbox))?;
    for e in entries.flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            dirs.push(e.path());
        }
    }
    for dir in dirs {
        let entries = fs::read_dir(&dir).map_err(io_err(&dir))?;
        for e in entries.flatten() {
            let p = e.path();
            let Ok(meta) = e.metadata() else { continue };
            if !meta.is_file() || is_partial(&p) {
                continue;
            }
            let modified = meta.modified().ok();
            found.push((modified, p));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

fn is_partial(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    name.starts_with('.')
        || [".part", ".tmp", ".crdownload", ".partial"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// Why an import stopped before its commit.
enum Stopped {
    /// The file as a whole is unusable (quarantined with the reason).
    File(FileError),
    /// The same content was imported before.
    Repeated(ImportedFile),
    /// The file could not be read to hash it.
    Unreadable(String),
}

/// SHA-256 of a file's content, hex, read in chunks.
pub fn hash_file(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>())
}

/// `dir/name`, or `dir/stem-2.ext`, `dir/stem-3.ext`… if taken.
fn unique_path(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (name.to_string(), String::new()),
    };
    (2..)
        .map(|i| dir.join(format!("{stem}-{i}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

fn move_file_to(from: &Path, to: &Path) -> Result<(), PipelineError> {
    if fs::rename(from, to).is_err() {
        // Another file system: copy, make it durable, then remove the original.
        fs::copy(from, to).map_err(io_err(to))?;
        File::open(to)
            .and_then(|f| f.sync_all())
            .map_err(io_err(to))?;
        fs::remove_file(from).map_err(io_err(from))?;
    }
    // A file dropped into the inbox keeps the mode it came with (often 0644).
    workspace::protect(to);
    Ok(())
}

/// Writes bad rows to `quarantine/<file>.errors.csv` (UTF-8 with BOM, `;`, opens in Excel): one
/// line per problem with the line number, field and reason, followed by the row's own cells so
/// nothing is lost (a cell that would be a formula in Excel gets a leading `'`: `csv_cell`).
/// Created only when there is something to write.
///
/// The report appears atomically with the import's outcome: it is written to a hidden
/// `.<file>.errors.csv.part`, made durable and renamed to `.pending-<hash>.errors.csv` before the
/// commit ([`seal`](Self::seal)), and renamed to its own name after it
/// ([`publish_sealed`](Self::publish_sealed)). Killed before the commit, no report appears (the
/// next attempt writes it anew); killed after it, the next run finds the file already imported
/// and publishes the sealed report, complete.
struct ErrorSink {
    /// Where the rows are being written (the hidden `.part` file).
    path: PathBuf,
    quarantine: PathBuf,
    /// The report's own name, `<file>.errors.csv`.
    name: String,
    out: Option<csv::Writer<BufWriter<File>>>,
    header: Option<std::sync::Arc<Vec<String>>>,
    /// Rows that mapped badly.
    rows: i64,
    /// Rows the reader could not split.
    unsplit: i64,
}

impl ErrorSink {
    fn new(quarantine: PathBuf, name: &str) -> Self {
        Self {
            path: quarantine.join(format!(".{name}.errors.csv.part")),
            name: format!("{name}.errors.csv"),
            quarantine,
            out: None,
            header: None,
            rows: 0,
            unsplit: 0,
        }
    }

    fn push(&mut self, e: &RowError, row: Option<&super::RawRow>) -> io::Result<()> {
        if row.is_none() {
            self.unsplit += 1;
        }
        if self.out.is_none() {
            let mut f = BufWriter::new(workspace::create_file(&self.path)?);
            f.write_all("\u{feff}".as_bytes())?;
            self.out = Some(
                csv::WriterBuilder::new()
                    .delimiter(b';')
                    .flexible(true)
                    .from_writer(f),
            );
        }
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        let mut rec: Vec<String> = Vec::new();
        if let Some(r) = row
            && self.header.as_ref().is_none_or(|h| h != &r.headers)
        {
            // A (new) header line so the cells below can be read back.
            let mut h = vec!["line".to_string(), "field".into(), "reason".into()];
            h.extend(r.headers.iter().map(|c| csv_cell::text(c).into_owned()));
            out.write_record(&h).map_err(io::Error::other)?;
            self.header = Some(r.headers.clone());
        } else if self.header.is_none() && row.is_none() {
            out.write_record(["line", "field", "reason"])
                .map_err(io::Error::other)?;
            self.header = Some(Default::default());
        }
        // Opened in Excel: the file's own cells (and a reason quoting one) must not become
        // formulas there.
        rec.push(e.line.to_string());
        rec.push(csv_cell::text(&e.field).into_owned());
        rec.push(csv_cell::text(&e.reason).into_owned());
        if let Some(r) = row {
            rec.extend(r.values.iter().map(|c| csv_cell::text(c).into_owned()));
        }
        out.write_record(&rec).map_err(io::Error::other)
    }

    /// Drops what was written (the file is being quarantined whole instead).
    fn discard(&mut self) {
        if self.out.take().is_some() {
            let _ = fs::remove_file(&self.path);
        }
    }

    /// Flushes what was written and makes it durable; `false` when nothing was.
    fn flush_durably(&mut self) -> io::Result<bool> {
        let Some(w) = self.out.take() else {
            return Ok(false);
        };
        let file = w
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        file.sync_all()?;
        Ok(true)
    }

    fn sealed_path(&self, hash: &str) -> PathBuf {
        self.quarantine.join(format!(".pending-{hash}.errors.csv"))
    }

    /// Before the commit of the import whose content hash is `hash`: the report, complete and
    /// durable, waits under a name tied to that content.
    fn seal(&mut self, hash: &str) -> io::Result<()> {
        if self.flush_durably()? {
            fs::rename(&self.path, self.sealed_path(hash))?;
            sync_dir(&self.quarantine);
        }
        Ok(())
    }

    /// After the commit: the sealed report (if any) takes its own name. Also called for a file
    /// found already imported, whose earlier run may have been killed right after its commit.
    fn publish_sealed(&self, hash: &str) -> io::Result<Option<String>> {
        let sealed = self.sealed_path(hash);
        if !sealed.exists() {
            return Ok(None);
        }
        let dest = unique_path(&self.quarantine, &self.name);
        fs::rename(&sealed, &dest)?;
        sync_dir(&self.quarantine);
        Ok(Some(dest.display().to_string()))
    }

    /// Publishes the report at once (no import is committed: the file goes to quarantine whole,
    /// and the report says why each row was refused).
    fn publish(&mut self) -> io::Result<Option<String>> {
        if !self.flush_durably()? {
            return Ok(None);
        }
        let dest = unique_path(&self.quarantine, &self.name);
        fs::rename(&self.path, &dest)?;
        sync_dir(&self.quarantine);
        Ok(Some(dest.display().to_string()))
    }
}

/// Makes a rename in `dir` durable (best effort: not every file system syncs directories).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
