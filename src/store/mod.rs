//! The SQLite store: the only module that speaks SQL.
//!
//! One file per workspace (`mcu.db`), WAL journal (readers never block the writer), foreign keys
//! on, and writers that wait for each other ([`busy`]: `BEGIN IMMEDIATE`, retries with backoff)
//! so several consoles and the importer can share it. Times are stored as unix
//! seconds (UTC); deadlines are derived and stored so the console can index "open by deadline".

mod aggregates;
mod alerts;
mod analytics;
mod appeals;
mod audit;
pub mod busy;
pub mod db;
mod import_batch;
mod imports;
pub mod migrate;
mod operators;
mod pages;
mod query;
mod reading;
mod recipients;
pub mod region;
mod registers;
mod registration;
mod reports;
pub mod roadmaps;
mod schema;
mod search;
pub mod sessions;
mod sorted;
mod triage;
mod triage_run;
mod triage_window;
mod votes;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use db::{Db, DbError};
use rusqlite::Connection;

use crate::domain::access::Grants;
use crate::domain::calendar::CalendarError;
use crate::reference::Reference;

pub use analytics::{
    Dimension, FactsGroup, FirstResponseCounts, GroupCounts, OpenCounts, PairCounts,
    first_response_wh,
};
pub use appeals::{Change, Event, SaveKind, SaveOutcome};
pub use audit::{
    AnchorReport, AppealReport, AuditEntry, AuditFilter, Head, KeptHead, Problem, Subject,
    Verification, entry_hash, register_entry_hash,
};
pub use imports::ImportTx;
pub use imports::ImportedFile;
pub use operators::Operator;
pub use pages::{Saved as PageSaved, apply_field as apply_page_field};
pub use query::{Cursor, ListFilter, Stats, Today};
pub use reading::{BlockParts, PeriodReading, Want};
pub use registration::{REGISTRATION_REGISTER, Registration};
pub use reports::{REPORT_REGISTER, ReportRun};
pub use schema::CURRENT_VERSION;
pub(crate) use schema::postgres::schema_of;
pub use sorted::{Order, Sort};
pub use triage::{
    AUTO_TRIAGE_SOURCE, DuplicateGroup, GroupMember, StoredSuggestion, TRIAGE_BATCH, TriageFailure,
    TriageOutcome, TriageRun,
};
pub use votes::{VoteCounts, VoteInput};

/// Who made a change and through what: kept with every audited change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The operator's login.
    pub operator: String,
    /// Where the change came from: `cli`, `console`, `import:<file>`.
    pub source: String,
    /// What the operator may do; every change is checked against it. `None` only for the
    /// library's own work on behalf of an already checked caller (an import the operator was
    /// allowed to start, the demo filler).
    pub grants: Option<Grants>,
}

impl Actor {
    /// An actor for the library's own work (no per-change check: the caller checked).
    pub fn new(operator: impl Into<String>, source: impl Into<String>) -> Self {
        Self {
            operator: operator.into(),
            source: source.into(),
            grants: None,
        }
    }

    /// An operator acting through `source` (`cli`, `console`), checked on every change.
    pub fn operator(grants: Grants, source: impl Into<String>) -> Self {
        Self {
            operator: grants.login.clone(),
            source: source.into(),
            grants: Some(grants),
        }
    }
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error(
        "appeal {id} was changed by someone else (your version {expected}, now {actual}); reload it and try again"
    )]
    Stale { id: i64, expected: i64, actual: i64 },
    #[error("{0}")]
    Calendar(#[from] CalendarError),
    /// The operator may not do this.
    #[error("not allowed: {0}")]
    Denied(String),
}

impl StoreError {
    /// True when another writer held the database for longer than [`busy::BUSY_TIMEOUT`].
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Db(e) if e.is_busy())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e.into())
    }
}

/// Where a store's data lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file (a workspace's `mcu.db`).
    File(std::path::PathBuf),
    /// A municipality of a PostgreSQL database.
    Postgres { url: String, municipality: String },
}

impl std::fmt::Debug for Location {
    /// Never the URL's password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(p) => write!(f, "File({})", p.display()),
            Location::Postgres { url, municipality } => write!(
                f,
                "Postgres({}, {municipality})",
                db::pg::redacted_target(url)
            ),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            Location::Postgres { url, municipality } => write!(
                f,
                "PostgreSQL {}, municipality {municipality}",
                db::pg::redacted_target(url)
            ),
        }
    }
}

/// Connections to one PostgreSQL server a process keeps at most (consoles of `mcu serve`, the
/// importer, the writer threads).
const POOL_MAX: usize = 32;

