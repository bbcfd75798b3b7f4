//! The database engine behind the store: the one place that knows which engine it talks to.
//!
//! The store's modules speak SQL through [`Db`] — statements, rows, transactions and values of
//! their own — the same calls whichever engine holds the data. The shape follows rusqlite's
//! (`prepare_cached`, `query_map`, `query_row`, `.optional()`), so the store reads like ordinary
//! rusqlite code; what differs between engines (placeholders, value types, transactions, how
//! other writers are noticed) is settled here.

pub mod pages;
pub mod pg;
mod sqlite;
pub mod value;

pub use value::{FromValue, FromValueError, ToValue, Value, ValueRef};

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A connection to the store's database.
pub enum Db {
    Sqlite(rusqlite::Connection),
    Pg(PgDb),
}

/// A PostgreSQL connection working inside one municipality's schema.
pub struct PgDb {
    conn: pg::PooledConn,
    /// The municipality's schema (`mo_<code>`): the connection's `search_path`.
    schema: String,
    /// The advisory lock every write transaction of this municipality takes first: writers of
    /// one municipality follow each other (as on SQLite), so the audit chain is appended by
    /// one at a time; readers never wait.
    write_lock: i64,
    /// Rows this connection changed (SQLite's `total_changes`).
    changes: std::sync::atomic::AtomicU64,
}

impl PgDb {
    /// Wraps a connection for the municipality whose schema is `schema`: sets its search path
    /// and listens on its change channel. A statement runs as long as it takes (see
    /// [`PgDb::with_timeout`]).
    pub fn new(conn: pg::PooledConn, schema: &str) -> Result<Self, DbError> {
        Self::with_timeout(conn, schema, None)
    }

    /// [`PgDb::new`] whose statements the server cancels after `statement_timeout` (`None`: no
    /// limit), failing with [`pg::PgError::is_statement_timeout`].
    pub fn with_timeout(
        conn: pg::PooledConn,
        schema: &str,
        statement_timeout: Option<std::time::Duration>,
    ) -> Result<Self, DbError> {
        conn.unlisten_all()?;
        // Set every time: a pooled connection keeps what its previous user set.
        let ms = |t: std::time::Duration| t.as_millis().clamp(1, i32::MAX as u128);
        conn.batch_execute(&format!(
            "SET search_path TO {}, public; SET statement_timeout = {}; SET lock_timeout = {}",
            pg::sql::quote_ident(schema),
            statement_timeout.map_or(0, ms),
            ms(crate::store::busy::timeout()),
        ))?;
        conn.listen(&Self::channel_of(schema))?;
        Ok(Self {
            write_lock: pg::advisory_key(&format!("mcu-write:{schema}")),
            schema: schema.to_owned(),
            conn,
            changes: Default::default(),
        })
    }

    fn channel_of(schema: &str) -> String {
        format!("mcu_changed_{schema}")
    }

    /// The connection.
    pub fn conn(&self) -> &pg::PgConn {
        &self.conn
    }

    /// The municipality's schema.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// `COPY … FROM STDIN` of rows already in COPY's text format (a batch of an import); the
    /// number of rows stored.
    pub fn copy_text(&self, copy_sql: &str, text: &[u8]) -> Result<u64, DbError> {
        let n = self.conn.copy_in_text(copy_sql, text)?;
        self.wrote(n);
        Ok(n)
    }

    /// Takes the municipality's write lock inside the open transaction, waiting for the writer
    /// that holds it (up to the connection's `lock_timeout`: the busy timeout of
    /// [`crate::store::busy`], after which the write fails as busy, as on SQLite).
    fn take_write_lock(&self) -> Result<(), DbError> {
        if !self.conn.try_advisory_xact_lock(self.write_lock)? {
            crate::store::busy::announce_wait();
            self.conn.advisory_xact_lock(self.write_lock)?;
        }
        Ok(())
    }

    /// Counts `n` rows this connection changed; a change outside a transaction (an autocommit
    /// statement: it committed as it ran) is announced to the municipality's other consoles at
    /// once, as [`Db::transaction`]'s commit announces its own.
    ///
    /// The change is committed already: an announcement that fails (the connection broke just
    /// after) is logged, not reported as a failed write.
    fn wrote(&self, n: u64) {
        self.changes
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        if n > 0
            && !self.conn.in_transaction()
            && let Err(e) = self.notify()
        {
            tracing::warn!("a committed change was not announced to the other consoles: {e}");
        }
    }

