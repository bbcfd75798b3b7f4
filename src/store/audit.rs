//! The audit trail: every change to an appeal, append-only and tamper-evident. Each entry carries
//! a SHA-256 over its own content and the previous entry's hash, so editing, deleting or
//! reordering any entry breaks the chain from there on; `verify` names the first broken entry.
//!
//! An import records the appeals it creates as one entry per run of consecutive ids
//! (`appeal_id` the first, `through_id` the last, field `created`): a million-row export is
//! one entry, not a million, and each appeal's history still begins with its creation.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Store, StoreError, ts};

/// The id of the entry of the import run that may have created appeal `?1` (compare its
/// `through_id` with `?1`): runs do not overlap, so the one starting last at or before the
/// appeal is the only candidate.
pub(crate) const CREATED_RUN_OF: &str = "(SELECT id FROM events INDEXED BY events_created_runs \
    WHERE through_id IS NOT NULL AND appeal_id <= ?1 ORDER BY appeal_id DESC LIMIT 1)";

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub appeal_id: i64,
    /// For the creation of a run of appeals by an import: the last of them (`appeal_id` is the
    /// first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub through_id: Option<i64>,
    pub at: DateTime<Utc>,
    pub operator: String,
    pub source: String,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub hash: String,
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Entries checked.
    pub checked: u64,
    /// The first entry whose hash does not match its content and its predecessor, if any.
    pub first_broken: Option<i64>,
}

