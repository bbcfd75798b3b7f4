//! The SQLite store: the only module that speaks SQL.
//!
//! One file per workspace (`mcu.db`), WAL journal (readers never block the writer), foreign keys
//! on, a busy timeout so several consoles and the importer can share it. Times are stored as unix
//! seconds (UTC); deadlines are derived and stored so the console can index "open by deadline".

mod analytics;
mod appeals;
mod imports;
mod query;
mod recipients;
mod schema;
mod triage;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::domain::calendar::CalendarError;
use crate::reference::Reference;

pub use analytics::{
    Dimension, FactsGroup, FirstResponseCounts, GroupCounts, OpenCounts, first_response_wh,
};
pub use appeals::{Change, Event, SaveKind, SaveOutcome};
pub use imports::ImportTx;
pub use imports::ImportedFile;
pub use query::{Cursor, ListFilter, Stats, fts_query};
pub use schema::CURRENT_VERSION;
pub use triage::{
    AUTO_TRIAGE_SOURCE, DuplicateGroup, GroupMember, StoredSuggestion, TriageOutcome,
};

/// Who made a change and through what: kept with every audited change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The operator's login.
    pub operator: String,
    /// Where the change came from: `cli`, `console`, `import:<file>`.
    pub source: String,
}

impl Actor {
    /// An actor with the given operator login and source.
    pub fn new(operator: impl Into<String>, source: impl Into<String>) -> Self {
        Self {
            operator: operator.into(),
            source: source.into(),
        }
    }
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
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
}

/// An open workspace database.
pub struct Store {
    conn: Connection,
    reference: Arc<Reference>,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path, reference: Arc<Reference>) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        Self::setup(conn, reference)
    }

    /// An in-memory store, for tests.
    pub fn open_in_memory(reference: Arc<Reference>) -> Result<Self, StoreError> {
        Self::setup(Connection::open_in_memory()?, reference)
    }

    fn setup(mut conn: Connection, reference: Arc<Reference>) -> Result<Self, StoreError> {
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        schema::migrate(&mut conn)?;
        Ok(Self { conn, reference })
    }

    /// The reference data (calendar, rules, blocks) this store computes deadlines with.
    pub fn reference(&self) -> &Arc<Reference> {
        &self.reference
    }

    /// A counter that changes whenever another connection commits (`PRAGMA data_version`):
    /// cheap enough to poll on every console tick.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Direct access for the modules of the store.
    pub(crate) fn conn(&self) -> &Connection {
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