    /// Tells the municipality's consoles that something changed (on commit, inside a
    /// transaction).
    fn notify(&self) -> Result<(), DbError> {
        Ok(self.conn.notify(&Self::channel_of(&self.schema), "")?)
    }
}

/// Errors of the engine layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Pg(#[from] pg::PgError),
    /// A statement expected to return a row returned none.
    #[error("the query returned no rows")]
    NoRows,
    /// A column did not hold what the store expected.
    #[error("column {col}: {reason}")]
    Column { col: usize, reason: String },
}

impl DbError {
    /// A column whose stored value the store cannot read (an unknown code, say).
    pub fn column(col: usize, reason: impl Into<String>) -> Self {
        DbError::Column {
            col,
            reason: reason.into(),
        }
    }

    /// True when another writer held the database for longer than the store waits.
    pub fn is_busy(&self) -> bool {
        match self {
            DbError::Sqlite(e) => sqlite::is_busy(e),
            DbError::Pg(e) => e.is_busy(),
            _ => false,
        }
    }

    /// True for a failure of the database as a whole — another writer held it too long, the disk
    /// is full or failing, the file is read-only, damaged or cannot be opened, the server is gone —
    /// as opposed to a problem of the data being written.
    pub fn is_environment(&self) -> bool {
        match self {
            DbError::Sqlite(e) => sqlite::is_environment(e),
            DbError::Pg(e) => e.is_environment(),
            _ => false,
        }
    }

    /// True when a uniqueness constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(e) => sqlite::is_unique_violation(e),
            DbError::Pg(e) => e.is_unique_violation(),
            _ => false,
        }
    }
}

/// `.optional()` on a single-row result: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>, DbError>;
}