/// The hash of an entry: over the previous hash and every field, each length-prefixed so that no
/// two different entries can give the same input. `through` (the last appeal of a run created
/// by an import) takes part only when present, so entries of one appeal hash as they always did.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev: &str,
    id: i64,
    appeal_id: i64,
    at: i64,
    operator: &str,
    source: &str,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
    through: Option<i64>,
) -> String {
    let mut h = Sha256::new();
    let mut part = |s: &[u8]| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s);
    };
    part(prev.as_bytes());
    part(&id.to_le_bytes());
    part(&appeal_id.to_le_bytes());
    part(&at.to_le_bytes());
    part(operator.as_bytes());
    part(source.as_bytes());
    part(field.as_bytes());
    for v in [old, new] {
        match v {
            Some(v) => part(format!("+{v}").as_bytes()),
            None => part(b"-"),
        }
    }
    if let Some(t) = through {
        part(b"through");
        part(&t.to_le_bytes());
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in h.finalize() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

/// The id and hash of the last entry (the chain's head), if any.
pub(crate) fn head(conn: &Connection) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id, COALESCE(hash, '') FROM events ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Appends entries for one appeal, chained to the current head. Must run inside the caller's
/// write transaction (so nobody appends in between).
pub(crate) fn append(
    conn: &Connection,
    appeal_id: i64,
    at: i64,
    operator: &str,
    source: &str,
    entries: &[(&str, Option<&str>, Option<&str>)],
) -> Result<(), StoreError> {
    append_cached(conn, None, appeal_id, at, operator, source, entries)
}

/// [`append`], with the head remembered across calls of one write transaction (an import writes
/// many entries; reading the head back each time would cost a query per row).
pub(crate) fn append_cached(
    conn: &Connection,
    cache: Option<&std::cell::RefCell<Option<(i64, String)>>>,
    appeal_id: i64,
    at: i64,
    operator: &str,
    source: &str,
    entries: &[(&str, Option<&str>, Option<&str>)],
) -> Result<(), StoreError> {
    append_entries(
        conn,
        cache,
        (appeal_id, None),
        at,
        operator,
        source,
        entries,
    )
}

/// Records that an import created the appeals `first..=last` (one entry, field `created`).
pub(crate) fn append_created(
    conn: &Connection,
    cache: Option<&std::cell::RefCell<Option<(i64, String)>>>,
    (first, last): (i64, i64),
    at: i64,
    operator: &str,
    source: &str,
) -> Result<(), StoreError> {
    let through = (last != first).then_some(last);
    append_entries(
        conn,
        cache,
        (first, through),
        at,
        operator,
        source,
        &[("created", None, Some(source))],
    )
}

fn append_entries(
    conn: &Connection,
    cache: Option<&std::cell::RefCell<Option<(i64, String)>>>,
    (appeal_id, through): (i64, Option<i64>),
    at: i64,
    operator: &str,
    source: &str,
    entries: &[(&str, Option<&str>, Option<&str>)],
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let cached = cache.and_then(|c| c.borrow_mut().take());
    let (mut id, mut prev) = match cached {
        Some(h) => h,
        None => head(conn)?.unwrap_or((0, String::new())),
    };
    let mut ins = conn.prepare_cached(
        "INSERT INTO events (id, appeal_id, at, operator, source, field, old, new, hash, through_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (field, old, new) in entries {
        id += 1;
        let hash = entry_hash(
            &prev, id, appeal_id, at, operator, source, field, *old, *new, through,
        );
        ins.execute(params![
            id, appeal_id, at, operator, source, field, old, new, hash, through
        ])?;
        prev = hash;
    }
    if let Some(c) = cache {
        *c.borrow_mut() = Some((id, prev));
    }
    Ok(())
}

/// Gives a hash to entries written before the chain existed (once, after the migration).
pub(crate) fn seal(conn: &Connection) -> Result<(), StoreError> {
    let first: Option<i64> = conn
        .query_row("SELECT MIN(id) FROM events WHERE hash IS NULL", [], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    let Some(first) = first else { return Ok(()) };
    let mut prev: String = conn
        .query_row(
            "SELECT COALESCE(hash, '') FROM events WHERE id < ?1 ORDER BY id DESC LIMIT 1",
            [first],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default();
    let tx = conn.unchecked_transaction()?;
    {
        let mut st = tx.prepare(
            "SELECT id, appeal_id, at, operator, source, field, old, new, through_id FROM events \
             WHERE id >= ?1 ORDER BY id",
        )?;
        let mut up = tx.prepare("UPDATE events SET hash = ?2 WHERE id = ?1")?;
        let mut rows = st.query([first])?;
        while let Some(r) = rows.next()? {
            let (id, h) = row_hash(&prev, r)?;
            up.execute(params![id, h])?;
            prev = h;
        }
    }
    tx.commit()?;
    Ok(())
}

/// The hash a stored entry should have, read from a row of
/// `id, appeal_id, at, operator, source, field, old, new, through_id`.
fn row_hash(prev: &str, r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String)> {
    let (id, appeal, at): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
    let (op, src, field): (String, String, String) = (r.get(3)?, r.get(4)?, r.get(5)?);
    let (old, new): (Option<String>, Option<String>) = (r.get(6)?, r.get(7)?);
    let through: Option<i64> = r.get(8)?;
    let h = entry_hash(
        prev,
        id,
        appeal,
        at,
        &op,
        &src,
        &field,
        old.as_deref(),
        new.as_deref(),
        through,
    );
    Ok((id, h))
}

/// A filter of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub appeal: Option<i64>,
    pub operator: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<usize>,
}

impl Store {
    /// Walks the whole chain and names the first entry that does not match.
    pub fn verify_audit(&self) -> Result<Verification, StoreError> {
        let mut st = self.conn().prepare(
            "SELECT id, appeal_id, at, operator, source, field, old, new, through_id, hash \
             FROM events ORDER BY id",
        )?;
        let mut rows = st.query([])?;
        let mut prev = String::new();
        let mut checked = 0;
        while let Some(r) = rows.next()? {
            checked += 1;
            let stored: Option<String> = r.get(9)?;
            let (id, h) = row_hash(&prev, r)?;
            if stored.as_deref() != Some(h.as_str()) {
                return Ok(Verification {
                    checked,
                    first_broken: Some(id),
                });
            }
            prev = h;
        }
        Ok(Verification {
            checked,
            first_broken: None,
        })
    }

    /// The audit log, oldest first.
    pub fn audit_log(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql =
            "SELECT id, appeal_id, at, operator, source, field, old, new, COALESCE(hash, ''), \
             through_id FROM events WHERE 1 = 1"
                .to_string();
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(a) = f.appeal {
            // Its own entries, and the creation of the run it was imported in.
            sql.push_str(&format!(
                " AND (appeal_id = ?1 OR (id = {CREATED_RUN_OF} AND through_id >= ?1))"
            ));
            args.push(a.into());
        }
        if let Some(o) = &f.operator {
            sql.push_str(" AND operator = ?");
            args.push(o.clone().into());
        }
        if let Some(t) = f.from {
            sql.push_str(" AND at >= ?");
            args.push(t.timestamp().into());
        }
        if let Some(t) = f.to {
            sql.push_str(" AND at < ?");
            args.push(t.timestamp().into());
        }
        sql.push_str(" ORDER BY id");
        if let Some(n) = f.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let mut st = self.conn().prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args), |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                appeal_id: r.get(1)?,
                at: ts(r.get(2)?),
                operator: r.get(3)?,
                source: r.get(4)?,
                field: r.get(5)?,
                old: r.get(6)?,
                new: r.get(7)?,
                hash: r.get(8)?,
                through_id: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
