//! The audit trail: every change to an appeal, append-only and tamper-evident. Each entry carries
//! a SHA-256 over its own content and the previous entry's hash, so editing, deleting or
//! reordering any entry breaks the chain from there on; `verify` names the first broken entry.
//!
//! The registers of the decree (roadmaps, official pages, votes, templates…) write into the same
//! chain: an entry names either an appeal or a register's entry (`register`, `entry_id`), so one
//! head and one anchor cover everything the МЦУ changed.
//!
//! An import records the appeals it creates as one entry per run of consecutive ids
//! (`appeal_id` the first, `through_id` the last, field `created`): a million-row export is
//! one entry, not a million, and each appeal's history still begins with its creation.

use crate::store::db::pages::Pages;
use crate::store::db::{Db, DbResult, OptionalExtension, Row, params};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Store, StoreError, ts};

pub(crate) mod anchor;
pub(crate) mod replay;

pub use anchor::AnchorReport;
pub use replay::AppealReport;

/// The id of the entry of the import run that may have created appeal `?1` (compare its
/// `through_id` with `?1`): runs do not overlap, so the one starting last at or before the
/// appeal is the only candidate.
pub(crate) const CREATED_RUN_OF: &str = "(SELECT id FROM events INDEXED BY events_created_runs \
    WHERE through_id IS NOT NULL AND appeal_id <= ?1 ORDER BY appeal_id DESC LIMIT 1)";

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// The appeal changed (none for a register's entry).
    pub appeal_id: Option<i64>,
    /// The register and entry changed (none for an appeal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub register: Option<Subject>,
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

/// A register's entry an audit entry is about: `roadmap` 3, `page` 12…
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    pub register: String,
    pub entry_id: i64,
}

/// The chain's head: how many entries, the last one's id and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    pub count: u64,
    pub last_id: i64,
    pub hash: String,
}

impl Head {
    /// `HASH:COUNT`, what `mcu audit verify --head` takes back.
    pub fn token(&self) -> String {
        format!("{}:{}", self.hash, self.count)
    }
}

/// A head kept outside the workspace (`HASH:COUNT`), to verify the trail against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptHead {
    pub hash: String,
    pub count: u64,
}

impl std::str::FromStr for KeptHead {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("«{s}» is not a head: expected HASH:COUNT, as `mcu audit head` prints");
        let (hash, count) = s.trim().rsplit_once(':').ok_or_else(bad)?;
        let count: u64 = count.parse().map_err(|_| bad())?;
        let ok = if count == 0 {
            hash.is_empty()
        } else {
            hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
        };
        if !ok {
            return Err(bad());
        }
        Ok(Self {
            hash: hash.to_ascii_lowercase(),
            count,
        })
    }
}

/// Something a verification found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `entry` (the chain), `anchor` (the anchor file), `head` (the head kept elsewhere),
    /// `appeal` (an appeal that disagrees with its history).
    pub kind: &'static str,
    /// The entry concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<i64>,
    /// The appeal concerned: its number…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appeal: Option<i64>,
    /// …and `channel:id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appeal_key: Option<String>,
    /// The field that differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Whether nothing was found wrong.
    pub intact: bool,
    /// Entries checked.
    pub checked: u64,
    /// The first entry whose hash does not match its content and its predecessor, if any.
    pub first_broken: Option<i64>,
    /// The head of the chain as stored.
    pub head: Option<Head>,
    /// The anchor file (none for a store without one, e.g. in memory).
    pub anchor: Option<anchor::AnchorReport>,
    /// The appeals replayed against their history.
    pub appeals: replay::AppealReport,
    /// What was found wrong, one per kind at most: the first of each.
    pub problems: Vec<Problem>,
}

/// The hash of an appeal's entry: over the previous hash and every field, each length-prefixed so
/// that no two different entries can give the same input. `through` (the last appeal of a run
/// created by an import) and `digest` (what a creation entry's appeals were created with) take
/// part only when present, so other entries hash as they always did.
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
    digest: Option<&str>,
) -> String {
    hash_entry(
        prev, id, appeal_id, None, at, operator, source, field, old, new, through, digest,
    )
}

