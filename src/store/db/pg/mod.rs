//! The PostgreSQL engine: a synchronous connection over tokio-postgres.
//!
//! - **Calls are synchronous** and work from any thread, inside a tokio runtime or not: every
//!   connection's socket is driven by one background runtime on its own thread (`runtime.rs`), and
//!   a call waits for its reply with `futures_executor::block_on`.
//! - **No TLS** (`NoTls`): the server is reached over a local socket or a trusted network. A URL
//!   with `sslmode=require` fails to connect.
//! - **SQL is the store's SQLite text**: `?1`/`?` placeholders become `$1` once per statement,
//!   and each statement is prepared once per connection (cached by its text).
//! - **Values** are the store's five kinds ([`Value`]/[`ValueRef`]): a parameter adapts to the type
//!   the server inferred for it, a column of any common type reads back as one of them.
//! - **Transactions** are plain statements (`BEGIN ISOLATION LEVEL READ COMMITTED` … `COMMIT`):
//!   each statement sees what was committed when it started, concurrent writers of one row wait
//!   for each other's row lock, and no statement fails with a serialization error, so the store
//!   needs no retry loop; invariants spanning rows (the audit hash chain) are serialised with
//!   [`PgConn::advisory_xact_lock`]. [`Isolation`] offers the stricter levels and a read-only
//!   snapshot for several queries. A text that is only `BEGIN`/`COMMIT`/`ROLLBACK` (SQLite's
//!   `BEGIN IMMEDIATE` included) given to [`PgConn::batch_execute`] goes the same way. A COMMIT
//!   after a failed statement is refused ([`PgError::TransactionAborted`]) rather than rolled
//!   back silently, as PostgreSQL itself would.
//! - **Other writers** are noticed with LISTEN/NOTIFY: [`PgConn::notifications`] is a counter.
//! - A process-wide bounded [`pool`] per URL.

mod error;
pub mod pool;
mod runtime;
pub mod sql;
pub mod types;

use std::collections::{HashMap, VecDeque};
use std::future::poll_fn;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::Poll;
use std::time::{Duration, Instant};

use futures_executor::block_on;
use futures_util::SinkExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_postgres::config::Host;
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, Client, Config, Connection, NoTls, Row, Statement};

pub use error::PgError;
pub use pool::{PgPool, PooledConn};
pub use types::DecodeError;

use crate::store::db::value::{FromValue, ToValue, Value, ValueRef};

/// Statements prepared per connection before the cache is emptied (the store's SQL is a few
/// hundred fixed texts; dynamically built ones must not grow it without bound).
const CACHE_MAX: usize = 1024;
/// Bytes of COPY text sent per message.
const COPY_CHUNK: usize = 256 * 1024;
/// Notifications kept for [`PgConn::take_notifications`] (older ones are dropped; the counter
/// still counts them).
const KEEP_NOTIFICATIONS: usize = 256;
/// Connecting gives up after this unless the URL says `connect_timeout=…`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The isolation level of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// PostgreSQL's default and the store's: no serialization failures.
    #[default]
    ReadCommitted,
    /// One snapshot for the whole transaction (consistent multi-query reports); a write that
    /// conflicts with a concurrent one fails with [`PgError::is_serialization_failure`].
    RepeatableRead,
    /// Full serializability; retry on [`PgError::is_serialization_failure`].
    Serializable,
    /// A read-only REPEATABLE READ transaction: one snapshot for several queries (what SQLite's
    /// plain `BEGIN` gives a reader — READ COMMITTED would take a new snapshot per statement).
    /// Read-only, it never fails with a serialization error; a write in it is refused.
    Snapshot,
}

impl Isolation {
    fn begin_sql(self) -> &'static str {
        match self {
            Isolation::ReadCommitted => "BEGIN ISOLATION LEVEL READ COMMITTED",
            Isolation::RepeatableRead => "BEGIN ISOLATION LEVEL REPEATABLE READ",
            Isolation::Serializable => "BEGIN ISOLATION LEVEL SERIALIZABLE",
            Isolation::Snapshot => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        }
    }
}

/// A NOTIFY received on a listened channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub channel: String,
    pub payload: String,
}

/// What the connection's background task shares with the connection.
#[derive(Default)]
struct Shared {
    notifications: AtomicU64,
    /// The socket is gone or a statement failed with a lost connection.
    broken: AtomicBool,
    recent: Mutex<VecDeque<Notification>>,
    /// Woken on every notification and when the connection ends.
    signal: Condvar,
}

