//! What each appeal was created with, and the replay of its history onto it.
//!
//! The chain proves that the trail was not changed; this proves that the appeals agree with the
//! trail. Every creation entry carries a digest: SHA-256 over what its appeals were created with
//! (id, channel, source id and every field `appeals::audited` records, in the form the store
//! keeps them), followed by the list of those fields. Each appeal also keeps a short tag per
//! field (`appeals.created_tags`), only to name the field that differs: the digest, covered by
//! the chain, is what proves it.
//!
//! Verification walks the appeals and their entries together. For each field, the changes must
//! follow each other (each one's old value is the previous one's new value) and the last one's
//! new value must be the stored value; the creation value is the first change's old value, or
//! the stored value when the field never changed. Those creation values must give the tags and,
//! over the whole run of appeals created together, the digest. So an appeal changed without an
//! entry is found whether or not its field was ever changed through mcu.
//!
//! Generic over the fields: whatever `audited()` lists is recorded, digested and replayed; a
//! creation entry names the fields it covers, so a field added later is checked from its first
//! recorded change on, and older digests stay valid.

use crate::domain::appeal::Appeal;
use crate::store::db::pages::Pages;
use crate::store::db::{Db, params};
use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::super::StoreError;
use super::super::appeals::{APPEAL_COLUMNS, APPEAL_FROM, appeal_from_row, audited};
use super::{Problem, hex};

/// Fields stored as references to a named settlement or recipient, matched ignoring case and ё
/// (`recipients::settlement_id`): the stored spelling may differ from the one a source gave.
const NAMED: [&str; 2] = ["settlement", "responsible"];

/// A value in the form the store keeps it: instants (`…_at`) to the second, names folded.
fn canon<'a>(field: &str, v: Option<&'a str>) -> Option<Cow<'a, str>> {
    let v = v?;
    if field.ends_with("_at") {
        // `to_rfc3339` of a UTC instant: `…:SS[.fraction]+00:00`; the store keeps seconds.
        if let Some(dot) = v.find('.') {
            let end = v[dot..].find(['+', '-', 'Z']).map_or(v.len(), |i| dot + i);
            return Some(Cow::Owned(format!("{}{}", &v[..dot], &v[end..])));
        }
        return Some(Cow::Borrowed(v));
    }
    if NAMED.contains(&field) {
        return Some(Cow::Owned(folded(v)));
    }
    Some(Cow::Borrowed(v))
}

/// `fold`, remembered: an import names the same few hundred settlements and recipients over and
/// over, and folding (Unicode normalisation) costs more than the rest of an appeal's digest.
fn folded(v: &str) -> String {
    thread_local! {
        static FOLDED: std::cell::RefCell<HashMap<String, String>> = Default::default();
    }
    FOLDED.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(f) = c.get(v) {
            return f.clone();
        }
        if c.len() >= 4096 {
            c.clear();
        }
        let f = crate::domain::text::fold(v);
        c.insert(v.to_string(), f.clone());
        f
    })
}

fn same(field: &str, a: Option<&str>, b: Option<&str>) -> bool {
    canon(field, a) == canon(field, b)
}

/// The length-prefixed encoding `entry_hash` uses.
fn part(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s);
}

/// The canonical encoding of an appeal's field values (in the order given), and a two-byte tag
/// per field (a fast non-cryptographic hash of its encoding: it only names the field).
pub(crate) fn encode<'a>(values: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> Encoded {
    let mut bytes = Vec::with_capacity(1024);
    let mut tags = Vec::with_capacity(64);
    for (field, v) in values {
        let start = bytes.len();
        match canon(field, v) {
            Some(v) => {
                bytes.extend_from_slice(&(v.len() as u64 + 1).to_le_bytes());
                bytes.push(b'+');
                bytes.extend_from_slice(v.as_bytes());
            }
            None => part(&mut bytes, b"-"),
        }
        tags.extend_from_slice(&tag(&bytes[start..]).to_le_bytes());
    }
    Encoded { bytes, tags }
}

/// Eight bytes at a time, multiply and rotate (as FxHash), folded to 16 bits.
fn tag(bytes: &[u8]) -> u16 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut x = [0u8; 8];
        x.copy_from_slice(w);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(x)).wrapping_mul(K);
    }
    let mut x = [0u8; 8];
    x[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h.rotate_left(5) ^ u64::from_le_bytes(x)).wrapping_mul(K);
    let h = h ^ (h >> 32);
    (h ^ (h >> 16)) as u16
}