/// The hash of a register entry's audit entry: as [`entry_hash`] with appeal 0, and the register
/// and the entry's id after the values.
#[allow(clippy::too_many_arguments)]
pub fn register_entry_hash(
    prev: &str,
    id: i64,
    subject: (&str, i64),
    at: i64,
    operator: &str,
    source: &str,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> String {
    hash_entry(
        prev,
        id,
        0,
        Some(subject),
        at,
        operator,
        source,
        field,
        old,
        new,
        None,
        None,
    )
}

#[allow(clippy::too_many_arguments)]
fn hash_entry(
    prev: &str,
    id: i64,
    appeal_id: i64,
    subject: Option<(&str, i64)>,
    at: i64,
    operator: &str,
    source: &str,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
    through: Option<i64>,
    digest: Option<&str>,
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
    if let Some(d) = digest {
        part(b"digest");
        part(d.as_bytes());
    }
    if let Some((register, entry)) = subject {
        part(b"register");
        part(register.as_bytes());
        part(&entry.to_le_bytes());
    }
    hex(&h.finalize())
}

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

/// The id and hash of the last entry (the chain's head), if any.
pub(crate) fn head(conn: &Db) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id, COALESCE(hash, '') FROM events ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Appends entries for one appeal, chained to the current head. Must run inside the caller's
/// write transaction (so nobody appends in between).
pub(crate) fn append(
    conn: &Db,
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
    conn: &Db,
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
        (appeal_id, None, None),
        at,
        operator,
        source,
        entries,
    )
}

/// Records that the appeals `first..=last` were created (one entry, field `created`), with the
/// digest of what they were created with ([`replay::Creation`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn append_created(
    conn: &Db,
    cache: Option<&std::cell::RefCell<Option<(i64, String)>>>,
    (first, last): (i64, i64),
    digest: &str,
    at: i64,
    operator: &str,
    source: &str,
) -> Result<(), StoreError> {
    let through = (last != first).then_some(last);
    append_entries(
        conn,
        cache,
        (first, through, Some(digest)),
        at,
        operator,
        source,
        &[("created", None, Some(source))],
    )
}

/// Appends entries about one entry of a register (`roadmap`, `page`…), chained to the current
/// head. Must run inside the caller's write transaction, like [`append`].
pub(crate) fn append_register(
    conn: &Db,
    (register, entry_id): (&str, i64),
    at: i64,
    actor: &super::Actor,
    entries: &[(&str, Option<&str>, Option<&str>)],
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let (mut id, mut prev) = head(conn)?.unwrap_or((0, String::new()));
    let mut ins = conn.prepare_cached(
        "INSERT INTO events (id, register, entry_id, at, operator, source, field, old, new, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (field, old, new) in entries {
        id += 1;
        let hash = register_entry_hash(
            &prev,
            id,
            (register, entry_id),
            at,
            &actor.operator,
            &actor.source,
            field,
            *old,
            *new,
        );
        ins.execute(params![
            id,
            register,
            entry_id,
            at,
            actor.operator,
            actor.source,
            field,
            old,
            new,
            hash
        ])?;
        prev = hash;
    }
    Ok(())
}

fn append_entries(
    conn: &Db,
    cache: Option<&std::cell::RefCell<Option<(i64, String)>>>,
    (appeal_id, through, digest): (i64, Option<i64>, Option<&str>),
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
        "INSERT INTO events (id, appeal_id, at, operator, source, field, old, new, hash, \
         through_id, digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (field, old, new) in entries {
        id += 1;
        let hash = entry_hash(
            &prev, id, appeal_id, at, operator, source, field, *old, *new, through, digest,
        );
        ins.execute(params![
            id, appeal_id, at, operator, source, field, old, new, hash, through, digest
        ])?;
        prev = hash;
    }
    if let Some(c) = cache {
        *c.borrow_mut() = Some((id, prev));
    }
    Ok(())
}