impl Shared {
    fn recent(&self) -> MutexGuard<'_, VecDeque<Notification>> {
        self.recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Drives one connection until it ends, counting notifications.
async fn drive<S, T>(mut conn: Connection<S, T>, shared: Arc<Shared>, target: String)
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    let end = poll_fn(|cx| {
        loop {
            match conn.poll_message(cx) {
                Poll::Ready(Some(Ok(AsyncMessage::Notification(n)))) => {
                    let mut recent = shared.recent();
                    if recent.len() == KEEP_NOTIFICATIONS {
                        recent.pop_front();
                    }
                    recent.push_back(Notification {
                        channel: n.channel().to_owned(),
                        payload: n.payload().to_owned(),
                    });
                    shared.notifications.fetch_add(1, Ordering::AcqRel);
                    drop(recent);
                    shared.signal.notify_all();
                }
                // Notices ("relation already exists, skipping") are not the store's business.
                Poll::Ready(Some(Ok(_))) => {}
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(e)),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    })
    .await;
    if let Some(e) = end {
        tracing::debug!("PostgreSQL connection to {target} ended: {e}");
    }
    // Under the lock, so a waiter between its check and its wait cannot miss the wake-up.
    let recent = shared.recent();
    shared.broken.store(true, Ordering::Release);
    drop(recent);
    shared.signal.notify_all();
}

/// Where a connection goes, for messages: hosts, port, database and user, never the password.
fn describe_target(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let hosts = if hosts.is_empty() {
        "localhost".to_owned()
    } else {
        hosts.join(",")
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or("");
    match config.get_user() {
        Some(user) => format!("{hosts}:{port}/{db} as {user}"),
        None => format!("{hosts}:{port}/{db}"),
    }
}

/// Parses a connection URL (`postgres://`, `postgresql://`, or libpq's `key=value` form).
fn parse_url(url: &str) -> Result<Config, PgError> {
    let mut config = Config::from_str(url).map_err(|e| {
        use std::error::Error as _;
        // The parser's cause names an option, never its value; the URL itself is not repeated.
        PgError::Url(match e.source() {
            Some(cause) => cause.to_string(),
            None => e.to_string(),
        })
    })?;
    if config.get_application_name().is_none() {
        config.application_name("mcu");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    Ok(config)
}

/// Where a URL points, for messages (no password); the URL when it does not parse is not shown.
pub fn redacted_target(url: &str) -> String {
    parse_url(url).map_or_else(|_| "(invalid URL)".to_owned(), |c| describe_target(&c))
}

/// Whether a text of statements holds a `ROLLBACK TO [SAVEPOINT] name`.
fn rolls_back_to_savepoint(sql: &str) -> bool {
    sql.split(';').any(|st| {
        let words: Vec<String> = st
            .split_whitespace()
            .take(2)
            .map(str::to_ascii_uppercase)
            .collect();
        words.len() == 2 && words[0] == "ROLLBACK" && words[1] == "TO"
    })
}

/// One PostgreSQL connection with its prepared statements.
pub struct PgConn {
    client: Client,
    shared: Arc<Shared>,
    cache: Mutex<HashMap<String, Statement>>,
    in_tx: AtomicBool,
    /// A statement failed inside the open transaction: the server ignores the rest until it ends.
    tx_failed: AtomicBool,
    listening: AtomicBool,
    target: String,
}

impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConn")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl PgConn {
    /// Connects to `url`: `postgres://user:pw@host:port/db`, `postgresql://…`, a unix socket
    /// directory as the host (`postgres://user@%2Frun%2Fpostgresql/db`) or as
    /// `?host=/run/postgresql`. Without a user the OS user name is used.
    pub fn connect(url: &str) -> Result<PgConn, PgError> {
        let config = parse_url(url)?;
        let target = describe_target(&config);
        let task_target = target.clone();
        let connected = runtime::run(async move {
            let (client, connection) = config.connect(NoTls).await?;
            let shared = Arc::new(Shared::default());
            tokio::spawn(drive(connection, shared.clone(), task_target));
            Ok::<_, tokio_postgres::Error>((client, shared))
        })
        .map_err(PgError::Runtime)?;
        let (client, shared) = connected.map_err(|source| PgError::Connect {
            target: target.clone(),
            source,
        })?;
        Ok(PgConn {
            client,
            shared,
            cache: Mutex::new(HashMap::new()),
            in_tx: AtomicBool::new(false),
            tx_failed: AtomicBool::new(false),
            listening: AtomicBool::new(false),
            target,
        })
    }

    /// Where this connection goes (hosts, port, database, user; no password).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The connection is gone: every call fails; a pool drops it.
    pub fn is_broken(&self) -> bool {
        self.client.is_closed() || self.shared.broken.load(Ordering::Acquire)
    }

    /// Inside a transaction opened with [`PgConn::begin`].
    pub fn in_transaction(&self) -> bool {
        self.in_tx.load(Ordering::Acquire)
    }

    fn cache(&self) -> MutexGuard<'_, HashMap<String, Statement>> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fail(&self, sql: &str, source: tokio_postgres::Error) -> PgError {
        let err = PgError::Statement {
            statement: sql::first_line(sql),
            source,
        };
        let lost = err.is_connection_lost();
        if lost {
            self.shared.broken.store(true, Ordering::Release);
        }
        // A server error aborts the open transaction; a parameter that could not be encoded was
        // refused before anything was sent and leaves it usable.
        let server_side =
            matches!(&err, PgError::Statement { source, .. } if source.as_db_error().is_some());
        if self.in_transaction() && (server_side || lost) {
            self.tx_failed.store(true, Ordering::Release);
        }
        err
    }

    /// The prepared statement for `sql` (the store's text), preparing it on first use.
    fn statement(&self, sql: &str) -> Result<Statement, PgError> {
        if let Some(st) = self.cache().get(sql) {
            return Ok(st.clone());
        }
        let translated = sql::translate_placeholders(sql);
        let st = block_on(self.client.prepare(&translated)).map_err(|e| self.fail(sql, e))?;
        let mut cache = self.cache();
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(sql.to_owned(), st.clone());
        Ok(st)
    }

    /// Forgets every prepared statement (after DDL that changes a table a cached `SELECT *` reads;
    /// a statement whose result type changed is also re-prepared by itself outside a transaction).
    pub fn clear_statement_cache(&self) {
        self.cache().clear();
    }

    /// Statements prepared on this connection so far (for tests and diagnostics).
    pub fn cached_statements(&self) -> usize {
        self.cache().len()
    }

    fn run<R>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        call: impl Fn(&Statement, &[&(dyn ToSql + Sync)]) -> Result<R, tokio_postgres::Error>,
    ) -> Result<R, PgError> {
        let mut retried = false;
        loop {
            let st = self.statement(sql)?;
            match with_params(params, |p| call(&st, p)) {
                Ok(r) => return Ok(r),
                Err(e) if is_stale_plan(&e) => {
                    self.cache().remove(sql);
                    if !retried && !self.in_transaction() {
                        retried = true;
                        continue;
                    }
                    return Err(self.fail(sql, e));
                }
                Err(e) => return Err(self.fail(sql, e)),
            }
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64, PgError> {
        self.run(sql, params, |st, p| block_on(self.client.execute(st, p)))
    }

    /// Runs one query; all its rows.
    pub fn query(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<PgRow>, PgError> {
        let rows = self.run(sql, params, |st, p| block_on(self.client.query(st, p)))?;
        Ok(wrap_rows(sql, rows))
    }

    /// The first row, if any (the rest are ignored, as SQLite's `query_row` does).
    pub fn query_opt(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<PgRow>, PgError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row; [`PgError::NoRow`] when there is none.
    pub fn query_one(&self, sql: &str, params: &[&dyn ToValue]) -> Result<PgRow, PgError> {
        self.query_opt(sql, params)?.ok_or_else(|| PgError::NoRow {
            statement: sql::first_line(sql),
        })
    }

    /// Runs several `;`-separated statements without parameters (migrations, `SET …`); nothing is
    /// prepared or cached.
    ///
    /// A text that is just a transaction statement goes through [`PgConn::begin`],
    /// [`PgConn::commit`] or [`PgConn::rollback`], so the connection's transaction state stays
    /// right whichever way the store opens and ends it; SQLite's `BEGIN IMMEDIATE`, `BEGIN
    /// DEFERRED` and `BEGIN EXCLUSIVE` open a READ COMMITTED transaction.
    pub fn batch_execute(&self, sql: &str) -> Result<(), PgError> {
        match sql::transaction_statement(sql) {
            Some(sql::TxStatement::Begin) => return self.begin(),
            Some(sql::TxStatement::Commit) => return self.commit(),
            Some(sql::TxStatement::Rollback) => return self.rollback(),
            Some(sql::TxStatement::BeginNative) => {
                self.simple(sql)?;
                self.tx_failed.store(false, Ordering::Release);
                self.in_tx.store(true, Ordering::Release);
                return Ok(());
            }
            None => {}
        }
        self.simple(sql)?;
        // The store's own savepoints (`ROLLBACK TO name; RELEASE name`): the text ran, so the
        // transaction is sound again after a failed statement, as `rollback_to` notes.
        if rolls_back_to_savepoint(sql) {
            self.tx_failed.store(false, Ordering::Release);
        }
        Ok(())
    }

    /// Runs a simple-protocol text as it is.
    fn simple(&self, sql: &str) -> Result<(), PgError> {
        block_on(self.client.batch_execute(sql)).map_err(|e| self.fail(sql, e))
    }

    /// Runs one statement without keeping it prepared (SQL built for one call: a filter with a
    /// varying number of values); the number of rows it changed.
    pub fn execute_once(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64, PgError> {
        let text = sql::translate_placeholders(sql);
        with_params(params, |p| block_on(self.client.execute(text.as_ref(), p)))
            .map_err(|e| self.fail(sql, e))
    }

    /// Runs one query without keeping it prepared; all its rows.
    pub fn query_once(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<PgRow>, PgError> {
        let text = sql::translate_placeholders(sql);
        let rows = with_params(params, |p| block_on(self.client.query(text.as_ref(), p)))
            .map_err(|e| self.fail(sql, e))?;
        Ok(wrap_rows(sql, rows))
    }

    /// Opens a READ COMMITTED transaction (see the module notes).
    pub fn begin(&self) -> Result<(), PgError> {
        self.begin_with(Isolation::ReadCommitted)
    }

    pub fn begin_with(&self, isolation: Isolation) -> Result<(), PgError> {
        self.simple(isolation.begin_sql())?;
        self.tx_failed.store(false, Ordering::Release);
        self.in_tx.store(true, Ordering::Release);
        Ok(())
    }

    /// Commits. After a failed statement inside the transaction PostgreSQL would answer COMMIT by
    /// rolling back without an error; this rolls back and says so instead.
    pub fn commit(&self) -> Result<(), PgError> {
        if self.tx_failed.load(Ordering::Acquire) {
            let rolled = self.end("ROLLBACK");
            return Err(match rolled {
                Err(e) => e,
                Ok(()) => PgError::TransactionAborted,
            });
        }
        self.end("COMMIT")
    }

    pub fn rollback(&self) -> Result<(), PgError> {
        self.end("ROLLBACK")
    }

    fn end(&self, sql: &str) -> Result<(), PgError> {
        self.in_tx.store(false, Ordering::Release);
        self.tx_failed.store(false, Ordering::Release);
        self.simple(sql)
    }

    /// `SAVEPOINT name` inside the transaction (the store's nesting).
    pub fn savepoint(&self, name: &str) -> Result<(), PgError> {
        self.simple(&format!("SAVEPOINT {}", sql::quote_ident(name)))
    }

    /// `RELEASE SAVEPOINT name`.
    pub fn release(&self, name: &str) -> Result<(), PgError> {
        self.simple(&format!("RELEASE SAVEPOINT {}", sql::quote_ident(name)))
    }

    /// `ROLLBACK TO SAVEPOINT name`: undoes the work since it, and clears a failed statement.
    pub fn rollback_to(&self, name: &str) -> Result<(), PgError> {
        self.simple(&format!("ROLLBACK TO SAVEPOINT {}", sql::quote_ident(name)))?;
        self.tx_failed.store(false, Ordering::Release);
        Ok(())
    }

    /// Takes the transaction-scoped advisory lock `key`, waiting for another transaction holding
    /// it to end: writers that take it before appending to the audit chain append one at a time.
    /// Call it inside [`PgConn::begin`] … [`PgConn::commit`] (outside, the lock would be released
    /// at once).
    pub fn advisory_xact_lock(&self, key: i64) -> Result<(), PgError> {
        self.execute("SELECT pg_advisory_xact_lock(?1)", &[&key])
            .map(|_| ())
    }

    /// Takes the transaction-scoped advisory lock `key` if no other transaction holds it; false
    /// (at once) when one does.
    pub fn try_advisory_xact_lock(&self, key: i64) -> Result<bool, PgError> {
        self.query_one("SELECT pg_try_advisory_xact_lock(?1)", &[&key])?
            .get(0)
    }

    /// Starts listening on `channel` (any text; it is quoted).
    pub fn listen(&self, channel: &str) -> Result<(), PgError> {
        self.simple(&format!("LISTEN {}", sql::quote_ident(channel)))?;
        self.listening.store(true, Ordering::Release);
        Ok(())
    }

    /// Stops listening on every channel.
    pub fn unlisten_all(&self) -> Result<(), PgError> {
        self.simple("UNLISTEN *")?;
        self.listening.store(false, Ordering::Release);
        Ok(())
    }

    /// `NOTIFY channel, payload` (delivered when the current transaction commits, if any).
    pub fn notify(&self, channel: &str, payload: &str) -> Result<(), PgError> {
        self.execute("SELECT pg_notify(?1, ?2)", &[&channel, &payload])
            .map(|_| ())
    }

    /// How many notifications arrived on this connection's listened channels so far: a load of an
    /// atomic, cheap enough for every tick of the console.
    pub fn notifications(&self) -> u64 {
        self.shared.notifications.load(Ordering::Acquire)
    }

    /// Waits until [`PgConn::notifications`] exceeds `seen`, the connection ends or `timeout`
    /// passes; the count then.
    pub fn wait_notifications(&self, seen: u64, timeout: Duration) -> u64 {
        let deadline = Instant::now() + timeout;
        let mut guard = self.shared.recent();
        loop {
            let n = self.notifications();
            if n > seen || self.is_broken() {
                return n;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return n;
            }
            guard = self
                .shared
                .signal
                .wait_timeout(guard, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    /// The notifications received since the last call (at most the latest 256).
    pub fn take_notifications(&self) -> Vec<Notification> {
        self.shared.recent().drain(..).collect()
    }

    /// Bulk load: `copy_sql` is `COPY table (columns) FROM STDIN` (text format, the default), and
    /// each row gives one value per column. The number of rows the server stored.
    pub fn copy_in<I>(&self, copy_sql: &str, rows: I) -> Result<u64, PgError>
    where
        I: IntoIterator,
        I::Item: AsRef<[Value]>,
    {
        let mut rows = rows.into_iter();
        self.copy_chunks(
            copy_sql,
            std::iter::from_fn(|| {
                let mut buf = Vec::with_capacity(COPY_CHUNK + 4096);
                for row in rows.by_ref() {
                    types::put_copy_row(row.as_ref(), &mut buf);
                    if buf.len() >= COPY_CHUNK {
                        break;
                    }
                }
                (!buf.is_empty()).then(|| bytes::Bytes::from(buf))
            }),
        )
    }

    /// [`copy_in`](Self::copy_in) of rows already in COPY's text format (each ending with a
    /// newline).
    pub fn copy_in_text(&self, copy_sql: &str, text: &[u8]) -> Result<u64, PgError> {
        self.copy_chunks(
            copy_sql,
            text.chunks(COPY_CHUNK).map(bytes::Bytes::copy_from_slice),
        )
    }

    /// Sends the chunks of a `COPY … FROM STDIN`; the number of rows the server stored.
    fn copy_chunks(
        &self,
        copy_sql: &str,
        chunks: impl Iterator<Item = bytes::Bytes>,
    ) -> Result<u64, PgError> {
        let sink = block_on(self.client.copy_in::<_, bytes::Bytes>(copy_sql))
            .map_err(|e| self.fail(copy_sql, e))?;
        let mut sink = Box::pin(sink);
        for chunk in chunks {
            block_on(sink.as_mut().send(chunk)).map_err(|e| self.fail(copy_sql, e))?;
        }
        block_on(sink.as_mut().finish()).map_err(|e| self.fail(copy_sql, e))
    }

    /// Undoes what a connection handed back to a pool must not carry: an open transaction and
    /// listened channels. False when that failed (the connection is then dropped).
    fn reset(&self) -> bool {
        if self.is_broken() {
            return false;
        }
        if self.in_transaction() && self.rollback().is_err() {
            return false;
        }
        if self.listening.load(Ordering::Acquire) && self.unlisten_all().is_err() {
            return false;
        }
        self.shared.recent().clear();
        true
    }
}

/// Calls `f` with the parameters as tokio-postgres takes them.
fn with_params<R>(params: &[&dyn ToValue], f: impl FnOnce(&[&(dyn ToSql + Sync)]) -> R) -> R {
    let values: Vec<ValueRef<'_>> = params.iter().map(|p| p.to_value()).collect();
    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
    f(&refs)
}

fn wrap_rows(sql: &str, rows: Vec<Row>) -> Vec<PgRow> {
    let statement: Arc<str> = sql::first_line(sql).into();
    rows.into_iter()
        .map(|row| PgRow {
            row,
            statement: statement.clone(),
        })
        .collect()
}

/// A server error that means "this prepared statement's result shape changed" (after DDL).
fn is_stale_plan(e: &tokio_postgres::Error) -> bool {
    e.as_db_error().is_some_and(|d| {
        d.code().code() == "0A000"
            && d.message()
                .contains("cached plan must not change result type")
    })
}

/// A deterministic advisory-lock key for a name (`"audit"`): the first 8 bytes of its SHA-256.
pub fn advisory_key(name: &str) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// One row of a query.
pub struct PgRow {
    row: Row,
    /// The query's first line, for errors.
    statement: Arc<str>,
}

impl std::fmt::Debug for PgRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Column names only: values may hold personal data.
        f.debug_struct("PgRow")
            .field("columns", &self.column_names())
            .finish()
    }
}

impl PgRow {
    pub fn len(&self) -> usize {
        self.row.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }

    pub fn column_name(&self, idx: usize) -> Option<&str> {
        self.row.columns().get(idx).map(|c| c.name())
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.row.columns().iter().map(|c| c.name()).collect()
    }

    /// The PostgreSQL type of a column (`int8`, `text`, `numeric`, …).
    pub fn column_type(&self, idx: usize) -> Option<&str> {
        self.row.columns().get(idx).map(|c| c.type_().name())
    }

    /// The position of the column called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.row.columns().iter().position(|c| c.name() == name)
    }

    /// Column `idx` as one of the five kinds, borrowing text and bytes from the row.
    pub fn get_ref(&self, idx: usize) -> Result<ValueRef<'_>, PgError> {
        let Some(col) = self.row.columns().get(idx) else {
            return Err(PgError::NoColumn {
                index: idx,
                len: self.row.len(),
                statement: self.statement.to_string(),
            });
        };
        let raw: Option<types::Raw<'_>> =
            self.row.try_get(idx).map_err(|source| PgError::Statement {
                statement: self.statement.to_string(),
                source,
            })?;
        match raw {
            None => Ok(ValueRef::Null),
            Some(types::Raw(bytes)) => {
                types::decode(col.type_(), bytes).map_err(|reason| PgError::Column {
                    index: idx,
                    name: col.name().to_owned(),
                    reason,
                    statement: self.statement.to_string(),
                })
            }
        }
    }

    /// Column `idx` as an owned value.
    pub fn get_value(&self, idx: usize) -> Result<Value, PgError> {
        self.get_ref(idx).map(ValueRef::to_owned)
    }

    /// Column `idx` as a Rust type.
    pub fn get<T: FromValue>(&self, idx: usize) -> Result<T, PgError> {
        let v = self.get_ref(idx)?;
        T::from_value(v).map_err(|reason| PgError::Convert {
            index: idx,
            name: self.column_name(idx).unwrap_or("").to_owned(),
            reason,
            statement: self.statement.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rollback_to_a_savepoint_is_told_from_other_texts() {
        assert!(super::rolls_back_to_savepoint(
            "ROLLBACK TO triage_one; RELEASE triage_one"
        ));
        assert!(super::rolls_back_to_savepoint(
            "release x;\n  rollback  to savepoint x"
        ));
        assert!(!super::rolls_back_to_savepoint("ROLLBACK"));
        assert!(!super::rolls_back_to_savepoint("SAVEPOINT triage_one"));
        assert!(!super::rolls_back_to_savepoint("SELECT 'ROLLBACK TO'"));
    }

    use super::*;

    #[test]
    fn targets_never_show_the_password() {
        let t = redacted_target("postgres://mcu:s3cret@db.example:6543/region");
        assert_eq!(t, "db.example:6543/region as mcu");
        let t = redacted_target("postgresql://ivan@%2Frun%2Fpostgresql/mcu");
        assert_eq!(t, "/run/postgresql:5432/mcu as ivan");
        let t = redacted_target("postgres:///mcu?host=/tmp/pg&port=5439&password=s3cret");
        assert_eq!(t, "/tmp/pg:5439/mcu");
        let e = PgConn::connect("postgres://mcu:s3cret@host:notaport/db").err();
        let text = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("invalid PostgreSQL URL"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn advisory_keys_are_stable() {
        assert_eq!(advisory_key("audit"), advisory_key("audit"));
        assert_ne!(advisory_key("audit"), advisory_key("import"));
    }
}