/// An appeal's creation values, encoded ([`encode`]).
pub(crate) struct Encoded {
    bytes: Vec<u8>,
    /// Two bytes per field, stored in `appeals.created_tags`.
    pub tags: Vec<u8>,
}

/// The digest of a run of appeals created together, built appeal by appeal in id order.
pub(crate) struct Creation {
    sha: Sha256,
    fields: String,
}

impl Creation {
    /// A digest over these fields.
    pub fn new<'a>(fields: impl Iterator<Item = &'a str>) -> Self {
        Self {
            sha: Sha256::new(),
            fields: fields.collect::<Vec<_>>().join(","),
        }
    }

    /// Adds the next appeal.
    pub fn add(&mut self, id: i64, channel: &str, source_id: &str, e: &Encoded) {
        let mut head = Vec::with_capacity(64 + source_id.len());
        part(&mut head, &id.to_le_bytes());
        part(&mut head, channel.as_bytes());
        part(&mut head, source_id.as_bytes());
        self.sha.update(&head);
        self.sha.update(&e.bytes);
    }

    /// `<sha-256 hex> <field,field,…>`: what the creation entry carries.
    pub fn digest(self) -> String {
        format!("{} {}", hex(&self.sha.finalize()), self.fields)
    }
}

/// What the replay checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppealReport {
    /// Appeals checked.
    pub checked: u64,
    /// Of them, created before creation digests were recorded (schema 12): only the fields
    /// changed since are checked against the trail.
    pub without_digest: u64,
}

/// A creation entry: the appeals `first..=last`, and its digest split into hash and fields.
struct Run {
    entry: i64,
    first: i64,
    last: i64,
    digest: Option<(String, Vec<String>)>,
}

/// The run being replayed.
struct Open {
    run: usize,
    next: i64,
    /// The digest being rebuilt, and the one the entry carries.
    creation: Option<(Creation, String)>,
}

/// One history entry of an appeal (not a note, not a creation).
struct Change {
    entry: i64,
    field: String,
    old: Option<String>,
    new: Option<String>,
}

fn bad(id: i64, key: &str, field: Option<&str>, entry: Option<i64>, message: String) -> Problem {
    Problem {
        kind: "appeal",
        entry,
        appeal: Some(id),
        appeal_key: Some(key.to_string()),
        field: field.map(str::to_string),
        message,
    }
}

/// Appeals and changes read per page.
const REPLAY_PAGE: usize = 5_000;

