//! An import's rows written per batch on PostgreSQL, where every statement is a round trip.
//!
//! The rows of a file are queued ([`ImportTx::queue`](super::ImportTx::queue)) and written a few
//! thousand at a time: one query finds which of them are already stored; their new appeals get
//! their ids from the sequence in one call, in file order (the ids the row-by-row path would
//! give), and go in with one `COPY` into `appeals`, their search forms with one statement; the
//! summaries and the audit trail's creation runs are buffered as for any import. The stored ones
//! are merged row by row, in file order, exactly as before (`save()`). A row repeating a new
//! appeal of the same batch first writes the batch's new appeals, then merges into the stored row
//! like any later export. So an import gives the same rows, the same history and the same audit
//! chain (its entries in the same order) as row by row, in one transaction per file.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::appeals::{
    NameIds, SaveCtx, SaveKind, SaveOutcome, WRITTEN, after_created, creation_values, derive,
    name_ids, with_written,
};
use super::{Actor, StoreError};
use crate::domain::{Appeal, Channel};
use crate::ingest::IncomingAppeal;
use crate::store::db::pg::types::put_copy_refs;
use crate::store::db::{ToValue, Transaction};

/// Rows written together (a few MiB of memory at most).
pub(crate) const BATCH_ROWS: usize = 2000;

/// One queued row of a file.
pub(crate) struct Queued {
    pub incoming: IncomingAppeal,
    pub channel: Channel,
    /// The search form of `incoming.text`.
    pub search_form: String,
}

/// The rows queued, all by the same actor at the same instant.
#[derive(Default)]
pub(crate) struct Queue {
    pub rows: Vec<Queued>,
    pub by: Option<(Actor, DateTime<Utc>)>,
}

impl Queue {
    /// True when a row by `actor` at `now` can join the queued ones.
    pub fn fits(&self, actor: &Actor, now: DateTime<Utc>) -> bool {
        self.by
            .as_ref()
            .is_none_or(|(a, t)| a == actor && *t == now)
    }
}

/// `COPY … FROM STDIN` of the new appeals: the key, the version, the timestamps, the creation
/// tags, then `WRITTEN` (as `save()`'s insert).
fn copy_sql() -> String {
    format!(
        "COPY appeals (id, channel, source_id, version, created_at, updated_at, created_tags, {}) \
         FROM STDIN",
        WRITTEN.join(", ")
    )
}

/// The stored appeals among `rows`: their ids by the row's position.
fn probe(tx: &Transaction<'_>, rows: &[Queued]) -> Result<Vec<Option<i64>>, StoreError> {
    let keys: Vec<(&str, &str)> = rows
        .iter()
        .map(|q| (q.channel.id(), q.incoming.source_id.as_str()))
        .collect();
    let json = serde_json::to_string(&keys).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let mut found = vec![None; rows.len()];
    let mut st = tx.prepare_cached(
        "SELECT k.i, a.id FROM json_array_elements(?1::text::json) WITH ORDINALITY AS k(v, i) \
         JOIN appeals a ON a.channel = k.v->>0 AND a.source_id = k.v->>1",
    )?;
    for r in st.query_map([json], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (i, id) = r?;
        if let Some(slot) = usize::try_from(i - 1).ok().and_then(|i| found.get_mut(i)) {
            *slot = Some(id);
        }
    }
    Ok(found)
}

/// Takes `n` ids from the appeals' sequence (the writer holds the municipality's write lock, so
/// nobody else takes any meanwhile); the first of them.
fn reserve_ids(tx: &Transaction<'_>, n: usize) -> Result<i64, StoreError> {
    let n = i64::try_from(n).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let last: i64 = tx.query_row(
        "SELECT setval(pg_get_serial_sequence('appeals', 'id'), \
         nextval(pg_get_serial_sequence('appeals', 'id')) + ?1 - 1)",
        [n],
        |r| r.get(0),
    )?;
    Ok(last - n + 1)
}

/// The new appeals of a batch not yet written: their `COPY` text and search forms.
#[derive(Default)]
struct NewRows {
    copy: Vec<u8>,
    search: Vec<(i64, String)>,
}