/// Gives a hash to entries written before the chain existed (once, after the migration).
pub(crate) fn seal(conn: &Db) -> Result<(), StoreError> {
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
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare(
            "SELECT id, appeal_id, at, operator, source, field, old, new, through_id, digest, \
             register, entry_id FROM events WHERE id >= ?1 ORDER BY id",
        )?;
        let mut up = tx.prepare("UPDATE events SET hash = ?2 WHERE id = ?1")?;
        let mut rows = st.query([first])?;
        while let Some(r) = rows.next()? {
            let e = EventRow::read(&r)?;
            let h = e.hash(&prev);
            up.execute(params![e.id, h])?;
            prev = h;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Audit entries read per page by `audit verify`.
const VERIFY_PAGE: usize = 10_000;

/// What an entry's hash covers, read from a row of
/// `id, appeal_id, at, operator, source, field, old, new, through_id, digest, register, entry_id`.
struct EventRow {
    id: i64,
    appeal: Option<i64>,
    at: i64,
    operator: String,
    source: String,
    field: String,
    old: Option<String>,
    new: Option<String>,
    through: Option<i64>,
    digest: Option<String>,
    register: Option<String>,
    entry: Option<i64>,
}

impl EventRow {
    fn read(r: &Row<'_>) -> DbResult<Self> {
        Ok(Self {
            id: r.get(0)?,
            appeal: r.get(1)?,
            at: r.get(2)?,
            operator: r.get(3)?,
            source: r.get(4)?,
            field: r.get(5)?,
            old: r.get(6)?,
            new: r.get(7)?,
            through: r.get(8)?,
            digest: r.get(9)?,
            register: r.get(10)?,
            entry: r.get(11)?,
        })
    }

    /// The hash the entry should have after `prev`.
    fn hash(&self, prev: &str) -> String {
        // A row with a register and an appeal (or neither) cannot be written by mcu: hashing it
        // as the register's entry makes it fail verification either way.
        let subject = self
            .register
            .as_deref()
            .map(|g| (g, self.entry.unwrap_or(0)));
        hash_entry(
            prev,
            self.id,
            self.appeal.unwrap_or(0),
            subject,
            self.at,
            &self.operator,
            &self.source,
            &self.field,
            self.old.as_deref(),
            self.new.as_deref(),
            self.through,
            self.digest.as_deref(),
        )
    }
}

/// A filter of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub appeal: Option<i64>,
    /// Entries of one register (`roadmap`, `page`…), and of one entry of it.
    pub register: Option<String>,
    pub entry: Option<i64>,
    pub operator: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<usize>,
}

impl Store {
    /// Walks the whole chain and names the first entry that does not match; compares it with
    /// the anchor file and with `kept` (a head kept elsewhere); replays every appeal's history
    /// onto it and names the first appeal that disagrees.
    pub fn verify_audit(&self) -> Result<Verification, StoreError> {
        self.verify_audit_against(None)
    }

    /// [`verify_audit`](Self::verify_audit), also against a head kept elsewhere.
    pub fn verify_audit_against(
        &self,
        kept: Option<&KeptHead>,
    ) -> Result<Verification, StoreError> {
        let anchor_file = match &self.anchor {
            Some(a) => Some((
                a.name(),
                a.read(self.conn())
                    .map_err(|e| StoreError::Invalid(format!("cannot read {}: {e}", a.name())))?,
            )),
            None => None,
        };
        // The positions to look at: each anchored id, and the kept head's ordinal.
        let mut wanted: HashMap<i64, Option<(u64, String)>> = HashMap::new();
        if let Some((_, Some((lines, _)))) = &anchor_file {
            for l in lines {
                wanted.insert(l.last_id, None);
            }
        }
        let mut at_kept: Option<(i64, String)> = None;

        // One snapshot for the walk and the replay, read in pages (bounded memory on both
        // engines): the caller's transaction, or one of its own.
        let own = if self.conn().in_transaction() {
            None
        } else {
            Some(self.conn().transaction()?)
        };
        let snapshot = self.conn();
        let mut rows = Pages::new(
            VERIFY_PAGE,
            |e: &(i64, String, EventRow)| e.0,
            |after, n| {
                snapshot
                    .prepare_cached(
                        "SELECT id, appeal_id, at, operator, source, field, old, new, through_id, \
                         digest, register, entry_id, hash FROM events WHERE id > ?1 ORDER BY id \
                         LIMIT ?2",
                    )?
                    .query_map(params![after.copied().unwrap_or(i64::MIN), n], |r| {
                        let stored: Option<String> = r.get(12)?;
                        Ok((r.get(0)?, stored.unwrap_or_default(), EventRow::read(r)?))
                    })?
                    .collect()
            },
        );
        let mut prev = String::new();
        let mut checked = 0u64;
        let mut first_broken = None;
        let mut last: Option<(i64, String)> = None;
        while let Some((id, stored, entry)) = rows.next()? {
            checked += 1;
            let h = entry.hash(&prev);
            if first_broken.is_none() && stored != h {
                first_broken = Some(id);
            }
            if let Some(w) = wanted.get_mut(&id) {
                *w = Some((checked, stored.clone()));
            }
            if kept.is_some_and(|k| k.count == checked) {
                at_kept = Some((id, stored.clone()));
            }
            // Go on from the stored hash: each later entry is checked against what precedes it.
            prev = stored.clone();
            last = Some((id, stored));
        }
        let head = last.map(|(last_id, hash)| Head {
            count: checked,
            last_id,
            hash,
        });

        let mut problems = Vec::new();
        if let Some(id) = first_broken {
            problems.push(Problem {
                kind: "entry",
                entry: Some(id),
                appeal: None,
                appeal_key: None,
                field: None,
                message: format!(
                    "audit trail broken at entry {id}: it was changed, or an entry before it was \
                     removed or changed"
                ),
            });
        }
        let anchor = anchor_file.map(|(file, content)| {
            let (report, problem) = check_anchor(file, content, &wanted, head.as_ref());
            problems.extend(problem);
            report
        });
        if let Some(k) = kept {
            problems.extend(check_kept(k, at_kept, head.as_ref()));
        }
        drop(rows);
        let (appeals, bad) = replay::check(snapshot)?;
        problems.extend(bad);
        // Read only: nothing to commit.
        drop(own);
        Ok(Verification {
            intact: problems.is_empty(),
            checked,
            first_broken,
            head,
            anchor,
            appeals,
            problems,
        })
    }

    /// The chain's head as stored.
    pub fn audit_head(&self) -> Result<Option<Head>, StoreError> {
        // One statement: the head and the count from one snapshot.
        Ok(self
            .conn()
            .query_row(
                "SELECT id, COALESCE(hash, ''), (SELECT COUNT(*) FROM events) FROM events \
                 ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(Head {
                        last_id: r.get(0)?,
                        hash: r.get(1)?,
                        count: r.get::<_, i64>(2)? as u64,
                    })
                },
            )
            .optional()?)
    }

    /// The audit log, oldest first.
    pub fn audit_log(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql =
            "SELECT id, appeal_id, at, operator, source, field, old, new, COALESCE(hash, ''), \
             through_id, register, entry_id FROM events WHERE 1 = 1"
                .to_string();
        let mut args: Vec<crate::store::db::Value> = Vec::new();
        if let Some(a) = f.appeal {
            // Its own entries, and the creation of the run it was imported in.
            sql.push_str(&format!(
                " AND (appeal_id = ?1 OR (id = {CREATED_RUN_OF} AND through_id >= ?1))"
            ));
            args.push(a.into());
        }
        if let Some(g) = &f.register {
            sql.push_str(&format!(" AND register = ?{}", args.len() + 1));
            args.push(g.clone().into());
        }
        if let Some(e) = f.entry {
            sql.push_str(&format!(" AND entry_id = ?{}", args.len() + 1));
            args.push(e.into());
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
        let rows = st.query_map(crate::store::db::params_from_iter(args), |r| {
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
                register: match (
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, Option<i64>>(11)?,
                ) {
                    (Some(register), Some(entry_id)) => Some(Subject { register, entry_id }),
                    _ => None,
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Compares the chain with the anchor file: every anchored position must hold the anchored hash
/// at the anchored count, and no entry may lie beyond the last anchor.
fn check_anchor(
    file: String,
    content: Option<(Vec<anchor::Line>, Vec<usize>)>,
    found: &HashMap<i64, Option<(u64, String)>>,
    head: Option<&Head>,
) -> (AnchorReport, Option<Problem>) {
    let problem = |entry: Option<i64>, message: String| Problem {
        kind: "anchor",
        entry,
        appeal: None,
        appeal_key: None,
        field: None,
        message,
    };
    let entries = head.map_or(0, |h| h.count);
    let Some((lines, bad)) = content else {
        let report = AnchorReport {
            file: file.clone(),
            exists: false,
            lines: 0,
            anchored: 0,
        };
        let p = (entries > 0).then(|| {
            problem(
                None,
                format!(
                    "the anchor file {file} is missing, but the trail has {entries} entries: it \
                     was deleted"
                ),
            )
        });
        return (report, p);
    };
    let report = AnchorReport {
        file: file.clone(),
        exists: true,
        lines: lines.len() as u64,
        anchored: lines.iter().map(|l| l.count).max().unwrap_or(0),
    };
    if let Some(n) = bad.first() {
        return (
            report,
            Some(problem(
                None,
                format!(
                    "line {n} of {file} is not an anchor (time, count, last entry, hash): the \
                     file was edited"
                ),
            )),
        );
    }
    // The last anchor that still matches, to say where a rewrite starts.
    let matches = |l: &anchor::Line| {
        found
            .get(&l.last_id)
            .and_then(|f| f.as_ref())
            .is_some_and(|(count, hash)| *count == l.count && *hash == l.hash)
    };
    for l in &lines {
        if matches(l) {
            continue;
        }
        let since = lines
            .iter()
            .filter(|m| m.last_id < l.last_id && matches(m))
            .map(|m| m.last_id)
            .max();
        let after = since.map_or(String::new(), |s| format!(" after entry {s}"));
        let what = format!(
            "line {} of {file} (written {}) anchored {} entries through entry {}",
            l.number, l.at, l.count, l.last_id
        );
        let message = match (found.get(&l.last_id).and_then(|f| f.as_ref()), head) {
            (None, None) => {
                format!("the audit trail is empty, but {what}: its entries were removed")
            }
            (None, Some(h)) if h.last_id < l.last_id => format!(
                "the audit trail ends at entry {} ({} entries), but {what}: entries were removed \
                 from its end",
                h.last_id, h.count
            ),
            (None, Some(_)) => format!("entry {} is missing, but {what}", l.last_id),
            (Some((count, _)), _) if *count != l.count => format!(
                "the trail has {count} entries up to entry {}, but {what}: entries were removed{after}",
                l.last_id
            ),
            (Some(_), _) => format!(
                "entry {} differs from {what}: the trail was rewritten{after} up to entry {} (or \
                 the line was edited)",
                l.last_id, l.last_id
            ),
        };
        return (report, Some(problem(Some(l.last_id), message)));
    }
    let anchored = lines.iter().map(|l| l.last_id).max();
    if let Some(h) = head
        && anchored.is_none_or(|a| a < h.last_id)
    {
        let from = anchored.map_or("the first".to_string(), |a| format!("those after {a}"));
        return (
            report,
            Some(problem(
                Some(h.last_id),
                format!(
                    "entries up to {} are not anchored ({from}): {file} lost its last lines, or \
                     mcu stopped between a commit and its anchor; compare the head with one kept \
                     elsewhere (mcu audit verify --head)",
                    h.last_id
                ),
            )),
        );
    }
    (report, None)
}

/// Compares the chain with a head kept elsewhere.
fn check_kept(k: &KeptHead, at: Option<(i64, String)>, head: Option<&Head>) -> Option<Problem> {
    let problem = |entry: Option<i64>, message: String| Problem {
        kind: "head",
        entry,
        appeal: None,
        appeal_key: None,
        field: None,
        message,
    };
    if k.count == 0 {
        return None;
    }
    match at {
        None => Some(problem(
            None,
            format!(
                "the audit trail has {} entries, but the head kept elsewhere says {}: entries were \
                 removed",
                head.map_or(0, |h| h.count),
                k.count
            ),
        )),
        Some((id, hash)) if hash != k.hash => Some(problem(
            Some(id),
            format!(
                "entry {id} (the {}th) differs from the head kept elsewhere: the trail was \
                 rewritten up to there",
                k.count
            ),
        )),
        Some(_) => None,
    }
}