impl<T> OptionalExtension<T> for Result<T, DbError> {
    fn optional(self) -> Result<Option<T>, DbError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(DbError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The parameters of a statement: `[]`, `[a]`, `params![a, b]`, `params_from_iter(values)`.
pub trait Params {
    fn with<R>(self, f: impl FnOnce(&[&dyn ToValue]) -> R) -> R;
}

impl Params for &[&dyn ToValue] {
    fn with<R>(self, f: impl FnOnce(&[&dyn ToValue]) -> R) -> R {
        f(self)
    }
}

impl Params for [&dyn ToValue; 0] {
    fn with<R>(self, f: impl FnOnce(&[&dyn ToValue]) -> R) -> R {
        f(&[])
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToValue> Params for [T; $n] {
            fn with<R>(self, f: impl FnOnce(&[&dyn ToValue]) -> R) -> R {
                let refs: [&dyn ToValue; $n] = std::array::from_fn(|i| &self[i] as &dyn ToValue);
                f(&refs)
            }
        }
        impl<T: ToValue> Params for &[T; $n] {
            fn with<R>(self, f: impl FnOnce(&[&dyn ToValue]) -> R) -> R {
                let refs: [&dyn ToValue; $n] = std::array::from_fn(|i| &self[i] as &dyn ToValue);
                f(&refs)
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32);

impl Params for &Vec<&dyn ToValue> {
    fn with<R>(self, f: impl FnOnce(&[&dyn ToValue]) -> R) -> R {
        f(self)
    }
}

/// Parameters from an iterator of values (a dynamically built filter).
pub struct ParamsFromIter<I>(I);

/// Parameters from an iterator of values.
pub fn params_from_iter<I>(iter: I) -> ParamsFromIter<I>
where
    I: IntoIterator,
    I::Item: ToValue,
{
    ParamsFromIter(iter)
}

impl<I> Params for ParamsFromIter<I>
where
    I: IntoIterator,
    I::Item: ToValue,
{
    fn with<R>(self, f: impl FnOnce(&[&dyn ToValue]) -> R) -> R {
        let values: Vec<I::Item> = self.0.into_iter().collect();
        let refs: Vec<&dyn ToValue> = values.iter().map(|v| v as &dyn ToValue).collect();
        f(&refs)
    }
}

/// `params![a, b, …]`: a list of parameters of different types.
#[macro_export]
macro_rules! db_params {
    () => {
        &[] as &[&dyn $crate::store::db::ToValue]
    };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::db::ToValue),+] as &[&dyn $crate::store::db::ToValue]
    };
}
pub use crate::db_params as params;

impl Db {
    /// The engine of this connection.
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Pg(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, the file's path).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Db::Sqlite(c) => Some(c),
            Db::Pg(_) => None,
        }
    }

    /// The PostgreSQL connection, for what only PostgreSQL has (COPY, notifications).
    pub fn pg(&self) -> Option<&PgDb> {
        match self {
            Db::Pg(p) => Some(p),
            Db::Sqlite(_) => None,
        }
    }

    /// Whether a transaction is open on this connection.
    pub fn in_transaction(&self) -> bool {
        match self {
            Db::Sqlite(c) => !c.is_autocommit(),
            Db::Pg(p) => p.conn.in_transaction(),
        }
    }

    /// How many rows this connection has changed since it opened: with the other writers'
    /// commits noticed apart, tells whether anything changed since a count was taken.
    pub fn total_changes(&self) -> u64 {
        match self {
            Db::Sqlite(c) => c.total_changes(),
            Db::Pg(p) => p.changes.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// A counter that changes when another connection commits a change: SQLite's
    /// `PRAGMA data_version`; on PostgreSQL, the notifications the municipality's writers send
    /// with every write transaction.
    pub fn data_version(&self) -> Result<i64, DbError> {
        match self {
            Db::Sqlite(c) => Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?),
            Db::Pg(p) => Ok(i64::try_from(p.conn.notifications()).unwrap_or(i64::MAX)),
        }
    }

    /// [`Db::data_version`] once it differs from `seen` (waiting up to `limit` for a
    /// notification on PostgreSQL; at once on SQLite, whose counter is read from the file).
    pub fn wait_data_version(&self, seen: i64, limit: std::time::Duration) -> Result<i64, DbError> {
        match self {
            Db::Sqlite(_) => self.data_version(),
            Db::Pg(p) => {
                let seen = u64::try_from(seen).unwrap_or(0);
                let n = p.conn.wait_notifications(seen, limit);
                Ok(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize, DbError> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// Runs an `INSERT` and gives the new row's `id`: SQLite's last inserted rowid, PostgreSQL's
    /// `RETURNING id` (appended here).
    ///
    /// Not `RETURNING` on SQLite: a statement with it keeps a statement journal, whose savepoint
    /// makes the search index (FTS5) flush its buffer on every row — it made an import of
    /// 100,000 appeals more than twice as slow in CPU (`BENCHMARKS.md`, «Regression and fix»).
    pub fn insert<P: Params>(&self, sql: &str, params: P) -> Result<i64, DbError> {
        match self {
            Db::Sqlite(c) => {
                self.prepare_cached(sql)?.execute(params)?;
                Ok(c.last_insert_rowid())
            }
            Db::Pg(_) => self
                .prepare_cached(&format!("{sql} RETURNING id"))?
                .query_row(params, |r| r.get(0)),
        }
    }

    /// Runs several statements without parameters (schema scripts).
    pub fn execute_batch(&self, sql: &str) -> Result<(), DbError> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Pg(p) => Ok(p.conn.batch_execute(sql)?),
        }
    }

    /// A statement compiled for one use.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>, DbError> {
        match self {
            Db::Sqlite(c) => Ok(Statement::Sqlite(sqlite::Stmt::Once(c.prepare(sql)?))),
            Db::Pg(p) => Ok(Statement::Pg {
                db: p,
                sql: without_planner_hints(sql),
            }),
        }
    }

    /// A statement kept compiled for the next call with the same text.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>, DbError> {
        match self {
            Db::Sqlite(c) => Ok(Statement::Sqlite(sqlite::Stmt::Cached(
                c.prepare_cached(sql)?,
            ))),
            // The connection prepares each text once and keeps it.
            Db::Pg(p) => Ok(Statement::Pg {
                db: p,
                sql: without_planner_hints(sql),
            }),
        }
    }

    /// The first row of a query mapped by `f`; [`DbError::NoRows`] when there is none.
    pub fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> Result<T, DbError>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T, DbError>,
    {
        self.prepare(sql)?.query_row(params, f)
    }

    /// Begins a write transaction that takes the write lock first (`BEGIN IMMEDIATE` on
    /// SQLite), so it never fails half-way because another writer came first.
    ///
    /// On PostgreSQL the transaction takes the municipality's write lock (an advisory lock)
    /// first, for the same reason: writers follow each other, readers never wait.
    pub fn transaction(&self) -> Result<Transaction<'_>, DbError> {
        match self {
            Db::Sqlite(_) => self.execute_batch("BEGIN IMMEDIATE")?,
            Db::Pg(p) => {
                p.conn.begin()?;
                if let Err(e) = p.take_write_lock() {
                    let _ = p.conn.rollback();
                    return Err(e);
                }
            }
        }
        Ok(Transaction {
            db: self,
            done: false,
            write: true,
        })
    }

    /// Begins a read transaction: one snapshot for several queries.
    pub fn read_transaction(&self) -> Result<Transaction<'_>, DbError> {
        match self {
            Db::Sqlite(_) => self.execute_batch("BEGIN")?,
            Db::Pg(p) => p.conn.begin_with(pg::Isolation::Snapshot)?,
        }
        Ok(Transaction {
            db: self,
            done: false,
            write: false,
        })
    }