/// Replays every appeal's history onto it; the first appeal that disagrees, if any.
pub(crate) fn check(conn: &Db) -> Result<(AppealReport, Option<Problem>), StoreError> {
    let mut report = AppealReport::default();
    let runs: Vec<Run> = conn
        .prepare(
            "SELECT id, appeal_id, COALESCE(through_id, appeal_id), digest FROM events \
             WHERE appeal_id IS NOT NULL AND field = 'created' ORDER BY appeal_id, id",
        )?
        .query_map([], |r| {
            let digest: Option<String> = r.get(3)?;
            Ok(Run {
                entry: r.get(0)?,
                first: r.get(1)?,
                last: r.get(2)?,
                digest: digest.and_then(|d| {
                    let (h, f) = d.split_once(' ')?;
                    Some((h.to_string(), f.split(',').map(str::to_string).collect()))
                }),
            })
        })?
        .collect::<Result<_, _>>()?;

    // Both walks in pages (bounded memory on both engines), merged by appeal.
    let mut changes = Pages::new(
        REPLAY_PAGE,
        |c: &(i64, Change)| (c.0, c.1.entry),
        |after, n| {
            let (appeal, entry) = after.copied().unwrap_or((i64::MIN, i64::MIN));
            conn.prepare_cached(
                "SELECT id, appeal_id, field, old, new FROM events INDEXED BY events_appeal \
                 WHERE appeal_id IS NOT NULL AND through_id IS NULL \
                 AND field NOT IN ('created', 'note') AND (appeal_id, id) > (?1, ?2) \
                 ORDER BY appeal_id, id LIMIT ?3",
            )?
            .query_map(params![appeal, entry, n], |r| {
                Ok((
                    r.get::<_, i64>(1)?,
                    Change {
                        entry: r.get(0)?,
                        field: r.get(2)?,
                        old: r.get(3)?,
                        new: r.get(4)?,
                    },
                ))
            })?
            .collect()
        },
    );
    let mut pending: Option<(i64, Change)> = changes.next()?;

    let sql = format!(
        "SELECT {APPEAL_COLUMNS}, a.created_tags, a.channel || ':' || a.source_id \
         FROM {APPEAL_FROM} WHERE a.id > ?1 ORDER BY a.id LIMIT ?2"
    );
    let tags_at = APPEAL_COLUMNS.split(',').count();
    // Each appeal: id, key, the tags it was created with, the appeal as read (or why it cannot
    // be read).
    let mut rows = Pages::new(
        REPLAY_PAGE,
        |a: &(i64, String, Option<Vec<u8>>, Result<Appeal, String>)| a.0,
        |after, n| {
            conn.prepare_cached(&sql)?
                .query_map(params![after.copied().unwrap_or(i64::MIN), n], |r| {
                    let read = appeal_from_row(r).map_err(|e| e.to_string());
                    Ok((r.get(0)?, r.get(tags_at + 1)?, r.get(tags_at)?, read))
                })?
                .collect()
        },
    );
    let mut ri = 0usize;
    let mut open: Option<Open> = None;
    while let Some((id, key, created_tags, read)) = rows.next()? {
        report.checked += 1;

        // Entries of appeals that are gone.
        if let Some((a, c)) = &pending
            && *a < id
        {
            return Ok((report, Some(missing(*a, Some(c.entry)))));
        }
        let mut mine: Vec<Change> = Vec::new();
        while let Some((a, _)) = &pending {
            if *a != id {
                break;
            }
            if let Some((_, c)) = pending.take() {
                mine.push(c);
            }
            pending = changes.next()?;
        }

        // The creation entry that covers this appeal.
        if let Some(o) = &open
            && runs[o.run].last < id
        {
            // A run ended without reaching its last appeal.
            return Ok((report, Some(missing(o.next, Some(runs[o.run].entry)))));
        }
        if open.is_none() {
            if ri < runs.len() && runs[ri].last < id {
                // A run whose appeals are all gone.
                return Ok((report, Some(missing(runs[ri].first, Some(runs[ri].entry)))));
            }
            if ri >= runs.len() || runs[ri].first > id {
                return Ok((
                    report,
                    Some(bad(
                        id,
                        &key,
                        None,
                        None,
                        format!(
                            "appeal №{id} ({key}) has no creation entry in the audit trail: \
                             it was added to the database directly, or its entry was removed"
                        ),
                    )),
                ));
            }
            let run = &runs[ri];
            if run.first < id {
                return Ok((report, Some(missing(run.first, Some(run.entry)))));
            }
            open = Some(Open {
                run: ri,
                next: id,
                creation: run
                    .digest
                    .as_ref()
                    .map(|(h, f)| (Creation::new(f.iter().map(String::as_str)), h.clone())),
            });
            ri += 1;
        }
        let Some(o) = open.as_mut() else {
            continue;
        };
        if o.next != id {
            return Ok((report, Some(missing(o.next, Some(runs[o.run].entry)))));
        }
        o.next = id + 1;

        let appeal = match read {
            Ok(a) => a,
            Err(e) => {
                return Ok((
                    report,
                    Some(bad(
                        id,
                        &key,
                        None,
                        None,
                        format!("appeal №{id} ({key}) cannot be read: {e}"),
                    )),
                ));
            }
        };
        let current = audited(&appeal);

        // Replay the changes, field by field.
        let mut history: HashMap<&str, (Option<&str>, Option<&str>)> = HashMap::new();
        for c in &mine {
            match history.get_mut(c.field.as_str()) {
                Some((_, last)) => {
                    if !same(&c.field, *last, c.old.as_deref()) {
                        return Ok((
                            report,
                            Some(bad(
                                id,
                                &key,
                                Some(&c.field),
                                Some(c.entry),
                                format!(
                                    "appeal №{id} ({key}), field «{}»: entry {} changes it from a \
                                     value the previous change did not leave",
                                    c.field, c.entry
                                ),
                            )),
                        ));
                    }
                    *last = c.new.as_deref();
                }
                None => {
                    history.insert(&c.field, (c.old.as_deref(), c.new.as_deref()));
                }
            }
        }
        for (field, value) in &current {
            if let Some((_, last)) = history.get(field)
                && !same(field, *last, value.as_deref())
            {
                return Ok((
                    report,
                    Some(bad(
                        id,
                        &key,
                        Some(field),
                        None,
                        format!(
                            "appeal №{id} ({key}), field «{field}»: the stored value is not the \
                             one its last recorded change left: it was changed without an entry"
                        ),
                    )),
                ));
            }
        }

        // The creation values: before the first change, or as stored.
        let run = &runs[o.run];
        match (&mut o.creation, &run.digest) {
            (Some((creation, _)), Some((_, fields))) => {
                let value = |f: &str| -> Option<&str> {
                    match history.get(f) {
                        Some((first, _)) => *first,
                        None => current
                            .iter()
                            .find(|(n, _)| *n == f)
                            .and_then(|(_, v)| v.as_deref()),
                    }
                };
                let e = encode(fields.iter().map(|f| (f.as_str(), value(f))));
                if let Some(stored) = &created_tags
                    && stored.len() == e.tags.len()
                    && let Some(i) = (0..fields.len())
                        .find(|i| stored[2 * i..2 * i + 2] != e.tags[2 * i..2 * i + 2])
                {
                    return Ok((
                        report,
                        Some(bad(
                            id,
                            &key,
                            Some(&fields[i]),
                            Some(run.entry),
                            format!(
                                "appeal №{id} ({key}), field «{}»: the stored value is not what \
                                 it was created with (creation entry {}) and the recorded changes \
                                 made of it: it was changed without an entry",
                                fields[i], run.entry
                            ),
                        )),
                    ));
                }
                creation.add(id, appeal.channel.id(), &appeal.source_id, &e);
            }
            _ => report.without_digest += 1,
        }
        if id == run.last {
            let o = open.take();
            if let Some((creation, expected)) = o.and_then(|o| o.creation) {
                let got = creation.digest();
                if got.split_once(' ').map(|(h, _)| h) != Some(expected.as_str()) {
                    let appeals = if run.first == run.last {
                        format!("appeal №{id} ({key})")
                    } else {
                        format!("one of appeals №{}–{}", run.first, run.last)
                    };
                    return Ok((
                        report,
                        Some(Problem {
                            kind: "appeal",
                            entry: Some(run.entry),
                            appeal: (run.first == run.last).then_some(id),
                            appeal_key: (run.first == run.last).then(|| key.clone()),
                            field: None,
                            message: format!(
                                "{appeals}: the stored values are not what creation entry {} \
                                 and the recorded changes say (changed without an entry)",
                                run.entry
                            ),
                        }),
                    ));
                }
            }
        }
    }
    if let Some(o) = &open {
        return Ok((report, Some(missing(o.next, Some(runs[o.run].entry)))));
    }
    if let Some((a, c)) = &pending {
        return Ok((report, Some(missing(*a, Some(c.entry)))));
    }
    if let Some(run) = runs.get(ri) {
        return Ok((report, Some(missing(run.first, Some(run.entry)))));
    }
    Ok((report, None))
}

