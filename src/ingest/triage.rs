//! Auto-triage after import, and its resumption.
//!
//! A file's appeals are committed first and triaged after ([`Store::triage_pending_with`], up to a
//! few thousand appeals per transaction), so a crash or a kill during triage loses nothing: the
//! appeals stay pending. Every path that imports resumes them — every
//! [`Importer::import_file`] (a file skipped as already imported included), `mcu watch` and the
//! console's importer at start ([`resume`]) and after each file. A failure of triage never makes
//! an import fail: the file is committed, and the report says how many appeals still wait
//! ([`TriageCounts::pending`]) and why ([`TriageCounts::stopped`]).

use std::path::Path;

use chrono::{DateTime, Utc};

use super::pipeline::{FileReport, Importer, PipelineError, TriageCounts};
use crate::domain::Channel;
use crate::domain::triage::Triage;
use crate::store::{AUTO_TRIAGE_SOURCE, Actor, Store, TriageRun};

impl Importer<'_> {
    /// Imports one file, then (with [`Importer::triage`]) triages every pending appeal — the
    /// file's own and any an earlier, interrupted run left. `channel` applies to rows that do not
    /// name theirs. With `move_file` the file leaves its folder once committed (the inbox);
    /// otherwise it is left where it is.
    pub fn import_file(
        &mut self,
        path: &Path,
        channel: Option<Channel>,
        move_file: bool,
    ) -> Result<FileReport, PipelineError> {
        let mut report = self.import_file_untriaged(path, channel, move_file)?;
        if let Some(t) = self.triage {
            report.triaged = Some(resume(self.store, t, &self.operator, self.now));
        }
        Ok(report)
    }

    /// [`Importer::import_file`] for a file of the inbox, guarded against a file that kills or
    /// breaks the importer (see `import_inbox_file_untriaged`), then the same triage.
    pub fn import_inbox_file(
        &mut self,
        path: &Path,
        channel: Option<Channel>,
    ) -> Result<FileReport, PipelineError> {
        let mut report = self.import_inbox_file_untriaged(path, channel)?;
        if let Some(t) = self.triage {
            report.triaged = Some(resume(self.store, t, &self.operator, self.now));
        }
        Ok(report)
    }
}

/// Triages every pending appeal, as the operator `operator` with source
/// [`AUTO_TRIAGE_SOURCE`]. Never fails: what could not be done is in the counts.
pub fn resume(store: &mut Store, t: &Triage, operator: &str, now: DateTime<Utc>) -> TriageCounts {
    let actor = Actor::new(operator, AUTO_TRIAGE_SOURCE);
    let mut fault = Fault::from_env();
    fault.gate();
    let run = store.triage_pending_with(t, &actor, now, usize::MAX, &mut |_| fault.before_appeal());
    counts(&run)
}

/// The counts of a run.
pub fn counts(run: &TriageRun) -> TriageCounts {
    TriageCounts {
        appeals: run.outcomes.len(),
        blocks_set: run.blocks_set(),
        failed: run.failed.len(),
        pending: run.pending,
        stopped: run.stopped.clone(),
    }
}

/// Fault injection for the crash and concurrency tests (`tests/crash_triage.rs`,
/// `tests/concurrent_writers.rs`): `MCU_FAULT=abort-in-triage:N` aborts the process (as abruptly
/// as `kill -9`) just before the N-th appeal of a triage run is triaged;
/// `MCU_FAULT=panic-in-triage:N` makes the triage of the N-th appeal panic;
/// `MCU_TRIAGE_GATE=DIR` makes a triage run, before it starts, create `DIR/triage-ready` and wait
/// for `DIR/triage-go` (so a test can take the write lock exactly then). Unset in normal use.
pub struct Fault {
    abort_at: Option<u64>,
    panic_at: Option<u64>,
    gate: Option<std::path::PathBuf>,
    seen: u64,
}

impl Fault {
    /// Reads `MCU_FAULT`.
    pub fn from_env() -> Self {
        let v = std::env::var("MCU_FAULT").unwrap_or_default();
        let n = |prefix: &str| v.strip_prefix(prefix).and_then(|n| n.parse().ok());
        Self {
            abort_at: n("abort-in-triage:"),
            panic_at: n("panic-in-triage:"),
            gate: std::env::var_os("MCU_TRIAGE_GATE").map(Into::into),
            seen: 0,
        }
    }

    /// With `MCU_TRIAGE_GATE`: announces the run and waits until the test lets it go.
    pub fn gate(&self) {
        let Some(dir) = &self.gate else { return };
        let _ = std::fs::write(dir.join("triage-ready"), b"");
        while !dir.join("triage-go").exists() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Called before each appeal is triaged.
    pub fn before_appeal(&mut self) {
        self.seen += 1;
        if self.abort_at == Some(self.seen) {
            std::process::abort();
        }
        if self.panic_at == Some(self.seen) {
            panic!("injected fault: panic-in-triage:{}", self.seen);
        }
    }
}
