//! The similarity index of a time window, in memory, for a run of auto-triage over many pending
//! appeals ([`super::Store::triage_pending_with`]).
//!
//! Triaging one appeal alone asks SQLite for its duplicate candidates: per probe key the newest
//! rows of `triage_keys` inside the window, then every candidate's signature — some hundred
//! queries per appeal, 40 % of a run's time. A run triages the pending appeals oldest first, so
//! the appeals it compares with all lie in a window that slides forward: [`Window`] loads the
//! indexed appeals of that window once (one range query on `triage_signatures_at`), adds each appeal
//! as it is triaged, and answers the same two questions — [`Window::similar_recent`] and
//! [`Window::same_author_recent`] — with exactly the rows, the order and the limits of the SQL
//! (`similar_recent` and `same_author_recent` in `store/triage.rs`), so a run decides exactly what
//! triaging the appeals one by one would (`tests/triage_batch.rs`).
//!
//! The window is valid only while nobody else writes: before each batch [`Window::prepare`]
//! compares SQLite's `data_version` with the one seen after the previous batch, and when another
//! connection committed in between (a console, another import) it forgets everything and reloads.

use crate::store::db::{Db, params};
use std::collections::HashMap;

use super::StoreError;
use crate::domain::triage::duplicates::Precomputed;
use crate::domain::triage::similarity::{KeyMap, Signature};
use crate::domain::triage::{Indexed, Triage};

/// A run's in-memory index of the appeals received in `[since, until]`.
#[derive(Debug, Default)]
pub(super) struct Window {
    /// The loaded range (received, unix seconds); `None` before the first load.
    range: Option<(i64, i64)>,
    /// `PRAGMA data_version` when the window was last brought up to date.
    version: Option<i64>,
    /// Each appeal with what the duplicate scorer computes once per appeal
    /// ([`Triage::precompute`]).
    appeals: KeyMap<i64, (Indexed, Precomputed)>,
    /// Per index key, the appeals under it, sorted by (received, id).
    postings: KeyMap<u32, Vec<(i64, i64)>>,
    /// Per author, their appeals, sorted by (received, id).
    authors: HashMap<String, Vec<(i64, i64)>>,
}

fn insert_sorted(v: &mut Vec<(i64, i64)>, e: (i64, i64)) {
    // Appeals come mostly in received order: the common case appends.
    match v.last() {
        Some(last) if *last >= e => {
            if let Err(i) = v.binary_search(&e) {
                v.insert(i, e);
            }
        }
        _ => v.push(e),
    }
}

fn data_version(conn: &Db) -> Result<i64, StoreError> {
    Ok(conn.data_version()?)
}

impl Window {
    /// Makes the window cover `[since, until]` before a batch whose appeals were received in
    /// `since + window ..= until`: reloads it if another connection wrote since the last batch,
    /// otherwise drops what is older than `since` and loads only what is newer than the range
    /// already held.
    pub(super) fn prepare(
        &mut self,
        conn: &Db,
        t: &Triage,
        since: i64,
        until: i64,
    ) -> Result<(), StoreError> {
        let version = data_version(conn)?;
        let load_from = match (self.range, self.version) {
            (Some((s, u)), Some(v)) if v == version && since >= s && until >= u => {
                self.prune(since);
                u.saturating_add(1)
            }
            _ => {
                *self = Window::default();
                since
            }
        };
        if load_from <= until {
            self.load(conn, t, load_from, until)?;
        }
        // Pruned below `since` or reloaded from it; loaded up to `until`.
        self.range = Some((since, until));
        self.version = Some(version);
        Ok(())
    }

    /// Notes the `data_version` after this run's own commit (its own writes do not change it, but
    /// reading it again costs nothing and keeps the rule simple: equal means nobody else wrote).
    pub(super) fn committed(&mut self, conn: &Db) -> Result<(), StoreError> {
        self.version = Some(data_version(conn)?);
        Ok(())
    }

    /// Forgets everything (a batch was rolled back: what it added is not in the database).
    pub(super) fn forget(&mut self) {
        *self = Window::default();
    }

