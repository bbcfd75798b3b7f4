//! The chain's head, kept outside the database: an append-only file beside it (`mcu.anchor`
//! next to `mcu.db`). Anyone who can write the database can rewrite the chain and recompute
//! every hash; they cannot make the lines already appended here disagree with it unnoticed.
//!
//! One line per committed transaction that appended entries (an import: one per file; a
//! console or command-line change: one; auto-triage of a batch: one):
//! `<time RFC 3339> <count> <last entry id> <head hash>`. Lines of concurrent writers may
//! arrive out of order; each is checked on its own. A last line without its newline (a write
//! cut short) is ignored; the next append ends it with ` cut-short` and starts a new line.

use crate::store::db::{Db, OptionalExtension};
use std::cell::Cell;
use std::fs::{self, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::Serialize;

use super::super::StoreError;
use super::head;

/// The anchor file of a store opened from a path.
#[derive(Debug)]
pub(crate) struct Anchor {
    path: PathBuf,
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
            path: db.with_extension("anchor"),
            written: Cell::new(None),
            offset: Cell::new(None),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Remembers the head found at open (already anchored by whoever wrote it).
    pub(crate) fn start(&self, conn: &Db) -> Result<(), StoreError> {
        self.written.set(head(conn)?.map(|(id, _)| id));
        Ok(())
    }

    /// The line for the chain's head as `conn` sees it, unless this store anchored it already.
    pub(crate) fn prepare(&self, conn: &Db) -> Result<Option<Pending>, StoreError> {
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

    /// Appends a prepared line (after its transaction committed).
    pub(crate) fn write(&self, p: Pending) -> std::io::Result<()> {
        let new = !self.path.exists();
        let mut f = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)?;
        if new {
            // Like the database: owner and group (the officers) only.
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&self.path, fs::Permissions::from_mode(0o660));
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
            tracing::warn!(file = %self.path.display(), error = %e, "could not anchor the audit trail");
        }
    }

    /// Reads the file: its lines, and the numbers of the lines that are not anchors. `None` when
    /// there is no file.
    pub(crate) fn read(&self) -> std::io::Result<Option<(Vec<Line>, Vec<usize>)>> {
        let text = match fs::read(&self.path) {
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