    fn end(&self, commit: bool, write: bool) -> Result<(), DbError> {
        match self {
            Db::Sqlite(_) if commit => {
                if let Err(e) = self.execute_batch("COMMIT") {
                    let _ = self.execute_batch("ROLLBACK");
                    return Err(e);
                }
                Ok(())
            }
            Db::Sqlite(_) => self.execute_batch("ROLLBACK"),
            Db::Pg(p) if commit => {
                if write {
                    // Delivered to every console of the municipality when this commits.
                    p.notify()?;
                }
                Ok(p.conn.commit()?)
            }
            Db::Pg(p) => Ok(p.conn.rollback()?),
        }
    }
}

/// A transaction: rolled back when dropped without [`Transaction::commit`].
pub struct Transaction<'c> {
    db: &'c Db,
    done: bool,
    write: bool,
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<(), DbError> {
        self.done = true;
        self.db.end(true, self.write)
    }

    pub fn rollback(mut self) -> Result<(), DbError> {
        self.done = true;
        self.db.end(false, self.write)
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.db.end(false, self.write);
        }
    }
}

/// A compiled statement.
pub enum Statement<'c> {
    Sqlite(sqlite::Stmt<'c>),
    Pg { db: &'c PgDb, sql: String },
}

impl Statement<'_> {
    /// Runs it; the number of rows it changed.
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize, DbError> {
        match self {
            Statement::Sqlite(s) => params.with(|p| s.execute(p)),
            Statement::Pg { db, sql } => {
                let n = params.with(|p| db.conn.execute(sql, p))?;
                if is_write(sql) {
                    db.wrote(n);
                }
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        }
    }

    /// Runs a query; its rows one by one.
    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>, DbError> {
        match self {
            Statement::Sqlite(s) => Ok(Rows::Sqlite(params.with(|p| s.query(p))?)),
            Statement::Pg { db, sql } => {
                let rows = params.with(|p| db.conn.query(sql, p))?;
                // A write with RETURNING changes as many rows as it returns.
                if is_write(sql) {
                    db.wrote(rows.len() as u64);
                }
                Ok(Rows::Pg {
                    rows: rows.into_iter(),
                    current: None,
                })
            }
        }
    }

    /// Runs a query; its rows mapped by `f`, one by one.
    pub fn query_map<T, P, F>(&mut self, params: P, f: F) -> Result<MappedRows<'_, F>, DbError>
    where
        P: Params,
        F: FnMut(&Row<'_>) -> Result<T, DbError>,
    {
        Ok(MappedRows {
            rows: self.query(params)?,
            f,
        })
    }

    /// The first row mapped by `f`; [`DbError::NoRows`] when there is none.
    pub fn query_row<T, P, F>(&mut self, params: P, f: F) -> Result<T, DbError>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T, DbError>,
    {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(r) => f(&r),
            None => Err(DbError::NoRows),
        }
    }

    /// True when the query returns at least one row.
    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool, DbError> {
        Ok(self.query(params)?.next()?.is_some())
    }
}

/// The rows of a running query.
pub enum Rows<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Pg {
        rows: std::vec::IntoIter<pg::PgRow>,
        current: Option<pg::PgRow>,
    },
}