impl NewRows {
    /// Writes them (nothing when there are none).
    fn write(&mut self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        if self.search.is_empty() {
            return Ok(());
        }
        let pg = tx
            .pg()
            .ok_or_else(|| StoreError::Invalid("a batch import needs PostgreSQL".into()))?;
        pg.copy_text(&copy_sql(), &self.copy)?;
        let json =
            serde_json::to_string(&self.search).map_err(|e| StoreError::Invalid(e.to_string()))?;
        tx.prepare_cached(
            "INSERT INTO appeals_search (appeal_id, body) \
             SELECT (e->>0)::bigint, to_tsvector('russian', e->>1) \
             FROM json_array_elements(?1::text::json) e \
             ON CONFLICT (appeal_id) DO UPDATE SET body = excluded.body",
        )?
        .execute([json])?;
        self.copy.clear();
        self.search.clear();
        Ok(())
    }
}

/// What a batch needs of its import.
pub(crate) struct Ctx<'a, 't> {
    pub tx: &'a Transaction<'t>,
    pub save: SaveCtx<'a>,
    pub names: &'a NameIds,
}

/// Writes the queued rows; `known` merges one row into the stored appeal `id` as the row-by-row
/// path does; `on_saved` gets each row's outcome, in file order.
pub(crate) fn write(
    cx: &Ctx<'_, '_>,
    mut rows: Vec<Queued>,
    known: &mut dyn FnMut(i64, &Queued) -> Result<SaveOutcome, StoreError>,
    on_saved: &mut dyn FnMut(SaveOutcome),
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let stored = probe(cx.tx, &rows)?;
    // The new appeals: the first row of each key not stored.
    let mut fresh: HashMap<(Channel, String), Option<i64>> = HashMap::new();
    for (q, s) in rows.iter().zip(&stored) {
        if s.is_none() {
            fresh.insert((q.channel, q.incoming.source_id.clone()), None);
        }
    }
    let mut next = if fresh.is_empty() {
        0
    } else {
        reserve_ids(cx.tx, fresh.len())?
    };
    let mut pending = NewRows::default();
    for (q, s) in rows.iter_mut().zip(&stored) {
        let key = (q.channel, q.incoming.source_id.clone());
        let outcome = match (s, fresh.get_mut(&key)) {
            (Some(id), _) => known(*id, q)?,
            // A repeat of a new appeal of this batch: a later export of it.
            (None, Some(Some(id))) => {
                let id = *id;
                pending.write(cx.tx)?;
                known(id, q)?
            }
            (None, Some(slot)) => {
                let id = next;
                next += 1;
                *slot = Some(id);
                add_new(cx, id, q, &mut pending)?
            }
            (None, None) => {
                return Err(StoreError::Invalid(format!(
                    "import batch: the key of row {} was lost",
                    q.incoming.line
                )));
            }
        };
        on_saved(outcome);
    }
    pending.write(cx.tx)
}

/// A new appeal made from a row as `save()` makes it, its row added to the `COPY` text.
fn add_new(
    cx: &Ctx<'_, '_>,
    id: i64,
    q: &mut Queued,
    pending: &mut NewRows,
) -> Result<SaveOutcome, StoreError> {
    let inc = &q.incoming;
    let mut new = Appeal::new(
        q.channel,
        inc.source_id.clone(),
        inc.received_at,
        inc.text.clone(),
    );
    super::imports::merge(&mut new, inc, true);
    let now = cx.save.now;
    let deadline_problem = derive(cx.save.reference, None, &mut new, now);
    let ids = name_ids(cx.tx, Some(cx.names), &new, now)?;
    new.id = id;
    new.version = 1;
    let creation = creation_values(&new);
    let now_s = now.timestamp();
    with_written(cx.save.reference, &new, ids, |written| {
        let out = &mut pending.copy;
        let head: [&dyn ToValue; 7] = [
            &id,
            &new.channel.id(),
            &new.source_id,
            &new.version,
            &now_s,
            &now_s,
            &creation.0.tags,
        ];
        put_copy_refs(head.iter().chain(written.iter()).map(|v| v.to_value()), out);
    });
    after_created(cx.tx, &cx.save, &new, ids.1, &creation)?;
    pending
        .search
        .push((id, std::mem::take(&mut q.search_form)));
    Ok(SaveOutcome {
        id,
        kind: SaveKind::Inserted,
        deadline_problem,
    })
}
