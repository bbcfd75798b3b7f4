//! Imports: one transaction per file, the record of imported files, and how an incoming record is
//! merged into a stored appeal.

use crate::store::db::{Db, DbResult, Engine, OptionalExtension, Row, Transaction, params};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::appeals::{
    APPEAL_COLUMNS, APPEAL_FROM, NameIds, SaveCtx, SaveOutcome, appeal_from_row, save,
};
use super::import_batch::{self, BATCH_ROWS, Queue, Queued};
use super::{Actor, Store, StoreError, ts};
use crate::domain::text::SearchNormalizer;
use crate::domain::{Appeal, Channel, Status};
use crate::ingest::IncomingAppeal;
use crate::reference::Reference;

/// The record of one imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedFile {
    pub name: String,
    /// SHA-256 of the content, hex.
    pub hash: String,
    pub format: String,
    pub channel: Option<String>,
    pub imported_at: DateTime<Utc>,
    pub rows: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub quarantined: i64,
}

fn imported_from_row(r: &Row<'_>) -> DbResult<ImportedFile> {
    Ok(ImportedFile {
        name: r.get(0)?,
        hash: r.get(1)?,
        format: r.get(2)?,
        channel: r.get(3)?,
        imported_at: ts(r.get(4)?),
        rows: r.get(5)?,
        inserted: r.get(6)?,
        updated: r.get(7)?,
        unchanged: r.get(8)?,
        quarantined: r.get(9)?,
    })
}

const IMPORTED_COLUMNS: &str =
    "name, hash, format, channel, imported_at, rows, inserted, updated, unchanged, quarantined";

impl Store {
    /// The earlier import of a file with this content hash, if any.
    pub fn imported_file(&self, hash: &str) -> Result<Option<ImportedFile>, StoreError> {
        imported_file(self.conn(), hash)
    }

    /// The connection's `synchronous` level (1 = NORMAL, the store's; 2 = FULL, an import's).
    pub fn synchronous(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))?)
    }

    /// The most recent import.
    pub fn last_import(&self) -> Result<Option<ImportedFile>, StoreError> {
        let sql = format!("SELECT {IMPORTED_COLUMNS} FROM imported_files ORDER BY id DESC LIMIT 1");
        Ok(self
            .conn()
            .query_row(&sql, [], imported_from_row)
            .optional()?)
    }

    /// Starts importing one file: everything until [`ImportTx::finish`] is one transaction, so a
    /// crash leaves no half-imported file.
    ///
    /// The transaction runs with `synchronous=FULL` (the connection's level is restored to
    /// `NORMAL` when it ends): its commit is on disk once `finish` returns, so a power cut cannot
    /// roll back an import whose file already left the inbox. In WAL mode that is one sync of the
    /// log per file; the level cannot change inside a transaction, hence it is set before.
    pub fn begin_import(&mut self) -> Result<ImportTx<'_>, StoreError> {
        let reference = self.reference.clone();
        let conn: &Db = &self.conn;
        let sync = SyncFull::new(conn)?;
        let tx = conn.transaction()?;
        Ok(ImportTx {
            tx,
            _sync: sync,
            reference,
            normalizer: SearchNormalizer::new(),
            names: NameIds::default(),
            anchor: self.anchor.as_ref(),
            queue: Queue::default(),
        })
    }
}

fn imported_file(conn: &Db, hash: &str) -> Result<Option<ImportedFile>, StoreError> {
    let sql = format!("SELECT {IMPORTED_COLUMNS} FROM imported_files WHERE hash = ?1");
    Ok(conn.query_row(&sql, [hash], imported_from_row).optional()?)
}

/// `synchronous=FULL` on a connection while it lives, `NORMAL` (the store's level) after.
struct SyncFull<'a>(&'a Db);