/// An open workspace database.
pub struct Store {
    conn: Db,
    reference: Arc<Reference>,
    /// What the ranking reads from appeals, per day (see `aggregates::ChunkCache`).
    chunks: std::cell::RefCell<aggregates::ChunkCache>,
    /// The audit chain's head kept outside the database (none in memory).
    anchor: Option<audit::anchor::Anchor>,
    /// Where it was opened (none in memory): another connection opens the same.
    location: Option<Location>,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path, reference: Arc<Reference>) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        let mut store = Self::setup(conn, reference, Some(audit::anchor::Anchor::beside(path)))?;
        store.location = Some(Location::File(path.to_path_buf()));
        Ok(store)
    }

    /// Opens the store at `location`.
    pub fn open_at(location: &Location, reference: Arc<Reference>) -> Result<Self, StoreError> {
        match location {
            Location::File(p) => Self::open(p, reference),
            Location::Postgres { url, municipality } => {
                Self::open_postgres(url, municipality, reference)
            }
        }
    }

    /// Where this store was opened (none in memory).
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// Opens the municipality `code` of a PostgreSQL database (`postgres://…`), creating the
    /// region's tables and the municipality's schema on first use. Connections come from a
    /// process-wide pool per URL (the consoles of `mcu serve` share it).
    pub fn open_postgres(
        url: &str,
        code: &str,
        reference: Arc<Reference>,
    ) -> Result<Self, StoreError> {
        schema::postgres::check_code(code)?;
        let pool = db::pg::PgPool::shared(url, POOL_MAX);
        let conn = pool.get().map_err(DbError::from)?;
        let found = schema::postgres::migrate(&conn, code)?;
        let conn = Db::Pg(db::PgDb::with_timeout(
            conn,
            &schema::postgres::schema_of(code),
            reference.settings.store.statement_timeout(),
        )?);
        let anchor = audit::anchor::Anchor::in_region(code);
        if found > 0 && found < schema::postgres::ANCHORS_AT {
            // A municipality that predates its anchors: they start with the head it has now
            // (once: at the upgrade, as on SQLite).
            anchor.record(&conn);
        } else {
            anchor.start(&conn)?;
        }
        Ok(Self {
            conn,
            reference,
            chunks: Default::default(),
            anchor: Some(anchor),
            location: Some(Location::Postgres {
                url: url.to_owned(),
                municipality: code.to_owned(),
            }),
        })
    }

    /// An in-memory store, for tests.
    pub fn open_in_memory(reference: Arc<Reference>) -> Result<Self, StoreError> {
        Self::setup(Connection::open_in_memory()?, reference, None)
    }

    fn setup(
        mut conn: Connection,
        reference: Arc<Reference>,
        anchor: Option<audit::anchor::Anchor>,
    ) -> Result<Self, StoreError> {
        // Wait for the other writers (with backoff, up to busy::BUSY_TIMEOUT) instead of failing.
        conn.busy_handler(Some(busy::handler))?;
        // 8 KiB pages (a new database only; an existing one keeps its size): fewer, fuller
        // B-tree pages for rows of a few hundred bytes; measured ~9% faster on a large import.
        conn.pragma_update(None, "page_size", 8192)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Query plans that do not depend on the values bound: without this, SQLite marks the
        // parameters of a statement such as "the appeal with this channel and source id" as
        // plan-affecting (partial indexes, STAT4) and re-prepares the cached statement on every
        // new value, which doubled the cost of an import row.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        // A migration may write audit entries (schema::split_interim_answers): then they are
        // anchored right away, like any other commit.
        // rusqlite keeps 16 prepared statements by default; triaging one appeal runs some thirty
        // distinct ones (the appeal, its save, the summaries, the audit entry, the index), so
        // they evicted each other and were compiled again for every appeal (14 % of a run).
        conn.set_prepared_statement_cache_capacity(128);
        let mut conn = Db::Sqlite(conn);
        let head_before = audit::head(&conn).ok().flatten();
        let found = schema::migrate(&mut conn, &reference)?;
        let migration_wrote = found > 0 && audit::head(&conn)? != head_before;
        if found < schema::HASH_CHAIN_AT {
            audit::seal(&conn)?;
        }
        if let Some(a) = &anchor {
            // A database that predates anchoring: the anchor starts with the head it has now
            // (once: at the upgrade, like the seal above).
            let upgraded =
                found > 0 && found < schema::DIGESTS_AT && a.path().is_some_and(|p| !p.exists());
            if upgraded || migration_wrote {
                a.record(&conn);
            } else {
                a.start(&conn)?;
            }
        }
        Ok(Self {
            conn,
            reference,
            chunks: Default::default(),
            anchor,
            location: None,
        })
    }

    /// Anchors the chain's head (the anchor file; on PostgreSQL the region's table) if a
    /// transaction just committed moved it.
    pub(crate) fn anchor_head(&self) {
        if let Some(a) = &self.anchor {
            a.record(&self.conn);
        }
    }

    /// The reference data (calendar, rules, blocks) this store computes deadlines with.
    pub fn reference(&self) -> &Arc<Reference> {
        &self.reference
    }

    /// A counter that changes whenever another connection commits (`PRAGMA data_version`):
    /// cheap enough to poll on every console tick.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.data_version()?)
    }

    /// [`Store::data_version`] once it differs from `seen`, waiting up to `limit` for it: on
    /// PostgreSQL another console's change arrives as a notification shortly after its commit;
    /// on SQLite the counter is read at once.
    pub fn wait_data_version(
        &self,
        seen: i64,
        limit: std::time::Duration,
    ) -> Result<i64, StoreError> {
        Ok(self.conn.wait_data_version(seen, limit)?)
    }

    /// The database file (none for an in-memory store or a server database).
    pub fn path(&self) -> Option<std::path::PathBuf> {
        self.conn
            .sqlite()
            .and_then(|c| c.path())
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from)
    }

    /// Replaces the waiting for other writers ([`busy`]) with SQLite's own, of at most `d`
    /// (the console's writer thread retries on its own, see `tui::writes`).
    pub fn set_busy_wait(&mut self, d: std::time::Duration) -> Result<(), StoreError> {
        if let Some(c) = self.conn.sqlite() {
            c.busy_timeout(d)?;
        }
        Ok(())
    }

    /// Direct access for the modules of the store.
    pub(crate) fn conn(&self) -> &Db {
        &self.conn
    }
}

/// Unix seconds to an instant.
pub(crate) fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Optional unix seconds to an optional instant.
pub(crate) fn ts_opt(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.map(ts)
}
