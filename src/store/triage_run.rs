//! A run of auto-triage over the pending appeals ([`Store::triage_pending_with`]): what an import
//! does after each file, and `mcu classify --pending`.
//!
//! A run works in batches, one transaction each (at most [`TRIAGE_BATCH`] appeals or
//! [`TRIAGE_BATCH_TIME`] of work, so other writers wait a second at most). In a batch:
//! - the batch's appeals are read first;
//! - a worker thread computes their suggestions and similarity signatures (the model, the
//!   detectors: the costliest part, and independent of everything else) while this thread, in
//!   the appeals' order, decides each one's duplicate and repeat against the run's in-memory window
//!   ([`super::triage_window`]) and writes what auto-triage changes;
//! - nothing is written for an appeal until everything about it is decided ([`plan`], then
//!   [`apply`]), so an appeal whose suggestion or decision fails (an error, a panic of the model)
//!   is recorded with its reason and skipped without undoing anything. A batch keeps no savepoint
//!   per appeal (SQLite copies every page a savepoint touches into a statement journal): should a
//!   statement fail for one appeal (which on PostgreSQL aborts the transaction), or its writes
//!   fail, the batch is rolled back and run again with one savepoint per appeal around its plan
//!   and its writes, which undoes only that appeal's.
//!
//! The decisions are those of triaging the appeals one by one, in the same order
//! (`tests/triage_batch.rs`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use chrono::{DateTime, Utc};

use super::appeals::load;
use super::triage::{Plan, TRIAGE_BATCH, TRIAGE_BATCH_TIME, TriageFailure, TriageRun};
use super::triage::{apply, may_triage, plan};
use super::triage_window::Window;
use super::{Actor, Store, StoreError};
use crate::domain::appeal::Appeal;
use crate::domain::triage::Suggestion;
use crate::domain::triage::Triage;
use crate::domain::triage::similarity::Signature;
use crate::store::db::{Db, Transaction, params};

/// The page cache of a triage run, in KiB (`PRAGMA cache_size` takes a negative number as KiB).
const RUN_CACHE_KIB: i64 = -65_536;
/// How far the suggestion worker may run ahead of the writer (appeals).
const SUGGEST_AHEAD: usize = 64;

/// How one batch ended.
enum Batch {
    /// Nothing was pending after the cursor.
    Empty,
    Done(TriageRun),
    /// A statement or a write of one appeal's triage failed where the batch kept no savepoint
    /// per appeal: the batch was rolled back, to be run again with one.
    Retry,
}

/// A suggestion and signature from the worker, or the message of its panic.
type Suggested = Result<(Suggestion, Signature), String>;

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "triage panicked".into())
}

fn database_failure(e: &StoreError) -> bool {
    matches!(e, StoreError::Db(e) if e.is_environment())
}

impl Store {
    /// Triages every appeal not triaged yet, oldest received first (so duplicates link to the
    /// earliest), at most `limit`, [`TRIAGE_BATCH`] appeals per transaction. The import calls this
    /// after each file; `mcu watch` and the console's importer also at start.
    ///
    /// An actor with grants (`mcu classify --pending`) triages only the appeals they may triage;
    /// the others stay pending for whoever may.
    ///
    /// An appeal whose triage fails (an error, or a panic of the model) is recorded as triaged with
    /// its error ([`super::StoredSuggestion::error`]) and skipped: it never blocks the others.
    /// When the database stays locked by another writer ([`super::busy`]) or fails, the batch in
    /// hand is rolled back and the run stops with [`TriageRun::stopped`] set: the rest stays
    /// pending for the next run. `before_each` is called with each appeal's id before it is
    /// triaged (tests inject faults there; a panic in it counts as that appeal's failure).
    pub fn triage_pending_with(
        &mut self,
        t: &Triage,
        actor: &Actor,
        now: DateTime<Utc>,
        limit: usize,
        before_each: &mut dyn FnMut(i64),
    ) -> TriageRun {
        let mut run = TriageRun::default();
        let mut left = limit;
        // Where the previous batch ended (received_at, id): each batch starts there instead of
        // walking past every appeal already triaged.
        let mut after = (i64::MIN, i64::MIN);
        let mut first = true;
        // The similarity index of the run's window, in memory (see `triage_window`).
        let mut window = Window::default();
        // A batch dirties pages all over the index, the summaries and the audit trail: with
        // SQLite's default 2 MiB cache they spilled into the WAL mid-transaction and were
        // written again and again. The run's cache holds a batch's pages; restored afterwards.
        let cache: Option<i64> = self
            .conn
            .sqlite()
            .and_then(|c| c.query_row("PRAGMA cache_size", [], |r| r.get(0)).ok());
        if let Some(c) = self.conn.sqlite() {
            let _ = c.pragma_update(None, "cache_size", RUN_CACHE_KIB);
        }
        let mut careful = false;
        while left > 0 {
            if !first {
                // Between two batches, a turn for the other writers (see `busy`).
                std::thread::sleep(super::busy::TURN);
            }
            first = false;
            let n = left.min(TRIAGE_BATCH);
            let batch = self.triage_batch(
                t,
                actor,
                now,
                n,
                (&mut after, &mut window),
                before_each,
                careful,
            );
            match batch {
                Ok(Batch::Empty) => break,
                Ok(Batch::Done(batch)) => {
                    careful = false;
                    left -= batch.outcomes.len() + batch.failed.len();
                    run.outcomes.extend(batch.outcomes);
                    run.failed.extend(batch.failed);
                }
                Ok(Batch::Retry) => {
                    // Rolled back: what it added to the window is not stored.
                    window.forget();
                    careful = true;
                }
                Err(e) => {
                    window.forget();
                    tracing::warn!(error = %e, "auto-triage stopped; the rest stays pending");
                    run.stopped = Some(e.to_string());
                    break;
                }
            }
        }
        if let (Some(c), Some(db)) = (cache, self.conn.sqlite()) {
            let _ = db.pragma_update(None, "cache_size", c);
        }
        if run.stopped.is_some() || left == 0 {
            run.pending = self.triage_pending_count().unwrap_or(0);
        }
        run
    }

