//! Watching the inbox: new files are imported as they land (notify, debounced, with a polling
//! fallback), by one process per workspace at a time (an advisory lock), on a thread of its own
//! with its own database connection. Used by the console and by `mcu watch`.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use chrono::Utc;
use notify::{RecursiveMode, Watcher};

use super::pipeline::{FileReport, Importer, inbox_files};
use super::retention::{self, PurgeReport};
use crate::workspace::{Workspace, WorkspaceError};

/// Quiet time after the last file event before importing (a file being copied keeps firing).
pub const DEBOUNCE: Duration = Duration::from_millis(250);
/// A file modified more recently than this is left for the next round (still being written).
pub const SETTLE: Duration = Duration::from_millis(300);
/// How often the inbox is looked at even without events (network file systems miss events).
pub const POLL: Duration = Duration::from_secs(2);

/// The advisory lock that makes one process the importer of a workspace's inbox.
#[derive(Debug)]
pub struct ImportLock {
    _file: File,
}

impl ImportLock {
    /// Takes the lock if no other process holds it; `Ok(None)` when another one does.
    pub fn try_acquire(ws: &Workspace) -> std::io::Result<Option<Self>> {
        let path = ws.root().join(".import.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        // Every officer's mcu opens it for writing to take the lock.
        crate::workspace::protect(&path);
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

/// What the importer thread reports.
#[derive(Debug, Clone)]
pub enum ImportNotice {
    /// Files were imported (or skipped, or quarantined).
    Imported(Vec<FileReport>),
    /// Importing failed (the database or the disk); it will be tried again.
    Failed(String),
    /// The inbox is watched by polling only (notify could not start).
    Polling(String),
    /// The retention removed old files from `processed/` and `quarantine/` (or failed to).
    Retention(PurgeReport),
    /// Appeals an earlier, interrupted run left untriaged were triaged at start.
    Triaged(super::pipeline::TriageCounts),
}

/// How often a waiting importer looks whether it was asked to stop ([`Stopper`]).
pub const STOP_CHECK: Duration = Duration::from_millis(100);

/// Runs the importer until the receiver of notices is dropped: imports what is in the inbox now,
/// then whatever lands later. Blocks the calling thread.
pub fn run_importer(
    ws: &Workspace,
    operator: &str,
    notices: &mpsc::Sender<ImportNotice>,
) -> Result<(), WorkspaceError> {
    run_importer_until(ws, operator, notices, &AtomicBool::new(false))
}

/// [`run_importer`] that also ends when `stop` is set: between two files (the one in hand is
/// finished — committed and moved, or left whole in the inbox — and its auto-triage done), or
/// while it waits for the next.
pub fn run_importer_until(
    ws: &Workspace,
    operator: &str,
    notices: &mpsc::Sender<ImportNotice>,
    stop: &AtomicBool,
) -> Result<(), WorkspaceError> {
    let mut store = ws.store()?;
    // Built once: officers' corrections of earlier days are in it; today's count from tomorrow.
    let triage = store.load_triage(Some(ws.root()))?;
    // What an interrupted run left untriaged is done first (and after each file, by the import).
    let resumed = super::triage::resume(&mut store, &triage, operator, Utc::now());
    if (resumed.appeals > 0 || resumed.failed > 0 || resumed.stopped.is_some())
        && notices.send(ImportNotice::Triaged(resumed)).is_err()
    {
        return Ok(());
    }
    let (tx, rx) = mpsc::channel::<()>();
    let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if res.is_ok() {
            let _ = tx.send(());
        }
    })
    .and_then(|mut w| w.watch(&ws.inbox(), RecursiveMode::Recursive).map(|()| w));
    let _watcher = match watcher {
        Ok(w) => Some(w),
        Err(e) => {
            if notices.send(ImportNotice::Polling(e.to_string())).is_err() {
                return Ok(());
            }
            None
        }
    };
    let mut next_poll = Instant::now();
    // The retention runs at the start, after every import, and when the day changes.
    let mut retained_on = None;
    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        // Wait for an event or the next poll, then for a quiet moment; looking at `stop` often.
        let wait = next_poll
            .saturating_duration_since(Instant::now())
            .min(STOP_CHECK);
        match rx.recv_timeout(wait) {
            Ok(()) => while rx.recv_timeout(DEBOUNCE).is_ok() {},
            Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < next_poll => continue,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                thread::sleep(wait);
                if Instant::now() < next_poll {
                    continue;
                }
            }
        }
        next_poll = Instant::now() + POLL;
        let (reports, failure) = import_settled(ws, &mut store, operator, &triage, stop);
        let imported = !reports.is_empty();
        // The files imported before a failure are reported as imported: only the failed one
        // is tried again.
        if !reports.is_empty() && notices.send(ImportNotice::Imported(reports)).is_err() {
            return Ok(());
        }
        if let Some(e) = failure
            && notices.send(ImportNotice::Failed(e)).is_err()
        {
            return Ok(());
        }
        let now = Utc::now();
        let tz = store.reference().calendar.timezone();
        let today = now.with_timezone(&tz).date_naive();
        if imported || retained_on != Some(today) {
            retained_on = Some(today);
            let retention = store.reference().settings.retention;
            let r = retention::apply_retention(ws, &retention, now, tz);
            if (r.files > 0 || !r.failed.is_empty())
                && notices.send(ImportNotice::Retention(r)).is_err()
            {
                return Ok(());
            }
        }
    }
}

