//! A long read in pages: rows of one ordered query fetched a page at a time by the key it is
//! ordered by (keyset paging), so that memory stays bounded on both engines. SQLite streams a
//! statement's rows, but the PostgreSQL driver collects each statement's whole result; a walk over
//! every audit entry or every appeal of a region's municipality must not hold them all at once.

use super::DbError;

/// Rows fetched `size` at a time: `fetch(after, size)` returns the next at most `size` rows whose
/// key (`key`) comes after `after` (all from the first when `None`), in key order.
pub struct Pages<T, K, F> {
    fetch: F,
    key: fn(&T) -> K,
    size: usize,
    after: Option<K>,
    page: std::vec::IntoIter<T>,
    done: bool,
}

impl<T, K, F> Pages<T, K, F>
where
    F: FnMut(Option<&K>, i64) -> Result<Vec<T>, DbError>,
{
    pub fn new(size: usize, key: fn(&T) -> K, fetch: F) -> Self {
        Self {
            fetch,
            key,
            size: size.max(1),
            after: None,
            page: Vec::new().into_iter(),
            done: false,
        }
    }

    /// The next row, fetching the next page when this one is used up.
    #[allow(clippy::should_implement_trait)] // fallible: not an Iterator
    pub fn next(&mut self) -> Result<Option<T>, DbError> {
        if let Some(x) = self.page.next() {
            return Ok(Some(x));
        }
        if self.done {
            return Ok(None);
        }
        let rows = (self.fetch)(
            self.after.as_ref(),
            i64::try_from(self.size).unwrap_or(i64::MAX),
        )?;
        self.done = rows.len() < self.size;
        if let Some(last) = rows.last() {
            self.after = Some((self.key)(last));
        }
        self.page = rows.into_iter();
        Ok(self.page.next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::{Db, params};

    #[test]
    fn every_row_comes_once_in_order_whatever_the_page_size() {
        let db = Db::Sqlite(rusqlite::Connection::open_in_memory().expect("db"));
        db.execute_batch("CREATE TABLE t (a INTEGER, b INTEGER, PRIMARY KEY (a, b))")
            .expect("schema");
        let mut want = Vec::new();
        for a in 0..7 {
            for b in 0..(a % 3 + 1) {
                db.execute("INSERT INTO t VALUES (?1, ?2)", params![a, b])
                    .expect("insert");
                want.push((a, b));
            }
        }
        for size in [1, 2, 3, 5, want.len(), want.len() + 1, 100] {
            let mut fetched = 0;
            let mut pages = Pages::new(
                size,
                |r: &(i64, i64)| *r,
                |after, n| {
                    fetched += 1;
                    let (a, b) = after.copied().unwrap_or((i64::MIN, i64::MIN));
                    db.prepare_cached(
                        "SELECT a, b FROM t WHERE (a, b) > (?1, ?2) ORDER BY a, b LIMIT ?3",
                    )?
                    .query_map(params![a, b, n], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
                },
            );
            let mut got = Vec::new();
            while let Some(r) = pages.next().expect("page") {
                got.push(r);
            }
            assert_eq!(got, want, "page size {size}");
            drop(pages);
            // Whole pages, then the one that comes back short.
            assert_eq!(fetched, want.len() / size + 1, "page size {size}");
        }
    }
}