impl Rows<'_> {
    /// The next row, or `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>, DbError> {
        match self {
            Rows::Sqlite(r) => Ok(r.next()?.map(Row::Sqlite)),
            Rows::Pg { rows, current } => {
                *current = rows.next();
                Ok(current.as_ref().map(Row::Pg))
            }
        }
    }
}

/// Rows mapped one by one.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> Result<T, DbError>,
{
    type Item = Result<T, DbError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.rows.next() {
            Ok(Some(r)) => Some((self.f)(&r)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// One row of a query.
#[derive(Clone, Copy)]
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Pg(&'r pg::PgRow),
}

impl<'r> Row<'r> {
    /// Column `idx` (from 0) read as `T`.
    pub fn get<I: RowIndex, T: FromValue>(&self, idx: I) -> Result<T, DbError> {
        let idx = idx.index();
        T::from_value(self.get_ref(idx)?).map_err(|e| DbError::column(idx, e.to_string()))
    }

    /// Column `idx` (from 0) as it is stored, borrowed from the row.
    pub fn get_ref(&self, idx: usize) -> Result<ValueRef<'r>, DbError> {
        match self {
            Row::Sqlite(r) => sqlite::value_ref(r, idx),
            Row::Pg(r) => Ok(r.get_ref(idx)?),
        }
    }
}

/// A column's position (from 0).
pub trait RowIndex {
    fn index(self) -> usize;
}

impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// A result of the engine layer.
pub type DbResult<T> = Result<T, DbError>;

/// True for a statement that changes rows (`INSERT`, `UPDATE`, `DELETE`, also inside a `WITH`):
/// what a `SELECT` returns is not a change, and announcing it would wake every console.
fn is_write(sql: &str) -> bool {
    const WRITES: [&str; 4] = ["INSERT", "UPDATE", "DELETE", "MERGE"];
    let mut words = sql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    match words.next() {
        Some(w) if w.eq_ignore_ascii_case("with") => {
            words.any(|w| WRITES.iter().any(|k| w.eq_ignore_ascii_case(k)))
        }
        Some(w) => WRITES.iter().any(|k| w.eq_ignore_ascii_case(k)),
        None => false,
    }
}

/// The store's SQL for PostgreSQL: SQLite's planner hints (`INDEXED BY name`, which PostgreSQL
/// has no syntax for) dropped; they choose an index, never change a result.
fn without_planner_hints(sql: &str) -> String {
    const HINT: &str = "INDEXED BY ";
    if !sql.contains(HINT) {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(i) = rest.find(HINT) {
        out.push_str(&rest[..i]);
        let after = &rest[i + HINT.len()..];
        let name_end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '{' || c == '}'))
            .unwrap_or(after.len());
        rest = &after[name_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_told_from_reads() {
        assert!(is_write("INSERT INTO a (x) VALUES (?1)"));
        assert!(is_write("  update a SET x = 1"));
        assert!(is_write("DELETE FROM a WHERE id = ?1"));
        assert!(is_write(
            "WITH gone AS (DELETE FROM a RETURNING id) SELECT count(*) FROM gone"
        ));
        assert!(!is_write("SELECT id FROM a"));
        assert!(!is_write(
            "WITH RECURSIVE b(x) AS (SELECT MIN(block) FROM appeals) SELECT x FROM b"
        ));
        assert!(!is_write(""));
    }

    #[test]
    fn planner_hints_are_dropped_for_postgres() {
        assert_eq!(
            without_planner_hints("SELECT id FROM events INDEXED BY events_appeal WHERE x = 1"),
            "SELECT id FROM events  WHERE x = 1"
        );
        assert_eq!(without_planner_hints("SELECT 1"), "SELECT 1");
        assert_eq!(
            without_planner_hints("FROM a INDEXED BY i1 JOIN b INDEXED BY i2"),
            "FROM a  JOIN b "
        );
    }
}
