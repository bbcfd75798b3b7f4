//! Responsible recipients and settlements: names kept once, looked up case- and ё-insensitively.

use crate::store::db::{Db, OptionalExtension, params};
use chrono::{DateTime, Utc};

use super::{Store, StoreError};
use crate::domain::text::fold;

/// The id of a settlement, created on first mention.
pub(crate) fn settlement_id(conn: &Db, name: &str) -> Result<i64, StoreError> {
    let key = fold(name);
    if let Some(id) = conn
        .prepare_cached("SELECT id FROM settlements WHERE name_fold = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?
    {
        return Ok(id);
    }
    Ok(conn.insert(
        "INSERT INTO settlements (name, name_fold) VALUES (?1, ?2)",
        params![name.trim(), key],
    )?)
}

/// The id of a recipient; with `create`, a new name is added (imports learn recipients from the
/// sources), otherwise an unknown name is refused.
pub(crate) fn recipient_id(
    conn: &Db,
    name: &str,
    create: bool,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let key = fold(name);
    if let Some(id) = conn
        .prepare_cached("SELECT id FROM recipients WHERE name_fold = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?
    {
        return Ok(id);
    }
    if !create {
        return Err(unknown_recipient(conn, name));
    }
    Ok(conn.insert(
        "INSERT INTO recipients (name, name_fold, created_at) VALUES (?1, ?2, ?3)",
        params![name.trim(), key, now.timestamp()],
    )?)
}

/// The stored spelling of a known recipient, found by its name ignoring case and ё, or by a
/// unique fragment of it; an unknown or ambiguous name is refused with the candidates.
pub(crate) fn known_recipient(conn: &Db, name: &str) -> Result<String, StoreError> {
    let key = fold(name);
    let all = all_recipients(conn)?;
    if let Some(n) = all.iter().find(|n| fold(n) == key) {
        return Ok(n.clone());
    }
    let partial: Vec<&String> = all.iter().filter(|n| fold(n).contains(&key)).collect();
    match partial.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(unknown_recipient(conn, name)),
        many => Err(StoreError::Invalid(format!(
            "«{}» matches several recipients: {}",
            name.trim(),
            many.iter()
                .map(|s| format!("«{s}»"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn unknown_recipient(conn: &Db, name: &str) -> StoreError {
    let known = all_recipients(conn).unwrap_or_default();
    let list = if known.is_empty() {
        "none yet; add one with `mcu recipients add NAME`".to_string()
    } else {
        known
            .iter()
            .map(|s| format!("«{s}»"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    StoreError::Invalid(format!(
        "unknown recipient «{}» (known: {list})",
        name.trim()
    ))
}

fn all_recipients(conn: &Db) -> Result<Vec<String>, StoreError> {
    let mut st = conn.prepare_cached("SELECT name FROM recipients ORDER BY name")?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Store {
    /// Every known responsible recipient, by name.
    pub fn recipients(&self) -> Result<Vec<String>, StoreError> {
        all_recipients(self.conn())
    }

    /// Adds a responsible recipient (a department or an institution). Adding a known name is a
    /// no-op. Returns the stored spelling.
    pub fn add_recipient(&mut self, name: &str, now: DateTime<Utc>) -> Result<String, StoreError> {
        if name.trim().is_empty() {
            return Err(StoreError::Invalid("a recipient needs a name".into()));
        }
        let id = recipient_id(self.conn(), name, true, now)?;
        Ok(self
            .conn()
            .query_row("SELECT name FROM recipients WHERE id = ?1", [id], |r| {
                r.get(0)
            })?)
    }

    /// The stored spelling of a known recipient given its name or a unique part of it (case and
    /// ё ignored); unknown or ambiguous names are refused with the candidates.
    pub fn resolve_recipient(&self, name: &str) -> Result<String, StoreError> {
        known_recipient(self.conn(), name)
    }

    /// Every settlement mentioned so far, by name.
    pub fn settlements(&self) -> Result<Vec<String>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT name FROM settlements ORDER BY name")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
