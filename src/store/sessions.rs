//! The built-in SSH server's tables: operators' public keys (`operator_keys`: a key is an
//! operator) and the consoles open now (`console_sessions`: written by SSH sessions and local
//! consoles alike, refreshed while they run). Adding and removing a key, and a session's start
//! and end, are audited in the one chain (registers `operator_key` and `console_session`).

use crate::store::db::{DbResult, OptionalExtension, Row, params};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{Actor, Store, StoreError, ts, ts_opt};
use crate::domain::access::Action;

pub(crate) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS operator_keys (
    id          INTEGER PRIMARY KEY,
    login       TEXT NOT NULL,
    key         TEXT NOT NULL,                    -- the OpenSSH public key line, without comment
    fingerprint TEXT NOT NULL UNIQUE,             -- SHA256:…
    comment     TEXT NOT NULL DEFAULT '',
    added_at    INTEGER NOT NULL,
    added_by    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS operator_keys_login ON operator_keys (login);
CREATE TABLE IF NOT EXISTS console_sessions (
    id          INTEGER PRIMARY KEY,
    login       TEXT NOT NULL,
    via         TEXT NOT NULL,                    -- ssh, local
    address     TEXT NOT NULL DEFAULT '',         -- the client's address (ssh)
    fingerprint TEXT NOT NULL DEFAULT '',         -- the key it came with (ssh)
    started_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    ended_at    INTEGER,
    appeal      INTEGER                           -- the appeal open in detail
);
CREATE INDEX IF NOT EXISTS console_sessions_open ON console_sessions (ended_at, last_seen);
"#;

/// The audit register of operators' keys.
pub const KEY_REGISTER: &str = "operator_key";
/// The audit register of console sessions.
pub const SESSION_REGISTER: &str = "console_session";

/// A session not refreshed for this long is gone (its process died): not listed.
pub const STALE_AFTER: Duration = Duration::seconds(90);

/// A registered public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperatorKey {
    pub id: i64,
    pub login: String,
    pub key: String,
    pub fingerprint: String,
    pub comment: String,
    pub added_at: DateTime<Utc>,
    pub added_by: String,
}

/// A console open now (or recently ended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsoleSession {
    pub id: i64,
    pub login: String,
    pub via: String,
    pub address: String,
    pub fingerprint: String,
    pub started_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub appeal: Option<i64>,
}

/// Where a console session comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionOrigin {
    /// `ssh` or `local`.
    pub via: String,
    pub address: String,
    pub fingerprint: String,
}