    /// [`triage_pending_with`](Self::triage_pending_with) without a hook.
    pub fn triage_pending(
        &mut self,
        t: &Triage,
        actor: &Actor,
        now: DateTime<Utc>,
        limit: usize,
    ) -> TriageRun {
        self.triage_pending_with(t, actor, now, limit, &mut |_| {})
    }

    /// How many appeals are not triaged yet.
    pub fn triage_pending_count(&self) -> Result<usize, StoreError> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM appeals a LEFT JOIN triage t ON t.appeal_id = a.id \
             WHERE t.appeal_id IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// One transaction of [`triage_pending_with`](Self::triage_pending_with): the next `n`
    /// pending appeals. `careful`: one savepoint per appeal (after a [`Batch::Retry`]).
    #[allow(clippy::too_many_arguments)]
    fn triage_batch(
        &mut self,
        t: &Triage,
        actor: &Actor,
        now: DateTime<Utc>,
        n: usize,
        (after, window): (&mut (i64, i64), &mut Window),
        before_each: &mut dyn FnMut(i64),
        careful: bool,
    ) -> Result<Batch, StoreError> {
        let reference = self.reference.clone();
        let reference = reference.as_ref();
        let tx = self.conn.transaction()?;
        let ids: Vec<(i64, i64)> = tx
            .prepare_cached(
                "SELECT a.id, a.received_at FROM appeals a LEFT JOIN triage t ON t.appeal_id = a.id \
                 WHERE t.appeal_id IS NULL AND (a.received_at, a.id) > (?2, ?3) \
                 ORDER BY a.received_at, a.id LIMIT ?1",
            )?
            .query_map(
                params![i64::try_from(n).unwrap_or(i64::MAX), after.0, after.1],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect::<Result<_, _>>()?;
        let (Some(&(_, first_at)), Some(&(_, last_at))) = (ids.first(), ids.last()) else {
            return Ok(Batch::Empty);
        };
        let settings = t.settings();
        let reach = settings
            .duplicates
            .window_days
            .max(settings.repeats.window_days)
            .saturating_mul(86_400);
        window.prepare(&tx, t, first_at.saturating_sub(reach), last_at)?;

        // The batch's appeals, each with whether this actor may triage it (the others are passed
        // over and stay pending for whoever may).
        let mut appeals: Vec<(i64, i64, Option<Appeal>)> = Vec::with_capacity(ids.len());
        for (id, at) in ids {
            let a = load(&tx, id)?.filter(|a| may_triage(actor, a).is_ok());
            appeals.push((id, at, a));
        }
        let todo: Vec<&Appeal> = appeals.iter().filter_map(|(_, _, a)| a.as_ref()).collect();

        let mut batch = TriageRun::default();
        let started = std::time::Instant::now();
        let mut last = *after;
        let retry = std::thread::scope(|scope| -> Result<bool, StoreError> {
            let (send, suggestions) = mpsc::sync_channel::<Suggested>(SUGGEST_AHEAD);
            let todo = &todo;
            scope.spawn(move || {
                for a in todo {
                    let r = catch_unwind(AssertUnwindSafe(|| t.suggest_appeal_signed(a)))
                        .map_err(|p| panic_message(p.as_ref()));
                    if send.send(r).is_err() {
                        // The batch ended early (its time was up): the rest waits.
                        break;
                    }
                }
            });
            for (id, at, appeal) in &appeals {
                let done = batch.outcomes.len() + batch.failed.len();
                if done > 0 && started.elapsed() >= TRIAGE_BATCH_TIME {
                    break;
                }
                last = (*at, *id);
                let Some(old) = appeal else { continue };
                let suggested = suggestions
                    .recv()
                    .unwrap_or_else(|_| Err("the suggestion worker stopped".into()));
                let w = &*window;
                let savepoint = |sql: &str| tx.execute_batch(sql).map_err(StoreError::from);
                if careful {
                    // Around the plan too: a failed statement aborts a PostgreSQL transaction
                    // until it is rolled back to a savepoint.
                    savepoint("SAVEPOINT triage_one")?;
                }
                let planned = catch_unwind(AssertUnwindSafe(|| {
                    before_each(*id);
                    suggested
                        .map_err(Failed::Reason)
                        .and_then(|s| plan(&tx, t, old.clone(), s, Some(w)).map_err(Failed::Store))
                }))
                .unwrap_or_else(|panic| Err(Failed::Reason(panic_message(panic.as_ref()))));
                // A failure of the model, the hook or the decision wrote nothing and left the
                // transaction sound: recorded and skipped. A failed statement, or anything that
                // fails while writing, needs the savepoint.
                let (written, needs_savepoint) = match planned {
                    Ok(mut p) => match write(&tx, reference, actor, now, &mut p) {
                        Ok(()) => (Ok(p), false),
                        Err(e) => (Err(e), true),
                    },
                    Err(e @ Failed::Store(_)) => (Err(e), true),
                    Err(e) => (Err(e), false),
                };
                match written {
                    Ok(p) => {
                        if careful {
                            savepoint("RELEASE triage_one")?;
                        }
                        window.add(t, p.me, &p.keys);
                        batch.outcomes.push(p.outcome);
                    }
                    Err(Failed::Store(e)) if database_failure(&e) => return Err(e),
                    Err(_) if needs_savepoint && !careful => return Ok(true),
                    Err(e) => {
                        if careful {
                            savepoint("ROLLBACK TO triage_one; RELEASE triage_one")?;
                        }
                        fail(&tx, &mut batch, *id, e.to_string(), now)?;
                    }
                }
            }
            Ok(false)
        })?;
        if retry {
            // Dropping the transaction rolls the batch back.
            return Ok(Batch::Retry);
        }
        tx.commit()?;
        window.committed(&self.conn)?;
        // One anchor for the batch, not one per appeal.
        self.anchor_head();
        *after = last;
        Ok(Batch::Done(batch))
    }
}

/// Why one appeal's triage failed.
enum Failed {
    Store(StoreError),
    Reason(String),
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failed::Store(e) => e.fmt(f),
            Failed::Reason(r) => f.write_str(r),
        }
    }
}

