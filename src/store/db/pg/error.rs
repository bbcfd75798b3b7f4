//! What can go wrong talking to PostgreSQL, with the SQLSTATE kept and no personal data shown.

use std::error::Error as _;

use super::types::DecodeError;

/// An error of the PostgreSQL driver.
///
/// Display names the failing statement by its first line and shows the server's message without
/// its DETAIL (which quotes row values, e.g. "Key (email)=(…) already exists") and without
/// parameter values; the password of a connection URL never appears.
#[derive(thiserror::Error)]
pub enum PgError {
    /// The URL does not parse (the text itself is not repeated: it may hold a password).
    #[error("invalid PostgreSQL URL: {0}")]
    Url(String),
    /// Connecting (or authenticating) failed.
    #[error("cannot connect to PostgreSQL at {target}: {}", describe(source))]
    Connect {
        target: String,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A statement failed (on the server, or binding a parameter, or the connection broke).
    #[error("{} — in: {statement}", describe(source))]
    Statement {
        statement: String,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A column holds a type the store does not read, or malformed bytes.
    #[error("column {index} ({name}): {} — in: {statement}", decode_text(reason))]
    Column {
        index: usize,
        name: String,
        reason: DecodeError,
        statement: String,
    },
    /// A row was asked for by position past its end.
    #[error("column {index} out of range: the row has {len} columns — in: {statement}")]
    NoColumn {
        index: usize,
        len: usize,
        statement: String,
    },
    /// A column read into a Rust type it does not hold.
    #[error("column {index} ({name}): {reason} — in: {statement}")]
    Convert {
        index: usize,
        name: String,
        reason: crate::store::db::value::FromValueError,
        statement: String,
    },
    /// `query_one` found no row.
    #[error("the query returned no row — in: {statement}")]
    NoRow { statement: String },
    /// COMMIT after a statement of the transaction had failed: it was rolled back.
    #[error(
        "a statement of the transaction had failed: the transaction was rolled back, not committed"
    )]
    TransactionAborted,
    /// No connection of the pool came free in time.
    #[error("all {max} PostgreSQL connections to {target} are busy (waited {waited_ms} ms)")]
    PoolTimeout {
        target: String,
        max: usize,
        waited_ms: u128,
    },
    /// The background runtime could not run the call (thread start failed, task panicked).
    #[error("{0}")]
    Runtime(String),
}

/// Debug shows what Display shows: the server's DETAIL, which the driver's own Debug includes,
/// would put row values into logs and panic messages.
impl std::fmt::Debug for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgError({self})")
    }
}

fn decode_text(r: &DecodeError) -> String {
    match r {
        DecodeError::Unsupported(ty) => {
            format!(
                "type {ty} is not read by the store (cast it to text, bigint or double precision)"
            )
        }
        DecodeError::Malformed(ty) => format!("malformed value of type {ty}"),
    }
}

/// The server's severity, message and SQLSTATE (no DETAIL), or the client-side error and its cause.
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let hint = if is_statement_timeout(db) {
            ": the statement ran longer than the store allows (statement_timeout_seconds in \
             [store] of config.toml)"
        } else if db.code().code() == "55P03" {
            ": the data stayed locked by another writer for longer than the store waits; try again"
        } else {
            ""
        };
        return format!(
            "{}: {} (SQLSTATE {}){hint}",
            db.severity(),
            db.message(),
            db.code().code()
        );
    }
    match e.source() {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// The server cancelled the statement because it ran past `statement_timeout` (SQLSTATE 57014 is
/// also a cancel asked for by a client or an administrator; the message tells them apart).
fn is_statement_timeout(db: &tokio_postgres::error::DbError) -> bool {
    db.code().code() == "57014" && db.message().contains("statement timeout")
}

impl PgError {
    fn pg(&self) -> Option<&tokio_postgres::Error> {
        match self {
            PgError::Connect { source, .. } | PgError::Statement { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The five-character SQLSTATE of a server error (`23505`, `40001`, …).
    pub fn sqlstate(&self) -> Option<&str> {
        self.pg().and_then(|e| e.code()).map(|c| c.code())
    }

    /// The constraint a violation names (`appeals_pkey`), when the server said.
    pub fn constraint(&self) -> Option<&str> {
        self.pg()
            .and_then(|e| e.as_db_error())
            .and_then(|d| d.constraint())
    }

    /// A UNIQUE or PRIMARY KEY constraint refused the row.
    pub fn is_unique_violation(&self) -> bool {
        self.sqlstate() == Some("23505")
    }

    /// The server cancelled the statement: it ran longer than the connection's
    /// `statement_timeout`.
    pub fn is_statement_timeout(&self) -> bool {
        self.pg()
            .and_then(|e| e.as_db_error())
            .is_some_and(is_statement_timeout)
    }

    /// A SERIALIZABLE (or REPEATABLE READ) transaction lost to a concurrent one: retry it whole.
    pub fn is_serialization_failure(&self) -> bool {
        self.sqlstate() == Some("40001")
    }

    /// A deadlock was broken by aborting this transaction: retry it whole.
    pub fn is_deadlock(&self) -> bool {
        self.sqlstate() == Some("40P01")
    }

    /// Another session held what this one needed for longer than allowed (`lock_timeout`,
    /// `statement_timeout`, `NOWAIT`), the server has no connection left, or the pool none free:
    /// the same call may succeed later.
    pub fn is_busy(&self) -> bool {
        matches!(self, PgError::PoolTimeout { .. })
            || matches!(self.sqlstate(), Some("55P03" | "57014" | "53300"))
    }

    /// A failure of the database as a whole rather than of the data written: the server cannot be
    /// reached or is gone, is busy ([`PgError::is_busy`]), out of disk or memory (class 53), has a
    /// system or corruption error (class 58, XX001, XX002), refuses writes (25006, a standby),
    /// refuses the login (class 28) or has no such database (3D000).
    pub fn is_environment(&self) -> bool {
        if self.is_connection_lost() || self.is_busy() || matches!(self, PgError::Runtime(_)) {
            return true;
        }
        self.sqlstate().is_some_and(|code| {
            code.starts_with("53")
                || code.starts_with("58")
                || code.starts_with("28")
                || matches!(code, "XX001" | "XX002" | "25006" | "3D000")
        })
    }

    /// The connection is gone (socket error, server shut down or terminated the session, or it
    /// could not be made): the connection is useless and a pool must not keep it.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            PgError::Connect { .. } => true,
            PgError::Statement { source, .. } => {
                if source.is_closed() {
                    return true;
                }
                if let Some(code) = source.code().map(|c| c.code()) {
                    // Class 08: connection exception; 57P01..03: admin/crash shutdown, cannot connect now.
                    return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03");
                }
                source
                    .source()
                    .is_some_and(|c| c.downcast_ref::<std::io::Error>().is_some())
            }
            _ => false,
        }
    }
}
