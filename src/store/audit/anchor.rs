//! The chain's head, kept outside the chain: an append-only file beside the database
//! (`mcu.anchor` next to `mcu.db`), or on PostgreSQL an append-only table of the region
//! (`mcu_region.audit_anchors`, one row per anchor, refusing updates and deletes; its owner may be
//! another role than the one mcu connects as). Anyone who can write the municipality's tables can
//! rewrite the chain and recompute every hash; they cannot make the anchors already appended
//! disagree with it unnoticed.
//!
//! One line per committed transaction that appended entries (an import: one per file; a
//! console or command-line change: one; auto-triage of a batch: one):
//! `<time RFC 3339> <count> <last entry id> <head hash>`. Lines of concurrent writers may
//! arrive out of order; each is checked on its own. A last line without its newline (a write
//! cut short) is ignored; the next append ends it with ` cut-short` and starts a new line.

use crate::store::db::{Db, OptionalExtension, params};
use std::cell::Cell;
use std::fs::{self, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::Serialize;

use super::super::StoreError;
use super::head;

/// Where a store's anchors go.
#[derive(Debug)]
enum Sink {
    /// A file beside the SQLite database.
    File(PathBuf),
    /// Rows of `mcu_region.audit_anchors` for one municipality (PostgreSQL).
    Table { municipality: String },
}

/// The anchors of a store opened from a path, or of a municipality.
#[derive(Debug)]
pub(crate) struct Anchor {
    sink: Sink,
    /// The last entry id this store anchored (or found at open): nothing new to anchor.
    written: Cell<Option<i64>>,
    /// Last id minus count, once counted: entries get consecutive ids, so it stays.
    offset: Cell<Option<i64>>,
}

/// A line to append once its transaction has committed.
pub(crate) struct Pending {
    last_id: i64,
    line: String,
}

/// One parsed line of the anchor file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub number: usize,
    pub at: String,
    pub count: u64,
    pub last_id: i64,
    pub hash: String,
}

/// What the anchor file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorReport {
    /// The file.
    pub file: String,
    /// Whether it exists.
    pub exists: bool,
    /// Its lines (anchors).
    pub lines: u64,
    /// The most entries an anchor records.
    pub anchored: u64,
}

impl Anchor {
    /// The anchor beside the database file `db`: same name, extension `.anchor`.
    pub(crate) fn beside(db: &Path) -> Self {
        Self {
            sink: Sink::File(db.with_extension("anchor")),
            written: Cell::new(None),
            offset: Cell::new(None),
        }
    }

    /// The anchors of the municipality `code` in the region's table (PostgreSQL).
    pub(crate) fn in_region(code: &str) -> Self {
        Self {
            sink: Sink::Table {
                municipality: code.to_owned(),
            },
            written: Cell::new(None),
            offset: Cell::new(None),
        }
    }

    /// The anchor file (none for the region's table).
    pub(crate) fn path(&self) -> Option<&Path> {
        match &self.sink {
            Sink::File(p) => Some(p),
            Sink::Table { .. } => None,
        }
    }

    /// Where the anchors are, for messages.
    pub(crate) fn name(&self) -> String {
        match &self.sink {
            Sink::File(p) => p.display().to_string(),
            Sink::Table { municipality } => format!("{TABLE} ({municipality})"),
        }
    }

    /// Remembers the head found at open (already anchored by whoever wrote it).
    pub(crate) fn start(&self, conn: &Db) -> Result<(), StoreError> {
        self.written.set(head(conn)?.map(|(id, _)| id));
        Ok(())
    }