impl Store {
    /// Registers a public key for an operator (Manage). The key is given parsed: its line
    /// (`ssh-ed25519 AAAA…`) and its SHA-256 fingerprint.
    pub fn add_operator_key(
        &mut self,
        actor: &Actor,
        login: &str,
        key: &str,
        fingerprint: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<OperatorKey, StoreError> {
        if self.operator(login)?.is_none() {
            return Err(StoreError::NotFound(format!(
                "no operator «{login}» (add them first: mcu operator add {login} --name … --role …)"
            )));
        }
        if let Some(k) = self.operator_key(fingerprint)? {
            return Err(StoreError::Invalid(format!(
                "the key {fingerprint} is already registered for «{}»",
                k.login
            )));
        }
        let by = actor.operator.clone();
        self.write_register(Action::Manage, actor, now, |w| {
            let id = w.tx.insert(
                "INSERT INTO operator_keys (login, key, fingerprint, comment, added_at, added_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![login, key, fingerprint, comment, now.timestamp(), by],
            )?;
            w.record_created(
                KEY_REGISTER,
                id,
                &[
                    ("login", Some(login.to_string())),
                    ("fingerprint", Some(fingerprint.to_string())),
                    (
                        "comment",
                        Some(comment.to_string()).filter(|c| !c.is_empty()),
                    ),
                ],
            )?;
            Ok(OperatorKey {
                id,
                login: login.to_string(),
                key: key.to_string(),
                fingerprint: fingerprint.to_string(),
                comment: comment.to_string(),
                added_at: ts(now.timestamp()),
                added_by: by.clone(),
            })
        })
    }

    /// Removes an operator's key (Manage).
    pub fn remove_operator_key(
        &mut self,
        actor: &Actor,
        login: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<OperatorKey, StoreError> {
        let key = self
            .operator_key(fingerprint)?
            .filter(|k| k.login == login)
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "«{login}» has no key {fingerprint} (see mcu operator key list)"
                ))
            })?;
        self.write_register(Action::Manage, actor, now, |w| {
            w.tx.execute("DELETE FROM operator_keys WHERE id = ?1", [key.id])?;
            w.record(
                KEY_REGISTER,
                key.id,
                &[("removed", None, Some(key.fingerprint.clone()))],
            )
        })?;
        Ok(key)
    }

    /// Every registered key, by login, then by when it was added.
    pub fn operator_keys(&self) -> Result<Vec<OperatorKey>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT id, login, key, fingerprint, comment, added_at, added_by FROM operator_keys \
             ORDER BY login, id",
        )?;
        let rows = st.query_map([], key_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The key with this fingerprint.
    pub fn operator_key(&self, fingerprint: &str) -> Result<Option<OperatorKey>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, login, key, fingerprint, comment, added_at, added_by FROM operator_keys \
                 WHERE fingerprint = ?1",
                [fingerprint],
                key_row,
            )
            .optional()?)
    }

    /// Records that a console opened; audited (who, how, from where, with which key).
    pub fn start_console_session(
        &mut self,
        login: &str,
        origin: &SessionOrigin,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let actor = Actor::new(login, origin.via.clone());
        self.write_register(Action::See, &actor, now, |w| {
            let id = w.tx.insert(
                "INSERT INTO console_sessions (login, via, address, fingerprint, started_at, \
                 last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![
                    login,
                    origin.via,
                    origin.address,
                    origin.fingerprint,
                    now.timestamp()
                ],
            )?;
            let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
            w.record_created(
                SESSION_REGISTER,
                id,
                &[
                    ("login", some(login)),
                    ("address", some(&origin.address)),
                    ("fingerprint", some(&origin.fingerprint)),
                ],
            )?;
            Ok(id)
        })
    }

    /// Keeps a session listed: when it was last seen and the appeal it has open.
    pub fn touch_console_session(
        &self,
        id: i64,
        appeal: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE console_sessions SET last_seen = ?2, appeal = ?3 WHERE id = ?1",
            params![id, now.timestamp(), appeal],
        )?;
        Ok(())
    }

    /// Records that a session ended, and why; audited.
    pub fn end_console_session(
        &mut self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let login: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT login, via FROM console_sessions WHERE id = ?1 AND ended_at IS NULL",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((login, via)) = login else {
            return Ok(());
        };
        let actor = Actor::new(login, via);
        self.write_register(Action::See, &actor, now, |w| {
            w.tx.execute(
                "UPDATE console_sessions SET ended_at = ?2, last_seen = ?2, appeal = NULL \
                 WHERE id = ?1",
                params![id, now.timestamp()],
            )?;
            w.record(
                SESSION_REGISTER,
                id,
                &[("ended", None, Some(reason.to_string()))],
            )
        })
    }

    /// The consoles open at `now`: not ended, and seen within [`STALE_AFTER`].
    pub fn console_sessions(&self, now: DateTime<Utc>) -> Result<Vec<ConsoleSession>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT id, login, via, address, fingerprint, started_at, last_seen, ended_at, appeal \
             FROM console_sessions WHERE ended_at IS NULL AND last_seen >= ?1 ORDER BY id",
        )?;
        let rows = st.query_map([(now - STALE_AFTER).timestamp()], |r| {
            Ok(ConsoleSession {
                id: r.get(0)?,
                login: r.get(1)?,
                via: r.get(2)?,
                address: r.get(3)?,
                fingerprint: r.get(4)?,
                started_at: ts(r.get(5)?),
                last_seen: ts(r.get(6)?),
                ended_at: ts_opt(r.get(7)?),
                appeal: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The logins of the other open sessions that have `appeal` open (presence in the detail).
    pub fn others_on_appeal(
        &self,
        appeal: i64,
        own_session: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT DISTINCT login FROM console_sessions WHERE appeal = ?1 AND id <> ?2 \
             AND ended_at IS NULL AND last_seen >= ?3 ORDER BY login",
        )?;
        let rows = st.query_map(
            params![appeal, own_session, (now - STALE_AFTER).timestamp()],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn key_row(r: &Row<'_>) -> DbResult<OperatorKey> {
    Ok(OperatorKey {
        id: r.get(0)?,
        login: r.get(1)?,
        key: r.get(2)?,
        fingerprint: r.get(3)?,
        comment: r.get(4)?,
        added_at: ts(r.get(5)?),
        added_by: r.get(6)?,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone;

    use super::*;
    use crate::domain::access::{Grants, Role};
    use crate::reference::Reference;

    fn store() -> Store {
        let mut s = Store::open_in_memory(Arc::new(Reference::embedded().expect("reference")))
            .expect("store");
        s.put_operator("head", "Глава", &[Role::Head], &[], now())
            .expect("head");
        s.put_operator("obs", "Наблюдатель", &[Role::Observer], &[], now())
            .expect("observer");
        s
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
            .single()
            .expect("time")
    }

    fn head() -> Actor {
        Actor::operator(Grants::new("head", vec![Role::Head], vec![]), "cli")
    }

    #[test]
    fn keys_are_added_listed_removed_and_audited() {
        let mut s = store();
        let k = s
            .add_operator_key(
                &head(),
                "obs",
                "ssh-ed25519 AAAA",
                "SHA256:x",
                "ноутбук",
                now(),
            )
            .expect("added");
        assert_eq!(s.operator_key("SHA256:x").expect("found"), Some(k.clone()));
        // The same key twice, a key of nobody, an observer managing keys: refused.
        assert!(
            s.add_operator_key(&head(), "head", "ssh-ed25519 AAAA", "SHA256:x", "", now())
                .is_err()
        );
        assert!(matches!(
            s.add_operator_key(&head(), "nobody", "ssh-ed25519 B", "SHA256:y", "", now()),
            Err(StoreError::NotFound(_))
        ));
        let obs = Actor::operator(Grants::new("obs", vec![Role::Observer], vec![]), "cli");
        assert!(matches!(
            s.add_operator_key(&obs, "obs", "ssh-ed25519 B", "SHA256:y", "", now()),
            Err(StoreError::Denied(_))
        ));
        assert!(
            s.remove_operator_key(&head(), "head", "SHA256:x", now())
                .is_err()
        );
        s.remove_operator_key(&head(), "obs", "SHA256:x", now())
            .expect("removed");
        assert!(s.operator_keys().expect("keys").is_empty());
        let h = s.register_history(KEY_REGISTER, k.id).expect("history");
        let fields: Vec<_> = h.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["created", "login", "fingerprint", "comment", "removed"]
        );
        assert!(h.iter().all(|e| e.operator == "head"));
        assert!(s.verify_audit().expect("verify").intact);
    }

    #[test]
    fn sessions_are_listed_until_they_end_or_go_stale_and_show_presence() {
        let mut s = store();
        let ssh = SessionOrigin {
            via: "ssh".into(),
            address: "10.0.0.5:50000".into(),
            fingerprint: "SHA256:x".into(),
        };
        let a = s.start_console_session("obs", &ssh, now()).expect("a");
        let local = SessionOrigin {
            via: "local".into(),
            ..Default::default()
        };
        let b = s.start_console_session("head", &local, now()).expect("b");
        s.touch_console_session(a, Some(7), now()).expect("touch");
        s.touch_console_session(b, Some(7), now()).expect("touch");
        assert_eq!(
            s.others_on_appeal(7, a, now()).expect("others"),
            vec!["head"]
        );
        assert_eq!(s.console_sessions(now()).expect("list").len(), 2);
        s.end_console_session(b, "quit", now()).expect("end");
        assert!(s.others_on_appeal(7, a, now()).expect("others").is_empty());
        let listed = s.console_sessions(now()).expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].address, "10.0.0.5:50000");
        // Not refreshed for longer than STALE_AFTER: its process is gone.
        let later = now() + STALE_AFTER + Duration::seconds(1);
        assert!(s.console_sessions(later).expect("list").is_empty());
        let h = s.register_history(SESSION_REGISTER, b).expect("history");
        assert_eq!(h.last().map(|e| e.field.as_str()), Some("ended"));
        assert!(s.verify_audit().expect("verify").intact);
    }
}