impl<'a> SyncFull<'a> {
    fn new(conn: &'a Db) -> Result<Self, StoreError> {
        if let Some(c) = conn.sqlite() {
            c.pragma_update(None, "synchronous", "FULL")?;
        }
        Ok(Self(conn))
    }
}

impl Drop for SyncFull<'_> {
    fn drop(&mut self) {
        // After the transaction ended (fields drop in order: the transaction first).
        if let Some(c) = self.0.sqlite() {
            let _ = c.pragma_update(None, "synchronous", "NORMAL");
        }
    }
}

/// An import in progress (one transaction).
pub struct ImportTx<'a> {
    tx: Transaction<'a>,
    /// Declared after `tx`: restores the level once the transaction is over.
    _sync: SyncFull<'a>,
    reference: Arc<Reference>,
    normalizer: SearchNormalizer,
    names: NameIds,
    anchor: Option<&'a super::audit::anchor::Anchor>,
    /// Rows waiting to be written with the next batch (PostgreSQL: [`import_batch`]).
    queue: Queue,
}

impl ImportTx<'_> {
    /// Inserts a new appeal or merges a later export of a known one, recording what changed.
    /// `channel` is the record's own channel or the file's.
    pub fn upsert(
        &mut self,
        incoming: &IncomingAppeal,
        channel: Channel,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<SaveOutcome, StoreError> {
        self.upsert_with_search_form(incoming, channel, actor, now, None)
    }

    /// [`upsert`](Self::upsert) with the search form of `incoming.text`
    /// ([`SearchNormalizer::normalize`]) already computed, e.g. on the thread that reads the file.
    /// Rows queued before ([`queue`](Self::queue)) are written first.
    pub fn upsert_with_search_form(
        &mut self,
        incoming: &IncomingAppeal,
        channel: Channel,
        actor: &Actor,
        now: DateTime<Utc>,
        search_form: Option<&str>,
    ) -> Result<SaveOutcome, StoreError> {
        self.flush(&mut |_| {})?;
        // A probe of the unique index first: most rows of a big export are new, and reading the
        // whole stored row (with its joins) is only needed for the others.
        let known: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM appeals WHERE channel = ?1 AND source_id = ?2")?
            .query_row(params![channel.id(), incoming.source_id], |r| r.get(0))
            .optional()?;
        self.merge_into(known, incoming, channel, actor, now, search_form)
    }

    /// Adds a row of a file to the import. On SQLite it is written at once; on PostgreSQL, where
    /// each statement is a round trip, it waits for the next batch of rows ([`import_batch`]:
    /// the new appeals go in with `COPY`), with the same result. `on_saved` gets the outcome of
    /// each row this call wrote, in file order; [`flush`](Self::flush) writes the rest.
    pub fn queue(
        &mut self,
        incoming: IncomingAppeal,
        channel: Channel,
        actor: &Actor,
        now: DateTime<Utc>,
        search_form: String,
        on_saved: &mut dyn FnMut(SaveOutcome),
    ) -> Result<(), StoreError> {
        if self.tx.engine() == Engine::Sqlite {
            let outcome =
                self.upsert_with_search_form(&incoming, channel, actor, now, Some(&search_form))?;
            on_saved(outcome);
            return Ok(());
        }
        if !self.queue.fits(actor, now) {
            self.flush(on_saved)?;
        }
        self.queue.by.get_or_insert_with(|| (actor.clone(), now));
        self.queue.rows.push(Queued {
            incoming,
            channel,
            search_form,
        });
        if self.queue.rows.len() >= BATCH_ROWS {
            self.flush(on_saved)?;
        }
        Ok(())
    }

    /// Writes the queued rows ([`queue`](Self::queue)); `on_saved` gets their outcomes in file
    /// order.
    pub fn flush(&mut self, on_saved: &mut dyn FnMut(SaveOutcome)) -> Result<(), StoreError> {
        let Queue { rows, by } = std::mem::take(&mut self.queue);
        let Some((actor, now)) = by else {
            return Ok(());
        };
        let cx = import_batch::Ctx {
            tx: &self.tx,
            save: SaveCtx {
                reference: &self.reference,
                normalizer: &self.normalizer,
                actor: &actor,
                now,
                names: Some(&self.names),
            },
            names: &self.names,
        };
        let mut known = |id: i64, q: &Queued| {
            self.merge_into(
                Some(id),
                &q.incoming,
                q.channel,
                &actor,
                now,
                Some(&q.search_form),
            )
        };
        import_batch::write(&cx, rows, &mut known, on_saved)
    }

    /// Saves `incoming` as a new appeal (`known` none) or merged into the stored appeal `known`.
    fn merge_into(
        &self,
        known: Option<i64>,
        incoming: &IncomingAppeal,
        channel: Channel,
        actor: &Actor,
        now: DateTime<Utc>,
        search_form: Option<&str>,
    ) -> Result<SaveOutcome, StoreError> {
        let old = match known {
            Some(id) => {
                let sql = format!("SELECT {APPEAL_COLUMNS} FROM {APPEAL_FROM} WHERE a.id = ?1");
                Some(
                    self.tx
                        .prepare_cached(&sql)?
                        .query_row([id], appeal_from_row)?,
                )
            }
            None => None,
        };
        let mut new = match &old {
            Some(o) => o.clone(),
            None => Appeal::new(
                channel,
                incoming.source_id.clone(),
                incoming.received_at,
                incoming.text.clone(),
            ),
        };
        merge(&mut new, incoming, old.is_none());
        let ctx = SaveCtx {
            reference: &self.reference,
            normalizer: &self.normalizer,
            actor,
            now,
            names: Some(&self.names),
        };
        save(&self.tx, &ctx, old.as_ref(), &mut new, &[], search_form)
    }

    /// The `synchronous` level this transaction will commit with (2 = FULL).
    pub fn synchronous(&self) -> Result<i64, StoreError> {
        Ok(self.tx.query_row("PRAGMA synchronous", [], |r| r.get(0))?)
    }

    /// The file already imported with this content hash, if any (seen from this transaction).
    pub fn imported_file(&self, hash: &str) -> Result<Option<ImportedFile>, StoreError> {
        imported_file(&self.tx, hash)
    }

    /// The next number of the counter `name` (1, 2, …), taken in this transaction: a number
    /// once committed is never given again (the counter only grows, even when appeals go).
    pub fn next_number(&self, name: &str) -> Result<i64, StoreError> {
        Ok(self.tx.query_row(
            "INSERT INTO source_counters (name, value) VALUES (?1, 1) \
             ON CONFLICT (name) DO UPDATE SET value = source_counters.value + 1 RETURNING value",
            [name],
            |r| r.get(0),
        )?)
    }

    /// Whether an appeal of `channel` with this source id exists (seen from this transaction).
    pub fn has_source_id(&self, channel: Channel, source_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .tx
            .prepare_cached("SELECT 1 FROM appeals WHERE channel = ?1 AND source_id = ?2")?
            .query_row(params![channel.id(), source_id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Commits everything without recording a file: for appeals that come from no appeal file
    /// (taken by hand, the comments of a vote), which are still created and audited like
    /// imported ones.
    pub fn commit(mut self) -> Result<(), StoreError> {
        self.flush(&mut |_| {})?;
        self.names.record_created(&self.tx)?;
        self.names.aggregates.borrow_mut().flush(&self.tx)?;
        self.commit_anchored()
    }

    /// Records the file and commits everything.
    /// Rows still queued are written first ([`flush`](Self::flush) them before, for their
    /// outcomes).
    pub fn finish(mut self, file: &ImportedFile) -> Result<(), StoreError> {
        self.flush(&mut |_| {})?;
        self.names.record_created(&self.tx)?;
        self.names.aggregates.borrow_mut().flush(&self.tx)?;
        self.tx.execute(
            "INSERT INTO imported_files (name, hash, format, channel, imported_at, rows, inserted, \
             updated, unchanged, quarantined) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                file.name,
                file.hash,
                file.format,
                file.channel,
                file.imported_at.timestamp(),
                file.rows,
                file.inserted,
                file.updated,
                file.unchanged,
                file.quarantined
            ],
        )?;
        self.commit_anchored()
    }

    /// Commits and anchors the audit head this transaction leaves.
    fn commit_anchored(self) -> Result<(), StoreError> {
        // The head this file leaves, anchored once it is committed.
        let pending = match self.anchor {
            Some(a) => a.prepare(&self.tx)?,
            None => None,
        };
        self.tx.commit()?;
        if let (Some(a), Some(p)) = (self.anchor, pending)
            && let Err(e) = a.write(p)
        {
            tracing::warn!(anchor = %a.name(), error = %e, "could not anchor the audit trail");
        }
        Ok(())
    }
}

/// Merges what a source file says into an appeal. The source owns what it reports (text, dates,
/// recipient, status, answer, rating…): a value it gives replaces the stored one, an absent value
/// leaves it. The МЦУ's own judgements (block, answer quality) are only filled when empty, and the
/// urgent/conflict marks are only raised, never cleared, by an import. A source reporting an
/// answered appeal open again reopens it (`save()`, `Appeal::reopen`).
pub(super) fn merge(a: &mut Appeal, inc: &IncomingAppeal, is_new: bool) {
    fn take<T: Clone>(dst: &mut Option<T>, src: &Option<T>) {
        if src.is_some() {
            dst.clone_from(src);
        }
    }
    // An answer the source still reports from before the appeal was reopened belongs to the
    // earlier term (the history keeps it): neither it, its grade or rating come back, nor does
    // it close the appeal again.
    let stale = inc.answered_at.is_some_and(|t| a.before_reopening(t));
    a.received_at = inc.received_at;
    a.text.clone_from(&inc.text);
    take(&mut a.author, &inc.author);
    take(&mut a.contact, &inc.contact);
    take(&mut a.settlement, &inc.settlement);
    take(&mut a.address, &inc.address);
    take(&mut a.url, &inc.url);
    take(&mut a.category, &inc.category);
    if let Some(f) = inc.fz59 {
        a.fz59 = f;
    }
    if a.block.is_none() {
        a.block.clone_from(&inc.block);
    }
    if a.quality.is_none() && !stale {
        a.quality = inc.quality;
    }
    take(&mut a.responsible, &inc.responsible);
    if inc.urgent == Some(true) {
        a.urgent = true;
    }
    if inc.conflict == Some(true) {
        a.conflict = true;
    }
    take(&mut a.first_response_at, &inc.first_response_at);
    if !stale {
        take(&mut a.answered_at, &inc.answered_at);
        take(&mut a.rating, &inc.rating);
    }
    if inc.lat.is_some() && inc.lon.is_some() {
        a.lat = inc.lat;
        a.lon = inc.lon;
    }
    if let Some(s) = inc.status {
        if !stale || s.is_open() {
            a.status = s;
        }
    } else if a.answered_at.is_some() && a.status.is_open() {
        a.status = Status::Answered;
    } else if is_new && a.responsible.is_some() {
        a.status = Status::Assigned;
    }
    if a.answered_at.is_some() && a.first_response_at.is_none() {
        a.first_response_at = a.answered_at;
    }
    // The source's answer text is the interim answer while the appeal still waits for its final
    // one (open, with a first response and no answer time: as the interim answers' migration
    // reads the older data), else the final answer.
    if !stale && let Some(text) = &inc.answer {
        if a.status.is_open() && a.answered_at.is_none() && a.first_response_at.is_some() {
            a.interim_answer = Some(text.clone());
        } else {
            a.answer = Some(text.clone());
        }
    }
}