    /// The line for the chain's head as `conn` sees it, unless this store anchored it already.
    ///
    /// In the region's table the anchor is appended right away, inside the caller's transaction
    /// if one is open (then it commits, or rolls back, with the entries it anchors): nothing is
    /// left pending.
    pub(crate) fn prepare(&self, conn: &Db) -> Result<Option<Pending>, StoreError> {
        if let Sink::Table { municipality } = &self.sink {
            self.append_row(conn, municipality)?;
            return Ok(None);
        }
        let (last_id, hash, offset) = match self.offset.get() {
            Some(o) => match head(conn)? {
                Some((id, hash)) => (id, hash, o),
                None => return Ok(None),
            },
            None => {
                // Head and count in one statement: one snapshot, even outside a transaction.
                let found: Option<(i64, String, i64)> = conn
                    .query_row(
                        "SELECT id, COALESCE(hash, ''), (SELECT COUNT(*) FROM events) FROM events \
                         ORDER BY id DESC LIMIT 1",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                let Some((id, hash, n)) = found else {
                    return Ok(None);
                };
                self.offset.set(Some(id - n));
                (id, hash, id - n)
            }
        };
        if self.written.get() == Some(last_id) {
            return Ok(None);
        }
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        Ok(Some(Pending {
            last_id,
            line: format!("{at} {} {last_id} {hash}\n", last_id - offset),
        }))
    }

    /// Appends the head to the region's table, unless this store anchored it already. The count
    /// is counted from the latest anchor at or before the head (ids on PostgreSQL may have gaps:
    /// a rolled-back transaction still used its ids), so it does not count the whole trail.
    fn append_row(&self, conn: &Db, municipality: &str) -> Result<(), StoreError> {
        let Some((last_id, hash)) = head(conn)? else {
            return Ok(());
        };
        if self.written.get() == Some(last_id) {
            return Ok(());
        }
        let base: Option<(i64, i64)> = conn
            .query_row(
                &format!(
                    "SELECT last_id, count FROM {TABLE} WHERE municipality = ?1 AND last_id <= ?2 \
                     ORDER BY last_id DESC, n DESC LIMIT 1"
                ),
                params![municipality, last_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (from, before) = base.unwrap_or((0, 0));
        let since: i64 = conn.query_row(
            "SELECT COUNT(*) FROM events WHERE id > ?1 AND id <= ?2",
            params![from, last_id],
            |r| r.get(0),
        )?;
        conn.execute(
            &format!(
                "INSERT INTO {TABLE} (municipality, at, count, last_id, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5)"
            ),
            params![
                municipality,
                Utc::now().timestamp(),
                before + since,
                last_id,
                hash
            ],
        )?;
        self.written.set(Some(last_id));
        Ok(())
    }

    /// Appends a prepared line (after its transaction committed).
    pub(crate) fn write(&self, p: Pending) -> std::io::Result<()> {
        let Sink::File(path) = &self.sink else {
            return Ok(());
        };
        let new = !path.exists();
        let mut f = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        if new {
            // Like the database: owner and group (the officers) only.
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o660));
        }
        let len = f.metadata()?.len();
        let mut line = p.line;
        if len > 0 {
            let mut last = [0u8; 1];
            f.seek(SeekFrom::Start(len - 1))?;
            f.read_exact(&mut last)?;
            if last[0] != b'\n' {
                // End the cut line, marked so that it reads as such and not as an edit.
                line.insert_str(0, CUT);
            }
        }
        f.write_all(line.as_bytes())?;
        self.written.set(Some(p.last_id));
        Ok(())
    }

    /// Anchors the head now if it moved; a failure is logged (the data is committed already,
    /// and verify will name the entries left unanchored).
    pub(crate) fn record(&self, conn: &Db) {
        let r = self
            .prepare(conn)
            .map_err(|e| e.to_string())
            .and_then(|p| match p {
                Some(p) => self.write(p).map_err(|e| e.to_string()),
                None => Ok(()),
            });
        if let Err(e) = r {
            tracing::warn!(anchor = %self.name(), error = %e, "could not anchor the audit trail");
        }
    }

    /// Reads the anchors: the lines, and the numbers of the lines that are not anchors. `None`
    /// when there is no file. The region's table always exists (its rows' numbers are their
    /// `n`, and a row is never malformed).
    pub(crate) fn read(&self, conn: &Db) -> Result<Option<Anchors>, String> {
        let path = match &self.sink {
            Sink::File(p) => p,
            Sink::Table { municipality } => {
                return read_rows(conn, municipality)
                    .map(|l| Some((l, Vec::new())))
                    .map_err(|e| e.to_string());
            }
        };
        read_file(path).map_err(|e| e.to_string())
    }
}

/// The anchors read: the lines, and the numbers of the lines that are not anchors.
pub(crate) type Anchors = (Vec<Line>, Vec<usize>);

/// The region's table of anchors (PostgreSQL).
pub(crate) const TABLE: &str = "mcu_region.audit_anchors";

fn read_rows(conn: &Db, municipality: &str) -> Result<Vec<Line>, StoreError> {
    let mut st = conn.prepare(&format!(
        "SELECT n, at, count, last_id, hash FROM {TABLE} WHERE municipality = ?1 ORDER BY n"
    ))?;
    let rows = st.query_map([municipality], |r| {
        let (n, at, count): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        Ok(Line {
            number: usize::try_from(n).unwrap_or(0),
            at: crate::store::ts(at).to_rfc3339_opts(SecondsFormat::Secs, true),
            count: u64::try_from(count).unwrap_or(0),
            last_id: r.get(3)?,
            hash: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn read_file(path: &Path) -> std::io::Result<Option<Anchors>> {
    let text = match fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let text = String::from_utf8_lossy(&text);
    let complete = text.ends_with('\n');
    let all: Vec<&str> = text.lines().collect();
    let (mut lines, mut bad) = (Vec::new(), Vec::new());
    for (i, l) in all.iter().enumerate() {
        let number = i + 1;
        if l.trim().is_empty() {
            continue;
        }
        match parse(l, number) {
            Some(line) => lines.push(line),
            // A line cut short by a crash is not an edit: the last one, or one the next
            // append marked.
            None if l.ends_with(CUT.trim_end()) || (number == all.len() && !complete) => {}
            None => bad.push(number),
        }
    }
    Ok(Some((lines, bad)))
}

/// What ends a line that a crash cut short, when the next anchor is appended.
const CUT: &str = " cut-short\n";

fn parse(l: &str, number: usize) -> Option<Line> {
    let mut it = l.split_whitespace();
    let at = it.next()?;
    chrono::DateTime::parse_from_rfc3339(at).ok()?;
    let count = it.next()?.parse().ok()?;
    let last_id = it.next()?.parse().ok()?;
    let hash = it.next()?;
    if it.next().is_some() || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(Line {
        number,
        at: at.to_string(),
        count,
        last_id,
        hash: hash.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_line_has_time_count_last_id_and_a_full_hash() {
        let l = parse(&format!("2026-12-07T00:45:00Z 12 14 {H}"), 3).expect("parsed");
        assert_eq!((l.number, l.count, l.last_id), (3, 12, 14));
        for bad in [
            format!("yesterday 12 14 {H}"),
            format!("2026-12-07T00:45:00Z twelve 14 {H}"),
            "2026-12-07T00:45:00Z 12 14 abc".to_string(),
            format!("2026-12-07T00:45:00Z 12 14 {H} extra"),
        ] {
            assert_eq!(parse(&bad, 1), None, "{bad}");
        }
    }

    #[test]
    fn a_kept_head_is_hash_colon_count() {
        let k: super::super::KeptHead = format!("{H}:48").parse().expect("head");
        assert_eq!((k.hash.as_str(), k.count), (H, 48));
        assert!(":0".parse::<super::super::KeptHead>().is_ok());
        for bad in [
            "",
            "48",
            "abc:48",
            &format!("{H}:"),
            &format!("{H}:-1"),
            ":3",
        ] {
            assert!(bad.parse::<super::super::KeptHead>().is_err(), "{bad}");
        }
    }
}