/// An appeal the trail knows of but the database no longer has.
fn missing(id: i64, entry: Option<i64>) -> Problem {
    Problem {
        kind: "appeal",
        entry,
        appeal: Some(id),
        appeal_key: None,
        field: None,
        message: format!(
            "appeal №{id} is in the audit trail{} but not in the database: it was deleted",
            entry.map(|e| format!(" (entry {e})")).unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_compare_as_the_store_keeps_them() {
        // Instants to the second (the store keeps unix seconds).
        assert!(same(
            "answered_at",
            Some("2026-11-02T10:00:00.750+00:00"),
            Some("2026-11-02T10:00:00+00:00")
        ));
        assert!(!same(
            "answered_at",
            Some("2026-11-02T10:00:01+00:00"),
            Some("2026-11-02T10:00:00+00:00")
        ));
        // Names of settlements and recipients ignoring case and ё.
        assert!(same("settlement", Some("С. ЗАРЁЧНОЕ"), Some("с. Заречное")));
        assert!(!same("text", Some("Яма"), Some("яма")));
        assert!(!same("block", None, Some("roads")));
    }

    #[test]
    fn tags_differ_where_a_value_differs() {
        let a = encode([("text", Some("Яма")), ("block", Some("roads"))].into_iter());
        let b = encode([("text", Some("Яма")), ("block", Some("housing"))].into_iter());
        assert_eq!(a.tags.len(), 4);
        assert_eq!(a.tags[..2], b.tags[..2]);
        assert_ne!(a.tags[2..], b.tags[2..]);
        // Absent and empty are different values.
        let none = encode([("url", None)].into_iter());
        let empty = encode([("url", Some(""))].into_iter());
        assert_ne!(none.bytes, empty.bytes);
    }
}