/// Imports the inbox files that are no longer being written: the reports of the files done, and
/// what stopped the round (naming the file), if anything did.
fn import_settled(
    ws: &Workspace,
    store: &mut crate::store::Store,
    operator: &str,
    triage: &crate::domain::triage::Triage,
    stop: &AtomicBool,
) -> (Vec<FileReport>, Option<String>) {
    let now = SystemTime::now();
    let files = match inbox_files(ws) {
        Ok(f) => f,
        Err(e) => return (Vec::new(), Some(e.to_string())),
    };
    let ready: Vec<PathBuf> = files
        .into_iter()
        .filter(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|m| now.duration_since(m).unwrap_or_default() >= SETTLE)
        })
        .collect();
    let mut importer = Importer {
        triage: Some(triage),
        workspace: ws,
        store,
        operator: operator.to_string(),
        now: Utc::now(),
    };
    let mut out = Vec::new();
    for f in ready {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let channel = ws.channel_of_inbox_file(&f);
        match importer.import_inbox_file(&f, channel) {
            Ok(r) => out.push(r),
            Err(e) => return (out, Some(format!("{}: {e}", f.display()))),
        }
    }
    (out, None)
}

/// Starts the importer on a thread if this process gets the workspace's import lock. Returns the
/// notices' receiver, or `None` when another process already imports this inbox (this one then
/// only sees the results through the database).
pub fn spawn(
    ws: &Workspace,
    operator: &str,
) -> std::io::Result<Option<mpsc::Receiver<ImportNotice>>> {
    Ok(spawn_stoppable(ws, operator)?.map(|(rx, _)| rx))
}

/// [`spawn`], with what stops the importer cleanly when the process ends (`mcu serve` on
/// SIGTERM, a console that quits): the file in hand is finished first. A process that just
/// exits kills the thread mid-file — nothing half-imported is committed (one transaction), but
/// the file's attempt marker stays and counts as an interrupted import against it.
pub fn spawn_stoppable(
    ws: &Workspace,
    operator: &str,
) -> std::io::Result<Option<(mpsc::Receiver<ImportNotice>, Stopper)>> {
    let Some(lock) = ImportLock::try_acquire(ws)? else {
        return Ok(None);
    };
    let (tx, rx) = mpsc::channel();
    let ws = ws.clone();
    let operator = operator.to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = thread::Builder::new()
        .name("mcu-importer".into())
        .spawn(move || {
            let _lock = lock;
            if let Err(e) = run_importer_until(&ws, &operator, &tx, &flag) {
                let _ = tx.send(ImportNotice::Failed(e.to_string()));
            }
        })?;
    Ok(Some((rx, Stopper { stop, thread })))
}

/// Stops an importer started by [`spawn_stoppable`].
#[derive(Debug)]
pub struct Stopper {
    stop: Arc<AtomicBool>,
    thread: thread::JoinHandle<()>,
}

impl Stopper {
    /// Asks the importer to stop and waits at most `limit` for it: an officer who quits does not
    /// wait for a large file's import. Past the limit the process may end and cut the import
    /// off — nothing of it is committed (one transaction) and it is tried again, counted as one
    /// interrupted attempt. Whether it stopped in time.
    pub fn stop_within(self, limit: Duration) -> bool {
        self.stop.store(true, Ordering::SeqCst);
        let end = Instant::now() + limit;
        while !self.thread.is_finished() {
            if Instant::now() >= end {
                tracing::info!("the importer is still in a file; leaving it to the exit");
                return false;
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.stop();
        true
    }

    /// Asks the importer to stop and waits until it has (after the file in hand, if any).
    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        if self.thread.join().is_err() {
            tracing::warn!("the importer thread panicked");
        }
        tracing::info!("importer stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_holder_of_the_import_lock() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let first = ImportLock::try_acquire(&ws).unwrap();
        assert!(first.is_some());
        // flock locks belong to the open file description: a second open is refused.
        assert!(ImportLock::try_acquire(&ws).unwrap().is_none());
        drop(first);
        assert!(ImportLock::try_acquire(&ws).unwrap().is_some());
    }

    #[test]
    fn every_officer_may_open_the_import_lock() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let lock = ImportLock::try_acquire(&ws).unwrap();
        assert!(lock.is_some());
        let mode = std::fs::metadata(ws.root().join(".import.lock"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, crate::workspace::FILE_MODE);
    }
}