    fn load(&mut self, conn: &Db, t: &Triage, since: i64, until: i64) -> Result<(), StoreError> {
        // By the index's own `at` (`triage_signatures_at`), as the SQL path finds candidates.
        let mut st = conn.prepare_cached(
            "SELECT s.appeal_id, s.at, s.settlement, COALESCE(a.block, s.block), s.author, s.stems \
             FROM triage_signatures s LEFT JOIN appeals a ON a.id = s.appeal_id \
             WHERE s.at BETWEEN ?1 AND ?2",
        )?;
        let rows = st.query_map(params![since, until], |r| {
            Ok(Indexed {
                id: r.get(0)?,
                at: r.get(1)?,
                settlement: r.get(2)?,
                block: r.get(3)?,
                author: r.get(4)?,
                signature: Signature::from_blob(&r.get::<_, Vec<u8>>(5)?),
            })
        })?;
        for a in rows {
            let a = a?;
            let keys = t.index_keys(&a.signature);
            self.add(t, a, &keys);
        }
        Ok(())
    }

    /// Adds (or replaces) an appeal under its index keys.
    pub(super) fn add(&mut self, t: &Triage, a: Indexed, keys: &[u32]) {
        if self.appeals.contains_key(&a.id) {
            self.remove(a.id);
        }
        let e = (a.at, a.id);
        for &k in keys {
            insert_sorted(self.postings.entry(k).or_default(), e);
        }
        if let Some(author) = &a.author {
            insert_sorted(self.authors.entry(author.clone()).or_default(), e);
        }
        let pre = t.precompute(&a);
        self.appeals.insert(a.id, (a, pre));
    }

    fn remove(&mut self, id: i64) {
        let Some((a, _)) = self.appeals.remove(&id) else {
            return;
        };
        let e = (a.at, a.id);
        for v in self.postings.values_mut() {
            v.retain(|x| *x != e);
        }
        if let Some(author) = &a.author
            && let Some(v) = self.authors.get_mut(author)
        {
            v.retain(|x| *x != e);
        }
    }

    fn prune(&mut self, since: i64) {
        self.appeals.retain(|_, (a, _)| a.at >= since);
        let cut = |v: &mut Vec<(i64, i64)>| {
            let i = v.partition_point(|x| x.0 < since);
            v.drain(..i);
        };
        self.postings.retain(|_, v| {
            cut(v);
            !v.is_empty()
        });
        self.authors.retain(|_, v| {
            cut(v);
            !v.is_empty()
        });
    }

    /// The same candidates as the SQL `similar_recent`: per probe key the newest `per_key`
    /// appeals received in `since..=until` (newest first: received, then id, descending); those
    /// sharing the most keys first (then by id), at most `max`. Each with its [`Precomputed`].
    pub(super) fn similar_recent(
        &self,
        probes: &[u32],
        since: i64,
        until: i64,
        per_key: usize,
        max: usize,
    ) -> Vec<(&Indexed, Precomputed)> {
        let mut hits: KeyMap<i64, u32> = KeyMap::default();
        for k in probes {
            let Some(v) = self.postings.get(k) else {
                continue;
            };
            let lo = v.partition_point(|x| x.0 < since);
            let hi = v.partition_point(|x| x.0 <= until);
            let lo = lo.max(hi.saturating_sub(per_key));
            for &(_, id) in &v[lo..hi] {
                *hits.entry(id).or_default() += 1;
            }
        }
        let mut ids: Vec<(i64, u32)> = hits.into_iter().collect();
        ids.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ids.truncate(max);
        ids.into_iter()
            .filter_map(|(id, _)| self.appeals.get(&id).map(|(a, p)| (a, *p)))
            .collect()
    }