/// [`apply`] of one appeal's plan, a panic in it counted as a failure.
fn write(
    tx: &Transaction<'_>,
    reference: &crate::reference::Reference,
    actor: &Actor,
    now: DateTime<Utc>,
    p: &mut Plan,
) -> Result<(), Failed> {
    match catch_unwind(AssertUnwindSafe(|| apply(tx, reference, actor, now, p))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Failed::Store(e)),
        Err(panic) => Err(Failed::Reason(panic_message(panic.as_ref()))),
    }
}

/// Records one appeal's failure in the batch and in the store.
fn fail(
    tx: &Db,
    batch: &mut TriageRun,
    id: i64,
    reason: String,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tracing::warn!(appeal = id, %reason, "auto-triage failed for one appeal; skipped");
    record_failure(tx, id, &reason, now)?;
    batch.failed.push(TriageFailure {
        appeal_id: id,
        reason,
    });
    Ok(())
}

/// Records that an appeal's triage failed: a triage row with the reason and no suggestion, so the
/// appeal is no longer pending.
fn record_failure(conn: &Db, id: i64, reason: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO triage (appeal_id, block, confidence, alternatives, settlement, \
         responsible, urgent, conflict, reasons, applied, at, error) \
         VALUES (?1, '', 0, '[]', NULL, NULL, 0, 0, '{}', '[]', ?2, ?3) \
         ON CONFLICT (appeal_id) DO UPDATE SET block = '', confidence = 0, alternatives = '[]', \
         settlement = NULL, responsible = NULL, urgent = 0, conflict = 0, reasons = '{}', \
         duplicate_of = NULL, duplicate_score = NULL, repeat_of = NULL, repeat_score = NULL, \
         applied = '[]', at = excluded.at, error = excluded.error",
    )?
    .execute(params![id, now.timestamp(), reason])?;
    Ok(())
}
