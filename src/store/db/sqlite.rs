//! The SQLite engine: rusqlite underneath [`super::Db`].

use rusqlite::types::{ToSqlOutput, ValueRef as SqlValueRef};

use super::{DbError, ToValue, ValueRef};

/// A compiled SQLite statement, kept in the connection's cache or not.
pub enum Stmt<'c> {
    Cached(rusqlite::CachedStatement<'c>),
    Once(rusqlite::Statement<'c>),
}

impl<'c> Stmt<'c> {
    fn inner(&mut self) -> &mut rusqlite::Statement<'c> {
        match self {
            Stmt::Cached(s) => s,
            Stmt::Once(s) => s,
        }
    }

    pub(super) fn execute(&mut self, params: &[&dyn ToValue]) -> Result<usize, DbError> {
        Ok(self.inner().execute(bind(params))?)
    }

    pub(super) fn query(&mut self, params: &[&dyn ToValue]) -> Result<rusqlite::Rows<'_>, DbError> {
        Ok(self.inner().query(bind(params))?)
    }
}

/// A parameter as rusqlite binds it (borrowed, no copy).
struct Bind<'a>(&'a dyn ToValue);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0.to_value() {
            ValueRef::Null => SqlValueRef::Null,
            ValueRef::Integer(i) => SqlValueRef::Integer(i),
            ValueRef::Real(f) => SqlValueRef::Real(f),
            ValueRef::Text(s) => SqlValueRef::Text(s.as_bytes()),
            ValueRef::Blob(b) => SqlValueRef::Blob(b),
        }))
    }
}

fn bind<'a>(params: &'a [&'a dyn ToValue]) -> impl rusqlite::Params + 'a {
    rusqlite::params_from_iter(params.iter().map(|p| Bind(*p)))
}

/// A column of a row as the engine-neutral value.
pub(super) fn value_ref<'r>(r: &'r rusqlite::Row<'r>, idx: usize) -> Result<ValueRef<'r>, DbError> {
    Ok(match r.get_ref(idx)? {
        SqlValueRef::Null => ValueRef::Null,
        SqlValueRef::Integer(i) => ValueRef::Integer(i),
        SqlValueRef::Real(f) => ValueRef::Real(f),
        SqlValueRef::Text(t) => {
            ValueRef::Text(std::str::from_utf8(t).map_err(|e| DbError::column(idx, e.to_string()))?)
        }
        SqlValueRef::Blob(b) => ValueRef::Blob(b),
    })
}

/// Another writer held the database for longer than the store waits.
pub(super) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// A failure of the database file as a whole rather than of the data.
pub(super) fn is_environment(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode as C;
    matches!(
        e.sqlite_error_code(),
        Some(
            C::DatabaseBusy
                | C::DatabaseLocked
                | C::DiskFull
                | C::ReadOnly
                | C::CannotOpen
                | C::PermissionDenied
                | C::SystemIoFailure
                | C::NotADatabase
                | C::DatabaseCorrupt
                | C::OutOfMemory
        )
    )
}

/// A UNIQUE or PRIMARY KEY constraint refused the write.
pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}