    /// The same as the SQL `same_author_recent`: the author's appeals received in
    /// `since..=until`, oldest first (received, then id), at most `max`.
    pub(super) fn same_author_recent(
        &self,
        author: &str,
        since: i64,
        until: i64,
        max: usize,
    ) -> Vec<(&Indexed, Precomputed)> {
        let Some(v) = self.authors.get(author) else {
            return Vec::new();
        };
        let lo = v.partition_point(|x| x.0 < since);
        let hi = v.partition_point(|x| x.0 <= until);
        v[lo..hi]
            .iter()
            .take(max)
            .filter_map(|(_, id)| self.appeals.get(id).map(|(a, p)| (a, *p)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::triage::TriageData;
    use crate::reference::Reference;

    fn triage() -> Triage {
        let reference = Reference::embedded().expect("reference");
        Triage::build(
            &reference.blocks,
            &TriageData::embedded().expect("data"),
            &[],
        )
    }

    fn db(path: &std::path::Path) -> Db {
        let c = Db::Sqlite(rusqlite::Connection::open(path).expect("open"));
        c.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS appeals (id INTEGER PRIMARY KEY, block TEXT);
             CREATE TABLE IF NOT EXISTS triage_signatures (appeal_id INTEGER PRIMARY KEY,
                 at INTEGER NOT NULL, settlement TEXT, block TEXT, author TEXT, stems BLOB NOT NULL);",
        )
        .expect("schema");
        c
    }

    fn put(c: &Db, t: &Triage, id: i64, at: i64, text: &str) {
        c.execute(
            "INSERT INTO triage_signatures (appeal_id, at, author, stems) VALUES (?1, ?2, 'a', ?3)",
            params![id, at, t.signature(text).to_blob()],
        )
        .expect("insert");
    }

    const TEXT: &str = "Прорвало трубу у дома, вода заливает подвал третий день";

    #[test]
    fn another_writers_commit_between_batches_is_seen() {
        let t = triage();
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("w.db");
        let mine = db(&path);
        let other = db(&path);
        put(&mine, &t, 1, 100, TEXT);
        let mut w = Window::default();
        w.prepare(&mine, &t, 0, 1_000).expect("prepare");
        w.committed(&mine).expect("version");
        let probes = t.probe_keys(&t.signature(TEXT));
        let ids = |w: &Window| -> Vec<i64> {
            w.similar_recent(&probes, 0, 1_000, 500, 300)
                .iter()
                .map(|a| a.0.id)
                .collect()
        };
        assert_eq!(ids(&w), vec![1]);
        // Another connection indexes an appeal inside the range already loaded.
        put(&other, &t, 2, 200, TEXT);
        w.prepare(&mine, &t, 0, 1_000).expect("prepare");
        assert_eq!(
            ids(&w),
            vec![1, 2],
            "reloaded after another writer's commit"
        );
        // Sliding on without other writers: older appeals drop out, newer ones are loaded.
        put(&mine, &t, 3, 1_500, TEXT);
        w.committed(&mine).expect("version");
        w.prepare(&mine, &t, 150, 2_000).expect("prepare");
        assert_eq!(
            w.similar_recent(&probes, 150, 2_000, 500, 300)
                .iter()
                .map(|a| a.0.id)
                .collect::<Vec<_>>(),
            vec![2, 3]
        );
        assert_eq!(
            w.same_author_recent("a", 0, 2_000, 200)
                .iter()
                .map(|a| a.0.id)
                .collect::<Vec<_>>(),
            vec![2, 3]
        );
    }

    #[test]
    fn per_key_limit_keeps_the_newest_like_the_sql() {
        let t = triage();
        let mut w = Window::default();
        let sig = t.signature(TEXT);
        let keys = t.index_keys(&sig);
        for (id, at) in [(1, 10), (2, 30), (3, 20), (4, 30)] {
            w.add(
                &t,
                Indexed {
                    id,
                    at,
                    settlement: None,
                    block: None,
                    author: None,
                    signature: sig.clone(),
                },
                &keys,
            );
        }
        let probes = t.probe_keys(&sig);
        // The newest two by (received, id) descending: 4 and 2; then by id.
        let ids: Vec<i64> = w
            .similar_recent(&probes, 0, 100, 2, 300)
            .iter()
            .map(|a| a.0.id)
            .collect();
        assert_eq!(ids, vec![2, 4]);
    }
}
